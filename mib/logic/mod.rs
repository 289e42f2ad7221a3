// SPDX-License-Identifier: GPL-2.0

//! The module's counters: one enum and one name table, kept in lockstep.
//!
//! Names follow the kernel's MIB style (CamelCase, no prefix); they are
//! shown with the `MPTcpRs` prefix, next to the kernel's own `MPTcpExt`
//! counters.

/// Prefix of every counter name as users see it.
pub const PREFIX: &str = "MPTcpRs";

macro_rules! counters {
    ($($(#[doc = $doc:literal])* $variant:ident,)*) => {
        /// A counter of the module.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(usize)]
        pub enum Counter {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Counter {
            /// Every counter, in table order.
            pub const ALL: &'static [Counter] = &[$(Counter::$variant,)*];

            /// The counter's name, without [`PREFIX`].
            pub const fn name(self) -> &'static str {
                match self {
                    $(Counter::$variant => stringify!($variant),)*
                }
            }

            /// The name with a terminating NUL, for C.
            pub const fn name_nul(self) -> &'static str {
                match self {
                    $(Counter::$variant => concat!(stringify!($variant), "\0"),)*
                }
            }
        }
    };
}

counters! {
    /// A scheduler picked a subflow for new data.
    SchedSend,
    /// A scheduler found no subflow able to send new data.
    SchedSendNone,
    /// A scheduler picked a backup subflow for new data.
    SchedSendBackup,
    /// A scheduler picked a subflow to retransmit on.
    SchedRetrans,
    /// A scheduler found no subflow to retransmit on.
    SchedRetransNone,
    /// A fastest-first scheduler (`rs_minrtt`, `rs_blest`, `rs_ecf`) used a
    /// slower subflow because the fastest had no room.
    SchedSlow,
    /// `rs_blest` or `rs_ecf` waited for the fastest subflow rather than
    /// use a slower one.
    SchedWaitFast,
    /// `rs_redundant` scheduled a subflow (one count per subflow).
    SchedRedundant,
    /// `rs_backup` moved the traffic to another subflow.
    SchedHandover,
    /// A blackhole was detected, recorded for the whole namespace
    /// (`blackhole_mode` 0, or a destination we could not read).
    BlackholeNetns,
    /// A blackhole was detected, recorded for its destination.
    BlackholeDest,
    /// A destination was evicted from the full blackhole table.
    BlackholeEvicted,
    /// A connection went straight to TCP: MPTCP is off in the namespace.
    ActiveDisabledNetns,
    /// A connection went straight to TCP: MPTCP is off towards its
    /// destination.
    ActiveDisabledDest,
    /// A backoff period was over: MPTCP is tried again.
    BackoffExpired,
    /// An MPTCP connection succeeded where a backoff was on record, and
    /// reset it.
    BackoffReset,
}

/// Number of counters.
pub const COUNT: usize = Counter::ALL.len();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_names_match() {
        for c in Counter::ALL {
            assert_eq!(c.name_nul().strip_suffix('\0'), Some(c.name()));
        }
    }

    #[test]
    fn names_are_unique_and_netstat_safe() {
        for (i, a) in Counter::ALL.iter().enumerate() {
            let name = a.name();
            assert!(!name.is_empty() && name.len() + PREFIX.len() < 64);
            assert!(name.bytes().all(|b| b.is_ascii_alphanumeric()), "{name}");
            assert!(name.as_bytes()[0].is_ascii_uppercase(), "{name}");
            for b in &Counter::ALL[i + 1..] {
                assert_ne!(name, b.name());
            }
        }
    }
}
