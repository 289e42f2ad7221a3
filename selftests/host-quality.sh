#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host quality checks on the pure decision code, as KTAP:
#   - line coverage of the decision logic by `cargo test` (cargo llvm-cov),
#     at least COVERAGE_MIN percent, uncovered lines listed;
#   - each `cargo fuzz` target run for FUZZ_SECONDS from the corpus kept
#     in selftests/fuzz/corpus (new inputs go to a scratch directory).
#
# The case tables, the C transcription and the test code are excluded
# from the coverage figure: they are what the logic is measured with.

. "$(dirname "$0")/../kernel/scripts/env.sh"

COVERAGE_MIN=${COVERAGE_MIN:-90}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FUZZ_TARGETS=(sched blackhole parse pm)
FUZZ_DIR=$REPO_DIR/selftests/fuzz
# libFuzzer's coverage instrumentation, without a sanitizer, on stable.
export RUSTC_BOOTSTRAP=1
# Build outputs stay out of the checkout.
export CARGO_TARGET_DIR=$CACHE_DIR/host-target
cd "$REPO_DIR" || exit 1

n=0
status=0
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; status=1; fi
}

echo "KTAP version 1"
echo "# host quality: coverage of the decision logic, fuzzing"
exclude='(cases/|cases\.rs|fake\.rs|tests\.rs|invariants\.rs|oracle\.rs)'
report=$(cargo llvm-cov --quiet --summary-only --ignore-filename-regex "$exclude" 2>&1)
total=$(awk '$1 == "TOTAL" { print $10 }' <<<"$report")
missing=$(cargo llvm-cov report --show-missing-lines --ignore-filename-regex "$exclude" 2>/dev/null |
	sed -n '/^Uncovered Lines:/,$p' | sed -e '1d' -e "s|$REPO_DIR/src/\(\.\./\)\?||")
echo "$missing" | sed 's/^/# uncovered: /'
awk -v t="${total%\%}" -v min="$COVERAGE_MIN" 'BEGIN { exit !(t != "" && t >= min) }'
result $? "line coverage of the decision logic: ${total:-unknown} (at least $COVERAGE_MIN%)"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in "${FUZZ_TARGETS[@]}"; do
	mkdir -p "$scratch/$t"
	out=$(cargo fuzz run --fuzz-dir "$FUZZ_DIR" -s none -O "$t" "$scratch/$t" "$FUZZ_DIR/corpus/$t" \
		-- -max_total_time="$FUZZ_SECONDS" -max_len=512 -artifact_prefix="$scratch/" 2>&1)
	rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' <<<"$out")
	[ $rc -eq 0 ] || grep -E -A20 'panicked|ERROR|error' <<<"$out" | head -40 | sed 's/^/# /'
	[ $rc -eq 0 ] && [ -n "$runs" ]
	result $? "fuzz $t: ${runs:-no} runs in ${FUZZ_SECONDS} s without a failure"
done
echo "1..$n"
exit $status
