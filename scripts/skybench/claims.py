"""Published claims (paper/claims.csv) and how to check them against results.

A claim compares two measured cells of one part/benchmark/params/metric: the ratio
median(A) / median(B) against a threshold, e.g. "globalq pairs: mpmc at 2*ncpus threads is
at least 10x ckring at 2*ncpus threads". A and B are an implementation (or ceiling, or
runtime variant) at a thread count; the thread count is a number, `ncpus` or `k*ncpus`
(the machine's CPU count, so that the claim means the same on any machine).

Verdicts, for each host's data:
- reproduced:      the whole 95% interval of the ratio is on the claimed side of the threshold;
- not reproduced:  it is not (the point estimate alone passing is "inconclusive", still not
                   reproduced), or the cells were not measured;
- not applicable:  the claim needs more CPUs than the machine has (a numeric thread count
                   above its CPU count).

Columns of claims.csv (one header line):
  id, statement, part, benchmark, params, metric, a_impl, a_threads, b_impl, b_threads,
  comparison (>= or <=), threshold, published_host, published_cpus, published,
  published_lo, published_hi
The last five are generated from the committed results (scripts/check-claims --update).
"""

import csv
import io
import math
import re

from skybench import ResultsError, write_atomic
from skybench.stats import ratio

COLUMNS = ("id", "statement", "part", "benchmark", "params", "metric", "a_impl", "a_threads",
	   "b_impl", "b_threads", "comparison", "threshold", "published_host", "published_cpus",
	   "published", "published_lo", "published_hi")
GENERATED = COLUMNS[-5:]

REPRODUCED, NOT_REPRODUCED, NOT_APPLICABLE = "reproduced", "not reproduced", "not applicable"


def read_claims(path):
	try:
		with open(path, newline="") as f:
			r = csv.DictReader(f)
			if r.fieldnames is None:
				raise ResultsError("%s: empty claims file" % path)
			missing = [c for c in COLUMNS[:-5] if c not in r.fieldnames]
			if missing:
				raise ResultsError("%s: no column %s" % (path, ", ".join(missing)))
			dup = sorted({c for c in r.fieldnames if r.fieldnames.count(c) > 1})
			if dup:
				raise ResultsError("%s: column %s twice" % (path, ", ".join(dup)))
			claims = []
			for row in r:
				# DictReader: extra fields under None, missing ones None
				if None in row or None in row.values():
					raise ResultsError("%s:%d: wrong number of fields (header has %d)"
							   % (path, r.line_num, len(r.fieldnames)))
				claims.append(dict(row))
	except OSError as e:
		raise ResultsError("%s: %s" % (path, e.strerror or e))
	except csv.Error as e:
		raise ResultsError("%s: bad CSV: %s" % (path, e))
	except UnicodeDecodeError as e:
		raise ResultsError("%s: not a claims file (not UTF-8 text: byte 0x%02x at offset %d)"
				   % (path, e.object[e.start], e.start))
	if not claims:
		raise ResultsError("%s: no claims (header only)" % path)
	ids = [c["id"] for c in claims]
	dup = sorted({i for i in ids if ids.count(i) > 1})
	if dup:
		raise ResultsError("%s: claim %s listed twice" % (path, ", ".join(dup)))
	for c in claims:
		for col in GENERATED:
			c.setdefault(col, "")
			if c[col] is None:
				c[col] = ""
		if c["comparison"] not in (">=", "<="):
			raise ResultsError("%s: claim %s: comparison must be >= or <=, not %r"
					     % (path, c["id"], c["comparison"]))
		for col in ("id", "part", "benchmark", "metric", "a_impl", "b_impl"):
			if not c[col].strip():
				raise ResultsError("%s: claim %s: empty %s" % (path, c["id"] or "?", col))
		try:
			thr = float(c["threshold"])
		except ValueError:
			thr = float("nan")
		if not math.isfinite(thr) or thr <= 0:
			raise ResultsError("%s: claim %s: bad threshold %r (a positive number)"
					   % (path, c["id"], c["threshold"]))
		for side in ("a_threads", "b_threads"):
			if not re.fullmatch(r"\d{1,6}|(\d{1,6}\*)?ncpus", c[side]):
				raise ResultsError("%s: claim %s: %s must be a number, ncpus or k*ncpus, "
						     "not %r" % (path, c["id"], side, c[side]))
	return claims


