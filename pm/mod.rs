// SPDX-License-Identifier: GPL-2.0

//! Path managers.
//!
//! A path manager decides which subflows a connection opens and which
//! addresses it announces.  Ours take their configuration from the
//! endpoints and limits that `ip mptcp endpoint` and `ip mptcp limits` set,
//! like the kernel's own; each is a small type that forwards the core's
//! events to its decisions in [`crate::logic::pm`].

#![forbid(unsafe_code)]

pub(crate) mod kernel;
pub(crate) mod ndiffports;
pub(crate) mod tunables;

pub(crate) use crate::ffi::pm::PathManager;
