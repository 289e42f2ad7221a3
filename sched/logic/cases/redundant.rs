// SPDX-License-Identifier: GPL-2.0

//! `rs_redundant` cases.

use super::super::{
    redundant::Redundant,
    Decision,
    Pick,
    SEND_BURST_SIZE, //
};
use super::{
    bk,
    down,
    nomem,
    sf,
    win,
    Case, //
};

/// A `rs_redundant` case.
pub type RedundantCase = Case<(), (), Decision<usize>>;

/// Runs [`Redundant`] on a case.
pub fn run(case: &RedundantCase) -> Decision<usize> {
    let mut sched = Redundant::new();
    for s in case.subflows {
        sched.visit(s);
    }
    sched.finish(&case.msk)
}

/// The subflows at these positions, a full burst.
const fn set(bits: u64) -> Decision<usize> {
    Decision {
        pick: Pick::Set(bits),
        burst: SEND_BURST_SIZE as u32,
    }
}

/// The cases.
pub const CASES: &[RedundantCase] = &[
    Case {
        name: "all active subflows carry the data",
        state: (),
        params: (),
        msk: win(1 << 20),
        subflows: &[sf(1, 50, 5), sf(2, 10, 5)],
        expect: set(0b11),
    },
    Case {
        name: "a full congestion window does not exclude a subflow",
        state: (),
        params: (),
        msk: win(1 << 20),
        subflows: &[sf(1, 50, 0), sf(2, 10, 0)],
        expect: set(0b11),
    },
    Case {
        name: "backups are left out while a primary is active",
        state: (),
        params: (),
        msk: win(1 << 20),
        subflows: &[bk(sf(1, 1, 5)), sf(2, 10, 5)],
        expect: set(0b10),
    },
    Case {
        name: "backups carry the data when no primary is active",
        state: (),
        params: (),
        msk: win(1 << 20),
        subflows: &[down(sf(1, 1, 5)), bk(sf(2, 10, 5))],
        expect: set(0b10),
    },
    Case {
        name: "no send-buffer room anywhere, no pick",
        state: (),
        params: (),
        msk: win(1 << 20),
        subflows: &[nomem(sf(1, 50, 5)), nomem(sf(2, 10, 5))],
        expect: Decision::WAIT,
    },
    Case {
        name: "the burst is limited by the peer's window",
        state: (),
        params: (),
        msk: win(5000),
        subflows: &[sf(1, 50, 5)],
        expect: Decision {
            pick: Pick::Set(0b1),
            burst: 5000,
        },
    },
    Case {
        name: "a primary without send-buffer room is left out, the others carry the data",
        state: (),
        params: (),
        msk: win(1 << 20),
        subflows: &[sf(1, 50, 5), nomem(sf(2, 10, 5)), sf(3, 20, 5)],
        expect: set(0b101),
    },
];
