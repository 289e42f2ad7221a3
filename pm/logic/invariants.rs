// SPDX-License-Identifier: GPL-2.0

//! Invariants of the path managers on arbitrary event sequences, for the
//! generated host tests and the `pm` fuzz target.
//!
//! [`run`] decodes a connection (endpoints, limits, flags) and a sequence
//! of events from bytes, feeds the events to `rs_kernel` or
//! `rs_ndiffports` on a [`FakeConn`], and checks after each one what must
//! hold whatever the configuration: the limits are respected, the
//! accounting matches what exists, every subflow created is from a
//! configured address (or any address) of a matching family.

use super::{
    fake::{
        Action,
        FakeConn, //
    },
    families_match,
    flags,
    kernel::{
        self,
        RetryPolicy, //
    },
    ndiffports,
    Addr,
    Endpoint,
    Limits,
    AF_INET,
    AF_INET6, //
};

/// Reads bytes, then zeros once they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn below(&mut self, n: u8) -> u8 {
        if n == 0 {
            0
        } else {
            self.u8() % n
        }
    }

    fn done(&self) -> bool {
        self.0.is_empty()
    }
}

/// An address among a few, IPv4 or IPv6, so that collisions happen.
fn addr(b: &mut Bytes<'_>) -> Addr {
    let n = b.below(4) + 1;
    match b.below(4) {
        0 => Addr::v6([0xde, 0xad, 0, n, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], 0),
        _ => Addr::v4([10, 0, n, 2], 0),
    }
}

const POLICY: RetryPolicy = RetryPolicy {
    base_ms: 10,
    max: 2,
};

/// Which path manager [`run`] drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// `rs_kernel`.
    Kernel,
    /// `rs_ndiffports`.
    Ndiffports,
}

fn check_common<P: Copy + Default>(c: &FakeConn<P>) -> Result<(), &'static str> {
    // Subflows are accounted before they are created and given back when
    // they fail or close: the count is exact.
    let joins = c
        .subflows
        .iter()
        .filter(|s| s.request_join || s.mp_join)
        .count();
    if usize::from(c.pm.extra_subflows) != joins {
        return Err("the subflow accounting differs from the subflows");
    }
    for action in c.log.iter() {
        if let Action::Connect(local, remote) = action {
            if !families_match(&c.info, &local.addr, remote) {
                return Err("a subflow of mixed families");
            }
            let configured = local.addr.ip == [0; 16]
                || known(c, &local.addr)
                || super::addresses_equal(&local.addr, &c.info.local, false);
            if !configured {
                return Err("a subflow from an address that is not configured");
            }
        }
    }
    Ok(())
}

fn known<P: Copy + Default>(c: &FakeConn<P>, a: &Addr) -> bool {
    c.endpoints
        .iter()
        .any(|e| super::addresses_equal(&e.addr, a, false))
}

/// Runs the scenario `data` describes; `Err` names the broken invariant.
pub fn run(which: Which, data: &[u8]) -> Result<(), &'static str> {
    let mut b = Bytes(data);
    let limits = Limits {
        add_addr_accepted: b.below(4),
        extra_subflows: b.below(5),
    };
    let mut endpoints = [Endpoint::default(); 6];
    let count = usize::from(b.below(6));
    let endpoints = endpoints.get_mut(..count).unwrap_or(&mut []);
    for (i, e) in endpoints.iter_mut().enumerate() {
        let mut f = u32::from(b.u8()) & 0x2f;
        // As the netlink checks: not signal and fullmesh together.
        if f & flags::SIGNAL != 0 {
            f &= !flags::FULLMESH;
        }
        // Distinct IDs, 1 and up.
        *e = Endpoint {
            addr: addr(&mut b).with_id(i as u8 + 1),
            flags: f,
            ifindex: 0,
        };
    }
    let local = Addr::v4([10, 0, 1, 2], 1234);
    let remote = Addr::v4([10, 0, 1, 1], 80);
    match which {
        Which::Kernel => {
            let mut c = FakeConn::<kernel::Private>::new(local, remote, limits, endpoints);
            c.info.family = if b.below(2) == 0 { AF_INET } else { AF_INET6 };
            c.info.deny_join_id0 = b.below(4) == 0;
            while !b.done() {
                kernel_event(&mut c, &mut b, endpoints);
                check_common(&c)?;
                if c.pm.add_addr_signaled > c.info.counts.signal {
                    return Err("more announces than signal endpoints");
                }
            }
        }
        Which::Ndiffports => {
            let mut c = FakeConn::<ndiffports::Private>::new(local, remote, limits, endpoints);
            let n = u32::from(b.below(8));
            while !b.done() {
                ndiffports_event(&mut c, &mut b, n);
                check_common(&c)?;
                let joins = c.subflows.iter().filter(|s| s.request_join).count();
                if joins > n.saturating_sub(1) as usize
                    || joins > usize::from(limits.extra_subflows)
                {
                    return Err("more joins than N - 1 or the limit");
                }
            }
        }
    }
    Ok(())
}

