// SPDX-License-Identifier: GPL-2.0

//! The module's counters.
//!
//! Per namespace, they are the `MPTcpRs` group of `/proc/net/netstat`,
//! which `nstat` shows next to `MPTcpExt`; an increment is one per-CPU
//! add.  Module-wide totals, summed over namespaces when read, including
//! those already gone, are in debugfs (`/sys/kernel/debug/mptcp_rs/counters`,
//! one `MPTcpRs<Name> <value>` line each), for debugging and for tests
//! whose namespaces are short-lived.

#![forbid(unsafe_code)]

use crate::{
    ffi::{
        self,
        net::{
            Net,
            NetId,
            Owner,
            PerNet, //
        },
        sysctl::Entry,
    },
    logic::mib::{
        COUNT,
        PREFIX, //
    },
};
use core::fmt;
use kernel::{
    debugfs,
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
};

pub(crate) use crate::logic::mib::Counter;

/// What namespaces that are gone had counted.
struct Gone([Atomic<u64>; COUNT]);

static GONE: Gone = Gone([const { Atomic::new(0) }; COUNT]);

/// Adds one to `counter` in `net`: one per-CPU increment.
pub(crate) fn inc(net: &Net, counter: Counter) {
    ffi::mib::inc(net, counter);
}

/// A namespace's part of the totals: when the namespace goes, keeps what
/// it counted in the module-wide totals.
pub(crate) struct Archive(Owner);

static NET_ID: NetId<Archive> = NetId::new();

impl PerNet for Archive {
    const SYSCTL_PATH: &'static CStr = c"";
    const SYSCTLS: &'static [Entry<Self>] = &[];

    fn id() -> &'static NetId<Self> {
        &NET_ID
    }

    fn new(net: &Net) -> impl PinInit<Self, Error> {
        Ok(Self(Owner::new(net)))
    }
}

impl Drop for Archive {
    fn drop(&mut self) {
        let net = self.0.get();
        for (gone, value) in GONE.0.iter().zip(ffi::mib::read(Some(net))) {
            gone.add(value, Relaxed);
        }
    }
}

/// The debugfs view of the totals.
struct View;

impl fmt::Debug for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Live namespaces, summed when read, plus those gone.  One line per
        // counter; debugfs ends the last one.
        let live = ffi::mib::read(None);
        let rows = Counter::ALL.iter().zip(live).zip(GONE.0.iter());
        for (i, ((counter, live), gone)) in rows.enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let value = live.wrapping_add(gone.load(Relaxed));
            write!(f, "{PREFIX}{} {}", counter.name(), value)?;
        }
        Ok(())
    }
}

/// The debugfs file of the totals; removed when dropped.
pub(crate) struct Files {
    _counters: Pin<KBox<debugfs::File<View>>>,
}

impl Files {
    /// Creates `counters` in `dir`.  Without debugfs this creates nothing
    /// and succeeds.
    pub(crate) fn new(dir: &debugfs::Dir) -> Result<Self> {
        Ok(Self {
            _counters: KBox::pin_init(dir.read_only_file(c"counters", View), GFP_KERNEL)?,
        })
    }
}
