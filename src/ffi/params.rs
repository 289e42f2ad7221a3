// SPDX-License-Identifier: GPL-2.0

//! Module parameters: the initial values of [`Tunable`]s, set at load
//! time only; each namespace then has its own value, a sysctl.
//!
//! C header: [`include/linux/moduleparam.h`](srctree/include/linux/moduleparam.h).
//!
//! The `module!` macro offers no checked parameters; these descriptors are
//! the `module_param_cb(name, &ops, &tunable, 0444)` of C.

use crate::{
    pm::tunables as pm,
    sched::tunables as sched,
    tunable::{
        Tunable,
        Values, //
    },
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

/// The operations for the tunables of the group `C`.
const fn ops<C: Values>() -> bindings::kernel_param_ops {
    bindings::kernel_param_ops {
        flags: 0,
        set: Some(set::<C>),
        get: Some(get::<C>),
        free: None,
    }
}

static SCHED_OPS: bindings::kernel_param_ops = ops::<sched::SchedTunables>();
static PM_OPS: bindings::kernel_param_ops = ops::<pm::PmTunables>();

/// # Safety
///
/// `kp` is one of the descriptors below, so its `arg` points to a static
/// [`Tunable`] of the group `C`.
unsafe fn tunable<C>(kp: *const bindings::kernel_param) -> &'static Tunable<C> {
    // SAFETY: `arg` was set from a `&'static Tunable<C>` (caller's
    // guarantee).
    unsafe { &*(*kp).__bindgen_anon_1.arg.cast::<Tunable<C>>() }
}

/// `kernel_param_ops.set`: at load time only (the sysfs file is
/// read-only).
///
/// # Safety
///
/// Called by the module parameter code with one of our descriptors of the
/// group `C`, and `val` NULL or a NUL-terminated string.
unsafe extern "C" fn set<C: Values>(
    val: *const c_char,
    kp: *const bindings::kernel_param,
) -> c_int {
    if val.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: `val` is a NUL-terminated string for the call.
    let text = unsafe { CStr::from_char_ptr(val) }.to_bytes();
    // SAFETY: `kp` is one of our descriptors, whose name is a static
    // NUL-terminated string.
    let name = unsafe { CStr::from_char_ptr((*kp).name) };
    // SAFETY: `kp` is one of our descriptors.
    match unsafe { tunable::<C>(kp) }.set_initial(name, text) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `kernel_param_ops.get`: on reads of sysfs.
///
/// # Safety
///
/// Called by the module parameter code with one of our descriptors of the
/// group `C` and a `PAGE_SIZE` buffer.
unsafe extern "C" fn get<C: Values>(
    buffer: *mut c_char,
    kp: *const bindings::kernel_param,
) -> c_int {
    // A u32 and a newline take at most 11 bytes of the page.
    // SAFETY: the buffer is at least a page long and ours for the call.
    let out = unsafe { core::slice::from_raw_parts_mut(buffer.cast::<u8>(), 16) };
    // SAFETY: `kp` is one of our descriptors.
    let len = unsafe { tunable::<C>(kp) }.show_initial(out);
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
    ($($desc:ident: $name:literal => $tunable:path, $ops:ident, $help:literal,)*) => {
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
                ops: &raw const $ops,
                perm: 0o444,
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
    RR_SEGMENTS: "rr_segments" => sched::RR_SEGMENTS, SCHED_OPS,
        "rs_rr: initial net.mptcp.rs.rr_segments, MSS-sized segments per round-robin turn (1-64)",
    BLEST_LAMBDA_MIN: "blest_lambda_min" => sched::BLEST_LAMBDA_MIN, SCHED_OPS,
        "rs_blest: initial net.mptcp.rs.blest_lambda_min, lower bound and start of BLEST's lambda, per mille (at most blest_lambda_max)",
    BLEST_LAMBDA_MAX: "blest_lambda_max" => sched::BLEST_LAMBDA_MAX, SCHED_OPS,
        "rs_blest: initial net.mptcp.rs.blest_lambda_max, upper bound of BLEST's lambda, per mille (at least blest_lambda_min)",
    ECF_BETA: "ecf_beta" => sched::ECF_BETA, SCHED_OPS,
        "rs_ecf: initial net.mptcp.rs.ecf_beta, ECF's hysteresis beta, per mille",
    BACKUP_STALE_MS: "backup_stale_ms" => sched::BACKUP_STALE_MS, SCHED_OPS,
        "rs_backup: initial net.mptcp.rs.backup_stale_ms, least time in ms a subflow with data outstanding goes without an ACK before it counts as failed (srtt + 4 mdev when longer)",
    PM_RETRY_MS: "pm_retry_ms" => pm::PM_RETRY_MS, PM_OPS,
        "rs_kernel and rs_ndiffports: initial net.mptcp.rs.pm_retry_ms, delay before re-creating a failed subflow, doubled each time, in ms",
    PM_RETRY_MAX: "pm_retry_max" => pm::PM_RETRY_MAX, PM_OPS,
        "rs_kernel and rs_ndiffports: initial net.mptcp.rs.pm_retry_max, attempts to re-create a failed subflow (0: none)",
}
