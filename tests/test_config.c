/* skybench-test: partless */
/* The config reader (runtime/skynet_config.c) and the env (runtime/skynet_env.c): what
 * skynet's main accepts and rejects (the file runs as Lua with only include in scope,
 * $NAME substituted first, the globals left copied into the env), each error one line. */

#include "tap.h"
#include "skynet_config.h"
#include "skynet_env.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static char mainpath[128];
static char err[512];

static void
writefile(const char *name, const char *text) {
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		bail_out("cannot write %s", path);
}

/* a fresh env, then the text as dir/main.cfg */
static int
load(const char *text) {
	skynet_env_exit();
	skynet_env_init();
	writefile("main.cfg", text);
	memset(err, 0, sizeof(err));
	return skynet_config_load(mainpath, err, sizeof(err));
}

static void
is_str(const char *got, const char *want, const char *name) {
	int pass = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);
	if (!ok(pass, "%s", name))
		diag("  got %s%s%s, want %s%s%s", got ? "'" : "", got ? got : "NULL", got ? "'" : "",
			want ? "'" : "", want ? want : "NULL", want ? "'" : "");
}

static void
is_env(const char *key, const char *want, const char *name) {
	is_str(skynet_getenv(key), want, name);
}

/* the load fails with exactly "<mainpath>:<line>: <msg>", "<mainpath>: <msg>" if line is 0,
 * or msg itself if line < 0; and sets no key */
static void
is_error(const char *text, int line, const char *msg, const char *name) {
	char want[512];
	int rc = load(text);
	if (line > 0)
		snprintf(want, sizeof(want), "%s:%d: %s", mainpath, line, msg);
	else if (line == 0)
		snprintf(want, sizeof(want), "%s: %s", mainpath, msg);
	else
		snprintf(want, sizeof(want), "%s", msg);
	ok(rc == -1, "%s: fails", name);
	is_str(err, want, name);
	ok(strchr(err, '\n') == NULL, "%s: message is one line", name);
	ok(skynet_getenv("set_before_the_error") == NULL, "%s: no key is set", name);
}

static void
test_env(void) {
	skynet_env_exit();
	skynet_env_init();
	ok(skynet_getenv("nothing") == NULL, "env: missing key gives NULL");
	is_int(skynet_setenv("k", "v1"), 0, "env: setenv of a new key");
	is_int(skynet_setenv("k", "v2"), -1, "env: setenv of an existing key fails");
	is_env("k", "v1", "env: the first value stays");
	is_int(skynet_setenv("empty", ""), 0, "env: empty value");
	is_env("empty", "", "env: empty value reads back");
}

#define ENV_THREADS 2
#define ENV_KEYS 200

static void *
env_worker(void *arg) {
	int id = (int)(intptr_t)arg, i, bad = 0;
	char key[32], val[32];
	for (i = 0; i < ENV_KEYS; i++) {
		snprintf(key, sizeof(key), "t%d_%d", id, i);
		snprintf(val, sizeof(val), "v%d", i);
		if (skynet_setenv(key, val) != 0)
			bad++;
		/* read the other thread's keys while it is writing them */
		snprintf(key, sizeof(key), "t%d_%d", !id, i);
		const char *o = skynet_getenv(key);
		if (o && strcmp(o, val) != 0)
			bad++;
	}
	return (void *)(intptr_t)bad;
}

static void
test_env_threads(void) {
	pthread_t t[ENV_THREADS];
	int i, bad = 0;
	skynet_env_exit();
	skynet_env_init();
	for (i = 0; i < ENV_THREADS; i++)
		pthread_create(&t[i], NULL, env_worker, (void *)(intptr_t)i);
	for (i = 0; i < ENV_THREADS; i++) {
		void *r;
		pthread_join(t[i], &r);
		bad += (int)(intptr_t)r;
	}
	is_int(bad, 0, "env: concurrent setenv/getenv from %d threads", ENV_THREADS);
	int missing = 0;
	for (i = 0; i < ENV_KEYS; i++) {
		char key[32], val[32];
		snprintf(key, sizeof(key), "t1_%d", i);
		snprintf(val, sizeof(val), "v%d", i);
		const char *v = skynet_getenv(key);
		if (v == NULL || strcmp(v, val) != 0)
			missing++;
	}
	is_int(missing, 0, "env: every concurrently set key reads back");
}

