#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mptcp-rs benchmark, guest side: every scheduler in the same boot.

  bench.py run --out FILE [--quick] [--only S1a,S8a,W,...]

Runs the scenarios of Documentation/bench.rst in network namespaces joined by
two shaped veth paths, each cell (scenario, scheduler) at least --reps times,
interleaved (every repetition runs the schedulers in a fresh random order),
and writes one JSON object per measurement to FILE.  Shaped scenarios run in
parallel lanes, one pair of namespaces each; the CPU-bound ones (S6, S7) run
alone.  A measurement taken while the guest's CPUs were saturated (less than
5% idle) is discarded and taken again, at most twice; the CPU load of every
measurement is recorded.  Every PROGRESS_EVERY seconds the driver prints the
measurements done and planned, the time elapsed and an estimate of the time
left.

Helper modes, started by the driver in the right namespace:
  bench.py serve --port P       accept MPTCP (and TCP) connections: on P, read
                                to EOF and answer a JSON line (bytes, longest
                                gap); on P + 2, W's objects, each answered
                                with one byte
  bench.py lane --spec JSON     one scenario's measurements, client side
  bench.py cpu --spec JSON      S6's client side
  bench.py scale --spec JSON    S7's client side
"""

import argparse
import json
import math
import os
import random
import re
import resource
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time

SCHEDULERS = ["default", "rs_default", "rs_minrtt", "rs_rr", "rs_redundant",
              "rs_blest", "rs_ecf", "rs_backup"]
# Schedulers whose contract is one path's capacity.
ONE_PATH = ("rs_redundant", "rs_backup")
SOL_MPTCP = 284
MPTCP_INFO = 1
# Not in every Python's socket module; the value is Linux's.
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
PORT = 5201            # bulk transfers; PORT + 1 is S7's
WEB_PORT = PORT + 2    # W's objects
PROGRESS_EVERY = 20    # seconds between two progress lines


# --- scenarios ---------------------------------------------------------------
#
# A path is (rate in Mbit/s, one-way delay in ms, loss in %), applied on both
# ends of its veth pair, so that the round-trip time is twice the delay.

def path(rate, delay, loss=0.0):
    return {"rate": rate, "delay": delay, "loss": loss}


def aggregate_bdp(paths):
    """One bandwidth-delay product of the aggregate at the longest RTT, in
    bytes: sum of the rates times the largest round-trip time."""
    rate = sum(p["rate"] for p in paths) * 1e6 / 8
    return int(rate * max(2 * p["delay"] for p in paths) / 1000)


S3A_PATHS = [path(10, 5), path(10, 50)]
S3B_PATHS = [path(20, 5), path(10, 30)]

SCENARIOS = {
    "S1a": {"what": "symmetric 10/10 Mbit/s, 0/0 ms", "paths": [path(10, 0), path(10, 0)]},
    "S1b": {"what": "symmetric 10/10 Mbit/s, 1/25 ms", "paths": [path(10, 1), path(10, 25)]},
    "S2a": {"what": "asymmetric 10/3 Mbit/s, 0/0 ms", "paths": [path(10, 0), path(3, 0)]},
    "S2b": {"what": "asymmetric 10/3 Mbit/s, 1/25 ms", "paths": [path(10, 1), path(3, 25)]},
    "S2c": {"what": "asymmetric 10/3 Mbit/s, 25/1 ms", "paths": [path(10, 25), path(3, 1)]},
    "S3a": {"what": "RTT 10 ms vs 100 ms, 10/10 Mbit/s", "paths": S3A_PATHS},
    "S3b": {"what": "Wi-Fi/LTE: 20 Mbit/s 10 ms, 10 Mbit/s 60 ms", "paths": S3B_PATHS},
    "S4a": {"what": "lossy: 1% on path 2, 10/10 Mbit/s, 5/5 ms",
            "paths": [path(10, 5), path(10, 5, 1)]},
    "S4b": {"what": "lossy: 5% on path 2, 10/10 Mbit/s, 5/5 ms",
            "paths": [path(10, 5), path(10, 5, 5)]},
    "S5": {"what": "failure: path 1 down mid-transfer, path 2 a backup, 10/10 Mbit/s, 5/5 ms",
           "paths": [path(10, 5), path(10, 5)], "failure": True},
    # Head-of-line limited: the receiver's buffer holds one BDP of the
    # aggregate at the longest RTT, half of what Raiciu et al. (NSDI 2012)
    # recommend, so that a scheduler using the slow path blindly stalls the
    # fast one.
    "S8a": {"what": "head-of-line limited: S3a's paths, receive buffer "
                    f"{aggregate_bdp(S3A_PATHS)} bytes",
            "paths": S3A_PATHS, "rcvbuf": aggregate_bdp(S3A_PATHS)},
    "S8b": {"what": "head-of-line limited: S3b's paths, receive buffer "
                    f"{aggregate_bdp(S3B_PATHS)} bytes",
            "paths": S3B_PATHS, "rcvbuf": aggregate_bdp(S3B_PATHS)},
    "W": {"what": "web-like: 100 objects in sequence on one connection, S3b's paths",
          "paths": S3B_PATHS, "web": True},
}
CPU_SCENARIO = "S6"    # unshaped, bulk: CPU per GiB
SCALE_SCENARIO = "S7"  # many connections: setup rate, memory
WEB_SCENARIO = "W"


def web_sizes(count=100, seed=1):
    """W's object sizes, drawn once: lognormal with a median of 16 KiB and
    the sigma for which 5% of objects exceed 256 KiB (ln 16 over the
    standard normal's 95th percentile), capped at 2 MiB."""
    z95 = 1.6448536269514722
    sigma = math.log(256 / 16) / z95
    rng = random.Random(seed)
    return [max(1, min(int(rng.lognormvariate(math.log(16 * KIB), sigma)), 2 * MIB))
            for _ in range(count)]


WEB_SEED = 1
WEB_SIZES = web_sizes(seed=WEB_SEED)


# --- small helpers -------------------------------------------------------------

def sh(*cmd, check=True, ns=None):
    if ns:
        cmd = ("ip", "netns", "exec", ns) + cmd
    return subprocess.run(cmd, check=check, capture_output=True, text=True).stdout


def cpu_times():
    """Total and idle jiffies over all CPUs (/proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields), idle


def busy_between(before, after):
    total = after[0] - before[0]
    idle = after[1] - before[1]
    return 1.0 - idle / total if total > 0 else 0.0


def task_clocks():
    """The CPU time of every process and kernel thread, in ns: each thread
    group's CPU-time clock (the scheduler's sum_exec_runtime, its dead
    threads included), read with clock_gettime() on the pid's clock id."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        pid = int(name)
        try:
            # MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED) of the kernel.
            out[pid] = time.clock_gettime_ns(((~pid) << 3) | 2)
        except OSError:
            pass
    return out


