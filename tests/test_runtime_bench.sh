#!/usr/bin/env bash
# skybench-test: combo
# Every whole-runtime benchmark service (scripts/runtime-bench.sh runs them) once at a tiny
# size on the real node, 2 workers: it prints one RESULT line, without FAILED, with its
# rate, and the node exits 0 by itself. The services check their own counts; here we also
# check that a count they report agrees with the size asked for.
. "$(dirname "$0")/node_tap.sh"

# name | bootstrap | a key=value the RESULT line must carry
CASES=(
"pingpong|pingpong 2 2000|messages=2000"
"counting|counting 3000|ops=3000"
"forkjoin|forkjoin 3 500|ops=1500"
"fjcreate|fjcreate 200|ops=200"
"threadring|threadring 5 1000|ops=1000"
"chameneos|chameneos 4 500|ops=500"
"big|big 4 100|ops=800"
"servershape|servershape 50 20 2 5|idle=50"
"latency|latency 2 10 5|ops=50"
)
# run_node NAME THREADS BOOTSTRAP SECONDS: the node on that bootstrap, output in
# $TMPD/NAME.out, its status in rc
run_node() {
	cat > "$TMPD/$1.config" <<CFG
thread = $2
cpath = "$B/services/?.so"
bootstrap = "$3"
profile = false
logger = "$TMPD/$1.log"
CFG
	timeout $(($4 * SLOW)) "$NODE" "$TMPD/$1.config" > "$TMPD/$1.out" 2>&1
	rc=$?
}
for c in "${CASES[@]}"; do
	IFS='|' read -r name boot want <<<"$c"
	run_node "$name" 2 "$boot" 20
	line=$(grep -m1 "^RESULT $name " "$TMPD/$name.out")
	tap_ok $([ -n "$line" ] && echo 1 || echo 0) "$name: prints a RESULT line"
	tap_ok $([[ -n $line && $line != *FAILED* ]] && echo 1 || echo 0) "$name: its own check passed"
	tap_ok $([[ " $line " == *" $want "* ]] && echo 1 || echo 0) "$name: counted what was asked ($want)"
	tap_ok $([[ $line =~ _per_sec=[0-9]+ ]] && echo 1 || echo 0) "$name: reports a rate"
	tap_ok $((rc == 0)) "$name: node exited with status 0 (got $rc)"
	if [ "$rc" -ne 0 ] || [ -z "$line" ] || [[ $line == *FAILED* ]]; then
		echo "# --- $name: node output and log (last 20 lines) ---"
		tail -n 20 "$TMPD/$name.out" "$TMPD/$name.log" 2>/dev/null | sed 's/^/# /'
	fi
done

# the latency line carries the distribution and the clock's cost
line=$(grep -m1 '^RESULT latency ' "$TMPD/latency.out")
ok=1
for k in clock_ns p50_ns p90_ns p99_ns p999_ns max_ns; do [[ $line == *" $k="[0-9]* ]] || ok=0; done
tap_ok $ok "latency: reports clock_ns and p50/p90/p99/p99.9/max"
# servershape: its timers fired (each timed service arms at least once before the stop)
line=$(grep -m1 '^RESULT servershape ' "$TMPD/servershape.out")
f=$(sed -n 's/.* timer_fires=\([0-9]*\).*/\1/p' <<<"$line")
tap_ok $([ "${f:-0}" -ge 20 ] && echo 1 || echo 0) "servershape: every timed service's timer fired (timer_fires=${f:-none} >= 20)"

# servershape with held timers (HOLD per timed service, 100..1000 ticks, re-armed on firing):
# a run of 120 ticks sees the first ones come due; the service checks none fired early or
# more often than armed
run_node held 2 "servershape 0 20 1 120 50" 30
line=$(grep -m1 '^RESULT servershape ' "$TMPD/held.out")
g=$(sed -n 's/.* held_fires=\([0-9]*\).*/\1/p' <<<"$line")
tap_ok $([[ -n $line && $line != *FAILED* && $rc == 0 && " $line " == *" hold=50 "* ]] && echo 1 || echo 0) \
	"servershape with 50 held timers per timed service: its checks passed, exit $rc"
tap_ok $([ "${g:-0}" -ge 1 ] && echo 1 || echo 0) "servershape: held timers came due and were re-armed (held_fires=${g:-none})"

# a failed check must be visible: a usage error makes bootstrap fail and the node exit non-zero
run_node bad 1 "big 1 10" 20
tap_ok $(( rc != 0 && rc != 124 )) "a benchmark given bad parameters makes the node exit non-zero (got $rc)"

# FILTER in scripts/runtime-bench.sh, the micro-benchmarks' syntax over
# runtime/<benchmark>/<variant>/<bootstrap>/tN; a FILTER keeping nothing skips it in one line.
# The script makes this variant (already built: only its compile-flags file is written) and
# asks its node for its name; a node under a runner (qemu, valgrind) is make bench's business.
if [ -n "${SKYBENCH_RUNNER:-}" ]; then
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N # SKIP runtime-bench.sh FILTER under SKYBENCH_RUNNER (make bench ARCH=... runs it)"
	echo "SKIPPED CHECK: runtime-bench.sh FILTER under a runner" >&2
else
	rb=$(dirname "$0")/../scripts/runtime-bench.sh
	v=${SKYBENCH_VARIANT:-baseline}
	got=$(env -u FILTER "$rb" --variant "$v" --quick --threads 1,2 --list --filter 'runtime/(pingpong|big)/' 2>"$TMPD/rb.err")
	want="runtime/pingpong/$v/pingpong 4 20000/t1 runtime/pingpong/$v/pingpong 4 20000/t2 runtime/big/$v/big 8 1000/t1 runtime/big/$v/big 8 1000/t2"
	tap_ok $([ "$(echo $got)" = "$want" ] && echo 1 || echo 0) "runtime-bench --list --filter 'runtime/(pingpong|big)/': $(echo $got)"
	FILTER='timer/add' "$rb" --variant "$v" --csv "$TMPD/rb.csv" > "$TMPD/rb.out" 2>"$TMPD/rb.err"
	rc=$?
	tap_ok $([ $rc = 0 ] && [ ! -e "$TMPD/rb.csv" ] && grep -q "FILTER='timer/add' matches no whole-runtime benchmark.*skipped" "$TMPD/rb.err" &&
		echo 1 || echo 0) "FILTER='timer/add': runtime-bench runs nothing, writes nothing, says so (rc $rc: $(tail -1 "$TMPD/rb.err"))"
fi
tap_done
