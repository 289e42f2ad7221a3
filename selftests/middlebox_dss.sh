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
# corrupt or hung (no byte moved for 20 s; a hung connection is shown as
# `ss` sees it on both ends, the "# diag" lines).
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
		--conns 2 --seed 1 --stall 20 --diag-netns "$NS_SRV" >"$out" &
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

# half_closed: an upload of 8 MiB over 10 Mbit/s, one subflow, from a
# client whose send buffers start at 4 MiB.  Once the client has
# half-closed, with seconds of data still queued in its MPTCP socket, the
# server's acks lose their MPTCP options: the client falls back (patch
# 0019, DssFallback).  Every byte must still reach the server.
# Without patch 0022 the fallback sent the subflow FIN at once, after the
# little data already on the subflow: the server read a short file and a
# clean end of stream.
half_closed() {
	local in out log srvlog fallbacks cli rc=0 i
	setup_two_paths default 10 20 10 20 || return
	# One subflow: a join would rule the fallback out.
	ip -n "$NS_SRV" mptcp endpoint flush
	ip netns exec "$NS_CLI" sysctl -q net.ipv4.tcp_wmem="4096 4194304 4194304"
	in=$(mktemp) out=$(mktemp) log=$(mktemp) srvlog=$(mktemp)
	make_file "$in" 8
	fallbacks=$(netstat "$NS_CLI" MPTcpExt DssFallback)
	start_server "$out" $PORT >"$srvlog" || rc=1
	ip netns exec "$NS_CLI" python3 "$XFER" client --addr 10.0.1.2 --port $PORT \
		--in "$in" --allow-fallback --announce >"$log" 2>&1 &
	cli=$!
	for i in $(seq 600); do
		grep -q half-closed "$log" && break
		sleep 0.1
	done
	ip netns exec "$NS_SRV" iptables -t mangle -A POSTROUTING -o srv1 -p tcp \
		-j TCPOPTSTRIP --strip-options 30
	wait $cli || rc=1
	wait "$SERVER_PID" || rc=1
	sed 's/^/# /' "$log" "$srvlog"
	info "received $(stat -c %s "$out") of $(stat -c %s "$in") bytes," \
		"client DssFallback +$(($(netstat "$NS_CLI" MPTcpExt DssFallback) - fallbacks))," \
		"FallbackFailed $(netstat "$NS_CLI" MPTcpExt FallbackFailed)"
	[ "$(netstat "$NS_CLI" MPTcpExt DssFallback)" -gt "$fallbacks" ] || rc=1
	cmp -s "$in" "$out" || rc=1
	rm -f "$in" "$out" "$log" "$srvlog"
	cleanup_netns
	return $rc
}

half_closed
ktap_result $? "fallback after the client half-closed with data queued: every byte arrives"

