// SPDX-License-Identifier: GPL-2.0

//! The module's per-namespace sysctls, `net.mptcp.rs.*`.
//!
//! C header: [`include/linux/sysctl.h`](srctree/include/linux/sysctl.h).
//! Values are checked by the kernel's own `proc_dointvec_minmax()`: a
//! value out of range fails the write with `EINVAL` and the old value
//! stays.

use super::net::Net;
use crate::{
    blackhole::{
        TABLE_MAX,
        TABLE_MIN, //
    },
    logic::{
        blackhole::policy::{
            MODE_ADAPTIVE,
            MODE_NETNS,
            THRESHOLD_MAX, //
        },
        pm::ndiffports,
    },
    netstate::NetState,
    pm::tunables as pm,
    sched::tunables as sched,
    tunable::{
        Tunable,
        Values, //
    },
};
use core::cell::UnsafeCell;
use kernel::{
    bindings,
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
};

const ENTRIES: usize = 13;

/// The registered table of one namespace.
struct Registered {
    /// Kept alive while registered: the kernel does not copy it.
    _table: KBox<[bindings::ctl_table; ENTRIES]>,
    header: *mut bindings::ctl_table_header,
}

/// A namespace's sysctl registration, a field of its [`NetState`].
///
/// # Invariants
///
/// Only the namespace's pernet `init` (through [`register`]) and `exit`
/// (through [`unregister`]) touch the inside, and the namespace code runs
/// those one at a time.
pub(crate) struct Sysctl(UnsafeCell<Option<Registered>>);

// SAFETY: the inside is only used from pernet init and exit (type
// invariant), which never run concurrently for one namespace.
unsafe impl Sync for Sysctl {}

// SAFETY: as above; the header may be unregistered from any thread.
unsafe impl Send for Sysctl {}

impl Sysctl {
    /// Not registered yet.
    pub(crate) const fn new() -> Self {
        Self(UnsafeCell::new(None))
    }
}

/// A `struct ctl_table` reads its bounds through these.
struct Bound(i32);

static MODE_MIN: Bound = Bound(MODE_NETNS);
static MODE_MAX: Bound = Bound(MODE_ADAPTIVE);
static THRESHOLD_MIN: Bound = Bound(1);
static THRESHOLD_MAX_BOUND: Bound = Bound(THRESHOLD_MAX as i32);
static SIZE_MIN: Bound = Bound(TABLE_MIN);
static SIZE_MAX: Bound = Bound(TABLE_MAX);
static NDIFF_MIN: Bound = Bound(ndiffports::N_MIN as i32);
static NDIFF_MAX: Bound = Bound(ndiffports::N_MAX as i32);

fn bound(b: &'static Bound) -> *mut c_void {
    // The kernel only reads the bounds.
    (&raw const b.0).cast_mut().cast()
}

/// The state behind a table entry whose `data` is the namespace state.
///
/// # Safety
///
/// `ctl` is one of our entries, registered, so its namespace is alive.
unsafe fn state<'a>(ctl: *const bindings::ctl_table) -> &'a NetState {
    // SAFETY: `data` was set to the namespace's `NetState`, which outlives
    // the registration (caller's guarantee).
    unsafe { &*(*ctl).data.cast::<NetState>() }
}

/// Runs `proc_dointvec_minmax()` on `value` with `ctl`'s bounds.
///
/// # Safety
///
/// The arguments are those of a `proc_handler` call.
unsafe fn dointvec(
    ctl: *const bindings::ctl_table,
    write: c_int,
    buffer: *mut c_void,
    lenp: *mut usize,
    ppos: *mut bindings::loff_t,
    value: &mut c_int,
) -> c_int {
    // SAFETY: `ctl` is valid for the call.
    let mut tmp = unsafe { *ctl };
    tmp.data = core::ptr::from_mut(value).cast();
    tmp.maxlen = size_of::<c_int>() as c_int;
    // SAFETY: `tmp` is a valid entry for an int; the rest is the caller's.
    unsafe { bindings::proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos) }
}

