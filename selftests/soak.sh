#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Chaos soak (make soak): CONNS (default 64) concurrent MPTCP connections,
# uploads and downloads of 4 KiB to 24 MiB each checked by SHA-256, over
# three paths, for a number of seconds (default 150), while faults and
# configuration churn hit them at random times:
#
#   links down and up; netem rate, delay, loss and reordering changed;
#   MP_CAPABLE stripped from SYNs, or every MPTCP option from every
#   segment, on one path for a few seconds (a middlebox);
#   endpoints added, removed and flagged backup; limits changed;
#   net.mptcp.scheduler and path_manager switched among every scheduler
#   and path manager the kernel offers, ours and C; the module's sysctls
#   and parameters changed; rmmod attempted (refused: a connection of
#   ours is open); a namespace pair deleted with connections open.
#
# Every PHASE seconds (default 50) the traffic pauses, the module is
# unloaded (it must go, leaving nothing behind) and loaded again.
#
#   soak.sh [seconds [seed]]     (or SOAK_SECONDS, SEED in the environment)
#
# The seed (printed) makes the schedule of faults and transfers the same again;
# timing inside a TCG guest still varies.  Verdicts: no connection corrupt
# or hung (no byte moved for STALL seconds, default 60), the client saw
# errors only as errors; after the run no MPTCP socket left, the MPTCP and
# TCP slab caches and the namespace count back to where they started,
# module reference count 0 and rmmod succeeds.  The kernel log is judged
# by check-log.sh for the whole boot.

. "$(dirname "$0")/lib.sh"

SECONDS_TOTAL=${1:-${SOAK_SECONDS:-150}}
SEED=${2:-${SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}}
PHASE=${PHASE:-50}
CONNS=${CONNS:-64}
STALL=${STALL:-60}
# A connection that lost its last subflow waits close_timeout for a new
# one before it fails; mainline's 60 s would equal STALL, and such a
# connection is not hung, it is waiting by design.  20 s keeps the wait
# well inside STALL.
CLOSE_TIMEOUT=20
# The debug kernel (KASAN, kmemleak, lockdep) under TCG moves data and runs
# processes up to ten times slower: the waits for a paused soak's running
# transfers to end, for sockets to close and for the slabs to drain are
# bounds, not delays, and stretch by SLOW.  STALL does not: a connection
# that moves no byte for STALL seconds is hung on any kernel.
SLOW=1
[ $debug_kernel = 1 ] && SLOW=10
SOAK=$(dirname "$0")/mptcp_soak.py
CONNECT=$KSFT_DIR/mptcp_connect
PORT=10400

ktap_header "soak: $CONNS connections for $SECONDS_TOTAL s under faults, seed $SEED"
info "reproduce with: make soak SOAK_SECONDS=$SECONDS_TOTAL SEED=$SEED"
RANDOM=$SEED

NS_SIDE=
cleanup() {
	[ -n "${client:-}" ] && kill "$client" 2>/dev/null
	[ -n "${pin:-}" ] && kill "$pin" 2>/dev/null
	[ -n "${server:-}" ] && kill "$server" 2>/dev/null
	cleanup_netns
	for ns in $NS_SIDE; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -f "$state" "$pinout" "$bulk"
}
trap cleanup EXIT

# --- what must come back -----------------------------------------------------

# slab_objs: objects in use in the caches of sockets and namespaces, summed.
# Shrinking a cache first flushes its per-CPU slabs, whose free objects
# /proc/slabinfo would count as in use.
SLABS="MPTCP MPTCPv6 TCP TCPv6 request_sock_subflow_v4 request_sock_subflow_v6 net_namespace"
slab_objs() {
	local c
	for c in $SLABS; do
		[ -w /sys/kernel/slab/$c/shrink ] && echo 1 >/sys/kernel/slab/$c/shrink
	done
	awk -v names=" $SLABS " 'index(names, " " $1 " ") { n += $2 } END { print n + 0 }' /proc/slabinfo
}

# SOAK_SKIP_EVERY=N: the deliberately broken scheduler (a test hook: every
# Nth decision marks nothing), to show that the soak catches it.
load() {
	load_module || return
	[ -z "${SOAK_SKIP_EVERY:-}" ] ||
		echo "$SOAK_SKIP_EVERY" >/sys/kernel/debug/mptcp_rs/sched_skip_every
}

rmmod mptcp_rs 2>/dev/null
load || exit
[ -z "${SOAK_SKIP_EVERY:-}" ] || info "sabotage: every ${SOAK_SKIP_EVERY}th decision of our schedulers marks nothing"
slab0=$(slab_objs)

