// SPDX-License-Identifier: GPL-2.0

//! Host tests of the path-manager decisions: the shared scenarios, and the
//! invariants on generated event sequences.

extern crate std;

use crate::rng::Rng;

use super::{
    cases::CASES,
    invariants::{
        run,
        Which, //
    },
};

#[test]
fn scenarios() {
    for case in CASES {
        assert_eq!((case.check)(), Ok(()), "case: {}", case.name);
    }
}

fn generated(which: Which, seed: u64) {
    let mut rng = Rng(seed);
    let mut data = [0u8; 96];
    for i in 0..20_000 {
        let len = (rng.next() % data.len() as u64) as usize;
        for b in data.iter_mut().take(len) {
            *b = rng.next() as u8;
        }
        let input = &data[..len];
        assert_eq!(run(which, input), Ok(()), "sequence {i}: {input:?}");
    }
}

#[test]
fn kernel_invariants_on_generated_sequences() {
    generated(Which::Kernel, 1);
}

#[test]
fn ndiffports_invariants_on_generated_sequences() {
    generated(Which::Ndiffports, 2);
}
