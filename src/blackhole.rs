// SPDX-License-Identifier: GPL-2.0

//! Blackhole backoff policy, per namespace or per destination.
//!
//! The kernel calls us (see [`crate::ffi::active`]) before a connection
//! tries MPTCP, when it detects a blackhole (MP_CAPABLE SYNs dropped,
//! plain TCP SYNs answered), and when an MPTCP connection is established.
//! The decisions are in [`crate::logic::blackhole`]; this keeps their
//! state, under a lock held only for a table lookup.

use crate::{
    ffi::{
        net::Net,
        time, //
    },
    logic::blackhole::{
        Backoff,
        Insert,
        Key,
        Slot,
        Table,
        Verdict, //
    },
    mib::{
        self,
        Counter, //
    },
};
use kernel::{
    alloc::flags::__GFP_NOWARN,
    new_spinlock_irq,
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        SpinLockIrq,
    },
};

/// `blackhole_mode`: one backoff for the whole namespace, like mainline.
pub(crate) const MODE_NETNS: i32 = 0;
/// `blackhole_mode`: one backoff per destination (the default).
pub(crate) const MODE_DESTINATION: i32 = 1;

/// Smallest and largest `blackhole_table_size`.
pub(crate) const TABLE_MIN: i32 = 4;
/// See [`TABLE_MIN`].
pub(crate) const TABLE_MAX: i32 = 65536;
const TABLE_DEFAULT: i32 = 1024;

type DestTable = Table<KVVec<Slot>, KVVec<u32>>;

struct Inner {
    netns: Backoff,
    table: DestTable,
}

/// A table of `size` entries.  The largest is a few MiB, hence kvmalloc();
/// failing is reported to whoever asked (a namespace being created, a
/// sysctl write) as `ENOMEM`, so the allocator need not warn.
fn new_table(size: usize) -> Result<DestTable> {
    let gfp = GFP_KERNEL | __GFP_NOWARN;
    let slots = KVVec::from_elem(Slot::default(), size, gfp)?;
    let buckets = KVVec::from_elem(0u32, size.next_power_of_two(), gfp)?;
    Ok(Table::new(slots, buckets, time::random_u64()))
}

/// A namespace's blackhole state and configuration.
#[pin_data]
pub(crate) struct NetBlackhole {
    /// `net.mptcp.rs.blackhole_mode` (written by the sysctl code).
    pub(crate) mode: Atomic<i32>,
    /// `net.mptcp.rs.blackhole_table_size`.
    size: Atomic<i32>,
    #[pin]
    inner: SpinLockIrq<Inner>,
}

impl NetBlackhole {
    /// The state of a new namespace: destination mode, an empty table.
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            mode: Atomic::new(MODE_DESTINATION),
            size: Atomic::new(TABLE_DEFAULT),
            inner <- new_spinlock_irq!(Inner {
                netns: Backoff::default(),
                table: new_table(TABLE_DEFAULT as usize)?,
            }),
        })
    }

    fn destination_mode(&self) -> bool {
        self.mode.load(Relaxed) == MODE_DESTINATION
    }

    /// The configured table size.
    pub(crate) fn table_size(&self) -> i32 {
        self.size.load(Relaxed)
    }

    /// Destinations on record.
    pub(crate) fn entries(&self) -> usize {
        self.inner.lock().table.len()
    }

    /// Replaces the table by an empty one of `size` entries (sysctl
    /// writes, process context).
    pub(crate) fn resize(&self, size: i32) -> Result {
        if !(TABLE_MIN..=TABLE_MAX).contains(&size) {
            return Err(EINVAL);
        }
        let mut table = new_table(size as usize)?;
        core::mem::swap(&mut self.inner.lock().table, &mut table);
        self.size.store(size, Relaxed);
        // The old table is freed here, outside the lock.
        drop(table);
        Ok(())
    }
}

/// The backoff base, in jiffies: `net.mptcp.blackhole_timeout` seconds.
fn base(net: &Net) -> u64 {
    time::secs_to_jiffies(net.blackhole_timeout())
}

