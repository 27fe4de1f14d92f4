# verify/verify.mk: the model check and the sanitizer/leak matrix (docs/verification.md).
# Included by the top-level Makefile (-include verify/verify.mk).
#
#   make model-check            SPIN, exhaustive, every config of verify/scq.pml (~1 min, 0.7 GB)
#   make model-check-mutants    each broken step (MUTANT=1..4) must be caught by some config
#   make verify                 model-check, then TSan, ASan+UBSan and valgrind memcheck over
#                               every combination of parts (COMBOS="v ..." narrows it)
#   make verify-tsan | verify-asan | verify-valgrind    one tool

.PHONY: model-check model-check-mutants verify verify-tsan verify-asan verify-valgrind

model-check:
	@verify/model-check.sh pairs2 pairs2weak prodcons3

# a mutant passes this target only if at least one config reports a violation
model-check-mutants:
	@for m in 1 2 3 4; do \
		if verify/model-check.sh -m $$m quick prodcons3; then \
			echo "model-check-mutants: mutant $$m was NOT caught"; exit 1; \
		fi; echo "model-check-mutants: mutant $$m caught"; \
	done

# Each tool runs make test-all's matrix (scripts/test-matrix.sh): the whole-runtime tests for
# every combination, each part's test and the node tests with every implementation, the
# part-free test programs once; HOST_TESTS, which run no code built here, are left out.
verify-tsan:
	@HOST_TOO=0 $(TEST_MATRIX) verify-tsan SAN=thread
verify-asan:
	@HOST_TOO=0 $(TEST_MATRIX) verify-asan SAN=address

# valgrind memcheck (--fair-sched=yes: spinning lock-free code otherwise starves) on every
# test program and, through SKYBENCH_RUNNER, on the node and the benchmark programs the
# shell tests start; the ordinary (unsanitized) build of each combination is reused
verify-valgrind:
	@scripts/ensure-deps.sh verify
	@HOST_TOO=0 $(TEST_MATRIX) verify-valgrind PROVE_FLAGS="--exec $(CURDIR)/verify/run-under" \
		SKYBENCH_RUNNER="$(CURDIR)/verify/valgrind.sh"

verify: model-check verify-tsan verify-asan verify-valgrind

ifneq ($(filter verify verify-%,$(MAKECMDGOALS)),)
ifeq ($(_native),)
$(error make verify checks the native build; ARM64 runs through make test-all ARCH=$(ARCH))
endif
endif
