#!/usr/bin/env bash
# pingpong.sh [-r REPS] [-t "1 2"] [-p PAIRS] [-n MESSAGES] [-o DIR] SPEC...
# Ping-pong on the real node (services/pingpong.c, profile off): P pairs, one payload-less
# message in flight per pair, N messages, for each point and worker thread count. A point
# is one (spec, threads); REPS rounds, in each round every point runs once, in a fresh
# random order (docs/method.md rule 2: alternated, same invocation). A SPEC is
#   VARIANT[@REV][+KEY=VALUE...]  the variant's node. VARIANT@REV (e.g. baseline@HEAD~1)
#             builds VARIANT from git revision REV in a temporary git worktree under build/
#             (removed at the end), so a change and the commit before it are measured in one
#             alternated run. Each +KEY=VALUE is one more line of the node's config, e.g.
#             steal+sched_next=0, steal+sched_steal=one, steal+sched_wake=eager (ablations
#             and wake policies in the same rounds).
#   ceiling:VARIANT[@REV][+KEY=VALUE...]  the shared-nothing ceiling of those parts: at N
#             workers (N >= 2 of -t), N independent 1-worker nodes run at the same time, each
#             with PAIRS/N pairs and MESSAGES/N messages (bench/pingpong-shared-nothing.sh),
#             each pinned to its own CPU with taskset when there are N CPUs to give; the
#             point's rate is all messages over the slowest node's seconds. Rows: ceiling=1.
#   go, erlang  the same ping-pong written for Go (goroutines, unbuffered channels,
#             GOMAXPROCS = workers) and Erlang (processes, erl +S N:N), bench/peers/, built
#             by make peers; rows say peer=go or peer=erlang. A peer whose toolchain is
#             missing is skipped, loudly (stderr and a WARNING line in the .meta).
# Every node runs with sched_counters = true: each row keeps the scheduler's settings (the
# sched* columns) and its counters summed over the workers (counters); the per-worker lines
# go to a .counters file beside the CSV.
#
# Writes, like make bench, DIR/<stamp>-pingpong.csv (DIR: -o, default results/<host>/), one
# row per run in the schema of results/README.md (part=runtime, benchmark=pingpong, impl the
# point's spec, written by bench/csvrow), a .meta beside it (revision, points, host, CPU,
# topology, kernel, compiler and flags, library versions, load, a WARNING when other
# processes use the CPUs; `result:` at the end) and the .counters file. Progress on stderr;
# on stdout at the end, per point, the median [min, max] of messages/s and its fraction of
# the ceiling of the same parts at the same worker count (when that ceiling is a point of
# the run), then the median of the scheduler counters per 1000 messages. A failed run has a
# check=fail row and makes the script exit 1 after the other runs.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.." || exit 2
root=$PWD
reps=5 threads="1 2" pairs=16 messages=10000000 outdir=""
usage() { echo "usage: $0 [-r REPS] [-t THREADS] [-p PAIRS] [-n MESSAGES] [-o DIR] VARIANT[@REV][+KEY=VALUE...] | ceiling:VARIANT... | go | erlang ..." >&2; exit 2; }
# bad option values are one line and exit 2 before anything is built or written
bad() { echo "pingpong: $1" >&2; exit 2; }
count() {	# count OPT VALUE MAX: a whole number from 1 to MAX
	[[ $2 =~ ^[0-9]{1,10}$ ]] && [ "$2" -ge 1 ] && [ "$2" -le "$3" ] ||
		bad "bad $1 '$2' (an integer from 1 to $3)"
}
while getopts ":r:t:p:n:o:" o; do
	case $o in
	r) count -r "$OPTARG" 1000; reps=$OPTARG ;;
	t) for t in $OPTARG; do count -t "$t" 4096; done; [ -n "${OPTARG// }" ] || bad "empty -t"; threads=$OPTARG ;;
	p) count -p "$OPTARG" 100000; pairs=$OPTARG ;;
	n) count -n "$OPTARG" 1000000000000; messages=$OPTARG ;;
	o) outdir=$OPTARG ;;
	:) bad "option -$OPTARG needs a value (usage: scripts/pingpong.sh -h)" ;;
	*) [ "$OPTARG" = h ] && usage; bad "unknown option -$OPTARG (usage: scripts/pingpong.sh -h)" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- baseline
