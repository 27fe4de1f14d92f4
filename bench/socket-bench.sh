#!/usr/bin/env bash
# socket-bench.sh [--variants "baseline lockfree"] [--csv FILE] [--reps N] [--quick]
#                 [--threads T] [--pin P] [--filter RE] [--list]
# The loopback echo benchmark of the socket server: bench/echo_load (plain C, one thread, closed loop:
# each connection keeps one message in flight) against
#   - gate_echo on each variant's node (T worker threads, default 2), and
#   - bench/epoll_echo, the ceiling (single-threaded epoll, no runtime), in the same run,
# for 1, 100, 1000 connections x 16 B, 1 KiB, 64 KiB messages; REPS repetitions (default
# 5), the (config, server) runs in a fresh random order in every repetition, after one
# discarded warm-up run of each server. Loopback only (127.0.0.1). Rows go to a CSV in the
# schema of results/README.md, written by bench/csvrow (part=runtime, benchmark=echo,
# impl=the variant or "epoll" with ceiling=1; metrics msgs_per_sec, mb_per_sec (payload one
# way), rtt_p50/p90/p99/p999/max_us); a run that fails its check (every echoed byte is
# compared) gives a check=fail row and exit status 1. Prints a median [min, max] table.
# Same options as the other benchmark programs, so bench/run.sh (make bench) runs it with
# SKYBENCH_VARIANT set; --pin other than none is refused loudly (nothing is pinned).
# --filter (FILTER=) is an extended regex over the point names, as for the micro-benchmark
# programs: runtime/echo/<server>/conns=N;size=B/t<server threads>; --list prints the names
# it keeps and exits; when it keeps none, one line says so and nothing is built or run.
# ARCH=aarch64 (make passes it down in MAKEFLAGS): the node, echo_load and epoll_echo are
# ARM64 programs run through $SKYBENCH_RUNNER (qemu-user), and the run is labelled
# emulated (host <host>-emulated-<SKYBENCH_EMULATED>, as bench/run.sh does).
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.." || exit 2

variants=${SKYBENCH_VARIANT:-baseline}
csv="" reps=${REPS:-5} quick=${QUICK:-} sthreads=2 pin="" filter=${FILTER:-} list=""
[ "$quick" = 0 ] && quick=""
while [ $# -gt 0 ]; do
	case $1 in
	--variant|--variants) variants=$2; shift ;;
	--csv) csv=$2; shift ;;
	--reps) reps=$2; shift ;;
	--quick) quick=1 ;;
	--threads) sthreads=${2%%[,-]*}; shift ;;
	--pin) pin=$2; shift ;;
	--filter) filter=$2; shift ;;
	--list) list=1 ;;
	-h|--help) sed -n '2,22p' "$0"; exit 0 ;;
	*) echo "socket-bench: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done
if [ -n "$pin" ] && [ "$pin" != none ]; then
	echo "!!!!!! socket-bench: PIN=$pin asked, but nothing here is pinned: rows say pin=none" >&2
fi
# all: every preset (the Makefile defines them)
[ "$variants" = all ] && variants=$(make -s variants | sed -n 's/^PRESETS: //p')

# configs: conns size messages
if [ -n "$quick" ]; then
	configs=("1 16 2000" "100 1024 5000" "1000 16 5000")
	reps=1
else
	configs=("1 16 20000" "1 1024 20000" "1 65536 4000"
		"100 16 60000" "100 1024 60000" "100 65536 6000"
		"1000 16 60000" "1000 1024 60000" "1000 65536 6000")
fi
servers=(epoll $variants)
# the (server, config) points FILTER keeps, named as the other benchmarks' cases are:
# runtime/echo/<server>/conns=N;size=B/t<server threads> (the ceiling, epoll, has 1 thread)
points=()
for s in "${servers[@]}"; do
	for c in "${configs[@]}"; do
		read -r conns size _ <<<"$c"
		th=$sthreads
		[ "$s" = epoll ] && th=1
		if [ -z "$filter" ] || grep -Eq -- "$filter" <<<"runtime/echo/$s/conns=$conns;size=$size/t$th"; then
			points+=("$s $c")
		fi
	done
done
if [ -n "$list" ]; then
	for p in "${points[@]}"; do
		read -r s conns size _ <<<"$p"
		echo "runtime/echo/$s/conns=$conns;size=$size/t$([ "$s" = epoll ] && echo 1 || echo "$sthreads")"
	done
	exit 0
