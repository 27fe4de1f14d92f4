#!/bin/sh
# valgrind.sh PROGRAM [ARGS...]: memcheck as make verify-valgrind runs it. --fair-sched=yes:
# valgrind runs one thread at a time, and without fair scheduling a spinning lock-free loop
# can starve the thread it waits for (72 s -> 0.4 s on one test). Errors and definite or
# indirect leaks make the exit status 97; valgrind's report goes to $VALGRIND_LOG (default
# /tmp/skybench-valgrind.<pid>.log) so that tests checking the program's stderr still see
# only the program, and is copied to stderr when there was an error.
log=${VALGRIND_LOG:-/tmp/skybench-valgrind.$$.log}
valgrind -q --tool=memcheck --fair-sched=yes --error-exitcode=97 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
	--log-file="$log" "$@"
rc=$?
if [ $rc = 97 ]; then
	echo "valgrind.sh: memcheck errors in $*:" >&2
	cat "$log" >&2
elif [ -z "${VALGRIND_LOG:-}" ]; then
	rm -f "$log"
fi
exit $rc
