// SPDX-License-Identifier: GPL-2.0

//! Path-manager scenarios on a [`FakeConn`], shared by the host tests and
//! the KUnit suite `mptcp_rs_pm`.
//!
//! Each case sets up a connection, runs the path manager's callbacks as
//! the core would, and checks what it did; it returns what differed
//! first.  The addresses follow the kernel's `mptcp_join.sh`: this side is
//! 10.0.N.2, the peer 10.0.N.1.

use super::{
    fake::{
        Action,
        FakeConn, //
    },
    flags,
    kernel::{
        self,
        RetryPolicy, //
    },
    ndiffports,
    tcp,
    Addr,
    Counter,
    Endpoint,
    IdList,
    Limits,
    SubflowView,
    AF_INET6, //
};

/// One scenario.
pub struct Case {
    /// What it checks.
    pub name: &'static str,
    /// Runs it: `Err` says what differed first.
    pub check: fn() -> Result<(), &'static str>,
}

fn expect(ok: bool, what: &'static str) -> Result<(), &'static str> {
    if ok {
        Ok(())
    } else {
        Err(what)
    }
}

/// A port, in network byte order.
const fn port(p: u16) -> u16 {
    p.to_be()
}

const PEER_PORT: u16 = port(10000);
const LOCAL_PORT: u16 = port(40000);

/// 10.0.`n`.2, this side.
const fn local(n: u8) -> Addr {
    Addr::v4([10, 0, n, 2], 0)
}

/// 10.0.`n`.1, the peer.
const fn peer(n: u8) -> Addr {
    Addr::v4([10, 0, n, 1], 0)
}

const fn endp(addr: Addr, id: u8, flags: u32) -> Endpoint {
    Endpoint {
        addr: addr.with_id(id),
        flags,
        ifindex: 0,
    }
}

const fn limits(add_addr_accepted: u8, extra_subflows: u8) -> Limits {
    Limits {
        add_addr_accepted,
        extra_subflows,
    }
}

const POLICY: RetryPolicy = RetryPolicy {
    base_ms: 100,
    max: 3,
};

type Kernel = FakeConn<kernel::Private>;

/// The peer's ADD_ADDR for `addr` reaches the path manager's worker.
fn receive_announce(c: &mut Kernel, addr: Addr) {
    c.info.announced = addr;
    kernel::add_addr_received(c);
}

/// A connection from 10.0.1.2 to 10.0.1.1:10000.
fn client(limits: Limits, endpoints: &[Endpoint]) -> Kernel {
    FakeConn::new(
        Addr::v4([10, 0, 1, 2], LOCAL_PORT),
        Addr::v4([10, 0, 1, 1], PEER_PORT),
        limits,
        endpoints,
    )
}

/// The peer's initial address and port, with ID 0.
const fn peer_initial() -> Addr {
    Addr::v4([10, 0, 1, 1], PEER_PORT)
}

fn any_v4() -> Endpoint {
    Endpoint {
        addr: Addr {
            family: super::AF_INET,
            ..Addr::default()
        },
        ..Endpoint::default()
    }
}

fn subflow_endpoint_opens_one_subflow() -> Result<(), &'static str> {
    let e = endp(local(2), 1, flags::SUBFLOW);
    let mut c = client(limits(0, 1), &[e]);
    kernel::create_subflow_or_signal(&mut c);
    expect(*c.log == [Action::Connect(e, peer_initial())], "actions")?;
    expect(
        c.pm.local_addr_used == 1 && c.pm.extra_subflows == 1,
        "accounting",
    )?;
    expect(!c.pm.work_pending, "work_pending cleared at the limit")?;
    expect(c.counter(Counter::PmSubflowCreated) == 1, "counted")
}

