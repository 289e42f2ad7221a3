// SPDX-License-Identifier: GPL-2.0

//! `rs_blest`: BLEST, blocking estimation (Ferlin, Alay, Mehani, Boreli:
//! "BLEST: Blocking Estimation-based MPTCP Scheduler for Heterogeneous
//! Networks", IFIP Networking 2016).

use super::{
    free_window,
    Candidates,
    Decision,
    MskInput,
    SubflowInput,
    Tradeoff,
    Verdict,
    INFINITE_SSTHRESH, //
};

/// Bounds of the tunable lambda bounds, per mille.
pub const LAMBDA_LIMIT_MIN: u32 = 500;
/// See [`LAMBDA_LIMIT_MIN`].
pub const LAMBDA_LIMIT_MAX: u32 = 4000;
/// Lambda at the start of a connection, per mille, within the bounds (the
/// reference's 1.2).
pub const LAMBDA_START: u32 = 1200;
/// Lambda grows by this much, per mille, after an RTT of the slow subflow
/// in which the connection was blocked by the peer's receive window...
pub const LAMBDA_STEP_UP: u32 = 40;
/// ...and shrinks by this much after one in which it was not.
pub const LAMBDA_STEP_DOWN: u32 = 10;
/// Most RTTs of the fast subflow the estimate looks ahead.
const ROUNDS_MAX: u64 = 64;
/// Most RTTs of doubling in the fast subflow's initial slow start.
const SLOW_START_ROUNDS_MAX: u64 = 16;
/// The unit of a number of rounds: rounds are counted in 1/1024ths.
const ROUND: u64 = 1024;

/// Tunables, per mille.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlestParams {
    /// Lower bound of lambda.
    pub lambda_min: u32,
    /// Upper bound of lambda.
    pub lambda_max: u32,
}

impl BlestParams {
    /// Clamps `lambda` into the bounds (an inverted pair counts as
    /// `lambda_min` alone).
    fn clamp(&self, lambda: u32) -> u32 {
        lambda.clamp(self.lambda_min, self.lambda_max.max(self.lambda_min))
    }
}

/// What BLEST remembers per connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlestState {
    /// The current lambda, per mille; 0 until the first estimate.
    pub lambda: u32,
    /// The peer's receive window blocked the connection since lambda was
    /// last adapted.
    pub blocked: bool,
    /// When lambda was last adapted (`MskInput::now_us`).
    pub adapted_us: u32,
}

/// BLEST.
///
/// The fastest active subflow (lowest smoothed RTT) is used whenever it
/// has room.  When it has none, sending on the fastest slower subflow that
/// has room risks head-of-line blocking at the receiver: while the slow
/// subflow delivers its data, the fast one may fill the connection's
/// receive window.  BLEST estimates what the fast subflow sends during
/// one RTT of the slow one, `X` ([`fast_bytes`]), and lets the slow
/// subflow send only what fits in the peer's window next to its
/// outstanding data and `lambda * X`, in whole segments (at most its free
/// window): a burst of
///
/// `(wnd_end - snd_una) - outstanding_s - lambda * X`
///
/// and waits for the fast subflow when not one segment fits.
///
/// Lambda, per connection, corrects the estimate: it starts at
/// [`LAMBDA_START`] and, at most once per RTT of the slow subflow, grows
/// by [`LAMBDA_STEP_UP`] if the peer's window blocked the connection in
/// the meantime and shrinks by [`LAMBDA_STEP_DOWN`] otherwise, within the
/// tunable bounds.  A subflow gets a burst of at most its free congestion
/// window.
pub struct Blest<'a, H> {
    state: &'a mut BlestState,
    params: BlestParams,
    candidates: Candidates<H>,
}

