// SPDX-License-Identifier: GPL-2.0

//! A connection as a path manager sees it: the [`Conn`] traits of
//! [`crate::logic::pm`], implemented over `struct mptcp_sock` and the MPTCP
//! core's path-manager helpers (kernel patch 0010).
//!
//! C headers: [`include/net/mptcp.h`](srctree/include/net/mptcp.h),
//! [`net/mptcp/protocol.h`](srctree/net/mptcp/protocol.h).
//!
//! The helpers differ in the locks they expect: some want `msk->pm.lock`
//! held (and may drop it for a moment), some want it released (they take
//! it, or sleep).  [`PmConn`] knows which state the lock is in and puts it
//! in the state each call needs, then back in the state its caller had
//! when it is dropped, so the decision code never deals with locks.  It
//! reads the accounting only with the lock held, and never holds a copy
//! across a call that may drop it (the decision code's rule, see
//! [`crate::logic::pm`]).

use super::{
    mib,
    msk::{
        Msk,
        Subflow, //
    },
    net::Net,
    time,
    trace, //
};
use crate::logic::{
    mib::Counter,
    pm::{
        flags,
        Addr,
        Conn,
        ConnBase,
        ConnInfo,
        EndpCounts,
        Endpoint,
        Endpoints,
        IdList,
        IdSet,
        Limits,
        PmState,
        SubflowView,
        AF_INET, //
    },
};
use core::{
    cell::Cell,
    marker::PhantomData,
    ops::ControlFlow, //
};
use kernel::{
    bindings,
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        rcu,
    },
};

// The flags the decision code uses are the uapi ones.
const _: () = {
    assert!(flags::SIGNAL == bindings::MPTCP_PM_ADDR_FLAG_SIGNAL);
    assert!(flags::SUBFLOW == bindings::MPTCP_PM_ADDR_FLAG_SUBFLOW);
    assert!(flags::BACKUP == bindings::MPTCP_PM_ADDR_FLAG_BACKUP);
    assert!(flags::FULLMESH == bindings::MPTCP_PM_ADDR_FLAG_FULLMESH);
    assert!(flags::IMPLICIT == bindings::MPTCP_PM_ADDR_FLAG_IMPLICIT);
    assert!(flags::LAMINAR == bindings::MPTCP_PM_ADDR_FLAG_LAMINAR);
    assert!(AF_INET == bindings::AF_INET as u16);
    assert!(crate::logic::pm::AF_INET6 == bindings::AF_INET6 as u16);
    assert!(crate::logic::pm::RM_IDS_MAX == bindings::MPTCP_RM_IDS_MAX as usize);
};

/// `struct mptcp_addr_info` to [`Addr`].
pub(crate) fn addr_from_c(a: &bindings::mptcp_addr_info) -> Addr {
    // SAFETY: every member of the union is plain bytes.
    let mut ip = unsafe { a.__bindgen_anon_1.addr6.in6_u.u6_addr8 };
    if a.family == AF_INET {
        // Only the first 4 bytes belong to an IPv4 address.
        ip[4..].fill(0);
    }
    Addr {
        id: a.id,
        family: a.family,
        port: a.port,
        ip,
    }
}

/// [`Addr`] to `struct mptcp_addr_info`.
fn addr_to_c(a: &Addr) -> bindings::mptcp_addr_info {
    let mut out: bindings::mptcp_addr_info = pin_init::zeroed();
    out.id = a.id;
    out.family = a.family;
    out.port = a.port;
    out.__bindgen_anon_1.addr6.in6_u.u6_addr8 = a.ip;
    out
}

/// `struct mptcp_pm_addr_entry` to [`Endpoint`].
pub(crate) fn endpoint_from_c(e: &bindings::mptcp_pm_addr_entry) -> Endpoint {
    Endpoint {
        addr: addr_from_c(&e.addr),
        flags: e.flags,
        ifindex: e.ifindex,
    }
}

