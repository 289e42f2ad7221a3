// SPDX-License-Identifier: GPL-2.0

//! Packet schedulers.
//!
//! A scheduler decides which subflow carries the next chunk of data.  Each
//! one here is a small type that reads the subflows of a locked connection,
//! feeds them to its decision code in [`crate::logic::sched`], and applies
//! the result.

#![forbid(unsafe_code)]

use crate::{
    ffi::msk::{
        now_us,
        Msk,
        Subflow, //
    },
    logic::sched::{
        Decision,
        MskInput,
        Pick,
        SubflowInput,
        Verdict, //
    },
    mib::{
        self,
        Counter, //
    },
};
use kernel::prelude::*;
#[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
use kernel::sync::atomic::{
    Atomic,
    Relaxed, //
};

pub(crate) mod backup;
pub(crate) mod blest;
pub(crate) mod default;
pub(crate) mod ecf;
pub(crate) mod minrtt;
pub(crate) mod redundant;
pub(crate) mod rr;
pub(crate) mod tunables;

pub(crate) use crate::ffi::sched::Scheduler;

/// The connection state the schedulers read.
fn msk_input(msk: &Msk) -> MskInput {
    MskInput {
        wnd_end: msk.wnd_end(),
        snd_nxt: msk.snd_nxt(),
        snd_una: msk.snd_una(),
        write_seq: msk.write_seq(),
        now_us: now_us(),
    }
}

/// A subflow as the schedulers other than `rs_default` see it.  The TCP
/// state is only read for active subflows.
fn subflow_input(sf: &Subflow) -> SubflowInput {
    if !sf.is_active() {
        return SubflowInput {
            id: sf.id(),
            ..SubflowInput::default()
        };
    }
    let tcp = sf.tcp();
    let (packets_out, in_flight) = tcp.packets();
    let (unacked, queued) = tcp.bytes();
    SubflowInput {
        id: sf.id(),
        active: true,
        backup: sf.is_backup(),
        memory_free: sf.memory_free(),
        srtt_us: tcp.srtt_us(),
        mdev_us: tcp.mdev_us(),
        cwnd: tcp.cwnd(),
        min_rtt_us: tcp.min_rtt_us(),
        ssthresh: tcp.ssthresh(),
        in_flight,
        packets_out,
        unacked,
        queued,
        mss: tcp.mss(),
        ack_age_us: tcp.ack_age_us(),
    }
}

/// Feeds every subflow to `visit`; returns the MPTCP retransmit timeout to
/// arm: the largest pending subflow timer among the active subflows, as
/// the default scheduler computes it.
fn walk<'a>(msk: &'a Msk, mut visit: impl FnMut(&'a Subflow, &SubflowInput)) -> i64 {
    let mut timeout = 0;
    for sf in msk.subflows() {
        let input = subflow_input(sf);
        if input.active {
            timeout = timeout.max(sf.timeout());
        }
        visit(sf, &input);
    }
    timeout
}

/// `sched_skip_every` (test hook, see `crate::test_hooks`): when N > 0,
/// every Nth decision [`apply`] sees, module-wide, marks nothing and yet
/// reports success.  A deliberately broken scheduler, for showing that the
/// soak (`selftests/soak.sh`) catches one.
#[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
pub(crate) static SKIP_EVERY: Atomic<u32> = Atomic::new(0);

/// Whether the test hook drops this decision.
#[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
fn skipped() -> bool {
    static CALLS: Atomic<u32> = Atomic::new(0);
    let every = SKIP_EVERY.load(Relaxed);
    every != 0 && CALLS.fetch_add(1, Relaxed) % every == every - 1
}

/// Applies a decision for new data and counts it.
fn apply(msk: &Msk, decision: Decision<&Subflow>, timeout: i64) -> Result {
    msk.set_timeout(timeout);
    #[cfg(CONFIG_MPTCP_RS_TEST_HOOKS)]
    if skipped() {
        return Ok(());
    }
    match decision.pick {
        Pick::Wait => {
            mib::inc(msk.net(), Counter::SchedSendNone);
            return Err(EINVAL);
        }
        Pick::One(sf) => {
            sf.set_scheduled(true);
            if sf.is_backup() {
                mib::inc(msk.net(), Counter::SchedSendBackup);
            }
        }
        Pick::Set(set) => {
            // Exactly the subflows decided on, by their place in the list,
            // which the msk lock keeps as it was during the decision.
            for (i, sf) in msk.subflows().enumerate() {
                if u32::try_from(i).is_ok_and(|i| i < u64::BITS && set & (1 << i) != 0) {
                    sf.set_scheduled(true);
                    mib::inc(msk.net(), Counter::SchedRedundant);
                }
            }
        }
    }
    if decision.burst > 0 {
        msk.set_snd_burst(decision.burst);
    }
    mib::inc(msk.net(), Counter::SchedSend);
    Ok(())
}

/// Counts how a fastest-first decision came about.
fn count(msk: &Msk, verdict: Verdict) {
    match verdict {
        Verdict::Slow => mib::inc(msk.net(), Counter::SchedSlow),
        Verdict::Wait => mib::inc(msk.net(), Counter::SchedWaitFast),
        Verdict::Nothing | Verdict::Fast | Verdict::Backup => {}
    }
}
