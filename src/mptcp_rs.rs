// SPDX-License-Identifier: GPL-2.0

//! `mptcp_rs`: Multipath TCP policy in Rust.
//!
//! Loading the module registers its packet schedulers with the MPTCP core
//! (select one per network namespace with `sysctl
//! net.mptcp.scheduler=<name>`) and its path managers (`sysctl
//! net.mptcp.path_manager=<name>`), takes over the blackhole backoff (per
//! destination by default, `net.mptcp.rs.*`), and adds its counters to
//! `/proc/net/netstat`.
//!
//! Layout: [`ffi`] is the only place with `unsafe` (every other module
//! forbids it); `sched/` and `pm/` hold the kernel-side schedulers and path
//! managers; [`logic`] is the pure decision code, also built for the host
//! by `cargo test`; `kunit/` runs the same case tables inside the kernel.

use kernel::prelude::*;

mod blackhole;
mod ffi;
pub mod logic;
mod netstate;
mod tunable;

#[path = "../sched/mod.rs"]
mod sched;

#[path = "../pm/mod.rs"]
mod pm;

#[path = "../mib/mod.rs"]
mod mib;

#[path = "../kunit/mod.rs"]
mod kunit;

module! {
    type: MptcpRs,
    name: "mptcp_rs",
    authors: ["mptcp-rs maintainers"],
    description: "Multipath TCP schedulers, path managers and blackhole policy in Rust",
    license: "GPL",
}

use ffi::{
    pm::Registration as PmRegistration,
    sched::Registration, //
};

// Fields drop in declaration order: what calls into the module goes first,
// the per-namespace state and the counters last.
#[pin_data]
struct MptcpRs {
    #[pin]
    rs_default: Registration<sched::default::RsDefault>,
    #[pin]
    rs_minrtt: Registration<sched::minrtt::RsMinRtt>,
    #[pin]
    rs_rr: Registration<sched::rr::RsRr>,
    #[pin]
    rs_redundant: Registration<sched::redundant::RsRedundant>,
    #[pin]
    rs_blest: Registration<sched::blest::RsBlest>,
    #[pin]
    rs_ecf: Registration<sched::ecf::RsEcf>,
    #[pin]
    rs_backup: Registration<sched::backup::RsBackup>,
    #[pin]
    rs_kernel: PmRegistration<pm::kernel::RsKernel>,
    #[pin]
    rs_ndiffports: PmRegistration<pm::ndiffports::RsNdiffports>,
    #[pin]
    active: ffi::active::Registration,
    _debugfs: mib::Files,
    #[pin]
    pernet: ffi::net::Registration,
    _counters: ffi::mib::Registration,
}

impl kernel::InPlaceModule for MptcpRs {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        // Initialised in this order, the reverse of the drop order.
        try_pin_init!(Self {
            _counters: ffi::mib::Registration::new()?,
            pernet <- ffi::net::Registration::new(),
            _debugfs: mib::Files::new()?,
            active <- ffi::active::Registration::new(),
            rs_default <- Registration::new(module),
            rs_minrtt <- Registration::new(module),
            rs_rr <- Registration::new(module),
            rs_redundant <- Registration::new(module),
            rs_blest <- Registration::new(module),
            rs_ecf <- Registration::new(module),
            rs_backup <- Registration::new(module),
            rs_kernel <- PmRegistration::new(module),
            rs_ndiffports <- PmRegistration::new(module),
        })
    }
}
