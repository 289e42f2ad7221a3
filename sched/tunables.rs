// SPDX-License-Identifier: GPL-2.0

//! The schedulers' tunables: per-namespace sysctls under `net.mptcp.rs.`,
//! whose initial values are module parameters (see [`crate::tunable`]).

use crate::{
    ffi::{
        net::{
            Net,
            NetId,
            PerNet, //
        },
        sysctl::Entry,
    },
    logic::sched::{
        blest,
        ecf,
        rr, //
    },
    tunable::{
        self,
        value,
        Tunable,
        Values, //
    },
};
use kernel::{
    prelude::*,
    sync::atomic::Atomic, //
};

/// A namespace's values of the schedulers' tunables.
pub(crate) struct SchedTunables {
    pub(crate) rr_segments: Atomic<u32>,
    pub(crate) blest_lambda_min: Atomic<u32>,
    pub(crate) blest_lambda_max: Atomic<u32>,
    pub(crate) ecf_beta: Atomic<u32>,
    pub(crate) backup_stale_ms: Atomic<u32>,
}

impl Values for SchedTunables {
    fn initial() -> Self {
        Self {
            rr_segments: Atomic::new(RR_SEGMENTS.initial()),
            blest_lambda_min: Atomic::new(BLEST_LAMBDA_MIN.initial()),
            blest_lambda_max: Atomic::new(BLEST_LAMBDA_MAX.initial()),
            ecf_beta: Atomic::new(ECF_BETA.initial()),
            backup_stale_ms: Atomic::new(BACKUP_STALE_MS.initial()),
        }
    }
}

impl SchedTunables {
    /// The values in `net`.
    pub(crate) fn of(net: &Net) -> &Self {
        net.data()
    }
}

static NET_ID: NetId<SchedTunables> = NetId::new();

impl PerNet for SchedTunables {
    const SYSCTL_PATH: &'static CStr = tunable::SYSCTL_PATH;

    const SYSCTLS: &'static [Entry<Self>] = &[
        tunable::entry!(RR_SEGMENTS, rr_segments),
        tunable::entry!(BLEST_LAMBDA_MIN, blest_lambda_min),
        tunable::entry!(BLEST_LAMBDA_MAX, blest_lambda_max),
        tunable::entry!(ECF_BETA, ecf_beta),
        tunable::entry!(BACKUP_STALE_MS, backup_stale_ms),
    ];

    fn id() -> &'static NetId<Self> {
        &NET_ID
    }

    fn new(_net: &Net) -> impl PinInit<Self, Error> {
        Ok(Self::initial())
    }
}

pub(crate) type SchedTunable = Tunable<SchedTunables>;

/// `rr_segments`: MSS-sized segments per round-robin turn.
pub(crate) static RR_SEGMENTS: SchedTunable = Tunable::new(1, rr::SEGMENTS_MIN, rr::SEGMENTS_MAX);

/// `blest_lambda_min`: lower bound (and start) of BLEST's lambda, per
/// mille; at most `blest_lambda_max`.
pub(crate) static BLEST_LAMBDA_MIN: SchedTunable =
    Tunable::new(1000, blest::LAMBDA_LIMIT_MIN, blest::LAMBDA_LIMIT_MAX).requiring(
        |t, v| v <= value(&t.blest_lambda_max),
        "must not exceed blest_lambda_max",
    );

/// `blest_lambda_max`: upper bound of BLEST's lambda, per mille; at least
/// `blest_lambda_min`.
pub(crate) static BLEST_LAMBDA_MAX: SchedTunable =
    Tunable::new(1300, blest::LAMBDA_LIMIT_MIN, blest::LAMBDA_LIMIT_MAX).requiring(
        |t, v| v >= value(&t.blest_lambda_min),
        "must not be below blest_lambda_min",
    );

/// `ecf_beta`: ECF's hysteresis, per mille.
pub(crate) static ECF_BETA: SchedTunable = Tunable::new(250, 0, ecf::BETA_MAX);

/// `backup_stale_ms`: the least time `rs_backup` lets a subflow with data
/// outstanding go without an ACK before it counts as failed (the
/// threshold is `srtt + 4 * mdev` when that is longer).
pub(crate) static BACKUP_STALE_MS: SchedTunable = Tunable::new(50, 10, 60_000);
