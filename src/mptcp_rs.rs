// SPDX-License-Identifier: GPL-2.0

//! `mptcp_rs`: Multipath TCP packet schedulers in Rust.
//!
//! Loading the module registers its schedulers with the MPTCP core; select
//! one per network namespace with `sysctl net.mptcp.scheduler=<name>`.
//!
//! Layout: [`ffi`] is the only place with `unsafe`; `sched/` holds the
//! kernel-side schedulers; [`logic`] is the pure decision code, also built
//! for the host by `cargo test`; `kunit/` runs the same case tables inside
//! the kernel.

use kernel::prelude::*;

mod ffi;
pub mod logic;

#[path = "../sched/mod.rs"]
mod sched;

#[path = "../mib/mod.rs"]
mod mib;

#[path = "../kunit/mod.rs"]
mod kunit;

module! {
    type: MptcpRs,
    name: "mptcp_rs",
    authors: ["mptcp-rs maintainers"],
    description: "Multipath TCP packet schedulers in Rust",
    license: "GPL",
}

#[pin_data]
struct MptcpRs {
    #[pin]
    rs_default: ffi::sched::Registration<sched::default::RsDefault>,
    _counters: mib::Files,
}

impl kernel::InPlaceModule for MptcpRs {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            rs_default <- ffi::sched::Registration::new(module),
            _counters: mib::Files::new()?,
        })
    }
}
