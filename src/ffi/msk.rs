// SPDX-License-Identifier: GPL-2.0

//! MPTCP connections and their subflows, as callbacks see them.
//!
//! C headers: [`include/net/mptcp.h`](srctree/include/net/mptcp.h),
//! [`net/mptcp/protocol.h`](srctree/net/mptcp/protocol.h).

use super::net::Net;
use core::marker::PhantomData;
use kernel::{
    bindings,
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
    types::Opaque,
};

// The schedulers' arithmetic is specified on 64-bit `long`s: the casts
// between `c_long`/`c_ulong` and `i64`/`u64` below are exact.
const _: () = assert!(size_of::<c_ulong>() == size_of::<u64>());

/// The kernel's `MPTCP_SEND_BURST_SIZE`, computed from its own types.
const SEND_BURST_SIZE: usize = (1 << 16)
    - size_of::<bindings::tcphdr>()
    - bindings::MAX_TCP_OPTION_SPACE as usize
    - size_of::<bindings::ipv6hdr>()
    - size_of::<bindings::frag_hdr>();
const _: () = assert!(SEND_BURST_SIZE as u64 == crate::logic::sched::SEND_BURST_SIZE);

/// An MPTCP connection (`struct mptcp_sock`).
///
/// # Invariants
///
/// A `&Msk` exists only inside a callback from the MPTCP core, for the
/// duration of the callback, and the caller holds the msk socket lock
/// (`msk_owned_by_me()`) all along.  Under that lock `conn_list` does not
/// change, and the fields written through this type (`snd_burst`,
/// `timer_ival`, and each subflow's `avg_pacing_rate`) are written by no one
/// else, which is what makes the writes through a shared reference sound.
#[repr(transparent)]
pub(crate) struct Msk(Opaque<bindings::mptcp_sock>);

impl Msk {
    /// Wraps a connection for the duration of a callback.
    ///
    /// # Safety
    ///
    /// `ptr` points to a valid `struct mptcp_sock` whose socket lock the
    /// caller holds for all of `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::mptcp_sock) -> &'a Self {
        // SAFETY: `Msk` is a transparent wrapper of `struct mptcp_sock`, and
        // the caller guarantees the pointer is valid and locked for `'a`.
        // INVARIANT: the caller holds the msk socket lock for `'a`.
        unsafe { &*ptr.cast::<Self>() }
    }

    fn as_raw(&self) -> *mut bindings::mptcp_sock {
        self.0.get()
    }

    /// The connection's network namespace.
    pub(crate) fn net(&self) -> &Net {
        // SAFETY: an msk starts with its `struct sock`, valid while we
        // hold it, and it holds its namespace alive.
        unsafe { Net::of_sock(self.as_raw().cast()) }
    }

    /// The subflows, in `conn_list` order.
    pub(crate) fn subflows(&self) -> Subflows<'_> {
        // SAFETY: `self` is a valid msk, and `conn_list` is initialised for
        // the whole life of the socket.
        let head = unsafe { &raw mut (*self.as_raw()).conn_list };
        // SAFETY: `conn_list` is a valid list head, stable under the msk
        // lock (type invariant).
        let first = unsafe { (*head).next };
        Subflows {
            head,
            pos: first,
            _msk: PhantomData,
        }
    }

    /// Next MPTCP sequence number to send (`msk->snd_nxt`).
    pub(crate) fn snd_nxt(&self) -> u64 {
        // SAFETY: `snd_nxt` is only written under the msk lock, which we hold.
        unsafe { (*self.as_raw()).snd_nxt }
    }

    /// Oldest unacknowledged sequence number (`msk->snd_una`).
    pub(crate) fn snd_una(&self) -> u64 {
        // SAFETY: the field is valid; the ack path updates it under the
        // data lock only, hence the atomic (READ_ONCE) read.
        unsafe { Atomic::from_ptr(&raw mut (*self.as_raw()).snd_una) }.load(Relaxed)
    }

    /// End of the data the application wrote (`msk->write_seq`).
    pub(crate) fn write_seq(&self) -> u64 {
        // SAFETY: `write_seq` is only written under the msk lock, which we
        // hold.
        unsafe { (*self.as_raw()).write_seq }
    }

    /// Right edge of the peer's receive window (`msk->wnd_end`).
    pub(crate) fn wnd_end(&self) -> u64 {
        // SAFETY: the field is valid; the ack path updates it without the
        // msk lock, hence the atomic (READ_ONCE) read.
        unsafe { Atomic::from_ptr(&raw mut (*self.as_raw()).wnd_end) }.load(Relaxed)
    }

    /// Grants the scheduled subflow a burst (`msk->snd_burst`).
    pub(crate) fn set_snd_burst(&self, bytes: u32) {
        // The burst never exceeds MPTCP_SEND_BURST_SIZE, so it fits an int.
        let bytes = bytes.min(SEND_BURST_SIZE as u32) as c_int;
        // SAFETY: `snd_burst` is only accessed under the msk lock, which we
        // hold (type invariant).
        unsafe { (*self.as_raw()).snd_burst = bytes };
    }

    /// Stops sending on `subflow`, found failed, and queues the data the
    /// peer has not acknowledged to be sent again on the subflows the
    /// scheduler picks next (`mptcp_subflow_set_stale()`, kernel patch
    /// 0018): the subflow is inactive until it receives something.  Does
    /// nothing, and returns false, when it has nothing outstanding.  For
    /// retransmission decisions: the core does the same from its
    /// retransmit timer.
    pub(crate) fn set_stale(&self, subflow: &Subflow) -> bool {
        // SAFETY: `subflow` belongs to this msk, whose lock we hold (type
        // invariants); the function takes the subflow's own lock.
        unsafe { bindings::mptcp_subflow_set_stale(self.as_raw(), subflow.as_raw()) }
    }

    /// Sets the MPTCP-level retransmit timeout, `__mptcp_set_timeout()`.
    pub(crate) fn set_timeout(&self, timeout: i64) {
        // SAFETY: an msk starts with its `struct sock`, and the function
        // only writes `timer_ival`, under the msk lock we hold.
        unsafe { bindings::__mptcp_set_timeout(self.as_raw().cast(), timeout as c_long) };
    }
}

