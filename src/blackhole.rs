// SPDX-License-Identifier: GPL-2.0

//! Blackhole backoff policy: per namespace, per destination, or adaptive.
//!
//! The kernel calls us (see [`crate::ffi::active`]) before a connection
//! tries MPTCP, when it detects a blackhole (MP_CAPABLE SYNs dropped,
//! plain TCP SYNs answered), and when an MPTCP connection is established;
//! never while `net.mptcp.blackhole_timeout` is 0.  The decisions are in
//! [`crate::logic::blackhole`]; this keeps their state.
//!
//! A namespace that never saw a blackhole costs a few atomics: the
//! destination table is allocated at the first blackhole (16 entries,
//! doubled as it fills, up to `blackhole_table_size`), charged to the
//! memory cgroup of whoever created the namespace, and `connect()` takes
//! no lock until something is on record.

#![forbid(unsafe_code)]

use crate::{
    ffi::{
        active::{
            Fallback,
            Policy as ActivePolicy, //
        },
        lock::{
            new_spinlock_bh,
            SpinLockBh, //
        },
        memcg::{
            gfp_account,
            MemCg, //
        },
        net::{
            Net,
            NetId,
            Owner,
            PerNet, //
        },
        siphash::SipHash,
        sysctl::Entry,
        time, //
    },
    logic::blackhole::{
        policy::{
            Mode,
            Policy,
            Scope,
            MODE_ADAPTIVE,
            MODE_NETNS,
            THRESHOLD_DEFAULT,
            THRESHOLD_MAX, //
        },
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
    alloc::{
        flags::__GFP_NOWARN,
        Flags, //
    },
    prelude::*,
    sync::atomic::{
        Acquire,
        Atomic,
        Relaxed,
        Release, //
    },
};

/// Smallest and largest `blackhole_table_size`.
pub(crate) const TABLE_MIN: i32 = 4;
/// See [`TABLE_MIN`].
pub(crate) const TABLE_MAX: i32 = 65536;
/// `blackhole_table_size` of a new namespace, and the most a namespace
/// outside the initial user namespace may set.
pub(crate) const TABLE_DEFAULT: i32 = 1024;
/// Entries of a new table; it doubles when full.
const TABLE_FIRST: usize = 16;

type DestTable = Table<KVVec<Slot>, KVVec<u32>, SipHash>;

/// A table of `size` entries, charged to `memcg`.  Growth happens where
/// blackholes are detected, in softirq context, hence `GFP_ATOMIC` there;
/// failing leaves the old table in place (the least recently used entry
/// makes room instead), so the allocator need not warn.
fn new_table(size: usize, memcg: &MemCg, gfp: Flags) -> Result<DestTable> {
    let gfp = gfp | gfp_account() | __GFP_NOWARN;
    memcg.charge(|| {
        let slots = KVVec::from_elem(Slot::default(), size, gfp)?;
        let buckets = KVVec::from_elem(0u32, size.next_power_of_two(), gfp)?;
        Ok(Table::new(slots, buckets, SipHash::new()))
    })
}

struct Inner {
    policy: Policy,
    table: Option<DestTable>,
    /// The `net.mptcp.blackhole_timeout` writes this state has seen.
    resets: u32,
}

/// A namespace's blackhole state and configuration.
#[pin_data]
pub(crate) struct NetBlackhole {
    /// The namespace.
    owner: Owner,
    /// `net.mptcp.rs.blackhole_mode`.
    mode: Atomic<i32>,
    /// `net.mptcp.rs.blackhole_adaptive_threshold`.
    threshold: Atomic<i32>,
    /// `net.mptcp.rs.blackhole_table_size`.
    size: Atomic<i32>,
    /// Non-zero once something is on record; until then `connect()` needs
    /// no lock.
    armed: Atomic<i32>,
    /// Connections that took the lock to decide (a test hook shows it).
    pub(crate) locked_allows: Atomic<u64>,
    /// Charged for the table.
    memcg: MemCg,
    #[pin]
    inner: SpinLockBh<Inner>,
}

static NET_ID: NetId<NetBlackhole> = NetId::new();

impl PerNet for NetBlackhole {
    const SYSCTL_PATH: &'static CStr = crate::tunable::SYSCTL_PATH;

    const SYSCTLS: &'static [Entry<Self>] = &[
        Entry::new(
            c"blackhole_mode",
            MODE_NETNS,
            MODE_ADAPTIVE,
            |bh| bh.mode.load(Relaxed),
            |bh, v| {
                bh.mode.store(v, Relaxed);
                Ok(())
            },
        ),
        Entry::new(
            c"blackhole_adaptive_threshold",
            1,
            THRESHOLD_MAX as i32,
            |bh| bh.threshold.load(Relaxed),
            |bh, v| {
                bh.threshold.store(v, Relaxed);
                Ok(())
            },
        ),
        Entry::new(
            c"blackhole_table_size",
            TABLE_MIN,
            TABLE_MAX,
            |bh| bh.size.load(Relaxed),
            NetBlackhole::resize,
        ),
        // Destinations on record.
        Entry::read_only(c"blackhole_entries", |bh| int(bh.usage().0)),
        // Entries allocated, 0 until the first blackhole.
        Entry::read_only(c"blackhole_table_capacity", |bh| int(bh.usage().1)),
    ];

    fn id() -> &'static NetId<Self> {
        &NET_ID
    }

    /// The state of a new namespace created by the current task: adaptive
    /// mode, nothing allocated.
    fn new(net: &Net) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            owner: Owner::new(net),
            mode: Atomic::new(MODE_ADAPTIVE),
            threshold: Atomic::new(THRESHOLD_DEFAULT),
            size: Atomic::new(TABLE_DEFAULT),
            armed: Atomic::new(0),
            locked_allows: Atomic::new(0),
            memcg: MemCg::current(),
            inner <- new_spinlock_bh!(Inner {
                policy: Policy::default(),
                table: None,
                resets: net.blackhole_resets(),
            }),
        })
    }
}

