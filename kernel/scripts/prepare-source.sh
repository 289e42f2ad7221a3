#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Derive the patched tree ($SRC_DIR) from the pristine one: pristine 7.3.4
# plus kernel/patches/*.patch, applied in order.  Only the files whose
# patched content changes are rewritten, so that a warm build directory
# rebuilds incrementally after a patch changes.
set -euo pipefail

. "$(dirname "$0")/env.sh"

die() { echo "prepare-source: error: $*" >&2; exit 1; }

"$REPO_DIR/kernel/scripts/fetch-source.sh"

patches=("$REPO_DIR"/kernel/patches/*.patch)
[ -e "${patches[0]}" ] || patches=()
series=$( (echo "$KERNEL_DEB_VERSION"; cat "${patches[@]}" /dev/null) | sha256sum | cut -c1-16)

if [ -f "$SRC_DIR/.complete" ] && [ "$(cat "$SRC_DIR/.series" 2>/dev/null)" = "$series" ]; then
	exit 0
fi

if [ ! -f "$SRC_DIR/.complete" ]; then
	echo "prepare-source: copying the pristine tree"
	rm -rf "$SRC_DIR" "$SRC_DIR.tmp"
	cp -a "$PRISTINE_DIR" "$SRC_DIR.tmp"
	rm -f "$SRC_DIR.tmp/.complete"
	: >"$SRC_DIR.tmp/.patched-files"
	mv "$SRC_DIR.tmp" "$SRC_DIR"
	touch "$SRC_DIR/.complete"
fi

# Files a series touches, from the diff headers.
touched() {
	[ $# -gt 0 ] || return 0
	sed -n -e 's|^--- a/||p' -e 's|^+++ b/||p' "$@" | sort -u
}

# Record the union first: if applying fails half way, the next run still
# knows which files to restore.
rm -f "$SRC_DIR/.series"
new_files=$(touched "${patches[@]}")
sort -u "$SRC_DIR/.patched-files" <(printf '%s\n' "$new_files") | sed '/^$/d' >"$SRC_DIR/.patched-files.new"
mv "$SRC_DIR/.patched-files.new" "$SRC_DIR/.patched-files"

# The series is applied to pristine copies of those files in a staging
# tree; only the files whose content changes are written to $SRC_DIR, so
# that their timestamps, and make's view of them, move only then (a patch
# touching include/net/sock.h would otherwise rebuild the whole kernel).
stage=$SRC_DIR.stage
rm -rf "$stage"
mkdir -p "$stage"
while read -r f; do
	if [ -e "$PRISTINE_DIR/$f" ]; then
		mkdir -p "$stage/$(dirname "$f")"
		cp "$PRISTINE_DIR/$f" "$stage/$f"
	fi
done <"$SRC_DIR/.patched-files"

for p in "${patches[@]}"; do
	(cd "$stage" && git apply --whitespace=error-all "$p") ||
		die "patch $(basename "$p") does not apply to Linux $KERNEL_VERSION"
	echo "prepare-source: applied $(basename "$p")"
done

changed=0
while read -r f; do
	if [ -e "$stage/$f" ]; then
		if ! cmp -s "$stage/$f" "$SRC_DIR/$f"; then
			mkdir -p "$SRC_DIR/$(dirname "$f")"
			cp "$stage/$f" "$SRC_DIR/$f"
			changed=$((changed + 1))
		fi
	elif [ -e "$SRC_DIR/$f" ]; then
		rm -f "$SRC_DIR/$f"
		changed=$((changed + 1))
	fi
done <"$SRC_DIR/.patched-files"
rm -rf "$stage"
echo "prepare-source: $changed file(s) changed"

printf '%s\n' "$new_files" | sed '/^$/d' >"$SRC_DIR/.patched-files"
echo "$series" >"$SRC_DIR/.series"