fn subflow_limit_stops_and_counts() -> Result<(), &'static str> {
    let (a, b) = (
        endp(local(2), 1, flags::SUBFLOW),
        endp(local(3), 2, flags::SUBFLOW),
    );
    let mut c = client(limits(0, 1), &[a, b]);
    kernel::create_subflow_or_signal(&mut c);
    expect(
        *c.log == [Action::Connect(a, peer_initial())],
        "one subflow",
    )?;
    expect(c.counter(Counter::PmNoSubflowLimit) == 1, "limit counted")?;
    // Nothing more once the limit is reached, and nothing counted twice.
    kernel::create_subflow_or_signal(&mut c);
    expect(c.log.len() == 1, "no second subflow")?;
    expect(
        c.counter(Counter::PmNoSubflowLimit) == 1,
        "a second pass counts the same endpoint again",
    )
}

fn subflow_limit_counts_each_endpoint() -> Result<(), &'static str> {
    let es = [
        endp(local(2), 1, flags::SUBFLOW),
        endp(local(3), 2, flags::SUBFLOW),
        endp(local(4), 3, flags::SUBFLOW),
    ];
    let mut c = client(limits(0, 1), &es);
    kernel::create_subflow_or_signal(&mut c);
    expect(
        c.counter(Counter::PmNoSubflowLimit) == 2,
        "one count per endpoint kept out",
    )
}

fn refused_announce_counts_only_when_wanted() -> Result<(), &'static str> {
    // add_addr_accepted 0, the default: announces are not wanted.
    let mut c = client(limits(0, 2), &[]);
    c.pm.accept_addr = false;
    expect(!kernel::accept_addr(&mut c, &peer(2).with_id(1)), "refused")?;
    expect(
        c.counter(Counter::PmNoSubflowLimit) == 0,
        "not wanted is not missing",
    )
}

fn no_retry_no_give_up() -> Result<(), &'static str> {
    let e = endp(local(2), 1, flags::SUBFLOW);
    let mut c = client(limits(0, 2), &[e]);
    c.info.fully_established = true;
    kernel::create_subflow_or_signal(&mut c);
    let sf = c.close(1, super::errno::ECONNREFUSED).ok_or("no subflow")?;
    let off = RetryPolicy {
        base_ms: 100,
        max: 0,
    };
    kernel::subflow_closed(&mut c, &sf, off);
    expect(
        !c.log.iter().any(|a| matches!(a, Action::ArmTimer(_))),
        "no timer",
    )?;
    expect(
        c.counter(Counter::PmRetryGaveUp) == 0,
        "retries off: nothing given up",
    )?;
    let mut n = ndiff(limits(0, 8));
    ndiffports::established(&mut n, 2);
    let sf = n.close(1, super::errno::ETIMEDOUT).ok_or("no join")?;
    ndiffports::subflow_closed(&mut n, &sf, 100, 0);
    expect(
        n.counter(Counter::PmRetryGaveUp) == 0,
        "ndiffports: retries off, nothing given up",
    )
}

fn signal_endpoint_is_announced() -> Result<(), &'static str> {
    let e = endp(local(2), 1, flags::SIGNAL);
    let mut c = client(limits(0, 0), &[e]);
    kernel::create_subflow_or_signal(&mut c);
    expect(
        *c.log
            == [
                Action::AnnouncedAlloc(e.addr),
                Action::Announce(e.addr, false),
            ],
        "announce",
    )?;
    expect(
        c.pm.add_addr_signaled == 1 && !c.pm.id_avail.contains(1),
        "accounting",
    )?;
    // The next pass waits while the ADD_ADDR is being sent.
    c.pm.add_addr_signaled = 0;
    c.info.signal_pending = true;
    kernel::create_subflow_or_signal(&mut c);
    expect(c.log.len() == 2, "no announce while one is pending")
}

fn signal_and_subflow_endpoint() -> Result<(), &'static str> {
    let e = endp(local(2), 1, flags::SIGNAL | flags::SUBFLOW);
    let mut c = client(limits(0, 2), &[e]);
    kernel::create_subflow_or_signal(&mut c);
    expect(
        *c.log
            == [
                Action::AnnouncedAlloc(e.addr),
                Action::Announce(e.addr, false),
                Action::Connect(e, peer_initial()),
            ],
        "announce then subflow",
    )?;
    expect(c.pm.local_addr_used == 1, "the endpoint is in use")
}

