// SPDX-License-Identifier: GPL-2.0

//! The path managers' tunables (module parameters, see [`crate::tunable`]).

use crate::tunable::Tunable;

/// Most attempts `pm_retry_max` allows.
pub(crate) const PM_RETRY_MAX_LIMIT: u32 = 16;

/// `pm_retry_ms`: delay before a failed subflow is created again, in
/// milliseconds; doubles with each attempt.
pub(crate) static PM_RETRY_MS: Tunable = Tunable::new(1000, 10, 600_000);

/// `pm_retry_max`: attempts per source and connection.  0, the default,
/// turns the re-creation of failed subflows off: `rs_kernel` then behaves
/// exactly as the kernel's path manager, which the kernel's
/// `mptcp_join.sh` checks (it counts the join attempts).
pub(crate) static PM_RETRY_MAX: Tunable = Tunable::new(0, 0, PM_RETRY_MAX_LIMIT);
