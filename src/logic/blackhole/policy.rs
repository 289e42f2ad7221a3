// SPDX-License-Identifier: GPL-2.0

//! Where a blackhole is recorded, and which state judges a connection.
//!
//! A middlebox that drops MPTCP options sits either at the client's own
//! edge (its operator network, its home gateway), where it blocks every
//! destination, or in front of one server.  Mainline keeps one backoff per
//! namespace: right for the first placement (one SYN timeout, then plain
//! TCP everywhere), wrong for the second (one bad server turns MPTCP off
//! towards all).  Per-destination state is the reverse: behind a
//! client-edge blocker every new destination pays the SYN timeout.
//!
//! `adaptive` mode starts per destination and watches for the first
//! placement: once blackholes are seen towards `threshold` distinct
//! destinations within one backoff period, with no MPTCP success in
//! between, the namespace as a whole backs off, exactly as mainline does
//! (doubling at each new blackhole, up to 64 times).  The first MPTCP
//! success after that returns it to per-destination tracking.

use super::{
    super::backoff::time_before,
    Backoff,
    Insert,
    Jiffies,
    Key,
    KeyHash,
    Slot,
    Table,
    Verdict, //
};
use core::ops::DerefMut;

/// `blackhole_mode`: one backoff for the whole namespace, like mainline.
pub const MODE_NETNS: i32 = 0;
/// `blackhole_mode`: one backoff per destination.
pub const MODE_DESTINATION: i32 = 1;
/// `blackhole_mode`: per destination until several destinations are
/// blackholed, then namespace-wide (the default).
pub const MODE_ADAPTIVE: i32 = 2;

/// Most `blackhole_adaptive_threshold` may be.
pub const THRESHOLD_MAX: usize = 8;
/// `blackhole_adaptive_threshold` of a new namespace.
pub const THRESHOLD_DEFAULT: i32 = 2;

/// A `blackhole_mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// [`MODE_NETNS`].
    Netns,
    /// [`MODE_DESTINATION`].
    Destination,
    /// [`MODE_ADAPTIVE`], escalating at this many distinct destinations.
    Adaptive(usize),
}

impl Mode {
    /// The mode of the sysctl values `mode` and `threshold`.
    pub fn from_sysctl(mode: i32, threshold: i32) -> Self {
        match mode {
            MODE_NETNS => Mode::Netns,
            MODE_DESTINATION => Mode::Destination,
            _ => Mode::Adaptive(
                usize::try_from(threshold)
                    .unwrap_or(1)
                    .clamp(1, THRESHOLD_MAX),
            ),
        }
    }
}

/// The state a verdict or a record concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The whole namespace.
    Netns,
    /// The connection's destination.
    Destination,
}

/// What recording a blackhole did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// Where it was recorded.
    pub scope: Scope,
    /// It made the namespace as a whole back off (adaptive mode).
    pub escalated: bool,
    /// Another destination was evicted from the full table for it.
    pub evicted: bool,
}

/// Distinct destinations blackholed recently ([`Key::digest`]s), most
/// recent last.  Small and 8-byte aligned: it lives in every namespace.
#[derive(Clone, Copy, Debug, Default)]
struct Recent {
    seen: [(u64, Jiffies); THRESHOLD_MAX],
    len: usize,
}

impl Recent {
    /// Records a blackhole towards `key` at `now`, forgets those older
    /// than `window`, and returns how many distinct destinations remain.
    fn record(&mut self, key: Key, now: Jiffies, window: Jiffies) -> usize {
        let key = key.digest();
        let mut kept = 0;
        for i in 0..self.len {
            let Some(&(k, stamp)) = self.seen.get(i) else {
                break;
            };
            if k != key && time_before(now, stamp.wrapping_add(window)) {
                if let Some(slot) = self.seen.get_mut(kept) {
                    *slot = (k, stamp);
                }
                kept += 1;
            }
        }
        if kept == THRESHOLD_MAX {
            self.seen.copy_within(1.., 0);
            kept -= 1;
        }
        if let Some(slot) = self.seen.get_mut(kept) {
            *slot = (key, now);
        }
        self.len = kept + 1;
        self.len
    }
}

