#!/usr/bin/env bash
# bench/run.sh: the benchmark driver behind `make bench` (bench/bench.mk sets the
# environment). Writes results/<host>/<timestamp>-<variant>.csv and .meta, runs the
# micro-benchmark programs (every variant of each part, with ceilings) and then every
# program in $SKYBENCH_VARIANT_BENCH_DIR (the whole-runtime benchmarks of this variant),
# checks the CSV against the schema and prints the summary table.
#
# Knobs: QUICK=1 (smoke run), FILTER=regex (on part/benchmark/impl/params/tN), THREADS=1,2
# or 1-4, PIN=compact|scatter|one-per-core|smt-siblings|list:0,1|none, REPS=n (default 5),
# WAKE=skynet|eager (SKYBENCH_SCHED_WAKE: the nodes' wake policy, scripts/runtime-bench.sh).
# Contract for the extra programs: they accept --csv FILE --reps N [--quick] [--threads L]
# [--pin P] [--filter RE], append rows in the schema of results/README.md (bench/csv.h does
# it), print progress on stderr, lines "meta: key: value" on stderr go into the .meta file,
# and exit non-zero when a correctness check failed.
#
# Emulated runs (make bench ARCH=aarch64: SKYBENCH_EMULATED=qemu-aarch64-<isa>,
# SKYBENCH_RUNNER="qemu-aarch64 -L /"): every ELF program runs under the runner, scripts run
# as themselves and apply it to the programs they start. qemu-user on this CPU is not
# ARM64 performance, so the run is labelled everywhere: results/<host>-emulated-<label>/,
# host column <host>-emulated-<label> (SKYBENCH_HOST_LABEL, bench/csv.c), an `emulated:`
# line in .meta, a banner; scripts/compare refuses such files and the paper skips them.
set -uo pipefail

: "${SKYBENCH_BENCH_DIR:=build/bench}"
: "${SKYBENCH_VARIANT:=unknown}"
: "${SKYBENCH_VARIANT_BENCH_DIR:=}"
# QUICK is a smoke run of every benchmark: 2 repetitions unless REPS says otherwise
if [ -n "${QUICK:-}" ] && [ "${QUICK}" != 0 ]; then REPS=${REPS:-2}; else REPS=${REPS:-5}; fi
host=$(hostname -s 2>/dev/null || hostname)
runner=${SKYBENCH_RUNNER:-}
emulated=${SKYBENCH_EMULATED:-}
# a runner without a label would write emulated (or valgrind) numbers as this host's own;
# a label without a runner would execute foreign binaries directly
if [ -n "$runner" ] && [ -z "$emulated" ]; then
	echo "bench/run.sh: SKYBENCH_RUNNER='$runner' for a native run: numbers under a runner are not this host's; unset it" >&2
	exit 2
fi
if [ -n "$emulated" ] && [ -z "$runner" ]; then
	echo "bench/run.sh: SKYBENCH_EMULATED=$emulated but no SKYBENCH_RUNNER to run its programs" >&2
	exit 2
fi
if [ -n "$emulated" ]; then
	host=$host-emulated-$emulated
	export SKYBENCH_HOST_LABEL=$host	# the host column of every row (bench/csv.c, the scripts)
	banner() {
		local l='!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'
		printf '%s\n!!!!!! EMULATED RUN (%s): programs run under "%s" on %s\n!!!!!! %s\n%s\n' \
			"$l" "$emulated" "$runner" "$(uname -m)" "$1" "$l" >&2
	}
fi
# The knobs are checked before anything is written: a bad value is one line naming it and
# exit 2, and results/ gets no file (the programs' own option parser is the one judge:
# bench_globalq --list with the knobs lists its cases, or says what is wrong)
case ${SKYBENCH_SCHED_WAKE:-} in
''|skynet|eager) ;;
*) echo "bench/run.sh: WAKE=$SKYBENCH_SCHED_WAKE: the node's wake policies are skynet and eager" >&2; exit 2 ;;
esac
knobs=(--reps "$REPS")
[ -n "${THREADS:-}" ] && knobs+=(--threads "$THREADS")
[ -n "${PIN:-}" ] && knobs+=(--pin "$PIN")
[ -n "${FILTER:-}" ] && knobs+=(--filter "$FILTER")
[ -n "${SECONDS_PER_POINT:-}" ] && knobs+=(--seconds "$SECONDS_PER_POINT")
if ! why=$($runner "$SKYBENCH_BENCH_DIR/bench_globalq" "${knobs[@]}" --list 2>&1 >/dev/null); then
	why=${why%%$'\n'*}
	echo "bench/run.sh: REPS=$REPS THREADS=${THREADS:-} PIN=${PIN:-} FILTER=${FILTER:-}: ${why#"$SKYBENCH_BENCH_DIR/bench_globalq: "}" >&2
	exit 2
fi
# the banner after the checks, so that a bad knob is still one line
if [ -n "$emulated" ]; then
	banner "numbers are NOT ARM64 performance and are never compared; results go to results/$host/"
fi
stamp=$(date -u +%Y%m%dT%H%M%SZ)
outdir=${SKYBENCH_RESULTS_DIR:-results/$host}
mkdir -p "$outdir"
# WAKE= (SKYBENCH_SCHED_WAKE): every node the run starts uses that wake policy; the file
# name and run id say so, so that runs with different policies never look alike
wtag=${SKYBENCH_SCHED_WAKE:+-wake-$SKYBENCH_SCHED_WAKE}
base="$outdir/$stamp-$SKYBENCH_VARIANT$wtag"
csv="$base.csv"
meta="$base.meta"
export SKYBENCH_RUN_ID="$host-$stamp-$SKYBENCH_VARIANT$wtag"
: > "$csv"

