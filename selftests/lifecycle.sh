#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module lifecycle under traffic: load and unload mptcp_rs many times
# (CYCLES, default 200) while MPTCP connections run and the scheduler and
# path-manager sysctls flip between ours and the kernel's.  Unloading must
# be refused while a connection uses our code (a scheduler or a path
# manager of ours) and succeed once it is closed, and nothing may stay
# behind: scheduler and path-manager names, the MPTcpRs counters, the
# net.mptcp.rs sysctls, the debugfs directory.

. "$(dirname "$0")/lib.sh"

CYCLES=${CYCLES:-200}
ktap_header "lifecycle: $CYCLES load/unload cycles under traffic"
trap 'exec 3>&- 2>/dev/null; cleanup_netns; rm -f "$in" "$fifo" "$out".*' EXIT

CONNECT=$KSFT_DIR/mptcp_connect
SCHEDS=(default rs_default rs_minrtt rs_rr rs_redundant rs_blest rs_ecf rs_backup)
PMS=(kernel rs_kernel userspace rs_ndiffports kernel)
in=$(mktemp) out=$(mktemp) fifo=$(mktemp -u)
head -c 65536 /dev/urandom >"$in"
mkfifo "$fifo"

rmmod mptcp_rs 2>/dev/null
setup_two_paths default 10 1 10 1

# Each cycle runs a few dozen commands, and under TCG every process costs
# about 0.1 s: the checks below read files in the shell where they can, and
# each namespace's sysctls are set by one command.
leftovers() {
	module_leftovers
	ip netns exec "$NS_CLI" bash -c '
		[[ $(</proc/net/netstat) == *MPTcpRs:* ]] && echo "netstat(ns)"
		[ -e /proc/sys/net/mptcp/rs ] && echo "sysctl(ns)"'
}

# sysctls <netns or ""> <key=value>...
sysctls() {
	if [ -n "$1" ]; then
		ip netns exec "$1" sysctl -q "${@:2}"
	else
		sysctl -q "${@:2}"
	fi
}

# error <text>: one cycle's problem, printed at once (so that a run cut
# short still shows it) and counted.
errors=0
error() {
	info "cycle $cycle: $*"
	errors=$((errors + 1))
}

refused=0 busy=0 unloaded=0 intact=0 clean=0 loaded=0
start=$(date +%s)
for cycle in $(seq "$CYCLES"); do
	[ $((cycle % 25)) -eq 0 ] && info "cycle $cycle after $(($(date +%s) - start)) s"
	insmod "$MPTCP_RS_KO" && loaded=$((loaded + 1))
	sched=${SCHEDS[$((cycle % ${#SCHEDS[@]}))]}
	pm=${PMS[$((cycle % ${#PMS[@]}))]}
	for ns in "$NS_CLI" "$NS_SRV"; do
		sysctls "$ns" net.mptcp.scheduler="$sched" net.mptcp.path_manager="$pm"
	done
	port=$((20000 + cycle))

	# A connection held open by the client's input.
	ip netns exec "$NS_SRV" "$CONNECT" -t 60 -l -p $port -s MPTCP 0.0.0.0 \
		<"$in" >"$out.srv" &
	srv=$!
	wait_listen "$NS_SRV" $port
	ip netns exec "$NS_CLI" "$CONNECT" -t 60 -p $port -s MPTCP 10.0.1.2 \
		<"$fifo" >"$out.cli" &
	cli=$!
	exec 3>"$fifo"
	head -c 32768 "$in" >&3

	# Flip the sysctls mid-connection: only new sockets see it.
	next=${SCHEDS[$(((cycle + 3) % ${#SCHEDS[@]}))]}
	sysctls "$NS_CLI" net.mptcp.scheduler="$next" \
		net.mptcp.path_manager="${PMS[$(((cycle + 1) % ${#PMS[@]}))]}"
	sysctls "" net.mptcp.scheduler="$next" \
		net.mptcp.path_manager="${PMS[$(((cycle + 2) % ${#PMS[@]}))]}"

	if [ "$sched" != default ] || [ "${pm#rs_}" != "$pm" ]; then
		busy=$((busy + 1))
		if rmmod mptcp_rs 2>/dev/null; then
			error "rmmod succeeded with a $sched/$pm connection open"
		else
			refused=$((refused + 1))
		fi
	fi

	tail -c +32769 "$in" >&3
	exec 3>&-
	if wait $cli && wait $srv && cmp -s "$in" "$out.srv" && cmp -s "$in" "$out.cli"; then
		intact=$((intact + 1))
	else
		error "the $sched/$pm connection failed"
	fi
	sysctls "" net.mptcp.scheduler=default net.mptcp.path_manager=kernel
	for ns in "$NS_CLI" "$NS_SRV"; do
		sysctls "$ns" net.mptcp.path_manager=kernel
	done

	if ! unload_module; then
		error "rmmod still refused after the connection closed"
		continue
	fi
	unloaded=$((unloaded + 1))
	left=$(leftovers)
	if [ -z "$left" ]; then
		clean=$((clean + 1))
	else
		error "left behind: $left"
	fi
done

info "$CYCLES cycles in $(($(date +%s) - start)) s, $errors problems"
[ $loaded -eq "$CYCLES" ]
ktap_result $? "the module loaded $loaded times"
[ $refused -eq "$busy" ]
ktap_result $? "rmmod was refused in $refused of the $busy cycles with our scheduler or path manager in use"
[ $intact -eq "$CYCLES" ]
ktap_result $? "$intact connections completed with their data intact"
[ $unloaded -eq "$CYCLES" ]
ktap_result $? "the module unloaded $unloaded times once the connections closed"
[ $clean -eq "$CYCLES" ]
ktap_result $? "$clean unloads left nothing behind"
ktap_finish
