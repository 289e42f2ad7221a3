// SPDX-License-Identifier: GPL-2.0

//! KUnit suites: the host case tables, run inside the kernel.
//!
//! They run when the module loads on a kernel with KUnit enabled, and
//! report in KTAP on the kernel log.

use kernel::prelude::*;

#[kunit_tests(mptcp_rs_sched_default)]
mod sched_default {
    use crate::logic::sched::cases;

    #[test]
    fn send_cases() {
        for case in cases::DEFAULT_SEND {
            let got = cases::run_default_send(&case.msk, case.subflows);
            if got != case.expect {
                kernel::pr_err!("case failed: {}\n", case.name);
            }
            assert_eq!(got, case.expect);
        }
    }

    #[test]
    fn retrans_cases() {
        for case in cases::DEFAULT_RETRANS {
            let got = cases::run_default_retrans(case.subflows);
            if got != case.expect {
                kernel::pr_err!("case failed: {}\n", case.name);
            }
            assert_eq!(got, case.expect);
        }
    }
}
