#!/usr/bin/env bash
# peers-bench.sh --csv FILE [--reps N] [--quick] [--threads 1,2|1-4] [--pin P] [--filter RE] [--list]
# The ping-pong peers (bench/peers/: Go and Erlang, built by make peers) as a program of
# bench/run.sh's contract, for drivers that run whole-runtime benchmarks through it
# (scripts/scaling-sweep.sh): the ping-pong of scripts/runtime-bench.sh (pingpong 16
# 2000000; QUICK: 4 20000) at thread counts 1..nproc plus 2*nproc (oversubscribed), REPS
# times after one discarded warm-up per peer, the points of a repetition in a fresh random
# order. Rows: part=runtime, benchmark=pingpong, impl and peer the peer's name, the parts
# and scheduler columns "-" (results/README.md); names for --filter/--list are
# runtime/pingpong/<peer>/pingpong P N/t<threads>. A peer whose toolchain is missing is
# skipped with a loud line (stderr and the .meta); a run whose check fails has a check=fail
# row and makes the exit status 1. Unpinned (pin=none, as the node).
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.." || exit 2
csv="" reps=${REPS:-5} quick=${QUICK:-} threads=${THREADS:-} filter=${FILTER:-} list=""
[ "$quick" = 0 ] && quick=""
while [ $# -gt 0 ]; do
	case $1 in
	--csv) csv=$2; shift ;;
	--reps) reps=$2; shift ;;
	--quick) quick=1 ;;
	--threads) threads=$2; shift ;;
	--pin) [ "$2" != none ] && echo "!!!!!! peers-bench: PIN=$2 asked, but the peers are not pinned: their rows say pin=none" >&2; shift ;;
	--filter) filter=$2; shift ;;
	--list) list=1 ;;
	-h|--help) sed -n '2,13p' "$0"; exit 0 ;;
	*) echo "peers-bench: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done
. bench/meta.sh	# row_machine, thread_counts, kv
row_machine
boot="pingpong 16 2000000"
[ -n "$quick" ] && boot="pingpong 4 20000" reps=1
read -r _ pairs messages <<<"$boot"
thread_counts "$threads" ""	# tlist (bench/meta.sh); QUICK keeps every count here

# the peers there are, and the points FILTER keeps
make -s peers >&2
declare -A CMD COMPILER FLAGS
if [ -x build/peers/pingpong-go ] && command -v go > /dev/null; then
	CMD[go]="build/peers/pingpong-go %T" COMPILER[go]=$(go version | awk '{print $3}') FLAGS[go]="go build (default flags)"
else
	echo "!!!!!! peers-bench: the Go peer is skipped: no go toolchain (scripts/ensure-deps.sh peers)" >&2
	echo "meta: WARNING: the Go peer is skipped: no go toolchain" >&2
fi
if [ -f build/peers/pingpong.beam ] && command -v erl > /dev/null; then
	CMD[erlang]="erl +S %T:%T -noshell -pa build/peers -run pingpong main"
	COMPILER[erlang]="erlang OTP $(erl -noshell -eval 'io:format("~s erts-~s", [erlang:system_info(otp_release), erlang:system_info(version)]), halt().')"
	FLAGS[erlang]="erlc -Werror (default flags)"
else
	echo "!!!!!! peers-bench: the Erlang peer is skipped: no erl/erlc (scripts/ensure-deps.sh peers)" >&2
	echo "meta: WARNING: the Erlang peer is skipped: no erl/erlc" >&2
fi
points=()
for p in go erlang; do
	[ -n "${CMD[$p]:-}" ] || continue
	for t in "${tlist[@]}"; do
		name="runtime/pingpong/$p/$boot/t$t"
		if [ -z "$filter" ] || grep -Eq -- "$filter" <<<"$name"; then points+=("$p $t"); fi
	done
done
if [ -n "$list" ]; then
	for pt in "${points[@]}"; do read -r p t <<<"$pt"; echo "runtime/pingpong/$p/$boot/t$t"; done
	exit 0
fi
if [ ${#points[@]} -eq 0 ]; then
	echo "peers-bench: no peer point to run (FILTER='$filter', peers: ${!CMD[*]}): skipped" >&2
	exit 0
fi
[ -n "$csv" ] || { echo "peers-bench: --csv FILE is required" >&2; exit 2; }
csvrow=${SKYBENCH_CSVROW:-}
if [ -z "$csvrow" ]; then
	make -s -j2 bench-csvrow >&2 || exit 1
	csvrow=$(make -s print-bench-dir)/csvrow
fi
host=${SKYBENCH_HOST_LABEL:-$(hostname -s 2>/dev/null || hostname)}
run_id=${SKYBENCH_RUN_ID:-$host-$(date -u +%Y%m%dT%H%M%SZ)-peers}
git_rev=${SKYBENCH_GIT_REV:-$(git describe --always --dirty 2>/dev/null)}
for p in "${!CMD[@]}"; do echo "meta: peer: $p: ${COMPILER[$p]}, bench/peers/ (${FLAGS[$p]})" >&2; done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/peers-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
run() {	# PEER THREADS: the RESULT line; status 1 on any failure
	local cmd=${CMD[$1]//%T/$2} line rc
	timeout 600 $cmd "$pairs" "$messages" > "$tmp/out" 2>&1
	rc=$?
	line=$(grep -m1 '^RESULT pingpong ' "$tmp/out")
	printf '%s\n' "$line"
	if [ $rc -ne 0 ] || [ -z "$line" ] || [[ $line == *FAILED* ]]; then
		echo "!!!!!! peers-bench: $1 threads=$2 failed (exit $rc): ${line:-no RESULT line}" >&2
		tail -n 5 "$tmp/out" | sed 's/^/!!!!!!   /' >&2
		return 1
	fi
}
failed=0
if [ -z "$quick" ]; then
	for p in "${!CMD[@]}"; do run "$p" "$nproc" > /dev/null || failed=$((failed + 1)); done
fi
for ((r = 1; r <= reps; r++)); do
	mapfile -t order < <(printf '%s\n' "${points[@]}" | shuf)
	for pt in "${order[@]}"; do
		read -r p t <<<"$pt"
		line=$(run "$p" "$t")
		ok=$?
		check=pass value=$(kv msgs_per_sec "$line")
		[ $ok -eq 0 ] || { check=fail value=""; failed=$((failed + 1)); }
		cpus="?"
		for ((i = 1; i < t; i++)); do cpus="$cpus;?"; done
		"$csvrow" --csv "$csv" run_id="$run_id" host="$host" git_rev="$git_rev" variant="$p" \
			handle=- globalq=- timer=- sched=- sched_wake=- sched_next=- sched_steal=- \
			sched_inject=- part=runtime impl="$p" ceiling=0 peer="$p" benchmark=pingpong \
			params="messages=$messages;pairs=$pairs" threads="$t" oversubscribed=$((t > nproc)) \
			pin=none cpus="$cpus" rep="$r" metric=msgs_per_s value="$value" unit=msgs/s \
			ops="$(kv messages "$line")" wall_ns="$(awk -v s="$(kv seconds "$line")" 'BEGIN { printf "%.0f", s * 1e9 }')" \
			check=$check counters=- compiler="${COMPILER[$p]}" cflags="${FLAGS[$p]}" libs=- \
			cpu_model="$cpu_model" topology="$topology" kernel="$kernel" || failed=$((failed + 1))
		echo "[peers rep $r/$reps] $p threads=$t: ${value:-FAILED} msgs/s" >&2
	done
done
[ $failed -eq 0 ]
