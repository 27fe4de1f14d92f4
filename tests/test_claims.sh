#!/usr/bin/env bash
# skybench-test: host
# scripts/check-claims on synthetic results with known answers: a claim that holds, one
# that does not (and one whose point estimate passes but whose interval straddles the
# threshold), one not applicable (more threads than CPUs), one whose cells were never
# measured; k*ncpus thread counts; QUICK, unfinished and emulated runs ignored; --update fills
# the published columns; bad input exits 2.
. "$(dirname "$0")/results_tap.sh" claims
CHK=scripts/check-claims
# rows RUN IMPL THREADS VALUES...: globalq pairs rates on a 2-CPU host "h"
rows() {
	local run=$1 impl=$2 threads=$3 rep=0 v
	shift 3
	for v in "$@"; do
		rep=$((rep + 1))
		echo "$run,2026-01-01T00:00:00Z,h,abc,baseline,rwlock,spin,wheel,globalq,$impl,0,pairs,mailboxes_per_thread=1,$threads,0,compact,0;1,$rep,ops_per_s,$v,ops/s,1000,1000000,pass,gcc 12,\"-O2 -g\",benchmark=1.7.1,cpu,\"1 socket x 2 cores x 1 PU/core, 2 PUs, 1 NUMA node\",Linux"
	done
}
# mpmc is 2x spin at 2 threads (tight samples); at 4 threads mpmc ~ 1.1x spin (noisy)
{
	echo "$HEADER"
	rows r1 spin 2 100 98 103 101 99
	rows r1 mpmc 2 200 197 204 199 202
	rows r1 spin 4 100 80 120 90 110
	rows r1 mpmc 4 110 85 135 95 125
} >"$T/run.csv"

CLAIMS_HEADER="id,statement,part,benchmark,params,metric,a_impl,a_threads,b_impl,b_threads,comparison,threshold,published_host,published_cpus,published,published_lo,published_hi"
claim() {	# id a_impl a_threads b_impl b_threads cmp threshold
	echo "$1,\"claim $1, with a comma\",globalq,pairs,mailboxes_per_thread=1,ops_per_s,$2,$3,$4,$5,$6,$7,,,,,"
}
{
	echo "$CLAIMS_HEADER"
	claim holds mpmc 2 spin 2 ">=" 1.5
	claim fails mpmc 2 spin 2 ">=" 3
	claim straddles mpmc 2*ncpus spin 2*ncpus ">=" 1.05
	claim upper spin 2 mpmc 2 "<=" 0.6
	claim symbolic mpmc ncpus spin ncpus ">=" 1.5
	claim oversub mpmc 2*ncpus spin 2*ncpus "<=" 2
	claim toomany mpmc 64 spin 64 ">=" 1.5
	claim unmeasured ckring 2 spin 2 ">=" 1
} >"$T/claims.csv"

$CHK --claims "$T/claims.csv" "$T/run.csv" >"$T/out" 2>"$T/err"
rc=$?
ok $((rc != 1)) "exit status 1 when a claim is not reproduced (got $rc)"
verdict() {	# id -> the verdict line after "claim <id>:"
	awk -v id="$1" '$1 == "claim" && $2 == id":" { on = 1; next } on && /^  -> / { print; exit }' "$T/out"
}
measured() {
	awk -v id="$1" '$1 == "claim" && $2 == id":" { on = 1; next } on && /^  measured/ { print; exit }' "$T/out"
}
[[ $(verdict holds) == "  -> REPRODUCED" ]]; ok $? "2x measured, claim >= 1.5: reproduced"
[[ $(measured holds) == *"2 [1.9"*", 2.0"*"]"* ]]; ok $? "the ratio and its interval are printed (2 [1.9x, 2.0x]): $(measured holds)"
[[ $(verdict fails) == "  -> NOT REPRODUCED" ]]; ok $? "2x measured, claim >= 3: not reproduced"
[[ $(verdict straddles) == "  -> NOT REPRODUCED (inconclusive"* ]]; ok $? "point passes, interval straddles: not reproduced, inconclusive"
[[ $(verdict upper) == "  -> REPRODUCED" ]]; ok $? "claim <= 0.6 on a 0.5x ratio: reproduced"
[[ $(verdict symbolic) == "  -> REPRODUCED" ]]; ok $? "ncpus resolves to the 2 CPUs the data record"
[[ $(measured oversub) == *"threads 4/4"* && $(verdict oversub) == "  -> REPRODUCED" ]]; ok $? "2*ncpus resolves to 4 threads"
[[ $(verdict toomany) == "  -> NOT APPLICABLE (needs 64 CPUs, the machine has 2)" ]]; ok $? "64 threads on 2 CPUs: not applicable"
[[ $(verdict unmeasured) == "  -> NOT REPRODUCED (not measured: ckring at 2 threads)" ]]; ok $? "a cell never measured: not reproduced, says which"
grep -q "published  none" "$T/out"; ok $? "claims without published values say so"
grep -q "^check-claims: 4 reproduced, 3 not reproduced, 1 not applicable$" "$T/out"; ok $? "summary line counts the verdicts"

