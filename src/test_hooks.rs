// SPDX-License-Identifier: GPL-2.0

//! Test hooks in debugfs, `/sys/kernel/debug/mptcp_rs/`: built only with
//! `CONFIG_MPTCP_RS_TEST_HOOKS`, which the test kernel sets.

#![forbid(unsafe_code)]

use crate::{
    blackhole::{
        self,
        NetBlackhole, //
    },
    ffi::net::Net,
    logic::blackhole::parse_inject,
};
use core::fmt;
use kernel::{
    debugfs,
    prelude::*,
    sync::atomic::Relaxed,
    uaccess::UserSliceReader, //
};

/// `blackhole_inject` (test hook): writing `<IPv4 address> <count>`
/// records `count` blackholes towards consecutive addresses in the
/// writer's namespace, the same way real ones are.  Real blackholes take
/// seconds each: a test cannot fill the table with them.
struct Inject;

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
struct LockedAllows;

impl fmt::Debug for LockedAllows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = Net::of_current(|net| NetBlackhole::of(net).locked_allows.load(Relaxed));
        write!(f, "{n}")
    }
}

/// `sched_skip_every` (test hook): reads and sets
/// [`crate::sched::SKIP_EVERY`], a deliberate scheduler fault.
struct SchedSkip;

impl fmt::Debug for SchedSkip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", crate::sched::SKIP_EVERY.load(Relaxed))
    }
}

impl debugfs::Reader for SchedSkip {
    fn read_from_slice(&self, reader: &mut UserSliceReader) -> Result {
        debugfs::Reader::read_from_slice(&crate::sched::SKIP_EVERY, reader)
    }
}

/// `warn` (test hook): any write makes the module WARN, for the test
/// that the log check catches a splat and decodes its trace to source
/// lines (`selftests/splat_decode.sh`).
struct Warn;

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

/// The test hooks' files; removed when dropped.
pub(crate) struct Files {
    _inject: Pin<KBox<debugfs::File<Inject>>>,
    _locked: Pin<KBox<debugfs::File<LockedAllows>>>,
    _skip: Pin<KBox<debugfs::File<SchedSkip>>>,
    _warn: Pin<KBox<debugfs::File<Warn>>>,
}

impl Files {
    /// Creates the hooks in `dir`.  Without debugfs this creates nothing
    /// and succeeds.
    pub(crate) fn new(dir: &debugfs::Dir) -> Result<Self> {
        Ok(Self {
            _inject: KBox::pin_init(dir.write_only_file(c"blackhole_inject", Inject), GFP_KERNEL)?,
            _locked: KBox::pin_init(
                dir.read_only_file(c"blackhole_locked_allows", LockedAllows),
                GFP_KERNEL,
            )?,
            _skip: KBox::pin_init(
                dir.read_write_file(c"sched_skip_every", SchedSkip),
                GFP_KERNEL,
            )?,
            _warn: KBox::pin_init(dir.write_only_file(c"warn", Warn), GFP_KERNEL)?,
        })
    }
}
