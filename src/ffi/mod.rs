// SPDX-License-Identifier: GPL-2.0

//! The unsafe boundary between the MPTCP core and the module.
//!
//! Everything that dereferences a kernel pointer lives here: the wrappers
//! for the msk and its subflows, the traits the rest of the module
//! implements (schedulers, path managers, the active-MPTCP policy,
//! per-namespace state, module parameters) with the `extern "C"` callbacks
//! that call them, and the registrations that hand the tables to the
//! kernel.  It uses nothing of the module but the decision code in
//! [`crate::logic`]; the rest of the module is safe Rust on top of it.

pub(crate) mod active;
pub(crate) mod lock;
pub(crate) mod memcg;
pub(crate) mod mib;
pub(crate) mod msk;
pub(crate) mod net;
mod ops;
pub(crate) mod params;
pub(crate) mod pm;
pub(crate) mod pm_conn;
pub(crate) mod sched;
pub(crate) mod siphash;
pub(crate) mod sysctl;
pub(crate) mod time;
mod trace;

use kernel::prelude::*;

/// A C `name[N]` field: `name` with its NUL, zero-padded.  Fails the build
/// when the name does not fit.
const fn name_field<const N: usize>(name: &CStr) -> [c_char; N] {
    let bytes = name.to_bytes_with_nul();
    assert!(bytes.len() <= N, "name too long for its C field");
    let mut out = [0; N];
    let mut i = 0;
    while i < bytes.len() {
        out[i] = bytes[i] as c_char;
        i += 1;
    }
    out
}
