/* skybench-test: partless */
/* The config reader (runtime/skynet_config.c) and the env (runtime/skynet_env.c):
 * every accepted syntax element, each error with its one-line message. */

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

/* the load fails with exactly "<mainpath>:<line>: <msg>" (or the whole line if line < 0) */
static void
is_error(const char *text, int line, const char *msg, const char *name) {
	char want[512];
	int rc = load(text);
	if (line >= 0)
		snprintf(want, sizeof(want), "%s:%d: %s", mainpath, line, msg);
	else
		snprintf(want, sizeof(want), "%s", msg);
	ok(rc == -1, "%s: fails", name);
	is_str(err, want, name);
	ok(strchr(err, '\n') == NULL, "%s: message is one line", name);
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
		"d = 'it''s'\n");
	ok(rc != 0, "two adjacent strings are an error");
	rc = load("a = \"x\\ny\\tz\\\\q\\\"\\'\"\n"
		"b = '\\65\\x41\\u{48}\\u{e9}'\n"
		"c = \"1\\z   \n   2\"\n"
		"d = \"l1\\\nl2\"\n"
		"e = 'say \"hi\"'\n");
	is_int(rc, 0, "escapes load");
	is_env("a", "x\ny\tz\\q\"'", "escapes \\n \\t \\\\ \\\" \\'");
	is_env("b", "AAH\xc3\xa9", "escapes \\ddd \\xXX \\u{XXX}");
	is_env("c", "12", "escape \\z skips white space");
	is_env("d", "l1\nl2", "backslash-newline is a newline");
	is_env("e", "say \"hi\"", "double quotes inside single quotes");

	rc = load("a = [[\nline1\nline2]]\n"
		"b = [==[ x]]y]=] ]==]\n"
		"c = [[]]\n");
	is_int(rc, 0, "long strings load");
	is_env("a", "line1\nline2", "long string, first newline skipped");
	is_env("b", " x]]y]=] ", "long string with level");
	is_env("c", "", "empty long string");

	rc = load("a = 0x10\nb = 1.5\nc = 1e3\nd = -2\ne = .5\nf = 3.0\n"
		"g = 99999999999999999999\nh = 0XfF\ni = 2.5e-3\nj = 007\nk = -0.25\n");
	is_int(rc, 0, "numbers load");
	is_env("a", "16", "hex integer");
	is_env("b", "1.5", "decimal");
	is_env("c", "1000.0", "exponent gives a float, printed as Lua does");
	is_env("d", "-2", "negative integer");
	is_env("e", "0.5", "leading dot");
	is_env("f", "3.0", "float with integral value keeps .0");
	is_env("g", "1e+20", "decimal integer overflow becomes a float");
	is_env("h", "255", "hex, upper case");
	is_env("i", "0.0025", "negative exponent");
	is_env("j", "7", "leading zeros");
	is_env("k", "-0.25", "negative float");

	rc = load("-- a comment line\n"
		"x = 1 -- trailing comment\n"
		"--[[ block\n y = 2\n]] z = 3\n"
		"--[==[ ]] still comment\n]==]\n"
		"w = 4 --[[ inline ]] v = 5\n"
		"--\n");
	is_int(rc, 0, "comments load");
	is_env("x", "1", "value before a trailing comment");
	is_env("y", NULL, "key inside a block comment is not set");
	is_env("z", "3", "value after a block comment on the same line");
	is_env("v", "5", "statement after an inline block comment");

	rc = load("a = 1; b = 2, c = 3;\n;;\n\n\t d = 4 e = 5\r\nf = 6\r\n");
	is_int(rc, 0, "separators load");
	is_env("a", "1", "';' separator");
	is_env("b", "2", "',' separator");
	is_env("c", "3", "value before trailing ';'");
	is_env("e", "5", "two statements on one line without separator");
	is_env("f", "6", "CRLF line ends");

	rc = load("root = \"./\"\n"
		"cpath = root..\"cservice/?.so;\"..root..'x/?.so'\n"
		"n = 'v' .. 1 .. 2.5\n"
		"copy = cpath\n"
		"flag = true\n"
		"flag2 = flag\n"
		"thread = 4\nthread = 2\n"
		"logger = nil\n"
		"gone = 1\ngone = nil\n");
	is_int(rc, 0, "names, concatenation, reassignment, nil load");
	is_env("cpath", "./cservice/?.so;./x/?.so", "concatenation with an earlier key");
	is_env("n", "v12.5", "concatenation with numbers");
	is_env("copy", "./cservice/?.so;./x/?.so", "a name copies an earlier key");
	is_env("flag2", "true", "a name copies a boolean");
	is_env("thread", "2", "a later assignment wins");
	is_env("logger", NULL, "nil leaves a key unset");
	is_env("gone", NULL, "nil removes an earlier assignment");
}

