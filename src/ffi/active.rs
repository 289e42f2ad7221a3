// SPDX-License-Identifier: GPL-2.0

//! The active-MPTCP callbacks (kernel patches 0006 and 0012): whether a
//! connection tries MPTCP, blackholes, successes, fallbacks.
//!
//! C header: [`include/net/mptcp.h`](srctree/include/net/mptcp.h).

use super::net::Net;
use crate::{
    blackhole,
    logic::blackhole::Key, //
};
use kernel::{bindings, error::to_result, prelude::*, types::Opaque};

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
    blackhole::allow(net, unsafe { dest_of_sockaddr(daddr, addr_len) })
}

/// # Safety
///
/// Called by the MPTCP core, in softirq context under `rcu_read_lock()`,
/// with a valid subflow socket.
unsafe extern "C" fn on_blackhole(ssk: *const bindings::sock) {
    // SAFETY: the socket is valid for the call.
    let (net, dest) = unsafe { (Net::of_sock(ssk), dest_of_sock(ssk)) };
    blackhole::blackhole(net, dest);
}

/// # Safety
///
/// As for [`on_blackhole`].
unsafe extern "C" fn on_established(ssk: *const bindings::sock, loopback: bool) {
    // SAFETY: the socket is valid for the call.
    let (net, dest) = unsafe { (Net::of_sock(ssk), dest_of_sock(ssk)) };
    blackhole::established(net, dest, loopback);
}

/// # Safety
///
/// Called by the MPTCP core, under `rcu_read_lock()`, with a valid MPTCP
/// socket.
unsafe extern "C" fn on_fallback(sk: *const bindings::sock, reason: c_int, done: bool) {
    // SAFETY: the socket is valid for the call.
    let net = unsafe { Net::of_sock(sk) };
    blackhole::fallback(net, u32::try_from(reason).unwrap_or(u32::MAX), done);
}

/// Our callbacks, registered with the MPTCP core.
///
/// # Invariants
///
/// `ops` is registered from construction until drop and does not move.
#[pin_data(PinnedDrop)]
pub(crate) struct Registration {
    #[pin]
    ops: Opaque<bindings::mptcp_active_ops>,
}

// SAFETY: only the MPTCP core reads `ops`, under RCU; unregistering works
// from any thread.
unsafe impl Send for Registration {}

// SAFETY: no `&self` method touches `ops`.
unsafe impl Sync for Registration {}

impl Registration {
    /// Takes over the active-MPTCP decisions.  Fails with `EBUSY` when
    /// another module has them.
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            ops <- Opaque::try_ffi_init(|slot: *mut bindings::mptcp_active_ops| {
                let ops = bindings::mptcp_active_ops {
                    allow: Some(allow),
                    blackhole: Some(on_blackhole),
                    established: Some(on_established),
                    fallback: Some(on_fallback),
                };
                // SAFETY: the initializer may write to `slot`.
                unsafe { slot.write(ops) };
                // SAFETY: complete ops, pinned until `drop`.
                // INVARIANT: registered on success.
                to_result(unsafe { bindings::mptcp_active_ops_register(slot) })
            }),
        })
    }
}

#[pinned_drop]
impl PinnedDrop for Registration {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: registered (type invariant); waits for running callbacks.
        unsafe { bindings::mptcp_active_ops_unregister(self.ops.get()) };
    }
}