/// `mptcp_local_address()` or `mptcp_remote_address()` of a socket.
///
/// # Safety
///
/// `sk` is a valid socket.
unsafe fn sock_addr(sk: *const bindings::sock, local: bool) -> Addr {
    let mut out: bindings::mptcp_addr_info = pin_init::zeroed();
    // A `struct sock` starts with its `struct sock_common`.
    let skc = sk.cast::<bindings::sock_common>();
    // SAFETY: `skc` is valid (caller's guarantee), `out` is ours.
    unsafe {
        if local {
            bindings::mptcp_local_address(skc, &mut out);
        } else {
            bindings::mptcp_remote_address(skc, &mut out);
        }
    }
    addr_from_c(&out)
}

/// An iterator over a list of `struct mptcp_pm_addr_entry`.
///
/// # Invariants
///
/// `head` is a list of entries linked by their `list` member, and `pos`
/// one of its nodes or `head`; the entries stay valid and linked for `'a`,
/// under RCU (`_rcu` held) or because the caller owns the list.
#[derive(Clone)]
pub(crate) struct EndpointList<'a> {
    head: *mut bindings::list_head,
    pos: *mut bindings::list_head,
    _rcu: Option<&'a rcu::Guard>,
}

impl<'a> EndpointList<'a> {
    /// The entries of a list nobody changes while `'a` lasts.
    ///
    /// # Safety
    ///
    /// `head` is such a list of `struct mptcp_pm_addr_entry`.
    pub(crate) unsafe fn new(head: *mut bindings::list_head) -> Self {
        // SAFETY: a valid list head (caller's guarantee).
        let first = unsafe { (*head).next };
        // INVARIANT: the caller keeps the list stable.
        Self {
            head,
            pos: first,
            _rcu: None,
        }
    }

    /// The endpoints of `net`, read under `guard`.
    fn of_net(net: &Net, guard: &'a rcu::Guard) -> Self {
        // SAFETY: the namespace is alive; its endpoint list head lives as
        // long as it does.
        let head = unsafe { bindings::mptcp_pm_endp_list(net.as_raw()) };
        // SAFETY: the head is valid; `next` is read once, as
        // `list_for_each_entry_rcu()` does (rcu_dereference()).
        let first = unsafe { Atomic::from_ptr(&raw mut (*head).next) }.load(Relaxed);
        // INVARIANT: RCU keeps the entries we reach alive while `guard` is.
        Self {
            head,
            pos: first,
            _rcu: Some(guard),
        }
    }
}

impl Iterator for EndpointList<'_> {
    type Item = Endpoint;

    fn next(&mut self) -> Option<Endpoint> {
        if self.pos == self.head {
            return None;
        }
        // `list` is the entry's first member.
        const _: () = assert!(core::mem::offset_of!(bindings::mptcp_pm_addr_entry, list) == 0);
        let entry = self.pos.cast::<bindings::mptcp_pm_addr_entry>();
        // SAFETY: `pos` is a node of the list, so the entry is valid (type
        // invariant); `next` is read once, as rcu_dereference() does.
        self.pos = unsafe { Atomic::from_ptr(&raw mut (*self.pos).next) }.load(Relaxed);
        // SAFETY: a valid entry, only read.
        Some(endpoint_from_c(unsafe { &*entry }))
    }
}

/// The endpoints of a namespace, for callbacks that read nothing else.
pub(crate) struct NetEndpoints<'a>(&'a Net);

impl<'a> NetEndpoints<'a> {
    /// The endpoints of `net`.
    pub(crate) fn new(net: &'a Net) -> Self {
        Self(net)
    }
}

impl Endpoints for NetEndpoints<'_> {
    fn endpoints(&self, mut f: impl FnMut(&Endpoint) -> ControlFlow<()>) {
        let guard = rcu::read_lock();
        for e in EndpointList::of_net(self.0, &guard) {
            if f(&e).is_break() {
                return;
            }
        }
    }
}