/// Iterator over the subflows of an [`Msk`].
pub(crate) struct Subflows<'a> {
    head: *mut bindings::list_head,
    pos: *mut bindings::list_head,
    _msk: PhantomData<&'a Msk>,
}

impl<'a> Iterator for Subflows<'a> {
    type Item = &'a Subflow;

    fn next(&mut self) -> Option<&'a Subflow> {
        if self.pos == self.head {
            return None;
        }
        let node = self.pos;
        // SAFETY: `node` is an entry of `conn_list`, which the msk lock
        // keeps stable for `'a`.
        self.pos = unsafe { (*node).next };
        // SAFETY: entries of `conn_list` are the `node` member of a
        // `struct mptcp_subflow_context` (`mptcp_for_each_subflow()`).
        let ctx = unsafe {
            node.byte_sub(core::mem::offset_of!(bindings::mptcp_subflow_context, node))
                .cast::<bindings::mptcp_subflow_context>()
        };
        // SAFETY: `ctx` is a live subflow of a locked msk.
        Some(unsafe { Subflow::from_raw(ctx) })
    }
}

/// A subflow (`struct mptcp_subflow_context` and its TCP socket).
///
/// # Invariants
///
/// Only reachable through a locked [`Msk`], for as long as that borrow; the
/// subflow and its TCP socket stay valid all that time.
#[repr(transparent)]
pub(crate) struct Subflow(Opaque<bindings::mptcp_subflow_context>);

impl Subflow {
    /// # Safety
    ///
    /// `ptr` is a subflow on the `conn_list` of an msk locked for `'a`.
    pub(super) unsafe fn from_raw<'a>(ptr: *mut bindings::mptcp_subflow_context) -> &'a Self {
        // SAFETY: transparent wrapper; validity is the caller's guarantee.
        unsafe { &*ptr.cast::<Self>() }
    }

    fn as_raw(&self) -> *mut bindings::mptcp_subflow_context {
        self.0.get()
    }

    /// The fields outside the `reset` struct group.
    fn fields(&self) -> *mut bindings::mptcp_subflow_context__bindgen_ty_1__bindgen_ty_1 {
        // SAFETY: `self` is valid; this only computes a field address.
        unsafe { &raw mut (*self.as_raw()).__bindgen_anon_1.__bindgen_anon_1 }
    }

