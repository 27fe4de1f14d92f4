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


class ResultsError(Exception):
	"""A problem with the input that the user must fix: reported in one line, exit 2."""