/// The connection fields the decisions read, with or without the socket
/// lock.
///
/// # Safety
///
/// `msk` is a live connection; the caller holds `msk->pm.lock`, which
/// protects `msk->pm.remote`.
unsafe fn conn_info(msk: *mut bindings::mptcp_sock) -> ConnInfo {
    let sk = msk.cast::<bindings::sock>();
    // SAFETY: `msk` is valid (caller's guarantee).
    let pm = unsafe { &raw mut (*msk).pm };
    // SAFETY: as above; the fields set at creation do not change, the
    // others are read once, as the C code does with READ_ONCE().
    unsafe {
        let reset = &raw mut (*pm).__bindgen_anon_1.__bindgen_anon_1;
        let signal = Atomic::from_ptr((&raw mut (*reset).addr_signal).cast::<i8>()).load(Relaxed);
        ConnInfo {
            family: (*sk).__sk_common.skc_family,
            ipv6_only: bindings::ipv6_only_sock(sk),
            local: sock_addr(sk, true),
            remote: sock_addr(sk, false),
            fully_established: bindings::mptcp_is_fully_established(sk),
            key_confirmed: Atomic::from_ptr(&raw mut (*msk).fully_established).load(Relaxed),
            deny_join_id0: Atomic::from_ptr(&raw mut (*reset).remote_deny_join_id0).load(Relaxed),
            signal_pending: (signal as u8)
                & (1 << bindings::mptcp_addr_signal_status_MPTCP_ADD_ADDR_SIGNAL)
                != 0,
            server_side: Atomic::from_ptr(&raw mut (*reset).server_side).load(Relaxed),
            announced: addr_from_c(&(*pm).remote),
            limits: Limits {
                add_addr_accepted: bindings::mptcp_pm_get_limit_add_addr_accepted(msk),
                extra_subflows: bindings::mptcp_pm_get_limit_extra_subflows(msk),
            },
            counts: EndpCounts {
                signal: bindings::mptcp_pm_get_endp_signal_max(msk),
                subflow: bindings::mptcp_pm_get_endp_subflow_max(msk),
                laminar: bindings::mptcp_pm_get_endp_laminar_max(msk),
                fullmesh: bindings::mptcp_pm_get_endp_fullmesh_max(msk),
            },
        }
    }
}

const MPC_ACCOUNTED: u16 = 1 << bindings::mptcp_pm_status_MPTCP_PM_MPC_ENDPOINT_ACCOUNTED;

/// Reads the accounting.
///
/// # Safety
///
/// `msk` is a live connection whose `msk->pm.lock` the caller holds.
unsafe fn load_pm(msk: *mut bindings::mptcp_sock) -> PmState {
    // SAFETY: valid, and the PM lock serialises the writers.
    unsafe {
        let pm = &raw mut (*msk).pm;
        let r = &raw mut (*pm).__bindgen_anon_1.__bindgen_anon_1;
        let mut avail = [0u64; 4];
        for (w, v) in avail.iter_mut().zip((*pm).id_avail_bitmap.iter()) {
            // `unsigned long` is 64 bits wide where we build.
            *w = *v as u64;
        }
        PmState {
            add_addr_signaled: (*r).add_addr_signaled,
            add_addr_accepted: (*r).add_addr_accepted,
            local_addr_used: (*r).local_addr_used,
            extra_subflows: (*r).extra_subflows,
            accept_addr: (*r).accept_addr,
            accept_subflow: (*r).accept_subflow,
            work_pending: (*r).work_pending,
            id_avail: IdSet(avail),
            mpc_endpoint_id: (*msk).mpc_endpoint_id,
            mpc_accounted: (*r).status & MPC_ACCOUNTED != 0,
        }
    }
}

