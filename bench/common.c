/* The repetition loop shared by the micro-benchmark programs; see common.h. */

#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "harness.h"

struct bench_config bench_cfg;

static struct bench_case *cases;
static int ncases, capcases;
static regex_t filter_re;
static int have_filter;

static void
usage(const char *prog) {	/* --help */
	printf("usage: %s [--reps N] [--seconds S] [--quick] [--threads 1,2|1-4] "
		"[--pin compact|scatter|one-per-core|smt-siblings|list:0,1|none] [--filter REGEX] "
		"[--csv FILE] [--seed N] [--list]\n", prog);
	exit(0);
}

/* Option values are checked whole: a number with trailing text, out of range, NaN or
 * infinite is one line naming the option and the accepted range, exit 2 (atoi/atof took
 * "abc" as 0 and "inf" seconds as a run that never ends). */
static long
opt_long(const char *prog, const char *opt, const char *s, long lo, long hi) {
	char *end;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (end == s || *end != '\0' || errno != 0 || v < lo || v > hi) {
		fprintf(stderr, "%s: bad %s '%s' (an integer from %ld to %ld)\n", prog, opt, s, lo, hi);
		exit(2);
	}
	return v;
}

static double
opt_seconds(const char *prog, const char *s) {
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(v > 0 && v <= 3600)) {
		fprintf(stderr, "%s: bad --seconds '%s' (a number of seconds above 0, at most 3600)\n",
			prog, s);
		exit(2);
	}
	return v;
}

static int
parse_threads(const char *s) {
	bench_cfg.nthreads = 0;
	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b = a;
		if (end == s || a < 1)
			return -1;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a)
				return -1;
		}
		for (long t = a; t <= b; t++) {
			if (bench_cfg.nthreads == 64 || t > HARNESS_MAX_THREADS)
				return -1;
			bench_cfg.threads[bench_cfg.nthreads++] = (int)t;
		}
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return bench_cfg.nthreads ? 0 : -1;
}

