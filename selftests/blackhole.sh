#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Blackhole backoff and fallback to TCP, with the firewall playing the
# middlebox: SYNs with MP_CAPABLE to one destination are dropped, MPTCP
# options are stripped from data packets.  Checks what connections do,
# what the module's MPTcpRs counters and the kernel's MPTcpExt counters
# say, and the bounds of the destination table.

. "$(dirname "$0")/lib.sh"

ktap_header "blackhole: backoff per destination and per namespace, fallback to TCP"
trap 'pcap_stop; cleanup_netns; rm -f "$in" "$out" "$out".*' EXIT

load_module
in=$(mktemp) out=$(mktemp)
make_file "$in" 1

X=10.0.1.2
Y=10.0.1.3
PORT=10500

setup_two_paths default 0 1 0 1
ip -n "$NS_SRV" addr add $Y/24 dev srv1
ip -n "$NS_SRV" mptcp endpoint flush
ip netns exec "$NS_CLI" iptables -A OUTPUT -p tcp -d $X --syn -m tcp --tcp-option 30 -j DROP
ktap_result $? "the client's firewall drops SYNs with MP_CAPABLE to $X"

rs() { netstat "$NS_CLI" MPTcpRs "$1"; }
ext() { netstat "$NS_CLI" MPTcpExt "$1"; }

# conn <dest> <mptcp|tcp|any> <what> [joined]: one transfer to <dest>;
# checks the data and whether the connection used MPTCP.  With "joined",
# most of the data goes once a second subflow exists (transfer_joined).
# The client's packets are captured until the next transfer, and kept if a
# check failed meanwhile.
conn() {
	local dest=$1 want=$2 what=$3 rc mode
	PORT=$((PORT + 1))
	pcap_stop
	pcap_start "$NS_CLI" "blackhole-$PORT"
	XFER_CLIENT_ARGS=--allow-fallback "transfer${4:+_$4}" "$in" "$out" $PORT "$dest" >"$out.cli"
	rc=$?
	cmp -s "$in" "$out" || rc=1
	grep -q "fell back to TCP" "$out.cli" && mode=tcp || mode=mptcp
	info "$(cat "$out.cli")"
	[ $rc -eq 0 ] && { [ $mode = "$want" ] || [ "$want" = any ]; }
	ktap_result $? "$what: data intact over $mode"
}

# delta <counter function> <name> <before> <expected>
delta() {
	local now
	now=$($1 "$2")
	[ "$((now - $3))" -eq "$4" ]
	ktap_result $? "$1 $2 moved by $(($now - $3)) (expected $4)"
}

sysctl_rs() { ip netns exec "$NS_CLI" sysctl -n "net.mptcp.rs.$1"; }
# The default, adaptive mode, is per destination until several are
# blackholed: blackhole_policy.sh covers it.  Destination mode here.
ip netns exec "$NS_CLI" sysctl -q net.mptcp.rs.blackhole_mode=1
ktap_result $? "blackhole_mode=1 (per destination)"

# The backoff period (net.mptcp.blackhole_timeout) must outlast a test
# step: a transfer and a few counter reads.  That is well under a second
# on the normal kernel and up to 10 s on the debug kernel under TCG, so
# time one step here and take four times that, at least 10 s.  The first
# connection is not timed: it reads Python from a cold 9p cache.
conn $Y mptcp "a first connection to $Y uses MPTCP"
t0=$(date +%s%N)
conn $Y mptcp "so does a second one (timed)"
for i in 1 2 3 4; do rs BlackholeDest >/dev/null; done
BASE=$((($(date +%s%N) - t0) * 4 / 1000000000 + 1))
[ $BASE -lt 10 ] && BASE=10
ip netns exec "$NS_CLI" sysctl -q net.mptcp.blackhole_timeout=$BASE
info "net.mptcp.blackhole_timeout=$BASE"

