// SPDX-License-Identifier: GPL-2.0

//! Packet schedulers: what one implements, and its registration with the
//! MPTCP core.
//!
//! C header: [`include/net/mptcp.h`](srctree/include/net/mptcp.h).

use super::{
    mib,
    msk::Msk, //
};
use crate::logic::{
    mib::Counter,
    sched::default::{
        DefaultRetrans,
        RetransInput, //
    },
};
use core::marker::PhantomData;
use kernel::{
    bindings,
    error::from_result,
    prelude::*, //
};

const NAME_MAX: usize = bindings::MPTCP_SCHED_NAME_MAX as usize;

/// A packet scheduler, selectable with `net.mptcp.scheduler`.
#[vtable]
pub(crate) trait Scheduler {
    /// The name users select, at most 15 bytes.
    const NAME: &'static CStr;

    /// Every subflow it marks carries all the data, instead of the next
    /// share of it (`MPTCP_SCHED_FLAG_REDUNDANT`).
    const REDUNDANT: bool = false;

    /// What the scheduler keeps per connection, in `msk->sched_priv`;
    /// `Default` when the connection starts.
    type State: Default + Copy;

    /// Marks the subflow(s) to send new data on with
    /// [`super::msk::Subflow::set_scheduled`].  Fails when no subflow can send.
    fn get_send(msk: &Msk, state: &mut Self::State) -> Result;

    /// Marks the subflow(s) to retransmit on; by default as the C
    /// `default` scheduler does ([`retrans_as_default`]).
    fn get_retrans(msk: &Msk, _state: &mut Self::State) -> Result {
        retrans_as_default(msk)
    }
}

/// The retransmission decision of the kernel's default scheduler (the
/// decision itself is in [`crate::logic::sched::default`]), for the
/// schedulers with no policy of their own for retransmissions.
fn retrans_as_default(msk: &Msk) -> Result {
    let mut sched = DefaultRetrans::new();
    for sf in msk.subflows() {
        let active = sf.can_send();
        sched.visit(
            sf,
            &RetransInput {
                active,
                backup: active && sf.is_backup(),
                queues_empty: active && sf.queues_empty(),
                stale_count: sf.stale_count(),
            },
        );
    }
    let Some(sf) = sched.finish() else {
        mib::inc(msk.net(), Counter::SchedRetransNone);
        return Err(EINVAL);
    };
    sf.set_scheduled(true);
    mib::inc(msk.net(), Counter::SchedRetrans);
    Ok(())
}

/// The `extern "C"` side of a [`Scheduler`].
pub(crate) struct Adapter<T: Scheduler>(PhantomData<T>);

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
}

/// A packet scheduler registered with the MPTCP core, as `T::NAME`.
pub(crate) type Registration<T> = super::ops::Registration<Adapter<T>>;

// SAFETY: `mptcp_register_scheduler()` and `mptcp_unregister_scheduler()`
// are the core's pair for scheduler tables: the core keeps a registered
// table on its RCU list until the latter unlinks it and waits for a grace
// period.  The table's `owner` is `module`, which every connection using
// it holds a reference on (`bpf_try_module_get()` in `mptcp_init_sched()`).
unsafe impl<T: Scheduler> super::ops::Ops for Adapter<T> {
    type Table = bindings::mptcp_sched_ops;

    fn table(module: &'static ThisModule) -> Self::Table {
        let mut ops: Self::Table = pin_init::zeroed();
        ops.name = Self::NAME;
        ops.owner = module.as_ptr();
        ops.init = Some(Self::init);
        ops.get_send = Some(Self::get_send);
        ops.get_retrans = Some(Self::get_retrans);
        if T::REDUNDANT {
            ops.flags |= bindings::MPTCP_SCHED_FLAG_REDUNDANT;
        }
        ops
    }

    unsafe fn register(table: *mut Self::Table) -> c_int {
        // SAFETY: `table` is complete and stays put until unregistered
        // (the caller's promise).
        unsafe { bindings::mptcp_register_scheduler(table) }
    }

    unsafe fn unregister(table: *mut Self::Table) {
        // SAFETY: `table` is registered (the caller's promise).
        unsafe { bindings::mptcp_unregister_scheduler(table) }
    }
}
