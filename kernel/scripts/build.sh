#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the custom kernel, the kernel's MPTCP selftests and mptcp_rs.ko.
#
#   build.sh [kernel|selftests|module|all|print-build-dir]
#
# FLAVOR=debug (or DEBUG=1) selects the debug kernel: the kernel's
# kernel/configs/debug.config and kernel/config/debug.config on top.
# Outputs go to $CACHE_DIR/build/<flavor>-<key>, where the key hashes the
# kernel version, the patch series and the config fragments.  A new key starts
# from a copy of the newest build directory of the same flavor, so that a
# patch or config change rebuilds incrementally.
set -euo pipefail

. "$(dirname "$0")/env.sh"

die() { echo "build: error: $*" >&2; exit 1; }

FLAVOR=${FLAVOR:-normal}
[ "${DEBUG:-0}" != 0 ] && FLAVOR=debug
JOBS=${JOBS:-$(nproc)}

fragments=("$REPO_DIR"/kernel/config/{guest,rust,kunit,mptcp}.config)
case $FLAVOR in
normal) ;;
debug) fragments+=("$REPO_DIR/kernel/config/debug.config") ;;
*) die "unknown FLAVOR '$FLAVOR' (normal or debug)" ;;
esac

build_key() {
	(
		echo "$KERNEL_DEB_VERSION"
		cat "$REPO_DIR"/kernel/patches/*.patch 2>/dev/null || true
		cat "${fragments[@]}"
	) | sha256sum | cut -c1-12
}

BUILD_ROOT=$CACHE_DIR/build
BUILD_DIR=$BUILD_ROOT/$FLAVOR-$(build_key)

kmake() { make -s -C "$SRC_DIR" O="$BUILD_DIR" "${KMAKE_FLAGS[@]}" "$@"; }

seed_build_dir() {
	[ -f "$BUILD_DIR/.config" ] && return 0
	local prev
	prev=$(ls -1dt "$BUILD_ROOT/$FLAVOR"-* 2>/dev/null | grep -v -x "$BUILD_DIR" | head -n1 || true)
	mkdir -p "$BUILD_ROOT"
	if [ -n "$prev" ] && [ -f "$prev/.config" ]; then
		echo "build: starting $(basename "$BUILD_DIR") from $(basename "$prev")"
		rm -rf "$BUILD_DIR.tmp"
		cp -a "$prev" "$BUILD_DIR.tmp"
		mv "$BUILD_DIR.tmp" "$BUILD_DIR"
	fi
	# Keep the two newest build directories of this flavor.
	ls -1dt "$BUILD_ROOT/$FLAVOR"-* 2>/dev/null | grep -v -x "$BUILD_DIR" | tail -n +2 |
		xargs -r rm -rf || true
}

# Every option a fragment asks for must survive olddefconfig; "=m" requests
# are satisfied by "=y" because this kernel builds everything in.  As in
# merge_config.sh, a later fragment's value replaces an earlier one's.
check_config() {
	local cfg=$BUILD_DIR/.config bad=0 want got sym
	local -A wants=()
	local -a order=()
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) sym=${line%%=*}; want=${line#*=} ;;
		"# CONFIG_"*" is not set") sym=${line#"# "}; sym=${sym%% *}; want=n ;;
		*) continue ;;
		esac
		[ -n "${wants[$sym]+set}" ] || order+=("$sym")
		wants[$sym]=$want
	done < <(cat "$@")
	for sym in "${order[@]}"; do
		want=${wants[$sym]}
		got=$(sed -n "s/^$sym=//p" "$cfg")
		[ -n "$got" ] || got=n
		[ "$want" = m ] && [ "$got" = y ] && continue
		if [ "$got" != "$want" ]; then
			echo "build: config: $sym=$got, but a fragment asks for $want" >&2
			bad=1
		fi
	done
	return $bad
}

build_kernel() {
	"$REPO_DIR/kernel/scripts/prepare-source.sh"
	seed_build_dir
	mkdir -p "$BUILD_DIR"
	kmake rustavailable >/dev/null || die "Rust is not available to kbuild (run 'make setup')"

	local merged=$BUILD_DIR/.fragments.config
	cat "${fragments[@]}" >"$merged.tmp"
	# The selftests' own requirements, with modules turned into built-ins.
	sed 's/=m$/=y/' "$SRC_DIR/tools/testing/selftests/net/mptcp/config" >>"$merged.tmp"
	# The debug kernel starts from the kernel's own debug.config (options
	# this tree lacks are dropped silently); our debug.config, merged after
	# it, says what must hold.
	if [ "$FLAVOR" = debug ]; then
		cat "$SRC_DIR/kernel/configs/debug.config" "$REPO_DIR/kernel/config/debug.config" \
			>"$merged.debug"
	fi
	if ! cmp -s "$merged.tmp" "$merged" || [ ! -f "$BUILD_DIR/.config" ]; then
		echo "build: configuring $(basename "$BUILD_DIR")"
		local inputs=("$merged.tmp")
		[ "$FLAVOR" = debug ] && inputs=("$merged.tmp" "$merged.debug")
		{
			kmake allnoconfig &&
			(cd "$BUILD_DIR" && "$SRC_DIR/scripts/kconfig/merge_config.sh" -m -Q \
				.config "${inputs[@]}") &&
			kmake olddefconfig
		} >"$BUILD_DIR/.config.log" 2>&1 || die "configuring failed, see $BUILD_DIR/.config.log"
		check_config "$merged.tmp" || die "the config fragments do not hold (see above)"
		mv "$merged.tmp" "$merged"
	else
		rm -f "$merged.tmp"
	fi

	echo "build: kernel ($JOBS jobs)"
	kmake -j"$JOBS" bzImage modules
}

build_selftests() {
	echo "build: MPTCP selftests"
	kmake -j"$JOBS" TARGETS=net/mptcp kselftest-install >/dev/null
}

build_module() {
	echo "build: mptcp_rs.ko"
	mkdir -p "$BUILD_DIR/mptcp_rs"
	make -s -C "$BUILD_DIR" M="$REPO_DIR" MO="$BUILD_DIR/mptcp_rs" \
		"${KMAKE_FLAGS[@]}" -j"$JOBS" ${CLIPPY:+CLIPPY=1} CONFIG_MPTCP_RS=m \
		CONFIG_MPTCP_RS_TEST_HOOKS="${TEST_HOOKS-y}" modules
}

case ${1:-all} in
kernel) build_kernel ;;
selftests) build_selftests ;;
module) build_module ;;
all) build_kernel; build_selftests; build_module ;;
print-build-dir) echo "$BUILD_DIR" ;;
*) die "unknown target '$1'" ;;
esac
