#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The rs_* schedulers other than rs_default, each on two netem paths:
# the transfer completes with its data intact and the bytes each path
# carries meet the scheduler's contract.  Also the tunables' validation.
#
#   sched_family.sh [scheduler...]    (default: all of them)

. "$(dirname "$0")/lib.sh"

ktap_header "sched_family: rs_minrtt, rs_rr, rs_redundant, rs_blest, rs_ecf, rs_backup"
trap 'cleanup_netns; rm -f "$in" "$out" ${fifo:-} ${stop:-} ${copies:-}' EXIT

load_module
MIB=4
in=$(mktemp) out=$(mktemp)
make_file "$in" $MIB
SIZE=$((MIB << 20))

# run <scheduler> <rate1> <delay1> <rate2> <delay2> [backup|joined]: a
# transfer on a fresh topology; sets TX1/TX2 (bytes sent by the client on
# each path) and prints the client's and the server's reports.  With
# "backup", the server announces its second address as a backup endpoint;
# with "joined", all but the first 64 KiB go once the second subflow
# exists, and TX1/TX2 count from then (transfer_joined).
run() {
	local sched=$1 mode=${6:-} rc
	setup_two_paths "$sched" "$2" "$3" "$4" "$5" || return 1
	if [ "$mode" = backup ]; then
		ip -n "$NS_SRV" mptcp endpoint del id 2
		ip -n "$NS_SRV" mptcp endpoint add 10.0.2.2 dev srv2 id 2 signal backup
	fi
	count_from_here
	if [ "$mode" = joined ]; then
		transfer_joined "$in" "$out" 10100 10.0.1.2 count_from_here
	else
		transfer "$in" "$out"
	fi
	rc=$?
	TX1=$(($(tx_bytes "$NS_CLI" cli1) - TX1))
	TX2=$(($(tx_bytes "$NS_CLI" cli2) - TX2))
	info "$sched: path 1 $TX1 bytes, path 2 $TX2 bytes"
	[ $rc -eq 0 ] && cmp -s "$in" "$out"
}

count_from_here() { TX1=$(tx_bytes "$NS_CLI" cli1) TX2=$(tx_bytes "$NS_CLI" cli2); }

