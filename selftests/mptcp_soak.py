#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Traffic for the chaos soak (soak.sh): many concurrent MPTCP connections,
each verified end to end by SHA-256.

  mptcp_soak.py server --port P
      Serves until killed.  A client's 17-byte request is an operation
      ('U' upload or 'D' download), a size and a seed (two 64-bit
      big-endian integers).  Upload: read <size> bytes, answer their
      SHA-256.  Download: send <size> bytes generated from the seed, then
      their SHA-256.

  mptcp_soak.py client --addrs A,B,... --port P --conns N --seed S
                       [--min-size B] [--max-size B] [--stall S] [--state F]
                       [--diag-netns NS]
      Keeps N connections running, each an upload or a download of a size
      drawn log-uniformly between the bounds, to one of the addresses, and
      checks every digest.  SIGUSR1 pauses (no new connections; the state
      file says "idle" once the running ones are done), SIGUSR2 resumes,
      SIGTERM finishes: the running connections complete, then it prints a
      summary and exits.

Each connection ends in one of: intact (the digest matched), corrupt (it
did not, or the byte count was wrong), error (the application saw an
error: a reset, a refused or timed-out connect), or hung (no byte moved
for --stall seconds in which the client itself ran: time its event loop
was blocked, which a debug kernel under TCG makes long, does not count).
The summary is one line of key=value pairs; the
exit status is non-zero when any connection was corrupt or hung.

