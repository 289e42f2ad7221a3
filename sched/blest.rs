// SPDX-License-Identifier: GPL-2.0

//! `rs_blest`: BLEST.

use super::{
    apply,
    count,
    default,
    msk_input,
    tunables::{
        BLEST_LAMBDA_MAX,
        BLEST_LAMBDA_MIN, //
    },
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
};
use kernel::prelude::*;

/// Fastest first; a slower subflow only when it cannot block the receiver.
pub(crate) struct RsBlest;

#[vtable]
impl Scheduler for RsBlest {
    const NAME: &'static CStr = c"rs_blest";

    type State = BlestState;

    fn get_send(msk: &Msk, state: &mut BlestState) -> Result {
        let params = BlestParams {
            lambda_min: BLEST_LAMBDA_MIN.get(),
            lambda_max: BLEST_LAMBDA_MAX.get(),
        };
        let mut sched = Blest::new(state, params);
        let timeout = walk(msk, |sf, input| sched.visit(sf, input));
        let (decision, verdict) = sched.finish(&msk_input(msk));
        count(msk, verdict);
        apply(msk, decision, timeout)
    }

    fn get_retrans(msk: &Msk, _state: &mut BlestState) -> Result {
        default::retrans(msk)
    }
}
