// SPDX-License-Identifier: GPL-2.0

//! Path-manager decisions.
//!
//! A path manager reacts to connection events (established, an address
//! announced or removed by the peer, a subflow closed, an endpoint added or
//! removed with `ip mptcp endpoint`) by creating or closing subflows and by
//! announcing or withdrawing addresses.  The algorithms here are written
//! against the [`Conn`] traits: what they read of a connection comes back
//! as plain values, what they do goes through methods that the kernel side
//! implements with the MPTCP core's helpers, and that [`fake::FakeConn`]
//! implements for the host tests and the KUnit suites.  Nothing here
//! touches kernel memory or locks.
//!
//! Per-connection accounting is the core's `msk->pm` (`PmState` here): the
//! core reads it too (the limits on joins and announced addresses), so a
//! decision reads it fresh with [`ConnBase::pm`], changes its copy, and
//! writes it back with [`ConnBase::set_pm`] before its next action, never
//! across one: an action may drop the PM lock, and the core may update the
//! accounting meanwhile.  Counters that C keeps in `u8`s wrap as in C.

pub mod kernel;
pub mod ndiffports;
pub mod retry;

#[cfg(any(test, fuzzing, CONFIG_KUNIT = "y"))]
pub mod fake;

#[cfg(any(test, CONFIG_KUNIT = "y"))]
pub mod cases;

#[cfg(any(test, fuzzing))]
pub mod invariants;

#[cfg(test)]
mod tests;

use super::array_vec::ArrayVec;
pub use super::mib::Counter;
use core::ops::ControlFlow;

/// `AF_INET`.
pub const AF_INET: u16 = 2;
/// `AF_INET6`.
pub const AF_INET6: u16 = 10;

/// Endpoint flags, as `ip mptcp endpoint` sets them (`MPTCP_PM_ADDR_FLAG_*`
/// in the uapi header; the module checks the values at build time).
pub mod flags {
    /// Announce the address to the peer.
    pub const SIGNAL: u32 = 1 << 0;
    /// Create subflows from the address.
    pub const SUBFLOW: u32 = 1 << 1;
    /// Subflows from the address are backups.
    pub const BACKUP: u32 = 1 << 2;
    /// Create subflows from the address to every address of the peer.
    pub const FULLMESH: u32 = 1 << 3;
    /// Added by the kernel for a local address the peer joined.
    pub const IMPLICIT: u32 = 1 << 4;
    /// Use the address for subflows towards addresses the peer announces.
    pub const LAMINAR: u32 = 1 << 5;
}

/// TCP states, as `sk_state` holds them.
pub mod tcp {
    /// `TCP_ESTABLISHED`.
    pub const ESTABLISHED: u8 = 1;
    /// `TCP_SYN_SENT`.
    pub const SYN_SENT: u8 = 2;
    /// `TCP_SYN_RECV`.
    pub const SYN_RECV: u8 = 3;
    /// `TCP_FIN_WAIT1`.
    pub const FIN_WAIT1: u8 = 4;
    /// `TCP_FIN_WAIT2`.
    pub const FIN_WAIT2: u8 = 5;
    /// `TCP_CLOSE`.
    pub const CLOSE: u8 = 7;
    /// `TCP_CLOSING`.
    pub const CLOSING: u8 = 11;

    /// Whether `state` is one of `states`.
    pub const fn is_in(state: u8, states: &[u8]) -> bool {
        let mut i = 0;
        while i < states.len() {
            if states[i] == state {
                return true;
            }
            i += 1;
        }
        false
    }
}

/// Errors a subflow can end with (`sk_err`), as positive errno values.
pub mod errno {
    /// `ECONNRESET`: the peer reset the subflow.
    pub const ECONNRESET: i32 = 104;
    /// `ETIMEDOUT`: the subflow timed out.
    pub const ETIMEDOUT: i32 = 110;
    /// `ECONNREFUSED`: the peer refused the subflow.
    pub const ECONNREFUSED: i32 = 111;
}

/// Most subflows one decision creates at once (`MPTCP_PM_ADDR_MAX`).
pub const ADDR_MAX: usize = 8;

