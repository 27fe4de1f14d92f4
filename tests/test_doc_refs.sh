#!/usr/bin/env bash
# skybench-test: host
# The repository carries every document it cites: in each tracked file, every name ending
# in .md (a word such as docs/method.md or README.md) must be a tracked file, relative to
# the citing file's folder or to the repository root, and no path may leave the repository
# (as the notes folder beside a checkout, "shared" one level up, would). URLs are another
# site's documents and are not checked; nor are the few references in ALLOWED below.
# Not scanned: the recorded runs under results/<host>/ (CSV rows and .meta files are data:
# a .meta records `git status`, whose file names are not citations); results/README.md is.
set -u
cd "$(dirname "$0")/.."

# REFERENCE|reason: references, as written, to another project's document, never ours.
# Keep it small; an entry nothing cites any more fails the test.
ALLOWED=(
	"doc/rcu-api.md|liburcu's API reference, in liburcu's own source tree (Debian ships it in liburcu-dev)"
)

N=0
FAILED=0
ok() {	# status(0 = pass) description
	N=$((N + 1))
	if [ "$1" -eq 0 ]; then echo "ok $N - $2"; else echo "not ok $N - $2"; FAILED=$((FAILED + 1)); fi
}

if ! tracked=$(git ls-files 2>/dev/null) || [ -z "$tracked" ]; then
	echo "1..0 # SKIP not a git checkout: no list of tracked files to check citations against"
	exit 0
fi

self=tests/test_doc_refs.sh
declare -A used=()
allowed() {
	local a
	for a in "${ALLOWED[@]}"; do
		[ "${a%%|*}" = "$1" ] && { [ "$2" = "$self" ] || used[$1]=1; return 0; }
	done
	return 1
}
declare -A is_tracked=()
while IFS= read -r t; do is_tracked[$t]=1; done <<<"$tracked"

# norm PATH: PATH relative to the repository root with . and .. resolved, in $REPLY;
# fails when it leaves the repository
norm() {
	local part out=()
	local IFS=/
	for part in $1; do
		case $part in
		""|.) ;;
		..) [ ${#out[@]} -gt 0 ] || return 1; unset 'out[${#out[@]}-1]' ;;
		*) out+=("$part") ;;
		esac
	done
	REPLY="${out[*]}"
}

# FILE:LINE:MATCH for every URL, every word ending in .md and every path into a folder
# named shared beside the checkout, in every tracked text file but the recorded runs
scan() {
	git ls-files -z -- ':!results/*/*' |
		xargs -0 grep -I -H -n -o -E \
			'[a-z]+://[^ )>"`]*|[A-Za-z0-9_./~-]*[.]md\b|([.][.]/)+shared\b[A-Za-z0-9_./-]*' 2>/dev/null
}

bad=()
checked=0
while IFS= read -r hit; do
	file=${hit%%:*}
	rest=${hit#*:}
	line=${rest%%:*}
	ref=${rest#*:}
	case $ref in *://*) continue ;; esac	# a URL: another site's document
	[ "${ref##*/}" = ".md" ] && continue	# a pattern such as *.md, not a name
	allowed "$ref" "$file" && continue
	checked=$((checked + 1))
	dir=${file%/*}; [ "$dir" = "$file" ] && dir=.
	found=""
	case $ref in /*) cands=() ;; *) cands=("$dir/$ref" "$ref") ;; esac	# absolute: outside
	for cand in "${cands[@]}"; do
		norm "$cand" || continue	# leaves the repository
		[ -n "${is_tracked[$REPLY]:-}" ] && { found=$REPLY; break; }
	done
	[ -n "$found" ] || bad+=("$file:$line: $ref")
done < <(scan)

ok $(( checked > 0 ? 0 : 1 )) "the scan found the repository's own document citations ($checked)"
ok ${#bad[@]} "every cited project document is in the repository (${#bad[@]} missing)"
for b in "${bad[@]}"; do echo "# cites a document the repository does not contain: $b"; done

# the allow-list stays small and current, and each entry says why
ok $(( ${#ALLOWED[@]} <= 5 ? 0 : 1 )) "the allow-list of external documents is small (${#ALLOWED[@]} entries)"
for a in "${ALLOWED[@]}"; do
	ref=${a%%|*} reason=${a#*|}
	ok $(( ${#reason} >= 10 ? 0 : 1 )) "allow-list entry $ref gives a reason"
	ok $(( ${used[$ref]:-0} ? 0 : 1 )) "allow-list entry $ref is still cited somewhere"
done

echo "1..$N"
[ "$FAILED" -eq 0 ]