    fn ssk(&self) -> *mut bindings::sock {
        // SAFETY: `tcp_sock` is set when the subflow is created and never
        // changes after (`mptcp_subflow_tcp_sock()` reads it the same way).
        unsafe { (*self.as_raw()).tcp_sock }
    }

    /// The subflow's TCP socket, valid as long as the subflow.
    pub(super) fn sock(&self) -> *mut bindings::sock {
        self.ssk()
    }

    /// `subflow->local_id`: negative until known.
    pub(super) fn local_id(&self) -> i16 {
        // SAFETY: the field is valid; it is set without the msk lock in
        // some paths, hence READ_ONCE.
        unsafe { Atomic::from_ptr(&raw mut (*self.fields()).local_id) }.load(Relaxed)
    }

    /// `subflow->remote_id`.
    pub(super) fn remote_id(&self) -> u8 {
        // SAFETY: as for `local_id`; the kernel's atomics are signed.
        let id = unsafe { Atomic::from_ptr((&raw mut (*self.fields()).remote_id).cast::<i8>()) };
        id.load(Relaxed) as u8
    }

    /// This side created the subflow with MP_JOIN.
    pub(super) fn request_join(&self) -> bool {
        // SAFETY: the bitfield is valid, set at creation.
        unsafe {
            bindings::mptcp_subflow_context__bindgen_ty_1__bindgen_ty_1::request_join_raw(
                self.fields(),
            ) != 0
        }
    }

    /// The peer created the subflow with MP_JOIN.
    pub(super) fn mp_join(&self) -> bool {
        // SAFETY: the bitfield is valid, set at creation.
        unsafe {
            bindings::mptcp_subflow_context__bindgen_ty_1__bindgen_ty_1::mp_join_raw(self.fields())
                != 0
        }
    }

    /// The join completed (`subflow->fully_established`).
    pub(super) fn join_complete(&self) -> bool {
        // SAFETY: the field is valid; set from softirq, hence READ_ONCE.
        unsafe { Atomic::from_ptr(&raw mut (*self.fields()).fully_established) }.load(Relaxed)
    }

