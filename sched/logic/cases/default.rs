// SPDX-License-Identifier: GPL-2.0

//! `rs_default` cases: each gives the subflows in `conn_list` order and the
//! outcome the C scheduler of Linux 7.3 produces for them.

use super::super::{
    default::{
        DefaultRetrans,
        DefaultSend,
        RetransInput,
        SendInput, //
    },
    Burst,
    MskInput,
    SendDecision,
    SEND_BURST_SIZE, //
};

use super::MAX_SUBFLOWS;

/// A "get send" case.
pub struct SendCase {
    /// What the case shows.
    pub name: &'static str,
    /// Connection state.
    pub msk: MskInput,
    /// Subflows, in list order.
    pub subflows: &'static [SendInput],
    /// The expected outcome.
    pub expect: SendOutcome,
}

/// Everything a "get send" decision changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendOutcome {
    /// The decision; the pick is an index into the case's subflows.
    pub decision: SendDecision<usize>,
    /// `avg_pacing_rate` values stored while walking the subflows.
    pub stored: [Option<u64>; MAX_SUBFLOWS],
}

/// Runs [`DefaultSend`] over `subflows`; stores past [`MAX_SUBFLOWS`] are
/// not recorded.
pub fn run_default_send(msk: &MskInput, subflows: &[SendInput]) -> SendOutcome {
    let mut sched = DefaultSend::new();
    let mut stored = [None; MAX_SUBFLOWS];
    for (i, sf) in subflows.iter().enumerate() {
        if let Some(rate) = sched.visit(i, sf) {
            if let Some(slot) = stored.get_mut(i) {
                *slot = Some(rate);
            }
        }
    }
    SendOutcome {
        decision: sched.finish(msk),
        stored,
    }
}

/// A "get retrans" case.
pub struct RetransCase {
    /// What the case shows.
    pub name: &'static str,
    /// Subflows, in list order.
    pub subflows: &'static [RetransInput],
    /// Index of the subflow to retransmit on.
    pub expect: Option<usize>,
}

/// Runs [`DefaultRetrans`] over `subflows`.
pub fn run_default_retrans(subflows: &[RetransInput]) -> Option<usize> {
    let mut sched = DefaultRetrans::new();
    for (i, sf) in subflows.iter().enumerate() {
        sched.visit(i, sf);
    }
    sched.finish()
}

/// An active subflow with send space and no pending timer.
const fn up(avg_pacing_rate: u64, pacing_rate: u64, wmem_queued: i32) -> SendInput {
    SendInput {
        active: true,
        backup: false,
        timeout: 0,
        avg_pacing_rate,
        pacing_rate,
        wmem_queued,
        memory_free: true,
    }
}

const fn backup(sf: SendInput) -> SendInput {
    SendInput { backup: true, ..sf }
}

const fn full(sf: SendInput) -> SendInput {
    SendInput {
        memory_free: false,
        ..sf
    }
}

const fn timer(sf: SendInput, timeout: i64) -> SendInput {
    SendInput { timeout, ..sf }
}

const fn down(sf: SendInput) -> SendInput {
    SendInput {
        active: false,
        ..sf
    }
}

/// A connection whose peer window allows `window` more bytes.
const fn window(window: u64) -> MskInput {
    MskInput {
        wnd_end: 1_000_000 + window,
        snd_nxt: 1_000_000,
        snd_una: 1_000_000,
        write_seq: 1_000_000,
        now_us: 0,
    }
}

const fn picked(pick: usize, burst: Option<Burst>) -> SendDecision<usize> {
    SendDecision {
        pick: Some(pick),
        timeout: 0,
        burst,
    }
}

const NOTHING: SendDecision<usize> = SendDecision {
    pick: None,
    timeout: 0,
    burst: None,
};

const NO_STORES: [Option<u64>; MAX_SUBFLOWS] = [None; MAX_SUBFLOWS];

