#!/bin/sh
# valgrind.sh PROGRAM [ARGS...]: memcheck as make verify-valgrind runs it. --fair-sched=yes:
# valgrind runs one thread at a time, and without fair scheduling a spinning lock-free loop
# can starve the thread it waits for (72 s -> 0.4 s on one test). Errors and definite or
# indirect leaks make the exit status 97; valgrind's report goes to $VALGRIND_LOG (default
# /tmp/skybench-valgrind.<pid>.log) so that tests checking the program's stderr still see
# only the program, and is copied to stderr when there was an error.
# SIGTERM/SIGINT (a test stopping a server, timeout) are passed on to the program, so that
# killing this script stops what it runs.
log=${VALGRIND_LOG:-/tmp/skybench-valgrind.$$.log}
# hwloc's x86 backend cannot read CPUID under valgrind and says so in three lines on stderr
# of every benchmark program; the OS backends still give the topology, so it is left out
export HWLOC_COMPONENTS=${HWLOC_COMPONENTS:--x86}
exec 3<&0	# an asynchronous command's stdin would be /dev/null
valgrind -q --tool=memcheck --fair-sched=yes --error-exitcode=97 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
	--log-file="$log" "$@" <&3 3<&- &
pid=$!
trap 'kill -TERM $pid 2>/dev/null' TERM INT
wait $pid
rc=$?
while kill -0 $pid 2>/dev/null; do	# wait returned early for a trapped signal
	wait $pid
	rc=$?
done
if [ $rc = 97 ]; then
	echo "valgrind.sh: memcheck errors in $*:" >&2
	cat "$log" >&2
elif [ -z "${VALGRIND_LOG:-}" ]; then
	rm -f "$log"
fi
exit $rc