Connections may fall back to plain TCP (a stripped MP_CAPABLE does that):
the data must arrive intact either way.
"""

import argparse
import asyncio
import ctypes
import errno
import hashlib
import math
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import time

CHUNK = 64 * 1024
REQUEST = struct.Struct("!cQQ")
DIGEST = 32


def mptcp_socket():
    return socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_MPTCP)


def stream(seed, size):
    """The bytes of a transfer, in chunks: the same for the same seed."""
    rng = random.Random(seed)
    left = size
    while left:
        n = min(CHUNK, left)
        yield rng.randbytes(n)
        left -= n


class Lag:
    """Time the event loop did not run: a task that sleeps PERIOD seconds
    and counts how late it wakes, when MIN seconds or more (a loaded loop
    is always a little late, by less than that).  A peer that cannot run
    cannot move bytes, so the watchdog does not count that time against a
    connection."""

    PERIOD = 0.5
    MIN = 1.0

    def __init__(self):
        self.blocked = 0.0
        self.longest = 0.0
        self.tick = time.monotonic()

    def late(self):
        """How late the task is, or was when it last woke."""
        return time.monotonic() - self.tick - self.PERIOD

    def now(self):
        """Blocked time so far, including a block not booked yet: the
        task may not have run since the loop came back."""
        late = self.late()
        return self.blocked + (late if late >= self.MIN else 0.0)

    async def watch(self):
        while True:
            self.tick = time.monotonic()
            await asyncio.sleep(self.PERIOD)
            late = self.late()
            if late >= self.MIN:
                self.blocked += late
            self.longest = max(self.longest, late)


LAG = Lag()


class Progress:
    """Watches one connection: the longest time without a byte moving."""

    def __init__(self):
        self.last = time.monotonic()
        self.blocked = LAG.now()
        self.longest = 0.0
        self.port = None
        self.sock = None

    def still(self):
        """Seconds without a byte moving, less those the loop did not run."""
        return time.monotonic() - self.last - (LAG.now() - self.blocked)

    def moved(self):
        self.longest = max(self.longest, self.still())
        self.last = time.monotonic()
        self.blocked = LAG.now()


async def send_all(writer, seed, size, progress):
    digest = hashlib.sha256()
    for chunk in stream(seed, size):
        digest.update(chunk)
        writer.write(chunk)
        await writer.drain()
        progress.moved()
    return digest.digest()


async def recv_exact(reader, size, progress, digest=None):
    """Reads exactly <size> bytes (fewer only at EOF)."""
    got = bytearray() if digest is None else None
    n = 0
    while n < size:
        data = await reader.read(min(CHUNK, size - n))
        if not data:
            break
        n += len(data)
        progress.moved()
        if digest is None:
            got += data
        else:
            digest.update(data)
    return n if digest is not None else bytes(got)


# --- server --------------------------------------------------------------


OPEN = set()


async def serve_one(reader, writer):
    progress = Progress()
    sock = writer.get_extra_info("socket")
    keepalive(sock)
    OPEN.add(sock)
    try:
        req = await reader.readexactly(REQUEST.size)
        op, size, seed = REQUEST.unpack(req)
        if op == b"U":
            digest = hashlib.sha256()
            n = await recv_exact(reader, size, progress, digest)
            if n == size:
                writer.write(digest.digest())
        elif op == b"D":
            writer.write(await send_all(writer, seed, size, progress))
        await writer.drain()
        writer.write_eof()
        await reader.read()
    except (OSError, asyncio.IncompleteReadError):
        pass
    finally:
        OPEN.discard(sock)
        writer.close()


def dump_open():
    """SIGUSR1: the subflows of every connection the server still holds."""
    for sock in list(OPEN):
        try:
            peer = "%s port %d" % sock.getpeername()
        except OSError as e:
            peer = e.strerror
        print(subflow_states(sock).replace("subflows", f"server, {peer}: subflows", 1),
              flush=True)


async def server(args):
    lsock = mptcp_socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("0.0.0.0", args.port))
    lsock.listen(1024)
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, dump_open)
    srv = await asyncio.start_server(serve_one, sock=lsock)
    async with srv:
        await srv.serve_forever()


# --- client --------------------------------------------------------------


class Totals:
    def __init__(self):
        self.started = 0
        self.results = {"intact": 0, "corrupt": 0, "error": 0, "hung": 0}
        self.errors = {}
        self.bytes = 0
        self.mptcp = 0
        self.longest_stall = 0.0
        self.longest_what = "none"
        self.largest = 0

    def line(self, elapsed):
        errs = ",".join(f"{k}:{v}" for k, v in sorted(self.errors.items())) or "none"
        return (f"connections={self.started} intact={self.results['intact']} "
                f"corrupt={self.results['corrupt']} error={self.results['error']} "
                f"hung={self.results['hung']} mptcp={self.mptcp} bytes={self.bytes} "
                f"largest={self.largest} longest_stall={self.longest_stall:.1f} "
                f"seconds={elapsed:.0f} loop_blocked={LAG.blocked:.1f} "
                f"loop_lag_max={LAG.longest:.1f} errors={errs}")


def is_mptcp(sock):
    """MPTCP_INFO fails once a connection fell back to TCP."""
    try:
        sock.getsockopt(284, 1, 64)
        return True
    except OSError:
        return False


async def connect(sock, addr):
    """A non-blocking connect(): asyncio's own resolves the address with
    the socket's protocol, which getaddrinfo() does not know for MPTCP."""
    loop = asyncio.get_running_loop()
    err = sock.connect_ex(addr)
    if err == 0:
        return
    if err != errno.EINPROGRESS:
        raise OSError(err, os.strerror(err))
    done = loop.create_future()
    loop.add_writer(sock.fileno(), done.set_result, None)
    try:
        await done
    finally:
        loop.remove_writer(sock.fileno())
    err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if err:
        raise OSError(err, os.strerror(err))


# A peer that waits for data (the client of a download, the server of an
# upload) must learn that the other end is gone even when its reset was
# lost (a path was down): keepalive probes draw a new reset.  Idle 15 s, then 4 probes 5 s apart: 35 s, inside the
# default --stall of 60 s.
KEEPALIVE = (15, 5, 4)


def keepalive(sock):
    idle, intvl, cnt = KEEPALIVE
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, intvl)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, cnt)


