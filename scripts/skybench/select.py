"""Which runs count, and which run is the newest of a measurement: the one rule that the
paper, the claims, scripts/plot and scripts/compare all use.

A run counts when it finished (its .meta has a `result:` line; a CSV without any .meta,
such as a synthetic test file, counts as finished), was not a QUICK=1 smoke run (unless
quick runs are allowed) and was not emulated (host <host>-emulated-<label> or an
`emulated:` line in the .meta: make bench ARCH=aarch64 under qemu-user): an emulated run is
skipped with a line on stderr, so such a directory under results/ changes nothing.
Runs are of one kind at a time: `make bench` runs by default; scripts/pingpong.sh runs
(kind "pingpong": a few variants alternated in one invocation) only when asked for, so a
ping-pong experiment never replaces a make bench run's rows. A ping-pong run is taken whole,
the newest per host (newest_runs): its points are compared within that one invocation.

Runs are ordered by their file names (a UTC stamp first). Per host (docs/method.md rule 2: a
ratio compares numbers from one invocation):
- micro-benchmarks (every part but `runtime`): every implementation of the part is in the
  same program run, so each part is taken whole from ONE run, the newest that measured it;
- whole runtime (part `runtime`): each benchmark of each variant (the impl column) from the
  newest run that measured it, so a FILTER run of a few benchmarks replaces only those.
  Runtime ratios therefore compare separate invocations; the paper says so.
Failed samples (check=fail) carry no number (docs/method.md rule 9): they are counted in the
selected rows and left out of the cells.
"""

import os
import re
import sys

from skybench import ResultsError
from skybench.read import sample_value
from skybench.stats import Summary


def usable(runs, allow_quick=False, report=True, kind="bench"):
	"""The runs of that kind that count, in order; each emulated run skipped with a line on
	stderr (unless report is false: the caller has had select() say so already)."""
	out = []
	for r in runs:
		if r.kind != kind:
			continue
		if r.emulated:
			if report:
				print("%s: SKIPPED %s: emulated run (%s): qemu-user numbers are never compared"
				      % (os.path.basename(sys.argv[0]), r.path, r.emulated), file=sys.stderr)
			continue
		if r.finished and (allow_quick or not r.quick):
			out.append(r)
	return out


def newest_runs(runs, allow_quick=False, kind="pingpong"):
	"""{host: run}: per host, the newest usable run of that kind with rows of the host, taken
	whole. For scripts/pingpong.sh runs: their points (specs, ceilings, peers) are compared
	only within one invocation, so a newer run replaces an older one entirely, never point by
	point."""
	out = {}
	for r in usable(runs, allow_quick, kind=kind):
		for host in r.hosts:
			out[host] = r
	return out


def measured(run, host):
	"""What a run measured on a host, as selection keys: (part, "") for a micro-benchmark
	part, ("runtime", (variant, benchmark)) for each whole-runtime benchmark of a variant."""
	return {(row["part"], (row["impl"], row["benchmark"]) if row["part"] == "runtime" else "")
		for row in run.rows if row["host"] == host}


def newest(runs):
	"""{host: {key: run}}: for every key a host measured, the newest run that measured it."""
	out = {}
	for r in runs:
		for host in r.hosts:
			for k in measured(r, host):
				out.setdefault(host, {})[k] = r
	return out


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
			self._sum = Summary(self.samples)
		return self._sum


def sort_key(k):
	"""Keys in a natural order: numbers inside params compare as numbers."""
	def nat(s):
		return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", s)]
	return tuple(nat(x) if isinstance(x, str) else x for x in k)


class Dataset:
	"""The selected rows of one host and their cells.
	key = (part, benchmark, params, metric, threads, impl)."""

	def __init__(self, host):
		self.host = host
		self.rows = []		# the selected rows, failed samples included
		self.cells = {}
		self.runs = []		# the selected runs, in time order
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

	def add(self, row, run):
		self.rows.append(row)
		if not self.info:
			self.info = dict(row)
			self.info["lscpu"] = (run.meta or {}).get("lscpu", "")
		v = sample_value(row)
		if v is None:
			return
		key = (row["part"], row["benchmark"], row["params"], row["metric"],
		       int(row["threads"]), row["impl"])
		c = self.cells.get(key)
		if c is None:
			c = self.cells[key] = Cell(row["unit"], row["ceiling"] == "1",
						 row.get("oversubscribed") == "1", run)
		c.samples.append(v)


def select(runs, allow_quick=False, kind="bench"):
	"""{host: Dataset} of the usable runs of that kind, by the rule above."""
	out = {}
	for host, chosen in sorted(newest(usable(runs, allow_quick, kind=kind)).items()):
		ds = Dataset(host)
		for (part, variant), r in sorted(chosen.items()):
			if r not in ds.runs:
				ds.runs.append(r)
			for row in r.rows:
				if row["host"] == host and row["part"] == part and \
				   (part != "runtime" or (row["impl"], row["benchmark"]) == variant):
					ds.add(row, r)
		ds.runs.sort(key=lambda r: r.order)
		if ds.cells:
			out[host] = ds
	return out


def newest_pair(runs):
	"""(a, b) for `compare DIR`: b the newest usable run, a the newest usable run before it
	on the same host that measured one of b's parts (whole-runtime rows of any variant
	count as one part, so a variant's run pairs with another variant's). ResultsError if
	there is no such pair."""
	runs = usable(runs)
	if not runs:
		raise ResultsError("no finished, non-QUICK results run (run make bench first, or give "
				   "A= B=)")
	b = runs[-1]
	parts = {(h, p) for h in b.hosts for p, _ in measured(b, h)}
	for a in reversed(runs[:-1]):
		if any((h, p) in parts for h in a.hosts for p, _ in measured(a, h)):
			return a, b
	raise ResultsError("no finished, non-QUICK run before %s measured its parts (%s); give "
			   "A= B= or FILE= VA= VB=" % (b.name, " ".join(sorted({p for _, p in parts}))))
