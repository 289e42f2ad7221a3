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
    /// `rs_backup` found a subflow failed with data outstanding and marked
    /// it stale, so that its data is sent again on the new carrier
    /// (`MPTcpExtSubflowStale` counts it too).
    SchedStale,
    /// A blackhole was detected, recorded for the whole namespace
    /// (`blackhole_mode` 0, or a destination we could not read).
    BlackholeNetns,
    /// A blackhole was detected, recorded for its destination.
    BlackholeDest,
    /// A destination was evicted from the full blackhole table.
    BlackholeEvicted,
    /// `blackhole_mode` 2 (adaptive): blackholes towards
    /// `blackhole_adaptive_threshold` distinct destinations, with no MPTCP
    /// success in between, made the namespace as a whole back off.
    BlackholeEscalated,
    /// A connection went straight to TCP: MPTCP is off in the namespace
    /// (netns mode, or adaptive mode after an escalation).
    ActiveDisabledNetns,
    /// A connection went straight to TCP: MPTCP is off towards its
    /// destination.
    ActiveDisabledDest,
    /// A backoff period was over: MPTCP is tried again.
    BackoffExpired,
    /// An MPTCP connection succeeded where a backoff was on record, and
    /// reset it.
    BackoffReset,
    /// A connection fell back to TCP: its SYNs with MP_CAPABLE got no
    /// answer (`MPTcpExtMPCapableSYNTXDrop`), or the SYN-ACK none
    /// (`MPTcpExtMPCapableFallbackSYNACK`).
    FallbackNoMpc,
    /// A connection fell back to TCP: the MPTCP options were dropped
    /// after the handshake, before any other data
    /// (`MPTcpExtMPCapableDataFallback`).
    FallbackOptionsDropped,
    /// A connection fell back to TCP: data without a valid DSS mapping
    /// (`MPTcpExtDssFallback`, `MPTcpExtDSSCorruptionFallback`,
    /// `MPTcpExtInfiniteMapTx`).
    FallbackDss,
    /// A connection fell back to TCP for another reason (simultaneous
    /// connect, TCP-MD5, token exhaustion).
    FallbackOther,
    /// A fallback was needed but no longer possible: the subflow is reset
    /// instead (`MPTcpExtFallbackFailed`).
    FallbackRefused,
    /// A connection using one of our path managers became fully
    /// established with something for the path manager to do (endpoints
    /// to use, or `rs_ndiffports`' joins).
    PmEstablished,
    /// One of our path managers created a subflow.
    PmSubflowCreated,
    /// `rs_kernel` announced one of its addresses (ADD_ADDR).
    PmAddrAnnounced,
    /// `rs_kernel` created subflows to an address the peer announced.
    PmAddrAccepted,
    /// The peer removed an address our path manager had subflows to.
    PmRmAddr,
    /// An expected subflow was not created: the `subflows` or
    /// `add_addr_accepted` limit was reached (counted each time our path
    /// manager stopped for it, or refused an announce or a join).
    PmNoSubflowLimit,
    /// An expected subflow was not created: no local endpoint could be
    /// used for an address the peer announced.
    PmNoSubflowEndpoint,
    /// An expected subflow was not created: the local and remote address
    /// families do not fit the socket (IPv4 and IPv6 mixed, `IPV6_V6ONLY`).
    PmNoSubflowFamily,
    /// An expected subflow was not created: creating it failed locally
    /// (bind, route, memory) or its join failed otherwise than by the peer,
    /// a timeout for instance.
    PmNoSubflowError,
    /// An expected subflow was not created: the peer refused or reset the
    /// join, or denies joins to its initial address (C flag).
    PmNoSubflowRefused,
    /// A failed subflow was created again after its backoff.
    PmSubflowRetry,
    /// A failed subflow used up its attempts, and is not created again.
    PmRetryGaveUp,
    /// The peer changed the priority of a subflow (MP_PRIO).
    PmPrioReceived,
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
