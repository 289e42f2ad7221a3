// SPDX-License-Identifier: GPL-2.0

//! `rs_blest` cases.
//!
//! The fast subflow has a 10 ms RTT and a full window of 10 segments; the
//! slow one 40 ms and 10 free segments.  During one slow RTT the fast
//! subflow sends `(10 + (4 - 1) / 2) * 4 = 46` segments, 64400 bytes.

use super::super::{
    blest::{
        Blest,
        BlestParams,
        BlestState, //
    },
    Decision,
    MskInput,
    Verdict, //
};
use super::{
    bk,
    down,
    sf,
    Case,
    MSS, //
};

/// A `rs_blest` case.
pub type BlestCase = Case<BlestState, BlestParams, (Decision<usize>, Verdict, BlestState)>;

/// Runs [`Blest`] on a case.
pub fn run(case: &BlestCase) -> (Decision<usize>, Verdict, BlestState) {
    let mut state = case.state;
    let mut sched = Blest::new(&mut state, case.params);
    for (i, s) in case.subflows.iter().enumerate() {
        sched.visit(i, s);
    }
    let (decision, verdict) = sched.finish(&case.msk);
    (decision, verdict, state)
}

const PARAMS: BlestParams = BlestParams {
    lambda_min: 1000,
    lambda_max: 1300,
};

const fn lambda(lambda: u32) -> BlestState {
    BlestState { lambda }
}

/// A peer window of `window` bytes, `in_flight` of them sent and
/// unacknowledged.
const fn window(window: u64, in_flight: u64) -> MskInput {
    MskInput {
        wnd_end: 1_000_000 + window,
        snd_nxt: 1_000_000 + in_flight,
        snd_una: 1_000_000,
        write_seq: 1_000_000 + in_flight,
    }
}

const FAST_FULL: super::super::SubflowInput = sf(1, 10, 0);
const SLOW: super::super::SubflowInput = sf(2, 40, 10);
/// The slow subflow's free window: 10 segments.
const SLOW_BURST: u32 = 10 * MSS;

/// The cases.
pub const CASES: &[BlestCase] = &[
    Case {
        name: "the fast subflow is used while it has room",
        state: lambda(0),
        params: PARAMS,
        msk: window(200_000, 10_000),
        subflows: &[sf(1, 10, 3), SLOW],
        expect: (Decision::one(0, 3 * MSS), Verdict::Fast, lambda(0)),
    },
    Case {
        name: "the slow subflow is skipped when the fast one would fill the window",
        state: lambda(0),
        params: PARAMS,
        // 70000 - (10000 in flight + 14000 slow window) = 46000 < 64400.
        msk: window(70_000, 10_000),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::WAIT, Verdict::Wait, lambda(1000)),
    },
    Case {
        name: "the slow subflow is used, one window at a time, when there is room",
        state: lambda(0),
        params: PARAMS,
        // 200000 - 24000 = 176000 >= 64400.
        msk: window(200_000, 10_000),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::one(1, SLOW_BURST), Verdict::Slow, lambda(1000)),
    },
    Case {
        name: "lambda scales the estimate: 1.0 uses the slow subflow",
        state: lambda(1000),
        params: PARAMS,
        // 104000 - 24000 = 80000 >= 64400.
        msk: window(104_000, 10_000),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::one(1, SLOW_BURST), Verdict::Slow, lambda(1000)),
    },
    Case {
        name: "lambda scales the estimate: 1.3 waits for the fast subflow",
        state: lambda(1300),
        params: PARAMS,
        // 1.3 * 64400 = 83720 > 80000.
        msk: window(104_000, 10_000),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::WAIT, Verdict::Wait, lambda(1300)),
    },
    Case {
        name: "using the slow subflow without blocking lowers lambda",
        state: lambda(1200),
        params: PARAMS,
        msk: window(200_000, 10_000),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::one(1, SLOW_BURST), Verdict::Slow, lambda(1190)),
    },
    Case {
        name: "a window blocked by data in flight raises lambda",
        state: lambda(1100),
        params: PARAMS,
        msk: window(200_000, 199_900),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::WAIT, Verdict::Wait, lambda(1140)),
    },
    Case {
        name: "lambda stays within its upper bound",
        state: lambda(1290),
        params: PARAMS,
        msk: window(200_000, 199_900),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::WAIT, Verdict::Wait, lambda(1300)),
    },
    Case {
        name: "no slow subflow with room: wait",
        state: lambda(1000),
        params: PARAMS,
        msk: window(200_000, 10_000),
        subflows: &[FAST_FULL, sf(2, 40, 0)],
        expect: (Decision::WAIT, Verdict::Nothing, lambda(1000)),
    },
    Case {
        name: "a backup is used only when no primary is active",
        state: lambda(1000),
        params: PARAMS,
        msk: window(200_000, 10_000),
        subflows: &[down(FAST_FULL), bk(SLOW)],
        expect: (Decision::one(1, SLOW_BURST), Verdict::Backup, lambda(1000)),
    },
];
