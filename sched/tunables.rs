// SPDX-License-Identifier: GPL-2.0

//! The schedulers' tunables (module parameters, see [`crate::tunable`]).

use crate::{
    logic::sched::{
        blest,
        ecf,
        rr, //
    },
    tunable::Tunable,
};

/// `rr_segments`: MSS-sized segments per round-robin turn.
pub(crate) static RR_SEGMENTS: Tunable = Tunable::new(1, rr::SEGMENTS_MIN, rr::SEGMENTS_MAX);

/// `blest_lambda_min`: lower bound (and start) of BLEST's lambda, per
/// mille; at most `blest_lambda_max`.
pub(crate) static BLEST_LAMBDA_MIN: Tunable =
    Tunable::new(1000, blest::LAMBDA_LIMIT_MIN, blest::LAMBDA_LIMIT_MAX).requiring(
        |v| v <= BLEST_LAMBDA_MAX.get(),
        "must not exceed blest_lambda_max",
    );

/// `blest_lambda_max`: upper bound of BLEST's lambda, per mille; at least
/// `blest_lambda_min`.
pub(crate) static BLEST_LAMBDA_MAX: Tunable =
    Tunable::new(1300, blest::LAMBDA_LIMIT_MIN, blest::LAMBDA_LIMIT_MAX).requiring(
        |v| v >= BLEST_LAMBDA_MIN.get(),
        "must not be below blest_lambda_min",
    );

/// `ecf_beta`: ECF's hysteresis, per mille.
pub(crate) static ECF_BETA: Tunable = Tunable::new(250, 0, ecf::BETA_MAX);

/// `backup_stale_ms`: the least time `rs_backup` lets a subflow with data
/// outstanding go without an ACK before it counts as failed (the
/// threshold is `srtt + 4 * mdev` when that is longer).
pub(crate) static BACKUP_STALE_MS: Tunable = Tunable::new(50, 10, 60_000);
