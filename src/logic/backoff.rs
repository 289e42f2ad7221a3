// SPDX-License-Identifier: GPL-2.0

//! Exponential backoff on the jiffies clock, for the blackhole backoff and
//! the path managers' retries: the delay after some doublings, and the
//! comparison of times that wrap around like jiffies.

/// Most doublings of a delay: at most 64 times the base, as mainline's
/// blackhole backoff.
pub const MAX_SHIFT: u32 = 6;

/// `base` doubled `n` times, at most [`MAX_SHIFT`] times; saturating.
pub fn delay(base: u64, n: u32) -> u64 {
    base.saturating_mul(1 << n.min(MAX_SHIFT))
}

/// `time_before()`: `a` is before `b` on a 64-bit clock that wraps.
pub const fn time_before(a: u64, b: u64) -> bool {
    (a.wrapping_sub(b) as i64) < 0
}

/// `time_before32()`: the same on a 32-bit clock (jiffies truncated).  A
/// 32-bit time taken as the top half of a 64-bit one keeps the sign bit
/// of every difference.
pub const fn time_before32(a: u32, b: u32) -> bool {
    time_before((a as u64) << 32, (b as u64) << 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_caps_and_saturates() {
        let delays: [u64; 9] = core::array::from_fn(|n| delay(100, n as u32));
        assert_eq!(delays, [100, 200, 400, 800, 1600, 3200, 6400, 6400, 6400]);
        assert_eq!(delay(100, u32::MAX), 100 << MAX_SHIFT);
        assert_eq!(delay(u64::MAX / 3, 2), u64::MAX);
        assert_eq!(delay(0, 5), 0);
    }

    #[test]
    fn comparisons_wrap_around() {
        let edges = [
            0,
            1,
            0x7fff_ffff,
            0x8000_0000,
            0x8000_0001,
            u32::MAX - 1,
            u32::MAX,
        ];
        for a in edges {
            for b in edges {
                let want = (a.wrapping_sub(b) as i32) < 0;
                assert_eq!(time_before32(a, b), want, "{a:#x} before {b:#x}");
                let (a, b) = (u64::from(a) << 32 | 0xffff, u64::from(b) << 32);
                assert_eq!(time_before(a, b), want, "{a:#x} before {b:#x}");
            }
        }
        // Just before and just after the wrap.
        assert!(time_before(u64::MAX, 0) && !time_before(0, u64::MAX));
        assert!(time_before32(u32::MAX - 10, 5) && !time_before32(5, u32::MAX - 10));
        assert!(!time_before(7, 7) && !time_before32(7, 7));
    }
}