# --- topology: three paths ---------------------------------------------------

id=$RANDOM
NS_CLI=rscli-$id NS_SRV=rssrv-$id
for ns in $NS_CLI $NS_SRV; do
	ip netns add "$ns" &&
		ip -n "$ns" link set lo up &&
		ip netns exec "$ns" sysctl -q net.mptcp.enabled=1 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 net.mptcp.close_timeout=$CLOSE_TIMEOUT || exit
done
for k in 1 2 3; do
	ip link add cli$k netns "$NS_CLI" type veth peer name srv$k netns "$NS_SRV" &&
		ip -n "$NS_CLI" addr add 10.0.$k.1/24 dev cli$k &&
		ip -n "$NS_SRV" addr add 10.0.$k.2/24 dev srv$k &&
		ip -n "$NS_CLI" link set cli$k up &&
		ip -n "$NS_SRV" link set srv$k up &&
		tc -n "$NS_CLI" qdisc add dev cli$k root netem rate 40mbit delay 5ms limit 100 &&
		tc -n "$NS_SRV" qdisc add dev srv$k root netem rate 40mbit delay 5ms limit 100 || exit
done
unset k
ip -n "$NS_SRV" mptcp limits set subflows 4 add_addr_accepted 0 &&
	ip -n "$NS_SRV" mptcp endpoint add 10.0.2.2 dev srv2 id 2 signal &&
	ip -n "$NS_SRV" mptcp endpoint add 10.0.3.2 dev srv3 id 3 signal &&
	ip -n "$NS_CLI" mptcp limits set subflows 4 add_addr_accepted 4
ktap_result $? "three paths between $NS_CLI and $NS_SRV"

read -ra SCHEDS </proc/sys/net/mptcp/available_schedulers
read -ra PMS </proc/sys/net/mptcp/available_path_managers
info "schedulers: ${SCHEDS[*]}; path managers: ${PMS[*]}"
# pick <array> <var>: a random element into <var> (not in a subshell, whose
# RANDOM would not follow the seed).
pick() {
	local -n list=$1
	printf -v "$2" %s "${list[$((RANDOM % ${#list[@]}))]}"
}

# --- traffic -----------------------------------------------------------------

state=$(mktemp) pinout=$(mktemp) bulk=$(mktemp)
head -c $((4 << 20)) /dev/urandom >"$bulk"
ip netns exec "$NS_SRV" python3 "$SOAK" server --port $PORT &
server=$!
wait_listen "$NS_SRV" $PORT || { ktap_result 1 "the soak server listens"; exit; }
# The pin: an idle connection to the soak server, scheduled by one of ours
# on the client, so that the module is in use for as long as it lives.
start_pin() {
	ip netns exec "$NS_CLI" sysctl -q net.mptcp.scheduler=rs_default
	: >"$pinout"
	ip netns exec "$NS_CLI" python3 "$XFER" client --addr 10.0.1.2 --port $PORT \
		--in /dev/null --hold 86400 >"$pinout" &
	pin=$!
	for ((i = 0; i < 100 * SLOW; i++)); do
		[ -s "$pinout" ] && return 0
		sleep 0.1
	done
	info "the pin connection did not connect"
	return 1
}
stop_pin() {
	kill $pin
	wait $pin 2>/dev/null
	pin=
}
start_pin
ip netns exec "$NS_CLI" python3 "$SOAK" client --addrs 10.0.1.2,10.0.2.2,10.0.3.2 \
	--port $PORT --conns "$CONNS" --seed "$SEED" --stall "$STALL" --state "$state" \
	--diag-netns "$NS_SRV" &
client=$!

# --- faults ------------------------------------------------------------------

# fault <kind> [<variant>]: counts one injected fault.
declare -A faults
nfaults=0
# Each is logged with its time and, from the caller, the path k.
fault() {
	info "$(($(now) - start)) s: fault $1${2:+ $2}${k:+ path $k}${ep_op:+ $ep_op}"
	faults[$1${2:+_$2}]=$((${faults[$1${2:+_$2}]:-0} + 1))
	[ -z "${2:-}" ] || faults[$1]=$((${faults[$1]:-0} + 1))
	nfaults=$((nfaults + 1))
}
cli() { ip netns exec "$NS_CLI" "$@"; }
srv() { ip netns exec "$NS_SRV" "$@"; }
now() { date +%s; }

