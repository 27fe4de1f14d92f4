#!/usr/bin/python3
"""fuzz_config.py: the node's config, fuzzed (tests/test_fuzz_config.sh). Mutated copies of
skynet's own example config and its included config.path (bytes flipped, lines cut or
dropped, keys duplicated, values replaced, binary bytes inserted, the file truncated), plus
files that cannot be read and binary ones. README.md's "Errors" promise for each:

  - it ends (within TIMEOUT seconds), not by a signal, with no core dump or sanitizer report;
  - either it fails with exactly one stderr line from skybench-node and a non-zero exit,
  - or the config is still valid and the node runs as skynet would: the bootstrap here is
    the ping-pong of 2 pairs, so a valid config prints its RESULT line and exits 0.

tests/fuzz_inputs.py's node() fuzzes configs whose bootstrap always fails; this one's
bootstrap runs, so a mutation that is still a config must give a working node. The inputs
come from random.Random(SEED): SKYBENCH_FUZZ_SEED (default 16) reproduces a run; every
failure names its case. SKYBENCH_FUZZ_N scales the count (40 per unit, default 2). Each
node runs in its config's own folder (a mutated `logger = ...` writes its file there).
Env: SKYBENCH_BUILD (set by make test), SKYBENCH_RUNNER, SKYBENCH_SAN.
"""

import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = int(os.environ.get("SKYBENCH_FUZZ_SEED", "16"))
N = max(1, int(os.environ.get("SKYBENCH_FUZZ_N", "2")))
SLOW = {"thread": 8, "address": 3}.get(os.environ.get("SKYBENCH_SAN", ""), 1)
TIMEOUT = 20 * SLOW
# what a clean error never contains
BAD_OUTPUT = ("Traceback (most recent call last)", "core dumped", "Segmentation fault",
	      "AddressSanitizer", "UndefinedBehaviorSanitizer", "ThreadSanitizer",
	      "LeakSanitizer", "runtime error:", "Aborted", "Fatal Python error")
IS_ROOT = os.geteuid() == 0
MAKE_TRAILER = re.compile(r"^make(\[\d+\])?: \*\*\* \[[^]]*\] Error \d+$")
rng = random.Random(SEED)
tried = 0
tap_n = 0
tap_failed = 0


def tap(ok, desc, diag=()):
	global tap_n, tap_failed
	tap_n += 1
	if not ok:
		tap_failed += 1
	print("%s %d - %s" % ("ok" if ok else "not ok", tap_n, desc))
	for d in diag:
		for line in str(d).splitlines() or [""]:
			print("#   " + line)
	sys.stdout.flush()