/// A count as a sysctl shows it.
fn int(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl NetBlackhole {
    /// The namespace's state.
    pub(crate) fn of(net: &Net) -> &Self {
        net.data()
    }

    fn mode(&self) -> Mode {
        Mode::from_sysctl(self.mode.load(Relaxed), self.threshold.load(Relaxed))
    }

    /// Runs `f` on the state under the lock, after forgetting it if
    /// `net.mptcp.blackhole_timeout` was written since.  A table `f`
    /// returns is freed after the lock is released.
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> (R, Option<DestTable>)) -> R {
        let resets = self.owner.get().blackhole_resets();
        let (r, old, stale) = {
            let mut inner = self.inner.lock();
            let stale = if inner.resets != resets {
                inner.resets = resets;
                inner.policy = Policy::default();
                self.armed.store(0, Relaxed);
                inner.table.take()
            } else {
                None
            };
            let (r, old) = f(&mut inner);
            (r, old, stale)
        };
        drop((old, stale));
        r
    }

    /// Destinations on record, and the entries allocated for them.
    fn usage(&self) -> (usize, usize) {
        self.with(|inner| {
            let usage = inner
                .table
                .as_ref()
                .map_or((0, 0), |t| (t.len(), t.capacity()));
            (usage, None)
        })
    }

    /// Sets the most destinations kept (sysctl writes, process context).
    /// A smaller table keeps the most recently used ones; a bigger one is
    /// reached as blackholes need it.  Namespaces owned by another user
    /// namespace cannot go past the default.
    fn resize(&self, size: i32) -> Result {
        if !(TABLE_MIN..=TABLE_MAX).contains(&size) {
            return Err(EINVAL);
        }
        if size > TABLE_DEFAULT && !self.owner.get().owned_by_init_user_ns() {
            return Err(EPERM);
        }
        self.size.store(size, Relaxed);
        let size = size as usize;
        if self.usage().1 <= size {
            return Ok(());
        }
        let smaller = new_table(size, &self.memcg, GFP_KERNEL)?;
        self.with(|inner| match inner.table.as_mut() {
            Some(t) if t.capacity() > size => {
                let mut smaller = smaller;
                smaller.take_all(t);
                ((), inner.table.replace(smaller))
            }
            _ => ((), Some(smaller)),
        });
        Ok(())
    }

    /// Makes room for one more destination: allocates the table, or
    /// doubles it when full and below the configured size.  Returns the
    /// table replaced.
    fn grow(&self, inner: &mut Inner) -> Option<DestTable> {
        let limit = usize::try_from(self.size.load(Relaxed)).unwrap_or(TABLE_FIRST);
        let want = match &inner.table {
            None => TABLE_FIRST.min(limit),
            Some(t) if t.len() == t.capacity() && t.capacity() < limit => {
                t.capacity().saturating_mul(2).min(limit)
            }
            Some(_) => return None,
        };
        let mut bigger = new_table(want, &self.memcg, GFP_ATOMIC).ok()?;
        if let Some(old) = &inner.table {
            bigger.take_all(old);
        }
        inner.table.replace(bigger)
    }
}