/// Segments the fast subflow sends in `rounds` RTTs (in [`ROUND`]ths),
/// its window doubling each RTT while it is in its initial slow start
/// (between two whole numbers of RTTs the growth is taken as linear), and
/// growing by one segment per RTT after that.  As the reference
/// implementation does, a subflow that has left its initial slow start
/// counts as in congestion avoidance at a window of at least
/// `ssthresh + 1`.
fn segments(fast: &SubflowInput, rounds: u64) -> u64 {
    let cwnd = u64::from(fast.cwnd);
    if fast.ssthresh >= INFINITE_SSTHRESH {
        // cwnd * (2^rounds - 1)
        let rounds = rounds.min(SLOW_START_ROUNDS_MAX * ROUND);
        let power = (1u64 << (rounds / ROUND)) * (ROUND + rounds % ROUND);
        return cwnd.saturating_mul(power - ROUND) / ROUND;
    }
    // The paper's X / mss_f: n * (cwnd + (n - 1) / 2).
    let rounds = rounds.min(ROUNDS_MAX * ROUND);
    let cwnd = cwnd.max(u64::from(fast.ssthresh) + 1);
    let growth = rounds * rounds.saturating_sub(ROUND) / (2 * ROUND);
    cwnd.saturating_mul(rounds).saturating_add(growth) / ROUND
}

/// `X`: bytes the fast subflow needs to send while the slow one carries
/// one window, over `srtt_s / srtt_f` RTTs of the fast subflow, a
/// fraction included, as in the paper, less the fast subflow's standing
/// queue (`srtt_f - min_rtt_f`): while the peer's window holds the fast
/// subflow back, its queue keeps its path busy.
pub fn fast_bytes(fast: &SubflowInput, slow: &SubflowInput) -> u64 {
    let rtt_f = u64::from(fast.srtt_us.max(1));
    let queue = fast.srtt_us.saturating_sub(fast.min_rtt_us);
    let busy = slow.srtt_us.saturating_sub(queue);
    let rounds = u64::from(busy) * ROUND / rtt_f;
    segments(fast, rounds).saturating_mul(u64::from(fast.mss))
}

impl<'a, H: Copy> Blest<'a, H> {
    /// Starts a decision.
    pub fn new(state: &'a mut BlestState, params: BlestParams) -> Self {
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

    /// Lambda, adapted when an RTT of the slow subflow has passed since
    /// it last was.
    fn lambda(&mut self, slow: &SubflowInput, now_us: u32) -> u32 {
        let state = &mut *self.state;
        if state.lambda == 0 {
            state.lambda = self.params.clamp(LAMBDA_START);
            state.adapted_us = now_us;
            state.blocked = false;
        } else if now_us.wrapping_sub(state.adapted_us) >= slow.srtt_us {
            let lambda = if state.blocked {
                state.lambda.saturating_add(LAMBDA_STEP_UP)
            } else {
                state.lambda.saturating_sub(LAMBDA_STEP_DOWN)
            };
            state.lambda = self.params.clamp(lambda);
            state.adapted_us = now_us;
            state.blocked = false;
        }
        self.params.clamp(state.lambda)
    }

    /// Ends the decision.
    pub fn finish(mut self, msk: &MskInput) -> (Decision<H>, Verdict) {
        if let Some((_, fast)) = self.candidates.fastest() {
            if msk.window_left() < u64::from(fast.mss.max(1)) {
                self.state.blocked = true;
            }
        }
        let Tradeoff {
            fast,
            slow,
            handle: slow_h,
        } = match self.candidates.settle(msk) {
            Ok(settled) => return settled,
            Err(tradeoff) => tradeoff,
        };

        let lambda = self.lambda(&slow, msk.now_us);
        let window = msk.wnd_end.saturating_sub(msk.snd_una);
        let need = fast_bytes(&fast, &slow).saturating_mul(u64::from(lambda)) / 1000;
        // What the slow subflow may add to its outstanding data and still
        // leave `lambda * X` of the window to the fast one: the reference
        // asks, segment by segment, whether one more fits.
        let room = window
            .saturating_sub(slow.outstanding())
            .saturating_sub(need);
        let full = msk.burst(free_window(&slow));
        let burst = if room >= u64::from(full) {
            full
        } else {
            let mss = u64::from(slow.mss.max(1));
            // Less than `full`, so it fits in a u32.
            (room / mss * mss) as u32
        };
        if burst == 0 {
            (Decision::WAIT, Verdict::Wait)
        } else {
            (Decision::one(slow_h, burst), Verdict::Slow)
        }
    }
}
