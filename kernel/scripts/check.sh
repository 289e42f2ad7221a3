#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks, as KTAP: checkpatch --strict on every patch, the series'
# numbering, rustfmt on all Rust
# (with the kernel's settings), clippy with the kernel's lint set on the
# module, the C/Rust struct layout check, clippy on the host crate.
set -u

. "$(dirname "$0")/env.sh"

"$REPO_DIR/kernel/scripts/prepare-source.sh" >/dev/null || exit 1
status=0
n=0

# result <status> <what>: one KTAP line.
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		status=1
	fi
}

# FILE_PATH_CHANGES asks whether MAINTAINERS needs updating for a new
# file; the MPTCP entry already covers every directory the series adds to
# (net/mptcp/, tools/testing/selftests/net/mptcp/, include/net/mptcp.h).
for p in "$REPO_DIR"/kernel/patches/*.patch; do
	(cd "$SRC_DIR" && ./scripts/checkpatch.pl --strict -q --ignore FILE_PATH_CHANGES "$p")
	result $? "checkpatch --strict $(basename "$p")"
done

# The series reads as one: "[PATCH NN/total]" in every subject, NN the
# file's number, total the number of patches.
patches=("$REPO_DIR"/kernel/patches/*.patch)
bad=$(for p in "${patches[@]}"; do
	f=$(basename "$p")
	want=$(printf '[PATCH %02d/%02d]' "$((10#${f%%-*}))" "${#patches[@]}")
	grep -q -m1 -F "Subject: $want " "$p" || echo "# $f: subject is not $want"
done)
[ -z "$bad" ] || echo "$bad"
result "$([ -z "$bad" ]; echo $?)" "patch subjects number the series (${#patches[@]} patches)"

rustfmt --check --edition 2021 --config-path "$SRC_DIR/.rustfmt.toml" \
	"$REPO_DIR/src/mptcp_rs.rs" "$REPO_DIR/src/logic.rs" "$REPO_DIR"/selftests/fuzz/fuzz_targets/*.rs
result $? "rustfmt (kernel settings)"

touch "$REPO_DIR/src/mptcp_rs.rs"
out=$(CLIPPY=1 "$REPO_DIR/kernel/scripts/build.sh" module 2>&1) &&
	! grep -q -E '^(warning|error)' <<<"$out"
rc=$?
[ $rc -eq 0 ] || echo "$out"
result $rc "clippy on the module, kernel lint set"

out=$("$REPO_DIR/kernel/scripts/layout-check.sh" 2>&1)
rc=$?
[ $rc -eq 0 ] || echo "$out" | sed 's/^/# /'
result $rc "C and Rust agree on the layout of what src/ffi/ reads (${out##*layout-check: })"

(cd "$REPO_DIR" && cargo clippy --quiet --all-targets -- -D warnings)
result $? "clippy on the host crate"
echo "1..$n"
exit $status
