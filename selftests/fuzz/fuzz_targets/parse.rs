// SPDX-License-Identifier: GPL-2.0

//! What users write to the tunables and the injector: parsing never
//! panics, and what parses prints back to itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mptcp_rs_logic::{
    blackhole::parse_inject,
    tunable::{
        format_u32,
        parse_u32,
        validate, //
    },
};

fuzz_target!(|data: &[u8]| {
    if let Some(v) = parse_u32(data) {
        let mut buf = [0u8; 16];
        let n = format_u32(v, &mut buf);
        assert_eq!(parse_u32(&buf[..n]), Some(v));
    }
    if let Ok(v) = validate(data, 5, 500, |v| v % 2 == 0) {
        assert!((5..=500).contains(&v) && v % 2 == 0);
    }
    let _ = parse_inject(data);
});
