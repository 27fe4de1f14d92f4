#!/usr/bin/env bash
# The mailbox protocol of `mpsc` (variants/mailbox/mpsc.c: Vyukov's intrusive MPSC queue, an
# EMPTY bit in head = parked), checked exhaustively by SPIN on its model verify/mailbox.pml:
# senders x messages 2x2, 3x1, 3x2; 2x2 and 3x2 with sender 0 stalled after its exchange
# (STALL=1: the consumer sees BUSY, never parks, nothing lost once it resumes); mark_release
# after the last send (2x2, 3x1) under the runtime's guarantee that it never overlaps a turn
# of the holder (REL=1), and without it (REL=2), where the release must be lost: the
# guarantee is load-bearing. Checked: no double schedule, no park while a send is half done,
# per-sender FIFO without loss or duplicate, no lost wake-up, no invalid end state, and each
# step marked "reached:" in the model that a config must exercise is reached. Mutants 1-4 and
# 6-9 must be caught (9: mark_release reads head after publishing release, a use after
# free); mutant 5 (mark_release clears EMPTY by a store after its load) is
# harmless under the guarantee (nobody else writes head then) and must pass REL=1. ~20 s.
# skybench-test: host
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
n=0 fail=0
tap() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
command -v spin >/dev/null || { echo "1..0 # SKIP spin is not installed (apt-get install spin)"; echo "SKIPPED CHECK: the mailbox model (no spin)" >&2; exit 0; }
M=$PWD/verify/mailbox.pml
T=$(mktemp -d "${TMPDIR:-/tmp}/mbmc.XXXXXX")
trap 'rm -rf "$T"' EXIT
# run NAME FLAGS...: errors found by pan, or -1 if it did not run. pan is compiled without
# optimisation (faster to build) and with a 2^20-slot hash table (faster to clear) unless OPT
# and W say otherwise (the configurations of millions of states)
run() {
	local d=$T/$1; shift
	mkdir -p "$d"
	(cd "$d" && spin -a "$@" "$M" >spin.out 2>&1 &&
		${CC:-cc} ${OPT:--O0} -DSAFETY -DCOLLAPSE -o pan pan.c >cc.out 2>&1 &&
		./pan -m100000 ${W:--w20} >pan.out 2>&1) || { echo -1; return; }
	grep -q 'depth too small\|max search depth too small' "$d/pan.out" && { echo -1; return; }
	sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$d/pan.out" | head -1
}
# reached NAME LABEL...: 0 if every step marked "reached: LABEL" in the model was reached
reached() {
	local d=$T/$1 l line; shift
	for l in "$@"; do
		line=$(grep -n "reached: $l" "$M" | cut -d: -f1)
		[ -n "$line" ] && [ -s "$d/pan.out" ] || return 1
		grep -q "mailbox.pml:$line," "$d/pan.out" && { echo "# unreached: $l" >&2; return 1; }
	done
	return 0
}
states() { sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p' "$T/$1/pan.out" 2>/dev/null | head -1; }
pass() {	# NAME "DESCRIPTION" LABELS -- FLAGS...
	local name=$1 what=$2 labels=() e; shift 2
	while [ "$1" != -- ]; do labels+=("$1"); shift; done; shift
	e=$(run "$name" "$@")
	tap $([ "$e" = 0 ] && reached "$name" "${labels[@]}"; echo $?) "$what (errors: $e, states: $(states "$name"))"
}
pass s2 "2 senders x 2: no double schedule, FIFO, no loss, no lost wake-up" "park_if_empty parks" -- -DS=2 -DM=2
pass s3 "3 senders x 1: the same" "park_if_empty parks" -- -DS=3 -DM=1
OPT=-O2 W=-w24 pass s3m2 "3 senders x 2: the same" "park_if_empty parks" -- -DS=3 -DM=2
stall=("BUSY while stalled" "stalled, resumes after BUSY" "stalled, resumes, it will schedule")
pass s2st "2 x 2, sender 0 stalled after its exchange: BUSY, never parked half done, nothing lost" "${stall[@]}" -- -DS=2 -DM=2 -DSTALL=1
OPT=-O2 W=-w24 pass s3m2st "3 x 2, sender 0 stalled after its exchange: the same" "${stall[@]}" -- -DS=3 -DM=2 -DSTALL=1
rel=("release seen" "release finds it scheduled" "release schedules it" "context gone, release not yet seen")
pass r1 "2 x 2, then mark_release outside the holder's turns: release seen, nothing lost" "${rel[@]}" -- -DS=2 -DM=2 -DREL=1
pass r3 "3 x 1, then mark_release outside the holder's turns: the same" "${rel[@]}" -- -DS=3 -DM=1 -DREL=1
e=$(run r2 -DS=2 -DM=2 -DREL=2)
tap $([ -n "$e" ] && [ "$e" -gt 0 ] && grep -q 'assertion violated (seen_release' "$T/r2/pan.out"; echo $?) \
	"mark_release inside a turn (no runtime guarantee) loses the release: the guarantee is needed (errors: $e)"
for m in 1 2 3 4 6 7 8; do
	e=$(run m$m-s2 -DS=2 -DM=2 -DMUTANT=$m)
	tap $([ -n "$e" ] && [ "$e" -gt 0 ]; echo $?) "mutant $m is caught with 2 senders x 2 (errors: $e)"
done
for m in 3 6; do
	e=$(run m$m-st -DS=2 -DM=2 -DSTALL=1 -DMUTANT=$m)
	tap $([ -n "$e" ] && [ "$e" -gt 0 ]; echo $?) "mutant $m is caught with a stalled sender (errors: $e)"
done
e=$(run m7-r1 -DS=2 -DM=2 -DREL=1 -DMUTANT=7)
tap $([ -n "$e" ] && [ "$e" -gt 0 ]; echo $?) \
	"mutant 7 is caught with mark_release too (errors: $e)"
e=$(run m9-r1 -DS=2 -DM=2 -DREL=1 -DMUTANT=9)
tap $([ -n "$e" ] && [ "$e" -gt 0 ] && grep -q 'assertion violated  *!(gone)' "$T/m9-r1/pan.out"; echo $?) \
	"mutant 9 (release published before head is read) touches a freed mailbox (errors: $e)"
# mutant 5: with EMPTY set and every send completed (the runtime's guarantee), nothing but
# mark_release writes head, so its load and store cannot be split by another write
pass m5-r1 "mutant 5 (mark_release clears EMPTY by a store) is harmless under the guarantee" "release schedules it" -- -DS=2 -DM=2 -DREL=1 -DMUTANT=5
echo "1..$n"
exit $fail
