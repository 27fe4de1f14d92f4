#!/usr/bin/env bash
# skybench-test: combo
# Stranding (services/test_strand.c): a service's callback parks its worker right after
# its sends queued K other services on that worker (under SCHED=steal: its ring and its
# next slot); the other workers must run all of them, and the traffic they start, before
# the parked worker is let go. 2 and 3 workers (1 would have nobody left to run them),
# with each wake policy (sched_wake): skynet's, where sleeping workers learn of the work
# only from the timer thread's tick, and eager, where a push wakes one.
# With SCHED=steal the node's counters (sched_counters) must show at least one steal: the
# targets cannot run otherwise.
set -u
. "$(dirname "$0")/node_tap.sh"

SCHED=${SKYBENCH_SCHED:-global}
K=8
ROUNDS=$((2000 / SLOW))
GUARD=$((30 * SLOW))

for t in 2 3; do
	blocking_oversubscribed "$t" && continue
	for wake in skynet eager; do
		name="strand-t$t-$wake"
		write_config "$name" "$t" "test_strand $K $ROUNDS $GUARD" "sched_wake = \"$wake\"" \
			"sched_counters = true" "strand_deadline = \"$(( (GUARD + 10) * 100 ))\""
		run_node "$name" $((GUARD + 60))
		if [ "$SCHED" = steal ]; then
			steals=$(sed -n 's/^skybench-sched: worker=all .*steals=\([0-9]*\).*/\1/p' "$TMPD/$name.out")
			tap_ok $(( ${steals:-0} >= 1 )) "[$name] the other workers stole from the parked one (steals=${steals:-none})"
		else
			echo "# [$name] SCHED=$SCHED keeps no per-worker queue: nothing to steal, steal count not checked"
		fi
	done
done

tap_done
