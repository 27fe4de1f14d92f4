/* Whole-runtime stress check, reported as TAP (svc_tap.h).
 * "test_stress N M K": the coordinator launches N workers; on "go" each worker sends M
 * numbered messages to each of the K workers after it (mod N), all at once. Each receiver
 * checks that every sender's numbers arrive consecutively (per-pair FIFO, nothing lost or
 * duplicated) and that its callback never runs concurrently with itself; when it has its
 * K*M messages it reports to the coordinator, which checks the totals and ABORTs. It also
 * says (a comment, not a check: which worker runs what is the OS's choice) how many
 * messages the weighted workers (the 5th on, skynet_start.c) dispatched. */

#include "skynet.h"
#include "skynet_sched.h"
#include "svc_tap.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* own handle; skynet_current_handle() is only the service's during a callback (in init,
 * on the main thread, it is the thread tag) */
static uint32_t
self_handle(struct skynet_context *ctx) {
	return (uint32_t)strtoul(skynet_command(ctx, "REG", NULL) + 1, NULL, 16);
}

/* messages dispatched by workers 0-3 (one per visit) and by the others (weighted batches);
 * one module, one copy, shared by every instance */
static atomic_long by_unweighted, by_weighted;

struct payload {
	uint32_t from;	/* sender index */
	uint32_t seq;
};

struct report {
	uint32_t index;
	uint32_t received;
	uint32_t order_errors;
	uint32_t overlap_errors;
};

struct stress {
	int coordinator;
	uint32_t n, m, k, index;
	uint32_t coord;
	uint32_t *peers;	/* handles of all workers */
	uint32_t *expect;	/* next seq per sender offset 1..k */
	uint32_t received;
	uint32_t order_errors;
	uint32_t overlap_errors;
	atomic_int busy;
	/* coordinator */
	uint32_t reports;
	uint64_t total, total_order, total_overlap;
	int guard;
};

struct stress *
test_stress_create(void) {
	struct stress *s = skynet_malloc(sizeof(*s));
	memset(s, 0, sizeof(*s));
	return s;
}

void
test_stress_release(struct stress *s) {
	skynet_free(s->peers);
	skynet_free(s->expect);
	skynet_free(s);
}

static void
worker_go(struct skynet_context *ctx, struct stress *s, const uint32_t *handles) {
	s->peers = skynet_malloc(sizeof(uint32_t) * s->n);
	memcpy(s->peers, handles, sizeof(uint32_t) * s->n);
	for (uint32_t seq = 0; seq < s->m; seq++) {
		for (uint32_t d = 1; d <= s->k; d++) {
			struct payload p = { s->index, seq };
			skynet_send(ctx, 0, s->peers[(s->index + d) % s->n], PTYPE_CLIENT, 0, &p, sizeof(p));
		}
	}
}

static void
worker_receive(struct skynet_context *ctx, struct stress *s, const struct payload *p) {
	uint32_t d = (s->index + s->n - p->from) % s->n;
	if (d == 0 || d > s->k || p->seq != s->expect[d - 1]) {
		s->order_errors++;
	} else {
		s->expect[d - 1]++;
	}
	if (++s->received == s->k * s->m) {
		struct report r = { s->index, s->received, s->order_errors, s->overlap_errors };
		skynet_send(ctx, 0, s->coord, PTYPE_TEXT, 0, &r, sizeof(r));
	}
}

static int
worker_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct stress *s = ud;
	(void)session; (void)source;
	/* a callback must never overlap itself: detect it rather than assume it */
	if (atomic_exchange(&s->busy, 1))
		s->overlap_errors++;
	/* relaxed: a statistic, read after every worker has reported */
	atomic_fetch_add_explicit(skynet_worker_id() >= 4 ? &by_weighted : &by_unweighted, 1, memory_order_relaxed);
	if (type == PTYPE_SYSTEM && sz == sizeof(uint32_t) * s->n)
		worker_go(ctx, s, msg);
	else if (type == PTYPE_CLIENT && sz == sizeof(struct payload))
		worker_receive(ctx, s, msg);
	else
		s->order_errors++;
	atomic_store(&s->busy, 0);
	return 0;
}