# 1. Destination mode.
b0=$(rs BlackholeDest) d0=$(rs ActiveDisabledDest) x0=$(ext Blackhole)
drop0=$(ext MPCapableSYNTXDrop) dis0=$(ext MPCapableSYNTXDisabled)
fb0=$(rs FallbackNoMpc)
conn $X tcp "first connection to $X (MP_CAPABLE dropped) falls back to TCP"
delta rs BlackholeDest "$b0" 1
delta ext Blackhole "$x0" 1
delta ext MPCapableSYNTXDrop "$drop0" 1
delta rs FallbackNoMpc "$fb0" 1
conn $X tcp "the next connection to $X goes straight to TCP"
# The client reports "connected in <seconds> s"; the first SYN
# retransmission would come after 1 s.
secs=$(sed -n 's/.*connected in \([0-9.]*\) s.*/\1/p' "$out.cli")
awk -v s="$secs" 'BEGIN { exit !(s != "" && s < 1) }'
ktap_result $? "... without waiting for SYN retransmissions (connected in ${secs} s)"
delta rs ActiveDisabledDest "$d0" 1
delta ext MPCapableSYNTXDisabled "$dis0" 1
conn $Y mptcp "a connection to $Y still uses MPTCP"
[ "$(sysctl_rs blackhole_entries)" = 1 ]
ktap_result $? "the destination table holds one entry"

# 2. Namespace mode: one blackhole turns MPTCP off for every destination.
ip netns exec "$NS_CLI" sysctl -q net.mptcp.rs.blackhole_mode=0
n0=$(rs BlackholeNetns) dn0=$(rs ActiveDisabledNetns)
conn $X tcp "namespace mode: connection to $X falls back"
delta rs BlackholeNetns "$n0" 1
conn $Y tcp "namespace mode: a connection to $Y is disabled too"
delta rs ActiveDisabledNetns "$dn0" 1
sleep $((BASE + 1))
e0=$(rs BackoffExpired) r0=$(rs BackoffReset)
conn $Y mptcp "after blackhole_timeout, MPTCP is tried again towards $Y"
delta rs BackoffExpired "$e0" 1
delta rs BackoffReset "$r0" 1

# 3. Destination mode again: $X's entry (1 blackhole, expired) is still on
# record; a second blackhole doubles its period.
ip netns exec "$NS_CLI" sysctl -q net.mptcp.rs.blackhole_mode=1
conn $X tcp "destination mode: $X is tried again and blackholed a second time"
sleep $((BASE + 1))
conn $X tcp "after one base period, $X is still off (the period doubled)"
ip netns exec "$NS_CLI" iptables -D OUTPUT -p tcp -d $X --syn -m tcp --tcp-option 30 -j DROP
sleep $((BASE + 1))
r0=$(rs BackoffReset)
conn $X mptcp "after twice the base period, with the path repaired, $X uses MPTCP"
delta rs BackoffReset "$r0" 1

# 4. Options stripped from data packets after the handshake.
# srv <Prefix> <Name>...: the sum of the server's counters.
srv() {
	local prefix=$1 sum=0 name
	shift
	for name in "$@"; do
		sum=$((sum + $(netstat "$NS_SRV" "$prefix" "$name")))
	done
	echo $sum
}
dss0=$(netstat "$NS_SRV" MPTcpExt DssFallback)
fbx0=$(srv MPTcpExt DssFallback MPCapableDataFallback)
fb0=$(srv MPTcpRs FallbackDss FallbackOptionsDropped)
ip netns exec "$NS_CLI" iptables -t mangle -A POSTROUTING -o cli1 -p tcp \
	-m length --length 200:65535 -j TCPOPTSTRIP --strip-options 30
conn $X any "single subflow, DSS stripped from data"
[ $(($(netstat "$NS_SRV" MPTcpExt DssFallback) - dss0)) -ge 1 ]
ktap_result $? "the server counted the fallback (MPTcpExtDssFallback)"
fbx=$(($(srv MPTcpExt DssFallback MPCapableDataFallback) - fbx0))
fb=$(($(srv MPTcpRs FallbackDss FallbackOptionsDropped) - fb0))
[ $fb -ge 1 ] && [ $fb -eq $fbx ]
ktap_result $? "the server's MPTcpRsFallbackDss/OptionsDropped (+$fb) agree with MPTcpExt (+$fbx)"
ip netns exec "$NS_CLI" iptables -t mangle -F

ip -n "$NS_SRV" mptcp endpoint add 10.0.2.2 dev srv2 id 2 signal
ip netns exec "$NS_CLI" iptables -t mangle -A POSTROUTING -o cli2 -p tcp \
	-m length --length 200:65535 -j TCPOPTSTRIP --strip-options 30