/// A namespace's backoff state besides its destination table.
#[derive(Clone, Copy, Debug, Default)]
pub struct Policy {
    /// The namespace-wide backoff.
    pub netns: Backoff,
    recent: Recent,
}

impl Policy {
    /// Whether a connection to `dest` (`None`: not known) may try MPTCP at
    /// `now`, and which state said so.
    pub fn allow<S, B, H>(
        &self,
        mode: Mode,
        table: Option<&mut Table<S, B, H>>,
        dest: Option<Key>,
        now: Jiffies,
        base: Jiffies,
    ) -> (Verdict, Scope)
    where
        S: DerefMut<Target = [Slot]>,
        B: DerefMut<Target = [u32]>,
        H: KeyHash,
    {
        let netns = self.netns.verdict(now, base);
        let key = match (mode, dest) {
            (Mode::Netns, _) | (_, None) => return (netns, Scope::Netns),
            (Mode::Adaptive(_), _) if netns == Verdict::Disabled => {
                return (netns, Scope::Netns);
            }
            (_, Some(key)) => key,
        };
        let own = table
            .and_then(|t| t.get(key))
            .map_or(Verdict::Try, |b| b.verdict(now, base));
        match (mode, own) {
            // The namespace's backoff is over: this try tells whether the
            // blocker is still there.
            (Mode::Adaptive(_), Verdict::Try) if netns == Verdict::Expired => {
                (Verdict::Expired, Scope::Netns)
            }
            _ => (own, Scope::Destination),
        }
    }

    /// A blackhole towards `dest` was detected at `now`; `base` is the
    /// backoff period of a first blackhole.
    pub fn blackhole<S, B, H>(
        &mut self,
        mode: Mode,
        table: Option<&mut Table<S, B, H>>,
        dest: Option<Key>,
        now: Jiffies,
        base: Jiffies,
    ) -> Recorded
    where
        S: DerefMut<Target = [Slot]>,
        B: DerefMut<Target = [u32]>,
        H: KeyHash,
    {
        let key = match (mode, dest) {
            (Mode::Netns, _) | (_, None) => {
                self.netns.blackhole(now);
                return Recorded {
                    scope: Scope::Netns,
                    escalated: false,
                    evicted: false,
                };
            }
            (_, Some(key)) => key,
        };
        let evicted = match table.and_then(|t| t.insert(key)) {
            Some((b, how)) => {
                b.blackhole(now);
                how == Insert::Evicted
            }
            None => false,
        };
        let mut escalated = false;
        if let Mode::Adaptive(threshold) = mode {
            if self.netns.times > 0 {
                // Already namespace-wide: back off longer, as mainline.
                self.netns.blackhole(now);
            } else if self.recent.record(key, now, base) >= threshold {
                self.netns.blackhole(now);
                escalated = true;
            }
        }
        Recorded {
            scope: Scope::Destination,
            escalated,
            evicted,
        }
    }

    /// An MPTCP connection to `dest` was established; `loopback` when it
    /// went through a loopback device, which proves nothing about the
    /// paths out.  Returns whether this reset a backoff.
    pub fn established<S, B, H>(
        &mut self,
        mode: Mode,
        table: Option<&mut Table<S, B, H>>,
        dest: Option<Key>,
        loopback: bool,
    ) -> bool
    where
        S: DerefMut<Target = [Slot]>,
        B: DerefMut<Target = [u32]>,
        H: KeyHash,
    {
        let mut reset = false;
        if let (false, Some(key), Some(t)) = (mode == Mode::Netns, dest, table) {
            reset |= t.get(key).is_some_and(|b| b.success());
        }
        let netns_scope = matches!(mode, Mode::Netns | Mode::Adaptive(_)) || dest.is_none();
        if netns_scope && !loopback {
            reset |= self.netns.success();
            self.recent.len = 0;
        }
        reset
    }
}

