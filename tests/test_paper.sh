#!/usr/bin/env bash
# skybench-test: host
# scripts/paper-numbers on synthetic results with known answers (medians, intervals, ratios,
# verdicts, ceilings, thread aliases, table files), its choice of runs (newest finished
# non-QUICK run per part; per-variant runtime runs; emulated runs skipped), determinism,
# scripts/pingpong.sh runs (pp.* keys and tab-pingpong-h0 from the newest finished non-QUICK
# one, taken whole; nothing else changed; key clashes refused), and: the committed
# paper/generated/ and claims are exactly what the committed results/ give (make paper
# regenerates them; a stale commit fails here).
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

# ping-pong runs (scripts/pingpong.sh, kind "pingpong"): pp.* keys and tab-pingpong-h0 from
# the newest finished non-QUICK run, taken whole; the other outputs stay as they were
PPHEADER="run_id,date,host,git_rev,variant,part,impl,ceiling,peer,benchmark,params,threads,oversubscribed,rep,metric,value,unit,ops,check,counters"
# pp RUN IMPL CEILING PEER THREADS COUNTERS VALUES...
pp() {
	local run=$1 impl=$2 ceil=$3 peer=$4 threads=$5 ctr=$6 rep=0 v
	shift 6
	for v in "$@"; do
		rep=$((rep + 1))
		echo "$run,2026-01-09T00:00:00Z,h,abc,steal,runtime,$impl,$ceil,$peer,pingpong,messages=2000;pairs=16,$threads,0,$rep,msgs_per_s,$v,msgs/s,2000,pass,$ctr"
	done
}
# ppmeta FILE RESULT KNOBS: a pingpong.sh .meta (its driver: line makes the run a pingpong run)
ppmeta() {
	printf 'run_id: x\ndriver: scripts/pingpong.sh (ping-pong only: not a make bench run)\ndate: 2026-01-09T00:00:00Z\nvariant: baseline steal steal+sched_next=0 ceiling:steal go\nknobs: %s\n%s' \
		"$3" "$2" >"${1%.csv}.meta"
}
C0="next_hits=0;local_pops=0;inject_pops=2000;steals=0;stolen=0;injected=0;overflows=0;wakeups=0;sleeps=0"
cp -r "$T/res" "$T/respp"
P="$T/respp/h"
# p1 (older, finished): steal at 1; p2 (newest finished): the answers; p3 newer but QUICK;
# p4 newest but unfinished. Rows in another order than the .meta's variant: line.
{ echo "$PPHEADER"; pp p1 steal 0 "" 2 "$C0" 1 1 1 1 1; pp p1 baseline 0 "" 1 "$C0" 1 1 1 1 1; } >"$P/20260108T000000Z-pingpong.csv"
{
	echo "$PPHEADER"
	pp p2 go 0 go 2 - 300 300 300 300 300
	pp p2 ceiling:steal 1 "" 2 "$C0" 498 499 500 501 502
	pp p2 steal+sched_next=0 0 "" 2 "$C0" 398 399 400 401 402
	pp p2 baseline 0 "" 1 "$C0" 98 99 100 101 102
	pp p2 baseline 0 "" 2 "$C0" 48 49 50 51 52
	pp p2 steal 0 "" 1 "$C0" 118 119 120 121 122
	# steals 2, 10, 18, 10, 40 of 2000 messages: 1, 5, 9, 5, 20 per 1000, median 5
	for s in 2 10 18 10 40; do
		pp p2 steal 0 "" 2 "next_hits=1500;local_pops=0;inject_pops=0;steals=$s;stolen=$s;injected=0;overflows=0;wakeups=4;sleeps=4" 250
	done | awk -F, -v OFS=, '{ $14 = NR; $16 = 247 + NR } 1'
} >"$P/20260109T000000Z-pingpong.csv"
{ echo "$PPHEADER"; pp p3 steal 0 "" 2 "$C0" 7 7 7 7 7; pp p3 baseline 0 "" 1 "$C0" 7 7 7 7 7; } >"$P/20260110T000000Z-pingpong.csv"
{ echo "$PPHEADER"; pp p4 steal 0 "" 2 "$C0" 9 9 9 9 9; pp p4 baseline 0 "" 1 "$C0" 9 9 9 9 9; } >"$P/20260111T000000Z-pingpong.csv"
ppmeta "$P/20260108T000000Z-pingpong.csv" 'result: ok\n' "-r 5"
ppmeta "$P/20260109T000000Z-pingpong.csv" 'result: ok\n' "-r 5 -t '1 2' -p 16 -n 2000"
ppmeta "$P/20260110T000000Z-pingpong.csv" 'result: ok\n' "QUICK=1 -r 5"
ppmeta "$P/20260111T000000Z-pingpong.csv" '' "-r 5"
$PN --out "$T/genpp" --claims "$T/claims.csv" "$T/respp" >"$T/outpp" 2>&1
ok $? "paper-numbers exits 0 with pingpong runs among the results"
ppnum() { sed -n "s/^\\\\numdef{$1}{\\(.*\\)}$/\\1/p" "$T/genpp/numbers.tex"; }
[ "$(ppnum pp.steal.t2)" = "250" ]; ok $? "pp: median from the newest finished non-QUICK pingpong run (250, not 1, 7 or 9): $(ppnum pp.steal.t2)"
[ "$(ppnum pp.steal.t2.lo)/$(ppnum pp.steal.t2.hi)/$(ppnum pp.steal.t2.n)" = "248/252/5" ]
ok $? "pp: interval [min, max] of 5 samples and .n"
[ "$(ppnum pp.steal.t2.vsbaseone)" = "2.50" ]; ok $? "pp: steal@2 / baseline@1 = 250/100 = 2.50 ($(ppnum pp.steal.t2.vsbaseone))"
awk -v lo="$(ppnum pp.steal.t2.vsbaseonelo)" -v hi="$(ppnum pp.steal.t2.vsbaseonehi)" \
	'BEGIN { exit !(lo + 0 > 2.3 && lo + 0 < 2.5 && hi + 0 > 2.5 && hi + 0 < 2.7) }'
