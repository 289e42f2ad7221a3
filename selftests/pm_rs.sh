#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Our path managers, rs_kernel and rs_ndiffports, in two namespaces joined
# by two paths:
#
#   - selection: listed, selected per namespace, inherited by new ones, of
#     the kernel type (net.mptcp.pm_type 0);
#   - rs_kernel: a subflow endpoint opens a subflow, a signal endpoint is
#     announced and used, with the MPTcpExt and MPTcpRs counters agreeing;
#   - subflows created by our path managers carry the socket options set on
#     the MPTCP socket (SO_KEEPALIVE with TCP_KEEPIDLE/KEEPINTVL/KEEPCNT,
#     SO_MARK), checked on each subflow;
#   - rs_ndiffports opens exactly N subflows from distinct source ports,
#     each carrying data; N is validated;
#   - a refused subflow is created again with exponential backoff, a
#     bounded number of times, and succeeds once the path is back;
#   - why an expected subflow was not created, in MPTcpRsPmNoSubflow*;
#   - when the PM removes the initial subflow and no other exists, both
#     MPTCP sockets fail soon after, during an upload and during a
#     download whose RM_ADDR is lost, removed by either side (kernel
#     patches 0025, 0026 and 0030), with kernel and with rs_kernel;
#   - rmmod is refused while a connection uses rs_kernel;
#   - bad endpoint and limit input gets the same errors as with the
#     kernel's path manager.

. "$(dirname "$0")/lib.sh"

ktap_header "pm_rs: rs_kernel and rs_ndiffports"
trap 'cleanup_netns; rm -f "$in" "$out" "$cap" "$log"' EXIT

# retry <ns> <ms> <max>: the namespace's pm_retry_ms and pm_retry_max.
retry() {
	ip netns exec "$1" sysctl -q -w net.mptcp.rs.pm_retry_ms="$2" net.mptcp.rs.pm_retry_max="$3"
}

load_module
in=$(mktemp) out=$(mktemp) cap=$(mktemp) log=$(mktemp)
make_file "$in" 4
# The client sends its first KiB, then waits a second: the first data
# completes the MPTCP handshake, and the path managers open their subflows
# before the bulk of the transfer.
export XFER_CLIENT_ARGS="--hold 1"

rs() { netstat "$1" MPTcpRs "$2"; }
ext() { netstat "$1" MPTcpExt "$2"; }

# pm_setup <client pm> <server pm>: the two paths, unshaped, with no
# endpoints, and each side using the path manager given.  A subflow bound
# to cli2 reaches the server's first address through path 2.  The client
# sends with rs_rr, which spreads the data over every subflow: bytes on
# path 2 show that its subflow is there, whatever the default scheduler
# would prefer on unshaped paths.
pm_setup() {
	setup_two_paths rs_rr || return 1
	ip netns exec "$NS_SRV" sysctl -q net.mptcp.scheduler=default &&
		ip -n "$NS_CLI" route add default via 10.0.2.2 dev cli2 metric 200 &&
		ip netns exec "$NS_CLI" sysctl -q net.mptcp.path_manager="$1" &&
		ip netns exec "$NS_SRV" sysctl -q net.mptcp.path_manager="$2" &&
		ip -n "$NS_CLI" mptcp endpoint flush &&
		ip -n "$NS_SRV" mptcp endpoint flush
}

# --- selection ---------------------------------------------------------------

for pm in rs_kernel rs_ndiffports; do
	grep -qw $pm /proc/sys/net/mptcp/available_path_managers
	ktap_result $? "$pm is listed in net.mptcp.available_path_managers"
done
ns=pmsel-$RANDOM
ip netns add $ns
ip netns exec $ns sysctl -q net.mptcp.path_manager=rs_kernel &&
	[ "$(ip netns exec $ns sysctl -n net.mptcp.pm_type)" = 0 ]
ktap_result $? "path_manager=rs_kernel: pm_type reads 0, the kernel type"
ip netns exec $ns sysctl -q net.mptcp.pm_type=0 &&
	[ "$(ip netns exec $ns sysctl -n net.mptcp.path_manager)" = rs_kernel ]
ktap_result $? "pm_type=0 keeps rs_kernel, a path manager of that type"
ip netns exec $ns sysctl -q net.mptcp.pm_type=1 &&
	[ "$(ip netns exec $ns sysctl -n net.mptcp.path_manager)" = userspace ]
ktap_result $? "pm_type=1 selects the userspace path manager"
ip netns del $ns
sysctl -q net.mptcp.path_manager=rs_ndiffports
ip netns add $ns
got=$(ip netns exec $ns sysctl -n net.mptcp.path_manager)
ip netns del $ns
sysctl -q net.mptcp.path_manager=kernel
[ "$got" = rs_ndiffports ]
ktap_result $? "a new namespace inherits the initial namespace's path manager ($got)"