fn kernel_event(c: &mut FakeConn<kernel::Private>, b: &mut Bytes<'_>, endpoints: &[Endpoint]) {
    let pick = |b: &mut Bytes<'_>| {
        endpoints
            .get(usize::from(b.below(endpoints.len() as u8)))
            .copied()
    };
    match b.below(10) {
        0 => kernel::create_subflow_or_signal(c),
        1 => {
            let announced = Addr::v4([10, 0, b.below(4) + 1, 1], 0).with_id(b.below(4));
            if kernel::accept_addr(c, &announced) {
                c.info.announced = announced;
                kernel::add_addr_received(c);
            }
        }
        2 => kernel::rm_addr_received(c, b.below(4)),
        3 => {
            let index = usize::from(b.below(4));
            let error =
                [0, super::errno::ECONNREFUSED, super::errno::ETIMEDOUT][usize::from(b.below(3))];
            if index > 0 {
                if let Some(sf) = c.close(index, error) {
                    kernel::subflow_closed(c, &sf, POLICY);
                }
            }
        }
        4 => {
            c.now = c.now.wrapping_add(u32::from(b.u8()));
            kernel::timeout(c);
        }
        5 => {
            if let Some(e) = pick(b) {
                kernel::endp_removed(c, &e);
            }
        }
        6 => kernel::endp_flushed(c, endpoints.iter().copied()),
        7 => {
            if let Some(e) = pick(b) {
                let changed = [flags::BACKUP, flags::FULLMESH][usize::from(b.below(2))];
                let e = Endpoint {
                    flags: e.flags ^ changed,
                    ..e
                };
                kernel::endp_changed(c, &e, changed);
            }
        }
        8 => {
            if let Some(e) = pick(b) {
                kernel::endp_added(c, &e);
            }
        }
        _ => {
            c.establish_all();
            c.connect_error = if b.below(4) == 0 { 113 } else { 0 };
            if super::allow_new_subflow(c) {
                // The peer joined: the core adds the subflow.
                c.subflows.push(super::SubflowView {
                    mp_join: true,
                    state: super::tcp::ESTABLISHED,
                    ..super::SubflowView::default()
                });
            }
        }
    }
}

fn ndiffports_event(c: &mut FakeConn<ndiffports::Private>, b: &mut Bytes<'_>, n: u32) {
    match b.below(5) {
        0 => ndiffports::established(c, n),
        1 => ndiffports::subflow_established(c),
        2 => {
            let index = usize::from(b.below(4));
            let error =
                [0, super::errno::ECONNRESET, super::errno::ETIMEDOUT][usize::from(b.below(3))];
            if index > 0 {
                if let Some(sf) = c.close(index, error) {
                    ndiffports::subflow_closed(c, &sf, 10, 2);
                }
            }
        }
        3 => {
            c.now = c.now.wrapping_add(u32::from(b.u8()));
            ndiffports::timeout(c);
        }
        _ => {
            c.establish_all();
            c.connect_error = if b.below(4) == 0 { 113 } else { 0 };
        }
    }
}
