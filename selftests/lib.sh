#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the guest-side tests: KTAP output, namespaces joined by two
# shaped veth paths, MPTCP transfers, counters.  Sourced by the tests.
#
# The guest runner exports:
#   MPTCP_RS_KO  path of mptcp_rs.ko
#   KSFT_DIR     the kernel's installed net/mptcp selftests
#   KSRC         the patched kernel tree (its YNL library and specs)
#   OUT          a writable directory for results

: "${KSFT_DIR:?}" "${KSRC:?}" "${MPTCP_RS_KO:?}" "${OUT:?}"

XFER=$(dirname "${BASH_SOURCE[0]}")/mptcp_xfer.py
COUNTERS=/sys/kernel/debug/mptcp_rs/counters

# --- KTAP ------------------------------------------------------------------

. "$(dirname "${BASH_SOURCE[0]}")/ktap.sh"

# The debug kernel (kmemleak, KASAN, lockdep) under TCG takes several times
# longer for every step, and its guest CPU, not a 10 Mbit/s link, can be
# what limits a transfer: the checks that involve time or rates allow for it.
debug_kernel=0
[ -e /sys/kernel/debug/kmemleak ] && debug_kernel=1

# --- module ----------------------------------------------------------------

load_module() {
	lsmod | grep -q '^mptcp_rs ' || insmod "$MPTCP_RS_KO"
}

# counter <Name>: module-wide total of MPTcpRs<Name>, over all namespaces.
counter() {
	awk -v n="MPTcpRs$1" '$1 == n { print $2 }' "$COUNTERS"
}

# netstat <ns> <Prefix> <Name>: a counter of /proc/net/netstat in <ns>, as
# nstat reads it (a header line and a value line per prefix).
netstat() {
	ip netns exec "$1" cat /proc/net/netstat |
		awk -v p="$2:" -v n="$3" '$1 == p && !seen { for (i = 2; i <= NF; i++) col[$i] = i; seen = 1; next }
			$1 == p && seen { print (n in col) ? $col[n] : "missing"; exit }'
}

# module_leftovers: what of the module is still visible after rmmod, one
# word a line (nothing when it is all gone).
module_leftovers() {
	[[ $(</proc/sys/net/mptcp/available_schedulers) == *rs_* ]] && echo "schedulers"
	[[ $(</proc/sys/net/mptcp/available_path_managers) == *rs_* ]] && echo "path managers"
	[[ $(</proc/net/netstat) == *MPTcpRs:* ]] && echo "netstat"
	[ -e /proc/sys/net/mptcp/rs ] && echo "sysctl"
	[ -e /sys/kernel/debug/mptcp_rs ] && echo "debugfs"
	[ -e /sys/module/mptcp_rs ] && echo "module"
}

# unload_module [seconds]: rmmod until it succeeds, at most that long
# (default 10 s): a connection that just closed may hold the module a
# moment.  Fails if the module is still loaded.
unload_module() {
	local deadline=$((SECONDS + ${1:-10}))
	until [ ! -e /sys/module/mptcp_rs ] || rmmod mptcp_rs 2>/dev/null; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}

# --- packet captures -------------------------------------------------------

# pcap_start <ns> <name>: capture the headers (first 256 bytes) of every
# packet in the namespace to $OUT/pcap/<name>.pcap, until pcap_stop.
pcap_start() {
	local i
	mkdir -p "$OUT/pcap"
	PCAP_FILE=$OUT/pcap/$2.pcap PCAP_LOG=$(mktemp) PCAP_FAILS=$KTAP_NFAILED
	# --immediate-mode: without it, the packets of the ring buffer's
	# current block are lost when pcap_stop interrupts tcpdump.
	ip netns exec "$1" tcpdump --immediate-mode -i any -s 256 -U -n -w "$PCAP_FILE" 2>"$PCAP_LOG" &
	PCAP_PID=$!
	for ((i = 0; i < 50; i++)); do
		grep -q "listening on" "$PCAP_LOG" && return 0
		sleep 0.1
	done
	info "pcap: tcpdump did not start: $(cat "$PCAP_LOG")"
}

# pcap_stop: ends the capture; the file stays only if a check failed since
# pcap_start, and a line says where.
pcap_stop() {
	[ -n "${PCAP_PID:-}" ] || return 0
	kill -INT "$PCAP_PID" 2>/dev/null
	wait "$PCAP_PID" 2>/dev/null
	PCAP_PID=
	rm -f "$PCAP_LOG"
	if [ "$KTAP_NFAILED" -gt "$PCAP_FAILS" ]; then
		info "pcap of the failed case kept: $PCAP_FILE"
	else
		rm -f "$PCAP_FILE"
	fi
}