static void
coordinator_done(struct skynet_context *ctx, struct stress *s, int timed_out) {
	uint64_t want = (uint64_t)s->n * s->k * s->m;
	SVC_OK(ctx, !timed_out && s->reports == s->n, "all %u receivers got their %u messages (%u reported%s)",
		s->n, s->k * s->m, s->reports, timed_out ? ", timed out" : "");
	SVC_OK(ctx, s->total == want, "%llu of %llu messages delivered, none lost or duplicated",
		(unsigned long long)s->total, (unsigned long long)want);
	SVC_OK(ctx, s->total_order == 0, "per sender-receiver FIFO held (%llu order errors)", (unsigned long long)s->total_order);
	SVC_OK(ctx, s->total_overlap == 0, "no callback ran concurrently with itself (%llu overlaps)", (unsigned long long)s->total_overlap);
	svc_tap_write(ctx, "# %d workers: %ld messages dispatched by workers 0-3 (one per visit), %ld by workers 4+ (weighted)",
		skynet_worker_count(), atomic_load_explicit(&by_unweighted, memory_order_relaxed),
		atomic_load_explicit(&by_weighted, memory_order_relaxed));
	svc_tap_write(ctx, "TAPDONE");
	skynet_command(ctx, "ABORT", NULL);
}

static int
coordinator_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct stress *s = ud;
	(void)source;
	if (type == PTYPE_RESPONSE && session == s->guard) {
		coordinator_done(ctx, s, 1);
		return 0;
	}
	if (type != PTYPE_TEXT || sz != sizeof(struct report))
		return 0;
	const struct report *r = msg;
	s->reports++;
	s->total += r->received;
	s->total_order += r->order_errors;
	s->total_overlap += r->overlap_errors;
	if (s->reports == s->n)
		coordinator_done(ctx, s, 0);
	return 0;
}

int
test_stress_init(struct stress *s, struct skynet_context *ctx, const char *parm) {
	if (parm && strncmp(parm, "worker ", 7) == 0) {
		unsigned idx, n, m, k, coord;
		if (sscanf(parm + 7, "%u %u %u %u %x", &idx, &n, &m, &k, &coord) != 5)
			return 1;
		s->index = idx; s->n = n; s->m = m; s->k = k; s->coord = coord;
		s->expect = skynet_malloc(sizeof(uint32_t) * k);
		memset(s->expect, 0, sizeof(uint32_t) * k);
		skynet_callback(ctx, s, worker_cb);
		return 0;
	}
	unsigned n, m, k;
	if (parm == NULL || sscanf(parm, "%u %u %u", &n, &m, &k) != 3 || n < 2 || k < 1 || k >= n)
		return 1;
	s->coordinator = 1;
	s->n = n; s->m = m; s->k = k;
	skynet_callback(ctx, s, coordinator_cb);
	uint32_t *handles = skynet_malloc(sizeof(uint32_t) * n);
	for (unsigned i = 0; i < n; i++) {
		char cmd[96];
		snprintf(cmd, sizeof(cmd), "test_stress worker %u %u %u %u %x", i, n, m, k, self_handle(ctx));
		const char *h = skynet_command(ctx, "LAUNCH", cmd);
		if (h == NULL) {
			SVC_OK(ctx, 0, "launch worker %u", i);
			skynet_free(handles);
			return 1;
		}
		handles[i] = (uint32_t)strtoul(h + 1, NULL, 16);
	}
	for (unsigned i = 0; i < n; i++)
		skynet_send(ctx, 0, handles[i], PTYPE_SYSTEM, 0, handles, sizeof(uint32_t) * n);
	skynet_free(handles);
	s->guard = atoi(skynet_command(ctx, "TIMEOUT", "12000"));	/* 120 s: report, never hang */
	return 0;
}