/// `blackhole_table_size`: the most destinations kept.  A smaller value
/// keeps the most recently used ones; past the default only for a
/// namespace of the initial user namespace (`EPERM` otherwise).
///
/// # Safety
///
/// Called by the sysctl code for our entry.
unsafe extern "C" fn table_size_handler(
    ctl: *const bindings::ctl_table,
    write: c_int,
    buffer: *mut c_void,
    lenp: *mut usize,
    ppos: *mut bindings::loff_t,
) -> c_int {
    // SAFETY: our registered entry.
    let state = unsafe { state(ctl) };
    let mut value = state.blackhole.table_size();
    // SAFETY: forwarded from our caller.
    let ret = unsafe { dointvec(ctl, write, buffer, lenp, ppos, &mut value) };
    if ret != 0 || write == 0 {
        return ret;
    }
    match state.blackhole.resize(state.owner.get(), value) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `blackhole_entries` (destinations on record) and, with `CAPACITY`,
/// `blackhole_table_capacity` (entries allocated, 0 until the first
/// blackhole): read-only.  Writes are refused here too: the mode bits do
/// not stop a namespace's administrator.
///
/// # Safety
///
/// Called by the sysctl code for our entry.
unsafe extern "C" fn usage_handler<const CAPACITY: bool>(
    ctl: *const bindings::ctl_table,
    write: c_int,
    buffer: *mut c_void,
    lenp: *mut usize,
    ppos: *mut bindings::loff_t,
) -> c_int {
    if write != 0 {
        return EPERM.to_errno();
    }
    // SAFETY: our registered entry.
    let state = unsafe { state(ctl) };
    let (entries, capacity) = state.blackhole.usage(state.owner.get());
    let shown = if CAPACITY { capacity } else { entries };
    let mut value = c_int::try_from(shown).unwrap_or(c_int::MAX);
    // SAFETY: forwarded from our caller; the entry is read-only.
    unsafe { dointvec(ctl, write, buffer, lenp, ppos, &mut value) }
}

/// `ndiffports`: the subflows `rs_ndiffports` opens, at least 1, and at
/// most 1 more than the namespace's `subflows` limit allows.
///
/// # Safety
///
/// Called by the sysctl code for our entry.
unsafe extern "C" fn ndiffports_handler(
    ctl: *const bindings::ctl_table,
    write: c_int,
    buffer: *mut c_void,
    lenp: *mut usize,
    ppos: *mut bindings::loff_t,
) -> c_int {
    // SAFETY: our registered entry.
    let state = unsafe { state(ctl) };
    let mut value = state.ndiffports.load(Relaxed);
    // SAFETY: forwarded from our caller.
    let ret = unsafe { dointvec(ctl, write, buffer, lenp, ppos, &mut value) };
    if ret != 0 || write == 0 {
        return ret;
    }
    // SAFETY: the namespace of our entry is alive.
    let limit = unsafe { bindings::mptcp_pm_net_limit_extra_subflows(state.owner.get().as_raw()) };
    let n = u32::try_from(value).unwrap_or(0);
    if !ndiffports::n_fits(n, limit) {
        pr_warn!(
            "ndiffports: {} refused: above the subflows limit ({}) plus the initial subflow; kept {}\n",
            n,
            limit,
            state.ndiffports.load(Relaxed)
        );
        return EINVAL.to_errno();
    }
    state.ndiffports.store(value, Relaxed);
    0
}

/// A tunable of the group `C` ([`crate::tunable`]): `data` is the
/// namespace's value, `extra1` the tunable, `extra2` the namespace's
/// values of the group.
///
/// # Safety
///
/// Called by the sysctl code for an entry built by [`tunable_entry`].
unsafe extern "C" fn tunable_handler<C: Values + 'static>(
    ctl: *const bindings::ctl_table,
    write: c_int,
    buffer: *mut c_void,
    lenp: *mut usize,
    ppos: *mut bindings::loff_t,
) -> c_int {
    // SAFETY: `tunable_entry` set the three pointers; the namespace's state
    // they point into outlives the registration, the tunable is static.
    let (slot, tunable, group) = unsafe {
        (
            &*(*ctl).data.cast::<Atomic<u32>>(),
            &*(*ctl).extra1.cast::<Tunable<C>>(),
            &*(*ctl).extra2.cast::<C>(),
        )
    };
    let mut value: c_uint = slot.load(Relaxed);
    // SAFETY: `ctl` is valid for the call.
    let mut tmp = unsafe { *ctl };
    tmp.data = core::ptr::from_mut(&mut value).cast();
    tmp.maxlen = size_of::<c_uint>() as c_int;
    tmp.extra1 = core::ptr::null_mut();
    tmp.extra2 = core::ptr::null_mut();
    // SAFETY: `tmp` is a valid entry for an unsigned int; the rest is the
    // caller's.  A negative or non-numeric value fails with `EINVAL` here.
    let ret = unsafe { bindings::proc_douintvec(&tmp, write, buffer, lenp, ppos) };
    if ret != 0 || write == 0 {
        return ret;
    }
    // SAFETY: our entries are named by static NUL-terminated strings.
    let name = unsafe { CStr::from_char_ptr((*ctl).procname) };
    match tunable.store(name, group, slot, value) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// The entry of `tunable`, whose value in the namespace is `slot`, one of
/// `group`'s.
fn tunable_entry<C: Values + 'static>(
    name: &'static CStr,
    tunable: &'static Tunable<C>,
    group: &C,
    slot: &Atomic<u32>,
) -> bindings::ctl_table {
    let mut e = entry(
        name,
        core::ptr::from_ref(slot).cast_mut().cast(),
        0o644,
        Some(tunable_handler::<C>),
        None,
    );
    // The kernel does not use `extra1` and `extra2` for our handler.
    e.extra1 = core::ptr::from_ref(tunable).cast_mut().cast();
    e.extra2 = core::ptr::from_ref(group).cast_mut().cast();
    e
}

