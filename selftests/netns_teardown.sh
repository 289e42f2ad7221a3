#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Namespaces deleted while MPTCP connections in them are opening, moving
# data, failing over a blackhole and listening: our per-namespace state
# (blackhole table, counters, sysctls) goes away before the MPTCP core's,
# and no callback may reach it afterwards.  On the debug kernel KASAN and
# kmemleak watch; everywhere, the log check fails the run on any splat.

. "$(dirname "$0")/lib.sh"

ktap_header "netns teardown: namespaces deleted under MPTCP traffic"
trap 'cleanup_netns; rm -f "$in"' EXIT

load_module
in=$(mktemp)
make_file "$in" 4
ROUNDS=${ROUNDS:-12}
PORT=10900
live=0
# The TCP sockets of the client's MPTCP connections, the subflows:
# established or in SYN retransmissions.
subflows() {
	ip netns exec "$NS_CLI" ss -Htn state established state syn-sent 2>/dev/null | wc -l
}

for round in $(seq "$ROUNDS"); do
	setup_two_paths rs_default 0 0 0 0 || break
	# MP_CAPABLE to 10.0.2.2 is dropped: those connections sit in SYN
	# retransmissions and record blackholes (on the second round and
	# after, the table exists).
	ip netns exec "$NS_CLI" iptables -A OUTPUT -p tcp -d 10.0.2.2 --syn \
		-m tcp --tcp-option 30 -j DROP
	if [ "$round" -gt 1 ]; then
		echo "10.50.0.0 40" | nsrun "$NS_CLI" tee /sys/kernel/debug/mptcp_rs/blackhole_inject >/dev/null ||
			ktap_fail "round $round: blackhole injection"
	fi
	ip netns exec "$NS_SRV" python3 "$XFER" echo-digest --port $PORT >/dev/null 2>&1 &
	ip netns exec "$NS_SRV" python3 "$XFER" server --port $((PORT + 1)) >/dev/null 2>&1 &
	wait_listen "$NS_SRV" $PORT
	wait_listen "$NS_SRV" $((PORT + 1))
	ip netns exec "$NS_CLI" python3 "$XFER" visit --port $PORT \
		--addrs 10.0.2.2,10.0.1.2,10.0.2.2 >/dev/null 2>&1 &
	ip netns exec "$NS_CLI" python3 "$XFER" client --addr 10.0.1.2 \
		--port $((PORT + 1)) --in "$in" --allow-fallback --hold 3 >/dev/null 2>&1 &
	# Once the clients have started (Python takes a while under TCG),
	# delete at a different point of the connections' lives each round.
	for _ in $(seq 30); do
		[ "$(subflows)" -gt 0 ] && break
		sleep 0.2
	done
	sleep "0.$((round % 10))"
	n=$(subflows)
	[ "$n" -gt 0 ] && live=$((live + 1))
	info "round $round: $n subflows open or opening in the client namespace when it was deleted"
	cleanup_netns
done
wait 2>/dev/null

[ "$live" -ge $((ROUNDS / 2)) ]
ktap_result $? "$live of $ROUNDS namespaces had subflows open or opening when deleted (at least half)"

# The module keeps working, and unloads.
setup_two_paths rs_default 0 0 0 0
transfer "$in" /dev/null 10990
ktap_result $? "a transfer after the teardowns"
cleanup_netns
rmmod mptcp_rs && load_module
ktap_result $? "the module unloads and loads again"
ktap_finish
