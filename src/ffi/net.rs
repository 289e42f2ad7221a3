// SPDX-License-Identifier: GPL-2.0

//! Network namespaces and the module's state in each of them.
//!
//! C headers: [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h),
//! [`include/net/netns/generic.h`](srctree/include/net/netns/generic.h).

use super::sysctl;
use crate::netstate::NetState;
use core::cell::UnsafeCell;
use kernel::{
    bindings,
    error::to_result,
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
    types::Opaque,
};

/// A network namespace (`struct net`).
///
/// # Invariants
///
/// A `&Net` only exists while the namespace is alive: inside a callback
/// that runs on behalf of one of its sockets, or inside its pernet
/// `init`/`exit`.
#[repr(transparent)]
pub(crate) struct Net(Opaque<bindings::net>);

/// The namespace a per-namespace state belongs to.
///
/// # Invariants
///
/// Points to a namespace that outlives the value: it is only stored in
/// that namespace's own state, which its pernet `exit` drops.
pub(crate) struct Owner(*mut bindings::net);

// SAFETY: a namespace may be used from any thread while it lives, which it
// does for as long as the value (type invariant).
unsafe impl Send for Owner {}

// SAFETY: as above; the pointer is never written.
unsafe impl Sync for Owner {}

impl Owner {
    /// For the state of `net`, and only there.
    pub(crate) fn new(net: &Net) -> Self {
        // INVARIANT: the caller stores it in `net`'s own state.
        Self(net.as_raw())
    }

    /// The namespace.
    pub(crate) fn get(&self) -> &Net {
        // SAFETY: the namespace outlives `self` (type invariant).
        unsafe { Net::from_raw(self.0) }
    }
}

/// The id the kernel gives our per-namespace state (`pernet_operations.id`).
struct NetId(UnsafeCell<c_uint>);

// SAFETY: the kernel writes the id once, in `register_pernet_subsys()`,
// before any namespace gets our state; afterwards it is only read.
unsafe impl Sync for NetId {}

static NET_ID: NetId = NetId(UnsafeCell::new(0));

// `net_generic()` memory comes from kzalloc(), aligned for any of these.
const _: () = assert!(align_of::<NetState>() <= align_of::<u64>());

impl Net {
    /// # Safety
    ///
    /// `ptr` is a live namespace for all of `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::net) -> &'a Self {
        // SAFETY: transparent wrapper; the caller guarantees validity.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// The namespace of a socket.
    ///
    /// # Safety
    ///
    /// `sk` is a valid socket for all of `'a`.
    pub(crate) unsafe fn of_sock<'a>(sk: *const bindings::sock) -> &'a Self {
        // SAFETY: a valid socket holds its namespace alive.
        unsafe { Self::from_raw(bindings::sock_net(sk)) }
    }

    pub(super) fn as_raw(&self) -> *mut bindings::net {
        self.0.get()
    }

    /// `net.mptcp.blackhole_timeout`, seconds.
    pub(crate) fn blackhole_timeout(&self) -> u32 {
        // SAFETY: the namespace is alive.
        unsafe { bindings::mptcp_blackhole_timeout(self.as_raw()) }
    }

    /// Changes at each write to `net.mptcp.blackhole_timeout`, which
    /// resets the backoff (kernel patch 0006).
    pub(crate) fn blackhole_resets(&self) -> u32 {
        // SAFETY: the namespace is alive.
        unsafe { bindings::mptcp_blackhole_resets(self.as_raw()) }
    }

    /// Whether the namespace belongs to the initial user namespace, i.e.
    /// whether its root is the machine's.
    pub(crate) fn owned_by_init_user_ns(&self) -> bool {
        // SAFETY: the namespace is alive; `user_ns` is set at creation and
        // never changes.
        unsafe { (*self.as_raw()).user_ns == &raw mut bindings::init_user_ns }
    }

    /// The namespace of the current task, for writes to files that are not
    /// per namespace (the test hooks).
    #[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
    pub(crate) fn of_current<R>(f: impl FnOnce(&Net) -> R) -> R {
        // SAFETY: a task running a system call has its namespaces, and
        // holds them while it runs.
        let net = unsafe { (*(*bindings::get_current()).nsproxy).net_ns };
        // SAFETY: alive for the call, see above.
        f(unsafe { Self::from_raw(net) })
    }