fn entry(
    name: &'static CStr,
    data: *mut c_void,
    mode: u16,
    handler: bindings::proc_handler,
    bounds: Option<(&'static Bound, &'static Bound)>,
) -> bindings::ctl_table {
    let mut e: bindings::ctl_table = pin_init::zeroed();
    e.procname = name.as_char_ptr();
    e.data = data;
    e.maxlen = size_of::<c_int>() as c_int;
    e.mode = mode;
    e.proc_handler = handler;
    if let Some((min, max)) = bounds {
        e.extra1 = bound(min);
        e.extra2 = bound(max);
    }
    e
}

/// Registers `net.mptcp.rs.*` for `net`, backed by `state`.
pub(crate) fn register(net: &Net, state: &NetState) -> Result {
    let state_ptr = core::ptr::from_ref(state).cast_mut().cast::<c_void>();
    let table = KBox::new(
        [
            entry(
                c"blackhole_mode",
                state.blackhole.mode.as_ptr().cast(),
                0o644,
                Some(bindings::proc_dointvec_minmax),
                Some((&MODE_MIN, &MODE_MAX)),
            ),
            entry(
                c"blackhole_adaptive_threshold",
                state.blackhole.threshold.as_ptr().cast(),
                0o644,
                Some(bindings::proc_dointvec_minmax),
                Some((&THRESHOLD_MIN, &THRESHOLD_MAX_BOUND)),
            ),
            entry(
                c"blackhole_table_size",
                state_ptr,
                0o644,
                Some(table_size_handler),
                Some((&SIZE_MIN, &SIZE_MAX)),
            ),
            entry(
                c"blackhole_entries",
                state_ptr,
                0o444,
                Some(usage_handler::<false>),
                None,
            ),
            entry(
                c"blackhole_table_capacity",
                state_ptr,
                0o444,
                Some(usage_handler::<true>),
                None,
            ),
            entry(
                c"ndiffports",
                state_ptr,
                0o644,
                Some(ndiffports_handler),
                Some((&NDIFF_MIN, &NDIFF_MAX)),
            ),
            tunable_entry(
                c"rr_segments",
                &sched::RR_SEGMENTS,
                &state.sched,
                &state.sched.rr_segments,
            ),
            tunable_entry(
                c"blest_lambda_min",
                &sched::BLEST_LAMBDA_MIN,
                &state.sched,
                &state.sched.blest_lambda_min,
            ),
            tunable_entry(
                c"blest_lambda_max",
                &sched::BLEST_LAMBDA_MAX,
                &state.sched,
                &state.sched.blest_lambda_max,
            ),
            tunable_entry(
                c"ecf_beta",
                &sched::ECF_BETA,
                &state.sched,
                &state.sched.ecf_beta,
            ),
            tunable_entry(
                c"backup_stale_ms",
                &sched::BACKUP_STALE_MS,
                &state.sched,
                &state.sched.backup_stale_ms,
            ),
            tunable_entry(
                c"pm_retry_ms",
                &pm::PM_RETRY_MS,
                &state.pm,
                &state.pm.pm_retry_ms,
            ),
            tunable_entry(
                c"pm_retry_max",
                &pm::PM_RETRY_MAX,
                &state.pm,
                &state.pm.pm_retry_max,
            ),
        ],
        GFP_KERNEL,
    )?;
    // SAFETY: the table is complete and lives, unmoved (boxed), until
    // `unregister` drops it after unregistering.
    let header = unsafe {
        bindings::register_net_sysctl_sz(
            net.as_raw(),
            c"net/mptcp/rs".as_char_ptr(),
            table.as_ptr(),
            ENTRIES,
        )
    };
    if header.is_null() {
        return Err(ENOMEM);
    }
    // SAFETY: only pernet init calls this (type invariant of `Sysctl`).
    unsafe {
        *state.sysctl.0.get() = Some(Registered {
            _table: table,
            header,
        })
    };
    Ok(())
}

/// Unregisters the sysctls of the namespace `state` belongs to.
pub(crate) fn unregister(state: &NetState) {
    // SAFETY: only pernet exit calls this (type invariant of `Sysctl`).
    if let Some(reg) = unsafe { (*state.sysctl.0.get()).take() } {
        // SAFETY: registered by `register`; the table is freed after.
        unsafe { bindings::unregister_net_sysctl_table(reg.header) };
    }
}
