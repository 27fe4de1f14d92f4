#!/usr/bin/env bash
# Worker identity on the real node, for 1 to 4 and 6 workers (services/test_worker.c): the main
# thread and a service's own thread have id -1; every callback, timer callback and init on
# a worker has an id in 0..thread-1; ids and worker threads correspond one to one; the
# count is the config's thread.
# skybench-test: node
set -u
. "$(dirname "$0")/node_tap.sh"

for t in $WORKER_COUNTS; do
	blocking_oversubscribed "$t" && continue
	write_config "worker-t$t" "$t" "test_worker $t"
	run_node "worker-t$t" 60
done

tap_done
