#!/usr/bin/env bash
# runtime-bench.sh [--variant V] [--csv FILE] [--reps N] [--quick] [--threads 1,2|1-4]
#                  [--pin P] [--filter RE] [--wake skynet|eager] [--list]
# The whole-runtime benchmarks (Savina's micro-benchmarks and skynet's server shape): every benchmark service (services/
# pingpong counting forkjoin fjcreate threadring chameneos big servershape latency) run on
# the real node of one variant, for worker thread counts 1..nproc plus one oversubscribed
# point (2*nproc, labelled oversubscribed=1), REPS times each (default 5) after one
# discarded warm-up run per benchmark, thread counts in a fresh random order in every
# repetition. Rows are appended to a CSV in the schema of results/README.md, written by
# bench/csvrow (part=runtime, impl=the variant, one row per metric of each run; compiler and
# flags of the services from build/<variant>/compile-flags, which `make driver-build`
# writes); a run whose RESULT line says FAILED,
# or that has no RESULT line, or whose node exits non-zero, gives check=fail rows with no
# value and makes this script exit 1.
# The node does not pin its worker threads: every row says pin=none and cpus=?
# (docs/method.md rule 8: an unpinned run is labelled as such); --pin other than none is
# refused loudly.
# The same options as the micro-benchmark programs, so bench/run.sh can run it; without
# --csv it writes results/<host>/<stamp>-<variant>-runtime.csv and a .meta beside it.
# --filter (FILTER=): an extended regex over runtime/<benchmark>/<variant>/<bootstrap>/t<N>,
# as for the micro-benchmark programs; --list prints the names it keeps and exits; when it
# keeps none, one line says so and nothing runs.
# QUICK=1 / --quick: tiny sizes, 1 repetition, no warm-up, threads nproc and 2*nproc only
# (a smoke run, about 20 s on 2 cores: each node run costs ~1 s of shutdown, see below).
# Progress (benchmark, runs left, ETA) on stderr; "meta: k: v" lines are for bench/run.sh.
# Scheduler: every node runs with sched_counters = true; --wake (WAKE=, make bench WAKE=)
# sets the node's sched_wake. Every row records the scheduler and its settings (sched,
# sched_wake, sched_next, sched_steal, sched_inject) and the node's summed counters
# (counters); each run's per-worker counter lines go to <csv without .csv>.counters, and a
# run with --wake has "-wake-<policy>" in its run id and file name.
# Under make bench ARCH=aarch64 the node runs through $SKYBENCH_RUNNER (qemu-user; the
# build comes from the ARCH= that make passes down in MAKEFLAGS) and rows carry the
# emulated host label $SKYBENCH_HOST_LABEL (bench/run.sh).
set -uo pipefail
# the repository root, also when run through a symlink (e.g. from build/<v>/bench/)
cd "$(dirname "$(readlink -f "$0")")/.." || exit 2

variant=${SKYBENCH_VARIANT:-${VARIANT:-baseline}}
csv="" reps=${REPS:-5} quick=${QUICK:-} threads=${THREADS:-} pin=${PIN:-} filter=${FILTER:-} list=""
wake=${SKYBENCH_SCHED_WAKE:-${WAKE:-}}
[ "$quick" = 0 ] && quick=""
while [ $# -gt 0 ]; do
	case $1 in
	--variant) variant=$2; shift ;;
	--csv) csv=$2; shift ;;
	--reps) reps=$2; shift ;;
	--quick) quick=1 ;;
	--threads) threads=$2; shift ;;
	--pin) pin=$2; shift ;;
	--filter) filter=$2; shift ;;
	--wake) wake=$2; shift ;;
	--list) list=1 ;;
	-h|--help) sed -n '2,32p' "$0"; exit 0 ;;
	*) echo "runtime-bench: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
	case $1 in --variant|--csv|--reps|--threads|--pin|--filter|--wake)
		[ $# -ge 2 ] || { echo "runtime-bench: $1 needs a value (try --help)" >&2; exit 2; } ;;
	esac
	shift
done
# bad values: one line, exit 2, before any node starts
[[ $reps =~ ^[0-9]{1,6}$ ]] && [ "$reps" -ge 1 ] && [ "$reps" -le 100000 ] ||
	{ echo "runtime-bench: bad --reps/REPS '$reps' (an integer from 1 to 100000)" >&2; exit 2; }
[ -z "$threads" ] || [[ $threads =~ ^[0-9]{1,4}(-[0-9]{1,4})?(,[0-9]{1,4}(-[0-9]{1,4})?)*$ ]] ||
	{ echo "runtime-bench: bad --threads/THREADS '$threads' (1,2,4 or 1-4)" >&2; exit 2; }
[ -z "$filter" ] || { echo | grep -E -- "$filter" >/dev/null 2>&1; [ $? -ne 2 ]; } ||
	{ echo "runtime-bench: bad --filter/FILTER regex '$filter'" >&2; exit 2; }
if [ -n "$pin" ] && [ "$pin" != none ]; then
	echo "!!!!!! runtime-bench: PIN=$pin asked, but the node does not pin its worker threads:" >&2
	echo "!!!!!! the runtime rows are UNPINNED and say pin=none" >&2
fi
case $wake in
""|skynet|eager) ;;
*) echo "runtime-bench: --wake/WAKE=$wake: the node's policies are skynet and eager" >&2; exit 2 ;;
esac
echo "meta: runtime_pin: none (skybench-node does not pin its worker threads; runtime rows are unpinned)" >&2

