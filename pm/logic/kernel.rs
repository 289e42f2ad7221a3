// SPDX-License-Identifier: GPL-2.0

//! `rs_kernel`: the in-kernel path manager (`net/mptcp/pm_kernel.c`),
//! function for function, plus the re-creation of failed subflows.
//!
//! The endpoints and limits are the ones `ip mptcp endpoint` and `ip mptcp
//! limits` configure; the semantics are the C path manager's, including
//! its special cases (the initial subflow's endpoint taking ID 0, the C
//! flag, `fullmesh` and `laminar` endpoints), so that the kernel's own
//! `mptcp_join.sh` judges this port.  Each function names its C original.
//!
//! Beyond C: when a subflow created from a `subflow` endpoint fails, the
//! endpoint is used again after a backoff ([`super::retry`]).

use super::{
    addresses_equal,
    any_subflow,
    c_flag_case,
    connect_counted,
    count_failure,
    failure,
    families_match,
    find_endpoint,
    flags,
    is_init_remote,
    lookup_addr,
    retry::{
        Backoff,
        RetryTable, //
    },
    tcp,
    Addr,
    Batch,
    Conn,
    ConnBase,
    ConnInfo,
    Counter,
    Endpoint,
    Endpoints,
    IdList,
    IdSet,
    PmState,
    SubflowView, //
};

use core::ops::ControlFlow;

/// What `rs_kernel` keeps per connection, in `msk->pm_priv`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Private {
    /// Failed `subflow` endpoints to use again, by endpoint ID.
    pub retry: RetryTable,
    /// `subflow` endpoints counted as kept out by the limits: the most
    /// found at once.
    pub limited: u8,
}

/// How failed subflows are re-created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay before the first retry, in milliseconds; doubles each time.
    pub base_ms: u32,
    /// Attempts per endpoint and connection; 0 turns retries off.
    pub max: u8,
}

/// `mptcp_endp_get_local_id()`: the ID the connection uses for `addr`,
/// 0 for the initial subflow's endpoint.
fn endp_local_id(pm: &PmState, addr: &Addr) -> u8 {
    if pm.mpc_endpoint_id == addr.id {
        0
    } else {
        addr.id
    }
}

/// `__mark_subflow_endp_available()`.
fn mark_subflow_endp_available(pm: &mut PmState, id: u8) {
    let bit = if id != 0 { id } else { pm.mpc_endpoint_id };
    if !pm.id_avail.test_and_insert(bit) && id != 0 && pm.local_addr_used != 0 {
        pm.local_addr_used -= 1;
    }
}

/// `select_local_address()`: the first `subflow` endpoint not used yet.
fn select_local_address<C: Endpoints>(c: &C, avail: &IdSet) -> Option<Endpoint> {
    find_endpoint(c, |e| e.has(flags::SUBFLOW) && avail.contains(e.addr.id))
}

/// The `subflows` limit keeps the endpoints in `avail` with the `subflow`
/// flag, and `pending`, from being used: counts each once per connection,
/// however many passes find them still kept out.
fn count_limited<C: Conn<Private = Private>>(c: &mut C, avail: &IdSet, pending: Option<u8>) {
    let mut kept = u8::from(pending.is_some());
    c.endpoints(|e| {
        if e.has(flags::SUBFLOW) && avail.contains(e.addr.id) && Some(e.addr.id) != pending {
            kept = kept.saturating_add(1);
        }
        ControlFlow::Continue(())
    });
    while c.private().limited < kept {
        c.private().limited += 1;
        c.count(Counter::PmNoSubflowLimit);
    }
}

/// `select_signal_address()`: the first `signal` endpoint not used yet.
fn select_signal_address<C: Endpoints>(c: &C, avail: &IdSet) -> Option<Endpoint> {
    find_endpoint(c, |e| avail.contains(e.addr.id) && e.has(flags::SIGNAL))
}

/// `mptcp_pm_has_subflow_saddr()`.
fn has_subflow_saddr<C: Conn>(c: &C, saddr: &Addr) -> bool {
    any_subflow(c, |sf| addresses_equal(&sf.local, saddr, saddr.port != 0))
}

