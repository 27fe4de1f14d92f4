#!/usr/bin/env bash
# pingpong.sh [-r REPS] [-t "1 2"] [-p PAIRS] [-n MESSAGES] [-o DIR] VARIANT[@REV]...
# Ping-pong on the real node (services/pingpong.c, profile off): P pairs, one payload-less
# message in flight per pair, N messages, for each variant and worker thread count. A point
# is one (variant, threads); REPS rounds, in each round every point runs once, in a fresh
# random order (docs/method.md rule 2: alternated, same invocation).
#
# VARIANT@REV (e.g. baseline@HEAD~1) builds VARIANT from git revision REV in a temporary
# git worktree under build/ (removed at the end), so a change and the commit before it are
# measured in one alternated run; its rows say impl=VARIANT@REV and the revision built.
#
# Writes, like make bench, DIR/<stamp>-pingpong.csv (DIR: -o, default results/<host>/), one
# row per run in the schema of results/README.md (part=runtime, benchmark=pingpong, impl the
# point's variant, written by bench/csvrow), and a .meta beside it (revision, points, host,
# CPU, topology, kernel, compiler and flags, library versions, load, a WARNING when other
# processes use the CPUs; `result:` at the end). Progress on stderr; per point, the median
# [min, max] of messages/s on stdout at the end. A failed run has a check=fail row and makes
# the script exit 1 after the other runs.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.." || exit 2
root=$PWD
reps=5 threads="1 2" pairs=16 messages=10000000 outdir=""
usage() { echo "usage: $0 [-r REPS] [-t THREADS] [-p PAIRS] [-n MESSAGES] [-o DIR] VARIANT[@REV]..." >&2; exit 2; }
while getopts "r:t:p:n:o:" o; do
	case $o in
	r) reps=$OPTARG ;; t) threads=$OPTARG ;; p) pairs=$OPTARG ;; n) messages=$OPTARG ;;
	o) outdir=$OPTARG ;; *) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- baseline
