#ifndef SKYBENCH_STATS_H
#define SKYBENCH_STATS_H

/* Summaries of repeated measurements (docs/method.md rule 3): the median with a
 * nonparametric confidence interval from order statistics (Le Boudec, "Performance
 * Evaluation of Computer and Communication Systems", 2010, section 2.2.1 and table A.1),
 * min and max.
 *
 * The interval [x(lo), x(hi)] (1-based order statistics) covers the true median with
 * probability P(lo <= B <= hi-1), B ~ Binomial(n, 1/2). We take the shortest such pair
 * whose coverage reaches the level, the most symmetric among equals, then the one with
 * more coverage, then the lower one. Below n = 6 no pair reaches 95%: the interval is then
 * [min, max] and `level` says the coverage actually achieved (n = 5: 93.75%). */

#include <stddef.h>

struct stats_summary {
	size_t n;
	double median;
	double lo, hi;		/* confidence interval of the median */
	size_t lo_idx, hi_idx;	/* its 1-based order statistics */
	double level;		/* coverage of [lo, hi] actually achieved */
	double min, max;
};

/* 1 if the level was reached, 0 if [1, n] is the best there is (level < want). */
int stats_median_ci_index(size_t n, double want, size_t *lo, size_t *hi, double *level);

/* Sorts a copy; samples are rates or times as measured, never ratios of other summaries.
 * n = 0 gives an all-NaN summary. */
void stats_summarize(const double *samples, size_t n, double want, struct stats_summary *out);

double stats_median(const double *samples, size_t n);

#endif