static void
test_envsubst(void) {
	setenv("SKYBENCH_TEST_THREADS", "6", 1);
	setenv("SKYBENCH_TEST_ROOT", "/opt/sky", 1);
	setenv("SKYBENCH_TEST_EMPTY", "", 1);
	unsetenv("SKYBENCH_TEST_UNSET");
	int rc = load("thread = $SKYBENCH_TEST_THREADS\n"
		"cpath = \"$SKYBENCH_TEST_ROOT/cservice/?.so\"\n"
		"e = '$SKYBENCH_TEST_EMPTY'\n"
		"-- $SKYBENCH_TEST_ROOT in a comment is fine\n"
		"dollar = 'a $ b'\n");
	is_int(rc, 0, "$NAME substitution loads");
	is_env("thread", "6", "$NAME as a bare value");
	is_env("cpath", "/opt/sky/cservice/?.so", "$NAME inside a string");
	is_env("e", "", "$NAME set to the empty string");
	is_env("dollar", "a $ b", "a lone '$' stays");
	is_error("a = 1\n\nthread = $SKYBENCH_TEST_UNSET\n", 3,
		"environment variable 'SKYBENCH_TEST_UNSET' is not set (used as $SKYBENCH_TEST_UNSET)",
		"unset $NAME");
	ok(skynet_getenv("a") == NULL, "a failed load sets no key");
}

static void
test_include(void) {
	char sub[128], want[512];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir(sub, 0755);
	writefile("sub/inc.cfg", "root = '/r/'\ninclude \"inc2.cfg\"\n");
	writefile("sub/inc2.cfg", "deep = 1\nthread = 3\n");
	int rc = load("thread = 1\ninclude \"sub/inc.cfg\"\ncpath = root .. \"?.so\"\n");
	is_int(rc, 0, "include loads");
	is_env("cpath", "/r/?.so", "a key from an included file is visible after the include");
	is_env("deep", "1", "nested include is relative to the including file");
	is_env("thread", "3", "an included assignment overrides an earlier one");

	rc = load("include('sub/inc2.cfg')\n");
	is_int(rc, 0, "include(\"file\") call form loads");
	is_env("deep", "1", "include(\"file\") call form");

	char abs[256];
	snprintf(abs, sizeof(abs), "include '%s/sub/inc2.cfg'\n", dir);
	rc = load(abs);
	is_int(rc, 0, "absolute include path loads");
	is_env("deep", "1", "absolute include path");

	snprintf(want, sizeof(want), "cannot open included file '%s/nope.cfg': No such file or directory", dir);
	is_error("\ninclude \"nope.cfg\"\n", 2, want, "missing included file");
	snprintf(want, sizeof(want), "cannot open included file '%s/x?y': No such file or directory", dir);
	is_error("include 'x\\ny'\n", 1, want, "a control character in a message is shown as '?'");

	writefile("sub/bad.cfg", "ok = 1\n\nbad = {}\n");
	rc = load("include 'sub/bad.cfg'\n");
	snprintf(want, sizeof(want), "%s/sub/bad.cfg:3: tables are not supported (value of 'bad')", dir);
	ok(rc == -1, "error inside an included file fails");
	is_str(err, want, "error inside an included file names that file and line");

	writefile("loop.cfg", "include 'loop.cfg'\n");
	rc = load("include 'loop.cfg'\n");
	ok(rc == -1 && strstr(err, "includes nested deeper than 16 (include loop?)"), "include loop is an error");
	diag("  %s", err);

	rc = load("include = 'just a key'\n");
	is_int(rc, 0, "'include = value' is an ordinary key");
	is_env("include", "just a key", "'include' as a key");
}

