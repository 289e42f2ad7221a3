// SPDX-License-Identifier: GPL-2.0

//! `rs_default`: the kernel's default scheduler, in Rust.

use super::Scheduler;
use crate::{
    ffi::msk::{
        Msk,
        Subflow, //
    },
    logic::sched::{
        default::{
            DefaultSend,
            SendInput, //
        },
        MskInput,
    },
    mib::{
        self,
        Counter, //
    },
};
use kernel::prelude::*;

/// Lowest linger time first, backups only when no primary is active.
pub(crate) struct RsDefault;

fn send_input(sf: &Subflow) -> SendInput {
    if !sf.is_active() {
        return SendInput::INACTIVE;
    }
    SendInput {
        active: true,
        backup: sf.is_backup(),
        timeout: sf.timeout(),
        avg_pacing_rate: sf.avg_pacing_rate(),
        pacing_rate: sf.pacing_rate(),
        wmem_queued: sf.wmem_queued(),
        memory_free: sf.memory_free(),
    }
}

#[vtable]
impl Scheduler for RsDefault {
    const NAME: &'static CStr = c"rs_default";

    type State = ();

    fn get_send(msk: &Msk, _state: &mut ()) -> Result {
        let mut sched = DefaultSend::new();
        for sf in msk.subflows() {
            if let Some(rate) = sched.visit(sf, &send_input(sf)) {
                sf.set_avg_pacing_rate(rate);
            }
        }
        let decision = sched.finish(&MskInput {
            wnd_end: msk.wnd_end(),
            snd_nxt: msk.snd_nxt(),
            ..MskInput::ZERO
        });
        msk.set_timeout(decision.timeout);

        let Some(sf) = decision.pick else {
            mib::inc(msk.net(), Counter::SchedSendNone);
            return Err(EINVAL);
        };
        if let Some(burst) = decision.burst {
            sf.set_avg_pacing_rate(burst.avg_pacing_rate);
            msk.set_snd_burst(burst.bytes);
        }
        sf.set_scheduled(true);
        mib::inc(msk.net(), Counter::SchedSend);
        if sf.is_backup() {
            mib::inc(msk.net(), Counter::SchedSendBackup);
        }
        Ok(())
    }
}
