# Shared start of the TAP shell tests of the results scripts (compare, check-claims,
# paper-numbers, plot), sourced with the scratch directory's name:  . tests/results_tap.sh NAME
# Sets T (scratch dir, removed at exit unless KEEP is set), ok STATUS DESCRIPTION, the
# counters N and FAILED, and HEADER (results/README.md's column line); skips the whole test
# when Debian's python3 is missing.
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

HEADER="run_id,date,host,git_rev,variant,handle,globalq,timer,part,impl,ceiling,benchmark,params,threads,oversubscribed,pin,cpus,rep,metric,value,unit,ops,wall_ns,check,compiler,cflags,libs,cpu_model,topology,kernel"
