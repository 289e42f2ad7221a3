// SPDX-License-Identifier: GPL-2.0

//! Packet scheduler decisions.
//!
//! Each scheduler is a small state machine that the kernel side feeds with
//! one snapshot per subflow, in `msk->conn_list` order, and then asks for a
//! decision.  Nothing here reads kernel memory: the caller copies what the
//! algorithm needs into plain values, and applies the decision it gets back.
//!
//! The handle type `H` is whatever the caller uses to name a subflow (a
//! reference to the kernel subflow, or an index in host tests); the
//! algorithms only copy it around.

pub mod backup;
pub mod blest;
pub mod default;
pub mod ecf;
pub mod minrtt;
pub mod redundant;
pub mod rr;

#[cfg(any(test, CONFIG_KUNIT = "y"))]
pub mod cases;

#[cfg(any(test, fuzzing))]
pub mod invariants;

#[cfg(any(test, fuzzing))]
pub mod oracle;

#[cfg(test)]
mod tests;

/// Largest burst the scheduler grants to one subflow, in bytes.
///
/// The kernel's `MPTCP_SEND_BURST_SIZE`: 64 KiB minus the TCP header, the TCP
/// option space and an IPv6 header with a fragment header (20 + 40 + 40 + 8),
/// so that a burst always fits in one GSO packet.  The module checks at build
/// time that this equals the expression evaluated on the kernel's own types.
pub const SEND_BURST_SIZE: u64 = (1 << 16) - 20 - 40 - 40 - 8;

/// The connection-level state the schedulers read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MskInput {
    /// Right edge of the peer's MPTCP receive window (`msk->wnd_end`).
    pub wnd_end: u64,
    /// Next MPTCP sequence number to send (`msk->snd_nxt`).
    pub snd_nxt: u64,
    /// Oldest unacknowledged MPTCP sequence number (`msk->snd_una`).
    pub snd_una: u64,
    /// End of the data the application wrote (`msk->write_seq`).
    pub write_seq: u64,
    /// The time, in microseconds, at jiffy resolution; wraps around.
    pub now_us: u32,
}

impl MskInput {
    /// All zero.
    pub const ZERO: Self = Self {
        wnd_end: 0,
        snd_nxt: 0,
        snd_una: 0,
        write_seq: 0,
        now_us: 0,
    };

    /// Bytes the peer's window still allows past `snd_nxt` (0 when the
    /// window is full; a window behind `snd_nxt` wraps as in C).
    pub const fn window_left(&self) -> u64 {
        self.wnd_end.wrapping_sub(self.snd_nxt)
    }

    /// The burst to grant a subflow that may send up to `limit` bytes:
    /// at most [`SEND_BURST_SIZE`] and what the peer's window allows.
    pub fn burst(&self, limit: u64) -> u32 {
        // At most SEND_BURST_SIZE, so the cast cannot truncate.
        limit.min(SEND_BURST_SIZE).min(self.window_left()) as u32
    }
}

/// One subflow, as the schedulers other than `rs_default` see it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SubflowInput {
    /// `subflow->subflow_id`: unique within the connection.
    pub id: u32,
    /// `mptcp_subflow_active()`: can carry new data (joined, established,
    /// not stale).  When false, the fields below are not read.
    pub active: bool,
    /// `subflow->backup || subflow->request_bkup`.
    pub backup: bool,
    /// `sk_stream_memory_free(ssk)`: the TCP socket has send-buffer space.
    pub memory_free: bool,
    /// Smoothed RTT, microseconds.
    pub srtt_us: u32,
    /// Mean deviation of the RTT, microseconds (`mdev_us / 4`: the recent
    /// variation, not `rttvar_us`, which TCP keeps at least a quarter of
    /// the minimum RTO).
    pub mdev_us: u32,
    /// Congestion window, packets.
    pub cwnd: u32,
    /// Lowest RTT TCP saw over its window of a few minutes
    /// (`tcp_min_rtt()`), microseconds: the path's delay without a queue;
    /// `u32::MAX` before the first sample.
    pub min_rtt_us: u32,
    /// Slow-start threshold, packets (`TCP_INFINITE_SSTHRESH` before the
    /// first loss).
    pub ssthresh: u32,
    /// Packets in flight (`tcp_packets_in_flight()`): sent, not
    /// acknowledged, and not deemed lost.
    pub in_flight: u32,
    /// Packets sent and not acknowledged, lost ones included
    /// (`packets_out`).
    pub packets_out: u32,
    /// Bytes sent and not acknowledged at the TCP level (`snd_nxt -
    /// snd_una`).
    pub unacked: u32,
    /// Bytes queued in the TCP socket and not sent yet (`write_seq -
    /// snd_nxt`): data TCP holds back, for its small-queues limit or its
    /// window.
    pub queued: u32,
    /// Current MSS, bytes.
    pub mss: u32,
    /// Time since the subflow last received an ACK, microseconds, at
    /// jiffy resolution.
    pub ack_age_us: u32,
}

