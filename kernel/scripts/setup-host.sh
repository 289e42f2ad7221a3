#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything a fresh Debian bookworm host needs to build the custom
# kernel and mptcp_rs.ko and to boot the guest.  Idempotent: a second run only
# checks what is already there.
set -euo pipefail

. "$(dirname "$0")/env.sh"

APT_PACKAGES=(
	build-essential bc flex bison libelf-dev libssl-dev cpio kmod rsync
	clang-19 lld-19 llvm-19 libclang-19-dev
	qemu-system-x86 busybox-static udev python3-venv
	iproute2 iptables nftables ethtool tcpdump iputils-ping netcat-openbsd
	socat procps
	python3-yaml
)

log() { echo "setup-host: $*"; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "apt: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Rust: rustup is the one prerequisite setup does not install (see the
# README); the pinned toolchain and its components (rust-toolchain.toml)
# are installed when missing.
if ! command -v rustup >/dev/null; then
	log "error: rustup is not installed; install it as https://rustup.rs says" \
		"(the default profile is enough), then run make setup again" >&2
	exit 1
fi
components=$(sed -n 's/^components *= *\[\(.*\)\]/\1/p' "$REPO_DIR/rust-toolchain.toml" | tr -d '",')
if ! rustup run "$RUST_TOOLCHAIN" rustc --version >/dev/null 2>&1; then
	log "rustup: installing Rust $RUST_TOOLCHAIN"
	rustup toolchain install "$RUST_TOOLCHAIN" --profile minimal
fi
for c in $components; do
	if ! rustup component list --toolchain "$RUST_TOOLCHAIN" --installed 2>/dev/null | grep -q "^$c"; then
		log "rustup: adding $c to $RUST_TOOLCHAIN"
		rustup component add --toolchain "$RUST_TOOLCHAIN" "$c"
	fi
done

# bindgen, pinned, installed into the cache so that the host stays clean.
if [ "$("$BINDGEN" --version 2>/dev/null | awk '{print $2}')" != "$BINDGEN_VERSION" ]; then
	log "cargo: installing bindgen-cli $BINDGEN_VERSION"
	cargo install --locked --quiet --root "$TOOLS_DIR" bindgen-cli --version "$BINDGEN_VERSION"
fi

# cargo-fuzz and cargo-llvm-cov, pinned, for the host quality checks.
for tool in "cargo-fuzz $CARGO_FUZZ_VERSION" "cargo-llvm-cov $CARGO_LLVM_COV_VERSION"; do
	read -r name version <<<"$tool"
	if [ "$("$TOOLS_DIR/bin/$name" ${name#cargo-} --version 2>/dev/null | awk '{print $2}')" != "$version" ]; then
		log "cargo: installing $name $version"
		cargo install --locked --quiet --root "$TOOLS_DIR" "$name" --version "$version"
	fi
done

# virtme-ng, pinned, in its own venv.
if [ "$("$VNG" --version 2>/dev/null | awk '{print $2}')" != "$VNG_VERSION" ]; then
	log "pip: installing virtme-ng $VNG_VERSION"
	python3 -m venv "$TOOLS_DIR/venv"
	"$TOOLS_DIR/venv/bin/pip" install --quiet "virtme-ng==$VNG_VERSION"
fi

# numpy, scipy and matplotlib, pinned, in the same venv: the statistics and
# plots of make bench's report.
py_pins=("numpy==$NUMPY_VERSION" "scipy==$SCIPY_VERSION" "matplotlib==$MATPLOTLIB_VERSION")
if ! "$TOOLS_DIR/venv/bin/python" -c '
import sys
from importlib.metadata import version
sys.exit(any(version(n) != v for n, v in (p.split("==") for p in sys.argv[1:])))
' "${py_pins[@]}" 2>/dev/null; then
	log "pip: installing ${py_pins[*]}"
	"$TOOLS_DIR/venv/bin/pip" install --quiet "${py_pins[@]}"
fi

log "ok (rustc $(rustc --version | awk '{print $2}'), bindgen $BINDGEN_VERSION, virtme-ng $VNG_VERSION, scipy $SCIPY_VERSION, matplotlib $MATPLOTLIB_VERSION)"