/// Writes the accounting back.
///
/// # Safety
///
/// As for [`load_pm`].
unsafe fn store_pm(msk: *mut bindings::mptcp_sock, s: &PmState) {
    // SAFETY: valid, and we hold the PM lock.  The flags read without the
    // lock elsewhere are written once, as C does with WRITE_ONCE().
    unsafe {
        let pm = &raw mut (*msk).pm;
        let r = &raw mut (*pm).__bindgen_anon_1.__bindgen_anon_1;
        (*r).add_addr_signaled = s.add_addr_signaled;
        (*r).add_addr_accepted = s.add_addr_accepted;
        (*r).local_addr_used = s.local_addr_used;
        (*r).extra_subflows = s.extra_subflows;
        Atomic::from_ptr(&raw mut (*r).accept_addr).store(s.accept_addr, Relaxed);
        Atomic::from_ptr(&raw mut (*r).accept_subflow).store(s.accept_subflow, Relaxed);
        Atomic::from_ptr(&raw mut (*r).work_pending).store(s.work_pending, Relaxed);
        for (v, w) in (*pm).id_avail_bitmap.iter_mut().zip(s.id_avail.0.iter()) {
            *v = *w as c_ulong;
        }
        (*msk).mpc_endpoint_id = s.mpc_endpoint_id;
        if s.mpc_accounted {
            (*r).status |= MPC_ACCOUNTED;
        } else {
            (*r).status &= !MPC_ACCOUNTED;
        }
    }
}

/// A connection inside a path-manager callback that holds its socket lock.
///
/// # Invariants
///
/// `msk` is a connection whose socket lock the caller holds for `'a`, and
/// whose path manager is the one whose private state is a `P` in
/// `msk->pm_priv`.  `locked` tells whether we hold `msk->pm.lock` now;
/// `entered_locked` whether the caller held it, and `drop` puts it back
/// in that state.
pub(crate) struct PmConn<'a, P> {
    msk: *mut bindings::mptcp_sock,
    entered_locked: bool,
    locked: Cell<bool>,
    _private: PhantomData<(&'a mut bindings::mptcp_sock, P)>,
}

impl<'a, P: Default + Copy> PmConn<'a, P> {
    /// The per-connection state fits in `msk->pm_priv`.
    const PRIVATE_FITS: () = assert!(
        size_of::<P>() <= bindings::MPTCP_PM_PRIV_SIZE as usize
            && align_of::<P>() <= align_of::<u64>(),
        "path manager state does not fit in msk->pm_priv"
    );

    /// Wraps `msk` for a callback.
    ///
    /// # Safety
    ///
    /// The caller holds the socket lock of `msk` for `'a`, and
    /// `msk->pm.lock` if `pm_locked`; the path manager of `msk` keeps a `P`
    /// in `msk->pm_priv` (`init` ran).
    pub(crate) unsafe fn enter(msk: *mut bindings::mptcp_sock, pm_locked: bool) -> Self {
        let () = Self::PRIVATE_FITS;
        // INVARIANT: the caller's guarantees.
        Self {
            msk,
            entered_locked: pm_locked,
            locked: Cell::new(pm_locked),
            _private: PhantomData,
        }
    }

    /// Wraps a connection starting to use the path manager, and writes its
    /// initial private state.
    ///
    /// # Safety
    ///
    /// `msk` is a connection nobody else sees yet, whose `pm_priv` is ours.
    pub(crate) unsafe fn init(msk: *mut bindings::mptcp_sock) -> Self {
        let () = Self::PRIVATE_FITS;
        // SAFETY: `pm_priv` is large and aligned enough (`PRIVATE_FITS`)
        // and ours.
        unsafe { (&raw mut (*msk).pm_priv).cast::<P>().write(P::default()) };
        // INVARIANT: nobody else sees the connection, as good as holding
        // its locks; `drop` leaves the PM lock as it is.
        Self {
            msk,
            entered_locked: true,
            locked: Cell::new(true),
            _private: PhantomData,
        }
    }
}

