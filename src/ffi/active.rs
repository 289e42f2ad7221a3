// SPDX-License-Identifier: GPL-2.0

//! The active-MPTCP callbacks (kernel patches 0006 and 0012): whether a
//! connection tries MPTCP, blackholes, successes, fallbacks.
//!
//! C header: [`include/net/mptcp.h`](srctree/include/net/mptcp.h).

use super::net::Net;
use crate::logic::blackhole::Key;
use core::marker::PhantomData;
use kernel::{
    bindings,
    prelude::*, //
};

/// Why a connection fell back to TCP, from the `MPTcpExt` counter the
/// core gives as the reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fallback {
    /// MPTCP was not tried: the policy said no (`MPCapableActiveDisabled`).
    NotTried,
    /// The MP_CAPABLE SYN went unanswered or the peer answered without it
    /// (`MPCapableSYNTXDrop`, `MPCapableFallbackACK`).
    NoMpc,
    /// The first data came without MPTCP options (`MPCapableDataFallback`).
    OptionsDropped,
    /// A DSS mapping went missing or wrong (`DSSFallback`,
    /// `DSSCorruptionFallback`, `InfiniteMapTx`).
    Dss,
    /// Any other cause.
    Other,
}

impl Fallback {
    fn of_mib(field: c_int) -> Self {
        match u32::try_from(field).unwrap_or(u32::MAX) {
            bindings::linux_mptcp_mib_field_MPTCP_MIB_MPCAPABLEACTIVEDISABLED => Self::NotTried,
            bindings::linux_mptcp_mib_field_MPTCP_MIB_MPCAPABLEACTIVEDROP
            | bindings::linux_mptcp_mib_field_MPTCP_MIB_MPCAPABLEACTIVEFALLBACK => Self::NoMpc,
            bindings::linux_mptcp_mib_field_MPTCP_MIB_MPCAPABLEDATAFALLBACK => Self::OptionsDropped,
            bindings::linux_mptcp_mib_field_MPTCP_MIB_DSSFALLBACK
            | bindings::linux_mptcp_mib_field_MPTCP_MIB_DSSCORRUPTIONFALLBACK
            | bindings::linux_mptcp_mib_field_MPTCP_MIB_INFINITEMAPTX => Self::Dss,
            _ => Self::Other,
        }
    }
}

/// What decides whether a connection tries MPTCP, and hears how the
/// attempts went.  `dest` is `None` for an address that is neither IPv4
/// nor IPv6.  The core makes no call while `net.mptcp.blackhole_timeout`
/// is 0, and every call under `rcu_read_lock()`, some in softirq.
pub(crate) trait Policy {
    /// Whether a new connection to `dest` tries MPTCP.
    fn allow(net: &Net, dest: Option<Key>) -> bool;

    /// A blackhole towards `dest` was detected: MP_CAPABLE SYNs dropped,
    /// plain TCP SYNs answered.
    fn blackhole(net: &Net, dest: Option<Key>);

    /// An MPTCP connection to `dest` was established; `loopback` when it
    /// went through a loopback device.
    fn established(net: &Net, dest: Option<Key>, loopback: bool);

    /// A connection fell back to TCP (`done`), or could not and its
    /// subflow is reset.
    fn fallback(net: &Net, reason: Fallback, done: bool);
}

/// The destination a `connect()` address names, if it is IPv4 or IPv6 and
/// long enough.
///
/// # Safety
///
/// `addr` points to `len` readable bytes.
unsafe fn dest_of_sockaddr(addr: *const bindings::sockaddr, len: c_int) -> Option<Key> {
    let len = usize::try_from(len).ok()?;
    if addr.is_null() || len < size_of::<bindings::sockaddr>() {
        return None;
    }
    // SAFETY: at least a `struct sockaddr` is readable.
    let family = u32::from(unsafe { (*addr).sa_family });
    if family == bindings::AF_INET && len >= size_of::<bindings::sockaddr_in>() {
        // SAFETY: long enough for a `sockaddr_in`, which it is.
        let sin = unsafe { &*addr.cast::<bindings::sockaddr_in>() };
        Some(Key::v4(sin.sin_addr.s_addr.to_ne_bytes()))
    } else if family == bindings::AF_INET6 && len >= size_of::<bindings::sockaddr_in6>() {
        // SAFETY: long enough for a `sockaddr_in6`, which it is.
        let sin6 = unsafe { &*addr.cast::<bindings::sockaddr_in6>() };
        // SAFETY: every member of the union is plain bytes.
        Some(Key::v6(unsafe { sin6.sin6_addr.in6_u.u6_addr8 }))
    } else {
        None
    }
}