# --- tracing -----------------------------------------------------------------

TRACEFS=/sys/kernel/tracing

# trace_start <system/event>: records the event from now on, in an emptied
# buffer ($TRACEFS/trace).  Fails when the kernel does not have it.
trace_start() {
	[ -e $TRACEFS/trace ] || mount -t tracefs nodev $TRACEFS
	[ -e "$TRACEFS/events/$1/enable" ] || return 1
	echo 0 >$TRACEFS/tracing_on
	echo >$TRACEFS/trace
	echo 1 >"$TRACEFS/events/$1/enable"
	echo 1 >$TRACEFS/tracing_on
}

# trace_stop <system/event>: stops recording it; the records stay.
trace_stop() {
	echo 0 >"$TRACEFS/events/$1/enable"
}

# --- topology --------------------------------------------------------------
#
#   $NS_CLI                          $NS_SRV
#   cli1 10.0.1.1 ---- path 1 ---- srv1 10.0.1.2
#   cli2 10.0.2.1 ---- path 2 ---- srv2 10.0.2.2
#
# The server announces 10.0.2.2 (signal endpoint) and the client accepts it,
# so an MPTCP connection to 10.0.1.2 gets one subflow per path.

NS_CLI=
NS_SRV=

# nsrun <ns> <command...>: <command> in <ns>'s network namespace, keeping
# the mounts (`ip netns exec` mounts a fresh /sys, which hides debugfs).
nsrun() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

cleanup_netns() {
	local ns
	for ns in $NS_CLI $NS_SRV; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	NS_CLI=
	NS_SRV=
}

# shape <ns> <dev> <rate_mbit> <delay_ms>: netem rate and delay on egress.
# As in the kernel's simult_flows.sh, the queue stays short (50 packets
# plus what the delay line holds), so that RTT estimates are not inflated
# by queueing.
shape() {
	local ns=$1 dev=$2 rate=$3 delay=$4
	local limit=$((50 + rate * delay / 10))
	if [ "$rate" = 0 ]; then
		[ "$delay" = 0 ] && return 0
		tc -n "$ns" qdisc add dev "$dev" root netem delay "${delay}ms"
	else
		tc -n "$ns" qdisc add dev "$dev" root netem rate "${rate}mbit" \
			delay "${delay}ms" limit $limit
	fi
}

# setup_two_paths <scheduler> [rate1 delay1 rate2 delay2]: rates in Mbit/s
# (0 = unshaped), delays in ms, applied on both ends of each path.
setup_two_paths() {
	local sched=$1 rate1=${2:-0} delay1=${3:-0} rate2=${4:-0} delay2=${5:-0}
	local id=$RANDOM ns dev

	cleanup_netns
	NS_CLI=rscli-$id
	NS_SRV=rssrv-$id
	for ns in $NS_CLI $NS_SRV; do
		ip netns add "$ns" || return
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -q net.mptcp.enabled=1
		ip netns exec "$ns" sysctl -q net.ipv4.conf.all.rp_filter=0
		ip netns exec "$ns" sysctl -q net.ipv4.conf.default.rp_filter=0
		ip netns exec "$ns" sysctl -q net.mptcp.scheduler="$sched" || return
	done
	ip link add cli1 netns "$NS_CLI" type veth peer name srv1 netns "$NS_SRV" || return
	ip link add cli2 netns "$NS_CLI" type veth peer name srv2 netns "$NS_SRV" || return
	ip -n "$NS_CLI" addr add 10.0.1.1/24 dev cli1
	ip -n "$NS_CLI" addr add 10.0.2.1/24 dev cli2
	ip -n "$NS_SRV" addr add 10.0.1.2/24 dev srv1
	ip -n "$NS_SRV" addr add 10.0.2.2/24 dev srv2
	for dev in cli1 cli2; do ip -n "$NS_CLI" link set dev "$dev" up; done
	for dev in srv1 srv2; do ip -n "$NS_SRV" link set dev "$dev" up; done
	shape "$NS_CLI" cli1 "$rate1" "$delay1" &&
	shape "$NS_SRV" srv1 "$rate1" "$delay1" &&
	shape "$NS_CLI" cli2 "$rate2" "$delay2" &&
	shape "$NS_SRV" srv2 "$rate2" "$delay2" || return

	ip -n "$NS_SRV" mptcp limits set subflows 2 add_addr_accepted 0
	ip -n "$NS_SRV" mptcp endpoint add 10.0.2.2 dev srv2 id 2 signal
	ip -n "$NS_CLI" mptcp limits set subflows 2 add_addr_accepted 2
}