impl<P> PmConn<'_, P> {
    fn pm_lock(&self) -> *mut bindings::spinlock_t {
        // SAFETY: `msk` is valid (type invariant); this only computes the
        // address of its PM lock.
        unsafe { &raw mut (*self.msk).pm.lock }
    }

    /// Takes `msk->pm.lock` unless we hold it.
    fn lock(&self) {
        if !self.locked.get() {
            // SAFETY: the lock is initialised for the life of the msk, and
            // we do not hold it.
            unsafe { bindings::spin_lock_bh(self.pm_lock()) };
            self.locked.set(true);
        }
    }

    /// Releases `msk->pm.lock` if we hold it.
    fn unlock(&self) {
        if self.locked.get() {
            // SAFETY: we hold the lock (the invariant on `locked`).
            unsafe { bindings::spin_unlock_bh(self.pm_lock()) };
            self.locked.set(false);
        }
    }

    /// The connection, as the schedulers' wrapper shows it.
    fn as_msk(&self) -> &Msk {
        // SAFETY: we hold the socket lock for our lifetime (type invariant).
        unsafe { Msk::from_raw(self.msk) }
    }

    /// The connection's namespace.
    pub(crate) fn net(&self) -> &Net {
        self.as_msk().net()
    }

    /// `msk->pm.work_pending`: events reach the path manager only while it
    /// is set.
    pub(crate) fn set_work_pending(&mut self) {
        let mut pm = self.pm();
        pm.work_pending = true;
        self.set_pm(&pm);
    }
}

impl<P> Drop for PmConn<'_, P> {
    fn drop(&mut self) {
        if self.entered_locked {
            self.lock();
        } else {
            self.unlock();
        }
    }
}

impl<P> Endpoints for PmConn<'_, P> {
    fn endpoints(&self, f: impl FnMut(&Endpoint) -> ControlFlow<()>) {
        NetEndpoints::new(self.net()).endpoints(f)
    }
}

impl<P> ConnBase for PmConn<'_, P> {
    fn info(&self) -> ConnInfo {
        self.lock();
        // SAFETY: a live connection, whose PM lock we now hold.
        unsafe { conn_info(self.msk) }
    }

    fn pm(&self) -> PmState {
        self.lock();
        // SAFETY: a live connection, whose PM lock we now hold.
        unsafe { load_pm(self.msk) }
    }

    fn set_pm(&mut self, pm: &PmState) {
        self.lock();
        // SAFETY: a live connection, whose PM lock we now hold.
        unsafe { store_pm(self.msk, pm) }
    }

    fn count(&mut self, counter: Counter) {
        // SAFETY: a live connection (type invariant).
        unsafe { count(self.msk, self.net(), counter) }
    }
}

