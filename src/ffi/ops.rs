// SPDX-License-Identifier: GPL-2.0

//! Handing an ops table to the MPTCP core: what the scheduler, the
//! path-manager and the active-MPTCP registrations share.
//!
//! C header: [`include/net/mptcp.h`](srctree/include/net/mptcp.h).

use core::marker::PhantomData;
use kernel::{
    error::to_result,
    prelude::*,
    types::Opaque, //
};

/// A kind of ops table the MPTCP core calls through while it is
/// registered: a scheduler's, a path manager's, the active-MPTCP policy's.
///
/// # Safety
///
/// `register` and `unregister` are the core's pair for `Table`: once
/// `register` has returned 0 for a table, the core reads it until
/// `unregister` returns; `unregister` unlinks the table and waits for an
/// RCU grace period, after which no lookup can still find it.  Calls
/// through the table after that come only from connections holding a
/// reference on `table()`'s `module`.
pub(crate) unsafe trait Ops {
    /// The C ops structure.
    type Table;

    /// The ops table, owned by `module`.
    fn table(module: &'static ThisModule) -> Self::Table;

    /// Links `table` into the core's list; 0 or a negative errno.
    ///
    /// # Safety
    ///
    /// `table` points to a complete table that stays valid and does not
    /// move until `unregister` is called on it.
    unsafe fn register(table: *mut Self::Table) -> c_int;

    /// Unlinks `table`.
    ///
    /// # Safety
    ///
    /// `register` returned 0 for `table`, and `unregister` has not been
    /// called on it since.
    unsafe fn unregister(table: *mut Self::Table);
}

/// An ops table registered with the MPTCP core.
///
/// While it exists, the sysctl that picks this kind of ops
/// (`net.mptcp.scheduler`, `net.mptcp.path_manager`) can select it.
/// Every connection using it holds a reference on the module, so the
/// module cannot go away under a connection; the active-MPTCP table is
/// only called under RCU, and dropping the registration waits for those
/// calls.
///
/// # Invariants
///
/// `ops` holds a table built by `A::table()` and registered with
/// `A::register()`; it is unregistered exactly once, in `drop`, and does
/// not move in between (pinned).
#[pin_data(PinnedDrop)]
pub(crate) struct Registration<A: Ops> {
    #[pin]
    ops: Opaque<A::Table>,
    _ops: PhantomData<A>,
}

// SAFETY: after registration, `ops` is only accessed by the MPTCP core,
// under its own locking (the list lock and RCU), and by `drop`;
// unregistering may be done from any thread.
unsafe impl<A: Ops> Send for Registration<A> {}

// SAFETY: no `&self` method reads or writes `ops`, so sharing a
// `&Registration` between threads gives access to nothing.
unsafe impl<A: Ops> Sync for Registration<A> {}

impl<A: Ops> Registration<A> {
    /// Registers the table.  Fails with `EEXIST` if the core already has
    /// one of that kind under the same name (`EBUSY` for the one
    /// active-MPTCP table).
    pub(crate) fn new(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            ops <- Opaque::try_ffi_init(move |slot: *mut A::Table| {
                // SAFETY: the initializer may write to `slot`.
                unsafe { slot.write(A::table(module)) };
                // SAFETY: `slot` holds a complete table, pinned until
                // `drop` unregisters it.
                // INVARIANT: on success, `ops` is registered.
                to_result(unsafe { A::register(slot) })
            }),
            _ops: PhantomData,
        })
    }
}

#[pinned_drop]
impl<A: Ops> PinnedDrop for Registration<A> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: `ops` is registered (type invariant).  Once the call
        // returns no lookup can still see the table; connections using it
        // hold a module reference, so there are none left once the module
        // is being unloaded.
        unsafe { A::unregister(self.ops.get()) };
    }
}