specs=("$@")

# the parts of a spec: kind (variant, ceiling, peer), base (VARIANT[@REV]), overrides
declare -A KIND BASE OVR
for spec in "${specs[@]}"; do
	case $spec in
	go|erlang) KIND[$spec]=peer BASE[$spec]=$spec OVR[$spec]="" ; continue ;;
	ceiling:*) KIND[$spec]=ceiling s=${spec#ceiling:} ;;
	*) KIND[$spec]=variant s=$spec ;;
	esac
	BASE[$spec]=${s%%+*} OVR[$spec]=""
	[[ $s == *+* ]] && OVR[$spec]=$(tr '+' ' ' <<<"${s#*+}")
	for kv in ${OVR[$spec]}; do
		[[ $kv =~ ^[a-z_][a-z0-9_]*=[A-Za-z0-9_.-]+$ ]] ||
			{ echo "pingpong: $spec: '+$kv' is not +KEY=VALUE (a config key, a plain value)" >&2; exit 2; }
		case ${kv%%=*} in thread|cpath|bootstrap|profile|sched_counters)
			echo "pingpong: $spec: '+${kv%%=*}' is set by the driver itself" >&2; exit 2 ;;
		esac
	done
	# a variant of this tree is checked now, in make's own words on one line, not by a
	# failed build (one of another revision when its worktree is made)
	if [ "${KIND[$spec]}" != peer ] && [[ ${BASE[$spec]} != *@* ]]; then
		err=$(make -s --no-print-directory -n VARIANT="${BASE[$spec]}" print-build 2>&1 >/dev/null) || {
			err=${err#*\*\*\* }; err=${err//[$'\n\r']/?}
			bad "$(printf %q "$spec"): ${err%.  Stop.}"
		}
	fi
done

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

# --- build every variant once (this tree, or REV in a temporary worktree), and the peers ---
make -s -j2 bench-csvrow >&2 || { echo "pingpong: build of csvrow failed" >&2; exit 1; }
csvrow=$(make -s print-bench-dir)/csvrow
declare -A BUILD FLAGS PEER_CMD
skipped=()
for spec in "${specs[@]}"; do
	[ "${KIND[$spec]}" = peer ] && continue
	b=${BASE[$spec]}
	[ -n "${BUILD[$b]:-}" ] && continue
	v=${b%%@*} src=$root
	if [[ $b == *@* ]]; then
		rev=${b#*@}
		git rev-parse -q --verify "$rev^{commit}" >/dev/null ||
			{ echo "pingpong: $spec: '$rev' is not a git revision here" >&2; exit 2; }
		mkdir -p build
		src=$(mktemp -d "$root/build/pingpong-rev.XXXXXX")
		worktrees+=("$src")
		git worktree add -q --detach "$src" "$rev" >&2 ||
			{ echo "pingpong: $spec: git worktree add failed" >&2; exit 1; }
	fi
	echo "pingpong: building $b ..." >&2
	FLAGS[$b]=1
	# revisions older than `make driver-build` build the node and services only, and their
	# compile flags are not known
	if ! make -C "$src" --no-print-directory -s -j2 VARIANT="$v" driver-build >&2; then
		make -C "$src" --no-print-directory -s -j2 VARIANT="$v" node services >&2 ||
			{ echo "pingpong: build of $b failed" >&2; exit 1; }
		echo "!!!!!! pingpong: $b predates make driver-build: its rows say cflags=unknown" >&2
		FLAGS[$b]=""
	fi
	d=$(make -C "$src" --no-print-directory -s VARIANT="$v" print-build) || { echo "pingpong: $b: no print-build" >&2; exit 1; }
	BUILD[$b]=$src/$d
done
for spec in "${specs[@]}"; do
	[ "${KIND[$spec]}" = peer ] || continue
	make -s peers >&2
	case $spec in
	go) [ -x build/peers/pingpong-go ] && command -v go >/dev/null &&
		PEER_CMD[go]="$root/build/peers/pingpong-go" ;;
	erlang) [ -f build/peers/pingpong.beam ] && command -v erl >/dev/null &&
		PEER_CMD[erlang]="erl -noshell -pa $root/build/peers -run pingpong main" ;;
	esac
	if [ -z "${PEER_CMD[$spec]:-}" ]; then
		skipped+=("peer $spec skipped: its toolchain is not installed (scripts/ensure-deps.sh peers)")
		echo "!!!!!! pingpong: ${skipped[-1]}" >&2
	fi
