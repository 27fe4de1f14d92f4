#!/usr/bin/env bash
# skybench-test: part handle
# A failed LAUNCH returns only after the failed instance's module release() ran (skynet's
# order: its retire drops the table's reference before returning), with every handle table,
# and while another worker is parked inside a handle lookup, so that an RCU table cannot
# look synchronous only because no reader happened to be active (issue 13). Runs the node
# built with the parts' test hooks (skybench-node-hooks), whose handle hook the service
# (services/test_launch.c) uses to park the reader.
set -u
. "$(dirname "$0")/node_tap.sh"

NODE=$B/skybench-node-hooks
if [ -n "${SKYBENCH_RUNNER:-}" ]; then
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$SKYBENCH_RUNNER" "$B/skybench-node-hooks" >"$TMPD/skybench-node-hooks"
	chmod +x "$TMPD/skybench-node-hooks"
	NODE=$TMPD/skybench-node-hooks
fi

# the reader parks at most PARK_MS (a table that waits for it, as it must, waits that long)
PARK_MS=$((300 * SLOW))
for t in 2 3; do
	blocking_oversubscribed "$t" && continue
	write_config "launch-t$t" "$t" "test_launch $PARK_MS"
	run_node "launch-t$t" 60
done

tap_done
