// SPDX-License-Identifier: GPL-2.0

//! Packet schedulers.
//!
//! A scheduler decides which subflow carries the next chunk of data.  Each
//! one here is a small type that reads the subflows of a locked connection,
//! feeds them to its decision code in [`crate::logic::sched`], and applies
//! the result.

use crate::ffi::msk::Msk;
use kernel::{
    error::VTABLE_DEFAULT_ERROR,
    prelude::*, //
};

pub(crate) mod default;

/// A packet scheduler, selectable with `net.mptcp.scheduler`.
#[vtable]
pub(crate) trait Scheduler {
    /// The name users select, at most 15 bytes.
    const NAME: &'static CStr;

    /// Marks the subflow(s) to send new data on with
    /// [`Subflow::set_scheduled`](crate::ffi::msk::Subflow::set_scheduled).
    /// Fails when no subflow can send.
    fn get_send(msk: &Msk) -> Result;

    /// Marks the subflow(s) to retransmit on.  Without it, the core uses
    /// [`Scheduler::get_send`] for retransmissions too.
    fn get_retrans(_msk: &Msk) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}
