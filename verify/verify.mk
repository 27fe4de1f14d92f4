# verify/verify.mk: the model check and the sanitizer/leak matrix (docs/verification.md).
# Included by the top-level Makefile (-include verify/verify.mk).
#
#   make model-check            SPIN, exhaustive, every config of verify/scq.pml (~1 min, 0.7 GB)
#   make model-check-mutants    each broken step (MUTANT=1..4) must be caught by some config
#   make verify                 TSan, ASan+UBSan and valgrind memcheck over VERIFY_COMBOS
#   make verify VERIFY_COMBOS=all   ... over every combination of parts (slow)

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

# The default matrix: every implementation of every part appears at least once under each
# tool (COVERING, from the Makefile), plus the two presets. VERIFY_COMBOS=all: every combination.
VERIFY_COMBOS ?= baseline lockfree $(COVERING)
_verify_combos = $(if $(filter all,$(VERIFY_COMBOS)),$(ALL_COMBOS),$(VERIFY_COMBOS))
# TSan and ASan: the whole suite of each combination (the node tests exercise all parts)
verify-tsan verify-asan:
	@san=$(if $(filter verify-tsan,$@),thread,address); failed=""; \
	for v in $(_verify_combos); do \
		echo "== $@: $$v"; \
		$(MAKE) --no-print-directory -s test SAN=$$san VARIANT=$$v || failed="$$failed $$v"; \
	done; \
	if [ -n "$$failed" ]; then echo "$@: FAILED:$$failed"; exit 1; fi; echo "$@: clean"

# valgrind memcheck (--fair-sched=yes: spinning lock-free code otherwise starves) on every
# test program and, through SKYBENCH_RUNNER, on the node the shell tests start; the
# ordinary (unsanitized) build of each combination is reused
verify-valgrind:
	@command -v valgrind >/dev/null || { echo "verify-valgrind: valgrind is not installed"; exit 1; }
	@failed=""; \
	for v in $(_verify_combos); do \
		echo "== $@: $$v"; \
		$(MAKE) --no-print-directory -s test VARIANT=$$v \
			PROVE_FLAGS="--exec $(CURDIR)/verify/run-under" \
			SKYBENCH_RUNNER="$(CURDIR)/verify/valgrind.sh" || failed="$$failed $$v"; \
	done; \
	if [ -n "$$failed" ]; then echo "$@: FAILED:$$failed"; exit 1; fi; echo "$@: clean"

verify: model-check verify-tsan verify-asan verify-valgrind
