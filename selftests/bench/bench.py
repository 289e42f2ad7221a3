#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mptcp-rs benchmark, guest side: every scheduler in the same boot.

  bench.py run --out FILE [--quick] [--only S1a,S3b,...]

Runs the scenarios of Documentation/bench.rst in network namespaces joined by
two shaped veth paths, each cell (scenario, scheduler) at least --reps times,
interleaved (every repetition runs the schedulers in a fresh random order),
and writes one JSON object per measurement to FILE.  Shaped scenarios run in
parallel lanes, one pair of namespaces each; the CPU-bound ones (S6, S7) run
alone.  A measurement taken while the guest's CPUs were saturated (less than
5% idle) is discarded and taken again, at most twice; the CPU load of every
measurement is recorded.

Helper modes, started by the driver in the right namespace:
  bench.py serve --port P       accept MPTCP (and TCP) connections, read to
                                EOF, answer a JSON line (bytes, longest gap)
  bench.py lane --spec JSON     one scenario's measurements, client side
  bench.py scale --spec JSON    S7's client side
"""

import argparse
import json
import os
import random
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
SOL_MPTCP = 284
MPTCP_INFO = 1
KIB, MIB = 1 << 10, 1 << 20
PORT = 5201


# --- scenarios ---------------------------------------------------------------
#
# A path is (rate in Mbit/s, one-way delay in ms, loss in %), applied on both
# ends of its veth pair, so that the round-trip time is twice the delay.

def path(rate, delay, loss=0.0):
    return {"rate": rate, "delay": delay, "loss": loss}


SCENARIOS = {
    "S1a": {"what": "symmetric 10/10 Mbit/s, 0/0 ms", "paths": [path(10, 0), path(10, 0)]},
    "S1b": {"what": "symmetric 10/10 Mbit/s, 1/25 ms", "paths": [path(10, 1), path(10, 25)]},
    "S2a": {"what": "asymmetric 10/3 Mbit/s, 0/0 ms", "paths": [path(10, 0), path(3, 0)]},
    "S2b": {"what": "asymmetric 10/3 Mbit/s, 1/25 ms", "paths": [path(10, 1), path(3, 25)]},
    "S2c": {"what": "asymmetric 10/3 Mbit/s, 25/1 ms", "paths": [path(10, 25), path(3, 1)]},
    "S3a": {"what": "RTT 10 ms vs 100 ms, 10/10 Mbit/s", "paths": [path(10, 5), path(10, 50)]},
    "S3b": {"what": "Wi-Fi/LTE: 20 Mbit/s 10 ms, 10 Mbit/s 60 ms",
            "paths": [path(20, 5), path(10, 30)]},
    "S4a": {"what": "lossy: 1% on path 2, 10/10 Mbit/s, 5/5 ms",
            "paths": [path(10, 5), path(10, 5, 1)]},
    "S4b": {"what": "lossy: 5% on path 2, 10/10 Mbit/s, 5/5 ms",
            "paths": [path(10, 5), path(10, 5, 5)]},
    "S5": {"what": "failure: path 1 down mid-transfer, path 2 a backup, 10/10 Mbit/s, 5/5 ms",
           "paths": [path(10, 5), path(10, 5)], "failure": True},
}
CPU_SCENARIO = "S6"   # unshaped, bulk: CPU per GB
SCALE_SCENARIO = "S7"  # 1000 connections: setup rate, memory


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


def netstat(path="/proc/self/net/netstat", snmp="/proc/self/net/snmp"):
    """The MPTcpExt and Tcp counters a process's namespace shows."""
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


def set_scheduler(name):
    with open("/proc/sys/net/mptcp/scheduler", "w") as f:
        f.write(name)


# --- the server ------------------------------------------------------------------

def serve(args):
    """Reads each connection to its end, then answers with what it saw."""
    lsk = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_MPTCP)
    lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsk.bind(("0.0.0.0", args.port))
    lsk.listen(1024)
    print("listening", flush=True)

    def handle(conn):
        total, gap, last = 0, 0.0, None
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
            reply = json.dumps({"bytes": total, "gap_ms": round(gap * 1000, 1)})
            try:
                conn.sendall(reply.encode() + b"\n")
            except OSError:
                pass

    while True:
        conn, _ = lsk.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