fi
if [ ${#points[@]} -eq 0 ]; then
	echo "socket-bench: FILTER='$filter' matches no socket benchmark (runtime/echo/<server>/conns=N;size=B/tT): skipped" >&2
	exit 0
fi

make -s -j2 bench-socket-programs >&2 || { echo "socket-bench: build failed" >&2; exit 1; }
# the folder of the build just made (per SAN= and ARCH=), not a fixed build/bench
bd=$(make -s print-bench-dir) || { echo "socket-bench: make print-bench-dir failed" >&2; exit 1; }
load=$bd/echo_load
# the rows are written by csvrow (bench/csvrow.c); bench/run.sh hands over its copy
csvrow=${SKYBENCH_CSVROW:-}
if [ -z "$csvrow" ]; then
	make -s -j2 bench-csvrow >&2 || { echo "socket-bench: build of csvrow failed" >&2; exit 1; }
	csvrow=$bd/csvrow
fi
ceiling=$bd/epoll_echo
# word-split on purpose: "qemu-aarch64 -L /"
runner=${SKYBENCH_RUNNER:-}
emulated=${SKYBENCH_EMULATED:-}
# a runner without a label would pass emulated numbers as this host's; a label without one
# would execute foreign binaries directly
if [[ -n $runner && -z $emulated || -z $runner && -n $emulated ]]; then
	echo "socket-bench: SKYBENCH_RUNNER='$runner' and SKYBENCH_EMULATED='$emulated' go together (make bench-socket ARCH=... sets both)" >&2
	exit 2
fi
. bench/meta.sh	# row_node, row_sched
declare -A NODE PARTS
for v in $variants; do
	make -s -j2 VARIANT="$v" driver-build >&2 || { echo "socket-bench: build of $v failed" >&2; exit 1; }
	NODE[$v]=$(make -s VARIANT="$v" print-build)/skybench-node
	# handle globalq timer sched mailbox and the default settings, from the node's --version
	row_node "$($runner "${NODE[$v]}" --version)"
	row_sched ""
	PARTS[$v]="$handle $globalq $timer $sched $sched_wake $sched_next $sched_steal $sched_inject $mailbox"
done

host=$(hostname -s 2>/dev/null || hostname)
[ -n "$emulated" ] && host=${SKYBENCH_HOST_LABEL:-$host-emulated-$emulated}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
run_id=${SKYBENCH_RUN_ID:-$host-$stamp-socket}
git_rev=$(git describe --always --dirty 2>/dev/null || echo unknown)
cpu_model=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
topology="$(nproc) PUs"
kernel=$(uname -srm)
compiler="$(${SKYBENCH_CC:-${CC:-cc}} --version 2>/dev/null | head -1)"
# the library versions make wrote beside the first variant's node (bench/bench.mk)
v1=${variants%% *}
libs=${SKYBENCH_LIBS:-$(sed -n 's/^libs=//p' "$(dirname "${NODE[$v1]}")/compile-flags")}
if [ -z "$csv" ]; then
	[ -n "$emulated" ] && echo "!!!!!! socket-bench: EMULATED RUN ($emulated under '$runner'): numbers are not ARM64 performance and are never compared; results/$host/" >&2
	mkdir -p "results/$host"
	csv="results/$host/$stamp-socket.csv"
	{
		echo "run_id: $run_id"
		[ -n "$emulated" ] && echo "emulated: $emulated (qemu-user on $cpu_model; numbers are not ARM64 performance and are never compared)"
		echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"; echo "git_rev: $git_rev"
		echo "variants: $variants"; echo "server_threads: $sthreads"; echo "reps: $reps"
		echo "cpu_model: $cpu_model"; echo "nproc: $(nproc)"; echo "kernel: $(uname -srmv)"
		echo "loadavg_before: $(cat /proc/loadavg)"
	} > "${csv%.csv}.meta"
fi
echo "meta: socket_bench: load=echo_load (1 thread) server_threads=$sthreads loopback 127.0.0.1, unpinned" >&2

# row impl ceiling params threads rep metric value unit ops wall_ns check
row() {
	local variant=$1 parts=(- - - - - - - - -) cpus="?" i
	for ((i = 1; i < $4; i++)); do cpus="$cpus;?"; done
	[ "$1" != epoll ] && parts=(${PARTS[$1]})
	[ "$1" = epoll ] && variant=$v1
	$runner "$csvrow" --csv "$csv" run_id="$run_id" host="$host" git_rev="$git_rev" \
		variant="$variant" handle="${parts[0]}" globalq="${parts[1]}" timer="${parts[2]}" \
		sched="${parts[3]}" sched_wake="${parts[4]}" sched_next="${parts[5]}" \
		sched_steal="${parts[6]}" sched_inject="${parts[7]}" mailbox="${parts[8]}" counters="$([ "$1" = epoll ] && echo -)" \
		part=runtime impl="$1" peer= ceiling="$2" benchmark=echo params="$3" threads="$4" \
		oversubscribed=0 pin=none cpus="$cpus" rep="$5" metric="$6" value="$7" unit="$8" \
		ops="$9" wall_ns="${10}" check="${11}" compiler="$compiler" \
		cflags="-std=c11 -D_GNU_SOURCE -O2 -g" libs="$libs" cpu_model="$cpu_model" \
		topology="$topology" kernel="$kernel" || failed=1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/socket-bench.XXXXXX")
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# start_server IMPL: sets SERVER_PID and PORT, or returns 1
start_server() {
	PORT=""
	if [ "$1" = epoll ]; then
		$runner "$ceiling" 0 > "$tmp/srv.out" 2>&1 &
		SERVER_PID=$!
		for _ in $(seq 100); do
			PORT=$(awk '/^PORT/ {print $2}' "$tmp/srv.out")
			[ -n "$PORT" ] && return 0
			sleep 0.05
		done
	else
		local build
		build=$(dirname "${NODE[$1]}")
		cat > "$tmp/node.config" <<CFG
thread = $sthreads
cpath = "$build/services/?.so"
bootstrap = "gate_echo 127.0.0.1 0 high"
profile = false
CFG
		$runner "${NODE[$1]}" "$tmp/node.config" > "$tmp/srv.out" 2>&1 &
		SERVER_PID=$!
		for _ in $(seq 200); do
			PORT=$(sed -n 's/.*gate_echo: listening on port \([0-9]*\).*/\1/p' "$tmp/srv.out" | head -1)
			[ -n "$PORT" ] && return 0
			sleep 0.05
		done
	fi
	echo "!!!!!! socket-bench: server $1 did not come up: $(tail -3 "$tmp/srv.out")" >&2
	return 1
}
stop_server() {
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=""
}

failed=0
# run_one IMPL CONNS SIZE MESSAGES REP (REP 0: warm-up, not written)
run_one() {
	local impl=$1 conns=$2 size=$3 msgs=$4 rep=$5 line params ceil=0 th=$sthreads
	[ "$impl" = epoll ] && { ceil=1; th=1; }
	params="conns=$conns;size=$size"
	start_server "$impl" || { failed=1; return 0; }
	line=$(timeout 120 $runner "$load" "$PORT" "$conns" "$size" "$msgs" "$impl")
	local rc=$?
	stop_server
	[ "$rep" = 0 ] && return 0
	if [ $rc -ne 0 ] || [[ $line != RESULT* ]] || [[ $line == *FAILED* ]]; then
		echo "!!!!!! socket-bench: $impl $params failed (exit $rc): ${line:-no RESULT}" >&2
		row "$impl" $ceil "$params" $th "$rep" msgs_per_sec "" msgs/s "" "" fail
		failed=1
		return 0
	fi
	echo "$line" >> "$tmp/results"
	local kv k v sec ops
	sec=$(sed -n 's/.* seconds=\([^ ]*\).*/\1/p' <<<"$line")
	ops=$(sed -n 's/.* messages=\([^ ]*\).*/\1/p' <<<"$line")
	local wall
	wall=$(awk -v s="$sec" 'BEGIN { printf "%.0f", s * 1e9 }')
	for kv in msgs_per_sec:msgs/s mb_per_sec:MB/s rtt_p50_us:us rtt_p90_us:us rtt_p99_us:us rtt_p999_us:us rtt_max_us:us; do
		k=${kv%%:*}
		v=$(sed -n "s/.* $k=\([^ ]*\).*/\1/p" <<<"$line")
		row "$impl" $ceil "$params" $th "$rep" "$k" "$v" "${kv#*:}" "$ops" "$wall" pass
	done
}

total=$(( ${#points[@]} * (reps + (quick ? 0 : 1)) ))
n=0
for rep in $(seq 0 "$reps"); do
	mapfile -t order < <(printf '%s\n' "${points[@]}" | shuf)
	[ "$rep" = 0 ] && [ -z "$quick" ] || [ "$rep" != 0 ] || continue
	for o in "${order[@]}"; do
		n=$((n + 1))
		echo "socket-bench: [$n/$total] rep $rep: $o" >&2
		run_one $o "$rep"
	done
done

# summary: median [min, max] per server and config
if [ -s "$tmp/results" ]; then
	echo "socket-bench: median [min, max] over $reps repetitions (server threads $sthreads; epoll = ceiling)"
	awk '
	{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	  key = sprintf("%-10s conns=%-5s size=%-6s", f["target"], f["conns"], f["size"])
	  keys[key] = 1; n[key]++
	  r[key, n[key]] = f["msgs_per_sec"]; m[key, n[key]] = f["mb_per_sec"]; p[key, n[key]] = f["rtt_p50_us"]; q[key, n[key]] = f["rtt_p99_us"] }
	function med(a, k, c,   i, j, t, v) { for (i = 1; i <= c; i++) v[i] = a[k, i] + 0
	  for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	  return sprintf("%s [%s, %s]", (c % 2) ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2, v[1], v[c]) }
	END { for (k in keys) printf "%s msgs/s %s | MB/s %s | p50 us %s | p99 us %s\n", k, med(r, k, n[k]), med(m, k, n[k]), med(p, k, n[k]), med(q, k, n[k]) }
	' "$tmp/results" | sort -k2,2 -k3,3 -k1,1
fi
echo "socket-bench: rows in $csv" >&2
exit $failed