fn announce_out_of_memory_stops() -> Result<(), &'static str> {
    let (a, b) = (
        endp(local(2), 1, flags::SIGNAL),
        endp(local(3), 2, flags::SUBFLOW),
    );
    let mut c = client(limits(0, 2), &[a, b]);
    c.alloc_fails = true;
    kernel::create_subflow_or_signal(&mut c);
    expect(
        *c.log == [Action::AnnouncedAlloc(a.addr)],
        "nothing after the failure",
    )?;
    expect(
        c.pm.add_addr_signaled == 0 && c.pm.id_avail.contains(1),
        "not accounted",
    )
}

fn initial_backup_endpoint_sends_mp_prio() -> Result<(), &'static str> {
    let e = endp(Addr::v4([10, 0, 1, 2], 0), 4, flags::BACKUP);
    let mut c = client(limits(0, 0), &[e]);
    kernel::create_subflow_or_signal(&mut c);
    expect(*c.log == [Action::SendPrioFirst(true)], "MP_PRIO")?;
    expect(
        c.pm.mpc_endpoint_id == 4 && c.pm.mpc_accounted,
        "ID 0 endpoint",
    )?;
    kernel::create_subflow_or_signal(&mut c);
    expect(c.log.len() == 1, "accounted once")
}

fn initial_endpoint_subflow_uses_id0() -> Result<(), &'static str> {
    // A subflow endpoint for the initial address: its subflows use ID 0
    // and do not count as a local address used.
    let e = endp(
        Addr::v4([10, 0, 1, 2], 0),
        3,
        flags::SUBFLOW | flags::FULLMESH,
    );
    let mut c = client(limits(0, 2), &[e]);
    c.subflows.push(SubflowView {
        remote: Addr::v4([10, 0, 2, 1], PEER_PORT),
        remote_id: 1,
        local_id: 5,
        state: tcp::ESTABLISHED,
        ..SubflowView::default()
    });
    c.pm.mpc_accounted = true;
    c.pm.mpc_endpoint_id = 3;
    kernel::create_subflow_or_signal(&mut c);
    let local = endp(
        Addr::v4([10, 0, 1, 2], 0),
        0,
        flags::SUBFLOW | flags::FULLMESH,
    );
    // The initial subflow already joins the two ID 0s.
    expect(
        *c.log
            == [Action::Connect(
                local,
                Addr::v4([10, 0, 2, 1], PEER_PORT).with_id(1),
            )],
        "fullmesh to the other peer address, with ID 0",
    )?;
    expect(c.pm.local_addr_used == 0, "ID 0 not counted")
}

fn add_addr_accepted_opens_subflow() -> Result<(), &'static str> {
    let mut c = client(limits(1, 1), &[]);
    c.info.announced = peer(2).with_id(1);
    expect(kernel::accept_addr(&mut c, &peer(2).with_id(1)), "accepted")?;
    kernel::add_addr_received(&mut c);
    let remote = Addr::v4([10, 0, 2, 1], PEER_PORT).with_id(1);
    expect(
        *c.log
            == [
                Action::Announce(peer(2).with_id(1), true),
                Action::Connect(any_v4(), remote),
            ],
        "echo, then a subflow from any address to the initial port",
    )?;
    expect(
        c.pm.add_addr_accepted == 1 && !c.pm.accept_addr,
        "limit reached",
    )?;
    expect(c.counter(Counter::PmAddrAccepted) == 1, "counted")?;
    // The next announce is refused and counted.
    expect(!kernel::accept_addr(&mut c, &peer(3).with_id(2)), "refused")?;
    expect(c.counter(Counter::PmNoSubflowLimit) == 1, "refusal counted")
}

