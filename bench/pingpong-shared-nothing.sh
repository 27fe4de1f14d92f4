#!/usr/bin/env bash
# pingpong-shared-nothing.sh CPUS NODE CONFIG...: the shared-nothing ceiling of the
# whole-runtime ping-pong (scripts/pingpong.sh's ceiling:VARIANT points). Starts one node
# per CONFIG at the same time (each a 1-worker node with its share of the pairs and
# messages), pinned with taskset to the CPUs of the comma-separated list CPUS, one each in
# order ("none": unpinned), waits for all, and prints one line for them together,
#   RESULT pingpong pairs=P messages=N seconds=S msgs_per_sec=R
# P and N summed over the nodes, S the slowest node's seconds, R = N / S: no line is shared
# between the workers at all, so this is what the pairs reach when nothing is shared. Then
# each node's output: its skybench-sched counter lines with "node=K" after the prefix, the
# rest prefixed "node K: ". A node that fails (exit status, no RESULT line, FAILED) makes
# the line say FAILED and the exit status 1.
set -uo pipefail
[ $# -ge 3 ] || { echo "usage: $0 CPUS|none NODE CONFIG..." >&2; exit 2; }
cpus=$1 node=$2
shift 2
IFS=, read -r -a cpu <<<"$cpus"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/shared-nothing.XXXXXX")
pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
k=0
for cfg in "$@"; do
	pre=()
	[ "$cpus" != none ] && pre=(taskset -c "${cpu[$k]}")
	"${pre[@]}" "$node" "$cfg" > "$tmp/out.$k" 2>&1 &
	pids+=($!)
	k=$((k + 1))
done
bad=""
for ((k = 0; k < ${#pids[@]}; k++)); do
	wait "${pids[$k]}" || bad="$bad node $k exit $?;"
done
pids=()
awk -v bad="$bad" -v nodes=$# '
	FNR == 1 { k++ }
	/^RESULT pingpong / && !seen[k]++ {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if ($0 ~ /FAILED/) bad = bad " node " k - 1 " FAILED;"
		p += v["pairs"]; n += v["messages"]; if (v["seconds"] > s) s = v["seconds"]
		got++
	}
	END {
		if (got < nodes) bad = bad " " nodes - got " node(s) printed no RESULT line;"
		printf "RESULT pingpong pairs=%d messages=%.0f seconds=%.6f msgs_per_sec=%.0f%s\n",
			p, n, s, (s > 0 ? n / s : 0), (bad == "" ? "" : " FAILED(" bad ")")
		exit bad != ""
	}' $(for ((k = 0; k < $#; k++)); do echo "$tmp/out.$k"; done)
rc=$?
for ((k = 0; k < $#; k++)); do
	sed "s/^skybench-sched: /skybench-sched: node=$k /; t; s/^/node $k: /" "$tmp/out.$k"
done
exit $rc
