#!/usr/bin/env bash
# scaling-sweep.sh OUTDIR: the thread-scaling sweep for a bigger machine (made for 16 cores,
# about 8 minutes there). Builds, then runs, threads 1, 2, 4, ... up to every core (and the
# core count itself) plus the programs' own oversubscribed point:
#   - the global-queue micro-benchmarks (pairs, prodcons, bursts; every queue variant and the
#     fetch-and-add ceiling),
#   - the handle-table micro-benchmarks (lookup, churn 0.1/1/10%, names; every table and the
#     unsynchronized-read ceilings),
#   - the whole-runtime ping-pong and big benchmarks for every preset (`make variants`),
#   - the same ping-pong written for Go and Erlang (bench/peers/peers-bench.sh; rows peer=go,
#     peer=erlang), where their toolchains are installed (scripts/ensure-deps.sh peers),
# REPS (default 3) repetitions after a discarded warm-up, variants interleaved, and writes
# OUTDIR/<timestamp>-scaling.csv and .meta (results/README.md's schema). Commit them under
# results/<host>/ with a line on the machine in results/README.md.
set -euo pipefail
[ $# -eq 1 ] && [ -n "$1" ] || { echo "usage: scaling-sweep.sh OUTDIR" >&2; exit 2; }
out=$1
# REPS and SECONDS_PER_POINT are checked before the (long) build: one line, exit 2
[[ ${REPS:-3} =~ ^[0-9]{1,5}$ ]] && [ "${REPS:-3}" -ge 1 ] ||
	{ echo "scaling-sweep: bad REPS '${REPS:-}' (an integer from 1 to 99999)" >&2; exit 2; }
[[ ${SECONDS_PER_POINT:-0.2} =~ ^([0-9]{1,4}(\.[0-9]*)?|\.[0-9]+)$ ]] && [[ ${SECONDS_PER_POINT:-0.2} =~ [1-9] ]] ||
	{ echo "scaling-sweep: bad SECONDS_PER_POINT '${SECONDS_PER_POINT:-}' (seconds above 0)" >&2; exit 2; }
cd "$(dirname "$(readlink -f "$0")")/.."
mkdir -p "$out" 2>/dev/null || { echo "scaling-sweep: $out: cannot create the folder" >&2; exit 2; }
out=$(cd "$out" && pwd)
n=$(nproc)
threads=""
for ((t = 1; t < n; t *= 2)); do threads="$threads,$t"; done
threads="${threads#,},$n"
[ "$n" -ge 12 ] && threads="$threads,$(( n * 3 / 4 ))"
threads=$(tr ',' '\n' <<<"$threads" | sort -n | uniq | paste -sd,)
echo "scaling-sweep: $n CPUs, threads $threads, results in $out" >&2

variants=$(make -s --no-print-directory variants)
key() { sed -n "s/^$1: //p" <<<"$variants"; }
presets=$(key PRESETS) parts=$(key PARTS)
[ -n "$presets" ] && [ -n "$parts" ] || { echo "scaling-sweep: make variants printed no PRESETS:/PARTS: line" >&2; exit 2; }
echo "scaling-sweep: presets $presets" >&2
# every part's column says "all": the micro-benchmarks run every implementation
part_env=(SKYBENCH_PARTS="$(for p in $parts; do printf '%s=all ' "$p"; done)")
for p in $parts; do part_env+=("SKYBENCH_$(key "PART_VAR_$p")=all"); done

start=$(date +%s)
scripts/ensure-deps.sh build
make -s -j"$n" bench-programs
for v in $presets; do make -s -j"$n" VARIANT="$v" node services; done
make -s peers	# says loudly which peer it cannot build
echo "scaling-sweep: built in $(( $(date +%s) - start ))s" >&2

wrappers=$(mktemp -d /tmp/skybench-sweep.XXXXXX)
trap 'rm -rf "$wrappers"' EXIT
mkdir -p "$wrappers/bench"
for v in $presets; do
	printf '#!/bin/sh\nexec %s --variant %s "$@"\n' "$PWD/scripts/runtime-bench.sh" "$v" > "$wrappers/bench/runtime-$v"
	chmod +x "$wrappers/bench/runtime-$v"
done
ln -s "$PWD/bench/peers/peers-bench.sh" "$wrappers/bench/peers"

git_rev=$(git describe --always --dirty 2>/dev/null || echo unknown)
# the compiler, flags and library versions the bench programs were built with, from make
mapfile -t row_flags < <(make -s --no-print-directory bench-row-flags)
env "${part_env[@]}" "${row_flags[@]}" \
SKYBENCH_RESULTS_DIR="$out" SKYBENCH_VARIANT=scaling SKYBENCH_GIT_REV="$git_rev" \
SKYBENCH_BENCH_DIR=build/bench SKYBENCH_VARIANT_BENCH_DIR="$wrappers/bench" \
THREADS="$threads" REPS="${REPS:-3}" SECONDS_PER_POINT="${SECONDS_PER_POINT:-0.2}" \
FILTER='^(globalq/(pairs|prodcons|bursts)|handle/(lookup|churn|names)|runtime/(pingpong|big))/' \
	bench/run.sh
echo "scaling-sweep: done in $(( $(date +%s) - start ))s" >&2
