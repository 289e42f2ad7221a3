// SPDX-License-Identifier: GPL-2.0

//! `rs_backup`: active-backup with handover.

use super::{
    apply,
    msk_input,
    walk,
    Scheduler, //
};
use crate::{
    ffi::msk::{
        now_us,
        usecs_to_jiffies,
        Msk, //
    },
    logic::sched::{
        backup::{
            Backup,
            BackupParams,
            BackupState,
            Verdict, //
        },
        Pick,
    },
    mib::{
        self,
        Counter, //
    },
    sched::tunables::SchedTunables,
    tunable::value,
};
use kernel::prelude::*;

/// One subflow carries everything; the next takes over when it fails.
pub(crate) struct RsBackup;

fn params(msk: &Msk) -> BackupParams {
    BackupParams {
        // At most 60 s: the microseconds fit in 32 bits.
        min_stale_us: value(&SchedTunables::of(msk.net()).backup_stale_ms) * 1000,
    }
}

fn count(msk: &Msk, verdict: Verdict) {
    if verdict == Verdict::Switch {
        mib::inc(msk.net(), Counter::SchedHandover);
    }
}

/// The MPTCP retransmit timeout: the default one (`timeout`, jiffies, 0
/// for the minimum RTO), or sooner when the carrier would count as failed
/// sooner without an ACK.
fn timeout_for(timeout: i64, watch_us: Option<u32>) -> i64 {
    match watch_us {
        None => timeout,
        Some(us) if timeout > 0 => timeout.min(usecs_to_jiffies(us)),
        Some(us) => usecs_to_jiffies(us),
    }
}

#[vtable]
impl Scheduler for RsBackup {
    const NAME: &'static CStr = c"rs_backup";

    type State = BackupState;

    fn get_send(msk: &Msk, state: &mut BackupState) -> Result {
        let mut sched = Backup::new(state, params(msk), now_us());
        let timeout = walk(msk, |sf, input| sched.visit(sf, input));
        let out = sched.finish(&msk_input(msk));
        count(msk, out.verdict);
        apply(msk, out.decision, timeout_for(timeout, out.watch_us))
    }

    /// Retransmissions move the data of a failed subflow to the carrier:
    /// the failed subflow is marked stale, which queues its data again.
    fn get_retrans(msk: &Msk, state: &mut BackupState) -> Result {
        let mut sched = Backup::new(state, params(msk), now_us());
        let timeout = walk(msk, |sf, input| sched.visit(sf, input));
        let out = sched.finish_retrans();
        count(msk, out.verdict);
        msk.set_timeout(timeout_for(timeout, out.watch_us));
        if let Some(failed) = out.stale {
            if msk.set_stale(failed) {
                mib::inc(msk.net(), Counter::SchedStale);
            }
        }
        let Pick::One(sf) = out.decision.pick else {
            mib::inc(msk.net(), Counter::SchedRetransNone);
            return Err(EINVAL);
        };
        sf.set_scheduled(true);
        mib::inc(msk.net(), Counter::SchedRetrans);
        Ok(())
    }
}
