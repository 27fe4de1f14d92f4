#!/usr/bin/env bash
# The run queue's protocol (variants/sched/runq.h), checked exhaustively by SPIN on its model
# verify/runq.pml: the owner against one thief (ring of 4 cells), plus the thief stalled for
# ever between its copy and its CAS (STALL=1); the owner against two thieves (one stealing
# half, one stealing one) in a smaller configuration (4 owner operations, 3 ids, one steal
# each: the default 6/5/2 needs more than 24 GB), with and without the first thief stalled;
# each deliberately broken step (MUTANT=1..6: blind head += n, tail before slot, n slots
# published, take_next as load+store, overflow without CAS, put_next replacing a mailbox
# with a load and a store) must be caught. About 30 s.
# skybench-test: host
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
n=0 fail=0
tap() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
command -v spin >/dev/null || { echo "1..0 # SKIP spin is not installed (apt-get install spin)"; echo "SKIPPED CHECK: the run queue model (no spin)" >&2; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/runqmc.XXXXXX")
trap 'rm -rf "$T"' EXIT
# run NAME FLAGS...: errors found by pan, or -1 if it did not run
run() {
	local d=$T/$1; shift
	mkdir -p "$d"
	(cd "$d" && spin -a "$@" "$OLDPWD/verify/runq.pml" >spin.out 2>&1 &&
		${CC:-cc} -O2 -DSAFETY -DCOLLAPSE -DVECTORSZ=4096 -o pan pan.c >cc.out 2>&1 &&
		./pan -m100000 >pan.out 2>&1) || { echo -1; return; }
	grep -q 'depth too small\|max search depth too small' "$d/pan.out" && { echo -1; return; }
	sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$d/pan.out" | head -1
}
e=$(run real -DNTHIEF=1); tap $([ "$e" = 0 ]; echo $?) "owner against a thief: no loss, no duplicate, no invalid end state (errors: $e)"
e=$(run stall -DNTHIEF=1 -DSTALL=1); tap $([ "$e" = 0 ]; echo $?) "a thief stalled between its copy and its CAS blocks nobody, loses nothing (errors: $e)"
two="-DNTHIEF=2 -DNOPS=4 -DNIDS=3 -DNSTEAL=1"
e=$(run two $two); tap $([ "$e" = 0 ]; echo $?) "owner against two thieves (4 operations, 3 ids): no loss, no duplicate (errors: $e)"
e=$(run two-stall $two -DSTALL=1); tap $([ "$e" = 0 ]; echo $?) "two thieves, the first stalled for ever mid-steal: the owner and the other thief finish, nothing lost (errors: $e)"
for m in 1 3 6; do
	e=$(run two-m$m $two -DMUTANT=$m)
	tap $([ -n "$e" ] && [ "$e" -gt 0 ]; echo $?) "mutant $m is caught with two thieves too (errors: $e)"
done
for m in 1 2 3 4 5 6; do
	e=$(run m$m -DNTHIEF=1 -DMUTANT=$m)
	tap $([ -n "$e" ] && [ "$e" -gt 0 ]; echo $?) "mutant $m is caught (errors: $e)"
done
echo "1..$n"
exit $fail
