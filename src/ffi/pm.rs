// SPDX-License-Identifier: GPL-2.0

//! Path managers: what one implements, and its registration with the
//! MPTCP core (kernel patches 0008-0010).
//!
//! C header: [`include/net/mptcp.h`](srctree/include/net/mptcp.h).
//!
//! The core calls a connection's path manager on the events listed in
//! `struct mptcp_pm_ops`; each callback here builds the view of the
//! connection that its calling context allows ([`PmConn`] with the msk
//! socket lock held, [`PmSoft`] without it) and hands it to the
//! [`PathManager`].

use super::{
    mib,
    msk::Subflow,
    net::Net,
    pm_conn::{
        addr_from_c,
        endpoint_from_c,
        EndpointList,
        NetEndpoints,
        PmConn,
        PmSoft, //
    },
};
use crate::logic::{
    mib::Counter,
    pm::{
        self as logic,
        Addr,
        Endpoint,
        SubflowView, //
    },
};
use core::marker::PhantomData;
use kernel::{
    bindings,
    prelude::*, //
};

const NAME_MAX: usize = bindings::MPTCP_PM_NAME_MAX as usize;

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

/// The `extern "C"` side of a [`PathManager`].
///
/// Every callback but the softirq ones (`accept_addr`,
/// `allow_new_subflow`, `prio_received`, `get_local_id`, `get_priority`)
/// is called with the msk socket lock held, which serialises them and
/// makes the per-connection state in `msk->pm_priv` theirs alone.
pub(crate) struct Adapter<T: PathManager>(PhantomData<T>);

impl<T: PathManager> Adapter<T> {
    const NAME: [c_char; NAME_MAX] = super::name_field(T::NAME);

    /// # Safety
    ///
    /// Called by the MPTCP core only: `msk` is a connection starting to use
    /// these ops, not visible to anyone else, its `pm_priv` zeroed.
    unsafe extern "C" fn init(msk: *mut bindings::mptcp_sock) {
        // SAFETY: nobody else sees the connection; its PM data is set up.
        let mut c = unsafe { PmConn::<T::Private>::init(msk) };
        T::init(&mut c);
    }

    /// # Safety
    ///
    /// Called by the MPTCP core from its worker, with the msk socket lock
    /// and `msk->pm.lock` held.
    unsafe extern "C" fn established(msk: *mut bindings::mptcp_sock) {
        // SAFETY: both locks held, our ops (see above).
        let mut c = unsafe { PmConn::<T::Private>::enter(msk, true) };
        T::established(&mut c);
    }

    /// # Safety
    ///
    /// As for [`Self::established`].
    unsafe extern "C" fn subflow_established(msk: *mut bindings::mptcp_sock) {
        // SAFETY: both locks held, our ops.
        let mut c = unsafe { PmConn::<T::Private>::enter(msk, true) };
        T::subflow_established(&mut c);
    }

    /// # Safety
    ///
    /// As for [`Self::established`].
    unsafe extern "C" fn add_addr_received(msk: *mut bindings::mptcp_sock) {
        // SAFETY: both locks held, our ops.
        let mut c = unsafe { PmConn::<T::Private>::enter(msk, true) };
        T::add_addr_received(&mut c);
    }

    /// # Safety
    ///
    /// As for [`Self::established`].
    unsafe extern "C" fn timeout(msk: *mut bindings::mptcp_sock) {
        // SAFETY: both locks held, our ops.
        let mut c = unsafe { PmConn::<T::Private>::enter(msk, true) };
        T::timeout(&mut c);
    }

    /// # Safety
    ///
    /// Called by the MPTCP core with the msk socket lock and
    /// `msk->pm.lock` held.
    unsafe extern "C" fn rm_addr_received(msk: *mut bindings::mptcp_sock, id: u8) {
        // SAFETY: both locks held, our ops.
        let mut c = unsafe { PmConn::<T::Private>::enter(msk, true) };
        T::rm_addr_received(&mut c, id);
    }

