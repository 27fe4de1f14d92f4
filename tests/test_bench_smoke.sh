#!/usr/bin/env bash
# skybench-test: partless
# The micro-benchmark programs end to end (globalq, handle, timer, timer_lock, mailbox, runq): a tiny run of
# each (1-2 threads, 10 ms runs, one repetition) writes a CSV that passes the schema check
# with every correctness check passed, and the schema check rejects broken files. Needs
# `make bench-programs` (with the same SAN=); without the programs the checks are skipped,
# loudly.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
# make test sets SKYBENCH_BENCH_DIR (per sanitizer and architecture) and, for a build that
# does not run natively (ARCH=aarch64) or under a checker, SKYBENCH_RUNNER
bd=${SKYBENCH_BENCH_DIR:?"run through make test (SKYBENCH_BENCH_DIR is not set)"}
run=${SKYBENCH_RUNNER:-}
n=0
ok() { n=$((n + 1)); if [ "$1" = 1 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
# ran RC ERRFILE NAME: ok when the program exited 0; otherwise its stderr's last lines (the
# seed, the failed check) as TAP diagnostics, so a failure in CI can be reproduced
ran() {
	ok $([ "$1" = 0 ] && echo 1 || echo 0) "$3"
	if [ "$1" != 0 ]; then
		echo "# exit $1; last lines of its stderr:"
		grep -v '^\[' "$2" | tail -n 12 | sed 's/^/#   /'
	fi
}
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; echo "SKIPPED CHECK: $1" >&2; }
fail=0
tmp=$(mktemp -d /tmp/skybench-smoke.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$bd/bench_globalq" ] || [ ! -x "$bd/bench_handle" ] || [ ! -x "$bd/bench_timer" ] || [ ! -x "$bd/bench_timer_lock" ] ||
	[ ! -x "$bd/bench_mailbox" ] || [ ! -x "$bd/bench_runq" ] || [ ! -x "$bd/summary" ]; then
	skip "benchmark programs not built in $bd: run make bench-programs with the same SAN=/ARCH="
	echo "1..$n"
	exit 0
fi

csv=$tmp/smoke.csv
export SKYBENCH_RUN_ID=smoke SKYBENCH_VARIANT=smoke
common=(--csv "$csv" --reps 1 --seconds 0.01 --threads 1-2 --seed 1)
$run "$bd/bench_globalq" "${common[@]}" --filter 'pairs|prodcons' 2>"$tmp/gq.err"
ran $? "$tmp/gq.err" "bench_globalq pairs/prodcons: every check passed"
hfilter='lookup|churn_permille=100|names'
if [ "${SKYBENCH_SAN:-}" = thread ]; then
	# liburcu is not instrumented: TSan reports its call_rcu thread's free against
	# rcu_barrier's calloc. Every other implementation is checked under TSan.
	# every implementation the program lists but urcu, so a new table is checked too
	himpls=$($run "$bd/bench_handle" --list | awk -F/ '$2 ~ /^(lookup|churn|names)$/ && $3 != "urcu" { print $3 }' | sort -u | paste -sd'|')
	hfilter="(lookup|churn|names)/($himpls)/"
	skip "urcu handle table under TSan (liburcu is uninstrumented)"
	export TSAN_OPTIONS="${TSAN_OPTIONS:-} suppressions=$root/tests/tsan.supp"
fi
$run "$bd/bench_handle" "${common[@]}" --filter "$hfilter" 2>"$tmp/h.err"
ran $? "$tmp/h.err" "bench_handle lookup/churn/names: every check passed"
$run "$bd/bench_timer" --csv "$csv" --reps 1 --seconds 0.005 --filter 'pending=1000/|burst=100/|cancel_pct=50' 2>"$tmp/t.err"
ran $? "$tmp/t.err" "bench_timer at 1000 pending, bursts, cancel ratio: every check passed"
$run "$bd/bench_timer_lock" --csv "$csv" --reps 1 --seconds 0.05 --threads 1-2 --seed 1 --filter 'pending=1000;' 2>"$tmp/tl.err"
ran $? "$tmp/tl.err" "bench_timer_lock contended adds at 1000 pending: every check passed"
$run "$bd/bench_runq" "${common[@]}" 2>"$tmp/r.err"
ran $? "$tmp/r.err" "bench_runq owner, next, steal: every check passed"
$run "$bd/bench_mailbox" "${common[@]}" 2>"$tmp/mb.err"
ran $? "$tmp/mb.err" "bench_mailbox pair, fanin, drain: every check passed"
for m in spin mpsc; do
	# a number, or n/a under a sanitizer (its allocator is not glibc's: mallinfo2 sees nothing)
	ok $(grep -Eq "^meta: mailbox_idle_bytes_$m: ([0-9]|n/a)" "$tmp/mb.err" && echo 1 || echo 0) \
		"bench_mailbox prints the idle memory of a $m mailbox"
done
$run "$bd/summary" --check --quiet "$csv" 2>"$tmp/check.err"
ok $([ $? = 0 ] && echo 1 || echo 0) "the CSV passes the schema check ($(cat "$tmp/check.err"))"
rows=$(($(wc -l < "$csv") - 1))
impls=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "impl") c = i; next } { print $c }' "$csv" | sort -u | tr '\n' ' ')
ok $([ "$rows" -gt 20 ] && echo 1 || echo 0) "one row per measurement: $rows rows, implementations: $impls"
for c in faa unsync-read unsync-bsearch array plain; do
	ok $(grep -q ",$c,1," "$csv" && echo 1 || echo 0) "ceiling $c measured and flagged"
