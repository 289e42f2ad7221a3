// SPDX-License-Identifier: GPL-2.0

//! Every scheduler on arbitrary subflow sets: `rs_default` against the C
//! transcription, the others against their rules, with their state
//! carried across the decisions of one input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mptcp_rs_logic::sched::{
    invariants::{
        self,
        States,
        MAX, //
    },
    oracle::{
        CMsk,
        CSubflow, //
    },
    MskInput, SubflowInput,
};

/// Reads fixed-size fields from the input, zeros past its end.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = self.0.len().min(N);
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }
    fn u8(&mut self) -> u8 {
        self.take::<1>()[0]
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take())
    }
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let n = usize::from(b.u8()) % (MAX + 1);

    let mut c = [CSubflow::default(); MAX];
    for sf in c.iter_mut().take(n) {
        let flags = b.u8();
        *sf = CSubflow {
            active: flags & 1 != 0,
            active_nocheck: flags & 2 != 0,
            backup: flags & 4 != 0,
            request_bkup: flags & 8 != 0,
            memory_free: flags & 16 != 0,
            queues_empty: flags & 32 != 0,
            timeout: b.u64() as i64,
            avg_pacing_rate: b.u64(),
            sk_pacing_rate: b.u64(),
            sk_wmem_queued: b.u32() as i32,
            stale_count: b.u8(),
        };
    }
    let msk = CMsk {
        wnd_end: b.u64(),
        snd_nxt: b.u64(),
        snd_burst: 0,
        timer_ival: None,
    };
    if let Err(why) = invariants::default_send_vs_c(msk, &c[..n]) {
        panic!("{why}");
    }
    if let Err(why) = invariants::default_retrans_vs_c(&c[..n]) {
        panic!("{why}");
    }

    // The rest of the input drives the other schedulers, decision after
    // decision.
    let mut states = States::default();
    while !b.0.is_empty() {
        let n = usize::from(b.u8()) % (MAX + 1);
        let mut subflows = [SubflowInput::default(); MAX];
        for (i, sf) in subflows.iter_mut().take(n).enumerate() {
            let flags = b.u8();
            *sf = SubflowInput {
                id: u32::from(b.u8() % 16) + i as u32,
                active: flags & 1 != 0,
                backup: flags & 2 != 0,
                memory_free: flags & 4 != 0,
                srtt_us: b.u32(),
                mdev_us: b.u32(),
                cwnd: b.u32() % 4096,
                min_rtt_us: b.u32(),
                ssthresh: b.u32(),
                in_flight: b.u32() % 4096,
                packets_out: b.u32() % 4096,
                unacked: b.u32(),
                queued: b.u32(),
                mss: b.u32() % 65536,
                ack_age_us: b.u32(),
            };
        }
        let snd_una = b.u64();
        let msk = MskInput {
            snd_una,
            snd_nxt: snd_una.wrapping_add(u64::from(b.u32())),
            wnd_end: snd_una.wrapping_add(u64::from(b.u32())),
            write_seq: b.u64(),
            now_us: b.u32(),
        };
        if let Err(why) = invariants::family(&subflows[..n], &msk, &mut states) {
            panic!("{why}");
        }
    }
});
