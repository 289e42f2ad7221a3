#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boots the custom kernel with virtme-ng on the host's root filesystem and
# runs a command in it.
#
#   vm.sh <out-dir> <command>
#   vm.sh <out-dir> --shell    an interactive guest (selftests/shell.sh)
#
# The guest sees MPTCP_RS_KO, KSFT_DIR, KSRC (the patched kernel tree),
# OUT (= <out-dir>, writable) and
# TEST_TIMEOUT (guest-run.sh's limit per test) in its environment.  The
# console is saved to <out-dir>/console.log.  The run fails when the guest
# does not finish, or when the kernel log shows a splat (see check-log.sh),
# whatever the command returned.  On a kernel with kmemleak, the guest ends
# with a scan whose reports fail the run too.
#
# Acceleration: TCG unless a probe boot under KVM succeeds (cached per
# kernel build); MPTCP_RS_KVM=0/1 forces the choice.
set -u

. "$(dirname "$0")/../kernel/scripts/env.sh"

out=$1
cmd=$2
BUILD_DIR=${BUILD_DIR:-$("$REPO_DIR/kernel/scripts/build.sh" print-build-dir)}
mkdir -p "$out"
out=$(cd "$out" && pwd)

vng_args=(--run "$BUILD_DIR" --force-9p --cpus "${VM_CPUS:-2}"
	--memory "${VM_MEMORY:-2G}" --rwdir "$out")
# The debug kernel boots with 4-level paging (no5lvl): with 5-level
# paging (TCG's -cpu max has LA57), mainline KASAN reports a false
# wild-memory-access in about one boot in ten, at 0.01 s, from an
# interrupt taken inside identify_cpu() (Documentation/testing.rst).
case $(basename "$BUILD_DIR") in
debug-*) vng_args+=(--append no5lvl) ;;
esac

kvm_usable() {
	case ${MPTCP_RS_KVM:-} in
	0) return 1 ;;
	1) return 0 ;;
	esac
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	local stamp=$BUILD_DIR/.kvm-probe
	if [ ! -f "$stamp" ]; then
		echo "vm: probing KVM with a test boot"
		if timeout 30 "$VNG" "${vng_args[@]}" --exec 'echo KVM-PROBE-OK' </dev/null 2>&1 |
			grep -q KVM-PROBE-OK; then
			echo yes >"$stamp"
		else
			echo no >"$stamp"
		fi
	fi
	[ "$(cat "$stamp")" = yes ]
}

accel=(--disable-kvm)
mode=TCG
if kvm_usable; then
	accel=()
	mode=KVM
fi

if [ "$cmd" = --shell ]; then
	# The login shell is a script in <out-dir> that carries what the
	# guest needs to know, then runs shell.sh on the terminal.
	login=$out/.shell
	{
		echo '#!/bin/bash'
		printf 'export MPTCP_RS_KO=%q KSFT_DIR=%q KSRC=%q OUT=%q SCHED=%q PM=%q\n' \
			"$BUILD_DIR/mptcp_rs/mptcp_rs.ko" \
			"$BUILD_DIR/kselftest/kselftest_install/net/mptcp" "$SRC_DIR" "$out" \
			"${SCHED:-rs_default}" "${PM:-rs_kernel}"
		[ -n "${MPTCP_RS_SHELL_CHECK:-}" ] && echo "export MPTCP_RS_SHELL_CHECK=1"
		printf 'exec %q\n' "$REPO_DIR/selftests/shell.sh"
	} >"$login"
	chmod +x "$login"
	echo "vm: booting $(basename "$BUILD_DIR") under $mode, interactive"
	# Without --verbose: the kernel's messages stay off the terminal.
	exec "$VNG" "${vng_args[@]}" "${accel[@]}" --shell "$login"
fi

guest="export MPTCP_RS_KO=$BUILD_DIR/mptcp_rs/mptcp_rs.ko"
guest+=" KSFT_DIR=$BUILD_DIR/kselftest/kselftest_install/net/mptcp KSRC=$SRC_DIR OUT=$out"
guest+=" TEST_TIMEOUT=${TEST_TIMEOUT:-1800};"
guest+=" $cmd; echo \$? >$out/.done;"
# On a kernel with kmemleak, end with a scan: any leak report fails the run.
guest+=" if [ -w /sys/kernel/debug/kmemleak ]; then echo scan >/sys/kernel/debug/kmemleak;"
guest+=" sleep 6; echo scan >/sys/kernel/debug/kmemleak;"
guest+=" cat /sys/kernel/debug/kmemleak >$out/kmemleak.txt; fi;"
guest+=" dmesg >$out/dmesg.txt"
echo "vm: booting $(basename "$BUILD_DIR") under $mode"
rm -f "$out/console.log" "$out/.done" "$out/dmesg.txt" "$out/kmemleak.txt"
start=$(date +%s)
timeout "${VM_TIMEOUT:-3600}" "$VNG" "${vng_args[@]}" --verbose "${accel[@]}" --exec "$guest" \
	</dev/null 2>&1 | tee "$out/console.log" | grep -v -E '^\[ *[0-9]+\.[0-9]+\]'
echo "vm: guest ran for $(($(date +%s) - start)) s"
status=0
if [ ! -f "$out/.done" ]; then
	echo "vm: the guest did not finish the command"
	status=1
elif [ "$(cat "$out/.done")" != 0 ]; then
	status=$(cat "$out/.done")
fi
if ! "$REPO_DIR/selftests/check-log.sh" --decode "$BUILD_DIR" "$out/console.log" "$out/dmesg.txt" "$out/kmemleak.txt"; then
	echo "vm: the kernel log shows a problem"
	status=1
fi
exit "$status"