/// The "get send" cases for `rs_default`.
pub const DEFAULT_SEND: &[SendCase] = &[
    SendCase {
        name: "a lone subflow gets a full burst and a blended pacing rate",
        msk: window(100_000),
        subflows: &[up(1_000_000, 2_000_000, 10_000)],
        expect: SendOutcome {
            // (1e6 * 10000 + 2e6 * 65428) / (65428 + 10000)
            decision: picked(
                0,
                Some(Burst {
                    bytes: SEND_BURST_SIZE as u32,
                    avg_pacing_rate: 1_867_423,
                }),
            ),
            stored: NO_STORES,
        },
    },
    SendCase {
        name: "the burst is limited by the peer's window",
        msk: window(1000),
        subflows: &[up(500_000, 500_000, 0)],
        expect: SendOutcome {
            decision: picked(
                0,
                Some(Burst {
                    bytes: 1000,
                    avg_pacing_rate: 500_000,
                }),
            ),
            stored: NO_STORES,
        },
    },
    SendCase {
        name: "the shortest linger time wins (first listed)",
        msk: window(0),
        // Linger times 42949672 and 53687091.
        subflows: &[up(1_000_000, 1, 10_000), up(400_000, 1, 5_000)],
        expect: SendOutcome {
            decision: picked(0, None),
            stored: NO_STORES,
        },
    },
    SendCase {
        name: "the shortest linger time wins (second listed)",
        msk: window(0),
        subflows: &[up(400_000, 1, 5_000), up(1_000_000, 1, 10_000)],
        expect: SendOutcome {
            decision: picked(1, None),
            stored: NO_STORES,
        },
    },
    SendCase {
        name: "equal linger times keep the first subflow",
        msk: window(0),
        subflows: &[up(1_000_000, 1, 10_000), up(1_000_000, 1, 10_000)],
        expect: SendOutcome {
            decision: picked(0, None),
            stored: NO_STORES,
        },
    },
    SendCase {
        name: "a faster backup subflow is not used while a primary is active",
        msk: window(0),
        subflows: &[backup(up(9_000_000, 1, 0)), up(1_000, 1, 50_000)],
        expect: SendOutcome {
            decision: picked(1, None),
            stored: NO_STORES,
        },
    },
    SendCase {
        name: "the backup subflow carries data when no primary is active",
        msk: window(0),
        subflows: &[backup(up(1_000, 1, 50_000)), down(up(9_000_000, 1, 0))],
        expect: SendOutcome {
            decision: picked(0, None),
            stored: NO_STORES,
        },
    },
    SendCase {
        name: "a full primary blocks sending; the backup is not used instead",
        msk: window(0),
        subflows: &[full(up(1_000_000, 1, 0)), backup(up(1_000_000, 1, 0))],
        expect: SendOutcome {
            decision: NOTHING,
            stored: NO_STORES,
        },
    },
    SendCase {
        name: "an unset average is initialised from the socket pacing rate",
        msk: window(1000),
        subflows: &[up(0, 500_000, 0)],
        expect: SendOutcome {
            decision: picked(
                0,
                Some(Burst {
                    bytes: 1000,
                    avg_pacing_rate: 500_000,
                }),
            ),
            stored: [Some(500_000), None, None, None],
        },
    },
    SendCase {
        name: "a subflow with no pacing rate at all is skipped",
        msk: window(0),
        subflows: &[up(0, 0, 0), up(1_000, 1, 90_000)],
        expect: SendOutcome {
            decision: picked(1, None),
            stored: [Some(0), None, None, None],
        },
    },
    SendCase {
        name: "an average whose low 32 bits are zero counts as unset",
        msk: window(0),
        subflows: &[up(1 << 32, 1_000, 10)],
        expect: SendOutcome {
            decision: picked(0, None),
            stored: [Some(1_000), None, None, None],
        },
    },
    SendCase {
        name: "the divisor is the average truncated to 32 bits",
        msk: window(0),
        // Divisors 7 and 1e6: the second subflow lingers less.
        subflows: &[up((1 << 32) + 7, 1, 1_000), up(1_000_000, 1, 1_000)],
        expect: SendOutcome {
            decision: picked(1, None),
            stored: NO_STORES,
        },
    },
    SendCase {
        name: "the timeout is the largest among active subflows only",
        msk: window(0),
        subflows: &[
            timer(up(1_000, 1, 0), 30),
            down(timer(up(1_000, 1, 0), 50)),
            timer(up(1_000, 1, 0), 40),
        ],
        expect: SendOutcome {
            decision: SendDecision {
                pick: Some(0),
                timeout: 40,
                burst: None,
            },
            stored: NO_STORES,
        },
    },
    SendCase {
        name: "a window behind snd_nxt wraps around to a full burst",
        msk: MskInput {
            wnd_end: 10,
            snd_nxt: 20,
            ..MskInput::ZERO
        },
        subflows: &[up(1_000, 1_000, 0)],
        expect: SendOutcome {
            decision: picked(
                0,
                Some(Burst {
                    bytes: SEND_BURST_SIZE as u32,
                    avg_pacing_rate: 1_000,
                }),
            ),
            stored: NO_STORES,
        },
    },
    SendCase {
        name: "no subflow, no pick",
        msk: window(1000),
        subflows: &[],
        expect: SendOutcome {
            decision: NOTHING,
            stored: NO_STORES,
        },
    },
];

const fn idle() -> RetransInput {
    RetransInput {
        active: true,
        backup: false,
        queues_empty: true,
        stale_count: 0,
    }
}

const fn busy(stale_count: u8) -> RetransInput {
    RetransInput {
        queues_empty: false,
        stale_count,
        ..idle()
    }
}

const fn idle_backup() -> RetransInput {
    RetransInput {
        backup: true,
        ..idle()
    }
}

/// The "get retrans" cases for `rs_default`.
pub const DEFAULT_RETRANS: &[RetransCase] = &[
    RetransCase {
        name: "the first idle subflow is used",
        subflows: &[busy(0), idle(), idle()],
        expect: Some(1),
    },
    RetransCase {
        name: "inactive subflows are ignored",
        subflows: &[
            RetransInput {
                active: false,
                ..idle()
            },
            idle(),
        ],
        expect: Some(1),
    },
    RetransCase {
        name: "a primary is preferred over an earlier backup",
        subflows: &[idle_backup(), idle()],
        expect: Some(1),
    },
    RetransCase {
        name: "the backup is used when no busy subflow makes progress",
        subflows: &[busy(2), idle_backup()],
        expect: Some(1),
    },
    RetransCase {
        name: "the backup is not used while a busy subflow still progresses",
        subflows: &[busy(1), busy(5), idle_backup()],
        expect: None,
    },
    RetransCase {
        name: "the backup is used when nothing is outstanding anywhere",
        subflows: &[idle_backup()],
        expect: Some(0),
    },
    RetransCase {
        name: "no idle subflow, no pick",
        subflows: &[busy(0), busy(3)],
        expect: None,
    },
    RetransCase {
        name: "no subflow, no pick",
        subflows: &[],
        expect: None,
    },
];
