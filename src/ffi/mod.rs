// SPDX-License-Identifier: GPL-2.0

//! The unsafe boundary between the MPTCP core and the module.
//!
//! Everything that dereferences a kernel pointer lives here: the wrappers
//! for the msk and its subflows, the `extern "C"` callbacks the core calls,
//! and the registrations that hand our ops tables to the core.  The rest of
//! the module is safe Rust on top of these types.

pub(crate) mod active;
pub(crate) mod lock;
pub(crate) mod memcg;
pub(crate) mod mib;
pub(crate) mod msk;
pub(crate) mod net;
mod ops;
mod params;
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