# --cpus overrides the CPU count: on 64 CPUs the 64-thread claim is applicable (and unmeasured)
$CHK --claims "$T/claims.csv" --cpus 64 "$T/run.csv" >"$T/out" 2>&1
[[ $(verdict toomany) == "  -> NOT REPRODUCED (not measured: mpmc at 64 threads, spin at 64 threads)" ]]
ok $? "--cpus 64: the 64-thread claim applies, and was not measured"

# only claims that hold: exit 0
{ echo "$CLAIMS_HEADER"; claim holds mpmc 2 spin 2 ">=" 1.5; claim toomany mpmc 64 spin 64 ">=" 1.5; } >"$T/good.csv"
$CHK --claims "$T/good.csv" "$T/run.csv" >"$T/out" 2>&1
ok $? "exit 0 when every claim is reproduced or not applicable"

# --update writes the published columns from the data, deterministically
cp "$T/good.csv" "$T/pub.csv"
$CHK --claims "$T/pub.csv" --update "$T/run.csv" >"$T/out" 2>&1
ok $? "--update exits 0"
line=$(grep '^holds,' "$T/pub.csv")
[[ $line == *",h,2,2,1.9"*",2.0"* ]]; ok $? "--update: host, CPUs, ratio and interval filled in: $line"
[[ $(grep '^toomany,' "$T/pub.csv") == *",,,,," ]]; ok $? "--update: no data, no published value"
cp "$T/pub.csv" "$T/pub1.csv"
$CHK --claims "$T/pub.csv" --update "$T/run.csv" >/dev/null 2>&1
cmp -s "$T/pub.csv" "$T/pub1.csv"; ok $? "--update is deterministic (fixed bootstrap seed)"
$CHK --claims "$T/pub.csv" "$T/run.csv" >"$T/out" 2>&1
grep -q "published  2 \[1.9.*\] on h (2 CPUs)" "$T/out"; ok $? "the published value is printed beside the measured one"

# runs that do not count: QUICK=1 (unless --quick-ok) and unfinished (.meta without result:)
mkdir -p "$T/res/h"
{ echo "$HEADER"; rows q1 spin 2 100 100 100 100 100; rows q1 mpmc 2 100 100 100 100 100; } >"$T/res/h/20260102T000000Z-baseline.csv"
printf 'knobs: QUICK=1 FILTER= REPS=5\nresult: ok\n' >"$T/res/h/20260102T000000Z-baseline.meta"
cp "$T/run.csv" "$T/res/h/20260101T000000Z-baseline.csv"
printf 'knobs: QUICK= FILTER= REPS=5\nresult: ok\n' >"$T/res/h/20260101T000000Z-baseline.meta"
$CHK --claims "$T/good.csv" "$T/res" >"$T/out" 2>&1
[[ $(verdict holds) == "  -> REPRODUCED" ]]; ok $? "a later QUICK run is ignored by default"
$CHK --claims "$T/good.csv" --quick-ok "$T/res" >"$T/out" 2>&1
[[ $(verdict holds) == "  -> NOT REPRODUCED" ]]; ok $? "--quick-ok: the later (QUICK) run is the one used"
printf 'knobs: QUICK= FILTER= REPS=5\n' >"$T/res/h/20260102T000000Z-baseline.meta"
$CHK --claims "$T/good.csv" "$T/res" >"$T/out" 2>&1
[[ $(verdict holds) == "  -> REPRODUCED" ]]; ok $? "an unfinished run (no result: in .meta) is ignored"