void
bench_init(int argc, char **argv, const char *part, double default_seconds, double quick_seconds) {
	static const struct option opts[] = {
		{ "reps", required_argument, NULL, 'r' }, { "seconds", required_argument, NULL, 's' },
		{ "quick", no_argument, NULL, 'q' }, { "threads", required_argument, NULL, 't' },
		{ "pin", required_argument, NULL, 'p' }, { "filter", required_argument, NULL, 'f' },
		{ "csv", required_argument, NULL, 'c' }, { "seed", required_argument, NULL, 'S' },
		{ "list", no_argument, NULL, 'l' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pin_topo *topo = pin_topo_machine();
	bench_cfg.part = part;
	bench_cfg.reps = 5;
	bench_cfg.seconds = -1;
	bench_cfg.seed = (unsigned)time(NULL);
	bench_cfg.ncpus = topo ? topo->npu : 1;
	const char *pin = topo ? "compact" : "none";
	const char *threads = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': bench_cfg.reps = (int)opt_long(argv[0], "--reps", optarg, 1, 100000); break;
		case 's': bench_cfg.seconds = opt_seconds(argv[0], optarg); break;
		case 'q': bench_cfg.quick = 1; break;
		case 't': threads = optarg; break;
		case 'p': pin = optarg; break;
		case 'f':
			if (strlen(optarg) >= sizeof bench_cfg.filter) {
				fprintf(stderr, "%s: --filter regex too long (%zu bytes, at most %zu)\n",
					argv[0], strlen(optarg), sizeof bench_cfg.filter - 1);
				exit(2);
			}
			snprintf(bench_cfg.filter, sizeof bench_cfg.filter, "%s", optarg);
			break;
		case 'c': bench_cfg.csv_path = optarg; break;
		case 'S': bench_cfg.seed = (unsigned)opt_long(argv[0], "--seed", optarg, 0, 4294967295L); break;
		case 'l': bench_cfg.list = 1; break;
		case 'h': usage(argv[0]); break;
		default:	/* getopt_long says nothing (opterr = 0): one line here */
			fprintf(stderr, "%s: unknown option or missing value '%s' (%s --help)\n",
				argv[0], argv[optind - 1], argv[0]);
			exit(2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[optind]);
		exit(2);
	}
	if (bench_cfg.seconds < 0)
		bench_cfg.seconds = bench_cfg.quick ? quick_seconds : default_seconds;
	char err[256];
	if (pin_policy_parse(pin, &bench_cfg.pin, err, sizeof err) != 0) {
		fprintf(stderr, "%s: --pin: %s\n", argv[0], err);
		exit(2);
	}
	if (threads) {
		bench_cfg.threads_given = 1;
		if (parse_threads(threads) != 0) {
			fprintf(stderr, "%s: bad --threads '%s' (1,2,4 or 1-4)\n", argv[0], threads);
			exit(2);
		}
	} else {
		for (int t = 1; t <= bench_cfg.ncpus && t <= 64; t++)
			bench_cfg.threads[bench_cfg.nthreads++] = t;
	}
	if (bench_cfg.csv_path) {	/* say so now, not after the first benchmark ran */
		FILE *f = fopen(bench_cfg.csv_path, "a");
		if (f == NULL) {
			fprintf(stderr, "%s: --csv %s: %s\n", argv[0], bench_cfg.csv_path, strerror(errno));
			exit(2);
		}
		fclose(f);
	}
	if (bench_cfg.filter[0]) {
		if (regcomp(&filter_re, bench_cfg.filter, REG_EXTENDED | REG_NOSUB) != 0) {
			fprintf(stderr, "%s: bad --filter regex '%s'\n", argv[0], bench_cfg.filter);
			exit(2);
		}
		have_filter = 1;
	}
}

static void
case_name(const struct bench_case *c, char *buf, size_t len) {
	snprintf(buf, len, "%s/%s/%s/%s/t%d", bench_cfg.part, c->benchmark, c->impl, c->params,
		c->threads);
}

void
bench_add(const struct bench_case *c) {
	char name[512];
	case_name(c, name, sizeof name);
	if (have_filter && regexec(&filter_re, name, 0, NULL, 0) != 0)
		return;
	if (ncases == capcases) {
		capcases = capcases ? 2 * capcases : 64;
		cases = realloc(cases, (size_t)capcases * sizeof *cases);
		if (cases == NULL)
			abort();
	}
	cases[ncases++] = *c;
}

int
bench_cpus(int n, int *cpu, int *oversubscribed) {
	char err[256];
	if (pin_map(pin_topo_machine(), &bench_cfg.pin, n, cpu, oversubscribed, err, sizeof err)) {
		fprintf(stderr, "%s: cannot pin %d threads: %s\n", bench_cfg.part, n, err);
		return -1;
	}
	/* more threads than CPUs is oversubscribed even unpinned */
	if (n > bench_cfg.ncpus)
		*oversubscribed = 1;
	return 0;
}

void
bench_fail(struct bench_result *r, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	r->checked = 1;
	r->check_ok = 0;
	vsnprintf(r->check_msg, sizeof r->check_msg, fmt, ap);
	va_end(ap);
}

int
bench_run_threads(const struct bench_case *c, struct bench_result *res, harness_work work,
		void *ud, struct harness_sample *s) {
	int cpu[HARNESS_MAX_THREADS];
	if (bench_cpus(c->threads, cpu, &res->oversubscribed) != 0) {
		bench_fail(res, "cannot pin");
		return -1;
	}
	struct harness_spec spec = { .threads = c->threads, .cpu = cpu,
		.seconds = bench_cfg.seconds, .work = work, .ud = ud };
	harness_run(&spec, s);
	harness_cpus_string(s, c->threads, res->cpus, sizeof res->cpus);
	res->wall_ns = s->wall_ns;
	res->nmetrics = 1;
	res->m[0] = (struct bench_metric){ "ops_per_s", "ops/s",
		(double)s->ops * 1e9 / (double)s->wall_ns, s->ops };
	return 0;
}

static void
fmt_duration(double s, char *buf, size_t len) {
	if (s < 0 || !isfinite(s))
		snprintf(buf, len, "?");
	else if (s < 90)
		snprintf(buf, len, "%.0fs", s);
	else
		snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
}

static void
fmt_value(const struct bench_metric *m, char *buf, size_t len) {
	if (strcmp(m->unit, "ops/s") == 0)
		snprintf(buf, len, "%.3g M%s", m->value / 1e6, m->unit);
	else
		snprintf(buf, len, "%.4g %s", m->value, m->unit);
}

static void
shuffle(int *order, int n, uint64_t *seed) {
	for (int i = n - 1; i > 0; i--) {
		int j = (int)(bench_rand(seed) % (uint64_t)(i + 1));
		int t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

int
bench_ncases(void) {
	return ncases;
}

int
bench_run(const char *cflags, const char *libs) {
	if (bench_cfg.list) {
		for (int i = 0; i < ncases; i++) {
			char name[512];
			case_name(&cases[i], name, sizeof name);
			printf("%s\n", name);
		}
		return 0;
	}
	if (ncases == 0 && have_filter) {
		fprintf(stderr, "== %s: FILTER '%s' matches none of its benchmarks: skipped\n",
			bench_cfg.part, bench_cfg.filter);
		return 0;
	}
	char topo[160];
	pin_topo_describe(pin_topo_machine(), topo, sizeof topo);
	struct csv_context ctx;
	csv_context_init(&ctx, cflags, libs, topo);
	FILE *out = stdout;
	if (bench_cfg.csv_path) {
		out = fopen(bench_cfg.csv_path, "a");
		if (out == NULL) {
			fprintf(stderr, "%s: --csv %s: %s\n", bench_cfg.part, bench_cfg.csv_path, strerror(errno));
			return 2;
		}
	}
	struct stat st;
	if (fstat(fileno(out), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
		csv_put_header(out);
	else if (out == stdout && !bench_cfg.csv_path)
		csv_put_header(out);

	int rounds = bench_cfg.reps + 1;	/* round 0 is the discarded warm-up */
	long total = (long)ncases * rounds, done = 0;
	double est = 0;
	for (int i = 0; i < ncases; i++)
		est += cases[i].est_s;
	fprintf(stderr, "== %s: %d cases x (%d reps + warm-up) = %ld runs, estimated %.0f s, seed %u,"
		" pin %s\n", bench_cfg.part, ncases, bench_cfg.reps, total, est * rounds,
		bench_cfg.seed, bench_cfg.pin.name);
	int *order = malloc((size_t)(ncases ? ncases : 1) * sizeof *order);
	if (order == NULL)
		abort();
	uint64_t seed = bench_cfg.seed * 2654435761u + 1;
	int failures = 0;
	uint64_t start = harness_now_ns();
	double est_done = 0, est_total = est * rounds;
	for (int round = 0; round < rounds; round++) {
		for (int i = 0; i < ncases; i++)
			order[i] = i;
		shuffle(order, ncases, &seed);
		for (int k = 0; k < ncases; k++) {
			const struct bench_case *c = &cases[order[k]];
			struct bench_result r;
			memset(&r, 0, sizeof r);
			r.check_ok = 1;
			c->run(c, &r);
			done++;
			est_done += c->est_s;
			double elapsed = (double)(harness_now_ns() - start) / 1e9;
			/* scale the estimate by how fast it has gone so far */
			double left = est_total - est_done;
			double eta = est_done > 0 ? (left > 0 ? left : 0) * elapsed / est_done : -1;
			char name[512], val[64] = "", etas[32];
			case_name(c, name, sizeof name);
			if (r.nmetrics)
				fmt_value(&r.m[0], val, sizeof val);
			fmt_duration(eta, etas, sizeof etas);
			fprintf(stderr, "[%s %ld/%ld %s] %s: %s%s ETA %s\n", bench_cfg.part, done, total,
				round ? "rep" : "warm-up", name, val,
				r.oversubscribed ? " (oversubscribed)" : "", etas);
			if (r.checked && !r.check_ok) {
				failures++;
				fprintf(stderr, "!!!!!! CHECK FAILED: %s: %s -- this run has no number\n",
					name, r.check_msg);
			}
			if (round == 0)
				continue;
			for (int m = 0; m < (r.nmetrics ? r.nmetrics : 1); m++) {
				struct bench_metric none = { "none", "", 0, 0 };
				const struct bench_metric *bm = r.nmetrics ? &r.m[m] : &none;
				struct csv_row row = {
					.part = bench_cfg.part, .impl = c->impl, .ceiling = c->ceiling,
					.benchmark = c->benchmark, .params = c->params, .threads = c->threads,
					.oversubscribed = r.oversubscribed, .pin = bench_cfg.pin.name,
					.cpus = r.cpus[0] ? r.cpus : "?", .rep = round, .metric = bm->metric,
					.value = bm->value, .unit = bm->unit, .ops = bm->ops, .wall_ns = r.wall_ns,
					.check = !r.checked ? "none" : r.check_ok ? "pass" : "fail",
				};
				csv_put_row(out, &ctx, &row);
			}
			fflush(out);
		}
	}
	if (out != stdout)
		fclose(out);
	free(order);
	double elapsed = (double)(harness_now_ns() - start) / 1e9;
	fprintf(stderr, "== %s: %ld runs in %.0f s%s\n", bench_cfg.part, total, elapsed,
		failures ? "" : ", every check passed");
	if (failures)
		fprintf(stderr, "!!!!!! %s: %d run(s) FAILED their correctness check\n",
			bench_cfg.part, failures);
	return failures ? 1 : 0;
}

double
bench_malloc_in_use(void) {
	struct mallinfo2 mi = mallinfo2();
	return (double)mi.uordblks + (double)mi.hblkhd;
}

int
bench_malloc_counted(void) {
	double before = bench_malloc_in_use();
	void *volatile p = malloc(4096);	/* volatile: not elided with its free */
	int seen = bench_malloc_in_use() - before >= 4096;
	free(p);
	return seen;
}
