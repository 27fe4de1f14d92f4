#!/usr/bin/env bash
# skybench-test: node
# The monitor reports a callback stuck for a whole 5 s period; mailbox overload warnings
# fire at skynet's thresholds (first time over 1024, then doubling; reset when drained).
set -u
. "$(dirname "$0")/node_tap.sh"

write_config endless 2 "test_api endless"
run_node endless 60
grep -q 'maybe in an endless loop' "$TMPD/endless.out"
tap_ok $(( $? == 0 )) "[endless] the monitor logged 'maybe in an endless loop'"

# one worker, so the flood is complete before the receiver runs: exact lengths
write_config overload 1 "test_api overload"
run_node overload 60
warnings=$(grep -o 'May overload, message queue length = [0-9]*' "$TMPD/overload.out" | awk '{print $NF}' | tr '\n' ' ')
tap_ok $([ "$warnings" = "1025 2999 " ] && echo 1 || echo 0) \
	"[overload] warnings at 1025 (first time over 1024) and 2999 (after a drain), nothing else (got: $warnings)"

tap_done