def task_clocks_busy(before, after):
    """Seconds of CPU all tasks used between two task_clocks()."""
    return sum(t - before.get(pid, 0) for pid, t in after.items()) / 1e9


def netstat(path="/proc/self/net/netstat", snmp="/proc/self/net/snmp"):
    """The MPTcpExt, MPTcpRs and Tcp counters a process's namespace shows."""
    out = {}
    for file in (path, snmp):
        with open(file) as f:
            lines = f.read().splitlines()
        for head, vals in zip(lines[::2], lines[1::2]):
            prefix, names = head.split(":", 1)
            _, values = vals.split(":", 1)
            for n, v in zip(names.split(), values.split()):
                out[prefix + n] = int(v)
    return out


def delta(before, after, *names):
    return sum(after.get(n, 0) - before.get(n, 0) for n in names)


def set_scheduler(name):
    with open("/proc/sys/net/mptcp/scheduler", "w") as f:
        f.write(name)


# --- the server ------------------------------------------------------------------

def listener(port, rcvbuf):
    """An MPTCP listening socket.  With rcvbuf, SO_RCVBUF is set before
    listen(), so that every accepted socket (and, through the MPTCP
    socket-option sync, each of its subflows) inherits it and its
    autotuning is off.  The kernel doubles the value for its overhead;
    SO_RCVBUFFORCE takes over when net.core.rmem_max would cap it."""
    lsk = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_MPTCP)
    lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsk.bind(("0.0.0.0", port))
    if rcvbuf:
        lsk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if lsk.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) < 2 * rcvbuf:
            lsk.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf)
    lsk.listen(1024)
    return lsk


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        data = conn.recv(n - len(buf))
        if not data:
            return None
        buf += data
    return buf


def handle_bulk(conn):
    """Reads a connection to its end, then answers with what it saw."""
    total, gap, last = 0, 0.0, None
    rcvbuf = conn.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    with conn:
        while True:
            data = conn.recv(256 * KIB)
            now = time.monotonic()
            if not data:
                break
            if last is not None:
                gap = max(gap, now - last)
            last = now
            total += len(data)
        reply = json.dumps({"bytes": total, "gap_ms": round(gap * 1000, 1),
                            "rcvbuf": rcvbuf})
        try:
            conn.sendall(reply.encode() + b"\n")
        except OSError:
            pass


def handle_web(conn):
    """W: objects, each a 4-byte length and that many bytes; each answered
    with one byte once all of it is in."""
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = bytearray(256 * KIB)
    with conn:
        while True:
            head = recv_exact(conn, 4)
            if head is None:
                return
            left = int.from_bytes(head, "big")
            while left:
                n = conn.recv_into(buf, min(left, len(buf)))
                if not n:
                    return
                left -= n
            conn.sendall(b"A")


def accept_loop(lsk, handler):
    while True:
        conn, _ = lsk.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


def serve(args):
    bulk = listener(args.port, args.rcvbuf)
    web = listener(args.port + 2, args.rcvbuf)
    threading.Thread(target=accept_loop, args=(web, handle_web), daemon=True).start()
    print(json.dumps({"listening": args.port,
                      "rcvbuf": bulk.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)}),
          flush=True)
    accept_loop(bulk, handle_bulk)


# --- one transfer ----------------------------------------------------------------