# tx_bytes <ns> <dev>: bytes sent on a device.
tx_bytes() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/tx_bytes"
}

# wait_sent <ns> <dev> <bytes> [<seconds>]: until <dev> has sent <bytes>
# more than when called, at most <seconds> (default 60).  For "break a
# path mid-transfer": on the debug kernel the client alone can take
# seconds to start, so a fixed sleep may break the path before the
# connection exists.
wait_sent() {
	local start i
	start=$(tx_bytes "$1" "$2")
	for i in $(seq $((${4:-60} * 10))); do
		[ $(($(tx_bytes "$1" "$2") - start)) -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_listen <ns> <port>: until a socket listens on the port.
wait_listen() {
	local i
	for i in $(seq 100); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# start_server <out> [port [option...]]: a server in $NS_SRV writing what
# it receives to <out>, with more mptcp_xfer.py server options if given;
# its pid is in $SERVER_PID.
start_server() {
	local out=$1 port=${2:-10100}
	shift $(($# < 2 ? $# : 2))
	ip netns exec "$NS_SRV" python3 "$XFER" server --port "$port" --out "$out" "$@" &
	SERVER_PID=$!
	wait_listen "$NS_SRV" "$port"
}

# client <in> [port] [address]: send <in> from $NS_CLI to the server, by
# default on path 1; $XFER_CLIENT_ARGS adds options to mptcp_xfer.py.
client() {
	# shellcheck disable=SC2086 # the options' words
	ip netns exec "$NS_CLI" python3 "$XFER" client --addr "${3:-10.0.1.2}" \
		--port "${2:-10100}" --in "$1" ${XFER_CLIENT_ARGS:-}
}

# transfer <in> <out> [port] [address]: a complete transfer from the
# client to the server, which writes what it received to <out>.
transfer() {
	local rc
	start_server "$2" "${3:-10100}" || return 1
	client "$1" "${3:-10100}" "${4:-10.0.1.2}"
	rc=$?
	wait "$SERVER_PID" || rc=1
	return $rc
}

# transfer_joined <in> <out> <port> <address> [command...]: a transfer like
# transfer's, in two parts: the client sends the first 64 KiB (one read of
# mptcp_xfer.py), then waits until the server has accepted a second
# subflow (MPJoinAckRx) and <command> has run, then sends the rest.  For
# checks about what happens once both subflows exist: on the debug kernel
# a whole transfer can end before the join.  Fails, after sending the
# rest, when no subflow joins within 60 s.
transfer_joined() {
	local in=$1 out=$2 port=$3 addr=$4 fifo joins cli fd rc i
	shift 4
	fifo=$(mktemp -u) && mkfifo "$fifo" || return 1
	joins=$(netstat "$NS_SRV" MPTcpExt MPJoinAckRx)
	start_server "$out" "$port" || { rm -f "$fifo"; return 1; }
	client - "$port" "$addr" <"$fifo" &
	cli=$!
	exec {fd}>"$fifo"
	head -c 65536 "$in" >&"$fd"
	rc=1
	for i in $(seq 300); do
		[ "$(netstat "$NS_SRV" MPTcpExt MPJoinAckRx)" -gt "$joins" ] && rc=0 && break
		sleep 0.2
	done
	if [ $rc -eq 0 ]; then
		"$@"
	else
		info "no subflow joined within 60 s"
	fi
	tail -c +65537 "$in" >&"$fd"
	exec {fd}>&-
	rm -f "$fifo"
	wait "$cli" || rc=1
	wait "$SERVER_PID" || rc=1
	return $rc
}

# make_file <path> <MiB>
make_file() {
	head -c "$(($2 << 20))" /dev/urandom >"$1"
}

# mptcp_ext_counters <ns>: the namespace's nonzero MPTcpExt counters.
mptcp_ext_counters() {
	ip netns exec "$1" nstat -as 2>/dev/null | awk '/^MPTcpExt/ && $2 != 0 { print $1, $2 }'
}

# --- the kernel's selftests ------------------------------------------------

# ksft_subtests <log>: the subtests of a kernel selftest's log, one line
# each, fields separated by \037: the TAP status (ok, skip, or fail, which
# includes the failures a script marks flaky and IGNOREs), the time in ms
# (TAP "time="), the number the script printed in front of the subtest's
# title, the TAP name, and the subtest's failed checks: its "[FAIL]" and
# "[IGNO]" lines joined by " | ", blanks squeezed and mptcp_connect's
# measured runtimes masked, so that two runs failing the same way match.
# The scripts print a title ("NN name") before each subtest's checks and
# end with the TAP list, one entry per title, in the same order.
ksft_subtests() {
	sed -e 's/\x1b\[[0-9;]*m//g' "$1" | awk '
		BEGIN { OFS = "\037" }
		/^TAP version/ { tap = 1; next }
		!tap && /^[0-9]+ / && !/ failure\(s\) / { n++; num[n] = $1 + 0 }
		!tap && n && /\[(FAIL|IGNO)\]/ {
			line = $0
			gsub(/runtime [0-9]+ ms/, "runtime N ms", line)
			gsub(/[ \t]+/, " ", line)
			sub(/^ /, "", line)
			sig[n] = nsig[n]++ ? sig[n] " | " line : line
		}
		tap && /^(not )?ok [0-9]+ / {
			k++
			status = / # SKIP/ ? "skip" : /^not / || / # IGNORE/ ? "fail" : "ok"
			ms = match($0, /time=[0-9]+ms/) ? substr($0, RSTART + 5, RLENGTH - 7) : 0
			name = $0
			sub(/^(not )?ok [0-9]+ (- )?/, "", name)
			sub(/ # .*/, "", name)
			print status, ms, (k in num) ? num[k] : 0, name, nsig[k] ? sig[k] : "-"
		}'
}

# ksft_failed_numbers <log>: the title numbers of the failed subtests.
ksft_failed_numbers() {
	ksft_subtests "$1" | awk -F '\037' '$1 == "fail" { printf "%s ", $3 }'
}

# ksft_report <label> <log> [<reference log> <reference>]: one KTAP line
# per subtest of a kernel selftest's log; a SKIP fails, and so does a
# failure, IGNOREd ones included, unless the reference shares it.
# With a reference, the log of the same script run with the kernel's C
# scheduler or path manager in the same boot, a failed subtest passes
# when the reference failed it the same way (the same failed checks), in
# at most 1.5 times the reference's time, and the subtests passed so
# together took at most 1.2 times the reference's time: the debug
# kernel under TCG misses deadlines and races flag changes that the
# scripts set for an unloaded machine, whichever code runs.  Returns
# non-zero when a subtest failed.
ksft_report() {
	local label=$1 log=$2 ref=${3:-} refname=${4:-}
	local status ms num name sig r rt rs rc bad=0 shared=0 ours=0 theirs=0
	local -A rstatus rms rsig
	if [ -n "$ref" ]; then
		while IFS=$'\037' read -r status ms num name sig; do
			rstatus[$name]=$status rms[$name]=$ms rsig[$name]=$sig
		done < <(ksft_subtests "$ref")
	fi
	while IFS=$'\037' read -r status ms num name sig; do
		case $status in
		ok) ktap_pass "$label: $name"; continue ;;
		skip) ktap_fail "$label: $name (skipped)"; bad=1; continue ;;
		esac
		r=${rstatus[$name]:-} rt=${rms[$name]:-0} rs=${rsig[$name]:-}
		if [ "$r" = fail ] && [ "$sig" != - ] && [ "$rs" = "$sig" ] &&
			[ $((ms * 2)) -le $((rt * 3)) ]; then
			ktap_pass "$label: $name: failed the same way with $refname in this boot" \
				"($((ms / 1000)) s, $refname $((rt / 1000)) s): ${sig:0:160}"
			shared=$((shared + 1)) ours=$((ours + ms)) theirs=$((theirs + rt))
			continue
		fi
		bad=1
		if [ -n "$r" ]; then
			ktap_fail "$label: $name: ${sig:0:160}; with $refname: $r in $((rt / 1000)) s" \
				"(here $((ms / 1000)) s): ${rs:0:160}"
		else
			ktap_fail "$label: $name: ${sig:0:160}"
		fi
	done < <(ksft_subtests "$log")
	if [ $shared -gt 0 ]; then
		[ $((ours * 5)) -le $((theirs * 6)) ]
		rc=$?
		ktap_result $rc "$label: the $shared subtests failed as with $refname took" \
			"$((ours / 1000)) s, $refname $((theirs / 1000)) s (at most 1.2x)"
		[ $rc -eq 0 ] || bad=1
	fi
	return $bad
}

# ksft_verdict <label> <exit status> <log> [<reference log> <reference>]:
# ksft_report, then a check of the script's exit status: success, or
# failures that the reference all shared.
ksft_verdict() {
	local label=$1 rc=$2 log=$3 ref=${4:-} refname=${5:-} shared
	ksft_report "$label" "$log" ${ref:+"$ref" "$refname"}
	shared=$?
	[ "$rc" -eq 0 ] || { [ -n "$ref" ] && [ "$shared" -eq 0 ]; }
	ktap_result $? "$label exits with success${ref:+, or fails only as with $refname}"
}
