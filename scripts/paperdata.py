"""Which results back the paper and the claims (shared by scripts/paper-numbers and
scripts/check-claims). Pure python3 standard library; statistics are skyresults.py's.

A results directory holds runs: <stamp>-<variant>.csv with a .meta beside it. A run counts
only when it finished (its .meta has a `result:` line; a CSV without any .meta, such as a
synthetic test file, is taken as finished) and, unless quick runs are allowed, was not a
QUICK=1 smoke run. Failed samples (check=fail) carry no number and are left out
(docs/method.md rule 9). Emulated runs (host <host>-emulated-<label>, or an `emulated:` line
in the .meta: make bench ARCH=aarch64 under qemu-user) never count: they are skipped with a
line on stderr, so such a directory under results/ cannot change the paper or the claims.

Selection (docs/method.md rule 2: a ratio compares numbers from one invocation):
- micro-benchmarks (part globalq, handle, timer): every implementation of the part is in
  the same program run, so each part is taken whole from ONE run: the latest finished run
  that measured it (files sort by their UTC stamp);
- whole runtime (part runtime): one run per variant, the latest for that variant. Runtime
  ratios therefore compare separate invocations; the paper says so.
"""

import glob
import os
import re
import sys

import skyresults as S

MICRO_PARTS = ("globalq", "handle", "timer")


class Run:
	__slots__ = ("path", "meta", "rows", "finished", "quick")

	def __init__(self, path, rows, meta):
		self.path = path
		self.rows = rows
		self.meta = meta
		self.finished = meta is None or "result" in meta
		knobs = (meta or {}).get("knobs", "")
		m = re.search(r"QUICK=(\S*)", knobs)
		self.quick = bool(m and m.group(1) not in ("", "0"))


def read_meta(path):
	if not os.path.exists(path):
		return None
	meta = {}
	with open(path, errors="replace") as f:
		for line in f:
			k, sep, v = line.rstrip("\n").partition(": ")
			if sep and k not in meta:
				meta[k] = v
	return meta


def load_runs(paths):
	"""Runs from CSV files and directories (searched recursively), sorted by file name."""
	files = []
	for p in paths:
		if os.path.isdir(p):
			files += glob.glob(os.path.join(p, "**", "*.csv"), recursive=True)
		else:
			files.append(p)
	runs = []
	for f in sorted(set(files), key=lambda x: (os.path.basename(x), x)):
		_, rows = S.read_csv(f)
		meta = read_meta(f[:-4] + ".meta")
		em = S.emulated_hosts(rows) or ([meta["emulated"]] if meta and "emulated" in meta else [])
		if em:
			print("%s: SKIPPED %s: emulated run (%s): qemu-user numbers are never compared"
			      % (os.path.basename(sys.argv[0]), f, em[0]), file=sys.stderr)
			continue
		runs.append(Run(f, rows, meta))
	return runs


class Cell:
	"""The samples of one (host, part, benchmark, params, metric, threads, impl)."""
	__slots__ = ("samples", "unit", "ceiling", "oversubscribed", "run", "_sum")

	def __init__(self, unit, ceiling, oversubscribed, run):
		self.samples = []
		self.unit = unit
		self.ceiling = ceiling
		self.oversubscribed = oversubscribed
		self.run = run
		self._sum = None

	@property
	def summary(self):
		if self._sum is None:
			self._sum = S.Summary(self.samples)
		return self._sum


class Dataset:
	"""The selected cells of one host. key = (part, benchmark, params, metric, threads, impl)."""

	def __init__(self, host):
		self.host = host
		self.cells = {}
		self.runs = []		# the selected runs, in file order
		self.info = {}		# machine columns of the first selected row

	def get(self, part, benchmark, params, metric, threads, impl):
		return self.cells.get((part, benchmark, params, metric, int(threads), impl))

	def keys(self, **want):
		names = ("part", "benchmark", "params", "metric", "threads", "impl")
		out = []
		for k in self.cells:
			if all(k[names.index(n)] == v for n, v in want.items()):
				out.append(k)
		return sorted(out, key=sort_key)

	@property
	def ncpus(self):
		m = re.search(r"(?:^|;)CPU\(s\): (\d+)", self.info.get("lscpu", ""))
		if m:
			return int(m.group(1))
		# "1 socket x 2 cores x 1 PU/core, 2 PUs, 1 NUMA node": the total, not per core
		m = re.findall(r"(\d+) PUs?(?!/)", self.info.get("topology", ""))
		return int(m[-1]) if m else None


def sort_key(k):
	"""Keys in a natural order: numbers inside params compare as numbers."""
	def nat(s):
		return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", s)]
	return tuple(nat(x) if isinstance(x, str) else x for x in k)


def select(runs, allow_quick=False):
	"""{host: Dataset} from runs, with the selection rules above."""
	usable = [r for r in runs if r.finished and (allow_quick or not r.quick)]
	by_host = {}
	for r in usable:
		for row in r.rows:
			by_host.setdefault(row["host"], []).append(r)
			break
	out = {}
	for host in sorted(by_host):
		hruns = by_host[host]
		chosen = {}	# (part, runtime variant or "") -> run, the latest wins
		for r in hruns:
			parts = set()
			for row in r.rows:
				if row["host"] != host:
					continue
				parts.add((row["part"], row["impl"] if row["part"] == "runtime" else ""))
			for p in parts:
				chosen[p] = r
		ds = Dataset(host)
		for (part, variant), r in sorted(chosen.items()):
			if r not in ds.runs:
				ds.runs.append(r)
			for row in r.rows:
				if row["host"] != host or row["part"] != part:
					continue
				if part == "runtime" and row["impl"] != variant:
					continue
				if not ds.info:
					ds.info = dict(row)
					ds.info["lscpu"] = (r.meta or {}).get("lscpu", "")
				v = S.sample_value(row)
				if v is None:
					continue
				key = (part, row["benchmark"], row["params"], row["metric"],
				       int(row["threads"]), row["impl"])
				c = ds.cells.get(key)
				if c is None:
					c = ds.cells[key] = Cell(row["unit"], row["ceiling"] == "1",
								 row.get("oversubscribed") == "1", r)
				c.samples.append(v)
		ds.runs.sort(key=lambda r: os.path.basename(r.path))
		if ds.cells:
			out[host] = ds
	return out


def ratio(a, b, seed=1):
	"""(point, lo, hi) of median(a)/median(b), percentile-bootstrap 95% interval."""
	lo, hi = S.ratio_ci(b.samples, a.samples, seed=seed)
	bm = b.summary.median
	point = a.summary.median / bm if bm else float("nan")
	return point, lo, hi


def differ(a, b):
	"""docs/method.md rule 4: two medians differ only when their intervals do not overlap."""
	sa, sb = a.summary, b.summary
	return sa.hi < sb.lo or sb.hi < sa.lo