/// Most address IDs in one RM_ADDR (`MPTCP_RM_IDS_MAX`).
pub const RM_IDS_MAX: usize = 8;

/// An address and its MPTCP address ID (`struct mptcp_addr_info`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Addr {
    /// The address ID.
    pub id: u8,
    /// [`AF_INET`], [`AF_INET6`], or 0 (`AF_UNSPEC`).
    pub family: u16,
    /// The port in network byte order, 0 for none.
    pub port: u16,
    /// The address in network byte order: the first 4 bytes for IPv4.
    pub ip: [u8; 16],
}

impl Addr {
    /// An IPv4 address.
    pub const fn v4(ip: [u8; 4], port: u16) -> Self {
        Self {
            id: 0,
            family: AF_INET,
            port,
            ip: [
                ip[0], ip[1], ip[2], ip[3], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
        }
    }

    /// An IPv6 address.
    pub const fn v6(ip: [u8; 16], port: u16) -> Self {
        Self {
            id: 0,
            family: AF_INET6,
            port,
            ip,
        }
    }

    /// The same address with ID `id`.
    pub const fn with_id(self, id: u8) -> Self {
        Self { id, ..self }
    }

    /// `ipv6_addr_v4mapped()` on the address bytes: `::ffff:a.b.c.d`.
    pub fn is_v4_mapped(&self) -> bool {
        self.ip[..10].iter().all(|b| *b == 0) && self.ip[10] == 0xff && self.ip[11] == 0xff
    }

    /// IPv4 or IPv4-mapped IPv6.
    fn is_v4(&self) -> bool {
        self.family == AF_INET || self.is_v4_mapped()
    }

    fn v4_bytes(&self) -> &[u8] {
        &self.ip[..4]
    }

    fn mapped_v4_bytes(&self) -> &[u8] {
        &self.ip[12..]
    }
}

/// `mptcp_addresses_equal()`: the same address (IPv4 and its IPv4-mapped
/// form are equal), and the same port if `use_port`.
pub fn addresses_equal(a: &Addr, b: &Addr, use_port: bool) -> bool {
    let equal = if a.family == b.family {
        if a.family == AF_INET {
            a.v4_bytes() == b.v4_bytes()
        } else {
            a.ip == b.ip
        }
    } else if a.family == AF_INET {
        b.is_v4_mapped() && a.v4_bytes() == b.mapped_v4_bytes()
    } else if b.family == AF_INET {
        a.is_v4_mapped() && a.mapped_v4_bytes() == b.v4_bytes()
    } else {
        false
    };
    equal && (!use_port || a.port == b.port)
}

/// An endpoint (`struct mptcp_pm_addr_entry`), or the local side of a
/// subflow to create (`struct mptcp_pm_local`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Endpoint {
    /// The address, with the endpoint's ID.
    pub addr: Addr,
    /// [`flags`].
    pub flags: u32,
    /// The device subflows are bound to, 0 for any.
    pub ifindex: i32,
}

impl Endpoint {
    /// Whether any of `flags` is set.
    pub const fn has(&self, flags: u32) -> bool {
        self.flags & flags != 0
    }
}

/// A set of address IDs (a 256-bit bitmap, as `id_avail_bitmap`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IdSet(pub [u64; 4]);

impl IdSet {
    /// No ID.
    pub const EMPTY: Self = Self([0; 4]);
    /// Every ID.
    pub const FULL: Self = Self([u64::MAX; 4]);

    fn word(id: u8) -> (usize, u64) {
        (usize::from(id >> 6), 1 << (id & 63))
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: u8) -> bool {
        let (w, bit) = Self::word(id);
        self.0.get(w).is_some_and(|word| word & bit != 0)
    }

    /// Adds `id`.
    pub fn insert(&mut self, id: u8) {
        let (w, bit) = Self::word(id);
        if let Some(word) = self.0.get_mut(w) {
            *word |= bit;
        }
    }

    /// Removes `id`.
    pub fn remove(&mut self, id: u8) {
        let (w, bit) = Self::word(id);
        if let Some(word) = self.0.get_mut(w) {
            *word &= !bit;
        }
    }

