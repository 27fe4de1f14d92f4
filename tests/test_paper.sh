#!/usr/bin/env bash
# skybench-test: host
# scripts/paper-numbers on synthetic results with known answers (medians, intervals, ratios,
# verdicts, ceilings, thread aliases, table files), its choice of runs (newest finished
# non-QUICK run per part; per-variant runtime runs; emulated runs skipped), determinism,
# and: the committed paper/generated/ and claims
# are exactly what the committed results/ give (make paper regenerates them; a stale
# commit fails here).
. "$(dirname "$0")/results_tap.sh" paper
PN=scripts/paper-numbers
# rows RUN PART IMPL CEILING BENCH PARAMS THREADS METRIC UNIT VALUES...
rows() {
	local run=$1 part=$2 impl=$3 ceil=$4 bench=$5 params=$6 threads=$7 metric=$8 unit=$9 rep=0 v
	shift 9
	for v in "$@"; do
		rep=$((rep + 1))
		echo "$run,2026-01-0${run: -1}T00:00:00Z,h,abc,baseline,rwlock,spin,wheel,$part,$impl,$ceil,$bench,$params,$threads,0,compact,0;1,$rep,$metric,$v,$unit,1000,1000000,pass,gcc 12,\"-O2 -g\",benchmark=1.7.1,cpu,\"1 socket x 2 cores x 1 PU/core, 2 PUs, 1 NUMA node\",Linux"
	done
}
gq() { rows "$1" globalq "$2" "$3" pairs mailboxes_per_thread=1 "$4" ops_per_s ops/s "${@:5}"; }
mkdir -p "$T/res/h"
# run 1 (older): globalq at other numbers; run 2 (newest, finished): the answers;
# run 3: QUICK; run 4: unfinished. Runtime: baseline in run 1, lockfree in run 5.
{
	echo "$HEADER"
	gq r1 spin 0 1 1 1 1 1 1
	rows r1 runtime baseline 0 pingpong pairs=16 2 msgs_per_s msgs/s 10 11 12 13 14
} >"$T/res/h/20260101T000000Z-baseline.csv"
{
	echo "$HEADER"
	gq r2 spin 0 1 100 98 103 101 99
	gq r2 spin 0 2 50 49 52 51 48
	gq r2 mpmc 0 2 200 197 204 199 202
	gq r2 mutex 0 2 52 45 60 50 55
	gq r2 faa 1 2 400 390 410 405 395
	rows r2 timer wheel 0 add "dist=uniform;pending=1000" 1 ns_per_op ns/op 50 49 52 51 48
	rows r2 timer heap 0 add "dist=uniform;pending=1000" 1 ns_per_op ns/op 100 98 104 101 99
	rows r2 timer wheel 0 add "dist=uniform;pending=1000000" 1 ns_per_op ns/op 60 61 62 63 64
	rows r2 timer heap 0 add "dist=uniform;pending=1000000" 1 ns_per_op ns/op 30 31 32 33 34
} >"$T/res/h/20260102T000000Z-baseline.csv"
{ echo "$HEADER"; gq r3 spin 0 1 7 7 7 7 7; } >"$T/res/h/20260103T000000Z-baseline.csv"
{ echo "$HEADER"; gq r4 spin 0 1 9 9 9 9 9; } >"$T/res/h/20260104T000000Z-baseline.csv"
{ echo "$HEADER"; rows r5 runtime lockfree 0 pingpong pairs=16 2 msgs_per_s msgs/s 20 22 24 26 28; } \
	>"$T/res/h/20260105T000000Z-lockfree.csv"
for f in 20260101T000000Z-baseline 20260102T000000Z-baseline 20260105T000000Z-lockfree; do
	printf 'knobs: QUICK= FILTER= REPS=5\nresult: ok\n' >"$T/res/h/$f.meta"
done
printf 'knobs: QUICK=1 FILTER= REPS=2\nresult: ok\n' >"$T/res/h/20260103T000000Z-baseline.meta"
printf 'knobs: QUICK= FILTER= REPS=5\n' >"$T/res/h/20260104T000000Z-baseline.meta"

