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

# Prints 1 when every failed subtest of the log in $1 failed only because
# mptcp_connect finished after the script's deadline (-T): the data arrived
# whole, just later than the script's budget for an unloaded machine.  A
# subtest starts with its title, "NN name"; mptcp_connect's complaint and
# the script's [FAIL] (or [IGNO] for a subtest marked flaky) follow it.
only_missed_deadlines() {
	sed -e 's/\x1b\[[0-9;]*m//g' "$1" | awk '
		/^[0-9][0-9] / { n = $1 }
		/transfer slower than expected/ { slow[n] = 1 }
		/\[(FAIL|IGNO)\]/ { failed[n] = 1; nfailed++ }
		END {
			ok = nfailed > 0
			for (k in failed)
				if (!(k in slow))
					ok = 0
			print ok + 0
		}'
}

run_script() {
	(cd "$KSFT_DIR" && "./$1") >"$OUT/$1.log" 2>&1
}

export SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES=1
for script in "$@"; do
	sends=$(counter SchedSend)
	start=$(date +%s)
	run_script "$script"
	rc=$?
	info "$script: exit $rc after $(($(date +%s) - start)) s (log: $script.log)"

	# simult_flows.sh gives each transfer its ideal time plus 15%.  Under
	# TCG on a shared host a transfer sometimes needs more, whichever
	# scheduler runs it.  Such a run is repeated once, and the repeat is
	# the verdict; any other failure is final.  The misses are reported.
	if [ $rc -ne 0 ] && [ "$(only_missed_deadlines "$OUT/$script.log")" = 1 ]; then
		grep -o 'transfer slower than expected! runtime [0-9]* ms, expected [0-9]* ms' "$OUT/$script.log" |
			while read -r line; do info "$script: first run: $line"; done
		mv "$OUT/$script.log" "$OUT/$script.first.log"
		start=$(date +%s)
		run_script "$script"
		rc=$?
		info "$script: only deadlines were missed; the repeat: exit $rc after $(($(date +%s) - start)) s"
	fi

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