    /// The module's state for this namespace.
    pub(crate) fn state(&self) -> &NetState {
        // SAFETY: the id was set at registration, before any namespace got
        // state; it is only read afterwards.
        let id = unsafe { Atomic::from_ptr(NET_ID.0.get()) }.load(Relaxed);
        // SAFETY: the pernet registration is alive while any of our code
        // runs (it is the first thing registered and the last one gone),
        // so every live namespace has an initialised `NetState` there.
        unsafe { &*bindings::net_generic(self.as_raw(), id).cast::<NetState>() }
    }
}

/// `pernet_operations.init`: builds the state of a new namespace (and of
/// every existing one at registration).
///
/// # Safety
///
/// Called by the namespace code with a namespace being set up, whose
/// `net_generic` slot for our id is `size_of::<NetState>()` zeroed bytes.
unsafe extern "C" fn init(net: *mut bindings::net) -> c_int {
    // SAFETY: the namespace is being set up and outlives its state.
    let net_ref = unsafe { Net::from_raw(net) };
    // SAFETY: see above; the id is set.
    let id = unsafe { Atomic::from_ptr(NET_ID.0.get()) }.load(Relaxed);
    // SAFETY: the slot is ours, sized and aligned for a `NetState`.
    let slot = unsafe { bindings::net_generic(net, id) }.cast::<NetState>();
    // SAFETY: `slot` is valid for writes and stays pinned until `exit`.
    if let Err(e) = unsafe { NetState::new(net_ref).__init(slot) } {
        return e.to_errno();
    }
    // SAFETY: `slot` now holds an initialised state.
    let state = unsafe { &*slot };
    if let Err(e) = sysctl::register(net_ref, state) {
        // SAFETY: initialised above, and nothing refers to it yet.
        unsafe { core::ptr::drop_in_place(slot) };
        return e.to_errno();
    }
    0
}

/// `pernet_operations.exit`: tears the state down.
///
/// # Safety
///
/// Called by the namespace code with a namespace whose `init` succeeded,
/// once nothing of it runs any more.
unsafe extern "C" fn exit(net: *mut bindings::net) {
    // SAFETY: see above.
    let id = unsafe { Atomic::from_ptr(NET_ID.0.get()) }.load(Relaxed);
    // SAFETY: `init` succeeded on this slot.
    let slot = unsafe { bindings::net_generic(net, id) }.cast::<NetState>();
    // SAFETY: `init` succeeded, so the slot holds a state.
    sysctl::unregister(unsafe { &*slot });
    // SAFETY: nothing uses the state any more; it is dropped once.
    unsafe { core::ptr::drop_in_place(slot) };
}

/// The registration of our per-namespace state.
///
/// # Invariants
///
/// `ops` is registered with `register_pernet_subsys()` from construction
/// until drop, and does not move meanwhile.
#[pin_data(PinnedDrop)]
pub(crate) struct Registration {
    #[pin]
    ops: Opaque<bindings::pernet_operations>,
}

// SAFETY: only the kernel touches `ops` after registration, under its
// pernet lock; unregistering works from any thread.
unsafe impl Send for Registration {}

// SAFETY: no `&self` method touches `ops`.
unsafe impl Sync for Registration {}

impl Registration {
    /// Gives every namespace, existing and future, a [`NetState`].
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            ops <- Opaque::try_ffi_init(|slot: *mut bindings::pernet_operations| {
                let mut ops: bindings::pernet_operations = pin_init::zeroed();
                ops.init = Some(init);
                ops.exit = Some(exit);
                ops.id = NET_ID.0.get();
                ops.size = size_of::<NetState>();
                // SAFETY: the initializer may write to `slot`.
                unsafe { slot.write(ops) };
                // SAFETY: `slot` holds complete ops, pinned until `drop`.
                // INVARIANT: registered on success.
                to_result(unsafe { bindings::register_pernet_subsys(slot) })
            }),
        })
    }
}

#[pinned_drop]
impl PinnedDrop for Registration {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: registered (type invariant); this runs `exit` for every
        // namespace.
        unsafe { bindings::unregister_pernet_subsys(self.ops.get()) };
    }
}