# Timed faults are undone when their time comes: link_up[k], strip_end[k].
declare -A link_up strip_end
undo_due() {
	local k t=$(now)
	for k in "${!link_up[@]}"; do
		[ "${link_up[$k]}" -le "$t" ] || continue
		ip -n "$NS_CLI" link set cli$k up
		ip -n "$NS_SRV" link set srv$k up
		unset "link_up[$k]"
	done
	for k in "${!strip_end[@]}"; do
		[ "${strip_end[$k]}" -le "$t" ] || continue
		cli iptables -t mangle -F
		srv iptables -t mangle -F
		unset "strip_end[$k]"
	done
}

fault_link() {
	local k=$((RANDOM % 3 + 1))
	# At most two paths down at once, each for 1 to 4 s.
	[ ${#link_up[@]} -ge 2 ] || [ -n "${link_up[$k]:-}" ] && return
	ip -n "$NS_CLI" link set cli$k down
	ip -n "$NS_SRV" link set srv$k down
	link_up[$k]=$(($(now) + 1 + RANDOM % 4))
	fault link
}

fault_netem() {
	local k=$((RANDOM % 3 + 1)) rate=$((10 + RANDOM % 90)) delay=$((1 + RANDOM % 40))
	local loss=$((RANDOM % 4)) reorder=
	[ $((RANDOM % 3)) = 0 ] && reorder="reorder 10% 50%"
	tc -n "$NS_CLI" qdisc change dev cli$k root netem rate ${rate}mbit delay ${delay}ms \
		loss $loss% $reorder limit 100 &&
		tc -n "$NS_SRV" qdisc change dev srv$k root netem rate ${rate}mbit delay ${delay}ms \
			limit 100 && fault netem
}

fault_strip() {
	local k=$((RANDOM % 3 + 1)) ns dev
	[ ${#strip_end[@]} -ge 1 ] && return
	if [ $((RANDOM % 2)) = 0 ]; then
		# MP_CAPABLE on SYNs: new connections on this path fall back.
		cli iptables -t mangle -A POSTROUTING -o cli$k -p tcp --syn \
			-j TCPOPTSTRIP --strip-options 30 && fault strip mpc
	else
		# Every MPTCP option on every segment of the path, both ways,
		# from the middle of connections on.  (A middlebox that strips
		# them from data segments only, leaving the DATA_ACKs of pure
		# ACKs, is middlebox_dss.sh's case.)
		for dev in cli$k srv$k; do
			ns=$NS_CLI
			[ $dev = srv$k ] && ns=$NS_SRV
			ip netns exec "$ns" iptables -t mangle -A POSTROUTING -o $dev -p tcp \
				-j TCPOPTSTRIP --strip-options 30
		done
		fault strip all
	fi
	strip_end[$k]=$(($(now) + 2 + RANDOM % 4))
}

fault_endpoint() {
	local k=$((RANDOM % 2 + 2)) flag ep_op=$((RANDOM % 5))
	case $ep_op in
	0) ip -n "$NS_CLI" mptcp endpoint add 10.0.$k.1 dev cli$k id $k subflow 2>/dev/null ;;
	1) ip -n "$NS_CLI" mptcp endpoint delete id $k 2>/dev/null ;;
	2) flag=$([ $((RANDOM % 2)) = 0 ] && echo backup || echo nobackup)
	   ip -n "$NS_CLI" mptcp endpoint change id $k $flag 2>/dev/null ;;
	3) ip -n "$NS_SRV" mptcp endpoint delete id $k 2>/dev/null ;;
	4) ip -n "$NS_SRV" mptcp endpoint add 10.0.$k.2 dev srv$k id $k signal 2>/dev/null ;;
	esac
	ep_op=$(echo client-add client-delete client-${flag:-} server-delete server-add | cut -d" " -f$((ep_op + 1)))
	fault endpoint
}

fault_limits() {
	ip -n "$NS_CLI" mptcp limits set subflows $((RANDOM % 5)) add_addr_accepted $((RANDOM % 5)) &&
		fault limits
}

fault_sysctl() {
	local ns sched pm
	for ns in "$NS_CLI" "$NS_SRV"; do
		pick SCHEDS sched
		pick PMS pm
		info "${ns%%-*}: scheduler $sched, path manager $pm"
		ip netns exec "$ns" sysctl -q net.mptcp.scheduler="$sched" \
			net.mptcp.path_manager="$pm" \
			net.mptcp.rs.blackhole_mode=$((RANDOM % 3)) \
			net.mptcp.rs.blackhole_adaptive_threshold=$((RANDOM % 8 + 1)) \
			net.mptcp.rs.blackhole_table_size=$((64 << (RANDOM % 5))) \
			net.mptcp.rs.ndiffports=$((RANDOM % 4 + 1)) \
			net.mptcp.blackhole_timeout=$((RANDOM % 2 * (1 + RANDOM % 5)))
	done
	fault sysctl
}