/// Scenarios shared by the host tests and the KUnit suite.
#[cfg(any(test, CONFIG_KUNIT = "y"))]
pub mod checks {
    use super::super::{
        checks::check,
        Mix, //
    };
    use super::*;

    const BASE: Jiffies = 3600 * 250;
    /// One SYN timeout, in jiffies.
    const SYN_TIMEOUT: Jiffies = 3 * 250;

    /// `count` destinations connected in turn, `blocked(i)` telling
    /// whether MPTCP towards the i-th is dropped; returns how many
    /// connections tried MPTCP into a blocker (each paying the SYN timeout)
    /// and how many kept MPTCP.
    fn run(mode: Mode, count: u8, blocked: impl Fn(u8) -> bool) -> (u32, u32) {
        let (mut slots, mut buckets) = ([Slot::default(); 32], [0u32; 32]);
        let mut table = Table::new(&mut slots[..], &mut buckets[..], Mix(9));
        let mut policy = Policy::default();
        let (mut paid, mut kept, mut now) = (0, 0, 1000);
        for i in 0..count {
            let dest = Some(Key::v4([192, 0, 2, i]));
            let (verdict, _) = policy.allow(mode, Some(&mut table), dest, now, BASE);
            if verdict == Verdict::Disabled {
                now += 1;
                continue;
            }
            if blocked(i) {
                paid += 1;
                now += SYN_TIMEOUT;
                policy.blackhole(mode, Some(&mut table), dest, now, BASE);
            } else {
                kept += 1;
                now += 1;
                policy.established(mode, Some(&mut table), dest, false);
            }
        }
        (paid, kept)
    }

