#!/bin/sh
# covering.sh [-e] [-s SEED]... IMPLS...: test matrices over the parts, one combination a line.
#
#   IMPLS   one argument per part, in PARTS order: its implementations, comma-separated
#   -s SEED a combination the matrix must hold (the presets): its implementations joined by
#           '-', one per part; seeds come first, in the order given
#   -e      instead: the few combinations that use every implementation once (row r takes
#           each part's implementation r, wrapping), for builds that need each one compiled
#
# Without -e: a pairwise covering array. Every pair of implementations of any two parts
# appears together in at least one combination, so an interaction between two parts is
# tested without the full product (4x4x2 parts: 16 of 32; two more parts of two: about 16
# of 128). Greedy: seeds first; then, while a pair is uncovered, each uncovered pair starts
# a candidate whose other parts take, one at a time in PARTS order, the implementation that
# covers the most uncovered pairs with those already chosen (ties: the one in most uncovered
# pairs overall, then the first listed); the candidate covering the most wins (ties: the
# first). Deterministic: no randomness, no hash order; same arguments, same output.
# Plain POSIX sh and awk: `make variants` prints it before anything is installed.
set -eu
each=0 seeds=""
while getopts es: o; do
	case $o in
	e) each=1 ;;
	s) seeds="$seeds $OPTARG" ;;
	*) echo "usage: covering.sh [-e] [-s SEED]... IMPLS..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "covering.sh: no parts given" >&2; exit 2; }

exec awk -v each="$each" -v seeds="$seeds" '
function die(msg) { print "covering.sh: " msg > "/dev/stderr"; err = 1; exit 2 }
# pair key: parts p < q, implementations i, j (indices)
function key(p, i, q, j) { return p < q ? p SUBSEP i SUBSEP q SUBSEP j : q SUBSEP j SUBSEP p SUBSEP i }
function emit(row,   s, p) {
	s = val[1, row[1]]
	for (p = 2; p <= np; p++) s = s "-" val[p, row[p]]
	print s
}
function take(row,   p, q) {	# mark the pairs of row covered
	for (p = 1; p <= np; p++)
		for (q = p + 1; q <= np; q++)
			if (unc[key(p, row[p], q, row[q])]) {
				unc[key(p, row[p], q, row[q])] = 0
				left[p, row[p]]--; left[q, row[q]]--; nunc--
			}
}
function gain(row, k, v,   f, g) {	# uncovered pairs k=v makes with the parts set in row
	g = 0
	for (f = 1; f <= np; f++)
		if (f != k && row[f] && unc[key(f, row[f], k, v)]) g++
	return g
}
BEGIN {
	np = ARGC - 1
	for (p = 1; p <= np; p++) {
		n[p] = split(ARGV[p], names, ",")
		if (n[p] == 0) die("part " p " has no implementations")
		for (i = 1; i <= n[p]; i++) { val[p, i] = names[i]; idx[p, names[i]] = i }
	}
	if (each) {
		rows = 0
		for (p = 1; p <= np; p++) if (n[p] > rows) rows = n[p]
		for (r = 0; r < rows; r++) {
			for (p = 1; p <= np; p++) row[p] = r % n[p] + 1
			emit(row)
		}
		exit 0
	}
	nunc = 0
	for (p = 1; p <= np; p++)
		for (q = p + 1; q <= np; q++)
			for (i = 1; i <= n[p]; i++)
				for (j = 1; j <= n[q]; j++) {
					unc[key(p, i, q, j)] = 1; left[p, i]++; left[q, j]++; nunc++
				}
	ns = split(seeds, seed, " ")
	for (s = 1; s <= ns; s++) {
		if (seed[s] in seen) continue
		seen[seed[s]] = 1
		if (split(seed[s], w, "-") != np) die("seed " seed[s] " does not name one implementation per part (" np ")")
		for (p = 1; p <= np; p++) {
			if (!((p, w[p]) in idx)) die("seed " seed[s] ": unknown implementation " w[p] " of part " p)
			row[p] = idx[p, w[p]]
		}
		take(row); emit(row)
	}
	# one part: no pairs, but every implementation must still run
	if (np == 1) {
		for (i = 1; i <= n[1]; i++) if (!((val[1, i]) in seen)) print val[1, i]
		exit 0
	}
	while (nunc > 0) {
		best = -1
		for (p = 1; p <= np; p++)
			for (q = p + 1; q <= np; q++)
				for (i = 1; i <= n[p]; i++)
					for (j = 1; j <= n[q]; j++) {
						if (!unc[key(p, i, q, j)]) continue
						for (k = 1; k <= np; k++) cand[k] = 0
						cand[p] = i; cand[q] = j
						for (k = 1; k <= np; k++) {
							if (cand[k]) continue
							bv = 1; bg = -1; bl = -1
							for (v = 1; v <= n[k]; v++) {
								g = gain(cand, k, v)
								if (g > bg || (g == bg && left[k, v] > bl)) { bv = v; bg = g; bl = left[k, v] }
							}
							cand[k] = bv
						}
						score = 0
						for (a = 1; a <= np; a++)
							for (b = a + 1; b <= np; b++)
								if (unc[key(a, cand[a], b, cand[b])]) score++
						if (score > best) { best = score; for (k = 1; k <= np; k++) row[k] = cand[k] }
					}
		take(row); emit(row)
	}
	exit 0
}
END { if (err) exit 2 }
' "$@"
