// SPDX-License-Identifier: GPL-2.0

//! `rs_ndiffports`: N subflows between the same two addresses, from
//! distinct source ports.  N is `net.mptcp.rs.ndiffports`; the decisions
//! are in [`crate::logic::pm::ndiffports`].

use super::PathManager;
use crate::{
    ffi::pm_conn::{
        PmConn,
        PmSoft, //
    },
    logic::pm::{
        ndiffports::{
            self as logic,
            Private, //
        },
        Addr,
        ConnBase,
        SubflowView, //
    },
    mib::Counter,
    pm::tunables::PmNet,
};
use kernel::prelude::*;

/// N subflows over one pair of addresses.
pub(crate) struct RsNdiffports;

impl PathManager for RsNdiffports {
    const NAME: &'static CStr = c"rs_ndiffports";

    type Private = Private;

    fn init(c: &mut PmConn<'_, Private>) {
        // Established must reach us even without endpoints.
        c.set_work_pending();
    }

    fn established(c: &mut PmConn<'_, Private>) {
        c.count(Counter::PmEstablished);
        let n = PmNet::of(c.net()).ndiffports();
        logic::established(c, n);
    }

    fn subflow_established(c: &mut PmConn<'_, Private>) {
        logic::subflow_established(c);
    }

    fn add_addr_received(_c: &mut PmConn<'_, Private>) {
        // Announced addresses are not used; `accept_addr` says so, and the
        // core only echoes them.
    }

    fn timeout(c: &mut PmConn<'_, Private>) {
        logic::timeout(c);
    }

    fn subflow_closed(c: &mut PmConn<'_, Private>, sf: &SubflowView) {
        let policy = PmNet::of(c.net()).tunables.retry_policy();
        logic::subflow_closed(c, sf, policy.base_ms, policy.max);
    }

    fn closed(c: &mut PmConn<'_, Private>) {
        logic::closed(c);
    }

    fn accept_addr(c: &mut PmSoft<'_>, addr: &Addr) -> bool {
        logic::accept_addr(c, addr)
    }
}