# emulated runs (make bench ARCH=aarch64, qemu-user) never count: a later one that says
# mpmc = spin, under its labelled host or only flagged in its .meta, is skipped loudly
$CHK --claims "$T/good.csv" "$T/res" >"$T/native.out" 2>&1
emu=h-emulated-qemu-aarch64-llsc
mkdir -p "$T/res/$emu"
{ echo "$HEADER"; rows e1 spin 2 100 100 100 100 100; rows e1 mpmc 2 100 100 100 100 100; } |
	sed "2,\$s/,h,abc,/,$emu,abc,/" >"$T/res/$emu/20260105T000000Z-baseline.csv"
printf 'emulated: qemu-aarch64-llsc (qemu-user on x)\nknobs: QUICK= FILTER= REPS=5\nresult: ok\n' \
	>"$T/res/$emu/20260105T000000Z-baseline.meta"
{ echo "$HEADER"; rows e2 spin 2 100 100 100 100 100; rows e2 mpmc 2 100 100 100 100 100; } >"$T/res/h/20260106T000000Z-baseline.csv"
printf 'emulated: qemu-aarch64-lse (qemu-user on x)\nknobs: QUICK= FILTER= REPS=5\nresult: ok\n' \
	>"$T/res/h/20260106T000000Z-baseline.meta"
$CHK --claims "$T/good.csv" "$T/res" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && cmp -s "$T/out" <(grep -v '^check-claims: SKIPPED' "$T/native.out")
ok $? "emulated runs in RESULTS change nothing: same verdicts as without them (exit $rc)"
! grep -q "$emu" "$T/out"; ok $? "no measured line for the emulated host"
[ "$(grep -c '^check-claims: SKIPPED .*emulated run' "$T/err")" -eq 2 ]
ok $? "each emulated run is skipped with a line on stderr: $(head -1 "$T/err")"
$CHK --claims "$T/good.csv" "$T/res/$emu" >/dev/null 2>"$T/err"
rc=$?; ok $((rc != 2)) "only emulated runs: exit 2, nothing to check (got $rc)"
rm -r "$T/res/$emu" "$T/res/h/20260106T000000Z-baseline".*

# bad input: exit 2 with a message
: >"$T/empty.csv"
$CHK --claims "$T/claims.csv" "$T/empty.csv" >/dev/null 2>"$T/err"
rc=$?; ok $((rc != 2)) "empty results file: exit 2 (got $rc)"
grep -q "empty file" "$T/err"; ok $? "empty results file: says so"
$CHK --claims "$T/claims.csv" "$T/nonexistent.csv" >/dev/null 2>&1
rc=$?; ok $((rc != 2)) "missing results file: exit 2 (got $rc)"
{ echo "$CLAIMS_HEADER"; claim bad mpmc 2 spin 2 ">" 1.5; } >"$T/bad.csv"
$CHK --claims "$T/bad.csv" "$T/run.csv" >/dev/null 2>"$T/err"
rc=$?; ok $((rc != 2)) "claim with comparison '>': exit 2 (got $rc)"
{ echo "$CLAIMS_HEADER"; claim bad mpmc two spin 2 ">=" 1.5; } >"$T/bad.csv"
$CHK --claims "$T/bad.csv" "$T/run.csv" >/dev/null 2>"$T/err"
rc=$?; ok $((rc != 2)) "claim with thread count 'two': exit 2 (got $rc)"
echo "id,statement" >"$T/bad.csv"
$CHK --claims "$T/bad.csv" "$T/run.csv" >/dev/null 2>"$T/err"
rc=$?; ok $((rc != 2)) "claims file without the claim columns: exit 2 (got $rc)"

# what make reproduce runs: only the claims' benchmarks, and the presets they need
[ "$($CHK --claims "$T/claims.csv" --print-filter)" = "^(globalq/pairs/)" ]; ok $? "--print-filter: a FILTER regex of the claims' benchmarks"
{ echo "$CLAIMS_HEADER"; echo "rt,\"x\",runtime,pingpong,pairs=16,msgs_per_s,lockfree,ncpus,baseline,ncpus,>=,1,,,,,"; } >"$T/rt.csv"
[ "$($CHK --claims "$T/rt.csv" --print-presets)" = "baseline lockfree" ]; ok $? "--print-presets: baseline plus the runtime variants claims name"

# the committed claims file parses and every claim names a known comparison
$CHK --claims paper/claims.csv "$T/run.csv" >"$T/out" 2>"$T/err"
rc=$?; ok $((rc == 2)) "paper/claims.csv is a valid claims file (exit $rc)"

echo "1..$N"
exit $((FAILED > 0))
