#!/usr/bin/env bash
# skybench-test: combo
# Whole-runtime behaviour on the real node, for 1 to 4 and 6 workers and from a few to
# thousands of services: the service API (names, dead handles, handle ids, LAUNCH
# failures, env, sessions, timer order, bounced PTYPE_ERROR), per-pair FIFO, no loss or
# duplication, no self-concurrent callback.
set -u
. "$(dirname "$0")/node_tap.sh"

for t in $WORKER_COUNTS; do
	blocking_oversubscribed "$t" && continue
	mkdir -p "$TMPD/logs-t$t"
	write_config "api-t$t" "$t" "test_api" "logpath = \"$TMPD/logs-t$t\""
	run_node "api-t$t" 60
done

# services x messages per pair x fan-out, chosen so each run stays a few seconds
for t in $WORKER_COUNTS; do
	blocking_oversubscribed "$t" && continue
	write_config "stress-few-t$t" "$t" "test_stress 4 $((20000 / SLOW)) 3"
	run_node "stress-few-t$t" 120
	write_config "stress-many-t$t" "$t" "test_stress 2000 $((10 / (SLOW > 2 ? 2 : 1))) 2"
	run_node "stress-many-t$t" 120
done

# the same API scenario with staged timer adds (timer_stage = 1, runtime/timer_stage.c):
# its timers' order and exactly-once checks (its timeouts are set in init, off a worker
# thread: they take the lock, counted as locked_offworker; services/test_fair.c's are
# staged, tests/test_sched_fair.sh)
for t in 1 2 4; do
	blocking_oversubscribed "$t" && continue
	mkdir -p "$TMPD/logs-stage-t$t"
	write_config "api-stage-t$t" "$t" "test_api" "logpath = \"$TMPD/logs-stage-t$t\"" \
		"timer_stage = 1" "sched_counters = true"
	run_node "api-stage-t$t" 60
	line=$(grep '^skybench-timer: ' "$TMPD/api-stage-t$t.out")
	tap_ok $([[ $line == *" timer_stage=1 "* && $line =~ locked_offworker=[1-9] ]] && echo 1 || echo 0) \
		"[api-stage-t$t] the node ran with the stage, its init's adds counted as off-worker (${line:-no skybench-timer line})"
done

tap_done
