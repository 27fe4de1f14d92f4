#!/usr/bin/env bash
# model-check.sh [-m MUTANT] [-o DIR] CONFIG...: exhaustive SPIN check of verify/scq.pml
# (mpmc.c's SCQ ring) or verify/scqidx.pml (scq.c: the ring of ids chained as in LSCQ, with
# the plain-load empty check; configs idx-*). A CONFIG is a name from the table below. Prints one line per config: "pass NAME (...)"
# or "FAIL NAME: <first violated assertion>"; exits 0 only if every config passed.
# Results are cached in DIR (default build/verify) under a hash of the model, this script,
# the config and spin's version: an unchanged check is not re-run (make test-all runs the
# model test once per variant combination). Env: PAN_OPT (default -O2; -O0 compiles 3x
# faster, for the small configs), MODEL_CC (default gcc: the verifier is a host program).
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A CONFIG=(
	# 2 threads, each: enqueue, dequeue, 3 rounds (positions wrap the 4 slots 3 times)
	[pairs2]="-DNT=2 -DSCEN=0 -DK=3 -DN=2"
	# the same, 2 rounds, compare_exchange_weak may fail spuriously
	[pairs2weak]="-DNT=2 -DSCEN=0 -DK=2 -DN=2 -DWEAK=1"
	# 1 producer (2 enqueues) and 2 consumers (2 dequeues each)
	[prodcons3]="-DNT=3 -DSCEN=1 -DK=2 -DN=2"
	# small and fast: for the mutant test
	[quick]="-DNT=2 -DSCEN=0 -DK=2 -DN=2"
	# scqidx.pml: 2 workers (push, pop), a grower linking the second ring at any moment
	[idx-pairs1]="-DNT=2 -DSCEN=0 -DK=1 -DN=2 -DGROW=1"
	# the same, compare_exchange_weak may fail spuriously
	[idx-pairs1weak]="-DNT=2 -DSCEN=0 -DK=1 -DN=2 -DGROW=1 -DWEAK=1"
	# one ring, 2 rounds of push, pop each (positions wrap the 4 slots)
	[idx-pairs2]="-DNT=2 -DSCEN=0 -DK=2 -DN=2 -DGROW=0"
	# 1 producer (3 pushes), 1 consumer (3 pops), the grower
	[idx-prodcons]="-DNT=2 -DSCEN=1 -DK=3 -DN=2 -DGROW=1"
	# small and fast: for the mutant test
	[idx-quick]="-DNT=2 -DSCEN=0 -DK=1 -DN=2 -DGROW=1"
)

mutant=0
out=build/verify
while getopts m:o: opt; do
	case $opt in
	m) mutant=$OPTARG ;;
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- pairs2 pairs2weak prodcons3 idx-pairs1 idx-pairs1weak idx-pairs2 idx-prodcons

command -v spin >/dev/null || { echo "model-check: spin is not installed (apt-get install spin)" >&2; exit 3; }
mkdir -p "$out"
spinver=$(spin -V 2>&1 | head -1)
status=0
for name in "$@"; do
	flags=${CONFIG[$name]:-}
	[ -n "$flags" ] || { echo "model-check: unknown config '$name' (${!CONFIG[*]})" >&2; exit 2; }
	flags="$flags -DMUTANT=$mutant"
	case $name in idx-*) model=scqidx ;; *) model=scq ;; esac
	key=$( { cat verify/$model.pml "$0"; echo "$flags $spinver"; } | sha256sum | cut -c1-16)
	res="$out/$model-$name-m$mutant-$key.result"
	if [ ! -s "$res" ]; then
		work=$(mktemp -d "$out/run.XXXXXX")
		cp verify/$model.pml "$work/"
		# spin -a writes pan.c; POR and state compression are sound for safety checks;
		# -m: search depth bound (the model's executions are finite and far shorter)
		( cd "$work" && spin $flags -a $model.pml >spin.log 2>&1 &&
		  ${MODEL_CC:-gcc} ${PAN_OPT:--O2} -w -DSAFETY -DCOLLAPSE -o pan pan.c &&
		  ./pan -m200000 >pan.log 2>&1 ) || true
		if grep -q "errors: 0" "$work/pan.log" 2>/dev/null && ! grep -q "error: max search depth" "$work/pan.log"; then
			st=$(sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p' "$work/pan.log")
			t=$(sed -n 's/^pan: elapsed time \([0-9.]*\) .*/\1/p' "$work/pan.log")
			echo "pass $name ($flags): $st states, ${t}s" >"$res"
		else
			why=$(grep -m1 -E "assertion violated|error|Error" "$work/pan.log" "$work/spin.log" 2>/dev/null | sed 's/^[^:]*://' || true)
			echo "FAIL $name ($flags): ${why:-pan did not run}" >"$res"
		fi
		rm -rf "$work"
	fi
	cat "$res"
	grep -q '^pass' "$res" || status=1
done
exit $status