# --- one transfer ----------------------------------------------------------------

PAYLOAD = os.urandom(256 * KIB)


def transfer(addr, size, mptcp=True, timeout=180, during=None):
    """Sends size bytes to addr; returns the completion time (connect to the
    server's answer, which it sends once it has everything) and its
    answer.  during(elapsed) is called between writes, for S5."""
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

def lane(args):
    spec = json.loads(args.spec)
    out = open(spec["out"], "a")
    server_net = f"/proc/{spec['server_pid']}/net/netstat"
    server_snmp = f"/proc/{spec['server_pid']}/net/snmp"
    rng = random.Random(spec["seed"])
    failure = spec.get("failure", False)

    def emit(rec):
        rec.update(scenario=spec["scenario"], lane_pid=os.getpid())
        out.write(json.dumps(rec) + "\n")
        out.flush()

    for rep in range(spec["reps"]):
        variants = SCHEDULERS + (["tcp1", "tcp2"] if not failure else [])
        rng.shuffle(variants)
        for variant in variants:
            if variant.startswith("tcp"):
                addr = "10.0.1.2" if variant == "tcp1" else "10.0.2.2"
                size = spec["baseline_size"]

                def run():
                    return transfer(addr, size, mptcp=False)
                (elapsed, _), busy, discarded = measure(run)
                emit({"variant": variant, "rep": rep, "size": size,
                      "seconds": elapsed, "goodput_mbps": size * 8 / elapsed / 1e6,
                      "busy": busy, "discarded": discarded})
                continue
            set_scheduler(variant)
            for size in (spec["sizes"] if not failure else [spec["failure_size"]]):
                c0, s0 = netstat(), netstat(server_net, server_snmp)

                if failure:
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
                            subprocess.run(["ip", "addr", "replace", "10.0.1.1/24",
                                            "dev", "cli1"])
                            time.sleep(0.5)
                else:
                    def run():
                        return transfer("10.0.1.2", size)
                (elapsed, answer), busy, discarded = measure(run)
                c1, s1 = netstat(), netstat(server_net, server_snmp)
                mb = size / MIB
                emit({
                    "variant": variant, "rep": rep, "size": size, "seconds": elapsed,
                    "goodput_mbps": size * 8 / elapsed / 1e6, "gap_ms": answer.get("gap_ms"),
                    "ofo_per_mb": (s1.get("MPTcpExtOFOQueue", 0) - s0.get("MPTcpExtOFOQueue", 0)) / mb,
                    "rtx_per_mb": ((c1.get("TcpRetransSegs", 0) - c0.get("TcpRetransSegs", 0)) +
                                   (c1.get("MPTcpExtMPTCPRetrans", 0) - c0.get("MPTcpExtMPTCPRetrans", 0))) / mb,
                    "sched_calls": (c1.get("MPTcpRsSchedSend", 0) - c0.get("MPTcpRsSchedSend", 0) +
                                    c1.get("MPTcpRsSchedRetrans", 0) - c0.get("MPTcpRsSchedRetrans", 0)),
                    "busy": busy, "discarded": discarded,
                })
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
    accepts it, and joins it from 10.0.2.1."""

    def __init__(self, tag, paths, backup=False, pm="kernel"):
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
             "--port", str(PORT)], stdout=subprocess.PIPE, text=True)
        self.server.stdout.readline()
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


# --- S6: CPU per GB ------------------------------------------------------------------

def cpu(args):
    """S6's client side: unshaped bulk transfers, the guest's CPU time per
    GB moved, and the module's scheduler calls per GB (rs_* only)."""
    spec = json.loads(args.spec)
    out = open(spec["out"], "a")
    rng = random.Random(spec["seed"])
    size = spec["size"]
    gb = size / (1 << 30)
    hz = os.sysconf("SC_CLK_TCK")
    for rep in range(spec["reps"]):
        order = SCHEDULERS[:]
        rng.shuffle(order)
        for sched in order:
            set_scheduler(sched)
            c0, m0 = cpu_times(), netstat()
            elapsed, _ = transfer("10.0.1.2", size)
            c1, m1 = cpu_times(), netstat()
            busy = (c1[0] - c0[0]) - (c1[1] - c0[1])
            calls = (m1.get("MPTcpRsSchedSend", 0) - m0.get("MPTcpRsSchedSend", 0) +
                     m1.get("MPTcpRsSchedRetrans", 0) - m0.get("MPTcpRsSchedRetrans", 0))
            out.write(json.dumps({
                "scenario": CPU_SCENARIO, "variant": sched, "rep": rep, "size": size,
                "seconds": elapsed, "goodput_mbps": size * 8 / elapsed / 1e6,
                "cpu_s_per_gb": busy / hz / gb,
                "busy": busy_between(c0, c1),
                "sched_calls_per_gb": calls / gb if sched != "default" else None,
            }) + "\n")
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


