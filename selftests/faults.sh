#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Allocation failure (debug kernel only): failslab and fail_page_alloc,
# driven by the per-task fail-nth, are swept over every allocation our code
# makes: loading the module (registration), creating a namespace (our
# per-namespace state), growing the blackhole table as blackholes are
# recorded, and shrinking it.
# Only allocations with mptcp_rs code on the call stack are eligible: the
# stack filter admits the module area, and this kernel has no other module.
# Each failure must be a clean ENOMEM that leaves nothing behind; the
# kmemleak scan at the end of the run catches leaks.
#
# Connections keep their scheduler state inside the MPTCP socket and
# blackhole lookups allocate nothing (only a recorded blackhole may grow
# the table), so a connection allocates nothing of ours: a sweep over one
# shows zero allocation points.

. "$(dirname "$0")/lib.sh"

ktap_header "faults: injected allocation failures in our code fail cleanly"
FAILNTH=$(dirname "$0")/fail_nth.py
FS=/sys/kernel/debug/failslab
FP=/sys/kernel/debug/fail_page_alloc
if [ ! -e $FS/stacktrace-depth ] || [ ! -d $FP ]; then
	ktap_fail "fault injection with a stack filter is not in this kernel (use DEBUG=1)"
	ktap_finish
fi

KUNIT_GLOB=/sys/module/kunit/parameters/filter_glob
restore() {
	[ -w $KUNIT_GLOB ] && echo '*' >$KUNIT_GLOB
	for d in $FS $FP; do
		echo 0 >$d/require-start
		echo 0 >$d/require-end
		echo 0 >$d/verbose
	done
}
trap 'restore; cleanup_netns' EXIT

# Only fail-nth injects (probability 0); sleeping allocations are
# eligible; one line per injected failure, without a stack dump (which
# the log check would rightly take for a splat).
text_end=$(awk '$3 == "_end" { print $1 }' /proc/kallsyms)
for d in $FS $FP; do
	echo 0 >$d/probability
	echo -1 >$d/times
	echo N >$d/ignore-gfp-wait
	echo 1 >$d/verbose
	echo 32 >$d/stacktrace-depth
	echo "0x$text_end" >$d/require-start
	echo 0xffffffffff000000 >$d/require-end
done
echo N >$FP/ignore-gfp-highmem
echo 0 >$FP/min-order

# The module's KUnit suites run at load; they are not what is swept here.
[ -w $KUNIT_GLOB ] && echo no_suite >$KUNIT_GLOB
rmmod mptcp_rs 2>/dev/null
points=0
# sweep <what> <fail_nth.py args...>: one KTAP line; adds the allocation
# points found to $points.
sweep() {
	local what=$1 out rc summary
	shift
	out=$(python3 "$FAILNTH" "$@")
	rc=$?
	summary=$(grep 'allocation points' <<<"$out")
	grep -v '^# n=' <<<"$out" | grep problem
	points=$((points + $(sed -n 's/.*: \([0-9]*\) allocation points.*/\1/p' <<<"$summary" || echo 0)))
	ktap_result $rc "$what: ${summary##*: }"
}

# After a failed load: no module, no scheduler names, no counter group, no
# sysctls, no debugfs directory.
export CHECK='! grep -q rs_ /proc/sys/net/mptcp/available_schedulers &&
	! grep -q "^MPTcpRs:" /proc/net/netstat && [ ! -e /proc/sys/net/mptcp/rs ] &&
	[ ! -e /sys/kernel/debug/mptcp_rs ] && [ ! -e /sys/module/mptcp_rs ]'
sweep "module load" insmod "$MPTCP_RS_KO"

insmod "$MPTCP_RS_KO"
# Namespaces that failed to come up leave nothing: the module still
# unloads, and the kmemleak scan finds nothing.
export CHECK=true
sweep "namespace creation" unshare

# A failed growth keeps the old table (its least recently used entry
# makes room), a failed shrink the old size: both keep working.
T=/proc/sys/net/mptcp/rs/blackhole_table_size
I=/sys/kernel/debug/mptcp_rs/blackhole_inject
export CHECK="echo '10.0.0.1 5' >$I && [ \$(cat /proc/sys/net/mptcp/rs/blackhole_entries) -ge 1 ]"
sweep "table growth by 100 blackholes" write $I "10.1.0.0 100"
sweep "table shrink to 16" write $T 16

# A connection: nothing of ours to fail.
setup_two_paths rs_default 0 0 0 0
ip netns exec "$NS_SRV" python3 "$XFER" server --port 4000 --out /dev/null >/dev/null &
wait_listen "$NS_SRV" 4000
# fail-nth belongs to one task: this one connects, sends and closes.
left=$(ip netns exec "$NS_CLI" python3 -c '
import socket
def fail_nth(value=None):
    with open("/proc/thread-self/fail-nth", "r" if value is None else "w") as f:
        return f.read().strip() if value is None else f.write(value)
fail_nth("1")
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_MPTCP)
s.connect(("10.0.1.2", 4000))
s.sendall(bytes(65536))
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()
print(fail_nth())')
wait
[ "$left" = 1 ]
ktap_result $? "an MPTCP connection allocates nothing of ours (fail-nth left at ${left:-?})"
cleanup_netns

[ "$points" -gt 0 ]
ktap_result $? "$points allocation points swept in all"

restore
rmmod mptcp_rs
ktap_result $? "the module unloads after the sweeps"
ktap_finish
