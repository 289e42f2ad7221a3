// SPDX-License-Identifier: GPL-2.0

//! `rs_backup` cases.  A subflow fails after at least 100 ms without an
//! ACK while it has data outstanding; with a 10 ms RTT and 1 ms of
//! deviation that floor is the threshold.

use super::super::{
    backup::{
        Backup,
        BackupParams,
        BackupState,
        Outcome,
        Verdict, //
    },
    Decision,
    SubflowInput,
    SEND_BURST_SIZE, //
};
use super::{
    bk,
    down,
    queued,
    sf,
    win,
    Case,
    NOW_US, //
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
pub type BackupCase = Case<BackupState, Ask, (Outcome<usize>, BackupState)>;

const PARAMS: BackupParams = BackupParams {
    min_stale_us: 100_000,
};

/// Runs [`Backup`] on a case.
pub fn run(case: &BackupCase) -> (Outcome<usize>, BackupState) {
    let mut state = case.state;
    let mut sched = Backup::new(&mut state, PARAMS, case.msk.now_us);
    for (i, s) in case.subflows.iter().enumerate() {
        sched.visit(i, s);
    }
    let outcome = match case.params {
        Ask::Send => sched.finish(&case.msk),
        Ask::Retrans => sched.finish_retrans(),
    };
    (outcome, state)
}

/// `s` with three segments outstanding, all marked lost (nothing in
/// flight, as after an RTO on a link that is down), and no ACK for 200 ms.
const fn failed(s: SubflowInput) -> SubflowInput {
    SubflowInput {
        in_flight: 0,
        packets_out: 3,
        ack_age_us: 200_000,
        ..s
    }
}

/// `s` with `packets` segments outstanding and no ACK for `ms`.
const fn silent(s: SubflowInput, packets: u32, ms: u32) -> SubflowInput {
    SubflowInput {
        packets_out: packets,
        in_flight: packets,
        ack_age_us: ms * 1000,
        ..s
    }
}

/// `s` with nothing outstanding.
const fn idle(s: SubflowInput) -> SubflowInput {
    SubflowInput {
        in_flight: 0,
        packets_out: 0,
        unacked: 0,
        ..s
    }
}

/// Carried by subflow `id`, last seen idle long ago.
const fn on(id: u32) -> BackupState {
    BackupState {
        current_id: id,
        has_current: true,
        idle_us: NOW_US - 10_000_000,
    }
}

/// Carried by subflow `id` from now on.
const fn new(id: u32) -> BackupState {
    BackupState {
        current_id: id,
        has_current: true,
        idle_us: NOW_US,
    }
}

const NONE: BackupState = BackupState {
    current_id: 0,
    has_current: false,
    idle_us: 0,
};

const FULL: u32 = SEND_BURST_SIZE as u32;
/// The threshold of the cases' subflows: the time left before a carrier
/// that has just received an ACK would count as failed.
const WATCH: Option<u32> = Some(100_000);

/// An outcome without a failed subflow to hand back.
const fn out(decision: Decision<usize>, verdict: Verdict, watch_us: Option<u32>) -> Outcome<usize> {
    Outcome {
        decision,
        verdict,
        stale: None,
        watch_us,
    }
}

/// The cases.
pub const CASES: &[BackupCase] = &[
    Case {
        name: "the fastest primary carries the traffic",
        state: NONE,
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[sf(1, 20, 5), sf(2, 10, 5), bk(sf(3, 1, 5))],
        expect: (out(Decision::one(1, FULL), Verdict::Stay, WATCH), new(2)),
    },
    Case {
        name: "a healthy carrier is kept even if another primary is faster",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[sf(1, 20, 5), sf(2, 10, 5)],
        expect: (out(Decision::one(0, FULL), Verdict::Stay, WATCH), on(1)),
    },
    Case {
        name: "a carrier with every segment marked lost has failed: nothing is in flight, but data is outstanding",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[failed(sf(1, 10, 5)), sf(2, 20, 5), bk(sf(3, 1, 5))],
        expect: (out(Decision::one(1, FULL), Verdict::Switch, WATCH), new(2)),
    },
    Case {
        name: "a carrier that just became busy after idling has not failed",
        state: BackupState {
            idle_us: NOW_US - 5_000,
            ..on(1)
        },
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[silent(sf(1, 10, 5), 3, 10_000), sf(2, 20, 5)],
        expect: (
            out(Decision::one(0, FULL), Verdict::Stay, Some(95_000)),
            BackupState {
                idle_us: NOW_US - 5_000,
                ..on(1)
            },
        ),
    },
    Case {
        name: "the threshold follows the RTT: 200 ms without an ACK is not a failure at 300 ms",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[silent(sf(1, 300, 5), 3, 200), sf(2, 20, 5)],
        expect: (
            out(Decision::one(0, FULL), Verdict::Stay, Some(104_000)),
            on(1),
        ),
    },
    Case {
        name: "a lone outstanding segment gets the peer's delayed-ACK allowance",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[silent(sf(1, 10, 5), 1, 150), sf(2, 20, 5)],
        expect: (
            out(Decision::one(0, FULL), Verdict::Stay, Some(64_000)),
            on(1),
        ),
    },
    Case {
        name: "an idle carrier is never failed, its idle time is recorded, and it is watched from the data it is given",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[idle(silent(sf(1, 10, 5), 0, 60_000)), sf(2, 20, 5)],
        expect: (out(Decision::one(0, FULL), Verdict::Stay, WATCH), new(1)),
    },
    Case {
        name: "a carrier that holds data TCP cannot send (its route is gone: nothing in flight) has failed after the threshold",
        state: BackupState {
            idle_us: NOW_US - 200_000,
            ..on(1)
        },
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[queued(idle(silent(sf(1, 10, 5), 0, 500)), 65_000), bk(sf(2, 50, 5))],
        expect: (out(Decision::one(1, FULL), Verdict::Switch, WATCH), new(2)),
    },
    Case {
        name: "a retransmission hands back a carrier whose data TCP cannot send",
        state: BackupState {
            idle_us: NOW_US - 200_000,
            ..on(1)
        },
        params: Ask::Retrans,
        msk: win(1 << 20),
        subflows: &[queued(idle(silent(sf(1, 10, 5), 0, 500)), 65_000), bk(sf(2, 50, 5))],
        expect: (
            Outcome {
                decision: Decision::WAIT,
                verdict: Verdict::Switch,
                stale: Some(0),
                watch_us: WATCH,
            },
            new(2),
        ),
    },
    Case {
        name: "data queued in TCP since the carrier's idle time 5 ms ago is not a failure, and is watched",
        state: BackupState {
            idle_us: NOW_US - 5_000,
            ..on(1)
        },
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[queued(idle(silent(sf(1, 10, 5), 0, 500)), 65_000), bk(sf(2, 50, 5))],
        expect: (
            out(Decision::WAIT, Verdict::Stay, Some(95_000)),
            BackupState {
                idle_us: NOW_US - 5_000,
                ..on(1)
            },
        ),
    },
    Case {
        name: "with no healthy primary left, a backup takes over",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[failed(sf(1, 10, 5)), bk(sf(2, 50, 5))],
        expect: (out(Decision::one(1, FULL), Verdict::Switch, WATCH), new(2)),
    },
    Case {
        name: "an inactive carrier hands over",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[down(sf(1, 10, 5)), bk(sf(2, 50, 5))],
        expect: (out(Decision::one(1, FULL), Verdict::Switch, WATCH), new(2)),
    },
    Case {
        name: "traffic returns to a primary that recovered",
        state: on(2),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[sf(1, 10, 5), bk(sf(2, 50, 5))],
        expect: (out(Decision::one(0, FULL), Verdict::Switch, WATCH), new(1)),
    },
    Case {
        name: "a full carrier makes it wait; the backup gets nothing",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[sf(1, 10, 0), bk(sf(2, 50, 5))],
        expect: (out(Decision::WAIT, Verdict::Stay, WATCH), on(1)),
    },
    Case {
        name: "when all have failed, the fastest is used",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[failed(sf(1, 30, 5)), failed(sf(2, 10, 5))],
        expect: (out(Decision::one(1, FULL), Verdict::Switch, WATCH), new(2)),
    },
    Case {
        name: "a retransmission moves a failed carrier's data: it is handed back to be marked stale",
        state: on(1),
        params: Ask::Retrans,
        msk: win(1 << 20),
        subflows: &[failed(sf(1, 10, 5)), bk(sf(2, 50, 0))],
        expect: (
            Outcome {
                decision: Decision::WAIT,
                verdict: Verdict::Switch,
                stale: Some(0),
                watch_us: WATCH,
            },
            new(2),
        ),
    },
    Case {
        name: "after a handover in new data, the retransmission hands back the failed subflow",
        state: on(2),
        params: Ask::Retrans,
        msk: win(1 << 20),
        subflows: &[failed(sf(1, 10, 5)), bk(sf(2, 50, 5))],
        expect: (
            Outcome {
                decision: Decision::WAIT,
                verdict: Verdict::Stay,
                stale: Some(0),
                watch_us: WATCH,
            },
            on(2),
        ),
    },
    Case {
        name: "a healthy carrier with nothing outstanding retransmits (the peer may only need telling)",
        state: on(1),
        params: Ask::Retrans,
        msk: win(1 << 20),
        subflows: &[idle(sf(1, 10, 5)), bk(sf(2, 50, 5))],
        expect: (out(Decision::one(0, 0), Verdict::Stay, WATCH), new(1)),
    },
    Case {
        name: "a healthy carrier with data outstanding retransmits nothing: TCP delivers it",
        state: on(1),
        params: Ask::Retrans,
        msk: win(1 << 20),
        subflows: &[sf(1, 10, 5), bk(sf(2, 50, 5))],
        expect: (out(Decision::WAIT, Verdict::Stay, WATCH), on(1)),
    },
    Case {
        name: "no active subflow, no pick",
        state: on(1),
        params: Ask::Send,
        msk: win(1 << 20),
        subflows: &[down(sf(1, 10, 5))],
        expect: (out(Decision::WAIT, Verdict::Nothing, None), on(1)),
    },
];
