#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Entry point inside the guest: runs each test given as "script [args...]"
# (one argument each, or one line each of the file after --list), storing
# its KTAP in $OUT/NN.ktap and its exit status in $OUT/NN.rc.  Each test's
# output is shown as it comes, between a "[i/N] test" line and one with
# its exit status and duration.

dir=$(cd "$(dirname "$0")" && pwd)
export MPTCP_RS_KO KSFT_DIR OUT
if [ "${1:-}" = --list ]; then
	mapfile -t tests <"$2"
	set -- "${tests[@]}"
fi
n=0
all=$(date +%s)
for test in "$@"; do
	n=$((n + 1))
	id=$(printf '%02d' $n)
	echo "# guest: [$n/$#] $test ($(($(date +%s) - all)) s into the run)"
	start=$(date +%s)
	# shellcheck disable=SC2086 # the test string carries its arguments
	timeout --foreground "${TEST_TIMEOUT:-1800}" bash "$dir"/$test \
		>"$OUT/$id.ktap" 2>"$OUT/$id.err" &
	pid=$!
	# Shown as it is written; a process the test leaves behind cannot
	# hold the run up, as it could a pipe.
	tail -s 1 -n +1 -f --pid=$pid "$OUT/$id.ktap" &
	tailer=$!
	wait $pid
	echo $? >"$OUT/$id.rc"
	wait $tailer
	echo "$test" >"$OUT/$id.name"
	echo "# guest: [$n/$#] $test: exit $(cat "$OUT/$id.rc") after $(($(date +%s) - start)) s"
done
