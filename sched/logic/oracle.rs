// SPDX-License-Identifier: GPL-2.0

//! A line-by-line transcription of the C default scheduler of Linux 7.3
//! (`mptcp_subflow_get_send()`, `mptcp_subflow_get_retrans()`), used as the
//! oracle of the differential tests.  It keeps the C shape on purpose: a
//! mutable array of subflows, C integer types, `-1` as the initial linger
//! time.  Do not "improve" it.

/// The fields of `struct mptcp_subflow_context` and its `ssk` that the C
/// code reads or writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CSubflow {
    /// `mptcp_subflow_active()`.
    pub active: bool,
    /// `__mptcp_subflow_active()`.
    pub active_nocheck: bool,
    /// `subflow->backup`.
    pub backup: bool,
    /// `subflow->request_bkup`.
    pub request_bkup: bool,
    /// `mptcp_timeout_from_subflow()`.
    pub timeout: i64,
    /// `subflow->avg_pacing_rate`.
    pub avg_pacing_rate: u64,
    /// `ssk->sk_pacing_rate`.
    pub sk_pacing_rate: u64,
    /// `ssk->sk_wmem_queued`.
    pub sk_wmem_queued: i32,
    /// `sk_stream_memory_free(ssk)`.
    pub memory_free: bool,
    /// `tcp_rtx_and_write_queues_empty(ssk)`.
    pub queues_empty: bool,
    /// `subflow->stale_count`.
    pub stale_count: u8,
}

/// The fields of `struct mptcp_sock` the C code reads or writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CMsk {
    /// `mptcp_wnd_end(msk)`.
    pub wnd_end: u64,
    /// `msk->snd_nxt`.
    pub snd_nxt: u64,
    /// `msk->snd_burst`.
    pub snd_burst: i32,
    /// `msk->timer_ival`, as set by `__mptcp_set_timeout()`.
    pub timer_ival: Option<i64>,
}

const MPTCP_SEND_BURST_SIZE: u64 = (1 << 16) - 20 - 40 - 40 - 8;

struct SubflowSendInfo {
    ssk: Option<usize>,
    linger_time: u64,
}

/// Where the C code would divide by zero (and trap).
#[derive(Debug)]
pub struct DivideByZero;

fn div_u64(dividend: u64, divisor: u32) -> Result<u64, DivideByZero> {
    dividend.checked_div(u64::from(divisor)).ok_or(DivideByZero)
}

/// `mptcp_subflow_get_send()`.
pub fn mptcp_subflow_get_send(
    msk: &mut CMsk,
    conn_list: &mut [CSubflow],
) -> Result<Option<usize>, DivideByZero> {
    let mut send_info = [
        SubflowSendInfo {
            ssk: None,
            linger_time: u64::MAX,
        },
        SubflowSendInfo {
            ssk: None,
            linger_time: u64::MAX,
        },
    ];
    let mut nr_active: i32 = 0;
    let mut tout: i64 = 0;
    let mut pace: u32;

    for (ssk, subflow) in conn_list.iter_mut().enumerate() {
        let backup = usize::from(subflow.backup || subflow.request_bkup);

        if !subflow.active {
            continue;
        }

        tout = tout.max(subflow.timeout);
        nr_active += i32::from(backup == 0);
        pace = subflow.avg_pacing_rate as u32;
        if pace == 0 {
            subflow.avg_pacing_rate = subflow.sk_pacing_rate;
            pace = subflow.avg_pacing_rate as u32;
            if pace == 0 {
                continue;
            }
        }

        let linger_time = div_u64((i64::from(subflow.sk_wmem_queued) as u64) << 32, pace)?;
        if linger_time < send_info[backup].linger_time {
            send_info[backup].ssk = Some(ssk);
            send_info[backup].linger_time = linger_time;
        }
    }
    msk.timer_ival = Some(tout);

    if nr_active == 0 {
        send_info[0].ssk = send_info[1].ssk;
    }

    let Some(ssk) = send_info[0].ssk else {
        return Ok(None);
    };
    if !conn_list[ssk].memory_free {
        return Ok(None);
    }

    let burst = MPTCP_SEND_BURST_SIZE.min(msk.wnd_end.wrapping_sub(msk.snd_nxt)) as u32;
    let wmem = conn_list[ssk].sk_wmem_queued as u32;
    if burst == 0 {
        return Ok(Some(ssk));
    }

    let subflow = &mut conn_list[ssk];
    subflow.avg_pacing_rate = div_u64(
        subflow
            .avg_pacing_rate
            .wrapping_mul(u64::from(wmem))
            .wrapping_add(subflow.sk_pacing_rate.wrapping_mul(u64::from(burst))),
        burst.wrapping_add(wmem),
    )?;
    msk.snd_burst = burst as i32;
    Ok(Some(ssk))
}

/// `mptcp_subflow_get_retrans()`.
pub fn mptcp_subflow_get_retrans(conn_list: &[CSubflow]) -> Option<usize> {
    let mut backup = None;
    let mut pick = None;
    let mut min_stale_count = i32::MAX;

    for (ssk, subflow) in conn_list.iter().enumerate() {
        if !subflow.active_nocheck {
            continue;
        }

        if !subflow.queues_empty {
            min_stale_count = min_stale_count.min(i32::from(subflow.stale_count));
            continue;
        }

        if subflow.backup || subflow.request_bkup {
            if backup.is_none() {
                backup = Some(ssk);
            }
            continue;
        }

        if pick.is_none() {
            pick = Some(ssk);
        }
    }

    if pick.is_some() {
        return pick;
    }

    if min_stale_count > 1 {
        backup
    } else {
        None
    }
}
