/* Counting (Savina's Counting Actor: Imam & Sarkar, "Savina - An Actor Benchmark Suite",
 * AGERE 2014, benchmark 2). "counting N": the coordinator is Savina's producer: it sends N
 * payload-less increments to one counter service, then asks for the count; the counter
 * replies with what it counted. Adapted: the producer sends in chunks of 1024 per dispatch
 * (continuing with a message to itself) so one producer callback does not queue all N at
 * once and other services get the worker threads between chunks.
 *   RESULT counting messages=N seconds=S ops=N msgs_per_sec=R
 * The check: the counter's count equals N. */

#include "bench_svc.h"

#define CHUNK 1024

struct counting {
	uint64_t n, sent, count;
	uint32_t counter, self;
	uint64_t start;
};

struct counting *
counting_create(void) {
	struct counting *c = skynet_malloc(sizeof(*c));
	memset(c, 0, sizeof(*c));
	return c;
}

void
counting_release(struct counting *c) {
	skynet_free(c);
}

static int
counter_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct counting *c = ud;
	(void)session; (void)msg; (void)sz;
	if (type == PTYPE_TEXT)
		c->count++;
	else if (type == PTYPE_SYSTEM)	/* "get" */
		bs_send_u64(ctx, source, PTYPE_RESPONSE, c->count);
	return 0;
}

static int
producer_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct counting *c = ud;
	(void)session; (void)source;
	if (type == PTYPE_SYSTEM) {	/* continue sending */
		uint64_t end = c->sent + CHUNK < c->n ? c->sent + CHUNK : c->n;
		for (; c->sent < end; c->sent++)
			bs_send(ctx, c->counter, PTYPE_TEXT, 0, NULL, 0);
		bs_send(ctx, c->sent < c->n ? c->self : c->counter, PTYPE_SYSTEM, 0, NULL, 0);
		return 0;
	}
	if (type != PTYPE_RESPONSE)
		return 0;
	uint64_t got = bs_u64(msg, sz);
	double s = (double)(bs_ns() - c->start) / 1e9;
	char line[256], why[96];
	snprintf(line, sizeof(line), "RESULT counting messages=%llu seconds=%.6f ops=%llu msgs_per_sec=%.0f",
		(unsigned long long)c->n, s, (unsigned long long)got, (double)got / s);
	snprintf(why, sizeof(why), "counter counted %llu of %llu", (unsigned long long)got, (unsigned long long)c->n);
	bs_finish(ctx, line, got == c->n ? NULL : why);
	return 0;
}

int
counting_init(struct counting *c, struct skynet_context *ctx, const char *parm) {
	unsigned long long n;
	if (parm && strcmp(parm, "counter") == 0) {
		skynet_callback(ctx, c, counter_cb);
		return 0;
	}
	if (parm == NULL || sscanf(parm, "%llu", &n) != 1 || n == 0) {
		skynet_error(ctx, "counting: usage: counting MESSAGES");
		return 1;
	}
	c->n = n;
	c->self = bs_self(ctx);
	c->counter = bs_launch(ctx, "counting counter");
	if (!c->counter)
		return 1;
	skynet_callback(ctx, c, producer_cb);
	c->start = bs_ns();
	bs_send(ctx, c->self, PTYPE_SYSTEM, 0, NULL, 0);
	return 0;
}
