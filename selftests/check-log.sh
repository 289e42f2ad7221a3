#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-log.sh [--decode <build-dir>] <log>...: fails, printing the
# offending lines, when a kernel log shows a warning, an oops, a sanitizer
# or lockdep report, a leak (memory, or a net device reference:
# "unregister_netdevice: waiting for", which prints no trace), a stall or a
# hung task.  (Lockdep is matched by its reports, not its name: a debug
# kernel announces "RCU lockdep checking is enabled" at boot.)
#
# With --decode, the reports of the first log that has any are also
# printed through the kernel's scripts/decode_stacktrace.sh, with the
# vmlinux and mptcp_rs.ko of <build-dir>: each trace line gains its
# file:line (the kernels are built with line-number debug info).

patterns=(
	'Call Trace:'
	'WARNING: CPU:'
	'------------\[ cut here \]------------'
	'BUG:'
	'Oops'
	'general protection fault'
	'Kernel panic'
	'KASAN:'
	'UBSAN:'
	'KCSAN:'
	'possible circular locking dependency'
	'possible recursive locking'
	'inconsistent lock state'
	'suspicious RCU usage'
	'possible irq lock inversion dependency'
	'bad unlock balance detected'
	'lock held when returning to user space'
	'held lock freed'
	'possible deadlock'
	'DEBUG_LOCKS_WARN_ON'
	'turning off the locking correctness validator'
	'trying to register non-static key'
	'unreferenced object'
	'kmemleak'
	'refcount_t:'
	'rcu: INFO:'
	'self-detected stall'
	'soft lockup'
	'hard LOCKUP'
	'blocked for more than'
	'list_add corruption'
	'list_del corruption'
	'unregister_netdevice: waiting for'
)

build=
if [ "${1:-}" = --decode ]; then
	build=$2
	shift 2
fi

regex=$(IFS='|'; echo "${patterns[*]}")

# decode <log>: the reports in <log> (from a first line that matches until
# the end of the trace, at most 100 lines each), decoded.
decode() {
	local vmlinux=$build/vmlinux
	. "$(dirname "$0")/../kernel/scripts/env.sh"
	if ! llvm-readelf -S "$vmlinux" 2>/dev/null | grep -q '\.debug_line'; then
		echo "check-log: no line-number debug info in $vmlinux: traces not decoded"
		return
	fi
	echo "check-log: $log, decoded:"
	RE=$regex awk '
		$0 ~ ENVIRON["RE"] && !/kmemleak: (Kernel memory leak detector|Automatic memory scanning)/ && !on {
			on = 1; n = 0
		}
		on { print; if (/---\[ end trace/ || ++n >= 100) on = 0 }
	' "$log" | tr -d '\r' |
		LLVM=1 "$SRC_DIR/scripts/decode_stacktrace.sh" "$vmlinux" "$SRC_DIR" "$build/mptcp_rs" 2>&1 |
		head -300 | sed 's/^/  /'
}

status=0
decoded=0
for log in "$@"; do
	[ -f "$log" ] || continue
	# "kmemleak: ... new suspected memory leaks" and "unreferenced object"
	# are both matched; the informative "kmemleak: Kernel memory leak
	# detector initialized" line at boot is not a report.
	hits=$(grep -E "$regex" "$log" | grep -v -E 'kmemleak: (Kernel memory leak detector|Automatic memory scanning)')
	if [ -n "$hits" ]; then
		echo "check-log: $log:"
		echo "$hits" | head -40 | sed 's/^/  /'
		status=1
		if [ -n "$build" ] && [ $decoded = 0 ]; then
			decode
			decoded=1
		fi
	fi
done
exit $status
