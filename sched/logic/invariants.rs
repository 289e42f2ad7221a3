// SPDX-License-Identifier: GPL-2.0

//! What every scheduler decision must respect, checked on any input: by
//! the property tests on generated states and by the fuzzers on arbitrary
//! ones.  Each check returns what went wrong.

use super::{
    backup::{
        Backup,
        BackupParams,
        BackupState, //
    },
    blest::{
        Blest,
        BlestParams,
        BlestState, //
    },
    default::{
        DefaultRetrans,
        DefaultSend,
        RetransInput,
        SendInput, //
    },
    ecf::{
        Ecf,
        EcfParams,
        EcfState, //
    },
    minrtt::MinRtt,
    oracle::{
        self,
        CMsk,
        CSubflow, //
    },
    redundant::{
        self,
        Redundant, //
    },
    rr::{
        RoundRobin,
        RrState, //
    },
    Decision,
    MskInput,
    Pick,
    SubflowInput,
    Verdict,
    SEND_BURST_SIZE, //
};

/// Most subflows a check looks at.
pub const MAX: usize = 8;

fn ensure(ok: bool, what: &'static str) -> Result<(), &'static str> {
    if ok {
        Ok(())
    } else {
        Err(what)
    }
}

/// How `rs_default` sees a subflow of the C model.
pub fn send_input(sf: &CSubflow) -> SendInput {
    if !sf.active {
        return SendInput::INACTIVE;
    }
    SendInput {
        active: true,
        backup: sf.backup || sf.request_bkup,
        timeout: sf.timeout,
        avg_pacing_rate: sf.avg_pacing_rate,
        pacing_rate: sf.sk_pacing_rate,
        wmem_queued: sf.sk_wmem_queued,
        memory_free: sf.memory_free,
    }
}

/// Applies the port's decision to the C model, the way the kernel glue
/// does, so that the end states can be compared.
pub fn port_send(msk: &mut CMsk, subflows: &mut [CSubflow]) -> Option<usize> {
    let mut sched = DefaultSend::new();
    for (i, sf) in subflows.iter_mut().enumerate() {
        if let Some(rate) = sched.visit(i, &send_input(sf)) {
            sf.avg_pacing_rate = rate;
        }
    }
    let decision = sched.finish(&MskInput {
        wnd_end: msk.wnd_end,
        snd_nxt: msk.snd_nxt,
        ..MskInput::ZERO
    });
    msk.timer_ival = Some(decision.timeout);
    let pick = decision.pick?;
    if let (Some(burst), Some(sf)) = (decision.burst, subflows.get_mut(pick)) {
        sf.avg_pacing_rate = burst.avg_pacing_rate;
        msk.snd_burst = burst.bytes as i32;
    }
    Some(pick)
}

/// The outcome of a differential check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compared {
    /// The port and the C code agree; whether a subflow was picked.
    Agree(bool),
    /// The C code would divide by zero (a queue within a burst of 4 GiB):
    /// not comparable.
    CDividesByZero,
}

/// `rs_default`'s "get send" against the C transcription: same pick, same
/// connection and subflow state afterwards.  At most [`MAX`] subflows.
pub fn default_send_vs_c(msk: CMsk, subflows: &[CSubflow]) -> Result<Compared, &'static str> {
    let n = subflows.len().min(MAX);
    let mut c_sf = [CSubflow::default(); MAX];
    let mut r_sf = [CSubflow::default(); MAX];
    for (i, sf) in subflows.iter().take(n).enumerate() {
        c_sf[i] = *sf;
        r_sf[i] = *sf;
    }
    let (mut c_msk, mut r_msk) = (msk, msk);
    let Ok(c) = oracle::mptcp_subflow_get_send(&mut c_msk, &mut c_sf[..n]) else {
        return Ok(Compared::CDividesByZero);
    };
    let r = port_send(&mut r_msk, &mut r_sf[..n]);
    ensure(r == c, "rs_default picks another subflow than the C code")?;
    ensure(
        r_msk == c_msk,
        "rs_default leaves another msk state than the C code",
    )?;
    ensure(
        r_sf == c_sf,
        "rs_default leaves another subflow state than the C code",
    )?;
    Ok(Compared::Agree(c.is_some()))
}

/// `rs_default`'s "get retrans" against the C transcription.
pub fn default_retrans_vs_c(subflows: &[CSubflow]) -> Result<bool, &'static str> {
    let mut sched = DefaultRetrans::new();
    for (i, sf) in subflows.iter().enumerate() {
        sched.visit(
            i,
            &RetransInput {
                active: sf.active_nocheck,
                backup: sf.backup || sf.request_bkup,
                queues_empty: sf.queues_empty,
                stale_count: sf.stale_count,
            },
        );
    }
    let r = sched.finish();
    ensure(
        r == oracle::mptcp_subflow_get_retrans(subflows),
        "rs_default retransmits elsewhere than C",
    )?;
    Ok(r.is_some())
}

