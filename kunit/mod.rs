// SPDX-License-Identifier: GPL-2.0

//! KUnit suites: the host case tables, run inside the kernel.
//!
//! They run when the module loads on a kernel with KUnit enabled, and
//! report in KTAP on the kernel log.  The helpers return the name of the
//! first failing case; the tests assert.

#![forbid(unsafe_code)]

#[cfg(CONFIG_KUNIT = "y")]
use crate::logic::sched::cases::Case;
use kernel::prelude::*;

/// The name of the first case whose outcome differs from its expectation,
/// logged with the outcome.
#[cfg(CONFIG_KUNIT = "y")]
fn first_failure<S, P, E: PartialEq + core::fmt::Debug>(
    cases: &'static [Case<S, P, E>],
    run: fn(&Case<S, P, E>) -> E,
) -> Option<&'static str> {
    cases.iter().find_map(|case| {
        let got = run(case);
        if got == case.expect {
            return None;
        }
        pr_err!(
            "case \"{}\": got {:?}, expected {:?}\n",
            case.name,
            got,
            case.expect
        );
        Some(case.name)
    })
}

#[kunit_tests(mptcp_rs_sched)]
mod sched {
    use super::first_failure;
    use crate::logic::sched::cases::{
        backup,
        blest,
        default,
        ecf,
        minrtt,
        redundant,
        rr, //
    };

    #[test]
    fn default_send() {
        let failed = default::DEFAULT_SEND
            .iter()
            .find(|c| default::run_default_send(&c.msk, c.subflows) != c.expect)
            .map(|c| c.name);
        assert_eq!(failed, None);
    }

    #[test]
    fn default_retrans() {
        let failed = default::DEFAULT_RETRANS
            .iter()
            .find(|c| default::run_default_retrans(c.subflows) != c.expect)
            .map(|c| c.name);
        assert_eq!(failed, None);
    }

    #[test]
    fn minrtt() {
        assert_eq!(first_failure(minrtt::CASES, minrtt::run), None);
    }

    #[test]
    fn rr() {
        assert_eq!(first_failure(rr::CASES, rr::run), None);
    }

    #[test]
    fn redundant() {
        assert_eq!(first_failure(redundant::CASES, redundant::run), None);
    }

    #[test]
    fn blest() {
        assert_eq!(first_failure(blest::CASES, blest::run), None);
    }

    #[test]
    fn ecf() {
        assert_eq!(first_failure(ecf::CASES, ecf::run), None);
    }

    #[test]
    fn backup() {
        assert_eq!(first_failure(backup::CASES, backup::run), None);
    }
}

#[kunit_tests(mptcp_rs_blackhole)]
mod blackhole {
    use crate::logic::blackhole::checks;

    #[test]
    fn scenarios() {
        let failed = checks::ALL.iter().find_map(|(name, check)| {
            check().err().map(|why| {
                kernel::pr_err!("{}: {}\n", name, why);
                *name
            })
        });
        assert_eq!(failed, None);
    }

    /// The module's SipHash reaches the bucket index from every part of
    /// the key.
    #[test]
    fn siphash_uses_whole_key() {
        let hash = crate::ffi::siphash::SipHash::new();
        assert_eq!(checks::hash_uses_whole_key(&hash), Ok(()));
    }
}

#[kunit_tests(mptcp_rs_pm)]
mod pm {
    use crate::logic::pm::cases::CASES;

    #[test]
    fn scenarios() {
        let failed = CASES.iter().find_map(|case| {
            (case.check)().err().map(|why| {
                kernel::pr_err!("{}: {}\n", case.name, why);
                case.name
            })
        });
        assert_eq!(failed, None);
    }
}
