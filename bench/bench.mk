# bench/bench.mk: the micro-benchmark programs and `make bench`. Included by the top-level
# Makefile after its own rules; uses its BUILD, CC, CFLAGS_BASE, INCLUDES, PART_INCLUDES, COMMON_CFLAGS, SAN, PARTS,
# IMPLS_<part>, BASELINE_<part>, PRESETS, combo_name, VARIANT_NAME, PART_ENV, GIT_REV,
# NODE, SERVICES.
#
#   make bench [VARIANT=v] [QUICK=1] [FILTER=regex] [THREADS=1,2] [PIN=policy] [REPS=n] [WAKE=skynet|eager]
#   make bench-programs          build them only
#   make driver-build            a variant's node, services and compile-flags (the drivers')
#
# Each micro-benchmark program holds every variant of its part (build/bench/bench_<part>):
# each variant's .c is compiled alone with its own .mk flags, every global symbol it defines
# is renamed bv_<variant>_<symbol> (objcopy), and gen-impls.sh writes the table of them.
# bench_runq measures variants/sched/runq.h, the one run queue of SCHED=steal, included
# directly: no table, only the build description gen-impls.sh writes for every program.

BENCH_DIR := build/bench$(SAN_SUFFIX)
BENCH_PARTS := globalq handle timer mailbox
BENCH_IMPLS_globalq = $(IMPLS_globalq)
BENCH_IMPLS_handle = $(IMPLS_handle)
BENCH_IMPLS_timer = $(IMPLS_timer)
BENCH_IMPLS_mailbox = $(IMPLS_mailbox)
BENCH_CXX := $(if $(findstring clang,$(CC)),clang++,g++)
# LTO lets the Google Benchmark loop (C++) and the C benchmark body inline into each other;
# it needs one compiler family on both sides, so only for gcc/g++.
BENCH_LTO := $(if $(findstring clang,$(CC)),,-flto=auto)
# $(CFLAGS) as for the node: with ARCH=aarch64 it holds the ISA flags (mk/aarch64.mk:
# -mno-outline-atomics for LL/SC, -march=armv8.1-a for LSE), which the parts measured here
# must be built with too; BENCH_CFLAGS_ROW is what the rows' cflags column records
BENCH_CFLAGS = $(CFLAGS_BASE) $(INCLUDES) -Ibench $(shell pkg-config --cflags hwloc 2>/dev/null) $(CFLAGS)
BENCH_CFLAGS_ROW = $(CFLAGS_BASE)$(if $(strip $(CFLAGS)), $(strip $(CFLAGS)))
BENCH_SUPPORT_OBJ := $(patsubst %,$(BENCH_DIR)/support/%.o,common csv stats pin pin_map harness)
BENCH_PROGRAMS := $(patsubst %,$(BENCH_DIR)/bench_%,$(BENCH_PARTS)) $(BENCH_DIR)/bench_runq \
	$(BENCH_DIR)/bench_timer_lock $(BENCH_DIR)/summary $(BENCH_DIR)/csvrow
