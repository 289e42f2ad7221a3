# SPDX-License-Identifier: GPL-2.0
# Shared settings for the kernel/ scripts.  Sourced, not executed.

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Pinned inputs.  Override KERNEL_DEB_VERSION/KERNEL_DEB_SHA256 together if the
# pinned package ever leaves the archive.
KERNEL_VERSION=7.3.4
KERNEL_DEB_PACKAGE=linux-source-7.3
KERNEL_DEB_VERSION=${KERNEL_DEB_VERSION:-7.3.4-1~bpo13+1}
KERNEL_DEB_SHA256=${KERNEL_DEB_SHA256:-703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3}
BINDGEN_VERSION=0.72.1
VNG_VERSION=1.42
CARGO_FUZZ_VERSION=0.12.0
CARGO_LLVM_COV_VERSION=0.6.16
# The benchmark report's statistics and plots (selftests/bench/report.py),
# installed into the tools venv.
NUMPY_VERSION=2.4.6
SCIPY_VERSION=1.17.1
MATPLOTLIB_VERSION=3.11.2

# Everything built or downloaded lives here, never in the checkout.
CACHE_DIR=${MPTCP_RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mptcp-rs}
TOOLS_DIR=$CACHE_DIR/tools
BINDGEN=$TOOLS_DIR/bin/bindgen
VNG=$TOOLS_DIR/venv/bin/vng

# The pristine tree is unpacked once; the patched tree is derived from it and
# shared by every build directory (normal and debug kernels).
PRISTINE_DIR=$CACHE_DIR/linux-$KERNEL_VERSION/pristine
SRC_DIR=$CACHE_DIR/linux-$KERNEL_VERSION/src

# The pinned Rust toolchain (rust-toolchain.toml), also for the builds that
# run outside the checkout (the kernel tree, the module's Kbuild).
RUST_TOOLCHAIN=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$REPO_DIR/rust-toolchain.toml")
export RUSTUP_TOOLCHAIN=$RUST_TOOLCHAIN

LLVM_DIR=/usr/lib/llvm-19
export PATH=$TOOLS_DIR/bin:$TOOLS_DIR/venv/bin:$LLVM_DIR/bin:$HOME/.cargo/bin:$PATH
export LIBCLANG_PATH=$LLVM_DIR/lib
# -gline-tables-only: the C debug info the configs ask for is for
# decoding traces (file:line), nothing more; clang's full -g would double
# the build time.
KMAKE_FLAGS=(LLVM=1 "BINDGEN=$BINDGEN" KCFLAGS=-gline-tables-only)
