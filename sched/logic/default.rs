// SPDX-License-Identifier: GPL-2.0

//! `rs_default`: the kernel's default scheduler, ported.
//!
//! A faithful port of `mptcp_subflow_get_send()` and
//! `mptcp_subflow_get_retrans()` from Linux 7.3 `net/mptcp/protocol.c`,
//! including their integer types: the pacing rate used as a divisor is
//! truncated to 32 bits, the linger time is a `<< 32` fixed-point value, and
//! all products wrap as the C ones do.

use super::{
    Burst,
    MskInput,
    SendDecision,
    SEND_BURST_SIZE, //
};

/// One subflow, as [`DefaultSend`] sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendInput {
    /// `mptcp_subflow_active()`: the subflow can carry new data (joined,
    /// established, not stale).  When false, the other fields are ignored.
    pub active: bool,
    /// `subflow->backup || subflow->request_bkup`.
    pub backup: bool,
    /// `mptcp_timeout_from_subflow()`: jiffies until the subflow's pending
    /// TCP timer fires, or 0.
    pub timeout: i64,
    /// `subflow->avg_pacing_rate`, bytes per second.
    pub avg_pacing_rate: u64,
    /// `ssk->sk_pacing_rate`, bytes per second.
    pub pacing_rate: u64,
    /// `ssk->sk_wmem_queued`, bytes.
    pub wmem_queued: i32,
    /// `sk_stream_memory_free(ssk)`: the subflow has send-buffer space.
    pub memory_free: bool,
}

impl SendInput {
    /// A subflow that cannot send.
    pub const INACTIVE: Self = Self {
        active: false,
        backup: false,
        timeout: 0,
        avg_pacing_rate: 0,
        pacing_rate: 0,
        wmem_queued: 0,
        memory_free: false,
    };
}

/// Index of the best active and the best backup candidate.
const ACTIVE: usize = 0;
const BACKUP: usize = 1;

#[derive(Clone, Copy)]
struct Candidate<H> {
    handle: H,
    linger_time: u64,
    input: SendInput,
}

/// The default "get send" decision, fed one subflow at a time.
///
/// Picks, among active non-backup subflows, the one whose queued bytes drain
/// first at its average pacing rate (the smallest linger time); backup
/// subflows are used only when no non-backup subflow is active.
pub struct DefaultSend<H> {
    best: [Option<Candidate<H>>; 2],
    nr_active: u32,
    timeout: i64,
}

impl<H: Copy> Default for DefaultSend<H> {
    fn default() -> Self {
        Self::new()
    }
}

impl<H: Copy> DefaultSend<H> {
    /// Starts a decision.
    pub const fn new() -> Self {
        Self {
            best: [None, None],
            nr_active: 0,
            timeout: 0,
        }
    }

    /// Considers the next subflow.
    ///
    /// Returns the value the caller must store in `subflow->avg_pacing_rate`
    /// before going on, when the scheduler (re)initialises it from the
    /// socket's pacing rate, as the C code does in its loop.
    pub fn visit(&mut self, handle: H, sf: &SendInput) -> Option<u64> {
        if !sf.active {
            return None;
        }

        self.timeout = self.timeout.max(sf.timeout);
        let mode = if sf.backup { BACKUP } else { ACTIVE };
        if !sf.backup {
            self.nr_active += 1;
        }

        let mut input = *sf;
        let mut stored = None;
        // The C code keeps the rate in a u32 local: the divisor is the low
        // 32 bits of the average, and a zero there means "not set yet".
        let mut pace = input.avg_pacing_rate as u32;
        if pace == 0 {
            input.avg_pacing_rate = input.pacing_rate;
            stored = Some(input.pacing_rate);
            pace = input.pacing_rate as u32;
            if pace == 0 {
                return stored;
            }
        }

        // `(u64)sk_wmem_queued << 32`: the int is sign-extended, then shifted
        // with the high bits dropped.
        let linger_time = ((i64::from(input.wmem_queued) as u64) << 32) / u64::from(pace);
        let better = match &self.best[mode] {
            Some(best) => linger_time < best.linger_time,
            None => linger_time < u64::MAX,
        };
        if better {
            self.best[mode] = Some(Candidate {
                handle,
                linger_time,
                input,
            });
        }
        stored
    }