static void
test_values(void) {
	int rc = load("thread = 8\n"
		"cpath = \"./cservice/?.so\"\n"
		"bootstrap = 'snlua bootstrap'\n"
		"\n"
		"profile = false\n"
		"daemon = true\n");
	is_int(rc, 0, "basic config loads");
	is_env("thread", "8", "integer");
	is_env("cpath", "./cservice/?.so", "double-quoted string");
	is_env("bootstrap", "snlua bootstrap", "single-quoted string");
	is_env("profile", "false", "false stored as \"false\"");
	is_env("daemon", "true", "true stored as \"true\"");
	is_env("harbor", NULL, "an unset key stays unset");

	rc = load("a = \"x\\ny\\tz\\\\q\\\"\\'\"\n"
		"b = '\\65\\x41\\u{48}\\u{e9}'\n"
		"c = \"1\\z   \n   2\"\n"
		"d = [==[ x]]y]=] ]==]\n"
		"e = [[\nline1\nline2]]\n"
		"z = 'x\\0y'\n");
	is_int(rc, 0, "strings load");
	is_env("a", "x\ny\tz\\q\"'", "escapes \\n \\t \\\\ \\\" \\'");
	is_env("b", "AAH\xc3\xa9", "escapes \\ddd \\xXX \\u{XXX}");
	is_env("c", "12", "escape \\z skips white space");
	is_env("d", " x]]y]=] ", "long string with level");
	is_env("e", "line1\nline2", "long string, first newline skipped");
	is_env("z", "x", "a zero byte ends the value (the env holds C strings, as skynet's)");

	/* lua_tostring's formatting, as skynet stores numbers */
	rc = load("a = 0x10\nb = 1.5\nc = 1e3\nd = -2\ne = .5\nf = 3.0\n"
		"g = 99999999999999999999\nh = 8/2\ni = 2*2\nj = 7//2\nk = 2^10\nl = 10 % 3\n"
		"m = 1/3\nn = -0.0\n");
	is_int(rc, 0, "numbers load");
	is_env("a", "16", "hex integer");
	is_env("b", "1.5", "decimal");
	is_env("c", "1000.0", "exponent gives a float, printed with .0");
	is_env("d", "-2", "negative integer");
	is_env("e", "0.5", "leading dot");
	is_env("f", "3.0", "float with integral value keeps .0");
	is_env("g", "1e+20", "decimal integer overflow becomes a float");
	is_env("h", "4.0", "8/2 is the float 4.0");
	is_env("i", "4", "2*2 is the integer 4");
	is_env("j", "3", "floor division of integers");
	is_env("k", "1024.0", "exponentiation gives a float");
	is_env("l", "1", "modulo");
	is_env("m", "0.33333333333333", "14 significant digits");
	is_env("n", "-0.0", "negative zero");

	rc = load("root = \"./\"\n"
		"cpath = root..\"cservice/?.so;\"..root..'x/?.so'\n"
		"n = 'v' .. 1 .. 2.5\n"
		"thread = 2 * 2\n"
		"copy = cpath\n"
		"flag = 1 < 2\n"
		"harbor = 4\nharbor = 2\n"
		"logger = nil\n"
		"gone = 1\ngone = nil\n"
		"local hidden = 'not a key'\n"
		"shown = hidden .. '!'\n"
		"local function twice(s) return s .. s end\n"
		"fn = twice('ab')\n"
		"sum = 0 for i = 1, 4 do sum = sum + i end\n"
		"pick = thread > 2 and 'many' or 'few'\n"
		"len = #cpath\n"
		"undefined_copy = undefined_name\n");
	is_int(rc, 0, "computed values load");
	is_env("root", "./", "root = \"./\"");
	is_env("cpath", "./cservice/?.so;./x/?.so", "cpath = root..\"cservice/?.so\"");
	is_env("n", "v12.5", "concatenation with numbers");
	is_env("thread", "4", "thread = 2 * 2");
	is_env("copy", "./cservice/?.so;./x/?.so", "a name copies an earlier key");
	is_env("flag", "true", "a comparison gives a boolean");
	is_env("harbor", "2", "a later assignment wins");
	is_env("logger", NULL, "nil leaves a key unset");
	is_env("gone", NULL, "nil removes an earlier assignment");
	is_env("hidden", NULL, "a local is not a key");
	is_env("shown", "not a key!", "a local's value used in a key");
	is_env("twice", NULL, "a local function is not a key");
	is_env("fn", "abab", "a local function called");
	is_env("sum", "10", "a for loop");
	is_env("pick", "many", "and/or");
	is_env("len", "24", "the length operator");
	is_env("undefined_copy", NULL, "an undefined name is nil, so no key");

	/* skynet opens the string library, so strings keep their methods although the
	 * config cannot name `string` */
	rc = load("s = ('ab'):rep(3)\nu = ('x'):upper() .. #'abc'\n");
	is_int(rc, 0, "string methods load");
	is_env("s", "ababab", "('ab'):rep(3)");
	is_env("u", "X3", "('x'):upper()");

	rc = load("-- a comment line\n"
		"x = 1 -- trailing comment\n"
		"--[[ block\n y = 2\n]] z = 3\n"
		"a = 1; b = 2 c = 3;\r\nd = 4\r\n");
	is_int(rc, 0, "comments and separators load");
	is_env("x", "1", "value before a trailing comment");
	is_env("y", NULL, "key inside a block comment is not set");
	is_env("z", "3", "value after a block comment on the same line");
	is_env("c", "3", "two statements on one line");
	is_env("d", "4", "CRLF line ends");
}