    /// The subflow's TCP state, read through one pointer for a whole
    /// decision.
    pub(crate) fn tcp(&self) -> Tcp<'_> {
        Tcp {
            // A subflow's socket is a TCP socket, which starts with its
            // `struct sock`.
            tp: self.ssk().cast(),
            _subflow: PhantomData,
        }
    }

    /// `subflow->subflow_id`: unique within the connection.
    pub(crate) fn id(&self) -> u32 {
        // SAFETY: set when the subflow is created, never changed after.
        unsafe { (*self.fields()).subflow_id }
    }

    /// `mptcp_subflow_active()`: may carry new data.  Like the C function,
    /// this marks a stale subflow active again when it has received
    /// something since it was found stale.
    pub(crate) fn is_active(&self) -> bool {
        // SAFETY: valid subflow of a locked msk.
        unsafe { bindings::mptcp_subflow_active(self.as_raw()) }
    }

    /// `__mptcp_subflow_active()`: joined and in a state that can send,
    /// stale or not.
    pub(crate) fn can_send(&self) -> bool {
        // SAFETY: valid subflow of a locked msk.
        unsafe { bindings::__mptcp_subflow_active(self.as_raw()) }
    }

    /// The subflow is, or asked to become, a backup (`backup ||
    /// request_bkup`).
    pub(crate) fn is_backup(&self) -> bool {
        let fields = self.fields();
        // SAFETY: the bitfields are valid and only change under the msk
        // lock we hold.
        unsafe {
            let t = bindings::mptcp_subflow_context__bindgen_ty_1__bindgen_ty_1::backup_raw(fields);
            let r = bindings::mptcp_subflow_context__bindgen_ty_1__bindgen_ty_1::request_bkup_raw(
                fields,
            );
            t != 0 || r != 0
        }
    }

    /// `mptcp_timeout_from_subflow()`: jiffies until the pending TCP timer.
    pub(crate) fn timeout(&self) -> i64 {
        // SAFETY: valid subflow of a locked msk.
        (unsafe { bindings::mptcp_timeout_from_subflow(self.as_raw()) }) as i64
    }

    /// `subflow->avg_pacing_rate`, bytes per second.
    pub(crate) fn avg_pacing_rate(&self) -> u64 {
        // SAFETY: only accessed under the msk lock, which we hold.
        unsafe { (*self.fields()).avg_pacing_rate as u64 }
    }

    /// Stores `subflow->avg_pacing_rate`.
    pub(crate) fn set_avg_pacing_rate(&self, rate: u64) {
        // SAFETY: only accessed under the msk lock, which we hold.
        unsafe { (*self.fields()).avg_pacing_rate = rate as c_ulong };
    }

    /// `subflow->stale_count`.
    pub(crate) fn stale_count(&self) -> u8 {
        // SAFETY: only written under the msk lock, which we hold.
        unsafe { (*self.fields()).stale_count }
    }

    /// `ssk->sk_pacing_rate`, bytes per second.
    pub(crate) fn pacing_rate(&self) -> u64 {
        // SAFETY: the TCP socket is valid; TCP updates the rate without
        // the msk lock, hence READ_ONCE.
        let rate = unsafe { Atomic::from_ptr(&raw mut (*self.ssk()).sk_pacing_rate) }.load(Relaxed);
        rate as u64
    }

    /// `ssk->sk_wmem_queued`, bytes.
    pub(crate) fn wmem_queued(&self) -> i32 {
        // SAFETY: as for `pacing_rate`.
        unsafe { Atomic::from_ptr(&raw mut (*self.ssk()).sk_wmem_queued) }.load(Relaxed)
    }

    /// `sk_stream_memory_free(ssk)`: the TCP socket has send-buffer space.
    pub(crate) fn memory_free(&self) -> bool {
        // SAFETY: the TCP socket is valid.
        unsafe { bindings::sk_stream_memory_free(self.ssk()) }
    }

    /// `tcp_rtx_and_write_queues_empty(ssk)`: nothing outstanding in TCP.
    pub(crate) fn queues_empty(&self) -> bool {
        // SAFETY: the TCP socket is valid.
        unsafe { bindings::tcp_rtx_and_write_queues_empty(self.ssk()) }
    }

    /// Marks the subflow for the next push, `mptcp_subflow_set_scheduled()`.
    pub(crate) fn set_scheduled(&self, scheduled: bool) {
        // SAFETY: valid subflow of a locked msk.
        unsafe { bindings::mptcp_subflow_set_scheduled(self.as_raw(), scheduled) };
    }
}

/// Microseconds per jiffy (exact for the usual `CONFIG_HZ` values).
const USEC_PER_JIFFY: u32 = 1_000_000 / bindings::CONFIG_HZ;

/// The current time in microseconds, at jiffy resolution; wraps around.
pub(crate) fn now_us() -> u32 {
    (super::time::jiffies() as u32).wrapping_mul(USEC_PER_JIFFY)
}

/// Microseconds in whole jiffies, rounded up, at least one.
pub(crate) fn usecs_to_jiffies(us: u32) -> i64 {
    i64::from(us.div_ceil(USEC_PER_JIFFY).max(1))
}

/// The TCP state of a [`Subflow`] (`struct tcp_sock`), as the schedulers
/// read it.
///
/// TCP updates these fields under the subflow's socket lock, which a
/// scheduler does not hold: each is read once, atomically (`READ_ONCE`),
/// and fields read together may come from different moments.
///
/// # Invariants
///
/// `tp` is the TCP socket of a subflow of an msk locked for `'a`, valid all
/// that time.
pub(crate) struct Tcp<'a> {
    tp: *mut bindings::tcp_sock,
    _subflow: PhantomData<&'a Subflow>,
}

