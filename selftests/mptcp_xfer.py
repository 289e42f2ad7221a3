#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""One-way MPTCP transfers for the selftests and the demo.

  mptcp_xfer.py server --port P [--out FILE] [--send FILE]
      Accepts one MPTCP connection, writes what it receives to FILE until
      the peer half-closes, then sends the --send FILE, if any, and
      closes.  Prints the byte count and the longest time between two
      receptions (a stall shows there).
  mptcp_xfer.py client --addr A --port P [--in FILE] [--hold S]
                       [--keepalive IDLE,INTVL,CNT] [--mark M] [--announce]
      Connects over MPTCP, sends FILE (or stdin), half-closes, and waits for
      the server to close: the transfer is complete when the server has
      everything.  Prints the byte count (and what it received, if
      anything), the elapsed time and how long
      connect() took (a SYN retransmission shows there).  --hold
      sends the first KiB, then keeps the connection idle for S seconds
      (the first data completes the MPTCP handshake, so that the path
      manager creates its subflows meanwhile); --keepalive
      and --mark set SO_KEEPALIVE with TCP_KEEPIDLE/KEEPINTVL/KEEPCNT, and
      SO_MARK, on the MPTCP socket before it connects; --announce prints
      "half-closed" once everything is handed to the socket and it has
      half-closed (the data may still be queued in the kernel).

  mptcp_xfer.py echo-digest --port P
      Accepts MPTCP connections until killed; for each, reads until the
      peer half-closes and answers with the SHA-256 of what it read.
  mptcp_xfer.py visit --port P --addrs A,B,... [--size N]
      Connects to each address in turn, sends N random bytes and checks
      the digest the echo-digest server answers.  Prints one line per
      address: the address, connect() time in seconds, "mptcp" or "tcp",
      and "intact" or "corrupt".

Both exit non-zero on any error, and the client also when the connection
fell back to plain TCP (unless --allow-fallback).
"""

import argparse
import hashlib
import os
import socket
import sys
import time

SOL_MPTCP = 284
MPTCP_INFO = 1
CHUNK = 64 * 1024


def mptcp_socket(family=socket.AF_INET):
    return socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_MPTCP)


def is_mptcp(sock):
    """MPTCP_INFO fails with EOPNOTSUPP once a connection fell back to TCP."""
    try:
        sock.getsockopt(SOL_MPTCP, MPTCP_INFO, 64)
        return True
    except OSError:
        return False


def server(args):
    # The listener stays open for the whole transfer: MP_JOIN SYNs for the
    # additional subflows are received through it.
    with mptcp_socket() as lsk:
        lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsk.bind(("0.0.0.0", args.port))
        lsk.listen(1)
        lsk.settimeout(args.timeout)
        conn, peer = lsk.accept()
        conn.settimeout(args.timeout)
        total = 0
        gap = 0.0
        last = time.monotonic()
        with conn, open(args.out, "wb") as out:
            while True:
                data = conn.recv(CHUNK)
                now = time.monotonic()
                if not data:
                    break
                if total:
                    gap = max(gap, now - last)
                last = now
                out.write(data)
                total += len(data)
            if args.send:
                with open(args.send, "rb") as src:
                    conn.sendfile(src)
    print(f"received {total} bytes from {peer[0]}, longest gap {gap * 1000:.0f} ms")


def client(args):
    src = open(args.infile, "rb") if args.infile != "-" else sys.stdin.buffer
    with mptcp_socket() as sk, src:
        sk.settimeout(args.timeout)
        if args.keepalive:
            idle, intvl, cnt = (int(v) for v in args.keepalive.split(","))
            sk.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            sk.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle)
            sk.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, intvl)
            sk.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, cnt)
        if args.mark:
            sk.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, int(args.mark, 0))
        start = time.monotonic()
        sk.connect((args.addr, args.port))
        connected = time.monotonic() - start
        total = 0
        if args.hold:
            first = src.read(1024)
            sk.sendall(first)
            total += len(first)
            print(f"connected, holding {args.hold} s", flush=True)
            time.sleep(args.hold)
        while True:
            data = src.read(CHUNK)
            if not data:
                break
            sk.sendall(data)
            total += len(data)
        mptcp = is_mptcp(sk)
        sk.shutdown(socket.SHUT_WR)
        if args.announce:
            print("half-closed", flush=True)
        received = 0
        while data := sk.recv(CHUNK):
            received += len(data)
        elapsed = time.monotonic() - start
    rate = total * 8 / elapsed / 1e6 if elapsed > 0 else 0.0
    print(f"sent {total} bytes in {elapsed:.3f} s ({rate:.2f} Mbit/s), "
          f"connected in {connected:.3f} s{'' if mptcp else ', fell back to TCP'}"
          f"{f', received {received} bytes' if received else ''}")
    if not mptcp and not args.allow_fallback:
        sys.exit("the connection fell back to TCP")


def echo_digest(args):
    with mptcp_socket() as lsk:
        lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsk.bind(("0.0.0.0", args.port))
        lsk.listen(8)
        while True:
            conn, _ = lsk.accept()
            with conn:
                conn.settimeout(60)
                digest = hashlib.sha256()
                while data := conn.recv(CHUNK):
                    digest.update(data)
                conn.sendall(digest.digest())


def visit(args):
    for addr in args.addrs.split(","):
        payload = os.urandom(args.size)
        step = "socket"
        start = time.monotonic()
        try:
            with mptcp_socket() as sk:
                sk.settimeout(60)
                step = "connect"
                sk.connect((addr, args.port))
                connected = time.monotonic() - start
                step = "send"
                sk.sendall(payload)
                mptcp = is_mptcp(sk)
                step = "shutdown"
                sk.shutdown(socket.SHUT_WR)
                step = "recv"
                answer = b""
                while data := sk.recv(64):
                    answer += data
        except OSError as err:
            # Which call failed, and when, tells a refused connection from
            # one that died afterwards.
            raise OSError(err.errno, f"{addr}: {step} after "
                          f"{time.monotonic() - start:.3f} s: {err.strerror}") from err
        intact = answer == hashlib.sha256(payload).digest()
        print(f"{addr} {connected:.3f} {'mptcp' if mptcp else 'tcp'} "
              f"{'intact' if intact else 'corrupt'}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    srv = sub.add_parser("server")
    srv.add_argument("--port", type=int, required=True)
    srv.add_argument("--out", default="/dev/null")
    srv.add_argument("--timeout", type=float, default=120)
    srv.add_argument("--send")
    cli = sub.add_parser("client")
    cli.add_argument("--addr", required=True)
    cli.add_argument("--port", type=int, required=True)
    cli.add_argument("--in", dest="infile", default="-")
    cli.add_argument("--timeout", type=float, default=120)
    cli.add_argument("--allow-fallback", action="store_true")
    cli.add_argument("--hold", type=float, default=0)
    cli.add_argument("--keepalive")
    cli.add_argument("--mark")
    cli.add_argument("--announce", action="store_true")
    echo = sub.add_parser("echo-digest")
    echo.add_argument("--port", type=int, required=True)
    vis = sub.add_parser("visit")
    vis.add_argument("--port", type=int, required=True)
    vis.add_argument("--addrs", required=True)
    vis.add_argument("--size", type=int, default=64 * 1024)
    args = parser.parse_args()
    modes = {"server": server, "client": client, "echo-digest": echo_digest, "visit": visit}
    try:
        modes[args.mode](args)
    except OSError as err:
        sys.exit(f"mptcp_xfer {args.mode}: {err}")


if __name__ == "__main__":
    main()