PAYLOAD = os.urandom(256 * KIB)


def transfer(addr, size, mptcp=True, timeout=180, during=None):
    """Sends size bytes to addr; returns the completion time (connect to the
    server's answer, which it sends once it has everything) and its
    answer.  during(elapsed) is called between writes, for S5 and S8."""
    proto = socket.IPPROTO_MPTCP if mptcp else socket.IPPROTO_TCP
    start = time.monotonic()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto) as sk:
        sk.settimeout(timeout)
        sk.connect((addr, PORT))
        left = size
        view = memoryview(PAYLOAD)
        while left:
            n = min(left, len(PAYLOAD))
            sk.sendall(view[:n])
            left -= n
            if during:
                during(time.monotonic() - start)
        sk.shutdown(socket.SHUT_WR)
        reply = b""
        while not reply.endswith(b"\n"):
            data = sk.recv(4096)
            if not data:
                break
            reply += data
    elapsed = time.monotonic() - start
    answer = json.loads(reply) if reply.endswith(b"\n") else {}
    if answer.get("bytes") != size:
        raise RuntimeError(f"server got {answer.get('bytes')} of {size} bytes")
    return elapsed, answer


def web_transfer(addr, sizes, timeout=120):
    """W: the objects in sequence on one connection, each sent once the
    previous one is acknowledged.  Returns the total time (connect to the
    last acknowledgement) and each object's time (its first byte written
    to its acknowledgement)."""
    times = []
    start = time.monotonic()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_MPTCP) as sk:
        sk.settimeout(timeout)
        sk.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sk.connect((addr, WEB_PORT))
        for size in sizes:
            t0 = time.monotonic()
            first = min(size, len(PAYLOAD) - 4)
            sk.sendall(size.to_bytes(4, "big") + PAYLOAD[:first])
            left = size - first
            view = memoryview(PAYLOAD)
            while left:
                n = min(left, len(PAYLOAD))
                sk.sendall(view[:n])
                left -= n
            if sk.recv(1) != b"A":
                raise RuntimeError(f"no acknowledgement for object {len(times) + 1}")
            times.append(time.monotonic() - t0)
    return time.monotonic() - start, times


def measure(fn, retries=2):
    """Runs fn() under the CPU check: a run with less than 5% idle CPU is
    discarded and run again, at most `retries` times."""
    tries = []
    for _ in range(retries + 1):
        before = cpu_times()
        result = fn()
        busy = busy_between(before, cpu_times())
        tries.append(round(busy, 3))
        if busy < 0.95:
            return result, busy, tries[:-1]
    return result, busy, tries[:-1]


# --- a lane: one shaped scenario ---------------------------------------------------

def socket_memory(ns):
    """The receive buffers (rb, bytes) that ss shows for the server's
    established sockets on the bench port: each TCP subflow, and each MPTCP
    socket."""
    out = {}
    for kind, flag in (("subflows", "-t"), ("mptcp", "-M")):
        text = sh("ss", "-H", "-n", "-m", flag, "state", "established",
                  "sport", "=", f":{PORT}", ns=ns, check=False)
        out[kind] = [int(v) for v in re.findall(r"\brb(\d+)", text)]
    return out


