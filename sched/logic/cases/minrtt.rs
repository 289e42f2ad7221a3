// SPDX-License-Identifier: GPL-2.0

//! `rs_minrtt` cases.

use super::super::{
    minrtt::MinRtt,
    Decision,
    Verdict, //
};
use super::{
    bk,
    down,
    nomem,
    queued,
    sf,
    win,
    Case,
    MSS, //
};

/// A `rs_minrtt` case: no state, no tunables.
pub type MinRttCase = Case<(), (), (Decision<usize>, Verdict)>;

/// Runs [`MinRtt`] on a case.
pub fn run(case: &MinRttCase) -> (Decision<usize>, Verdict) {
    let mut sched = MinRtt::new();
    for (i, s) in case.subflows.iter().enumerate() {
        sched.visit(i, s);
    }
    sched.finish(&case.msk)
}

/// Five free packets.
const FIVE: u32 = 5 * MSS;

/// The cases.
pub const CASES: &[MinRttCase] = &[
    Case {
        name: "the lowest RTT wins",
        state: (),
        params: (),
        msk: win(1 << 20),
        subflows: &[sf(1, 50, 5), sf(2, 10, 5)],
        expect: (Decision::one(1, FIVE), Verdict::Fast),
    },
    Case {
        name: "equal RTTs keep the first subflow",
        state: (),
        params: (),
        msk: win(1 << 20),
        subflows: &[sf(1, 10, 5), sf(2, 10, 5)],
        expect: (Decision::one(0, FIVE), Verdict::Fast),
    },
    Case {
        name: "a fastest subflow with a full window is passed over",
        state: (),
        params: (),
        msk: win(1 << 20),
        subflows: &[sf(1, 10, 0), sf(2, 50, 5)],
        expect: (Decision::one(1, FIVE), Verdict::Slow),
    },
    Case {
        name: "bytes TCP already queued count against the window",
        state: (),
        params: (),
        msk: win(1 << 20),
        subflows: &[queued(sf(1, 10, 5), 7000), sf(2, 50, 5)],
        expect: (Decision::one(1, FIVE), Verdict::Slow),
    },
    Case {
        name: "the burst is what the window has room for",
        state: (),
        params: (),
        msk: win(1 << 20),
        subflows: &[queued(sf(1, 10, 5), 2800), sf(2, 50, 5)],
        expect: (Decision::one(0, 3 * MSS), Verdict::Fast),
    },
    Case {
        name: "a subflow without send-buffer room is passed over",
        state: (),
        params: (),
        msk: win(1 << 20),
        subflows: &[nomem(sf(1, 10, 5)), sf(2, 50, 5)],
        expect: (Decision::one(1, FIVE), Verdict::Slow),
    },
    Case {
        name: "full primaries make it wait rather than use a backup",
        state: (),
        params: (),
        msk: win(1 << 20),
        subflows: &[sf(1, 10, 0), bk(sf(2, 1, 5))],
        expect: (Decision::WAIT, Verdict::Nothing),
    },
    Case {
        name: "a backup carries data when no primary is active",
        state: (),
        params: (),
        msk: win(1 << 20),
        subflows: &[down(sf(1, 1, 5)), bk(sf(2, 80, 5)), bk(sf(3, 40, 5))],
        expect: (Decision::one(2, FIVE), Verdict::Backup),
    },
    Case {
        name: "the burst is limited by the peer's window",
        state: (),
        params: (),
        msk: win(3000),
        subflows: &[sf(1, 10, 5)],
        expect: (Decision::one(0, 3000), Verdict::Fast),
    },
    Case {
        name: "no active subflow, no pick",
        state: (),
        params: (),
        msk: win(1 << 20),
        subflows: &[down(sf(1, 10, 5))],
        expect: (Decision::WAIT, Verdict::Nothing),
    },
];
