#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The blackhole policy against the two placements of a middlebox that
# drops MP_CAPABLE SYNs: at the client's edge (every destination) and in
# front of one server.  Twenty destinations are visited in turn in each
# mode (adaptive, destination, netns) and with the module unloaded
# (mainline's code, same boot); then what idle namespaces cost, memory
# cgroup charging, user namespaces, blackhole_timeout=0 and its resets.

. "$(dirname "$0")/lib.sh"

ktap_header "blackhole policy: client-edge and server-side blockers, per mode and mainline"
trap 'cleanup_netns; ip netns del bhmem 2>/dev/null; rmdir /sys/fs/cgroup/bhmem 2>/dev/null; rm -f "$out" "$out.err"' EXIT

load_module
out=$(mktemp)
PORT=10700
DESTS=20
HOOKS=/sys/kernel/debug/mptcp_rs

setup_two_paths default
ip -n "$NS_SRV" mptcp endpoint flush
addrs=
for i in $(seq 10 $((9 + DESTS))); do
	ip -n "$NS_SRV" addr add 10.0.1.$i/24 dev srv1
	addrs=${addrs:+$addrs,}10.0.1.$i
done
ip netns exec "$NS_SRV" python3 "$XFER" echo-digest --port $PORT &
wait_listen "$NS_SRV" $PORT
ktap_result $? "a server on $DESTS addresses"

cli() { ip netns exec "$NS_CLI" "$@"; }
rs() { netstat "$NS_CLI" MPTcpRs "$1"; }
ext() { netstat "$NS_CLI" MPTcpExt "$1"; }
drop_mpc() { cli iptables "$1" OUTPUT -p tcp ${2:+-d $2} --syn -m tcp --tcp-option 30 -j DROP; }

# visit <label>: one connection to each destination in turn.  Sets $paid
# (connections that waited for the SYN timeout: connect() over 1 s, the
# first retransmission), $kept (connections over MPTCP), $intact and the
# connect() times.
visit() {
	local label=$1
	# A write resets the backoff state, ours and mainline's.
	cli sysctl -q net.mptcp.blackhole_timeout=3600
	cli python3 "$XFER" visit --port $PORT --addrs "$addrs" >"$out" 2>"$out.err"
	[ -s "$out.err" ] && info "$label: $(cat "$out.err")"
	paid=$(awk '$2 >= 1 { n++ } END { print n + 0 }' "$out")
	kept=$(awk '$3 == "mptcp" { n++ } END { print n + 0 }' "$out")
	intact=$(awk '$4 == "intact" { n++ } END { print n + 0 }' "$out")
	info "$label: $paid of $DESTS paid the SYN timeout, $kept kept MPTCP, $intact intact;" \
		"connect() s: $(awk '{ printf "%s ", $2 }' "$out")"
	[ "$intact" = $DESTS ]
	ktap_result $? "$label: all $DESTS transfers intact"
}

mode() { cli sysctl -q net.mptcp.rs.blackhole_mode="$1"; }

[ "$(cli sysctl -n net.mptcp.rs.blackhole_mode)" = 2 ] &&
	[ "$(cli sysctl -n net.mptcp.rs.blackhole_adaptive_threshold)" = 2 ]
ktap_result $? "adaptive mode (2) with a threshold of 2 by default"
[ "$(cli sysctl -n net.mptcp.rs.blackhole_table_capacity)" = 0 ]
ktap_result $? "a namespace that never saw a blackhole has no table"

# 1. No blocker: no lock taken to decide.
cli python3 "$XFER" visit --port $PORT --addrs 10.0.1.10,10.0.1.11,10.0.1.12 >"$out"
[ "$(nsrun "$NS_CLI" cat $HOOKS/blackhole_locked_allows)" = 0 ] &&
	[ "$(awk '$3 == "mptcp"' "$out" | wc -l)" = 3 ]
ktap_result $? "three MPTCP connections with nothing on record took the blackhole lock 0 times"

