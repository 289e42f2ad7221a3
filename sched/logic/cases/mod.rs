// SPDX-License-Identifier: GPL-2.0

//! Scheduler case tables, shared by the host tests and the KUnit suites.
//!
//! One file per scheduler.  Each case gives the subflows in `conn_list`
//! order and the expected outcome; the runners return what the scheduler
//! did, and the test (host or KUnit) asserts.

pub mod backup;
pub mod blest;
pub mod default;
pub mod ecf;
pub mod minrtt;
pub mod redundant;
pub mod rr;

use super::{
    MskInput,
    SubflowInput, //
};

/// Most subflows a case uses.
pub const MAX_SUBFLOWS: usize = 4;

/// MSS of the subflows in the cases.
pub const MSS: u32 = 1400;

/// An active subflow with id `id`, a smoothed RTT of `rtt_ms`, and `room`
/// packets free in a congestion window of 10, in congestion avoidance.
pub const fn sf(id: u32, rtt_ms: u32, room: u32) -> SubflowInput {
    SubflowInput {
        id,
        active: true,
        backup: false,
        memory_free: true,
        srtt_us: rtt_ms * 1000,
        mdev_us: 1000,
        cwnd: 10,
        min_rtt_us: rtt_ms * 1000,
        ssthresh: 5,
        in_flight: 10 - room,
        packets_out: 10 - room,
        unacked: (10 - room) * MSS,
        queued: 0,
        mss: MSS,
        ack_age_us: 0,
    }
}

/// `s` marked backup.
pub const fn bk(s: SubflowInput) -> SubflowInput {
    SubflowInput { backup: true, ..s }
}

/// `s`, not active.
pub const fn down(s: SubflowInput) -> SubflowInput {
    SubflowInput { active: false, ..s }
}

/// `s` with `bytes` queued in TCP and not sent yet.
pub const fn queued(s: SubflowInput, bytes: u32) -> SubflowInput {
    SubflowInput { queued: bytes, ..s }
}

/// `s` without send-buffer room.
pub const fn nomem(s: SubflowInput) -> SubflowInput {
    SubflowInput {
        memory_free: false,
        ..s
    }
}

/// A connection whose peer window allows `window` more bytes, with
/// nothing in flight and nothing queued, at time [`NOW_US`].
pub const fn win(window: u64) -> MskInput {
    MskInput {
        wnd_end: 1_000_000 + window,
        snd_nxt: 1_000_000,
        snd_una: 1_000_000,
        write_seq: 1_000_000,
        now_us: NOW_US,
    }
}

/// The time of the cases, microseconds.
pub const NOW_US: u32 = 50_000_000;

/// A case of a scheduler with per-connection state `S`, tunables `P` and
/// outcome `E`.
pub struct Case<S, P, E> {
    /// What the case shows.
    pub name: &'static str,
    /// The per-connection state before the decision.
    pub state: S,
    /// The tunables.
    pub params: P,
    /// Connection state.
    pub msk: MskInput,
    /// Subflows, in list order.
    pub subflows: &'static [SubflowInput],
    /// The expected outcome.
    pub expect: E,
}
