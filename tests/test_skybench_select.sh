#!/usr/bin/env bash
# skybench-test: host
# scripts/skybench, the analysis package: its one selection rule (select.py) on synthetic
# runs, the edge cases included: a micro-benchmark part taken whole from its newest run
# (never mixed with an older run's other benchmarks), parts and runtime variants (each
# runtime benchmark alone) from
# different runs, unfinished, QUICK and emulated runs, time order from file names, two hosts
# in one file, failed samples; `compare DIR` picking its pair by the same rule; and the
# baselines and presets read from `make -s variants`, with a one-line error when make or
# its lines are missing.
. "$(dirname "$0")/results_tap.sh" select

# rows RUN HOST PART IMPL BENCH THREADS VALUES...: rates, one row per value ("x": failed)
rows() {
	local run=$1 host=$2 part=$3 impl=$4 bench=$5 threads=$6 rep=0 v check
	shift 6
	for v in "$@"; do
		rep=$((rep + 1)) check=pass
		[ "$v" = x ] && v= check=fail
		echo "$run,2026-01-01T00:00:00Z,$host,abc,baseline,rwlock,spin,wheel,$part,$impl,0,$bench,,$threads,0,compact,0;1,$rep,ops_per_s,$v,ops/s,1000,1000000,$check,gcc 12,\"-O2\",benchmark=1.7.1,cpu,\"2 PUs\",Linux"
	done
}
finished() { printf 'knobs: QUICK= FILTER= REPS=5\nresult: ok\n' >"${1%.csv}.meta"; }
D=$T/res/h
mkdir -p "$D"
# r1: globalq pairs + prodcons, timer add, runtime baseline
{
	echo "$HEADER"
	rows r1 h globalq spin pairs 1 10 11 12
	rows r1 h globalq spin prodcons 1 20 21 22
	rows r1 h timer wheel add 1 30 31 32
	rows r1 h runtime baseline pingpong 2 40 41 42
} >"$D/20260101T000000Z-baseline.csv"
# r2: globalq pairs only (FILTER=globalq/pairs), one failed sample
{ echo "$HEADER"; rows r2 h globalq spin pairs 1 13 x 15; } >"$D/20260102T000000Z-baseline.csv"
# r3: runtime lockfree; r4: newer but unfinished; r5: newer but QUICK=1
{ echo "$HEADER"; rows r3 h runtime lockfree pingpong 2 50 51 52; } >"$D/20260103T000000Z-lockfree.csv"
{ echo "$HEADER"; rows r4 h globalq spin pairs 1 1 1 1; } >"$D/20260104T000000Z-baseline.csv"
{ echo "$HEADER"; rows r5 h timer wheel add 1 2 2 2; } >"$D/20260105T000000Z-baseline.csv"
for f in 20260101T000000Z-baseline 20260102T000000Z-baseline 20260103T000000Z-lockfree; do finished "$D/$f.csv"; done
printf 'knobs: QUICK= FILTER= REPS=5\n' >"$D/20260104T000000Z-baseline.meta"
printf 'knobs: QUICK=1 FILTER= REPS=1\nresult: ok\n' >"$D/20260105T000000Z-baseline.meta"

