// SPDX-License-Identifier: GPL-2.0

//! `rs_backup`: active-backup with handover.

use super::{
    Decision,
    Fastest,
    MskInput,
    Pick,
    SubflowInput,
    SEND_BURST_SIZE, //
};

/// How long a peer may delay the ACK of a lone segment (the kernel's
/// `TCP_DELACK_MAX`), microseconds.
pub const DELACK_MAX_US: u32 = 200_000;

/// Tunables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackupParams {
    /// The least time, in microseconds, a subflow with data outstanding
    /// may go without an ACK before it counts as failed.
    pub min_stale_us: u32,
}

/// What active-backup remembers per connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BackupState {
    /// The subflow carrying the traffic (`subflow_id`).
    pub current_id: u32,
    /// Whether `current_id` is set.
    pub has_current: bool,
    /// When the carrier was last seen with nothing outstanding
    /// (`MskInput::now_us`): its data has been outstanding since then at
    /// most.
    pub idle_us: u32,
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

/// A decision of [`Backup`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome<H> {
    /// The subflow to send on.
    pub decision: Decision<H>,
    /// How it came about.
    pub verdict: Verdict,
    /// A failed subflow whose outstanding data must move to the carrier:
    /// the caller marks it stale, which also sends that data again
    /// (retransmissions only).
    pub stale: Option<H>,
    /// While the carrier has data outstanding: in how many microseconds
    /// it counts as failed if no ACK arrives, so that the MPTCP
    /// retransmit timer runs the decision again by then.
    pub watch_us: Option<u32>,
}

/// How long `sf` may go without an ACK, with data outstanding, before it
/// counts as failed: what an RTO would be without its 200 ms floor,
/// `srtt + 4 * mdev`, plus the peer's delayed-ACK allowance when a lone
/// segment is in flight, and at least `min_stale_us`.
pub fn stale_after_us(sf: &SubflowInput, params: &BackupParams) -> u32 {
    let delack = if sf.packets_out == 1 {
        DELACK_MAX_US
    } else {
        0
    };
    sf.srtt_us
        .saturating_add(sf.mdev_us.saturating_mul(4))
        .saturating_add(delack)
        .max(params.min_stale_us)
}

/// Active-backup.
///
/// Exactly one subflow carries the traffic.  It is chosen among healthy
/// subflows, non-backup ones first, by lowest smoothed RTT, and kept while
/// it stays healthy, so that equal paths do not flap.  A subflow has
/// failed when it has data outstanding (sent and not acknowledged, lost
/// segments included, or queued in TCP and not sent) and has received no
/// ACK for [`stale_after_us`] since that data became outstanding.  This
/// holds even when every segment has been marked lost and the interface
/// is down, when nothing is in flight any more, and when the path died
/// while the carrier was idle, so that TCP cannot send what it was given
/// at all (its route is gone: nothing is ever in flight).  When the carrier fails, the next healthy subflow
/// takes over at once: at the next decision for new data, and at the next
/// retransmission decision, which also hands back the failed subflow
/// ([`Outcome::stale`]) so that its undelivered data is sent again on the
/// new carrier.  The MPTCP retransmit timer is kept short enough
/// ([`Outcome::watch_us`]) for that decision to come in time when no ACK
/// arrives at all.  When a non-backup subflow is healthy again while a
/// backup carries the traffic, the traffic returns to it.  If every active
/// subflow has failed, the fastest of them is used.  The carrier is never
/// bypassed when it is merely full: the scheduler waits, and backups see
/// no traffic while a primary works.
pub struct Backup<'a, H> {
    state: &'a mut BackupState,
    params: BackupParams,
    now_us: u32,
    current: Option<(H, SubflowInput)>,
    primary: Fastest<H>,
    backup: Fastest<H>,
    any: Fastest<H>,
    failed: Option<H>,
}

impl<'a, H: Copy> Backup<'a, H> {
    /// Starts a decision at `now_us`.
    pub fn new(state: &'a mut BackupState, params: BackupParams, now_us: u32) -> Self {
        Self {
            state,
            params,
            now_us,
            current: None,
            primary: Fastest::new(),
            backup: Fastest::new(),
            any: Fastest::new(),
            failed: None,
        }
    }

