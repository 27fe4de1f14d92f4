"""Reading results CSVs (columns: results/README.md, written by bench/csv.c) and the .meta
file beside each, into runs. Which runs count is select.py's business, not this module's."""

import csv
import glob
import math
import os
import re

from skybench import ResultsError

# What the analysis reads; the writer's full column list is in bench/csv.h.
REQUIRED = ("run_id", "date", "host", "variant", "part", "impl", "ceiling", "benchmark",
	    "params", "threads", "metric", "value", "unit", "check")

# bench/run.sh labels a run under qemu-user (make bench ARCH=aarch64) with the host
# <host>-emulated-<label>: its numbers measure the emulator on the build machine, not
# ARM64, and are never compared (results/README.md).
EMULATED = "-emulated-"


def emulated_hosts(rows):
	"""The emulated host labels among rows (empty for a native run)."""
	return sorted({r["host"] for r in rows if EMULATED in r["host"]})


def read_csv(path):
	"""Returns (header, rows as dicts). Raises ResultsError on a missing/empty/bad file."""
	try:
		with open(path, newline="") as f:
			r = csv.reader(f)
			header = next(r, None)
			if header is None or header == []:
				raise ResultsError("%s: empty file (no header line)" % path)
			missing = [c for c in REQUIRED if c not in header]
			if missing:
				raise ResultsError("%s: not a skybench results CSV (no column %s)"
						   % (path, ", ".join(missing)))
			rows = []
			for lineno, rec in enumerate(r, start=2):
				if not rec:
					continue
				if len(rec) != len(header):
					raise ResultsError("%s:%d: %d fields, header has %d"
							   % (path, lineno, len(rec), len(header)))
				row = dict(zip(header, rec))
				check_row(row, "%s:%d" % (path, lineno))
				rows.append(row)
	except OSError as e:
		raise ResultsError("%s: %s" % (path, e.strerror or e))
	except csv.Error as e:
		raise ResultsError("%s: bad CSV: %s" % (path, e))
	except UnicodeDecodeError as e:
		raise ResultsError("%s: not a skybench results CSV (not UTF-8 text: byte 0x%02x at "
				   "offset %d)" % (path, e.object[e.start], e.start))
	dup = sorted({c for c in header if header.count(c) > 1})
	if dup:
		raise ResultsError("%s: not a skybench results CSV (column %s twice)" % (path, ", ".join(dup)))
	if not rows:
		raise ResultsError("%s: no data rows (header only)" % path)
	return header, rows


def check_row(row, where):
	"""The columns the analysis computes with: threads a count, value a finite number (or
	empty: a failed check), rep a count where the file has it, check pass/fail/none, ceiling
	0 or 1 (anything else would be silently taken for a pass, or for no ceiling)."""
	for col in ("threads", "rep"):
		v = row.get(col)
		if v is not None and not (v.isascii() and v.isdigit() and len(v) <= 6):
			raise ResultsError("%s: bad %s %r (a count)" % (where, col, v[:40]))
	if row["check"] not in ("pass", "fail", "none"):
		raise ResultsError("%s: bad check %r (pass, fail or none)" % (where, row["check"][:40]))
	if row["ceiling"] not in ("0", "1"):
		raise ResultsError("%s: bad ceiling %r (0 or 1)" % (where, row["ceiling"][:40]))
	v = row["value"]
	if v != "":
		try:
			x = float(v)
		except ValueError:
			x = None
		if x is None or not math.isfinite(x) or abs(x) > 1e300:
			raise ResultsError("%s: bad value %r (a finite number, or empty for a failed "
					   "check)" % (where, v[:40]))


def read_meta(path):
	"""The `key: value` lines of a .meta file (first occurrence wins); None if there is none.
	Free text: bytes that are not UTF-8 are replaced, never an error."""
	if not os.path.exists(path):
		return None
	meta = {}
	try:
		with open(path, errors="replace") as f:
			for line in f:
				k, sep, v = line.rstrip("\n").partition(": ")
				if sep and k not in meta:
					meta[k] = v
	except OSError as e:
		raise ResultsError("%s: %s" % (path, e.strerror or e))
	return meta


