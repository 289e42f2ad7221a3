// SPDX-License-Identifier: GPL-2.0

//! Host tests of the scheduler decisions: the shared case tables, and
//! differential tests against the C transcription on generated states.

extern crate std;

use std::vec::Vec;

use crate::rng::Rng;

use super::{
    cases,
    invariants::{
        self,
        Compared,
        States, //
    },
    oracle::{
        CMsk,
        CSubflow, //
    },
    rr::{
        RoundRobin,
        RrState, //
    },
    MskInput,
    Pick,
    SubflowInput, //
};

#[test]
fn default_send_cases() {
    for case in cases::default::DEFAULT_SEND {
        let got = cases::default::run_default_send(&case.msk, case.subflows);
        assert_eq!(got, case.expect, "case: {}", case.name);
    }
}

#[test]
fn default_retrans_cases() {
    for case in cases::default::DEFAULT_RETRANS {
        let got = cases::default::run_default_retrans(case.subflows);
        assert_eq!(got, case.expect, "case: {}", case.name);
    }
}

impl Rng {
    /// Values that stress the fixed-point code: zero, small, typical,
    /// low-32-bits-zero, near-overflow.
    fn rate(&mut self) -> u64 {
        match self.below(8) {
            0 => 0,
            1 => self.below(16),
            2 => 1 << 32,
            3 => (1 << 32) + self.below(1 << 20),
            4 => u64::MAX - self.below(1 << 20),
            _ => self.below(10_000_000_000),
        }
    }

    fn wmem(&mut self) -> i32 {
        match self.below(6) {
            0 => 0,
            1 => i32::MAX - self.below(70_000) as i32,
            2 => -(self.below(1000) as i32),
            _ => self.below(4 << 20) as i32,
        }
    }

    fn subflow(&mut self) -> CSubflow {
        CSubflow {
            active: self.chance(80),
            active_nocheck: self.chance(80),
            backup: self.chance(25),
            request_bkup: self.chance(10),
            timeout: self.below(400) as i64 - 100,
            avg_pacing_rate: self.rate(),
            sk_pacing_rate: self.rate(),
            sk_wmem_queued: self.wmem(),
            memory_free: self.chance(85),
            queues_empty: self.chance(50),
            stale_count: self.below(4) as u8,
        }
    }

    fn msk(&mut self) -> CMsk {
        let snd_nxt = self.next();
        let wnd_end = match self.below(4) {
            0 => snd_nxt,
            1 => snd_nxt.wrapping_sub(self.below(1 << 16)),
            _ => snd_nxt.wrapping_add(self.below(1 << 18)),
        };
        CMsk {
            wnd_end,
            snd_nxt,
            snd_burst: -1,
            timer_ival: None,
        }
    }
}

const ROUNDS: u32 = 200_000;

#[test]
fn default_send_matches_c() {
    let mut rng = Rng(0x6d70_7463_7073_656e);
    let (mut picks, mut div_by_zero) = (0, 0);
    for round in 0..ROUNDS {
        let n = rng.below(6) as usize;
        let subflows: Vec<CSubflow> = (0..n).map(|_| rng.subflow()).collect();
        let msk = rng.msk();
        match invariants::default_send_vs_c(msk, &subflows) {
            Ok(Compared::Agree(picked)) => picks += usize::from(picked),
            Ok(Compared::CDividesByZero) => div_by_zero += 1,
            Err(why) => panic!("round {round}: {why}: {subflows:?} {msk:?}"),
        }
    }
    // The generator must exercise both outcomes, or the test proves little.
    assert!(picks > ROUNDS as usize / 10, "only {picks} picks");
    assert!(div_by_zero < ROUNDS / 100, "{div_by_zero} rounds left out");
}

#[test]
fn default_retrans_matches_c() {
    let mut rng = Rng(0x7265_7472_616e_7321);
    let mut picks = 0;
    for round in 0..ROUNDS {
        let n = rng.below(6) as usize;
        let subflows: Vec<CSubflow> = (0..n).map(|_| rng.subflow()).collect();
        match invariants::default_retrans_vs_c(&subflows) {
            Ok(picked) => picks += usize::from(picked),
            Err(why) => panic!("round {round}: {why}: {subflows:?}"),
        }
    }
    assert!(picks > ROUNDS as usize / 10, "only {picks} picks");
}

