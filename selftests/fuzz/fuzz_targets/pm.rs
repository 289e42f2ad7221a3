// SPDX-License-Identifier: GPL-2.0

//! The path managers on arbitrary configurations and event sequences: the
//! invariants of `pm/logic/invariants.rs` hold for rs_kernel and
//! rs_ndiffports after every event, and nothing panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mptcp_rs_logic::pm::invariants::{
    run,
    Which, //
};

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let which = if which & 1 == 0 {
        Which::Kernel
    } else {
        Which::Ndiffports
    };
    if let Err(why) = run(which, rest) {
        panic!("{which:?}: {why}");
    }
});
