# skybench: skynet's runtime built from swappable parts.
#
#   make [VARIANT=preset|handle-globalq-timer] [HANDLE=..] [GLOBALQ=..] [TIMER=..] [SAN=address|thread] [CC=clang]
#   make test | test-all [FULL=1] | variants | bench | clean        (see README.md)
#
# Every .c file in variants/<part>/ is one implementation of that part; an optional
# variants/<part>/<name>.mk beside it adds that implementation's flags and libraries.

.DEFAULT_GOAL := all
SHELL := /bin/bash

# The parts, in the order a combination's name lists them. One line per part: its name
# (its folder variants/<part>/, whose .c files are its implementations), its make variable,
# its baseline implementation (skynet's), and what it is called in messages. Everything
# below (VARIANT, names, checks, .mk includes, sources, matrices, `make variants`) derives
# from these lines.
PARTS :=
define part
PARTS += $(1)
PART_VAR_$(1) := $(2)
BASELINE_$(1) := $(3)
PART_NAME_$(1) := $(4)
PART_INDEX_$(1) := $$(words $$(PARTS))
IMPLS_$(1) := $$(sort $$(basename $$(notdir $$(wildcard variants/$(1)/*.c))))
endef
$(eval $(call part,handle,HANDLE,rwlock,handle table))
$(eval $(call part,globalq,GLOBALQ,spin,global queue))
$(eval $(call part,timer,TIMER,wheel,timer))
$(eval $(call part,sched,SCHED,global,scheduler))
$(eval $(call part,mailbox,MAILBOX,spin,mailbox))

_empty :=
_space := $(_empty) $(_empty)
_comma := ,
# A combination's name: one implementation per part, joined by '-' in PARTS order; parts
# beyond the third are left out at the end while they are at their baseline, so a name of
# three parts stays valid, and means the same, when a part is added.
# combo_impls NAME: its implementations, one word per part (a part left out: its baseline)
combo_impls = $(foreach p,$(PARTS),$(or $(word $(PART_INDEX_$(p)),$(subst -, ,$(1))),$(BASELINE_$(p))))
# combo_name IMPLS: the name of one implementation per part (words, PARTS order)
combo_name = $(subst $(_space),-,$(strip $(call _trim_baselines,$(strip $(1)))))
_trim_baselines = $(if $(and $(word 4,$(1)),$(filter $(BASELINE_$(word $(words $(1)),$(PARTS))),$(lastword $(1)))),$(call _trim_baselines,$(wordlist 2,$(words $(1)),x $(1))),$(1))
# the form of a name, for messages: handle-globalq-timer[-part...]
_name_form := $(subst $(_space),-,$(wordlist 1,3,$(PARTS)))$(subst $(_space),,$(foreach p,$(wordlist 4,$(words $(PARTS)),$(PARTS)),[-$(p)]))

# Presets: names for combinations, each given by its combination name. baseline: every
# part at its baseline.
PRESETS := baseline lockfree steal
PRESET_baseline := $(call combo_name,$(foreach p,$(PARTS),$(BASELINE_$(p))))
# lockfree: SCHED=global, skynet's wheel, and the lock-free handle table, global queue and
# mailbox with the best geometric mean of 1- and 2-worker ping-pong ratios to baseline (README)
PRESET_lockfree := urcu-scq-wheel-global-mpsc
# steal: SCHED=steal with the other parts fastest in 16-pair ping-pong at 2 workers (README)
PRESET_steal := rcu-mpmc-wheel-steal

VARIANT ?= baseline
# a preset name, or a combination name (HANDLE=, GLOBALQ=, ... then override single parts)
VARIANT_PARTS := $(or $(PRESET_$(VARIANT)),$(VARIANT))
_parts := $(subst -, ,$(VARIANT_PARTS))
_variant_impls := $(call combo_impls,$(VARIANT_PARTS))
$(foreach p,$(PARTS),$(eval $(PART_VAR_$(p)) ?= $(word $(PART_INDEX_$(p)),$(_variant_impls))))
# this build's implementations (one per part) and its name: the preset's if the parts are
# the preset's, else the combination's
VARIANT_IMPLS := $(foreach p,$(PARTS),$($(PART_VAR_$(p))))
VARIANT_COMBO := $(call combo_name,$(VARIANT_IMPLS))
VARIANT_NAME := $(if $(and $(PRESET_$(VARIANT)),$(filter $(VARIANT_COMBO),$(PRESET_$(VARIANT)))),$(VARIANT),$(VARIANT_COMBO))

# variants, clean, help and deps need no variant: nothing is checked, no part's .mk read
# (those call pkg-config), nothing created
_goals_needing_variant := $(filter-out variants clean help deps,$(or $(MAKECMDGOALS),all))
ifneq ($(_goals_needing_variant),)
ifeq ($(and $(word 3,$(_parts)),$(if $(word $(words x $(PARTS)),$(_parts)),,ok)),)
$(error VARIANT=$(VARIANT) is neither a preset ($(PRESETS)) nor $(_name_form)$(subst $(_space);,;,$(foreach p,$(PARTS),; $(PART_NAME_$(p)) ($(PART_VAR_$(p))=): $(IMPLS_$(p)))))
endif
$(foreach p,$(PARTS),$(if $(filter $($(PART_VAR_$(p))),$(IMPLS_$(p))),,$(error $(PART_VAR_$(p))=$($(PART_VAR_$(p))): unknown $(PART_NAME_$(p))$(if $(filter $(origin $(PART_VAR_$(p))),file), (from VARIANT=$(VARIANT))); valid: $(IMPLS_$(p)))))
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
_arches := $(sort $(shell uname -m) $(basename $(notdir $(wildcard mk/*.mk))))
ifeq ($(filter $(ARCH),$(_arches)),)
$(error ARCH=$(ARCH): unknown architecture; valid: $(_arches))
endif
# per-architecture settings (mk/aarch64.mk: the ARM64 cross build; none for x86-64)
-include mk/$(ARCH).mk
BUILD_SUFFIX ?=
BUILD := build/$(VARIANT_NAME)$(SAN_SUFFIX)$(BUILD_SUFFIX)

OPT ?= -O2 -g
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread $(OPT) $(SAN_FLAGS)
INCLUDES := -Iruntime -Iruntime/parts
# an implementation (variants/<part>/) sees its own folder and the part interfaces only:
# runtime/parts/runtime_services.h is all of the runtime it can reach
PART_INCLUDES := -Iruntime/parts
# recursive (=), so that the $(shell pkg-config ...) an implementation's .mk adds runs when
# a recipe uses it, after deps-build (scripts/ensure-deps.sh) has installed what is missing,
# never while the Makefile is read; every pkg-config call's stderr goes to /dev/null, so a
# fresh machine's first lines are ensure-deps' own
VARIANT_CFLAGS =
VARIANT_LIBS =
# each implementation's own flags and libraries (variants/<part>/<impl>.mk)
ifneq ($(_goals_needing_variant),)
$(foreach p,$(PARTS),$(eval -include variants/$(p)/$($(PART_VAR_$(p))).mk))
endif
# Lua 5.4 reads the config (runtime/skynet_config.c): Debian's static liblua5.4.a, its
# symbols kept out of the node's dynamic exports, so that a service linking its own Lua
# never binds to ours (tests/test_node_symbols.sh)
LUA_CFLAGS = $(shell pkg-config --cflags lua5.4 2>/dev/null)
LUA_LIBS = -Wl,--exclude-libs,liblua5.4.a $(shell pkg-config --variable=libdir lua5.4 2>/dev/null)/liblua5.4.a
CFLAGS_ALL = $(CFLAGS_BASE) $(INCLUDES) $(VARIANT_CFLAGS) $(CFLAGS)
PART_CFLAGS = $(CFLAGS_BASE) $(PART_INCLUDES) $(VARIANT_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = -pthread $(SAN_FLAGS) $(LDFLAGS)
LIBS_ALL = $(VARIANT_LIBS) $(LUA_LIBS) -ldl -lm

GIT_REV := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

RUNTIME_SRC := $(filter-out runtime/skynet_main.c runtime/skynet_version.c,$(wildcard runtime/*.c))
# The runtime and the services do not depend on the variant: they are compiled once per
# compiler/sanitizer setting into build/common*/ and linked (or copied) into each variant.
COMMON := build/common$(SAN_SUFFIX)$(BUILD_SUFFIX)
COMMON_CFLAGS = $(CFLAGS_BASE) $(INCLUDES) $(CFLAGS)
PART_SRC := $(foreach p,$(PARTS),variants/$(p)/$($(PART_VAR_$(p))).c)
LIB_OBJ := $(patsubst %.c,$(COMMON)/obj/%.o,$(RUNTIME_SRC)) $(BUILD)/obj/runtime/skynet_version.o \
	$(patsubst %.c,$(BUILD)/obj/%.o,$(PART_SRC))
LIB := $(BUILD)/libskybench.a
NODE := $(BUILD)/skybench-node
SERVICES := $(patsubst services/%.c,$(BUILD)/services/%.so,$(wildcard services/*.c))
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
TEST_SCRIPTS := $(wildcard tests/test_*.sh)
HEADERS := $(wildcard runtime/*.h runtime/parts/*.h variants/*/*.h tests/*.h)

.PHONY: all node services tests test test-all variants deps clean help print-build
all: deps-build $(NODE) $(SERVICES) $(TEST_BINS)
node: $(NODE)
services: $(SERVICES)
tests: $(TEST_BINS)

$(COMMON)/obj/%.o: %.c $(HEADERS) | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(COMMON_CFLAGS) -fPIC -c $< -o $@
$(COMMON)/obj/runtime/skynet_config.o: COMMON_CFLAGS += $(LUA_CFLAGS)

$(BUILD)/obj/%.o: %.c $(HEADERS) | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fPIC -c $< -o $@

$(BUILD)/obj/variants/%.o: variants/%.c $(HEADERS) | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(PART_CFLAGS) -fPIC -c $< -o $@

# skynet_version.o is rebuilt only when the variant name or git revision changes
VERSION_STAMP := $(BUILD)/version.stamp
_version := $(VARIANT_NAME) $(GIT_REV)
ifneq ($(_goals_needing_variant),)
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(VERSION_STAMP) 2>/dev/null)" = "$(_version)" ] || echo "$(_version)" > $(VERSION_STAMP); })
endif
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

# Part tests (tests/test_part_<part>.c) link their part compiled with SKYBENCH_TEST_HOOKS
# (stall points and test entry points, runtime/parts/test_hooks.h) ahead of the archive,
# and define what they fake of runtime/parts/runtime_services.h themselves. Other tests
# link the whole runtime (whole-archive, -rdynamic) so services they load resolve skynet_*
# from it.
HOOKED_PART_OBJ := $(patsubst %.c,$(BUILD)/obj-hooks/%.o,$(PART_SRC))
$(HOOKED_PART_OBJ): $(BUILD)/obj-hooks/%.o: %.c $(HEADERS) | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(PART_CFLAGS) -DSKYBENCH_TEST_HOOKS=1 -c $< -o $@

PART_TEST_BINS := $(filter $(BUILD)/tests/test_part_%,$(TEST_BINS))
# test_part_<p> links <p>'s hooked object; what else it uses comes from the archive
$(foreach p,$(PARTS),$(eval $(BUILD)/tests/test_part_$(p): $(BUILD)/obj-hooks/variants/$(p)/$($(PART_VAR_$(p))).o))
$(PART_TEST_BINS): $(BUILD)/tests/%: tests/%.c $(LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DSKYBENCH_TEST_HOOKS=1 $(LDFLAGS_ALL) -Itests $< $(filter $(BUILD)/obj-hooks/%,$^) $(LIB) $(LIBS_ALL) -o $@

# The node with every part compiled with SKYBENCH_TEST_HOOKS, for the node tests that park
# a thread inside a part (HOOKED_NODE_TESTS; a service finds the hook with dlsym): the
# archive's objects but the parts', which the hooked ones replace. Built only for them.
HOOKED_NODE := $(BUILD)/skybench-node-hooks
HOOKED_NODE_TESTS := test_launch_order.sh
$(HOOKED_NODE): $(BUILD)/obj/runtime/skynet_main.o $(HOOKED_PART_OBJ) $(filter-out $(patsubst %.c,$(BUILD)/obj/%.o,$(PART_SRC)),$(LIB_OBJ))
	$(CC) $(LDFLAGS_ALL) -rdynamic $^ $(LIBS_ALL) -o $@

$(filter-out $(PART_TEST_BINS),$(TEST_BINS)): $(BUILD)/tests/%: tests/%.c $(LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -Itests -rdynamic $< -Wl,--whole-archive $(LIB) -Wl,--no-whole-archive $(LIBS_ALL) -o $@

# this build's implementation of each part, as SKYBENCH_<VAR>=impl (SKYBENCH_GLOBALQ=spin ...)
PART_ENV = $(foreach p,$(PARTS),SKYBENCH_$(PART_VAR_$(p))=$($(PART_VAR_$(p))))
# The environment tells test scripts and programs where this variant's build is.
TEST_ENV = SKYBENCH_BUILD=$(abspath $(BUILD)) SKYBENCH_VARIANT=$(VARIANT_NAME) SKYBENCH_SAN=$(SAN) $(PART_ENV) \
	SKYBENCH_BENCH_DIR=$(abspath $(BENCH_DIR)) \
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(abspath tests/tsan.supp) $(TSAN_OPTIONS)" \
	ASAN_OPTIONS="detect_leaks=1 abort_on_error=1 $(ASAN_OPTIONS)" \
	UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1 $(UBSAN_OPTIONS)"

# TESTS="name ..." runs only those tests (file names without directory)
TESTS ?=
_selected = $(if $(TESTS),$(foreach t,$(TESTS),$(filter %/$(t),$(TEST_BINS) $(TEST_SCRIPTS))),$(TEST_BINS) $(TEST_SCRIPTS))
# only what the selected tests need is built (a matrix links each combination's node, not
# every test program); the bench programs come from bench/bench.mk's own `test:` rule
test: deps-build $(NODE) $(SERVICES) $(filter $(TEST_BINS),$(_selected)) \
		$(if $(filter $(addprefix %/,$(HOOKED_NODE_TESTS)),$(_selected)),$(HOOKED_NODE))
	@echo "== make test: variant $(VARIANT_NAME) ($(subst $(_space)$(_comma),$(_comma),$(strip $(foreach p,$(PARTS),$(if $(filter-out 1,$(PART_INDEX_$(p))),$(_comma)) $($(PART_VAR_$(p))) $(PART_NAME_$(p))))))$(if $(SAN), under SAN=$(SAN))"
	$(TEST_ENV) prove $(PROVE_FLAGS) $(_selected)

# The matrices. ALL_COMBOS: every combination of parts (their product). MATRIX: what
# make test-all, make verify and the ARM64 runs test by default: every preset, then a
# pairwise covering array (scripts/covering.sh: any two implementations of any two parts
# meet in at least one combination). COVERING: a few combinations that together use every
# implementation once (the clang build). MATRIX and COVERING are computed when first used.
_product = $(if $(1),$(foreach i,$(IMPLS_$(firstword $(1))),$(call _product,$(wordlist 2,$(words $(1)),$(1)),$(2) $(i))),$(call combo_name,$(2)))
ALL_COMBOS := $(call _product,$(PARTS),)
_covering = $(foreach c,$(shell scripts/covering.sh $(1) $(foreach p,$(PARTS),$(subst $(_space),$(_comma),$(IMPLS_$(p))))),$(call combo_name,$(subst -, ,$(c))))
MATRIX = $(eval MATRIX := $(call _covering,$(foreach v,$(PRESETS),-s $(subst $(_space),-,$(strip $(call combo_impls,$(PRESET_$(v))))))))$(MATRIX)
COVERING = $(eval COVERING := $(call _covering,-e))$(COVERING)
# make test-all: the matrix's combinations through scripts/test-matrix.sh, which runs the
# whole-runtime tests (COMBO_TESTS) for each of them, the tests of a part
# (PART_TESTS_<part>) and the other node tests whenever a combination brings an
# implementation not tested yet, and the tests that use no part once; so every test runs
# with every implementation of every part.
# HOST_TESTS execute nothing this build made (scripts over results/, the SPIN model): only
# the native unsanitized matrix runs them. The sanitizer, valgrind and ARM64 matrices use
# the same script (verify/verify.mk; make test-all ARCH=aarch64).
#
# Each test declares its category within its first 15 lines, "skybench-test: KIND":
# partless (uses no part), host (executes nothing built here), node (runs the node), combo
# (whole-runtime: every combination), "part <part>" (depends on that part alone). The lists
# come from those lines; a test without a valid one is an error.
# name=kind per test ("part <part>" as part-<part>), in file order
TEST_KINDS := $(shell awk 'FNR == 1 { n = FILENAME; sub(/.*\//, "", n); sub(/\.c$$/, "", n) } \
	FNR <= 15 && sub(/.*skybench-test: */, "") { sub(/ *(\*\/)? *$$/, ""); gsub(/ +/, "-"); \
	print n "=" $$0; nextfile }' $(wildcard tests/test_*.c) $(TEST_SCRIPTS))
# $(call tests_of,KIND...): the tests of those kinds, in file order
tests_of = $(strip $(foreach t,$(TEST_KINDS), \
	$(if $(filter $(addprefix %=,$(1)),$(t)),$(firstword $(subst =, ,$(t))))))
_test_kinds := partless host node combo $(addprefix part-,$(PARTS))
_bad_tests := $(filter-out $(call tests_of,$(_test_kinds)),$(notdir $(TEST_BINS) $(TEST_SCRIPTS)))
ifneq ($(filter-out variants clean help deps,$(or $(MAKECMDGOALS),all)),)
$(if $(_bad_tests),$(error no valid "skybench-test: KIND" line in the first 15 lines of \
	$(_bad_tests)))
endif
# NODE_TESTS run with each new implementation (COMBO_TESTS among them run with every
# combination); PART_TESTS_<part> with each implementation of <part>; PARTLESS_TESTS once
# (HOST_TESTS among them only in the native unsanitized matrix)
NODE_TESTS := $(call tests_of,node combo)
COMBO_TESTS := $(call tests_of,combo)
$(foreach p,$(PARTS),$(eval PART_TESTS_$(p) := $(call tests_of,part-$(p))))
PARTLESS_TESTS := $(call tests_of,partless host)
HOST_TESTS := $(call tests_of,host)
# FULL=1: every combination instead of MATRIX; COMBOS="v ..." (combinations or presets)
# narrows any matrix
COMBOS ?= $(if $(filter-out 0,$(FULL)),$(ALL_COMBOS),$(MATRIX))
TEST_MATRIX_ENV = COMBOS="$(foreach c,$(COMBOS),$(or $(PRESET_$(c)),$(c)))" \
	PARTS="$(PARTS)" BASELINES="$(foreach p,$(PARTS),$(BASELINE_$(p)))" COMBO_TESTS="$(COMBO_TESTS)" NODE_TESTS="$(NODE_TESTS)" \
	PARTLESS_TESTS="$(PARTLESS_TESTS)" HOST_TESTS="$(HOST_TESTS)" \
	$(foreach p,$(PARTS),PART_TESTS_$(p)="$(PART_TESTS_$(p))")
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

# for people, then KEY: value lines (space-separated words) for scripts; nothing else on
# stdout, and nothing needs a dependency installed
variants:
	@echo "presets:"
	@$(foreach v,$(PRESETS),echo "  $(v) = $(PRESET_$(v))";)
	@$(foreach p,$(PARTS),echo "$(PART_NAME_$(p)) ($(PART_VAR_$(p))=): $(IMPLS_$(p)); baseline $(BASELINE_$(p))";)
	@echo "any combination: VARIANT=$(_name_form)"
	@echo "make test-all and make verify test $(words $(MATRIX)) of the $(words $(ALL_COMBOS)) combinations (FULL=1: all)"
	@echo "PARTS: $(PARTS)"
	@$(foreach p,$(PARTS),echo "PART_VAR_$(p): $(PART_VAR_$(p))"; echo "IMPLS_$(p): $(IMPLS_$(p))"; echo "BASELINE_$(p): $(BASELINE_$(p))";)
	@echo "PRESETS: $(PRESETS)"
	@$(foreach v,$(PRESETS),echo "PRESET_$(v): $(PRESET_$(v))";)
	@echo "ALLCOMBOS: $(ALL_COMBOS)"
	@echo "MATRIX: $(MATRIX)"
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