/// `has_subflow_daddr()`: a subflow, open or opening, to `daddr`.
fn has_subflow_daddr<C: Conn>(c: &C, daddr: &Addr) -> bool {
    const OPEN: [u8; 3] = [tcp::ESTABLISHED, tcp::SYN_SENT, tcp::SYN_RECV];
    any_subflow(c, |sf| {
        tcp::is_in(sf.state, &OPEN) && addresses_equal(&sf.remote, daddr, daddr.port != 0)
    })
}

/// `mptcp_mpc_endpoint_setup()`: on first use, find the endpoint of the
/// initial subflow's address, mark it used, and send MP_PRIO if it is a
/// backup.
fn mpc_endpoint_setup<C: Conn>(c: &mut C) {
    let mut pm = c.pm();
    if pm.mpc_accounted {
        return;
    }
    let Some(first) = c.first_local() else {
        return;
    };
    let mut backup = false;
    if let Some(e) = lookup_addr(c, &first) {
        pm.id_avail.remove(e.addr.id);
        pm.mpc_endpoint_id = e.addr.id;
        backup = e.has(flags::BACKUP);
    }
    // C sets the status bit after sending MP_PRIO; only code holding the
    // msk socket lock, as we do, reads it.
    pm.mpc_accounted = true;
    c.set_pm(&pm);
    if backup {
        c.send_prio_first(true);
    }
}

/// `fill_remote_addr()`: the peer's initial address, for a non-fullmesh
/// endpoint.
fn fill_remote_addr(info: &ConnInfo, pm: &mut PmState, local: &Addr, out: &mut Batch<Addr>) {
    if info.deny_join_id0 {
        return;
    }
    let remote = info.remote;
    if !families_match(info, local, &remote) {
        return;
    }
    pm.extra_subflows = pm.extra_subflows.wrapping_add(1);
    out.push(remote);
}

