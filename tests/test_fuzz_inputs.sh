#!/usr/bin/env bash
# skybench-test: partless
# Bad input everywhere (README "Errors"): tests/fuzz_inputs.py feeds the scripts (compare,
# check-claims, paper-numbers, plot), the results CSVs, .meta and claims files they read,
# skybench-node's config (mutated skynet configs) and command line, the bench programs'
# options, make bench's knobs, the Makefile's variables and the driver scripts generated
# bad inputs from a fixed seed (SKYBENCH_FUZZ_SEED overrides it), and checks each ends with
# a non-zero exit and one line naming the input: no traceback, crash, hang or partial file.
# Env: SKYBENCH_BUILD, SKYBENCH_BENCH_DIR (set by make test).
cd "$(dirname "$0")/.." || exit 2
exec /usr/bin/python3 tests/fuzz_inputs.py
