// SPDX-License-Identifier: GPL-2.0

//! `rs_minrtt`: the subflow with the lowest smoothed RTT that can send now.

use super::{
    free_window,
    Candidates,
    Choice,
    Decision,
    MskInput,
    SubflowInput,
    Verdict, //
};

/// Lowest RTT first.
///
/// Among active non-backup subflows with room in their congestion window
/// (counting what TCP already queued) and send buffer, the one with the
/// lowest smoothed RTT; ties go to the first in list order.  It gets as
/// many bytes as its window has room for.  Backup subflows are considered
/// only when no non-backup subflow is active.  When the active subflows
/// are all full, it waits rather than spill onto a backup.
pub struct MinRtt<H> {
    candidates: Candidates<H>,
}

impl<H: Copy> Default for MinRtt<H> {
    fn default() -> Self {
        Self::new()
    }
}

impl<H: Copy> MinRtt<H> {
    /// Starts a decision.
    pub const fn new() -> Self {
        Self {
            candidates: Candidates::new(),
        }
    }

    /// Considers the next subflow.
    pub fn visit(&mut self, handle: H, sf: &SubflowInput) {
        self.candidates.visit(handle, sf);
    }

    /// Ends the decision.
    pub fn finish(self, msk: &MskInput) -> (Decision<H>, Verdict) {
        match self.candidates.choice() {
            Choice::Nothing => (Decision::WAIT, Verdict::Nothing),
            Choice::Backup(h, sf) => (
                Decision::one(h, msk.burst(free_window(&sf))),
                Verdict::Backup,
            ),
            Choice::Fast(h, sf) => (Decision::one(h, msk.burst(free_window(&sf))), Verdict::Fast),
            Choice::Slow { handle, slow, .. } => (
                Decision::one(handle, msk.burst(free_window(&slow))),
                Verdict::Slow,
            ),
        }
    }
}