# --- rs_kernel: a subflow endpoint, a signal endpoint -----------------------

pm_setup rs_kernel rs_kernel &&
	ip -n "$NS_CLI" mptcp limits set subflows 1 add_addr_accepted 0 &&
	ip -n "$NS_CLI" mptcp endpoint add 10.0.2.1 dev cli2 id 1 subflow &&
	ip -n "$NS_SRV" mptcp limits set subflows 1 add_addr_accepted 0
ktap_result $? "rs_kernel on both sides, a subflow endpoint on the client"
tx2=$(tx_bytes "$NS_CLI" cli2)
transfer "$in" "$out" && cmp -s "$in" "$out"
ktap_result $? "rs_kernel subflow endpoint: the transfer completes intact"
tx2=$(($(tx_bytes "$NS_CLI" cli2) - tx2))
[ $tx2 -gt $((200 << 10)) ]
ktap_result $? "rs_kernel subflow endpoint: the second path carried data ($tx2 bytes)"
[ "$(rs "$NS_CLI" PmEstablished)" = 1 ] && [ "$(rs "$NS_CLI" PmSubflowCreated)" = 1 ] &&
	[ "$(ext "$NS_CLI" MPJoinSynTx)" = 1 ] && [ "$(ext "$NS_CLI" MPJoinSynAckRx)" = 1 ] &&
	[ "$(ext "$NS_SRV" MPJoinAckRx)" = 1 ]
ktap_result $? "rs_kernel subflow endpoint: MPTcpRsPmSubflowCreated 1, MPJoinSynTx 1, the server's MPJoinAckRx 1"

pm_setup rs_kernel rs_kernel &&
	ip -n "$NS_CLI" mptcp limits set subflows 1 add_addr_accepted 1 &&
	ip -n "$NS_SRV" mptcp limits set subflows 1 add_addr_accepted 0 &&
	ip -n "$NS_SRV" mptcp endpoint add 10.0.2.2 dev srv2 id 2 signal
ktap_result $? "rs_kernel on both sides, a signal endpoint on the server"
tx2=$(tx_bytes "$NS_CLI" cli2)
transfer "$in" "$out" && cmp -s "$in" "$out"
ktap_result $? "rs_kernel signal endpoint: the transfer completes intact"
tx2=$(($(tx_bytes "$NS_CLI" cli2) - tx2))
info "announced $(rs "$NS_SRV" PmAddrAnnounced), AddAddrTx $(ext "$NS_SRV" AddAddrTx)," \
	"AddAddr $(ext "$NS_CLI" AddAddr), accepted $(rs "$NS_CLI" PmAddrAccepted)," \
	"EchoAdd $(ext "$NS_SRV" EchoAdd), EchoAddTx $(ext "$NS_CLI" EchoAddTx)"
[ "$(rs "$NS_SRV" PmAddrAnnounced)" = 1 ] && [ "$(ext "$NS_SRV" AddAddrTx)" = 1 ] &&
	[ "$(ext "$NS_CLI" AddAddr)" = 1 ] && [ "$(ext "$NS_SRV" EchoAdd)" = 1 ]
ktap_result $? "rs_kernel signal endpoint: announced (MPTcpRsPmAddrAnnounced, AddAddrTx), received and echoed (AddAddr, EchoAdd)"
[ "$(rs "$NS_CLI" PmAddrAccepted)" = 1 ] && [ $tx2 -gt $((200 << 10)) ]
ktap_result $? "rs_kernel signal endpoint: the client used it (MPTcpRsPmAddrAccepted 1, $tx2 bytes on path 2)"

# --- socket options on the subflows -----------------------------------------