def write_claims(path, claims):
	f = io.StringIO()
	w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
	w.writeheader()
	for c in claims:
		w.writerow({k: c.get(k, "") for k in COLUMNS})
	write_atomic(path, f.getvalue())


def resolve_threads(spec, ncpus):
	"""(threads, needs_cpus): a numeric count needs that many CPUs; k*ncpus needs none."""
	if spec.isdigit():
		return int(spec), int(spec)
	k = int(spec.split("*")[0]) if "*" in spec else 1
	return k * ncpus, 0


class Outcome:
	__slots__ = ("verdict", "note", "point", "lo", "hi", "a", "b", "threads")

	def __init__(self, verdict, note="", point=float("nan"), lo=float("nan"), hi=float("nan"),
		     a=None, b=None, threads=None):
		self.verdict, self.note = verdict, note
		self.point, self.lo, self.hi = point, lo, hi
		self.a, self.b, self.threads = a, b, threads


def evaluate(claim, ds, ncpus=None):
	"""Outcome of one claim on one host's Dataset; ncpus overrides the data's CPU count."""
	n = ncpus or ds.ncpus
	if not n:
		return Outcome(NOT_REPRODUCED, "the data do not say how many CPUs the machine has")
	ta, need_a = resolve_threads(claim["a_threads"], n)
	tb, need_b = resolve_threads(claim["b_threads"], n)
	need = max(need_a, need_b)
	if need > n:
		return Outcome(NOT_APPLICABLE, "needs %d CPUs, the machine has %d" % (need, n),
			       threads=(ta, tb))
	a = ds.get(claim["part"], claim["benchmark"], claim["params"], claim["metric"], ta,
		   claim["a_impl"])
	b = ds.get(claim["part"], claim["benchmark"], claim["params"], claim["metric"], tb,
		   claim["b_impl"])
	missing = [name for name, cell in (("%s at %d threads" % (claim["a_impl"], ta), a),
					   ("%s at %d threads" % (claim["b_impl"], tb), b))
		   if cell is None or not cell.samples]
	if missing:
		return Outcome(NOT_REPRODUCED, "not measured: " + ", ".join(missing), threads=(ta, tb))
	point, lo, hi = ratio(a, b)
	thr = float(claim["threshold"])
	if claim["comparison"] == ">=":
		ok, point_ok = lo >= thr, point >= thr
	else:
		ok, point_ok = hi <= thr, point <= thr
	if math.isnan(lo) or math.isnan(hi):
		ok = False
	note = ""
	if not ok and point_ok:
		note = "inconclusive: the interval straddles the threshold"
	return Outcome(REPRODUCED if ok else NOT_REPRODUCED, note, point, lo, hi, a, b, (ta, tb))


def fmt_ratio(point, lo, hi):
	if math.isnan(point):
		return "-"
	return "%.3g [%.3g, %.3g]" % (point, lo, hi)


def describe(claim):
	return "%s %s %s: %s@%s / %s@%s %s %s" % (
		claim["part"], claim["benchmark"], claim["params"], claim["a_impl"], claim["a_threads"],
		claim["b_impl"], claim["b_threads"], claim["comparison"], claim["threshold"])


def published_text(claim):
	if claim.get("published", "") == "":
		return "none (no published data)"
	return "%s [%s, %s] on %s (%s CPUs)" % (claim["published"], claim["published_lo"],
		claim["published_hi"], claim["published_host"], claim["published_cpus"])


def update_published(claims, datasets):
	"""Fill the generated columns from the host each claim names (the first host with data
	for it when published_host is empty). Values are rounded to 3 significant digits."""
	for c in claims:
		hosts = [c["published_host"]] if c.get("published_host") else sorted(datasets)
		for col in GENERATED:
			if col != "published_host":
				c[col] = ""
		for h in hosts:
			ds = datasets.get(h)
			if ds is None:
				continue
			o = evaluate(c, ds)
			if math.isnan(o.point):
				continue
			c["published_host"] = h
			c["published_cpus"] = str(ds.ncpus)
			c["published"], c["published_lo"], c["published_hi"] = (
				"%.3g" % o.point, "%.3g" % o.lo, "%.3g" % o.hi)
			break
	return claims
