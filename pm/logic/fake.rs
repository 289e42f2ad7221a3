// SPDX-License-Identifier: GPL-2.0

//! A connection in memory, for testing the path managers.
//!
//! [`FakeConn`] implements [`Conn`] over fixed arrays (no allocation, so
//! that the KUnit suites can use it), mimics the core where the decisions
//! depend on it (a created subflow appears in `SYN_SENT`, a failed
//! creation gives its subflow back to the limit, closed subflows leave),
//! and logs every action in order.

use super::super::array_vec::ArrayVec;
use super::{
    tcp,
    Addr,
    Conn,
    ConnBase,
    ConnInfo,
    Counter,
    Endpoint,
    Endpoints,
    IdList,
    PmState,
    SubflowView, //
};
use core::ops::ControlFlow;

/// Most endpoints, subflows and logged actions a fake holds.
pub const CAPACITY: usize = 24;

/// Something a path manager did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Action {
    /// MP_PRIO on the initial subflow.
    SendPrioFirst(bool),
    /// MP_PRIO on the subflow from the address.
    SendPrio(Addr, bool),
    /// Started tracking an announcement.
    AnnouncedAlloc(Addr),
    /// Stopped tracking it.
    AnnouncedRemove(Addr),
    /// ADD_ADDR (`false`) or its echo (`true`).
    Announce(Addr, bool),
    /// RM_ADDR.
    RemoveAddr(IdList),
    /// Closed the subflows with these local IDs.
    RmSubflow(IdList),
    /// Created a subflow.
    Connect(Endpoint, Addr),
    /// Asked for another pass (and what fills the unused slots of a
    /// [`List`]).
    #[default]
    SchedulePass,
    /// Armed the timer, in jiffies.
    ArmTimer(u32),
}

/// A list of at most [`CAPACITY`] values; pushing to a full one drops the
/// value.
pub type List<T> = ArrayVec<T, CAPACITY>;

/// A connection in memory; see the module documentation.
#[derive(Clone, Copy, Debug)]
pub struct FakeConn<P: Copy + Default> {
    /// What [`ConnBase::info`] returns.
    pub info: ConnInfo,
    /// The accounting.
    pub pm: PmState,
    /// The namespace's endpoints.
    pub endpoints: List<Endpoint>,
    /// The subflows; the first is the initial one.
    pub subflows: List<SubflowView>,
    /// The path manager's private state.
    pub private: P,
    /// The clock, in jiffies (one per millisecond).
    pub now: u32,
    /// Connections from now on fail with this errno (0: they succeed).
    pub connect_error: i32,
    /// `announced_alloc` fails (out of memory).
    pub alloc_fails: bool,
    /// Announcements being tracked.
    pub announced: List<Addr>,
    /// What the path manager did.
    pub log: List<Action>,
    /// The module counters.
    pub counters: [u32; super::super::mib::COUNT],
}

impl<P: Copy + Default> FakeConn<P> {
    /// A fully established IPv4 connection from `local` to `remote`, with
    /// its initial subflow, the `limits` and `endpoints` given.
    pub fn new(local: Addr, remote: Addr, limits: super::Limits, endpoints: &[Endpoint]) -> Self {
        let mut counts = super::EndpCounts::default();
        for e in endpoints {
            let bump = |n: &mut u8, flag: u32| *n += u8::from(e.has(flag));
            bump(&mut counts.signal, super::flags::SIGNAL);
            bump(&mut counts.subflow, super::flags::SUBFLOW);
            bump(&mut counts.laminar, super::flags::LAMINAR);
            bump(&mut counts.fullmesh, super::flags::FULLMESH);
        }
        let first = SubflowView {
            local,
            remote,
            local_id: 0,
            remote_id: 0,
            state: tcp::ESTABLISHED,
            ..SubflowView::default()
        };
        let mut fake = Self {
            info: ConnInfo {
                family: local.family,
                local,
                remote,
                fully_established: true,
                key_confirmed: true,
                limits,
                counts,
                ..ConnInfo::default()
            },
            pm: PmState::default(),
            endpoints: List::of(endpoints),
            subflows: List::of(&[first]),
            private: P::default(),
            now: 1000,
            connect_error: 0,
            alloc_fails: false,
            announced: List::default(),
            log: List::default(),
            counters: [0; super::super::mib::COUNT],
        };
        fake.pm = fake.initial_pm();
        fake
    }

    /// `mptcp_pm_data_reset()` for the kernel type.
    pub fn initial_pm(&self) -> PmState {
        let (limits, counts) = (self.info.limits, self.info.counts);
        let subflows_allowed = limits.extra_subflows > 0;
        PmState {
            work_pending: (counts.subflow > 0 && subflows_allowed) || counts.signal > 0,
            accept_addr: limits.add_addr_accepted > 0 && subflows_allowed,
            accept_subflow: subflows_allowed,
            id_avail: super::IdSet::FULL,
            ..PmState::default()
        }
    }

    /// The value of a module counter.
    pub fn counter(&self, counter: Counter) -> u32 {
        self.counters.get(counter as usize).copied().unwrap_or(0)
    }