/// `fill_remote_addresses_fullmesh()`: every remote address of the
/// existing subflows, once each, unless `local` already has a subflow
/// there.
fn fill_remote_addresses_fullmesh<C: Conn>(
    c: &C,
    info: &ConnInfo,
    pm: &mut PmState,
    local: &Addr,
    out: &mut Batch<Addr>,
) {
    let limit = info.limits.extra_subflows;
    let mut unavail = IdSet::EMPTY;
    c.subflows(|sf| {
        if sf.local_id == i16::from(local.id) {
            unavail.insert(sf.remote_id);
        }
        ControlFlow::Continue(())
    });
    c.subflows(|sf| {
        let addr = sf.remote.with_id(sf.remote_id);
        if (info.deny_join_id0 && addr.id == 0)
            || unavail.contains(addr.id)
            || !families_match(info, local, &addr)
        {
            return ControlFlow::Continue(());
        }
        unavail.insert(addr.id);
        pm.extra_subflows = pm.extra_subflows.wrapping_add(1);
        out.push(addr);
        if pm.extra_subflows >= limit || out.is_full() {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
}

/// `mptcp_pm_create_subflow_or_signal_addr()`: announce the next `signal`
/// endpoint, then create subflows from the `subflow` endpoints, within the
/// limits.
pub fn create_subflow_or_signal<C: Conn<Private = Private>>(c: &mut C) {
    mpc_endpoint_setup(c);
    let info = c.info();
    if !info.fully_established {
        return;
    }
    let (limits, counts) = (info.limits, info.counts);

    let mut signal_and_subflow = false;
    let mut local = Endpoint::default();

    // Check first for announce.
    let pm = c.pm();
    if pm.add_addr_signaled < counts.signal {
        // An announce is still being sent: the core runs this again once
        // it completes.
        if info.signal_pending {
            return;
        }
        if let Some(endpoint) = select_signal_address(c, &pm.id_avail) {
            local = endpoint;
            let endp_id = local.addr.id;
            if endp_id == pm.mpc_endpoint_id {
                local.addr.id = 0;
            }
            // Out of memory: not worth creating subflows either.
            if !c.announced_alloc(&local.addr) {
                return;
            }
            let mut pm = c.pm();
            pm.id_avail.remove(endp_id);
            pm.add_addr_signaled = pm.add_addr_signaled.wrapping_add(1);
            c.set_pm(&pm);
            c.announce(&local.addr, false);
            c.count(Counter::PmAddrAnnounced);
            signal_and_subflow = local.has(flags::SUBFLOW);
        }
    }

    // No subflows to the peer's ID 0 when it denies them.
    if !c_flag_case(&c.pm(), &info) {
        loop {
            let mut pm = c.pm();
            if pm.local_addr_used >= counts.subflow {
                break;
            }
            if pm.extra_subflows >= limits.extra_subflows {
                let pending = signal_and_subflow.then_some(local.addr.id);
                count_limited(c, &pm.id_avail, pending);
                break;
            }
            if signal_and_subflow {
                signal_and_subflow = false;
            } else if let Some(endpoint) = select_local_address(c, &pm.id_avail) {
                local = endpoint;
            } else {
                break;
            }
            let fullmesh = local.has(flags::FULLMESH);
            pm.id_avail.remove(local.addr.id);
            if local.addr.id == pm.mpc_endpoint_id {
                local.addr.id = 0;
            } else {
                // Not counted for the initial subflow's endpoint.
                pm.local_addr_used = pm.local_addr_used.wrapping_add(1);
            }
            let mut remotes = Batch::default();
            if fullmesh {
                fill_remote_addresses_fullmesh(c, &info, &mut pm, &local.addr, &mut remotes);
            } else {
                fill_remote_addr(&info, &mut pm, &local.addr, &mut remotes);
            }
            c.set_pm(&pm);
            if remotes.is_empty() {
                count_unusable(c, &info, &local.addr);
                continue;
            }
            for remote in remotes.iter() {
                connect_counted(c, &local, remote);
            }
        }
    }

    // An endpoint with both flags that could not create subflows is still
    // in use, as removing it expects.
    let mut pm = c.pm();
    if signal_and_subflow && local.addr.id != pm.mpc_endpoint_id {
        pm.local_addr_used = pm.local_addr_used.wrapping_add(1);
    }
    check_work_pending(c, &mut pm);
    c.set_pm(&pm);
}

/// Counts why `local` gave no subflow to the peer's initial address.
fn count_unusable<C: Conn>(c: &mut C, info: &ConnInfo, local: &Addr) {
    if info.deny_join_id0 {
        c.count(Counter::PmNoSubflowRefused);
    } else if !families_match(info, local, &info.remote) {
        c.count(Counter::PmNoSubflowFamily);
    }
}

/// `mptcp_pm_nl_check_work_pending()`: whether events may still lead to
/// something: below the subflow limit, with an endpoint not used yet.
pub fn check_work_pending<C: ConnBase>(c: &C, pm: &mut PmState) -> bool {
    let avail = pm.id_avail;
    if pm.extra_subflows == c.info().limits.extra_subflows
        || find_endpoint(c, |e| avail.contains(e.addr.id)).is_none()
    {
        pm.work_pending = false;
        return false;
    }
    true
}

/// `fill_local_addresses_vec_fullmesh()`: every `fullmesh` endpoint of a
/// matching family.
fn fill_local_fullmesh<C: ConnBase>(
    c: &C,
    info: &ConnInfo,
    pm: &mut PmState,
    remote: &Addr,
    c_flag: bool,
    out: &mut Batch<Endpoint>,
) {
    let limit = info.limits.extra_subflows;
    c.endpoints(|e| {
        if !e.has(flags::FULLMESH) || !families_match(info, &e.addr, remote) {
            return ControlFlow::Continue(());
        }
        let mut local = *e;
        let is_id0 = local.addr.id == pm.mpc_endpoint_id;
        if c_flag && e.has(flags::SUBFLOW) {
            pm.id_avail.remove(local.addr.id);
            if !is_id0 {
                pm.local_addr_used = pm.local_addr_used.wrapping_add(1);
            }
        }
        if is_id0 {
            local.addr.id = 0;
        }
        pm.extra_subflows = pm.extra_subflows.wrapping_add(1);
        out.push(local);
        if pm.extra_subflows >= limit || out.is_full() {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
}

/// `fill_local_laminar_endp()`: the first `laminar` endpoint of a matching
/// family without a subflow yet.
fn fill_local_laminar<C: Conn>(
    c: &C,
    info: &ConnInfo,
    pm: &mut PmState,
    remote: &Addr,
    out: &mut Batch<Endpoint>,
) {
    const CLOSING: [u8; 4] = [tcp::FIN_WAIT1, tcp::FIN_WAIT2, tcp::CLOSING, tcp::CLOSE];
    let mut unavail = IdSet::EMPTY;
    c.subflows(|sf| {
        if !tcp::is_in(sf.state, &CLOSING) {
            unavail.insert(sf.local_id());
        }
        ControlFlow::Continue(())
    });
    let found = find_endpoint(c, |e| {
        e.has(flags::LAMINAR)
            && families_match(info, &e.addr, remote)
            && !unavail.contains(endp_local_id(pm, &e.addr))
    });
    let Some(local) = found else {
        return;
    };
    if local.has(flags::SUBFLOW) {
        pm.id_avail.remove(local.addr.id);
        if local.addr.id != pm.mpc_endpoint_id {
            pm.local_addr_used = pm.local_addr_used.wrapping_add(1);
        }
    }
    pm.extra_subflows = pm.extra_subflows.wrapping_add(1);
    out.push(local);
}

/// `fill_local_addresses_vec_c_flag()`: the `subflow` endpoints, for the
/// one address a peer that denies joins to its initial one announces.
fn fill_local_c_flag<C: ConnBase>(
    c: &C,
    info: &ConnInfo,
    pm: &mut PmState,
    remote: &Addr,
    out: &mut Batch<Endpoint>,
) {
    let limit = info.limits.extra_subflows;
    while pm.local_addr_used < info.counts.subflow {
        let Some(local) = select_local_address(c, &pm.id_avail) else {
            break;
        };
        pm.id_avail.remove(local.addr.id);
        if !families_match(info, &local.addr, remote) || local.addr.id == pm.mpc_endpoint_id {
            continue;
        }
        pm.local_addr_used = pm.local_addr_used.wrapping_add(1);
        pm.extra_subflows = pm.extra_subflows.wrapping_add(1);
        out.push(local);
        if pm.extra_subflows >= limit || out.is_full() {
            break;
        }
    }
}

/// `fill_local_address_any()`: no particular local address, routing picks
/// one.
fn fill_local_any(info: &ConnInfo, pm: &mut PmState, remote: &Addr, out: &mut Batch<Endpoint>) {
    let family = if remote.family == super::AF_INET6 && remote.is_v4_mapped() {
        super::AF_INET
    } else {
        remote.family
    };
    let local = Endpoint {
        addr: Addr {
            family,
            ..Addr::default()
        },
        ..Endpoint::default()
    };
    if !families_match(info, &local.addr, remote) {
        return;
    }
    pm.extra_subflows = pm.extra_subflows.wrapping_add(1);
    out.push(local);
}

/// `fill_local_addresses_vec()`: the local sides of the subflows to create
/// to an address the peer announced.
fn fill_local_addresses<C: Conn>(
    c: &C,
    info: &ConnInfo,
    pm: &mut PmState,
    remote: &Addr,
    out: &mut Batch<Endpoint>,
) {
    let c_flag = remote.id != 0 && c_flag_case(pm, info);
    if info.counts.fullmesh > 0 {
        fill_local_fullmesh(c, info, pm, remote, c_flag, out);
    } else if info.counts.laminar > 0 {
        fill_local_laminar(c, info, pm, remote, out);
    } else if c_flag {
        fill_local_c_flag(c, info, pm, remote, out);
    } else {
        fill_local_any(info, pm, remote, out);
    }
}

/// Counts why an announced address got no subflow.
fn count_no_local<C: Conn>(c: &mut C, info: &ConnInfo, remote: &Addr) {
    let any_family = Addr {
        family: remote.family,
        ..Addr::default()
    };
    if !families_match(info, &any_family, remote) && !families_match(info, &info.local, remote) {
        c.count(Counter::PmNoSubflowFamily);
    } else {
        c.count(Counter::PmNoSubflowEndpoint);
    }
}

/// `mptcp_pm_nl_add_addr_received()`: echo the peer's announce and create
/// subflows to the address.
pub fn add_addr_received<C: Conn>(c: &mut C) {
    let info = c.info();
    let mut remote = info.announced;
    c.announce(&remote, true);
    mpc_endpoint_setup(c);

    if has_subflow_daddr(c, &remote) {
        return;
    }
    // The peer's initial port, if none is given.
    if remote.port == 0 {
        remote.port = info.remote.port;
    }

    let mut pm = c.pm();
    // An announce queued while the previous one was being handled (the C
    // worker drops the PM lock to connect) was accepted against the
    // limits as they stood before that one counted: check them again, so
    // a burst cannot take more than `add_addr_accepted` addresses.
    if remote.id != 0 && !pm.accept_addr && !c_flag_case(&pm, &info) {
        c.count(Counter::PmNoSubflowLimit);
        return;
    }
    let mut locals = Batch::default();
    fill_local_addresses(c, &info, &mut pm, &remote, &mut locals);
    c.set_pm(&pm);
    if locals.is_empty() {
        count_no_local(c, &info, &remote);
        return;
    }

    let mut created = false;
    for local in locals.iter() {
        created |= connect_counted(c, local, &remote);
    }
    if created {
        c.count(Counter::PmAddrAccepted);
        let mut pm = c.pm();
        // Not counted for ID 0.
        if remote.id != 0 {
            pm.add_addr_accepted = pm.add_addr_accepted.wrapping_add(1);
        }
        if pm.add_addr_accepted >= info.limits.add_addr_accepted
            || pm.extra_subflows >= info.limits.extra_subflows
        {
            pm.accept_addr = false;
        }
        c.set_pm(&pm);
    }
}

/// `mptcp_pm_kernel_accept_addr()`, from the ADD_ADDR handling in
/// `mptcp_pm_add_addr_received()`: act on the announce, or only echo it.
pub fn accept_addr<C: ConnBase>(c: &mut C, addr: &Addr) -> bool {
    let info = c.info();
    // ID 0 must be the initial address.
    if addr.id == 0 {
        return is_init_remote(&info, addr);
    }
    let pm = c.pm();
    if pm.accept_addr || c_flag_case(&pm, &info) {
        return true;
    }
    // With `add_addr_accepted` at 0 announces are not wanted: nothing is
    // missing.
    if info.limits.add_addr_accepted > 0 {
        c.count(Counter::PmNoSubflowLimit);
    }
    false
}

/// `mptcp_pm_nl_rm_addr()`: the peer removed an address we had subflows
/// to; it counts no more against `add_addr_accepted`.
pub fn rm_addr_received<C: ConnBase>(c: &mut C, id: u8) {
    c.count(Counter::PmRmAddr);
    let mut pm = c.pm();
    // C warns when it was 0 already.
    if id == 0 || pm.add_addr_accepted == 0 {
        return;
    }
    pm.add_addr_accepted -= 1;
    if pm.add_addr_accepted < c.info().limits.add_addr_accepted {
        pm.accept_addr = true;
    }
    c.set_pm(&pm);
}

/// `mptcp_pm_kernel_subflow_closed()`, then the retry of a failed subflow
/// created from a `subflow` endpoint.
pub fn subflow_closed<C: Conn<Private = Private>>(
    c: &mut C,
    sf: &SubflowView,
    policy: RetryPolicy,
) {
    let mut pm = c.pm();
    if pm.work_pending || sf.request_join || sf.mp_join {
        let fully_established = c.info().fully_established;
        if fully_established && check_work_pending(c, &mut pm) {
            c.schedule_pass();
        }
        c.set_pm(&pm);
    }

    let Some(why) = failure(sf) else {
        return;
    };
    count_failure(c, why);
    let id = sf.local_id();
    let info = c.info();
    let retriable = policy.max > 0
        && info.fully_established
        && id != 0
        && find_endpoint(c, |e| e.addr.id == id && e.has(flags::SUBFLOW)).is_some();
    if !retriable {
        return;
    }
    let (now, base) = (c.now(), c.ms_to_jiffies(policy.base_ms));
    match c.private().retry.failed(id, now, base, policy.max) {
        Backoff::Retry(_) => arm_next(c),
        Backoff::GaveUp | Backoff::Full => c.count(Counter::PmRetryGaveUp),
    }
}

/// Arms the timer for the next pending retry.
fn arm_next<C: Conn<Private = Private>>(c: &mut C) {
    let now = c.now();
    if let Some(delay) = c.private().retry.next_delay(now) {
        c.arm_timer(delay);
    }
}

/// The timer: make the endpoints whose retry is due available again, and
/// create subflows from them.
pub fn timeout<C: Conn<Private = Private>>(c: &mut C) {
    let now = c.now();
    let mut retried = false;
    while let Some(id) = c.private().retry.take_due(now) {
        // Only if the endpoint is still there and has no subflow.
        let endpoint = find_endpoint(c, |e| e.addr.id == id && e.has(flags::SUBFLOW));
        let in_use = any_subflow(c, |sf| {
            sf.local_id() == id && !tcp::is_in(sf.state, &[tcp::CLOSE])
        });
        if endpoint.is_none() || in_use {
            continue;
        }
        let mut pm = c.pm();
        mark_subflow_endp_available(&mut pm, id);
        pm.work_pending = true;
        c.set_pm(&pm);
        c.count(Counter::PmSubflowRetry);
        retried = true;
    }
    if retried {
        create_subflow_or_signal(c);
    }
    arm_next(c);
}

/// The connection is closing: no more retries.
pub fn closed<C: Conn<Private = Private>>(c: &mut C) {
    c.private().retry.clear();
}

/// `mptcp_pm_kernel_endp_added()`.
pub fn endp_added<C: Conn<Private = Private>>(c: &mut C, entry: &Endpoint) {
    let info = c.info();
    if !info.key_confirmed {
        return;
    }
    // The endpoint of the initial subflow, re-added with another ID.
    let mut pm = c.pm();
    if addresses_equal(&entry.addr, &info.local, entry.addr.port != 0) {
        pm.mpc_endpoint_id = entry.addr.id;
        c.set_pm(&pm);
    }
    create_subflow_or_signal(c);
}

/// `mptcp_pm_remove_announced()`: stop announcing `addr`, and withdraw it
/// if it was announced, or if `force`.
fn remove_announced<C: Conn>(c: &mut C, addr: &Addr, force: bool) {
    let list = IdList::of(&[endp_local_id(&c.pm(), addr)]);
    let announced = c.announced_remove(addr);
    if announced || force {
        if announced {
            let mut pm = c.pm();
            pm.add_addr_signaled = pm.add_addr_signaled.wrapping_sub(1);
            c.set_pm(&pm);
        }
        c.remove_addr(&list);
    }
}

/// `mptcp_pm_kernel_endp_removed()`.
fn endp_removed_one<C: Conn<Private = Private>>(c: &mut C, entry: &Endpoint) {
    let addr = entry.addr;
    c.private().retry.forget(addr.id);
    let remove_subflow = has_subflow_saddr(c, &addr);
    remove_announced(c, &addr, remove_subflow && !entry.has(flags::IMPLICIT));

    let id = endp_local_id(&c.pm(), &addr);
    if remove_subflow {
        c.rm_subflow(&IdList::of(&[id]));
    }
    let mut pm = c.pm();
    if entry.has(flags::SUBFLOW) {
        mark_subflow_endp_available(&mut pm, id);
    } else {
        // A signal endpoint, or the initial subflow's.
        pm.id_avail.insert(addr.id);
    }
    if pm.mpc_endpoint_id == addr.id {
        pm.mpc_endpoint_id = 0;
    }
    c.set_pm(&pm);
}

/// `mptcp_pm_kernel_id_zero_removed()`: the endpoint of the initial
/// subflows' address, named by address.
fn endp_removed_id0<C: Conn>(c: &mut C, addr: &Addr) {
    if !any_subflow(c, |_| true) {
        return;
    }
    let local = c.info().local;
    if !addresses_equal(&local, addr, addr.port != 0) {
        return;
    }
    // Drop a possibly pending ADD_ADDR for this address.
    let announce = Addr { port: 0, ..local };
    let announced = c.announced_remove(&announce);
    if announced {
        let mut pm = c.pm();
        pm.add_addr_signaled = pm.add_addr_signaled.wrapping_sub(1);
        c.set_pm(&pm);
    }
    let list = IdList::of(&[0]);
    c.remove_addr(&list);
    c.rm_subflow(&list);
    let mut pm = c.pm();
    mark_subflow_endp_available(&mut pm, 0);
    c.set_pm(&pm);
}

/// `mptcp_pm_kernel_endp_removed_any()`: `entry` left the endpoints; ID 0
/// names the initial subflows' address.
pub fn endp_removed<C: Conn<Private = Private>>(c: &mut C, entry: &Endpoint) {
    if entry.addr.id == 0 {
        endp_removed_id0(c, &entry.addr);
    } else {
        endp_removed_one(c, entry);
    }
}

/// `mptcp_pm_flush_addrs_and_subflows()`: every endpoint in `removed` is
/// gone; withdraw and close in batches of [`super::RM_IDS_MAX`].
pub fn endp_flushed<C, I>(c: &mut C, removed: I)
where
    C: Conn<Private = Private>,
    I: Iterator<Item = Endpoint> + Clone,
{
    let mut rest = removed;
    loop {
        let (mut announced, mut subflows) = (IdList::default(), IdList::default());
        let mut more = false;
        while let Some(e) = rest.next() {
            let id = endp_local_id(&c.pm(), &e.addr);
            if has_subflow_saddr(c, &e.addr) {
                subflows.push(id);
            }
            if c.announced_remove(&e.addr) {
                announced.push(id);
            }
            if subflows.is_full() || announced.is_full() {
                more = rest.clone().next().is_some();
                break;
            }
        }
        if !announced.is_empty() {
            let mut pm = c.pm();
            // At most RM_IDS_MAX, which fits.
            pm.add_addr_signaled = pm.add_addr_signaled.wrapping_sub(announced.len() as u8);
            c.set_pm(&pm);
            c.remove_addr(&announced);
        }
        if !subflows.is_empty() {
            c.rm_subflow(&subflows);
        }
        if !more {
            // Reset the accounting: some subflows may have gone before.
            let mut pm = c.pm();
            pm.id_avail = IdSet::FULL;
            pm.local_addr_used = 0;
            c.set_pm(&pm);
            c.private().retry.clear();
            return;
        }
    }
}

/// `mptcp_pm_nl_fullmesh()`: re-create the subflows of an endpoint whose
/// `fullmesh` flag changed.
fn fullmesh_changed<C: Conn<Private = Private>>(c: &mut C, addr: &Addr) {
    let id = endp_local_id(&c.pm(), addr);
    c.rm_subflow(&IdList::of(&[id]));
    let mut pm = c.pm();
    mark_subflow_endp_available(&mut pm, id);
    c.set_pm(&pm);
    create_subflow_or_signal(c);
}

/// `mptcp_pm_kernel_endp_changed()`: the `backup` or `fullmesh` flag of
/// `entry` changed.
pub fn endp_changed<C: Conn<Private = Private>>(c: &mut C, entry: &Endpoint, changed: u32) {
    let is_subflow = entry.has(flags::SUBFLOW);
    if changed == flags::FULLMESH && !is_subflow {
        return;
    }
    if !any_subflow(c, |_| true) {
        return;
    }
    if changed & flags::BACKUP != 0 {
        c.send_prio(&entry.addr, entry.has(flags::BACKUP));
    }
    // Subflows are only re-created for `subflow` endpoints.
    if is_subflow && changed & flags::FULLMESH != 0 {
        fullmesh_changed(c, &entry.addr);
    }
}
