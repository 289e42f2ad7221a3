// SPDX-License-Identifier: GPL-2.0

//! `rs_ecf`: Earliest Completion First.

use super::{
    apply,
    count,
    msk_input,
    walk,
    Scheduler, //
};
use crate::{
    ffi::msk::Msk,
    logic::sched::ecf::{
        Ecf,
        EcfParams,
        EcfState, //
    },
    sched::tunables::SchedTunables,
    tunable::value,
};
use kernel::prelude::*;

/// Fastest first; a slower subflow only when waiting would finish later.
pub(crate) struct RsEcf;

#[vtable]
impl Scheduler for RsEcf {
    const NAME: &'static CStr = c"rs_ecf";

    type State = EcfState;

    fn get_send(msk: &Msk, state: &mut EcfState) -> Result {
        let params = EcfParams {
            beta: value(&SchedTunables::of(msk.net()).ecf_beta),
        };
        let mut sched = Ecf::new(state, params);
        let timeout = walk(msk, |sf, input| sched.visit(sf, input));
        let (decision, verdict) = sched.finish(&msk_input(msk));
        count(msk, verdict);
        apply(msk, decision, timeout)
    }
}
