// SPDX-License-Identifier: GPL-2.0

//! Network namespaces and a module's state in each of them.
//!
//! C headers: [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h),
//! [`include/net/netns/generic.h`](srctree/include/net/netns/generic.h).

use super::sysctl::{
    Entry,
    Table, //
};
use core::{
    cell::UnsafeCell,
    marker::PhantomData, //
};
use kernel::{
    bindings,
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

/// What a module keeps in each network namespace, with the sysctls that
/// show it.
pub(crate) trait PerNet: Send + Sync + Sized + 'static {
    /// The directory of [`Self::SYSCTLS`] in each namespace, e.g.
    /// `net/mptcp/rs`; several states may share one.
    const SYSCTL_PATH: &'static CStr;

    /// The namespace's sysctls, backed by its state; none if empty.
    const SYSCTLS: &'static [Entry<Self>];

    /// Where the kernel's id for this state is kept: a static of the
    /// implementer's own.
    fn id() -> &'static NetId<Self>;

    /// The state of a new namespace (and of every existing one at
    /// registration).
    fn new(net: &Net) -> impl PinInit<Self, Error>;
}

/// The id the kernel gives a per-namespace state (`pernet_operations.id`).
pub(crate) struct NetId<T>(UnsafeCell<c_uint>, PhantomData<T>);

// SAFETY: the kernel writes the id once, in `register_pernet_subsys()`,
// before any namespace gets the state; afterwards it is only read.
unsafe impl<T> Sync for NetId<T> {}

impl<T> NetId<T> {
    /// Not registered yet.
    pub(crate) const fn new() -> Self {
        Self(UnsafeCell::new(0), PhantomData)
    }

    fn get(&self) -> c_uint {
        // SAFETY: see `Sync`: a plain read once written.
        unsafe { Atomic::from_ptr(self.0.get()) }.load(Relaxed)
    }
}

/// What a namespace's `net_generic` slot holds for `T`.  The sysctls go
/// first: they are unregistered before the state they show is dropped.
struct Slot<T> {
    sysctls: Option<Table>,
    state: T,
}

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

    /// The namespace's `subflows` limit (`ip mptcp limits`): the most
    /// subflows besides the initial one.
    pub(crate) fn limit_extra_subflows(&self) -> u8 {
        // SAFETY: the namespace is alive.
        unsafe { bindings::mptcp_pm_net_limit_extra_subflows(self.as_raw()) }
    }

    /// The per-namespace state `T` of this namespace.
    pub(crate) fn data<T: PerNet>(&self) -> &T {
        let id = T::id().get();
        // SAFETY: the registration of `T` set the id, and is alive while
        // any code that holds a `&Net` runs (the module registers it
        // before, and unregisters it after, every table the core calls
        // through), so every live namespace has an initialised `Slot<T>`
        // there.
        unsafe { &(*bindings::net_generic(self.as_raw(), id).cast::<Slot<T>>()).state }
    }
}

/// The pernet operations that give every namespace a `T`.
pub(crate) struct Pernet<T: PerNet>(PhantomData<T>);

impl<T: PerNet> Pernet<T> {
    /// `pernet_operations.init`: builds the state of a new namespace (and
    /// of every existing one at registration), then its sysctls.
    ///
    /// # Safety
    ///
    /// Called by the namespace code with a namespace being set up, whose
    /// `net_generic` slot for our id is `size_of::<Slot<T>>()` zeroed
    /// bytes.
    unsafe extern "C" fn init(net: *mut bindings::net) -> c_int {
        // SAFETY: the namespace is being set up and outlives its state.
        let net_ref = unsafe { Net::from_raw(net) };
        // SAFETY: the slot is ours, sized and aligned for a `Slot<T>`.
        let slot = unsafe { bindings::net_generic(net, T::id().get()) }.cast::<Slot<T>>();
        // SAFETY: `slot` is valid for writes and stays pinned until `exit`.
        let state = unsafe { &raw mut (*slot).state };
        // SAFETY: as above.
        if let Err(e) = unsafe { T::new(net_ref).__init(state) } {
            return e.to_errno();
        }
        let sysctls = if T::SYSCTLS.is_empty() {
            Ok(None)
        } else {
            // SAFETY: `state` is initialised, and lives until `exit`, which
            // drops the sysctls first; the namespace outlives both.
            unsafe { Table::register(net, T::SYSCTL_PATH, &*state, T::SYSCTLS) }.map(Some)
        };
        match sysctls {
            Ok(sysctls) => {
                // SAFETY: `slot` is valid for writes.
                unsafe { (&raw mut (*slot).sysctls).write(sysctls) };
                0
            }
            Err(e) => {
                // SAFETY: initialised above, and nothing refers to it yet.
                unsafe { core::ptr::drop_in_place(state) };
                e.to_errno()
            }
        }
    }

    /// `pernet_operations.exit`: tears the sysctls and the state down.
    ///
    /// # Safety
    ///
    /// Called by the namespace code with a namespace whose `init`
    /// succeeded, once nothing of it runs any more.
    unsafe extern "C" fn exit(net: *mut bindings::net) {
        // SAFETY: `init` succeeded on this slot.
        let slot = unsafe { bindings::net_generic(net, T::id().get()) }.cast::<Slot<T>>();
        // SAFETY: nothing uses the state any more; it is dropped once.
        unsafe { core::ptr::drop_in_place(slot) };
    }
}

// `net_generic()` memory comes from kzalloc(), aligned for any of these.
const fn slot_fits<T>() -> bool {
    align_of::<Slot<T>>() <= align_of::<u64>()
}

/// Every namespace, existing and future, has a `T` while this lives.
pub(crate) type Registration<T> = super::ops::Registration<Pernet<T>>;

// SAFETY: `register_pernet_subsys()` and `unregister_pernet_subsys()` are
// the kernel's pair for pernet operations: the latter runs `exit` for
// every namespace and returns once no `init` or `exit` runs.
unsafe impl<T: PerNet> super::ops::Ops for Pernet<T> {
    type Table = bindings::pernet_operations;

    fn table(_module: &'static ThisModule) -> Self::Table {
        const { assert!(slot_fits::<T>(), "per-namespace state too aligned") };
        let mut ops: Self::Table = pin_init::zeroed();
        ops.init = Some(Self::init);
        ops.exit = Some(Self::exit);
        ops.id = T::id().0.get();
        ops.size = size_of::<Slot<T>>();
        ops
    }

    unsafe fn register(table: *mut Self::Table) -> c_int {
        // SAFETY: `table` is complete and stays put until unregistered
        // (the caller's promise).
        unsafe { bindings::register_pernet_subsys(table) }
    }

    unsafe fn unregister(table: *mut Self::Table) {
        // SAFETY: `table` is registered (the caller's promise).
        unsafe { bindings::unregister_pernet_subsys(table) }
    }
}
