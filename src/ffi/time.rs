// SPDX-License-Identifier: GPL-2.0

//! Time and randomness, as the policies need them.

use kernel::{
    bindings,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
    time::msecs_to_jiffies,
};

/// The current time in jiffies.
pub(crate) fn jiffies() -> u64 {
    // SAFETY: `jiffies` is always valid; the timer code updates it, hence
    // the atomic read.
    let now = unsafe { Atomic::from_ptr(&raw mut bindings::jiffies) }.load(Relaxed);
    // `unsigned long` is 64 bits wide on the architectures we build for.
    now as u64
}

/// `secs` seconds in jiffies, saturating.
pub(crate) fn secs_to_jiffies(secs: u32) -> u64 {
    // Whole days at a time keep the millisecond count within 32 bits.
    const DAY: u32 = 86_400;
    let (days, rest) = (secs / DAY, secs % DAY);
    // `unsigned long` is 64 bits wide on the architectures we build for.
    let day = msecs_to_jiffies(DAY * 1000) as u64;
    u64::from(days)
        .saturating_mul(day)
        .saturating_add(msecs_to_jiffies(rest * 1000) as u64)
}

/// 64 random bits.
pub(crate) fn random_u64() -> u64 {
    // SAFETY: always safe to call.
    unsafe { bindings::get_random_u64() }
}