impl SubflowInput {
    /// Packets the congestion window has room for once the queued bytes
    /// are sent.
    pub const fn free_packets(&self) -> u32 {
        let queued = if self.mss == 0 {
            0
        } else {
            self.queued.div_ceil(self.mss)
        };
        self.cwnd
            .saturating_sub(self.in_flight)
            .saturating_sub(queued)
    }

    /// Room in both the congestion window (counting what TCP already
    /// queued) and the send buffer.
    pub const fn has_space(&self) -> bool {
        self.memory_free && self.free_packets() > 0
    }

    /// Active and with room to send now.
    pub const fn usable(&self) -> bool {
        self.active && self.has_space()
    }

    /// Nothing outstanding at the TCP level: all sent data acknowledged
    /// and nothing queued (`tcp_rtx_and_write_queues_empty()`).
    pub const fn idle(&self) -> bool {
        self.packets_out == 0 && self.queued == 0
    }

    /// Bytes this subflow holds that the peer has not acknowledged at the
    /// TCP level: sent or queued.
    pub const fn outstanding(&self) -> u64 {
        self.unacked as u64 + self.queued as u64
    }
}

/// `TCP_INFINITE_SSTHRESH`: a subflow still in its initial slow start.
pub const INFINITE_SSTHRESH: u32 = 0x7fff_ffff;

/// Which subflows a scheduler wants for the next data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick<H> {
    /// None can send now; the core tries again later.
    Wait,
    /// This one.
    One(H),
    /// These subflows, each carrying all the data: bit `i` stands for the
    /// `i`-th subflow visited, in list order.
    Set(u64),
}

/// A decision of the schedulers other than `rs_default`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision<H> {
    /// The subflow(s) to schedule.
    pub pick: Pick<H>,
    /// Bytes granted before the scheduler runs again (`msk->snd_burst`).
    pub burst: u32,
}

impl<H> Decision<H> {
    /// Nothing to send on.
    pub const WAIT: Self = Self {
        pick: Pick::Wait,
        burst: 0,
    };

    /// Send on `handle`, `burst` bytes.
    pub const fn one(handle: H, burst: u32) -> Self {
        Self {
            pick: Pick::One(handle),
            burst,
        }
    }
}

/// How a decision of a fastest-first scheduler came about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No subflow could send.
    Nothing,
    /// The fastest subflow had room.
    Fast,
    /// The fastest subflow had none; a slower one was used.
    Slow,
    /// The fastest subflow had none, and waiting for it was better than
    /// using a slower one.
    Wait,
    /// No non-backup subflow is active: the fastest backup with room.
    Backup,
}

/// The subflow with the smallest smoothed RTT among those offered; the
/// first one offered wins a tie.
#[derive(Clone, Copy, Debug)]
pub struct Fastest<H> {
    best: Option<(H, SubflowInput)>,
}

impl<H: Copy> Default for Fastest<H> {
    fn default() -> Self {
        Self::new()
    }
}

impl<H: Copy> Fastest<H> {
    /// Nothing offered yet.
    pub const fn new() -> Self {
        Self { best: None }
    }

    /// Offers a subflow.
    pub fn offer(&mut self, handle: H, sf: &SubflowInput) {
        match &self.best {
            Some((_, best)) if best.srtt_us <= sf.srtt_us => {}
            _ => self.best = Some((handle, *sf)),
        }
    }

    /// The fastest subflow offered, if any.
    pub const fn get(&self) -> Option<(H, SubflowInput)> {
        self.best
    }
}

/// What the fastest-first schedulers (`rs_minrtt`, `rs_blest`, `rs_ecf`)
/// need to know about the subflows.
pub struct Candidates<H> {
    fastest: Fastest<H>,
    usable: Fastest<H>,
    backup: Fastest<H>,
    primary_active: bool,
}

