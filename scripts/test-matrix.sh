#!/usr/bin/env bash
# test-matrix.sh NAME [MAKE_VAR=value ...]: `make test` over combinations of parts, each test
# run as often as its dependence on the parts needs (the rule of make test-all):
#   - the whole-runtime tests ($COMBO_TESTS) run for every combination;
#   - a combination that brings an implementation of a part not tested yet in this matrix
#     also runs the tests of that part ($PART_TESTS_<part>: its own tests/test_part_<part>.c,
#     which links only that part, and e.g. the global queue's hand-off litmus test) and the
#     other node tests ($NODE_TESTS);
#   - the tests that use no part ($PARTLESS_TESTS) run once, with the first combination.
# NODE_ONCE=1 runs the other node tests with the first combination only (the slow checkers'
# matrices: those tests exercise the runtime's socket, monitor and error paths, which every
# combination shares; the whole-runtime and part tests still cover every implementation).
# So every test runs with every implementation of every part, whichever combinations COMBOS
# lists (by default the Makefile's MATRIX: the presets and a pairwise covering array; every
# combination with FULL=1), and the whole-runtime tests with each of them. The combinations
# are printed first. The MAKE_VAR arguments select the build (SAN=thread, a runner through
# PROVE_FLAGS/SKYBENCH_RUNNER; ARCH=aarch64 arrives through MAKEFLAGS from the caller).
#
# Env (the Makefile sets them): PARTS (in name order), BASELINES (one per part: a name
# leaves out trailing parts at their baseline), COMBOS (the combinations, in order), COMBO_TESTS,
# NODE_TESTS, PART_TESTS_<part> (from each test's category line), PARTLESS_TESTS, HOST_TESTS (tests that execute nothing built here: scripts
# over results/, the SPIN model), HOST_TOO=1 to run HOST_TESTS in this matrix (only the
# plain native one does; elsewhere they would check the same host code again).
set -u
name=$1
shift
: "${COMBOS:?}" "${COMBO_TESTS:?}" "${PARTLESS_TESTS:?}" "${PARTS:?}" "${BASELINES:?}"
read -ra parts <<<"$PARTS"
read -ra bases <<<"$BASELINES"
words() { wc -w <<<"$1"; }
total=$(words "$COMBOS")
partless=$PARTLESS_TESTS
if [ "${HOST_TOO:-0}" != 1 ] && [ -n "${HOST_TESTS:-}" ]; then
	for t in $HOST_TESTS; do partless=$(sed "s/\(^\| \)$t\( \|$\)/ /" <<<"$partless"); done
	echo "$name: NOT RUN in this matrix (they execute nothing built for it; make test-all runs them):$(printf ' %s' $HOST_TESTS)" >&2
fi

echo "$name: $total combinations:$(printf ' %s' $COMBOS)"
n=0 failed="" seen=" " start=$(date +%s)
for v in $COMBOS; do
	n=$((n + 1))
	IFS=- read -ra impls <<<"$v"
	if [ ${#impls[@]} -lt 3 ] || [ ${#impls[@]} -gt ${#parts[@]} ]; then
		echo "$name: '$v' is not a combination of $(tr ' ' - <<<"$PARTS")" >&2
		exit 2
	fi
	sel=$COMBO_TESTS new=""
	[ "$n" = 1 ] && sel="$sel $partless"
	for i in "${!parts[@]}"; do
		part=${parts[i]} p=${parts[i]}:${impls[i]:-${bases[i]}} extra=PART_TESTS_${parts[i]}
		case "$seen" in *" $p "*) ;; *) seen="$seen$p " new=1 sel="$sel ${!extra:-}" ;; esac
	done
	[ "${NODE_ONCE:-0}" = 1 ] && [ "$n" != 1 ] && new=""
	[ -n "$new" ] && for nt in ${NODE_TESTS:-}; do
		case " $COMBO_TESTS " in *" $nt "*) ;; *) sel="$sel $nt" ;; esac
	done
	echo "== $name [$n/$total, $(( $(date +%s) - start ))s] $v: $(echo $sel)"
	make --no-print-directory -s test VARIANT="$v" TESTS="$(echo $sel)" "$@" || failed="$failed $v"
done
secs=$(( $(date +%s) - start ))
if [ -n "$failed" ]; then
	echo "$name: FAILED ($(words "$failed") of $total combinations, ${secs}s):$failed"
	exit 1
fi
echo "$name: all $total combinations passed (${secs}s)"
