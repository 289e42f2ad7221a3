#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile configuration input: a table of bad values for everything the
# module exposes (the scheduler sysctl, the tunables, net.mptcp.rs.*, the
# debugfs injector) and for the `ip mptcp endpoint` / `limits` store our
# path managers read.  Each must fail with the expected error, and the
# state read back afterwards must be unchanged.

. "$(dirname "$0")/lib.sh"

ktap_header "hostile_config: bad input is refused and changes nothing"
trap cleanup_netns EXIT
load_module
setup_two_paths default 0 0 0 0
NS=$NS_CLI
P=/sys/module/mptcp_rs/parameters

# modinfo -p describes every parameter the loaded module has, and no other.
described=$(modinfo -p "$MPTCP_RS_KO" | awk -F: '$2 != "" { print $1 }' | sort | tr '\n' ' ')
present=$(ls $P | sort | tr '\n' ' ')
[ -n "$present" ] && [ "$described" = "$present" ]
ktap_result $? "modinfo -p describes every parameter ($present)"

# write_fails <file> <value> <expected error> <what>: one write(2) of
# <value> to <file> (in $NS) fails with that error (strerror text) and the
# file reads the same afterwards.
write_fails() {
	local file=$1 value=$2 want=$3 what=$4 before after err
	before=$(ip netns exec $NS cat "$file")
	err=$(ip netns exec $NS python3 -c '
import os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY)
    os.write(fd, sys.argv[2].encode())
    print("accepted")
except OSError as e:
    print(e.strerror)
    sys.exit(1)' "$file" "$value" 2>&1)
	local rc=$?
	after=$(ip netns exec $NS cat "$file")
	[ $rc -ne 0 ] && [ "$before" = "$after" ] && [ "$err" = "$want" ]
	local shown=${value:0:24}
	ktap_result $? "$what: '${shown//$'\n'/\\n}' -> $err (kept '$after')"
}

S=/proc/sys/net/mptcp/scheduler
ENOENT="No such file or directory"
EINVAL="Invalid argument"
write_fails $S no_such_sched "$ENOENT" "scheduler, unknown name"
write_fails $S $'\n' "$ENOENT" "scheduler, empty name"
write_fails $S rs_default_too_long_name "$ENOENT" "scheduler, name too long"
write_fails $S "$(printf 'x%.0s' $(seq 300))" "$ENOENT" "scheduler, 300 bytes"
PM=/proc/sys/net/mptcp/path_manager
write_fails $PM no_such_pm "$ENOENT" "path_manager, unknown name"
write_fails $PM $'\n' "$ENOENT" "path_manager, empty name"
write_fails $PM kernel_with_a_long_name "$ENOENT" "path_manager, name too long"
write_fails /proc/sys/net/mptcp/pm_type 2 "$EINVAL" "pm_type, beyond the last type"

for t in "rr_segments 0" "rr_segments 65" "rr_segments -1" "rr_segments 4294967296" \
	"rr_segments 1x" "rr_segments @nl" "ecf_beta 1001" \
	"backup_stale_ms 9" "backup_stale_ms 60001" \
	"blest_lambda_min 499" "blest_lambda_max 4001" "blest_lambda_min 1301" \
	"blest_lambda_max 999" "pm_retry_ms 9" "pm_retry_ms 600001" "pm_retry_max 17" \
	"pm_retry_max -1"; do
	read -r name value <<<"$t"
	[ "$value" = @nl ] && value=$'\n'
	write_fails /proc/sys/net/mptcp/rs/"$name" "$value" "$EINVAL" "tunable $name"
done
write_fails $P/rr_segments 4 "Permission denied" "module parameter rr_segments (read-only after load)"

R=/proc/sys/net/mptcp/rs
write_fails $R/blackhole_mode 3 "$EINVAL" "blackhole_mode"
write_fails $R/blackhole_mode -1 "$EINVAL" "blackhole_mode"
write_fails $R/blackhole_mode abc "$EINVAL" "blackhole_mode"
write_fails $R/blackhole_table_size 3 "$EINVAL" "blackhole_table_size"
write_fails $R/blackhole_table_size 65537 "$EINVAL" "blackhole_table_size"
write_fails $R/blackhole_table_size 99999999999 "$EINVAL" "blackhole_table_size"
write_fails $R/blackhole_entries 5 "Permission denied" "blackhole_entries (read-only)"
write_fails $R/blackhole_table_capacity 5 "Permission denied" "blackhole_table_capacity (read-only)"
write_fails $R/blackhole_adaptive_threshold 0 "$EINVAL" "blackhole_adaptive_threshold"
write_fails $R/blackhole_adaptive_threshold 9 "$EINVAL" "blackhole_adaptive_threshold"
# ndiffports: at least 1, at most 1 + the subflows limit (2 here), 65 at most.
write_fails $R/ndiffports 0 "$EINVAL" "ndiffports, no subflow"
write_fails $R/ndiffports 4 "$EINVAL" "ndiffports, above the subflows limit"
write_fails $R/ndiffports 66 "$EINVAL" "ndiffports, above the maximum"
write_fails $R/ndiffports -3 "$EINVAL" "ndiffports, negative"
write_fails $R/ndiffports x "$EINVAL" "ndiffports, not a number"

