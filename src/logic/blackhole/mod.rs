// SPDX-License-Identifier: GPL-2.0

//! Blackhole backoff: when to stop trying MPTCP, and when to try again.
//!
//! When SYNs with MP_CAPABLE vanish while plain TCP SYNs go through,
//! something on the path drops MPTCP.  New connections then go straight to
//! TCP for `base * 2^(n - 1)` (at most 64 times `base`), `n` counting the
//! blackholes seen since the last MPTCP connection that succeeded.  That
//! state is kept for the whole namespace (mainline's behaviour), per
//! destination in a bounded table with LRU eviction, or per destination
//! until blackholes towards several destinations show a blocker at the
//! client's own edge ([`policy`]).

pub mod policy;

use super::backoff;

/// Time in jiffies; comparisons wrap like the kernel's `time_before()`.
pub type Jiffies = u64;

/// The backoff state of one scope (a namespace or a destination).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Backoff {
    /// Blackholes since the last success.
    pub times: u32,
    /// When the last one was detected.
    pub stamp: Jiffies,
}

/// What a connection attempt should do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No blackhole on record: try MPTCP.
    Try,
    /// Within the backoff period: plain TCP.
    Disabled,
    /// The backoff period is over: try MPTCP again.
    Expired,
}

impl Backoff {
    /// How long MPTCP stays off after the last blackhole, in jiffies, for a
    /// base timeout of `base` jiffies.
    pub fn period(&self, base: Jiffies) -> Jiffies {
        backoff::delay(base, self.times.saturating_sub(1))
    }

    /// The verdict for a connection at `now`.  A `base` of 0 turns
    /// blackhole detection off.
    pub fn verdict(&self, now: Jiffies, base: Jiffies) -> Verdict {
        if base == 0 || self.times == 0 {
            Verdict::Try
        } else if backoff::time_before(now, self.stamp.wrapping_add(self.period(base))) {
            Verdict::Disabled
        } else {
            Verdict::Expired
        }
    }

    /// A blackhole was detected at `now`.
    pub fn blackhole(&mut self, now: Jiffies) {
        self.times = self.times.saturating_add(1);
        self.stamp = now;
    }

    /// An MPTCP connection succeeded; returns whether this reset a backoff.
    pub fn success(&mut self) -> bool {
        let had = self.times != 0;
        self.times = 0;
        had
    }
}

/// A destination: an IPv4 address, or the /64 prefix of an IPv6 one,
/// kept as a 128-bit value (IPv4 as `::ffff:a.b.c.d`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Key(pub u128);

impl Key {
    /// The key of an IPv4 address (network byte order octets).
    pub const fn v4(addr: [u8; 4]) -> Self {
        Key((0xffff << 32) | u32::from_be_bytes(addr) as u128)
    }

    /// The key in 64 bits, without loss for the keys [`Key::v4`] and
    /// [`Key::v6`] make: an IPv4 key has its top half zero, an IPv6 /64
    /// its bottom half.
    pub const fn digest(self) -> u64 {
        (self.0 as u64) ^ ((self.0 >> 64) as u64)
    }

    /// The key of an IPv6 address: its /64, unless it is an IPv4-mapped
    /// address, which counts as the IPv4 address.
    pub const fn v6(addr: [u8; 16]) -> Self {
        let v = u128::from_be_bytes(addr);
        if v >> 32 == 0xffff {
            Key(v)
        } else {
            Key(v & !((1 << 64) - 1))
        }
    }
}

use core::ops::DerefMut;

/// No slot.
const NIL: u32 = u32::MAX;

/// One entry of the [`Table`].
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    key: Key,
    backoff: Backoff,
    /// Neighbours in LRU order (most recent first).
    newer: u32,
    older: u32,
    /// Next slot in the same hash chain.
    chain: u32,
}