# 2. Client-edge blocker: every MP_CAPABLE SYN dropped.
drop_mpc -A
esc0=$(rs BlackholeEscalated)
mode 2
visit "client edge, adaptive"
[ "$paid" -le 3 ]
ktap_result $? "client edge, adaptive: $paid paid the SYN timeout (at most threshold + 1 = 3)"
[ "$(($(rs BlackholeEscalated) - esc0))" = 1 ]
ktap_result $? "client edge, adaptive: the namespace backed off once (MPTcpRsBlackholeEscalated)"
locked=$(nsrun "$NS_CLI" cat $HOOKS/blackhole_locked_allows)
[ "${locked:-0}" -ge 1 ]
ktap_result $? "with blackholes on record connections take the lock ($locked times)"
mode 1
visit "client edge, destination"
[ "$paid" = $DESTS ]
ktap_result $? "client edge, destination: every destination paid ($paid)"
mode 0
visit "client edge, netns"
[ "$paid" = 1 ]
ktap_result $? "client edge, netns: one paid ($paid)"

# 3. Server-side blocker: only the fourth destination drops MP_CAPABLE.
drop_mpc -D
BAD=10.0.1.13
drop_mpc -A $BAD
mode 2
visit "server side, adaptive"
[ "$kept" = $((DESTS - 1)) ]
ktap_result $? "server side, adaptive: every other destination kept MPTCP ($kept)"
mode 1
visit "server side, destination"
[ "$kept" = $((DESTS - 1)) ]
ktap_result $? "server side, destination: every other destination kept MPTCP ($kept)"
mode 0
visit "server side, netns"
[ "$kept" = 3 ]
ktap_result $? "server side, netns: MPTCP lost after the blocked one ($kept kept)"
mode 2

# 4. Mainline's code, module unloaded, same boot.  Its state was not kept
# while the module decided: a blackhole recorded before the module was
# loaded must not come back when it is unloaded.
rmmod mptcp_rs
ktap_result $? "module unloaded"
visit "server side, mainline"
[ "$kept" = 3 ]
ktap_result $? "server side, mainline: MPTCP lost after the blocked one ($kept kept)"
drop_mpc -D $BAD
drop_mpc -A
visit "client edge, mainline"
[ "$paid" = 1 ]
ktap_result $? "client edge, mainline: one paid ($paid)"
drop_mpc -D
# Mainline now has MPTCP off for an hour; the module takes over.
load_module
cli python3 "$XFER" visit --port $PORT --addrs 10.0.1.10 >"$out"
grep -q " mptcp " "$out"
ktap_result $? "with the module loaded, MPTCP is tried (mainline's backoff is not ours)"
rmmod mptcp_rs
cli python3 "$XFER" visit --port $PORT --addrs 10.0.1.10 >"$out"
grep -q " mptcp " "$out"
ktap_result $? "after rmmod mainline's state is reset, not stale: MPTCP is used"
load_module
setup_two_paths default

# 5. blackhole_timeout=0: the feature is off, nothing recorded or counted.
ip -n "$NS_SRV" mptcp endpoint flush
ip netns exec "$NS_SRV" python3 "$XFER" echo-digest --port $PORT &
wait_listen "$NS_SRV" $PORT
drop_mpc -A
cli sysctl -q net.mptcp.blackhole_timeout=0
x0=$(ext Blackhole) d0=$(rs BlackholeDest) n0=$(rs BlackholeNetns)
echo "10.200.0.0 50" | nsrun "$NS_CLI" tee $HOOKS/blackhole_inject >/dev/null
cli python3 "$XFER" visit --port $PORT --addrs 10.0.1.2 >"$out"
info "$(cat "$out")"
[ "$(ext Blackhole)" = "$x0" ] && [ "$(rs BlackholeDest)" = "$d0" ] &&
	[ "$(rs BlackholeNetns)" = "$n0" ] &&
	[ "$(cli sysctl -n net.mptcp.rs.blackhole_entries)" = 0 ]
