/* Fork-join throughput (Savina's Fork Join (throughput): Imam & Sarkar, "Savina - An Actor
 * Benchmark Suite", AGERE 2014, benchmark 3). "forkjoin K N": the coordinator sends N
 * messages to each of K workers, round robin; each worker does a small computation per
 * message (Savina's is sin/cos of the payload; here a splitmix64 step, to need no libm)
 * and counts. Adapted: the
 * sender works in chunks of 1024 sends per dispatch (continuing with a message to itself)
 * and ends with a "finish" to every worker, which replies with its count (mailboxes are
 * FIFO per sender, so the count is final).
 *   RESULT forkjoin workers=K messages=K*N seconds=S ops=K*N msgs_per_sec=R
 * The check: every worker counted exactly N. */

#include "bench_svc.h"

#define CHUNK 1024

struct forkjoin {
	uint64_t per, sent, total, counted, count;
	unsigned k, done, bad;
	uint32_t self;
	uint32_t *workers;
	uint64_t acc;
	uint64_t start;
};

struct forkjoin *
forkjoin_create(void) {
	struct forkjoin *f = skynet_malloc(sizeof(*f));
	memset(f, 0, sizeof(*f));
	return f;
}

void
forkjoin_release(struct forkjoin *f) {
	skynet_free(f->workers);
	skynet_free(f);
}

static int
worker_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct forkjoin *f = ud;
	(void)session;
	if (type == PTYPE_TEXT) {
		uint64_t x = bs_u64(msg, sz) + 0x9e3779b97f4a7c15ull;	/* splitmix64 */
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
		x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
		f->acc ^= x ^ (x >> 31);
		f->count++;
	} else if (type == PTYPE_SYSTEM) {	/* finish */
		bs_send_u64(ctx, source, PTYPE_RESPONSE, f->count);
	}
	return 0;
}

static int
sender_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct forkjoin *f = ud;
	(void)session; (void)source;
	if (type == PTYPE_SYSTEM) {
		uint64_t end = f->sent + CHUNK < f->total ? f->sent + CHUNK : f->total;
		for (; f->sent < end; f->sent++)
			bs_send_u64(ctx, f->workers[f->sent % f->k], PTYPE_TEXT, f->sent);
		if (f->sent < f->total) {
			bs_send(ctx, f->self, PTYPE_SYSTEM, 0, NULL, 0);
		} else {
			for (unsigned i = 0; i < f->k; i++)
				bs_send(ctx, f->workers[i], PTYPE_SYSTEM, 0, NULL, 0);
		}
		return 0;
	}
	if (type != PTYPE_RESPONSE)
		return 0;
	uint64_t n = bs_u64(msg, sz);
	f->counted += n;
	f->bad += n != f->per;
	if (++f->done < f->k)
		return 0;
	double s = (double)(bs_ns() - f->start) / 1e9;
	char line[256], why[96];
	snprintf(line, sizeof(line), "RESULT forkjoin workers=%u messages=%llu seconds=%.6f ops=%llu msgs_per_sec=%.0f",
		f->k, (unsigned long long)f->total, s, (unsigned long long)f->counted, (double)f->counted / s);
	snprintf(why, sizeof(why), "%u workers miscounted, %llu of %llu", f->bad,
		(unsigned long long)f->counted, (unsigned long long)f->total);
	bs_finish(ctx, line, f->bad == 0 && f->counted == f->total ? NULL : why);
	return 0;
}

int
forkjoin_init(struct forkjoin *f, struct skynet_context *ctx, const char *parm) {
	unsigned k;
	unsigned long long n;
	if (parm && strcmp(parm, "worker") == 0) {
		skynet_callback(ctx, f, worker_cb);
		return 0;
	}
	if (parm == NULL || sscanf(parm, "%u %llu", &k, &n) != 2 || k == 0 || n == 0) {
		skynet_error(ctx, "forkjoin: usage: forkjoin WORKERS MESSAGES_PER_WORKER");
		return 1;
	}
	f->k = k;
	f->per = n;
	f->total = n * k;
	f->self = bs_self(ctx);
	f->workers = skynet_malloc(sizeof(uint32_t) * k);
	for (unsigned i = 0; i < k; i++)
		if (!(f->workers[i] = bs_launch(ctx, "forkjoin worker")))
			return 1;
	skynet_callback(ctx, f, sender_cb);
	f->start = bs_ns();
	bs_send(ctx, f->self, PTYPE_SYSTEM, 0, NULL, 0);
	return 0;
}