static void
test_envsubst(void) {
	setenv("SKYBENCH_TEST_THREADS", "6", 1);
	setenv("SKYBENCH_TEST_ROOT", "/opt/sky", 1);
	setenv("SKYBENCH_TEST_EMPTY", "", 1);
	setenv("SKYBENCH_TEST_EXPR", "1 + 2", 1);
	setenv("SKYBENCH_TEST_PCT", "100%", 1);
	unsetenv("SKYBENCH_TEST_UNSET");
	int rc = load("thread = $SKYBENCH_TEST_THREADS\n"
		"cpath = \"$SKYBENCH_TEST_ROOT/cservice/?.so\"\n"
		"e = '$SKYBENCH_TEST_EMPTY'\n"
		"-- $SKYBENCH_TEST_ROOT in a comment is replaced too\n"
		"dollar = 'a $ b'\n"
		"expr = $SKYBENCH_TEST_EXPR\n"
		"pct = '$SKYBENCH_TEST_PCT'\n"
		"glued = '$SKYBENCH_TEST_THREADS.x'\n");
	is_int(rc, 0, "$NAME substitution loads");
	is_env("thread", "6", "$NAME as a bare value");
	is_env("cpath", "/opt/sky/cservice/?.so", "$NAME inside a string");
	is_env("e", "", "$NAME set to the empty string");
	is_env("dollar", "a $ b", "a lone '$' stays");
	is_env("expr", "3", "the text is substituted before it runs: $NAME may hold code");
	is_env("pct", "100%", "a '%' in the value is copied as is");
	is_env("glued", "6.x", "a name ends at the first character outside [A-Za-z0-9_]");
	is_error("set_before_the_error = 1\n\nthread = $SKYBENCH_TEST_UNSET\n", 3,
		"environment variable 'SKYBENCH_TEST_UNSET' is not set (used as $SKYBENCH_TEST_UNSET)",
		"unset $NAME");
	is_error("-- $SKYBENCH_TEST_UNSET\n", 1,
		"environment variable 'SKYBENCH_TEST_UNSET' is not set (used as $SKYBENCH_TEST_UNSET)",
		"unset $NAME in a comment (skynet substitutes the raw text)");
}

