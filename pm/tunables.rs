// SPDX-License-Identifier: GPL-2.0

//! What the path managers keep per namespace: `ndiffports` and their
//! tunables, per-namespace sysctls under `net.mptcp.rs.` whose initial
//! values are module parameters (see [`crate::tunable`]).

use crate::{
    ffi::{
        net::{
            Net,
            NetId,
            Owner,
            PerNet, //
        },
        sysctl::Entry,
    },
    logic::pm::{
        kernel::RetryPolicy,
        ndiffports, //
    },
    tunable::{
        self,
        value,
        Tunable,
        Values, //
    },
};
use kernel::{
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
};

/// `net.mptcp.rs.ndiffports` of a new namespace: one join besides the
/// initial subflow, within the kernel's default `subflows` limit of 2.
const NDIFFPORTS_DEFAULT: i32 = 2;

/// What the path managers keep per namespace.
pub(crate) struct PmNet {
    /// The namespace.
    owner: Owner,
    /// `net.mptcp.rs.ndiffports`: the subflows `rs_ndiffports` opens.
    ndiffports: Atomic<i32>,
    /// The tunables.
    pub(crate) tunables: PmTunables,
}

impl PmNet {
    /// The state of `net`.
    pub(crate) fn of(net: &Net) -> &Self {
        net.data()
    }

    /// The number of subflows `rs_ndiffports` opens.
    pub(crate) fn ndiffports(&self) -> u32 {
        u32::try_from(self.ndiffports.load(Relaxed)).unwrap_or(1)
    }

    /// `ndiffports`: at least 1, and at most 1 more than the namespace's
    /// `subflows` limit allows.
    fn set_ndiffports(&self, value: i32) -> Result {
        let limit = self.owner.get().limit_extra_subflows();
        let n = u32::try_from(value).unwrap_or(0);
        if !ndiffports::n_fits(n, limit) {
            pr_warn!(
                "ndiffports: {} refused: above the subflows limit ({}) plus the initial subflow; kept {}\n",
                n,
                limit,
                self.ndiffports.load(Relaxed)
            );
            return Err(EINVAL);
        }
        self.ndiffports.store(value, Relaxed);
        Ok(())
    }
}

static NET_ID: NetId<PmNet> = NetId::new();

impl PerNet for PmNet {
    const SYSCTL_PATH: &'static CStr = tunable::SYSCTL_PATH;

    const SYSCTLS: &'static [Entry<Self>] = &[
        Entry::new(
            c"ndiffports",
            ndiffports::N_MIN as i32,
            ndiffports::N_MAX as i32,
            |pm| pm.ndiffports.load(Relaxed),
            PmNet::set_ndiffports,
        ),
        tunable::entry!(PM_RETRY_MS, tunables.pm_retry_ms),
        tunable::entry!(PM_RETRY_MAX, tunables.pm_retry_max),
    ];

    fn id() -> &'static NetId<Self> {
        &NET_ID
    }

    fn new(net: &Net) -> impl PinInit<Self, Error> {
        Ok(Self {
            owner: Owner::new(net),
            ndiffports: Atomic::new(NDIFFPORTS_DEFAULT),
            tunables: PmTunables::initial(),
        })
    }
}

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

pub(crate) type PmTunable = Tunable<PmTunables>;

/// `pm_retry_ms`: delay before a failed subflow is created again, in
/// milliseconds; doubles with each attempt.
pub(crate) static PM_RETRY_MS: PmTunable = Tunable::new(1000, 10, 600_000);

/// `pm_retry_max`: attempts per source and connection.  0, the default,
/// turns the re-creation of failed subflows off: `rs_kernel` then behaves
/// exactly as the kernel's path manager, which the kernel's
/// `mptcp_join.sh` checks (it counts the join attempts).
pub(crate) static PM_RETRY_MAX: PmTunable = Tunable::new(0, 0, PM_RETRY_MAX_LIMIT);
