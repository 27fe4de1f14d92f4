#!/usr/bin/env bash
# skybench-test: host
# FILTER for the socket benchmark (bench/socket-bench.sh), as make bench passes it: the same
# extended regex as the micro-benchmark programs, over runtime/echo/<server>/conns=N;size=B/tT
# (--list shows what it keeps), and a FILTER that keeps none of its points skips the whole
# benchmark with one line, building and writing nothing. Runs no program of the build.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 1 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
tmp=$(mktemp -d /tmp/skybench-filter.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
sb() { env -u FILTER "$root/bench/socket-bench.sh" --variants baseline "$@"; }

all=$(sb --list)
bad=$(grep -cv '^runtime/echo/\(epoll\|baseline\)/conns=[0-9]*;size=[0-9]*/t[0-9]*$' <<<"$all")
ok $([ "$(wc -l <<<"$all")" = 18 ] && [ "$bad" = 0 ] && echo 1 || echo 0) \
	"without a filter: 9 configurations x (epoll, baseline), named runtime/echo/<server>/<params>/t<threads>"
ok $([ "$(grep -c '^runtime/echo/epoll/.*/t1$' <<<"$all")" = 9 ] && [ "$(grep -c '/baseline/.*/t2$' <<<"$all")" = 9 ] &&
	echo 1 || echo 0) "the ceiling runs 1 thread, the node the default 2 (the tN of the names)"
got=$(sb --list --filter 'echo/epoll/')
ok $([ "$(wc -l <<<"$got")" = 9 ] && ! grep -qv '/epoll/' <<<"$got" && echo 1 || echo 0) "--filter 'echo/epoll/' keeps the ceiling only"
got=$(FILTER='conns=100;size=(16|1024)/' "$root/bench/socket-bench.sh" --variants baseline --list)
ok $([ "$(wc -l <<<"$got")" = 4 ] && echo 1 || echo 0) "FILTER from the environment, as make bench sets it: 'conns=100;size=(16|1024)/' keeps 4 ($(echo $got))"

FILTER='timer/add' "$root/bench/socket-bench.sh" --variants baseline --csv "$tmp/s.csv" > "$tmp/out" 2> "$tmp/err"
rc=$?
ok $([ $rc = 0 ] && [ ! -e "$tmp/s.csv" ] && [ ! -s "$tmp/out" ] && echo 1 || echo 0) \
	"FILTER='timer/add' runs no echo: exit 0 (got $rc), no CSV, nothing on stdout"
ok $([ "$(wc -l < "$tmp/err")" = 1 ] && grep -q "FILTER='timer/add' matches no socket benchmark.*skipped" "$tmp/err" && echo 1 || echo 0) \
	"and says so in one line: $(head -c 200 "$tmp/err")"
echo "1..$n"
[ $fail = 0 ]
