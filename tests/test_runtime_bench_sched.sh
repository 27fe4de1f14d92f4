#!/usr/bin/env bash
# skybench-test: host
# scripts/runtime-bench.sh and the scheduler: a tiny ping-pong run with --wake eager (what
# make bench WAKE=eager passes) writes rows that pass the schema check and record the
# scheduler (sched from the node's --version, sched_wake=eager, the steal-only settings "-"
# for global), a run id that names the policy, and the node's counters (the totals in the
# counters column, the per-worker lines in the .counters file beside the CSV) when the node
# prints them, else an empty column and a loud line; an unknown policy is refused. It builds
# its own native, unsanitized baseline (the calling make's variables are not passed on).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 1 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
tmp=$(mktemp -d /tmp/skybench-rb-sched.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 2
clean() { env -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL -u SKYBENCH_CSVROW -u SKYBENCH_RUN_ID -u SKYBENCH_RUNNER -u SKYBENCH_HOST_LABEL -u WAKE -u SKYBENCH_SCHED_WAKE "$@"; }

clean scripts/runtime-bench.sh --variant baseline --quick --threads 2 --filter '^runtime/pingpong/' \
	--wake eager --csv "$tmp/rb.csv" > "$tmp/out" 2> "$tmp/err"
rc=$?
ok $([ $rc = 0 ] && echo 1 || echo 0) "runtime-bench.sh --wake eager exits 0 (got $rc)"
[ $rc = 0 ] || tail -n 20 "$tmp/err" | sed 's/^/# /'
summary=$(clean make -s --no-print-directory print-bench-dir)/summary
"$summary" --check --quiet "$tmp/rb.csv" 2> "$tmp/check"
ok $([ $? = 0 ] && echo 1 || echo 0) "the CSV passes the schema check ($(cat "$tmp/check"))"
version=$(build/baseline/skybench-node --version)
sched=$(sed -n 's/.*, sched \([^,)]*\)[,)].*/\1/p' <<<"$version")
got=$(python3 -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
	print(r["run_id"].endswith("-baseline-wake-eager"), r["sched"], r["sched_wake"], r["sched_next"],
	      r["sched_steal"], r["sched_inject"], r["peer"] or "none", "counters" if r["counters"] else "none")
' "$tmp/rb.csv")
if [ -n "$sched" ]; then
	want="True $sched eager - - - none counters"
	ok $([ "$got" = "$want" ] && grep -q 'skybench-sched: worker=0 ' "$tmp/rb.counters" && echo 1 || echo 0) \
		"the row records the scheduler, the policy and the node's counters (per worker in rb.counters): $got"
else
	want="True global eager - - - none none"
	ok $([ "$got" = "$want" ] && grep -q '^!!!!!! runtime-bench: the node printed no scheduler counters' "$tmp/err" && echo 1 || echo 0) \
		"a node without the sched part: sched=global, the policy asked, no counters (said loudly): $got"
fi
[ "$got" = "$want" ] || echo "# want: $want"
ok $(grep -q '^meta: runtime_sched: sched=.* sched_wake=eager ' "$tmp/err" && echo 1 || echo 0) \
	"a meta line for the .meta names the scheduler settings"
clean scripts/runtime-bench.sh --variant baseline --quick --wake lazy --csv "$tmp/bad.csv" > /dev/null 2> "$tmp/bad.err"
rc=$?
ok $([ $rc = 2 ] && grep -q "skynet and eager" "$tmp/bad.err" && [ ! -e "$tmp/bad.csv" ] && echo 1 || echo 0) \
	"an unknown wake policy: exit 2, nothing written (got $rc: $(tail -1 "$tmp/bad.err"))"
echo "1..$n"
[ $fail = 0 ]