selected "$T/res" >"$T/sel" 2>"$T/err"
ok $? "selection runs"
has() { grep -q -- "$1" "$T/sel"; }
count() { grep -c -- "$1" "$T/sel"; }
[ "$(count '^h r2 globalq pairs')" = 3 ] && ! has ' globalq prodcons '
ok $? "a part comes whole from its newest run: globalq pairs from r2, r1's prodcons not mixed in"
[ "$(count '^h r1 timer add')" = 3 ]
ok $? "another part from the newest run that measured it: timer from r1"
[ "$(count '^h r1 runtime pingpong - baseline')" = 3 ] && [ "$(count '^h r3 runtime pingpong - lockfree')" = 3 ]
ok $? "each runtime variant from its own newest run: baseline r1, lockfree r3"
# elsewhere, r1 and a newer r6: runtime baseline counting only (FILTER=runtime/counting)
mkdir -p "$T/res6/h"
cp "$D/20260101T000000Z-baseline.csv" "$D/20260101T000000Z-baseline.meta" "$T/res6/h/"
{ echo "$HEADER"; rows r6 h runtime baseline counting 2 60 61 62; } >"$T/res6/h/20260106T000000Z-baseline.csv"
finished "$T/res6/h/20260106T000000Z-baseline.csv"
selected "$T/res6" >"$T/sel6" 2>/dev/null
[ "$(grep -c '^h r6 runtime counting - baseline' "$T/sel6")" = 3 ] && [ "$(grep -c '^h r1 runtime pingpong - baseline' "$T/sel6")" = 3 ]
ok $? "a newer run of one runtime benchmark replaces only that one: baseline counting from r6, its pingpong still from r1"
! has ' r4 ' && ! has ' r5 '
ok $? "a newer unfinished run (no result: in its .meta) and a newer QUICK=1 run do not count"
[ "$(count ' r2 .* 2$')" = 1 ]
ok $? "a failed sample is among the selected rows (plot counts it)"
PYTHONPATH=scripts /usr/bin/python3 -B -c '
import sys
from skybench import read, select
ds = select.select(read.load_runs([sys.argv[1]]))["h"]
c = ds.get("globalq", "pairs", "", "ops_per_s", 1, "spin")
sys.exit(not (c.samples == [13.0, 15.0] and c.summary.median == 14.0 and [r.run_id for r in ds.runs] == ["r1", "r2", "r3"]))' "$T/res"
ok $? "...but not among the cell's samples; the selected runs are r1, r2, r3 in time order"
selected --quick-ok "$T/res" >"$T/selq" 2>/dev/null
grep -q '^h r5 timer add' "$T/selq" && ! grep -q ' r1 timer ' "$T/selq"
ok $? "--quick-ok: the QUICK=1 run counts, and replaces the older timer run"

# a scripts/pingpong.sh run (driver: line in its .meta) is its own kind: a newer one replaces
# no make bench row, and kind="pingpong" selects it alone
cp -r "$T/res" "$T/pp"
{ echo "$HEADER"; rows r8 h runtime baseline pingpong 2 90 91 92; } >"$T/pp/h/20260108T000000Z-pingpong.csv"
printf 'driver: scripts/pingpong.sh (ping-pong only: not a make bench run)\nresult: ok\n' >"$T/pp/h/20260108T000000Z-pingpong.meta"
selected "$T/pp" >"$T/selpp" 2>/dev/null
cmp -s "$T/sel" "$T/selpp"
ok $? "a newer pingpong.sh run changes no selected make bench row"
PYTHONPATH=scripts /usr/bin/python3 -B -c '
import sys
from skybench import read, select
ds = select.select(read.load_runs([sys.argv[1]]), kind="pingpong")["h"]
sys.exit(not ([r.run_id for r in ds.runs] == ["r8"] and len(ds.rows) == 3))' "$T/pp"
ok $? "kind=pingpong selects the pingpong.sh run alone"

# time order is the file name's stamp, not the rows' dates
mkdir -p "$T/order/h"
{ echo "$HEADER"; rows new h globalq spin pairs 1 7 7 7; } >"$T/order/h/20260202T000000Z-baseline.csv"
{ echo "$HEADER"; rows old h globalq spin pairs 1 8 8 8 | sed 's/2026-01-01T/2027-01-01T/'; } \
	>"$T/order/h/20260201T000000Z-baseline.csv"
[ "$(selected "$T/order" | cut -d' ' -f2 | sort -u)" = new ]
ok $? "the newest run is the one with the newest file name, whatever its rows' dates"

# two hosts in one file (e.g. a synthetic file): each host's rows are selected
{ echo "$HEADER"; rows a1 alpha globalq spin pairs 1 1 2 3; rows b1 beta globalq spin pairs 1 4 5 6; } >"$T/two.csv"
[ "$(selected "$T/two.csv" | cut -d' ' -f1 | sort | uniq -c | awk '{print $2 $1}' | paste -sd' ')" = "alpha3 beta3" ]
ok $? "two hosts in one file: both selected"

