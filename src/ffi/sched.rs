// SPDX-License-Identifier: GPL-2.0

//! Registration of packet schedulers with the MPTCP core.
//!
//! C header: [`include/net/mptcp.h`](srctree/include/net/mptcp.h).

use super::msk::Msk;
use crate::sched::Scheduler;
use core::marker::PhantomData;
use kernel::{
    bindings,
    error::{
        from_result,
        to_result, //
    },
    prelude::*,
    types::Opaque,
};

const NAME_MAX: usize = bindings::MPTCP_SCHED_NAME_MAX as usize;

/// The `extern "C"` side of a [`Scheduler`].
struct Adapter<T: Scheduler>(PhantomData<T>);

impl<T: Scheduler> Adapter<T> {
    const NAME: [c_char; NAME_MAX] = super::name_field(T::NAME);

    /// The per-connection state lives in `msk->sched_priv`.
    const STATE_FITS: () = assert!(
        size_of::<T::State>() <= bindings::MPTCP_SCHED_PRIV_SIZE as usize
            && align_of::<T::State>() <= align_of::<u64>(),
        "scheduler state does not fit in msk->sched_priv"
    );

    /// The connection's scheduler state.
    ///
    /// # Safety
    ///
    /// `msk` is a valid connection this scheduler was initialised on
    /// (`init` has run), and the caller holds its socket lock for `'a`,
    /// during which no other reference to the state exists.
    unsafe fn state<'a>(msk: *mut bindings::mptcp_sock) -> &'a mut T::State {
        let () = Self::STATE_FITS;
        // SAFETY: `init` wrote a `T::State` at the start of `sched_priv`,
        // which is large and aligned enough (`STATE_FITS`); the msk lock
        // serialises the callbacks, so the reference is unique.
        unsafe { &mut *(&raw mut (*msk).sched_priv).cast::<T::State>() }
    }

    /// # Safety
    ///
    /// Called by the MPTCP core only, from `mptcp_init_sched()`, on a
    /// connection that is not yet visible to anyone else.
    unsafe extern "C" fn init(msk: *mut bindings::mptcp_sock) {
        let () = Self::STATE_FITS;
        // SAFETY: `sched_priv` is valid, large and aligned enough for a
        // `T::State` (`STATE_FITS`), and nobody else sees the msk yet.
        unsafe {
            (&raw mut (*msk).sched_priv)
                .cast::<T::State>()
                .write(T::State::default())
        };
    }

    /// # Safety
    ///
    /// Called by the MPTCP core only, from `mptcp_sched_get_send()`, with a
    /// valid `msk` initialised for this scheduler, whose socket lock the
    /// caller holds.
    unsafe extern "C" fn get_send(msk: *mut bindings::mptcp_sock) -> c_int {
        from_result(|| {
            // SAFETY: `init` ran on this msk, and its lock is held.
            let state = unsafe { Self::state(msk) };
            // SAFETY: the core holds the msk lock across this call.
            let msk = unsafe { Msk::from_raw(msk) };
            T::get_send(msk, state)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the MPTCP core only, from `mptcp_sched_get_retrans()`,
    /// with a valid `msk` initialised for this scheduler, whose socket lock
    /// the caller holds.
    unsafe extern "C" fn get_retrans(msk: *mut bindings::mptcp_sock) -> c_int {
        from_result(|| {
            // SAFETY: `init` ran on this msk, and its lock is held.
            let state = unsafe { Self::state(msk) };
            // SAFETY: the core holds the msk lock across this call.
            let msk = unsafe { Msk::from_raw(msk) };
            T::get_retrans(msk, state)?;
            Ok(0)
        })
    }

    fn ops(module: &'static ThisModule) -> bindings::mptcp_sched_ops {
        let mut ops: bindings::mptcp_sched_ops = pin_init::zeroed();
        ops.name = Self::NAME;
        ops.owner = module.as_ptr();
        ops.init = Some(Self::init);
        ops.get_send = Some(Self::get_send);
        if T::HAS_GET_RETRANS {
            ops.get_retrans = Some(Self::get_retrans);
        }
        if T::REDUNDANT {
            ops.flags |= bindings::MPTCP_SCHED_FLAG_REDUNDANT;
        }
        ops
    }
}

/// A packet scheduler registered with the MPTCP core.
///
/// While it exists, `net.mptcp.scheduler` can select `T::NAME`.  Every
/// connection using it holds a reference on the module (`owner`), so the
/// module cannot go away under a connection.
///
/// # Invariants
///
/// `ops` holds an ops table built for `T` that is registered with
/// `mptcp_register_scheduler()`, and it is unregistered exactly once, in
/// `drop`; the table does not move in between (pinned).
#[pin_data(PinnedDrop)]
pub(crate) struct Registration<T: Scheduler> {
    #[pin]
    ops: Opaque<bindings::mptcp_sched_ops>,
    _scheduler: PhantomData<T>,
}

// SAFETY: after registration, `ops` is only accessed by the MPTCP core,
// under its own locking (the scheduler list lock and RCU), and by `drop`;
// `mptcp_unregister_scheduler()` may be called from any thread.
unsafe impl<T: Scheduler> Send for Registration<T> {}

// SAFETY: no `&self` method reads or writes `ops`, so sharing a
// `&Registration` between threads gives access to nothing.
unsafe impl<T: Scheduler> Sync for Registration<T> {}

impl<T: Scheduler> Registration<T> {
    /// Registers `T` as `T::NAME`.  Fails with `EEXIST` if a scheduler of
    /// that name is already registered.
    pub(crate) fn new(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            ops <- Opaque::try_ffi_init(move |slot: *mut bindings::mptcp_sched_ops| {
                // SAFETY: the initializer may write to `slot`.
                unsafe { slot.write(Adapter::<T>::ops(module)) };
                // SAFETY: `slot` holds a complete ops table, pinned until
                // `drop` unregisters it.
                // INVARIANT: on success, `ops` is registered.
                to_result(unsafe { bindings::mptcp_register_scheduler(slot) })
            }),
            _scheduler: PhantomData,
        })
    }
}

#[pinned_drop]
impl<T: Scheduler> PinnedDrop for Registration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: `ops` is registered (type invariant).  The call unlinks it
        // and waits for an RCU grace period, after which no lookup can still
        // see it; connections using it hold a module reference, so there are
        // none left once the module is being unloaded.
        unsafe { bindings::mptcp_unregister_scheduler(self.ops.get()) };
    }
}
