// SPDX-License-Identifier: GPL-2.0

//! `rs_blest`: BLEST.

use super::{
    apply,
    count,
    msk_input,
    walk,
    Scheduler, //
};
use crate::{
    ffi::msk::Msk,
    logic::sched::blest::{
        Blest,
        BlestParams,
        BlestState, //
    },
    sched::tunables::SchedTunables,
    tunable::value,
};
use kernel::prelude::*;

/// Fastest first; a slower subflow only when it cannot block the receiver.
pub(crate) struct RsBlest;

#[vtable]
impl Scheduler for RsBlest {
    const NAME: &'static CStr = c"rs_blest";

    type State = BlestState;

    fn get_send(msk: &Msk, state: &mut BlestState) -> Result {
        let tunables = SchedTunables::of(msk.net());
        let params = BlestParams {
            lambda_min: value(&tunables.blest_lambda_min),
            lambda_max: value(&tunables.blest_lambda_max),
        };
        let mut sched = Blest::new(state, params);
        let timeout = walk(msk, |sf, input| sched.visit(sf, input));
        let (decision, verdict) = sched.finish(&msk_input(msk));
        count(msk, verdict);
        apply(msk, decision, timeout)
    }
}
