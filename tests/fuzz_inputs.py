#!/usr/bin/python3
"""The bad-input fuzz pass behind tests/test_fuzz_inputs.sh (README "Errors").

Feeds every entry point a user gives input to generated bad inputs, from a fixed seed
(SKYBENCH_FUZZ_SEED overrides it; printed, so a failure reproduces), each run under a
timeout, and checks the rule: bad input ends with a non-zero exit and one line on stderr
that names the input and what is wrong; never a traceback, a core dump, a sanitizer report,
a hang, or an output file changed or left behind. An input that is valid by chance (a
mutated config that is still a config) must give what a valid one gives. TAP on stdout;
"fuzz: N inputs tried" at the end.

Entry points: scripts/compare, check-claims (and --update), paper-numbers, plot on mutated
results CSVs, .meta files and claims files; skybench-node on mutated skynet configs and bad
command lines; the bench programs' options; bench/run.sh's knobs (make bench's THREADS,
PIN, REPS, FILTER, WAKE); the Makefile's part, SAN and ARCH variables; scripts/pingpong.sh
scripts/scaling-sweep.sh and scripts/runtime-bench.sh (the whole-runtime benchmarks) options.
Env: SKYBENCH_BUILD (the node), SKYBENCH_BENCH_DIR (the bench programs), SKYBENCH_RUNNER
(qemu or valgrind: the node and the bench programs run under it).
"""

import os
import random
import re
import shutil
import stat
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = int(os.environ.get("SKYBENCH_FUZZ_SEED", "20261206"))
RUNNER = os.environ.get("SKYBENCH_RUNNER", "").split()	# qemu for an ARM64 build, valgrind
rng = random.Random(SEED)
T = tempfile.mkdtemp(prefix="skybench-fuzz-")
n = 0
failed = 0
tried = 0
BAD_OUTPUT = re.compile(r"Traceback|core dumped|Sanitizer|runtime error:|Segmentation|Aborted")


def ok(cond, name, diag=""):
	global n, failed
	n += 1
	print("%s %d - %s" % ("ok" if cond else "not ok", n, name))
	if not cond:
		failed += 1
		for line in diag.splitlines()[:12]:
			print("#   " + line)


def skip(what):
	global n
	n += 1
	print("ok %d # SKIP %s" % (n, what))
	print("SKIPPED CHECK: " + what, file=sys.stderr)


def run(argv, cwd=ROOT, env=None, timeout=20):
	"""(rc, stdout, stderr); rc 124 on a timeout."""
	e = dict(os.environ, **(env or {}))
	e = {k: v for k, v in e.items() if v is not None}	# None: unset it
	try:
		p = subprocess.run(argv, cwd=cwd, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
				   timeout=timeout, stdin=subprocess.DEVNULL)
		return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
	except subprocess.TimeoutExpired:
		return 124, "", "(timed out after %d s)" % timeout


def snapshot(d):
	"""{path: bytes} of every file under d (absent: {})."""
	out = {}
	for dp, _, fs in os.walk(d):
		for f in fs:
			p = os.path.join(dp, f)
			with open(p, "rb") as fh:
				out[p] = fh.read()
	return out


