// SPDX-License-Identifier: GPL-2.0

//! `rs_backup`: active-backup with handover.

use super::{
    apply,
    msk_input,
    tunables::BACKUP_STALE_MS,
    walk,
    Scheduler, //
};
use crate::{
    ffi::msk::Msk,
    logic::sched::backup::{
        Backup,
        BackupParams,
        BackupState,
        Verdict, //
    },
    mib::{
        self,
        Counter, //
    },
};
use kernel::{
    prelude::*,
    time::msecs_to_jiffies, //
};

/// One subflow carries everything; the next takes over when it fails.
pub(crate) struct RsBackup;

fn params() -> BackupParams {
    BackupParams {
        // At most 60 s: the jiffies fit in 32 bits.
        stale_jiffies: msecs_to_jiffies(BACKUP_STALE_MS.get()) as u32,
    }
}

fn count(msk: &Msk, verdict: Verdict) {
    if verdict == Verdict::Switch {
        mib::inc(msk.net(), Counter::SchedHandover);
    }
}

#[vtable]
impl Scheduler for RsBackup {
    const NAME: &'static CStr = c"rs_backup";

    type State = BackupState;

    fn get_send(msk: &Msk, state: &mut BackupState) -> Result {
        let mut sched = Backup::new(state, params());
        let timeout = walk(msk, |sf, input| sched.visit(sf, input));
        let (decision, verdict) = sched.finish(&msk_input(msk));
        count(msk, verdict);
        apply(msk, decision, timeout)
    }

    /// Retransmissions go to the carrier, so that data stuck on a failed
    /// subflow moves over at once.
    fn get_retrans(msk: &Msk, state: &mut BackupState) -> Result {
        let mut sched = Backup::new(state, params());
        walk(msk, |sf, input| sched.visit(sf, input));
        let (pick, verdict) = sched.finish_retrans();
        count(msk, verdict);
        let Some(sf) = pick else {
            mib::inc(msk.net(), Counter::SchedRetransNone);
            return Err(EINVAL);
        };
        sf.set_scheduled(true);
        mib::inc(msk.net(), Counter::SchedRetrans);
        Ok(())
    }
}
