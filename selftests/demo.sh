#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job, run inside the guest by `make run`: load mptcp_rs, build two
# namespaces joined by two 10 Mbit/s paths, configure them with
# `ip mptcp endpoint` and `ip mptcp limits`, move 16 MiB from the client to
# the server with a scheduler and a path manager of ours, and show what
# happened.
#
#   demo.sh [scheduler] [MiB] [path manager]

. "$(dirname "$0")/lib.sh"

SCHED=${1:-rs_default}
MIB=${2:-16}
PM=${3:-rs_kernel}
RATE=10
DELAY=5
trap cleanup_netns EXIT
set -e

section() { printf '\n== %s\n' "$*"; }

section "module"
load_module
modinfo -F description "$MPTCP_RS_KO" | sed 's/^/description: /'
echo "available_schedulers:    $(cat /proc/sys/net/mptcp/available_schedulers)"
echo "available_path_managers: $(cat /proc/sys/net/mptcp/available_path_managers)"

section "topology: two paths of $RATE Mbit/s, ${DELAY} ms each way"
setup_two_paths "$SCHED" $RATE $DELAY $RATE $DELAY
for ns in "$NS_CLI" "$NS_SRV"; do
	ip netns exec "$ns" sysctl -q net.mptcp.path_manager="$PM"
done
echo "client ($NS_CLI): 10.0.1.1 on path 1, 10.0.2.1 on path 2"
echo "server ($NS_SRV): 10.0.1.2 on path 1, 10.0.2.2 on path 2"
echo "server endpoints: $(ip -n "$NS_SRV" mptcp endpoint show)"
echo "server limits:    $(ip -n "$NS_SRV" mptcp limits show)"
echo "client limits:    $(ip -n "$NS_CLI" mptcp limits show)"
echo "scheduler:        client $(ip netns exec "$NS_CLI" sysctl -n net.mptcp.scheduler)," \
	"server $(ip netns exec "$NS_SRV" sysctl -n net.mptcp.scheduler)"
echo "path manager:     client $(ip netns exec "$NS_CLI" sysctl -n net.mptcp.path_manager)," \
	"server $(ip netns exec "$NS_SRV" sysctl -n net.mptcp.path_manager)"

in=$(mktemp) out=$(mktemp)
make_file "$in" "$MIB"
cp "$COUNTERS" "$out.before"
tx1=$(tx_bytes "$NS_CLI" cli1) tx2=$(tx_bytes "$NS_CLI" cli2)

section "transfer: $MIB MiB, client -> server"
start_server "$out"
client "$in" >"$out.client" &
cli=$!
# Progress while it runs: what the client sent on each path, each second.
t0=$(date +%s.%N)
last=$t0 p1=$tx1 p2=$tx2
echo "client's transmit rate per path, each second:"
while kill -0 $cli 2>/dev/null; do
	sleep 1
	now=$(date +%s.%N) c1=$(tx_bytes "$NS_CLI" cli1) c2=$(tx_bytes "$NS_CLI" cli2)
	awk -v t="$now" -v t0="$t0" -v last="$last" -v a=$((c1 - p1)) -v b=$((c2 - p2)) 'BEGIN {
		m = 8 / (t - last) / 1e6
		printf "  %5.1f s   path 1 %6.2f Mbit/s   path 2 %6.2f Mbit/s   total %6.2f Mbit/s\n",
			t - t0, a * m, b * m, (a + b) * m }'
	last=$now p1=$c1 p2=$c2
done
wait $cli
wait "$SERVER_PID"
cat "$out.client"
cmp "$in" "$out"
echo "data verified: $(sha256sum <"$out" | cut -c1-16)..."

tx1=$(($(tx_bytes "$NS_CLI" cli1) - tx1))
tx2=$(($(tx_bytes "$NS_CLI" cli2) - tx2))
total=$((tx1 + tx2))

section "result"
printf "path 1 (subflow 10.0.1.1 -> 10.0.1.2): %10d bytes  %3d%%\n" $tx1 $((tx1 * 100 / total))
printf "path 2 (subflow 10.0.2.1 -> 10.0.2.2): %10d bytes  %3d%%\n" $tx2 $((tx2 * 100 / total))
# The client prints "sent <bytes> bytes in <seconds> s (...)".
awk -v sum=$((2 * RATE)) '{ mbit = 8 * $2 / $5 / 1e6
	printf "goodput: %.2f Mbit/s = %.0f%% of the %d Mbit/s the two links carry\n",
		mbit, 100 * mbit / sum, sum }' "$out.client"

section "MPTcpExt counters (client namespace)"
mptcp_ext_counters "$NS_CLI"
section "MPTcpExt counters (server namespace)"
mptcp_ext_counters "$NS_SRV"
section "MPTcpRs counters, per namespace (nstat)"
for ns in "$NS_CLI" "$NS_SRV"; do
	echo "$ns:"
	ip netns exec "$ns" nstat -as 2>/dev/null | awk '/^MPTcpRs/ && $2 != 0 { print "  " $1, $2 }'
done
section "mptcp_rs counters, module-wide (deltas)"
awk 'NR == FNR { before[$1] = $2; next } $2 - before[$1] != 0 { print $1, $2 - before[$1] }' \
	"$out.before" "$COUNTERS"
rm -f "$in" "$out" "$out.client" "$out.before"
