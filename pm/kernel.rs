// SPDX-License-Identifier: GPL-2.0

//! `rs_kernel`: the in-kernel path manager's semantics, in Rust, plus the
//! re-creation of failed subflows with backoff.  The decisions are in
//! [`crate::logic::pm::kernel`].

use super::PathManager;
use crate::{
    ffi::pm_conn::{
        EndpointList,
        PmConn,
        PmSoft, //
    },
    logic::pm::{
        kernel::{
            self as logic,
            Private, //
        },
        Addr,
        ConnBase,
        Endpoint,
        SubflowView, //
    },
    mib::Counter,
    pm::tunables::PmNet,
};
use kernel::prelude::*;

/// The in-kernel path manager's semantics.
pub(crate) struct RsKernel;

impl PathManager for RsKernel {
    const NAME: &'static CStr = c"rs_kernel";

    type Private = Private;

    fn established(c: &mut PmConn<'_, Private>) {
        c.count(Counter::PmEstablished);
        logic::create_subflow_or_signal(c);
    }

    fn subflow_established(c: &mut PmConn<'_, Private>) {
        logic::create_subflow_or_signal(c);
    }

    fn add_addr_received(c: &mut PmConn<'_, Private>) {
        logic::add_addr_received(c);
    }

    fn timeout(c: &mut PmConn<'_, Private>) {
        logic::timeout(c);
    }

    fn rm_addr_received(c: &mut PmConn<'_, Private>, id: u8) {
        logic::rm_addr_received(c, id);
    }

    fn subflow_closed(c: &mut PmConn<'_, Private>, sf: &SubflowView) {
        let policy = PmNet::of(c.net()).tunables.retry_policy();
        logic::subflow_closed(c, sf, policy);
    }

    fn closed(c: &mut PmConn<'_, Private>) {
        logic::closed(c);
    }

    fn accept_addr(c: &mut PmSoft<'_>, addr: &Addr) -> bool {
        logic::accept_addr(c, addr)
    }

    fn endp_added(c: &mut PmConn<'_, Private>, entry: &Endpoint) {
        logic::endp_added(c, entry);
    }

    fn endp_removed(c: &mut PmConn<'_, Private>, entry: &Endpoint) {
        logic::endp_removed(c, entry);
    }

    fn endp_flushed(c: &mut PmConn<'_, Private>, removed: EndpointList<'_>) {
        logic::endp_flushed(c, removed);
    }

    fn endp_changed(c: &mut PmConn<'_, Private>, entry: &Endpoint, changed: u32) {
        logic::endp_changed(c, entry, changed);
    }
}