static void
test_errors(void) {
	char want[512];
	is_error("thread 8\n", 1, "expected '=' after key 'thread'", "missing '='");
	is_error("a = 1\n\nthread\n", 3, "expected '=' after key 'thread'", "key at end of file");
	is_error("a = 1\nb = {1, 2}\n", 2, "tables are not supported (value of 'b')", "table value");
	is_error("a = f(1)\n", 1, "function calls are not supported ('f' in value of 'a')", "function call");
	is_error("a = f 'x'\n", 1, "function calls are not supported ('f' in value of 'a')", "function call with string argument");
	is_error("a = function() end\n", 1, "functions are not supported (value of 'a')", "function value");
	is_error("a = 1 + 2\n", 1, "expressions are not supported (operator '+' in value of 'a')", "arithmetic");
	is_error("a = 1 == 2\n", 1, "expressions are not supported (operator '==' in value of 'a')", "comparison");
	is_error("a = -'x'\n", 1, "expressions are not supported (unary '-' before a string in value of 'a')", "unary minus on a string");
	is_error("a = \"abc\nb = 1\n", 1, "unfinished string (missing closing \")", "unfinished string");
	is_error("a = 'abc", 1, "unfinished string (missing closing ')", "string at end of file");
	is_error("a = \"\\q\"\n", 1, "invalid escape sequence '\\q' in string", "bad escape");
	is_error("a = '\\300'\n", 1, "decimal escape too large in string", "decimal escape over 255");
	snprintf(want, sizeof(want), "%s:1: value of 'a' contains a zero byte", mainpath);
	ok(load("a = 'x\\0y'\n") == -1, "a value with a zero byte fails");
	is_str(err, want, "a value with a zero byte: message");
	is_error("a = [[abc\n\n", 1, "unfinished long string (starting here)", "unfinished long string");
	is_error("x = 1\n--[[ never closed\n", 2, "unfinished long comment (starting here)", "unfinished block comment");
	is_error("a = undefined_name\n", 1, "'undefined_name' is not defined (value of 'a' may name only keys set before it)", "undefined name");
	is_error("a = true .. 'x'\n", 1, "attempt to concatenate a boolean value (value of 'a')", "concatenating a boolean");
	is_error("a = 'x' .. nil\n", 1, "attempt to concatenate a nil value (value of 'a')", "concatenating nil");
	is_error("local a = 1\n", 1, "unexpected 'local' (only 'key = value' and include are supported)", "local");
	is_error("a =", 1, "expected a value for 'a', got end of file", "missing value");
	is_error("a = ;\n", 1, "expected a value for 'a', got ';'", "';' instead of a value");
	is_error("a = 1.2.3\n", 1, "malformed number near '1.2.3'", "malformed number");
	is_error("a = 12abc\n", 1, "malformed number near '12abc'", "number run into a name");
	is_error("= 3\n", 1, "expected a key name, got '='", "no key");
	is_error("a.b = 3\n", 1, "expected '=' after key 'a'", "field assignment");
	is_error("a = 'x' 'y'\n", 1, "unexpected a string after value of 'a'", "two strings");
	is_error("a = 1 = 2\n", 1, "unexpected '=' after value of 'a'", "double '='");
	is_error("a = 1\n@\n", 2, "unexpected '@' after value of 'a'", "stray character after a value");
	is_error("@\n", 1, "expected a key name, got '@'", "stray character");
	is_error("include 42\n", 1, "include expects a file name string, got number '42'", "include without a string");
	is_error("include('x.cfg'\n", 2, "expected ')' to close include, got end of file", "include without ')'");

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
	snprintf(want, sizeof(want), "%s:3: key 'thread' is already set in the environment", mainpath);
	ok(rc == -1, "a key already in the env fails");
	is_str(err, want, "a key already in the env: message");

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