def lane(args):
    spec = json.loads(args.spec)
    out = open(spec["out"], "a")
    server_net = f"/proc/{spec['server_pid']}/net/netstat"
    server_snmp = f"/proc/{spec['server_pid']}/net/snmp"
    rng = random.Random(spec["seed"])
    kind = spec["kind"]
    checked = {"rcvbuf": not spec.get("rcvbuf")}

    def emit(rec):
        rec.update(scenario=spec["scenario"], lane_pid=os.getpid())
        out.write(json.dumps(rec) + "\n")
        out.flush()

    def check_rcvbuf(variant):
        """Once per lane, 1 s into a large transfer: the buffers the
        server's sockets really have."""
        def during(t):
            if t > 1.0 and not checked["rcvbuf"]:
                checked["rcvbuf"] = True
                emit({"kind": "check", "what": "rcvbuf", "variant": variant,
                      "set": spec["rcvbuf"], "ss": socket_memory(spec["server_ns"])})
        return during

    def baseline(variant):
        addr = "10.0.1.2" if variant == "tcp1" else "10.0.2.2"
        size = spec["baseline_size"]
        (elapsed, answer), busy, discarded = measure(
            lambda: transfer(addr, size, mptcp=False))
        return {"size": size, "seconds": elapsed, "goodput_mbps": size * 8 / elapsed / 1e6,
                "srv_rcvbuf": answer.get("rcvbuf"), "busy": busy, "discarded": discarded}

    def web():
        (total, times), busy, discarded = measure(lambda: web_transfer("10.0.1.2", WEB_SIZES))
        return {"seconds": total, "objects": len(times), "bytes": sum(WEB_SIZES),
                "object_ms": [round(t * 1000, 3) for t in times],
                "busy": busy, "discarded": discarded}

    def bulk(variant, size):
        c0, s0 = netstat(), netstat(server_net, server_snmp)
        if kind == "failure":
            # Path 1 goes down 1.5 s in, and comes back afterwards.
            state = {"down": False}

            def during(t):
                if t > 1.5 and not state["down"]:
                    subprocess.run(["ip", "link", "set", "cli1", "down"])
                    state["down"] = True

            def run():
                try:
                    return transfer("10.0.1.2", size, during=during)
                finally:
                    subprocess.run(["ip", "link", "set", "cli1", "up"])
                    # The routes come back with the link.
                    subprocess.run(["ip", "addr", "replace", "10.0.1.1/24", "dev", "cli1"])
                    time.sleep(0.5)
        else:
            during = check_rcvbuf(variant) if size == spec["sizes"][-1] else None

            def run():
                return transfer("10.0.1.2", size, during=during)
        (elapsed, answer), busy, discarded = measure(run)
        c1, s1 = netstat(), netstat(server_net, server_snmp)
        mb = size / MIB
        return {
            "size": size, "seconds": elapsed,
            "goodput_mbps": size * 8 / elapsed / 1e6, "gap_ms": answer.get("gap_ms"),
            "srv_rcvbuf": answer.get("rcvbuf"),
            "ofo_per_mb": delta(s0, s1, "MPTcpExtOFOQueue") / mb,
            "rtx_per_mb": delta(c0, c1, "TcpRetransSegs", "MPTcpExtMPTCPRetrans") / mb,
            "sched_calls": delta(c0, c1, "MPTcpRsSchedSend", "MPTcpRsSchedRetrans"),
            "busy": busy, "discarded": discarded,
        }

    for rep in range(spec["reps"]):
        variants = SCHEDULERS + (["tcp1", "tcp2"] if kind == "bulk" else [])
        rng.shuffle(variants)
        for variant in variants:
            if variant.startswith("tcp"):
                jobs = [lambda v=variant: baseline(v)]
            else:
                set_scheduler(variant)
                if kind == "web":
                    jobs = [web]
                elif kind == "failure":
                    jobs = [lambda: bulk(variant, spec["failure_size"])]
                else:
                    jobs = [lambda s=s: bulk(variant, s) for s in spec["sizes"]]
            for job in jobs:
                try:
                    rec = job()
                except (OSError, RuntimeError, ValueError) as e:
                    # Kept, and counted by the report: a lost transfer is
                    # a result too.
                    rec = {"error": f"{type(e).__name__}: {e}"}
                rec.update(variant=variant, rep=rep)
                emit(rec)
    set_scheduler("default")
    out.close()


# --- the topology -------------------------------------------------------------------

def shape(ns, dev, p):
    if not p["rate"] and not p["delay"] and not p["loss"]:
        return
    cmd = ["tc", "-n", ns, "qdisc", "add", "dev", dev, "root", "netem"]
    if p["rate"]:
        # As the kernel's simult_flows.sh: a short queue, plus what the
        # delay line holds.
        limit = 50 + p["rate"] * max(p["delay"], 1) // 10
        cmd += ["rate", f"{p['rate']}mbit", "limit", str(limit)]
    if p["delay"]:
        cmd += ["delay", f"{p['delay']}ms"]
    if p["loss"]:
        cmd += ["loss", f"{p['loss']}%"]
    subprocess.run(cmd, check=True)


class Topology:
    """Two namespaces joined by two veth pairs: 10.0.1.0/24 and 10.0.2.0/24.
    The server announces 10.0.2.2 (a backup endpoint for S5); the client
    accepts it, and joins it from 10.0.2.1.  rcvbuf: SO_RCVBUF of the
    server's listening sockets."""

    def __init__(self, tag, paths, backup=False, pm="kernel", rcvbuf=0):
        self.cli, self.srv = f"bc-{tag}", f"bs-{tag}"
        for ns in (self.cli, self.srv):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            for k, v in (("net.mptcp.enabled", 1), ("net.ipv4.conf.all.rp_filter", 0),
                         ("net.ipv4.conf.default.rp_filter", 0),
                         ("net.mptcp.path_manager", pm)):
                sh("sysctl", "-q", f"{k}={v}", ns=ns)
        for i, p in ((1, paths[0]), (2, paths[1])):
            sh("ip", "link", "add", f"cli{i}", "netns", self.cli, "type", "veth",
               "peer", "name", f"srv{i}", "netns", self.srv)
            sh("ip", "-n", self.cli, "addr", "add", f"10.0.{i}.1/24", "dev", f"cli{i}")
            sh("ip", "-n", self.srv, "addr", "add", f"10.0.{i}.2/24", "dev", f"srv{i}")
            sh("ip", "-n", self.cli, "link", "set", f"cli{i}", "up")
            sh("ip", "-n", self.srv, "link", "set", f"srv{i}", "up")
            shape(self.cli, f"cli{i}", p)
            shape(self.srv, f"srv{i}", p)
        sh("ip", "-n", self.srv, "mptcp", "limits", "set", "subflows", "2",
           "add_addr_accepted", "0")
        flags = ["signal", "backup"] if backup else ["signal"]
        sh("ip", "-n", self.srv, "mptcp", "endpoint", "add", "10.0.2.2", "dev", "srv2",
           "id", "2", *flags)
        sh("ip", "-n", self.cli, "mptcp", "limits", "set", "subflows", "2",
           "add_addr_accepted", "2")
        self.server = subprocess.Popen(
            ["ip", "netns", "exec", self.srv, sys.executable, __file__, "serve",
             "--port", str(PORT), "--rcvbuf", str(rcvbuf)], stdout=subprocess.PIPE, text=True)
        self.listening = json.loads(self.server.stdout.readline())
        self.server_pid = self._server_pid()

    def _server_pid(self):
        """The pid of the serve process, which reads its namespace's
        counters through /proc/<pid>/net."""
        ns = os.stat(f"/var/run/netns/{self.srv}")
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read().split(b"\0")
                pns = os.stat(f"/proc/{pid}/ns/net")
            except OSError:
                continue
            if b"serve" in cmd and (pns.st_dev, pns.st_ino) == (ns.st_dev, ns.st_ino):
                return int(pid)
        raise RuntimeError("server pid not found")

    def close(self):
        self.server.kill()
        self.server.wait()
        for ns in (self.cli, self.srv):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


