#!/usr/bin/env bash
# newest-pair.sh DIR: prints "A B", the two newest results CSVs of one kind in DIR (names
# start with a UTC stamp, so name order is time order): B the newest, A the one before it
# (the baseline). Kinds: whole-runtime (*-runtime.csv) and micro-benchmark (the rest); the
# newest file's kind is tried first, then the other. Exit 2 with a message if none.
set -euo pipefail
d=${1:?usage: newest-pair.sh DIR}
all=$(ls "$d"/*.csv 2>/dev/null | sort || true)
[ -n "$all" ] || { echo "no results CSV in $d (run make bench first, or give A= B=)" >&2; exit 2; }
runtime=$(grep -e '-runtime\.csv$' <<<"$all" || true)
micro=$(grep -v -e '-runtime\.csv$' <<<"$all" || true)
case "$(tail -n 1 <<<"$all")" in
*-runtime.csv) order=("$runtime" "$micro") ;;
*) order=("$micro" "$runtime") ;;
esac
for set in "${order[@]}"; do
	[ -n "$set" ] || continue
	if [ "$(wc -l <<<"$set")" -ge 2 ]; then
		tail -n 2 <<<"$set" | paste -sd' '
		exit 0
	fi
done
echo "fewer than two results CSVs of one kind in $d; give A= B= or FILE= VA= VB=" >&2
exit 2