    /// Marks every subflow established, joins included.
    pub fn establish_all(&mut self) {
        for sf in self.subflows.iter_mut() {
            sf.state = tcp::ESTABLISHED;
            sf.fully_established = true;
        }
    }

    /// Removes the subflow at `index`, as the core does when it closes
    /// (its accounting included); returns it.
    pub fn close(&mut self, index: usize, error: i32) -> Option<SubflowView> {
        let mut sf = *self.subflows.get(index)?;
        sf.error = error;
        sf.state = tcp::CLOSE;
        let mut i = 0;
        self.subflows.retain(|_| {
            i += 1;
            i - 1 != index
        });
        self.core_close_accounting(&sf);
        Some(sf)
    }

    /// `__mptcp_pm_close_subflow()` for a closed join.
    fn core_close_accounting(&mut self, sf: &SubflowView) {
        if (sf.request_join || sf.mp_join) && self.pm.extra_subflows > 0 {
            self.pm.extra_subflows -= 1;
            if self.pm.extra_subflows < self.info.limits.extra_subflows {
                self.pm.accept_subflow = true;
            }
        }
    }
}

impl<P: Copy + Default> Endpoints for FakeConn<P> {
    fn endpoints(&self, mut f: impl FnMut(&Endpoint) -> ControlFlow<()>) {
        for e in self.endpoints.iter() {
            if f(e).is_break() {
                return;
            }
        }
    }
}

impl<P: Copy + Default> ConnBase for FakeConn<P> {
    fn info(&self) -> ConnInfo {
        self.info
    }

    fn pm(&self) -> PmState {
        self.pm
    }

    fn set_pm(&mut self, pm: &PmState) {
        self.pm = *pm;
    }

    fn count(&mut self, counter: Counter) {
        if let Some(c) = self.counters.get_mut(counter as usize) {
            *c += 1;
        }
    }
}

impl<P: Copy + Default> Conn for FakeConn<P> {
    type Private = P;

    fn subflows(&self, mut f: impl FnMut(&SubflowView) -> ControlFlow<()>) {
        for sf in self.subflows.iter() {
            if f(sf).is_break() {
                return;
            }
        }
    }

    fn first_local(&self) -> Option<Addr> {
        Some(self.info.local)
    }

    fn private(&mut self) -> &mut P {
        &mut self.private
    }

    fn now(&self) -> u32 {
        self.now
    }

    fn ms_to_jiffies(&self, ms: u32) -> u32 {
        ms
    }

    fn send_prio_first(&mut self, backup: bool) {
        self.log.push(Action::SendPrioFirst(backup));
    }

    fn send_prio(&mut self, addr: &Addr, backup: bool) {
        self.log.push(Action::SendPrio(*addr, backup));
    }

    fn announced_alloc(&mut self, addr: &Addr) -> bool {
        self.log.push(Action::AnnouncedAlloc(*addr));
        if self.alloc_fails {
            return false;
        }
        self.announced.push(*addr);
        true
    }

    fn announced_remove(&mut self, addr: &Addr) -> bool {
        self.log.push(Action::AnnouncedRemove(*addr));
        let before = self.announced.len();
        self.announced
            .retain(|a| !super::addresses_equal(a, addr, true));
        self.announced.len() != before
    }

    fn announce(&mut self, addr: &Addr, echo: bool) {
        self.log.push(Action::Announce(*addr, echo));
    }

    fn remove_addr(&mut self, ids: &IdList) {
        self.log.push(Action::RemoveAddr(*ids));
    }

    fn rm_subflow(&mut self, ids: &IdList) {
        self.log.push(Action::RmSubflow(*ids));
        let mut closed = List::<SubflowView>::default();
        self.subflows.retain(|sf| {
            let gone = ids.contains(&sf.local_id());
            if gone {
                closed.push(*sf);
            }
            !gone
        });
        for sf in closed.iter() {
            self.core_close_accounting(sf);
        }
    }

    fn connect(&mut self, local: &Endpoint, remote: &Addr) -> Result<(), i32> {
        self.log.push(Action::Connect(*local, *remote));
        if self.connect_error != 0 {
            // The core gives the subflow back to the limit.
            let sf = SubflowView {
                request_join: true,
                ..SubflowView::default()
            };
            self.core_close_accounting(&sf);
            return Err(-self.connect_error);
        }
        let any = local.addr.ip == [0; 16];
        self.subflows.push(SubflowView {
            local: if any {
                self.info.local
            } else {
                local.addr.with_id(0)
            },
            remote: remote.with_id(0),
            local_id: if any { -1 } else { i16::from(local.addr.id) },
            remote_id: remote.id,
            state: tcp::SYN_SENT,
            request_join: true,
            ..SubflowView::default()
        });
        Ok(())
    }

    fn schedule_pass(&mut self) {
        self.log.push(Action::SchedulePass);
    }

    fn arm_timer(&mut self, delay: u32) {
        self.log.push(Action::ArmTimer(delay));
    }
}
