/* summary [--check] [--level 0.95] FILE.csv...: the schema check and the summary table of
 * benchmark results (results/README.md). Groups rows by everything but rep/date/cpus, and
 * prints per group the median, the order-statistic interval of the median (stats.h) with
 * its coverage, the number of samples, the fraction of the ceiling measured in the same
 * run (same part, benchmark, params, threads, metric), and the ratio to the part's
 * baseline implementation with "=" where the intervals overlap (no significant
 * difference, docs/method.md rule 4). --check validates every row and exits 1 on a
 * violation. */

#include "csv.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXF CSV_NCOLS

struct row {
	char *f[MAXF];
};

static struct row *rows;
static int nrows, caprows;
static int bad;

static void
complain(const char *file, int line, const char *what, const char *detail) {
	fprintf(stderr, "%s:%d: %s%s%s\n", file, line, what, detail ? ": " : "", detail ? detail : "");
	bad++;
}

/* one RFC 4180 record; returns the number of fields, -1 at EOF */
static int
read_record(FILE *f, char **out, int max) {
	static char *buf;
	static size_t cap;
	int c = getc(f);
	if (c == EOF)
		return -1;
	int n = 0;
	size_t len = 0;
	int quoted = 0, field_start = 1;
	for (;; c = getc(f)) {
		if (len + 2 > cap) {
			cap = cap ? 2 * cap : 4096;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		if (quoted) {
			if (c == EOF)
				break;
			if (c == '"') {
				int d = getc(f);
				if (d == '"') {
					buf[len++] = '"';
					continue;
				}
				quoted = 0;
				c = d;
			} else {
				buf[len++] = (char)c;
				continue;
			}
		}
		if (field_start && c == '"') {
			quoted = 1;
			field_start = 0;
			continue;
		}
		field_start = 0;
		if (c == ',' || c == '\n' || c == EOF) {
			buf[len] = 0;
			if (n < max)
				out[n] = strdup(buf);
			n++;
			len = 0;
			field_start = 1;
			if (c != ',')
				break;
			continue;
		}
		if (c != '\r')
			buf[len++] = (char)c;
	}
	return n;
}

static int
is_number(const char *s, int integer) {
	if (*s == 0)
		return 0;
	char *end;
	if (integer)
		strtoull(s, &end, 10);
	else
		strtod(s, &end);
	return *end == 0;
}

static void
load(const char *file, int check) {
	FILE *f = fopen(file, "r");
	if (f == NULL) {
		perror(file);
		exit(2);
	}
	char *hdr[MAXF + 8];
	int n = read_record(f, hdr, MAXF + 8);
	int ok = n == CSV_NCOLS;
	for (int i = 0; ok && i < n; i++)
		ok = strcmp(hdr[i], csv_columns[i]) == 0;
	for (int i = 0; i < n && i < MAXF + 8; i++)
		free(hdr[i]);
	if (!ok) {
		complain(file, 1, "header is not the schema of results/README.md", NULL);
		fclose(f);
		return;
	}
	int line = 1;
	struct row r;
	while ((n = read_record(f, r.f, MAXF)) >= 0) {
		line++;
		if (n != CSV_NCOLS) {
			char d[32];
			snprintf(d, sizeof d, "%d fields, want %d", n, CSV_NCOLS);
			complain(file, line, "wrong field count", d);
			for (int i = 0; i < n && i < MAXF; i++)
				free(r.f[i]);
			continue;
		}
		if (check) {
			static const int required[] = { CSV_run_id, CSV_date, CSV_host, CSV_git_rev,
				CSV_variant, CSV_part, CSV_impl, CSV_benchmark, CSV_pin, CSV_cpus,
				CSV_metric, CSV_unit, CSV_check, CSV_compiler, CSV_cflags, CSV_libs,
				CSV_cpu_model, CSV_topology, CSV_kernel };
			for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
				if (r.f[required[i]][0] == 0)
					complain(file, line, "empty required field", csv_columns[required[i]]);
			static const int ints[] = { CSV_ceiling, CSV_threads, CSV_oversubscribed, CSV_rep,
				CSV_ops, CSV_wall_ns };
			for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
				if (!is_number(r.f[ints[i]], 1))
					complain(file, line, "not an integer", csv_columns[ints[i]]);
			const char *chk = r.f[CSV_check];
			if (strcmp(chk, "pass") && strcmp(chk, "fail") && strcmp(chk, "none"))
				complain(file, line, "check is not pass/fail/none", chk);
			if (strcmp(chk, "fail") == 0 ? r.f[CSV_value][0] != 0 : !is_number(r.f[CSV_value], 0))
				complain(file, line, "value must be a number, and empty exactly when check=fail",
					r.f[CSV_value]);
			if (atoi(r.f[CSV_rep]) < 1)
				complain(file, line, "rep must be >= 1 (warm-up runs are not written)", NULL);
			if (strcmp(r.f[CSV_part], "globalq") && strcmp(r.f[CSV_part], "handle") &&
			    strcmp(r.f[CSV_part], "timer") && strcmp(r.f[CSV_part], "runq") &&
			    strcmp(r.f[CSV_part], "mailbox") &&
			    strcmp(r.f[CSV_part], "runtime"))
				complain(file, line, "unknown part", r.f[CSV_part]);
		}
		if (nrows == caprows) {
			caprows = caprows ? 2 * caprows : 1024;
			rows = realloc(rows, (size_t)caprows * sizeof *rows);
			if (rows == NULL)
				abort();
		}
		rows[nrows++] = r;
	}
	fclose(f);
}

static const int key_cols[] = { CSV_part, CSV_benchmark, CSV_params, CSV_threads,
	CSV_oversubscribed, CSV_metric, CSV_ceiling, CSV_impl };
#define NKEY (int)(sizeof key_cols / sizeof key_cols[0])

static int
cmp_rows(const void *a, const void *b) {
	const struct row *x = a, *y = b;
	for (int i = 0; i < NKEY; i++) {
		int k = key_cols[i];
		int c = k == CSV_threads ? atoi(x->f[k]) - atoi(y->f[k]) : strcmp(x->f[k], y->f[k]);
		if (c)
			return c;
	}
	return 0;
}

/* same measurement group up to (and excluding) key column `upto` */
static int
same(const struct row *x, const struct row *y, int upto) {
	for (int i = 0; i < upto; i++)
		if (strcmp(x->f[key_cols[i]], y->f[key_cols[i]]))
			return 0;
	return 1;
}

struct group {
	int first, n;
	struct stats_summary s;
	int failed;
};

/* "part=impl ..." from the Makefile (BASELINE_<part>; runtime rows name their variant, so
 * theirs is the baseline preset): the baselines are defined there only */
#ifndef SKYBENCH_BASELINES
#error "build through make: it passes -DSKYBENCH_BASELINES=\"part=impl ...\""
#endif

static int
is_baseline(const char *part, const char *impl) {
	size_t np = strlen(part), ni = strlen(impl);
	for (const char *w = SKYBENCH_BASELINES; *(w += strspn(w, " ")); w += strcspn(w, " "))
		if (strncmp(w, part, np) == 0 && w[np] == '=' && strncmp(w + np + 1, impl, ni) == 0 &&
		    (w[np + 1 + ni] == ' ' || w[np + 1 + ni] == '\0'))
			return 1;
	return 0;
}

static void
fmt(double v, const char *unit, char *buf, size_t len) {
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (strcmp(unit, "ops/s") == 0)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else
		snprintf(buf, len, "%.1f", v);
}

static void
summarize(double level) {
	qsort(rows, (size_t)nrows, sizeof *rows, cmp_rows);
	struct group *g = calloc((size_t)nrows + 1, sizeof *g);
	double *v = malloc(((size_t)nrows + 1) * sizeof *v);
	int ng = 0;
	for (int i = 0; i < nrows;) {
		int j = i, m = 0, failed = 0;
		while (j < nrows && same(&rows[i], &rows[j], NKEY)) {
			if (strcmp(rows[j].f[CSV_check], "fail") == 0)
				failed++;
			else
				v[m++] = strtod(rows[j].f[CSV_value], NULL);
			j++;
		}
		g[ng].first = i;
		g[ng].n = j - i;
		g[ng].failed = failed;
		stats_summarize(v, (size_t)m, level, &g[ng].s);
		ng++;
		i = j;
	}
	printf("%-8s %-13s %-52s %3s %-15s %10s %24s %-13s %3s %8s %9s\n", "part", "benchmark",
		"params", "thr", "impl", "median", "interval (coverage)", "metric", "n", "/ceiling",
		"/baseline");
	const char *last = "";
	for (int k = 0; k < ng; k++) {
		const struct row *r = &rows[g[k].first];
		const char *unit = r->f[CSV_unit];
		/* the ceiling and baseline of this group: same key up to `ceiling`; of several
		 * ceilings the last by name (timer cancel: gather, a batch's floor, not chase) */
		const struct group *ceil = NULL, *base = NULL;
		for (int q = 0; q < ng; q++) {
			const struct row *o = &rows[g[q].first];
			if (!same(r, o, NKEY - 2))
				continue;
			if (strcmp(o->f[CSV_ceiling], "1") == 0)
				ceil = &g[q];
			else if (is_baseline(r->f[CSV_part], o->f[CSV_impl]))
				base = &g[q];
		}
		char med[32], lo[32], hi[32], iv[128], fc[16] = "", fb[16] = "";
		fmt(g[k].s.median, unit, med, sizeof med);
		fmt(g[k].s.lo, unit, lo, sizeof lo);
		fmt(g[k].s.hi, unit, hi, sizeof hi);
		snprintf(iv, sizeof iv, "[%s, %s] (%.1f%%)", lo, hi, 100 * g[k].s.level);
		if (ceil && strcmp(r->f[CSV_ceiling], "1") != 0)
			snprintf(fc, sizeof fc, "%.3f", g[k].s.median / ceil->s.median);
		if (base && base != &g[k] && strcmp(r->f[CSV_ceiling], "1") != 0) {
			int overlap = !(g[k].s.lo > base->s.hi || g[k].s.hi < base->s.lo);
			snprintf(fb, sizeof fb, "%.2f%s", g[k].s.median / base->s.median, overlap ? "=" : "");
		}
		char group[256];
		snprintf(group, sizeof group, "%s|%s|%s|%s", r->f[CSV_part], r->f[CSV_benchmark],
			r->f[CSV_params], r->f[CSV_metric]);
		if (strcmp(group, last) != 0 && k)
			putchar('\n');
		last = rows[g[k].first].f[CSV_part];
		static char lastgroup[256];
		snprintf(lastgroup, sizeof lastgroup, "%s", group);
		last = lastgroup;
		printf("%-8s %-13s %-52.52s %3s%s %-15s %10s %24s %-13s %3d %8s %9s%s\n", r->f[CSV_part],
			r->f[CSV_benchmark], r->f[CSV_params], r->f[CSV_threads],
			strcmp(r->f[CSV_oversubscribed], "1") == 0 ? "*" : " ", r->f[CSV_impl], med, iv,
			r->f[CSV_metric], g[k].n, fc, fb, g[k].failed ? "  CHECK FAILED" : "");
	}
	printf("\n* oversubscribed. Intervals: order statistics of the median; below 6 samples no\n"
		"95%% interval exists and [min, max] is shown with its coverage. /ceiling: median over\n"
		"the ceiling's median, same run (a rate: the share of it reached; a time per op: how\n"
		"many times the floor); /baseline: over the part's baseline (%s);\n"
		"'=' marks overlapping intervals: no significant difference.\n",
		SKYBENCH_BASELINES);
	free(g);
	free(v);
}

int
main(int argc, char **argv) {
	int check = 0, quiet = 0;
	double level = 0.95;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--check") == 0)
			check = 1;
		else if (strcmp(argv[i], "--quiet") == 0)
			quiet = 1;
		else if (strcmp(argv[i], "--level") == 0 && i + 1 < argc)
			level = atof(argv[++i]);
		else
			break;
	}
	if (i == argc) {
		fprintf(stderr, "usage: summary [--check] [--quiet] [--level 0.95] FILE.csv...\n");
		return 2;
	}
	for (; i < argc; i++)
		load(argv[i], check);
	if (check) {
		if (nrows == 0)
			complain(argv[argc - 1], 0, "no rows", NULL);
		fprintf(stderr, "schema check: %d rows, %d problem(s)\n", nrows, bad);
	}
	if (!quiet && nrows)
		summarize(level);
	for (int k = 0; k < nrows; k++)
		for (int c = 0; c < CSV_NCOLS; c++)
			free(rows[k].f[c]);
	free(rows);
	return bad ? 1 : 0;
}
