// SPDX-License-Identifier: GPL-2.0

//! `rs_backup`: active-backup with handover.

use super::{
    Decision,
    Fastest,
    MskInput,
    SubflowInput,
    SEND_BURST_SIZE, //
};

/// Tunables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackupParams {
    /// A subflow with data in flight and no ACK for this long (jiffies) is
    /// considered failed.
    pub stale_jiffies: u32,
}

/// What active-backup remembers per connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BackupState {
    /// The subflow carrying the traffic (`subflow_id`).
    pub current_id: u32,
    /// Whether `current_id` is set.
    pub has_current: bool,
}

/// How a decision came about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No active subflow at all.
    Nothing,
    /// The current subflow goes on.
    Stay,
    /// Traffic moves to another subflow: the current one failed, or a
    /// non-backup subflow is usable again while a backup carried it.
    Switch,
}

/// Active-backup.
///
/// Exactly one subflow carries the traffic.  It is chosen among healthy
/// subflows, non-backup ones first, by lowest smoothed RTT, and kept while
/// it stays healthy, so that equal paths do not flap.  A subflow is healthy
/// when it is active and has not gone [`BackupParams::stale_jiffies`]
/// without an ACK while data is in flight.  When the carrier fails, the
/// next one takes over at the next decision; when a non-backup subflow is
/// healthy again while a backup carries the traffic, the traffic returns to
/// it.  If every active subflow has failed, the fastest of them is used.
/// The carrier is never bypassed when it is merely full: the scheduler
/// waits, and backups see no traffic while a primary works.
pub struct Backup<'a, H> {
    state: &'a mut BackupState,
    params: BackupParams,
    current: Option<(H, SubflowInput)>,
    primary: Fastest<H>,
    backup: Fastest<H>,
    any: Fastest<H>,
}

impl<'a, H: Copy> Backup<'a, H> {
    /// Starts a decision.
    pub fn new(state: &'a mut BackupState, params: BackupParams) -> Self {
        Self {
            state,
            params,
            current: None,
            primary: Fastest::new(),
            backup: Fastest::new(),
            any: Fastest::new(),
        }
    }

    /// Whether `sf` can be trusted with the traffic.
    pub fn healthy(&self, sf: &SubflowInput) -> bool {
        sf.active && !(sf.in_flight > 0 && sf.ack_age > self.params.stale_jiffies)
    }

    /// Considers the next subflow.
    pub fn visit(&mut self, handle: H, sf: &SubflowInput) {
        if !sf.active {
            return;
        }
        self.any.offer(handle, sf);
        if !self.healthy(sf) {
            return;
        }
        if self.state.has_current && sf.id == self.state.current_id {
            self.current = Some((handle, *sf));
        }
        if sf.backup {
            self.backup.offer(handle, sf);
        } else {
            self.primary.offer(handle, sf);
        }
    }

    /// The subflow that should carry the traffic, recorded as the carrier.
    fn carrier(&mut self) -> Option<(H, SubflowInput, Verdict)> {
        let keep = match self.current {
            // A backup carrier gives way to a healthy primary.
            Some((_, cur)) if cur.backup => self.primary.get().is_none(),
            Some(_) => true,
            None => false,
        };
        let (handle, sf) = if keep {
            self.current?
        } else {
            self.primary
                .get()
                .or(self.backup.get())
                .or(self.any.get())?
        };
        let verdict = if self.state.has_current && self.state.current_id != sf.id {
            Verdict::Switch
        } else {
            Verdict::Stay
        };
        self.state.current_id = sf.id;
        self.state.has_current = true;
        Some((handle, sf, verdict))
    }

    /// Ends a decision for new data: the carrier, if it has room.
    pub fn finish(mut self, msk: &MskInput) -> (Decision<H>, Verdict) {
        match self.carrier() {
            None => (Decision::WAIT, Verdict::Nothing),
            Some((handle, sf, verdict)) if sf.has_space() => {
                (Decision::one(handle, msk.burst(SEND_BURST_SIZE)), verdict)
            }
            Some((_, _, verdict)) => (Decision::WAIT, verdict),
        }
    }

    /// Ends a decision for a retransmission: the carrier, room or not, so
    /// that data stuck on a failed subflow moves over at once.
    pub fn finish_retrans(mut self) -> (Option<H>, Verdict) {
        match self.carrier() {
            None => (None, Verdict::Nothing),
            Some((handle, _, verdict)) => (Some(handle), verdict),
        }
    }
}
