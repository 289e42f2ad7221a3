#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make test`: host tests, then one guest boot running every guest test,
# then the summary.  Assumes `make setup build` has run.
#
# Results go to $CACHE_DIR/results/<time>/ ($CACHE_DIR/results/latest).

. "$(dirname "$0")/../kernel/scripts/env.sh"

# SUITE=quick|ci|full picks the guest tests; ci is what `make test` runs,
# quick is the edit-test loop (a few minutes), full the acceptance runs
# (every mptcp_join.sh group with rs_kernel and with the kernel's path
# manager, every scheduler with the kernel's suites).
QUICK=(
	kunit.sh
	sched_rs_default.sh
	hostile_config.sh
)
COMMON=(
	"${QUICK[@]}"
	pm_rs.sh
	hostile_peer.sh
	"hostile_peer.sh rs_kernel"
	sched_family.sh
	blackhole.sh
	blackhole_policy.sh
	netns_teardown.sh
	lifecycle.sh
	userns_rights.sh
	middlebox_dss.sh
	"kernel_suites.sh rs_default mptcp_connect.sh simult_flows.sh mptcp_data_ack.sh"
	"kernel_pm_suites.sh rs_kernel pm_netlink.sh"
)
# mptcp_join.sh groups for CI: the ones at the heart of the path
# manager's decisions (subflow and signal endpoints, addresses added,
# fullmesh), about 8 minutes.  test-full runs every group, among them
# laminar (-L), the C flag (-d) and endpoint changes (-I).
JOIN_CI="-f -s -a -m"
# The short soak: 150 s of chaos from a random seed it prints (make soak
# runs the hour).  Last, because it ends with the module unloaded.
CI=(
	"${COMMON[@]}"
	"kernel_pm_suites.sh rs_kernel mptcp_join.sh $JOIN_CI"
	"soak.sh 150"
)
FULL=(
	"${COMMON[@]}"
	"kernel_suites.sh rs_redundant mptcp_connect.sh"
	"kernel_pm_suites.sh kernel mptcp_join.sh all"
	"kernel_pm_suites.sh rs_kernel mptcp_join.sh all"
	"kernel_suites.sh rs_minrtt simult_flows.sh"
	"kernel_suites.sh rs_blest simult_flows.sh"
	"kernel_suites.sh rs_ecf simult_flows.sh"
	"kernel_suites.sh rs_minrtt mptcp_connect.sh"
	"kernel_suites.sh rs_rr mptcp_connect.sh"
	"kernel_suites.sh rs_blest mptcp_connect.sh"
	"kernel_suites.sh rs_ecf mptcp_connect.sh"
	"kernel_suites.sh rs_backup mptcp_connect.sh"
)
case ${SUITE:-ci} in
quick) GUEST_TESTS=("${QUICK[@]}") ;;
ci) GUEST_TESTS=("${CI[@]}") ;;
full) GUEST_TESTS=("${FULL[@]}") ;;
*) echo "run-tests: unknown SUITE '$SUITE' (quick, ci, full)" >&2; exit 2 ;;
esac
if [ "${DEBUG:-0}" != 0 ]; then
	# The debug kernel also sweeps allocation failures (it has fault
	# injection), and runs 5-13x slower under TCG: the per-test and
	# whole-guest limits grow to match.
	GUEST_TESTS+=(faults.sh)
	export TEST_TIMEOUT=${TEST_TIMEOUT:-10800} VM_TIMEOUT=${VM_TIMEOUT:-43200}
	tag=-debug
fi
# TESTS="a.sh;b.sh args" runs exactly these instead.
[ -n "${TESTS:-}" ] && IFS=";" read -r -a GUEST_TESTS <<<"$TESTS"
if [ "${DEBUG:-0}" != 0 ]; then
	# The kernel's suites set deadlines for a machine as fast as the
	# normal kernel's: on the debug kernel they are judged against the C
	# scheduler and path manager in the same boot (ksft_report, lib.sh).
	for i in "${!GUEST_TESTS[@]}"; do
		case ${GUEST_TESTS[i]} in
		"kernel_suites.sh --reference "* | "kernel_pm_suites.sh --reference "*) ;;
		"kernel_suites.sh "*) GUEST_TESTS[i]="kernel_suites.sh --reference default ${GUEST_TESTS[i]#* }" ;;
		"kernel_pm_suites.sh "*) GUEST_TESTS[i]="kernel_pm_suites.sh --reference kernel ${GUEST_TESTS[i]#* }" ;;
		esac
	done
fi

results=$CACHE_DIR/results/$(date +%Y%m%d-%H%M%S)${tag:-}
mkdir -p "$results"
ln -sfn "$results" "$CACHE_DIR/results/latest"
echo "results: $results"
start=$(date +%s)

echo "== host: cargo test"
(cd "$REPO_DIR" && cargo test --quiet 2>&1) | tee "$results/host-cargo.log" | grep -E '^test result|FAILED|panicked'

echo "== host: static checks"
"$REPO_DIR/kernel/scripts/check.sh" | tee "$results/host-check.ktap"

echo "== host: the judge of the kernel's suites on the debug kernel"
"$REPO_DIR/selftests/ksft_report_test.sh" | tee "$results/host-judge.ktap"

echo "== host: the benchmark's statistics"
{
	"$TOOLS_DIR/venv/bin/python" "$REPO_DIR/selftests/bench/test_report.py" 2>&1 |
		sed 's/^/# /'
	rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] && echo "ok 1 selftests/bench/test_report.py" ||
		echo "not ok 1 selftests/bench/test_report.py"
	echo "1..1"
} | tee "$results/host-bench.ktap"

echo "== host: coverage and fuzzing"
[ "${SUITE:-ci}" = quick ] && export FUZZ_SECONDS=${FUZZ_SECONDS:-5}
"$REPO_DIR/selftests/host-quality.sh" | tee "$results/host-quality.ktap"

echo "== host: make shell (an interactive guest, driven through a pipe)"
"$REPO_DIR/selftests/shell_test.sh" "$results/shell" | tee "$results/host-shell.ktap"

echo "== host: a splat from the module fails the run, decoded to source lines"
"$REPO_DIR/selftests/splat_decode.sh" "$results/splat" | tee "$results/host-splat.ktap"

echo "== guest: ${#GUEST_TESTS[@]} tests"
echo ${#GUEST_TESTS[@]} >"$results/tests.expected"
# The list goes in a file: the guest command travels on the kernel command
# line, which is at most 2048 bytes long.
printf '%s\n' "${GUEST_TESTS[@]}" >"$results/tests.list"
# MPTCP_RS_DEADLINE (seconds since the epoch) is when the whole run must
# be over: the guest gets what is left of it, less two minutes for the
# kmemleak scan and the summary.
if [ -n "${MPTCP_RS_DEADLINE:-}" ] && [ -z "${VM_TIMEOUT:-}" ]; then
	left=$((MPTCP_RS_DEADLINE - $(date +%s) - 120))
	export VM_TIMEOUT=$((left > 60 ? left : 60))
	echo "guest limit: $VM_TIMEOUT s (MPTCP_RS_DEADLINE)"
fi
"$REPO_DIR/selftests/vm.sh" "$results" "$REPO_DIR/selftests/guest-run.sh --list $results/tests.list"
echo $? >"$results/vm.status"

echo "== summary (after $(($(date +%s) - start)) s)"
"$REPO_DIR/selftests/pm_compare.sh" "$results"
"$REPO_DIR/selftests/summary.sh" "$results"
