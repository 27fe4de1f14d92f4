#!/usr/bin/env bash
# skybench-test: host
# scripts/compare on synthetic results with known answers: a clear 2x (rates and times, both
# directions, two files and one file), a no-difference case, failed samples counted, the
# exit-2 errors (mismatched schemas, empty file, header only, unknown name, nothing in
# common, an emulated run) and --fail-if-slower exit codes.
. "$(dirname "$0")/results_tap.sh" compare
CMP=scripts/compare
# rows RUN IMPL PART BENCH PARAMS THREADS METRIC UNIT CHECK VALUES...: one row per value
rows() {
	local run=$1 impl=$2 part=$3 bench=$4 params=$5 threads=$6 metric=$7 unit=$8 check=$9
	shift 9
	local rep=0 v
	for v in "$@"; do
		rep=$((rep + 1))
		[ "$check" = fail ] && v=
		echo "$run,2026-01-01T00:00:00Z,h,abc,baseline,rwlock,spin,wheel,$part,$impl,0,$bench,$params,$threads,0,compact,0;1,$rep,$metric,$v,$unit,1000,1000000,$check,gcc 12,\"-O2 -g\",benchmark=1.7.1,cpu,\"1 socket\",Linux"
	done
}
rate() { rows "$1" "$2" globalq pairs "mailboxes_per_thread=1" "$3" ops_per_s ops/s pass "${@:4}"; }
time_() { rows "$1" "$2" timer add "dist=uniform;pending=1000" 1 ns_per_op ns/op pass "${@:3}"; }

# A: baseline numbers. B: 2x the rate, 2x the time, same-looking noise elsewhere.
{
	echo "$HEADER"
	rate runA spin 2 100e6 98e6 103e6 101e6 99e6
	time_ runA wheel 50 49 52 51 48
	rate runA spin 1 100 95 105 98 102
} >"$T/a.csv"
{
	echo "$HEADER"
	rate runB spin 2 200e6 197e6 204e6 199e6 202e6
	time_ runB wheel 100 98 104 101 99
	rate runB spin 1 101 96 104 99 103
	rows runB spin globalq pairs "mailboxes_per_thread=1" 1 ops_per_s ops/s fail 1
} >"$T/b.csv"

# field NAME from the CSV output line matching PATTERN
field() {	# file pattern column
	awk -F, -v pat="$2" -v col="$3" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$0 ~ pat { print $c[col]; exit }' "$1"
}

$CMP "$T/a.csv" "$T/b.csv" --format csv >"$T/ab.csv" 2>"$T/ab.err"
ok $? "two files: exit 0 with no --fail-if-slower"
ok "$(grep -c . "$T/ab.csv" | awk '{ print ($1 == 4) ? 0 : 1 }')" "three row groups compared (plus header)"
r=$(field "$T/ab.csv" 'pairs.*,2,ops_per_s' ratio)
lo=$(field "$T/ab.csv" 'pairs.*,2,ops_per_s' ratio_lo)
hi=$(field "$T/ab.csv" 'pairs.*,2,ops_per_s' ratio_hi)
awk -v r="$r" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(r > 1.95 && r < 2.05 && lo <= r && r <= hi && lo > 1) }'
ok $? "2x rate: ratio $r in its interval [$lo, $hi], which excludes 1"
ok "$([ "$(field "$T/ab.csv" 'pairs.*,2,ops_per_s' verdict)" = faster ]; echo $?)" "2x rate: B faster"
ok "$([ "$(field "$T/ab.csv" 'pairs.*,2,ops_per_s' a_median)" = 100000000 ]; echo $?)" "baseline's absolute median printed (100000000)"
ok "$([ "$(field "$T/ab.csv" 'pairs.*,2,ops_per_s' a_level)" = 0.9375 ]; echo $?)" "n=5 median interval coverage is 93.75%"
ok "$([ "$(field "$T/ab.csv" 'pairs.*,2,ops_per_s' a_lo),$(field "$T/ab.csv" 'pairs.*,2,ops_per_s' a_hi)" = 98000000,103000000 ]; echo $?)" "n=5 median interval is [min, max]"
ok "$([ "$(field "$T/ab.csv" 'ns_per_op' verdict)" = slower ]; echo $?)" "2x time per op: B slower"
ok "$([ "$(field "$T/ab.csv" 'pairs.*,1,ops_per_s' verdict)" = "no significant difference" ]; echo $?)" "overlapping noise: no significant difference"
ok "$([ "$(field "$T/ab.csv" 'pairs.*,1,ops_per_s' b_failed)" = 1 ]; echo $?)" "a failed-check sample is counted, not used"