    /// Adds `id`; returns whether it was already there
    /// (`__test_and_set_bit()`).
    pub fn test_and_insert(&mut self, id: u8) -> bool {
        let was = self.contains(id);
        self.insert(id);
        was
    }
}

/// Up to [`RM_IDS_MAX`] address IDs (`struct mptcp_rm_list`).
pub type IdList = ArrayVec<u8, RM_IDS_MAX>;

/// Up to [`ADDR_MAX`] values, the subflows one decision creates.
pub type Batch<T> = ArrayVec<T, ADDR_MAX>;

/// The namespace's limits (`ip mptcp limits`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// `add_addr_accepted`: announced addresses to create subflows to.
    pub add_addr_accepted: u8,
    /// `subflows`: subflows beyond the initial one.
    pub extra_subflows: u8,
}

/// How many endpoints have each flag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EndpCounts {
    /// With [`flags::SIGNAL`].
    pub signal: u8,
    /// With [`flags::SUBFLOW`].
    pub subflow: u8,
    /// With [`flags::LAMINAR`].
    pub laminar: u8,
    /// With [`flags::FULLMESH`].
    pub fullmesh: u8,
}

/// The path manager's accounting of a connection (`msk->pm`, and
/// `msk->mpc_endpoint_id`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PmState {
    /// Addresses announced to the peer.
    pub add_addr_signaled: u8,
    /// Addresses of the peer that subflows were created to.
    pub add_addr_accepted: u8,
    /// Local `subflow` endpoints in use, the initial subflow's excluded.
    pub local_addr_used: u8,
    /// Subflows beyond the initial one, created or accepted.
    pub extra_subflows: u8,
    /// Whether to act on the next ADD_ADDR.
    pub accept_addr: bool,
    /// Whether to accept the peer's next join.
    pub accept_subflow: bool,
    /// Whether there may be more to do on events.
    pub work_pending: bool,
    /// Endpoint IDs not used by this connection yet.
    pub id_avail: IdSet,
    /// The endpoint of the initial subflow's address, 0 if none.
    pub mpc_endpoint_id: u8,
    /// The initial subflow's endpoint was accounted
    /// (`MPTCP_PM_MPC_ENDPOINT_ACCOUNTED`).
    pub mpc_accounted: bool,
}

/// What the path manager reads of a connection, besides its accounting.
/// All of it may be read without the connection's socket lock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConnInfo {
    /// The socket's family, [`AF_INET`] or [`AF_INET6`].
    pub family: u16,
    /// An IPv6 socket that only takes IPv6 (`IPV6_V6ONLY`).
    pub ipv6_only: bool,
    /// The connection's local address and port (`mptcp_local_address()`).
    pub local: Addr,
    /// The connection's remote address and port (`mptcp_remote_address()`).
    pub remote: Addr,
    /// `mptcp_is_fully_established()`: established, and the peer's key
    /// confirmed.
    pub fully_established: bool,
    /// `msk->fully_established` alone.
    pub key_confirmed: bool,
    /// The peer does not accept joins to its initial address
    /// (`remote_deny_join_id0`, the C flag of MP_CAPABLE).
    pub deny_join_id0: bool,
    /// An ADD_ADDR of ours waits to be sent.
    pub signal_pending: bool,
    /// This is the passive side.
    pub server_side: bool,
    /// The address the peer announced last (`msk->pm.remote`).
    pub announced: Addr,
    /// The namespace's limits.
    pub limits: Limits,
    /// The namespace's endpoint counts.
    pub counts: EndpCounts,
}

/// A subflow of the connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SubflowView {
    /// Local address and port (its ID is not set).
    pub local: Addr,
    /// Remote address and port (its ID is not set).
    pub remote: Addr,
    /// `subflow->local_id`, negative while not known yet.
    pub local_id: i16,
    /// `subflow->remote_id`.
    pub remote_id: u8,
    /// The TCP state ([`tcp`]).
    pub state: u8,
    /// This side created it with MP_JOIN.
    pub request_join: bool,
    /// The peer joined it.
    pub mp_join: bool,
    /// The join completed.
    pub fully_established: bool,
    /// `sk_err`, 0 for none.
    pub error: i32,
}

