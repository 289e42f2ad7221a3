#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of ksft_report (lib.sh), the judge of the kernel's suites on
# the debug kernel, as KTAP.  Each case writes a log in the format of the
# kernel's scripts (titles, check lines, the TAP list at the end) for our
# run and one for the reference run, and states how many of the judge's
# KTAP lines must fail and whether it must return an error.

export KSFT_DIR=/nonexistent KSRC=/nonexistent MPTCP_RS_KO=/nonexistent
OUT=$(mktemp -d)
export OUT
trap 'rm -rf "$OUT"' EXIT
. "$(dirname "$0")/lib.sh"

# join_log <file> <ms> <title> [check...]: a one-subtest mptcp_join.sh log;
# every check given is a failed one ("name|message").
join_log() {
	local file=$OUT/$1 ms=$2 title=$3 check status=ok
	shift 3
	{
		echo "005 $title"
		for check in "$@"; do
			printf '      %-35s [FAIL] %s\n' "${check%%|*}" "${check#*|}"
			echo "  MPTcpExtMPJoinSynRx             1"
		done
		echo "      rm addr rx server                   [ OK ]"
		[ $# -gt 0 ] && status="not ok"
		printf '\nTAP version 13\n1..1\n%s 1 - mptcp_join: %s # time=%sms\n' "$status" "$title" "$ms"
	} >"$file"
}

# flows_log <file> <runtime-ms> <ms>...: a simult_flows.sh log, one
# subtest per <ms>, each a transfer that took <runtime-ms> against a
# deadline of 8456 ms; a runtime of 0 passes, "skip" is a SKIP.
flows_log() {
	local file=$1 runtime=$2 ms i=0
	shift 2
	{
		for ms in "$@"; do
			i=$((i + 1))
			if [ "$runtime" = 0 ] || [ "$ms" = skip ]; then
				printf '%02d case %d   7419 max 7906       [ OK ]\n' $i $i
			else
				printf '%02d case %d   transfer slower than expected! runtime %d ms, expected 8456 ms[FAIL] client exit code 1, server 1\n' \
					$i $i "$runtime"
			fi
		done
		printf 'TAP version 13\n1..%d\n' $#
		i=0
		for ms in "$@"; do
			i=$((i + 1))
			if [ "$ms" = skip ]; then
				echo "ok $i - simult_flows: case $i # SKIP no tc"
			elif [ "$runtime" = 0 ]; then
				echo "ok $i - simult_flows: case $i # time=${ms}ms"
			else
				echo "not ok $i - simult_flows: case $i # time=${ms}ms"
			fi
		done
	} >"$OUT/$file"
}

n=0
status=0
# judge <description> <failed lines wanted> <return wanted> <ours> [<ref>]
judge() {
	local desc=$1 want_failed=$2 want_rc=$3 ours=$OUT/$4 ref=${5:+$OUT/$5} out rc failed
	out=$(KTAP_N=0 ksft_report case "$ours" ${ref:+"$ref" C})
	rc=$?
	[ $rc -ne 0 ] && rc=1
	failed=$(grep -c '^not ok' <<<"$out")
	n=$((n + 1))
	if [ "$failed" = "$want_failed" ] && [ "$rc" = "$want_rc" ]; then
		echo "ok $n $desc"
	else
		echo "not ok $n $desc: $failed failed lines, returned $rc (wanted $want_failed, $want_rc)"
		sed 's/^/# /' <<<"$out"
		status=1
	fi
}

echo "KTAP version 1"
echo "# ksft_report: the debug kernel's judge of the kernel's suites"

join_log "pass" 20000 "set fullmesh flag test"
judge "a passing subtest passes, with no reference" 0 0 pass

fail=("syn rx|got 1 JOIN[s] syn rx expected 2" "rm subflow client|got 0 RM_SUBFLOW[s] expected 1")
join_log "fail" 130000 "set fullmesh flag test" "${fail[@]}"
judge "a failed subtest fails, with no reference" 1 1 fail

join_log "ref-same" 116000 "set fullmesh flag test" "${fail[@]}"
judge "failed the same way as the reference: passes" 0 0 fail ref-same

join_log "ref-pass" 18000 "set fullmesh flag test"
judge "the reference passed it: fails" 1 1 fail ref-pass

join_log "ref-other" 116000 "set fullmesh flag test" "syn rx|got 0 JOIN[s] syn rx expected 2" \
	"rm subflow client|got 0 RM_SUBFLOW[s] expected 1"
judge "the reference failed other checks: fails" 1 1 fail ref-other

join_log "ref-fewer" 116000 "set fullmesh flag test" "${fail[0]}"
judge "the reference failed fewer checks: fails" 1 1 fail ref-fewer

join_log "ref-other-name" 116000 "set nofullmesh flag test" "${fail[@]}"
judge "the reference ran another subtest: fails" 1 1 fail ref-other-name

flows_log ours 37124 75000 58000 66000
flows_log ref 43212 77000 88000 76000
judge "deadlines missed as with the reference, the runtimes masked" 0 0 ours ref

flows_log ours-uneven 37124 80000 60000
flows_log ref-uneven 43212 50000 100000
judge "1.6 times the reference's time fails, though the total is 0.93x" 1 1 ours-uneven ref-uneven

flows_log ours-slow 37124 100000 100000 100000
flows_log ref-slow 43212 77000 77000 77000
judge "each within 1.5x, together 1.3x the reference's time: the total fails" 1 1 ours-slow ref-slow

flows_log ref-ok 0 11000 9000 10000
judge "deadlines the reference met: each fails" 3 1 ours ref-ok

flows_log ours-skip 37124 75000 skip
flows_log ref-skip 43212 77000 skip
judge "a SKIP fails, even when the reference skipped it too" 1 1 ours-skip ref-skip

echo "1..$n"
exit $status
