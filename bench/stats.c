/* Median and its order-statistic confidence interval; see stats.h. */

#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* P(B <= i), B ~ Binomial(n, 1/2), summed in log space so that n in the thousands is fine */
static double
binom_half_pmf(size_t n, size_t i) {
	double lc = lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1);
	return exp(lc - (double)n * log(2.0));
}

int
stats_median_ci_index(size_t n, double want, size_t *lo, size_t *hi, double *level) {
	if (n == 0) {
		*lo = *hi = 0;
		*level = 0;
		return 0;
	}
	/* cdf[i] = P(B <= i - 1), so coverage(j, k) = cdf[k] - cdf[j] */
	double *cdf = malloc((n + 2) * sizeof *cdf);
	if (cdf == NULL)
		abort();
	cdf[0] = 0;
	for (size_t i = 0; i <= n; i++)
		cdf[i + 1] = cdf[i] + binom_half_pmf(n, i);
	for (size_t len = 1; len < n; len++) {
		size_t bj = 0;
		size_t basym = 0;
		double bcov = 0;
		for (size_t j = 1; j + len <= n; j++) {
			size_t k = j + len;
			double cov = cdf[k] - cdf[j];
			if (cov < want)
				continue;
			size_t below = j - 1, above = n - k;
			size_t asym = below > above ? below - above : above - below;
			/* mirrored pairs have equal coverage up to rounding: keep the lower one */
			if (bj == 0 || asym < basym || (asym == basym && cov > bcov + 1e-12)) {
				bj = j;
				basym = asym;
				bcov = cov;
			}
		}
		if (bj) {
			*lo = bj;
			*hi = bj + len;
			*level = bcov;
			free(cdf);
			return 1;
		}
	}
	*lo = 1;
	*hi = n;
	*level = cdf[n] - cdf[1];
	free(cdf);
	return *level >= want;
}

static int
cmp_double(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double
sorted_median(const double *s, size_t n) {
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

double
stats_median(const double *samples, size_t n) {
	if (n == 0)
		return NAN;
	double *s = malloc(n * sizeof *s);
	if (s == NULL)
		abort();
	memcpy(s, samples, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	double m = sorted_median(s, n);
	free(s);
	return m;
}

void
stats_summarize(const double *samples, size_t n, double want, struct stats_summary *out) {
	memset(out, 0, sizeof *out);
	out->n = n;
	if (n == 0) {
		out->median = out->lo = out->hi = out->min = out->max = NAN;
		return;
	}
	double *s = malloc(n * sizeof *s);
	if (s == NULL)
		abort();
	memcpy(s, samples, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	out->median = sorted_median(s, n);
	out->min = s[0];
	out->max = s[n - 1];
	stats_median_ci_index(n, want, &out->lo_idx, &out->hi_idx, &out->level);
	out->lo = s[out->lo_idx - 1];
	out->hi = s[out->hi_idx - 1];
	free(s);
}