    fn is_carrier(&self, sf: &SubflowInput) -> bool {
        self.state.has_current && sf.id == self.state.current_id
    }

    /// How long `sf` has had data outstanding without receiving an ACK.
    fn silent_us(&self, sf: &SubflowInput) -> u32 {
        if self.is_carrier(sf) {
            sf.ack_age_us
                .min(self.now_us.wrapping_sub(self.state.idle_us))
        } else {
            sf.ack_age_us
        }
    }

    /// Whether `sf` has failed: data outstanding and no ACK for
    /// [`stale_after_us`].
    pub fn failed(&self, sf: &SubflowInput) -> bool {
        !sf.idle() && self.silent_us(sf) > stale_after_us(sf, &self.params)
    }

    /// Whether `sf` can be trusted with the traffic.
    pub fn healthy(&self, sf: &SubflowInput) -> bool {
        sf.active && !self.failed(sf)
    }

    /// Considers the next subflow.
    pub fn visit(&mut self, handle: H, sf: &SubflowInput) {
        if !sf.active {
            return;
        }
        if self.is_carrier(sf) && sf.idle() {
            self.state.idle_us = self.now_us;
        }
        self.any.offer(handle, sf);
        if !self.healthy(sf) {
            self.failed.get_or_insert(handle);
            return;
        }
        if self.is_carrier(sf) {
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
        let verdict = if self.state.has_current && self.state.current_id == sf.id {
            Verdict::Stay
        } else {
            // A new carrier's outstanding data, if any, counts from now.
            self.state.idle_us = self.now_us;
            if self.state.has_current {
                Verdict::Switch
            } else {
                Verdict::Stay
            }
        };
        self.state.current_id = sf.id;
        self.state.has_current = true;
        Some((handle, sf, verdict))
    }

    /// The outcome of `decision` for `carrier`: it is watched while it has
    /// data outstanding, and from the moment the decision gives it some.
    fn outcome(
        &self,
        decision: Decision<H>,
        verdict: Verdict,
        carrier: Option<&SubflowInput>,
    ) -> Outcome<H> {
        let sending = matches!(decision.pick, Pick::One(_));
        let watch_us = carrier
            .filter(|sf| sending || !sf.idle())
            .map(|sf| stale_after_us(sf, &self.params).saturating_sub(self.silent_us(sf)));
        Outcome {
            decision,
            verdict,
            stale: None,
            watch_us,
        }
    }

    /// Ends a decision for new data: the carrier, if it has room.
    pub fn finish(mut self, msk: &MskInput) -> Outcome<H> {
        match self.carrier() {
            None => self.outcome(Decision::WAIT, Verdict::Nothing, None),
            Some((handle, sf, verdict)) if sf.has_space() => {
                let decision = Decision::one(handle, msk.burst(SEND_BURST_SIZE));
                self.outcome(decision, verdict, Some(&sf))
            }
            Some((_, sf, verdict)) => self.outcome(Decision::WAIT, verdict, Some(&sf)),
        }
    }

    /// Ends a decision for a retransmission.  When a subflow has failed
    /// with data outstanding and a healthy one carries the traffic, the
    /// failed one is handed back to be marked stale, which sends its data
    /// again on the carrier, and nothing is retransmitted here.
    /// Otherwise the carrier retransmits when it has nothing outstanding
    /// itself (as the kernel's default does: the peer may only need
    /// telling what arrived), and nothing is retransmitted while TCP is
    /// still delivering its data.
    pub fn finish_retrans(mut self) -> Outcome<H> {
        let failed = self.failed;
        match self.carrier() {
            None => self.outcome(Decision::WAIT, Verdict::Nothing, None),
            Some((handle, sf, verdict)) => {
                let carrier_ok = !self.failed(&sf);
                if let (Some(stale), true) = (failed, carrier_ok) {
                    let mut out = self.outcome(Decision::WAIT, verdict, Some(&sf));
                    out.stale = Some(stale);
                    return out;
                }
                let decision = if sf.idle() {
                    Decision::one(handle, 0)
                } else {
                    Decision::WAIT
                };
                self.outcome(decision, verdict, Some(&sf))
            }
        }
    }
}