/// The rules of every single-pick scheduler: the pick is active and may
/// send now (when `needs_space`), is a backup only when no primary is
/// active, and gets a burst within the limits; waiting grants no burst.
pub fn single_pick(
    subflows: &[SubflowInput],
    msk: &MskInput,
    d: &Decision<usize>,
    needs_space: bool,
) -> Result<(), &'static str> {
    let primary_active = subflows.iter().any(|s| s.active && !s.backup);
    match d.pick {
        Pick::Wait => ensure(d.burst == 0, "a wait with a burst"),
        Pick::One(i) => {
            let s = subflows.get(i).ok_or("a pick out of range")?;
            ensure(s.active, "an inactive subflow picked")?;
            ensure(
                !needs_space || s.has_space(),
                "a subflow without room picked",
            )?;
            ensure(
                !(s.backup && primary_active),
                "a backup picked while a primary is active",
            )?;
            ensure(
                u64::from(d.burst) <= SEND_BURST_SIZE.min(msk.window_left()),
                "a burst beyond the limits",
            )
        }
        Pick::Set(_) => Err("a single-pick scheduler scheduled a set of subflows"),
    }
}

/// Per-connection state the checks carry from one decision to the next.
#[derive(Clone, Copy, Debug, Default)]
pub struct States {
    /// `rs_rr`'s.
    pub rr: RrState,
    /// `rs_blest`'s.
    pub blest: BlestState,
    /// `rs_ecf`'s.
    pub ecf: EcfState,
    /// `rs_backup`'s.
    pub backup: BackupState,
}

/// Runs `rs_minrtt`, `rs_rr`, `rs_redundant`, `rs_blest`, `rs_ecf` and
/// `rs_backup` once on the same input and checks their rules.
pub fn family(
    subflows: &[SubflowInput],
    msk: &MskInput,
    states: &mut States,
) -> Result<(), &'static str> {
    let primary_active = subflows.iter().any(|s| s.active && !s.backup);
    let fastest = subflows
        .iter()
        .enumerate()
        .filter(|(_, s)| s.active && !s.backup)
        .min_by_key(|(i, s)| (s.srtt_us, *i));

    let mut minrtt = MinRtt::new();
    let mut rr = RoundRobin::new(&mut states.rr, 1);
    let mut red = Redundant::new();
    let blest_params = BlestParams {
        lambda_min: 900,
        lambda_max: 1500,
    };
    let mut blest = Blest::new(&mut states.blest, blest_params);
    let mut ecf = Ecf::new(&mut states.ecf, EcfParams { beta: 250 });
    let params = BackupParams {
        min_stale_us: 100_000,
    };
    let mut backup = Backup::new(&mut states.backup, params, msk.now_us);
    let mut healthy = [false; MAX];
    for (i, s) in subflows.iter().take(MAX).enumerate() {
        minrtt.visit(i, s);
        rr.visit(i, s);
        red.visit(s);
        blest.visit(i, s);
        ecf.visit(i, s);
        healthy[i] = backup.healthy(s);
        backup.visit(i, s);
    }
    let subflows = subflows.get(..subflows.len().min(MAX)).unwrap_or(&[]);

    let (d, _) = minrtt.finish(msk);
    single_pick(subflows, msk, &d, true)?;
    if let Pick::One(i) = d.pick {
        let p = subflows.get(i).ok_or("a pick out of range")?;
        let faster = subflows
            .iter()
            .any(|s| s.usable() && s.backup == p.backup && s.srtt_us < p.srtt_us);
        ensure(!faster, "rs_minrtt passed over a faster subflow with room")?;
    } else {
        let class_usable = subflows
            .iter()
            .any(|s| s.usable() && s.backup != primary_active);
        ensure(!class_usable, "rs_minrtt waited while a subflow had room")?;
    }

    single_pick(subflows, msk, &rr.finish(msk), true)?;

    let d: Decision<usize> = red.finish(msk);
    let class = !primary_active;
    let takers = subflows
        .iter()
        .enumerate()
        .filter(|(_, s)| redundant::takes(s, class))
        .fold(0u64, |set, (i, _)| set | 1 << i);
    match d.pick {
        Pick::Set(set) => ensure(
            set == takers,
            "rs_redundant scheduled other subflows than the takers",
        )?,
        Pick::Wait => ensure(takers == 0, "rs_redundant waited with subflows to take")?,
        Pick::One(_) => return Err("rs_redundant picked a single subflow"),
    }

    for (d, v) in [blest.finish(msk), ecf.finish(msk)] {
        single_pick(subflows, msk, &d, true)?;
        if let Some((i, s)) = fastest {
            if s.has_space() {
                ensure(
                    d.pick == Pick::One(i) && v == Verdict::Fast,
                    "the fastest with room was not used",
                )?;
            }
        }
        ensure(
            v != Verdict::Wait || d.pick == Pick::Wait,
            "a wait verdict with a pick",
        )?;
    }
    ensure(
        states.blest.lambda == 0 || (900..=1500).contains(&states.blest.lambda),
        "BLEST's lambda left its bounds",
    )?;

    let healthy_primary = subflows.iter().zip(healthy).any(|(s, h)| h && !s.backup);
    let any_healthy = healthy.iter().take(subflows.len()).any(|h| *h);
    let out = backup.finish(msk);
    ensure(
        out.stale.is_none(),
        "rs_backup handed back a subflow for new data",
    )?;
    let d = out.decision;
    if let Pick::One(i) = d.pick {
        let s = subflows.get(i).ok_or("a pick out of range")?;
        ensure(
            s.active && s.has_space(),
            "rs_backup picked a subflow that cannot send",
        )?;
        ensure(
            !(s.backup && healthy_primary),
            "rs_backup used a backup while a primary works",
        )?;
        ensure(
            healthy.get(i).copied().unwrap_or(false) || !any_healthy,
            "rs_backup used a failed subflow",
        )?;
        ensure(
            states.backup.current_id == s.id,
            "rs_backup did not record its carrier",
        )?;
    }
    Ok(())
}