def run_scale(out, reps, conns, seed):
    rng = random.Random(seed)
    variants = [("kernel", "default"), ("rs_kernel", "rs_default")]
    for rep in range(reps):
        order = variants[:]
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


# --- the driver ---------------------------------------------------------------------------

def run(args):
    if not os.path.exists("/sys/module/mptcp_rs"):
        subprocess.run(["insmod", os.environ["MPTCP_RS_KO"]], check=True)
    quick = args.quick
    reps = args.reps or (3 if quick else 10)
    sizes = [80 * KIB, 1 * MIB, (4 if quick else 16) * MIB]
    only = set(args.only.split(",")) if args.only else None
    seed = args.seed
    open(args.out, "w").close()
    meta = {"kind": "meta", "reps": reps, "sizes": sizes, "quick": quick, "seed": seed,
            "kernel": os.uname().release, "cpus": os.cpu_count(),
            "schedulers": SCHEDULERS, "started": time.time()}
    start = time.monotonic()

    lanes = []
    names = [s for s in SCENARIOS if not only or s in only]
    # Lanes in parallel, a few at a time: shaped traffic needs little CPU,
    # and the CPU check discards any measurement taken while it ran short.
    batch = args.lanes
    for i in range(0, len(names), batch):
        running = []
        for name in names[i:i + batch]:
            sc = SCENARIOS[name]
            topo = Topology(name.lower(), sc["paths"], backup=sc.get("failure", False))
            spec = {"scenario": name, "out": args.out, "server_pid": topo.server_pid,
                    "reps": reps, "sizes": sizes, "seed": seed + i,
                    "baseline_size": (1 if quick else 4) * MIB,
                    # S5 measures the failover: after it, a longer transfer
                    # only adds time on the backup path.
                    "failure_size": (3 if quick else 8) * MIB,
                    "failure": sc.get("failure", False)}
            p = subprocess.Popen(["ip", "netns", "exec", topo.cli, sys.executable, __file__,
                                  "lane", "--spec", json.dumps(spec)])
            running.append((name, topo, p))
        for name, topo, p in running:
            p.wait()
            topo.close()
            print(f"bench: {name} done after {time.monotonic() - start:.0f} s", flush=True)
            if p.returncode != 0:
                print(f"bench: {name} failed ({p.returncode})", flush=True)
                lanes.append(name)

    if not only or CPU_SCENARIO in only:
        run_cpu(args.out, reps, (16 if quick else 64) * MIB, seed)
        print(f"bench: {CPU_SCENARIO} done after {time.monotonic() - start:.0f} s", flush=True)
    with open(args.out, "a") as out:
        if not only or SCALE_SCENARIO in only:
            run_scale(out, 1 if quick else reps, 200 if quick else 1000, seed)
            print(f"bench: {SCALE_SCENARIO} done after {time.monotonic() - start:.0f} s", flush=True)
        meta["seconds"] = time.monotonic() - start
        meta["failed_lanes"] = lanes
        out.write(json.dumps(meta) + "\n")
    return 1 if lanes else 0


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
