#!/usr/bin/env bash
# skybench-test: node
# The node's config, fuzzed (tests/fuzz_config.py): mutated copies of skynet's own
# example config and its included config.path (bytes flipped, lines cut or dropped, keys
# duplicated, values replaced, binary bytes), plus unreadable and binary files. Each either
# ends in one stderr line (non-zero exit, no crash, no sanitizer report, no hang) or, still a
# valid config, runs as skynet would: the ping-pong bootstrap to its RESULT line, exit 0.
# Fixed seed (SKYBENCH_FUZZ_SEED overrides it). Env: SKYBENCH_BUILD (set by make test).
cd "$(dirname "$0")/.." || exit 2
: "${SKYBENCH_BUILD:?run through make test (SKYBENCH_BUILD is not set)}"
if [ ! -x /usr/bin/python3 ]; then
	echo "1..0 # SKIP /usr/bin/python3 missing"
	echo "SKIPPED CHECK: test_fuzz_config.sh: /usr/bin/python3 missing" >&2
	exit 0
fi
exec /usr/bin/python3 -B tests/fuzz_config.py
