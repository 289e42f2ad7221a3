#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# summary.sh <results-dir>: counts the results of a test run and prints
# the failures and a final "N passed, N failed" line.  Exits non-zero when
# anything failed.  A skipped test counts as failed: nothing may be skipped.
#
# Inputs in <results-dir>:
#   host-cargo.log         output of `cargo test`
#   host-*.ktap            static checks (kernel/scripts/check.sh), coverage
#                          and fuzzing (selftests/host-quality.sh), make
#                          shell (selftests/shell_test.sh)
#   NN.ktap, NN.rc, NN.name   one per guest test (guest-run.sh)
#   vm.status              exit status of vm.sh (guest finished, log clean)
#   tests.expected         number of guest tests that should have run

dir=$1
passed=0
failed=0
skipped=0
failures=()

fail() {
	failed=$((failed + 1))
	failures+=("$*")
}

# Host: cargo prints one "test result:" line per test binary.
if [ -f "$dir/host-cargo.log" ]; then
	while read -r p f; do
		passed=$((passed + p))
		failed=$((failed + f))
	done < <(sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' \
		"$dir/host-cargo.log")
	grep -q '^test result: ok' "$dir/host-cargo.log" || fail "host: cargo test did not run"
	while read -r t; do failures+=("host: $t"); done < <(sed -n 's/^test \(.*\) \.\.\. FAILED$/\1/p' "$dir/host-cargo.log")
fi

# count_ktap <name> <file>: the top-level KTAP lines of a result file;
# sets $ran when there was at least one.
count_ktap() {
	local name=$1 line
	ran=0
	while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"*)
			skipped=$((skipped + 1))
			fail "$name: ${line#ok } (skipped)"
			ran=1
			;;
		"ok "*) passed=$((passed + 1)); ran=1 ;;
		"not ok "*) fail "$name: ${line#not ok }"; ran=1 ;;
		esac
	done <"$2"
}

for f in "$dir"/host-*.ktap; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .ktap)
	count_ktap "host: ${name#host-}" "$f"
	[ $ran = 1 ] || fail "host: ${name#host-} reported no result"
done

# Guest: the top-level KTAP lines of each test.
expected=$(cat "$dir/tests.expected" 2>/dev/null || echo 0)
for n in $(seq -f '%02g' 1 "$expected"); do
	name=$(cat "$dir/$n.name" 2>/dev/null || echo "guest test $n")
	if [ ! -f "$dir/$n.rc" ]; then
		fail "$name: did not run"
		continue
	fi
	count_ktap "$name" "$dir/$n.ktap"
	rc=$(cat "$dir/$n.rc")
	if [ "$rc" != 0 ] && [ $ran = 1 ] && ! grep -q '^not ok' "$dir/$n.ktap"; then
		fail "$name: exited $rc"
	elif [ $ran = 0 ]; then
		fail "$name: reported no result (exit $rc)"
	fi
done

if [ -f "$dir/vm.status" ]; then
	if [ "$(cat "$dir/vm.status")" = 0 ]; then
		passed=$((passed + 1))
	else
		fail "vm: the guest did not finish cleanly or the kernel log shows a problem (console.log)"
	fi
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "failures:"
	printf '  %s\n' "${failures[@]}"
fi
[ $skipped -gt 0 ] && echo "($skipped skipped, counted as failed)"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