impl<P: Copy> Conn for PmConn<'_, P> {
    type Private = P;

    fn subflows(&self, mut f: impl FnMut(&SubflowView) -> ControlFlow<()>) {
        for sf in self.as_msk().subflows() {
            if f(&sf.view()).is_break() {
                return;
            }
        }
    }

    fn first_local(&self) -> Option<Addr> {
        // SAFETY: `first` only changes under the msk socket lock, which we
        // hold; when set, it is a subflow socket of the connection.
        let first = unsafe { (*self.msk).first };
        if first.is_null() {
            return None;
        }
        // SAFETY: a valid socket (see above).
        Some(unsafe { sock_addr(first, true) })
    }

    fn private(&mut self) -> &mut P {
        // SAFETY: `pm_priv` holds a `P` (type invariant), only used under
        // the msk socket lock, which we hold; `&mut self` makes the
        // reference unique among the users of this wrapper, and a nested
        // callback (made by one of the actions below) cannot run while it
        // is borrowed.
        unsafe { &mut *(&raw mut (*self.msk).pm_priv).cast::<P>() }
    }

    fn now(&self) -> u32 {
        // The retry table works on the low 32 bits, wrapping.
        time::jiffies() as u32
    }

    fn ms_to_jiffies(&self, ms: u32) -> u32 {
        kernel::time::msecs_to_jiffies(ms)
            .try_into()
            .unwrap_or(u32::MAX)
    }

    fn send_prio_first(&mut self, backup: bool) {
        // SAFETY: `first` only changes under the msk socket lock we hold.
        let first = unsafe { (*self.msk).first };
        if first.is_null() {
            return;
        }
        // `mptcp_pm_send_ack()` wants the PM lock held; it drops it while
        // it sends.
        self.lock();
        // SAFETY: `first` is a subflow socket of the locked connection.
        unsafe {
            let subflow = bindings::mptcp_subflow_ctx(first);
            bindings::mptcp_pm_send_ack(self.msk, subflow, true, backup);
        }
    }

    fn send_prio(&mut self, addr: &Addr, backup: bool) {
        let mut a = addr_to_c(addr);
        // It locks subflow sockets, which may sleep: not under the PM lock.
        self.unlock();
        // SAFETY: a locked connection and a valid address; NULL for no
        // remote address.
        unsafe {
            bindings::mptcp_pm_mp_prio_send_ack(
                self.msk,
                &mut a,
                core::ptr::null_mut(),
                u8::from(backup),
            )
        };
    }

    fn announced_alloc(&mut self, addr: &Addr) -> bool {
        let a = addr_to_c(addr);
        self.lock();
        // SAFETY: both locks held, as the function wants.
        unsafe { bindings::mptcp_pm_announced_alloc(self.msk, &a) }
    }

    fn announced_remove(&mut self, addr: &Addr) -> bool {
        let a = addr_to_c(addr);
        // It takes the PM lock, and waits for the retransmission timer.
        self.unlock();
        // SAFETY: a locked connection and a valid address.
        unsafe { bindings::mptcp_pm_announced_remove(self.msk, &a) }
    }

    fn announce(&mut self, addr: &Addr, echo: bool) {
        let a = addr_to_c(addr);
        self.lock();
        // SAFETY: both locks held, as both functions want; a failure is
        // counted by the core (ADD_ADDR dropped).
        unsafe {
            bindings::mptcp_pm_announce_addr(self.msk, &a, echo);
            bindings::mptcp_pm_addr_send_ack(self.msk);
        }
    }

    fn remove_addr(&mut self, ids: &IdList) {
        let list = rm_list(ids);
        self.lock();
        // SAFETY: both locks held; a failure is counted by the core.
        unsafe { bindings::mptcp_pm_remove_addr(self.msk, &list) };
    }

    fn rm_subflow(&mut self, ids: &IdList) {
        let list = rm_list(ids);
        self.lock();
        // SAFETY: both locks held, as the function wants; it drops the PM
        // lock while it closes subflows, which calls `subflow_closed` back
        // with its own wrapper (we hold no reference into the connection).
        unsafe { bindings::mptcp_pm_rm_subflow(self.msk, &list) };
    }

    fn connect(&mut self, local: &Endpoint, remote: &Addr) -> Result<(), i32> {
        let mut l: bindings::mptcp_pm_local = pin_init::zeroed();
        l.addr = addr_to_c(&local.addr);
        l.flags = local.flags;
        l.ifindex = local.ifindex;
        let r = addr_to_c(remote);
        // It may sleep, and takes the PM lock on failure.
        self.unlock();
        // SAFETY: a locked connection, valid addresses.
        let ret = unsafe { bindings::__mptcp_subflow_connect(self.msk.cast(), &l, &r) };
        if ret == 0 {
            Ok(())
        } else {
            Err(ret)
        }
    }

    fn schedule_pass(&mut self) {
        self.lock();
        // SAFETY: both locks held, as the function wants.
        unsafe {
            bindings::mptcp_pm_schedule_work(
                self.msk,
                bindings::mptcp_pm_status_MPTCP_PM_SUBFLOW_ESTABLISHED,
            )
        };
    }

    fn arm_timer(&mut self, delay: u32) {
        self.lock();
        // SAFETY: both locks held, as the function wants.
        unsafe {
            bindings::mptcp_pm_timer_arm(self.msk, c_ulong::try_from(delay).unwrap_or(c_ulong::MAX))
        };
    }
}

