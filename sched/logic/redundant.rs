// SPDX-License-Identifier: GPL-2.0

//! `rs_redundant`: every chunk on every active subflow.

use super::{
    Decision,
    MskInput,
    Pick,
    SubflowInput,
    SEND_BURST_SIZE, //
};

/// Most subflows a redundant decision can schedule: the first ones in list
/// order (the kernel's path managers allow far fewer per connection).
pub const MAX_SUBFLOWS: u32 = u64::BITS;

/// Whether a redundant decision for the given class schedules `sf`:
/// active, of that class, with send-buffer room.  The congestion window is
/// not required: data queued behind a full window still goes out on that
/// subflow, and the subflows must not wait for each other.
pub const fn takes(sf: &SubflowInput, backup: bool) -> bool {
    sf.active && sf.backup == backup && sf.memory_free
}

/// Redundant scheduling.
///
/// Schedules all active non-backup subflows with send-buffer room, or all
/// active backup subflows when no non-backup subflow is active.  The
/// module registers it with `MPTCP_SCHED_FLAG_REDUNDANT`, so that each
/// subflow sends all the data (kernel patch 0004), skipping what the peer
/// already acknowledged through another subflow: the connection gets the
/// latency of the fastest path and survives the loss of any path without a
/// stall.  The decision names the subflows by their position in the
/// walk, so that the caller schedules exactly the subflows it decided on,
/// without reading them again.
#[derive(Default)]
pub struct Redundant {
    position: u32,
    primary_active: bool,
    primaries: u64,
    backups: u64,
}

impl Redundant {
    /// Starts a decision.
    pub const fn new() -> Self {
        Self {
            position: 0,
            primary_active: false,
            primaries: 0,
            backups: 0,
        }
    }

    /// Considers the next subflow.
    pub fn visit(&mut self, sf: &SubflowInput) {
        let bit = 1u64.checked_shl(self.position).unwrap_or(0);
        self.position = self.position.saturating_add(1);
        if sf.active && !sf.backup {
            self.primary_active = true;
        }
        if takes(sf, false) {
            self.primaries |= bit;
        }
        if takes(sf, true) {
            self.backups |= bit;
        }
    }

    /// Ends the decision.
    pub fn finish<H>(self, msk: &MskInput) -> Decision<H> {
        let set = if self.primary_active {
            self.primaries
        } else {
            self.backups
        };
        if set == 0 {
            return Decision::WAIT;
        }
        Decision {
            pick: Pick::Set(set),
            burst: msk.burst(SEND_BURST_SIZE),
        }
    }
}