impl SubflowView {
    /// `subflow_get_local_id()`: the local ID, 0 while unknown.
    pub fn local_id(&self) -> u8 {
        u8::try_from(self.local_id).unwrap_or(0)
    }
}

/// The namespace's endpoints.
pub trait Endpoints {
    /// Visits the endpoints in order, until `f` breaks.
    fn endpoints(&self, f: impl FnMut(&Endpoint) -> ControlFlow<()>);
}

/// What every path-manager callback can read and change of a connection,
/// including those that run without the connection's socket lock (in
/// softirq, with the PM lock held).
pub trait ConnBase: Endpoints {
    /// The connection, as the decisions read it.
    fn info(&self) -> ConnInfo;
    /// The accounting, read fresh.
    fn pm(&self) -> PmState;
    /// Writes the accounting back.
    fn set_pm(&mut self, pm: &PmState);
    /// Adds one to a module counter.
    fn count(&mut self, counter: Counter);
}

/// Everything a callback holding the connection's socket lock can do.
pub trait Conn: ConnBase {
    /// The path manager's own per-connection state.
    type Private;

    /// Visits the subflows in order, until `f` breaks.
    fn subflows(&self, f: impl FnMut(&SubflowView) -> ControlFlow<()>);
    /// The local address and port of the initial subflow, while it exists.
    fn first_local(&self) -> Option<Addr>;
    /// The path manager's per-connection state.
    fn private(&mut self) -> &mut Self::Private;
    /// Now, in jiffies.
    fn now(&self) -> u32;
    /// Jiffies in `ms` milliseconds.
    fn ms_to_jiffies(&self, ms: u32) -> u32;

    /// Sends MP_PRIO on the initial subflow (`mptcp_pm_send_ack()`).
    fn send_prio_first(&mut self, backup: bool);
    /// Sends MP_PRIO on the subflow from `addr`
    /// (`mptcp_pm_mp_prio_send_ack()`).
    fn send_prio(&mut self, addr: &Addr, backup: bool);
    /// Starts tracking an announcement, retransmitted until echoed
    /// (`mptcp_pm_announced_alloc()`); false when out of memory.
    fn announced_alloc(&mut self, addr: &Addr) -> bool;
    /// Stops tracking it (`mptcp_pm_announced_remove()`); whether it was.
    fn announced_remove(&mut self, addr: &Addr) -> bool;
    /// Sends ADD_ADDR, or echoes the peer's (`mptcp_pm_announce_addr()`,
    /// `mptcp_pm_addr_send_ack()`).
    fn announce(&mut self, addr: &Addr, echo: bool);
    /// Sends RM_ADDR (`mptcp_pm_remove_addr()`).
    fn remove_addr(&mut self, ids: &IdList);
    /// Closes the subflows with these local IDs (`mptcp_pm_rm_subflow()`).
    fn rm_subflow(&mut self, ids: &IdList);
    /// Creates a subflow (`__mptcp_subflow_connect()`); the error is a
    /// negative errno.
    fn connect(&mut self, local: &Endpoint, remote: &Addr) -> Result<(), i32>;
    /// Asks for another pass of `subflow_established` from the worker.
    fn schedule_pass(&mut self);
    /// Runs the `timeout` callback in `delay` jiffies.
    fn arm_timer(&mut self, delay: u32);
}

