#!/usr/bin/env bash
# skybench-test: node
# skybench-node's failure paths: each bad start ends quickly with a non-zero exit and
# exactly one line on stderr naming the problem. Also --version, and the logger's file
# output. Env: SKYBENCH_BUILD (absolute build dir), SKYBENCH_VARIANT (set by make test).

set -u
B=${SKYBENCH_BUILD:?SKYBENCH_BUILD must name the build directory}
NODE=$B/skybench-node
SVC="$B/services/?.so"
T=$(mktemp -d /tmp/skybench-test_node_errors-XXXXXX)
trap 'rm -rf "$T"' EXIT
# SKYBENCH_RUNNER: as in node_tap.sh
if [ -n "${SKYBENCH_RUNNER:-}" ]; then
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$SKYBENCH_RUNNER" "$B/skybench-node" >"$T/skybench-node"
	chmod +x "$T/skybench-node"
	NODE=$T/skybench-node
fi

n=0
failed=0
ok() {		# ok COND_STATUS NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
diag_file() {	# diag_file FILE: show a file's lines as TAP comments
	sed 's/^/#   /' "$1"
}

# run NAME ARGS...: runs the node under timeout 20; leaves rc, $T/out, $T/err
run() {
	timeout 20 "$NODE" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# expect_fail NAME PATTERN ARGS...: non-zero exit (not timeout), exactly one stderr line,
# which matches the extended regex PATTERN
expect_fail() {
	local name=$1 pattern=$2
	shift 2
	run "$@"
	ok $((rc == 124)) "$name: ends within 20 s"
	[ $rc -ne 124 ] || { echo "#   timed out; stderr:"; diag_file "$T/err"; }
	ok $((rc == 0 || rc == 124)) "$name: non-zero exit (got $rc)"
	local lines
	lines=$(wc -l <"$T/err")
	ok $((lines != 1)) "$name: exactly one line on stderr (got $lines)"
	grep -Eq -- "$pattern" "$T/err"
	local g=$?
	ok $g "$name: stderr names the problem"
	if [ $g -ne 0 ] || [ "$lines" -ne 1 ]; then
		echo "#   want /$pattern/; stderr was:"
		diag_file "$T/err"
	fi
}

cfg() {		# cfg FILE TEXT: writes a config file
	printf '%s\n' "$2" >"$T/$1"
}

# --- command line --------------------------------------------------------------------
run --version
ok $((rc != 0)) "--version exits 0"
ok $(( $(wc -l <"$T/out") != 1 )) "--version prints one line"
grep -Eq "^skybench-node ${SKYBENCH_VARIANT:-[^ ]+} \(handle [^ ,]+, globalq [^ ,]+, timer [^ ,]+, sched [^ ,]+, mailbox [^ )]+\) git [^ ]+$" "$T/out"
ok $? "--version names the variant, its five parts and the git revision"
diag_file "$T/out"

run --help
ok $((rc != 0)) "--help exits 0"
grep -q "usage: skybench-node" "$T/out"
ok $? "--help prints the usage"

expect_fail "no argument" "^usage: skybench-node CONFIG"
expect_fail "unknown option" "unknown option '--bogus'" --bogus
expect_fail "too many arguments" "too many arguments" a b

# --- config file ---------------------------------------------------------------------
expect_fail "missing config file" "^skybench-node: cannot open config file '$T/absent.cfg': No such file or directory$" "$T/absent.cfg"

cfg syntax.cfg 'harbor = 1
thread 8'
expect_fail "bad config syntax" "^skybench-node: $T/syntax.cfg:2: syntax error near '8'$" "$T/syntax.cfg"

cfg table.cfg 'x = { 1 }'
expect_fail "table value" "^skybench-node: $T/table.cfg: invalid config table: value of 'x' is a table$" "$T/table.cfg"

cfg strlib.cfg 'thread = 2
cpath = string.format("%s/?.so", "x")'
expect_fail "the string library is not in scope" "^skybench-node: $T/strlib.cfg:2: attempt to index a nil value \(global 'string'\)$" "$T/strlib.cfg"

cfg inc.cfg 'include "nowhere.cfg"'
expect_fail "missing included file" "^skybench-node: $T/inc.cfg:1: cannot open included file '$T/nowhere.cfg': No such file or directory$" "$T/inc.cfg"

unset SKYBENCH_TEST_NOT_SET
cfg env.cfg 'thread = $SKYBENCH_TEST_NOT_SET'
expect_fail "unset \$NAME" "^skybench-node: $T/env.cfg:1: environment variable 'SKYBENCH_TEST_NOT_SET' is not set" "$T/env.cfg"

for t in 0 1025 abc 2.5 -1; do
	cfg thread.cfg "thread = '$t'"
	expect_fail "thread = '$t'" "thread must be an integer from 1 to 1024 \(got '$t'\)" "$T/thread.cfg"
done

cfg thread.cfg "thread = '1\\n2'"
expect_fail "thread value with a newline" "thread must be an integer from 1 to 1024 \(got '1\?2'\)" "$T/thread.cfg"

cfg harbor.cfg 'harbor = 256'
expect_fail "harbor = 256" "harbor must be an integer from 0 to 255" "$T/harbor.cfg"

cfg profile.cfg 'profile = "maybe"'
expect_fail "profile = maybe" "profile must be true, false, 1 or 0 \(got 'maybe'\)" "$T/profile.cfg"

cfg daemon.cfg 'daemon = "./skynet.pid"'
expect_fail "daemon" "daemon mode is not supported" "$T/daemon.cfg"

# --- modules and bootstrap -----------------------------------------------------------
cfg nomark.cfg "thread = 2
cpath = \"$B/services/logger.so\"
bootstrap = \"test_initfail\""
expect_fail "cpath template without '?'" "invalid C service path \(cpath\) .*template '$B/services/logger.so' has no '\?'" "$T/nomark.cfg"

cfg nologger.cfg "thread = 2
cpath = \"$T/nowhere/?.so\"
bootstrap = \"test_initfail\""
expect_fail "no logger module in cpath" "can't launch the logger service 'logger'" "$T/nologger.cfg"

cfg badlog.cfg "thread = 2
cpath = \"$SVC\"
logger = \"$T/no/such/dir/log\"
bootstrap = \"test_initfail\""
expect_fail "logger file cannot be opened" "can't launch the logger service 'logger' with $T/no/such/dir/log" "$T/badlog.cfg"

cfg nomod.cfg "thread = 2
cpath = \"$T/nowhere/?.so;$SVC\"
bootstrap = \"no_such_module arg\""
expect_fail "missing bootstrap module" "bootstrap 'no_such_module arg' failed" "$T/nomod.cfg"
grep -q "try open no_such_module failed : .*no_such_module.so" "$T/out"
ok $? "missing bootstrap module: the log says which file could not be opened"
diag_file "$T/out"

cfg initfail.cfg "thread = 2
cpath = \"$SVC\"
bootstrap = \"test_initfail hello\""
expect_fail "bootstrap init fails" "bootstrap 'test_initfail hello' failed" "$T/initfail.cfg"
grep -Eq '^\[:[0-9a-f]{8}\] test_initfail: init fails on purpose \(parm hello\)$' "$T/out"
ok $? "bootstrap init fails: the service's own log line reaches the stdout logger"

# a skynet config that computes its values, $NAME and include: the bootstrap service
# starting (and failing on purpose) from the computed cpath, logging to the computed file,
# shows the node took every value as skynet would
printf 'logger = root .. "computed.log"\n' >"$T/logger.inc"
cfg computed.cfg "root = \"$T/\"
build = \"\$SKYBENCH_BUILD/\"
thread = 8 / 2
harbor = 2 * 0
cpath = build .. \"services/?.so\"
include \"logger.inc\"
bootstrap = \"test_initfail \" .. \"computed\"
profile = 1 > 2"
SKYBENCH_BUILD=$B expect_fail "computed config" "bootstrap 'test_initfail computed' failed" "$T/computed.cfg"
grep -q 'test_initfail: init fails on purpose (parm computed)$' "$T/computed.log" 2>/dev/null
ok $? "computed config: the service ran from the computed cpath and logged to the included logger"

# the logger writing to a file: timestamp prefix, then [:source]
cfg logfile.cfg "thread = 2
cpath = \"$SVC\"
logger = \"$T/node.log\"
bootstrap = \"test_initfail tofile\""
expect_fail "bootstrap init fails, logging to a file" "bootstrap 'test_initfail tofile' failed" "$T/logfile.cfg"
grep -Eq '^[0-9]{2}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{2} \[:[0-9a-f]{8}\] test_initfail: init fails on purpose \(parm tofile\)$' "$T/node.log" 2>/dev/null
ok $? "logger file: lines carry a timestamp and the source"
[ -f "$T/node.log" ] && diag_file "$T/node.log"
ok $(( $(wc -c <"$T/out") != 0 )) "logger file: nothing logged to stdout"

echo "1..$n"
[ $failed -eq 0 ]
