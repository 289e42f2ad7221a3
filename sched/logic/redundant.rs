// SPDX-License-Identifier: GPL-2.0

//! `rs_redundant`: every chunk on every active subflow.

use super::{
    Decision,
    MskInput,
    Pick,
    SubflowInput,
    SEND_BURST_SIZE, //
};

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
/// stall.
#[derive(Default)]
pub struct Redundant {
    primary_active: bool,
    primary_takes: bool,
    backup_takes: bool,
}

impl Redundant {
    /// Starts a decision.
    pub const fn new() -> Self {
        Self {
            primary_active: false,
            primary_takes: false,
            backup_takes: false,
        }
    }

    /// Considers the next subflow.
    pub fn visit(&mut self, sf: &SubflowInput) {
        if sf.active && !sf.backup {
            self.primary_active = true;
        }
        self.primary_takes |= takes(sf, false);
        self.backup_takes |= takes(sf, true);
    }

    /// Ends the decision.
    pub fn finish<H>(self, msk: &MskInput) -> Decision<H> {
        let backup = !self.primary_active;
        let any = if backup {
            self.backup_takes
        } else {
            self.primary_takes
        };
        if !any {
            return Decision::WAIT;
        }
        Decision {
            pick: Pick::All { backup },
            burst: msk.burst(SEND_BURST_SIZE),
        }
    }
}
