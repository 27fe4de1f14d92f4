#ifndef SKYBENCH_BENCH_COMMON_H
#define SKYBENCH_BENCH_COMMON_H

/* What every micro-benchmark program shares: options, the list of cases, the repetition
 * loop (a discarded warm-up round, then REPS rounds, each in a fresh random order so that
 * implementations are interleaved, docs/method.md rules 2-3), progress with ETA, result
 * rows.
 *
 * Options (each program): --reps N  --seconds S  --quick  --threads 1,2,4|1-4
 *   --pin POLICY  --filter REGEX  --csv FILE (append rows)  --seed N  --list */

#include "csv.h"
#include "harness.h"
#include "pin.h"

#include <stdint.h>
#include <stdio.h>

struct bench_metric {
	const char *metric;	/* "ops_per_s", "ns_per_op", ... */
	const char *unit;
	double value;
	uint64_t ops;
};

#define BENCH_MAX_METRICS 12	/* bench_timer_lock staged_add: 9 */

struct bench_result {
	int nmetrics;
	struct bench_metric m[BENCH_MAX_METRICS];
	uint64_t wall_ns;
	char cpus[1024];
	int oversubscribed;
	int checked;		/* 0: nothing to check ("none") */
	int check_ok;
	char check_msg[256];	/* why it failed */
};

struct bench_case;
typedef void (*bench_run_fn)(const struct bench_case *, struct bench_result *);

struct bench_case {
	char impl[32];
	int ceiling;
	char benchmark[48];
	char params[160];
	int threads;
	bench_run_fn run;
	int impl_index;		/* into the program's table of implementations */
	long arg[4];		/* benchmark-specific */
	double est_s;		/* expected seconds per run, for the ETA */
};

struct bench_config {
	const char *part;
	int reps;
	double seconds;
	int quick;
	int threads[64];
	int nthreads;
	int threads_given;	/* --threads was given: a program's own default list yields */
	struct pin_policy pin;
	char filter[256];
	const char *csv_path;
	unsigned seed;
	int list;
	int ncpus;		/* CPUs this process may use */
};

extern struct bench_config bench_cfg;

/* Parses argv (exits 2 on a bad option). defaults: reps 5, seconds as given, threads
 * 1..ncpus, pin compact (none where there is no topology). */
void bench_init(int argc, char **argv, const char *part, double default_seconds,
	double quick_seconds);

/* Adds a case unless FILTER excludes it. Its name for FILTER and the progress line is
 * "part/benchmark/impl/params/tN". */
void bench_add(const struct bench_case *);
/* the cases added so far that FILTER kept */
int bench_ncases(void);

/* Runs everything; writes rows to --csv (or stdout). Returns the exit status: 0, or 1 if
 * any check failed (each failure is printed loudly as it happens). */
int bench_run(const char *cflags, const char *libs);

/* The CPU of each of n threads under the configured policy; returns -1 (printed) if the
 * policy cannot be honoured. */
int bench_cpus(int n, int *cpu, int *oversubscribed);

void bench_fail(struct bench_result *, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The contended-throughput run every threaded case shares: c->threads threads pinned by
 * the configured policy run work(ud) for the configured seconds (harness.h); res gets the
 * CPUs, the wall time and ops_per_s as its one metric. Returns 0 when it ran, with the
 * sample in *s (the caller checks s->bind_failed after its own checks), or -1 after
 * bench_fail when the threads cannot be pinned. */
int bench_run_threads(const struct bench_case *c, struct bench_result *res, harness_work work,
	void *ud, struct harness_sample *s);

/* glibc's bytes in use: arena chunks and mmapped ones (a big array or ring is mmapped) */
double bench_malloc_in_use(void);

/* 0 under an allocator glibc's mallinfo2 does not see (a sanitizer's) */
int bench_malloc_counted(void);

/* xorshift64*: cheap per-thread randomness for benchmark loops */
static inline uint64_t
bench_rand(uint64_t *s) {
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

#endif