def check(name, argv, names, ok_rcs=(), cwd=ROOT, env=None, keep=(), err_re=None, timeout=20,
	  always_bad=False):
	"""One bad input: exits non-zero (or with one of ok_rcs, the input being valid by
	chance) without a traceback, crash or hang; on an error exit exactly one stderr line
	that names the input (any of names) and matches err_re; the files under keep unchanged.
	always_bad: an input that cannot be valid, so exit 0 is a failure too."""
	global tried
	tried += 1
	before = {k: snapshot(k) for k in keep}
	rc, out, err = run(argv, cwd, env, timeout)
	lines = [l for l in err.splitlines() if not l.startswith("SKIPPED") and "SKIPPED" not in l]
	why = []
	if rc == 124:
		why.append("timed out")
	if rc < 0 or rc > 128:
		why.append("killed by a signal (rc %d)" % rc)
	if BAD_OUTPUT.search(out + err):
		why.append("traceback, crash or sanitizer report")
	if always_bad and rc == 0:
		why.append("exit 0: the bad input was taken as good")
	elif rc == 0 or rc in ok_rcs:
		pass
	else:
		if len(lines) != 1:
			why.append("%d stderr lines, want 1" % len(lines))
		elif names and not any(x in lines[0] for x in names):
			why.append("the line does not name the input (%s)" % ", ".join(names))
		elif err_re and not re.search(err_re, lines[0]):
			why.append("the line does not match /%s/" % err_re)
		for k in keep:
			if snapshot(k) != before[k]:
				why.append("%s changed by a failed run" % k)
	ok(not why, "%s: rc %d%s" % (name, rc, ": " + "; ".join(why) if why else
					   (": " + lines[0][:110] if lines and rc not in (0,) + tuple(ok_rcs) else "")),
	   "argv: %s\nstderr:\n%s\nstdout tail:\n%s" % (" ".join(argv), err[-1500:], out[-400:]))


# --- mutations ------------------------------------------------------------------------

def flip(b, k=None):
	b = bytearray(b)
	for _ in range(k or rng.randint(1, 8)):
		if b:
			b[rng.randrange(len(b))] = rng.randrange(256)
	return bytes(b)


def cut(b):
	return b[:rng.randrange(max(1, len(b)))]


def csv_mutations(text):
	"""(label, bytes) bad versions of a results CSV."""
	lines = text.splitlines()
	hdr = lines[0].split(",")
	rows = lines[1:]
	vi = hdr.index("value")
	ti = hdr.index("threads")

	def with_field(col, val):
		i = rng.randrange(len(rows))
		f = rows[i].split(",")
		f[col] = val
		r = list(rows)
		r[i] = ",".join(f)
		return "\n".join([lines[0]] + r) + "\n"
	out = [("empty", b""), ("header only", (lines[0] + "\n").encode()),
	       ("binary", bytes(rng.randrange(256) for _ in range(600))),
	       ("not UTF-8", text.encode()[:300] + b"\xff\xfe" + text.encode()[300:]),
	       ("NUL byte", text.encode()[:200] + b"\x00" + text.encode()[200:])]
	for _ in range(4):
		out.append(("truncated", cut(text.encode())))
	for _ in range(4):
		out.append(("bytes flipped", flip(text.encode())))
	for v in ("abc", "nan", "NaN", "inf", "-inf", "1e999", "0x10", "1,5", "--"):
		out.append(("value %s" % v, with_field(vi, v).encode()))
	for v in ("x", "-1", "2.5", "99999999999999999999", ""):
		out.append(("threads %r" % v, with_field(ti, v).encode()))
	i = rng.randrange(len(rows))
	r = list(rows)
	r[i] = r[i] + ",extra"
	out.append(("a row with a field too many", ("\n".join([lines[0]] + r) + "\n").encode()))
	r = list(rows)
	r[i] = r[i].rsplit(",", 1)[0]
	out.append(("a row with a field too few", ("\n".join([lines[0]] + r) + "\n").encode()))
	for col in ("value", "threads", "run_id", "metric"):
		j = hdr.index(col)
		drop = lambda line: ",".join(f for k, f in enumerate(line.split(",")) if k != j)
		out.append(("column %s missing" % col, ("\n".join(drop(l) for l in lines) + "\n").encode()))
	h2 = list(hdr)
	h2[hdr.index("kernel") if "kernel" in hdr else -1] = "value"
	out.append(("column value twice", ("\n".join([",".join(h2)] + rows) + "\n").encode()))
	out.append(("huge line", (lines[0] + "\n" + "9" * 300000 + "\n").encode()))
	return out


def plain_rows(text):
	"""A results CSV whose rows have no quoted fields (so that splitting on ',' is right)."""
	lines = text.splitlines()
	n = len(lines[0].split(","))
	keep = [l for l in lines[1:] if '"' not in l and len(l.split(",")) == n]
	return "\n".join([lines[0]] + keep[:40]) + "\n"


