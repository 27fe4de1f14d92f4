#!/usr/bin/env bash
# skybench-test: partless
# bench/csvrow, the shell drivers' row writer: its header is the schema's, a row with
# awkward values reads back intact and passes the schema check, --stdin rows share the
# arguments, and an unknown, missing or duplicate key or a broken check/value rule is
# refused with one line, exit status 2 and nothing written.
set -u
bd=${SKYBENCH_BENCH_DIR:?"run through make test (SKYBENCH_BENCH_DIR is not set)"}
run=${SKYBENCH_RUNNER:-}
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 1 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
tmp=$(mktemp -d /tmp/skybench-csvrow.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if [ ! -x "$bd/csvrow" ] || [ ! -x "$bd/summary" ]; then
	echo "ok 1 # SKIP csvrow or summary not built in $bd: run make bench-programs with the same SAN=/ARCH="
	echo "SKIPPED CHECK: csvrow not built in $bd" >&2
	echo "1..1"
	exit 0
fi
csvrow() { $run "$bd/csvrow" "$@"; }

header=$(csvrow --header)
cols=$(tr , ' ' <<<"$header")
# (the schema check below compares this header with the schema's columns)
ok $([ "${header%%,*}" = run_id ] && [[ $header != *'"'* ]] && echo 1 || echo 0) \
	"--header prints the column names, run_id first ($(wc -w <<<"$cols") columns)"

# every column but date, check and value, with a value that needs quoting or none
args=()
for c in $cols; do
	case $c in
	date|check|value) ;;
	threads|rep|ceiling|oversubscribed|ops|wall_ns) args+=("$c=1") ;;
	cflags) args+=("cflags=-O2 -DX=\"a,b\"") ;;
	params) args+=("params=k=v;x=1") ;;
	part) args+=(part=runtime) ;;
	topology) args+=("topology= 1 socket, 2 PUs ") ;;
	kernel) args+=("kernel=two
lines") ;;
	*) args+=("$c=$c-value") ;;
	esac
done
csvrow --csv "$tmp/a.csv" "${args[@]}" check=pass value=1.5 2>"$tmp/err"
ok $([ $? = 0 ] && echo 1 || echo 0) "a complete row is written ($(cat "$tmp/err"))"
ok $([ "$(head -1 "$tmp/a.csv")" = "$header" ] && echo 1 || echo 0) "--csv starts an empty file with the header"
# read it back with a CSV parser that is not ours
got=$(python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
r = rows[0]
print(len(rows), r["cflags"] == "-O2 -DX=\"a,b\"", r["topology"] == " 1 socket, 2 PUs ",
      r["kernel"] == "two\nlines", r["params"] == "k=v;x=1", r["value"] == "1.5",
      r["check"] == "pass", len(r["date"]) == 20 and r["date"].endswith("Z"), r["host"] == "host-value")
' "$tmp/a.csv")
ok $([ "$got" = "1 True True True True True True True True" ] && echo 1 || echo 0) \
	"quoted fields (comma, quote, blanks, newline) read back intact; date defaults to now (UTC) ($got)"
$run "$bd/summary" --check --quiet "$tmp/a.csv" 2>"$tmp/err"
ok $([ $? = 0 ] && echo 1 || echo 0) "the row, and the header before it, pass the schema check ($(cat "$tmp/err"))"

# --stdin: rows separated by an empty line, the arguments in every row; a failed check has no value
shared=()
for a in "${args[@]}"; do [[ $a == rep=* ]] || shared+=("$a"); done
printf 'rep=1\ncheck=pass\nvalue=2\n\nrep=2\ncheck=fail\nvalue=\n' |
	csvrow --csv "$tmp/a.csv" --stdin "${shared[@]}" 2>"$tmp/err"
ok $([ $? = 0 ] && echo 1 || echo 0) "--stdin writes its rows ($(cat "$tmp/err"))"
got=$(python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(len(rows), [(r["rep"], r["check"], r["value"], r["host"]) for r in rows[1:]])
' "$tmp/a.csv")
ok $([ "$got" = "3 [('1', 'pass', '2', 'host-value'), ('2', 'fail', '', 'host-value')]" ] && echo 1 || echo 0) \
	"appended without a second header, one row per record, arguments shared ($got)"
$run "$bd/summary" --check --quiet "$tmp/a.csv" 2>"$tmp/err"
ok $([ $? = 0 ] && echo 1 || echo 0) "the file still passes the schema check ($(cat "$tmp/err"))"

# refusals: one line on stderr, exit 2, the file untouched
before=$(cksum < "$tmp/a.csv")
refused() {	# DESCRIPTION WORD-IN-MESSAGE ARGS...
	local what=$1 word=$2
	shift 2
	csvrow --csv "$tmp/a.csv" "$@" > /dev/null 2>"$tmp/err" < /dev/null
	local rc=$?
	ok $([ $rc = 2 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q -- "$word" "$tmp/err" &&
		[ "$(cksum < "$tmp/a.csv")" = "$before" ] && echo 1 || echo 0) \
		"$what: exit 2, one line, nothing written (rc $rc: $(head -c 200 "$tmp/err"))"
}
refused "an unknown key" "unknown key 'speed'" "${args[@]}" check=pass value=1 speed=3
without_host=()
for a in "${args[@]}"; do [[ $a == host=* ]] || without_host+=("$a"); done
refused "a missing key" "missing key(s): host" "${without_host[@]}" check=pass value=1
refused "a key given twice" "given twice" "${args[@]}" check=pass value=1 value=2
refused "check=fail with a value" "empty exactly when check=fail" "${args[@]}" check=fail value=1
refused "check=pass without a value" "empty exactly when check=fail" "${args[@]}" check=pass value=
refused "a check that is not pass/fail/none" "want pass, fail or none" "${args[@]}" check=maybe value=1
refused "an argument that is not KEY=VALUE" "not KEY=VALUE" "${args[@]}" check=pass value=1 oops
printf 'check=pass\nvalue=1\n\nbogus=1\n' | csvrow --csv "$tmp/a.csv" --stdin "${args[@]}" 2>"$tmp/err"
ok $([ $? = 2 ] && grep -q "stdin line 4: unknown key 'bogus'" "$tmp/err" &&
	[ "$(cksum < "$tmp/a.csv")" = "$before" ] && echo 1 || echo 0) \
	"--stdin: a bad second record names its line, and the good first one is not written either"

echo "1..$n"
[ $fail = 0 ]
