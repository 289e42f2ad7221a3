#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rs_default: selection through sysctl, a two-path transfer that uses both
# paths, and the module's lifetime against open connections.

. "$(dirname "$0")/lib.sh"

ktap_header "sched_rs_default: the rs_default scheduler"
trap cleanup_netns EXIT

load_module
grep -qw rs_default /proc/sys/net/mptcp/available_schedulers
ktap_result $? "rs_default is listed in net.mptcp.available_schedulers"

# Unknown and over-long names are refused, and the old value stays.
sysctl -q -w net.mptcp.scheduler=rs_default
for bad in no_such_sched rs_default_but_too_long; do
	err=$(sysctl -w net.mptcp.scheduler=$bad 2>&1)
	rc=$?
	now=$(sysctl -n net.mptcp.scheduler)
	[ $rc -ne 0 ] && [ -n "$err" ] && [ "$now" = rs_default ]
	ktap_result $? "writing '$bad' fails ($err) and keeps '$now'"
done
sysctl -q -w net.mptcp.scheduler=default

# A 4 MiB transfer over two 10 Mbit/s paths.
MIB=4
in=$(mktemp) out=$(mktemp)
make_file "$in" $MIB
setup_two_paths rs_default 10 5 10 5
ktap_result $? "two namespaces joined by two shaped paths, rs_default selected"

sends=$(counter SchedSend)
tx1=$(tx_bytes "$NS_CLI" cli1) tx2=$(tx_bytes "$NS_CLI" cli2)
transfer "$in" "$out"
ktap_result $? "the transfer completes"
cmp -s "$in" "$out"
ktap_result $? "the data arrives intact"

tx1=$(($(tx_bytes "$NS_CLI" cli1) - tx1))
tx2=$(($(tx_bytes "$NS_CLI" cli2) - tx2))
info "path 1 carried $tx1 bytes, path 2 $tx2 bytes"
min=$(((MIB << 20) / 10))
[ "$tx1" -ge $min ] && [ "$tx2" -ge $min ]
ktap_result $? "both paths carry at least 10% of the data ($tx1, $tx2 bytes)"

sends=$(($(counter SchedSend) - sends))
[ "$sends" -gt 0 ]
ktap_result $? "rs_default made the scheduling decisions (MPTcpRsSchedSend +$sends)"

# While any MPTCP socket uses rs_default, the module cannot go away.
fifo=$(mktemp -u)
mkfifo "$fifo"
start_server "$out" 10200
client "$fifo" 10200 &
cli=$!
exec 3>"$fifo"
head -c 65536 "$in" >&3
sleep 1
err=$(rmmod mptcp_rs 2>&1)
rc=$?
lsmod | grep -q '^mptcp_rs '
loaded=$?
[ $rc -ne 0 ] && [ $loaded -eq 0 ]
ktap_result $? "rmmod is refused while a connection uses rs_default ($err)"

head -c 65536 "$in" >&3
exec 3>&-
wait $cli && wait "$SERVER_PID"
ktap_result $? "the connection goes on and closes normally after the refused rmmod"
[ "$(stat -c %s "$out")" -eq 131072 ]
ktap_result $? "the connection delivered all its data"

unloaded=1
for _ in $(seq 120); do
	if rmmod mptcp_rs 2>/dev/null; then
		unloaded=0
		break
	fi
	sleep 0.5
done
ktap_result $unloaded "rmmod succeeds once the connections are closed"
! grep -qw rs_default /proc/sys/net/mptcp/available_schedulers &&
	[ ! -e "$COUNTERS" ]
ktap_result $? "unloading removes rs_default and the counters file"

# The namespaces still name rs_default: new connections get the default.
transfer "$in" "$out" 10300 && cmp -s "$in" "$out"
ktap_result $? "with the module gone, connections fall back to the default scheduler"

load_module
ktap_result $? "the module loads again"
rm -f "$in" "$out" "$fifo"
ktap_finish
