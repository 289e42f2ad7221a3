#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: one guest boot runs selftests/bench/bench.py (every scheduler
# side by side with the kernel's C default), then report.py, in the tools
# venv (pinned numpy, scipy and matplotlib), turns the measurements into
# bench.md, results.json and SVG plots, and prints the targets table.
#
#   QUICK=1    3 repetitions and 4 MiB instead of 16 MiB shaped transfers
#              (S6 keeps 1 GiB per measurement, S7 200 connections):
#              about 7 minutes in the guest
#   PUBLISH=1  also copy the report to Documentation/bench/
#   ONLY=S1a,S8a,W,S6,...  these scenarios only
#
# Results go to $CACHE_DIR/results/bench-<time>/.  The statistics are
# tested by selftests/bench/test_report.py.

. "$(dirname "$0")/../../kernel/scripts/env.sh"

python=$TOOLS_DIR/venv/bin/python
if ! "$python" -c 'import numpy, scipy, matplotlib' 2>/dev/null; then
	echo "bench: $python lacks numpy, scipy or matplotlib: run make setup" >&2
	exit 1
fi
results=$CACHE_DIR/results/bench-$(date +%Y%m%d-%H%M%S)
mkdir -p "$results"
args=(--out "$results/bench.jsonl")
[ "${QUICK:-0}" != 0 ] && args+=(--quick)
[ -n "${ONLY:-}" ] && args+=(--only "$ONLY")
echo "bench: results in $results"
VM_TIMEOUT=${VM_TIMEOUT:-4500} "$REPO_DIR/selftests/vm.sh" "$results" \
	"python3 $REPO_DIR/selftests/bench/bench.py run ${args[*]}"
status=$?
"$python" "$REPO_DIR/selftests/bench/report.py" "$results/bench.jsonl" "$results" || exit 1
if [ "${PUBLISH:-0}" != 0 ]; then
	mkdir -p "$REPO_DIR/Documentation/bench"
	cp "$results"/{bench.md,results.json,*.svg} "$REPO_DIR/Documentation/bench/"
	echo "bench: report copied to Documentation/bench/"
fi
exit $status