static void
test_include(void) {
	char sub[128], want[512];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir(sub, 0755);
	writefile("sub/inc.cfg", "root = '/r/'\ninclude \"inc2.cfg\"\nseen = thread\n");
	writefile("sub/inc2.cfg", "deep = 1\nthread = 3\n");
	int rc = load("thread = 1\ninclude \"sub/inc.cfg\"\ncpath = root .. \"?.so\"\n");
	is_int(rc, 0, "include loads");
	is_env("cpath", "/r/?.so", "a key from an included file is visible after the include");
	is_env("deep", "1", "nested include is relative to the including file");
	is_env("thread", "3", "an included assignment overrides an earlier one");
	is_env("seen", "3", "an included file sees the keys set so far");

	rc = load("include('sub/inc2.cfg')\n");
	is_int(rc, 0, "include(\"file\") call form loads");
	is_env("deep", "1", "include(\"file\") call form");

	char abs[256];
	snprintf(abs, sizeof(abs), "include '%s/sub/inc2.cfg'\n", dir);
	rc = load(abs);
	is_int(rc, 0, "absolute include path loads");
	is_env("deep", "1", "absolute include path");

	setenv("SKYBENCH_TEST_SUB", "sub", 1);
	writefile("sub/env.cfg", "fromenv = '$SKYBENCH_TEST_SUB'\n");
	rc = load("include '$SKYBENCH_TEST_SUB/env.cfg'\n");
	is_int(rc, 0, "$NAME in an include and in the included file loads");
	is_env("fromenv", "sub", "$NAME in an included file");

	snprintf(want, sizeof(want), "cannot open included file '%s/nope.cfg': No such file or directory", dir);
	is_error("set_before_the_error = 1\ninclude \"nope.cfg\"\n", 2, want, "missing included file");
	snprintf(want, sizeof(want), "cannot open included file '%s/x?y': No such file or directory", dir);
	is_error("include 'x\\ny'\n", 1, want, "a control character in a message is shown as '?'");
	snprintf(want, sizeof(want), "cannot read included file '%s/sub/': Is a directory", dir);
	is_error("include 'sub/'\n", 1, want, "including a directory");
	is_error("include(42)\n", 1, "include expects a file name string, got number", "include of a number");
	is_error("include()\n", 1, "include expects a file name string, got nil", "include of nothing");

	writefile("sub/bad.cfg", "ok = 1\n\nbad = = 1\n");
	rc = load("set_before_the_error = 1\ninclude 'sub/bad.cfg'\n");
	snprintf(want, sizeof(want), "%s/sub/bad.cfg:3: unexpected symbol near '='", dir);
	ok(rc == -1, "error inside an included file fails");
	is_str(err, want, "error inside an included file names that file and line");
	ok(skynet_getenv("set_before_the_error") == NULL, "error inside an included file: no key is set");

	writefile("loop.cfg", "include 'loop.cfg'\n");
	rc = load("include 'loop.cfg'\n");
	snprintf(want, sizeof(want), "%s/loop.cfg:1: includes nested deeper than 64 (include loop?)", dir);
	ok(rc == -1, "include loop is an error");
	is_str(err, want, "include loop: message");

	rc = load("include = 'just a key'\n");
	is_int(rc, 0, "'include = value' is an ordinary key");
	is_env("include", "just a key", "'include' as a key");
	rc = load("x = 1\n");
	is_int(rc, 0, "a config without include loads");
	is_env("include", NULL, "include itself is not a key");
}

