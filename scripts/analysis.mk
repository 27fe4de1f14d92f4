# Analysis targets, included by the top-level Makefile.
#
#   make compare A=a.csv B=b.csv             every row group present in both (B/A)
#   make compare FILE=x.csv VA=spin VB=mpmc  two implementations or variants in one file
#   make compare                             the newest run in results/<host>/ against the
#                                            newest run before it that measured one of its
#                                            parts, older = A (baseline); which runs count:
#                                            scripts/skybench/select.py (as for the paper)
#   make plots [RESULTS="a.csv dir"] [PLOTS=plots] [QUICK=1]   figures (PNG + PDF), per host
#                                            the runs the paper's rule selects (default: from
#                                            results/; QUICK=1 lets QUICK=1 runs count)
# COMPARE_FLAGS passes options on, e.g. COMPARE_FLAGS="--format markdown --fail-if-slower 10".

.PHONY: compare plots

RESULTS_HOST ?= $(shell hostname -s 2>/dev/null || hostname)
COMPARE_FLAGS ?=
PLOTS ?= plots
# emulated runs (results/<host>-emulated-<label>/, qemu-user: make bench ARCH=aarch64) never
# count: scripts/plot skips them with a line each
RESULTS ?= results

compare:
	@scripts/ensure-deps.sh plot
	@if [ -n "$(FILE)" ]; then \
		[ -n "$(VA)" ] && [ -n "$(VB)" ] || { echo "make compare: FILE= needs VA= and VB="; exit 2; }; \
		echo "+ scripts/compare $(FILE) $(VA) $(VB) $(COMPARE_FLAGS)"; \
		scripts/compare "$(FILE)" "$(VA)" "$(VB)" $(COMPARE_FLAGS); \
	elif [ -n "$(A)$(B)" ]; then \
		[ -n "$(A)" ] && [ -n "$(B)" ] || { echo "make compare: give both A= and B="; exit 2; }; \
		echo "+ scripts/compare $(A) $(B) $(COMPARE_FLAGS)"; \
		scripts/compare "$(A)" "$(B)" $(COMPARE_FLAGS); \
	else \
		echo "+ scripts/compare results/$(RESULTS_HOST) $(COMPARE_FLAGS)"; \
		scripts/compare results/$(RESULTS_HOST) $(COMPARE_FLAGS); \
	fi

plots:
	@scripts/ensure-deps.sh plot
	scripts/plot $(if $(filter-out 0,$(QUICK)),--quick-ok) --out $(PLOTS) $(RESULTS)