fault_params() {
	local ns
	for ns in "$NS_CLI" "$NS_SRV"; do
		ip netns exec "$ns" sysctl -q net.mptcp.rs.rr_segments=$((RANDOM % 40 + 1)) \
			net.mptcp.rs.ecf_beta=$((RANDOM % 500)) \
			net.mptcp.rs.backup_stale_ms=$((20 + RANDOM % 200)) || return
	done
	fault params
}

busy_rmmod_ok=0
fault_rmmod() {
	if ! kill -0 $pin 2>/dev/null; then
		info "the pin connection ended; a new one"
		wait $pin
		start_pin
		return
	fi
	if rmmod mptcp_rs 2>/dev/null; then
		info "rmmod succeeded while a connection of ours was open"
		busy_rmmod_ok=$((busy_rmmod_ok + 1))
		load
	else
		fault rmmod
	fi
}

# A namespace pair with a transfer running, deleted under it: the
# processes are killed right after, so the namespaces go with sockets
# open on both ends.
fault_netns() {
	local a=rssideA-$RANDOM b=rssideB-$RANDOM pids sched_a pm_a sched_b
	NS_SIDE="$a $b"
	ip netns add $a && ip netns add $b || return
	ip link add sa netns $a type veth peer name sb netns $b
	ip -n $a addr add 10.9.0.1/24 dev sa && ip -n $a link set sa up && ip -n $a link set lo up
	ip -n $b addr add 10.9.0.2/24 dev sb && ip -n $b link set sb up && ip -n $b link set lo up
	pick SCHEDS sched_a
	pick PMS pm_a
	pick SCHEDS sched_b
	ip netns exec $a sysctl -q net.mptcp.scheduler="$sched_a" net.mptcp.path_manager="$pm_a"
	ip netns exec $b sysctl -q net.mptcp.scheduler="$sched_b"
	ip netns exec $b "$CONNECT" -l -p 10500 -s MPTCP 0.0.0.0 <"$bulk" >/dev/null 2>&1 &
	wait_listen $b 10500
	ip netns exec $a "$CONNECT" -p 10500 -s MPTCP 10.9.0.2 <"$bulk" >/dev/null 2>&1 &
	sleep 0.5
	pids=$( (ip netns pids $a; ip netns pids $b) 2>/dev/null)
	ip netns del $a
	ip netns del $b
	# shellcheck disable=SC2086
	kill -9 $pids 2>/dev/null
	NS_SIDE=
	fault netns
}

FAULTS=(fault_link fault_netem fault_strip fault_endpoint fault_limits fault_sysctl
	fault_params fault_rmmod fault_netns)

# --- quiet phase: unload and reload ------------------------------------------

reloads=0 reload_errors=0
# sockets: MPTCP sockets open in the two namespaces, listeners aside.
sockets() {
	for ns in "$NS_CLI" "$NS_SRV"; do ip netns exec "$ns" ss -HMa exclude listening; done | wc -l
}
quiet_phase() {
	local deadline i ns left
	kill -USR1 $client
	# Deadlines in seconds: a process takes tens of ms to start in TCG.
	# Each running transfer either moves or is hung after STALL s.
	deadline=$((SECONDS + (STALL + 30) * SLOW))
	while [ $SECONDS -lt $deadline ] && [ "$(<"$state")" != idle ]; do
		# A link taken down just before the pause comes back when due,
		# not after this wait: down that long, every connection on it
		# would stall past STALL.
		undo_due
		sleep 0.2
	done
	[ "$(<"$state")" = idle ] ||
		info "quiet phase: connections still running $(((STALL + 30) * SLOW)) s after the pause"
	undo_due_all
	info "quiet: $(sockets) MPTCP sockets, $(slab_objs) socket and namespace slab objects"
	stop_pin
	for ns in "$NS_CLI" "$NS_SRV"; do
		ip netns exec "$ns" sysctl -q net.mptcp.scheduler=default net.mptcp.path_manager=kernel
	done
	# Closed connections may linger a while (net.mptcp.close_timeout).
	deadline=$((SECONDS + 90 * SLOW))
	until [ "$(sockets)" = 0 ] || [ $SECONDS -ge $deadline ]; do
		sleep 0.5
	done
	if [ "$(sockets)" != 0 ]; then
		info "quiet phase: MPTCP sockets still open $((90 * SLOW)) s after the traffic stopped:"
		# the server's, with the subflows ss cannot show (closed ones)
		kill -USR1 $server
		sleep 0.5
		for ns in "$NS_CLI" "$NS_SRV"; do
			ip netns exec "$ns" ss -Maie | sed "s/^/#   $ns /"
			# and their subflows, as TCP sees them
			ip netns exec "$ns" ss -Htanoi "( sport = :$PORT or dport = :$PORT )" |
				sed "s/^/#   $ns tcp /"
		done
	fi
	unload_module $((10 * SLOW))
	left=$(module_leftovers | tr "\n" " ")
	if [ -n "$left" ]; then
		info "quiet phase: unload left behind: $left (refcnt $(cat /sys/module/mptcp_rs/refcnt 2>/dev/null))"
		reload_errors=$((reload_errors + 1))
	fi
	load && reloads=$((reloads + 1))
	start_pin
	kill -USR2 $client
}