fn add_addr_queued_past_the_limit_only_echoes() -> Result<(), &'static str> {
    let mut c = client(limits(1, 4), &[]);
    // Both accepted before the first one is handled, as in a burst.
    expect(kernel::accept_addr(&mut c, &peer(2).with_id(1)), "first")?;
    expect(kernel::accept_addr(&mut c, &peer(3).with_id(2)), "second")?;
    receive_announce(&mut c, peer(2).with_id(1));
    receive_announce(&mut c, peer(3).with_id(2));
    let remote = Addr::v4([10, 0, 2, 1], PEER_PORT).with_id(1);
    expect(
        *c.log
            == [
                Action::Announce(peer(2).with_id(1), true),
                Action::Connect(any_v4(), remote),
                Action::Announce(peer(3).with_id(2), true),
            ],
        "a subflow to the first, only an echo for the second",
    )?;
    expect(
        c.pm.add_addr_accepted == 1 && c.pm.extra_subflows == 1,
        "one address, one subflow",
    )?;
    expect(
        c.counter(Counter::PmNoSubflowLimit) == 1,
        "the second counted as over the limit",
    )
}

fn add_addr_for_existing_subflow_only_echoes() -> Result<(), &'static str> {
    let mut c = client(limits(2, 2), &[]);
    receive_announce(&mut c, peer(1).with_id(0));
    expect(*c.log == [Action::Announce(peer(1), true)], "echo only")
}

fn add_addr_id0_must_be_initial_address() -> Result<(), &'static str> {
    let mut c = client(limits(2, 2), &[]);
    expect(
        !kernel::accept_addr(&mut c, &peer(2)),
        "ID 0 elsewhere refused",
    )?;
    expect(
        kernel::accept_addr(&mut c, &peer(1)),
        "ID 0 at the initial address",
    )
}

fn add_addr_fullmesh_uses_every_fullmesh_endpoint() -> Result<(), &'static str> {
    let (a, b) = (
        endp(local(2), 1, flags::SUBFLOW | flags::FULLMESH),
        endp(local(3), 2, flags::SUBFLOW | flags::FULLMESH),
    );
    let v6 = endp(
        Addr::v6(
            [0xde, 0xad, 0xbe, 0xef, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
            0,
        ),
        3,
        flags::SUBFLOW | flags::FULLMESH,
    );
    let mut c = client(limits(4, 4), &[a, v6, b]);
    receive_announce(&mut c, peer(2).with_id(1));
    let remote = Addr::v4([10, 0, 2, 1], PEER_PORT).with_id(1);
    expect(
        *c.log
            == [
                Action::Announce(peer(2).with_id(1), true),
                Action::Connect(a, remote),
                Action::Connect(b, remote),
            ],
        "both IPv4 fullmesh endpoints, not the IPv6 one",
    )?;
    expect(
        c.pm.extra_subflows == 2 && c.pm.add_addr_accepted == 1,
        "accounting",
    )
}

fn add_addr_laminar_uses_one_free_endpoint() -> Result<(), &'static str> {
    let (a, b) = (
        endp(local(2), 1, flags::LAMINAR),
        endp(local(3), 2, flags::LAMINAR),
    );
    let mut c = client(limits(4, 4), &[a, b]);
    // A subflow from endpoint 1 already exists.
    c.subflows.push(SubflowView {
        local: local(2),
        local_id: 1,
        state: tcp::ESTABLISHED,
        request_join: true,
        ..SubflowView::default()
    });
    receive_announce(&mut c, peer(3).with_id(2));
    let remote = Addr::v4([10, 0, 3, 1], PEER_PORT).with_id(2);
    expect(
        *c.log
            == [
                Action::Announce(peer(3).with_id(2), true),
                Action::Connect(b, remote),
            ],
        "the laminar endpoint without a subflow",
    )
}