$CMP "$T/b.csv" "$T/a.csv" --format csv >"$T/ba.csv" 2>/dev/null
ok "$([ "$(field "$T/ba.csv" 'pairs.*,2,ops_per_s' verdict),$(field "$T/ba.csv" 'ns_per_op' verdict)" = slower,faster ]; echo $?)" "swapped: half the rate is slower, half the time is faster"

$CMP "$T/a.csv" "$T/b.csv" >"$T/table.txt" 2>&1
grep -q 'faster' "$T/table.txt" && grep -q '100M \[98M, 103M\]' "$T/table.txt" && grep -q '93.75%' "$T/table.txt"
ok $? "terminal table shows verdicts, A's absolute median with interval and the 93.75% coverage"
$CMP "$T/a.csv" "$T/b.csv" --format markdown >"$T/md.txt" 2>&1
grep -q '^| globalq | pairs |' "$T/md.txt"
ok $? "markdown table"

# one file, two implementations measured in the same run
{ echo "$HEADER"; rate run1 spin 2 100e6 98e6 103e6 101e6 99e6; rate run1 mpmc 2 200e6 197e6 204e6 199e6 202e6; } >"$T/one.csv"
$CMP "$T/one.csv" spin mpmc --format csv >"$T/one.out" 2>/dev/null
ok "$([ "$(field "$T/one.out" 'spin vs mpmc' verdict)" = faster ]; echo $?)" "one file, spin vs mpmc: faster"

# errors: one line, exit 2
err() {	# expected-message-regex description args...
	local pat=$1 desc=$2
	shift 2
	$CMP "$@" >"$T/err.out" 2>"$T/err.txt"
	local rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$T/err.txt")" -eq 1 ] && grep -q "$pat" "$T/err.txt"
	ok $? "$desc: exit 2 ($rc), one line: $(head -c 150 "$T/err.txt")"
}
sed '1s/,kernel$//; 2,$s/,Linux$//' "$T/b.csv" >"$T/schema.csv"
err 'schemas differ.*only in A: kernel' "mismatched schemas" "$T/a.csv" "$T/schema.csv"
: >"$T/empty.csv"
err 'empty file' "empty file" "$T/a.csv" "$T/empty.csv"
echo "$HEADER" >"$T/header.csv"
err 'no data rows' "header only" "$T/header.csv" "$T/b.csv"
err "unknown variant or implementation 'nosuch'" "unknown variant" "$T/one.csv" spin nosuch
{ echo "$HEADER"; rate runC spin 64 1 2 3 4 5; } >"$T/other.csv"
err 'nothing in common' "nothing in common" "$T/a.csv" "$T/other.csv"
err 'No such file' "missing file" "$T/a.csv" "$T/nosuch.csv"
# an emulated run (make bench ARCH=aarch64: qemu-user numbers) is never compared, on either
# side or inside one file, even when a single row carries the label
sed '2,$s/,h,abc,/,h-emulated-qemu-aarch64-llsc,abc,/' "$T/b.csv" >"$T/emu.csv"
err 'emulated run (host h-emulated-qemu-aarch64-llsc)' "emulated B" "$T/a.csv" "$T/emu.csv"
err 'emulated run' "emulated A" "$T/emu.csv" "$T/a.csv"
sed '2,$s/,h,abc,/,h-emulated-qemu-aarch64-lse,abc,/' "$T/one.csv" >"$T/emu1.csv"
err 'emulated run (host h-emulated-qemu-aarch64-lse)' "emulated, one file" "$T/emu1.csv" spin mpmc
sed '3s/,h,abc,/,h-emulated-qemu-aarch64-llsc,abc,/' "$T/b.csv" >"$T/emu2.csv"
err 'emulated run' "one emulated row in a native file" "$T/a.csv" "$T/emu2.csv"