/// The destination of a connected socket.
///
/// # Safety
///
/// `sk` is a valid socket.
unsafe fn dest_of_sock(sk: *const bindings::sock) -> Option<Key> {
    // SAFETY: valid socket; the addresses are set before the callbacks run
    // and do not change afterwards.
    let common = unsafe { &(*sk).__sk_common };
    let family = u32::from(common.skc_family);
    if family == bindings::AF_INET {
        // SAFETY: IPv4 sockets use the `skc_daddr` member.
        let daddr = unsafe { common.__bindgen_anon_1.__bindgen_anon_1.skc_daddr };
        Some(Key::v4(daddr.to_ne_bytes()))
    } else if family == bindings::AF_INET6 {
        // SAFETY: every member of the union is plain bytes.
        Some(Key::v6(unsafe { common.skc_v6_daddr.in6_u.u6_addr8 }))
    } else {
        None
    }
}

/// The `extern "C"` side of a [`Policy`].
pub(crate) struct Adapter<T: Policy>(PhantomData<T>);

impl<T: Policy> Adapter<T> {
    /// # Safety
    ///
    /// Called by the MPTCP core, under `rcu_read_lock()`, with a live
    /// namespace and the `connect()` address.
    unsafe extern "C" fn allow(
        net: *mut bindings::net,
        daddr: *const bindings::sockaddr,
        addr_len: c_int,
    ) -> bool {
        // SAFETY: the connecting socket holds the namespace alive.
        let net = unsafe { Net::from_raw(net) };
        // SAFETY: `daddr` has `addr_len` bytes.
        T::allow(net, unsafe { dest_of_sockaddr(daddr, addr_len) })
    }

    /// # Safety
    ///
    /// Called by the MPTCP core, in softirq context under
    /// `rcu_read_lock()`, with a valid subflow socket.
    unsafe extern "C" fn blackhole(ssk: *const bindings::sock) {
        // SAFETY: the socket is valid for the call.
        let (net, dest) = unsafe { (Net::of_sock(ssk), dest_of_sock(ssk)) };
        T::blackhole(net, dest);
    }

    /// # Safety
    ///
    /// As for [`Self::blackhole`].
    unsafe extern "C" fn established(ssk: *const bindings::sock, loopback: bool) {
        // SAFETY: the socket is valid for the call.
        let (net, dest) = unsafe { (Net::of_sock(ssk), dest_of_sock(ssk)) };
        T::established(net, dest, loopback);
    }

    /// # Safety
    ///
    /// Called by the MPTCP core, under `rcu_read_lock()`, with a valid
    /// MPTCP socket.
    unsafe extern "C" fn fallback(sk: *const bindings::sock, reason: c_int, done: bool) {
        // SAFETY: the socket is valid for the call.
        let net = unsafe { Net::of_sock(sk) };
        T::fallback(net, Fallback::of_mib(reason), done);
    }
}

/// The active-MPTCP decisions, taken over from the core while it exists.
/// Fails with `EBUSY` when another module has them.
pub(crate) type Registration<T> = super::ops::Registration<Adapter<T>>;

// SAFETY: `mptcp_active_ops_register()` and `mptcp_active_ops_unregister()`
// are the core's pair for this table: the core calls through it, under
// RCU, from registration until the latter unlinks it and waits for the
// callbacks in progress (a grace period).
unsafe impl<T: Policy> super::ops::Ops for Adapter<T> {
    type Table = bindings::mptcp_active_ops;

    fn table(_module: &'static ThisModule) -> Self::Table {
        bindings::mptcp_active_ops {
            allow: Some(Self::allow),
            blackhole: Some(Self::blackhole),
            established: Some(Self::established),
            fallback: Some(Self::fallback),
        }
    }

    unsafe fn register(table: *mut Self::Table) -> c_int {
        // SAFETY: `table` is complete and stays put until unregistered
        // (the caller's promise).
        unsafe { bindings::mptcp_active_ops_register(table) }
    }

    unsafe fn unregister(table: *mut Self::Table) {
        // SAFETY: `table` is registered (the caller's promise).
        unsafe { bindings::mptcp_active_ops_unregister(table) }
    }
}