fn c_flag_uses_subflow_endpoints() -> Result<(), &'static str> {
    let e = endp(local(2), 1, flags::SUBFLOW);
    // Default limits: no announced address accepted, 2 subflows.
    let mut c = client(limits(0, 2), &[e]);
    c.info.deny_join_id0 = true;
    // No subflow to the peer's ID 0.
    kernel::create_subflow_or_signal(&mut c);
    expect(c.log.is_empty(), "nothing to ID 0")?;
    // The announced address is accepted anyway, with the endpoint.
    expect(
        kernel::accept_addr(&mut c, &peer(2).with_id(1)),
        "C flag case",
    )?;
    receive_announce(&mut c, peer(2).with_id(1));
    let remote = Addr::v4([10, 0, 2, 1], PEER_PORT).with_id(1);
    expect(
        *c.log
            == [
                Action::Announce(peer(2).with_id(1), true),
                Action::Connect(e, remote),
            ],
        "subflow from the endpoint",
    )?;
    expect(c.pm.local_addr_used == 1, "accounted")
}

fn family_mismatch_is_counted() -> Result<(), &'static str> {
    let v6 = endp(
        Addr::v6(
            [0xde, 0xad, 0xbe, 0xef, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
            0,
        ),
        1,
        flags::SUBFLOW,
    );
    let mut c = client(limits(1, 2), &[v6]);
    kernel::create_subflow_or_signal(&mut c);
    expect(c.log.is_empty(), "no subflow")?;
    expect(c.counter(Counter::PmNoSubflowFamily) == 1, "counted")?;
    expect(c.pm.extra_subflows == 0, "not accounted")?;
    // An announced IPv6 address on an IPv4 connection.
    c.info.announced =
        Addr::v6([0xde, 0xad, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 0).with_id(3);
    kernel::add_addr_received(&mut c);
    expect(
        c.counter(Counter::PmNoSubflowFamily) == 2,
        "counted for ADD_ADDR",
    )
}

fn dual_stack_matches_families() -> Result<(), &'static str> {
    let mut c = client(limits(0, 2), &[]);
    c.info.family = AF_INET6;
    let mapped = Addr::v6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 1, 1], 0);
    let v6 = Addr::v6([0xde, 0xad, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 0);
    expect(
        super::families_match(&c.info, &local(2), &mapped),
        "v4 and v4-mapped",
    )?;
    expect(!super::families_match(&c.info, &local(2), &v6), "v4 and v6")?;
    c.info.ipv6_only = true;
    expect(
        !super::families_match(&c.info, &mapped, &v6),
        "v6only refuses v4-mapped",
    )?;
    expect(
        super::addresses_equal(&peer(1), &mapped, false),
        "mapped equals v4",
    )
}

fn connect_error_is_counted_and_given_back() -> Result<(), &'static str> {
    let e = endp(local(2), 1, flags::SUBFLOW);
    let mut c = client(limits(0, 2), &[e]);
    c.connect_error = 99;
    kernel::create_subflow_or_signal(&mut c);
    expect(c.counter(Counter::PmNoSubflowError) == 1, "error counted")?;
    expect(c.pm.extra_subflows == 0, "the core gave the subflow back")
}

fn endpoint_removed_closes_and_withdraws() -> Result<(), &'static str> {
    let e = endp(local(2), 1, flags::SIGNAL | flags::SUBFLOW);
    let mut c = client(limits(0, 2), &[e]);
    kernel::create_subflow_or_signal(&mut c);
    c.log = Default::default();
    kernel::endp_removed(&mut c, &e);
    expect(
        *c.log
            == [
                Action::AnnouncedRemove(e.addr),
                Action::RemoveAddr(IdList::of(&[1])),
                Action::RmSubflow(IdList::of(&[1])),
            ],
        "RM_ADDR and the subflow closed",
    )?;
    expect(c.pm.add_addr_signaled == 0, "no longer announced")?;
    expect(
        c.pm.local_addr_used == 0 && c.pm.id_avail.contains(1),
        "available again",
    )?;
    expect(
        c.subflows.len() == 1 && c.pm.extra_subflows == 0,
        "subflow gone",
    )
}

