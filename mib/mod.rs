// SPDX-License-Identifier: GPL-2.0

//! The module's counters.
//!
//! Per namespace, they are the `MPTcpRs` group of `/proc/net/netstat`,
//! which `nstat` shows next to `MPTcpExt`; an increment is one per-CPU
//! add.  Module-wide totals, summed over namespaces when read, including
//! those already gone, are in debugfs (`/sys/kernel/debug/mptcp_rs/counters`,
//! one `MPTcpRs<Name> <value>` line each), for debugging and for tests
//! whose namespaces are short-lived.

use crate::{
    blackhole,
    ffi::{
        self,
        net::Net, //
    },
    logic::{
        blackhole::parse_inject,
        mib::{
            COUNT,
            PREFIX, //
        },
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
    uaccess::UserSliceReader,
};

pub(crate) use crate::logic::mib::Counter;

/// What namespaces that are gone had counted.
struct Gone([Atomic<u64>; COUNT]);

static GONE: Gone = Gone([const { Atomic::new(0) }; COUNT]);

/// Adds one to `counter` in `net`: one per-CPU increment.
pub(crate) fn inc(net: &Net, counter: Counter) {
    ffi::mib::inc(net, counter);
}

/// Keeps what `net`, on its way out, counted in the module-wide totals.
pub(crate) fn net_exit(net: &Net) {
    for (gone, value) in GONE.0.iter().zip(ffi::mib::read(Some(net))) {
        gone.add(value, Relaxed);
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

/// `blackhole_inject`: writing `<IPv4 address> <count>` records `count`
/// blackholes towards consecutive addresses in the initial namespace, the
/// same way real ones are.  A testing aid for the table bounds, which
/// real blackholes (seconds each) cannot reach in a test.
struct Inject;

impl debugfs::Reader for Inject {
    fn read_from_slice(&self, reader: &mut UserSliceReader) -> Result {
        let mut buf = [0u8; 32];
        let len = reader.len();
        let text = buf.get_mut(..len).ok_or(EINVAL)?;
        reader.read_slice(text)?;
        let (first, count) = parse_inject(text).ok_or(EINVAL)?;
        blackhole::inject(Net::init_net(), first, count);
        Ok(())
    }
}

/// The debugfs files; removed when dropped.
pub(crate) struct Files {
    _counters: Pin<KBox<debugfs::File<View>>>,
    _inject: Pin<KBox<debugfs::File<Inject>>>,
}

impl Files {
    /// Creates `mptcp_rs/counters` and `mptcp_rs/blackhole_inject` in
    /// debugfs.  Without debugfs this creates nothing and succeeds.
    pub(crate) fn new() -> Result<Self> {
        let dir = debugfs::Dir::new(c"mptcp_rs");
        Ok(Self {
            _counters: KBox::pin_init(dir.read_only_file(c"counters", View), GFP_KERNEL)?,
            _inject: KBox::pin_init(dir.write_only_file(c"blackhole_inject", Inject), GFP_KERNEL)?,
        })
    }
}
