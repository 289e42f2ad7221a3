// SPDX-License-Identifier: GPL-2.0

//! Pure decision code of `mptcp_rs`.
//!
//! No kernel types, no allocation, no floating point, no `unsafe`: the
//! kernel side copies what a decision needs into plain values and applies
//! the result.  The same files build into the module and, as the host crate
//! described by the top-level `Cargo.toml`, into `cargo test`.

#![cfg_attr(not(CONFIG_RUST), no_std)]
#![forbid(unsafe_code)]

#[path = "../sched/logic/mod.rs"]
pub mod sched;

#[path = "../pm/logic/mod.rs"]
pub mod pm;

#[path = "../mib/logic/mod.rs"]
pub mod mib;

#[path = "logic/array_vec.rs"]
pub mod array_vec;

#[path = "logic/backoff.rs"]
pub mod backoff;

#[path = "logic/tunable.rs"]
pub mod tunable;

#[path = "logic/blackhole/mod.rs"]
pub mod blackhole;

#[cfg(test)]
#[path = "logic/rng.rs"]
mod rng;
