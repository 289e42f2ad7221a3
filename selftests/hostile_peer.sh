#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile peer input: from the client namespace, mptcp_peer.py crafts MPTCP
# packets over raw sockets against an MPTCP listener in the server namespace
# (the DUT, running rs_default and the path manager given, kernel by
# default: `hostile_peer.sh rs_kernel` for ours).  Each case checks the DUT's reaction on the
# wire (the tool's exit status and result line) and the exact or bounded
# moves of the DUT's MPTcpExt counters, as the 7.3 code defines them:
#
#   join-unknown-token  RST; MPJoinSynRx, MPJoinNoTokenFound +1
#                       (subflow_check_req, subflow_token_join_request)
#   join-valid          control: the join completes; MPJoinAckRx +1
#   join-bad-hmac       RST on the join, first subflow alive;
#                       MPJoinAckHMacFailure +1 (subflow_syn_recv_sock)
#   add-addr-*          valid ADD_ADDR: AddAddr +N (mptcp_incoming_options),
#                       joins by the DUT bounded by add_addr_accepted
#                       (mptcp_pm_nl_add_addr_received); bad HMAC: silently
#                       ignored, no counter moves (add_addr_hmac_valid)
#   rm-addr-*           RmAddr +1 per listed id; id 0 closes the initial
#                       subflow (mptcp_pm_rm_addr_or_subflow); RmSubflow is
#                       only for local removals and stays
#   mp-prio             MPPrioRx +1: the 4-byte form is not parsed
#   strip               data without DSS: fallback to TCP, DssFallback +1,
#                       the application gets the data (subflow_check_data_avail)
#   strip-resent        the same after an MPTCP-level retransmission on the
#                       subflow: no fallback, a RST; DssReset +1
#
# then checks that a normal MPTCP transfer still works and that the kernel
# log is clean.  With rs_kernel, the module's counters show it handled each
# case: the announces it used and refused (PmAddrAccepted,
# PmNoSubflowLimit), the MP_PRIO (PmPrioReceived).

. "$(dirname "$0")/lib.sh"

PEER=$(dirname "$0")/mptcp_peer.py
DUT=10.0.1.2
MARK=0x4d50	# SO_MARK of the tool's packets
LIMIT=2		# the DUT's add_addr_accepted
PORT=10600
PM=${1:-kernel}

ktap_header "hostile_peer: crafted MPTCP input from a raw-socket peer, path manager $PM"
trap 'pcap_stop; cleanup_netns; rm -f "$in" "$out" "$srvlog" "$klog"' EXIT

dmesg0=$(dmesg | wc -l)
load_module
in=$(mktemp) out=$(mktemp) srvlog=$(mktemp) klog=$(mktemp)

setup_two_paths rs_default &&
	ip netns exec "$NS_SRV" sysctl -q net.mptcp.path_manager="$PM" &&
	[ "$(ip netns exec "$NS_SRV" sysctl -n net.mptcp.scheduler)" = rs_default ]
ktap_result $? "two namespaces, the DUT uses rs_default and the $PM path manager"

# The DUT announces nothing (so that its own ADD_ADDR does not mix with the
# cases), accepts 2 extra subflows and 2 ADD_ADDR, and routes the
# announced 10.99.0.0/16 to the peer, which does not forward: the subflows
# the DUT opens towards them stay in SYN_SENT, counted but harmless.  The
# tool does not do DSS checksums.
ip -n "$NS_SRV" mptcp endpoint flush &&
	ip -n "$NS_SRV" mptcp limits set subflows 2 add_addr_accepted $LIMIT &&
	ip -n "$NS_SRV" route add 10.99.0.0/16 via 10.0.1.1 &&
	ip netns exec "$NS_SRV" sysctl -q net.mptcp.checksum_enabled=0 &&
	ip netns exec "$NS_CLI" sysctl -q net.ipv4.ip_forward=0
ktap_result $? "DUT: no endpoints, limits subflows 2 add_addr_accepted $LIMIT"

# The peer's kernel knows nothing of the tool's connections and would reset
# them at the first SYN-ACK; drop its RSTs, but not the tool's (marked).
ipt() { ip netns exec "$NS_CLI" iptables "$@"; }
ipt -A OUTPUT -p tcp --tcp-flags RST RST -m mark --mark $MARK -j ACCEPT &&
	ipt -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
