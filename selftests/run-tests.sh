#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make test`: host tests, then one guest boot running every guest test,
# then the summary.  Assumes `make setup build` has run.
#
# Results go to $CACHE_DIR/results/<time>/ ($CACHE_DIR/results/latest).

. "$(dirname "$0")/../kernel/scripts/env.sh"

# SUITE=quick|ci|full picks the guest tests; ci is what `make test` runs,
# quick is the edit-test loop (a few minutes).
QUICK=(
	kunit.sh
	sched_rs_default.sh
	hostile_config.sh
)
CI=(
	"${QUICK[@]}"
	hostile_peer.sh
	sched_family.sh
	blackhole.sh
	lifecycle.sh
	"kernel_suites.sh rs_default mptcp_connect.sh simult_flows.sh"
	"kernel_suites.sh rs_redundant mptcp_connect.sh"
)
FULL=(
	"${CI[@]}"
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
# The debug kernel also sweeps allocation failures (it has fault injection).
[ "${DEBUG:-0}" != 0 ] && GUEST_TESTS+=(faults.sh)
# TESTS="a.sh;b.sh args" runs exactly these instead.
[ -n "${TESTS:-}" ] && IFS=";" read -r -a GUEST_TESTS <<<"$TESTS"

results=$CACHE_DIR/results/$(date +%Y%m%d-%H%M%S)${DEBUG:+-debug}
mkdir -p "$results"
ln -sfn "$results" "$CACHE_DIR/results/latest"
echo "results: $results"
start=$(date +%s)

echo "== host: cargo test"
(cd "$REPO_DIR" && cargo test --quiet 2>&1) | tee "$results/host-cargo.log" | grep -E '^test result|FAILED|panicked'

echo "== host: static checks"
"$REPO_DIR/kernel/scripts/check.sh" | tee "$results/host-check.ktap"

echo "== host: coverage and fuzzing"
[ "${SUITE:-ci}" = quick ] && export FUZZ_SECONDS=${FUZZ_SECONDS:-5}
"$REPO_DIR/selftests/host-quality.sh" | tee "$results/host-quality.ktap"

echo "== guest: ${#GUEST_TESTS[@]} tests"
echo ${#GUEST_TESTS[@]} >"$results/tests.expected"
printf -v quoted "'%s' " "${GUEST_TESTS[@]}"
"$REPO_DIR/selftests/vm.sh" "$results" "$REPO_DIR/selftests/guest-run.sh $quoted"
echo $? >"$results/vm.status"

echo "== summary (after $(($(date +%s) - start)) s)"
"$REPO_DIR/selftests/summary.sh" "$results"
