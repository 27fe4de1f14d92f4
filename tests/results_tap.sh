# Shared start of the TAP shell tests of the results scripts (compare, check-claims,
# paper-numbers, plot), sourced with the scratch directory's name:  . tests/results_tap.sh NAME
# Sets T (scratch dir, removed at exit unless KEEP is set), ok STATUS DESCRIPTION, the
# counters N and FAILED, HEADER (results/README.md's column line) and `selected`; skips the
# whole test when Debian's python3 is missing.
set -u
cd "$(dirname "$0")/.."
T=$(mktemp -d "${TMPDIR:-/tmp}/skybench-$1.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
N=0
FAILED=0
ok() {	# status(0 = pass) description
	N=$((N + 1))
	if [ "$1" -eq 0 ]; then echo "ok $N - $2"; else echo "not ok $N - $2"; FAILED=$((FAILED + 1)); fi
}

if [ ! -x /usr/bin/python3 ]; then
	echo "1..0 # SKIP /usr/bin/python3 missing"
	exit 0
fi

# selected [--quick-ok] RESULTS...: the rows the analysis selects (scripts/skybench/select.py),
# one "host run_id part benchmark params impl threads metric rep" line each, sorted
selected() {
	PYTHONPATH=scripts /usr/bin/python3 -B - "$@" <<'PY'
import sys
from skybench import read, select
args = sys.argv[1:]
quick = "--quick-ok" in args
for host, ds in select.select(read.load_runs([a for a in args if a != "--quick-ok"]), quick).items():
	for r in ds.rows:
		print(" ".join(r[c] or "-" for c in ("host", "run_id", "part", "benchmark", "params", "impl",
						     "threads", "metric", "rep")))
PY
}

HEADER="run_id,date,host,git_rev,variant,handle,globalq,timer,part,impl,ceiling,benchmark,params,threads,oversubscribed,pin,cpus,rep,metric,value,unit,ops,wall_ns,check,compiler,cflags,libs,cpu_model,topology,kernel"
