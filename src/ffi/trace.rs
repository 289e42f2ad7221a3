// SPDX-License-Identifier: GPL-2.0

//! The tracepoints the module emits, on top of those the core emits for
//! every scheduler (`mptcp:mptcp_subflow_get_send`, kernel patch 0020).

use crate::logic::mib::Counter;
use core::ffi::CStr;
use kernel::prelude::*;

kernel::declare_trace! {
    /// `mptcp:mptcp_pm_event` (kernel patch 0021).
    ///
    /// # Safety
    ///
    /// `event` points to a NUL-terminated string.
    unsafe fn mptcp_pm_event(token: u32, event: *const c_char);
}

/// Emits `mptcp:mptcp_pm_event` for a path-manager decision on the
/// connection `token`, named after the counter it increments.  Costs a
/// static branch while the event is off.
pub(crate) fn pm_event(token: u32, counter: Counter) {
    if let Ok(name) = CStr::from_bytes_with_nul(counter.name_nul().as_bytes()) {
        // SAFETY: a `CStr` is NUL-terminated; the event copies it.
        unsafe { mptcp_pm_event(token, name.as_char_ptr()) }
    }
}
