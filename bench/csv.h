#ifndef SKYBENCH_CSV_H
#define SKYBENCH_CSV_H

/* Tidy result rows (docs/method.md rule 1): one row per measurement, every row carrying
 * what produced it. The columns are listed once, in csv_columns[], and documented in
 * results/README.md (a test checks the two agree). Fields are quoted as RFC 4180 says. */

#include <stdint.h>
#include <stdio.h>

#define CSV_COLUMNS(X) \
	X(run_id) X(date) X(host) X(git_rev) X(variant) X(handle) X(globalq) X(timer) \
	X(sched) X(sched_wake) X(sched_next) X(sched_steal) X(sched_inject) X(mailbox) \
	X(part) X(impl) X(ceiling) X(peer) X(benchmark) X(params) X(threads) X(oversubscribed) \
	X(pin) X(cpus) X(rep) X(metric) X(value) X(unit) X(ops) X(wall_ns) X(check) X(counters) \
	X(compiler) X(cflags) X(libs) X(cpu_model) X(topology) X(kernel)

#define CSV_ENUM_(name) CSV_##name,
enum { CSV_COLUMNS(CSV_ENUM_) CSV_NCOLS };
#undef CSV_ENUM_

extern const char *const csv_columns[CSV_NCOLS];

/* one field, quoted if it holds a comma, quote, CR, LF or leading/trailing blank */
void csv_put_field(FILE *f, const char *s);
/* fields[i] may be NULL (empty field) */
void csv_put_record(FILE *f, const char *const fields[CSV_NCOLS]);
void csv_put_header(FILE *f);

/* What every row of one program run shares: filled by csv_context_init from the
 * environment the driver sets (SKYBENCH_RUN_ID, SKYBENCH_GIT_REV, SKYBENCH_VARIANT,
 * SKYBENCH_HANDLE, SKYBENCH_GLOBALQ, SKYBENCH_TIMER, SKYBENCH_SCHED, SKYBENCH_MAILBOX) and from the machine
 * itself. The C programs write micro-benchmark rows: no node runs, so the node's scheduler
 * settings and counters are "-" and peer is empty (results/README.md). */
struct csv_context {
	char run_id[96];
	char host[128];
	char git_rev[64];
	char variant[96];
	char handle[32], globalq[32], timer[32], sched[32], mailbox[32];
	char compiler[128];
	char cflags[512];
	char libs[256];
	char cpu_model[160];
	char topology[160];
	char kernel[200];
};

/* compiler/cflags/libs describe the program being run (pass its build's values);
 * topology comes from the caller (pin.c knows it). */
void csv_context_init(struct csv_context *, const char *cflags, const char *libs,
	const char *topology);

/* One measurement. value is printed only when check passed (a failed run has no number). */
struct csv_row {
	const char *part, *impl;
	int ceiling;
	const char *benchmark, *params;
	int threads, oversubscribed;
	const char *pin, *cpus;
	int rep;
	const char *metric;
	double value;
	const char *unit;
	uint64_t ops, wall_ns;
	const char *check;	/* "pass", "fail", or "none" (nothing to check) */
};

void csv_put_row(FILE *f, const struct csv_context *, const struct csv_row *);

/* ISO 8601 UTC, "2026-01-31T12:34:56Z" */
void csv_utc_now(char *buf, size_t len);

#endif
