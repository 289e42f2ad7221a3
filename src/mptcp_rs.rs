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
#[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
mod test_hooks;
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
    net::Registration as PernetRegistration,
    pm::Registration as PmRegistration,
    sched::Registration, //
};
use pm::tunables::PmTunable;
use sched::tunables::SchedTunable;

// The initial values of the tunables (see `tunable`).
ffi::params::module_params! {
    RR_SEGMENTS: "rr_segments" => sched::tunables::RR_SEGMENTS: SchedTunable,
        "rs_rr: initial net.mptcp.rs.rr_segments, MSS-sized segments per round-robin turn (1-64)",
    BLEST_LAMBDA_MIN: "blest_lambda_min" => sched::tunables::BLEST_LAMBDA_MIN: SchedTunable,
        "rs_blest: initial net.mptcp.rs.blest_lambda_min, lower bound and start of BLEST's lambda, per mille (at most blest_lambda_max)",
    BLEST_LAMBDA_MAX: "blest_lambda_max" => sched::tunables::BLEST_LAMBDA_MAX: SchedTunable,
        "rs_blest: initial net.mptcp.rs.blest_lambda_max, upper bound of BLEST's lambda, per mille (at least blest_lambda_min)",
    ECF_BETA: "ecf_beta" => sched::tunables::ECF_BETA: SchedTunable,
        "rs_ecf: initial net.mptcp.rs.ecf_beta, ECF's hysteresis beta, per mille",
    BACKUP_STALE_MS: "backup_stale_ms" => sched::tunables::BACKUP_STALE_MS: SchedTunable,
        "rs_backup: initial net.mptcp.rs.backup_stale_ms, least time in ms a subflow with data outstanding goes without an ACK before it counts as failed (srtt + 4 mdev when longer)",
    PM_RETRY_MS: "pm_retry_ms" => pm::tunables::PM_RETRY_MS: PmTunable,
        "rs_kernel and rs_ndiffports: initial net.mptcp.rs.pm_retry_ms, delay before re-creating a failed subflow, doubled each time, in ms",
    PM_RETRY_MAX: "pm_retry_max" => pm::tunables::PM_RETRY_MAX: PmTunable,
        "rs_kernel and rs_ndiffports: initial net.mptcp.rs.pm_retry_max, attempts to re-create a failed subflow (0: none)",
}

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
    active: ffi::active::Registration<blackhole::Blackhole>,
    #[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
    _hooks: test_hooks::Files,
    _debugfs: mib::Files,
    #[pin]
    blackhole: PernetRegistration<blackhole::NetBlackhole>,
    #[pin]
    sched_tunables: PernetRegistration<sched::tunables::SchedTunables>,
    #[pin]
    pm_tunables: PernetRegistration<pm::tunables::PmNet>,
    #[pin]
    archive: PernetRegistration<mib::Archive>,
    _counters: ffi::mib::Registration,
}

impl kernel::InPlaceModule for MptcpRs {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let dir = kernel::debugfs::Dir::new(c"mptcp_rs");
        // Initialised in this order, the reverse of the drop order.
        try_pin_init!(Self {
            _counters: ffi::mib::Registration::new()?,
            archive <- PernetRegistration::new(module),
            pm_tunables <- PernetRegistration::new(module),
            sched_tunables <- PernetRegistration::new(module),
            blackhole <- PernetRegistration::new(module),
            _debugfs: mib::Files::new(&dir)?,
            #[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
            _hooks: test_hooks::Files::new(&dir)?,
            active <- ffi::active::Registration::new(module),
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
