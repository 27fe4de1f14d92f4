# paper/paper.mk: `make paper` and `make reproduce`. Included by the top-level Makefile.
#
#   make paper                 numbers, tables and figures from results/, then paper/paper.pdf
#   make reproduce [QUICK=1]   re-run the benchmarks behind paper/claims.csv on this machine
#                              (into build/reproduce/, never into results/), regenerate the
#                              tables and plots from them, and check every claim
#
# Everything in the paper is generated: scripts/check-claims --update (published values of
# the claims), scripts/paper-numbers (paper/generated/*.tex), scripts/paper-figures
# (scripts/plot, then paper/figures/*.pdf); all three select the runs by one rule
# (scripts/skybench/select.py). Deterministic: sorted inputs, fixed bootstrap
# seeds, files rewritten only on change, and a fixed SOURCE_DATE_EPOCH for matplotlib and
# pdflatex, so the same results/ give the same paper.

PAPER_RESULTS ?= results
PAPER_BUILD := build/paper
# any fixed instant: it only stamps the PDFs' metadata (the paper prints the results' dates)
PAPER_EPOCH := 946684800
REPRO_DIR ?= build/reproduce
REPRO_HOST := $(shell hostname -s 2>/dev/null || hostname)

.PHONY: paper reproduce

# Everything is built in $(PAPER_STAGE) (a copy of paper/'s sources, claims.csv, generated/
# and figures/) and copied into paper/ only once the PDF is built: a failed make paper
# leaves paper/ (the committed claims, tables, figures and PDF) as it was. Copies happen only
# on change, so timestamps stay stable.
PAPER_STAGE := $(PAPER_BUILD)/stage
# paper_sync SRC DST: make folder DST hold what SRC holds (copy changed files, drop others)
paper_sync = mkdir -p $(2) && for f in $(1)/*; do [ -e "$$f" ] || continue; \
	cmp -s "$$f" $(2)/"$${f\#\#*/}" || cp "$$f" $(2)/; done; \
	for f in $(2)/*; do [ -e "$$f" ] || continue; [ -e $(1)/"$${f\#\#*/}" ] || rm -f "$$f"; done
paper:
	@scripts/ensure-deps.sh plot paper
	@rm -rf $(PAPER_STAGE) && mkdir -p $(PAPER_STAGE) && cp -p paper/*.tex paper/claims.csv $(PAPER_STAGE)/ && \
		cp -rp paper/generated paper/figures $(PAPER_STAGE)/
	scripts/check-claims --update --claims $(PAPER_STAGE)/claims.csv $(PAPER_RESULTS)
	scripts/paper-numbers --claims $(PAPER_STAGE)/claims.csv --out $(PAPER_STAGE)/generated $(PAPER_RESULTS)
	SOURCE_DATE_EPOCH=$(PAPER_EPOCH) scripts/paper-figures $(PAPER_BUILD)/plots $(PAPER_STAGE)/figures $(PAPER_RESULTS)
	@mkdir -p $(PAPER_BUILD)/tex
	cd $(PAPER_STAGE) && SOURCE_DATE_EPOCH=$(PAPER_EPOCH) FORCE_SOURCE_DATE=1 \
		latexmk -pdf -silent -interaction=nonstopmode -halt-on-error \
		-outdir=../tex paper.tex
	@cmp -s $(PAPER_STAGE)/claims.csv paper/claims.csv || cp $(PAPER_STAGE)/claims.csv paper/claims.csv
	@$(call paper_sync,$(PAPER_STAGE)/generated,paper/generated)
	@$(call paper_sync,$(PAPER_STAGE)/figures,paper/figures)
	@cmp -s $(PAPER_BUILD)/tex/paper.pdf paper/paper.pdf || cp $(PAPER_BUILD)/tex/paper.pdf paper/paper.pdf
	@grep -E 'skybench Warning|Reference .* undefined|Citation .* undefined' $(PAPER_BUILD)/tex/paper.log \
		| sed 's/^/make paper: /' || true
	@echo "make paper: paper/paper.pdf ($$(pdfinfo paper/paper.pdf 2>/dev/null | awk '/^Pages:/ {print $$2}') pages)"

# The micro-benchmark programs hold every implementation of their part whatever VARIANT
# is, so one `make bench` measures every micro-benchmark claim; a preset whose whole-
# runtime rows a claim needs (part runtime, impl = preset) gets its own `make bench`.
# FILTER keeps only the benchmarks the claims use.
reproduce:
	@scripts/ensure-deps.sh build plot
	@rm -rf $(REPRO_DIR) && mkdir -p $(REPRO_DIR)/results/$(REPRO_HOST)
	@filter=$$(scripts/check-claims --print-filter); \
	presets=$$(scripts/check-claims --print-presets); \
	for v in $$presets; do \
		echo "== make reproduce: make bench VARIANT=$$v QUICK=$(QUICK) FILTER='$$filter'"; \
		SKYBENCH_RESULTS_DIR=$(REPRO_DIR)/results/$(REPRO_HOST) \
		$(MAKE) --no-print-directory bench VARIANT=$$v QUICK="$(QUICK)" FILTER="$$filter" \
			|| { echo "make reproduce: make bench VARIANT=$$v failed (a correctness check?)"; exit 1; }; \
	done
	scripts/paper-numbers --quick-ok --no-claims --out $(REPRO_DIR)/generated $(REPRO_DIR)/results
	scripts/plot --quick-ok --out $(REPRO_DIR)/plots $(REPRO_DIR)/results | grep -v '^plot: skipped' || true
	@echo "== make reproduce: tables in $(REPRO_DIR)/generated/, plots in $(REPRO_DIR)/plots/, results in $(REPRO_DIR)/results/"
	@scripts/check-claims $(if $(filter-out 0,$(QUICK)),--quick-ok) $(REPRO_DIR)/results; rc=$$?; \
	if [ $$rc -ge 2 ]; then exit $$rc; fi; \
	if [ $$rc -eq 1 ]; then echo "make reproduce: some claims did not reproduce on this machine (see above)$(if $(filter-out 0,$(QUICK)), - QUICK=1 runs are short and noisy; try without QUICK)"; fi