    /// # Safety
    ///
    /// Called by the MPTCP core with the msk socket lock and
    /// `msk->pm.lock` held, `subflow` one of its subflows being closed.
    unsafe extern "C" fn subflow_closed(
        msk: *mut bindings::mptcp_sock,
        subflow: *const bindings::mptcp_subflow_context,
    ) {
        // SAFETY: the subflow is valid for the call, its msk locked.
        let sf = unsafe { Subflow::from_raw(subflow.cast_mut()) }.view();
        // SAFETY: both locks held, our ops.
        let mut c = unsafe { PmConn::<T::Private>::enter(msk, true) };
        T::subflow_closed(&mut c, &sf);
    }

    /// # Safety
    ///
    /// Called by the MPTCP core with the msk socket lock held.
    unsafe extern "C" fn closed(msk: *mut bindings::mptcp_sock) {
        // SAFETY: the msk socket lock is held, our ops.
        let mut c = unsafe { PmConn::<T::Private>::enter(msk, false) };
        T::closed(&mut c);
    }

    /// # Safety
    ///
    /// Called by the MPTCP core in softirq, with `msk->pm.lock` held and
    /// `addr` valid for the call.
    unsafe extern "C" fn accept_addr(
        msk: *mut bindings::mptcp_sock,
        addr: *const bindings::mptcp_addr_info,
    ) -> bool {
        // SAFETY: valid for the call.
        let addr = addr_from_c(unsafe { &*addr });
        // SAFETY: the PM lock is held.
        let mut c = unsafe { PmSoft::enter(msk) };
        T::accept_addr(&mut c, &addr)
    }

    /// # Safety
    ///
    /// As for [`Self::accept_addr`].
    unsafe extern "C" fn allow_new_subflow(msk: *mut bindings::mptcp_sock) -> bool {
        // SAFETY: the PM lock is held.
        let mut c = unsafe { PmSoft::enter(msk) };
        T::allow_new_subflow(&mut c)
    }

    /// # Safety
    ///
    /// Called by the MPTCP core in softirq, under RCU.
    unsafe extern "C" fn prio_received(
        msk: *mut bindings::mptcp_sock,
        _subflow: *mut bindings::mptcp_subflow_context,
        backup: u8,
    ) {
        // SAFETY: a live connection, which holds its namespace.
        let net = unsafe { Net::of_sock(msk.cast()) };
        T::prio_received(net, backup != 0);
    }

    /// # Safety
    ///
    /// Called by the MPTCP core with the msk socket lock held, `entry`
    /// valid for the call.
    unsafe extern "C" fn endp_added(
        msk: *mut bindings::mptcp_sock,
        entry: *const bindings::mptcp_pm_addr_entry,
    ) {
        // SAFETY: valid for the call.
        let entry = endpoint_from_c(unsafe { &*entry });
        // SAFETY: the msk socket lock is held, our ops.
        let mut c = unsafe { PmConn::<T::Private>::enter(msk, false) };
        T::endp_added(&mut c, &entry);
    }

    /// # Safety
    ///
    /// As for [`Self::endp_added`].
    unsafe extern "C" fn endp_removed(
        msk: *mut bindings::mptcp_sock,
        entry: *const bindings::mptcp_pm_addr_entry,
    ) {
        // SAFETY: valid for the call.
        let entry = endpoint_from_c(unsafe { &*entry });
        // SAFETY: the msk socket lock is held, our ops.
        let mut c = unsafe { PmConn::<T::Private>::enter(msk, false) };
        T::endp_removed(&mut c, &entry);
    }

    /// # Safety
    ///
    /// Called by the MPTCP core with the msk socket lock held; `rm_list` is
    /// a list of `struct mptcp_pm_addr_entry` that only the caller changes,
    /// not while we run.
    unsafe extern "C" fn endp_flushed(
        msk: *mut bindings::mptcp_sock,
        rm_list: *mut bindings::list_head,
    ) {
        // SAFETY: a stable list of entries, valid for the call.
        let list = unsafe { EndpointList::new(rm_list) };
        // SAFETY: the msk socket lock is held, our ops.
        let mut c = unsafe { PmConn::<T::Private>::enter(msk, false) };
        T::endp_flushed(&mut c, list);
    }

