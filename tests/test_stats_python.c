/* skybench-test: partless
 * The median and its order-statistic interval are computed in C (bench/stats.c: the
 * summary after every benchmark run) and in Python (scripts/skybench/stats.py: compare,
 * plot, the paper). Both must pick the same interval on the same samples: this program
 * summarizes generated sample sets in C, has the Python package summarize the same sets
 * (written with %.17g, so Python reads the very same doubles), and compares. Indices,
 * median and endpoints must be equal exactly; the achieved level may differ in the last
 * bits (lgamma/exp are different implementations), by at most 1e-12.
 * Runs from the repository root (make test does), needs /usr/bin/python3. */

#include "tap.h"
#include "../bench/stats.c"

#include <math.h>
#include <stdint.h>
#include <unistd.h>

#define MAXN 1000

/* deterministic samples: the same sets on every run and machine */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t
rng(void) {
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

enum kind { DISTINCT, TIES, EQUAL, NKINDS };
static const char *kind_name[NKINDS] = { "distinct", "ties", "all equal" };

static void
fill(double *x, size_t n, enum kind k) {
	for (size_t i = 0; i < n; i++) {
		switch (k) {
		case DISTINCT: x[i] = 1e6 * (double)(rng() >> 11) / (double)(1ull << 53); break;
		case TIES: x[i] = (double)(1 + rng() % 3); break;
		case EQUAL: x[i] = 42.5; break;
		case NKINDS: break;
		}
	}
}

struct set {
	double want;
	size_t n;
	enum kind kind;
	double x[MAXN];
};

static size_t nsets;
static struct set sets[400];

static void
add(double want, size_t n, enum kind k) {
	if (nsets == sizeof sets / sizeof sets[0])
		abort();
	struct set *s = &sets[nsets++];
	s->want = want;
	s->n = n;
	s->kind = k;
	fill(s->x, n, k);
}

static int
same(double a, double b) {
	return (isnan(a) && isnan(b)) || a == b;
}

static const char python[] =
	"import sys\n"
	"from skybench.stats import Summary\n"
	"for line in open(sys.argv[1]):\n"
	"    w = line.split()\n"
	"    n = int(w[1])\n"
	"    s = Summary([float(v) for v in w[2:2 + n]], float(w[0]))\n"
	"    print('%d %d %.17g %.17g %.17g %.17g' % (s.lo_idx, s.hi_idx, s.level, s.median, s.lo, s.hi))\n";

int
main(void) {
	/* every n up to 40 (the small-n edge cases: 0, 1, below 6 where 95% is out of reach,
	 * odd and even), then a few larger odd/even ones; three shapes each; 99% and 50% too */
	static const size_t big[] = { 49, 50, 51, 64, 99, 100, 101, 255, 256, 999, 1000 };
	for (size_t n = 0; n <= 40; n++)
		for (int k = 0; k < NKINDS; k++)
			add(0.95, n, (enum kind)k);
	for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
		for (int k = 0; k < NKINDS; k++)
			add(0.95, big[i], (enum kind)k);
	for (size_t n = 1; n <= 30; n += 3) {
		add(0.99, n, DISTINCT);
		add(0.5, n, TIES);
	}

	if (access("/usr/bin/python3", X_OK) != 0) {
		skip("/usr/bin/python3 missing: the Python intervals cannot be compared with C's");
		return done_testing();
	}
	if (access("scripts/skybench/stats.py", R_OK) != 0) {
		ok(0, "scripts/skybench/stats.py readable from the repository root (run from there)");
		return done_testing();
	}
	char dir[] = "/tmp/skybench-stats.XXXXXX";
	if (mkdtemp(dir) == NULL) {
		ok(0, "temporary directory");
		return done_testing();
	}
	char samples[64], script[64], cmd[256];
	snprintf(samples, sizeof samples, "%s/samples", dir);
	snprintf(script, sizeof script, "%s/summarize.py", dir);
	FILE *f = fopen(samples, "w"), *g = fopen(script, "w");
	if (f == NULL || g == NULL)
		abort();
	for (size_t i = 0; i < nsets; i++) {
		fprintf(f, "%.17g %zu", sets[i].want, sets[i].n);
		for (size_t j = 0; j < sets[i].n; j++)
			fprintf(f, " %.17g", sets[i].x[j]);
		fputc('\n', f);
	}
	fputs(python, g);
	fclose(f);
	fclose(g);
	snprintf(cmd, sizeof cmd, "PYTHONPATH=scripts /usr/bin/python3 -B %s %s", script, samples);
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		abort();

	size_t nread = 0, bad_idx = 0, bad_val = 0, bad_level = 0;
	double worst = 0;
	for (size_t i = 0; i < nsets; i++) {
		size_t lo, hi;
		double level, median, vlo, vhi;
		if (fscanf(p, "%zu %zu %lf %lf %lf %lf", &lo, &hi, &level, &median, &vlo, &vhi) != 6)
			break;
		nread++;
		struct stats_summary c;
		stats_summarize(sets[i].x, sets[i].n, sets[i].want, &c);
		const char *what = kind_name[sets[i].kind];
		if (lo != c.lo_idx || hi != c.hi_idx) {
			diag("n=%zu %s at %g: Python [x(%zu), x(%zu)], C [x(%zu), x(%zu)]", sets[i].n,
				what, sets[i].want, lo, hi, c.lo_idx, c.hi_idx);
			bad_idx++;
		}
		if (!same(median, c.median) || !same(vlo, c.lo) || !same(vhi, c.hi)) {
			diag("n=%zu %s: Python %.17g [%.17g, %.17g], C %.17g [%.17g, %.17g]", sets[i].n,
				what, median, vlo, vhi, c.median, c.lo, c.hi);
			bad_val++;
		}
		double d = fabs(level - c.level);
		if (d > worst)
			worst = d;
		if (d > 1e-12) {
			diag("n=%zu at %g: level Python %.17g, C %.17g", sets[i].n, sets[i].want, level,
				c.level);
			bad_level++;
		}
	}
	int rc = pclose(p);
	ok(rc == 0 && nread == nsets, "the Python package summarized all %zu sample sets (read %zu, "
		"exit status %d)", nsets, nread, rc);
	is_int(bad_idx, 0, "same order statistics [x(lo), x(hi)] in C and Python (n = 0..40 and "
		"up to 1000; distinct, tied, all-equal samples; 95%%, 99%%, 50%%)");
	is_int(bad_val, 0, "same median and interval endpoints, exactly");
	is_int(bad_level, 0, "same achieved coverage level within 1e-12 (largest difference %.3g)",
		worst);

	unlink(samples);
	unlink(script);
	rmdir(dir);
	return done_testing();
}