# within <a> <b> <percent>: |a - b| is at most <percent>% of a + b.
within() {
	local diff=$(($1 - $2))
	[ $((${diff#-} * 100)) -le $(($3 * ($1 + $2))) ]
}

declare -A selected
for s in "${@:-rs_minrtt rs_rr rs_redundant rs_blest rs_ecf rs_backup}"; do
	for w in $s; do selected[$w]=1; done
done

for sched in rs_minrtt rs_rr rs_redundant rs_blest rs_ecf rs_backup; do
	grep -qw $sched /proc/sys/net/mptcp/available_schedulers
	ktap_result $? "$sched is listed in net.mptcp.available_schedulers"
done

if [ -n "${selected[rs_minrtt]:-}" ]; then
	# Unshaped paths, 2 ms against 40 ms: the fast path carries the bulk.
	run rs_minrtt 0 1 0 20
	ktap_result $? "rs_minrtt: the transfer completes intact"
	[ $((TX1 * 100)) -ge $((80 * (TX1 + TX2))) ]
	ktap_result $? "rs_minrtt: the low-RTT path carries at least 80%"
fi

if [ -n "${selected[rs_rr]:-}" ]; then
	# Turns lost for lack of room make the split noisy: measure it over
	# 32 MiB.
	make_file "$in" 32
	run rs_rr 10 5 10 5
	make_file "$in" $MIB
	ktap_result $? "rs_rr: the transfer completes intact"
	within $TX1 $TX2 10
	ktap_result $? "rs_rr: symmetric paths carry within 10% of each other"
fi

if [ -n "${selected[rs_redundant]:-}" ]; then
	# Counted from the join: until then there is one path.  Each byte
	# crosses the guest twice; on the debug kernel two 10 Mbit/s copies
	# are more than its CPU carries (about 13 Mbit/s in all), and the
	# copy that falls behind skips what the other already delivered, so
	# the paths are shaped to 4 Mbit/s there.
	rate=10
	[ $debug_kernel = 1 ] && rate=4
	run rs_redundant $rate 5 $rate 5 joined
	ktap_result $? "rs_redundant: the transfer completes intact"
	rest=$((SIZE - 65536))
	[ $((TX1 * 10)) -ge $((9 * rest)) ] && [ $((TX2 * 10)) -ge $((9 * rest)) ]
	ktap_result $? "rs_redundant: once both subflows exist, each path carries at least 90% of the data"
fi

if [ -n "${selected[rs_blest]:-}" ]; then
	waits=$(counter SchedWaitFast)
	run rs_blest 10 5 10 50
	ktap_result $? "rs_blest: the transfer completes intact over 10 ms and 100 ms RTT paths"
	info "rs_blest waited for the fast path $(($(counter SchedWaitFast) - waits)) times"
fi

if [ -n "${selected[rs_ecf]:-}" ]; then
	waits=$(counter SchedWaitFast)
	run rs_ecf 10 5 10 50
	ktap_result $? "rs_ecf: the transfer completes intact over 10 ms and 100 ms RTT paths"
	info "rs_ecf waited for the fast path $(($(counter SchedWaitFast) - waits)) times"
fi

if [ -n "${selected[rs_backup]:-}" ]; then
	run rs_backup 10 5 10 5 backup
	ktap_result $? "rs_backup: the transfer completes intact"
	[ $((TX2 * 100)) -lt $((5 * (TX1 + TX2))) ]
	ktap_result $? "rs_backup: the backup path carries under 5% while the primary is up"
fi

# path1 <loss%>: make path 1 lose everything (100) or nothing (0), both
# ways, without telling the endpoints: a link that dies silently.
path1() {
	tc -n "$NS_CLI" qdisc change dev cli1 root netem rate 10mbit delay 5ms limit 55 loss "$1%" &&
	tc -n "$NS_SRV" qdisc change dev srv1 root netem rate 10mbit delay 5ms limit 55 loss "$1%"
}

# gap_ms <server report>: the longest time without data at the server.
gap_ms() {
	sed -n 's/.*longest gap \([0-9]*\) ms.*/\1/p' "$1"
}

if [ -n "${selected[rs_redundant]:-}" ]; then
	# Path 1 dies 2 MiB into a 8 MiB transfer: the other path already
	# carries everything, so nothing stalls.
	make_file "$in" 8
	setup_two_paths rs_redundant 10 5 10 5
	start_server "$out" >"$out.srv"
	client "$in" >/dev/null &
	cli=$!
	wait_sent "$NS_CLI" cli1 $((2 << 20))
	path1 100
	wait $cli && wait "$SERVER_PID" && cmp -s "$in" "$out"
	ktap_result $? "rs_redundant: the transfer completes intact after path 1 dies"
	gap=$(gap_ms "$out.srv")
	[ -n "$gap" ] && [ "$gap" -lt 1000 ]
	ktap_result $? "rs_redundant: no stall when path 1 dies (longest gap ${gap:-?} ms)"
	make_file "$in" $MIB
fi

if [ -n "${selected[rs_backup]:-}" ]; then
	# The primary path dies after 3 MiB, the backup takes over; the primary
	# comes back 4 s later and the traffic returns to it.  The client is
	# fed copies of a 4 MiB file until that happened (or for 60 s): the
	# primary's subflow sends again only when its retransmission timer,
	# backed off during the outage, fires, and on the debug kernel a
	# fixed-size transfer can end on the backup before that.
	handovers=$(counter SchedHandover)
	setup_two_paths rs_backup 10 5 10 5
	ip -n "$NS_SRV" mptcp endpoint del id 2
	ip -n "$NS_SRV" mptcp endpoint add 10.0.2.2 dev srv2 id 2 signal backup
	start_server "$out" >"$out.srv"
	fifo=$(mktemp -u) stop=$(mktemp -u) copies=$(mktemp)
	mkfifo "$fifo"
	client - <"$fifo" >/dev/null &
	cli=$!
	while [ ! -e "$stop" ] && cat "$in"; do echo >>"$copies"; done >"$fifo" &
	feeder=$!
	wait_sent "$NS_CLI" cli1 $((3 << 20))
	a1=$(tx_bytes "$NS_CLI" cli1) a2=$(tx_bytes "$NS_CLI" cli2)
	info "rs_backup: before the failure, path 1 $a1 bytes, path 2 $a2 bytes"
	[ $((a2 * 100)) -lt $((5 * (a1 + a2))) ]
	ktap_result $? "rs_backup: the backup path is idle while the primary works"
	path1 100
	sleep 4
	path1 0
	b1=$(tx_bytes "$NS_CLI" cli1) b2=$(tx_bytes "$NS_CLI" cli2)
	info "rs_backup: during the failure, path 2 carried $((b2 - a2)) bytes"
	[ $((b2 - a2)) -gt $((1 << 20)) ]
	ktap_result $? "rs_backup: the backup path takes over when the primary dies"
	t0=$(date +%s%N)
	wait_sent "$NS_CLI" cli1 $((1 << 20))
	ktap_result $? "rs_backup: the traffic returns to the primary once it recovers" \
		"(1 MiB on it $((($(date +%s%N) - t0) / 1000000)) ms after the recovery)"
	touch "$stop"
	wait $feeder
	wait $cli && wait "$SERVER_PID" &&
		for _ in $(seq "$(wc -l <"$copies")"); do cat "$in"; done | cmp -s - "$out"
	ktap_result $? "rs_backup: the transfer completes intact across the failure" \
		"($(wc -l <"$copies") copies of 4 MiB)"
	# The carrier fails after srtt + 4 * mdev without an ACK, at least
	# backup_stale_ms (50 ms); its data moves to the backup then.  The
	# kernel's own stale detection takes about a second.
	gap=$(gap_ms "$out.srv")
	limit=400
	[ $debug_kernel = 1 ] && limit=2000
	[ -n "$gap" ] && [ "$gap" -lt $limit ]
	ktap_result $? "rs_backup: the longest receive gap across the failure is under $limit ms (${gap:-?} ms)"
	rm -f "$fifo" "$stop" "$copies"
	[ $(($(counter SchedHandover) - handovers)) -ge 2 ]
	ktap_result $? "rs_backup: MPTcpRsSchedHandover counts both handovers"

	# The primary's link goes down while the connection is idle, everything
	# acknowledged: the data written next is queued on the dead subflow,
	# whose route is gone, so TCP never has anything in flight there.  The
	# backup must still take over within the same threshold; the kernel's
	# stale detection alone takes about a second.
	setup_two_paths rs_backup 10 5 10 5
	ip -n "$NS_SRV" mptcp endpoint del id 2
	ip -n "$NS_SRV" mptcp endpoint add 10.0.2.2 dev srv2 id 2 signal backup
	start_server "$out" >"$out.srv"
	fifo=$(mktemp -u)
	mkfifo "$fifo"
	client - <"$fifo" >/dev/null &
	cli=$!
	exec {feed}>"$fifo"
	tx=$(tx_bytes "$NS_CLI" cli1)
	head -c $((1 << 20)) "$in" >&$feed
	for _ in $(seq 300); do
		[ $(($(tx_bytes "$NS_CLI" cli1) - tx)) -ge $((1 << 20)) ] && break
		sleep 0.1
	done
	sleep 1
	# The link goes down, the rest is written at once, and the time until
	# 16 KiB went out on the backup is taken every 2 ms.
	moved=$(ip netns exec "$NS_CLI" python3 - "$fifo" "$in" <<-'EOF'
		import subprocess, sys, threading, time
		fifo, path = sys.argv[1], sys.argv[2]
		def tx():
		    with open("/sys/class/net/cli2/statistics/tx_bytes") as f:
		        return int(f.read())
		def feed():
		    with open(path, "rb") as src, open(fifo, "wb") as out:
		        src.seek(1 << 20)
		        out.write(src.read())
		before = tx()
		subprocess.run(["ip", "link", "set", "cli1", "down"], check=True)
		t0 = time.monotonic()
		writer = threading.Thread(target=feed)
		writer.start()
		while time.monotonic() - t0 < 5:
		    if tx() - before >= 16 << 10:
		        print(int((time.monotonic() - t0) * 1000))
		        break
		    time.sleep(0.002)
		writer.join()
	EOF
	)
	exec {feed}>&-
	wait $cli && wait "$SERVER_PID" && cmp -s "$in" "$out"
	ktap_result $? "rs_backup: the transfer completes intact when the primary dies idle" \
		"($(stat -c %s "$out") of $(stat -c %s "$in") bytes)"
	[ -n "$moved" ] && [ "$moved" -lt $limit ]
	ktap_result $? "rs_backup: after the primary died idle, 16 KiB are on the backup within $limit ms (${moved:-no move in 5 s}${moved:+ ms})"
	rm -f "$fifo"
fi
rm -f "$out.srv"

# Tracing: the kernel's scheduler tracepoint, mptcp:mptcp_subflow_get_send,
# shows the subflows every rs_* decision was made from, one event per
# subflow per decision (kernel patch 0020), as it does for C default.
ev=mptcp/mptcp_subflow_get_send
if trace_start $ev; then
	calls=$(counter SchedSend)
	run rs_rr 10 5 10 5 joined
	calls=$(($(counter SchedSend) - calls))
	trace_stop $ev
	events=$(grep -c "mptcp_subflow_get_send:" $TRACEFS/trace)
	info "tracing: $events events for $calls rs_rr decisions; the first:" \
		"$(grep -m1 "mptcp_subflow_get_send:" $TRACEFS/trace | sed 's/.*mptcp_subflow_get_send: //')"
	[ "$calls" -gt 0 ] && [ "$events" -ge "$calls" ]
	ktap_result $? "tracing: mptcp_subflow_get_send traces every rs_rr decision ($events events, $calls decisions)"
	echo >$TRACEFS/trace
else
	ktap_result 1 "tracing: the kernel has the event $ev"
fi

# Tunables: per-namespace sysctls.  Out-of-range and conflicting values
# are refused, the old value stays; two namespaces hold different values
# at once; the module parameters, initial values set at load, are
# read-only afterwards.
T=/proc/sys/net/mptcp/rs
check_refused() {
	local name=$1 value=$2 old
	old=$(cat $T/"$name")
	! echo "$value" >$T/"$name" 2>/dev/null && [ "$(cat $T/"$name")" = "$old" ]
	ktap_result $? "tunable $name: '$value' is refused and $old kept"
}
check_accepted() {
	echo "$2" >$T/"$1" && [ "$(cat $T/"$1")" = "$2" ]
	ktap_result $? "tunable $1: '$2' is accepted"
}
check_refused rr_segments 0
check_refused rr_segments 65
check_refused rr_segments abc
check_accepted rr_segments 4
check_accepted rr_segments 1
check_refused ecf_beta 1001
check_refused blest_lambda_min 1400
check_refused blest_lambda_max 900
check_refused blest_lambda_max 4001
check_refused backup_stale_ms 5
check_accepted backup_stale_ms 50
check_refused pm_retry_ms 9
check_refused pm_retry_max 17
ip netns add rs-tun-a && ip netns add rs-tun-b &&
	ip netns exec rs-tun-a sysctl -q -w net.mptcp.rs.ecf_beta=100 &&
	ip netns exec rs-tun-b sysctl -q -w net.mptcp.rs.ecf_beta=700 &&
	[ "$(ip netns exec rs-tun-a cat $T/ecf_beta)" = 100 ] &&
	[ "$(ip netns exec rs-tun-b cat $T/ecf_beta)" = 700 ] &&
	[ "$(cat $T/ecf_beta)" = 250 ]
ktap_result $? "tunables: two namespaces hold different values at once, the initial one keeps its own"
ip netns del rs-tun-a; ip netns del rs-tun-b
P=/sys/module/mptcp_rs/parameters
# (stderr first: the redirection to the read-only file is what fails)
! echo 3 2>/dev/null >$P/rr_segments && [ "$(cat $P/rr_segments)" = 1 ]
ktap_result $? "tunables: the module parameter rr_segments is read-only after load"
ktap_finish
