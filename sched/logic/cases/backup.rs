// SPDX-License-Identifier: GPL-2.0

//! `rs_backup` cases.  A subflow with data in flight and no ACK for more
//! than 100 jiffies has failed.

use super::super::{
    backup::{
        Backup,
        BackupParams,
        BackupState,
        Verdict, //
    },
    Decision,
    SubflowInput,
    SEND_BURST_SIZE, //
};
use super::{
    bk,
    down,
    sf,
    win,
    Case, //
};

/// Whether the case asks for new data or for a retransmission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// `get_send`.
    Send,
    /// `get_retrans`.
    Retrans,
}

/// A `rs_backup` case.
pub type BackupCase = Case<BackupState, Ask, (Decision<usize>, Verdict, BackupState)>;

const PARAMS: BackupParams = BackupParams { stale_jiffies: 100 };

/// Runs [`Backup`] on a case.  A retransmission decision is reported as a
/// decision with a zero burst.
pub fn run(case: &BackupCase) -> (Decision<usize>, Verdict, BackupState) {
    let mut state = case.state;
    let mut sched = Backup::new(&mut state, PARAMS);
    for (i, s) in case.subflows.iter().enumerate() {
        sched.visit(i, s);
    }
    let (decision, verdict) = match case.params {
        Ask::Send => sched.finish(&case.msk),
        Ask::Retrans => match sched.finish_retrans() {
            (Some(h), v) => (Decision::one(h, 0), v),
            (None, v) => (Decision::WAIT, v),
        },
    };
    (decision, verdict, state)
}

/// `s` with data in flight and no ACK for 200 jiffies.
const fn failed(s: SubflowInput) -> SubflowInput {
    SubflowInput {
        in_flight: 3,
        ack_age: 200,
        ..s
    }
}

const fn on(id: u32) -> BackupState {
    BackupState {
        current_id: id,
        has_current: true,
    }
}

const NONE: BackupState = BackupState {
    current_id: 0,
    has_current: false,
};

const FULL: u32 = SEND_BURST_SIZE as u32;

/// The cases.
pub const CASES: &[BackupCase] = &[
    Case {
        name: "the fastest primary carries the traffic",
        state: NONE,
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[sf(1, 20, 5), sf(2, 10, 5), bk(sf(3, 1, 5))],
        expect: (Decision::one(1, FULL), Verdict::Stay, on(2)),
    },
    Case {
        name: "a healthy carrier is kept even if another primary is faster",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[sf(1, 20, 5), sf(2, 10, 5)],
        expect: (Decision::one(0, FULL), Verdict::Stay, on(1)),
    },
    Case {
        name: "a failed carrier hands over to the next primary",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[failed(sf(1, 10, 5)), sf(2, 20, 5), bk(sf(3, 1, 5))],
        expect: (Decision::one(1, FULL), Verdict::Switch, on(2)),
    },
    Case {
        name: "with no healthy primary left, a backup takes over",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[failed(sf(1, 10, 5)), bk(sf(2, 50, 5))],
        expect: (Decision::one(1, FULL), Verdict::Switch, on(2)),
    },
    Case {
        name: "an inactive carrier hands over",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[down(sf(1, 10, 5)), bk(sf(2, 50, 5))],
        expect: (Decision::one(1, FULL), Verdict::Switch, on(2)),
    },
    Case {
        name: "traffic returns to a primary that recovered",
        state: on(2),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[sf(1, 10, 5), bk(sf(2, 50, 5))],
        expect: (Decision::one(0, FULL), Verdict::Switch, on(1)),
    },
    Case {
        name: "a full carrier makes it wait; the backup gets nothing",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[sf(1, 10, 0), bk(sf(2, 50, 5))],
        expect: (Decision::WAIT, Verdict::Stay, on(1)),
    },
    Case {
        name: "when all have failed, the fastest is used",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[failed(sf(1, 30, 5)), failed(sf(2, 10, 5))],
        expect: (Decision::one(1, FULL), Verdict::Switch, on(2)),
    },
    Case {
        name: "retransmissions go to the new carrier even when it is full",
        state: on(1),
        params: Ask::Retrans,
        msk: win(1 << 20),
        subflows: &[failed(sf(1, 10, 5)), bk(sf(2, 50, 0))],
        expect: (Decision::one(1, 0), Verdict::Switch, on(2)),
    },
    Case {
        name: "no active subflow, no pick",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[down(sf(1, 10, 5))],
        expect: (Decision::WAIT, Verdict::Nothing, on(1)),
    },
];
