// SPDX-License-Identifier: GPL-2.0

//! The destination table under arbitrary insertions and lookups: it never
//! exceeds its capacity, finds what it just inserted, and keeps backoffs
//! consistent with a time that only moves forward.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mptcp_rs_logic::blackhole::{
    Key,
    Mix,
    Slot,
    Table,
    Verdict, //
};

fuzz_target!(|data: &[u8]| {
    let Some((&cap, ops)) = data.split_first() else {
        return;
    };
    let capacity = usize::from(cap % 16) + 1;
    let mut slots = vec![Slot::default(); capacity];
    let mut buckets = vec![0u32; capacity.next_power_of_two()];
    let mut t = Table::new(&mut slots[..], &mut buckets[..], Mix(0x5eed));
    let mut now = 0u64;
    let base = 100;
    for op in ops.chunks(2) {
        let (code, addr) = (op[0], op.get(1).copied().unwrap_or(0));
        let key = Key::v4([10, 0, code >> 6, addr % 32]);
        now += u64::from(code & 7) * 13;
        match code & 0x30 {
            0x00 => {
                let (b, _) = t.insert(key).expect("a non-empty table inserts");
                b.blackhole(now);
                assert!(b.times > 0);
                assert_eq!(b.verdict(now, base), Verdict::Disabled);
            }
            0x10 => {
                if let Some(b) = t.get(key) {
                    let v = b.verdict(now, base);
                    assert!(b.times > 0 || v == Verdict::Try);
                }
            }
            0x20 => {
                if let Some(b) = t.get(key) {
                    b.success();
                    assert_eq!(b.verdict(now, base), Verdict::Try);
                }
            }
            _ => {
                t.insert(key).expect("a non-empty table inserts");
                assert!(t.get(key).is_some(), "just inserted, not found");
            }
        }
        assert!(t.len() <= capacity);
    }
});
