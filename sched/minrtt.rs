// SPDX-License-Identifier: GPL-2.0

//! `rs_minrtt`: lowest RTT first.

use super::{
    apply,
    count,
    msk_input,
    walk,
    Scheduler, //
};
use crate::{
    ffi::msk::Msk,
    logic::sched::minrtt::MinRtt, //
};
use kernel::prelude::*;

/// The subflow with the lowest smoothed RTT that can send now.
pub(crate) struct RsMinRtt;

#[vtable]
impl Scheduler for RsMinRtt {
    const NAME: &'static CStr = c"rs_minrtt";

    type State = ();

    fn get_send(msk: &Msk, _state: &mut ()) -> Result {
        let mut sched = MinRtt::new();
        let timeout = walk(msk, |sf, input| sched.visit(sf, input));
        let (decision, verdict) = sched.finish(&msk_input(msk));
        count(msk, verdict);
        apply(msk, decision, timeout)
    }
}
