// SPDX-License-Identifier: GPL-2.0

//! `rs_ecf`: Earliest Completion First (Lim, Nahum, Towsley, Gibbens:
//! "ECF: An MPTCP Path Scheduler to Manage Heterogeneous Paths",
//! CoNEXT 2017).

use super::{
    free_window,
    Candidates,
    Decision,
    MskInput,
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
/// with `k` bytes not yet handed to any subflow (`write_seq - snd_nxt`),
/// ECF compares finishing on the fast subflow once it has room again with
/// using the slow one now.  With windows in bytes (`cwnd * mss`), the
/// fast subflow needs at least one more window, `x_f = max(k, cwnd_f)`,
/// and the slow one at least its own, `x_s = max(k, cwnd_s)`:
///
/// - if `(1 + x_f / cwnd_f) * rtt_f < (1 + waiting * beta) * (rtt_s +
///   delta)` (the fast subflow, after the window in flight, finishes
///   before the slow one delivers anything) and `x_s / cwnd_s * rtt_s >=
///   2 * rtt_f + delta` (the slow subflow would still be busy after two
///   fast RTTs), wait for the fast subflow;
/// - otherwise use the slow one; waiting ends when the first test fails.
///
/// `delta` is the larger RTT mean deviation of the two.  Products are
/// computed in 64 bits, saturating.  A subflow gets a burst of at most its
/// free congestion window.
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
    pub fn visit(&mut self, handle: H, sf: &super::SubflowInput) {
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
        let delta = u64::from(fast.mdev_us.max(slow.mdev_us));
        let k = msk.write_seq.saturating_sub(msk.snd_nxt);
        let cwnd_f = (u64::from(fast.cwnd) * u64::from(fast.mss)).max(1);
        let cwnd_s = (u64::from(slow.cwnd) * u64::from(slow.mss)).max(1);
        let x_f = k.max(cwnd_f);
        let x_s = k.max(cwnd_s);
        let beta = u64::from(self.params.beta.min(BETA_MAX));
        let margin = 1000 + if self.state.waiting { beta } else { 0 };

        // (1 + x_f / cwnd_f) * rtt_f < margin / 1000 * (rtt_s + delta),
        // multiplied by 1000 * cwnd_f.
        let fast_done = rtt_f
            .saturating_mul(x_f.saturating_add(cwnd_f))
            .saturating_mul(1000);
        let slow_first = margin
            .saturating_mul(rtt_s.saturating_add(delta))
            .saturating_mul(cwnd_f);
        let verdict = if fast_done < slow_first {
            // x_s / cwnd_s * rtt_s >= 2 * rtt_f + delta, times cwnd_s.
            let slow_done = rtt_s.saturating_mul(x_s);
            let fast_twice = cwnd_s.saturating_mul(rtt_f.saturating_mul(2).saturating_add(delta));
            if slow_done >= fast_twice {
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