CL="id,statement,part,benchmark,params,metric,a_impl,a_threads,b_impl,b_threads,comparison,threshold,published_host,published_cpus,published,published_lo,published_hi"
{ echo "$CL"; echo "x,\"mpmc beats spin\",globalq,pairs,mailboxes_per_thread=1,ops_per_s,mpmc,ncpus,spin,ncpus,>=,3,h,2,4,3.8,4.2"; } >"$T/claims.csv"

$PN --out "$T/gen" --claims "$T/claims.csv" "$T/res" >"$T/out" 2>&1
ok $? "paper-numbers exits 0 on synthetic results"
num() { sed -n "s/^\\\\numdef{$1}{\\(.*\\)}$/\\1/p" "$T/gen/numbers.tex"; }
[ "$(num globalq.pairs.spin.t1)" = "100" ]; ok $? "median from the newest finished non-QUICK run (100, not 1, 7 or 9): $(num globalq.pairs.spin.t1)"
[ "$(num globalq.pairs.spin.t1.lo)/$(num globalq.pairs.spin.t1.hi)" = "98.0/103" ]; ok $? "interval of 5 samples is [min, max]"
[ "$(num globalq.pairs.mpmc.t2.vs)" = "4.00" ]; ok $? "ratio to the baseline spin: 200/50 = 4.00 ($(num globalq.pairs.mpmc.t2.vs))"
[ "$(num globalq.pairs.mpmc.t2.verdict)" = "faster" ]; ok $? "disjoint intervals, higher rate: faster"
[ "$(num globalq.pairs.mutex.t2.verdict)" = "no significant difference" ]; ok $? "overlapping intervals: no significant difference"
[ "$(num globalq.pairs.mpmc.t2.ceil)" = "50" ]; ok $? "share of the FAA ceiling measured in the run: 50%"
[ "$(num globalq.pairs.spin.t2.vsone)" = "0.500" ]; ok $? "ratio to the implementation's own one-thread rate: 0.500"
[ "$(num globalq.pairs.mpmc.tc)" = "200" ]; ok $? ".tc aliases ncpus (2) threads"
[ "$(num timer.add.1000.heap.t1.verdict)" = "slower" ]; ok $? "times: twice the ns/op is slower"
[ "$(num timer.add.1000000.heap.t1.verdict)" = "faster" ]; ok $? "times: half the ns/op is faster"
[ "$(num timer.add.1000.heap.t1.vs)" = "2.00" ]; ok $? "the varying parameter names the key (timer.add.1000...)"
[ "$(num runtime.pingpong.baseline.t2)" = "12.0" ] && [ "$(num runtime.pingpong.lockfree.t2)" = "24.0" ]
ok $? "runtime: each preset from its own run"
[ "$(num runtime.pingpong.lockfree.t2.vs)" = "2.00" ]; ok $? "runtime ratio across runs: 2.00"
[ "$(num cpus)" = "2" ] && [ "$(num host)" = "h" ]; ok $? "machine: host h, 2 CPUs"
[ "$(num claim.x.holds)" = "holds" ]; ok $? "claim macros: the published claim holds"
[ "$(num nruns)" = "3" ]; ok $? "three runs used (newest micro run, two runtime runs): $(num nruns)"
for f in tab-globalq-h0 tab-timer-h0 tab-runtime-h0 tab-handle-h0 tab-machines tab-claims hosts; do
	[ -s "$T/gen/$f.tex" ] || { ok 1 "table $f written"; continue; }