fn initial_address_removed_by_id0() -> Result<(), &'static str> {
    let mut c = client(limits(0, 2), &[]);
    let gone = Endpoint {
        addr: Addr::v4([10, 0, 1, 2], 0),
        ..Endpoint::default()
    };
    kernel::endp_removed(&mut c, &gone);
    let id0 = IdList::of(&[0]);
    expect(
        *c.log
            == [
                Action::AnnouncedRemove(Addr::v4([10, 0, 1, 2], 0)),
                Action::RemoveAddr(id0),
                Action::RmSubflow(id0),
            ],
        "RM_ADDR 0 and the initial subflow closed",
    )?;
    // Another address: nothing.
    let mut c = client(limits(0, 2), &[]);
    let other = Endpoint {
        addr: local(3),
        ..Endpoint::default()
    };
    kernel::endp_removed(&mut c, &other);
    expect(c.log.is_empty(), "not this connection's address")
}

fn flush_batches_rm_addr() -> Result<(), &'static str> {
    let mut endpoints = [Endpoint::default(); 10];
    for (i, e) in endpoints.iter_mut().enumerate() {
        // 10.0.1.10 .. 10.0.1.19, ids 1..=10, announced.
        *e = endp(
            Addr::v4([10, 0, 1, 10 + i as u8], 0),
            1 + i as u8,
            flags::SIGNAL,
        );
    }
    let mut c = client(limits(0, 8), &endpoints);
    for e in &endpoints {
        c.announced.push(e.addr);
    }
    c.pm.add_addr_signaled = 10;
    kernel::endp_flushed(&mut c, endpoints.iter().copied());
    let mut removes = c.log.iter().filter_map(|a| match a {
        Action::RemoveAddr(ids) => Some(ids.len()),
        _ => None,
    });
    expect(
        removes.next() == Some(8) && removes.next() == Some(2),
        "batches of 8",
    )?;
    expect(
        c.pm.add_addr_signaled == 0 && c.pm.local_addr_used == 0,
        "reset",
    )
}

fn backup_change_sends_mp_prio() -> Result<(), &'static str> {
    let e = endp(local(2), 1, flags::SUBFLOW | flags::BACKUP);
    let mut c = client(limits(0, 2), &[e]);
    kernel::endp_changed(&mut c, &e, flags::BACKUP);
    expect(*c.log == [Action::SendPrio(e.addr, true)], "MP_PRIO backup")
}

fn rm_addr_reopens_accept() -> Result<(), &'static str> {
    let mut c = client(limits(1, 2), &[]);
    c.pm.add_addr_accepted = 1;
    c.pm.accept_addr = false;
    kernel::rm_addr_received(&mut c, 1);
    expect(
        c.pm.add_addr_accepted == 0 && c.pm.accept_addr,
        "accepting again",
    )?;
    // ID 0 is not counted.
    kernel::rm_addr_received(&mut c, 0);
    expect(c.pm.add_addr_accepted == 0, "unchanged")
}

fn failed_subflow_is_retried_with_backoff() -> Result<(), &'static str> {
    let e = endp(local(2), 1, flags::SUBFLOW);
    let mut c = client(limits(0, 2), &[e]);
    kernel::create_subflow_or_signal(&mut c);
    let mut delays = [0u32; 3];
    for d in delays.iter_mut() {
        // The join is refused.
        let sf = c.close(1, super::errno::ECONNREFUSED).ok_or("no subflow")?;
        c.log = Default::default();
        kernel::subflow_closed(&mut c, &sf, POLICY);
        *d = match c.log.iter().find(|a| matches!(a, Action::ArmTimer(_))) {
            Some(Action::ArmTimer(d)) => *d,
            _ => return Err("no timer"),
        };
        // Not before the delay.
        c.now += *d - 1;
        kernel::timeout(&mut c);
        expect(
            !c.log.iter().any(|a| matches!(a, Action::Connect(..))),
            "too early",
        )?;
        c.now += 1;
        kernel::timeout(&mut c);
        expect(
            c.log
                .iter()
                .any(|a| *a == Action::Connect(e, peer_initial())),
            "re-created",
        )?;
    }
    expect(delays == [100, 200, 400], "doubling")?;
    expect(c.counter(Counter::PmSubflowRetry) == 3, "retries counted")?;
    expect(
        c.counter(Counter::PmNoSubflowRefused) == 3,
        "refusals counted",
    )?;
    // The fourth failure gives up.
    let sf = c.close(1, super::errno::ECONNREFUSED).ok_or("no subflow")?;
    c.log = Default::default();
    kernel::subflow_closed(&mut c, &sf, POLICY);
    expect(
        !c.log.iter().any(|a| matches!(a, Action::ArmTimer(_))),
        "no timer",
    )?;
    expect(c.counter(Counter::PmRetryGaveUp) == 1, "gave up")
}