async def transfer(addr, port, op, size, seed, progress):
    """One connection.  Returns (verdict, mptcp, detail)."""
    sock = mptcp_socket()
    sock.setblocking(False)
    keepalive(sock)
    try:
        await asyncio.wait_for(connect(sock, (addr, port)), 30)
    except BaseException:
        sock.close()
        raise
    progress.moved()
    progress.port = sock.getsockname()[1]
    progress.sock = sock
    reader, writer = await asyncio.open_connection(sock=sock)
    try:
        writer.write(REQUEST.pack(op, size, seed))
        if op == b"U":
            sent = await send_all(writer, seed, size, progress)
            writer.write_eof()
            answer = await recv_exact(reader, DIGEST, progress)
            ok = answer == sent
            detail = "" if ok else f"upload digest {answer.hex()[:16]} != {sent.hex()[:16]}"
        else:
            writer.write_eof()
            digest = hashlib.sha256()
            n = await recv_exact(reader, size, progress, digest)
            answer = await recv_exact(reader, DIGEST, progress)
            ok = n == size and answer == digest.digest()
            detail = "" if ok else f"download got {n} of {size} bytes, digest mismatch"
        mptcp = is_mptcp(sock)
        return ("intact" if ok else "corrupt"), mptcp, detail
    except asyncio.CancelledError:
        # Hung: reset it (MP_FASTCLOSE) rather than wait, with unsent
        # data, for a close that cannot complete.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
        raise
    finally:
        writer.close()


def diagnose(peer_netns, port):
    """The MPTCP socket of a hung connection and all its subflows, on both
    ends, as `# diag` lines."""
    ends = (("here", []), ("peer", ["ip", "netns", "exec", peer_netns]))
    dumps = {}
    for where, cmd in ends:
        out = subprocess.run(cmd + ["ss", "-tMiean"], capture_output=True, text=True).stdout
        entries, cur = [], []
        for line in out.splitlines()[1:]:
            if line[:1] not in (" ", "\t") and cur:
                entries.append(" ".join(cur))
                cur = []
            cur.append(line.strip())
        if cur:
            entries.append(" ".join(cur))
        dumps[where] = entries
    tokens = {e.split("token:")[1].split()[0] for e in dumps["here"] + dumps["peer"]
              if e.startswith("mptcp") and f":{port} " in e and "token:" in e}
    for where, entries in dumps.items():
        for e in entries:
            if f":{port} " in e or any(t in e for t in tokens):
                print(f"# diag {where}: {e}", flush=True)


SOL_MPTCP = 284
MPTCP_INFO, MPTCP_TCPINFO = 1, 2
TCP_STATES = ("?", "ESTABLISHED", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",
              "TIME-WAIT", "CLOSE", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING")
# The first fields of struct tcp_info: state, ca_state, retransmits,
# probes, backoff, options, wscales, flags; rto, ato, snd_mss, rcv_mss,
# unacked, sacked, lost, retrans, fackets, last_data_sent, last_ack_sent,
# last_data_recv, last_ack_recv, pmtu, rcv_ssthresh.
TCP_INFO = struct.Struct("=8B15I")
LIBC = ctypes.CDLL(None, use_errno=True)


def tcp_info_text(f):
    state = TCP_STATES[f[0]] if f[0] < len(TCP_STATES) else f[0]
    return (f"{state} backoff {f[4]} rto {f[8] // 1000} ms unacked {f[12]} "
            f"last send {f[17]} ms last recv {f[19]} ms pmtu {f[21]} mss {f[10]}")


def subflow_states(sock):
    """Every subflow the MPTCP socket still holds, closed ones included
    (which ss cannot show): one `# diag` line."""
    try:
        info = sock.getsockopt(SOL_MPTCP, MPTCP_INFO, 96)
    except OSError:
        # A connection that fell back has one subflow, TCP's own.
        try:
            f = TCP_INFO.unpack(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO,
                                                TCP_INFO.size))
        except OSError as e:
            return f"# diag subflows: {e}"
        return "# diag subflows (fell back to TCP): " + tcp_info_text(f)
    try:
        # MPTCP_TCPINFO reads its header (struct mptcp_subflow_data) from
        # the caller's buffer, which socket.getsockopt() cannot pass.
        buf = ctypes.create_string_buffer(
            struct.pack("=4I", 16, 0, 0, TCP_INFO.size), 16 + 8 * TCP_INFO.size)
        size = ctypes.c_uint32(len(buf))
        if LIBC.getsockopt(sock.fileno(), SOL_MPTCP, MPTCP_TCPINFO, buf,
                           ctypes.byref(size)):
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
        out = buf.raw
    except OSError as e:
        return f"# diag subflows: {e}"
    _, num, _, size = struct.unpack_from("=4I", out)
    parts = []
    for i in range(min(num, 8)):
        parts.append(tcp_info_text(TCP_INFO.unpack_from(out, 16 + i * size)))
    total = info[80] if len(info) > 80 else "?"
    return f"# diag subflows ({num}, subflows_total {total}): " + "; ".join(parts)