# sockopt_check <pm>: a connection with SO_KEEPALIVE (idle 1 s, interval
# 1 s, 2 probes) and SO_MARK 0x2a, idle for a while: every subflow has the
# mark (nft counts its packets on each path), a keepalive timer of at most
# a second (ss), and sends probes every second while idle; cutting path 2
# makes its subflow give up after the 2 probes.
sockopt_check() {
	local pm=$1 subflows marked unmarked probes i gone=0
	nft_out() { ip netns exec "$NS_CLI" nft "$@"; }
	nft_out add table inet t &&
		nft_out add chain inet t out '{ type filter hook output priority 0; }' &&
		nft_out add rule inet t out oifname cli2 tcp dport 10100 meta mark 0x2a counter &&
		nft_out add rule inet t out oifname cli2 tcp dport 10100 meta mark != 0x2a counter &&
		nft_out add rule inet t out oifname cli1 tcp dport 10100 meta mark != 0x2a counter ||
		return 1
	# Idle long enough for the checks below, which take the debug kernel
	# several times longer.
	local hold=9
	[ $debug_kernel = 1 ] && hold=30
	start_server "$out" || return 1
	ip netns exec "$NS_CLI" python3 "$XFER" client --addr 10.0.1.2 --port 10100 \
		--in "$in" --keepalive 1,1,2 --mark 0x2a --hold $hold >"$log" 2>&1 &
	local cli=$!
	# Both subflows up and idle (their timer the keepalive one); slow
	# kernels take a while to get there.
	for i in $(seq 100); do
		subflows=$(ip netns exec "$NS_CLI" ss -Htnoe state established '( dport = :10100 )')
		[ "$(echo "$subflows" | grep -c 'timer:(keepalive')" = 2 ] && break
		sleep 0.2
	done
	info "$pm subflows while idle: $(echo "$subflows" | tr -s ' ' | cut -c1-400)"
	[ "$(echo "$subflows" | grep -c 'timer:(keepalive,\(0\.\|1sec\|[0-9]*ms\)')" = 2 ]
	ktap_result $? "$pm sockopts: both subflows have a keepalive timer of at most 1 s"
	[ "$(echo "$subflows" | grep -c 'fwmark:0x2a')" = 2 ]
	ktap_result $? "$pm sockopts: both subflows have fwmark 0x2a"
	# Probes while idle, on the second path: about one a second, counted
	# over a window of 2 s plus however long the two reads of the counter
	# take (seconds each on the debug kernel).
	marked_out() {
		nft_out list chain inet t out | awk '/cli2.*mark 0x0*2a counter/ { print $(NF-2) }'
	}
	local t0 window
	t0=$(date +%s%N)
	probes=$(marked_out)
	sleep 2
	probes=$(($(marked_out) - probes))
	window=$((($(date +%s%N) - t0) / 1000000))
	[ $probes -ge 1 ] && [ $probes -le $((window / 1000 + 2)) ]
	ktap_result $? "$pm sockopts: keepalive probes every second on the created subflow" \
		"($probes in at most $window ms)"
	# Cut path 2: 2 unanswered probes, 1 s apart, end its subflow.
	ip netns exec "$NS_CLI" iptables -A INPUT -i cli2 -j DROP
	for i in $(seq 40); do
		if ! ip netns exec "$NS_CLI" ss -Htn state established '( dport = :10100 )' |
			grep -q '10.0.2.1'; then
			gone=$i
			break
		fi
		sleep 0.1
	done
	ip netns exec "$NS_CLI" iptables -D INPUT -i cli2 -j DROP
	[ $gone -gt 0 ]
	ktap_result $? "$pm sockopts: with path 2 cut, its subflow gives up after TCP_KEEPCNT probes (after $((gone * 100)) ms)"
	wait $cli && wait "$SERVER_PID" && cmp -s "$in" "$out"
	ktap_result $? "$pm sockopts: the transfer completes intact"
	marked=$(nft_out list chain inet t out | awk '/cli2.*mark 0x0*2a counter/ { print $(NF-2) }')
	unmarked=$(nft_out list chain inet t out | awk '/mark != 0x0*2a counter/ { s += $(NF-2) } END { print s + 0 }')
	[ "$marked" -gt 0 ] && [ "$unmarked" = 0 ]
	ktap_result $? "$pm sockopts: every packet on both paths carried the mark ($marked on path 2, $unmarked without)"
}

pm_setup rs_kernel kernel &&
	ip -n "$NS_CLI" mptcp limits set subflows 1 add_addr_accepted 0 &&
	ip -n "$NS_CLI" mptcp endpoint add 10.0.2.1 dev cli2 id 1 subflow &&
	ip -n "$NS_SRV" mptcp limits set subflows 2
ktap_result $? "sockopts: rs_kernel client with a subflow endpoint"
sockopt_check rs_kernel

# --- rs_ndiffports -----------------------------------------------------------

N=4
pm_setup rs_ndiffports kernel &&
	ip -n "$NS_CLI" mptcp limits set subflows $((N - 1)) &&
	ip -n "$NS_SRV" mptcp limits set subflows $((N - 1)) &&
	ip netns exec "$NS_CLI" sysctl -q net.mptcp.rs.ndiffports=$N
ktap_result $? "rs_ndiffports client, N=$N, rs_rr spreading the data"
# Bytes per source port, on path 1 (the only one used).
ip netns exec "$NS_CLI" nft -f - <<'EOF'
table inet nd {
	set ports { type inet_service; flags dynamic; counter; }
	chain out { type filter hook output priority 0; tcp dport 10100 update @ports { tcp sport }; }
}
EOF
make_file "$in" 8
transfer "$in" "$out" && cmp -s "$in" "$out"
ktap_result $? "rs_ndiffports: the transfer completes intact"
ports=$(ip netns exec "$NS_CLI" nft list set inet nd ports |
	grep -o '[0-9]* counter packets [0-9]* bytes [0-9]*' | awk '{ print $1, $6 }')
