#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# KTAP output for the tests, guest and host side alike: sourced by lib.sh
# and by the host tests that boot their own guest.

KTAP_N=0
KTAP_FAILED=0
KTAP_NFAILED=0

ktap_header() {
	echo "KTAP version 1"
	echo "# $*"
}

ktap_pass() {
	KTAP_N=$((KTAP_N + 1))
	echo "ok $KTAP_N $*"
}

ktap_fail() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_FAILED=1
	KTAP_NFAILED=$((KTAP_NFAILED + 1))
	echo "not ok $KTAP_N $*"
}

# ktap_result <status> <description>: pass when status is 0.
ktap_result() {
	local rc=$1
	shift
	if [ "$rc" -eq 0 ]; then ktap_pass "$@"; else ktap_fail "$@"; fi
}

# ktap_check <description> <command...>: pass when the command succeeds.
ktap_check() {
	local desc=$1
	shift
	"$@"
	ktap_result $? "$desc"
}

ktap_finish() {
	echo "1..$KTAP_N"
	exit "$KTAP_FAILED"
}

info() { echo "# $*"; }
