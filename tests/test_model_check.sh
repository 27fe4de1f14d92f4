#!/usr/bin/env bash
# skybench-test: host
# The SCQ model checks (verify/scq.pml for mpmc.c, verify/scqidx.pml for scq.c,
# verify/model-check.sh) on their small configurations: the model of the real code must
# pass, and each deliberately broken step must be caught: mutant 1 skips the enqueuer's
# threshold reset, mutant 2 lets a dequeuer pass an empty slot without moving it to its lap,
# mutant 4 drops the enqueuer's cycle check; in scqidx.pml also mutant 5 (the plain-load
# empty check reads tail before head) and mutant 6 (pop reads the ring's successor before
# the ring's empty checks). The full configurations run in `make model-check`.
# Results are cached in build/verify by a hash of the model (make test-all runs this
# once per variant combination; only the first run computes).
set -u
cd "$(dirname "$0")/.."
export PAN_OPT=-O0	# the small config compiles 3x faster and still runs in about a second
n=0
fail=0
tap() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }

if ! command -v spin >/dev/null; then
	echo "1..0 # SKIP spin is not installed (apt-get install spin): THE SCQ MODEL CHECKS DID NOT RUN"
	exit 0
fi
out=$(verify/model-check.sh quick 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
tap $rc "model of mpmc.c's SCQ: no lost/duplicated element, no spurious empty, FIFO (2 threads, exhaustive)"
for m in 1 2 4; do
	out=$(verify/model-check.sh -m $m quick 2>&1); rc=$?
	echo "$out" | sed 's/^/# /'
	if [ $rc = 1 ] && echo "$out" | grep -q "assertion violated"; then r=0; else r=1; fi
	tap $r "mutant $m is caught by an assertion"
done
out=$(verify/model-check.sh idx-quick 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
tap $rc "model of scq.c (ring of ids, LSCQ chaining, plain-load empty check): no lost/duplicated element, no spurious empty, FIFO (2 threads and a grower, exhaustive)"
for m in 1 2 4 5 6; do
	out=$(verify/model-check.sh -m $m idx-quick 2>&1); rc=$?
	echo "$out" | sed 's/^/# /'
	if [ $rc = 1 ] && echo "$out" | grep -q "assertion violated"; then r=0; else r=1; fi
	tap $r "scqidx mutant $m is caught by an assertion"
done
echo "1..$n"
exit $fail