/// Properties that hold whatever the input: never an inactive subflow,
/// never a backup while a primary is active, never one without send space.
#[test]
fn default_send_properties() {
    let mut rng = Rng(42);
    for _ in 0..ROUNDS {
        let n = rng.below(6) as usize;
        let subflows: Vec<_> = (0..n)
            .map(|_| invariants::send_input(&rng.subflow()))
            .collect();
        let msk = rng.msk();
        let out = cases::default::run_default_send(
            &MskInput {
                wnd_end: msk.wnd_end,
                snd_nxt: msk.snd_nxt,
                ..MskInput::ZERO
            },
            &subflows,
        );
        let Some(pick) = out.decision.pick else {
            continue;
        };
        let sf = &subflows[pick];
        assert!(sf.active && sf.memory_free);
        let primary_active = subflows.iter().any(|s| s.active && !s.backup);
        assert!(!(sf.backup && primary_active));
        if let Some(burst) = out.decision.burst {
            assert!(burst.bytes > 0 && u64::from(burst.bytes) <= super::SEND_BURST_SIZE);
        }
    }
}

macro_rules! case_table_test {
    ($test:ident, $module:ident) => {
        #[test]
        fn $test() {
            for case in cases::$module::CASES {
                assert_eq!(
                    cases::$module::run(case),
                    case.expect,
                    "case: {}",
                    case.name
                );
            }
        }
    };
}

case_table_test!(minrtt_cases, minrtt);
case_table_test!(rr_cases, rr);
case_table_test!(redundant_cases, redundant);
case_table_test!(blest_cases, blest);
case_table_test!(ecf_cases, ecf);
case_table_test!(backup_cases, backup);

impl Rng {
    /// A subflow as the schedulers other than `rs_default` see it.
    fn family_subflow(&mut self, id: u32) -> SubflowInput {
        let cwnd = 1 + self.below(40) as u32;
        let mss = 536 + self.below(1000) as u32;
        let packets_out = self.below(u64::from(cwnd) + 3) as u32;
        SubflowInput {
            id,
            active: self.chance(80),
            backup: self.chance(25),
            memory_free: self.chance(85),
            srtt_us: 1 + self.below(200_000) as u32,
            mdev_us: self.below(50_000) as u32,
            cwnd,
            min_rtt_us: if self.chance(10) {
                u32::MAX
            } else {
                self.below(250_000) as u32
            },
            ssthresh: if self.chance(30) {
                super::INFINITE_SSTHRESH
            } else {
                2 + self.below(60) as u32
            },
            in_flight: self.below(u64::from(packets_out) + 1) as u32,
            packets_out,
            unacked: packets_out * mss,
            queued: if self.chance(30) {
                self.below(1 << 17) as u32
            } else {
                0
            },
            mss,
            ack_age_us: self.below(400_000) as u32,
        }
    }

    fn family_subflows(&mut self) -> Vec<SubflowInput> {
        let n = self.below(6) as u32;
        (1..=n).map(|id| self.family_subflow(id)).collect()
    }

    fn family_msk(&mut self) -> MskInput {
        let snd_una = self.next() >> 8;
        let snd_nxt = snd_una + self.below(1 << 20);
        MskInput {
            wnd_end: snd_una + self.below(1 << 21),
            snd_nxt,
            snd_una,
            write_seq: snd_nxt + self.below(1 << 22),
            now_us: self.next() as u32,
        }
    }
}

/// Every other scheduler's rules, on generated subflow sets, with the
/// per-connection state carried from one decision to the next.
#[test]
fn family_invariants() {
    let mut rng = Rng(1);
    let mut states = States::default();
    for round in 0..ROUNDS {
        let (subflows, msk) = (rng.family_subflows(), rng.family_msk());
        if let Err(why) = invariants::family(&subflows, &msk, &mut states) {
            panic!("round {round}: {why}: {subflows:?} {msk:?} {states:?}");
        }
    }
}

#[test]
fn rr_is_fair() {
    let mut rng = Rng(2);
    for _ in 0..ROUNDS / 10 {
        let subflows = rng.family_subflows();
        let msk = rng.family_msk();
        let mut state = RrState::default();
        let mut turns = [0u32; 6];
        const TURNS: u32 = 60;
        for _ in 0..TURNS {
            let mut sched = RoundRobin::new(&mut state, 1 + rng.below(64) as u32);
            for (i, s) in subflows.iter().enumerate() {
                sched.visit(i, s);
            }
            if let Pick::One(i) = sched.finish(&msk).pick {
                turns[i] += 1;
            }
        }
        // Over a window of turns, the subflows that could send took equal
        // turns, give or take one.
        let primary_active = subflows.iter().any(|s| s.active && !s.backup);
        let takers: Vec<u32> = subflows
            .iter()
            .enumerate()
            .filter(|(_, s)| s.usable() && s.backup != primary_active)
            .map(|(i, _)| turns[i])
            .collect();
        if let (Some(min), Some(max)) = (takers.iter().min(), takers.iter().max()) {
            assert!(max - min <= 1, "unfair turns {takers:?} for {subflows:?}");
            assert_eq!(takers.iter().sum::<u32>(), TURNS);
        }
    }
}
