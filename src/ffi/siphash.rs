// SPDX-License-Identifier: GPL-2.0

//! SipHash with a per-boot key, for the blackhole table's buckets.
//!
//! C header: [`include/linux/siphash.h`](srctree/include/linux/siphash.h).

use crate::logic::blackhole::{
    Key,
    KeyHash, //
};
use kernel::bindings;

/// The kernel's SipHash-2-4 over a whole [`Key`], with a random key.
pub(crate) struct SipHash(bindings::siphash_key_t);

impl SipHash {
    /// A hasher with a fresh random key.
    pub(crate) fn new() -> Self {
        let mut key: bindings::siphash_key_t = pin_init::zeroed();
        for k in &mut key.key {
            *k = super::time::random_u64();
        }
        Self(key)
    }
}

impl KeyHash for SipHash {
    fn hash(&self, key: Key) -> u64 {
        // SAFETY: `self.0` is a valid key for the call.
        unsafe { bindings::siphash_2u64((key.0 >> 64) as u64, key.0 as u64, &self.0) }
    }
}
