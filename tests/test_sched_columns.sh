#!/usr/bin/env bash
# skybench-test: host
# What the drivers record of a node's scheduler, from recorded sample output in the form
# the node prints (the scheduler's conventions: --version naming the sched part, the
# skybench-sched lines of sched_counters = true), so the parsing is checked without a node
# that prints them: bench/meta.sh's row_node (with and without a sched part: an old
# revision is global), row_sched (defaults, overrides, "-" for global), row_counters (the
# worker=all lines summed, several nodes), row_sched_check (the node's own settings win,
# and a key it ignored is named); bench/pingpong-shared-nothing.sh with fake 1-worker nodes
# (messages and pairs summed, the slowest node's seconds, counters per node, a failed node
# fails the point); bench/pingpong-summary.awk (medians, fraction of the ceiling, counters
# per 1000 messages).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 1 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
is() { ok $([ "$1" = "$2" ] && echo 1 || echo 0) "$3"; [ "$1" = "$2" ] || printf '# got:  %s\n# want: %s\n' "$1" "$2"; }
tmp=$(mktemp -d /tmp/skybench-sched-columns.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 2
meta=$tmp/meta
. bench/meta.sh

row_node "skybench-node steal (handle urcu, globalq spin, timer wheel, sched steal) git 1a2b3c4-dirty"
is "$vname|$handle|$globalq|$timer|$sched|$git_rev" "steal|urcu|spin|wheel|steal|1a2b3c4-dirty" \
	"row_node: every part of --version, sched included"
row_node "skybench-node baseline (handle rwlock, globalq spin, timer wheel) git 572a6d0"
is "$vname|$handle|$globalq|$timer|$sched|$git_rev" "baseline|rwlock|spin|wheel|global|572a6d0" \
	"row_node: a node from before the sched part is global"

sched=steal
row_sched ""
is "$sched_wake $sched_next $sched_steal $sched_inject" "skynet 3 half 61" "row_sched: the defaults for steal"
row_sched "sched_next=0 sched_steal=one profile_x=1"
is "$sched_wake $sched_next $sched_steal $sched_inject" "skynet 0 one 61" "row_sched: overrides, other keys ignored"
sched=global
row_sched "sched_wake=eager"
is "$sched_wake $sched_next $sched_steal $sched_inject" "eager - - -" "row_sched: global has a wake policy and nothing else"

# two nodes' output, as the node prints it at exit (plus other lines around it)
cat > "$tmp/a" <<'OUT'
[:01000002] LAUNCH pingpong 8 500
RESULT pingpong pairs=8 messages=496 seconds=0.001000 msgs_per_sec=496000
skybench-sched: sched=steal wake=eager next=3 steal=half inject=61 workers=2
skybench-sched: worker=0 next_hits=100 local_pops=20 inject_pops=3 steals=2 stolen=5 injected=1 overflows=0 wakeups=4 sleeps=5
skybench-sched: worker=1 next_hits=50 local_pops=10 inject_pops=1 steals=1 stolen=1 injected=0 overflows=0 wakeups=2 sleeps=2
skybench-sched: worker=all next_hits=150 local_pops=30 inject_pops=4 steals=3 stolen=6 injected=3 overflows=0 wakeups=6 sleeps=7
OUT
sed 's/next_hits=150/next_hits=10/; s/steals=3/steals=1000000000000/' "$tmp/a" > "$tmp/b"
row_counters "$tmp/a"
is "$counters" "next_hits=150;local_pops=30;inject_pops=4;steals=3;stolen=6;injected=3;overflows=0;wakeups=6;sleeps=7" \
	"row_counters: the worker=all line, in the node's order"
is "$sched_said" "skybench-sched: sched=steal wake=eager next=3 steal=half inject=61 workers=2" "row_counters: the settings line"
row_counters "$tmp/a" "$tmp/b"
is "$counters" "next_hits=160;local_pops=60;inject_pops=8;steals=1000000000003;stolen=12;injected=6;overflows=0;wakeups=12;sleeps=14" \
	"row_counters: summed over nodes, large counts exact"
sed 's/^skybench-sched: /skybench-sched: node=1 /' "$tmp/a" > "$tmp/c"
row_counters "$tmp/c"
is "${counters%%;*}" "next_hits=150" "row_counters: a shared-nothing node's lines (node=K) count too"
row_counters /dev/null
is "[$counters][$sched_said]" "[][]" "row_counters: a node that printed none leaves both empty"

sched=steal
row_sched "sched_next=0"
row_counters "$tmp/a"
said=$(row_sched_check)
is "$said" "node says wake=eager, the config asked sched_wake=skynet
node says next=3, the config asked sched_next=0" "row_sched_check: names every setting the node did not take"
row_sched_check > /dev/null
is "$sched_wake $sched_next $sched_steal $sched_inject" "eager 3 half 61" "row_sched_check: the node's own settings are recorded"
sched=global
row_sched ""
row_counters "$tmp/a"
row_sched_check > /dev/null
is "$sched_wake $sched_next" "eager -" "row_sched_check: for global only the wake policy is taken"

# the shared-nothing helper, with fake nodes: NAME CONFIG prints what the config says
cat > "$tmp/node" <<'NODE'
#!/bin/sh
. "$1"
[ "$fail" = 1 ] && { echo "error: broken"; exit 1; }
echo "RESULT pingpong pairs=$pairs messages=$messages seconds=$seconds msgs_per_sec=1"
echo "skybench-sched: sched=steal wake=skynet next=3 steal=half inject=61 workers=1"
echo "skybench-sched: worker=0 next_hits=$messages local_pops=1 inject_pops=0 steals=0 stolen=0 injected=0 overflows=0 wakeups=0 sleeps=1"
echo "skybench-sched: worker=all next_hits=$messages local_pops=1 inject_pops=0 steals=0 stolen=0 injected=0 overflows=0 wakeups=0 sleeps=1"
NODE
chmod +x "$tmp/node"
printf 'pairs=4 messages=1000 seconds=0.5 fail=0\n' > "$tmp/n0"
printf 'pairs=4 messages=3000 seconds=2.0 fail=0\n' > "$tmp/n1"
printf 'pairs=4 messages=3000 seconds=2.0 fail=1\n' > "$tmp/n2"
bench/pingpong-shared-nothing.sh none "$tmp/node" "$tmp/n0" "$tmp/n1" > "$tmp/sn" 2>&1
rc=$?
is "$rc|$(head -1 "$tmp/sn")" "0|RESULT pingpong pairs=8 messages=4000 seconds=2.000000 msgs_per_sec=2000" \
	"shared-nothing: pairs and messages summed, the slowest node's seconds"
row_counters "$tmp/sn"
is "${counters%%;*}|$(grep -c '^skybench-sched: node=[01] worker=0 ' "$tmp/sn")" "next_hits=4000|2" \
	"shared-nothing: every node's counter lines kept (node=K), their totals summed"
bench/pingpong-shared-nothing.sh none "$tmp/node" "$tmp/n0" "$tmp/n2" > "$tmp/sn" 2>&1
rc=$?
ok $([ $rc = 1 ] && head -1 "$tmp/sn" | grep -q 'FAILED( node 1 exit 1; 1 node(s) printed no RESULT line;)' && echo 1 || echo 0) \
	"shared-nothing: a failed node fails the point ($rc: $(head -1 "$tmp/sn"))"
if command -v taskset > /dev/null; then
	bench/pingpong-shared-nothing.sh 0,0 "$tmp/node" "$tmp/n0" "$tmp/n1" > "$tmp/sn" 2>&1
	ok $([ $? = 0 ] && echo 1 || echo 0) "shared-nothing: pinned with taskset"
else
	echo "ok $((n += 1)) # SKIP no taskset"
	echo "SKIPPED CHECK: shared-nothing pinned (no taskset)" >&2
fi

# the summary of scripts/pingpong.sh
printf '%s\n' "steal threads=2|900" "steal threads=2|1000" "steal threads=2|1100" "steal threads=1|500" \
	"ceiling:steal threads=2|2000" "ceiling:steal threads=2|2000" > "$tmp/samples"
printf '%s\n' "steal threads=2|1000|next_hits=50;local_pops=40;inject_pops=10;steals=2;stolen=4;injected=1;overflows=0;wakeups=3;sleeps=3" \
	"steal threads=2|2000|next_hits=60;local_pops=30;inject_pops=10;steals=4;stolen=4;injected=1;overflows=0;wakeups=3;sleeps=3" > "$tmp/counters"
printf '%s\n' "steal threads=1|variant|steal|1" "steal threads=2|variant|steal|2" \
	"ceiling:steal threads=2|ceiling|steal|2" "go threads=2|peer|go|2" > "$tmp/points"
awk -F'|' -v reps=3 -f bench/pingpong-summary.awk "$tmp/samples" "$tmp/counters" "$tmp/points" > "$tmp/summary"
is "$(sed -n 2,5p "$tmp/summary" | tr -s ' ')" "steal threads=1 500 [500, 500]
steal threads=2 1000 [900, 1100] 50% of ceiling:steal threads=2
ceiling:steal threads=2 2000 [2000, 2000]
go threads=2 no sample" "summary: median [min, max] per point, a variant's fraction of its ceiling at the same workers"
is "$(tail -1 "$tmp/summary" | tr -s ' ')" "steal threads=2 55.0 10.0 2.000 3.000 0.000 2.250 2.250" \
	"summary: counters as shares of pops and per 1000 messages, median over rounds"
echo "1..$n"
[ $fail = 0 ]
