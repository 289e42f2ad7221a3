// SPDX-License-Identifier: GPL-2.0

//! `rs_redundant`: all the data on every subflow.

use super::{
    apply,
    msk_input,
    walk,
    Scheduler, //
};
use crate::{
    ffi::msk::Msk,
    logic::sched::redundant::Redundant, //
};
use kernel::prelude::*;

/// Every active subflow carries every byte.
pub(crate) struct RsRedundant;

impl RsRedundant {
    fn schedule_all(msk: &Msk) -> Result {
        let mut sched = Redundant::new();
        let timeout = walk(msk, |_, input| sched.visit(input));
        apply(msk, sched.finish(&msk_input(msk)), timeout)
    }
}

#[vtable]
impl Scheduler for RsRedundant {
    const NAME: &'static CStr = c"rs_redundant";

    const REDUNDANT: bool = true;

    type State = ();

    fn get_send(msk: &Msk, _state: &mut ()) -> Result {
        Self::schedule_all(msk)
    }

    /// Retransmissions go out on every subflow too: the core sends the same
    /// fragment on each scheduled subflow.
    fn get_retrans(msk: &Msk, _state: &mut ()) -> Result {
        Self::schedule_all(msk)
    }
}
