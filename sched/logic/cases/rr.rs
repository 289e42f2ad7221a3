// SPDX-License-Identifier: GPL-2.0

//! `rs_rr` cases.

use super::super::{
    rr::{
        RoundRobin,
        RrState, //
    },
    Decision,
    SEND_BURST_SIZE, //
};
use super::{
    bk,
    down,
    sf,
    win,
    Case,
    MSS, //
};

/// A `rs_rr` case: the tunable is the number of segments per turn.
pub type RrCase = Case<RrState, u32, (Decision<usize>, RrState)>;

/// Runs [`RoundRobin`] on a case.
pub fn run(case: &RrCase) -> (Decision<usize>, RrState) {
    let mut state = case.state;
    let mut sched = RoundRobin::new(&mut state, case.params);
    for (i, s) in case.subflows.iter().enumerate() {
        sched.visit(i, s);
    }
    let decision = sched.finish(&case.msk);
    (decision, state)
}

const fn last(id: u32) -> RrState {
    RrState {
        last_id: id,
        has_last: true,
    }
}

const NONE: RrState = RrState {
    last_id: 0,
    has_last: false,
};

const TWO: u32 = 2 * MSS;

/// The cases.
pub const CASES: &[RrCase] = &[
    Case {
        name: "the first turn goes to the first subflow",
        state: NONE,
        params: 2,
        msk: win(1 << 20),
        subflows: &[sf(1, 50, 5), sf(2, 10, 5)],
        expect: (Decision::one(0, TWO), last(1)),
    },
    Case {
        name: "the next turn goes to the subflow after the last one",
        state: last(1),
        params: 2,
        msk: win(1 << 20),
        subflows: &[sf(1, 50, 5), sf(2, 10, 5)],
        expect: (Decision::one(1, TWO), last(2)),
    },
    Case {
        name: "after the last subflow, the turn wraps around",
        state: last(2),
        params: 2,
        msk: win(1 << 20),
        subflows: &[sf(1, 50, 5), sf(2, 10, 5)],
        expect: (Decision::one(0, TWO), last(1)),
    },
    Case {
        name: "a subflow without room loses its turn",
        state: last(1),
        params: 2,
        msk: win(1 << 20),
        subflows: &[sf(1, 50, 5), sf(2, 10, 0), sf(3, 10, 5)],
        expect: (Decision::one(2, TWO), last(3)),
    },
    Case {
        name: "when the last subflow is gone, the first one goes",
        state: last(9),
        params: 2,
        msk: win(1 << 20),
        subflows: &[sf(1, 50, 5), sf(2, 10, 5)],
        expect: (Decision::one(0, TWO), last(1)),
    },
    Case {
        name: "backups do not take turns while a primary is active",
        state: last(1),
        params: 2,
        msk: win(1 << 20),
        subflows: &[sf(1, 50, 5), bk(sf(2, 10, 5))],
        expect: (Decision::one(0, TWO), last(1)),
    },
    Case {
        name: "backups take turns when no primary is active",
        state: last(2),
        params: 2,
        msk: win(1 << 20),
        subflows: &[down(sf(1, 50, 5)), bk(sf(2, 10, 5)), bk(sf(3, 10, 5))],
        expect: (Decision::one(2, TWO), last(3)),
    },
    Case {
        name: "a full active subflow makes it wait",
        state: last(2),
        params: 2,
        msk: win(1 << 20),
        subflows: &[sf(1, 50, 0)],
        expect: (Decision::WAIT, last(2)),
    },
    Case {
        name: "segments below the minimum count as one",
        state: NONE,
        params: 0,
        msk: win(1 << 20),
        subflows: &[sf(1, 50, 5)],
        expect: (Decision::one(0, MSS), last(1)),
    },
    Case {
        name: "a turn never exceeds the send burst size",
        state: NONE,
        params: 64,
        msk: win(1 << 20),
        subflows: &[sf(1, 50, 5)],
        expect: (Decision::one(0, SEND_BURST_SIZE as u32), last(1)),
    },
];
