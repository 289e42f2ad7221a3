// SPDX-License-Identifier: GPL-2.0

//! The unsafe boundary between the MPTCP core and the module.
//!
//! Everything that dereferences a kernel pointer lives here: the wrappers
//! for the msk and its subflows, the `extern "C"` callbacks the core calls,
//! and the registrations that hand our ops tables to the core.  The rest of
//! the module is safe Rust on top of these types.

pub(crate) mod active;
pub(crate) mod mib;
pub(crate) mod msk;
pub(crate) mod net;
mod params;
pub(crate) mod sched;
pub(crate) mod sysctl;
pub(crate) mod time;