def sample_value(row):
	"""The sample as a float, or None for a failed check (docs/method.md rule 9: no number)."""
	if row["check"] == "fail" or row["value"] == "":
		return None
	try:
		return float(row["value"])
	except ValueError:
		raise ResultsError("bad value %r in run %s (%s/%s/%s)" % (row["value"], row["run_id"],
			row["part"], row["benchmark"], row["impl"]))


def is_peer(row):
	"""True for a peer's row (peer=go, erlang: the benchmark written for another runtime,
	bench/peers/), which is never a skybench variant; files from before the column have none."""
	return row.get("peer", "") not in ("", "-")


def higher_is_better(metric, unit):
	"""True for rates, False for times, None if the unit does not say."""
	if unit.endswith("/s") or metric.endswith("_per_s"):
		return True
	if unit in ("ns", "us", "ms", "s", "cycles") or unit.startswith("ns/") or \
	   unit.startswith("us/") or unit.startswith("cycles/") or metric.startswith("ns_"):
		return False
	return None


def parse_params(params):
	d = {}
	for kv in params.split(";"):
		if kv:
			k, _, v = kv.partition("=")
			d[k] = v
	return d


class Run:
	"""The rows of one driver invocation (one run_id) in one file, with the file's .meta.

	finished: the .meta has a `result:` line (the driver wrote it at the end); a CSV without
	any .meta (a synthetic test file) counts as finished. quick: a QUICK=1 smoke run.
	emulated: the emulated label (host <host>-emulated-<label>, or an `emulated:` line in the
	.meta), empty for a native run. order: the position in time, from the file name (results
	files are named <UTC stamp>-<variant>.csv) and the run's place in its file.
	kind: "pingpong" for a scripts/pingpong.sh run (its .meta's `driver:` line), an experiment
	of its own (variants alternated in one invocation, ping-pong only); "bench" otherwise."""
	__slots__ = ("path", "run_id", "header", "rows", "meta", "finished", "quick", "emulated",
		     "hosts", "order", "kind")

	def __init__(self, path, run_id, header, rows, meta, order):
		self.path, self.run_id, self.header, self.rows, self.meta = path, run_id, header, rows, meta
		self.order = order
		self.finished = meta is None or "result" in meta
		m = re.search(r"QUICK=(\S*)", (meta or {}).get("knobs", ""))
		self.quick = bool(m and m.group(1) not in ("", "0"))
		em = emulated_hosts(rows) or ([meta["emulated"]] if meta and "emulated" in meta else [])
		self.emulated = em[0] if em else ""
		self.hosts = sorted({r["host"] for r in rows})
		driver = (meta or {}).get("driver", "")
		self.kind = "pingpong" if driver.startswith("scripts/pingpong.sh") else "bench"

	@property
	def name(self):
		return os.path.basename(self.path)


def csv_files(paths):
	"""CSV files from files and directories (searched recursively), in time order: by file
	name (a UTC stamp first), then path."""
	files = []
	for p in paths:
		if os.path.isdir(p):
			files += glob.glob(os.path.join(p, "**", "*.csv"), recursive=True)
		else:
			files.append(p)
	return sorted(set(files), key=lambda x: (os.path.basename(x), x))


def load_runs(paths):
	"""Every run in the CSV files and directories of paths, oldest first."""
	runs = []
	for f in csv_files(paths):
		header, rows = read_csv(f)
		meta = read_meta(f[:-4] + ".meta")
		by_id = {}
		for row in rows:
			by_id.setdefault(row["run_id"], []).append(row)
		for rid, rrows in by_id.items():
			runs.append(Run(f, rid, header, rrows, meta, len(runs)))
	return runs
