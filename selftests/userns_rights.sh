#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Who may change what: root of a user namespace that an unprivileged user
# created (a container), in a network namespace of its own, tries every
# net.mptcp.rs.* sysctl, the MPTCP sysctls a container sets, every
# `ip mptcp` operation, and what belongs to the host (module parameters,
# debugfs, loading and unloading the module).  Each row of the table below
# says what must happen: allowed (the new value reads back), or refused
# with that errno and nothing changed.  Documentation/design.rst has the
# table and the reasons.

. "$(dirname "$0")/lib.sh"

ktap_header "userns_rights: what root of an unprivileged container may change"
load_module

# operation | expected: ok, or the errno name
TABLE="
sysctl net.mptcp.rs.blackhole_mode=1|ok
sysctl net.mptcp.rs.blackhole_adaptive_threshold=3|ok
sysctl net.mptcp.rs.blackhole_table_size=512|ok
sysctl net.mptcp.rs.blackhole_table_size=2048|EPERM
sysctl net.mptcp.rs.blackhole_entries=5|EACCES
sysctl net.mptcp.rs.blackhole_table_capacity=5|EACCES
sysctl net.mptcp.rs.ndiffports=2|ok
sysctl net.mptcp.scheduler=rs_blest|ok
sysctl net.mptcp.path_manager=rs_kernel|ok
sysctl net.mptcp.blackhole_timeout=0|ok
ip mptcp limits set subflows 4 add_addr_accepted 4|ok
ip mptcp endpoint add 10.0.9.1 id 9 signal|ok
ip mptcp endpoint change id 9 backup|ok
ip mptcp endpoint delete id 9|ok
ip mptcp endpoint add 10.0.9.2 id 10 subflow|ok
ip mptcp endpoint flush|ok
sysctl net.mptcp.rs.rr_segments=3|ok
sysctl net.mptcp.rs.pm_retry_max=2|ok
param rr_segments=3|EACCES
debugfs blackhole_inject=10.0.0.1|EACCES
rmmod mptcp_rs|EPERM
"

# Runs in the container: each operation, then a line
# "<operation>|<ok or errno>|<state before>|<state after>".
inside() {
	local op rest
	state() {
		case $1 in
		sysctl) cat "/proc/sys/$(tr . / <<<"${2%%=*}")" 2>/dev/null ;;
		ip) ip mptcp endpoint show | tr '\n' ' '; ip mptcp limits show ;;
		param) cat "/sys/module/mptcp_rs/parameters/${2%%=*}" ;;
		debugfs) echo - ;;
		rmmod) grep -c '^mptcp_rs ' /proc/modules ;;
		esac
	}
	# errno names from the messages of the tools and of bash's redirection.
	errno() {
		case $1 in
		*"Permission denied"*) echo EACCES ;;
		*"Operation not permitted"*) echo EPERM ;;
		*"Invalid argument"*) echo EINVAL ;;
		*"No such file"*) echo ENOENT ;;
		*) echo "other: $1" ;;
		esac
	}
	while IFS='|' read -r op _; do
		[ -n "$op" ] || continue
		read -r -a w <<<"$op"
		before=$(state "${w[0]}" "${w[1]:-}")
		case ${w[0]} in
		sysctl) err=$(bash -c "echo '${w[1]#*=}' >/proc/sys/$(tr . / <<<"${w[1]%%=*}")" 2>&1) ;;
		ip) err=$("${w[@]}" 2>&1) ;;
		param) err=$(bash -c "echo ${w[1]#*=} >/sys/module/mptcp_rs/parameters/${w[1]%%=*}" 2>&1) ;;
		debugfs) err=$(bash -c "echo ${w[1]#*=} >/sys/kernel/debug/mptcp_rs/${w[1]%%=*}" 2>&1) ;;
		rmmod) err=$(rmmod "${w[1]}" 2>&1) ;;
		esac
		rc=$?
		after=$(state "${w[0]}" "${w[1]:-}")
		if [ $rc = 0 ]; then got=ok; else got=$(errno "$err"); fi
		echo "$op|$got|$before|$after"
	done
}

results=$(printf '%s\n' "$TABLE" |
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare --user --map-root-user --net \
		bash -c "$(declare -f inside); inside")
info "the container's uid 0 is the host's 65534"

while IFS='|' read -r op want; do
	[ -n "$op" ] || continue
	line=$(grep -F -m1 "$op|" <<<"$results")
	IFS='|' read -r _ got before after <<<"$line"
	if [ -z "$line" ]; then
		ktap_fail "$op: no result"
	elif [ "$want" = ok ]; then
		# Allowed: it took effect (for a sysctl, the value reads back).
		case $op in
		sysctl*) [ "$got" = ok ] && [ "$after" = "${op#*=}" ] ;;
		*) [ "$got" = ok ] ;;
		esac
		ktap_result $? "$op: allowed (got $got; ${before:-''} -> ${after:-''})"
	else
		[ "$got" = "$want" ] && [ "$before" = "$after" ]
		ktap_result $? "$op: refused with $want, nothing changed (got $got; ${before:-''} -> ${after:-''})"
	fi
done <<<"$TABLE"

# The host's own values stayed as they were.
[ "$(sysctl -n net.mptcp.rs.blackhole_table_size)" = 1024 ] &&
	[ "$(sysctl -n net.mptcp.scheduler)" = default ] &&
	grep -q '^mptcp_rs ' /proc/modules
ktap_result $? "the host's namespace kept its values, and the module stayed loaded"
ktap_finish
