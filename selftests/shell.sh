#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make shell`: the guest's login shell.  Loads mptcp_rs, builds the two-path
# topology of `make run` (namespaces "cli" and "srv", 10 Mbit/s and 5 ms
# each way on each path), selects $SCHED and $PM in both, and leaves an
# interactive bash with the commands to try printed above the prompt.
# Leaving the shell powers the guest off.

. "$(dirname "$0")/lib.sh"

SCHED=${SCHED:-rs_default}
PM=${PM:-rs_kernel}

load_module || echo "shell: insmod $MPTCP_RS_KO failed: see dmesg" >&2
if setup_two_paths "$SCHED" 10 5 10 5; then
	# Short names for typing; the topology helpers made them unique.
	for pair in "cli $NS_CLI" "srv $NS_SRV"; do
		read -r short long <<<"$pair"
		ip netns exec "$long" sysctl -q net.mptcp.path_manager="$PM"
		ln -sfn "/run/netns/$long" "/run/netns/$short"
	done
	ready=yes
else
	echo "shell: the topology could not be built (scheduler '$SCHED'?)" >&2
	ready=no
fi

rc=$(mktemp)
cat >"$rc" <<RC
PS1='mptcp-rs \w# '
export MPTCP_RS_KO=$MPTCP_RS_KO KSFT_DIR=$KSFT_DIR KSRC=$KSRC OUT=$OUT
cli() { ip netns exec cli "\$@"; }
srv() { ip netns exec srv "\$@"; }
RC
cat <<EOF2

mptcp_rs loaded: $(lsmod | grep -c '^mptcp_rs ') (topology ready: $ready)
  schedulers:    $(cat /proc/sys/net/mptcp/available_schedulers)
  path managers: $(cat /proc/sys/net/mptcp/available_path_managers)
  namespaces cli (10.0.1.1, 10.0.2.1) and srv (10.0.1.2, 10.0.2.2, endpoint
  10.0.2.2 signal), scheduler $SCHED, path manager $PM in both

Try (cli and srv run a command in that namespace):
  head -c 8M /dev/urandom >/tmp/in
  srv python3 $XFER server --port 10100 --out /tmp/out &
  cli python3 $XFER client --addr 10.0.1.2 --port 10100 --in /tmp/in
  cli ss -Mti;  cli nstat -az 'MPTcp*';  cat $COUNTERS
  cli sysctl net.mptcp.scheduler=rs_blest;  srv ip mptcp endpoint show
Ctrl-D or exit powers the guest off.

EOF2
[ "${MPTCP_RS_SHELL_CHECK:-0}" = 1 ] && echo "shell: ready"
exec bash --rcfile "$rc" -i