specs=("$@")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pingpong.XXXXXX")
worktrees=()
cleanup() {
	local w
	for w in "${worktrees[@]}"; do
		git worktree remove --force "$w" 2>/dev/null || rm -rf "$w"
	done
	[ ${#worktrees[@]} -gt 0 ] && git worktree prune
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build every variant: this tree, or REV in a temporary worktree ---
make -s -j2 bench-csvrow >&2 || { echo "pingpong: build of csvrow failed" >&2; exit 1; }
csvrow=$(make -s print-bench-dir)/csvrow
declare -A BUILD FLAGS
for spec in "${specs[@]}"; do
	v=${spec%%@*} src=$root
	if [[ $spec == *@* ]]; then
		rev=${spec#*@}
		git rev-parse -q --verify "$rev^{commit}" >/dev/null ||
			{ echo "pingpong: $spec: '$rev' is not a git revision here" >&2; exit 2; }
		mkdir -p build
		src=$(mktemp -d "$root/build/pingpong-rev.XXXXXX")
		worktrees+=("$src")
		git worktree add -q --detach "$src" "$rev" >&2 ||
			{ echo "pingpong: $spec: git worktree add failed" >&2; exit 1; }
	fi
	echo "pingpong: building $spec ..." >&2
	FLAGS[$spec]=1
	# revisions older than `make driver-build` build the node and services only, and their
	# compile flags are not known
	if ! make -C "$src" --no-print-directory -s -j2 VARIANT="$v" driver-build >&2; then
		make -C "$src" --no-print-directory -s -j2 VARIANT="$v" node services >&2 ||
			{ echo "pingpong: build of $spec failed" >&2; exit 1; }
		echo "!!!!!! pingpong: $spec predates make driver-build: its rows say cflags=unknown" >&2
		FLAGS[$spec]=""
	fi
	b=$(make -C "$src" --no-print-directory -s VARIANT="$v" print-build) || { echo "pingpong: $spec: no print-build" >&2; exit 1; }
	BUILD[$spec]=$src/$b
done

# --- what every row carries (docs/method.md rule 1) ---
host=$(hostname -s 2>/dev/null || hostname)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
run_id=$host-$stamp-pingpong
. bench/meta.sh	# row_node, row_compiler, row_machine, m, meta_machine, meta_state
row_machine
outdir=${outdir:-results/$host}
mkdir -p "$outdir" || exit 2
csv=$outdir/$stamp-pingpong.csv
meta=$outdir/$stamp-pingpong.meta
> "$meta"
m run_id "$run_id"
m driver "scripts/pingpong.sh (ping-pong only: not a make bench run)"
m date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
m git_rev "$(git describe --always --dirty 2>/dev/null)"
m git_status "$(git status --short 2>/dev/null | tr '\n' ' ')"
m variant "${specs[*]}"
meta_machine

# --- the points: a label, the fields of its rows, a command printing a RESULT line ---
# (a ceiling point, e.g. a runtime-free ping-pong, is one more label, fields file and command)
labels=()
add_point() {	# LABEL FIELDS-FILE COMMAND...: COMMAND prints "RESULT pingpong ... seconds= msgs_per_sec="
	local i=${#labels[@]}
	labels+=("$1")
	cp "$2" "$tmp/fields.$i"
	shift 2
	printf '%q ' "$@" > "$tmp/cmd.$i"
}
for spec in "${specs[@]}"; do
	node=${BUILD[$spec]}/skybench-node
	version=$("$node" --version) || { echo "pingpong: $node --version failed" >&2; exit 1; }
	row_node "$version"
	cc=cc cflags=unknown libs=unknown
	if [ -n "${FLAGS[$spec]}" ]; then
		flag() { sed -n "s/^$1=//p" "${BUILD[$spec]}/compile-flags"; }
		cc=$(flag cc) cflags=$(flag cflags) libs=$(flag libs)
	fi
	row_compiler "$cc"
	impl=$vname
	[[ $spec == *@* ]] && impl=$vname@${spec#*@}
	m point "$impl: $version (from $([[ $spec == *@* ]] && echo "revision ${spec#*@}, $(git rev-parse "${spec#*@}")" || echo "this tree"))"
	m compiler "$impl: $cc: $("$cc" --version 2>/dev/null | head -1)"
	m cflags "$impl: $cflags"
	m libs "$impl: $libs"
	for t in $threads; do
		cpus="?"
		for ((i = 1; i < t; i++)); do cpus="$cpus;?"; done
		printf '%s\n' "git_rev=$git_rev" "variant=$vname" "handle=$handle" "globalq=$globalq" \
			"timer=$timer" "impl=$impl" "ceiling=0" "threads=$t" "oversubscribed=$((t > nproc))" \
			"cpus=$cpus" "compiler=$compiler" "cflags=$cflags" "libs=$libs" > "$tmp/fields"
		cfg=$tmp/config.${#labels[@]}
		cat > "$cfg" <<CFG
thread = $t
cpath = "${BUILD[$spec]}/services/?.so"
bootstrap = "pingpong $pairs $messages"
profile = false
CFG
		add_point "$impl threads=$t" "$tmp/fields" "$node" "$cfg"
	done
done
m pin "none (unpinned: the node does not pin its worker threads)"
m knobs "-r $reps -t '$threads' -p $pairs -n $messages"
meta_state

# --- REPS rounds, each a fresh random order of every point ---
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }
total=$((reps * ${#labels[@]})) done_=0 failed=0 start=$(date +%s)
echo "pingpong: ${#labels[@]} points x $reps rounds = $total runs, rows to $csv" >&2
for ((r = 1; r <= reps; r++)); do
	mapfile -t order < <(seq 0 $((${#labels[@]} - 1)) | shuf)
	for i in "${order[@]}"; do
		eval "timeout 600 $(cat "$tmp/cmd.$i")" > "$tmp/out" 2>&1
		rc=$?
		line=$(grep -m1 '^RESULT pingpong ' "$tmp/out")
		ok=1 ps="" value="" check=pass
		if [ $rc -ne 0 ] || [ -z "$line" ] || [[ $line == *FAILED* ]]; then
			ok=0 check=fail
			echo "!!!!!! pingpong: ${labels[$i]} failed: ${line:-no RESULT line}" >&2
			tail -n 5 "$tmp/out" | sed 's/^/!!!!!!   /' >&2
		else
			value=$(kv msgs_per_sec "$line")
			echo "${labels[$i]}|$value" >> "$tmp/samples"
		fi
		# params: every key of the RESULT line but the rate, seconds and the count (as
		# scripts/runtime-bench.sh names the same benchmark)
		for kvp in ${line#RESULT pingpong }; do
			case ${kvp%%=*} in msgs_per_sec|seconds|ops) continue ;; esac
			[[ $kvp == *=* ]] && ps="$ps${kvp}"$'\n'
		done
		ps=$(printf '%s' "$ps" | sort | paste -sd';')
		[ -z "$ps" ] && ps="messages=$messages;pairs=$pairs"
		ops=$(kv messages "$line")
		wall=$(awk -v s="$(kv seconds "$line")" 'BEGIN { printf "%.0f", s * 1e9 }')
		"$csvrow" --stdin --csv "$csv" run_id="$run_id" host="$host" part=runtime \
			benchmark=pingpong params="$ps" pin=none rep="$r" metric=msgs_per_s value="$value" \
			unit=msgs/s ops="${ops:-0}" wall_ns="$wall" check=$check cpu_model="$cpu_model" \
			topology="$topology" kernel="$kernel" < "$tmp/fields.$i" || ok=0
		[ $ok = 1 ] || failed=$((failed + 1))
		done_=$((done_ + 1))
		el=$(( $(date +%s) - start ))
		echo "[pingpong $done_/$total, ETA $(( el * (total - done_) / done_ ))s] round $r: ${labels[$i]}: ${value:-FAILED} msgs/s (exit $rc)" >&2
	done
done
m loadavg_after "$(cat /proc/loadavg)"
m duration_s "$(( $(date +%s) - start ))"
m result "$([ $failed -eq 0 ] && echo ok || echo "FAILED: $failed runs")"

echo "point median [min, max] messages/s over $reps rounds"
for i in "${!labels[@]}"; do
	awk -F'|' -v p="${labels[$i]}" '$1 == p { print $2 }' "$tmp/samples" 2>/dev/null | sort -n |
		awk -v p="${labels[$i]}" '{ a[NR] = $1 } END {
			if (NR == 0) { printf "%-40s no sample\n", p; exit }
			m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			printf "%-40s %12.0f [%.0f, %.0f]\n", p, m, a[1], a[NR] }'
done
echo "pingpong: rows in $csv, machine state in $meta" >&2
[ $failed -eq 0 ]
