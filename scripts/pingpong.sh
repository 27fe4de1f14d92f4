#!/usr/bin/env bash
# pingpong.sh [-r REPS] [-t "1 2"] [-p PAIRS] [-n MESSAGES] VARIANT...
# Ping-pong on the real node (services/pingpong.c, profile off): P pairs, one payload-less
# message in flight per pair, N messages. Builds each variant, then runs REPS rounds; in
# each round every (variant, threads) point runs once, in a fresh random order
# (docs/method.md rule 2: alternated, same invocation). Prints one CSV row per run and, per
# point, the median, min and max messages/second.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=5 threads="1 2" pairs=16 messages=10000000
while getopts "r:t:p:n:" o; do
	case $o in
	r) reps=$OPTARG ;; t) threads=$OPTARG ;; p) pairs=$OPTARG ;; n) messages=$OPTARG ;;
	*) echo "usage: $0 [-r REPS] [-t THREADS] [-p PAIRS] [-n MESSAGES] VARIANT..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- baseline
for v in "$@"; do
	echo "building $v ..." >&2
	make -s -j2 VARIANT="$v" node services >/dev/null
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
points=()
for v in "$@"; do for t in $threads; do points+=("$v $t"); done; done
echo "variant,threads,pairs,messages,rep,seconds,msgs_per_sec"
total=$(( reps * ${#points[@]} )) done_=0
for r in $(seq 1 "$reps"); do
	mapfile -t order < <(printf '%s\n' "${points[@]}" | shuf)
	for p in "${order[@]}"; do
		set -- $p
		v=$1 t=$2
		dir=$(make -s VARIANT="$v" print-build)
		cat > "$tmp/c" <<CFG
thread = $t
cpath = "$dir/services/?.so"
bootstrap = "pingpong $pairs $messages"
profile = false
CFG
		line=$("$dir/skybench-node" "$tmp/c" | grep '^RESULT pingpong') || { echo "run failed: $v t=$t" >&2; exit 1; }
		case "$line" in *FAILED*) echo "check failed: $line" >&2; exit 1 ;; esac
		sec=$(sed 's/.*seconds=\([0-9.]*\).*/\1/' <<<"$line")
		rate=$(sed 's/.*msgs_per_sec=\([0-9]*\).*/\1/' <<<"$line")
		echo "$v,$t,$pairs,$messages,$r,$sec,$rate" | tee -a "$tmp/rows"
		done_=$((done_ + 1))
		echo "[$done_/$total] $v threads=$t: $rate msg/s" >&2
	done
done
echo >&2
echo "variant threads median min max (messages/s, $reps runs)" >&2
for p in "${points[@]}"; do
	set -- $p
	awk -F, -v v="$1" -v t="$2" '$1==v && $2==t {print $7}' "$tmp/rows" | sort -n |
		awk -v v="$1" -v t="$2" '{a[NR]=$1} END {m = NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2;
			printf "%-22s %s %10.0f %10.0f %10.0f\n", v, t, m, a[1], a[NR]}' >&2
done
