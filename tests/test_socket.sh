#!/usr/bin/env bash
# skybench-test: node
# The socket server on the real node (loopback only): faults and bad input, each its own
# node run of services/test_socket.c, then the gate_echo service echoing for echo_client
# with both send priorities. Each run is bounded (run_node's limit; every wait inside the
# service is bounded too).
set -u
. "$(dirname "$0")/node_tap.sh"

# the scenarios share one node (each node run ends in about a second of teardown); emfile
# lowers the process's fd limit for a moment, so it gets a node of its own
write_config socket-faults 2 "test_socket reset closequeued noread connect stale udp closepending pause halfclose bind"
run_node socket-faults 60
write_config socket-emfile 2 "test_socket emfile"
run_node socket-emfile 40

# echo_client prints RESULT (with FAILED(...) if any echoed byte differed or a round trip
# was lost) and ABORTs the node
echo_run() {	# name threads args...
	local name=$1 threads=$2 rc
	shift 2
	write_config "$name" "$threads" "echo_client $*"
	timeout $((40 * SLOW)) "$NODE" "$TMPD/$name.config" > "$TMPD/$name.out" 2>&1
	rc=$?
	local line
	line=$(grep '^RESULT echo' "$TMPD/$name.out" | head -n 1)
	tap_ok $(( rc == 0 )) "[$name] node exited with status 0 (got $rc)"
	case "$line" in
	*FAILED*|"") tap_ok 0 "[$name] echo_client $*: ${line:-no RESULT line}"
		tail -n 20 "$TMPD/$name.out" | sed 's/^/# /' ;;
	*) tap_ok 1 "[$name] echo_client $*: every byte echoed (${line#RESULT echo })" ;;
	esac
}

echo_run echo-mix 2 gate 10 1024 $((4000 / SLOW)) mix
echo_run echo-low 2 gate 3 65536 $((300 / SLOW)) low
echo_run echo-high-t1 1 gate 50 16 $((2000 / SLOW)) high
echo_run echo-many 4 gate 300 100 $((3000 / SLOW)) mix

# the benchmark's own programs (bench/socket.mk builds them for make test): the plain C
# load against the epoll ceiling and against gate_echo on this node, every byte checked
BD=${SKYBENCH_BENCH_DIR:?"run through make test (SKYBENCH_BENCH_DIR is not set)"}
BRUN=${SKYBENCH_RUNNER:-}
# load_against LABEL PID OUT TRIES SED DESCRIPTION: waits (TRIES x 50 ms) for the server PID
# to print its port into OUT (SED extracts it), runs echo_load against it (LABEL names the
# server in its RESULT line), stops the server, and reports DESCRIPTION
load_against() {
	local what=$1 pid=$2 out=$3 tries=$4 expr=$5 port="" line
	for _ in $(seq "$tries"); do
		port=$(sed -n "$expr" "$out" | head -1)
		[ -n "$port" ] && break
		sleep 0.05
	done
	line=$(timeout $((30 * SLOW)) $BRUN "$BD/echo_load" "${port:-1}" 20 1024 $((2000 / SLOW)) "$what")
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	case "$line" in
	RESULT*FAILED*|"") tap_ok 0 "$6: ${line:-no RESULT line}" ;;
	*) tap_ok 1 "$6: every byte echoed" ;;
	esac
}
if [ -x "$BD/echo_load" ] && [ -x "$BD/epoll_echo" ]; then
	$BRUN "$BD/epoll_echo" 0 > "$TMPD/epoll.out" 2>&1 &
	load_against epoll $! "$TMPD/epoll.out" 100 's/^PORT \([0-9]*\).*/\1/p' \
		"echo_load against epoll_echo"
	write_config gate-server 2 "gate_echo 127.0.0.1 0 mix"
	"$NODE" "$TMPD/gate-server.config" > "$TMPD/gate-server.out" 2>&1 &
	load_against gate $! "$TMPD/gate-server.out" 200 's/.*gate_echo: listening on port \([0-9]*\).*/\1/p' \
		"echo_load against gate_echo on the node"
else
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - # SKIP bench/echo_load or bench/epoll_echo not built in $BD (make bench-socket-programs)"
fi

tap_done