info "rs_ndiffports: source port and bytes sent: $(echo "$ports" | tr " " ":" | tr "\n" " ")"
[ "$(echo "$ports" | wc -l)" = $N ]
ktap_result $? "rs_ndiffports: exactly $N subflows, from $N distinct source ports"
[ "$(echo "$ports" | awk '$2 + 0 > 262144' | wc -l)" = $N ]
ktap_result $? "rs_ndiffports: each subflow carried more than 256 KiB"
[ "$(tx_bytes "$NS_CLI" cli2)" -lt 65536 ] && [ "$(rs "$NS_CLI" PmSubflowCreated)" = $((N - 1)) ] &&
	[ "$(ext "$NS_CLI" MPJoinSynAckRx)" = $((N - 1)) ]
ktap_result $? "rs_ndiffports: all over the initial address pair, $((N - 1)) joins (MPJoinSynAckRx $((N - 1)))"
make_file "$in" 4

# ndiffports_refused <value> <why>: the write fails with EINVAL, the value
# stays.
ndiffports_refused() {
	local before after
	before=$(ip netns exec "$NS_CLI" sysctl -n net.mptcp.rs.ndiffports)
	! ip netns exec "$NS_CLI" sh -c "echo $1 >/proc/sys/net/mptcp/rs/ndiffports" 2>/dev/null
	local rc=$?
	after=$(ip netns exec "$NS_CLI" sysctl -n net.mptcp.rs.ndiffports)
	[ $rc -eq 0 ] && [ "$before" = "$after" ]
	ktap_result $? "rs_ndiffports: N=$1 refused ($2), $after kept"
}
ndiffports_refused 0 "no subflow at all"
ndiffports_refused $((N + 1)) "above the subflows limit of $((N - 1)) plus one"
ndiffports_refused 66 "above the kernel's maximum"
ndiffports_refused abc "not a number"

# --- re-creating a refused subflow, with backoff -------------------------------

# The server resets joins on path 2; the client tries again after d, 2d
# and 4d, then gives up (pm_retry_max 3).  d is 300 ms, or 1 s on the debug
# kernel, where noticing the reset and creating the subflow can add 200 ms
# to a delay.  Each gap must be at least its delay (the timer does not fire
# early) and less than one and a half times it.  The client pauses before
# its bulk (--hold) for about twice the 7d the attempts take.
d=300
[ $debug_kernel = 1 ] && d=1000
pm_setup rs_kernel kernel &&
	retry "$NS_CLI" $d 3 &&
	ip -n "$NS_CLI" mptcp limits set subflows 1 &&
	ip -n "$NS_CLI" mptcp endpoint add 10.0.2.1 dev cli2 id 1 subflow &&
	ip -n "$NS_SRV" mptcp limits set subflows 1 &&
	ip netns exec "$NS_SRV" iptables -A INPUT -i srv2 -p tcp --syn -j REJECT --reject-with tcp-reset
ktap_result $? "retry: the server resets joins on path 2; pm_retry_ms $d, pm_retry_max 3"
ip netns exec "$NS_SRV" tcpdump -i srv2 -tt -n -l 'tcp[tcpflags] == tcp-syn' >"$cap" 2>"$log" &
dump=$!
for _ in $(seq 100); do
	grep -q listening "$log" && break
	sleep 0.1
done
start_server "$out" &&
	ip netns exec "$NS_CLI" python3 "$XFER" client --addr 10.0.1.2 --port 10100 \
		--in "$in" --hold $((d * 13 / 1000 + 1)) >"$log" 2>&1 && wait "$SERVER_PID" &&
	cmp -s "$in" "$out"
ktap_result $? "retry: the transfer completes intact on path 1"
sleep 0.5
kill $dump 2>/dev/null
wait $dump 2>/dev/null
cp "$cap" "$OUT/pm_rs-retry.pcap.txt"
syns=$(grep -c -E '^[0-9]+\.[0-9]+ ' "$cap")
gaps=$(awk '$1 ~ /^[0-9]+\.[0-9]+$/ { if (n++) printf "%d ", ($1 - prev) * 1000; prev = $1 }' "$cap")
info "retry: $syns join SYNs on path 2, gaps (ms): $gaps"
info "retry: refused $(rs "$NS_CLI" PmNoSubflowRefused), errors $(rs "$NS_CLI" PmNoSubflowError)," \
	"retries $(rs "$NS_CLI" PmSubflowRetry), gave up $(rs "$NS_CLI" PmRetryGaveUp)," \
	"MPJoinSynTx $(ext "$NS_CLI" MPJoinSynTx)"