    /// A blocker at the client's edge: adaptive pays the timeout
    /// `threshold` times, destination mode every time, netns mode once.
    pub fn client_edge() -> Result<(), &'static str> {
        for threshold in 1..=3 {
            let (paid, _) = run(Mode::Adaptive(threshold), 20, |_| true);
            check(
                paid == threshold as u32,
                "adaptive must back off namespace-wide at the threshold",
            )?;
        }
        check(
            run(Mode::Destination, 20, |_| true).0 == 20,
            "destination mode pays each",
        )?;
        check(
            run(Mode::Netns, 20, |_| true).0 == 1,
            "netns mode pays once",
        )
    }

    /// A blocker in front of one server: adaptive keeps MPTCP towards every
    /// other destination, netns mode loses it.
    pub fn server_side() -> Result<(), &'static str> {
        let bad = |i| i == 3;
        check(
            run(Mode::Adaptive(2), 20, bad) == (1, 19),
            "adaptive must keep MPTCP towards the others",
        )?;
        check(
            run(Mode::Destination, 20, bad) == (1, 19),
            "destination mode keeps the others",
        )?;
        check(
            run(Mode::Netns, 20, bad) == (1, 3),
            "netns mode loses the others",
        )
    }

    /// After the namespace-wide backoff, one success returns to
    /// per-destination tracking; a new blackhole while it is on doubles it.
    pub fn returns_after_success() -> Result<(), &'static str> {
        let (mut slots, mut buckets) = ([Slot::default(); 8], [0u32; 8]);
        let mut t = Table::new(&mut slots[..], &mut buckets[..], Mix(5));
        let mut p = Policy::default();
        let mode = Mode::Adaptive(2);
        let k = |i: u8| Some(Key::v4([198, 51, 100, i]));
        p.blackhole(mode, Some(&mut t), k(1), 10, BASE);
        let second = p.blackhole(mode, Some(&mut t), k(2), 20, BASE);
        check(second.escalated, "two destinations escalate")?;
        check(
            p.allow(mode, Some(&mut t), k(3), 30, BASE) == (Verdict::Disabled, Scope::Netns),
            "escalated: a new destination goes to TCP",
        )?;
        let later = 20 + BASE;
        check(
            p.allow(mode, Some(&mut t), k(3), later, BASE) == (Verdict::Expired, Scope::Netns),
            "after the period MPTCP is tried again",
        )?;
        p.blackhole(mode, Some(&mut t), k(3), later, BASE);
        check(p.netns.period(BASE) == 2 * BASE, "doubles as mainline")?;
        check(
            !p.established(mode, Some(&mut t), k(4), true) && p.netns.times == 2,
            "a loopback success proves nothing",
        )?;
        check(
            p.established(mode, Some(&mut t), k(4), false),
            "a success resets the namespace",
        )?;
        check(
            p.allow(mode, Some(&mut t), k(3), later + 1, BASE)
                == (Verdict::Disabled, Scope::Destination),
            "a destination keeps its own backoff",
        )?;
        let after = p.blackhole(mode, Some(&mut t), k(5), later + 1, BASE);
        check(
            !after.escalated && p.netns.times == 0,
            "back to per-destination tracking",
        )
    }

    /// Destination mode never escalates; unknown destinations use the
    /// namespace's state in every mode; old blackholes leave the window.
    pub fn modes() -> Result<(), &'static str> {
        let (mut slots, mut buckets) = ([Slot::default(); 8], [0u32; 8]);
        let mut t = Table::new(&mut slots[..], &mut buckets[..], Mix(5));
        let mut p = Policy::default();
        for i in 0..8 {
            let r = p.blackhole(
                Mode::Destination,
                Some(&mut t),
                Some(Key::v4([10, 0, 0, i])),
                5,
                BASE,
            );
            check(
                !r.escalated && r.scope == Scope::Destination,
                "destination mode stays",
            )?;
        }
        check(
            p.netns.times == 0,
            "destination mode leaves the namespace alone",
        )?;
        for mode in [Mode::Netns, Mode::Destination, Mode::Adaptive(2)] {
            let mut q = Policy::default();
            let r = q.blackhole(mode, Some(&mut t), None, 5, BASE);
            check(
                r.scope == Scope::Netns,
                "unknown destination: namespace-wide",
            )?;
            check(
                q.allow(mode, Some(&mut t), None, 6, BASE) == (Verdict::Disabled, Scope::Netns),
                "unknown destination: judged namespace-wide",
            )?;
        }
        let mut q = Policy::default();
        let mode = Mode::Adaptive(2);
        q.blackhole(mode, Some(&mut t), Some(Key::v4([10, 1, 0, 1])), 5, BASE);
        let r = q.blackhole(
            mode,
            Some(&mut t),
            Some(Key::v4([10, 1, 0, 2])),
            5 + BASE,
            BASE,
        );
        check(!r.escalated, "blackholes a period apart do not add up")?;
        let r = q.blackhole(
            mode,
            Some(&mut t),
            Some(Key::v4([10, 1, 0, 2])),
            6 + BASE,
            BASE,
        );
        check(!r.escalated, "one destination twice is one destination")?;
        let none: Option<&mut Table<&mut [Slot], &mut [u32], Mix>> = None;
        let r = q.blackhole(mode, none, Some(Key::v4([10, 1, 0, 3])), 7 + BASE, BASE);
        check(
            r.escalated,
            "escalates even when the table could not be allocated",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sysctl_values() {
        assert_eq!(Mode::from_sysctl(MODE_NETNS, 2), Mode::Netns);
        assert_eq!(Mode::from_sysctl(MODE_DESTINATION, 2), Mode::Destination);
        assert_eq!(Mode::from_sysctl(MODE_ADAPTIVE, 2), Mode::Adaptive(2));
        assert_eq!(Mode::from_sysctl(MODE_ADAPTIVE, 0), Mode::Adaptive(1));
        assert_eq!(
            Mode::from_sysctl(MODE_ADAPTIVE, 99),
            Mode::Adaptive(THRESHOLD_MAX)
        );
    }

    #[test]
    fn recent_forgets_and_bounds() {
        let mut r = Recent::default();
        for i in 0..40u32 {
            let n = r.record(Key::v4(i.to_be_bytes()), u64::from(i), 1000);
            assert_eq!(n, (i as usize + 1).min(THRESHOLD_MAX));
        }
        assert_eq!(r.record(Key::v4([9; 4]), 5000, 1000), 1);
    }
}
