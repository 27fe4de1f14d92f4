/* skybench-node: skynet's main (skynet_main.c). Loads the config into the env, reads the
 * node's keys with skynet's defaults (writing each default back into the env, so services
 * see it through GETENV), and runs the node. Unlike skynet, a bad value is an error, not
 * a silent 0. */

#include "skynet_config.h"
#include "skynet_env.h"
#include "skynet_imp.h"
#include "handle.h"
#include "globalq.h"
#include "timerq.h"
#include "mailbox.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SKYNET_MAXTHREAD 1024

extern const char skybench_variant[];
extern const char skybench_git_rev[];

static const char *config_file;

/* a config value quoted in an error line, kept to one line (skynet_env_shown) */
#define shown skynet_env_shown

static int
die(const char *fmt, const char *a, const char *b) {
	fprintf(stderr, "skybench-node: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	return -1;
}

/* an integer key in [lo, hi], or the default (stored back); -1 after an error line */
static int
optint(const char *key, int opt, int lo, int hi, int *out) {
	const char *str = skynet_getenv(key);
	char tmp[64];
	if (str == NULL) {
		snprintf(tmp, sizeof(tmp), "%d", opt);
		skynet_setenv(key, tmp);
		*out = opt;
		return 0;
	}
	char *end;
	errno = 0;
	long v = strtol(str, &end, 10);
	/* a Lua float with an integral value (thread = 8/2 gives "4.0") is that integer, as
	 * skynet's strtol reads it */
	if (end != str && strcmp(end, ".0") == 0)
		end += 2;
	if (end == str || *end != '\0' || errno || v < lo || v > hi) {
		fprintf(stderr, "skybench-node: %s: %s must be an integer from %d to %d (got '%s')\n",
			config_file, key, lo, hi, shown(str, tmp, sizeof(tmp)));
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int
optboolean(const char *key, int opt, int *out) {
	const char *str = skynet_getenv(key);
	char tmp[64];
	if (str == NULL) {
		skynet_setenv(key, opt ? "true" : "false");
		*out = opt;
		return 0;
	}
	if (strcmp(str, "true") == 0 || strcmp(str, "1") == 0) {
		*out = 1;
	} else if (strcmp(str, "false") == 0 || strcmp(str, "0") == 0) {
		*out = 0;
	} else {
		fprintf(stderr, "skybench-node: %s: %s must be true, false, 1 or 0 (got '%s')\n",
			config_file, key, shown(str, tmp, sizeof(tmp)));
		return -1;
	}
	return 0;
}

static const char *
optstring(const char *key, const char *opt) {
	const char *str = skynet_getenv(key);
	if (str == NULL) {
		if (opt) {
			skynet_setenv(key, opt);
			opt = skynet_getenv(key);
		}
		return opt;
	}
	return str;
}

/* a key with two values, the first the default: *out is 0 or 1; -1 after an error line */
static int
optchoice(const char *key, const char *first, const char *second, int *out) {
	const char *str = optstring(key, first);
	char tmp[64];
	if (strcmp(str, first) == 0 || strcmp(str, second) == 0) {
		*out = strcmp(str, second) == 0;
		return 0;
	}
	fprintf(stderr, "skybench-node: %s: %s must be \"%s\" or \"%s\" (got '%s')\n",
		config_file, key, first, second, shown(str, tmp, sizeof(tmp)));
	return -1;
}

/* the scheduler's keys (runtime/skynet_sched.h); the tuning of steal is refused by a
 * scheduler that does not read it, rather than silently ignored */
static int
read_sched(struct skynet_sched_config *c) {
	static const struct sched_options dflt = SCHED_OPTIONS_DEFAULT;
	int wake, one;
	if (optchoice("sched_wake", "skynet", "eager", &wake) ||
	    optchoice("sched_steal", "half", "one", &one))
		return -1;
	c->wake = wake ? SCHED_WAKE_EAGER : SCHED_WAKE_SKYNET;
	c->opt.steal_half = !one;
	if (optint("sched_next", dflt.next, 0, 1000000, &c->opt.next) ||
	    optint("sched_inject", dflt.inject, 1, 1000000, &c->opt.inject) ||
	    optboolean("sched_counters", 0, &c->counters))
		return -1;
	if (!sched_options_used && (c->opt.next != dflt.next || c->opt.steal_half != dflt.steal_half ||
	    c->opt.inject != dflt.inject))
		return die("%s: sched_next, sched_steal and sched_inject tune SCHED=steal; this node is built with SCHED=%s",
			config_file, sched_variant);
	return 0;
}

static void
usage(FILE *f) {
	fprintf(f, "usage: skybench-node CONFIG | --version | --help\n");
}

static void
help(void) {
	usage(stdout);
	printf("Runs a skynet node from a skynet config file, read by Lua as skynet reads it\n"
		"($NAME replaced first, include, every global a key). Keys read here, with skynet's\n"
		"defaults:\n"
		"  thread = 8 (1..%d)   cpath = \"./cservice/?.so\"   harbor = 1\n"
		"  bootstrap = \"snlua bootstrap\"   logger = nil (stdout)   logservice = \"logger\"\n"
		"  profile = true   daemon: not supported   monitor_pad = false (true: not as skynet)\n"
		"  timer_stage = 0 (1: workers stage timer adds in rings of their own; not as skynet)\n"
		"and the scheduler's (this node: SCHED=%s):\n"
		"  sched_wake = \"skynet\" (or \"eager\")   sched_counters = false\n"
		"  sched_next = 3   sched_steal = \"half\" (or \"one\")   sched_inject = 61 (SCHED=steal only)\n"
		"Every key is visible to services through GETENV.\n", SKYNET_MAXTHREAD, sched_variant);
}

static void
version(void) {
	printf("skybench-node %s (handle %s, globalq %s, timer %s, sched %s, mailbox %s) git %s\n", skybench_variant,
		skynet_handle_variant, globalq_variant, timerq_variant, sched_variant, mailbox_variant, skybench_git_rev);
}

static int
read_config(struct skynet_config *config) {
	char err[512];
	if (skynet_config_load(config_file, err, sizeof(err)))
		return die("%s%s", shown(err, err, sizeof(err)), "");
	if (optint("thread", 8, 1, SKYNET_MAXTHREAD, &config->thread) ||
	    optint("harbor", 1, 0, 255, &config->harbor) ||
	    optboolean("profile", 1, &config->profile) ||
	    optboolean("monitor_pad", 0, &config->monitor_pad) ||
	    optint("timer_stage", 0, 0, 1, &config->timer_stage) ||
	    read_sched(&config->sched))
		return -1;
	config->module_path = optstring("cpath", "./cservice/?.so");
	config->bootstrap = optstring("bootstrap", "snlua bootstrap");
	config->daemon = optstring("daemon", NULL);
	config->logger = optstring("logger", NULL);
	config->logservice = optstring("logservice", "logger");
	if (config->daemon) {
		char tmp[256];
		return die("%s: daemon mode is not supported (daemon = '%s')", config_file,
			shown(config->daemon, tmp, sizeof(tmp)));
	}
	return 0;
}

int
main(int argc, char *argv[]) {
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (strcmp(argv[1], "--version") == 0) {
		version();
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		help();
		return 0;
	}
	if (argv[1][0] == '-' && argv[1][1] != '\0') {
		char tmp[256];
		fprintf(stderr, "skybench-node: unknown option '%s' (usage: skybench-node CONFIG | --version | --help)\n",
			shown(argv[1], tmp, sizeof(tmp)));
		return 1;
	}
	if (argc > 2) {
		fprintf(stderr, "skybench-node: too many arguments (usage: skybench-node CONFIG | --version | --help)\n");
		return 1;
	}
	config_file = argv[1];

	/* a peer closing a socket must not kill the node; writes report EPIPE instead */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);

	skynet_env_init();
	struct skynet_config config;
	memset(&config, 0, sizeof(config));
	int rc = read_config(&config) ? 1 : skynet_start(&config);
	skynet_env_exit();
	return rc;
}
