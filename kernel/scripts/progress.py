#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Runs a command and passes its output through; whenever the command has
printed no line for PROGRESS_EVERY seconds (default 20), prints how long it
has been running and the last line it printed, so that a long silent step
(a kernel build under make -s, a guest booting, a test between two
results) still shows that it is alive and where it is.

    progress.py <command> [args...]

MPTCP_RS_QUIET=1 passes the output through unchanged (CI logs).  At the
end, the longest silence of the command itself is printed, and the
command's exit status is returned.
"""

import os
import select
import signal
import subprocess
import sys
import time


def clock(seconds):
    m, s = divmod(int(seconds), 60)
    return f"{m}m{s:02d}s" if m else f"{s}s"


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    every = float(os.environ.get("PROGRESS_EVERY", "20"))
    quiet = os.environ.get("MPTCP_RS_QUIET", "0") != "0"
    proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    # Ctrl-C reaches the command through the terminal's process group;
    # the filter keeps reading until the command is gone.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = sys.stdout.buffer
    fd = proc.stdout.fileno()
    start = heard = told = time.monotonic()
    longest = 0.0
    last = b""
    partial = b""
    while True:
        ready, _, _ = select.select([fd], [], [], max(0.0, told + every - time.monotonic()))
        now = time.monotonic()
        if ready:
            data = os.read(fd, 65536)
            if not data:
                break
            out.write(data)
            out.flush()
            lines = (partial + data).split(b"\n")
            partial = lines.pop()
            shown = [ln for ln in lines if ln.strip()]
            if shown:
                longest = max(longest, now - heard)
                heard = told = now
                last = shown[-1]
        elif now - told >= every:
            told = now
            if not quiet:
                what = last.decode(errors="replace").strip()[:100]
                # A line the command has not finished is left as it is.
                out.write(b"\n" if partial else b"")
                partial = b""
                out.write(f"... {clock(now - start)} elapsed, quiet for "
                          f"{clock(now - heard)}; last: {what}\n".encode())
                out.flush()
    if partial.strip():
        out.write(b"\n")
    status = proc.wait()
    longest = max(longest, time.monotonic() - heard)
    out.write(f"progress: {clock(time.monotonic() - start)} in all, longest silence "
              f"{longest:.0f} s\n".encode())
    out.flush()
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main())
