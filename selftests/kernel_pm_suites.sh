#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the kernel's own path-manager selftests, unmodified, with a path
# manager forced in every namespace they create.
#
#   kernel_pm_suites.sh <pm> pm_netlink.sh
#   kernel_pm_suites.sh <pm> mptcp_join.sh <group>...   (-f -s ..., or "all")
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

. "$(dirname "$0")/lib.sh"

pm=$1 script=$2
shift 2
ktap_header "kernel_pm_suites: $script $* with path manager $pm"

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

export SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES=1
# Appended to: a boot may run the same PM and script more than once (in
# parts), and each results directory starts empty.
report=$OUT/pm-$pm-${script%.sh}.groups
handled=$(counter PmEstablished)
for group in "${groups[@]}"; do
	log=$OUT/pm-$pm-${script%.sh}${group}.log
	start=$(date +%s)
	# shellcheck disable=SC2086 # no group: no argument
	(cd "$KSFT_DIR" && "./$script" $group) >"$log" 2>&1
	rc=$?
	passed=0 total=0
	while read -r status rest; do
		name=${rest#*- }
		total=$((total + 1))
		case $status:$name in
		ok:*"# SKIP"* | ok:*"# IGNORE"*) ktap_fail "$script $group: $name" ;;
		ok:*) passed=$((passed + 1)); ktap_pass "$script $group: $name" ;;
		*) ktap_fail "$script $group: $name" ;;
		esac
	done < <(sed -n '/^TAP version/,$ p' "$log" | grep -E '^(not )?ok [0-9]+' |
		sed -e 's/^not ok/not_ok/')
	info "$script $group: $passed/$total passed, exit $rc after $(($(date +%s) - start)) s"
	echo "${group:-all} $passed $total" >>"$report"
	ktap_result $rc "$script $group exits with success"
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
