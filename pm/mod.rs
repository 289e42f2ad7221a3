// SPDX-License-Identifier: GPL-2.0

//! Path managers.
//!
//! A path manager decides which subflows a connection opens and which
//! addresses it announces.  Ours take their configuration from the
//! endpoints and limits that `ip mptcp endpoint` and `ip mptcp limits` set,
//! like the kernel's own; each is a small type that forwards the core's
//! events to its decisions in [`crate::logic::pm`].

#![forbid(unsafe_code)]

use crate::{
    ffi::{
        net::Net,
        pm_conn::{
            EndpointList,
            NetEndpoints,
            PmConn,
            PmSoft, //
        },
    },
    logic::pm::{
        self as logic,
        Addr,
        Endpoint,
        SubflowView, //
    },
    mib::{
        self,
        Counter, //
    },
};
use ::kernel::prelude::*;

pub(crate) mod kernel;
pub(crate) mod ndiffports;
pub(crate) mod tunables;

/// A path manager, selectable with `net.mptcp.path_manager`.
///
/// The callbacks are those of `struct mptcp_pm_ops`; see its documentation
/// for when the core makes them.  Those taking a [`PmConn`] hold the
/// connection's socket lock, those taking a [`PmSoft`] run in softirq.
pub(crate) trait PathManager {
    /// The name users select, at most 15 bytes.
    const NAME: &'static CStr;

    /// What the path manager keeps per connection, in `msk->pm_priv`;
    /// `Default` when the connection starts.
    type Private: Default + Copy;

    /// A connection starts using the path manager.
    fn init(_c: &mut PmConn<'_, Self::Private>) {}

    /// The connection is fully established.
    fn established(c: &mut PmConn<'_, Self::Private>);

    /// A subflow was established, or an announce completed.
    fn subflow_established(c: &mut PmConn<'_, Self::Private>);

    /// The peer announced an address this path manager accepted.
    fn add_addr_received(c: &mut PmConn<'_, Self::Private>);

    /// The timer this path manager armed expired.
    fn timeout(_c: &mut PmConn<'_, Self::Private>) {}

    /// The peer removed address `id`; the core closed our subflows to it.
    fn rm_addr_received(_c: &mut PmConn<'_, Self::Private>, _id: u8) {}

    /// A subflow is being closed.
    fn subflow_closed(_c: &mut PmConn<'_, Self::Private>, _sf: &SubflowView) {}

    /// The connection is closing.
    fn closed(_c: &mut PmConn<'_, Self::Private>) {}

    /// Whether to act on an announced address, or only echo it.
    fn accept_addr(c: &mut PmSoft<'_>, addr: &Addr) -> bool;

    /// Whether to accept a subflow the peer joins.
    fn allow_new_subflow(c: &mut PmSoft<'_>) -> bool {
        logic::allow_new_subflow(c)
    }

    /// The peer changed the priority of a subflow.
    fn prio_received(net: &Net, _backup: bool) {
        mib::inc(net, Counter::PmPrioReceived);
    }

    /// An endpoint was added.
    fn endp_added(_c: &mut PmConn<'_, Self::Private>, _entry: &Endpoint) {}

    /// An endpoint was removed; ID 0 names the initial subflow's address.
    fn endp_removed(_c: &mut PmConn<'_, Self::Private>, _entry: &Endpoint) {}

    /// Every endpoint was removed; they are in `removed`.
    fn endp_flushed(_c: &mut PmConn<'_, Self::Private>, _removed: EndpointList<'_>) {}

    /// The flags in `changed` of an endpoint changed.
    fn endp_changed(_c: &mut PmConn<'_, Self::Private>, _entry: &Endpoint, _changed: u32) {}

    /// Whether `addr` is a backup address: by default, the `backup` flag of
    /// its endpoint.
    fn get_priority(endpoints: &NetEndpoints<'_>, addr: &Addr) -> bool {
        logic::is_backup(endpoints, addr)
    }
}
