"""skybench: the analysis of skybench results, shared by scripts/compare, scripts/plot,
scripts/paper-numbers and scripts/check-claims. Pure python3 standard library.

  read      reading and validating results CSVs and their .meta files into runs
  select    the one rule for which runs count and which run is the newest of a measurement
  stats     medians, order-statistic intervals of the median, bootstrap ratios
  variants  the parts, their baselines and the presets, read from `make -s variants`
  claims    the published claims (paper/claims.csv) and their verdicts

The scripts sit next to this folder: Python puts a script's own directory first on
sys.path, so `import skybench` finds it without any path editing.
"""


import argparse
import os
import sys
import tempfile


class ResultsError(Exception):
	"""A problem with the input that the user must fix: reported in one line, exit 2."""


def die(msg):
	"""The one error path of the scripts: "<prog>: error: <input>: <what>" on one line of
	stderr (newlines in msg folded, so a bad byte in a file name cannot split it), exit 2."""
	prog = os.path.basename(sys.argv[0]) or "skybench"
	print("%s: error: %s" % (prog, " ".join(str(msg).split("\n"))), file=sys.stderr)
	sys.exit(2)


def write_atomic(path, text):
	"""Writes text to path through a temporary file in the same folder renamed over it at
	the end: a run that fails halfway leaves the earlier file whole, never a partial one."""
	d = os.path.dirname(path) or "."
	fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=d)
	try:
		with os.fdopen(fd, "w", newline="") as f:
			f.write(text)
		os.chmod(tmp, 0o644)
		os.replace(tmp, path)
	except BaseException:
		os.unlink(tmp)
		raise


class ArgumentParser(argparse.ArgumentParser):
	"""argparse whose errors take the one error path (one line, exit 2), not usage + error."""

	def error(self, message):
		die("%s (%s --help)" % (message, self.prog))
