// SPDX-License-Identifier: GPL-2.0

//! The tracepoints the module emits, on top of those the core emits for
//! every scheduler (`mptcp:mptcp_subflow_get_send`, kernel patch 0020).

use crate::logic::mib::Counter;
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
    // SAFETY: the counters' names are static NUL-terminated strings; the
    // event copies the one it is given.
    unsafe { mptcp_pm_event(token, super::mib::c_name(counter)) }
}
