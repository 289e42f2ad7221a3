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

pub mod default;

#[cfg(any(test, CONFIG_KUNIT = "y"))]
pub mod cases;

#[cfg(test)]
mod oracle;

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
