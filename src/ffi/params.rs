// SPDX-License-Identifier: GPL-2.0

//! Module parameters, set at load time only.
//!
//! C header: [`include/linux/moduleparam.h`](srctree/include/linux/moduleparam.h).
//!
//! The `module!` macro offers no checked parameters; [`module_params`]
//! makes the `module_param_cb(name, &ops, &value, 0444)` of C.

use kernel::{
    bindings,
    prelude::*, //
};

/// What a module parameter sets, once, at load time, and sysfs shows.
pub(crate) trait Param: Sync + 'static {
    /// Takes `text`, the value given for the parameter `name`; an error
    /// refuses it, and the module does not load.
    fn set(&self, name: &CStr, text: &[u8]) -> Result;

    /// Writes the value as sysfs shows it into `out`, 16 bytes; returns
    /// the length.
    fn show(&self, out: &mut [u8]) -> usize;
}

/// A parameter descriptor for the `__param` section.
#[repr(transparent)]
pub(crate) struct Descriptor(pub(crate) bindings::kernel_param);

// SAFETY: the descriptor is never written after it is built; the module
// loader and sysfs only read it, and the `Param` it points to is `Sync`.
unsafe impl Sync for Descriptor {}

/// The operations for parameters of type `P`.
pub(crate) const fn ops<P: Param>() -> bindings::kernel_param_ops {
    bindings::kernel_param_ops {
        flags: 0,
        set: Some(set::<P>),
        get: Some(get::<P>),
        free: None,
    }
}

/// # Safety
///
/// `kp` is a descriptor [`module_params`] built for a `P`, so its `arg`
/// points to a static `P`.
unsafe fn param<P>(kp: *const bindings::kernel_param) -> &'static P {
    // SAFETY: `arg` was set from a `&'static P` (caller's guarantee).
    unsafe { &*(*kp).__bindgen_anon_1.arg.cast::<P>() }
}

/// `kernel_param_ops.set`: at load time only (the sysfs file is
/// read-only).
///
/// # Safety
///
/// Called by the module parameter code with one of our descriptors for a
/// `P`, and `val` NULL or a NUL-terminated string.
unsafe extern "C" fn set<P: Param>(val: *const c_char, kp: *const bindings::kernel_param) -> c_int {
    if val.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: `val` is a NUL-terminated string for the call.
    let text = unsafe { CStr::from_char_ptr(val) }.to_bytes();
    // SAFETY: `kp` is one of our descriptors, whose name is a static
    // NUL-terminated string.
    let name = unsafe { CStr::from_char_ptr((*kp).name) };
    // SAFETY: `kp` is one of our descriptors for a `P`.
    match unsafe { param::<P>(kp) }.set(name, text) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `kernel_param_ops.get`: on reads of sysfs.
///
/// # Safety
///
/// Called by the module parameter code with one of our descriptors for a
/// `P` and a `PAGE_SIZE` buffer.
unsafe extern "C" fn get<P: Param>(
    buffer: *mut c_char,
    kp: *const bindings::kernel_param,
) -> c_int {
    // A u32 and a newline take at most 11 bytes of the page.
    // SAFETY: the buffer is at least a page long and ours for the call.
    let out = unsafe { core::slice::from_raw_parts_mut(buffer.cast::<u8>(), 16) };
    // SAFETY: `kp` is one of our descriptors for a `P`.
    let len = unsafe { param::<P>(kp) }.show(out);
    // At most 16.
    len as c_int
}

/// `s` as a fixed-size byte array, for a `.modinfo` entry.
pub(crate) const fn bytes<const N: usize>(s: &str) -> [u8; N] {
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

/// `module_param_cb(name, &ops, &value, 0444)` with its
/// `MODULE_PARM_DESC()`, for each `$desc: "name" => VALUE: Type, "help",`
/// where `VALUE` is a static of a type implementing [`Param`].
macro_rules! module_params {
    ($($desc:ident: $name:literal => $value:path: $ty:ty, $help:literal,)*) => {
        $(
            const _: () = {
                static OPS: ::kernel::bindings::kernel_param_ops =
                    $crate::ffi::params::ops::<$ty>();

                #[link_section = "__param"]
                #[used]
                static $desc: $crate::ffi::params::Descriptor =
                    $crate::ffi::params::Descriptor(::kernel::bindings::kernel_param {
                    // Built-in parameters carry the module name as a prefix.
                    name: if cfg!(MODULE) {
                        concat!($name, "\0").as_ptr().cast()
                    } else {
                        concat!("mptcp_rs.", $name, "\0").as_ptr().cast()
                    },
                    // The module's own descriptor, alive as long as the module.
                    #[cfg(MODULE)]
                    mod_: &raw mut ::kernel::bindings::__this_module,
                    #[cfg(not(MODULE))]
                    mod_: core::ptr::null_mut(),
                    ops: &raw const OPS,
                    perm: 0o444,
                    level: -1,
                    flags: 0,
                    __bindgen_anon_1: ::kernel::bindings::kernel_param__bindgen_ty_1 {
                        arg: (&raw const $value).cast_mut().cast(),
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
                    static PARM: [u8; DESC.len()] = $crate::ffi::params::bytes(DESC);
                    #[link_section = ".modinfo"]
                    #[used]
                    static PARMTYPE: [u8; TYPE.len()] = $crate::ffi::params::bytes(TYPE);
                };
            };
        )*
    };
}
pub(crate) use module_params;
