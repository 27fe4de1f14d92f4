/* Thread ring (Savina's Thread Ring: Imam & Sarkar, "Savina - An Actor Benchmark Suite",
 * AGERE 2014, benchmark 5). "threadring R T": R services in a ring pass one token T times
 * (T messages in all); the one that receives the last hop tells the coordinator. Only one
 * service is runnable at any time: this measures the hand-off of a message from one
 * service to the next through the global queue (wake-up, schedule, dispatch).
 *   RESULT threadring ring=R hops=T seconds=S ops=T hops_per_sec=R
 * The check: afterwards every node reports how many tokens it saw; they sum to T. */

#include "bench_svc.h"

struct threadring {
	uint32_t next, coord;
	uint64_t seen;
	/* coordinator */
	unsigned ring, reports;
	uint64_t hops, sum, last;
	uint32_t *nodes;
	uint64_t start, end;
};

struct threadring *
threadring_create(void) {
	struct threadring *t = skynet_malloc(sizeof(*t));
	memset(t, 0, sizeof(*t));
	return t;
}

void
threadring_release(struct threadring *t) {
	skynet_free(t->nodes);
	skynet_free(t);
}

static int
node_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct threadring *t = ud;
	(void)session;
	if (type == PTYPE_SYSTEM && sz == sizeof(uint32_t)) {	/* link */
		memcpy(&t->next, msg, sizeof(t->next));
		return 0;
	}
	if (type == PTYPE_SYSTEM) {	/* report */
		bs_send_u64(ctx, source, PTYPE_SYSTEM, t->seen);
		return 0;
	}
	if (type != PTYPE_TEXT)
		return 0;
	uint64_t left = bs_u64(msg, sz);	/* hops after this one */
	t->seen++;
	if (left == 0)
		bs_send_u64(ctx, t->coord, PTYPE_RESPONSE, 0);
	else
		bs_send_u64(ctx, t->next, PTYPE_TEXT, left - 1);
	return 0;
}

static int
coord_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct threadring *t = ud;
	(void)session; (void)source;
	if (type == PTYPE_RESPONSE) {	/* the last hop: stop the clock, then ask for counts */
		t->end = bs_ns();
		for (unsigned i = 0; i < t->ring; i++)
			bs_send(ctx, t->nodes[i], PTYPE_SYSTEM, 0, NULL, 0);
		return 0;
	}
	if (type != PTYPE_SYSTEM)
		return 0;
	t->sum += bs_u64(msg, sz);
	if (++t->reports < t->ring)
		return 0;
	double s = (double)(t->end - t->start) / 1e9;
	char line[256], why[96];
	snprintf(line, sizeof(line), "RESULT threadring ring=%u hops=%llu seconds=%.6f ops=%llu hops_per_sec=%.0f",
		t->ring, (unsigned long long)t->hops, s, (unsigned long long)t->sum, (double)t->sum / s);
	snprintf(why, sizeof(why), "nodes saw %llu tokens, expected %llu",
		(unsigned long long)t->sum, (unsigned long long)t->hops);
	bs_finish(ctx, line, t->sum == t->hops ? NULL : why);
	return 0;
}

int
threadring_init(struct threadring *t, struct skynet_context *ctx, const char *parm) {
	unsigned a;
	unsigned long long n;
	if (parm && sscanf(parm, "node %x", &a) == 1) {
		t->coord = a;
		skynet_callback(ctx, t, node_cb);
		return 0;
	}
	if (parm == NULL || sscanf(parm, "%u %llu", &a, &n) != 2 || a < 2 || n == 0) {
		skynet_error(ctx, "threadring: usage: threadring RING(>=2) HOPS");
		return 1;
	}
	t->ring = a;
	t->hops = n;
	uint32_t self = bs_self(ctx);
	t->nodes = skynet_malloc(sizeof(uint32_t) * a);
	for (unsigned i = 0; i < a; i++)
		if (!(t->nodes[i] = bs_launch(ctx, "threadring node %x", self)))
			return 1;
	/* links first: each node's link is queued before any token can reach it */
	for (unsigned i = 0; i < a; i++)
		bs_send(ctx, t->nodes[i], PTYPE_SYSTEM, 0, &t->nodes[(i + 1) % a], sizeof(uint32_t));
	skynet_callback(ctx, t, coord_cb);
	t->start = bs_ns();
	bs_send_u64(ctx, t->nodes[0], PTYPE_TEXT, n - 1);
	return 0;
}