fn rm_list(ids: &IdList) -> bindings::mptcp_rm_list {
    let mut list: bindings::mptcp_rm_list = pin_init::zeroed();
    for (slot, id) in list.ids.iter_mut().zip(ids.iter()) {
        *slot = *id;
    }
    // At most MPTCP_RM_IDS_MAX, checked at build time.
    list.nr = ids.len() as u8;
    list
}

/// A connection inside a callback that runs in softirq, without its socket
/// lock, with `msk->pm.lock` held.
///
/// # Invariants
///
/// `msk` is a live connection whose PM lock the caller holds for `'a`.
pub(crate) struct PmSoft<'a> {
    msk: *mut bindings::mptcp_sock,
    _lock: PhantomData<&'a mut bindings::mptcp_sock>,
}

impl PmSoft<'_> {
    /// # Safety
    ///
    /// The caller holds `msk->pm.lock`, and `msk` is alive, for `'a`.
    pub(crate) unsafe fn enter(msk: *mut bindings::mptcp_sock) -> Self {
        // INVARIANT: the caller's guarantee.
        Self {
            msk,
            _lock: PhantomData,
        }
    }

    fn net(&self) -> &Net {
        // SAFETY: a live connection holds its namespace.
        unsafe { Net::of_sock(self.msk.cast()) }
    }
}

impl Endpoints for PmSoft<'_> {
    fn endpoints(&self, f: impl FnMut(&Endpoint) -> ControlFlow<()>) {
        NetEndpoints::new(self.net()).endpoints(f)
    }
}

impl ConnBase for PmSoft<'_> {
    fn info(&self) -> ConnInfo {
        // SAFETY: a live connection whose PM lock we hold.
        unsafe { conn_info(self.msk) }
    }

    fn pm(&self) -> PmState {
        // SAFETY: a live connection whose PM lock we hold.
        unsafe { load_pm(self.msk) }
    }

    fn set_pm(&mut self, pm: &PmState) {
        // SAFETY: a live connection whose PM lock we hold.
        unsafe { store_pm(self.msk, pm) }
    }

    fn count(&mut self, counter: Counter) {
        // SAFETY: a live connection (type invariant).
        unsafe { count(self.msk, self.net(), counter) }
    }
}

/// Counts a path manager's decision on `msk` in `net`, the namespace's
/// counters, and emits it as the `mptcp:mptcp_pm_event` tracepoint.
///
/// # Safety
///
/// `msk` is a live connection.
unsafe fn count(msk: *mut bindings::mptcp_sock, net: &Net, counter: Counter) {
    mib::inc(net, counter);
    // SAFETY: a live connection (the caller's guarantee); its token is set
    // before a path manager sees it and not changed after.
    trace::pm_event(unsafe { (*msk).token }, counter);
}

impl Subflow {
    /// The subflow, as the path managers see it.
    pub(crate) fn view(&self) -> SubflowView {
        let ssk = self.sock();
        // SAFETY: the subflow and its socket are valid (type invariant of
        // `Subflow`); the fields are read once, as C does.
        unsafe {
            SubflowView {
                local: sock_addr(ssk, true),
                remote: sock_addr(ssk, false),
                local_id: self.local_id(),
                remote_id: self.remote_id(),
                state: Atomic::from_ptr((&raw mut (*ssk).__sk_common.skc_state).cast::<i8>())
                    .load(Relaxed) as u8,
                request_join: self.request_join(),
                mp_join: self.mp_join(),
                fully_established: self.join_complete(),
                error: Atomic::from_ptr(&raw mut (*ssk).sk_err).load(Relaxed),
            }
        }
    }
}