# peer_fell_back: the server falls back on the initial subflow while the
# client has a second one the server never completed: the client's
# packets on path 2 other than the SYN are dropped, so its join is
# complete on its side only (MPJoinSynAckRx) and it cannot fall back.
# Then the client's data on path 1 loses its options: the server falls
# back, the client resets the initial subflow (FallbackFailed).  Once the
# drop is lifted, the server refuses the join, and the client has no
# subflow left: its socket must fail with ECONNRESET at once.  Without
# patch 0023 it waited close_timeout (60 s) for a new subflow that a
# fallen-back server cannot accept: the client's 30 s timeout fired.
peer_fell_back() {
	local in out log srvlog fifo fd cli writer failed joins i rc=0 start elapsed
	setup_two_paths default 10 10 10 10 || return
	in=$(mktemp) out=$(mktemp) log=$(mktemp) srvlog=$(mktemp) fifo=$(mktemp -u)
	mkfifo "$fifo"
	make_file "$in" 1
	ip netns exec "$NS_CLI" iptables -A OUTPUT -o cli2 -p tcp ! --syn -j DROP
	joins=$(netstat "$NS_CLI" MPTcpExt MPJoinSynAckRx)
	failed=$(netstat "$NS_CLI" MPTcpExt FallbackFailed)
	start_server "$out" $PORT >"$srvlog" 2>&1 || rc=1
	ip netns exec "$NS_CLI" python3 "$XFER" client --addr 10.0.1.2 --port $PORT \
		--timeout 30 --allow-fallback <"$fifo" >"$log" 2>&1 &
	cli=$!
	exec {fd}>"$fifo"
	head -c 65536 "$in" >&"$fd"
	for i in $(seq 300); do
		[ "$(netstat "$NS_CLI" MPTcpExt MPJoinSynAckRx)" -gt "$joins" ] && break
		sleep 0.1
	done
	ip netns exec "$NS_CLI" iptables -t mangle -A POSTROUTING -o cli1 -p tcp \
		-m length --length 200:65535 -j TCPOPTSTRIP --strip-options 30
	# In the background: the client stops reading once it has no subflow.
	tail -c +65537 "$in" >&"$fd" &
	writer=$!
	for i in $(seq 200); do
		[ "$(netstat "$NS_CLI" MPTcpExt FallbackFailed)" -gt "$failed" ] && break
		sleep 0.1
	done
	ip netns exec "$NS_CLI" iptables -F OUTPUT
	start=$SECONDS
	exec {fd}>&-
	wait $cli
	elapsed=$((SECONDS - start))
	kill "$writer" "$SERVER_PID" 2>/dev/null
	wait "$writer" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	sed 's/^/# /' "$log" "$srvlog"
	info "client: MPJoinSynAckRx +$(($(netstat "$NS_CLI" MPTcpExt MPJoinSynAckRx) - joins))," \
		"FallbackFailed +$(($(netstat "$NS_CLI" MPTcpExt FallbackFailed) - failed));" \
		"server: DssFallback $(netstat "$NS_SRV" MPTcpExt DssFallback);" \
		"the client ended ${elapsed} s after the drop was lifted"
	[ "$(netstat "$NS_CLI" MPTcpExt FallbackFailed)" -gt "$failed" ] || rc=1
	grep -q "Connection reset by peer" "$log" || rc=1
	[ "$elapsed" -lt 15 ] || rc=1
	rm -f "$in" "$out" "$log" "$srvlog" "$fifo"
	cleanup_netns
	return $rc
}

peer_fell_back
ktap_result $? "the server fell back where the client could not: ECONNRESET, no hang"

# join_refused: an upload of 8 MiB over 10 Mbit/s on one subflow; after
# 1 MiB the client adds an endpoint on path 2 and the server answers the
# MP_JOIN SYN with a reset.  A second later the client's data segments
# on path 1 lose their MPTCP options: the server falls back, then the
# client.  Every byte must arrive.  Without patch 0024 the refused join
# re-injected everything in flight onto path 1, the server's fallback
# mapped the stream past what the client sent, and the upload hung
# (the client's 40 s timeout fired after 2.6 to 3.1 MiB).
join_refused() {
	local in out log srvlog cli rc=0 i syns fallbacks
	setup_two_paths default 10 20 10 20 || return
	ip -n "$NS_SRV" mptcp endpoint flush
	ip netns exec "$NS_CLI" sysctl -q net.ipv4.tcp_wmem="4096 4194304 4194304"
	ip netns exec "$NS_SRV" iptables -A INPUT -i srv2 -p tcp --syn \
		-j REJECT --reject-with tcp-reset
	in=$(mktemp) out=$(mktemp) log=$(mktemp) srvlog=$(mktemp)
	make_file "$in" 8
	syns=$(netstat "$NS_CLI" MPTcpExt MPJoinSynTx)
	fallbacks=$(netstat "$NS_SRV" MPTcpExt DssFallback)
	start_server "$out" $PORT >"$srvlog" 2>&1 || rc=1
	ip netns exec "$NS_CLI" python3 "$XFER" client --addr 10.0.1.2 --port $PORT \
		--in "$in" --allow-fallback --timeout 40 >"$log" 2>&1 &
	cli=$!
	wait_sent "$NS_CLI" cli1 $((1 << 20)) 30
	ip -n "$NS_CLI" mptcp endpoint add 10.0.2.1 dev cli2 subflow
	for i in $(seq 100); do
		[ "$(netstat "$NS_CLI" MPTcpExt MPJoinSynTx)" -gt "$syns" ] && break
		sleep 0.1
	done
	sleep 1
	ip netns exec "$NS_CLI" iptables -t mangle -A POSTROUTING -o cli1 -p tcp \
		-m length --length 200:65535 -j TCPOPTSTRIP --strip-options 30
	wait $cli || rc=1
	wait "$SERVER_PID" || rc=1
	sed 's/^/# /' "$log" "$srvlog"
	info "received $(stat -c %s "$out") of $(stat -c %s "$in") bytes;" \
		"client MPJoinSynTx +$(($(netstat "$NS_CLI" MPTcpExt MPJoinSynTx) - syns))," \
		"DssFallback $(netstat "$NS_CLI" MPTcpExt DssFallback);" \
		"server DssFallback +$(($(netstat "$NS_SRV" MPTcpExt DssFallback) - fallbacks))"
	[ "$(netstat "$NS_CLI" MPTcpExt MPJoinSynTx)" -gt "$syns" ] || rc=1
	[ "$(netstat "$NS_SRV" MPTcpExt DssFallback)" -gt "$fallbacks" ] || rc=1
	cmp -s "$in" "$out" || rc=1
	rm -f "$in" "$out" "$log" "$srvlog"
	cleanup_netns
	return $rc
}

