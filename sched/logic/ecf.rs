// SPDX-License-Identifier: GPL-2.0

//! `rs_ecf`: Earliest Completion First (Lim, Nahum, Towsley, Gibbens:
//! "ECF: An MPTCP Path Scheduler to Manage Heterogeneous Paths",
//! CoNEXT 2017).

use super::{
    free_window,
    Candidates,
    Decision,
    MskInput,
    SubflowInput,
    Tradeoff,
    Verdict, //
};

/// Largest beta, per mille.
pub const BETA_MAX: u32 = 1000;

/// Tunables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EcfParams {
    /// Hysteresis, per mille: once waiting for the fast subflow, keep
    /// waiting until the slow one is this much more attractive.
    pub beta: u32,
}

/// What ECF remembers per connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EcfState {
    /// The last decision was to wait for the fast subflow.
    pub waiting: bool,
}

/// ECF.
///
/// The fastest active subflow is used whenever it has room.  Otherwise,
/// with `k` bytes still to send (at the connection level and in the fast
/// subflow's own queue), ECF compares finishing them on the fast
/// subflow once it has room again, `(1 + k / cwnd_f) * rtt_f`, with the
/// time the slow subflow needs to deliver anything, `rtt_s + delta`
/// (`delta` the larger RTT variation): when the fast subflow wins, by a
/// margin of `beta` once already waiting, and the slow subflow would need
/// at least `2 * rtt_f + delta` for its share (`k / cwnd_s * rtt_s`), it
/// waits for the fast subflow; otherwise it uses the slow one.  Windows are
/// in bytes (cwnd times MSS).  A subflow gets a burst of at most its free
/// congestion window.
pub struct Ecf<'a, H> {
    state: &'a mut EcfState,
    params: EcfParams,
    candidates: Candidates<H>,
}

impl<'a, H: Copy> Ecf<'a, H> {
    /// Starts a decision.
    pub fn new(state: &'a mut EcfState, params: EcfParams) -> Self {
        Self {
            state,
            params,
            candidates: Candidates::new(),
        }
    }

    /// Considers the next subflow.
    pub fn visit(&mut self, handle: H, sf: &SubflowInput) {
        self.candidates.visit(handle, sf);
    }

    /// Ends the decision.
    pub fn finish(self, msk: &MskInput) -> (Decision<H>, Verdict) {
        let Tradeoff {
            fast,
            slow,
            handle: slow_h,
        } = match self.candidates.settle(msk) {
            Ok(settled) => return settled,
            Err(tradeoff) => tradeoff,
        };

        let rtt_f = u64::from(fast.srtt_us);
        let rtt_s = u64::from(slow.srtt_us);
        let delta = u64::from(fast.rttvar_us.max(slow.rttvar_us));
        // What the fast subflow must send before anything new: the data
        // not sent yet at the connection level and in its own queue.
        let k = msk
            .write_seq
            .saturating_sub(msk.snd_nxt)
            .saturating_add(u64::from(fast.queued));
        let cwnd_f = (u64::from(fast.cwnd) * u64::from(fast.mss)).max(1);
        let cwnd_s = (u64::from(slow.cwnd) * u64::from(slow.mss)).max(1);
        let beta = u64::from(self.params.beta.min(BETA_MAX));

        let fast_done = rtt_f.saturating_add(k.saturating_mul(rtt_f) / cwnd_f);
        let margin = 1000 + if self.state.waiting { beta } else { 0 };
        let verdict = if fast_done.saturating_mul(1000) < margin.saturating_mul(rtt_s + delta) {
            let slow_done = k.saturating_mul(rtt_s) / cwnd_s;
            if slow_done >= 2 * rtt_f + delta {
                self.state.waiting = true;
                Verdict::Wait
            } else {
                Verdict::Slow
            }
        } else {
            self.state.waiting = false;
            Verdict::Slow
        };

        match verdict {
            Verdict::Slow => (
                Decision::one(slow_h, msk.burst(free_window(&slow))),
                verdict,
            ),
            _ => (Decision::WAIT, verdict),
        }
    }
}