impl Default for Slot {
    fn default() -> Self {
        Self {
            key: Key(0),
            backoff: Backoff::default(),
            newer: NIL,
            older: NIL,
            chain: NIL,
        }
    }
}

/// What an insertion did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Insert {
    /// The destination had an entry.
    Found,
    /// A free slot was used.
    New,
    /// The least recently used destination was evicted for it.
    Evicted,
}

/// How a [`Table`] spreads destinations over its buckets: a keyed hash
/// of the whole key, so that addresses chosen by someone else cannot make
/// the chains long.  The module uses SipHash with a per-boot key.
pub trait KeyHash {
    /// The hash of `key`.
    fn hash(&self, key: Key) -> u64;
}

/// A seeded mix of both halves of a key, for tests and fuzzing.
#[derive(Clone, Copy, Debug)]
pub struct Mix(pub u64);

impl KeyHash for Mix {
    fn hash(&self, key: Key) -> u64 {
        let mut h = self.0;
        for half in [key.0 as u64, (key.0 >> 64) as u64] {
            // MurmurHash3's 64-bit finalizer: every input bit reaches
            // every output bit.
            h ^= half;
            h ^= h >> 33;
            h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
            h ^= h >> 33;
            h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
            h ^= h >> 33;
        }
        h
    }
}

/// Per-destination backoff state in caller-provided storage: `slots` holds
/// the entries (its length is the capacity), `buckets` the hash chains
/// (its length a power of two).  Lookups and insertions are O(1) on
/// average and never allocate; when full, the least recently used entry
/// makes room.
pub struct Table<S, B, H> {
    slots: S,
    buckets: B,
    len: u32,
    newest: u32,
    oldest: u32,
    hash: H,
}

impl<S: DerefMut<Target = [Slot]>, B: DerefMut<Target = [u32]>, H: KeyHash> Table<S, B, H> {
    /// A table over `slots` and `buckets` (at least one of each; the number
    /// of buckets must be a power of two, or the table holds nothing).
    pub fn new(mut slots: S, mut buckets: B, hash: H) -> Self {
        for s in slots.deref_mut() {
            *s = Slot::default();
        }
        for b in buckets.deref_mut() {
            *b = NIL;
        }
        Self {
            slots,
            buckets,
            len: 0,
            newest: NIL,
            oldest: NIL,
            hash,
        }
    }

    /// Entries in use.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether no entry is in use.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The most entries the table holds.
    pub fn capacity(&self) -> usize {
        if self.buckets.deref().len().is_power_of_two() {
            self.slots.deref().len().min(NIL as usize)
        } else {
            0
        }
    }

    fn bucket(&self, key: Key) -> usize {
        let mask = self.buckets.deref().len().saturating_sub(1) as u64;
        (self.hash.hash(key) & mask) as usize
    }