join_refused
ktap_result $? "a refused join, then fallback: every byte arrives"

# dss_reset: an upload of 8 MiB over two subflows of 10 Mbit/s (the join
# rules the fallback out).  After 256 KiB on path 2, the client's data
# segments lose their MPTCP options on both paths: the server cannot map
# them and resets the subflows (DssReset).  Its MPTCP socket then has no
# subflow left and must close after close_timeout (5 s here), as the
# client's does.  Without patch 0027 the subflows a DssReset closed were
# never released: the server's socket stayed established, without a
# subflow and with no close timeout running, until the application gave
# up (its 60 s timeout).
dss_reset() {
	local in out log srvlog cli ns dev resets i elapsed left rc=0
	setup_two_paths default 10 20 10 20 || return
	for ns in "$NS_CLI" "$NS_SRV"; do
		ip netns exec "$ns" sysctl -q net.mptcp.close_timeout=5
	done
	in=$(mktemp) out=$(mktemp) log=$(mktemp) srvlog=$(mktemp)
	make_file "$in" 8
	resets=$(netstat "$NS_SRV" MPTcpExt DssReset)
	start_server "$out" $PORT --timeout 60 >"$srvlog" 2>&1 || rc=1
	ip netns exec "$NS_CLI" python3 "$XFER" client --addr 10.0.1.2 --port $PORT \
		--in "$in" --timeout 60 >"$log" 2>&1 &
	cli=$!
	wait_sent "$NS_CLI" cli2 $((256 << 10)) 30 || rc=1
	for dev in cli1 cli2; do
		ip netns exec "$NS_CLI" iptables -t mangle -A POSTROUTING -o $dev -p tcp \
			-m length --length 200:65535 -j TCPOPTSTRIP --strip-options 30
	done
	for i in $(seq 100); do
		[ "$(netstat "$NS_SRV" MPTcpExt DssReset)" -gt "$resets" ] && break
		sleep 0.1
	done
	# From the first reset: close_timeout, and a margin for the guest.
	for elapsed in $(seq 0 20); do
		left=$(ip netns exec "$NS_SRV" ss -HMa exclude listening | wc -l)
		[ "$left" = 0 ] && break
		sleep 1
	done
	[ "$left" = 0 ] || ip netns exec "$NS_SRV" ss -HMaie exclude listening | sed 's/^/# server: /'
	kill "$cli" "$SERVER_PID" 2>/dev/null
	wait "$cli" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	sed 's/^/# /' "$log" "$srvlog"
	info "server: DssReset +$(($(netstat "$NS_SRV" MPTcpExt DssReset) - resets)), its MPTCP" \
		"socket $([ "$left" = 0 ] && echo "gone ${elapsed} s" || echo "still open 20 s") after the first"
	[ "$(netstat "$NS_SRV" MPTcpExt DssReset)" -gt "$resets" ] || rc=1
	[ "$left" = 0 ] && [ "$elapsed" -le 12 ] || rc=1
	rm -f "$in" "$out" "$log" "$srvlog"
	cleanup_netns
	return $rc
}

dss_reset
ktap_result $? "every subflow reset for lost mappings: the server's socket closes"

for kind in all data; do
	for sched in default rs_default; do
		for csum in 0 1; do
			run $kind $sched $csum
			ktap_result $? "$kind: $sched, checksums $csum: no connection corrupt or hung"
		done
	done
done
ktap_finish