fn clean_close_is_not_retried() -> Result<(), &'static str> {
    let e = endp(local(2), 1, flags::SUBFLOW);
    let mut c = client(limits(0, 2), &[e]);
    kernel::create_subflow_or_signal(&mut c);
    let sf = c.close(1, 0).ok_or("no subflow")?;
    c.log = Default::default();
    kernel::subflow_closed(&mut c, &sf, POLICY);
    expect(
        !c.log.iter().any(|a| matches!(a, Action::ArmTimer(_))),
        "no retry",
    )?;
    // Nor once the endpoint is gone.
    kernel::create_subflow_or_signal(&mut c);
    let sf = SubflowView {
        local_id: 9,
        request_join: true,
        error: super::errno::ETIMEDOUT,
        ..SubflowView::default()
    };
    kernel::subflow_closed(&mut c, &sf, POLICY);
    expect(
        !c.log.iter().any(|a| matches!(a, Action::ArmTimer(_))),
        "unknown endpoint",
    )
}

type Ndiff = FakeConn<ndiffports::Private>;

fn ndiff(limits: Limits) -> Ndiff {
    FakeConn::new(
        Addr::v4([10, 0, 1, 2], LOCAL_PORT),
        Addr::v4([10, 0, 1, 1], PEER_PORT),
        limits,
        &[],
    )
}

fn ndiffports_opens_n_minus_one_joins() -> Result<(), &'static str> {
    let mut c = ndiff(limits(0, 8));
    ndiffports::established(&mut c, 4);
    let local = Endpoint {
        addr: Addr::v4([10, 0, 1, 2], 0),
        ..Endpoint::default()
    };
    let join = Action::Connect(local, peer_initial());
    expect(
        *c.log == [join, join, join],
        "three joins, same addresses, port 0",
    )?;
    expect(c.pm.extra_subflows == 3, "accounted")?;
    // Another pass opens nothing more.
    ndiffports::subflow_established(&mut c);
    expect(c.log.len() == 3, "exactly N")
}

fn ndiffports_limited_and_server_side() -> Result<(), &'static str> {
    let mut c = ndiff(limits(0, 1));
    ndiffports::established(&mut c, 3);
    expect(c.log.len() == 1, "one join within the limit")?;
    expect(c.counter(Counter::PmNoSubflowLimit) == 1, "limit counted")?;
    ndiffports::subflow_established(&mut c);
    expect(
        c.counter(Counter::PmNoSubflowLimit) == 1,
        "the same missing join counted again",
    )?;
    let mut s = ndiff(limits(0, 8));
    s.info.server_side = true;
    ndiffports::established(&mut s, 3);
    expect(s.log.is_empty(), "the passive side opens nothing")?;
    expect(
        !ndiffports::accept_addr(&mut s, &peer(2).with_id(1)),
        "announces echoed",
    )?;
    expect(
        ndiffports::n_fits(3, 2) && !ndiffports::n_fits(4, 2) && !ndiffports::n_fits(0, 8),
        "N validated against the limit",
    )
}