done
ok $(grep -q ',pairs,mailboxes_per_thread=1,2,0,' "$csv" && echo 1 || echo 0) "2-thread pairs rows present"
for m in ops_per_s grabs_per_s owner_ops_per_s; do
	ok $(grep -q ",runq,runq,0,,steal,half=1;owner_high=64;thieves=1,2,0,.*,$m," "$csv" && echo 1 || echo 0) \
		"runq steal at 2 threads: $m row present"
done
for b in fanin drain; do
	for m in ops_per_s parks_per_s busy_per_s; do
		ok $(grep -Eq ",mailbox,(spin|mpsc),0,,$b,burst=64;senders=1;window=[0-9]+,2,0,.*,$m," "$csv" && echo 1 || echo 0) \
			"mailbox $b at 2 threads: $m row present"
	done
done
ok $(grep -q ",mailbox,faa,1,,pair,same_thread=1,1,0," "$csv" && echo 1 || echo 0) "mailbox pair at 1 thread beside its faa ceiling"
$run "$bd/bench_globalq" --csv "$tmp/none.csv" --reps 1 --filter 'no-such-benchmark' 2>"$tmp/none.err"
ok $([ $? = 0 ] && [ ! -s "$tmp/none.csv" ] && [ "$(wc -l < "$tmp/none.err")" = 1 ] &&
	grep -q "matches none of its benchmarks: skipped" "$tmp/none.err" && echo 1 || echo 0) \
	"a FILTER that matches none of a program's benchmarks skips it in one line, no row written"

# the checker must reject what it claims to reject
head -1 "$csv" > "$tmp/bad1.csv"
sed -n 2p "$csv" | sed 's/,pass,/,fail,/' >> "$tmp/bad1.csv"
$run "$bd/summary" --check --quiet "$tmp/bad1.csv" 2>/dev/null
ok $([ $? != 0 ] && echo 1 || echo 0) "schema check rejects check=fail with a value"
sed '1s/run_id/runid/' "$csv" > "$tmp/bad2.csv"
$run "$bd/summary" --check --quiet "$tmp/bad2.csv" 2>/dev/null
ok $([ $? != 0 ] && echo 1 || echo 0) "schema check rejects a wrong header"
{ head -1 "$csv"; sed -n 2p "$csv" | cut -d, -f1-20; } > "$tmp/bad3.csv"
$run "$bd/summary" --check --quiet "$tmp/bad3.csv" 2>/dev/null
ok $([ $? != 0 ] && echo 1 || echo 0) "schema check rejects a short row"
{ head -1 "$csv"; sed -n 2p "$csv" | sed 's/,ops_per_s,[0-9.e+]*,/,ops_per_s,fast,/; s/,lookups_per_s,[0-9.e+]*,/,lookups_per_s,fast,/; s/,ns_per_op,[0-9.e+]*,/,ns_per_op,fast,/'; } > "$tmp/bad4.csv"
$run "$bd/summary" --check --quiet "$tmp/bad4.csv" 2>/dev/null
ok $([ $? != 0 ] && echo 1 || echo 0) "schema check rejects a non-numeric value"
if [ $fail = 1 ]; then
	echo "# stderr of the programs:"; sed 's/^/# /' "$tmp"/*.err | grep -v '^\# \[' | tail -20
fi
echo "1..$n"
[ $fail = 0 ]
