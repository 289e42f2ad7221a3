#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Sweep an injected allocation failure over every allocation an operation
makes, with the kernel's per-task fail-nth (Documentation/fault-injection).

  fail_nth.py insmod KO
      finit_module(KO); the module is unloaded again after each success.
  fail_nth.py unshare
      a new network namespace (in a child process, one per attempt).
  fail_nth.py write FILE VALUE
      write VALUE to FILE (a sysctl); FILE is restored after each success.

For n = 1, 2, ... the n-th eligible allocation of the operation fails
(faults.sh restricts eligibility to allocations made with mptcp_rs code on
the stack).  Every attempt must either succeed or fail with ENOMEM; the
sweep ends at the first n past the operation's last allocation.  After a
failed attempt, CHECK (a shell command, optional) must succeed: it says
that nothing was left behind.

Prints one line per attempt and a summary; exits non-zero on any problem.
"""

import ctypes
import errno
import os
import subprocess
import sys

SYS_FINIT_MODULE = 313
SYS_DELETE_MODULE = 176
CLONE_NEWNET = 0x40000000
MAX_N = 2000

libc = ctypes.CDLL(None, use_errno=True)


def set_fail_nth(n):
    with open("/proc/thread-self/fail-nth", "w") as f:
        f.write(str(n))


def get_fail_nth():
    with open("/proc/thread-self/fail-nth") as f:
        return int(f.read())


def attempt(op, n):
    """Runs op with the n-th allocation failing: (errno or 0, injected)."""
    fd = os.open("/proc/thread-self/fail-nth", os.O_WRONLY)
    try:
        os.write(fd, str(n).encode())
        err = op()
        left = get_fail_nth()
        os.write(fd, b"0")
    finally:
        os.close(fd)
    return err, left == 0


def op_insmod(path):
    fd = os.open(path, os.O_RDONLY)

    def run():
        rc = libc.syscall(SYS_FINIT_MODULE, fd, b"", 0)
        return ctypes.get_errno() if rc else 0

    def undo():
        name = os.path.basename(path).removesuffix(".ko").encode()
        if libc.syscall(SYS_DELETE_MODULE, name, os.O_NONBLOCK):
            sys.exit(f"fail_nth: cannot unload {path}: {os.strerror(ctypes.get_errno())}")

    return run, undo


def op_unshare():
    def run():
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                set_fail_nth(N)
                # os.unshare() is Python 3.12; bookworm has 3.11.
                err = ctypes.get_errno() if libc.unshare(CLONE_NEWNET) else 0
                injected = get_fail_nth() == 0
                os.write(w, f"{err} {int(injected)}".encode())
            except Exception as e:  # reported by the parent as a problem
                os.write(w, f"-1 0 {e}".encode())
            finally:
                os._exit(0)
        os.close(w)
        out = os.read(r, 256).decode().split()
        os.close(r)
        os.waitpid(pid, 0)
        if len(out) < 2 or out[0] == "-1":
            sys.exit(f"fail_nth: the child failed: {' '.join(out[2:]) or 'no report'}")
        global CHILD_INJECTED
        CHILD_INJECTED = out[1] == "1"
        return int(out[0])

    return run, lambda: None


def op_write(path, value):
    with open(path) as f:
        old = f.read().strip()

    def run():
        fd = os.open(path, os.O_WRONLY)
        try:
            os.write(fd, value.encode())
            return 0
        except OSError as e:
            return e.errno
        finally:
            os.close(fd)

    def undo():
        with open(path, "w") as f:
            f.write(old)

    return run, undo


N = 0
CHILD_INJECTED = False


def main():
    global N
    args = sys.argv[1:]
    check = os.environ.get("CHECK")
    if args[:1] == ["insmod"]:
        run, undo = op_insmod(args[1])
    elif args[:1] == ["unshare"]:
        run, undo = op_unshare()
    elif args[:1] == ["write"]:
        run, undo = op_write(args[1], args[2])
    else:
        sys.exit(__doc__)
    in_child = args[0] == "unshare"

    failed = tolerated = 0
    problems = []
    for n in range(1, MAX_N + 1):
        N = n
        if in_child:
            err = run()
            injected = CHILD_INJECTED
        else:
            err, injected = attempt(run, n)
        if err == 0:
            undo()
            if not injected:
                break
            tolerated += 1
            print(f"# n={n}: the failure was absorbed, the operation succeeded")
            continue
        failed += 1
        what = errno.errorcode.get(err, str(err))
        print(f"# n={n}: failed with {what}")
        if not injected:
            problems.append(f"n={n}: failed with {what} although no fault was injected")
        elif err != errno.ENOMEM:
            problems.append(f"n={n}: failed with {what}, not ENOMEM")
        if check and subprocess.run(check, shell=True).returncode != 0:
            problems.append(f"n={n}: left state behind ({check})")
    else:
        problems.append(f"still failing after {MAX_N} allocations")

    print(f"# {' '.join(args)}: {n - 1} allocation points, {failed} clean failures, "
          f"{tolerated} absorbed")
    for p in problems:
        print(f"# problem: {p}")
    # A sweep that never reached an allocation cannot say anything.
    if n == 1:
        print("# problem: the operation made no eligible allocation")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