static void
test_errors(void) {
	char want[512];
	/* Lua's own messages, as skynet prints them */
	is_error("set_before_the_error = 1\nthread 8\n", 2, "syntax error near '8'", "missing '='");
	is_error("a = \"abc\nb = 1\n", 1, "unfinished string near '\"abc'", "unfinished string");
	is_error("a = [[abc\n\n", 3, "unfinished long string (starting at line 1) near <eof>", "unfinished long string");
	is_error("a = '\\q'\n", 1, "invalid escape sequence near ''\\q'", "bad escape");
	is_error("a = 1.2.3\n", 1, "malformed number near '1.2.3'", "malformed number");
	is_error("= 3\n", 1, "unexpected symbol near '='", "no key");
	is_error("a = undefined .. 'x'\n", 1, "attempt to concatenate a nil value (global 'undefined')", "concatenating nil");
	is_error("a = true .. 'x'\n", 1, "attempt to concatenate a boolean value", "concatenating a boolean");
	is_error("set_before_the_error = 1\na = 1 + {}\n", 2, "attempt to perform arithmetic on a table value", "arithmetic on a table");

	/* only include is in scope: no standard library */
	is_error("x = string.format('%d', 1)\n", 1, "attempt to index a nil value (global 'string')", "string is not in scope");
	is_error("x = math.floor(2.5)\n", 1, "attempt to index a nil value (global 'math')", "math is not in scope");
	is_error("set_before_the_error = 1\nprint('hi')\n", 2, "attempt to call a nil value (global 'print')", "print is not in scope");
	is_error("os.exit(0)\n", 1, "attempt to index a nil value (global 'os')", "os is not in scope");
	is_error("x = require 'io'\n", 1, "attempt to call a nil value (global 'require')", "require is not in scope");

	/* skynet's _init_env: string keys, no table or function values */
	is_error("set_before_the_error = 1\nb = {1, 2}\n", 0, "invalid config table: value of 'b' is a table", "table value");
	is_error("f = function() end\n", 0, "invalid config table: value of 'f' is a function", "function value");
	is_error("set_before_the_error = 1\nx = include\n", 0, "invalid config table: value of 'x' is a function", "include as a value");
	is_error("set_before_the_error = 1\n_ENV[1] = 'x'\n", 0, "invalid config table: key 1 is a number, not a string", "number key");
	is_error("_ENV[true] = 'x'\n", 0, "invalid config table: key true is a boolean, not a string", "boolean key");

	/* a binary chunk is refused (load's mode "t"), and its message names the file */
	is_error("\x1bLua", 0, "attempt to load a binary chunk (mode is 't')", "binary chunk");

	snprintf(want, sizeof(want), "cannot open config file '%s/absent.cfg': No such file or directory", dir);
	skynet_env_exit();
	skynet_env_init();
	char path[256];
	snprintf(path, sizeof(path), "%s/absent.cfg", dir);
	int rc = skynet_config_load(path, err, sizeof(err));
	ok(rc == -1, "missing config file fails");
	is_str(err, want, "missing config file message");

	skynet_env_exit();
	skynet_env_init();
	skynet_setenv("thread", "1");
	writefile("main.cfg", "a = 1\n\nthread = 2\n");
	rc = skynet_config_load(mainpath, err, sizeof(err));
	snprintf(want, sizeof(want), "%s: key 'thread' is already set in the environment", mainpath);
	ok(rc == -1, "a key already in the env fails");
	is_str(err, want, "a key already in the env: message");
	ok(skynet_getenv("a") == NULL, "a key already in the env: no other key is set");

	skynet_env_exit();
	skynet_env_init();
	char small[8];
	memset(small, 'x', sizeof(small));
	writefile("main.cfg", "thread 8\n");
	rc = skynet_config_load(mainpath, small, sizeof(small));
	ok(rc == -1 && memchr(small, '\0', sizeof(small)) != NULL, "a short error buffer is truncated, terminated");
	rc = skynet_config_load(mainpath, NULL, 0);
	ok(rc == -1, "a zero-length error buffer is allowed");
}

int
main(void) {
	snprintf(dir, sizeof(dir), "/tmp/skybench-test_config-XXXXXX");
	if (mkdtemp(dir) == NULL)
		bail_out("mkdtemp failed");
	snprintf(mainpath, sizeof(mainpath), "%s/main.cfg", dir);
	skynet_env_init();
	test_env();
	test_env_threads();
	test_values();
	test_envsubst();
	test_include();
	test_errors();
	skynet_env_exit();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