    /// Ends the decision.
    pub fn finish(self, msk: &MskInput) -> SendDecision<H> {
        let mut decision = SendDecision {
            pick: None,
            timeout: self.timeout,
            burst: None,
        };

        // The best backup subflow only when no other subflow is active.
        let chosen = if self.nr_active == 0 {
            self.best[BACKUP]
        } else {
            self.best[ACTIVE]
        };
        let Some(chosen) = chosen else {
            return decision;
        };
        if !chosen.input.memory_free {
            return decision;
        }
        decision.pick = Some(chosen.handle);

        let window = msk.wnd_end.wrapping_sub(msk.snd_nxt);
        // At most SEND_BURST_SIZE, so the cast cannot truncate.
        let burst = window.min(SEND_BURST_SIZE) as u32;
        if burst == 0 {
            return decision;
        }

        // Weighted average of the old rate (weight: queued bytes) and the
        // current socket rate (weight: the new burst).  The C divisor is a
        // u32 sum; it is zero only if the queue is within a burst of 4 GiB,
        // which the send buffer limit rules out.  Should it happen, keep the
        // old rate rather than divide by zero.
        let wmem = chosen.input.wmem_queued as u32;
        let divisor = burst.wrapping_add(wmem);
        let avg_pacing_rate = chosen
            .input
            .avg_pacing_rate
            .wrapping_mul(u64::from(wmem))
            .wrapping_add(chosen.input.pacing_rate.wrapping_mul(u64::from(burst)))
            .checked_div(u64::from(divisor))
            .unwrap_or(chosen.input.avg_pacing_rate);
        decision.burst = Some(Burst {
            bytes: burst,
            avg_pacing_rate,
        });
        decision
    }
}

/// One subflow, as [`DefaultRetrans`] sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetransInput {
    /// `__mptcp_subflow_active()`: joined and in a state that can send
    /// (staleness is not considered for retransmissions).
    pub active: bool,
    /// `subflow->backup || subflow->request_bkup`.
    pub backup: bool,
    /// `tcp_rtx_and_write_queues_empty(ssk)`: nothing outstanding at the
    /// TCP level.
    pub queues_empty: bool,
    /// `subflow->stale_count`: how many times the subflow was found stale.
    pub stale_count: u8,
}

/// The default "get retrans" decision, fed one subflow at a time.
///
/// Retransmits on the first active non-backup subflow with empty TCP
/// queues; falls back to the first such backup subflow only when every busy
/// subflow has been stale more than once (no progress anywhere).
pub struct DefaultRetrans<H> {
    pick: Option<H>,
    backup: Option<H>,
    min_stale_count: i32,
}

impl<H: Copy> Default for DefaultRetrans<H> {
    fn default() -> Self {
        Self::new()
    }
}

impl<H: Copy> DefaultRetrans<H> {
    /// Starts a decision.
    pub const fn new() -> Self {
        Self {
            pick: None,
            backup: None,
            min_stale_count: i32::MAX,
        }
    }

    /// Considers the next subflow.
    pub fn visit(&mut self, handle: H, sf: &RetransInput) {
        if !sf.active {
            return;
        }
        if !sf.queues_empty {
            self.min_stale_count = self.min_stale_count.min(i32::from(sf.stale_count));
            return;
        }
        if sf.backup {
            self.backup.get_or_insert(handle);
            return;
        }
        self.pick.get_or_insert(handle);
    }

    /// Ends the decision: the subflow to retransmit on, if any.
    pub fn finish(self) -> Option<H> {
        if self.pick.is_some() {
            return self.pick;
        }
        if self.min_stale_count > 1 {
            self.backup
        } else {
            None
        }
    }
}