[ "$syns" = 4 ]
ktap_result $? "retry: 1 attempt and 3 retries, no more"
# gap_ok <gap> <delay>: tcpdump's timestamps may be a few ms early.
gap_ok() { [ "${1:-0}" -ge $(($2 - 20)) ] && [ "${1:-0}" -lt $(($2 * 3 / 2)) ]; }
read -r g1 g2 g3 <<<"$gaps"
gap_ok "$g1" $d && gap_ok "$g2" $((2 * d)) && gap_ok "$g3" $((4 * d))
ktap_result $? "retry: the delays double, $d, $((2 * d)), $((4 * d)) ms (got $gaps)"
[ "$(rs "$NS_CLI" PmNoSubflowRefused)" = 4 ] && [ "$(rs "$NS_CLI" PmSubflowRetry)" = 3 ] &&
	[ "$(rs "$NS_CLI" PmRetryGaveUp)" = 1 ] && [ "$(ext "$NS_CLI" MPJoinSynTx)" = 4 ]
ktap_result $? "retry: MPTcpRsPmNoSubflowRefused 4, PmSubflowRetry 3, PmRetryGaveUp 1, MPJoinSynTx 4"

# The path comes back after the first attempt; 3 s later the first retry
# joins.  On a slow kernel the path may come back only after that retry:
# then every attempt before the last is refused, and the last joins.  The
# client pauses past the first retry (past the second on the debug kernel)
# so that the re-created subflow is there for the bulk.
hold=5
[ $debug_kernel = 1 ] && hold=12
pm_setup rs_kernel kernel &&
	retry "$NS_CLI" 3000 3 &&
	ip -n "$NS_CLI" mptcp limits set subflows 1 &&
	ip -n "$NS_CLI" mptcp endpoint add 10.0.2.1 dev cli2 id 1 subflow &&
	ip -n "$NS_SRV" mptcp limits set subflows 1 &&
	ip netns exec "$NS_SRV" iptables -A INPUT -i srv2 -p tcp --syn -j REJECT --reject-with tcp-reset
tx2=$(tx_bytes "$NS_CLI" cli2)
start_server "$out"
ip netns exec "$NS_CLI" python3 "$XFER" client --addr 10.0.1.2 --port 10100 \
	--in "$in" --hold $hold >"$log" 2>&1 &
cli=$!
t0=$(date +%s%N)
seen=$(rs "$NS_CLI" PmNoSubflowRefused)
for _ in $(seq 100); do
	[ "$seen" = 0 ] || break
	sleep 0.05
	seen=$(rs "$NS_CLI" PmNoSubflowRefused)
done
t1=$(date +%s%N)
ip netns exec "$NS_SRV" iptables -D INPUT -i srv2 -p tcp --syn -j REJECT --reject-with tcp-reset
info "retry: $seen refusal(s) seen $(((t1 - t0) / 1000000)) ms after the client started;" \
	"path 2 reopened $((($(date +%s%N) - t1) / 1000000)) ms later"
wait $cli && wait "$SERVER_PID" && cmp -s "$in" "$out"
ktap_result $? "retry: the first join refused, the transfer completes intact"
tx2=$(($(tx_bytes "$NS_CLI" cli2) - tx2))
retries=$(rs "$NS_CLI" PmSubflowRetry)
joined=$(ext "$NS_CLI" MPJoinSynAckRx)
refused=$(rs "$NS_CLI" PmNoSubflowRefused)
[ "$retries" -ge 1 ] && [ "$refused" = "$retries" ] && [ "$joined" = 1 ] &&
	[ $tx2 -gt $((200 << 10)) ]
ktap_result $? "retry: the re-created subflow joined and carried data" \
	"(PmSubflowRetry $retries, PmNoSubflowRefused $refused, MPJoinSynAckRx $joined, $tx2 bytes)"

# --- why an expected subflow was not created ------------------------------

# no_subflow <counter> <ext counter or -> <what> <setup...>: a short transfer
# with the client configured by <setup>; the counter moves, no subflow.
no_subflow() {
	local counter=$1 extc=$2 what=$3 ok
	shift 3
	pm_setup rs_kernel rs_kernel && ip -n "$NS_SRV" mptcp limits set subflows 2 &&
		ip -n "$NS_CLI" mptcp limits set subflows 2 add_addr_accepted 2 && "$@"
	ktap_result $? "$counter: $what"
	head -c 65536 "$in" >"$cap"
	transfer "$cap" "$out" && cmp -s "$cap" "$out"
	ok=$?
	sleep 0.3
	local also=
	[ "$extc" != - ] && also=", MPTcpExt$extc $(ext "$NS_CLI" "$extc")"
	[ $ok -eq 0 ] && [ "$(rs "$NS_CLI" "$counter")" -ge 1 ] &&
		{ [ "$extc" = - ] || [ "$(ext "$NS_CLI" "$extc")" -ge 1 ]; }
	ktap_result $? "$counter: moves (to $(rs "$NS_CLI" "$counter")$also), the transfer intact"
}

