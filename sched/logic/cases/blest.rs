// SPDX-License-Identifier: GPL-2.0

//! `rs_blest` cases.
//!
//! The fast subflow has a 10 ms RTT and a full window of 10 segments, in
//! congestion avoidance; the slow one 40 ms and 10 free segments, nothing
//! outstanding.  While the slow one carries a window, the fast one has
//! `n = 40 / 10 = 4` RTTs: `n * (10 + (n - 1) / 2) = 46` segments, 64400
//! bytes (`X`).  The slow subflow's burst is its free window, 14000 bytes.

use super::super::{
    blest::{
        Blest,
        BlestParams,
        BlestState, //
    },
    Decision,
    MskInput,
    SubflowInput,
    Verdict,
    INFINITE_SSTHRESH, //
};
use super::{
    bk,
    down,
    sf,
    Case,
    MSS,
    NOW_US, //
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

/// Lambda adapted at `adapted_us`, with the blocked flag.
const fn lambda(lambda: u32, blocked: bool, adapted_us: u32) -> BlestState {
    BlestState {
        lambda,
        blocked,
        adapted_us,
    }
}

/// Lambda as it is right after an adaptation at the time of the cases.
const fn fresh(l: u32) -> BlestState {
    lambda(l, false, NOW_US)
}

/// Longer ago than one RTT of the slow subflow.
const LONG_AGO: u32 = NOW_US - 50_000;

/// A peer window of `window` bytes, `in_flight` of them sent and
/// unacknowledged.
const fn window(window: u64, in_flight: u64) -> MskInput {
    MskInput {
        wnd_end: 1_000_000 + window,
        snd_nxt: 1_000_000 + in_flight,
        snd_una: 1_000_000,
        write_seq: 1_000_000 + in_flight,
        now_us: NOW_US,
    }
}

const FAST_FULL: SubflowInput = sf(1, 10, 0);
const SLOW: SubflowInput = sf(2, 40, 10);
/// The slow subflow's free window: 10 segments.
const SLOW_BURST: u32 = 10 * MSS;
/// A fast subflow with a deep queue: 80 segments in flight, a full
/// window, an RTT of 90 ms (and no lower one seen)...
const FAST_DEEP: SubflowInput = SubflowInput {
    cwnd: 80,
    in_flight: 80,
    packets_out: 80,
    unacked: 80 * MSS,
    ..sf(1, 90, 0)
};
/// ...and a slow one of 100 ms.
const SLOW_100: SubflowInput = sf(2, 100, 10);

/// The cases.
pub const CASES: &[BlestCase] = &[
    Case {
        name: "the fast subflow is used while it has room",
        state: BlestState {
            lambda: 0,
            blocked: false,
            adapted_us: 0,
        },
        params: PARAMS,
        msk: window(200_000, 10_000),
        subflows: &[sf(1, 10, 3), SLOW],
        expect: (
            Decision::one(0, 3 * MSS),
            Verdict::Fast,
            lambda(0, false, 0),
        ),
    },
    Case {
        name: "lambda starts at 1.2: the slow subflow is skipped when the fast one would fill the window",
        state: lambda(0, false, 0),
        params: PARAMS,
        // 78000 - 1.2 * 64400 = 720: not one segment.
        msk: window(78_000, 0),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::WAIT, Verdict::Wait, fresh(1200)),
    },
    Case {
        name: "the slow subflow is used, one window at a time, when there is room",
        state: lambda(0, false, 0),
        params: PARAMS,
        // 200000 - 77280 leaves room for the whole free window.
        msk: window(200_000, 10_000),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::one(1, SLOW_BURST), Verdict::Slow, fresh(1200)),
    },
    Case {
        name: "only the slow subflow's outstanding data counts, not the connection's",
        state: fresh(1000),
        params: PARAMS,
        // 100000 - 64400 >= 14000, whatever the connection has in flight.
        msk: window(100_000, 90_000),
        subflows: &[FAST_FULL, SLOW],
        // The burst is what the peer's window still allows.
        expect: (Decision::one(1, 10_000), Verdict::Slow, fresh(1000)),
    },
    Case {
        name: "the slow subflow's outstanding data counts against the window",
        state: fresh(1000),
        params: PARAMS,
        // 75000 - (5 * 1400 + 2800 queued) - 64400 = 800: not one
        // segment, while 75000 - 64400 would be 7 segments.
        msk: window(75_000, 0),
        subflows: &[
            FAST_FULL,
            SubflowInput {
                unacked: 5 * MSS,
                queued: 2 * MSS,
                ..SLOW
            },
        ],
        expect: (Decision::WAIT, Verdict::Wait, fresh(1000)),
    },
    Case {
        name: "the slow subflow sends what fits next to X, in whole segments",
        state: fresh(1000),
        params: PARAMS,
        // 70000 - 64400 = 5600: 4 of its 10 free segments.
        msk: window(70_000, 0),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::one(1, 4 * MSS), Verdict::Slow, fresh(1000)),
    },
    Case {
        name: "lambda scales the estimate: 1.3 waits for the fast subflow",
        state: fresh(1300),
        params: PARAMS,
        // 85000 - 1.3 * 64400 = 1280: not one segment, while at 1.0
        // 14 segments would fit.
        msk: window(85_000, 0),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::WAIT, Verdict::Wait, fresh(1300)),
    },
    Case {
        name: "an RTT of the slow subflow without blocking lowers lambda",
        state: lambda(1200, false, LONG_AGO),
        params: PARAMS,
        msk: window(200_000, 10_000),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::one(1, SLOW_BURST), Verdict::Slow, fresh(1190)),
    },
    Case {
        name: "an RTT of the slow subflow with blocking raises lambda",
        state: lambda(1100, true, LONG_AGO),
        params: PARAMS,
        msk: window(200_000, 10_000),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::one(1, SLOW_BURST), Verdict::Slow, fresh(1140)),
    },
    Case {
        name: "lambda adapts at most once per RTT of the slow subflow",
        state: lambda(1100, true, NOW_US - 10_000),
        params: PARAMS,
        msk: window(200_000, 10_000),
        subflows: &[FAST_FULL, SLOW],
        expect: (
            Decision::one(1, SLOW_BURST),
            Verdict::Slow,
            lambda(1100, true, NOW_US - 10_000),
        ),
    },
    Case {
        name: "lambda stays within its upper bound",
        state: lambda(1290, true, LONG_AGO),
        params: PARAMS,
        msk: window(200_000, 10_000),
        subflows: &[FAST_FULL, SLOW],
        expect: (Decision::one(1, SLOW_BURST), Verdict::Slow, fresh(1300)),
    },
    Case {
        name: "a full peer window marks the connection blocked",
        state: fresh(1000),
        params: PARAMS,
        msk: window(200_000, 199_900),
        subflows: &[FAST_FULL, SLOW],
        expect: (
            Decision::one(1, 100),
            Verdict::Slow,
            lambda(1000, true, NOW_US),
        ),
    },
    Case {
        name: "in its initial slow start the fast subflow doubles its window each RTT",
        state: fresh(1000),
        params: PARAMS,
        // 10 * (2^4 - 1) = 150 segments, 210000 bytes > 200000.
        msk: window(200_000, 0),
        subflows: &[
            SubflowInput {
                ssthresh: INFINITE_SSTHRESH,
                ..FAST_FULL
            },
            SLOW,
        ],
        expect: (Decision::WAIT, Verdict::Wait, fresh(1000)),
    },
    Case {
        name: "a fast subflow with a deep queue counts its rate, not one window more",
        state: fresh(1200),
        params: PARAMS,
        // n = 100 / 90: 80 * 1.11 + 1.11 * 0.11 / 2 = 88 segments,
        // 250000 - 1.2 * 123200 = 102160 >= 14000.  Rounded up to
        // 100 / 90 + 1 = 2 RTTs, as the reference does, X would be
        // 161 segments and 1.2 * X = 270480 would not fit.
        msk: window(250_000, 0),
        subflows: &[FAST_DEEP, SLOW_100],
        expect: (Decision::one(1, SLOW_BURST), Verdict::Slow, fresh(1200)),
    },
    Case {
        name: "the fast subflow's standing queue keeps its path busy: only the rest of the slow RTT counts",
        state: fresh(1200),
        params: PARAMS,
        // Its RTT is 90 ms, 80 of them queue: it needs to send for
        // 100 - 80 = 20 ms, n = 20 / 90: 80 * 0.22 = 17 segments,
        // 100000 - 1.2 * 23800 >= 14000.  Without the queue taken off,
        // 1.2 * X = 147840 would not fit.
        msk: window(100_000, 0),
        subflows: &[
            SubflowInput {
                min_rtt_us: 10_000,
                ..FAST_DEEP
            },
            SLOW_100,
        ],
        expect: (Decision::one(1, SLOW_BURST), Verdict::Slow, fresh(1200)),
    },
    Case {
        name: "a fraction of an RTT counts in slow start too",
        state: fresh(1000),
        params: PARAMS,
        // n = 25 / 10 = 2.5: 10 * (2^2 * 1.5 - 1) = 50 segments, 70000
        // bytes, 100000 - 70000 >= 14000; 10 * (2^3 - 1) = 70 would not
        // leave one segment.
        msk: window(100_000, 0),
        subflows: &[
            SubflowInput {
                ssthresh: INFINITE_SSTHRESH,
                ..FAST_FULL
            },
            sf(2, 25, 10),
        ],
        expect: (Decision::one(1, SLOW_BURST), Verdict::Slow, fresh(1000)),
    },
    Case {
        name: "no slow subflow with room: wait",
        state: fresh(1000),
        params: PARAMS,
        msk: window(200_000, 10_000),
        subflows: &[FAST_FULL, sf(2, 40, 0)],
        expect: (Decision::WAIT, Verdict::Nothing, fresh(1000)),
    },
    Case {
        name: "a backup is used only when no primary is active",
        state: fresh(1000),
        params: PARAMS,
        msk: window(200_000, 10_000),
        subflows: &[down(FAST_FULL), bk(SLOW)],
        expect: (
            Decision::one(1, SLOW_BURST),
            Verdict::Backup,
            fresh(1000),
        ),
    },
];