    /// # Safety
    ///
    /// As for [`Self::endp_added`].
    unsafe extern "C" fn endp_changed(
        msk: *mut bindings::mptcp_sock,
        entry: *const bindings::mptcp_pm_addr_entry,
        changed: u8,
    ) {
        // SAFETY: valid for the call.
        let entry = endpoint_from_c(unsafe { &*entry });
        // SAFETY: the msk socket lock is held, our ops.
        let mut c = unsafe { PmConn::<T::Private>::enter(msk, false) };
        T::endp_changed(&mut c, &entry, u32::from(changed));
    }

    /// The endpoint store's ID for the address: our path managers take the
    /// IDs `ip mptcp endpoint` shows, as the C one does.
    ///
    /// # Safety
    ///
    /// Called by the MPTCP core, under RCU, with valid arguments.
    unsafe extern "C" fn get_local_id(
        msk: *mut bindings::mptcp_sock,
        skc: *mut bindings::mptcp_pm_addr_entry,
    ) -> c_int {
        // SAFETY: forwarded from our caller, in the same context.
        unsafe { bindings::mptcp_pm_nl_get_local_id(msk, skc) }
    }

    /// # Safety
    ///
    /// Called by the MPTCP core, under RCU, with valid arguments.
    unsafe extern "C" fn get_priority(
        msk: *mut bindings::mptcp_sock,
        skc: *mut bindings::mptcp_addr_info,
    ) -> bool {
        // SAFETY: valid for the call.
        let addr = addr_from_c(unsafe { &*skc });
        // SAFETY: a live connection, which holds its namespace.
        let net = unsafe { Net::of_sock(msk.cast()) };
        T::get_priority(&NetEndpoints::new(net), &addr)
    }
}

/// A path manager registered with the MPTCP core, as `T::NAME`.
pub(crate) type Registration<T> = super::ops::Registration<Adapter<T>>;

// SAFETY: `mptcp_pm_register()` and `mptcp_pm_unregister()` (patch 0008)
// are the core's pair for path-manager tables: the core keeps a registered
// table on its RCU list until the latter unlinks it and waits for a grace
// period, after which no callback made without the msk socket lock can
// still use it.  The table's `owner` is `module`, which every connection
// using it holds a reference on (`try_module_get()` in the core's PM
// initialisation).
unsafe impl<T: PathManager> super::ops::Ops for Adapter<T> {
    type Table = bindings::mptcp_pm_ops;

    fn table(module: &'static ThisModule) -> Self::Table {
        let mut ops: Self::Table = pin_init::zeroed();
        ops.name = Self::NAME;
        ops.owner = module.as_ptr();
        ops.type_ = bindings::mptcp_pm_type_MPTCP_PM_TYPE_KERNEL as u8;
        ops.init = Some(Self::init);
        ops.established = Some(Self::established);
        ops.subflow_established = Some(Self::subflow_established);
        ops.add_addr_received = Some(Self::add_addr_received);
        ops.timeout = Some(Self::timeout);
        ops.rm_addr_received = Some(Self::rm_addr_received);
        ops.subflow_closed = Some(Self::subflow_closed);
        ops.closed = Some(Self::closed);
        ops.accept_addr = Some(Self::accept_addr);
        ops.allow_new_subflow = Some(Self::allow_new_subflow);
        ops.prio_received = Some(Self::prio_received);
        ops.endp_added = Some(Self::endp_added);
        ops.endp_removed = Some(Self::endp_removed);
        ops.endp_flushed = Some(Self::endp_flushed);
        ops.endp_changed = Some(Self::endp_changed);
        ops.get_local_id = Some(Self::get_local_id);
        ops.get_priority = Some(Self::get_priority);
        ops
    }

    unsafe fn register(table: *mut Self::Table) -> c_int {
        // SAFETY: `table` is complete and stays put until unregistered
        // (the caller's promise).
        unsafe { bindings::mptcp_pm_register(table) }
    }

    unsafe fn unregister(table: *mut Self::Table) {
        // SAFETY: `table` is registered (the caller's promise).
        unsafe { bindings::mptcp_pm_unregister(table) }
    }
}
