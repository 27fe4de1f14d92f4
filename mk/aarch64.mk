# mk/aarch64.mk: the ARM64 cross build, included by the Makefile as mk/$(ARCH).mk right
# after `ARCH ?=` (so nothing here runs for x86-64). docs/verification.md, "ARM64".
#
#   make test ARCH=aarch64                   LL/SC atomics (armv8.0, -mno-outline-atomics)
#   make test ARCH=aarch64 AARCH64_ISA=lse   LSE atomics (armv8.1-a; ck via CK_USE_CC_BUILTINS)
#
# Cross compiler aarch64-linux-gnu-gcc; ck is Debian's arm64 libck unpacked under
# build/aarch64-deps (scripts/aarch64/setup.sh; it cannot be installed beside the amd64
# one), and so is Lua 5.4, both found through a pkg-config dir placed ahead of the arm64
# one, so the variants' own `pkg-config --cflags ck`, the Makefile's lua5.4 (and hwloc,
# benchmark, liburcu) give ARM64 flags: make 4.3 does
# not export variables to $(shell), hence the pkg-config path rides in SHELL. Test programs
# and the node run under qemu-aarch64 (verify/run-under as prove's --exec;
# SKYBENCH_RUNNER for the node the shell tests start). qemu runs ARM64 code with the host's
# x86 (TSO) ordering: these runs check the instruction set, the ARM64 ck headers and the
# code paths, not weak-memory reorderings (docs/verification.md).

AARCH64_ISA ?= llsc
AARCH64_DEPS := build/aarch64-deps
ifneq ($(shell scripts/aarch64/setup.sh $(AARCH64_DEPS) >&2 && echo ok),ok)
$(error scripts/aarch64/setup.sh failed: the ARM64 cross build needs its packages (see above))
endif
ifneq ($(SAN),)
$(error SAN=$(SAN) is not supported with ARCH=$(ARCH): sanitizers run on the x86-64 build (make verify))
endif

CC := aarch64-linux-gnu-gcc
CXX := aarch64-linux-gnu-g++
AR := aarch64-linux-gnu-ar
ifeq ($(AARCH64_ISA),lse)
# LSE: CAS/LDADD/SWP instructions; ck 0.7.1's own LSE path does not compile, its
# compiler-builtin path does and emits LSE (docs/dependencies.md, "ck on ARM64")
CFLAGS += -march=armv8.1-a -DCK_USE_CC_BUILTINS=1
BUILD_SUFFIX := -aarch64-lse
else ifeq ($(AARCH64_ISA),llsc)
# LL/SC: LDXR/STXR loops inline, not gcc's outline helpers that pick LSE at run time
CFLAGS += -march=armv8-a -mno-outline-atomics
BUILD_SUFFIX := -aarch64
else
$(error AARCH64_ISA=$(AARCH64_ISA): use llsc or lse)
endif

# Recipes and $(shell) run with the arm64 pkg-config dirs, and with AARCH64_DEPS/bin first
# in PATH: objcopy, nm and g++ there are the aarch64 ones (bench/bench.mk calls them by
# name to build the micro-benchmark programs that make test smoke-tests).
SHELL := /usr/bin/env PATH=$(CURDIR)/$(AARCH64_DEPS)/bin:$(PATH) PKG_CONFIG_LIBDIR=$(CURDIR)/$(AARCH64_DEPS)/pc:/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig /bin/bash
# the micro-benchmark programs get their own folder (bench.mk's is per sanitizer only)
override BENCH_DIR := build/bench$(BUILD_SUFFIX)
export SKYBENCH_RUNNER := qemu-aarch64 -L /
PROVE_FLAGS += --exec $(CURDIR)/verify/run-under