# --- S6: CPU per GiB ------------------------------------------------------------------

def cpu(args):
    """S6's client side: unshaped bulk transfers of at least 1 GiB; the
    guest's CPU time per GiB moved (all CPUs, both ends), the scheduler's
    calls and refusals per GiB (rs_* only) and the MPTCP-level
    retransmissions per GiB (every scheduler)."""
    spec = json.loads(args.spec)
    out = open(spec["out"], "a")
    rng = random.Random(spec["seed"])
    size = spec["size"]
    gib = size / GIB
    for rep in range(spec["reps"]):
        order = SCHEDULERS[:]
        rng.shuffle(order)
        for sched in order:
            set_scheduler(sched)
            m0, s0 = netstat(), cpu_times()
            scan = time.monotonic()
            t0 = task_clocks()
            w0 = time.monotonic()
            scan = w0 - scan
            try:
                elapsed, _ = transfer("10.0.1.2", size)
            except (OSError, RuntimeError, ValueError) as e:
                out.write(json.dumps({"scenario": CPU_SCENARIO, "variant": sched, "rep": rep,
                                      "size": size, "error": f"{type(e).__name__}: {e}"}) + "\n")
                out.flush()
                continue
            w1 = time.monotonic()
            t1 = task_clocks()
            scan = max(scan, time.monotonic() - w1)
            s1, m1 = cpu_times(), netstat()
            cpu_s = task_clocks_busy(t0, t1)
            # The cross-check: /proc/stat's busy jiffies (USER_HZ).
            stat_s = ((s1[0] - s0[0]) - (s1[1] - s0[1])) / os.sysconf("SC_CLK_TCK")
            ours = sched != "default"
            rec = {
                "scenario": CPU_SCENARIO, "variant": sched, "rep": rep, "size": size,
                "seconds": elapsed, "goodput_mbps": size * 8 / elapsed / 1e6,
                "cpu_source": "task-clocks", "cpu_window_s": w1 - w0, "cpu_s": cpu_s,
                # Reading every task's clock takes this long: a task running
                # meanwhile on another CPU can be counted early or late by
                # at most that much, at each end.
                "cpu_scan_s": scan,
                "cpu_s_per_gb": cpu_s / gib,
                "cpu_s_procstat": stat_s, "cpu_s_per_gb_procstat": stat_s / gib,
                "busy": busy_between(s0, s1),
                "sched_calls_per_gb": (delta(m0, m1, "MPTcpRsSchedSend", "MPTcpRsSchedRetrans")
                                       / gib if ours else None),
                "send_none_per_gb": delta(m0, m1, "MPTcpRsSchedSendNone") / gib if ours else None,
                "wait_fast_per_gb": delta(m0, m1, "MPTcpRsSchedWaitFast") / gib if ours else None,
                "mptcp_rtx_per_gb": delta(m0, m1, "MPTcpExtMPTCPRetrans") / gib,
            }
            out.write(json.dumps(rec) + "\n")
            out.flush()
    set_scheduler("default")
    out.close()


def run_cpu(out_path, reps, size, seed):
    topo = Topology("cpu", [path(0, 0), path(0, 0)])
    try:
        spec = {"out": out_path, "reps": reps, "size": size, "seed": seed}
        subprocess.run(["ip", "netns", "exec", topo.cli, sys.executable, __file__, "cpu",
                        "--spec", json.dumps(spec)], check=True)
    finally:
        topo.close()


# --- S7: scale -------------------------------------------------------------------------

def mptcp_subflows(sk):
    """mptcpi_subflows of MPTCP_INFO: the subflows besides the first."""
    try:
        info = sk.getsockopt(SOL_MPTCP, MPTCP_INFO, 64)
        return info[0]
    except OSError:
        return -1