limit_case() {
	ip -n "$NS_CLI" addr add 10.0.2.3/24 dev cli2 &&
		ip -n "$NS_CLI" mptcp limits set subflows 1 &&
		ip -n "$NS_CLI" mptcp endpoint add 10.0.2.1 dev cli2 id 1 subflow &&
		ip -n "$NS_CLI" mptcp endpoint add 10.0.2.3 dev cli2 id 2 subflow
}
# The same case, traced: each decision is an mptcp:mptcp_pm_event (kernel
# patch 0021) carrying the connection's token, the one `ip mptcp monitor`
# shows for the connection and its created subflow.
monitored_limit_case() {
	limit_case || return
	ip -n "$NS_CLI" mptcp monitor >"$out.mon" &
	MONITOR=$!
	sleep 0.3
}
trace_start mptcp/mptcp_pm_event
traced=$?
no_subflow PmNoSubflowLimit - "two subflow endpoints, a limit of 1" monitored_limit_case
[ "$(rs "$NS_CLI" PmSubflowCreated)" = 1 ]
ktap_result $? "PmNoSubflowLimit: exactly one subflow created"
# The path manager runs several passes (established, subflow established,
# data acked...): the endpoint left out is counted once.
[ "$(rs "$NS_CLI" PmNoSubflowLimit)" = 1 ]
ktap_result $? "PmNoSubflowLimit: the endpoint left out counted once ($(rs "$NS_CLI" PmNoSubflowLimit))"
trace_stop mptcp/mptcp_pm_event 2>/dev/null
kill "$MONITOR" 2>/dev/null
wait "$MONITOR" 2>/dev/null
# The client's connection, as the monitor names it: token=<hex>.
token=$(sed -n 's/.*CREATED\].*token=\([0-9a-f]*\).*/\1/p' "$out.mon" | head -1)
sf_token=$(sed -n 's/.*SF_ESTABLISHED\].*token=\([0-9a-f]*\).*/\1/p' "$out.mon" | head -1)
pm_events() {
	[ -n "$token" ] || return 0
	grep "mptcp_pm_event:" $TRACEFS/trace | grep -c "token=$(printf %08x "0x$token") event=$1\$"
}
info "monitor: connection $token, subflow established on $sf_token; trace:"
grep "mptcp_pm_event:" $TRACEFS/trace 2>/dev/null | sed 's/.*mptcp_pm_event: /#   /'
[ $traced -eq 0 ] && [ -n "$token" ] && [ "$sf_token" = "$token" ] &&
	[ "$(pm_events PmSubflowCreated)" = 1 ] && [ "$(pm_events PmNoSubflowLimit)" = 1 ]
ktap_result $? "tracing: mptcp_pm_event shows the subflow created and the one the limit refused, with the connection's token from ip mptcp monitor"
echo >$TRACEFS/trace
rm -f "$out.mon"

# does_not_move <counter> <what> <setup...>: a short transfer with the
# client configured by <setup>; the counter stays at 0.
does_not_move() {
	local counter=$1 what=$2
	shift 2
	pm_setup rs_kernel rs_kernel && "$@"
	head -c 65536 "$in" >"$cap"
	transfer "$cap" "$out" && cmp -s "$cap" "$out"
	local ok=$?
	sleep 0.3
	[ $ok -eq 0 ] && [ "$(rs "$NS_CLI" "$counter")" = 0 ]
	ktap_result $? "$counter: stays at 0 ($(rs "$NS_CLI" "$counter")) when $what"
}
not_wanted_case() {
	ip -n "$NS_CLI" mptcp limits set subflows 2 add_addr_accepted 0 &&
		ip -n "$NS_SRV" mptcp endpoint add 10.0.2.2 dev srv2 id 2 signal
}
does_not_move PmNoSubflowLimit "the peer announces an address and add_addr_accepted is 0" not_wanted_case
no_retry_case() {
	[ "$(ip netns exec "$NS_CLI" cat /proc/sys/net/mptcp/rs/pm_retry_max)" = 0 ] &&
		ip -n "$NS_CLI" mptcp limits set subflows 1 &&
		ip -n "$NS_CLI" mptcp endpoint add 10.0.2.1 dev cli2 id 1 subflow &&
		ip -n "$NS_SRV" mptcp limits set subflows 1 &&
		ip netns exec "$NS_SRV" iptables -A INPUT -i srv2 -p tcp --syn -j REJECT --reject-with tcp-reset
}
does_not_move PmRetryGaveUp "a join is refused and retries are off (pm_retry_max 0)" no_retry_case
[ "$(rs "$NS_CLI" PmNoSubflowRefused)" -ge 1 ]
ktap_result $? "... while the refusal itself is counted (PmNoSubflowRefused $(rs "$NS_CLI" PmNoSubflowRefused))"