async def watched(totals, args, addr, op, size, seed):
    progress = Progress()
    task = asyncio.ensure_future(transfer(addr, args.port, op, size, seed, progress))
    while not task.done():
        await asyncio.wait([task], timeout=1)
        if not task.done() and progress.still() > args.stall:
            if args.diag_netns and progress.port:
                await asyncio.to_thread(diagnose, args.diag_netns, progress.port)
                print(subflow_states(progress.sock), flush=True)
            task.cancel()
            verdict, detail = "hung", f"no byte moved for {args.stall} s"
            break
    else:
        try:
            verdict, mptcp, detail = task.result()
            totals.mptcp += mptcp
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
            verdict = "error"
            code = getattr(e, "errno", None)
            detail = errno.errorcode.get(code, type(e).__name__) if code else type(e).__name__
            totals.errors[detail] = totals.errors.get(detail, 0) + 1
            # A path that refuses at once must not turn the client into a
            # busy loop.
            await asyncio.sleep(0.1)
    progress.moved()
    totals.results[verdict] += 1
    if progress.longest > totals.longest_stall:
        totals.longest_stall = progress.longest
        totals.longest_what = (f"{progress.longest:.1f} s, {op.decode()} {size} bytes to {addr} "
                               f"port {progress.port}, {verdict} {detail}".rstrip())
    if verdict == "intact":
        totals.bytes += size
        totals.largest = max(totals.largest, size)
    if verdict in ("corrupt", "hung"):
        print(f"# {verdict}: {op.decode()} {size} bytes to {addr} port {progress.port} "
              f"seed {seed}: {detail}", flush=True)


async def client(args):
    rng = random.Random(args.seed)
    addrs = args.addrs.split(",")
    totals = Totals()
    running = set()
    paused = asyncio.Event()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, paused.set)
    loop.add_signal_handler(signal.SIGUSR2, paused.clear)
    loop.add_signal_handler(signal.SIGTERM, stopping.set)

    def state(text):
        if args.state:
            with open(args.state, "w") as f:
                f.write(text + "\n")

    lo, hi = math.log(args.min_size), math.log(args.max_size)
    asyncio.ensure_future(LAG.watch())
    start = time.monotonic()
    state("running")
    while not stopping.is_set():
        if paused.is_set() or len(running) >= args.conns:
            if running:
                await asyncio.wait(running, timeout=0.2)
            else:
                state("idle")
                await asyncio.sleep(0.2)
            continue
        state("running")
        size = int(math.exp(rng.uniform(lo, hi)))
        # Most connections start on the first path, as an application
        # would connect to a server's one address.
        addr = addrs[0] if rng.random() < 0.7 else rng.choice(addrs)
        op = b"U" if rng.random() < 0.5 else b"D"
        seed = rng.getrandbits(63)
        totals.started += 1
        task = asyncio.ensure_future(watched(totals, args, addr, op, size, seed))
        running.add(task)
        task.add_done_callback(running.discard)
    if running:
        await asyncio.wait(running)
    print(f"# longest stall: {totals.longest_what}", flush=True)
    print(totals.line(time.monotonic() - start), flush=True)
    bad = totals.results["corrupt"] + totals.results["hung"]
    return 1 if bad or not totals.results["intact"] else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("server")
    s.add_argument("--port", type=int, required=True)
    c = sub.add_parser("client")
    c.add_argument("--addrs", required=True)
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--conns", type=int, default=64)
    c.add_argument("--seed", type=int, required=True)
    c.add_argument("--min-size", type=int, default=4096)
    c.add_argument("--max-size", type=int, default=24 << 20)
    c.add_argument("--stall", type=float, default=60)
    c.add_argument("--state")
    c.add_argument("--diag-netns", help="the server's namespace, for diagnosing hangs")
    args = p.parse_args()
    if args.mode == "server":
        try:
            asyncio.run(server(args))
        except KeyboardInterrupt:
            pass
        return 0
    return asyncio.run(client(args))


if __name__ == "__main__":
    sys.exit(main())
