# Analysis targets, included by the top-level Makefile.
#
#   make compare A=a.csv B=b.csv             every row group present in both (B/A)
#   make compare FILE=x.csv VA=spin VB=mpmc  two implementations or variants in one file
#   make compare                             the newest results CSV in results/<host>/ against
#                                            the newest older one of the same kind (micro-
#                                            benchmarks or *-runtime), older = A (baseline)
#   make plots [RESULTS="a.csv b.csv"] [PLOTS=plots]   figures (PNG + PDF) from results CSVs
#                                            (default: every CSV under results/ but emulated runs)
# COMPARE_FLAGS passes options on, e.g. COMPARE_FLAGS="--format markdown --fail-if-slower 10".

.PHONY: compare plots

RESULTS_HOST ?= $(shell hostname -s 2>/dev/null || hostname)
COMPARE_FLAGS ?=
PLOTS ?= plots
# emulated runs (results/<host>-emulated-<label>/, qemu-user: make bench ARCH=aarch64) are
# never drawn beside native ones by default; RESULTS= names them explicitly
RESULTS ?= $(shell find results -name '*.csv' -not -path '*-emulated-*' 2>/dev/null | sort)

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
		pair=$$(scripts/newest-pair.sh results/$(RESULTS_HOST)) || { echo "make compare: see above"; exit 2; }; \
		echo "+ scripts/compare $$pair $(COMPARE_FLAGS)"; \
		scripts/compare $$pair $(COMPARE_FLAGS); \
	fi

plots:
	@scripts/ensure-deps.sh plot
	@n=$$(find results -path '*-emulated-*' -name '*.csv' 2>/dev/null | wc -l); [ "$(origin RESULTS)" != file ] || [ $$n -eq 0 ] || \
		echo "make plots: SKIPPED $$n emulated results file(s) under results/*-emulated-*/ (qemu-user numbers, never compared)" >&2
	@[ -n "$(strip $(RESULTS))" ] || { echo "make plots: no results CSV under results/ (run make bench first)"; exit 2; }
	scripts/plot --out $(PLOTS) $(RESULTS)