def sample_results():
	"""A small valid results CSV (+ .meta) cut from a committed make bench run."""
	src = None
	for dp, _, fs in sorted(os.walk(os.path.join(ROOT, "results"))):
		for f in sorted(fs):
			if f.endswith("-baseline.csv") and os.path.exists(os.path.join(dp, f[:-4] + ".meta")):
				src = os.path.join(dp, f)
				break
		if src:
			break
	if src is None:
		return None, None
	with open(src) as f:
		text = f.read()
	with open(src[:-4] + ".meta") as f:
		meta = f.read()
	# whole lines, no quoted fields, one part's rows
	lines = text.splitlines()
	hdr = lines[0]
	cols = hdr.split(",")
	pi = cols.index("part")
	body = [l for l in lines[1:] if '"' not in l and len(l.split(",")) == len(cols)]
	if not body:
		# quoted fields (cflags, topology): blank them, keeping the columns
		import csv
		import io
		rd = list(csv.reader(io.StringIO(text)))
		body = [",".join(x.replace(",", ";").replace('"', "") for x in r) for r in rd[1:] if len(r) == len(cols)]
	part = body[0].split(",")[pi]
	body = [l for l in body if l.split(",")[pi] == part][:60]
	return hdr + "\n" + "\n".join(body) + "\n", meta


def write(path, data):
	with open(path, "wb") as f:
		f.write(data if isinstance(data, bytes) else data.encode())


# --- the scripts on results CSVs, .meta files and claims files -------------------------

