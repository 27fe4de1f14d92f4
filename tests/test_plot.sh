#!/usr/bin/env bash
# skybench-test: host
# scripts/plot on a synthetic two-host results CSV: the expected figures (rate vs threads with
# the ceiling, speedup, timer ns/op vs pending, latency percentiles, single-point bars) exist
# as non-empty PNG and PDF files; a CSV without latency rows says it skipped them.
. "$(dirname "$0")/results_tap.sh" plot

if ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
	echo "1..0 # SKIP matplotlib missing for /usr/bin/python3 (scripts/ensure-deps.sh plot installs it)"
	exit 0
fi

# rows HOST IMPL CEILING PART BENCH PARAMS THREADS METRIC UNIT BASE: 5 reps around BASE
rows() {
	local host=$1 impl=$2 ceil=$3 part=$4 bench=$5 params=$6 threads=$7 metric=$8 unit=$9 base=${10}
	local rep over=0
	[ "$threads" -gt 2 ] && over=1
	for rep in 1 2 3 4 5; do
		echo "$host-run,2026-01-01T00:00:0${rep}Z,$host,abc,baseline,rwlock,spin,wheel,$part,$impl,$ceil,$bench,$params,$threads,$over,compact,0;1,$rep,$metric,$(awk -v b="$base" -v r=$rep 'BEGIN { printf "%.6g", b * (0.9 + 0.05 * r) }'),$unit,1000,1000000,pass,gcc 12,\"-O2\",benchmark=1.7.1,cpu,\"1 socket\",Linux"
	done
}
{
	echo "$HEADER"
	for h in alpha beta; do
		for t in 1 2 4; do
			rows $h spin 0 globalq pairs mailboxes_per_thread=1 $t ops_per_s ops/s $((100 / t))e6
			rows $h mpmc 0 globalq pairs mailboxes_per_thread=1 $t ops_per_s ops/s $((60 + 10 * t))e6
			rows $h faa 1 globalq pairs mailboxes_per_thread=1 $t ops_per_s ops/s 150e6
		done
		for p in 1 1000 1000000; do
			rows $h wheel 0 timer add "dist=uniform;pending=$p" 1 ns_per_op ns/op 50
			rows $h heap 0 timer add "dist=uniform;pending=$p" 1 ns_per_op ns/op $((20 + ${#p} * 10))
		done
		rows $h spin 0 globalq prodcons "consumers=1;producers=1" 2 ops_per_s ops/s 2e6
		rows $h mpmc 0 globalq prodcons "consumers=1;producers=1" 2 ops_per_s ops/s 3e6
	done
	for m in p50_ns:40000 p90_ns:80000 p99_ns:120000 p999_ns:150000 max_ns:300000; do
		rows alpha baseline 0 runtime latency "echoes=8" 2 "${m%%:*}" ns "${m#*:}"
	done
} >"$T/r.csv"

out=$T/plots
/usr/bin/python3 scripts/plot --out "$out" "$T/r.csv" >"$T/log" 2>&1
rc=$?
ok $rc "scripts/plot exits 0 ($rc)"
[ $rc -eq 0 ] || sed 's/^/# /' "$T/log"

check() {	# base name, description
	local f good=0
	for f in "$out/$1.png" "$out/$1.pdf"; do
		if [ ! -s "$f" ]; then
			echo "# missing or empty: $f"
			good=1
		fi
	done
	[ $good -eq 0 ] && [ "$(head -c 4 "$out/$1.png" | od -An -tx1 | tr -d ' ')" = 89504e47 ] &&
		[ "$(head -c 4 "$out/$1.pdf")" = "%PDF" ] || good=1
	ok $good "$2: $1.png/.pdf non-empty PNG and PDF"
}
check "globalq-pairs-mailboxes_per_thread=1-ops_per_s-vs-threads" "rate vs threads with ceiling"
check "globalq-pairs-mailboxes_per_thread=1-ops_per_s-vs-threads-speedup" "speedup over spin"
check "timer-add-dist=uniform-t1-ns_per_op-vs-pending" "timer ns/op vs pending"
check "timer-add-dist=uniform-t1-ns_per_op-vs-pending-speedup" "timer speedup over wheel"
check "runtime-latency-echoes=8-t2-latency-percentiles" "latency percentiles"
check "globalq-prodcons-consumers=1_producers=1-t2-ops_per_s-bars" "single point: bars"
grep -q "hosts: alpha beta" "$T/log"
ok $? "both hosts plotted (facets)"
! ls "$out" | grep -q '^runtime-latency.*-vs-threads'
ok $? "latency percentile rows are not also plotted against threads"

# a file without latency rows: plots the rest, says it skipped the latency plots
grep -v ',runtime,' "$T/r.csv" >"$T/nolat.csv"
/usr/bin/python3 scripts/plot --format png --out "$T/p2" "$T/nolat.csv" >"$T/log2" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "skipped: no latency rows" "$T/log2"
ok $? "no latency rows: exit 0 ($rc) and says the latency plots were skipped"

# an empty file alone: exit 2 with a message
: >"$T/empty.csv"
/usr/bin/python3 scripts/plot --out "$T/p3" "$T/empty.csv" >"$T/log3" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "empty file" "$T/log3"
ok $? "empty CSV: exit 2 ($rc) naming the problem"

echo "1..$N"
[ "$FAILED" -eq 0 ]
