#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A middlebox on the path of the initial subflow starts stripping MPTCP
# options in the middle of connections, for 3 s.  Two kinds:
#
#   all    from every segment, both ways: the peers see the same thing
#          (no DSS, no DATA_ACK) and fall back or reset the subflow
#   data   from segments carrying data only (IP length >= 200), both
#          ways: pure ACKs keep their DATA_ACK
#
# With each, 2 concurrent connections of uploads and downloads checked by
# SHA-256 (mptcp_soak.py) run over two paths, with C `default` and with
# rs_default, and with and without DSS checksums.  Verdict: no connection
# corrupt or hung (no byte moved for 20 s).
#
# On Linux 7.3.4 without patch 0019 the data kind fails with the C
# scheduler as with ours: the receiver falls back to TCP alone, the
# sender never learns of it, uploads stall for good, and reinjected data
# is appended to the stream (a download of the right length with the
# wrong bytes, with checksums too).

. "$(dirname "$0")/lib.sh"

SOAK=$(dirname "$0")/mptcp_soak.py
PORT=10410

ktap_header "middlebox_dss: MPTCP options stripped mid-connection on the initial path"
load_module || exit
trap cleanup_netns EXIT

# run <kind> <scheduler> <checksum>
run() {
	local kind=$1 sched=$2 csum=$3 len=0:65535 server client ns dev rc out
	[ "$kind" = data ] && len=200:65535
	setup_two_paths "$sched" 40 5 40 5 || return
	for ns in "$NS_CLI" "$NS_SRV"; do
		ip netns exec "$ns" sysctl -q net.mptcp.checksum_enabled="$csum"
	done
	ip netns exec "$NS_SRV" python3 "$SOAK" server --port $PORT &
	server=$!
	wait_listen "$NS_SRV" $PORT || return
	out=$(mktemp)
	ip netns exec "$NS_CLI" python3 "$SOAK" client --addrs 10.0.1.2 --port $PORT \
		--conns 2 --seed 1 --stall 20 >"$out" &
	client=$!
	wait_sent "$NS_CLI" cli1 $((2 << 20)) 30
	for dev in cli1 srv1; do
		ns=$NS_CLI
		[ $dev = srv1 ] && ns=$NS_SRV
		ip netns exec "$ns" iptables -t mangle -A POSTROUTING -o $dev -p tcp \
			-m length --length $len -j TCPOPTSTRIP --strip-options 30
	done
	sleep 3
	for ns in "$NS_CLI" "$NS_SRV"; do ip netns exec "$ns" iptables -t mangle -F; done
	sleep 25
	kill -TERM $client
	wait $client
	rc=$?
	kill $server
	wait $server 2>/dev/null
	sed 's/^\([^#]\)/# \1/' "$out"
	rm -f "$out"
	cleanup_netns
	return $rc
}

for kind in all data; do
	for sched in default rs_default; do
		for csum in 0 1; do
			run $kind $sched $csum
			ktap_result $? "$kind: $sched, checksums $csum: no connection corrupt or hung"
		done
	done
done
ktap_finish