def clean_env(**extra):
	"""The environment for a command: no calling make's variables (MAKEFLAGS would hand it
	make test's jobserver and overrides)."""
	env = {k: v for k, v in os.environ.items()
	       if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
	env.update(extra)
	return env


def run(cmd, env=None, timeout=TIMEOUT, cwd=ROOT):
	"""(rc, stdout, stderr, timed_out), the process group killed at the timeout."""
	p = subprocess.Popen(cmd, cwd=cwd, env=env or clean_env(), stdin=subprocess.DEVNULL,
			     stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
	try:
		out, err = p.communicate(timeout=timeout)
		timed_out = False
	except subprocess.TimeoutExpired:
		os.killpg(p.pid, signal.SIGKILL)
		out, err = p.communicate()
		timed_out = True
	return (p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
		timed_out)


def snapshot(dirs):
	"""{path: bytes} of every file under dirs."""
	snap = {}
	for d in dirs:
		for base, _, files in os.walk(d):
			for f in files:
				p = os.path.join(base, f)
				with open(p, "rb") as fh:
					snap[p] = fh.read()
	return snap


class Group:
	"""The inputs of one kind for one entry point: one TAP line, naming each failure."""

	def __init__(self, desc):
		self.desc, self.n, self.fails = desc, 0, []

	def check(self, case, cmd, names, valid_ok=None, outputs=(), env=None, timeout=TIMEOUT, cwd=ROOT):
		"""Runs cmd on a bad input. names: strings of which the error line must contain
		one. valid_ok(rc, out, err): True when the input turned out valid and the run did
		what a valid run does (then exit 0 is right). outputs: folders whose files must be
		left as they were."""
		global tried
		tried += 1
		self.n += 1
		before = snapshot(outputs)
		rc, out, err, timed_out = run(cmd, env, timeout, cwd)
		why = []
		if timed_out:
			why.append("no end within %d s (a hang)" % timeout)
		for b in BAD_OUTPUT:
			if b in out or b in err:
				why.append("%r in its output" % b)
		if rc is not None and (rc < 0 or rc >= 124):
			why.append("ended by a signal or timeout (exit %d)" % rc)
		# make's own trailer after a failed recipe ("make: *** [target] Error 2") is not a
		# second message: the recipe's line before it is the one
		lines = [ln for ln in err.splitlines() if ln.strip() and not MAKE_TRAILER.match(ln)]
		if not why and valid_ok is not None and valid_ok(rc, out, err):
			pass	# still a valid input, and the run did what a valid run does
		elif not why and rc == 0:
			why.append("exit 0 on bad input")
		elif not why:
			if len(lines) != 1:
				why.append("%d lines on stderr, not one" % len(lines))
			elif names and not any(n in lines[0] for n in names):
				why.append("the error line names none of %s" % ", ".join(repr(n) for n in names))
		if outputs and rc != 0 and snapshot(outputs) != before:
			why.append("the output folder changed: %s" % ", ".join(outputs))
		if why:
			self.fails.append("case %s: %s\n  $ %s\n  exit %s; stderr: %s" % (
				case, "; ".join(why), " ".join(shlex.quote(c) for c in cmd)[:600], rc,
				"\n    ".join(lines[:6])[:1500] or "(none)"))

	def done(self):
		tap(not self.fails, "%s (%d inputs%s)" % (self.desc, self.n,
			", %d bad" % len(self.fails) if self.fails else ""),
		    self.fails[:4] + (["... and %d more" % (len(self.fails) - 4)] if len(self.fails) > 4 else []))


def rand_bytes(n):
	return bytes(rng.randrange(256) for _ in range(n)) + b"\xff\xfe"


class Scratch:
	def __init__(self):
		self.dir = tempfile.mkdtemp(prefix="skybench-fuzz.")
		self.k = 0

	def path(self, name):
		self.k += 1
		d = os.path.join(self.dir, "c%d" % self.k)
		os.makedirs(d)
		return os.path.join(d, name)

	def write(self, name, data):
		p = self.path(name)
		with open(p, "wb") as f:
			f.write(data)
		return p


def bad_paths(sc, name):
	"""[(kind, path)]: config paths that cannot be read as files."""
	out = [("missing file", os.path.join(sc.dir, "absent", name))]
	d = sc.path(name)
	os.makedirs(d)
	out.append(("a directory", d))
	f = sc.write("afile", b"x")
	out.append(("a path under a file", os.path.join(f, name)))
	if IS_ROOT:
		print("# SKIPPED CHECK: unreadable (mode 000) files: running as root, which reads them anyway")
		print("SKIPPED CHECK: fuzz: unreadable files (running as root)", file=sys.stderr)
	else:
		u = sc.write(name, b"thread = 2\n")
		os.chmod(u, 0)
		out.append(("unreadable file", u))
	return out


# --- the node's config ----------------------------------------------------------------------

# skynet's examples/config and examples/config.path (github.com/cloudwu/skynet), as a
# skynet user has them, with the paths pointed at this build and the bootstrap service made
# one that ends: the ping-pong of 2 pairs, which prints its RESULT line and ABORTs (exit 0)
SKYNET_CONFIG = """include "config.path"

-- preload = "./examples/preload.lua"	-- run preload.lua before every lua service run
thread = 2
logger = nil
logpath = "."
harbor = 1
address = "127.0.0.1:2526"
master = "127.0.0.1:2013"
start = "main"	-- main script
bootstrap = "pingpong 2 2000"	-- The service for bootstrap
standalone = "0.0.0.0:2013"
-- snax_interface_g = "snax_g"
cpath = root.."services/?.so"
-- daemon = "./skynet.pid"
profile = false
"""
SKYNET_CONFIG_PATH = """root = "{root}/"
luaservice = root.."service/?.lua;"..root.."test/?.lua;"..root.."examples/?.lua;"..root.."test/?/init.lua"
lualoader = root .. "lualib/loader.lua"
lua_path = root.."lualib/?.lua;"..root.."lualib/?/init.lua"
lua_cpath = root .. "luaclib/?.so"
snax = root.."examples/?.lua;"..root.."test/?.lua"
"""


def mutate_config(text):
	"""(kind, bytes): one mutation of a config's text."""
	data = bytearray(text.encode())
	lines = text.split("\n")
	kind = rng.choice(["bytes flipped", "line cut", "key duplicated", "line dropped", "lines swapped",
			   "value replaced", "bytes inserted", "file truncated"])
	if kind == "bytes flipped":
		for _ in range(rng.randrange(1, 4)):
			i = rng.randrange(len(data))
			data[i] = rng.randrange(256) if rng.random() < 0.3 else rng.choice(
				b"\"'=.,;-+*/()[]{}$#\\ \n0123456789abcdefghijklmnopqrstuvwxyz")
		return kind, bytes(data)
	if kind == "line cut":
		i = rng.randrange(len(lines))
		lines[i] = lines[i][:rng.randrange(len(lines[i]) + 1)]
	elif kind == "key duplicated":
		src = rng.choice([ln for ln in lines if "=" in ln])
		other = rng.choice([ln for ln in lines if "=" in ln])
		dup = src.split("=")[0] + "=" + other.split("=", 1)[1]
		lines.insert(rng.randrange(len(lines) + 1), dup)
	elif kind == "line dropped":
		del lines[rng.randrange(len(lines))]
	elif kind == "lines swapped":
		i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
		lines[i], lines[j] = lines[j], lines[i]
	elif kind == "value replaced":
		cand = [i for i, ln in enumerate(lines) if "=" in ln and not ln.startswith("--")]
		i = rng.choice(cand)
		lines[i] = lines[i].split("=")[0] + "= " + rng.choice(
			["0", "-1", "99999999999", "1e309", "0/0", "nil", "true", "{}", "\"\"", "\"x\"",
			 "'1\\n2'", "[[a\nb]]", "$NOPE_NOT_SET", "include", "1 .. 2", "\"pingpong 0 0\"",
			 "\"pingpong 2 1\"", "\"%s\"" % ("x" * 5000)])
	elif kind == "bytes inserted":
		i = rng.randrange(len(data))
		return kind, bytes(data[:i]) + rand_bytes(rng.randrange(1, 20)) + bytes(data[i:])
	elif kind == "file truncated":
		return kind, bytes(data[:rng.randrange(len(data))])
	return kind, "\n".join(lines).encode()


def fuzz_config(sc):
	build = os.environ.get("SKYBENCH_BUILD")
	if not build:
		tap(False, "SKYBENCH_BUILD is not set (run through make test)")
		return
	node = shlex.split(os.environ.get("SKYBENCH_RUNNER", "")) + [os.path.join(build, "skybench-node")]

	def ran_as_skynet(rc, out, err):
		# a config that is still valid: the node runs the ping-pong to its RESULT line
		return rc == 0 and "RESULT pingpong" in out and "FAILED" not in out and not err.strip()

	def write_pair(cfg, path_text):
		d = sc.path("cfg")
		os.makedirs(d)
		with open(os.path.join(d, "config"), "wb") as f:
			f.write(cfg)
		with open(os.path.join(d, "config.path"), "wb") as f:
			f.write(path_text)
		return os.path.join(d, "config")

	path_text = SKYNET_CONFIG_PATH.format(root=build).encode()
	base = write_pair(SKYNET_CONFIG.encode(), path_text)
	rc, out, err, _ = run(node + [base], timeout=TIMEOUT, cwd=os.path.dirname(base))
	tap(ran_as_skynet(rc, out, err), "skynet's example config, unmutated, runs the ping-pong (exit %s)" % rc,
	    [] if rc == 0 else [err[-800:]])
	groups = {}
	count = 40 * N
	for i in range(count):
		which = "config" if rng.random() < 0.75 else "config.path"
		text = SKYNET_CONFIG if which == "config" else SKYNET_CONFIG_PATH.format(root=build)
		kind, data = mutate_config(text)
		cfg = write_pair(data, path_text) if which == "config" else write_pair(SKYNET_CONFIG.encode(), data)
		g = groups.setdefault(kind, Group("skybench-node: skynet's config, %s" % kind))
		# in the config's folder: a mutated logger = ... writes its log file there
		g.check("%d (%s of %s)" % (i, kind, which), node + [cfg], ["skybench-node"], ran_as_skynet,
			cwd=os.path.dirname(cfg))
	for kind in sorted(groups):
		groups[kind].done()
	g = Group("skybench-node: config files that cannot be read, and binary ones")
	for kind, p in bad_paths(sc, "config"):
		g.check(kind, node + [p], [p], cwd=sc.dir)
	for k in range(N):
		p = sc.write("config", rand_bytes(rng.randrange(1, 2000)))
		g.check("binary %d" % k, node + [p], [p], cwd=sc.dir)
	g.check("empty file", node + [sc.write("config", b"")], ["skybench-node"], cwd=sc.dir)
	g.done()


def main():
	sc = Scratch()

	def tree():	# what a bad input must not add to: the tree's top (build/ is scratch)
		return set(os.listdir(ROOT))
	tree_before = tree()
	print("# seed %d (SKYBENCH_FUZZ_SEED=%d reproduces this run), %d x 40 configs"
	      % (SEED, SEED, N))
	try:
		fuzz_config(sc)
	finally:
		for base, dirs, files in os.walk(sc.dir):
			for x in dirs + files:
				try:
					os.chmod(os.path.join(base, x), 0o755)
				except OSError:
					pass
		if not os.environ.get("KEEP"):
			shutil.rmtree(sc.dir, ignore_errors=True)
	added = sorted(tree() - tree_before)
	tap(not added, "nothing added to the tree by the bad inputs", ["added: " + " ".join(added)] if added else [])
	print("# fuzz: %d inputs tried (seed %d)" % (tried, SEED))
	print("fuzz: %d inputs tried (seed %d)" % (tried, SEED), file=sys.stderr)
	print("1..%d" % tap_n)
	return 1 if tap_failed else 0


if __name__ == "__main__":
	sys.exit(main())