def scripts():
	good, meta = sample_results()
	if good is None:
		skip("no committed make bench run with a .meta under results/: the scripts' fuzz")
		return
	gdir = os.path.join(T, "good")
	os.makedirs(gdir)
	write(os.path.join(gdir, "20260101T000000Z-baseline.csv"), good)
	write(os.path.join(gdir, "20260101T000000Z-baseline.meta"), meta)
	gcsv = os.path.join(gdir, "20260101T000000Z-baseline.csv")
	claims = os.path.join(ROOT, "paper", "claims.csv")
	rc, _, err = run(["scripts/compare", gcsv, gcsv])
	ok(rc == 0, "the sample results compare with themselves (rc %d)" % rc, err)
	muts = csv_mutations(good)
	plot_every = max(1, len(muts) // 5)	# matplotlib is slow to start: a fifth of them
	for k, (label, data) in enumerate(muts):
		d = os.path.join(T, "csv%d" % k)
		os.makedirs(d)
		bad = os.path.join(d, "20260102T000000Z-baseline.csv")
		write(bad, data)
		write(bad[:-4] + ".meta", meta)
		nm = [os.path.basename(bad), d]
		check("compare A %s" % label, ["scripts/compare", gcsv, bad], nm + [gcsv])
		check("check-claims %s" % label, ["scripts/check-claims", "--claims", claims, bad], nm,
		      ok_rcs=(1,))
		cl = os.path.join(d, "claims.csv")
		shutil.copy(claims, cl)
		check("check-claims --update %s" % label, ["scripts/check-claims", "--update", "--claims",
		      cl, bad], nm, keep=(d,))
		out = os.path.join(d, "gen")
		check("paper-numbers %s" % label, ["scripts/paper-numbers", "--no-claims", "--out", out,
		      bad], nm)
		if rc != 0 and os.path.exists(out) and os.listdir(out):
			pass
		if k % plot_every == 0:
			check("plot %s" % label, ["scripts/plot", "--format", "png", "--out",
			      os.path.join(d, "plots"), bad], nm)
	# .meta files: free text, so mutations must never break a run; unreadable ones an error
	for k in range(6):
		d = os.path.join(T, "meta%d" % k)
		os.makedirs(d)
		c = os.path.join(d, "20260102T000000Z-baseline.csv")
		write(c, good)
		write(c[:-4] + ".meta", [b"", bytes(rng.randrange(256) for _ in range(300)),
					 cut(meta.encode()), flip(meta.encode()), b"result\n",
					 meta.encode() * 3][k])
		check(".meta mutation %d: compare" % k, ["scripts/compare", gcsv, c], [c])
		check(".meta mutation %d: check-claims" % k, ["scripts/check-claims", "--claims", claims,
		      "--quick-ok", d], [d], ok_rcs=(1,))
	d = os.path.join(T, "metadir")
	os.makedirs(os.path.join(d, "20260102T000000Z-baseline.meta"))
	write(os.path.join(d, "20260102T000000Z-baseline.csv"), good)
	check(".meta that is a folder", ["scripts/check-claims", "--claims", claims, d],
	      ["20260102T000000Z-baseline.meta"])
	# missing and unreadable files
	missing = os.path.join(T, "no-such.csv")
	check("compare: missing file", ["scripts/compare", gcsv, missing], [missing])
	check("compare: missing folder", ["scripts/compare", missing], [missing])
	check("check-claims: missing claims file", ["scripts/check-claims", "--claims", missing, gdir],
	      [missing])
	unread = os.path.join(T, "unreadable.csv")
	write(unread, good)
	os.chmod(unread, 0)
	if os.access(unread, os.R_OK):
		skip("unreadable files: running as root, which reads them anyway")
	else:
		check("compare: unreadable file", ["scripts/compare", gcsv, unread], [unread])
	# claims files
	with open(claims) as f:
		ctext = f.read()
	clines = ctext.splitlines()
	cmuts = [("empty", b""), ("header only", clines[0] + "\n"), ("binary", flip(b"x" * 400, 400)),
		 ("not UTF-8", ctext.encode()[:100] + b"\xff" + ctext.encode()[100:]),
		 ("a field too many", "\n".join(clines[:2]) + ",x\n"),
		 ("a field too few", clines[0] + "\n" + clines[1].rsplit(",", 6)[0] + "\n"),
		 ("duplicate claim", "\n".join(clines[:2] + clines[1:2]) + "\n"),
		 ("duplicate column", clines[0] + ",id\n" + clines[1] + ",x\n")]
	for v in ("nan", "inf", "-1", "x", ""):
		f = clines[1].split(",")
		hi = clines[0].split(",").index("threshold")
		if len(f) == len(clines[0].split(",")):
			f[hi] = v
			cmuts.append(("threshold %r" % v, clines[0] + "\n" + ",".join(f) + "\n"))
	for _ in range(3):
		cmuts.append(("truncated", cut(ctext.encode())))
		cmuts.append(("bytes flipped", flip(ctext.encode())))
	for k, (label, data) in enumerate(cmuts):
		cl = os.path.join(T, "claims%d.csv" % k)
		write(cl, data)
		check("claims file %s: check-claims" % label, ["scripts/check-claims", "--claims", cl, gdir],
		      [cl], ok_rcs=(1,))
		check("claims file %s: --print-filter" % label, ["scripts/check-claims", "--claims", cl,
		      "--print-filter"], [cl])
	# options
	check("compare --resamples x", ["scripts/compare", "--resamples", "x", gcsv, gcsv], ["--resamples"])
	check("compare --format bogus", ["scripts/compare", "--format", "bogus", gcsv, gcsv], ["--format"])
	check("plot --format bogus", ["scripts/plot", "--format", "bogus", "--out", os.path.join(T, "p"),
	      gcsv], ["--format"])
	check("plot --out a file", ["scripts/plot", "--format", "png", "--out", gcsv, gcsv], [gcsv])
	check("check-claims --cpus x", ["scripts/check-claims", "--cpus", "x", gdir], ["--cpus"])
	check("paper-numbers --out a file", ["scripts/paper-numbers", "--no-claims", "--out", gcsv, gdir],
	      [gcsv])


# --- the node's config and command line ----------------------------------------------

def node():
	b = os.environ.get("SKYBENCH_BUILD")
	exe = b and os.path.join(b, "skybench-node")
	if not exe or not os.path.exists(exe):
		skip("no skybench-node (SKYBENCH_BUILD): the node config fuzz")
		return
	exe = RUNNER + [exe]
	svc = os.path.join(b, "services", "?.so")
	# skynet's own example config (examples/config) with what skybench-node reads, its
	# bootstrap a service that fails its init on purpose, so that every start ends at once
	bases = ['''root = "./"
thread = 4
logger = nil
logpath = "."
harbor = 0
address = "127.0.0.1:2526"
master = "127.0.0.1:2013"
start = "main"	-- main script
bootstrap = "test_initfail fuzz"	-- The service for bootstrap
standalone = "0.0.0.0:2013"
luaservice = root.."service/?.lua;"..root.."test/?.lua;"..root.."examples/?.lua"
lualoader = root .. "lualib/loader.lua"
lua_path = root.."lualib/?.lua;"..root.."lualib/?/init.lua"
lua_cpath = root .. "luaclib/?.so"
snax = root.."examples/?.lua;"..root.."test/?.lua"
cpath = "%s"
''' % svc, '''include "inc.lua"
thread = 2 * 1
profile = false
logger = "node.log"
cpath = "%s"
bootstrap = "test_initfail " .. "fuzz"
''' % svc]
	write(os.path.join(T, "inc.lua"), 'harbor = 0\nlogservice = "logger"\n')
	for k in range(60):
		base = bases[k % 2].encode()
		lines = base.split(b"\n")
		m = k % 4
		if m == 0:
			data, label = flip(base, rng.randint(1, 4)), "bytes flipped"
		elif m == 1:
			data, label = cut(base), "cut"
		elif m == 2:
			i = rng.randrange(len(lines))
			data, label = b"\n".join(lines[:i] + [lines[i]] + lines[i:]), "a key twice"
		else:
			i = rng.randrange(len(lines))
			data, label = b"\n".join(lines[:i] + lines[i + 1:]), "a line dropped"
		cfg = os.path.join(T, "node%d.cfg" % k)
		write(cfg, data)
		# the node either says what is wrong with the config, or runs it as skynet would:
		# the bootstrap fails on purpose (or is missing): one line, non-zero exit
		check("node config %d (%s)" % (k, label), exe + [cfg], ["skybench-node: "], cwd=T,
		      err_re=r"^skybench-node: ")
	for label, data in (("binary", flip(b"x" * 500, 500)), ("empty", b""), ("NUL", b"thread = 2\x00\n"),
			    ("huge thread", b"thread = 1e300\n"), ("thread inf", b"thread = 1/0\n"),
			    ("thread nan", b"thread = 0/0\n"), ("huge string", b'x = "' + b"a" * 200000 + b'"\n')):
		cfg = os.path.join(T, "node-%s.cfg" % label.replace(" ", "-"))
		write(cfg, data)
		check("node config %s" % label, exe + [cfg], [cfg, "skybench-node: "], cwd=T,
		      err_re=r"^skybench-node: ")
	d = os.path.join(T, "cfgdir")
	os.makedirs(d)
	check("node config that is a folder", exe + [d], [d])
	check("node: unknown option", exe + ["--threads=2"], ["--threads=2"])
	check("node: two configs", exe + ["a", "b"], ["too many arguments"])


# --- the bench programs and make bench's knobs ----------------------------------------

def bench():
	bd = os.environ.get("SKYBENCH_BENCH_DIR", "")
	prog = os.path.join(bd, "bench_globalq")
	if not bd or not os.path.exists(prog):
		skip("no bench programs in SKYBENCH_BENCH_DIR (make bench-programs): their options' fuzz")
		return
	runner = RUNNER
	cases = [("--reps", "abc"), ("--reps", "0"), ("--reps", "1e9"), ("--reps", "99999999999999999999"),
		 ("--seconds", "inf"), ("--seconds", "nan"), ("--seconds", "-1"), ("--seconds", "1e300"),
		 ("--threads", "x"), ("--threads", "0"), ("--threads", "4-1"), ("--threads", "1,,2"),
		 ("--threads", "100000"), ("--pin", "bogus"), ("--pin", "list:"), ("--pin", "list:999999"),
		 ("--filter", "("), ("--filter", "a" * 400), ("--seed", "-5"), ("--seed", "x")]
	for opt, val in cases:
		check("bench_globalq %s %s" % (opt, val[:20]), runner + [prog, opt, val, "--list"],
		      [opt[2:], val[:20]])
	check("bench_globalq --csv in a missing folder", runner + [prog, "--csv", os.path.join(T, "no", "x.csv"),
	      "--reps", "1", "--seconds", "0.001", "--threads", "1", "--filter", "^globalq/pairs/spin/"],
	      ["x.csv"])
	check("bench_globalq --bogus", runner + [prog, "--bogus"], ["--bogus"])
	check("bench_globalq extra argument", runner + [prog, "extra"], ["extra"])
	# bench/run.sh (make bench): a bad knob writes nothing under results
	res = os.path.join(T, "results")
	os.makedirs(res)
	env0 = {"SKYBENCH_BENCH_DIR": bd, "SKYBENCH_RESULTS_DIR": res, "SKYBENCH_VARIANT": "fuzz",
		"SKYBENCH_VARIANT_BENCH_DIR": "", "QUICK": "1",
		# a runner (qemu, valgrind) goes with a label, as make bench ARCH=aarch64 sets it:
		# run.sh refuses a runner for a native run
		"SKYBENCH_EMULATED": "fuzz" if RUNNER else None}
	for k, v in (("REPS", "x"), ("REPS", "0"), ("THREADS", "zero"), ("PIN", "bogus"), ("FILTER", "(("),
		     ("SKYBENCH_SCHED_WAKE", "sometimes"), ("SECONDS_PER_POINT", "inf")):
		check("make bench %s=%s" % (k, v), ["bench/run.sh"], [v], env=dict(env0, **{k: v}), keep=(res,))


def make_vars():
	# the Makefile checks each variable while it is read: one `make` line, exit 2
	env = {"MAKEFLAGS": ""}
	for var, val in (("VARIANT", "nosuch"), ("VARIANT", "a-b"), ("HANDLE", "x"), ("GLOBALQ", "x"),
			 ("TIMER", "x"), ("SCHED", "x"), ("MAILBOX", "x"), ("SAN", "memory"),
			 ("ARCH", "sparc"), ("VARIANT", "rwlock-spin-bogus")):
		check("make %s=%s" % (var, val), ["make", "-s", "--no-print-directory", "print-build",
		      "%s=%s" % (var, val)], [var], env=env, err_re=r"\*\*\*")


def driver_scripts():
	for args in (["-r", "x"], ["-r", "0"], ["-t", "a b"], ["-p", "-1"], ["-n", "1e9"], ["-z"], ["-r"]):
		check("pingpong.sh %s" % " ".join(args), ["scripts/pingpong.sh"] + args,
		      [args[0][1:]])
	for args in (["--reps", "x"], ["--reps", "0"], ["--reps"], ["--threads", "a"], ["--filter", "(("],
		     ["--wake", "x"], ["--bogus"]):
		check("runtime-bench.sh %s" % " ".join(args), ["scripts/runtime-bench.sh"] + args + ["--list"],
		      [args[0]], err_re=r"^runtime-bench: ")
	out = os.path.join(T, "sweep")
	for k, v in (("REPS", "x"), ("REPS", "0"), ("SECONDS_PER_POINT", "inf"), ("SECONDS_PER_POINT", "0")):
		check("scaling-sweep.sh %s=%s" % (k, v), ["scripts/scaling-sweep.sh", out], [k], env={k: v})
	check("scaling-sweep.sh with no OUTDIR", ["scripts/scaling-sweep.sh"], ["OUTDIR"])


def always_bad():
	"""Inputs that cannot be valid, so that exit 0 is wrong too: each once took a run that
	accepted it silently, hung, or answered in more than one line."""
	good, meta = sample_results()
	if good is None:
		skip("no committed make bench run with a .meta under results/: the always-bad inputs")
		return
	d = os.path.join(T, "always")
	os.makedirs(d)
	gcsv = os.path.join(d, "20260101T000000Z-baseline.csv")
	write(gcsv, good)
	lines = good.splitlines()
	cols = lines[0].split(",")
	for col, val in (("check", "maybe"), ("ceiling", "2")):
		rows = [r.split(",") for r in lines[1:]]
		rows[0][cols.index(col)] = val
		bad = os.path.join(d, "%s.csv" % col)
		write(bad, "\n".join([lines[0]] + [",".join(r) for r in rows]) + "\n")
		check("compare: %s=%s in a row" % (col, val), ["scripts/compare", gcsv, bad], [bad], always_bad=True)
	cl = "id,statement,part,benchmark,params,metric,a_impl,a_threads,b_impl,b_threads,comparison,threshold,published_host,published_cpus,published,published_lo,published_hi"
	row = ["x", "s", "globalq", "pairs", "p=1", "ops_per_s", "mpmc", "2", "spin", "2", ">=", "1.5", "", "", "", "", ""]
	for label, r in (("a short row", row[:-1]), ("an empty part", row[:2] + [""] + row[3:]),
			 ("a_threads 99999999", row[:7] + ["99999999"] + row[8:]),
			 ("comparison '=>'", row[:10] + ["=>"] + row[11:])):
		c = os.path.join(d, "claims-%d.csv" % len(label))
		write(c, cl + "\n" + ",".join(r) + "\n")
		check("check-claims: claims file with %s" % label, ["scripts/check-claims", "--claims", c, gcsv],
		      [c], always_bad=True)
	for opt, val in (("--resamples", "99999999999"), ("--resamples", "50"), ("--fail-if-slower", "nan"),
			 ("--fail-if-slower", "-1"), ("--fail-if-slower", "inf")):
		check("compare %s %s" % (opt, val), ["scripts/compare", opt, val, gcsv, gcsv], [opt], always_bad=True)
	empty = os.path.join(d, "empty")
	os.makedirs(empty)
	check("compare DIR without a finished run", ["scripts/compare", empty], [empty], always_bad=True)
	bd = os.environ.get("SKYBENCH_BENCH_DIR")
	if bd and os.path.exists(os.path.join(bd, "bench_globalq")):
		check("bench_globalq --pin bogus", RUNNER + [os.path.join(bd, "bench_globalq"), "--pin", "bogus", "--list"],
		      ["--pin"], always_bad=True)
	check("pingpong.sh with an unknown variant", ["scripts/pingpong.sh", "nosuch"], ["nosuch"], always_bad=True)
	b = os.environ.get("SKYBENCH_BUILD")
	exe = b and os.path.join(b, "skybench-node")
	if exe and os.path.exists(exe):
		svc = os.path.join(b, "services", "?.so")
		for label, text in (("cpath with a newline", 'cpath = "a\\nb"\nbootstrap = "x"\n'),
				    ("bootstrap with a newline", 'cpath = "%s"\nbootstrap = "no\\nsuch"\n' % svc),
				    ("a bootstrap service's bad parameter", 'thread = 2\ncpath = "%s"\nbootstrap = "pingpong x y"\n' % svc),
				    ("logger in a missing folder, with a newline", 'cpath = "%s"\nlogger = "%s/no/a\\nb"\nbootstrap = "pingpong 2 200"\n' % (svc, T))):
			c = os.path.join(d, "node-%d.cfg" % len(label))
			write(c, text)
			check("node config: %s" % label, RUNNER + [exe, c], ["skybench-node: "], cwd=T, always_bad=True)


def main():
	print("# fuzz seed %d (SKYBENCH_FUZZ_SEED=%d reproduces this run)" % (SEED, SEED))
	try:
		scripts()
		node()
		bench()
		make_vars()
		driver_scripts()
		always_bad()
	finally:
		for dp, ds, fs in os.walk(T):
			for x in ds + fs:
				p = os.path.join(dp, x)
				if not os.path.islink(p):
					os.chmod(p, stat.S_IRWXU)
		shutil.rmtree(T, ignore_errors=True)
	print("1..%d" % n)
	print("# fuzz: %d inputs tried (seed %d)" % (tried, SEED))
	print("fuzz: %d inputs tried" % tried, file=sys.stderr)
	return 1 if failed else 0


if __name__ == "__main__":
	sys.exit(main())
