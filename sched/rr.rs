// SPDX-License-Identifier: GPL-2.0

//! `rs_rr`: round-robin.

use super::{
    apply,
    msk_input,
    walk,
    Scheduler, //
};
use crate::{
    ffi::msk::Msk,
    logic::sched::rr::{
        RoundRobin,
        RrState, //
    },
    sched::tunables::SchedTunables,
    tunable::value,
};
use kernel::prelude::*;

/// Round-robin over the subflows that can send, `rr_segments` segments per
/// turn.
pub(crate) struct RsRr;

#[vtable]
impl Scheduler for RsRr {
    const NAME: &'static CStr = c"rs_rr";

    type State = RrState;

    fn get_send(msk: &Msk, state: &mut RrState) -> Result {
        let mut sched = RoundRobin::new(state, value(&SchedTunables::of(msk.net()).rr_segments));
        let timeout = walk(msk, |sf, input| sched.visit(sf, input));
        let decision = sched.finish(&msk_input(msk));
        apply(msk, decision, timeout)
    }
}