ok $? "pp: its bootstrap interval brackets it: [$(ppnum pp.steal.t2.vsbaseonelo), $(ppnum pp.steal.t2.vsbaseonehi)]"
[ -z "$(ppnum pp.baseline.t1.vsbaseone)" ] && [ "$(ppnum pp.baseline.t2.vsbaseone)" = "0.500" ]
ok $? "pp: no ratio of baseline@1 to itself; baseline@2 / baseline@1 = 0.500"
[ "$(ppnum pp.steal.t2.vsone)" = "2.08" ]; ok $? "pp: steal@2 / steal@1 = 250/120 = 2.08 ($(ppnum pp.steal.t2.vsone))"
[ "$(ppnum pp.steal.t2.ceil)/$(ppnum pp.steal.next0.t2.ceil)" = "50/80" ]
ok $? "pp: percent of ceiling:steal, also for steal+sched_next=0: 50/80 ($(ppnum pp.steal.t2.ceil)/$(ppnum pp.steal.next0.t2.ceil))"
[ -z "$(ppnum pp.go.t2.ceil)$(ppnum pp.ceiling-steal.t2.ceil)$(ppnum pp.baseline.t2.ceil)" ] && [ "$(ppnum pp.go.t2)" = "300" ]
ok $? "pp: no ceiling percent for a peer, the ceiling itself, or a variant without its ceiling"
[ "$(ppnum pp.steal.t2.per1k.steals)/$(ppnum pp.steal.t2.per1k.next_hits)/$(ppnum pp.baseline.t1.per1k.inject_pops)" = "5.00/750/1000" ]
ok $? "pp: counters per 1000 messages, median over samples: steals 5.00, next_hits 750, inject_pops 1000"
[ -z "$(ppnum pp.go.t2.per1k.steals)" ]; ok $? "pp: no counters for a peer (counters -)"
[ "$(ppnum pp.messages)/$(ppnum pp.pairs)/$(ppnum pp.rounds)/$(ppnum pp.run)/$(ppnum pp.date)" = "2k/16/5/p2/2026-01-09" ]
ok $? "pp: the run's size and id: $(ppnum pp.messages)/$(ppnum pp.pairs)/$(ppnum pp.rounds)/$(ppnum pp.run)/$(ppnum pp.date)"
[ -z "$(grep '^\\numdef{pp\..*\.t[co][.}]' "$T/genpp/numbers.tex")" ]; ok $? "pp: no .tc/.to aliases"
tab="$T/genpp/tab-pingpong-h0.tex"
grep -n '^\\impl{' "$tab" | sed 's/^\([0-9]*\):\\impl{\([^}]*\)}.*/\2/' | tr '\n' ' ' >"$T/pporder"
[ "$(cat "$T/pporder")" = 'baseline steal steal+sched\_next=0 ceiling:steal go ' ]
ok $? "pp table: one line per spec in the run's order (.meta variant:): $(cat "$T/pporder")"
grep -q '^\\impl{go}\$^{p}\$' "$tab" && grep -q '^\\impl{ceiling:steal}\$^{c}\$' "$tab" && grep -q 'run p2 of 2026-01-09: 16 pairs, 2k messages per point, 5 rounds' "$tab"
ok $? "pp table: peer and ceiling marked, the caption names the run and its size"
grep -q '^\\impl{steal} & \\cell{120}{118}{122} & \\cell{1.20}{[0-9.]*}{[0-9.]*} & \\cell{250}{248}{252} & 50 & \\cell{2.50}{[0-9.]*}{[0-9.]*} \\\\$' "$tab"
ok $? "pp table: steal's line: medians, percent of ceiling at 2 workers, ratios to baseline@1"
grep -q '^% no pingpong results on h$' "$T/gen/tab-pingpong-h0.tex"; ok $? "pp table: without a pingpong run, a placeholder"
diff -r -x numbers.tex -x tab-pingpong-h0.tex "$T/gen1" "$T/genpp" >/dev/null &&
	diff <(grep -v -e '^\\numdef{pp\.' -e '^% [0-9]* keys' "$T/genpp/numbers.tex") \
	     <(grep -v '^% [0-9]* keys' "$T/gen1/numbers.tex") >/dev/null
ok $? "pingpong runs add pp.* keys and their table, and change nothing else"
$PN --out "$T/genppq" --claims "$T/claims.csv" --quick-ok "$T/respp" >/dev/null 2>&1
[ "$(sed -n 's/^\\numdef{pp.steal.t2}{\(.*\)}$/\1/p' "$T/genppq/numbers.tex")" = "7.00" ]
ok $? "pp --quick-ok: the newer QUICK pingpong run is used"
# two specs that the key mapping would make one key are refused, not merged
{ echo "$PPHEADER"; pp p5 steal+sched_next=0 0 "" 1 "$C0" 1 1 1; pp p5 steal+next=0 0 "" 1 "$C0" 2 2 2; } >"$P/20260112T000000Z-pingpong.csv"
ppmeta "$P/20260112T000000Z-pingpong.csv" 'result: ok\n' "-r 3"
$PN --out "$T/genppx" --claims "$T/claims.csv" "$T/respp" >"$T/outppx" 2>&1
rc=$?; [ $rc -eq 2 ] && grep -q 'map to one key steal.next0' "$T/outppx"
ok $? "pp: two specs mapped to one key (steal+sched_next=0, steal+next=0): exit 2 (got $rc)"

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
