/* skybench-test: partless */
/* The benchmark statistics: median and its order-statistic 95% interval on known samples.
 * The expected interval indices were computed independently (exact binomial sums in
 * Python) and agree with Le Boudec's table A.1 where it has entries. */

#include "tap.h"
#include "../bench/stats.c"

#include <math.h>

static const struct { int n, lo, hi; } ci95[] = {
	{5,1,5}, {6,1,6}, {7,1,7}, {8,1,7}, {9,2,8}, {10,2,9}, {11,2,9}, {12,3,10},
	{13,3,11}, {14,3,11}, {15,4,12}, {16,4,12}, {17,5,13}, {18,5,14}, {19,5,14}, {20,6,15},
	{21,6,16}, {22,6,16}, {23,7,17}, {24,7,17}, {25,8,18}, {26,8,19}, {27,8,19}, {28,9,20},
	{29,9,20}, {30,10,21}, {31,10,22}, {32,10,22}, {33,11,23}, {34,11,23}, {35,12,24}, {36,12,24},
	{37,13,25}, {38,13,26}, {39,13,26}, {40,14,27}, {41,14,27}, {42,15,28}, {43,15,28}, {44,16,29},
	{45,16,30}, {46,16,30}, {47,17,31}, {48,17,31}, {49,18,32}, {50,18,32}, {51,19,33}, {52,19,34},
	{53,19,34}, {54,20,35}, {55,20,35}, {56,21,36}, {57,21,36}, {58,22,37}, {59,22,38}, {60,22,38},
	{61,23,39}, {62,23,39}, {63,24,40}, {64,24,40}, {65,25,41}, {66,25,41}, {67,26,42}, {68,26,43},
	{69,26,43}, {70,27,44}, {71,27,44}, {72,28,45}, {73,28,45}, {74,29,46}, {75,29,47}, {76,29,47},
	{77,30,48}, {78,30,48}, {79,31,49}, {80,31,49}, {81,32,50}, {82,32,50}, {83,33,51}, {84,33,52},
	{85,33,52}, {86,34,53}, {87,34,53}, {88,35,54}, {89,35,54}, {90,36,55}, {91,36,55}, {92,37,56},
	{93,37,56}, {94,38,57}, {95,38,58}, {96,38,58}, {97,39,59}, {98,39,59}, {99,40,60}, {100,40,60},
};

static int
near(double a, double b) {
	return fabs(a - b) <= 1e-9 * (fabs(a) + fabs(b) + 1);
}

int
main(void) {
	/* interval indices, n = 5..100 */
	int bad = 0;
	for (size_t i = 0; i < sizeof ci95 / sizeof ci95[0]; i++) {
		size_t lo, hi;
		double level;
		int reached = stats_median_ci_index((size_t)ci95[i].n, 0.95, &lo, &hi, &level);
		if ((int)lo != ci95[i].lo || (int)hi != ci95[i].hi || (ci95[i].n >= 6 && !reached) ||
		    (ci95[i].n >= 6 && level < 0.95)) {
			diag("n=%d: got [%zu,%zu] level %.4f, want [%d,%d]", ci95[i].n, lo, hi,
				level, ci95[i].lo, ci95[i].hi);
			bad++;
		}
	}
	is_int(bad, 0, "95%% interval indices match the table for n = 5..100");

	size_t lo, hi;
	double level;
	int reached = stats_median_ci_index(5, 0.95, &lo, &hi, &level);
	ok(!reached && lo == 1 && hi == 5 && near(level, 0.9375),
		"n = 5 cannot reach 95%%: [min,max] at 93.75%% (got %.4f)", level);
	reached = stats_median_ci_index(6, 0.95, &lo, &hi, &level);
	ok(reached && lo == 1 && hi == 6 && near(level, 62.0 / 64),
		"n = 6: [1,6] covers 62/64 (got %.6f)", level);
	/* a 99% level needs wider intervals than 95% */
	size_t lo99, hi99;
	level = 0;
	stats_median_ci_index(50, 0.99, &lo99, &hi99, &level);
	ok(lo99 < 18 && hi99 > 32 && level >= 0.99, "n = 50 at 99%%: [%zu,%zu] is wider than [18,32]",
		lo99, hi99);
	/* large n: close to the normal approximation 0.5n -+ 0.98 sqrt(n) */
	stats_median_ci_index(1000, 0.95, &lo, &hi, &level);
	ok(lo >= 467 && lo <= 471 && hi >= 530 && hi <= 534 && level >= 0.95,
		"n = 1000: [%zu,%zu] near [469,532]", lo, hi);

	/* summaries of known samples, given unsorted */
	double odd[] = { 5, 1, 4, 2, 3 };
	struct stats_summary s;
	stats_summarize(odd, 5, 0.95, &s);
	ok(s.n == 5 && s.median == 3 && s.min == 1 && s.max == 5 && s.lo == 1 && s.hi == 5,
		"1..5 shuffled: median 3, interval [1,5], min 1, max 5");
	double even[] = { 10, 40, 20, 30 , 60, 50 };
	stats_summarize(even, 6, 0.95, &s);
	ok(s.median == 35 && s.lo == 10 && s.hi == 60, "six samples: median 35 (mean of middle two)");
	double ten[10];
	for (int i = 0; i < 10; i++)
		ten[i] = 100 - 10 * i;	/* 100, 90, ..., 10 */
	stats_summarize(ten, 10, 0.95, &s);
	ok(s.median == 55 && s.lo_idx == 2 && s.hi_idx == 9 && s.lo == 20 && s.hi == 90,
		"ten samples: median 55, interval x(2)..x(9) = [20, 90] (got [%g, %g])", s.lo, s.hi);
	ok(s.min == 10 && s.max == 100, "ten samples: min 10, max 100");
	ok(ten[0] == 100 && ten[9] == 10, "summarize leaves the caller's samples unsorted");
	double one = 7;
	stats_summarize(&one, 1, 0.95, &s);
	ok(s.median == 7 && s.lo == 7 && s.hi == 7 && s.level == 0, "one sample: no interval (level 0)");
	stats_summarize(NULL, 0, 0.95, &s);
	ok(s.n == 0 && isnan(s.median), "no samples: NaN median");
	ok(stats_median(even, 6) == 35 && stats_median(odd, 5) == 3, "stats_median");
	return done_testing();
}