ktap_result $? "blackhole_timeout=0: a real and 50 injected blackholes recorded and counted nothing"
drop_mpc -D

# 6. A write to blackhole_timeout resets the state.
cli sysctl -q net.mptcp.blackhole_timeout=3600
echo "10.200.0.0 5" | nsrun "$NS_CLI" tee $HOOKS/blackhole_inject >/dev/null
e1=$(cli sysctl -n net.mptcp.rs.blackhole_entries)
cli sysctl -q net.mptcp.blackhole_timeout=3600
e2=$(cli sysctl -n net.mptcp.rs.blackhole_entries)
[ "$e1" = 5 ] && [ "$e2" = 0 ]
ktap_result $? "a write to blackhole_timeout forgets what was on record ($e1, then $e2)"

# 7. Bounded, and charged to the memory cgroup of whoever created the
# namespace: created from cgroup bhmem, flooded from the root cgroup.
grep -q cgroup2 /proc/mounts || mount -t cgroup2 none /sys/fs/cgroup
echo +memory >/sys/fs/cgroup/cgroup.subtree_control
mkdir /sys/fs/cgroup/bhmem
sh -c 'echo $$ >/sys/fs/cgroup/bhmem/cgroup.procs && exec ip netns add bhmem'
ktap_result $? "namespace bhmem created from memory cgroup bhmem"
ip netns exec bhmem sysctl -q net.mptcp.enabled=1
# Kernel memory charged to the cgroup, from memory.stat: memory.current
# moves by whole charge batches (a per-CPU stock of 64 pages), which the
# namespace's creation may already have taken.  The statistics are
# flushed every 2 s.
kmem() {
	sleep 3
	awk '$1 == "kernel" { print $2 }' /sys/fs/cgroup/bhmem/memory.stat
}
m0=$(kmem)
echo "10.100.0.0 100000" | nsrun bhmem tee $HOOKS/blackhole_inject >/dev/null
m1=$(kmem)
entries=$(ip netns exec bhmem sysctl -n net.mptcp.rs.blackhole_entries)
cap=$(ip netns exec bhmem sysctl -n net.mptcp.rs.blackhole_table_capacity)
info "bhmem: kernel memory $m0 -> $m1 bytes; $entries entries, capacity $cap"
[ "$entries" = 1024 ] && [ "$cap" = 1024 ]
ktap_result $? "100000 blackholed destinations: the table stays at its bound of 1024"
[ $((m1 - m0)) -ge $((40 * 1024)) ] && [ $((m1 - m0)) -le $((1024 * 1024)) ]
ktap_result $? "the table ($(((m1 - m0) / 1024)) KiB) is charged to the namespace's cgroup, within 40 KiB..1 MiB"
ip netns exec bhmem sysctl -q net.mptcp.rs.blackhole_table_size=16
[ "$(ip netns exec bhmem sysctl -n net.mptcp.rs.blackhole_entries)" = 16 ]
ktap_result $? "shrinking to 16 keeps 16 destinations"
ip netns del bhmem

# 8. Outside the initial user namespace the table cannot grow past the
# default.
unshare --user --map-root-user --net sh -c '
	sysctl -q -w net.mptcp.rs.blackhole_table_size=2048 2>/dev/null && exit 1
	sysctl -q -w net.mptcp.rs.blackhole_table_size=512 || exit 2
	[ "$(sysctl -n net.mptcp.rs.blackhole_table_size)" = 512 ]'
ktap_result $? "root of a user namespace: 2048 refused (EPERM), 512 accepted"
[ "$(sysctl -n net.mptcp.rs.blackhole_table_size)" = 1024 ] &&
	sysctl -q -w net.mptcp.rs.blackhole_table_size=4096 &&
	sysctl -q -w net.mptcp.rs.blackhole_table_size=1024
ktap_result $? "the initial namespace's root may go past the default"
ktap_finish
