#ifndef SKYBENCH_BENCH_SVC_H
#define SKYBENCH_BENCH_SVC_H

/* Helpers shared by the whole-runtime benchmark services (services/<bench>.c): own handle,
 * launching, wall time, and a log-linear latency histogram (HdrHistogram's bucket shape,
 * Tene: 2^k ranges of 32 sub-buckets, so a reported percentile is within 1/32 = 3% of the
 * true sample). Every benchmark prints one "RESULT <name> key=value ..." line on stdout;
 * scripts/runtime-bench.sh turns the keys into CSV rows. static inline: each service .so
 * is built alone from its .c. */

#include "skynet.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* own handle: skynet_current_handle() is the service's only inside its callback */
static inline uint32_t
bs_self(struct skynet_context *ctx) {
	return (uint32_t)strtoul(skynet_command(ctx, "REG", NULL) + 1, NULL, 16);
}

/* LAUNCH "module args...", 0 on failure */
static inline uint32_t
bs_launch(struct skynet_context *ctx, const char *fmt, ...) {
	char cmd[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	const char *h = skynet_command(ctx, "LAUNCH", cmd);
	return h ? (uint32_t)strtoul(h + 1, NULL, 16) : 0;
}

static inline uint64_t
bs_ns(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static inline void
bs_send(struct skynet_context *ctx, uint32_t to, int type, int session, const void *msg, size_t sz) {
	skynet_send(ctx, 0, to, type, session, (void *)msg, sz);
}

static inline void
bs_send_u64(struct skynet_context *ctx, uint32_t to, int type, uint64_t v) {
	skynet_send(ctx, 0, to, type, 0, &v, sizeof(v));
}

static inline uint64_t
bs_u64(const void *msg, size_t sz) {
	uint64_t v = 0;
	if (msg && sz >= sizeof(v))
		memcpy(&v, msg, sizeof(v));
	return v;
}

/* The result line, then the check: a mismatch says FAILED(why) on the line, logs an error
 * and the node still ABORTs (the driver treats FAILED as a failed run). */
static inline void
bs_finish(struct skynet_context *ctx, const char *line, const char *failed) {
	printf("%s%s%s%s\n", line, failed ? " FAILED(" : "", failed ? failed : "", failed ? ")" : "");
	fflush(stdout);
	if (failed)
		skynet_error(ctx, "error: benchmark check failed: %s", failed);
	skynet_command(ctx, "ABORT", NULL);
}

/* --- histogram of non-negative values (ns) --- */
#define BS_SUB_BITS 5
#define BS_SUB (1u << BS_SUB_BITS)
#define BS_BUCKETS ((64 - BS_SUB_BITS + 1) * BS_SUB)

struct bs_hist {
	uint64_t n, max, sum;
	uint64_t c[BS_BUCKETS];
};

static inline unsigned
bs_hist_index(uint64_t v) {
	if (v < BS_SUB)
		return (unsigned)v;
	unsigned top = 63u - (unsigned)__builtin_clzll(v);	/* >= BS_SUB_BITS */
	unsigned shift = top - BS_SUB_BITS;	/* v >> shift is in [BS_SUB, 2*BS_SUB) */
	return (shift + 1) * BS_SUB + (unsigned)((v >> shift) & (BS_SUB - 1));
}

/* highest value of bucket i (a percentile is reported as its bucket's upper edge, capped
 * at the max seen: never below the true sample) */
static inline uint64_t
bs_hist_upper(unsigned i) {
	if (i < BS_SUB)
		return i;
	unsigned shift = i / BS_SUB - 1;
	uint64_t sub = i % BS_SUB;
	return ((BS_SUB | sub) << shift) + ((1ull << shift) - 1);
}

static inline void
bs_hist_add(struct bs_hist *h, uint64_t v) {
	h->c[bs_hist_index(v)]++;
	h->n++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

static inline void
bs_hist_merge(struct bs_hist *h, const struct bs_hist *o) {
	for (unsigned i = 0; i < BS_BUCKETS; i++)
		h->c[i] += o->c[i];
	h->n += o->n;
	h->sum += o->sum;
	if (o->max > h->max)
		h->max = o->max;
}

/* value at quantile q (0..1]: the smallest bucket edge with at least ceil(q*n) samples */
static inline uint64_t
bs_hist_quantile(const struct bs_hist *h, double q) {
	if (h->n == 0)
		return 0;
	uint64_t rank = (uint64_t)(q * (double)h->n + 0.999999);
	if (rank < 1)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < BS_BUCKETS; i++) {
		seen += h->c[i];
		if (seen >= rank) {
			uint64_t u = bs_hist_upper(i);
			return u < h->max ? u : h->max;
		}
	}
	return h->max;
}

/* mean ns of one clock_gettime(CLOCK_MONOTONIC) call, the cost every timestamp carries */
static inline double
bs_clock_overhead_ns(void) {
	enum { N = 200000 };
	uint64_t t0 = bs_ns();
	for (int i = 0; i < N; i++)
		(void)bs_ns();	/* an external call with a side effect: not elided */
	return (double)(bs_ns() - t0) / N;
}

#endif