done
ok 0 "every table file written"
grep -q '\\rcell{4.00}{3.8[0-9]*}{4.1[0-9]*}{+}' "$T/gen/tab-globalq-h0.tex"; ok $? "globalq table: mpmc/spin ratio 4.00 with interval, marked +"
grep -q 'no handle results' "$T/gen/tab-handle-h0.tex"; ok $? "a part without results says so"
selected "$T/res" >"$T/sel" 2>&1
[ "$(grep -c '^h r2 ' "$T/sel")" -eq 45 ] && [ "$(grep -v -c '^h r2 ' "$T/sel")" -eq 10 ]
ok $? "the rows scripts/plot draws: 45 from run 2, 5 each from the runtime runs 1 and 5"
cp -r "$T/gen" "$T/gen1"
$PN --out "$T/gen" --claims "$T/claims.csv" "$T/res" >/dev/null 2>&1
diff -r "$T/gen" "$T/gen1" >/dev/null; ok $? "deterministic: a second run writes the same files"
$PN --out "$T/genq" --claims "$T/claims.csv" --quick-ok "$T/res" >/dev/null 2>&1
[ "$(sed -n 's/^\\numdef{globalq.pairs.spin.t1}{\(.*\)}$/\1/p' "$T/genq/numbers.tex")" = "7.00" ]
ok $? "--quick-ok: the newer QUICK run is used"
{ echo "$CL"; echo "x,\"mpmc beats spin\",globalq,pairs,mailboxes_per_thread=1,ops_per_s,mpmc,ncpus,spin,ncpus,>=,5,h,2,4,3.8,4.2"; } >"$T/claims5.csv"
$PN --out "$T/gen5" --claims "$T/claims5.csv" "$T/res" >"$T/out5" 2>&1
grep -q "WARNING: claim x does not hold on the published data" "$T/out5"; ok $? "a claim that does not hold on the published data: WARNING"
# emulated runs (make bench ARCH=aarch64, qemu-user) cannot change the paper: a newer one
# under its labelled host (it would add a second machine) and one flagged only in its .meta
# (it would replace run 2's numbers) are skipped loudly; the tables and the rows that
# scripts/plot (and so paper-figures) draws stay the same
emu=h-emulated-qemu-aarch64-llsc
cp -r "$T/res" "$T/resemu"
mkdir -p "$T/resemu/$emu"
{ echo "$HEADER"; gq r6 spin 0 1 5 5 5 5 5; gq r6 mpmc 0 2 5 5 5 5 5; } |
	sed "2,\$s/,h,abc,/,$emu,abc,/" >"$T/resemu/$emu/20260106T000000Z-baseline.csv"
printf 'emulated: qemu-aarch64-llsc (qemu-user on x)\nknobs: QUICK= FILTER= REPS=5\nresult: ok\n' \
	>"$T/resemu/$emu/20260106T000000Z-baseline.meta"
{ echo "$HEADER"; gq r7 spin 0 1 6 6 6 6 6; } >"$T/resemu/h/20260107T000000Z-baseline.csv"
printf 'emulated: qemu-aarch64-lse (qemu-user on x)\nknobs: QUICK= FILTER= REPS=5\nresult: ok\n' \
	>"$T/resemu/h/20260107T000000Z-baseline.meta"
$PN --out "$T/genemu" --claims "$T/claims.csv" "$T/resemu" >"$T/outemu" 2>"$T/erremu"
ok $? "paper-numbers exits 0 with emulated runs among the results"
diff -r "$T/gen1" "$T/genemu" >/dev/null && selected "$T/resemu" 2>/dev/null | cmp -s - "$T/sel"
ok $? "emulated runs change no generated file and no selected row"
[ "$(grep -c '^paper-numbers: SKIPPED .*emulated run' "$T/erremu")" -eq 2 ]
ok $? "each emulated run is skipped with a line on stderr: $(head -1 "$T/erremu")"
: >"$T/empty.csv"
$PN --out "$T/gen6" --claims "$T/claims.csv" "$T/empty.csv" >/dev/null 2>&1
rc=$?; ok $((rc != 2)) "empty results file: exit 2 (got $rc)"

# the committed paper: generated files and claims match the committed results (only the
# committed CSVs: a fresh `make bench` in this tree does not make the commit stale)
mapfile -t committed < <(git ls-files 'results/*.csv' 2>/dev/null)
if [ ${#committed[@]} -gt 0 ] && [ -f paper/generated/numbers.tex ]; then
	cp paper/claims.csv "$T/claims-now.csv"
	scripts/check-claims --claims "$T/claims-now.csv" --update "${committed[@]}" >/dev/null 2>&1
	cmp -s "$T/claims-now.csv" paper/claims.csv
	ok $? "paper/claims.csv published values = check-claims --update on the committed results (else: make paper)"
	$PN --out "$T/now" --claims paper/claims.csv "${committed[@]}" >/dev/null 2>&1
	diff -r -q "$T/now" paper/generated >"$T/diff" 2>&1
	ok $? "paper/generated/ = paper-numbers on results/ (else: make paper and commit)"
	[ -s "$T/diff" ] && sed 's/^/# /' "$T/diff"
else
	N=$((N + 1)); echo "ok $N # SKIP no committed results/ or paper/generated/: nothing to compare"
fi

echo "1..$N"
exit $((FAILED > 0))