impl Tcp<'_> {
    /// Smoothed RTT in microseconds (`srtt_us` is kept times 8).
    pub(crate) fn srtt_us(&self) -> u32 {
        // SAFETY: `tp` is valid (type invariant); see the type's comment
        // for the unlocked read.
        unsafe { Atomic::from_ptr(&raw mut (*self.tp).srtt_us) }.load(Relaxed) >> 3
    }

    /// Mean deviation of the RTT in microseconds (`mdev_us` is kept times
    /// 4).
    pub(crate) fn mdev_us(&self) -> u32 {
        // SAFETY: as for `srtt_us`.
        unsafe { Atomic::from_ptr(&raw mut (*self.tp).mdev_us) }.load(Relaxed) >> 2
    }

    /// Lowest RTT in TCP's window (`tcp_min_rtt()`), microseconds; `~0`
    /// before the first sample.
    pub(crate) fn min_rtt_us(&self) -> u32 {
        // SAFETY: as for `srtt_us`.
        unsafe { Atomic::from_ptr(&raw mut (*self.tp).rtt_min.s[0].v) }.load(Relaxed)
    }

    /// Congestion window, in packets (`tcp_snd_cwnd()`).
    pub(crate) fn cwnd(&self) -> u32 {
        // SAFETY: as for `srtt_us`.
        unsafe { Atomic::from_ptr(&raw mut (*self.tp).snd_cwnd) }.load(Relaxed)
    }

    /// Slow-start threshold, in packets.
    pub(crate) fn ssthresh(&self) -> u32 {
        // SAFETY: as for `srtt_us`.
        unsafe { Atomic::from_ptr(&raw mut (*self.tp).snd_ssthresh) }.load(Relaxed)
    }

    /// Packets sent and not acknowledged, lost ones included
    /// (`packets_out`), and packets in flight (`tcp_packets_in_flight()`:
    /// minus those SACKed or deemed lost, plus retransmissions).  The four
    /// counters are read one by one: the arithmetic saturates, so that a
    /// read between two updates cannot wrap around.
    pub(crate) fn packets(&self) -> (u32, u32) {
        let tp = self.tp;
        // SAFETY: as for `srtt_us`; each counter is read once.
        let (out, sacked, lost, retrans) = unsafe {
            (
                Atomic::from_ptr(&raw mut (*tp).packets_out).load(Relaxed),
                Atomic::from_ptr(&raw mut (*tp).sacked_out).load(Relaxed),
                Atomic::from_ptr(&raw mut (*tp).lost_out).load(Relaxed),
                Atomic::from_ptr(&raw mut (*tp).retrans_out).load(Relaxed),
            )
        };
        let in_flight = out
            .saturating_sub(sacked.saturating_add(lost))
            .saturating_add(retrans)
            .min(out);
        (out, in_flight)
    }

    /// Bytes sent and not acknowledged (`snd_nxt - snd_una`), and bytes
    /// queued and not sent (`write_seq - snd_nxt`).
    pub(crate) fn bytes(&self) -> (u32, u32) {
        let tp = self.tp;
        // SAFETY: as for `srtt_us`.
        let (snd_una, snd_nxt, write_seq) = unsafe {
            (
                Atomic::from_ptr(&raw mut (*tp).snd_una).load(Relaxed),
                Atomic::from_ptr(&raw mut (*tp).snd_nxt).load(Relaxed),
                Atomic::from_ptr(&raw mut (*tp).write_seq).load(Relaxed),
            )
        };
        // Sequence numbers only move forward; a read between updates that
        // sees them out of order counts as nothing.
        let unacked = snd_nxt.wrapping_sub(snd_una);
        let queued = write_seq.wrapping_sub(snd_nxt);
        (
            if unacked > i32::MAX as u32 {
                0
            } else {
                unacked
            },
            if queued > i32::MAX as u32 { 0 } else { queued },
        )
    }

    /// Current MSS in bytes (`tp->mss_cache`).
    pub(crate) fn mss(&self) -> u32 {
        // SAFETY: as for `srtt_us`.
        unsafe { Atomic::from_ptr(&raw mut (*self.tp).mss_cache) }.load(Relaxed)
    }

    /// Microseconds since the subflow last received an ACK
    /// (`tcp_jiffies32 - tp->rcv_tstamp`), at jiffy resolution.
    pub(crate) fn ack_age_us(&self) -> u32 {
        let now = super::time::jiffies() as u32;
        // SAFETY: as for `srtt_us`.
        let last = unsafe { Atomic::from_ptr(&raw mut (*self.tp).rcv_tstamp) }.load(Relaxed);
        now.wrapping_sub(last).saturating_mul(USEC_PER_JIFFY)
    }
}