family_case() {
	ip -n "$NS_CLI" addr add dead:beef:2::1/64 dev cli2 nodad &&
		ip -n "$NS_CLI" mptcp endpoint add dead:beef:2::1 dev cli2 id 1 subflow
}
no_subflow PmNoSubflowFamily - "an IPv6 subflow endpoint, an IPv4 connection" family_case

error_case() {
	ip -n "$NS_CLI" mptcp endpoint add 10.0.9.1 id 1 subflow
}
no_subflow PmNoSubflowError MPJoinSynTxBindErr "a subflow endpoint on an address the host lacks" error_case

# iproute2 6.1 does not know the laminar flag: the kernel's pm_nl_ctl does.
endpoint_case() {
	ip -n "$NS_CLI" addr add dead:beef:2::1/64 dev cli2 nodad &&
		ip netns exec "$NS_CLI" "$KSFT_DIR/pm_nl_ctl" add dead:beef:2::1 flags laminar id 1 dev cli2 &&
		ip -n "$NS_SRV" mptcp endpoint add 10.0.2.2 dev srv2 id 2 signal
}
no_subflow PmNoSubflowEndpoint - "the peer announces IPv4, the only laminar endpoint is IPv6" endpoint_case

# --- the initial subflow removed, no other subflow ----------------------------

# removed_setup <pm> <side>: path 1 alone at 10 Mbit/s, <pm> on both
# sides, an endpoint for the initial subflow's address on <side> (cli:
# 10.0.1.1, srv: 10.0.1.2, a signal one, so that the server's PM runs and
# takes it for the initial subflow's), net.mptcp.close_timeout 5 s.
# Deleting that endpoint makes the PM shut the initial subflow down with a
# FIN; the socket is kept until it is closed, and no other subflow can
# come.
removed_setup() {
	local ns
	pm_setup "$1" "$1" && shape "$NS_CLI" cli1 10 20 && shape "$NS_SRV" srv1 10 20 &&
		ip netns exec "$NS_CLI" sysctl -q net.mptcp.scheduler=default || return 1
	if [ "$2" = cli ]; then
		ip -n "$NS_CLI" mptcp endpoint add 10.0.1.1 dev cli1 id 1 subflow
	else
		ip -n "$NS_SRV" mptcp endpoint add 10.0.1.2 dev srv1 id 1 signal
	fi || return 1
	for ns in "$NS_CLI" "$NS_SRV"; do
		ip netns exec "$ns" sysctl -q net.mptcp.close_timeout=5 || return 1
	done
}

# removed_case <pm> upload|download|server: a transfer with the endpoint
# deleted after 1 MiB.  Both MPTCP sockets must fail soon after, not stay
# until the applications give up (here mptcp_xfer's 40 s timeouts).
#   upload    both sockets established, no subflow: they must fail once
#             close_timeout has passed (kernel patch 0025).
#   download  the client half-closed at once (its request is empty) and
#             the server sends.  The client removes the subflow and its
#             packets on path 1 are dropped for 0.5 s from the removal,
#             so the RM_ADDR is lost (it is never sent again) and the FIN
#             comes later: the server keeps its end of the subflow, its
#             MPTCP socket being half-closed, and goes on sending there.
#             The client must reset the subflow on that data
#             (TcpExtTCPAbortOnData; kernel patch 0026) rather than ack and
#             drop it for ever.
#   server    the same download, but the server removes the subflow and
#             its RM_ADDR is lost.  The client's end gets the FIN while its
#             MPTCP socket, half-closed, waits for data: it must close the
#             subflow too, or neither end of it reaches TCP_CLOSE and both
#             sockets wait for ever (kernel patch 0030).
removed_case() {
	local pm=$1 kind=$2 cli rc=0 start cli_s srv_s send="" cin=$in dev=cli1 ns
	# the side that removes the subflow: its namespace (named by the
	# setup) and path 1 device
	local side=cli rm_ns oif=cli1
	[ "$kind" = server ] && side=srv oif=srv1
	removed_setup "$pm" "$side" || return 1
	rm_ns=$NS_CLI
	[ $side = srv ] && rm_ns=$NS_SRV
	ns=$NS_CLI
	if [ "$kind" != upload ]; then
		send="--send $in" cin=/dev/null dev=srv1 ns=$NS_SRV
	fi
	# shellcheck disable=SC2086 # the option's words
	start_server /dev/null 10100 --timeout 40 $send >/dev/null 2>&1 || return 1
	XFER_CLIENT_ARGS="--timeout 40" client "$cin" >"$log" 2>&1 &
	cli=$!
	wait_sent "$ns" "$dev" $((1 << 20)) 30 || rc=1
	if [ "$kind" != upload ]; then
		ip netns exec "$rm_ns" nft add table inet rmdrop \
			"{ chain out { type filter hook output priority 0; oifname \"$oif\" drop; }; }" || rc=1
	fi
	ip -n "$rm_ns" mptcp endpoint delete id 1 || rc=1
	start=$SECONDS
	if [ "$kind" != upload ]; then
		sleep 0.5
		ip netns exec "$rm_ns" nft delete table inet rmdrop || rc=1
	fi
	wait "$cli" && rc=1
	cli_s=$((SECONDS - start))
	wait "$SERVER_PID"
	srv_s=$((SECONDS - start))
	sed 's/^/# client: /' "$log"
	info "$pm $kind: after the removal the client ended in ${cli_s} s, the server in ${srv_s} s;" \
		"RmSubflow $(ext "$rm_ns" RmSubflow), TCPAbortOnData $(netstat "$NS_CLI" TcpExt TCPAbortOnData)"
	[ "$(ext "$rm_ns" RmSubflow)" = 1 ] && [ "$cli_s" -lt 20 ] && [ "$srv_s" -lt 20 ] &&
		! grep -q 'timed out' "$log" || return 1
	if [ "$kind" = download ]; then
		[ "$(netstat "$NS_CLI" TcpExt TCPAbortOnData)" -ge 1 ] || return 1
	fi
	return $rc
}
for pm in kernel rs_kernel; do
	removed_case $pm upload
	ktap_result $? "$pm: the initial subflow removed during an upload, no other: both MPTCP sockets fail within close_timeout"
	removed_case $pm download
	ktap_result $? "$pm: ... during a download, its RM_ADDR lost: the client resets the subflow on new data, both sockets fail"
	removed_case $pm server
	ktap_result $? "$pm: ... by the server during a download, its RM_ADDR lost: the half-closed client closes the subflow, both sockets fail"
