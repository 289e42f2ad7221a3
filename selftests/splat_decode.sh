#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host side: a splat fails the guest run and comes out decoded.  Boots the
# guest, loads the module and makes it WARN through its test hook
# (/sys/kernel/debug/mptcp_rs/warn), then checks what selftests/vm.sh
# printed: the run failed because of the kernel log, and the trace was
# decoded to file:line both in the module (a line of the hook, up to its
# warn_on!) and in the kernel (vfs_write in fs/read_write.c, on the way
# from the write to the hook).  KTAP on stdout; vm.sh's output is kept in
# <out-dir>/vm.log.
#
#   splat_decode.sh <out-dir>

. "$(dirname "$0")/../kernel/scripts/env.sh"
. "$(dirname "$0")/ktap.sh"

out=$1
mkdir -p "$out"
log=$out/vm.log
hook=/sys/kernel/debug/mptcp_rs/warn
ktap_header "splat_decode: a WARN from the module, decoded to source lines"
"$REPO_DIR/selftests/vm.sh" "$out" "insmod \$MPTCP_RS_KO && echo 1 >$hook && echo WARN-WRITTEN" \
	>"$log" 2>&1
status=$?

# The hook's lines, from its fn to its warn_on!: decode_stacktrace.sh
# looks up the address before the one the trace shows, which may be the
# statement before the warn_on!.
read -r first last < <(awk '/impl debugfs::Reader for Warn/ { in_hook = 1 }
	in_hook && /fn read_from_slice/ && !first { first = NR }
	in_hook && /warn_on!\(true\)/ { print first, NR; exit }' "$REPO_DIR/src/test_hooks.rs")
has() { grep -q -E -- "$1" "$log"; }
failed_on_log() {
	[ "$status" != 0 ] && has WARN-WRITTEN && has "the kernel log shows a problem"
}
decoded_module() {
	local n
	[ -n "$last" ] && has "check-log: .*decoded:" || return 1
	# Decoded locations are in parentheses, "(file:line file:line)"; the
	# WARNING line's own "at src/test_hooks.rs:N" is not one.
	for n in $(grep -o -E '\([^()]*test_hooks\.rs:[0-9]+[^()]*\)' "$log" |
		grep -o -E 'test_hooks\.rs:[0-9]+' | cut -d: -f2); do
		[ "$n" -ge "$first" ] && [ "$n" -le "$last" ] && return 0
	done
	return 1
}
ktap_check "the module's WARN fails the guest run (vm.sh status $status)" failed_on_log
ktap_check "the trace is decoded to the hook in the module (src/test_hooks.rs:$first-$last)" \
	decoded_module
ktap_check "the trace is decoded in the kernel too (vfs_write, fs/read_write.c)" \
	has "vfs_write.*\\(fs/read_write\\.c:[0-9]+\\)"
if [ "$KTAP_FAILED" != 0 ]; then
	echo "# what vm.sh printed:"
	sed 's/^/# /' "$log" | tail -80
fi
ktap_finish