def scale(args):
    """Opens n connections to 10.0.1.2 at once; returns when each has its
    second subflow."""
    spec = json.loads(args.spec)
    n = spec["conns"]
    resource.setrlimit(resource.RLIMIT_NOFILE, (n * 2 + 64, n * 2 + 64))
    sel = selectors.DefaultSelector()
    socks = []
    start = time.monotonic()
    for _ in range(n):
        sk = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_MPTCP)
        sk.setblocking(False)
        sk.connect_ex(("10.0.1.2", PORT + 1))
        sel.register(sk, selectors.EVENT_WRITE)
        socks.append(sk)
    connected = 0
    while connected < n and time.monotonic() - start < 120:
        for key, _ in sel.select(timeout=1):
            sk = key.fileobj
            sel.unregister(sk)
            # The first data completes the MPTCP handshake.
            sk.send(b"x")
            connected += 1
    while time.monotonic() - start < 120:
        if all(mptcp_subflows(sk) >= 1 for sk in socks):
            break
        time.sleep(0.05)
    elapsed = time.monotonic() - start
    joined = sum(1 for sk in socks if mptcp_subflows(sk) >= 1)
    print(json.dumps({"seconds": elapsed, "connected": connected, "joined": joined}), flush=True)
    # Held open until the driver has read the memory figures.
    sys.stdin.readline()
    for sk in socks:
        sk.close()