/// The situation a fastest-first scheduler decides in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice<H> {
    /// No subflow can send.
    Nothing,
    /// No non-backup subflow is active; this is the fastest backup with
    /// room.
    Backup(H, SubflowInput),
    /// The fastest active non-backup subflow has room.
    Fast(H, SubflowInput),
    /// The fastest has no room; `slow` is the fastest that has.
    Slow {
        /// The fastest subflow.
        fast: SubflowInput,
        /// The fastest subflow with room.
        slow: SubflowInput,
        /// Its handle.
        handle: H,
    },
}

impl<H: Copy> Default for Candidates<H> {
    fn default() -> Self {
        Self::new()
    }
}

impl<H: Copy> Candidates<H> {
    /// Nothing seen yet.
    pub const fn new() -> Self {
        Self {
            fastest: Fastest::new(),
            usable: Fastest::new(),
            backup: Fastest::new(),
            primary_active: false,
        }
    }

    /// Considers the next subflow.  Only active subflows count; backup
    /// subflows only matter when no non-backup subflow is active.
    pub fn visit(&mut self, handle: H, sf: &SubflowInput) {
        if !sf.active {
            return;
        }
        if sf.backup {
            if sf.has_space() {
                self.backup.offer(handle, sf);
            }
            return;
        }
        self.primary_active = true;
        self.fastest.offer(handle, sf);
        if sf.has_space() {
            self.usable.offer(handle, sf);
        }
    }

    /// The fastest active non-backup subflow, room or not.
    pub const fn fastest(&self) -> Option<(H, SubflowInput)> {
        self.fastest.get()
    }

    /// The situation after all subflows were seen.
    pub fn choice(&self) -> Choice<H> {
        if !self.primary_active {
            return match self.backup.get() {
                Some((handle, sf)) => Choice::Backup(handle, sf),
                None => Choice::Nothing,
            };
        }
        match (self.fastest.get(), self.usable.get()) {
            (Some((handle, fast)), _) if fast.has_space() => Choice::Fast(handle, fast),
            (Some((_, fast)), Some((handle, slow))) => Choice::Slow { fast, slow, handle },
            _ => Choice::Nothing,
        }
    }

    /// For the schedulers that weigh a slower subflow against waiting
    /// (`rs_blest`, `rs_ecf`): the decision when there is nothing to weigh,
    /// or else the pair to weigh.
    pub fn settle(&self, msk: &MskInput) -> Result<(Decision<H>, Verdict), Tradeoff<H>> {
        match self.choice() {
            Choice::Nothing => Ok((Decision::WAIT, Verdict::Nothing)),
            Choice::Backup(h, sf) => Ok((
                Decision::one(h, msk.burst(free_window(&sf))),
                Verdict::Backup,
            )),
            Choice::Fast(h, sf) => {
                Ok((Decision::one(h, msk.burst(free_window(&sf))), Verdict::Fast))
            }
            Choice::Slow { fast, slow, handle } => Err(Tradeoff { fast, slow, handle }),
        }
    }
}

/// The fastest subflow has no room and a slower one has: use the slower
/// one now, or wait for the fastest?
#[derive(Clone, Copy, Debug)]
pub struct Tradeoff<H> {
    /// The fastest subflow.
    pub fast: SubflowInput,
    /// The fastest subflow with room.
    pub slow: SubflowInput,
    /// The slower subflow's handle.
    pub handle: H,
}

/// The free part of a subflow's congestion window, in bytes: the most a
/// fastest-first scheduler gives a subflow at once, so that data waits at
/// the connection level, where the next decision can still place it,
/// rather than in one subflow's queue.
pub fn free_window(sf: &SubflowInput) -> u64 {
    u64::from(sf.free_packets()) * u64::from(sf.mss)
}

/// A burst granted to the chosen subflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Burst {
    /// Bytes the chosen subflow may send before the scheduler runs again
    /// (`msk->snd_burst`).
    pub bytes: u32,
    /// The chosen subflow's new average pacing rate
    /// (`subflow->avg_pacing_rate`), in bytes per second.
    pub avg_pacing_rate: u64,
}

/// What a scheduler decided when asked for a subflow to send new data on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendDecision<H> {
    /// The subflow to schedule, if any may send.
    pub pick: Option<H>,
    /// The MPTCP retransmit timeout to arm, in jiffies (0 or negative means
    /// "use the minimum RTO"), as `__mptcp_set_timeout()` takes it.
    pub timeout: i64,
    /// The burst granted to `pick`; `None` leaves the pacing state alone.
    pub burst: Option<Burst>,
}
