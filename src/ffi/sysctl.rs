// SPDX-License-Identifier: GPL-2.0

//! Per-namespace sysctl tables of integers.
//!
//! C header: [`include/linux/sysctl.h`](srctree/include/linux/sysctl.h).
//! Values are parsed and checked against their bounds by the kernel's own
//! `proc_dointvec_minmax()`: a value out of range or not a number fails
//! the write with `EINVAL` and the old value stays.

use kernel::{
    bindings,
    prelude::*, //
};

/// One integer entry of a table whose `data` is a namespace's state `S`.
pub(crate) struct Entry<S: 'static> {
    name: &'static CStr,
    min: c_int,
    max: c_int,
    get: fn(&S) -> i32,
    /// Takes a value within `min..=max`; `None`: read-only.
    set: Option<fn(&S, i32) -> Result>,
}

impl<S> Entry<S> {
    /// A writable entry: reads `get`, and hands a value within
    /// `min..=max` to `set`, whose error fails the write.
    pub(crate) const fn new(
        name: &'static CStr,
        min: i32,
        max: i32,
        get: fn(&S) -> i32,
        set: fn(&S, i32) -> Result,
    ) -> Self {
        Self {
            name,
            min,
            max,
            get,
            set: Some(set),
        }
    }

    /// A read-only entry.  Writes fail with `EPERM`, whoever makes them:
    /// the mode bits do not stop a namespace's administrator.
    pub(crate) const fn read_only(name: &'static CStr, get: fn(&S) -> i32) -> Self {
        Self {
            name,
            min: 0,
            max: 0,
            get,
            set: None,
        }
    }
}

/// `proc_handler` of every entry: `data` is the namespace's state,
/// `extra1` the [`Entry`].
///
/// # Safety
///
/// Called by the sysctl code for an entry [`Table::register`] built.
unsafe extern "C" fn handler<S: 'static>(
    ctl: *const bindings::ctl_table,
    write: c_int,
    buffer: *mut c_void,
    lenp: *mut usize,
    ppos: *mut bindings::loff_t,
) -> c_int {
    // SAFETY: `register` set both pointers: the state outlives the
    // registration, the entry is static.
    let (state, entry) = unsafe {
        (
            &*(*ctl).data.cast::<S>(),
            &*(*ctl).extra1.cast::<Entry<S>>(),
        )
    };
    if write != 0 && entry.set.is_none() {
        return EPERM.to_errno();
    }
    let mut value = (entry.get)(state);
    // SAFETY: `ctl` is valid for the call.
    let mut tmp = unsafe { *ctl };
    tmp.data = core::ptr::from_mut(&mut value).cast();
    tmp.extra1 = (&raw const entry.min).cast_mut().cast();
    tmp.extra2 = (&raw const entry.max).cast_mut().cast();
    // SAFETY: `tmp` is a valid entry for an int with its bounds; the rest
    // is the caller's.
    let ret = unsafe { bindings::proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos) };
    match entry.set {
        Some(set) if ret == 0 && write != 0 => match set(state, value) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        },
        _ => ret,
    }
}

/// A namespace's registered table.
///
/// # Invariants
///
/// `header` is the registration of `_table`, which stays allocated (and
/// its entries' `data` alive) until `drop` unregisters it.
pub(crate) struct Table {
    _table: KVec<bindings::ctl_table>,
    header: *mut bindings::ctl_table_header,
}

// SAFETY: the table is only read by the sysctl code once registered, and
// may be unregistered from any thread.
unsafe impl Send for Table {}

// SAFETY: no `&self` method exists.
unsafe impl Sync for Table {}

impl Table {
    /// Registers `entries` as `path` (e.g. `net/mptcp/rs`) in `net`,
    /// backed by `state`.
    ///
    /// # Safety
    ///
    /// `net` is a live namespace, and it and `state` outlive the returned
    /// value.
    pub(super) unsafe fn register<S: 'static>(
        net: *mut bindings::net,
        path: &'static CStr,
        state: &S,
        entries: &'static [Entry<S>],
    ) -> Result<Self> {
        let mut table = KVec::with_capacity(entries.len(), GFP_KERNEL)?;
        for entry in entries {
            let mut e: bindings::ctl_table = pin_init::zeroed();
            e.procname = entry.name.as_char_ptr();
            e.data = core::ptr::from_ref(state).cast_mut().cast();
            e.maxlen = size_of::<c_int>() as c_int;
            e.mode = if entry.set.is_some() { 0o644 } else { 0o444 };
            e.proc_handler = Some(handler::<S>);
            // The kernel does not read `extra1` for our handler.
            e.extra1 = core::ptr::from_ref(entry).cast_mut().cast();
            table.push(e, GFP_KERNEL)?;
        }
        // SAFETY: the table is complete and stays allocated, unmoved,
        // until `drop` unregisters it; `net` and `state` outlive that (our
        // caller's guarantee).
        let header = unsafe {
            bindings::register_net_sysctl_sz(net, path.as_char_ptr(), table.as_ptr(), table.len())
        };
        if header.is_null() {
            return Err(ENOMEM);
        }
        // INVARIANT: registered above.
        Ok(Self {
            _table: table,
            header,
        })
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        // SAFETY: registered (type invariant); the table is freed after.
        unsafe { bindings::unregister_net_sysctl_table(self.header) };
    }
}