/// May a new connection to `dest` try MPTCP?  Destinations the kernel
/// could not give us (`None`) follow the namespace-wide state.
pub(crate) fn allow(net: &Net, dest: Option<Key>) -> bool {
    let bh = &net.state().blackhole;
    let (now, base) = (time::jiffies(), base(net));
    let dest = dest.filter(|_| bh.destination_mode());
    let verdict = {
        let mut inner = bh.inner.lock();
        match dest {
            Some(key) => inner
                .table
                .get(key)
                .map_or(Verdict::Try, |b| b.verdict(now, base)),
            None => inner.netns.verdict(now, base),
        }
    };
    match (verdict, dest.is_some()) {
        (Verdict::Try, _) => true,
        (Verdict::Expired, _) => {
            mib::inc(net, Counter::BackoffExpired);
            true
        }
        (Verdict::Disabled, true) => {
            mib::inc(net, Counter::ActiveDisabledDest);
            false
        }
        (Verdict::Disabled, false) => {
            mib::inc(net, Counter::ActiveDisabledNetns);
            false
        }
    }
}

/// A blackhole towards `dest` was detected.
pub(crate) fn blackhole(net: &Net, dest: Option<Key>) {
    let bh = &net.state().blackhole;
    let now = time::jiffies();
    match dest.filter(|_| bh.destination_mode()) {
        Some(key) => {
            let evicted = match bh.inner.lock().table.insert(key) {
                Some((backoff, how)) => {
                    backoff.blackhole(now);
                    how == Insert::Evicted
                }
                None => false,
            };
            mib::inc(net, Counter::BlackholeDest);
            if evicted {
                mib::inc(net, Counter::BlackholeEvicted);
            }
        }
        None => {
            bh.inner.lock().netns.blackhole(now);
            mib::inc(net, Counter::BlackholeNetns);
        }
    }
}

/// An MPTCP connection to `dest` was established; `loopback` when it went
/// through a loopback device, which proves nothing about other paths.
pub(crate) fn established(net: &Net, dest: Option<Key>, loopback: bool) {
    let bh = &net.state().blackhole;
    let reset = {
        let mut inner = bh.inner.lock();
        match dest.filter(|_| bh.destination_mode()) {
            Some(key) => inner.table.get(key).is_some_and(|b| b.success()),
            None if !loopback => inner.netns.success(),
            None => false,
        }
    };
    if reset {
        mib::inc(net, Counter::BackoffReset);
    }
}

/// A connection fell back to TCP (`done`), or could not and its subflow
/// is reset; `reason` is the `MPTcpExt` counter of the cause.
pub(crate) fn fallback(net: &Net, reason: u32, done: bool) {
    use kernel::bindings;
    let counter = match reason {
        // Not a fallback: MPTCP was not tried, ActiveDisabled* counted it.
        bindings::linux_mptcp_mib_field_MPTCP_MIB_MPCAPABLEACTIVEDISABLED => return,
        _ if !done => Counter::FallbackRefused,
        bindings::linux_mptcp_mib_field_MPTCP_MIB_MPCAPABLEACTIVEDROP
        | bindings::linux_mptcp_mib_field_MPTCP_MIB_MPCAPABLEACTIVEFALLBACK => {
            Counter::FallbackNoMpc
        }
        bindings::linux_mptcp_mib_field_MPTCP_MIB_MPCAPABLEDATAFALLBACK => {
            Counter::FallbackOptionsDropped
        }
        bindings::linux_mptcp_mib_field_MPTCP_MIB_DSSFALLBACK
        | bindings::linux_mptcp_mib_field_MPTCP_MIB_DSSCORRUPTIONFALLBACK
        | bindings::linux_mptcp_mib_field_MPTCP_MIB_INFINITEMAPTX => Counter::FallbackDss,
        _ => Counter::FallbackOther,
    };
    mib::inc(net, counter);
}

/// Records `count` synthetic blackholes towards consecutive IPv4
/// destinations from `first`, in `net` (a testing aid, see
/// `selftests/blackhole.sh`): the same path as real ones.
pub(crate) fn inject(net: &Net, first: [u8; 4], count: u32) {
    let start = u32::from_be_bytes(first);
    for i in 0..count {
        blackhole(net, Some(Key::v4(start.wrapping_add(i).to_be_bytes())));
    }
}