# --fail-if-slower
$CMP "$T/b.csv" "$T/a.csv" --fail-if-slower 10 >/dev/null 2>"$T/reg.txt"
rc=$?
[ $rc -eq 1 ] && grep -q REGRESSION "$T/reg.txt"
ok $? "--fail-if-slower 10 on a 50% regression: exit 1 ($rc) and says REGRESSION"
$CMP "$T/b.csv" "$T/a.csv" --fail-if-slower 60 >/dev/null 2>&1
ok $? "--fail-if-slower 60 on a 50% rate regression (the time got faster): exit 0"
$CMP "$T/a.csv" "$T/b.csv" --fail-if-slower 60 >/dev/null 2>&1
ok "$([ $? -eq 1 ]; echo $?)" "--fail-if-slower 60 on a 100% time regression: exit 1"
$CMP "$T/a.csv" "$T/b.csv" --fail-if-slower 110 >/dev/null 2>&1
ok $? "--fail-if-slower 110 on a 100% time regression: exit 0"
{ echo "$HEADER"; rate runD spin 1 100 95 105 98 102; } >"$T/nd_a.csv"
{ echo "$HEADER"; rate runE spin 1 97 92 101 95 99; } >"$T/nd_b.csv"
$CMP "$T/nd_a.csv" "$T/nd_b.csv" --fail-if-slower 0 >/dev/null 2>&1
ok $? "--fail-if-slower 0 with no significant difference: exit 0"
$CMP "$T/a.csv" "$T/b.csv" --fail-if-slower 0 >/dev/null 2>&1
ok "$([ $? -eq 1 ]; echo $?)" "--fail-if-slower 0: the time regression A->B fails"

# reproducible: same input, same output
$CMP "$T/a.csv" "$T/b.csv" --format csv 2>/dev/null | cmp -s - "$T/ab.csv"
ok $? "fixed seed: identical output on a second run"

# whole-runtime rows of two files pair up whatever the variant, but never with a peer's
# (peer=go: another language's runtime) or a ceiling's
pp() {	# RUN IMPL PEER CEILING VALUES...
	local run=$1 impl=$2 peer=$3 ceil=$4 rep=0 v
	shift 4
	for v in "$@"; do
		rep=$((rep + 1))
		echo "$run,2026-01-01T00:00:00Z,h,${impl%%:*},runtime,$impl,$ceil,$peer,pingpong,messages=100;pairs=2,2,$rep,msgs_per_s,$v,msgs/s,pass"
	done
}
PPH="run_id,date,host,variant,part,impl,ceiling,peer,benchmark,params,threads,rep,metric,value,unit,check"
{ echo "$PPH"; pp runA baseline "" 0 10 11 12; pp runA go go 0 50 51 52; pp runA ceiling:baseline "" 1 90 91 92; } >"$T/pa.csv"
{ echo "$PPH"; pp runB steal "" 0 20 21 22; pp runB go go 0 50 51 52; pp runB ceiling:baseline "" 1 90 91 92; } >"$T/pb.csv"
$CMP "$T/pa.csv" "$T/pb.csv" --format csv --include-ceilings >"$T/pab.csv" 2>"$T/pab.err"
ok $? "two ping-pong files with peers and ceilings: exit 0 ($(head -c 200 "$T/pab.err"))"
got=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c["impl"] "=" $c["a_median"] "/" $c["b_median"] }' "$T/pab.csv" | sort | paste -sd' ')
ok "$([ "$got" = "baseline vs steal=11/21 ceiling:baseline=91/91 go=51/51" ]; echo $?)" "the variants pair up; the peer and the ceiling only with themselves ($got)"

echo "1..$N"
[ "$FAILED" -eq 0 ]
