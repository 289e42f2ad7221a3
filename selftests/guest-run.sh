#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Entry point inside the guest: runs each test given as "script [args...]"
# (one argument each, or one line each of the file after --list), storing
# its KTAP in $OUT/NN.ktap and its exit status in $OUT/NN.rc, then saves
# the kernel log.

dir=$(cd "$(dirname "$0")" && pwd)
export MPTCP_RS_KO KSFT_DIR OUT
if [ "${1:-}" = --list ]; then
	mapfile -t tests <"$2"
	set -- "${tests[@]}"
fi
n=0
for test in "$@"; do
	n=$((n + 1))
	id=$(printf '%02d' $n)
	echo "# guest: running $test"
	start=$(date +%s)
	# shellcheck disable=SC2086 # the test string carries its arguments
	timeout --foreground "${TEST_TIMEOUT:-1800}" bash "$dir"/$test \
		>"$OUT/$id.ktap" 2>"$OUT/$id.err"
	echo $? >"$OUT/$id.rc"
	echo "$test" >"$OUT/$id.name"
	cat "$OUT/$id.ktap"
	echo "# guest: $test: exit $(cat "$OUT/$id.rc") after $(($(date +%s) - start)) s"
done
