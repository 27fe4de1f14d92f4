# skybench: skynet's runtime built from swappable parts.
#
#   make [VARIANT=preset|handle-globalq-timer] [HANDLE=..] [GLOBALQ=..] [TIMER=..] [SAN=address|thread] [CC=clang]
#   make test | test-all | variants | bench | clean        (see README.md)
#
# Every .c file in variants/<part>/ is one implementation of that part; an optional
# variants/<part>/<name>.mk beside it adds that implementation's flags and libraries.

.DEFAULT_GOAL := all
SHELL := /bin/bash

HANDLES  := $(sort $(basename $(notdir $(wildcard variants/handle/*.c))))
GLOBALQS := $(sort $(basename $(notdir $(wildcard variants/globalq/*.c))))
TIMERS   := $(sort $(basename $(notdir $(wildcard variants/timer/*.c))))

PRESETS := baseline lockfree
PRESET_baseline := rwlock-spin-wheel
PRESET_lockfree := rcu-mpmc-wheel

VARIANT ?= baseline
# a preset name, or handle-globalq-timer
VARIANT_PARTS := $(if $(PRESET_$(VARIANT)),$(PRESET_$(VARIANT)),$(VARIANT))
_parts := $(subst -, ,$(VARIANT_PARTS))
HANDLE  ?= $(word 1,$(_parts))
GLOBALQ ?= $(word 2,$(_parts))
TIMER   ?= $(word 3,$(_parts))
# the directory name: the preset if the parts are the preset's, else the parts
_triple := $(HANDLE)-$(GLOBALQ)-$(TIMER)
VARIANT_NAME := $(if $(and $(PRESET_$(VARIANT)),$(filter $(_triple),$(PRESET_$(VARIANT)))),$(VARIANT),$(_triple))

_goals_needing_variant := $(filter-out variants clean help deps,$(or $(MAKECMDGOALS),all))
ifneq ($(_goals_needing_variant),)
ifneq ($(words $(_parts)),3)
$(error VARIANT=$(VARIANT) is neither a preset ($(PRESETS)) nor handle-globalq-timer; handles: $(HANDLES); globalqs: $(GLOBALQS); timers: $(TIMERS))
endif
ifeq ($(filter $(HANDLE),$(HANDLES)),)
$(error unknown handle table '$(HANDLE)'; valid: $(HANDLES))
endif
ifeq ($(filter $(GLOBALQ),$(GLOBALQS)),)
$(error unknown global queue '$(GLOBALQ)'; valid: $(GLOBALQS))
endif
ifeq ($(filter $(TIMER),$(TIMERS)),)
$(error unknown timer '$(TIMER)'; valid: $(TIMERS))
endif
endif

SAN ?=
ifeq ($(SAN),)
SAN_SUFFIX :=
SAN_FLAGS :=
else ifeq ($(SAN),address)
SAN_SUFFIX := -asan
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else ifeq ($(SAN),thread)
SAN_SUFFIX := -tsan
SAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
else
$(error SAN=$(SAN): use SAN=address (ASan+UBSan) or SAN=thread)
endif

ARCH ?= $(shell uname -m)
# per-architecture settings (mk/aarch64.mk: the ARM64 cross build; none for x86-64)
-include mk/$(ARCH).mk
BUILD_SUFFIX ?=
BUILD := build/$(VARIANT_NAME)$(SAN_SUFFIX)$(BUILD_SUFFIX)

OPT ?= -O2 -g
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread $(OPT) $(SAN_FLAGS)
INCLUDES := -Iruntime -Ivariants/handle -Ivariants/globalq -Ivariants/timer
VARIANT_CFLAGS :=
VARIANT_LIBS :=
-include variants/handle/$(HANDLE).mk
-include variants/globalq/$(GLOBALQ).mk
-include variants/timer/$(TIMER).mk
CFLAGS_ALL = $(CFLAGS_BASE) $(INCLUDES) $(VARIANT_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = -pthread $(SAN_FLAGS) $(LDFLAGS)
LIBS_ALL = $(VARIANT_LIBS) -ldl -lm

GIT_REV := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

RUNTIME_SRC := $(filter-out runtime/skynet_main.c runtime/skynet_version.c,$(wildcard runtime/*.c))
# The runtime and the services do not depend on the variant: they are compiled once per
# compiler/sanitizer setting into build/common*/ and linked (or copied) into each variant.
COMMON := build/common$(SAN_SUFFIX)$(BUILD_SUFFIX)
COMMON_CFLAGS = $(CFLAGS_BASE) $(INCLUDES) $(CFLAGS)
PART_SRC := variants/handle/$(HANDLE).c variants/globalq/$(GLOBALQ).c variants/timer/$(TIMER).c
LIB_OBJ := $(patsubst %.c,$(COMMON)/obj/%.o,$(RUNTIME_SRC)) $(BUILD)/obj/runtime/skynet_version.o \
	$(patsubst %.c,$(BUILD)/obj/%.o,$(PART_SRC))
LIB := $(BUILD)/libskybench.a
NODE := $(BUILD)/skybench-node
SERVICES := $(patsubst services/%.c,$(BUILD)/services/%.so,$(wildcard services/*.c))
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
TEST_SCRIPTS := $(wildcard tests/test_*.sh)
HEADERS := $(wildcard runtime/*.h variants/*/*.h tests/*.h)

.PHONY: all node services tests test test-all variants deps clean help print-build
all: deps-build $(NODE) $(SERVICES) $(TEST_BINS)
node: $(NODE)
services: $(SERVICES)
tests: $(TEST_BINS)

$(COMMON)/obj/%.o: %.c $(HEADERS) | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(COMMON_CFLAGS) -fPIC -c $< -o $@

$(BUILD)/obj/%.o: %.c $(HEADERS) | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fPIC -c $< -o $@

# skynet_version.o is rebuilt only when the variant name or git revision changes
VERSION_STAMP := $(BUILD)/version.stamp
_version := $(VARIANT_NAME) $(GIT_REV)
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(VERSION_STAMP) 2>/dev/null)" = "$(_version)" ] || echo "$(_version)" > $(VERSION_STAMP); })
$(BUILD)/obj/runtime/skynet_version.o: $(VERSION_STAMP)
$(BUILD)/obj/runtime/skynet_version.o: CFLAGS += -DSKYBENCH_VARIANT='"$(VARIANT_NAME)"' -DSKYBENCH_GIT_REV='"$(GIT_REV)"'

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(NODE): $(BUILD)/obj/runtime/skynet_main.o $(LIB)
	$(CC) $(LDFLAGS_ALL) -rdynamic $< -Wl,--whole-archive $(LIB) -Wl,--no-whole-archive $(LIBS_ALL) -o $@

COMMON_SERVICES := $(patsubst services/%.c,$(COMMON)/services/%.so,$(wildcard services/*.c))
.SECONDARY: $(COMMON_SERVICES)
$(COMMON_SERVICES): $(COMMON)/services/%.so: services/%.c $(HEADERS) $(wildcard services/*.h) | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(COMMON_CFLAGS) -fPIC -shared $< -o $@

$(SERVICES): $(BUILD)/services/%.so: $(COMMON)/services/%.so
	@mkdir -p $(dir $@)
	@cp $< $@

# Part tests (tests/test_part_*.c) link the three parts compiled with SKYBENCH_TEST_HOOKS
# (test-only stall points, see variants/*/ headers) ahead of the archive, and may define
# what they fake (skynet_mq_link, skynet_context_*) themselves. Other tests link the whole
# runtime (whole-archive, -rdynamic) so services they load resolve skynet_* from it.
HOOKED_PART_OBJ := $(patsubst %.c,$(BUILD)/obj-hooks/%.o,$(PART_SRC))
$(HOOKED_PART_OBJ): $(BUILD)/obj-hooks/%.o: %.c $(HEADERS) | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DSKYBENCH_TEST_HOOKS=1 -c $< -o $@

PART_TEST_BINS := $(filter $(BUILD)/tests/test_part_%,$(TEST_BINS))
$(PART_TEST_BINS): $(BUILD)/tests/%: tests/%.c $(HOOKED_PART_OBJ) $(LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DSKYBENCH_TEST_HOOKS=1 $(LDFLAGS_ALL) -Itests $< $(HOOKED_PART_OBJ) $(LIB) $(LIBS_ALL) -o $@

$(filter-out $(PART_TEST_BINS),$(TEST_BINS)): $(BUILD)/tests/%: tests/%.c $(LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -Itests -rdynamic $< -Wl,--whole-archive $(LIB) -Wl,--no-whole-archive $(LIBS_ALL) -o $@

# The environment tells test scripts and programs where this variant's build is.
TEST_ENV = SKYBENCH_BUILD=$(abspath $(BUILD)) SKYBENCH_VARIANT=$(VARIANT_NAME) SKYBENCH_SAN=$(SAN) \
	SKYBENCH_BENCH_DIR=$(abspath $(BENCH_DIR)) \
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(abspath tests/tsan.supp) $(TSAN_OPTIONS)" \
	ASAN_OPTIONS="detect_leaks=1 abort_on_error=1 $(ASAN_OPTIONS)" \
	UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1 $(UBSAN_OPTIONS)"

# TESTS="name ..." runs only those tests (file names without directory)
TESTS ?=
_selected = $(if $(TESTS),$(foreach t,$(TESTS),$(filter %/$(t),$(TEST_BINS) $(TEST_SCRIPTS))),$(TEST_BINS) $(TEST_SCRIPTS))
# only what the selected tests need is built (a matrix links each combination's node, not
# every test program); the bench programs come from bench/bench.mk's own `test:` rule
test: deps-build $(NODE) $(SERVICES) $(filter $(TEST_BINS),$(_selected))
	@echo "== make test: variant $(VARIANT_NAME) ($(HANDLE) handle table, $(GLOBALQ) global queue, $(TIMER) timer)$(if $(SAN), under SAN=$(SAN))"
	$(TEST_ENV) prove $(PROVE_FLAGS) $(_selected)

# a few combinations that together use every part once (for quick per-part builds)
_n := $(words $(HANDLES) $(GLOBALQS) $(TIMERS))
_pick = $(word $(shell echo $$(( ($(2) % $(words $(1))) + 1 ))),$(1))
COVERING := $(sort $(foreach i,0 1 2 3 4 5,$(call _pick,$(HANDLES),$(i))-$(call _pick,$(GLOBALQS),$(i))-$(call _pick,$(TIMERS),$(i))))
ALL_COMBOS := $(foreach h,$(HANDLES),$(foreach g,$(GLOBALQS),$(foreach t,$(TIMERS),$(h)-$(g)-$(t))))
# make test-all: every combination of parts through scripts/test-matrix.sh, which runs the
# whole-runtime tests (COMBO_TESTS) for every combination, each part's own test and the
# other node tests whenever a combination brings an implementation not tested yet, and the
# tests that use no part once; so every test runs with every implementation of every part.
# HOST_TESTS execute nothing this build made (scripts over results/, the SPIN model): only
# the native unsanitized matrix runs them. The sanitizer, valgrind and ARM64 matrices use
# the same script (verify/verify.mk; make test-all ARCH=aarch64).
NODE_TESTS := $(notdir $(shell grep -l 'node_tap.sh\|SKYBENCH_BUILD\|skybench-node' $(TEST_SCRIPTS) /dev/null))
# tests beyond test_part_<part> that depend on one part: run with each of its implementations
PART_TESTS_globalq := test_litmus_handoff test_mailbox_id
PARTLESS_TESTS := $(filter-out test_part_% $(PART_TESTS_globalq) $(NODE_TESTS),$(notdir $(TEST_BINS) $(TEST_SCRIPTS)))
COMBO_TESTS := test_runtime.sh test_runtime_bench.sh
HOST_TESTS := test_claims.sh test_compare.sh test_model_check.sh test_paper.sh test_plot.sh
# COMBOS="v ..." narrows any matrix (default: every combination)
COMBOS ?= $(ALL_COMBOS)
TEST_MATRIX_ENV = COMBOS="$(COMBOS)" COMBO_TESTS="$(COMBO_TESTS)" NODE_TESTS="$(NODE_TESTS)" \
	PARTLESS_TESTS="$(PARTLESS_TESTS)" HOST_TESTS="$(HOST_TESTS)" PART_TESTS_globalq="$(PART_TESTS_globalq)"
TEST_MATRIX = $(TEST_MATRIX_ENV) scripts/test-matrix.sh
_native := $(filter $(ARCH),$(shell uname -m))
# under qemu (ARCH=aarch64) the other node tests run once per matrix (NODE_ONCE=0: with every
# implementation, as natively)
NODE_ONCE ?= $(if $(_native),0,1)
test-all:
	@HOST_TOO=$(if $(_native),1,0) NODE_ONCE=$(NODE_ONCE) $(TEST_MATRIX) \
		test-all$(if $(_native),,-$(ARCH)-$(AARCH64_ISA))
-include bench/bench.mk
-include scripts/analysis.mk
-include paper/paper.mk
-include verify/verify.mk

variants:
	@echo "presets:"
	@$(foreach p,$(PRESETS),echo "  $(p) = $(PRESET_$(p))";)
	@echo "handle tables (HANDLE=): $(HANDLES)"
	@echo "global queues (GLOBALQ=): $(GLOBALQS)"
	@echo "timers (TIMER=): $(TIMERS)"
	@echo "any combination: VARIANT=handle-globalq-timer"
	@echo "ALLCOMBOS: $(ALL_COMBOS)"
	@echo "COVERING: $(COVERING)"

.PHONY: deps-build
deps-build:
	@scripts/ensure-deps.sh build

deps:
	@scripts/ensure-deps.sh build

print-build:
	@echo $(BUILD)

clean:
	rm -rf build

help:
	@sed -n '2,8p' Makefile