. "$(dirname "$0")/meta.sh"	# m, meta_machine, meta_state

# --- metadata before the run (docs/method.md rules 1 and 10) ---
: > "$meta"
m run_id "$SKYBENCH_RUN_ID"
if [ -n "$emulated" ]; then
	m emulated "$emulated (qemu-user on $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); numbers are not ARM64 performance and are never compared)"
	m runner "$runner ($(${runner%% *} --version 2>/dev/null | head -1))"
fi
m date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
m git_rev "${SKYBENCH_GIT_REV:-$(git describe --always --dirty 2>/dev/null)}"
m git_status "$(git status --short 2>/dev/null | tr '\n' ' ')"
m variant "$SKYBENCH_VARIANT"
m parts "${SKYBENCH_PARTS:-?}"
meta_machine
m compiler "${SKYBENCH_CC:-cc}: $(${SKYBENCH_CC:-cc} --version 2>/dev/null | head -1)"
m cxx "$(g++ --version 2>/dev/null | head -1)"
m cflags "${SKYBENCH_CFLAGS:-}"
m libs "${SKYBENCH_LIBS:-}"
m knobs "QUICK=${QUICK:-} FILTER=${FILTER:-} THREADS=${THREADS:-} PIN=${PIN:-} REPS=$REPS WAKE=${SKYBENCH_SCHED_WAKE:-}"
m sched_wake "${SKYBENCH_SCHED_WAKE:-default (skynet)}"
meta_state

args=(--csv "$csv" --reps "$REPS")
[ -n "${QUICK:-}" ] && [ "${QUICK}" != 0 ] && args+=(--quick)
[ -n "${THREADS:-}" ] && args+=(--threads "$THREADS")
[ -n "${PIN:-}" ] && args+=(--pin "$PIN")
[ -n "${FILTER:-}" ] && args+=(--filter "$FILTER")

# Run private copies of the micro-benchmark programs: a `make clean` elsewhere during a
# long run must not pull them from under it.
bin=$(mktemp -d /tmp/skybench-bin.XXXXXX)
trap 'rm -rf "$bin"' EXIT
progs=()
for p in globalq handle timer timer_lock mailbox runq; do
	cp "$SKYBENCH_BENCH_DIR/bench_$p" "$bin/" && progs+=("$bin/bench_$p")
done
cp "$SKYBENCH_BENCH_DIR/summary" "$SKYBENCH_BENCH_DIR/csvrow" "$bin/"
# the shell drivers write their rows with it (bench/csvrow.c)
export SKYBENCH_CSVROW="$bin/csvrow"
# is_elf FILE: a compiled program (run under the runner), not a script (runs as itself)
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }
if [ -n "$SKYBENCH_VARIANT_BENCH_DIR" ] && [ -d "$SKYBENCH_VARIANT_BENCH_DIR" ]; then
	# run in place: they may find their services beside them ($SKYBENCH_BUILD)
	export SKYBENCH_BUILD="$(cd "$SKYBENCH_VARIANT_BENCH_DIR/.." && pwd)"
	for p in "$SKYBENCH_VARIANT_BENCH_DIR"/*; do
		[ -f "$p" ] && [ -x "$p" ] && progs+=("$p")
	done
fi

echo "== bench: variant $SKYBENCH_VARIANT, ${#progs[@]} programs, results in $csv" >&2
start=$(date +%s)
failed=()
k=0
for p in "${progs[@]}"; do
	k=$((k + 1))
	echo "== [program $k/${#progs[@]}] $p (elapsed $(( $(date +%s) - start ))s)" >&2
	pargs=("${args[@]}")
	# the micro-benchmark programs also take a per-point duration (SECONDS_PER_POINT)
	case $p in "$bin"/bench_*) [ -n "${SECONDS_PER_POINT:-}" ] && pargs+=(--seconds "$SECONDS_PER_POINT") ;; esac
	pre=()
	[ -n "$runner" ] && is_elf "$p" && read -r -a pre <<<"$runner"
	"${pre[@]}" "$p" "${pargs[@]}" 2>&1 | while IFS= read -r line; do
		case $line in
		"meta: "*) echo "${line#meta: }" >> "$meta" ;;
		esac
		printf '%s\n' "$line" >&2
	done
	rc=${PIPESTATUS[0]}
	[ "$rc" -ne 0 ] && failed+=("$p (exit $rc)")
done

m loadavg_after "$(cat /proc/loadavg)"
m duration_s "$(( $(date +%s) - start ))"
echo "== bench: done in $(( $(date +%s) - start ))s; $csv" >&2

# every program skips, with a line, what FILTER leaves none of: nothing at all is an error
if [ ! -s "$csv" ] && [ -n "${FILTER:-}" ]; then
	echo "!!!!!! bench: FILTER='$FILTER' matches no benchmark of any program" >&2
	failed+=("FILTER='$FILTER' matched nothing")
elif [ ! -s "$csv" ]; then
	failed+=("no program wrote a row")
else
	$runner "$bin/summary" --check "$csv"
	[ $? -ne 0 ] && failed+=("schema check of $csv")
fi
m result "$([ ${#failed[@]} -eq 0 ] && echo ok || echo "FAILED: ${failed[*]}")"
[ -n "$emulated" ] && banner "the numbers above and in $csv are NOT ARM64 performance and are never compared"
if [ ${#failed[@]} -ne 0 ]; then
	echo "!!!!!! bench FAILED: ${failed[*]}" >&2
	exit 1
fi
