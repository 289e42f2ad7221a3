# SPDX-License-Identifier: GPL-2.0
#
# mptcp-rs: everything from a fresh Debian bookworm host to test results.
#
#   make run     build, boot, load the module, carry MPTCP traffic over two
#                paths and show what our scheduler and path manager did
#                (the main job)
#   make test    host tests, KUnit, our selftests and the kernel's own MPTCP
#                selftests in the guest; ends with "N passed, N failed"
#
# Both install what they need first (make setup).  Other targets:
#
#   make setup       host packages, toolchain, virtme-ng, kernel source
#   make build       custom kernel, kernel selftests and mptcp_rs.ko
#   make module      mptcp_rs.ko only (CLIPPY=1 to lint it)
#   make shell       an interactive guest: module loaded, make run's two
#                    paths in namespaces cli and srv (SCHED=, PM=)
#   make test-quick  host checks, KUnit, rs_default, bad input (< 5 min)
#   make test-full   also the kernel's suites with every scheduler
#   make test-host   cargo test on the pure decision code
#   make check       checkpatch --strict on the patches, rustfmt, clippy,
#                    the C/Rust struct layout check
#   make soak        the chaos soak alone, SOAK_SECONDS (default 3600) long,
#                    SEED= to repeat a run's schedule; with DEBUG=1 the
#                    release gate;
#                    SOAK_SKIP_EVERY=N breaks our schedulers on purpose
#                    (every Nth decision marks nothing): the soak must fail
#   make bench       every scheduler side by side with the kernel's C default
#                    in one boot (QUICK=1: about 5 minutes; PUBLISH=1: copy
#                    the report to Documentation/bench/)
#
# DEBUG=1 (make test DEBUG=1, make run DEBUG=1) uses the debug kernel:
# KASAN, kmemleak, lockdep, UBSAN, DEBUG_NET, fault injection; built in its
# own cache directory; its test runs add the allocation-failure sweeps.
#
# The kernel build itself is described by Kbuild and Kconfig; outputs live
# in ${XDG_CACHE_HOME:-~/.cache}/mptcp-rs (override with MPTCP_RS_CACHE).

SCRIPTS := kernel/scripts
# Long steps print where they are at least every 20 s (MPTCP_RS_QUIET=1:
# plain output, for CI logs).  Until setup has installed python3, steps run
# without it.
PROGRESS = $(if $(shell command -v python3 2>/dev/null),$(SCRIPTS)/progress.py)
export DEBUG QUICK PUBLISH ONLY
SCHED ?= rs_default
MIB ?= 16
PM ?= rs_kernel

.PHONY: all setup build kernel module run shell test test-quick test-full test-host check bench soak

all: build

setup:
	$(PROGRESS) $(SCRIPTS)/setup-host.sh
	$(PROGRESS) $(SCRIPTS)/fetch-source.sh

build: setup
	$(PROGRESS) $(SCRIPTS)/build.sh all

kernel: setup
	$(PROGRESS) $(SCRIPTS)/build.sh kernel

module:
	$(PROGRESS) $(SCRIPTS)/build.sh module

run: build
	$(PROGRESS) selftests/vm.sh $${MPTCP_RS_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/mptcp-rs}/results/run \
		"$(CURDIR)/selftests/demo.sh $(SCHED) $(MIB) $(PM)"

test: build
	$(PROGRESS) selftests/run-tests.sh

test-quick: build
	SUITE=quick $(PROGRESS) selftests/run-tests.sh

test-full: build
	SUITE=full $(PROGRESS) selftests/run-tests.sh

test-host:
	cargo test

check: setup
	$(SCRIPTS)/check.sh

bench: build
	$(PROGRESS) selftests/bench/run.sh

SOAK_SECONDS ?= 3600
SEED ?=
soak: build
	out=$${MPTCP_RS_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/mptcp-rs}/results/soak-$$(date +%Y%m%d-%H%M%S) && \
	TEST_TIMEOUT=$$(($(SOAK_SECONDS) * 2 + 1800)) VM_TIMEOUT=$$(($(SOAK_SECONDS) * 3 + 3600)) \
		$(PROGRESS) selftests/vm.sh $$out "$(if $(SOAK_SKIP_EVERY),SOAK_SKIP_EVERY=$(SOAK_SKIP_EVERY)) $(CURDIR)/selftests/guest-run.sh 'soak.sh $(SOAK_SECONDS) $(SEED)'" && \
	[ "$$(cat $$out/01.rc)" = 0 ]

shell: build
	selftests/vm.sh $${MPTCP_RS_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/mptcp-rs}/results/shell --shell
