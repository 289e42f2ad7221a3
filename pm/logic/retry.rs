// SPDX-License-Identifier: GPL-2.0

//! Re-creating failed subflows, with exponential backoff.
//!
//! When a subflow this side created fails (refused, timed out, reset), the
//! path manager tries again after a delay that doubles with each attempt,
//! up to a fixed number of attempts per source (an endpoint ID, or a slot
//! of `rs_ndiffports`) and connection: a source that keeps failing is
//! given up, so the retries cannot loop.  The table lives in the
//! connection's `pm_priv`, so it has a fixed number of sources.

use super::super::backoff;

/// Sources a connection can retry at once.
pub const SLOTS: usize = 6;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Slot {
    /// Which source: an endpoint ID, or a PM-defined key.
    key: u8,
    /// Attempts made so far; 0 for a free slot.
    attempts: u8,
    /// A retry is due at `due`.
    pending: bool,
    /// When, in jiffies.
    due: u32,
}

/// What happens after a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backoff {
    /// Retry in this many jiffies.
    Retry(u32),
    /// The source used up its attempts.
    GaveUp,
    /// No slot left for another source.
    Full,
}

/// The retries of one connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetryTable {
    slots: [Slot; SLOTS],
}

impl RetryTable {
    /// Records a failure of `key` at `now`; with `max` attempts per key,
    /// the `n`-th retry comes `base << (n - 1)` jiffies later (at most
    /// `base << backoff::MAX_SHIFT`).
    pub fn failed(&mut self, key: u8, now: u32, base: u32, max: u8) -> Backoff {
        let index = match self
            .slots
            .iter()
            .position(|s| s.attempts > 0 && s.key == key)
        {
            Some(i) => i,
            None => match self.slots.iter().position(|s| s.attempts == 0) {
                Some(i) => i,
                None => return Backoff::Full,
            },
        };
        let Some(slot) = self.slots.get_mut(index) else {
            return Backoff::Full;
        };
        if slot.attempts >= max {
            slot.pending = false;
            return Backoff::GaveUp;
        }
        let delay = backoff::delay(base.into(), slot.attempts.into());
        let delay = u32::try_from(delay).unwrap_or(u32::MAX).max(1);
        *slot = Slot {
            key,
            attempts: slot.attempts + 1,
            pending: true,
            due: now.wrapping_add(delay),
        };
        Backoff::Retry(delay)
    }

    /// Takes one key whose retry is due at `now`.
    pub fn take_due(&mut self, now: u32) -> Option<u8> {
        let slot = self
            .slots
            .iter_mut()
            .find(|s| s.pending && !backoff::time_before32(now, s.due))?;
        slot.pending = false;
        Some(slot.key)
    }

    /// Jiffies from `now` until the next pending retry.
    pub fn next_delay(&self, now: u32) -> Option<u32> {
        self.slots
            .iter()
            .filter(|s| s.pending)
            .map(|s| {
                if backoff::time_before32(now, s.due) {
                    s.due.wrapping_sub(now)
                } else {
                    0
                }
            })
            .min()
    }

    /// Whether a retry of `key` waits.
    pub fn is_pending(&self, key: u8) -> bool {
        self.slots.iter().any(|s| s.pending && s.key == key)
    }

    /// Attempts made for `key`.
    pub fn attempts(&self, key: u8) -> u8 {
        self.slots
            .iter()
            .find(|s| s.attempts > 0 && s.key == key)
            .map_or(0, |s| s.attempts)
    }

    /// Forgets `key`: its endpoint is gone.
    pub fn forget(&mut self, key: u8) {
        for slot in self.slots.iter_mut().filter(|s| s.key == key) {
            *slot = Slot::default();
        }
    }

    /// Forgets everything: the connection is closing.
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_then_gives_up() {
        let mut t = RetryTable::default();
        let mut now = 1000u32;
        let mut delays = [0u32; 4];
        for d in delays.iter_mut() {
            match t.failed(5, now, 100, 4) {
                Backoff::Retry(delay) => *d = delay,
                other => panic!("{other:?}"),
            }
            assert_eq!(t.take_due(now + *d - 1), None);
            assert_eq!(t.take_due(now + *d), Some(5));
            now += *d;
        }
        assert_eq!(delays, [100, 200, 400, 800]);
        assert_eq!(t.failed(5, now, 100, 4), Backoff::GaveUp);
        assert_eq!(t.next_delay(now), None);
        assert_eq!(t.attempts(5), 4);
    }

    #[test]
    fn backoff_is_capped_and_wraps_the_clock() {
        let mut t = RetryTable::default();
        let now = u32::MAX - 10;
        let mut last = 0;
        for _ in 0..10 {
            if let Backoff::Retry(d) = t.failed(1, now, 1000, 20) {
                last = d;
            }
        }
        assert_eq!(last, 1000 << backoff::MAX_SHIFT);
        // Due after the clock wrapped.
        assert_eq!(t.take_due(now), None);
        assert_eq!(t.take_due(now.wrapping_add(last)), Some(1));
    }

    #[test]
    fn slots_are_bounded_and_reusable() {
        let mut t = RetryTable::default();
        for key in 0..SLOTS as u8 {
            assert!(matches!(t.failed(key, 0, 10, 3), Backoff::Retry(10)));
        }
        assert_eq!(t.failed(200, 0, 10, 3), Backoff::Full);
        t.forget(2);
        assert!(!t.is_pending(2));
        assert!(matches!(t.failed(200, 0, 10, 3), Backoff::Retry(10)));
        assert_eq!(t.next_delay(5), Some(5));
        assert_eq!(t.next_delay(50), Some(0));
        t.clear();
        assert_eq!(t, RetryTable::default());
    }

    #[test]
    fn no_attempts_allowed() {
        let mut t = RetryTable::default();
        assert_eq!(t.failed(3, 0, 10, 0), Backoff::GaveUp);
    }
}