    /// The entries, least recently used first.
    pub fn oldest_first(&self) -> impl Iterator<Item = (Key, Backoff)> + '_ {
        let mut i = self.oldest;
        core::iter::from_fn(move || {
            let s = self.slot(i)?;
            i = s.newer;
            Some((s.key, s.backoff))
        })
    }

    /// Moves every entry of `from` into this table, keeping their order of
    /// use; when this table is smaller, the most recently used ones stay.
    pub fn take_all<S2, B2, H2>(&mut self, from: &Table<S2, B2, H2>)
    where
        S2: DerefMut<Target = [Slot]>,
        B2: DerefMut<Target = [u32]>,
        H2: KeyHash,
    {
        for (key, backoff) in from.oldest_first() {
            if let Some((b, _)) = self.insert(key) {
                *b = backoff;
            }
        }
    }

    fn slot(&self, i: u32) -> Option<&Slot> {
        self.slots.deref().get(i as usize)
    }

    fn slot_mut(&mut self, i: u32) -> Option<&mut Slot> {
        self.slots.deref_mut().get_mut(i as usize)
    }

    fn find(&self, key: Key) -> Option<u32> {
        let mut i = *self.buckets.deref().get(self.bucket(key))?;
        while let Some(s) = self.slot(i) {
            if s.key == key {
                return Some(i);
            }
            i = s.chain;
        }
        None
    }

    fn unlink_lru(&mut self, i: u32) {
        let Some(&Slot { newer, older, .. }) = self.slot(i) else {
            return;
        };
        match self.slot_mut(newer) {
            Some(n) => n.older = older,
            None => self.newest = older,
        }
        match self.slot_mut(older) {
            Some(o) => o.newer = newer,
            None => self.oldest = newer,
        }
    }

    fn push_newest(&mut self, i: u32) {
        let old_newest = self.newest;
        if let Some(s) = self.slot_mut(i) {
            s.newer = NIL;
            s.older = old_newest;
        }
        match self.slot_mut(old_newest) {
            Some(n) => n.newer = i,
            None => self.oldest = i,
        }
        self.newest = i;
    }

    fn unlink_chain(&mut self, i: u32) {
        let Some(&Slot { key, chain, .. }) = self.slot(i) else {
            return;
        };
        let b = self.bucket(key);
        let mut cur = self.buckets.deref().get(b).copied().unwrap_or(NIL);
        if cur == i {
            if let Some(head) = self.buckets.deref_mut().get_mut(b) {
                *head = chain;
            }
            return;
        }
        while let Some(&Slot { chain: next, .. }) = self.slot(cur) {
            if next == i {
                if let Some(s) = self.slot_mut(cur) {
                    s.chain = chain;
                }
                return;
            }
            cur = next;
        }
    }

    /// The backoff of `key`, marking it most recently used.
    pub fn get(&mut self, key: Key) -> Option<&mut Backoff> {
        let i = self.find(key)?;
        self.unlink_lru(i);
        self.push_newest(i);
        self.slot_mut(i).map(|s| &mut s.backoff)
    }

    /// The backoff of `key`, creating a clean one (evicting the least
    /// recently used entry when full).  `None` only for a table that can
    /// hold nothing.
    pub fn insert(&mut self, key: Key) -> Option<(&mut Backoff, Insert)> {
        if self.capacity() == 0 {
            return None;
        }
        if let Some(i) = self.find(key) {
            self.unlink_lru(i);
            self.push_newest(i);
            return self.slot_mut(i).map(|s| (&mut s.backoff, Insert::Found));
        }
        let (i, how) = if (self.len as usize) < self.capacity() {
            self.len += 1;
            (self.len - 1, Insert::New)
        } else {
            let victim = self.oldest;
            self.unlink_chain(victim);
            self.unlink_lru(victim);
            (victim, Insert::Evicted)
        };
        let b = self.bucket(key);
        let head = self.buckets.deref().get(b).copied().unwrap_or(NIL);
        if let Some(s) = self.slot_mut(i) {
            *s = Slot {
                key,
                chain: head,
                ..Slot::default()
            };
        }
        if let Some(h) = self.buckets.deref_mut().get_mut(b) {
            *h = i;
        }
        self.push_newest(i);
        self.slot_mut(i).map(|s| (&mut s.backoff, how))
    }
}

