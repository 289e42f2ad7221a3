// SPDX-License-Identifier: GPL-2.0

//! The module's counters.
//!
//! Module-wide for now, read from debugfs as
//! `/sys/kernel/debug/mptcp_rs/counters`, one `MPTcpRs<Name> <value>` line
//! per counter, in the format `nstat` uses.

use crate::logic::mib::{
    COUNT,
    PREFIX, //
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

struct Counters([Atomic<u64>; COUNT]);

static COUNTERS: Counters = Counters([const { Atomic::new(0) }; COUNT]);

/// Adds one to `counter`.
pub(crate) fn inc(counter: Counter) {
    if let Some(c) = COUNTERS.0.get(counter as usize) {
        c.add(1, Relaxed);
    }
}

/// The debugfs view of the counters.
struct View;

impl fmt::Debug for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line per counter; debugfs ends the last one.
        for (i, (counter, value)) in Counter::ALL.iter().zip(COUNTERS.0.iter()).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{PREFIX}{} {}", counter.name(), value.load(Relaxed))?;
        }
        Ok(())
    }
}

/// The counters file; removed when dropped.
pub(crate) struct Files {
    _counters: Pin<KBox<debugfs::File<View>>>,
}

impl Files {
    /// Creates `mptcp_rs/counters` in debugfs.  Without debugfs this
    /// creates nothing and succeeds.
    pub(crate) fn new() -> Result<Self> {
        let dir = debugfs::Dir::new(c"mptcp_rs");
        let counters = KBox::pin_init(dir.read_only_file(c"counters", View), GFP_KERNEL)?;
        Ok(Self {
            _counters: counters,
        })
    }
}