# --- the benchmarks: name | default bootstrap | quick bootstrap | metrics (key:unit) ---
BENCHES=(
"pingpong|pingpong 16 2000000|pingpong 4 20000|msgs_per_sec:msgs/s"
"counting|counting 1000000|counting 20000|msgs_per_sec:msgs/s"
"forkjoin|forkjoin 8 100000|forkjoin 4 5000|msgs_per_sec:msgs/s"
"fjcreate|fjcreate 50000|fjcreate 1000|services_per_sec:services/s"
"threadring|threadring 100 500000|threadring 10 10000|hops_per_sec:hops/s"
"chameneos|chameneos 16 300000|chameneos 4 5000|meetings_per_sec:meetings/s"
"big|big 32 20000|big 8 1000|msgs_per_sec:msgs/s"
"servershape|servershape 10000 1000 4 50|servershape 1000 100 2 10|msgs_per_sec:msgs/s timer_fires:timers early_fires:timers late_ticks_mean:ticks late_ticks_p50:ticks late_ticks_p99:ticks late_ticks_max:ticks"
"timers1m|servershape 0 1000 4 300 1000|servershape 0 100 2 20 100|msgs_per_sec:msgs/s timer_fires:timers early_fires:timers late_ticks_mean:ticks late_ticks_p50:ticks late_ticks_p99:ticks late_ticks_max:ticks held_fires:timers"
"latency|latency 8 200 100|latency 4 50 20|msgs_per_sec:msgs/s clock_ns:ns mean_ns:ns p50_ns:ns p90_ns:ns p99_ns:ns p999_ns:ns max_ns:ns"
)

# --- build and describe the node ---
echo "runtime-bench: building $variant ..." >&2
make -s -j2 VARIANT="$variant" driver-build >&2 || { echo "runtime-bench: build of $variant failed" >&2; exit 1; }
build=$(make -s VARIANT="$variant" print-build)
node=$build/skybench-node
# an ARM64 node runs under qemu-user: word-split on purpose ("qemu-aarch64 -L /")
runner=${SKYBENCH_RUNNER:-}
if [ -n "$runner" ] && [[ ${SKYBENCH_HOST_LABEL:-} != *-emulated-* ]]; then
	echo "runtime-bench: SKYBENCH_RUNNER='$runner' without an emulated host label: run it through make bench ARCH=..." >&2
	exit 2
fi
# the rows are written by csvrow (bench/csvrow.c); bench/run.sh hands over its copy
csvrow=${SKYBENCH_CSVROW:-}
if [ -z "$csvrow" ]; then
	make -s -j2 bench-csvrow >&2 || { echo "runtime-bench: build of csvrow failed" >&2; exit 1; }
	csvrow=$(make -s print-bench-dir)/csvrow
fi
# skybench-node NAME (handle H, globalq G, timer T) git REV
version=$($runner "$node" --version) || { echo "runtime-bench: $runner $node --version failed" >&2; exit 1; }
echo "meta: runtime_node: $version" >&2
. bench/meta.sh	# row_node, row_compiler, row_machine, m, meta_machine, meta_state
row_node "$version"
overrides=${wake:+sched_wake=$wake}
wake_cfg=""
[ -n "$wake" ] && wake_cfg="sched_wake = \"$wake\""
row_sched "$overrides"
echo "meta: runtime_sched: sched=$sched sched_wake=$sched_wake sched_next=$sched_next sched_steal=$sched_steal sched_inject=$sched_inject (counters on: sched_counters = true)" >&2
# the services' compiler and flags, as make wrote them beside the node (bench/bench.mk)
flag() { sed -n "s/^$1=//p" "$build/compile-flags"; }
cc=$(flag cc)
cflags=$(flag cflags)
row_compiler "$cc"
libs=${SKYBENCH_LIBS:-$(flag libs)}
host=${SKYBENCH_HOST_LABEL:-$(hostname -s 2>/dev/null || hostname)}
row_machine

