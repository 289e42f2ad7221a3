#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host side: `make shell` works.  Boots the interactive guest with its
# terminal on a pipe, waits for the shell's "ready" line, types a few
# commands and `exit`, and checks that the module was loaded, the
# topology built, the commands ran in the namespaces and the guest
# powered off.  KTAP on stdout; the session is kept in <out-dir>.
#
#   shell_test.sh <out-dir>

. "$(dirname "$0")/../kernel/scripts/env.sh"
. "$(dirname "$0")/ktap.sh"

out=$1
mkdir -p "$out"
log=$out/shell-session.log
: >"$log"
ktap_header "make shell: an interactive guest, driven through a pipe"
export MPTCP_RS_SHELL_CHECK=1
coproc VM { timeout 300 "$REPO_DIR/selftests/vm.sh" "$out" --shell 2>&1; }
vm_pid=$VM_PID
exec {vm_in}>&"${VM[1]}"
ready=0
while IFS= read -r -t 240 line <&"${VM[0]}"; do
	printf '%s\n' "$line" >>"$log"
	case $line in *"shell: ready"*) ready=1; break ;; esac
done
if [ $ready = 1 ]; then
	# The terminal may drop what is typed before bash reads it.
	sleep 3
	echo 'echo "limits: $(cli ip mptcp limits show)"' >&"$vm_in"
	echo 'echo "endpoints: $(srv ip mptcp endpoint show)"' >&"$vm_in"
	echo 'echo "sched: $(cli sysctl -n net.mptcp.scheduler)"; echo SHELL-DONE' >&"$vm_in"
	echo exit >&"$vm_in"
fi
exec {vm_in}>&-
cat <&"${VM[0]}" >>"$log"
wait "$vm_pid"
status=$?

has() { grep -q -- "$1" "$log"; }
commands_ran() {
	has "limits: add_addr_accepted 2 subflows 2" && has "endpoints: 10.0.2.2 id 2 signal"
}
ktap_check "make shell: the shell started, mptcp_rs loaded and the topology built" \
	has "loaded: 1 (topology ready: yes)"
ktap_check "make shell: commands typed at the prompt ran in the cli and srv namespaces" commands_ran
ktap_check "make shell: the selected scheduler is in force" has "sched: ${SCHED:-rs_default}"
ktap_check "make shell: exit powered the guest off (status $status)" test "$status" = 0
ktap_finish