I=/sys/kernel/debug/mptcp_rs/blackhole_inject
for v in "10.0.0.1" "10.0.0 5" "10.0.0.256 5" "1.2.3.4 x" "$(printf 'y%.0s' $(seq 64))"; do
	! sh -c 'printf "%s" "$1" >"$2"' _ "$v" $I 2>/dev/null
	ktap_result $? "blackhole_inject refuses '${v:0:24}'"
done

# The endpoint store and the limits, with our path manager selected: each
# bad request is refused with the kernel's message and leaves the listing
# unchanged.
ip netns exec $NS sysctl -q net.mptcp.path_manager=rs_kernel
ip -n $NS mptcp endpoint add 10.0.1.1 id 5 subflow
ip -n $NS mptcp limits set subflows 2 add_addr_accepted 2
state() { ip -n $NS mptcp endpoint show; ip -n $NS mptcp limits show; }
ip_fails() {
	local what=$1 want=$2 before err
	shift 2
	before=$(state)
	err=$(ip -n $NS mptcp "$@" 2>&1)
	local rc=$?
	[ $rc -ne 0 ] && [ "$(state)" = "$before" ] && [[ $err == *"$want"* ]]
	ktap_result $? "ip mptcp $*: $what: ${err:0:72}"
}
ip_fails "duplicate id" "duplicate one: -16" endpoint add 10.0.2.1 id 5 subflow
ip_fails "duplicate address" "duplicate one: -17" endpoint add 10.0.1.1 id 6 subflow
ip_fails "port without signal" "flags must have signal when using port" \
	endpoint add 10.0.2.1 port 1000 subflow
ip_fails "signal with fullmesh" "flags mustn't have both signal and fullmesh" \
	endpoint add 10.0.2.1 signal fullmesh
ip_fails "unknown id" "address not found" endpoint delete id 77
ip_fails "flags on an unknown id" "address not found" endpoint change id 77 backup
ip_fails "subflows beyond the maximum" "limit greater than maximum (64)" limits set subflows 65
ip_fails "add_addr_accepted beyond the maximum" "limit greater than maximum (64)" \
	limits set add_addr_accepted 65
ip_fails "unknown flag" 'rather than "noflag"' endpoint add 10.0.2.1 noflag

# What ip will not send, through the kernel's YNL library and spec
# (selftests/pm_nl.py).
PMNL=$(dirname "$0")/pm_nl.py
nl_fails() {
	local what=$1 want=$2 before err
	shift 2
	before=$(state)
	err=$(ip netns exec $NS python3 "$PMNL" "$@")
	local rc=$?
	[ $rc -ne 0 ] && [ "$(state)" = "$before" ] && [ "$err" = "$want" ]
	ktap_result $? "netlink $*: $what: $err"
}
nl_fails "wrong family (AF_UNIX)" "EINVAL: unknown address family" add --family 1
nl_fails "no family" "EINVAL: missing family" add --family none
nl_fails "no address" "EINVAL: missing address data" add --addr4 none
nl_fails "IPv6 family, IPv4 address" "EINVAL: missing address data" add --family 10
nl_fails "limit beyond the maximum" "EINVAL: limit greater than maximum (64)" limits --subflows 65
out=$(ip netns exec $NS python3 "$PMNL" add --addr4 10.0.9.2 --id 9 --flags 0x80000002) &&
	ip -n $NS mptcp endpoint show id 9 | grep -qx '10.0.9.2 id 9 subflow *'
ktap_result $? "netlink add with unknown flag bits: $out, unknown bits dropped ($(ip -n $NS mptcp endpoint show id 9))"
ip -n $NS mptcp endpoint delete id 9

# Accepted, by design: id 0 asks the kernel to pick an id; deleting id 0
# names the address every connection's first subflow uses, and an address
# no connection uses is nothing to do; limits at the maximum.
ip -n $NS mptcp endpoint add 10.0.2.1 id 0 subflow
id=$(ip -n $NS mptcp endpoint show | awk '$1 == "10.0.2.1" { print $3 }')
[ -n "$id" ] && [ "$id" != 0 ]
ktap_result $? "ip mptcp endpoint add ... id 0: the kernel picks id ${id:-none}"
[ -n "$id" ] && ip -n $NS mptcp endpoint delete id "$id"
before=$(state)
ip -n $NS mptcp endpoint delete id 0 10.9.9.9 && [ "$(state)" = "$before" ]
ktap_result $? "ip mptcp endpoint delete id 0 <unused address>: nothing to do, nothing changed"
ip -n $NS mptcp limits set subflows 64 add_addr_accepted 64 &&
	ip -n $NS mptcp limits show | grep -q 'add_addr_accepted 64' &&
	ip -n $NS mptcp limits show | grep -q 'subflows 64'
ktap_result $? "ip mptcp limits at the maximum (64) are accepted"
ktap_finish
