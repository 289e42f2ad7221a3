#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-log.sh <log>...: fails, printing the offending lines, when a kernel
# log shows a warning, an oops, a sanitizer or lockdep report, a leak
# (memory, or a net device reference: "unregister_netdevice: waiting
# for", which prints no trace), a stall or a hung task.  (Lockdep is matched by its reports, not its name:
# a debug kernel announces "RCU lockdep checking is enabled" at boot.)

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

regex=$(IFS='|'; echo "${patterns[*]}")
status=0
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
	fi
done
exit $status
