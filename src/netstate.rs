// SPDX-License-Identifier: GPL-2.0

//! The module's state in each network namespace.

#![forbid(unsafe_code)]

use crate::{
    blackhole::NetBlackhole,
    ffi::{
        net::{
            Net,
            Owner, //
        },
        sysctl::Sysctl,
    },
    mib,
    pm::tunables::PmTunables,
    sched::tunables::SchedTunables,
    tunable::Values, //
};
use kernel::{
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
};

/// `net.mptcp.rs.ndiffports` of a new namespace: one join besides the
/// initial subflow, within the kernel's default `subflows` limit of 2.
const NDIFFPORTS_DEFAULT: i32 = 2;

/// What the module keeps per namespace: the blackhole backoff, the
/// schedulers' and path managers' settings, and the sysctls.
#[pin_data]
pub(crate) struct NetState {
    /// Keeps the namespace's counters in the module-wide totals when it
    /// goes; first, so that it is dropped first.
    counters: mib::Archive,
    /// The namespace.
    pub(crate) owner: Owner,
    #[pin]
    pub(crate) blackhole: NetBlackhole,
    /// `net.mptcp.rs.ndiffports`: the subflows `rs_ndiffports` opens.
    pub(crate) ndiffports: Atomic<i32>,
    /// The schedulers' tunables.
    pub(crate) sched: SchedTunables,
    /// The path managers' tunables.
    pub(crate) pm: PmTunables,
    pub(crate) sysctl: Sysctl,
}

impl NetState {
    /// The state of a new namespace.
    pub(crate) fn new(net: &Net) -> impl PinInit<Self, Error> {
        let owner = Owner::new(net);
        let counters = mib::Archive::new(net);
        let resets = net.blackhole_resets();
        try_pin_init!(Self {
            counters,
            owner,
            blackhole <- NetBlackhole::new(resets),
            ndiffports: Atomic::new(NDIFFPORTS_DEFAULT),
            sched: SchedTunables::initial(),
            pm: PmTunables::initial(),
            sysctl: Sysctl::new(),
        })
    }

    /// The number of subflows `rs_ndiffports` opens.
    pub(crate) fn ndiffports(&self) -> u32 {
        u32::try_from(self.ndiffports.load(Relaxed)).unwrap_or(1)
    }
}
