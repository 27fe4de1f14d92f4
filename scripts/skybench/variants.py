"""The parts, each part's baseline implementation and the presets, as the Makefile defines
them: read once per process from the machine-readable lines of `make -s variants`
(PARTS:, BASELINE_<part>:, PRESETS:, PRESET_<name>:). Nothing here has a fallback: without
make, or without those lines, the caller gets a one-line VariantsError."""

import functools
import os
import re
import subprocess

from skybench import ResultsError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class VariantsError(ResultsError):
	pass


class Variants:
	"""parts: the part names in the Makefile's order; baseline: part -> implementation, and
	"runtime" -> the preset made of every part's baseline (whole-runtime rows name the
	variant in impl); presets: name -> combination (implementations joined by '-')."""
	__slots__ = ("parts", "baseline", "presets", "baseline_preset")

	def __init__(self, lines):
		how = "`make -s variants` in %s" % ROOT
		kv = {}
		for line in lines:
			m = re.match(r"([A-Z][A-Za-z0-9_]*): ?(.*)$", line)
			if m:
				kv[m.group(1)] = m.group(2).split()
		self.parts = kv.get("PARTS")
		if not self.parts or "PRESETS" not in kv:
			raise VariantsError("%s printed no PARTS:/PRESETS: lines (the Makefile defines "
					    "the parts, baselines and presets)" % how)
		self.baseline = {}
		for p in self.parts:
			b = kv.get("BASELINE_" + p)
			if not b or len(b) != 1:
				raise VariantsError("%s printed no single BASELINE_%s: line" % (how, p))
			self.baseline[p] = b[0]
		self.presets = {}
		for name in kv["PRESETS"]:
			c = kv.get("PRESET_" + name)
			if not c or len(c) != 1:
				raise VariantsError("%s printed no PRESET_%s: line" % (how, name))
			self.presets[name] = c[0]
		# a name leaves out trailing parts beyond the third while they are at their baseline
		impls = [self.baseline[p] for p in self.parts]
		while len(impls) > 3 and impls[-1] == self.baseline[self.parts[len(impls) - 1]]:
			impls.pop()
		whole = "-".join(impls)
		named = [n for n, c in sorted(self.presets.items()) if c == whole]
		if not named:
			raise VariantsError("%s: no preset is every part's baseline (%s)" % (how, whole))
		self.baseline_preset = named[0]
		self.baseline["runtime"] = self.baseline_preset


@functools.lru_cache(maxsize=None)
def variants():
	"""The Makefile's Variants, read on first use. Raises VariantsError."""
	# the variables of a calling make (make paper, make reproduce) are not ours to pass on
	env = {k: v for k, v in os.environ.items()
	       if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
	try:
		p = subprocess.run(["make", "-s", "--no-print-directory", "-C", ROOT, "variants"],
				   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
				   universal_newlines=True)
	except OSError as e:
		raise VariantsError("cannot run make to read the parts, baselines and presets "
				    "(`make -s variants` in %s): %s" % (ROOT, e.strerror or e))
	if p.returncode != 0:
		err = (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]
		raise VariantsError("`make -s variants` in %s failed: %s" % (ROOT, err))
	return Variants(p.stdout.splitlines())