rst0=$(netstat "$NS_SRV" MPTcpExt DssReset)
rstx0=$(srv MPTcpExt DssReset FallbackFailed) rsr0=$(srv MPTcpRs FallbackRefused)
make_file "$in" 4
conn $X mptcp "two subflows, DSS stripped on one: the connection goes on over MPTCP" joined
[ $(($(netstat "$NS_SRV" MPTcpExt DssReset) - rst0)) -ge 1 ]
ktap_result $? "the server reset the subflow without DSS (MPTcpExtDssReset)"
rstx=$(($(srv MPTcpExt DssReset FallbackFailed) - rstx0))
rsr=$(($(srv MPTcpRs FallbackRefused) - rsr0))
[ $rsr -ge 1 ] && [ $rsr -eq $rstx ]
ktap_result $? "the server's MPTcpRsFallbackRefused (+$rsr) agrees with MPTcpExt DssReset and FallbackFailed (+$rstx)"
ip netns exec "$NS_CLI" iptables -t mangle -F

pcap_stop

# 5. Configuration: bad values are refused, the old ones stay.
bad() {
	local name=$1 value=$2 old
	old=$(sysctl_rs "$name")
	! ip netns exec "$NS_CLI" sysctl -q -w "net.mptcp.rs.$name=$value" 2>/dev/null &&
		[ "$(sysctl_rs "$name")" = "$old" ]
	ktap_result $? "net.mptcp.rs.$name=$value is refused, $old kept"
}
bad blackhole_mode 3
bad blackhole_mode -1
bad blackhole_table_size 3
bad blackhole_table_size 65537
bad blackhole_adaptive_threshold 0
bad blackhole_adaptive_threshold 9
entries=$(sysctl_rs blackhole_entries)
! ip netns exec "$NS_CLI" sh -c 'echo 5 >/proc/sys/net/mptcp/rs/blackhole_entries' 2>/dev/null &&
	[ "$(sysctl_rs blackhole_entries)" = "$entries" ]
ktap_result $? "net.mptcp.rs.blackhole_entries is read-only"
! ip netns exec "$NS_CLI" sh -c 'echo 5 >/proc/sys/net/mptcp/rs/blackhole_table_capacity' 2>/dev/null
ktap_result $? "net.mptcp.rs.blackhole_table_capacity is read-only"

# 6. The table's bound: real blackholes, then a flood through the same
# code path (the debugfs injector, in the initial namespace).  Shrinking
# to 4 keeps what is on record ($X).
[ "$(sysctl_rs blackhole_entries)" = 1 ]
ktap_result $? "one destination on record ($X)"
ip netns exec "$NS_CLI" sysctl -q net.mptcp.rs.blackhole_table_size=4
ev0=$(rs BlackholeEvicted)
for i in $(seq 10 15); do
	ip -n "$NS_SRV" addr add 10.0.1.$i/24 dev srv1
	ip netns exec "$NS_CLI" iptables -A OUTPUT -p tcp -d 10.0.1.$i --syn -m tcp --tcp-option 30 -j DROP
done
pids=()
for i in $(seq 10 15); do
	PORT=$((PORT + 1))
	ip netns exec "$NS_SRV" python3 "$XFER" server --port $PORT >/dev/null &
	pids+=($!)
	wait_listen "$NS_SRV" $PORT
	ip netns exec "$NS_CLI" python3 "$XFER" client --addr 10.0.1.$i --port $PORT \
		--in "$in" --allow-fallback >/dev/null &
	pids+=($!)
done
wait "${pids[@]}"
[ "$(sysctl_rs blackhole_entries)" = 4 ]
ktap_result $? "$X and six more blackholed destinations in a table of 4: it holds 4"
delta rs BlackholeEvicted "$ev0" 3

sysctl -q net.mptcp.rs.blackhole_table_size=1024
echo "10.100.0.0 100000" >/sys/kernel/debug/mptcp_rs/blackhole_inject
ktap_result $? "100000 distinct destinations injected in the initial namespace"
[ "$(sysctl -n net.mptcp.rs.blackhole_entries)" = 1024 ]
ktap_result $? "the table stays at its bound of 1024"
ip netns exec "$NS_CLI" sysctl -q net.mptcp.rs.blackhole_table_size=8
[ "$(sysctl -n net.mptcp.rs.blackhole_entries)" = 1024 ]
ktap_result $? "another namespace's table is another table"
ktap_finish