done

# --- what every row carries (docs/method.md rule 1) ---
host=$(hostname -s 2>/dev/null || hostname)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
run_id=$host-$stamp-pingpong
. bench/meta.sh	# row_node, row_sched, row_counters, row_compiler, row_machine, m, meta_*
row_machine
outdir=${outdir:-results/$host}
mkdir -p "$outdir" || exit 2
csv=$outdir/$stamp-pingpong.csv
meta=$outdir/$stamp-pingpong.meta
ctrs=$outdir/$stamp-pingpong.counters
> "$meta"
m run_id "$run_id"
m driver "scripts/pingpong.sh (ping-pong only: not a make bench run)"
m date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
tree_rev=$(git describe --always --dirty 2>/dev/null)
m git_rev "$tree_rev"
m git_status "$(git status --short 2>/dev/null | tr '\n' ' ')"
m variant "${specs[*]}"
meta_machine
for s in "${skipped[@]}"; do m WARNING "$s"; done

# the CPUs a shared-nothing point may pin its nodes to, one each
allowed=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status | tr ',' '\n' |
	awk -F- '{ for (c = $1; c <= ($2 == "" ? $1 : $2); c++) print c }' | paste -sd,)
command -v taskset >/dev/null || allowed=""

# --- the points: a label, the fields of its rows, a command printing a RESULT line ---
labels=()
declare -A P_SPEC P_T P_SCHED
add_point() {	# LABEL SPEC THREADS FIELDS-FILE COMMAND...: COMMAND prints "RESULT pingpong ..."
	local i=${#labels[@]}
	labels+=("$1")
	P_SPEC[$i]=$2 P_T[$i]=$3 P_SCHED[$i]=${sched:--}
	cp "$4" "$tmp/fields.$i"
	shift 4
	printf '%q ' "$@" > "$tmp/cmd.$i"
}
# config SPEC THREADS PAIRS MESSAGES FILE: a node config for the point
config() {
	local kv v
	{
		echo "thread = $2"
		echo "cpath = \"${BUILD[${BASE[$1]}]}/services/?.so\""
		echo "bootstrap = \"pingpong $3 $4\""
		echo "profile = false"
		echo "sched_counters = true"
		for kv in ${OVR[$1]}; do
			v=${kv#*=}
			[[ $v =~ ^(-?[0-9]+|true|false)$ ]] || v="\"$v\""
			echo "${kv%%=*} = $v"
		done
	} > "$5"
}
for spec in "${specs[@]}"; do
	kind=${KIND[$spec]}
	if [ "$kind" = peer ]; then
		[ -n "${PEER_CMD[$spec]:-}" ] || continue
		sched=-
		if [ "$spec" = go ]; then
			compiler="$(go version | awk '{print $3}')" cflags="go build (default flags)"
		else
			compiler="erlang OTP $(erl -noshell -eval 'io:format("~s erts-~s", [erlang:system_info(otp_release), erlang:system_info(version)]), halt().')"
			cflags="erlc -Werror (default flags)"
		fi
		m point "$spec: peer, $compiler, bench/peers/ ($cflags)"
		for t in $threads; do
			cpus="?"
			for ((i = 1; i < t; i++)); do cpus="$cpus;?"; done
			printf '%s\n' "git_rev=$tree_rev" "variant=$spec" "handle=-" "globalq=-" "timer=-" \
				"sched=-" "mailbox=-" "impl=$spec" "peer=$spec" "ceiling=0" "threads=$t" \
				"oversubscribed=$((t > nproc))" "pin=none" "cpus=$cpus" "compiler=$compiler" \
				"cflags=$cflags" "libs=-" > "$tmp/fields"
			if [ "$spec" = go ]; then
				add_point "$spec threads=$t" "$spec" "$t" "$tmp/fields" ${PEER_CMD[go]} "$t" "$pairs" "$messages"
			else
				add_point "$spec threads=$t" "$spec" "$t" "$tmp/fields" erl +S "$t:$t" ${PEER_CMD[erlang]#erl } "$pairs" "$messages"
			fi
		done
		continue
	fi
	b=${BASE[$spec]}
	node=${BUILD[$b]}/skybench-node
	version=$("$node" --version) || { echo "pingpong: $node --version failed" >&2; exit 1; }
	row_node "$version"
	cc=cc cflags=unknown libs=unknown
	if [ -n "${FLAGS[$b]}" ]; then
		flag() { sed -n "s/^$1=//p" "${BUILD[$b]}/compile-flags"; }
		cc=$(flag cc) cflags=$(flag cflags) libs=$(flag libs)
	fi
	row_compiler "$cc"
	row_sched "${OVR[$spec]}"
	m point "$spec: $version (from $([[ $b == *@* ]] && echo "revision ${b#*@}, $(git rev-parse "${b#*@}")" || echo "this tree")); sched=$sched sched_wake=$sched_wake sched_next=$sched_next sched_steal=$sched_steal sched_inject=$sched_inject${OVR[$spec]:+; config adds ${OVR[$spec]}}"
	m compiler "$spec: $cc: $("$cc" --version 2>/dev/null | head -1)"
	m cflags "$spec: $cflags"
	m libs "$spec: $libs"
	if [[ $version != *" sched "* ]] && [[ ${OVR[$spec]} == *sched_* ]]; then
		echo "!!!!!! pingpong: $spec: its node names no scheduler part (a revision before it): it ignores ${OVR[$spec]}" >&2
		m WARNING "$spec: its node names no scheduler part: it ignores ${OVR[$spec]}"
	fi
	for t in $threads; do
		fields=("git_rev=$git_rev" "variant=$vname" "handle=$handle" "globalq=$globalq"
			"timer=$timer" "sched=$sched" "mailbox=$mailbox" "impl=$spec" "peer=" "threads=$t"
			"oversubscribed=$((t > nproc))" "compiler=$compiler" "cflags=$cflags" "libs=$libs")
		cpus="?"
		for ((i = 1; i < t; i++)); do cpus="$cpus;?"; done
		if [ "$kind" = variant ]; then
			printf '%s\n' "${fields[@]}" "ceiling=0" "pin=none" "cpus=$cpus" > "$tmp/fields"
			cfg=$tmp/config.${#labels[@]}
			config "$spec" "$t" "$pairs" "$messages" "$cfg"
			add_point "$spec threads=$t" "$spec" "$t" "$tmp/fields" "$node" "$cfg"
			continue
		fi
		# the shared-nothing ceiling: t nodes of 1 worker, the pairs and messages split
		if [ "$t" -lt 2 ]; then
			echo "pingpong: $spec: no ceiling point at 1 worker (the 1-worker node itself is one)" >&2
			continue
		fi
		if [ $((pairs % t)) -ne 0 ] || [ $((messages / t)) -lt $((2 * pairs / t)) ]; then
			echo "!!!!!! pingpong: $spec threads=$t skipped: $pairs pairs and $messages messages do not split over $t nodes" >&2
			m WARNING "$spec threads=$t skipped: $pairs pairs and $messages messages do not split over $t nodes"
			continue
		fi
		pin=none pinlist=none
		if [ -n "$allowed" ] && [ "$(tr ',' '\n' <<<"$allowed" | wc -l)" -ge "$t" ]; then
			pinlist=$(tr ',' '\n' <<<"$allowed" | head -n "$t" | paste -sd,)
			pin=list:$pinlist cpus=${pinlist//,/;}
		fi
		m ceiling_pin "$spec threads=$t: $([ "$pin" = none ] && echo "unpinned (no taskset or fewer than $t CPUs allowed)" || echo "node k on CPU k of $pinlist (taskset)")"
		printf '%s\n' "${fields[@]}" "ceiling=1" "pin=$pin" "cpus=$cpus" > "$tmp/fields"
		cfgs=()
		for ((k = 0; k < t; k++)); do
			cfgs+=("$tmp/config.${#labels[@]}.$k")
			config "$spec" 1 $((pairs / t)) $((messages / t)) "${cfgs[-1]}"
		done
		add_point "$spec threads=$t" "$spec" "$t" "$tmp/fields" \
			bench/pingpong-shared-nothing.sh "$pinlist" "$node" "${cfgs[@]}"
	done
done
[ ${#labels[@]} -gt 0 ] || { echo "pingpong: no point to run" >&2; exit 1; }
m pin "none for the variants and peers (the node does not pin its worker threads); ceiling points: see ceiling_pin"
m knobs "-r $reps -t '$threads' -p $pairs -n $messages"
meta_state

# --- REPS rounds, each a fresh random order of every point ---
total=$((reps * ${#labels[@]})) done_=0 failed=0 start=$(date +%s)
: > "$tmp/samples"
: > "$tmp/counters"
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
		# the scheduler: settings (the node's own line when it printed one) and counters
		spec=${P_SPEC[$i]}
		if [ "${KIND[$spec]}" = peer ]; then
			sched_wake=- sched_next=- sched_steal=- sched_inject=- counters=-
		else
			sched=${P_SCHED[$i]}
			row_sched "${OVR[$spec]}"
			row_counters "$tmp/out"
			row_sched_check | sed "s/^/!!!!!! pingpong: ${labels[$i]}: /" >&2
			grep -h '^skybench-sched: ' "$tmp/out" | sed "s/^/$spec threads=${P_T[$i]} rep=$r: /" >> "$ctrs"
			[ $ok = 1 ] && [ -n "$counters" ] && echo "${labels[$i]}|$(kv messages "$line")|$counters" >> "$tmp/counters"
		fi
		# params: every key of the RESULT line but the rate, seconds and the count (as
		# scripts/runtime-bench.sh names the same benchmark)
		for kvp in ${line#RESULT pingpong }; do
			case ${kvp%%=*} in msgs_per_sec|seconds|ops) continue ;; esac
			[[ $kvp == *=* ]] && [[ $kvp != FAILED* ]] && ps="$ps${kvp}"$'\n'
		done
		ps=$(printf '%s' "$ps" | sort | paste -sd';')
		[ -z "$ps" ] && ps="messages=$messages;pairs=$pairs"
		ops=$(kv messages "$line")
		wall=$(awk -v s="$(kv seconds "$line")" 'BEGIN { printf "%.0f", s * 1e9 }')
		"$csvrow" --stdin --csv "$csv" run_id="$run_id" host="$host" part=runtime \
			benchmark=pingpong params="$ps" rep="$r" metric=msgs_per_s value="$value" \
			unit=msgs/s ops="${ops:-0}" wall_ns="$wall" check=$check cpu_model="$cpu_model" \
			topology="$topology" kernel="$kernel" sched_wake="$sched_wake" \
			sched_next="$sched_next" sched_steal="$sched_steal" sched_inject="$sched_inject" \
			counters="$counters" < "$tmp/fields.$i" || ok=0
		[ $ok = 1 ] || failed=$((failed + 1))
		done_=$((done_ + 1))
		el=$(( $(date +%s) - start ))
		echo "[pingpong $done_/$total, ETA $(( el * (total - done_) / done_ ))s] round $r: ${labels[$i]}: ${value:-FAILED} msgs/s (exit $rc)" >&2
	done
done
if [ ! -s "$ctrs" ]; then
	rm -f "$ctrs"
	m counters_file "none: no node printed scheduler counters"
	grep -q '^variant\|^ceiling' <(printf '%s\n' "${KIND[@]}") &&
		echo "!!!!!! pingpong: no node printed scheduler counters (revisions before sched_counters): the counters column is empty" >&2
else
	m counters_file "$ctrs (the per-worker skybench-sched lines of every run, prefixed by point and round)"
fi
m loadavg_after "$(cat /proc/loadavg)"
m duration_s "$(( $(date +%s) - start ))"
m result "$([ $failed -eq 0 ] && echo ok || echo "FAILED: $failed runs")"

# --- the summary: medians, fractions of the ceiling, counters per message ---
for i in "${!labels[@]}"; do
	printf '%s|%s|%s|%s\n' "${labels[$i]}" "${KIND[${P_SPEC[$i]}]}" "${BASE[${P_SPEC[$i]}]}" "${P_T[$i]}"
done > "$tmp/points"
awk -F'|' -v reps="$reps" -f bench/pingpong-summary.awk "$tmp/samples" "$tmp/counters" "$tmp/points"
echo "pingpong: rows in $csv, machine state in $meta" >&2
[ $failed -eq 0 ]