undo_due_all() {
	local k
	for k in "${!link_up[@]}"; do link_up[$k]=0; done
	for k in "${!strip_end[@]}"; do strip_end[$k]=0; done
	undo_due
}

# --- the run -----------------------------------------------------------------

round=()
start=$(now)
next_quiet=$((start + PHASE))
next_report=$((start + 30))
while [ $(($(now) - start)) -lt "$SECONDS_TOTAL" ]; do
	undo_due
	if [ "$(now)" -ge $next_report ]; then
		info "$(($(now) - start)) s: $nfaults faults so far"
		next_report=$(($(now) + 30))
	fi
	if [ "$(now)" -ge $next_quiet ]; then
		info "quiet phase after $(($(now) - start)) s: unload and reload"
		quiet_phase
		next_quiet=$(($(now) + PHASE))
		continue
	fi
	# Every kind in each round, in a random order.
	if [ ${#round[@]} = 0 ]; then
		round=("${FAULTS[@]}")
		for ((i = ${#round[@]} - 1; i > 0; i--)); do
			j=$((RANDOM % (i + 1)))
			t=${round[i]} round[i]=${round[j]} round[j]=$t
		done
	fi
	"${round[0]}"
	round=("${round[@]:1}")
	sleep "0.$((RANDOM % 10))"
done
undo_due_all
info "faults: $(for f in "${!faults[@]}"; do printf '%s=%s ' "$f" "${faults[$f]}"; done)"

kill -TERM $client
# The running connections finish, each within STALL of its last byte.
wait $client
client_rc=$?
client=
stop_pin
kill $server
wait $server 2>/dev/null
server=
[ $client_rc = 0 ]
ktap_result $? "no connection corrupt or hung, some intact (the line above)"

missing=
for f in "${FAULTS[@]}"; do [ -n "${faults[${f#fault_}]:-}" ] || missing+=" ${f#fault_}"; done
[ -z "$missing" ]
ktap_result $? "every kind of fault injected${missing:+ (never:$missing)}"
[ $busy_rmmod_ok = 0 ] && [ "${faults[rmmod]:-0}" -gt 0 ]
ktap_result $? "rmmod refused in all ${faults[rmmod]:-0} attempts under traffic"
[ $reloads -ge 1 ] && [ $reload_errors = 0 ]
ktap_result $? "$reloads quiet-phase unloads left nothing behind and the module came back"

# --- nothing left ------------------------------------------------------------

deadline=$((SECONDS + 30 * SLOW))
until [ "$(sockets)" = 0 ] || [ $SECONDS -ge $deadline ]; do sleep 0.5; done
left=$(sockets)
[ "$left" = 0 ]
ktap_result $? "no MPTCP socket left ($left)"
cleanup_netns
sysctl -q net.mptcp.scheduler=default net.mptcp.path_manager=kernel
unload_module $((30 * SLOW))
ktap_result $? "the module's reference count fell to 0 and rmmod succeeded"
# Sockets and namespaces are freed by RCU and by the netns cleanup work.
for i in $(seq $((60 * SLOW))); do
	slab=$(slab_objs)
	[ "$slab" -le $((slab0 + 16)) ] && break
	sleep 1
done
[ "$slab" -le $((slab0 + 16)) ]
ktap_result $? "socket and namespace slab objects back to $slab (at the start $slab0)"
ktap_finish
