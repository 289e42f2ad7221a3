// SPDX-License-Identifier: GPL-2.0

//! Module parameters backed by [`Tunable`]s.
//!
//! C header: [`include/linux/moduleparam.h`](srctree/include/linux/moduleparam.h).
//!
//! The `module!` macro only offers read-only, load-time parameters; these
//! descriptors are the `module_param_cb(name, &ops, &tunable, 0644)` of C.

use crate::{
    pm::tunables as pm,
    sched::tunables as sched,
    tunable::Tunable, //
};
use kernel::{
    bindings,
    prelude::*, //
};

/// A parameter descriptor for the `__param` section.
#[repr(transparent)]
struct Param(bindings::kernel_param);

// SAFETY: the descriptor is never written after it is built; the module
// loader and sysfs only read it, and the `Tunable` it points to is `Sync`.
unsafe impl Sync for Param {}

static OPS: bindings::kernel_param_ops = bindings::kernel_param_ops {
    flags: 0,
    set: Some(set),
    get: Some(get),
    free: None,
};

/// # Safety
///
/// `kp` is one of the descriptors below, so its `arg` points to a static
/// [`Tunable`].
unsafe fn tunable(kp: *const bindings::kernel_param) -> &'static Tunable {
    // SAFETY: `arg` was set from a `&'static Tunable` (caller's guarantee).
    unsafe { &*(*kp).__bindgen_anon_1.arg.cast::<Tunable>() }
}

/// `kernel_param_ops.set`: at load time and on writes to sysfs.
///
/// # Safety
///
/// Called by the module parameter code with one of our descriptors, and
/// `val` NULL or a NUL-terminated string.
unsafe extern "C" fn set(val: *const c_char, kp: *const bindings::kernel_param) -> c_int {
    if val.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: `val` is a NUL-terminated string for the call.
    let text = unsafe { CStr::from_char_ptr(val) }.to_bytes();
    // SAFETY: `kp` is one of our descriptors, whose name is a static
    // NUL-terminated string.
    let name = unsafe { CStr::from_char_ptr((*kp).name) };
    // SAFETY: `kp` is one of our descriptors.
    match unsafe { tunable(kp) }.set(name, text) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `kernel_param_ops.get`: on reads of sysfs.
///
/// # Safety
///
/// Called by the module parameter code with one of our descriptors and a
/// `PAGE_SIZE` buffer.
unsafe extern "C" fn get(buffer: *mut c_char, kp: *const bindings::kernel_param) -> c_int {
    // A u32 and a newline take at most 11 bytes of the page.
    // SAFETY: the buffer is at least a page long and ours for the call.
    let out = unsafe { core::slice::from_raw_parts_mut(buffer.cast::<u8>(), 16) };
    // SAFETY: `kp` is one of our descriptors.
    let len = unsafe { tunable(kp) }.show(out);
    // At most 16.
    len as c_int
}

/// `s` as a fixed-size byte array, for a `.modinfo` entry.
const fn bytes<const N: usize>(s: &str) -> [u8; N] {
    let b = s.as_bytes();
    assert!(b.len() == N, "modinfo entry of the wrong length");
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = b[i];
        i += 1;
    }
    out
}

macro_rules! params {
    ($($desc:ident: $name:literal => $tunable:path, $help:literal,)*) => {
        $(
            #[link_section = "__param"]
            #[used]
            static $desc: Param = Param(bindings::kernel_param {
                // Built-in parameters carry the module name as a prefix.
                name: if cfg!(MODULE) {
                    concat!($name, "\0").as_ptr().cast()
                } else {
                    concat!("mptcp_rs.", $name, "\0").as_ptr().cast()
                },
                // The module's own descriptor, alive as long as the module.
                #[cfg(MODULE)]
                mod_: &raw mut bindings::__this_module,
                #[cfg(not(MODULE))]
                mod_: core::ptr::null_mut(),
                ops: &raw const OPS,
                perm: 0o644,
                level: -1,
                flags: 0,
                __bindgen_anon_1: bindings::kernel_param__bindgen_ty_1 {
                    arg: (&raw const $tunable).cast_mut().cast(),
                },
            });

            // What `modinfo -p` shows: MODULE_PARM_DESC() and the type
            // module_param_cb() records, in the module's `.modinfo`.
            #[cfg(MODULE)]
            const _: () = {
                const DESC: &str = concat!("parm=", $name, ":", $help, "\0");
                const TYPE: &str = concat!("parmtype=", $name, ":uint\0");
                #[link_section = ".modinfo"]
                #[used]
                static PARM: [u8; DESC.len()] = bytes(DESC);
                #[link_section = ".modinfo"]
                #[used]
                static PARMTYPE: [u8; TYPE.len()] = bytes(TYPE);
            };
        )*
    };
}

params! {
    RR_SEGMENTS: "rr_segments" => sched::RR_SEGMENTS,
        "rs_rr: MSS-sized segments per round-robin turn (1-64)",
    BLEST_LAMBDA_MIN: "blest_lambda_min" => sched::BLEST_LAMBDA_MIN,
        "rs_blest: lower bound and start of BLEST's lambda, per mille (at most blest_lambda_max)",
    BLEST_LAMBDA_MAX: "blest_lambda_max" => sched::BLEST_LAMBDA_MAX,
        "rs_blest: upper bound of BLEST's lambda, per mille (at least blest_lambda_min)",
    ECF_BETA: "ecf_beta" => sched::ECF_BETA,
        "rs_ecf: ECF's hysteresis beta, per mille",
    BACKUP_STALE_MS: "backup_stale_ms" => sched::BACKUP_STALE_MS,
        "rs_backup: least time in ms a subflow with data outstanding goes without an ACK before it counts as failed (srtt + 4 mdev when longer)",
    PM_RETRY_MS: "pm_retry_ms" => pm::PM_RETRY_MS,
        "rs_kernel and rs_ndiffports: delay before re-creating a failed subflow, doubled each time, in ms",
    PM_RETRY_MAX: "pm_retry_max" => pm::PM_RETRY_MAX,
        "rs_kernel and rs_ndiffports: attempts to re-create a failed subflow (0: none)",
}
