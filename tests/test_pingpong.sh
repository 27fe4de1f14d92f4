#!/usr/bin/env bash
# skybench-test: host
# scripts/pingpong.sh end to end, tiny (-r 1 -t 1 -p 2 -n 2000): the variant from this tree
# and baseline@HEAD, built from HEAD in a temporary git worktree. It writes one CSV in the
# results schema (one row per run, impl naming the point, the revision each was built from)
# and a .meta with the machine's state and a result line, prints median [min, max] per
# point, and removes the worktree. It builds its own native, unsanitized baseline (the
# make variables of the calling make are not passed on), whatever this matrix builds.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 1 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
tmp=$(mktemp -d /tmp/skybench-pingpong.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 2
if ! git rev-parse -q --verify HEAD >/dev/null 2>&1; then
	echo "ok 1 # SKIP not a git checkout: VARIANT@REV needs one"
	echo "SKIPPED CHECK: scripts/pingpong.sh baseline@HEAD (not a git checkout)" >&2
	echo "1..1"
	exit 0
fi
pp() { env -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL "$root/scripts/pingpong.sh" "$@"; }

pp -r 1 -t 1 -p 2 -n 2000 -o "$tmp/out" baseline baseline@HEAD > "$tmp/stdout" 2> "$tmp/stderr"
rc=$?
ok $([ $rc = 0 ] && echo 1 || echo 0) "pingpong.sh baseline baseline@HEAD exits 0 (got $rc)"
[ $rc = 0 ] || tail -n 20 "$tmp/stderr" | sed 's/^/# /'
csv=$(ls "$tmp"/out/*-pingpong.csv 2>/dev/null)
meta=${csv%.csv}.meta
ok $([ -n "$csv" ] && [ -s "$csv" ] && [ -s "$meta" ] && echo 1 || echo 0) "one CSV and its .meta in -o DIR ($(ls "$tmp/out" 2>/dev/null | tr '\n' ' '))"
# the schema check of this matrix's build (make test builds it), else the native one
summary=${SKYBENCH_BENCH_DIR:-$(env -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL make -s --no-print-directory print-bench-dir)}/summary
${SKYBENCH_RUNNER:-} "$summary" --check --quiet "$csv" 2>"$tmp/check"
ok $([ $? = 0 ] && echo 1 || echo 0) "the CSV passes the schema check ($(cat "$tmp/check"))"
head_rev=$(git describe --always HEAD)
got=$(python3 -c '
import csv, sys
rows = sorted(csv.DictReader(open(sys.argv[1], newline="")), key=lambda r: r["impl"])
for r in rows:
	print(r["impl"], r["variant"], r["git_rev"], r["part"], r["benchmark"], r["params"], r["threads"],
	      r["rep"], r["metric"], r["unit"], r["ops"], r["check"], r["value"].isdigit(), r["pin"], r["cpus"],
	      r["cflags"] != "unknown", r["run_id"] == rows[0]["run_id"])
' "$csv")
want="baseline baseline $(git describe --always --dirty) runtime pingpong messages=2000;pairs=2 1 1 msgs_per_s msgs/s 2000 pass True none ? True True
baseline@HEAD baseline $head_rev runtime pingpong messages=2000;pairs=2 1 1 msgs_per_s msgs/s 2000 pass True none ? True True"
ok $([ "$got" = "$want" ] && echo 1 || echo 0) "one row per point: impl names the point, git_rev the revision built, the ping-pong's parameters and count"
[ "$got" = "$want" ] || { echo "# got:"; sed 's/^/#   /' <<<"$got"; echo "# want:"; sed 's/^/#   /' <<<"$want"; }
missing=""
for k in run_id date git_rev variant host cpu_model topology kernel compiler cflags libs pin knobs loadavg_before governor loadavg_after; do
	grep -q "^$k: " "$meta" || missing="$missing $k"
done
ok $([ -z "$missing" ] && grep -q '^result: ok$' "$meta" && echo 1 || echo 0) ".meta has the machine's state and result: ok (missing:${missing:- none})"
ok $(grep -q "^point: baseline@HEAD: skybench-node baseline .* git $head_rev (from revision HEAD, $(git rev-parse HEAD))" "$meta" && echo 1 || echo 0) \
	".meta names the revision each point was built from"
ok $([ "$(grep -c '^baseline\(@HEAD\)\? threads=1 *[0-9]* \[[0-9]*, [0-9]*\]$' "$tmp/stdout")" = 2 ] && echo 1 || echo 0) \
	"median [min, max] per point on stdout"
ok $(grep -q '^\[pingpong 2/2' "$tmp/stderr" && echo 1 || echo 0) "progress on stderr"
# (this checkout's worktrees only: others of the same repository may run this test too)
ok $(! git worktree list | grep -q "$root/build/pingpong-rev" && ! ls -d build/pingpong-rev.* >/dev/null 2>&1 && echo 1 || echo 0) \
	"the temporary worktree is gone"

# --- overrides, the ceiling, the peers ---
pp -r 1 -t "1 2" -p 2 -n 2000 -o "$tmp/kinds" baseline+sched_wake=eager ceiling:baseline go erlang > "$tmp/stdout" 2> "$tmp/stderr"
rc=$?
ok $([ $rc = 0 ] && echo 1 || echo 0) "pingpong.sh baseline+sched_wake=eager ceiling:baseline go erlang exits 0 (got $rc)"
[ $rc = 0 ] || tail -n 20 "$tmp/stderr" | sed 's/^/# /'
csv=$(ls "$tmp"/kinds/*-pingpong.csv 2>/dev/null)
meta=${csv%.csv}.meta
${SKYBENCH_RUNNER:-} "$summary" --check --quiet "$csv" 2>"$tmp/check"
ok $([ $? = 0 ] && echo 1 || echo 0) "the CSV passes the schema check ($(cat "$tmp/check"))"
peers=""
for p in go erlang; do
	if make -s --no-print-directory -C "$root" peers 2>/dev/null && { [ -x build/peers/pingpong-go ] || [ $p != go ]; } &&
	   { [ -f build/peers/pingpong.beam ] || [ $p != erlang ]; }; then
		peers="$peers $p"
	else
		ok $(grep -q "^WARNING: peer $p skipped: its toolchain is not installed" "$meta" &&
			grep -q "^!!!!!! pingpong: peer $p skipped" "$tmp/stderr" && echo 1 || echo 0) \
			"no $p toolchain: the run says so on stderr and in the .meta"
		echo "ok $((n += 1)) # SKIP the $p peer: its toolchain is not installed (scripts/ensure-deps.sh peers)"
		echo "SKIPPED CHECK: the $p peer (no toolchain)" >&2
	fi
done
version=$(build/baseline/skybench-node --version 2>/dev/null || env -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL make -s VARIANT=baseline print-build)
got=$(python3 -c '
import csv, sys
for r in sorted(csv.DictReader(open(sys.argv[1], newline="")), key=lambda r: (r["impl"], r["threads"])):
	print(r["impl"], r["threads"], r["variant"], r["peer"] or "-", r["ceiling"], r["pin"], r["sched"], r["sched_wake"],
	      r["sched_next"], r["params"], r["check"], "counters" if r["counters"] not in ("", "-") else r["counters"] or "none")
' "$csv")
want="baseline+sched_wake=eager 1 baseline - 0 none global eager - messages=2000;pairs=2 pass COUNTERS
baseline+sched_wake=eager 2 baseline - 0 none global eager - messages=2000;pairs=2 pass COUNTERS
ceiling:baseline 2 baseline - 1 PIN global skynet - messages=2000;pairs=2 pass COUNTERS"
for p in $peers; do want="$want
$p 1 $p $p 0 none - - - messages=2000;pairs=2 pass -
$p 2 $p $p 0 none - - - messages=2000;pairs=2 pass -"; done
# the counters exist once the node prints them (a node whose --version names its sched part)
if grep -q ' sched ' <<<"$(bash -c 'cd "$1" && build/baseline/skybench-node --version' _ "$root")"; then want=${want//COUNTERS/counters}; else want=${want//COUNTERS/none}; fi
pin=$(python3 -c 'import csv,sys; print(next(r["pin"] for r in csv.DictReader(open(sys.argv[1])) if r["ceiling"] == "1"))' "$csv")
[[ $pin == list:* ]] || pin=none
want=${want//PIN/$pin}
ok $([ "$got" = "$(sort <<<"$want")" ] && echo 1 || echo 0) \
	"one row per point: the spec as impl, the ceiling's at 2 workers only, peers marked, the scheduler's settings"
[ "$got" = "$(sort <<<"$want")" ] || { echo "# got:"; sed 's/^/#   /' <<<"$got"; echo "# want:"; sort <<<"$want" | sed 's/^/#   /'; }
ok $(grep -q '^ceiling_pin: ceiling:baseline threads=2: ' "$meta" && grep -q '^point: baseline+sched_wake=eager: .*config adds sched_wake=eager' "$meta" && echo 1 || echo 0) \
	".meta: the ceiling's pinning and each point's config"
ok $(grep -q '^baseline+sched_wake=eager threads=2 .* [0-9]*% of ceiling:baseline threads=2$' "$tmp/stdout" && echo 1 || echo 0) \
	"the summary gives the variant's fraction of the ceiling of its parts"
# the peers count as services/pingpong.c: 3 pairs, 1001 messages -> 166 round trips per pair, 996
for p in $peers; do
	case $p in
	go) line=$(build/peers/pingpong-go 2 3 1001 2>/dev/null) ;;
	erlang) line=$(timeout 60 erl +S 2:2 -noshell -pa build/peers -run pingpong main 3 1001 2>/dev/null) ;;
	esac
	ok $([[ $line == "RESULT pingpong pairs=3 messages=996 seconds="*" msgs_per_sec="* ]] && [[ $line != *FAILED* ]] && echo 1 || echo 0) \
		"the $p peer counts messages as the C service does ($line)"
done
pp -r 1 -t 1 -p 2 -n 2000 -o "$tmp/bad" baseline+thread=4 > /dev/null 2> "$tmp/bad.err"
rc=$?
ok $([ $rc = 2 ] && grep -q "set by the driver itself" "$tmp/bad.err" && [ ! -e "$tmp/bad" ] && echo 1 || echo 0) \
	"an override of a key the driver sets: exit 2 before anything runs (got $rc: $(tail -1 "$tmp/bad.err"))"

pp -r 1 -t 1 -p 2 -n 2000 -o "$tmp/bad" baseline@no-such-revision-here > /dev/null 2> "$tmp/bad.err"
rc=$?
ok $([ $rc = 2 ] && grep -q "not a git revision" "$tmp/bad.err" && [ ! -e "$tmp/bad" ] && echo 1 || echo 0) \
	"an unknown revision: exit 2 and one line before anything is run (got $rc: $(tail -1 "$tmp/bad.err"))"
echo "1..$n"
[ $fail = 0 ]