# emulated runs: skipped with one line each, whether the host or only the .meta says so
cp -r "$T/res" "$T/emu"
emu=h-emulated-qemu-aarch64-llsc
mkdir -p "$T/emu/$emu"
{ echo "$HEADER"; rows r6 "$emu" globalq spin pairs 1 5 5 5; } >"$T/emu/$emu/20260106T000000Z-baseline.csv"
finished "$T/emu/$emu/20260106T000000Z-baseline.csv"
{ echo "$HEADER"; rows r7 h globalq spin pairs 1 6 6 6; } >"$T/emu/h/20260107T000000Z-baseline.csv"
printf 'emulated: qemu-aarch64-lse (qemu-user on x)\nresult: ok\n' >"$T/emu/h/20260107T000000Z-baseline.meta"
selected "$T/emu" >"$T/selemu" 2>"$T/erremu"
cmp -s "$T/sel" "$T/selemu" && [ "$(grep -c 'SKIPPED .*emulated run' "$T/erremu")" = 2 ]
ok $? "emulated runs change no selected row and are each skipped with a line on stderr"

# compare DIR: the newest run that counts against the newest one before it sharing a part
scripts/compare "$T/res/h" >"$T/cmp" 2>&1
rc=$?
[ $rc = 0 ] && grep -q 'A=.*/20260101T000000Z-baseline.csv  B=.*/20260103T000000Z-lockfree.csv' "$T/cmp"
ok $? "compare DIR: exit 0 ($rc); B the newest run that counts (r3: r4 is unfinished, r5 QUICK), A the newest earlier one with one of its parts (r1: r2 has no runtime rows)"
grep -q '^runtime  *pingpong .*baseline vs lockfree' "$T/cmp"
ok $? "compare DIR: the two variants' whole-runtime rows are compared"
mkdir -p "$T/lone"
cp "$D/20260103T000000Z-lockfree".* "$T/lone/"
scripts/compare "$T/lone" >/dev/null 2>"$T/loneerr"
rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$T/loneerr")" = 1 ] && grep -q 'no finished, non-QUICK run before' "$T/loneerr"
ok $? "compare DIR with no earlier run: exit 2 ($rc), one line: $(cat "$T/loneerr")"

# baselines and presets: the Makefile's, through make -s variants
PYTHONPATH=scripts /usr/bin/python3 -B -c '
from skybench.variants import variants
v = variants()
print("PARTS: " + " ".join(v.parts))
for p in v.parts:
	print("BASELINE_%s: %s" % (p, v.baseline[p]))
print("PRESETS: " + " ".join(v.presets))
for n, c in v.presets.items():
	print("PRESET_%s: %s" % (n, c))
print("runtime: " + v.baseline["runtime"])' >"$T/var" 2>&1
make -s --no-print-directory variants >"$T/mk"
diff <(grep -E '^(PARTS|BASELINE_[a-z]+|PRESETS|PRESET_[a-z]+): ' "$T/mk" | sort) <(grep -v '^runtime: ' "$T/var" | sort) >&2
ok $? "parts, baselines and presets as make -s variants prints them"
# a name leaves out trailing parts beyond the third at their baseline, so the first three
combo=$(for p in $(sed -n 's/^PARTS: //p' "$T/mk"); do sed -n "s/^BASELINE_$p: //p" "$T/mk"; done | head -3 | paste -sd-)
[ -n "$combo" ] && grep -q "^PRESET_$(sed -n 's/^runtime: //p' "$T/var"): $combo\$" "$T/mk"
ok $? "the runtime's baseline ($(sed -n 's/^runtime: //p' "$T/var")) is the preset made of every part's baseline ($combo)"
mkdir -p "$T/nomake"
PATH=$T/nomake scripts/check-claims --print-presets >/dev/null 2>"$T/nomakeerr"
rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$T/nomakeerr")" = 1 ] && grep -q 'cannot run make' "$T/nomakeerr"
ok $? "no make: exit 2 ($rc) with one line: $(cat "$T/nomakeerr")"
printf '#!/bin/sh\necho "presets:"\necho "  baseline = rwlock-spin-wheel"\n' >"$T/nomake/make"
chmod +x "$T/nomake/make"
PATH=$T/nomake scripts/check-claims --print-presets >/dev/null 2>"$T/nolineserr"
rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$T/nolineserr")" = 1 ] && grep -q 'printed no PARTS:/PRESETS: lines' "$T/nolineserr"
ok $? "make -s variants without the machine-readable lines: exit 2 ($rc), no fallback: $(cat "$T/nolineserr")"

echo "1..$N"
[ "$FAILED" -eq 0 ]