ktap_result $? "peer firewall: its kernel's RSTs are dropped, the tool's pass"

# --- helpers ---------------------------------------------------------------

declare -A C0 C1

# snapshot <array>: all MPTcpExt and MPTcpRs counters of the DUT, read at
# once, into an associative array (ours prefixed with Rs).
snapshot() {
	local -n snap=$1
	local name value
	snap=()
	while read -r name value; do
		snap[$name]=$value
	done < <(ip netns exec "$NS_SRV" cat /proc/net/netstat | awk '
		$1 == "MPTcpExt:" && !n { for (i = 2; i <= NF; i++) col[i] = $i; n = NF; next }
		$1 == "MPTcpExt:" { for (i = 2; i <= n; i++) print col[i], $i }
		$1 == "MPTcpRs:" && !r { for (i = 2; i <= NF; i++) rcol[i] = $i; r = NF; next }
		$1 == "MPTcpRs:" { for (i = 2; i <= r; i++) print "Rs" rcol[i], $i }')
}

# case_start <name> [file]: a new port with a server in the DUT, which
# accepts one connection and writes what it receives to <file>; then the
# counters before the case.  The DUT's packets are captured until the next
# case starts, and kept if one of the case's checks failed.
case_start() {
	CASE=$1
	PORT=$((PORT + 1))
	pcap_stop
	pcap_start "$NS_SRV" "hostile_peer-$PORT-$1"
	start_server "${2:-/dev/null}" $PORT >"$srvlog" 2>&1
	ktap_result $? "$CASE: the DUT listens on port $PORT"
	snapshot C0
}

# case_end: the counters after the case, once the DUT's PM worker ran;
# then the server goes.
case_end() {
	sleep 0.3
	snapshot C1
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
}

# peer <what> <subcommand> [args...]: the tool in the peer namespace against
# the case's port; passes when it saw the reaction it expects.  Its result
# line is in $RESULT.
peer() {
	local what=$1 rc
	shift
	RESULT=$(ip netns exec "$NS_CLI" python3 "$PEER" "$@" --dst $DUT \
		--port $PORT --mark $MARK 2>&1)
	rc=$?
	echo "$RESULT" | sed 's/^/# /'
	ktap_result $rc "$CASE: $what"
}

# field <name>: a value of the tool's result line.
field() {
	sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$RESULT" | tail -n 1
}

span() {
	if [ "$1" = "$2" ]; then echo "$1"; else echo "$1..$2"; fi
}

# within <what> <value> <min> [max]: value is min (or within min..max).
within() {
	local what=$1 value=$2 min=$3 max=${4:-$3}
	[[ $value =~ ^-?[0-9]+$ ]] && [ "$value" -ge "$min" ] && [ "$value" -le "$max" ]
	ktap_result $? "$CASE: $what: ${value:-none} (expected $(span "$min" "$max"))"
}

# moved <counter> <min> [max]: MPTcpExt<counter> of the DUT moved by min
# (or by min..max) during the case.
moved() {
	local name=$1 min=$2 max=${3:-$2}
	if [ -z "${C0[$name]}" ] || [ -z "${C1[$name]}" ]; then
		ktap_fail "$CASE: MPTcpExt$name is missing from /proc/net/netstat"
		return
	fi
	within "MPTcpExt$name moved by" $((C1[$name] - C0[$name])) "$min" "$max"
}

# ours <counter> <min> [max]: with rs_kernel, MPTcpRs<counter> of the DUT
# moved by min (or by min..max); nothing to check with the kernel's.
ours() {
	[ "$PM" = rs_kernel ] || return 0
	local name=Rs$1 min=$2 max=${3:-$2}
	if [ -z "${C0[$name]}" ] || [ -z "${C1[$name]}" ]; then
		ktap_fail "$CASE: MPTcp$name is missing from /proc/net/netstat"
		return
	fi
	within "MPTcp$name moved by" $((C1[$name] - C0[$name])) "$min" "$max"
}

# no_subflow: the DUT has no established TCP subflow left on the port.
no_subflow() {
	local i
	for i in $(seq 10); do
		ip netns exec "$NS_SRV" ss -Htn state established "( sport = :$PORT )" |
			grep -q . || return 0
		sleep 0.1
	done
	return 1
}

# --- MP_JOIN ---------------------------------------------------------------

# subflow_check_req(): MPJoinSynRx, then subflow_token_join_request() finds
# no msk: MPJoinNoTokenFound, -EPERM, and subflow_v4_route_req() resets.
case_start join-unknown-token
peer "an MP_JOIN SYN with an unknown token gets a RST" join-unknown-token
case_end
moved MPJoinSynRx 1
moved MPJoinNoTokenFound 1
moved MPJoinAckRx 0

# The control for the next case: the same HMACs, right, are accepted
# (subflow_hmac_valid(), mptcp_finish_join(): MPJoinAckRx).
case_start join-valid
peer "a correct MP_JOIN opens a subflow that carries data" join-valid
no_subflow
ktap_result $? "$CASE: the tool's RSTs (marked) closed both subflows in the DUT"
case_end
moved MPJoinSynRx 1
moved MPJoinAckRx 1
moved MPJoinAckHMacFailure 0

# subflow_syn_recv_sock(): !subflow_hmac_valid() -> MPJoinAckHMacFailure,
# dispose_child, send_reset; the msk and its first subflow are untouched.
case_start join-bad-hmac
peer "a wrong HMAC in the MP_JOIN third ACK gets a RST, the first subflow lives on" \
	join-bad-hmac
case_end
moved MPJoinSynRx 1
moved MPJoinAckHMacFailure 1
moved MPJoinAckRx 0

# --- ADD_ADDR --------------------------------------------------------------
#
# mptcp_incoming_options() counts AddAddr for every ADD_ADDR whose HMAC
# add_addr_hmac_valid() accepts, before the PM looks at it.  The PM
# (mptcp_pm_add_addr_received()) queues it for its worker, or counts
# AddAddrDrop when one is queued already, or echoes it at once when
# accept_addr is off.  The worker (mptcp_pm_nl_add_addr_received()) echoes
# it and connects to it (MPJoinSynTx); after add_addr_accepted successful
# connects, accept_addr goes off.

# Paced, each ADD_ADDR after the echo of the previous one (and 0.2 s): the
# worker is idle each time, so all of it is deterministic.
N=6
case_start add-addr-paced
peer "$N ADD_ADDR, each after the previous echo: the connection lives" \
	add-addr-flood --count $N --paced --settle 0.3
within "ADD_ADDR echoed" "$(field echoed)" $N
case_end
moved AddAddr $N
moved AddAddrDrop 0
moved EchoAddTx $N
moved MPJoinSynTx $LIMIT
moved MPJoinSynTxCreatSkErr 0
ours PmAddrAccepted $LIMIT
ours PmNoSubflowLimit $((N - LIMIT))

# Back to back: how many the worker takes depends on timing, but never more
# joins than add_addr_accepted.  (The C worker drops the PM lock around
# __mptcp_subflow_connect(), and an ADD_ADDR queued meanwhile is not checked
# against the limit again: on the slow debug kernel both a port of it and
# 7.3's C path manager made 3 joins with a limit of 2.  rs_kernel and
# kernel patch 0014 check again; this catches a PM that does not.)
N=40
case_start add-addr-burst
peer "$N ADD_ADDR back to back: the connection lives" add-addr-flood --count $N
within "ADD_ADDR echoed" "$(field echoed)" 1 $N
case_end
moved AddAddr $N
moved AddAddrDrop 0 $((N - 1))
moved MPJoinSynTx 1 $LIMIT
moved MPJoinSynTxCreatSkErr 0
ours PmAddrAccepted 1 $LIMIT
ours PmNoSubflowLimit 0 $((N - 1))

# A wrong HMAC: ignored before any counter or the PM sees it.
case_start add-addr-bad-hmac
peer "$N ADD_ADDR with wrong HMACs: the connection lives" \
	add-addr-flood --count $N --bad-hmac
within "ADD_ADDR echoed" "$(field echoed)" 0
case_end
moved AddAddr 0
moved AddAddrDrop 0
moved EchoAddTx 0
moved MPJoinSynTx 0
ours PmAddrAccepted 0

# --- RM_ADDR ---------------------------------------------------------------
#
# mptcp_pm_rm_addr_received() queues the list for the worker (RmAddrDrop if
# one is queued already); mptcp_pm_rm_addr_or_subflow() counts RmAddr once
# per id and closes the subflows whose remote id matches: the initial
# subflow has remote id 0, and being msk->first it is not freed but shut
# down (__mptcp_close_ssk() -> __mptcp_subflow_disconnect(): a FIN).

case_start rm-addr-unknown
peer "RM_ADDR for unknown ids 77 and 200: the initial subflow stays" \
	rm-addr --ids 77,200
case_end
moved RmAddr 2
moved RmAddrDrop 0
moved RmSubflow 0

case_start rm-addr-id0
peer "RM_ADDR for ids 0, 77 and 200: the DUT closes the initial subflow" \
	rm-addr --ids 0,77,200
case_end
moved RmAddr 3
moved RmAddrDrop 0
moved RmSubflow 0

# --- MP_PRIO ---------------------------------------------------------------

# mptcp_parse_option() takes only the 3-byte MP_PRIO (TCPOLEN_MPTCP_PRIO);
# the 4-byte one is skipped like an unknown option.
case_start mp-prio
peer "MP_PRIO, then a 4-byte MP_PRIO with an address id: the connection lives" mp-prio
case_end
moved MPPrioRx 1
ours PmPrioReceived 1

# --- DSS stripped ----------------------------------------------------------

# Once the mapping of the first bytes is consumed, data without DSS is
# MAPPING_NODSS in get_mapping_status(); subflow_check_data_avail() falls
# back (one subflow, no retransmission at the MPTCP level: the infinite
# fallback is allowed) and counts DssFallback; the data is mapped from the
# TCP sequence numbers and delivered.
head -c 4096 /dev/urandom >"$in"
case_start strip "$out"
peer "data without DSS mid-connection is acknowledged, by plain TCP once the DUT fell back" \
	strip --in "$in"
for i in $(seq 50); do
	kill -0 "$SERVER_PID" 2>/dev/null || break
	sleep 0.1
done
kill "$SERVER_PID" 2>/dev/null
wait "$SERVER_PID" && cmp -s "$in" "$out"
ktap_result $? "$CASE: the DUT's application read all the data and saw its end"
sed 's/^/# server: /' "$srvlog"
case_end
moved DssFallback 1
moved DssReset 0
moved MPCapableDataFallback 0

# The same after an MPTCP-level retransmission on the subflow: the last
# 200 mapped bytes again, with their own DSN, as new subflow bytes.  The
# stream no longer maps one to one onto the data sequence, so
# get_mapping_status() rules the fallback out (patch 0028), and the data
# without DSS makes subflow_check_data_avail() reset the subflow.
# Without 0028 the DUT fell back and put every later byte 200 bytes past
# where it belongs.
case_start strip-resent
peer "data without DSS after a retransmission at the MPTCP level: a reset, no fallback" \
	strip --in "$in" --mapped 1000 --resend 200
case_end
moved DssFallback 0
moved DssReset 1
pcap_stop

# --- afterwards ------------------------------------------------------------

dropped=$(ipt -L OUTPUT -n -v -x | awk '$3 == "DROP" { print $1 }')
[ "${dropped:-0}" -gt 0 ]
ktap_result $? "the peer's firewall dropped ${dropped:-0} RSTs of its kernel"

# A normal transfer between the same namespaces, over two subflows.
ipt -F OUTPUT
ip -n "$NS_SRV" mptcp endpoint add 10.0.2.2 dev srv2 id 2 signal
make_file "$in" 1
PORT=$((PORT + 1))
transfer "$in" "$out" $PORT | sed 's/^/# /'
[ "${PIPESTATUS[0]}" -eq 0 ] && cmp -s "$in" "$out"
ktap_result $? "a normal MPTCP transfer in the same namespaces still works"

dmesg | tail -n +"$((dmesg0 + 1))" >"$klog"
bash "$(dirname "$0")/check-log.sh" "$klog" | sed 's/^/# /'
ktap_result "${PIPESTATUS[0]}" "the kernel log has no warning, oops or sanitizer report"
ktap_finish
