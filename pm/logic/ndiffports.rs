// SPDX-License-Identifier: GPL-2.0

//! `rs_ndiffports`: N subflows over the same pair of addresses, each from
//! its own source port, so that ECMP spreads them over the fabric's paths.
//!
//! The active side opens them once the connection is fully established:
//! the initial subflow plus N - 1 joins from the initial local address
//! (port 0, so each gets a new ephemeral port) to the peer's initial
//! address and port.  Announced addresses are echoed and not used, the
//! endpoints are not used either.  A join that fails is opened again after
//! a backoff ([`super::retry`]), a bounded number of times.

use super::{
    connect_counted,
    count_failure,
    failure,
    is_init_remote,
    retry::{
        Backoff,
        RetryTable, //
    },
    tcp,
    Addr,
    Conn,
    ConnBase,
    Counter,
    Endpoint,
    SubflowView, //
};

use core::ops::ControlFlow;

/// Fewest subflows (the initial one alone).
pub const N_MIN: u32 = 1;

/// Most subflows: the initial one plus the kernel's largest `subflows`
/// limit (`MPTCP_PM_SUBFLOWS_MAX`).
pub const N_MAX: u32 = 65;

/// The key of the joins in the retry table.
const RETRY_KEY: u8 = 0;

/// What `rs_ndiffports` keeps per connection, in `msk->pm_priv`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Private {
    /// The number of subflows to keep open, fixed when established.
    pub target: u8,
    /// Failed joins waiting to be opened again.
    pub retry: RetryTable,
    /// Joins counted as kept out by the `subflows` limit.
    pub limited: u8,
}

/// Whether `n` subflows fit the namespace's `subflows` limit (`n - 1`
/// extra ones).
pub fn n_fits(n: u32, limit_extra_subflows: u8) -> bool {
    (N_MIN..=N_MAX).contains(&n) && n - 1 <= u32::from(limit_extra_subflows)
}

/// Joins that are open or opening.
fn open_joins<C: Conn>(c: &C) -> u32 {
    let mut n = 0u32;
    c.subflows(|sf| {
        if sf.request_join && sf.state != tcp::CLOSE {
            n += 1;
        }
        ControlFlow::Continue(())
    });
    n
}

/// Opens joins until `target - 1` are open, within the `subflows` limit.
fn fill<C: Conn<Private = Private>>(c: &mut C) {
    let info = c.info();
    if !info.fully_established || info.server_side {
        return;
    }
    if info.deny_join_id0 {
        // The peer takes no joins to its initial address.
        c.count(Counter::PmNoSubflowRefused);
        return;
    }
    let local = Endpoint {
        addr: Addr {
            port: 0,
            ..info.local
        },
        ..Endpoint::default()
    };
    let wanted = u32::from(c.private().target).saturating_sub(1);
    let mut open = open_joins(c);
    while open < wanted {
        let mut pm = c.pm();
        if pm.extra_subflows >= info.limits.extra_subflows {
            // Each missing join once per connection, however many passes
            // find it still missing.
            let missing = u8::try_from(wanted - open).unwrap_or(u8::MAX);
            while c.private().limited < missing {
                c.private().limited += 1;
                c.count(Counter::PmNoSubflowLimit);
            }
            return;
        }
        pm.extra_subflows = pm.extra_subflows.wrapping_add(1);
        c.set_pm(&pm);
        // A failed attempt is already accounted by the core.
        if !connect_counted(c, &local, &info.remote) {
            return;
        }
        open += 1;
    }
}

/// The connection is fully established: open the joins.
pub fn established<C: Conn<Private = Private>>(c: &mut C, n: u32) {
    // Kept below N_MAX, which fits a u8.
    c.private().target = n.clamp(N_MIN, N_MAX) as u8;
    fill(c);
}

/// Only the peer's initial address is used: echo the others.
pub fn accept_addr<C: ConnBase>(c: &mut C, addr: &Addr) -> bool {
    addr.id == 0 && is_init_remote(&c.info(), addr)
}

/// A subflow closed: if one of our joins failed, open it again later.
pub fn subflow_closed<C: Conn<Private = Private>>(
    c: &mut C,
    sf: &SubflowView,
    base_ms: u32,
    max: u8,
) {
    let Some(why) = failure(sf) else {
        return;
    };
    count_failure(c, why);
    if max == 0 || !c.info().fully_established {
        return;
    }
    let (now, base) = (c.now(), c.ms_to_jiffies(base_ms));
    match c.private().retry.failed(RETRY_KEY, now, base, max) {
        Backoff::Retry(delay) => c.arm_timer(delay),
        Backoff::GaveUp | Backoff::Full => c.count(Counter::PmRetryGaveUp),
    }
}

/// Another subflow was established: open what is still missing.
pub fn subflow_established<C: Conn<Private = Private>>(c: &mut C) {
    fill(c);
}

/// The retry timer: open the missing joins again.
pub fn timeout<C: Conn<Private = Private>>(c: &mut C) {
    let now = c.now();
    if c.private().retry.take_due(now).is_some() {
        c.count(Counter::PmSubflowRetry);
        fill(c);
    }
}

/// The connection is closing: no more retries.
pub fn closed<C: Conn<Private = Private>>(c: &mut C) {
    c.private().retry.clear();
}