/// The backoff base, in jiffies: `net.mptcp.blackhole_timeout` seconds.
fn base(net: &Net) -> u64 {
    time::secs_to_jiffies(net.blackhole_timeout())
}

/// The module's active-MPTCP policy: [`NetBlackhole`] of each namespace.
pub(crate) struct Blackhole;

impl ActivePolicy for Blackhole {
    /// May a new connection to `dest` try MPTCP?  Destinations the kernel
    /// could not give us (`None`) follow the namespace-wide state.
    fn allow(net: &Net, dest: Option<Key>) -> bool {
        let bh = NetBlackhole::of(net);
        if bh.armed.load(Acquire) == 0 {
            return true;
        }
        bh.locked_allows.fetch_add(1, Relaxed);
        let (now, base, mode) = (time::jiffies(), base(net), bh.mode());
        let verdict = bh.with(|inner| {
            let table = inner.table.as_mut();
            (inner.policy.allow(mode, table, dest, now, base), None)
        });
        match verdict {
            (Verdict::Try, _) => true,
            (Verdict::Expired, _) => {
                mib::inc(net, Counter::BackoffExpired);
                true
            }
            (Verdict::Disabled, Scope::Destination) => {
                mib::inc(net, Counter::ActiveDisabledDest);
                false
            }
            (Verdict::Disabled, Scope::Netns) => {
                mib::inc(net, Counter::ActiveDisabledNetns);
                false
            }
        }
    }

    /// A blackhole towards `dest` was detected.
    fn blackhole(net: &Net, dest: Option<Key>) {
        let bh = NetBlackhole::of(net);
        let (now, base, mode) = (time::jiffies(), base(net), bh.mode());
        let per_dest = dest.is_some() && mode != Mode::Netns;
        let recorded = bh.with(|inner| {
            let old = if per_dest { bh.grow(inner) } else { None };
            let table = inner.table.as_mut();
            let recorded = inner.policy.blackhole(mode, table, dest, now, base);
            bh.armed.store(1, Release);
            (recorded, old)
        });
        match recorded.scope {
            Scope::Netns => mib::inc(net, Counter::BlackholeNetns),
            Scope::Destination => mib::inc(net, Counter::BlackholeDest),
        }
        if recorded.evicted {
            mib::inc(net, Counter::BlackholeEvicted);
        }
        if recorded.escalated {
            mib::inc(net, Counter::BlackholeEscalated);
        }
    }

    /// An MPTCP connection to `dest` was established; `loopback` when it went
    /// through a loopback device, which proves nothing about other paths.
    fn established(net: &Net, dest: Option<Key>, loopback: bool) {
        let bh = NetBlackhole::of(net);
        if bh.armed.load(Acquire) == 0 {
            return;
        }
        let mode = bh.mode();
        let reset = bh.with(|inner| {
            let table = inner.table.as_mut();
            (inner.policy.established(mode, table, dest, loopback), None)
        });
        if reset {
            mib::inc(net, Counter::BackoffReset);
        }
    }

    /// A connection fell back to TCP (`done`), or could not and its subflow
    /// is reset.
    fn fallback(net: &Net, reason: Fallback, done: bool) {
        let counter = match reason {
            // Not a fallback: MPTCP was not tried, ActiveDisabled* counted it.
            Fallback::NotTried => return,
            _ if !done => Counter::FallbackRefused,
            Fallback::NoMpc => Counter::FallbackNoMpc,
            Fallback::OptionsDropped => Counter::FallbackOptionsDropped,
            Fallback::Dss => Counter::FallbackDss,
            Fallback::Other => Counter::FallbackOther,
        };
        mib::inc(net, counter);
    }
}

/// Records `count` synthetic blackholes towards consecutive IPv4
/// destinations from `first`, in `net` (a test hook, see
/// `selftests/blackhole.sh`): the same path as real ones, including the
/// `blackhole_timeout=0` rule the core applies before calling us.
#[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
pub(crate) fn inject(net: &Net, first: [u8; 4], count: u32) {
    if net.blackhole_timeout() == 0 {
        return;
    }
    let start = u32::from_be_bytes(first);
    for i in 0..count {
        Blackhole::blackhole(net, Some(Key::v4(start.wrapping_add(i).to_be_bytes())));
    }
}
