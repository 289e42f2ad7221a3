// SPDX-License-Identifier: GPL-2.0

//! `rs_ecf` cases.
//!
//! The fast subflow has a 10 ms RTT and a full window of 14000 bytes; the
//! slow one 100 ms, 5 ms of RTT deviation and 14000 free bytes.  With `k`
//! bytes to send, at least a window on either subflow, the fast subflow
//! finishes in `10 + 10 * max(k, 14000) / 14000` ms; the slow one delivers
//! its first window in 105 ms and needs `100 * max(k, 14000) / 14000` ms,
//! against `2 * 10 + 5 = 25` ms.

use super::super::{
    ecf::{
        Ecf,
        EcfParams,
        EcfState, //
    },
    Decision,
    MskInput,
    SubflowInput,
    Verdict, //
};
use super::{
    sf,
    win,
    Case,
    MSS, //
};

/// A `rs_ecf` case.
pub type EcfCase = Case<EcfState, EcfParams, (Decision<usize>, Verdict, EcfState)>;

/// Runs [`Ecf`] on a case.
pub fn run(case: &EcfCase) -> (Decision<usize>, Verdict, EcfState) {
    let mut state = case.state;
    let mut sched = Ecf::new(&mut state, case.params);
    for (i, s) in case.subflows.iter().enumerate() {
        sched.visit(i, s);
    }
    let (decision, verdict) = sched.finish(&case.msk);
    (decision, verdict, state)
}

const PARAMS: EcfParams = EcfParams { beta: 250 };

/// `queued` bytes written by the application and not sent yet.
const fn queued(queued: u64) -> MskInput {
    MskInput {
        write_seq: 1_000_000 + queued,
        ..win(1 << 20)
    }
}

const FAST_FULL: SubflowInput = SubflowInput {
    mdev_us: 1000,
    ..sf(1, 10, 0)
};
const SLOW: SubflowInput = SubflowInput {
    mdev_us: 5000,
    ..sf(2, 100, 10)
};
const SLOW_BURST: u32 = 10 * MSS;
const WAITING: EcfState = EcfState { waiting: true };
const NOT_WAITING: EcfState = EcfState { waiting: false };

/// The cases.
pub const CASES: &[EcfCase] = &[
    Case {
        name: "the fast subflow is used while it has room",
        state: NOT_WAITING,
        params: PARAMS,
        msk: queued(50_000),
        subflows: &[sf(1, 10, 3), SLOW],
        expect: (Decision::one(0, 3 * MSS), Verdict::Fast, NOT_WAITING),
    },
    Case {
        name: "waiting for the fast subflow finishes sooner (50 kB left)",
        state: NOT_WAITING,
        params: PARAMS,
        // Fast: 45.7 ms < 105 ms; slow: 357 ms >= 25 ms.
        msk: queued(50_000),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::WAIT, Verdict::Wait, WAITING),
    },
    Case {
        name: "the last segment waits for the fast subflow: either needs a whole window",
        state: NOT_WAITING,
        params: PARAMS,
        // Fast: 20 ms < 105 ms; slow: 100 ms >= 25 ms.
        msk: queued(1400),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::WAIT, Verdict::Wait, WAITING),
    },
    Case {
        name: "a slow subflow as fast as two fast RTTs is used",
        state: NOT_WAITING,
        params: PARAMS,
        // Fast: 20 ms < 22 + 5 ms; slow (22 ms RTT): 22 ms < 2 * 10 + 5 ms.
        msk: queued(1400),
        subflows: &[
            FAST_FULL,
            SubflowInput {
                srtt_us: 22_000,
                ..SLOW
            },
        ],
        expect: (Decision::one(1, SLOW_BURST), Verdict::Slow, NOT_WAITING),
    },
    Case {
        name: "with much left, both subflows are needed",
        state: WAITING,
        params: PARAMS,
        // Fast: 152.9 ms >= 1.25 * 105 ms.
        msk: queued(200_000),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::one(1, SLOW_BURST), Verdict::Slow, NOT_WAITING),
    },
    Case {
        name: "without hysteresis, 140 kB left uses the slow subflow",
        state: NOT_WAITING,
        params: PARAMS,
        // Fast: 110 ms >= 105 ms.
        msk: queued(140_000),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::one(1, SLOW_BURST), Verdict::Slow, NOT_WAITING),
    },
    Case {
        name: "once waiting, beta keeps it waiting at 140 kB left",
        state: WAITING,
        params: PARAMS,
        // Fast: 110 ms < 1.25 * 105 ms = 131.25 ms.
        msk: queued(140_000),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::WAIT, Verdict::Wait, WAITING),
    },
    Case {
        name: "beta 0 removes the hysteresis",
        state: WAITING,
        params: EcfParams { beta: 0 },
        msk: queued(140_000),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::one(1, SLOW_BURST), Verdict::Slow, NOT_WAITING),
    },
    Case {
        name: "delta is the RTT deviation: a jittery slow subflow delivers later",
        state: NOT_WAITING,
        params: PARAMS,
        // Fast: 110 ms < 100 + 50 ms; slow: 1000 ms >= 70 ms.
        msk: queued(140_000),
        subflows: &[
            FAST_FULL,
            SubflowInput {
                mdev_us: 50_000,
                ..SLOW
            },
        ],
        expect: (Decision::WAIT, Verdict::Wait, WAITING),
    },
];
