"""Medians, their order-statistic intervals, and bootstrap intervals of ratios.

Summaries follow docs/method.md rule 3: the median of the raw samples with an order-statistic
interval, the same choice of order statistics as bench/stats.c (tests/test_stats_python.c
checks that both give the same interval on the same samples): the shortest pair
[x(j), x(k)] whose coverage P(j <= B <= k-1), B ~ Binomial(n, 1/2), reaches the level, the
most symmetric among equals (Le Boudec, "Performance Evaluation of Computer and
Communication Systems", 2010, 2.2.1); below n = 6 none reaches 95% and the interval is
[min, max] (n = 5: 93.75%). Ratios get a percentile bootstrap of the ratio of medians
(Efron & Tibshirani, "An Introduction to the Bootstrap", 1993, ch. 13), with a fixed seed so
that output is reproducible.
"""

import math
import random


def _binom_half_cdf(n):
	"""cdf[i] = P(B <= i - 1), B ~ Binomial(n, 1/2)."""
	cdf = [0.0]
	for i in range(n + 1):
		cdf.append(cdf[-1] + math.exp(math.lgamma(n + 1) - math.lgamma(i + 1)
				- math.lgamma(n - i + 1) - n * math.log(2.0)))
	return cdf


def median_ci_index(n, want=0.95):
	"""(lo, hi, level): 1-based order statistics of the median's interval, as bench/stats.c."""
	if n == 0:
		return 0, 0, 0.0
	cdf = _binom_half_cdf(n)
	for length in range(1, n):
		best = None
		for j in range(1, n - length + 1):
			k = j + length
			cov = cdf[k] - cdf[j]
			if cov < want:
				continue
			asym = abs((j - 1) - (n - k))
			# mirrored pairs have equal coverage up to rounding: keep the lower one
			if best is None or asym < best[1] or (asym == best[1] and cov > best[2] + 1e-12):
				best = (j, asym, cov)
		if best:
			return best[0], best[0] + length, best[2]
	return 1, n, cdf[n] - cdf[1]


def median(xs):
	s = sorted(xs)
	n = len(s)
	if n == 0:
		return float("nan")
	return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


class Summary:
	"""median, [lo, hi] (order statistics lo_idx, hi_idx, 1-based) and the level achieved."""
	__slots__ = ("n", "median", "lo", "hi", "lo_idx", "hi_idx", "level", "samples")

	def __init__(self, samples, want=0.95):
		s = sorted(samples)
		self.samples = s
		self.n = len(s)
		self.median = median(s)
		self.lo_idx, self.hi_idx, self.level = median_ci_index(self.n, want)
		if self.n:
			self.lo, self.hi = s[self.lo_idx - 1], s[self.hi_idx - 1]
		else:
			self.lo = self.hi = float("nan")


_median_idx = {}


def _boot_median_index(n, resamples, seed, stream):
	"""For each resample of n sorted samples, the two positions whose mean is its median.
	The draws depend only on (n, resamples, seed, stream), so they are made once and reused
	for every row: each row's interval is still an ordinary bootstrap, and output is
	reproducible."""
	key = (n, resamples, seed, stream)
	got = _median_idx.get(key)
	if got is None:
		rng = random.Random("%d/%d/%d" % (seed, n, stream))
		pos = range(n)
		got = []
		for _ in range(resamples):
			d = sorted(rng.choices(pos, k=n))
			got.append((d[(n - 1) // 2], d[n // 2]))
		_median_idx[key] = got
	return got


def boot_medians(samples, resamples, seed, stream):
	s = sorted(samples)
	return [(s[i] + s[j]) / 2 for i, j in _boot_median_index(len(s), resamples, seed, stream)]


def ratio_ci(a, b, resamples=10000, seed=1, level=0.95):
	"""Percentile bootstrap interval of median(b)/median(a); a and b are resampled
	independently (different streams). Returns (lo, hi); NaN when a side is empty or a
	resampled median of a is 0."""
	if not a or not b:
		return float("nan"), float("nan")
	ma = boot_medians(a, resamples, seed, 0)
	mb = boot_medians(b, resamples, seed, 1)
	if any(x == 0 for x in ma):
		return float("nan"), float("nan")
	r = sorted(y / x for x, y in zip(ma, mb))
	alpha = (1 - level) / 2
	lo = r[max(0, int(math.floor(alpha * resamples)))]
	hi = r[min(resamples - 1, int(math.ceil((1 - alpha) * resamples)) - 1)]
	return lo, hi


def ratio(a, b, seed=1):
	"""(point, lo, hi) of median(a)/median(b) for two cells (select.Cell), with the
	percentile-bootstrap 95% interval."""
	lo, hi = ratio_ci(b.samples, a.samples, seed=seed)
	bm = b.summary.median
	point = a.summary.median / bm if bm else float("nan")
	return point, lo, hi


def differ(a, b):
	"""docs/method.md rule 4: two medians differ only when their intervals do not overlap."""
	sa, sb = a.summary, b.summary
	return sa.hi < sb.lo or sb.hi < sa.lo


def fmt_num(x):
	"""Short human form: 3 significant digits with k/M/G, or the plain number."""
	if x is None or (isinstance(x, float) and math.isnan(x)):
		return "-"
	ax = abs(x)
	for div, suf in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
		if ax >= div:
			return "%.3g%s" % (x / div, suf)
	return "%.3g" % x