BENCH_LIBVERSIONS = benchmark=$(shell pkg-config --modversion benchmark 2>/dev/null);ck=$(shell pkg-config --modversion ck 2>/dev/null);hwloc=$(shell pkg-config --modversion hwloc 2>/dev/null);urcu=$(shell pkg-config --modversion liburcu-memb 2>/dev/null)
# a variant's .mk, evaluated on its own (bench/variant-flags.mk)
bench_vflags = MAKEFLAGS= $(MAKE) -s --no-print-directory -f bench/variant-flags.mk MK=$(1) SAN="$(SAN)" CC="$(CC)" BUILD="$(BUILD)" ARCH="$(ARCH)" $(2)
bench_part_libs = for mk in $(wildcard variants/$(1)/*.mk); do $(call bench_vflags,$$mk,libs); done

.PHONY: bench bench-all bench-programs FORCE
# every object is rebuilt when the compiler or its flags change (a stamp rewritten only
# then): the programs of one BENCH_DIR must not mix ISA or sanitizer settings
BENCH_FLAGS_STAMP := $(BENCH_DIR)/flags.stamp
_bench_flags = $(CC) $(BENCH_CXX) $(BENCH_CFLAGS)
ifneq ($(_goals_needing_variant),)
$(shell mkdir -p $(BENCH_DIR) && { [ "$$(cat $(BENCH_FLAGS_STAMP) 2>/dev/null)" = '$(_bench_flags)' ] || echo '$(_bench_flags)' > $(BENCH_FLAGS_STAMP); })
endif
.SECONDARY: $(patsubst %,$(BENCH_DIR)/gen/%_impls.c,$(BENCH_PARTS)) $(patsubst %,$(BENCH_DIR)/gen/%_impls.o,$(BENCH_PARTS)) \
	$(BENCH_DIR)/gen/build_desc.c $(BENCH_DIR)/gen/build_desc.o
bench-programs: $(BENCH_PROGRAMS)

$(BENCH_DIR)/support/%.o: bench/%.c $(wildcard bench/*.h) $(HEADERS) $(BENCH_FLAGS_STAMP) | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -c $< -o $@

$(BENCH_DIR)/variants/%.o: variants/%.c $(HEADERS) bench/variant-flags.mk $(BENCH_FLAGS_STAMP) | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(PART_INCLUDES) $$($(call bench_vflags,$(<:.c=.mk),cflags)) $(CFLAGS) -c $< -o $@.tmp.o
	@v=$(basename $(notdir $<)); args=""; \
	for s in $$(nm --defined-only -g --format=posix $@.tmp.o | awk '{print $$1}'); do \
		args="$$args --redefine-sym $$s=bv_$${v}_$$s"; done; \
	objcopy $$args $@.tmp.o $@ && rm -f $@.tmp.o

# the table of implementations, rewritten only when the variant list or flags change
$(BENCH_DIR)/gen/%_impls.c: bench/gen-impls.sh FORCE
	@mkdir -p $(dir $@)
	@bench/gen-impls.sh $* "$(BENCH_CFLAGS_ROW)" "$(BENCH_LIBVERSIONS)" $(BENCH_IMPLS_$*) > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BENCH_DIR)/gen/%_impls.o: $(BENCH_DIR)/gen/%_impls.c bench/parts.h $(HEADERS) $(BENCH_FLAGS_STAMP)
	$(CC) $(BENCH_CFLAGS) -c $< -o $@

# the build description alone, for a program without a table (bench_runq)
$(BENCH_DIR)/gen/build_desc.c: bench/gen-impls.sh FORCE
	@mkdir -p $(dir $@)
	@bench/gen-impls.sh - "$(BENCH_CFLAGS_ROW)" "$(BENCH_LIBVERSIONS)" > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BENCH_DIR)/gen/build_desc.o: $(BENCH_DIR)/gen/build_desc.c $(BENCH_FLAGS_STAMP)
	$(CC) $(BENCH_CFLAGS) -c $< -o $@

.SECONDEXPANSION:
$(BENCH_DIR)/bench_globalq $(BENCH_DIR)/bench_handle $(BENCH_DIR)/bench_mailbox: $(BENCH_DIR)/bench_%: bench/bench_%.c \
		$(BENCH_DIR)/gen/%_impls.o $$(addprefix $(BENCH_DIR)/variants/$$*/,$$(addsuffix .o,$$(BENCH_IMPLS_$$*))) \
		$(BENCH_SUPPORT_OBJ) $(wildcard bench/*.h) $(HEADERS)
	$(CC) $(BENCH_CFLAGS) $(LDFLAGS_ALL) $< $(filter %.o,$^) \
		$$($(call bench_part_libs,$*)) $(shell pkg-config --libs hwloc 2>/dev/null) -lm -o $@

# bench_globalq's fake mailboxes take their ids, and the id map an index-based queue reads,
# from the runtime's own allocator
$(BENCH_DIR)/support/skynet_mqid.o: runtime/skynet_mqid.c $(HEADERS) $(BENCH_FLAGS_STAMP) | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -c $< -o $@
$(BENCH_DIR)/bench_globalq: $(BENCH_DIR)/support/skynet_mqid.o

$(BENCH_DIR)/bench_runq: bench/bench_runq.c $(BENCH_DIR)/gen/build_desc.o $(BENCH_SUPPORT_OBJ) \
		$(wildcard bench/*.h) $(HEADERS)
	$(CC) $(BENCH_CFLAGS) $(LDFLAGS_ALL) $< $(filter %.o,$^) $(shell pkg-config --libs hwloc 2>/dev/null) -lm -o $@

$(BENCH_DIR)/support/gbench_shim.o: bench/gbench_shim.cc bench/gbench_shim.h $(BENCH_FLAGS_STAMP) | deps-build
	@mkdir -p $(dir $@)
	$(BENCH_CXX) -std=c++17 -O2 -g $(BENCH_LTO) $(SAN_FLAGS) $(shell pkg-config --cflags benchmark 2>/dev/null) -c $< -o $@

$(BENCH_DIR)/bench_timer: bench/bench_timer.c $(BENCH_DIR)/gen/timer_impls.o \
		$(patsubst %,$(BENCH_DIR)/variants/timer/%.o,$(IMPLS_timer)) $(BENCH_DIR)/support/gbench_shim.o \
		$(BENCH_SUPPORT_OBJ) $(wildcard bench/*.h) $(HEADERS)
	$(CC) $(BENCH_CFLAGS) $(BENCH_LTO) -c $< -o $@.o
	$(BENCH_CXX) $(BENCH_LTO) -O2 $(LDFLAGS_ALL) $@.o $(filter %.o,$^) \
		$$($(call bench_part_libs,timer)) $(shell pkg-config --libs benchmark hwloc 2>/dev/null) -lm -o $@

# bench_timer_lock: the timer implementations again, under skynet's spinlock with a timer
# thread and adder threads (no Google Benchmark: it times its own threads); staged_add links
# the node's staging rings (runtime/timer_stage.c)
$(BENCH_DIR)/support/timer_stage.o: runtime/timer_stage.c $(HEADERS) $(BENCH_FLAGS_STAMP) | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -c $< -o $@
$(BENCH_DIR)/bench_timer_lock: bench/bench_timer_lock.c $(BENCH_DIR)/gen/timer_impls.o $(BENCH_DIR)/support/timer_stage.o \
		$(patsubst %,$(BENCH_DIR)/variants/timer/%.o,$(IMPLS_timer)) \
		$(BENCH_SUPPORT_OBJ) $(wildcard bench/*.h) $(HEADERS)
	$(CC) $(BENCH_CFLAGS) $(LDFLAGS_ALL) $< $(filter %.o,$^) \
		$$($(call bench_part_libs,timer)) $(shell pkg-config --libs hwloc 2>/dev/null) -lm -o $@

# the summary's ratios are to each part's baseline, BASELINE_<part> in the Makefile (runq,
# one implementation, has none: its rows get the fraction of their ceiling only)
$(BENCH_DIR)/summary: bench/summary.c $(BENCH_DIR)/support/stats.o $(BENCH_DIR)/support/csv.o bench/csv.h bench/stats.h Makefile
	$(CC) $(BENCH_CFLAGS) -DSKYBENCH_BASELINES='"$(foreach p,$(PARTS),$(p)=$(BASELINE_$(p))) runtime=baseline"' $(LDFLAGS_ALL) $< $(BENCH_DIR)/support/stats.o $(BENCH_DIR)/support/csv.o -lm -o $@

# csvrow: the shell drivers' rows, written by csv.c as the C programs' are
$(BENCH_DIR)/csvrow: bench/csvrow.c $(BENCH_DIR)/support/csv.o bench/csv.h
	$(CC) $(BENCH_CFLAGS) $(LDFLAGS_ALL) $< $(BENCH_DIR)/support/csv.o -o $@

# What the shell drivers record of a variant's build (the services' compiler and flags, the
# library versions), handed to them in a file beside the node instead of asking make how it
# would compile: `make driver-build VARIANT=v` builds the node and services and writes it.
# $(file) writes the values exactly as make expands them (no shell quoting in between).
$(BUILD)/compile-flags: FORCE
	$(file >$@.tmp,cc=$(CC))
	$(file >>$@.tmp,cflags=$(COMMON_CFLAGS))
	$(file >>$@.tmp,libs=$(BENCH_LIBVERSIONS))
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
.PHONY: driver-build bench-csvrow
driver-build: $(NODE) $(SERVICES) $(BUILD)/compile-flags
bench-csvrow: $(BENCH_DIR)/csvrow

# The driver runs the five micro-benchmark programs, then every program in
# $(BUILD)/bench/ (whole-runtime benchmarks of this variant, same options, same CSV):
# scripts/runtime-bench.sh, linked there, runs the benchmark services on this variant's node.
# A build for another architecture (ARCH=aarch64) runs under SKYBENCH_RUNNER (qemu-user,
# mk/aarch64.mk): its numbers measure the emulator on this CPU, not ARM64, so the run is
# labelled (BENCH_EMULATED, e.g. qemu-aarch64-llsc): run.sh writes results/<host>-emulated-
# <label>/ and host=<host>-emulated-<label>, which scripts/compare, check-claims and
# paper-numbers refuse or skip (results/README.md).
BENCH_EMULATED := $(if $(filter-out $(shell uname -m),$(ARCH)),qemu-$(ARCH)$(if $(filter aarch64,$(ARCH)),-$(AARCH64_ISA)))
BENCH_ENV = SKYBENCH_GIT_REV="$(GIT_REV)" $(PART_ENV) SKYBENCH_BENCH_DIR="$(BENCH_DIR)" \
	SKYBENCH_PARTS="$(foreach p,$(PARTS),$(p)=$($(PART_VAR_$(p))))" \
	SKYBENCH_LIBS="$(BENCH_LIBVERSIONS)" SKYBENCH_CC="$(CC)" SKYBENCH_CFLAGS="$(BENCH_CFLAGS_ROW)" \
	SKYBENCH_RUNNER="$(SKYBENCH_RUNNER)" SKYBENCH_EMULATED="$(BENCH_EMULATED)" \
	QUICK="$(QUICK)" FILTER="$(FILTER)" THREADS="$(THREADS)" PIN="$(PIN)" REPS="$(REPS)" \
	SKYBENCH_SCHED_WAKE="$(WAKE)"

# what the micro-benchmark rows record of their build, for drivers run outside make bench
# (scripts/scaling-sweep.sh): one KEY=value line each
.PHONY: bench-row-flags
bench-row-flags:
	$(info SKYBENCH_CC=$(CC))
	$(info SKYBENCH_CFLAGS=$(BENCH_CFLAGS_ROW))
	$(info SKYBENCH_LIBS=$(BENCH_LIBVERSIONS))
	@:

$(BUILD)/bench/runtime-bench: scripts/runtime-bench.sh
	@mkdir -p $(dir $@)
	@ln -sf $(abspath scripts/runtime-bench.sh) $@

bench: $(BENCH_PROGRAMS) $(NODE) $(SERVICES) $(BUILD)/bench/runtime-bench
	@$(BENCH_ENV) SKYBENCH_VARIANT="$(VARIANT_NAME)" SKYBENCH_VARIANT_BENCH_DIR="$(BUILD)/bench" bench/run.sh

# bench-all: one results file with the micro-benchmarks (every variant of every part, as
# always) and the whole-runtime benchmarks of every preset and every single-part change
# from the baseline.
BENCH_ALL_VARIANTS := $(PRESETS) $(foreach p,$(PARTS),$(foreach i,$(filter-out $(BASELINE_$(p)),$(IMPLS_$(p))),\
	$(call combo_name,$(foreach q,$(PARTS),$(if $(filter $(p),$(q)),$(i),$(BASELINE_$(q)))))))
bench-all: $(BENCH_PROGRAMS)
	@d=$$(mktemp -d /tmp/skybench-all.XXXXXX); mkdir -p $$d/bench; \
	for v in $(BENCH_ALL_VARIANTS); do \
		printf '#!/bin/sh\nexec %s --variant %s "$$@"\n' "$(abspath scripts/runtime-bench.sh)" $$v > $$d/bench/runtime-$$v; \
		chmod +x $$d/bench/runtime-$$v; \
	done; \
	$(BENCH_ENV) SKYBENCH_VARIANT=all SKYBENCH_VARIANT_BENCH_DIR=$$d/bench bench/run.sh; rc=$$?; \
	rm -rf $$d; exit $$rc

# bench/socket-bench.sh asks where this build's programs are (per SAN= and ARCH=)
.PHONY: print-bench-dir
print-bench-dir:
	@echo $(BENCH_DIR)

# make test also exercises the benchmark programs (tests/test_bench_smoke.sh)
test: bench-programs
-include bench/socket.mk
-include bench/peers/peers.mk