fn ndiffports_retries_failed_join() -> Result<(), &'static str> {
    let mut c = ndiff(limits(0, 8));
    ndiffports::established(&mut c, 2);
    let sf = c.close(1, super::errno::ETIMEDOUT).ok_or("no join")?;
    ndiffports::subflow_closed(&mut c, &sf, 100, 2);
    expect(c.log.contains(&Action::ArmTimer(100)), "timer armed")?;
    c.now += 100;
    ndiffports::timeout(&mut c);
    let joins = c
        .log
        .iter()
        .filter(|a| matches!(a, Action::Connect(..)))
        .count();
    expect(joins == 2, "opened again")?;
    expect(c.counter(Counter::PmNoSubflowError) == 1, "error counted")
}

/// Every scenario.
pub const CASES: &[Case] = &[
    Case {
        name: "subflow limit counts each endpoint once",
        check: subflow_limit_counts_each_endpoint,
    },
    Case {
        name: "refused announce counted only when announces are wanted",
        check: refused_announce_counts_only_when_wanted,
    },
    Case {
        name: "retries off: no give-up counted",
        check: no_retry_no_give_up,
    },
    Case {
        name: "subflow endpoint opens one subflow",
        check: subflow_endpoint_opens_one_subflow,
    },
    Case {
        name: "subflow limit stops and counts",
        check: subflow_limit_stops_and_counts,
    },
    Case {
        name: "signal endpoint is announced",
        check: signal_endpoint_is_announced,
    },
    Case {
        name: "signal and subflow endpoint",
        check: signal_and_subflow_endpoint,
    },
    Case {
        name: "announce out of memory stops",
        check: announce_out_of_memory_stops,
    },
    Case {
        name: "initial backup endpoint sends MP_PRIO",
        check: initial_backup_endpoint_sends_mp_prio,
    },
    Case {
        name: "initial endpoint subflows use ID 0",
        check: initial_endpoint_subflow_uses_id0,
    },
    Case {
        name: "ADD_ADDR accepted opens a subflow",
        check: add_addr_accepted_opens_subflow,
    },
    Case {
        name: "ADD_ADDR for an existing subflow only echoes",
        check: add_addr_for_existing_subflow_only_echoes,
    },
    Case {
        name: "ADD_ADDR queued past the limit only echoes",
        check: add_addr_queued_past_the_limit_only_echoes,
    },
    Case {
        name: "ADD_ADDR ID 0 must be the initial address",
        check: add_addr_id0_must_be_initial_address,
    },
    Case {
        name: "ADD_ADDR with fullmesh endpoints",
        check: add_addr_fullmesh_uses_every_fullmesh_endpoint,
    },
    Case {
        name: "ADD_ADDR with laminar endpoints",
        check: add_addr_laminar_uses_one_free_endpoint,
    },
    Case {
        name: "C flag uses subflow endpoints",
        check: c_flag_uses_subflow_endpoints,
    },
    Case {
        name: "family mismatch is counted",
        check: family_mismatch_is_counted,
    },
    Case {
        name: "dual-stack family matching",
        check: dual_stack_matches_families,
    },
    Case {
        name: "connect error is counted and given back",
        check: connect_error_is_counted_and_given_back,
    },
    Case {
        name: "endpoint removed closes and withdraws",
        check: endpoint_removed_closes_and_withdraws,
    },
    Case {
        name: "initial address removed by ID 0",
        check: initial_address_removed_by_id0,
    },
    Case {
        name: "flush batches RM_ADDR",
        check: flush_batches_rm_addr,
    },
    Case {
        name: "backup change sends MP_PRIO",
        check: backup_change_sends_mp_prio,
    },
    Case {
        name: "RM_ADDR reopens accept_addr",
        check: rm_addr_reopens_accept,
    },
    Case {
        name: "failed subflow is retried with backoff",
        check: failed_subflow_is_retried_with_backoff,
    },
    Case {
        name: "clean close is not retried",
        check: clean_close_is_not_retried,
    },
    Case {
        name: "ndiffports opens N - 1 joins",
        check: ndiffports_opens_n_minus_one_joins,
    },
    Case {
        name: "ndiffports limit and passive side",
        check: ndiffports_limited_and_server_side,
    },
    Case {
        name: "ndiffports retries a failed join",
        check: ndiffports_retries_failed_join,
    },
];