/// The first endpoint for which `pred` holds.
pub fn find_endpoint<C: Endpoints>(
    c: &C,
    mut pred: impl FnMut(&Endpoint) -> bool,
) -> Option<Endpoint> {
    let mut found = None;
    c.endpoints(|e| {
        if pred(e) {
            found = Some(*e);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    found
}

/// Whether any subflow satisfies `pred`.
pub fn any_subflow<C: Conn>(c: &C, mut pred: impl FnMut(&SubflowView) -> bool) -> bool {
    let mut found = false;
    c.subflows(|sf| {
        if pred(sf) {
            found = true;
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    found
}

/// `__lookup_addr()`: the endpoint of `addr`, comparing ports when the
/// endpoint has one.
pub fn lookup_addr<C: Endpoints>(c: &C, addr: &Addr) -> Option<Endpoint> {
    find_endpoint(c, |e| addresses_equal(&e.addr, addr, e.addr.port != 0))
}

/// `mptcp_pm_addr_families_match()`: whether a subflow from `local` to
/// `remote` fits the connection's socket: an IPv4 socket only takes IPv4,
/// an IPv6-only one only IPv6, a dual-stack one either, not mixed.
pub fn families_match(info: &ConnInfo, local: &Addr, remote: &Addr) -> bool {
    let (l, r) = (local.is_v4(), remote.is_v4());
    if info.family == AF_INET {
        l && r
    } else if info.ipv6_only {
        !l && !r
    } else {
        l == r
    }
}

/// `mptcp_pm_add_addr_c_flag_case()`: the peer denies joins to its initial
/// address, no `add_addr_accepted` limit was set, and the defaults apply:
/// accept one announced address and use `subflow` endpoints for it.
pub fn c_flag_case(pm: &PmState, info: &ConnInfo) -> bool {
    info.deny_join_id0
        && pm.local_addr_used == 0
        && info.limits.add_addr_accepted == 0
        && pm.extra_subflows < info.limits.extra_subflows
}

/// `mptcp_pm_is_init_remote_addr()`: `remote` is the peer's initial
/// address (and port, when it has one).
pub fn is_init_remote(info: &ConnInfo, remote: &Addr) -> bool {
    addresses_equal(&info.remote, remote, remote.port != 0)
}

/// The limit accounting of a join the peer asks for, shared by our path
/// managers (`allow_new_subflow`): accepted while under the `subflows`
/// limit.
pub fn allow_new_subflow<C: ConnBase>(c: &mut C) -> bool {
    let limit = c.info().limits.extra_subflows;
    let mut pm = c.pm();
    if pm.extra_subflows >= limit {
        c.count(Counter::PmNoSubflowLimit);
        return false;
    }
    pm.extra_subflows = pm.extra_subflows.wrapping_add(1);
    if pm.extra_subflows == limit {
        pm.accept_subflow = false;
    }
    c.set_pm(&pm);
    true
}

/// `get_priority`: whether `addr` is the address of a backup endpoint.
pub fn is_backup<C: Endpoints>(c: &C, addr: &Addr) -> bool {
    lookup_addr(c, addr).is_some_and(|e| e.has(flags::BACKUP))
}

/// Why a subflow we created went away, if it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The peer refused or reset it before the join completed.
    Refused,
    /// Another error before the join completed (a timeout, unreachable).
    Error,
    /// It failed after the join completed.
    Lost,
}

/// How `sf`, being closed, ended: `None` for a subflow we did not create
/// or that closed without an error (removed by either side, or the
/// connection closing).
pub fn failure(sf: &SubflowView) -> Option<Failure> {
    if !sf.request_join || sf.error == 0 {
        return None;
    }
    Some(if sf.fully_established {
        Failure::Lost
    } else if sf.error == errno::ECONNREFUSED || sf.error == errno::ECONNRESET {
        Failure::Refused
    } else {
        Failure::Error
    })
}

/// Counts why a subflow we created went away, when it failed before its
/// join completed.
pub fn count_failure<C: ConnBase>(c: &mut C, why: Failure) {
    match why {
        Failure::Refused => c.count(Counter::PmNoSubflowRefused),
        Failure::Error => c.count(Counter::PmNoSubflowError),
        Failure::Lost => {}
    }
}

/// Creates a subflow and counts the outcome.
pub fn connect_counted<C: Conn>(c: &mut C, local: &Endpoint, remote: &Addr) -> bool {
    match c.connect(local, remote) {
        Ok(()) => {
            c.count(Counter::PmSubflowCreated);
            true
        }
        Err(_) => {
            c.count(Counter::PmNoSubflowError);
            false
        }
    }
}