def hold_server(port, n):
    """Server side of S7: accepts and keeps n connections."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (n * 2 + 64, n * 2 + 64))
    lsk = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_MPTCP)
    lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsk.bind(("0.0.0.0", port))
    lsk.listen(n + 16)
    print("listening", flush=True)
    conns = []
    while True:
        c, _ = lsk.accept()
        conns.append(c)


def slab_kib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Slab:"):
                return int(line.split()[1])
    return 0


S7_VARIANTS = [("kernel", "default"), ("rs_kernel", "rs_default")]


def run_scale(out, reps, conns, seed):
    rng = random.Random(seed)
    for rep in range(reps):
        order = S7_VARIANTS[:]
        rng.shuffle(order)
        for pm, sched in order:
            topo = Topology(f"sc{rep}", [path(0, 0), path(0, 0)], pm=pm)
            try:
                for ns in (topo.cli, topo.srv):
                    sh("sysctl", "-q", f"net.mptcp.scheduler={sched}", ns=ns)
                srv = subprocess.Popen(["ip", "netns", "exec", topo.srv, sys.executable, "-c",
                                        f"import sys; sys.path.insert(0, {os.path.dirname(__file__)!r});"
                                        f"import bench; bench.hold_server({PORT + 1}, {conns})"],
                                       stdout=subprocess.PIPE, text=True)
                srv.stdout.readline()
                time.sleep(0.5)
                slab0 = slab_kib()
                cli = subprocess.Popen(["ip", "netns", "exec", topo.cli, sys.executable, __file__,
                                        "scale", "--spec", json.dumps({"conns": conns})],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                res = json.loads(cli.stdout.readline())
                time.sleep(0.5)
                slab1 = slab_kib()
                cli.stdin.write("\n")
                cli.stdin.flush()
                cli.wait()
                srv.kill()
                srv.wait()
                rec = {"scenario": SCALE_SCENARIO, "variant": f"{pm}+{sched}", "rep": rep,
                       "conns": conns, "seconds": res["seconds"],
                       "setup_per_s": res["connected"] / res["seconds"],
                       "joined": res["joined"], "connected": res["connected"],
                       "kib_per_conn": (slab1 - slab0) / conns}
                out.write(json.dumps(rec) + "\n")
                out.flush()
            finally:
                topo.close()


# --- the plan and the progress -------------------------------------------------------------

def predict(scenario, variant, size):
    """A rough duration of one measurement in seconds, from the nominal
    rates and delays (size: bytes, or S7's connections).  The estimate at
    the start is their sum; during the run it is scaled by the time the
    measurements done so far really took."""
    if scenario == CPU_SCENARIO:
        return 3.0 + size * 8 / 1.2e9
    if scenario == SCALE_SCENARIO:
        return 4.0 + size / 500
    sc = SCENARIOS[scenario]
    p1, p2 = sc["paths"]
    rtt = 2 * max(p1["delay"], p2["delay"]) / 1000
    if variant == "tcp1":
        rate = p1["rate"]
    elif variant == "tcp2":
        rate = p2["rate"]
    elif variant in ONE_PATH or sc.get("failure"):
        rate = p1["rate"]
    else:
        rate = p1["rate"] + p2["rate"]
    rate *= 0.85e6
    if sc.get("web"):
        return 1.0 + sum(WEB_SIZES) * 8 / rate + len(WEB_SIZES) * 3 * 2 * p1["delay"] / 1000
    return 0.5 + 4 * rtt + size * 8 / rate + (2.0 if sc.get("failure") else 0.0)


class Plan:
    """What the run will measure: per scenario, the predicted duration of
    each planned measurement; steps run one after another, the scenarios
    of one step in parallel."""

    def __init__(self):
        self.steps = []      # [(phase, [scenario, ...])]
        self.planned = {}    # scenario -> [predicted seconds, ...]

    def add(self, phase, scenarios, measurements):
        self.steps.append((phase, scenarios))
        for sc in scenarios:
            self.planned[sc] = [predict(sc, v, s) for v, s in measurements[sc]]

    def total(self, sc):
        return sum(self.planned[sc])

    def estimate(self):
        return sum(max(self.total(sc) for sc in scs) for _, scs in self.steps)


class Progress(threading.Thread):
    """Every PROGRESS_EVERY seconds: measurements done / planned (in all and
    per phase), the time elapsed, and the time left: for the running step,
    the predicted time of what is left scaled by elapsed / predicted of what
    is done (per lane: the lanes run in parallel), plus the predictions of
    the steps to come."""

    def __init__(self, out_path, plan, start):
        super().__init__(daemon=True)
        self.path, self.plan, self.start_time = out_path, plan, start
        self.offset = 0
        self.done = {sc: 0 for sc in plan.planned}
        self.done_pred = {sc: 0.0 for sc in plan.planned}
        self.step, self.step_start = 0, start
        self.stopped = threading.Event()
        self.lock = threading.Lock()

    def begin(self, step):
        self.step, self.step_start = step, time.monotonic()

    def _read(self):
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            data = f.read()
        end = data.rfind(b"\n") + 1
        self.offset += end
        for line in data[:end].splitlines():
            try:
                r = json.loads(line)
            except ValueError:
                continue
            sc = r.get("scenario")
            if r.get("kind") or sc not in self.done:
                continue
            self.done[sc] += 1
            size = r.get("conns") if sc == SCALE_SCENARIO else r.get("size")
            self.done_pred[sc] += predict(sc, r.get("variant"), size or 0)

    def left(self):
        now = time.monotonic()
        left = 0.0
        for i, (_, scs) in enumerate(self.plan.steps):
            if i < self.step:
                continue
            if i > self.step:
                left += max(self.plan.total(sc) for sc in scs)
                continue
            elapsed = now - self.step_start
            factors = {sc: elapsed / self.done_pred[sc] for sc in scs if self.done_pred[sc]}
            # A lane with nothing done yet runs as fast as the others.
            other = sum(factors.values()) / len(factors) if factors else 1.0
            left += max((self.plan.total(sc) - self.done_pred[sc]) * factors.get(sc, other)
                        for sc in scs)
        return left

    def line(self):
        with self.lock:
            return self._line()

    def _line(self):
        self._read()
        parts = []
        for phase in dict.fromkeys(p for p, _ in self.plan.steps):
            scs = [sc for p, s in self.plan.steps if p == phase for sc in s]
            parts.append(f"{phase} {sum(self.done[s] for s in scs)}/"
                         f"{sum(len(self.plan.planned[s]) for s in scs)}")
        done = sum(self.done.values())
        planned = sum(len(v) for v in self.plan.planned.values())
        elapsed = time.monotonic() - self.start_time
        return (f"bench: progress {done}/{planned} measurements ({', '.join(parts)}), "
                f"{elapsed / 60:.1f} min elapsed, about {self.left() / 60:.1f} min left")

    def run(self):
        while not self.stopped.wait(PROGRESS_EVERY):
            print(self.line(), flush=True)

    def stop(self):
        self.stopped.set()


# --- the driver ---------------------------------------------------------------------------

def run(args):
    known = list(SCENARIOS) + [CPU_SCENARIO, SCALE_SCENARIO]
    only = {s.strip() for s in args.only.split(",") if s.strip()} if args.only else None
    if only is not None and not only <= set(known):
        print(f"bench: unknown scenario {', '.join(sorted(only - set(known)))}; "
              f"known: {','.join(known)}", flush=True)
        return 2
    if not os.path.exists("/sys/module/mptcp_rs"):
        subprocess.run(["insmod", os.environ["MPTCP_RS_KO"]], check=True)
    quick = args.quick
    reps = args.reps or (3 if quick else 10)
    sizes = [80 * KIB, 1 * MIB, (4 if quick else 16) * MIB]
    seed = args.seed
    s6_size = GIB   # QUICK=1 too: QUICK cuts repetitions, not this size
    s7_conns = 200 if quick else 1000
    open(args.out, "w").close()
    start = time.monotonic()

    names = [s for s in SCENARIOS if not only or s in only]
    specs = {}
    for i, name in enumerate(names):
        sc = SCENARIOS[name]
        kind = "failure" if sc.get("failure") else "web" if sc.get("web") else "bulk"
        specs[name] = {"scenario": name, "out": args.out, "reps": reps, "sizes": sizes,
                       "seed": seed + i, "kind": kind, "rcvbuf": sc.get("rcvbuf", 0),
                       "baseline_size": (1 if quick else 4) * MIB,
                       # S5 measures the failover: after it, a longer
                       # transfer only adds time on the backup path.
                       "failure_size": (3 if quick else 8) * MIB}

    def lane_measurements(spec):
        one = {"bulk": spec["sizes"], "failure": [spec["failure_size"]], "web": [0]}[spec["kind"]]
        m = [(v, s) for v in SCHEDULERS for s in one]
        if spec["kind"] == "bulk":
            m += [(v, spec["baseline_size"]) for v in ("tcp1", "tcp2")]
        return m * spec["reps"]

    plan = Plan()
    batch = args.lanes
    for i in range(0, len(names), batch):
        group = names[i:i + batch]
        plan.add("lanes", group, {n: lane_measurements(specs[n]) for n in group})
    if not only or CPU_SCENARIO in only:
        plan.add(CPU_SCENARIO, [CPU_SCENARIO],
                 {CPU_SCENARIO: [(v, s6_size) for v in SCHEDULERS] * reps})
    if not only or SCALE_SCENARIO in only:
        plan.add(SCALE_SCENARIO, [SCALE_SCENARIO],
                 {SCALE_SCENARIO: [(f"{p}+{s}", s7_conns) for p, s in S7_VARIANTS] * reps})
    planned = sum(len(v) for v in plan.planned.values())
    print(f"bench: {planned} measurements planned ({reps} repetitions per cell, "
          f"{len(names)} shaped lanes in parallel, then "
          f"{', '.join(p for p, _ in plan.steps if p != 'lanes') or 'nothing else'}); "
          f"estimated total about {plan.estimate() / 60:.0f} min "
          f"(from nominal rates; refined as measurements come in)", flush=True)
    meta = {"kind": "meta", "reps": reps, "sizes": sizes, "quick": quick, "seed": seed,
            "kernel": os.uname().release, "cpus": os.cpu_count(),
            "schedulers": SCHEDULERS, "started": time.time(),
            "scenarios": {n: {k: v for k, v in SCENARIOS[n].items()} for n in SCENARIOS},
            "web_sizes": WEB_SIZES, "web_seed": WEB_SEED, "s6_size": s6_size,
            "s7_conns": s7_conns, "user_hz": os.sysconf("SC_CLK_TCK"),
            "planned": {sc: len(v) for sc, v in plan.planned.items()},
            "estimated_s": plan.estimate()}

    progress = Progress(args.out, plan, start)
    progress.start()
    step = 0
    failed = []
    # Lanes in parallel, a few at a time: shaped traffic needs little CPU,
    # and the CPU check discards any measurement taken while it ran short.
    for i in range(0, len(names), batch):
        progress.begin(step)
        step += 1
        running = []
        for name in names[i:i + batch]:
            sc = SCENARIOS[name]
            topo = Topology(name.lower(), sc["paths"], backup=sc.get("failure", False),
                            rcvbuf=sc.get("rcvbuf", 0))
            spec = dict(specs[name], server_pid=topo.server_pid, server_ns=topo.srv)
            if spec["rcvbuf"]:
                print(f"bench: {name}: server SO_RCVBUF set to {spec['rcvbuf']}, "
                      f"the listener reports {topo.listening['rcvbuf']}", flush=True)
            p = subprocess.Popen(["ip", "netns", "exec", topo.cli, sys.executable, __file__,
                                  "lane", "--spec", json.dumps(spec)])
            running.append((name, topo, p))
        for name, topo, p in running:
            p.wait()
            topo.close()
            print(f"bench: {name} done after {(time.monotonic() - start) / 60:.1f} min",
                  flush=True)
            if p.returncode != 0:
                print(f"bench: {name} failed ({p.returncode})", flush=True)
                failed.append(name)

    if not only or CPU_SCENARIO in only:
        progress.begin(step)
        step += 1
        run_cpu(args.out, reps, s6_size, seed)
        print(f"bench: {CPU_SCENARIO} done after {(time.monotonic() - start) / 60:.1f} min",
              flush=True)
    with open(args.out, "a") as out:
        if not only or SCALE_SCENARIO in only:
            progress.begin(step)
            run_scale(out, reps, s7_conns, seed)
            print(f"bench: {SCALE_SCENARIO} done after "
                  f"{(time.monotonic() - start) / 60:.1f} min", flush=True)
        progress.stop()
        print(progress.line(), flush=True)
        errors = sum(1 for line in open(args.out) if '"error"' in line)
        meta["seconds"] = time.monotonic() - start
        meta["failed_lanes"] = failed
        meta["errors"] = errors
        out.write(json.dumps(meta) + "\n")
    if errors:
        print(f"bench: {errors} measurements failed (rows with an error in the results)",
              flush=True)
    return 1 if failed or errors else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("run")
    r.add_argument("--out", required=True)
    r.add_argument("--quick", action="store_true")
    r.add_argument("--reps", type=int, default=0)
    r.add_argument("--only")
    r.add_argument("--lanes", type=int, default=len(SCENARIOS))
    r.add_argument("--seed", type=int, default=7)
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, default=PORT)
    s.add_argument("--rcvbuf", type=int, default=0)
    ln = sub.add_parser("lane")
    ln.add_argument("--spec", required=True)
    sc = sub.add_parser("scale")
    sc.add_argument("--spec", required=True)
    cp = sub.add_parser("cpu")
    cp.add_argument("--spec", required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if args.mode == "run":
        sys.exit(run(args))
    {"serve": serve, "lane": lane, "scale": scale, "cpu": cpu}[args.mode](args)


if __name__ == "__main__":
    main()