done

# --- unloading -----------------------------------------------------------------

# The kernel's scheduler on both sides: only the path manager holds the
# module.
pm_setup rs_kernel rs_kernel &&
	ip netns exec "$NS_CLI" sysctl -q net.mptcp.scheduler=default
start_server "$out"
ip netns exec "$NS_CLI" python3 "$XFER" client --addr 10.0.1.2 --port 10100 \
	--in "$in" --hold 3 >"$log" 2>&1 &
cli=$!
sleep 1
! rmmod mptcp_rs 2>/dev/null
ktap_result $? "rmmod is refused while connections use rs_kernel"
wait $cli && wait "$SERVER_PID" && cmp -s "$in" "$out"
ktap_result $? "the transfer completes intact"
cleanup_netns
for _ in $(seq 50); do
	rmmod mptcp_rs 2>/dev/null && break
	sleep 0.1
done
! lsmod | grep -q '^mptcp_rs ' && ! grep -q 'rs_' /proc/sys/net/mptcp/available_path_managers
ktap_result $? "rmmod succeeds once they are closed; no rs_* path manager is left"
load_module

# --- bad input: the same errors as with the kernel's path manager --------

BAD=(
	"endpoint add 10.0.1.1 id 0 signal subflow fullmesh"
	"endpoint add 10.0.1.1 port 1000 subflow"
	"endpoint add 10.0.5.1 id 5 signal fullmesh"
	"endpoint add 10.0.5.1 id 5 signal"
	"endpoint add 10.0.5.2 id 5 signal"
	"endpoint add 10.0.5.1 id 6 signal"
	"endpoint del id 77"
	"endpoint change id 5 fullmesh"
	"endpoint change id 99 backup"
	"limits set subflows 65"
	"limits set add_addr_accepted 65"
	"limits set subflows 64 add_addr_accepted 64"
	"endpoint add 10.0.5.3 dev nosuchdev signal"
)
# run_bad <pm>: every command of BAD in a fresh namespace using <pm>, with
# each one's exit status and message, and the state afterwards.
run_bad() {
	local ns=bad-$RANDOM cmd
	ip netns add $ns
	ip netns exec $ns sysctl -q net.mptcp.path_manager="$1"
	for cmd in "${BAD[@]}"; do
		# shellcheck disable=SC2086 # the command's words
		echo "$cmd: $(ip -n $ns mptcp $cmd 2>&1; echo "rc=$?")"
	done
	ip -n $ns mptcp endpoint show
	ip -n $ns mptcp limits show
	ip netns del $ns
}
c_out=$(run_bad kernel)
rs_out=$(run_bad rs_kernel)
[ "$c_out" = "$rs_out" ]
ktap_result $? "bad endpoint and limit input: ${#BAD[@]} commands, the same errors and state with rs_kernel as with kernel"
[ "$(echo "$rs_out" | grep -c 'rc=[^0]')" -ge 8 ]
ktap_result $? "bad endpoint and limit input: the bad ones fail ($(echo "$rs_out" | grep -c 'rc=[^0]') of ${#BAD[@]})"
[ "$c_out" = "$rs_out" ] || diff <(echo "$c_out") <(echo "$rs_out") | sed 's/^/# /'

ktap_finish
