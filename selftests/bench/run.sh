#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: one guest boot runs selftests/bench/bench.py (every scheduler
# side by side with the kernel's C default), then report.py turns the
# measurements into bench.md, results.json and SVG plots.
#
#   QUICK=1    3 repetitions and smaller transfers (about 5 minutes)
#   PUBLISH=1  also copy the report to Documentation/bench/
#   ONLY=S1a,S3b,...  these scenarios only
#
# Results go to $CACHE_DIR/results/bench-<time>/.

. "$(dirname "$0")/../../kernel/scripts/env.sh"

results=$CACHE_DIR/results/bench-$(date +%Y%m%d-%H%M%S)
mkdir -p "$results"
args=(--out "$results/bench.jsonl")
[ "${QUICK:-0}" != 0 ] && args+=(--quick)
[ -n "${ONLY:-}" ] && args+=(--only "$ONLY")
echo "bench: results in $results"
VM_TIMEOUT=${VM_TIMEOUT:-3600} "$REPO_DIR/selftests/vm.sh" "$results" \
	"python3 $REPO_DIR/selftests/bench/bench.py run ${args[*]}"
status=$?
python3 "$REPO_DIR/selftests/bench/report.py" "$results/bench.jsonl" "$results" || exit 1
if [ "${PUBLISH:-0}" != 0 ]; then
	mkdir -p "$REPO_DIR/Documentation/bench"
	cp "$results"/{bench.md,results.json,*.svg} "$REPO_DIR/Documentation/bench/"
	echo "bench: report copied to Documentation/bench/"
fi
exit $status