/// Parses `a.b.c.d <count>` (surrounding whitespace allowed): the first
/// IPv4 destination and how many to inject.
pub fn parse_inject(text: &[u8]) -> Option<([u8; 4], u32)> {
    let text = text.trim_ascii();
    let space = text.iter().position(|b| *b == b' ')?;
    let (addr, count) = (text.get(..space)?, text.get(space + 1..)?.trim_ascii());
    let mut octets = [0u8; 4];
    let mut parts = addr.split(|b| *b == b'.');
    for octet in &mut octets {
        let v = super::tunable::parse_u32(parts.next()?)?;
        *octet = u8::try_from(v).ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some((octets, super::tunable::parse_u32(count)?))
}

/// Scenarios shared by the host tests and the KUnit suite; each returns
/// what went wrong.
#[cfg(any(test, CONFIG_KUNIT = "y"))]
pub mod checks {
    use super::*;

    const HZ: Jiffies = 250;
    const BASE: Jiffies = 10 * HZ;

    /// `Err(what)` unless `ok`.
    pub(super) fn check(ok: bool, what: &'static str) -> Result<(), &'static str> {
        if ok {
            Ok(())
        } else {
            Err(what)
        }
    }

    /// Doubling at each blackhole, the 64x cap, expiry, reset on success.
    pub fn backoff_doubles_caps_and_resets() -> Result<(), &'static str> {
        let mut b = Backoff::default();
        check(
            b.verdict(0, BASE) == Verdict::Try,
            "clean state must try MPTCP",
        )?;
        let mut now = 1000;
        for n in 1..=9u32 {
            b.blackhole(now);
            let period = BASE << (n - 1).min(backoff::MAX_SHIFT);
            check(b.period(BASE) == period, "period must double up to 64x")?;
            check(
                b.verdict(now, BASE) == Verdict::Disabled,
                "disabled at once",
            )?;
            check(
                b.verdict(now + period - 1, BASE) == Verdict::Disabled,
                "disabled until the end of the period",
            )?;
            check(
                b.verdict(now + period, BASE) == Verdict::Expired,
                "expired after it",
            )?;
            now += period + 7;
        }
        check(b.period(BASE) == 64 * BASE, "capped at 64 times the base")?;
        check(b.success(), "a success resets a backoff")?;
        check(!b.success(), "nothing to reset twice")?;
        check(
            b.verdict(now, BASE) == Verdict::Try,
            "clean again after a success",
        )
    }

    /// A zero base turns detection off; periods cross the jiffies wrap.
    pub fn backoff_off_and_wrapping() -> Result<(), &'static str> {
        let mut b = Backoff::default();
        b.blackhole(5);
        check(
            b.verdict(6, 0) == Verdict::Try,
            "a zero base means no backoff",
        )?;
        let near_wrap = Jiffies::MAX - 10;
        b.blackhole(near_wrap);
        check(
            b.verdict(near_wrap.wrapping_add(2 * BASE - 1), BASE) == Verdict::Disabled,
            "disabled across the wrap",
        )?;
        check(
            b.verdict(near_wrap.wrapping_add(2 * BASE), BASE) == Verdict::Expired,
            "expired across the wrap",
        )
    }

    /// IPv4 addresses and IPv6 /64s, IPv4-mapped addresses as IPv4.
    pub fn keys_follow_the_scopes() -> Result<(), &'static str> {
        let mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 1, 2];
        check(
            Key::v4([10, 0, 1, 2]) == Key::v6(mapped),
            "mapped IPv4 is IPv4",
        )?;
        let a = Key::v6([0x20, 1, 0xd, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
        let b = Key::v6([0x20, 1, 0xd, 0xb8, 0, 0, 0, 1, 0xff, 0, 0, 0, 0, 0, 0, 2]);
        let c = Key::v6([0x20, 1, 0xd, 0xb8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1]);
        check(a == b, "one /64 is one destination")?;
        check(a != c, "another /64 is another destination")?;
        check(
            Key::v4([0, 0, 0, 0]) != Key::v6([0; 16]),
            "0.0.0.0 is not ::/64",
        )
    }

    /// LRU eviction, and state kept until evicted.
    pub fn lru_evicts_the_oldest() -> Result<(), &'static str> {
        let (mut slots, mut buckets) = ([Slot::default(); 3], [0u32; 4]);
        let mut t = Table::new(&mut slots[..], &mut buckets[..], Mix(0x5eed));
        let k = |i: u8| Key::v4([10, 0, 0, i]);
        for i in 1..=3 {
            check(
                t.insert(k(i)).map(|r| r.1) == Some(Insert::New),
                "free slots first",
            )?;
        }
        if let Some(b) = t.get(k(1)) {
            b.blackhole(100);
        }
        check(
            t.insert(k(4)).map(|r| r.1) == Some(Insert::Evicted),
            "full: evict",
        )?;
        check(t.get(k(2)).is_none(), "the least recently used one goes")?;
        check(
            t.get(k(1)).map(|b| b.times) == Some(1),
            "the others keep their state",
        )?;
        check(
            t.get(k(3)).is_some() && t.get(k(4)).is_some(),
            "the others stay",
        )?;
        check(
            t.insert(k(3)).map(|r| r.1) == Some(Insert::Found),
            "found again",
        )?;
        check(t.len() == 3, "never more than the capacity")
    }

    /// A flood of distinct destinations stays within the bound and keeps
    /// the most recent ones.
    pub fn flood_stays_bounded() -> Result<(), &'static str> {
        let (mut slots, mut buckets) = ([Slot::default(); 64], [0u32; 64]);
        let mut t = Table::new(&mut slots[..], &mut buckets[..], Mix(7));
        for i in 0..100_000u32 {
            t.insert(Key::v4(i.to_be_bytes()));
            check(t.len() <= 64, "the table grew past its capacity")?;
        }
        check(t.len() == 64, "the table is full")?;
        for i in 100_000 - 64..100_000u32 {
            check(
                t.get(Key::v4(i.to_be_bytes())).is_some(),
                "recent ones are kept",
            )?;
        }
        Ok(())
    }

    /// Growing into a bigger table keeps every entry and its state;
    /// shrinking keeps the most recently used ones.
    pub fn growth_keeps_entries() -> Result<(), &'static str> {
        let (mut s4, mut b4) = ([Slot::default(); 4], [0u32; 4]);
        let (mut s8, mut b8) = ([Slot::default(); 8], [0u32; 8]);
        let (mut s2, mut b2) = ([Slot::default(); 2], [0u32; 2]);
        let mut small = Table::new(&mut s4[..], &mut b4[..], Mix(1));
        let k = |i: u8| Key::v4([10, 0, 0, i]);
        for i in 1..=4 {
            if let Some((b, _)) = small.insert(k(i)) {
                b.blackhole(u64::from(i));
            }
        }
        small.get(k(1));
        let mut big = Table::new(&mut s8[..], &mut b8[..], Mix(2));
        big.take_all(&small);
        check(big.len() == 4, "growing lost entries")?;
        for i in 1..=4 {
            check(
                big.get(k(i)).map(|b| b.stamp) == Some(u64::from(i)),
                "growing lost a backoff",
            )?;
        }
        let mut tiny = Table::new(&mut s2[..], &mut b2[..], Mix(3));
        tiny.take_all(&small);
        check(
            tiny.len() == 2 && tiny.get(k(1)).is_some() && tiny.get(k(4)).is_some(),
            "shrinking keeps the most recently used",
        )
    }

    /// `hash` spreads destinations that differ only in the top bits of
    /// an IPv6 /64 over many buckets (the module runs this on its SipHash).
    pub fn hash_uses_whole_key(hash: &impl KeyHash) -> Result<(), &'static str> {
        let mut seen = [false; 64];
        for top in 0..=255u8 {
            let mut addr = [0u8; 16];
            addr[0] = top;
            let key = Key::v6(addr);
            seen[(hash.hash(key) & 63) as usize] = true;
        }
        check(
            seen.iter().filter(|s| **s).count() >= 48,
            "the top bits of an IPv6 prefix do not reach the bucket index",
        )
    }

    fn mix_uses_whole_key() -> Result<(), &'static str> {
        hash_uses_whole_key(&Mix(0x5eed))
    }

    /// A scenario: `Err` says what went wrong.
    pub type Check = fn() -> Result<(), &'static str>;

    /// Every scenario, for the test runners.
    pub const ALL: &[(&str, Check)] = &[
        (
            "backoff_doubles_caps_and_resets",
            backoff_doubles_caps_and_resets,
        ),
        ("backoff_off_and_wrapping", backoff_off_and_wrapping),
        ("keys_follow_the_scopes", keys_follow_the_scopes),
        ("lru_evicts_the_oldest", lru_evicts_the_oldest),
        ("flood_stays_bounded", flood_stays_bounded),
        ("growth_keeps_entries", growth_keeps_entries),
        ("mix_uses_whole_key", mix_uses_whole_key),
        ("adaptive_client_edge", super::policy::checks::client_edge),
        ("adaptive_server_side", super::policy::checks::server_side),
        (
            "adaptive_returns",
            super::policy::checks::returns_after_success,
        ),
        ("modes_keep_their_scope", super::policy::checks::modes),
    ];
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use std::{
        collections::VecDeque,
        vec,
        vec::Vec, //
    };

    type VecTable = Table<Vec<Slot>, Vec<u32>, Mix>;

    fn table(capacity: usize) -> VecTable {
        Table::new(
            vec![Slot::default(); capacity],
            vec![0; capacity.next_power_of_two()],
            Mix(0x5eed),
        )
    }

    #[test]
    fn parses_injections() {
        assert_eq!(
            parse_inject(b"10.1.2.3 100000\n"),
            Some(([10, 1, 2, 3], 100_000))
        );
        for bad in [
            &b"10.1.2 5"[..],
            b"10.1.2.3.4 5",
            b"10.1.2.300 5",
            b"10.1.2.3",
            b"x 5",
            b"1.2.3.4 -1",
        ] {
            assert_eq!(parse_inject(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn shared_scenarios() {
        for (name, check) in checks::ALL {
            assert_eq!(check(), Ok(()), "{name}");
        }
    }

    /// A model check against a simple LRU over random operations, and the
    /// bound under a flood of distinct destinations.
    #[test]
    fn matches_a_reference_lru() {
        let mut seed = 1u64;
        let mut rand = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for capacity in [1usize, 2, 7, 64] {
            let mut t = table(capacity);
            let mut model: VecDeque<(Key, u32)> = VecDeque::new();
            for round in 0..20_000 {
                let key = Key::v4([10, 1, 0, (rand() % 97) as u8]);
                if rand() % 2 == 0 {
                    let got = t.get(key).map(|b| b.times);
                    let pos = model.iter().position(|(k, _)| *k == key);
                    let want = pos.map(|p| model[p].1);
                    if let Some(p) = pos {
                        let e = model.remove(p).unwrap();
                        model.push_front(e);
                    }
                    assert_eq!(got, want, "get at round {round}");
                } else {
                    let (b, how) = t.insert(key).unwrap();
                    b.times += 1;
                    let times = b.times;
                    let pos = model.iter().position(|(k, _)| *k == key);
                    let want = match pos {
                        Some(p) => {
                            let mut e = model.remove(p).unwrap();
                            e.1 += 1;
                            model.push_front(e);
                            Insert::Found
                        }
                        None => {
                            let how = if model.len() == capacity {
                                model.pop_back();
                                Insert::Evicted
                            } else {
                                Insert::New
                            };
                            model.push_front((key, 1));
                            how
                        }
                    };
                    assert_eq!((how, times), (want, model[0].1), "insert at round {round}");
                }
                assert_eq!(t.len(), model.len());
            }
        }

        let mut t = table(1024);
        for i in 0..100_000u32 {
            t.insert(Key::v4(i.to_be_bytes()));
            assert!(t.len() <= 1024);
        }
        assert_eq!(t.len(), 1024);
        // The most recent 1024 destinations are the ones kept.
        for i in 100_000 - 1024..100_000u32 {
            assert!(t.get(Key::v4(i.to_be_bytes())).is_some());
        }
    }
}
