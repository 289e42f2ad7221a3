#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the kernel's own path-manager selftests, unmodified, with a path
# manager forced in every namespace they create.
#
#   kernel_pm_suites.sh [--reference <C pm>] <pm> pm_netlink.sh
#   kernel_pm_suites.sh [--reference <C pm>] <pm> mptcp_join.sh <group>...
#                                                   (-f -s ..., or "all")
#
# New namespaces inherit net.mptcp.path_manager from the initial one, and
# writing net.mptcp.pm_type=0 (as mptcp_join.sh does in each namespace)
# keeps a path manager of the kernel type (kernel patch 0011).  Its
# userspace groups select the userspace path manager themselves, as they
# would anyway.  mptcp_join.sh runs once per group, so that the results
# can be compared group by group: $OUT/pm-<pm>-<script>.groups gets a
# "<group> <passed> <total>" line each.  For mptcp_join.sh, the module's
# MPTcpRsPmEstablished counter proves which path manager handled the
# connections: it moves with ours and stays still with the kernel's.
# With --reference (the debug kernel's runs), the subtests of a group
# that failed are run again with the kernel's path manager in the same
# boot, and a failed subtest passes when that failed it the same way
# (ksft_report in lib.sh).

. "$(dirname "$0")/lib.sh"

ref=
if [ "${1:-}" = --reference ]; then
	ref=$2
	shift 2
fi
pm=$1 script=$2
shift 2
[ "$ref" = "$pm" ] && ref=
ktap_header "kernel_pm_suites: $script $* with path manager $pm${ref:+, failures judged against $ref}"

# mptcp_join.sh's groups, in its order.
ALL_GROUPS=(f e s L l t r a 6 4 M b p B k S d m z F u I)
groups=("$@")
[ "${groups[*]}" = all ] && groups=("${ALL_GROUPS[@]/#/-}")
[ ${#groups[@]} -eq 0 ] && groups=("")

load_module
sysctl -q -w net.mptcp.path_manager="$pm"
ktap_result $? "net.mptcp.path_manager=$pm in the initial namespace"

ns=inherit-$RANDOM
ip netns add "$ns"
ip netns exec "$ns" sysctl -q net.mptcp.pm_type=0
got=$(ip netns exec "$ns" sysctl -n net.mptcp.path_manager)
ip netns del "$ns"
[ "$got" = "$pm" ]
ktap_result $? "a new namespace starts with it, and keeps it after pm_type=0 (got $got)"

# run_script <pm> <log> <arguments>
run_script() {
	local pm=$1 log=$2
	shift 2
	sysctl -q -w net.mptcp.path_manager="$pm"
	(cd "$KSFT_DIR" && "./$script" "$@") >"$log" 2>&1
}

export SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES=1
# Appended to: a boot may run the same PM and script more than once (in
# parts), and each results directory starts empty.
report=$OUT/pm-$pm-${script%.sh}.groups
handled=$(counter PmEstablished)
for group in "${groups[@]}"; do
	log=$OUT/pm-$pm-${script%.sh}${group}.log
	start=$(date +%s)
	# shellcheck disable=SC2086 # no group: no argument
	run_script "$pm" "$log" $group
	rc=$?
	read -r passed total < <(ksft_subtests "$log" |
		awk -F '\037' '{ n++; p += $1 == "ok" } END { print p + 0, n + 0 }')
	info "$script $group: $passed/$total passed, exit $rc after $(($(date +%s) - start)) s"
	echo "${group:-all} $passed $total" >>"$report"

	# The reference runs the failed subtests only, where the script
	# takes their numbers (mptcp_join.sh does).
	reflog= failed=
	[ $rc -ne 0 ] && [ -n "$ref" ] && failed=$(ksft_failed_numbers "$log")
	if [ -n "$failed" ]; then
		[ "$script" = mptcp_join.sh ] || failed=
		reflog=$OUT/pm-$ref-${script%.sh}${group}-reference.log
		start=$(date +%s)
		# shellcheck disable=SC2086 # the group and the numbers: words
		run_script "$ref" "$reflog" $group $failed
		info "$script $group $failed with $ref: exit $? after $(($(date +%s) - start)) s"
		sysctl -q -w net.mptcp.path_manager="$pm"
	fi

	ksft_verdict "$script $group" $rc "$log" ${reflog:+"$reflog" "$ref"}
done

handled=$(($(counter PmEstablished) - handled))
if [ "$script" != mptcp_join.sh ]; then
	: # no connections: nothing to handle
elif [ "$pm" = kernel ]; then
	[ "$handled" -eq 0 ]
	ktap_result $? "the kernel's path manager handled them (MPTcpRsPmEstablished +$handled)"
else
	[ "$handled" -gt 0 ]
	ktap_result $? "$pm handled the connections (MPTcpRsPmEstablished +$handled)"
fi

sysctl -q -w net.mptcp.path_manager=kernel
ktap_finish
