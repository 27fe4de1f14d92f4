/* Big (Savina's Big: Imam & Sarkar, "Savina - An Actor Benchmark Suite", AGERE 2014,
 * benchmark 7; after BenchErl's big). "big W N": W workers; each sends a ping to a random
 * other worker, waits for its pong, and repeats until it has had N pongs, while answering
 * every ping it receives; then it tells the coordinator. Many-to-many traffic: every
 * worker's mailbox is fed by all the others.
 *   RESULT big workers=W pings=W*N seconds=S ops=2*W*N msgs_per_sec=R
 * The check: when all W are done, the coordinator asks each how many pings it answered;
 * they sum to W*N (every ping answered, none lost or duplicated). */

#include "bench_svc.h"

enum { PING, PONG, START, REPORT };

struct big {
	uint32_t coord, self;
	uint32_t *peers;
	unsigned w, idx;
	uint64_t n, pongs, answered, rng;
	/* coordinator */
	unsigned done, reports;
	uint64_t sum, end, start;
};

struct big *
big_create(void) {
	struct big *b = skynet_malloc(sizeof(*b));
	memset(b, 0, sizeof(*b));
	return b;
}

void
big_release(struct big *b) {
	skynet_free(b->peers);
	skynet_free(b);
}

static uint32_t
kind(const void *msg, size_t sz) {
	uint32_t k = ~0u;
	if (sz == sizeof(k))
		memcpy(&k, msg, sizeof(k));
	return k;
}

static void
bsendk(struct skynet_context *ctx, uint32_t to, uint32_t k) {
	bs_send(ctx, to, PTYPE_TEXT, 0, &k, sizeof(k));
}

static void
ping_random(struct skynet_context *ctx, struct big *b) {
	b->rng ^= b->rng << 13;	/* xorshift64 */
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	unsigned to = (unsigned)(b->rng % (b->w - 1));
	if (to >= b->idx)
		to++;	/* anyone but ourselves */
	bsendk(ctx, b->peers[to], PING);
}

static int
worker_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct big *b = ud;
	(void)session;
	if (type == PTYPE_SYSTEM) {	/* the peer list */
		b->peers = skynet_malloc(sz);
		memcpy(b->peers, msg, sz);
		return 0;
	}
	if (type != PTYPE_TEXT)
		return 0;
	switch (kind(msg, sz)) {
	case PING:
		b->answered++;
		bsendk(ctx, source, PONG);
		break;
	case PONG:
		if (++b->pongs == b->n)
			bs_send_u64(ctx, b->coord, PTYPE_RESPONSE, b->pongs);
		else
			ping_random(ctx, b);
		break;
	case START:
		ping_random(ctx, b);
		break;
	case REPORT:
		bs_send_u64(ctx, source, PTYPE_TEXT, b->answered);
		break;
	}
	return 0;
}

static int
coord_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct big *b = ud;
	(void)session; (void)source;
	if (type == PTYPE_RESPONSE) {
		if (++b->done < b->w)
			return 0;
		b->end = bs_ns();	/* every ping of every worker has been answered */
		for (unsigned i = 0; i < b->w; i++)
			bsendk(ctx, b->peers[i], REPORT);
		return 0;
	}
	if (type != PTYPE_TEXT)
		return 0;
	b->sum += bs_u64(msg, sz);
	if (++b->reports < b->w)
		return 0;
	uint64_t want = b->n * b->w;
	double s = (double)(b->end - b->start) / 1e9;
	char line[256], why[96];
	snprintf(line, sizeof(line), "RESULT big workers=%u pings=%llu seconds=%.6f ops=%llu msgs_per_sec=%.0f",
		b->w, (unsigned long long)want, s, (unsigned long long)(2 * b->sum), (double)(2 * b->sum) / s);
	snprintf(why, sizeof(why), "workers answered %llu pings, expected %llu",
		(unsigned long long)b->sum, (unsigned long long)want);
	bs_finish(ctx, line, b->sum == want ? NULL : why);
	return 0;
}

int
big_init(struct big *b, struct skynet_context *ctx, const char *parm) {
	unsigned a, w, i;
	unsigned long long n;
	if (parm && sscanf(parm, "worker %x %u %u %llu", &a, &w, &i, &n) == 4) {
		b->coord = a;
		b->w = w;
		b->idx = i;
		b->n = n;
		b->rng = 0x9e3779b97f4a7c15ull * (i + 1);
		skynet_callback(ctx, b, worker_cb);
		return 0;
	}
	if (parm == NULL || sscanf(parm, "%u %llu", &w, &n) != 2 || w < 2 || n == 0) {
		skynet_error(ctx, "big: usage: big WORKERS(>=2) PINGS_PER_WORKER");
		return 1;
	}
	b->w = w;
	b->n = n;
	uint32_t self = bs_self(ctx);
	b->peers = skynet_malloc(sizeof(uint32_t) * w);
	for (i = 0; i < w; i++)
		if (!(b->peers[i] = bs_launch(ctx, "big worker %x %u %u %llu", self, w, i, n)))
			return 1;
	/* every peer list is queued before any START, so before any ping can arrive */
	for (i = 0; i < w; i++)
		bs_send(ctx, b->peers[i], PTYPE_SYSTEM, 0, b->peers, sizeof(uint32_t) * w);
	skynet_callback(ctx, b, coord_cb);
	b->start = bs_ns();
	for (i = 0; i < w; i++)
		bsendk(ctx, b->peers[i], START);
	return 0;
}
