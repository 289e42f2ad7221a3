#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the kernel's own MPTCP selftests, unmodified, with a scheduler of
# ours forced in every namespace they create.
#
#   kernel_suites.sh [--reference <C scheduler>] <scheduler> <script>...
#
# New namespaces inherit net.mptcp.scheduler from the initial namespace
# (kernel/patches/0002), so selecting it there forces it everywhere.  The
# module's MPTcpRsSchedSend counter proves that our code scheduled the
# traffic.  With --reference (the debug kernel's runs), a script that
# fails is run again with the kernel's C scheduler in the same boot, and
# a failed subtest passes when the C scheduler failed it the same way
# (ksft_report in lib.sh).

. "$(dirname "$0")/lib.sh"

ref=
if [ "${1:-}" = --reference ]; then
	ref=$2
	shift 2
fi
sched=$1
shift
[ "$ref" = "$sched" ] && ref=
ktap_header "kernel_suites: $* with $sched forced${ref:+, failures judged against $ref}"

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

# run_script <scheduler> <script>: the log goes to $OUT/<scheduler>-<script>.log.
run_script() {
	sysctl -q -w net.mptcp.scheduler="$1"
	(cd "$KSFT_DIR" && "./$2") >"$OUT/$1-$2.log" 2>&1
}

export SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES=1
for script in "$@"; do
	log=$OUT/$sched-$script.log
	sends=$(counter SchedSend)
	start=$(date +%s)
	run_script "$sched" "$script"
	rc=$?
	info "$script: exit $rc after $(($(date +%s) - start)) s (log: ${log##*/})"

	# simult_flows.sh gives each transfer its ideal time plus 15%.  Under
	# TCG on a shared host a transfer sometimes needs more, whichever
	# scheduler runs it.  Such a run is repeated once, and the repeat is
	# the verdict; any other failure is final.  The misses are reported.
	if [ $rc -ne 0 ] && [ -z "$ref" ] && [ "$(only_missed_deadlines "$log")" = 1 ]; then
		grep -o 'transfer slower than expected! runtime [0-9]* ms, expected [0-9]* ms' "$log" |
			while read -r line; do info "$script: first run: $line"; done
		mv "$log" "${log%.log}.first.log"
		start=$(date +%s)
		run_script "$sched" "$script"
		rc=$?
		info "$script: only deadlines were missed; the repeat: exit $rc after $(($(date +%s) - start)) s"
	fi
	sends=$(($(counter SchedSend) - sends))

	reflog=
	if [ $rc -ne 0 ] && [ -n "$ref" ]; then
		reflog=$OUT/$ref-$script.log
		start=$(date +%s)
		run_script "$ref" "$script"
		info "$script with $ref: exit $? after $(($(date +%s) - start)) s (log: ${reflog##*/})"
		sysctl -q -w net.mptcp.scheduler="$sched"
	fi

	ksft_verdict "$script" $rc "$log" ${reflog:+"$reflog" "$ref"}

	[ "$sends" -gt 0 ]
	ktap_result $? "$script traffic was scheduled by $sched (MPTcpRsSchedSend +$sends)"
done

sysctl -q -w net.mptcp.scheduler=default
ktap_finish
