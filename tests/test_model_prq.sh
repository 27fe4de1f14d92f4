#!/usr/bin/env bash
# The PRQ ring protocol of variants/globalq/lprq.c (prq_enqueue, prq_dequeue, prq_visit,
# prq_catchup on one ring, with the full/starve close), checked exhaustively by SPIN on its
# model verify/prq.pml (docs/verification.md, section 17): 2 threads x 2 rounds of
# (enqueue, dequeue) on a ring of 2 slots, and 1 producer with 2 consumers; no lost or
# duplicated element, no spurious empty, FIFO. Each deliberately broken step must be
# caught: mutant 3 (a dequeuer without the idx re-read, no consistent view of the two
# words), 5 (one marker for every thread). Mutants 1 and 2 (the unsafe bit ignored / never
# set) are caught only with 3 threads exchanging pairs (25-50 s and 1-2 GB, too big for
# make test; docs/verification.md, section 17); mutant 4 by none of the configs run.
# About 10 s.
# skybench-test: host
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
n=0 fail=0
tap() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
command -v spin >/dev/null || { echo "1..0 # SKIP spin is not installed (apt-get install spin)"; echo "SKIPPED CHECK: the PRQ model (no spin)" >&2; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/prqmc.XXXXXX")
trap 'rm -rf "$T"' EXIT
# run NAME FLAGS...: "errors states" as pan reports them, or "-1 0" if it did not run
run() {
	local d=$T/$1; shift
	mkdir -p "$d"
	(cd "$d" && spin -a "$@" "$OLDPWD/verify/prq.pml" >spin.out 2>&1 &&
		${CC:-cc} -O2 -w -DSAFETY -DCOLLAPSE -o pan pan.c >cc.out 2>&1 &&
		./pan -m200000 >pan.out 2>&1) || { echo "-1 0"; return; }
	grep -q 'max search depth too small' "$d/pan.out" && { echo "-1 0"; return; }
	echo "$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$d/pan.out" | head -1) $(sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p' "$d/pan.out")"
}
quick="-DNT=2 -DSCEN=0 -DK=2"
read -r e st <<<"$(run real $quick)"
tap $([ "$e" = 0 ]; echo $?) "pairs, 2 threads x 2 rounds: no loss, no duplicate, no spurious empty, FIFO (errors: $e, $st states)"
read -r e st <<<"$(run prodcons -DNT=3 -DSCEN=1 -DK=1)"
tap $([ "$e" = 0 ]; echo $?) "1 producer, 2 consumers: the same (errors: $e, $st states)"
for m in 3 5; do
	read -r e st <<<"$(run m$m $quick -DMUTANT=$m)"
	tap $([ -n "$e" ] && [ "$e" -gt 0 ]; echo $?) "mutant $m is caught (errors: $e)"
done
echo "1..$n"
exit $fail