# --- thread counts ---
thread_counts "$threads" "$quick"	# tlist (bench/meta.sh)
if [ -n "$quick" ]; then
	reps=1
	echo "runtime-bench: QUICK: tiny sizes, 1 repetition, no warm-up (smoke run: numbers are not for keeping)" >&2
fi

# --- the points FILTER keeps: the micro-benchmarks' names, runtime/<benchmark>/<variant>/<bootstrap>/t<threads> ---
selected=()
for b in "${BENCHES[@]}"; do
	IFS='|' read -r name boot qboot metrics <<<"$b"
	[ -n "$quick" ] && boot=$qboot
	keep=()
	for t in "${tlist[@]}"; do
		if [ -z "$filter" ] || grep -Eq -- "$filter" <<<"runtime/$name/$vname/$boot/t$t"; then keep+=("$t"); fi
	done
	[ ${#keep[@]} -gt 0 ] && selected+=("$name|$boot|$metrics|${keep[*]}")
done
if [ -n "$list" ]; then
	for s in "${selected[@]}"; do
		IFS='|' read -r name boot _ ts <<<"$s"
		for t in $ts; do echo "runtime/$name/$vname/$boot/t$t"; done
	done
	exit 0
fi
if [ ${#selected[@]} -eq 0 ]; then
	echo "runtime-bench: FILTER='$filter' matches no whole-runtime benchmark (runtime/<benchmark>/$vname/<bootstrap>/t<threads>): skipped" >&2
	exit 0
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
wtag=${wake:+-wake-$wake}
run_id=${SKYBENCH_RUN_ID:-$host-$stamp-$vname$wtag}
standalone=""
if [ -z "$csv" ]; then
	standalone=1
	mkdir -p "results/$host"
	csv="results/$host/$stamp-$vname$wtag-runtime.csv"
fi
# the per-worker counter lines of every measured run, beside the CSV
ctrs=${csv%.csv}.counters
if [ -n "$standalone" ]; then	# the .meta as make bench writes it (bench/meta.sh)
	meta=${csv%.csv}.meta
	: > "$meta"
	m run_id "$run_id"
	m date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	m git_rev "$git_rev"
	m git_status "$(git status --short 2>/dev/null | tr '\n' ' ')"
	m variant "$vname"
	m parts "handle=$handle globalq=$globalq timer=$timer sched=$sched mailbox=$mailbox"
	m sched "sched=$sched sched_wake=$sched_wake sched_next=$sched_next sched_steal=$sched_steal sched_inject=$sched_inject (sched_counters = true; per-worker counters in $ctrs)"
	m node "$version"
	meta_machine
	m compiler "$compiler"
	m cflags "$cflags"
	m libs "$libs"
	m pin "none (unpinned: the node does not pin)"
	m knobs "QUICK=$quick THREADS=$threads FILTER=$filter REPS=$reps"
	meta_state
fi

# --- CSV: one row per metric of each run, through csvrow ---
row() {	# benchmark params threads rep metric value unit ops wall_ns check
	local over=0 cpus="?" i
	[ "$3" -gt "$nproc" ] && over=1
	for ((i = 1; i < $3; i++)); do cpus="$cpus;?"; done
	$runner "$csvrow" --csv "$csv" run_id="$run_id" host="$host" git_rev="$git_rev" \
		variant="$vname" handle="$handle" globalq="$globalq" timer="$timer" sched="$sched" mailbox="$mailbox" \
		sched_wake="$sched_wake" sched_next="$sched_next" sched_steal="$sched_steal" \
		sched_inject="$sched_inject" part=runtime impl="$vname" peer= ceiling=0 \
		benchmark="$1" params="$2" threads="$3" oversubscribed=$over pin=none cpus="$cpus" \
		rep="$4" metric="$5" value="$6" unit="$7" ops="$8" wall_ns="$9" check="${10}" \
		counters="$counters" compiler="$compiler" cflags="$cflags" libs="$libs" cpu_model="$cpu_model" \
		topology="$topology" kernel="$kernel" || rows_bad=$((rows_bad + 1))
}
rows_bad=0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/runtime-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# run_one BOOTSTRAP THREADS: the RESULT line on stdout; status 1 on any failure
run_one() {
	cat > "$tmp/config" <<CFG
thread = $2
cpath = "$build/services/?.so"
bootstrap = "$1"
profile = false
logger = "$tmp/log"
sched_counters = true
$wake_cfg
CFG
	# every run ends in up to 1 s of node teardown (the monitor thread polls for the end
	# once a second, as skynet's does): wall time, not part of any measurement
	local limit=120 line rc
	timeout "$limit" $runner "$node" "$tmp/config" > "$tmp/out" 2>&1
	rc=$?
	line=$(grep -m1 '^RESULT ' "$tmp/out")
	printf '%s\n' "$line"
	if [ "$rc" -ne 0 ] || [ -z "$line" ] || [[ $line == *FAILED* ]]; then
		echo "!!!!!! runtime-bench: run failed (exit $rc): $1, thread=$2: ${line:-no RESULT line}" >&2
		tail -n 5 "$tmp/out" "$tmp/log" 2>/dev/null | sed 's/^/!!!!!!   /' >&2
		return 1
	fi
}

total=0
for s in "${selected[@]}"; do
	IFS='|' read -r _ _ _ ts <<<"$s"
	set -- $ts
	total=$((total + reps * $# + (quick ? 0 : 1)))
done
echo "runtime-bench: variant $vname, ${#selected[@]} benchmarks, threads ${tlist[*]} (nproc $nproc; $((2 * nproc)) is oversubscribed), $reps reps, $total runs, rows to $csv" >&2

done_=0 failed=0 start=$(date +%s)
progress() {
	done_=$((done_ + 1))
	local el=$(( $(date +%s) - start ))
	echo "[runtime $done_/$total, ETA $(( done_ ? el * (total - done_) / done_ : 0 ))s] $*" >&2
}
for s in "${selected[@]}"; do
	IFS='|' read -r name boot metrics ts <<<"$s"
	read -r -a tpoints <<<"$ts"
	params=$(tr ' ' '\n' <<<"$boot" | sed 1d | paste -sd' ')
	if [ -z "$quick" ]; then	# discarded warm-up, at the largest non-oversubscribed point
		wt=${tpoints[0]}
		for t in "${tpoints[@]}"; do [ "$t" -le "$nproc" ] && wt=$t; done
		run_one "$boot" "$wt" > /dev/null || failed=$((failed + 1))
		progress "$name warm-up (discarded) threads=$wt"
	fi
	for ((r = 1; r <= reps; r++)); do
		mapfile -t order < <(printf '%s\n' "${tpoints[@]}" | shuf)
		for t in "${order[@]}"; do
			line=$(run_one "$boot" "$t")
			ok=$?
			# the node's own account of its scheduler: settings and summed counters
			row_sched "$overrides"
			row_counters "$tmp/out"
			row_sched_check | sed 's/^/!!!!!! runtime-bench: /' >&2
			grep -h '^skybench-sched: ' "$tmp/out" | sed "s/^/$run_id $name threads=$t rep=$r: /" >> "$ctrs"
			# params: every key of the RESULT line that is neither a metric nor seconds/ops
			ps=""
			for kvp in ${line#RESULT * }; do
				k=${kvp%%=*}
				[[ $kvp == *=* ]] || continue
				case " $metrics seconds:x ops:x " in *" $k:"*) continue ;; esac
				ps="$ps$k=${kvp#*=}"$'\n'
			done
			ps=$(printf '%s' "$ps" | sort | paste -sd';')
			[ -z "$ps" ] && ps="bootstrap=$params"
			ops=$(kv ops "$line"); [ -z "$ops" ] && ops=$(kv messages "$line")
			sec=$(kv seconds "$line")
			wall=$(awk -v s="${sec:-0}" 'BEGIN { printf "%.0f", s * 1e9 }')
			shown=""
			for m in $metrics; do
				key=${m%%:*} unit=${m#*:}
				metric=${key/%_per_sec/_per_s}
				if [ $ok -eq 0 ]; then
					v=$(kv "$key" "$line")
					row "$name" "$ps" "$t" "$r" "$metric" "$v" "$unit" "$ops" "$wall" pass
					[ -z "$shown" ] && shown="$metric=$v"
				else
					row "$name" "$ps" "$t" "$r" "$metric" "" "$unit" "${ops:-0}" "$wall" fail
				fi
			done
			[ $ok -ne 0 ] && { failed=$((failed + 1)); shown="FAILED"; }
			progress "$name threads=$t rep $r/$reps: $shown"
		done
	done
done
echo "runtime-bench: done in $(( $(date +%s) - start ))s, $failed failed runs; $csv" >&2
if [ $rows_bad -ne 0 ]; then
	echo "!!!!!! runtime-bench: csvrow refused $rows_bad row(s) (its line above says why)" >&2
	failed=$((failed + rows_bad))
fi
if [ ! -s "$ctrs" ]; then
	rm -f "$ctrs"
	echo "!!!!!! runtime-bench: the node printed no scheduler counters (sched_counters = true is newer than its revision?): the counters column is empty" >&2
	echo "meta: runtime_counters: none (the node printed no skybench-sched lines)" >&2
fi
if [ -n "$standalone" ]; then
	m loadavg_after "$(cat /proc/loadavg)"
	m result "$([ $failed -eq 0 ] && echo ok || echo "FAILED: $failed runs")"
	summ=build/bench/summary
	[ -x "$summ" ] && { "$summ" --check "$csv" >&2 || failed=$((failed + 1)); }
fi
[ $failed -eq 0 ]
