// SPDX-License-Identifier: GPL-2.0

//! The path managers' tunables: per-namespace sysctls under
//! `net.mptcp.rs.`, whose initial values are module parameters (see
//! [`crate::tunable`]).

use crate::{
    logic::pm::kernel::RetryPolicy,
    tunable::{
        value,
        Tunable,
        Values, //
    },
};
use kernel::sync::atomic::Atomic;

/// Most attempts `pm_retry_max` allows.
pub(crate) const PM_RETRY_MAX_LIMIT: u32 = 16;

/// A namespace's values of the path managers' tunables.
pub(crate) struct PmTunables {
    pub(crate) pm_retry_ms: Atomic<u32>,
    pub(crate) pm_retry_max: Atomic<u32>,
}

impl Values for PmTunables {
    fn initial() -> Self {
        Self {
            pm_retry_ms: Atomic::new(PM_RETRY_MS.initial()),
            pm_retry_max: Atomic::new(PM_RETRY_MAX.initial()),
        }
    }
}

impl PmTunables {
    /// How failed subflows are created again in this namespace.
    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            base_ms: value(&self.pm_retry_ms),
            // At most PM_RETRY_MAX_LIMIT, which fits.
            max: value(&self.pm_retry_max) as u8,
        }
    }
}

type PmTunable = Tunable<PmTunables>;

/// `pm_retry_ms`: delay before a failed subflow is created again, in
/// milliseconds; doubles with each attempt.
pub(crate) static PM_RETRY_MS: PmTunable = Tunable::new(1000, 10, 600_000);

/// `pm_retry_max`: attempts per source and connection.  0, the default,
/// turns the re-creation of failed subflows off: `rs_kernel` then behaves
/// exactly as the kernel's path manager, which the kernel's
/// `mptcp_join.sh` checks (it counts the join attempts).
pub(crate) static PM_RETRY_MAX: PmTunable = Tunable::new(0, 0, PM_RETRY_MAX_LIMIT);
