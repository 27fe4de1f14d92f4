# verify/verify.mk: the model check and the sanitizer/leak matrix (docs/verification.md).
# Included by the top-level Makefile (-include verify/verify.mk).
#
#   make model-check            SPIN, exhaustive, every config of verify/scq.pml (~1 min, 0.7 GB),
#                               of verify/scqidx.pml (~5 s), then verify/prq.pml's
#                               (tests/test_model_prq.sh, ~15 s)
#   make model-check-mutants    each broken step (scq.pml: MUTANT=1..4; scqidx.pml: 1, 2, 4,
#                               and 5, 6 of its plain-load empty check) must be caught
#   make verify                 model-check, then TSan, ASan+UBSan and valgrind memcheck over
#                               make test-all's matrix (MATRIX: the presets and a pairwise
#                               covering array; FULL=1: every combination; COMBOS="v ..."
#                               narrows it)
#   make verify-tsan | verify-asan | verify-valgrind    one tool

.PHONY: model-check model-check-mutants verify verify-tsan verify-asan verify-valgrind

model-check:
	@verify/model-check.sh pairs2 pairs2weak prodcons3 idx-pairs1 idx-pairs1weak idx-pairs2 idx-prodcons
	@tests/test_model_prq.sh

# a mutant is caught only if some config reports an assertion violation (a missing spin or a
# pan that did not run is a failure of this target, not a catch)
model-check-mutants:
	@for m in 1 2 3 4; do \
		out=$$(verify/model-check.sh -m $$m quick prodcons3 2>&1); rc=$$?; echo "$$out"; \
		if [ $$rc = 1 ] && echo "$$out" | grep -q 'assertion violated'; then \
			echo "model-check-mutants: mutant $$m caught"; \
		else echo "model-check-mutants: mutant $$m was NOT caught (exit $$rc)"; exit 1; fi; \
	done
	@for m in 1 2 4 5 6; do \
		out=$$(verify/model-check.sh -m $$m idx-quick idx-prodcons 2>&1); rc=$$?; echo "$$out"; \
		if [ $$rc = 1 ] && echo "$$out" | grep -q 'assertion violated'; then \
			echo "model-check-mutants: scqidx mutant $$m caught"; \
		else echo "model-check-mutants: scqidx mutant $$m was NOT caught (exit $$rc)"; exit 1; fi; \
	done

# Each tool runs make test-all's matrix (scripts/test-matrix.sh): the whole-runtime tests for
# each combination of it, each part's own test with every implementation, the part-free test
# programs and the other node tests once (NODE_ONCE=1; make test-all runs those with every
# implementation); HOST_TESTS, which run no code built here, are left out.
verify-tsan:
	@HOST_TOO=0 NODE_ONCE=1 $(TEST_MATRIX) verify-tsan SAN=thread
verify-asan:
	@HOST_TOO=0 NODE_ONCE=1 $(TEST_MATRIX) verify-asan SAN=address

# valgrind memcheck (--fair-sched=yes: spinning lock-free code otherwise starves) on every
# test program and, through SKYBENCH_RUNNER, on the node and the benchmark programs the
# shell tests start; the ordinary (unsanitized) build of each combination is reused. Per
# combination only test_runtime.sh (at 2 and 4 workers, tests/node_tap.sh): each node start
# costs about a second under valgrind, and the benchmark services of test_runtime_bench.sh
# are the same code in every combination, so it runs once with the other node tests.
verify-valgrind:
	@scripts/ensure-deps.sh verify
	@HOST_TOO=0 NODE_ONCE=1 $(TEST_MATRIX_ENV) COMBO_TESTS=test_runtime.sh \
		scripts/test-matrix.sh verify-valgrind PROVE_FLAGS="--exec $(CURDIR)/verify/run-under" \
		SKYBENCH_RUNNER="$(CURDIR)/verify/valgrind.sh"

verify: model-check verify-tsan verify-asan verify-valgrind

ifneq ($(filter verify verify-%,$(MAKECMDGOALS)),)
ifeq ($(_native),)
$(error make verify checks the native build; ARM64 runs through make test-all ARCH=$(ARCH))
endif
endif
