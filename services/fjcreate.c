/* Fork-join creation (Savina's Fork Join (actor creation): Imam & Sarkar, "Savina - An
 * Actor Benchmark Suite", AGERE 2014, benchmark 4): service churn. "fjcreate N": the
 * coordinator creates N services; each gets one message of work, replies with its result
 * and EXITs. Adapted: creation goes in batches of 64 per dispatch (continuing with a
 * message to itself), so at most a few batches are alive at once, as in skynet's
 * short-lived agents; the rate is whole lifetimes (LAUNCH, one message, reply, EXIT).
 *   RESULT fjcreate services=N seconds=S ops=N services_per_sec=R
 * The check: N replies, and the sum of their results is the expected sum. */

#include "bench_svc.h"

#define BATCH 64

struct fjcreate {
	uint64_t n, launched, replies, sum;
	uint32_t self;
	uint64_t start;
	int failed;
};

struct fjcreate *
fjcreate_create(void) {
	struct fjcreate *f = skynet_malloc(sizeof(*f));
	memset(f, 0, sizeof(*f));
	return f;
}

void
fjcreate_release(struct fjcreate *f) {
	skynet_free(f);
}

static uint64_t
work(uint64_t i) {
	return i * 2654435761u + 1;
}

static int
worker_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	(void)ud; (void)session;
	if (type != PTYPE_TEXT)
		return 0;
	bs_send_u64(ctx, source, PTYPE_RESPONSE, work(bs_u64(msg, sz)));
	skynet_command(ctx, "EXIT", NULL);
	return 0;
}

static void
report(struct skynet_context *ctx, struct fjcreate *f) {
	uint64_t want = 0;
	for (uint64_t i = 0; i < f->n; i++)
		want += work(i);
	double s = (double)(bs_ns() - f->start) / 1e9;
	char line[256], why[96];
	snprintf(line, sizeof(line), "RESULT fjcreate services=%llu seconds=%.6f ops=%llu services_per_sec=%.0f",
		(unsigned long long)f->n, s, (unsigned long long)f->replies, (double)f->replies / s);
	snprintf(why, sizeof(why), "%s: %llu replies of %llu, sum %s",
		f->failed ? "a LAUNCH failed" : "lost work", (unsigned long long)f->replies,
		(unsigned long long)f->n, f->sum == want ? "ok" : "wrong");
	bs_finish(ctx, line, !f->failed && f->replies == f->n && f->sum == want ? NULL : why);
}

static int
coord_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct fjcreate *f = ud;
	(void)session; (void)source;
	if (type == PTYPE_SYSTEM) {	/* next batch */
		for (int b = 0; b < BATCH && f->launched < f->n; b++, f->launched++) {
			uint32_t w = bs_launch(ctx, "fjcreate worker");
			if (!w) {
				f->failed = 1;
				report(ctx, f);
				return 0;
			}
			bs_send_u64(ctx, w, PTYPE_TEXT, f->launched);
		}
		if (f->launched < f->n)
			bs_send(ctx, f->self, PTYPE_SYSTEM, 0, NULL, 0);
		return 0;
	}
	if (type != PTYPE_RESPONSE)
		return 0;
	f->sum += bs_u64(msg, sz);
	if (++f->replies == f->n)
		report(ctx, f);
	return 0;
}

int
fjcreate_init(struct fjcreate *f, struct skynet_context *ctx, const char *parm) {
	unsigned long long n;
	if (parm && strcmp(parm, "worker") == 0) {
		skynet_callback(ctx, f, worker_cb);
		return 0;
	}
	if (parm == NULL || sscanf(parm, "%llu", &n) != 1 || n == 0) {
		skynet_error(ctx, "fjcreate: usage: fjcreate SERVICES");
		return 1;
	}
	f->n = n;
	f->self = bs_self(ctx);
	skynet_callback(ctx, f, coord_cb);
	f->start = bs_ns();
	bs_send(ctx, f->self, PTYPE_SYSTEM, 0, NULL, 0);
	return 0;
}
