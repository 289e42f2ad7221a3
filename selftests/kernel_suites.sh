#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the kernel's own MPTCP selftests, unmodified, with a scheduler of
# ours forced in every namespace they create.
#
#   kernel_suites.sh <scheduler> <script>...
#
# New namespaces inherit net.mptcp.scheduler from the initial namespace
# (kernel/patches/0002), so selecting it there forces it everywhere.  The
# module's MPTcpRsSchedSend counter proves that our code scheduled the
# traffic.

. "$(dirname "$0")/lib.sh"

sched=$1
shift
ktap_header "kernel_suites: $* with $sched forced"

load_module
sysctl -q -w net.mptcp.scheduler="$sched"
ktap_result $? "net.mptcp.scheduler=$sched in the initial namespace"

ns=inherit-$RANDOM
ip netns add "$ns"
got=$(ip netns exec "$ns" sysctl -n net.mptcp.scheduler)
ip netns del "$ns"
[ "$got" = "$sched" ]
ktap_result $? "a new namespace starts with net.mptcp.scheduler=$got"

export SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES=1
for script in "$@"; do
	sends=$(counter SchedSend)
	start=$(date +%s)
	(cd "$KSFT_DIR" && "./$script") >"$OUT/$script.log" 2>&1
	rc=$?
	info "$script: exit $rc after $(($(date +%s) - start)) s (log: $script.log)"

	# The scripts end with a TAP list of their subtests.
	while read -r status rest; do
		name=${rest#*- }
		case $status:$name in
		ok:*"# SKIP"* | ok:*"# IGNORE"*) ktap_fail "$script: $name" ;;
		ok:*) ktap_pass "$script: $name" ;;
		*) ktap_fail "$script: $name" ;;
		esac
	done < <(sed -n '/^TAP version/,$ p' "$OUT/$script.log" | grep -E '^(not )?ok [0-9]+' |
		sed -e 's/^not ok/not_ok/')
	ktap_result $rc "$script exits with success"

	sends=$(($(counter SchedSend) - sends))
	[ "$sends" -gt 0 ]
	ktap_result $? "$script traffic was scheduled by $sched (MPTcpRsSchedSend +$sends)"
done

sysctl -q -w net.mptcp.scheduler=default
ktap_finish
