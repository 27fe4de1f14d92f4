# bench/pingpong-summary.awk: the end-of-run summary of scripts/pingpong.sh, from three
# files of "|"-separated lines (awk -F'|' -v reps=R -f this SAMPLES COUNTERS POINTS):
#   SAMPLES   label|msgs_per_sec                  one per passed run
#   COUNTERS  label|messages|k=N;k=N...           one per passed run whose node(s) printed
#                                                 scheduler counters (the counters column)
#   POINTS    label|kind|base|threads             one per point, in the order to print;
#             kind variant, ceiling or peer; base VARIANT[@REV] without +overrides
# Prints per point the median [min, max] of messages/s; for a variant point at N >= 2
# workers, its median as a percentage of the median of "ceiling:BASE threads=N" (the
# shared-nothing ceiling of the same build) when that point is in the run; then, for the
# points with counters, the medians over rounds of the next slot's and the injection
# queue's share of all pops and of steals, stolen mailboxes, overflows, wake-ups and
# sleeps per 1000 messages.
function median(list,   a, n, i, j, t) {	# of the numbers in list; sets lo and hi
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	lo = a[1]; hi = a[n]
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
FILENAME == ARGV[1] { s[$1] = s[$1] " " $2; next }
FILENAME == ARGV[2] {
	split($3, kv, ";")
	split("", c)
	for (i in kv) { split(kv[i], x, "="); c[x[1]] = x[2] }
	pops = c["next_hits"] + c["local_pops"] + c["inject_pops"]; k = 1000 / $2
	cn[$1]++
	nx[$1] = nx[$1] " " (pops ? 100 * c["next_hits"] / pops : 0)
	ij[$1] = ij[$1] " " (pops ? 100 * c["inject_pops"] / pops : 0)
	st[$1] = st[$1] " " k * c["steals"]; sn[$1] = sn[$1] " " k * c["stolen"]
	ov[$1] = ov[$1] " " k * c["overflows"]; wk[$1] = wk[$1] " " k * c["wakeups"]
	sl[$1] = sl[$1] " " k * c["sleeps"]
	next
}
{ lab[++n] = $1; kind[$1] = $2; base[$1] = $3; t[$1] = $4 }
END {
	printf "point median [min, max] messages/s over %d rounds\n", reps
	for (i = 1; i <= n; i++)
		if (s[lab[i]] != "") { med[lab[i]] = median(s[lab[i]]); L[lab[i]] = lo; H[lab[i]] = hi }
	for (i = 1; i <= n; i++) {
		p = lab[i]
		if (s[p] == "") { printf "%-40s no sample\n", p; continue }
		line = sprintf("%-40s %12.0f [%.0f, %.0f]", p, med[p], L[p], H[p])
		cl = "ceiling:" base[p] " threads=" t[p]
		if (kind[p] == "variant" && t[p] >= 2 && med[cl] > 0)
			line = line sprintf("  %.0f%% of %s", 100 * med[p] / med[cl], cl)
		print line
	}
	hdr = 0
	for (i = 1; i <= n; i++) {
		p = lab[i]
		if (!cn[p]) continue
		if (!hdr++) {
			print "scheduler counters, median over rounds: next slot's and injection queue's share of all pops (%); the rest per 1000 messages"
			printf "%-40s %7s %7s %9s %9s %9s %9s %9s\n", "point", "next%", "inject%", "steals", "stolen", "overflows", "wakeups", "sleeps"
		}
		printf "%-40s %7.1f %7.1f %9.3f %9.3f %9.3f %9.3f %9.3f\n", p, median(nx[p]), median(ij[p]),
			median(st[p]), median(sn[p]), median(ov[p]), median(wk[p]), median(sl[p])
	}
}
