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
    Verdict, //
};

/// Bounds of the tunable lambda bounds, per mille.
pub const LAMBDA_LIMIT_MIN: u32 = 500;
/// See [`LAMBDA_LIMIT_MIN`].
pub const LAMBDA_LIMIT_MAX: u32 = 4000;
/// Lambda grows by this much, per mille, on each head-of-line blocking
/// event...
pub const LAMBDA_STEP_UP: u32 = 40;
/// ...and shrinks by this much on each send on the slow subflow that did
/// not block.
pub const LAMBDA_STEP_DOWN: u32 = 10;

/// Tunables, per mille.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlestParams {
    /// Lower bound of lambda (and its starting value).
    pub lambda_min: u32,
    /// Upper bound of lambda.
    pub lambda_max: u32,
}

/// What BLEST remembers per connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlestState {
    /// The current lambda, per mille; 0 until the first estimate.
    pub lambda: u32,
}

/// BLEST.
///
/// The fastest active subflow (lowest smoothed RTT) is used whenever it
/// has room.  When it has none, sending on the fastest slower subflow that
/// has room risks head-of-line blocking at the receiver: the fast subflow
/// may fill the connection's receive window before the slow one delivers.
/// BLEST estimates what the fast subflow can send during one RTT of the
/// slow one, its window growing by one segment per RTT:
///
/// `X = mss_f * (cwnd_f + (rtt_s / rtt_f - 1) / 2) * rtt_s / rtt_f`
///
/// and skips the slow subflow when `lambda * X` exceeds the window left
/// once the slow subflow has sent its congestion window.  Lambda starts at
/// `lambda_min`, grows by [`LAMBDA_STEP_UP`] when the connection is found
/// blocked by its receive window, and shrinks by [`LAMBDA_STEP_DOWN`] when
/// the slow subflow is used without blocking, within the bounds.
/// A subflow gets a burst of at most its free congestion window.
pub struct Blest<'a, H> {
    state: &'a mut BlestState,
    params: BlestParams,
    candidates: Candidates<H>,
}

/// Fixed-point unit of the RTT ratio.
const ONE: u64 = 1 << 10;
/// Cap of the RTT ratio (1000 times slower).
const RATIO_MAX: u64 = 1000 * ONE;

/// Bytes the fast subflow sends while the slow one carries one window.
pub fn fast_bytes(fast: &SubflowInput, slow: &SubflowInput) -> u64 {
    let rtt_f = u64::from(fast.srtt_us.max(1));
    let rtt_s = u64::from(slow.srtt_us).max(rtt_f);
    let ratio = ((rtt_s << 10) / rtt_f).min(RATIO_MAX);
    // Segments, scaled by ONE * ONE.
    let segments = (u64::from(fast.cwnd) * ONE + (ratio - ONE) / 2).saturating_mul(ratio);
    segments.saturating_mul(u64::from(fast.mss)) >> 20
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

    fn lambda(&self) -> u32 {
        let (min, max) = (
            self.params.lambda_min,
            self.params.lambda_max.max(self.params.lambda_min),
        );
        if self.state.lambda == 0 {
            min
        } else {
            self.state.lambda.clamp(min, max)
        }
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

        let mut lambda = self.lambda();
        let blocked = msk.window_left() < u64::from(fast.mss.max(1));
        let window = msk.wnd_end.saturating_sub(msk.snd_una);
        let in_flight = msk.snd_nxt.saturating_sub(msk.snd_una);
        let slow_window = u64::from(slow.cwnd) * u64::from(slow.mss);
        let space = window.saturating_sub(in_flight.saturating_add(slow_window));
        let need = fast_bytes(&fast, &slow).saturating_mul(u64::from(lambda)) / 1000;

        let verdict = if need > space {
            Verdict::Wait
        } else {
            Verdict::Slow
        };
        if blocked {
            lambda = lambda.saturating_add(LAMBDA_STEP_UP);
        } else if verdict == Verdict::Slow {
            lambda = lambda.saturating_sub(LAMBDA_STEP_DOWN);
        }
        self.state.lambda = lambda.clamp(
            self.params.lambda_min,
            self.params.lambda_max.max(self.params.lambda_min),
        );

        match verdict {
            Verdict::Slow => (
                Decision::one(slow_h, msk.burst(free_window(&slow))),
                verdict,
            ),
            _ => (Decision::WAIT, verdict),
        }
    }
}
