#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# layout-check.sh [build-dir]: do Rust's bindings and the C compiler agree
# on the layout of every structure field the module's ffi layer reads?
#
# bindgen can silently disagree with C (it once dropped a member declared
# with a Microsoft extension, making Rust's struct sock 64 bytes short on
# lockdep kernels).  This builds, against the given kernel build, a C file
# printing offsetof()/sizeof() (as asm-offsets does) and a tiny Rust module
# holding offset_of!()/size_of() of the same fields, and compares them.
# Prints one line per mismatch; exits non-zero on any.
set -euo pipefail

. "$(dirname "$0")/env.sh"

BUILD_DIR=${1:-$("$REPO_DIR/kernel/scripts/build.sh" print-build-dir)}

# "struct field [rust-path]" (no field: the size of the struct; the Rust
# path, when the field sits in anonymous members bindgen names).  Keep in
# step with src/ffi/: every field read or written there.
ANON=__bindgen_anon_1.__bindgen_anon_1
ITEMS=(
	"sock" "sock sk_wmem_queued" "sock sk_pacing_rate"
	"tcp_sock" "tcp_sock srtt_us" "tcp_sock mdev_us" "tcp_sock snd_cwnd"
	"tcp_sock rtt_min"
	"tcp_sock mss_cache" "tcp_sock rcv_tstamp" "tcp_sock write_seq"
	"tcp_sock snd_nxt" "tcp_sock packets_out" "tcp_sock sacked_out"
	"tcp_sock retrans_out" "tcp_sock lost_out"
	"mptcp_sock" "mptcp_sock conn_list" "mptcp_sock snd_nxt"
	"mptcp_sock snd_una" "mptcp_sock wnd_end" "mptcp_sock write_seq"
	"mptcp_sock snd_burst" "mptcp_sock sched_priv"
	"mptcp_subflow_context" "mptcp_subflow_context node"
	"mptcp_subflow_context tcp_sock"
	"mptcp_subflow_context avg_pacing_rate $ANON.avg_pacing_rate"
	"mptcp_subflow_context stale_count $ANON.stale_count"
	"mptcp_subflow_context subflow_id $ANON.subflow_id"
	"mptcp_subflow_context local_id $ANON.local_id"
	"mptcp_subflow_context remote_id $ANON.remote_id"
	"mptcp_subflow_context fully_established $ANON.fully_established"
	"sock sk_err" "sock_common skc_family" "sock_common skc_state"
	"mptcp_sock pm" "mptcp_sock pm_priv" "mptcp_sock mpc_endpoint_id"
	"mptcp_sock fully_established" "mptcp_sock first"
	"mptcp_pm_data" "mptcp_pm_data remote" "mptcp_pm_data lock"
	"mptcp_pm_data id_avail_bitmap"
	"mptcp_pm_data addr_signal $ANON.addr_signal"
	"mptcp_pm_data server_side $ANON.server_side"
	"mptcp_pm_data work_pending $ANON.work_pending"
	"mptcp_pm_data accept_addr $ANON.accept_addr"
	"mptcp_pm_data accept_subflow $ANON.accept_subflow"
	"mptcp_pm_data remote_deny_join_id0 $ANON.remote_deny_join_id0"
	"mptcp_pm_data add_addr_signaled $ANON.add_addr_signaled"
	"mptcp_pm_data add_addr_accepted $ANON.add_addr_accepted"
	"mptcp_pm_data local_addr_used $ANON.local_addr_used"
	"mptcp_pm_data extra_subflows $ANON.extra_subflows"
	"mptcp_pm_data status $ANON.status"
	"mptcp_addr_info" "mptcp_addr_info id" "mptcp_addr_info family"
	"mptcp_addr_info port" "mptcp_pm_addr_entry" "mptcp_pm_addr_entry list"
	"mptcp_pm_addr_entry addr" "mptcp_pm_addr_entry flags"
	"mptcp_pm_addr_entry ifindex" "mptcp_pm_local" "mptcp_pm_local addr"
	"mptcp_pm_local flags" "mptcp_pm_local ifindex" "mptcp_rm_list"
	"mptcp_rm_list nr"
	"mptcp_pm_ops" "mptcp_pm_ops established" "mptcp_pm_ops get_priority"
	"mptcp_pm_ops type type_" "mptcp_pm_ops name" "mptcp_pm_ops owner"
	"mptcp_pm_ops init" "mptcp_pm_ops release"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

{
	echo '#include <linux/kbuild.h>'
	echo '#include <linux/tcp.h>'
	echo '#include <net/sock.h>'
	echo "#include \"$SRC_DIR/net/mptcp/protocol.h\""
	echo 'void layout(void);'
	echo 'void layout(void)'
	echo '{'
	i=0
	for item in "${ITEMS[@]}"; do
		read -r s f _ <<<"$item"
		if [ -z "$f" ]; then
			echo "	DEFINE(L$i, sizeof(struct $s));"
		else
			echo "	DEFINE(L$i, offsetof(struct $s, $f));"
		fi
		i=$((i + 1))
	done
	echo '}'
} >"$work/layout_c.c"

{
	echo '// SPDX-License-Identifier: GPL-2.0'
	echo '//! Offsets and sizes as Rust sees them, for layout-check.sh.'
	echo 'use kernel::{bindings, prelude::*};'
	echo 'module! {'
	echo '    type: Probe,'
	echo '    name: "layout_probe",'
	echo '    authors: ["mptcp-rs maintainers"],'
	echo '    description: "layout probe",'
	echo '    license: "GPL",'
	echo '}'
	echo 'struct Probe;'
	echo 'impl kernel::Module for Probe {'
	echo '    fn init(_module: &'"'"'static ThisModule) -> Result<Self> { Ok(Probe) }'
	echo '}'
	echo '/// The probe, read back from the object file.'
	echo '#[no_mangle]'
	echo '#[used]'
	echo "static LAYOUT_PROBE: [usize; ${#ITEMS[@]}] = ["
	for item in "${ITEMS[@]}"; do
		read -r s f r <<<"$item"
		if [ -z "$f" ]; then
			echo "    core::mem::size_of::<bindings::$s>(),"
		else
			echo "    core::mem::offset_of!(bindings::$s, ${r:-$f}),"
		fi
	done
	echo '];'
} >"$work/layout_rs.rs"
echo 'obj-m := layout_rs.o layout_c.o' >"$work/Kbuild"

make -s -C "$BUILD_DIR" M="$work" "${KMAKE_FLAGS[@]}" layout_c.s >/dev/null
make -s -C "$BUILD_DIR" M="$work" "${KMAKE_FLAGS[@]}" layout_rs.o >/dev/null

python3 - "$work" "${ITEMS[@]}" <<'EOF'
import re, struct, subprocess, sys

work, items = sys.argv[1], sys.argv[2:]
c = {}
for m in re.finditer(r'"->L(\d+) \$?(\d+)', open(f"{work}/layout_c.s").read()):
    c[int(m.group(1))] = int(m.group(2))

obj = f"{work}/layout_rs.o"
syms = subprocess.run(["llvm-nm-19", "--defined-only", obj], capture_output=True,
                      text=True, check=True).stdout
addr = next(int(l.split()[0], 16) for l in syms.splitlines() if l.endswith(" LAYOUT_PROBE"))
sect = subprocess.run(["llvm-objdump-19", "-t", obj], capture_output=True, text=True,
                      check=True).stdout
name = next(l.split()[3] for l in sect.splitlines() if l.endswith(" LAYOUT_PROBE"))
subprocess.run(["llvm-objcopy-19", "-O", "binary", f"--only-section={name}", obj,
                f"{work}/probe.bin"], check=True)
data = open(f"{work}/probe.bin", "rb").read()
rust = struct.unpack_from(f"<{len(items)}Q", data, addr)

bad = 0
for i, item in enumerate(items):
    parts = item.split()
    what = f"{parts[0]}.{parts[1]}" if len(parts) > 1 else f"sizeof({parts[0]})"
    if c.get(i) != rust[i]:
        print(f"layout-check: {what}: C {c.get(i)}, Rust {rust[i]}")
        bad += 1
print(f"layout-check: {len(items) - bad} of {len(items)} layouts agree")
sys.exit(1 if bad else 0)
EOF
