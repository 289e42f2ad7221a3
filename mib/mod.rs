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
    blackhole,
    ffi::{
        self,
        net::{
            Net,
            Owner, //
        },
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
#[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
use {
    crate::logic::blackhole::parse_inject,
    kernel::uaccess::UserSliceReader, //
};

pub(crate) use crate::logic::mib::Counter;

/// What namespaces that are gone had counted.
struct Gone([Atomic<u64>; COUNT]);

static GONE: Gone = Gone([const { Atomic::new(0) }; COUNT]);

/// Adds one to `counter` in `net`: one per-CPU increment.
pub(crate) fn inc(net: &Net, counter: Counter) {
    ffi::mib::inc(net, counter);
}

/// Part of a namespace's state: when the state is dropped, keeps what the
/// namespace counted in the module-wide totals.
pub(crate) struct Archive(Owner);

impl Archive {
    /// For the state of `net`, and only there.
    pub(crate) fn new(net: &Net) -> Self {
        Self(Owner::new(net))
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

/// `blackhole_inject` (test hook): writing `<IPv4 address> <count>`
/// records `count` blackholes towards consecutive addresses in the
/// writer's namespace, the same way real ones are.  Real blackholes take
/// seconds each: a test cannot fill the table with them.
#[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
struct Inject;

#[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
impl debugfs::Reader for Inject {
    fn read_from_slice(&self, reader: &mut UserSliceReader) -> Result {
        let mut buf = [0u8; 32];
        let len = reader.len();
        let text = buf.get_mut(..len).ok_or(EINVAL)?;
        reader.read_slice(text)?;
        let (first, count) = parse_inject(text).ok_or(EINVAL)?;
        Net::of_current(|net| blackhole::inject(net, first, count));
        Ok(())
    }
}

/// `blackhole_locked_allows` (test hook): how many connections in the
/// reader's namespace took the blackhole lock to decide whether to try
/// MPTCP; none should while nothing is on record.
#[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
struct LockedAllows;

#[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
impl fmt::Debug for LockedAllows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = Net::of_current(|net| net.state().blackhole.locked_allows.load(Relaxed));
        write!(f, "{n}")
    }
}

/// `sched_skip_every` (test hook): reads and sets
/// [`crate::sched::SKIP_EVERY`], a deliberate scheduler fault.
#[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
struct SchedSkip;

#[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
impl fmt::Debug for SchedSkip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", crate::sched::SKIP_EVERY.load(Relaxed))
    }
}

#[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
impl debugfs::Reader for SchedSkip {
    fn read_from_slice(&self, reader: &mut UserSliceReader) -> Result {
        debugfs::Reader::read_from_slice(&crate::sched::SKIP_EVERY, reader)
    }
}

/// `warn` (test hook): any write makes the module WARN, for the test
/// that the log check catches a splat and decodes its trace to source
/// lines (`selftests/splat_decode.sh`).
#[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
struct Warn;

#[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
impl debugfs::Reader for Warn {
    // A frame of its own, so that the decoded trace names this line
    // rather than the debugfs code it would be inlined into.
    #[inline(never)]
    fn read_from_slice(&self, reader: &mut UserSliceReader) -> Result {
        reader.skip(reader.len())?;
        kernel::warn_on!(true);
        Ok(())
    }
}

/// The debugfs files; removed when dropped.
pub(crate) struct Files {
    _counters: Pin<KBox<debugfs::File<View>>>,
    #[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
    _inject: Pin<KBox<debugfs::File<Inject>>>,
    #[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
    _locked: Pin<KBox<debugfs::File<LockedAllows>>>,
    #[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
    _skip: Pin<KBox<debugfs::File<SchedSkip>>>,
    #[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
    _warn: Pin<KBox<debugfs::File<Warn>>>,
}

impl Files {
    /// Creates `mptcp_rs/counters`, and the test hooks when built with
    /// them, in debugfs.  Without debugfs this creates nothing and
    /// succeeds.
    pub(crate) fn new() -> Result<Self> {
        let dir = debugfs::Dir::new(c"mptcp_rs");
        Ok(Self {
            _counters: KBox::pin_init(dir.read_only_file(c"counters", View), GFP_KERNEL)?,
            #[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
            _inject: KBox::pin_init(dir.write_only_file(c"blackhole_inject", Inject), GFP_KERNEL)?,
            #[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
            _locked: KBox::pin_init(
                dir.read_only_file(c"blackhole_locked_allows", LockedAllows),
                GFP_KERNEL,
            )?,
            #[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
            _skip: KBox::pin_init(
                dir.read_write_file(c"sched_skip_every", SchedSkip),
                GFP_KERNEL,
            )?,
            #[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
            _warn: KBox::pin_init(dir.write_only_file(c"warn", Warn), GFP_KERNEL)?,
        })
    }
}
