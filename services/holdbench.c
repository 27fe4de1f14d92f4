/* What a long callback holds (issue 13): under an RCU handle table a worker's dispatch batch
 * is a read-side section (runtime/parts/handle.h), so while one callback runs no grace
 * period completes and every service retired meanwhile stays allocated (context, instance,
 * mailbox) until it returns. "holdbench SPIN_MS [BATCH]" (thread >= 2):
 *   phase base   for 1 s: every timer tick (10 ms) LAUNCH and KILL BATCH victims; record
 *                the peak of skynet_handle_held() (sampled after each batch)
 *   phase spin   the same churn while a spinner service busy-loops SPIN_MS in one callback;
 *                the peaks again, of the heap too (mallinfo2's bytes in use, each tick)
 *   phase after  5 ticks later: what is still held
 * Each victim's instance allocates VICTIM_BYTES and frees it in release(), so instances
 * alive = victims whose release() has not run yet.
 *   RESULT holdbench spin_ms=S batch=B base_peak_contexts=N base_peak_instances=N
 *     spin_peak_records=N spin_peak_contexts=N spin_peak_table_bytes=N spin_peak_instances=N
 *     spin_peak_instance_bytes=N heap_base=N heap_spin=N after_contexts=N after_instances=N
 * The check: every victim launched, and after the spin nothing held beyond what one tick of
 * churn retires (a table that keeps contexts after the section ends leaks). */

#include "bench_svc.h"
#include "handle.h"

#include <malloc.h>
#include <stdatomic.h>

#define VICTIM_BYTES (16 * 1024)
#define BASE_TICKS 100

/* shared by every instance (one module, one copy) */
static atomic_long victims_alive;	/* instances whose release() has not run */

struct holdbench {
	uint32_t self, spinner;
	int spin_ms, batch, phase, ticks, failed;
	int spinning;			/* spinner (role): its one long callback */
	void * payload;			/* victim (role) */
	struct handle_held base_peak, spin_peak;
	long base_peak_inst, spin_peak_inst, heap_base, heap_spin;
};

enum { PH_BASE, PH_SPIN, PH_AFTER };

struct holdbench *
holdbench_create(void) {
	struct holdbench *h = skynet_malloc(sizeof(*h));
	memset(h, 0, sizeof(*h));
	return h;
}

void
holdbench_release(struct holdbench *h) {
	if (h->payload) {
		skynet_free(h->payload);
		atomic_fetch_sub(&victims_alive, 1);
	}
	skynet_free(h);
}

static long
heap_used(void) {
	return (long)mallinfo2().uordblks;
}

/* keep the larger of each counter */
static void
peak(struct handle_held *p, long *inst) {
	struct handle_held now;
	skynet_handle_held(&now);
	if (now.records > p->records)
		p->records = now.records;
	if (now.contexts > p->contexts)
		p->contexts = now.contexts;
	if (now.bytes > p->bytes)
		p->bytes = now.bytes;
	long alive = atomic_load(&victims_alive);
	if (alive > *inst)
		*inst = alive;
}

static void
churn(struct skynet_context *ctx, struct holdbench *h) {
	char kill[16];
	for (int i = 0; i < h->batch; i++) {
		uint32_t v = bs_launch(ctx, "holdbench victim");
		if (v == 0) {
			h->failed = 1;
			return;
		}
		snprintf(kill, sizeof(kill), ":%x", v);
		skynet_command(ctx, "KILL", kill);
	}
}

static void
report(struct skynet_context *ctx, struct holdbench *h) {
	struct handle_held after;
	skynet_handle_held(&after);
	long after_inst = atomic_load(&victims_alive);
	char line[512];
	snprintf(line, sizeof(line), "RESULT holdbench spin_ms=%d batch=%d base_peak_contexts=%ld "
		"base_peak_instances=%ld spin_peak_records=%ld spin_peak_contexts=%ld spin_peak_table_bytes=%ld "
		"spin_peak_instances=%ld spin_peak_instance_bytes=%ld heap_base=%ld heap_spin=%ld "
		"after_contexts=%ld after_instances=%ld",
		h->spin_ms, h->batch, h->base_peak.contexts, h->base_peak_inst, h->spin_peak.records,
		h->spin_peak.contexts, h->spin_peak.bytes, h->spin_peak_inst, h->spin_peak_inst * VICTIM_BYTES,
		h->heap_base, h->heap_spin, after.contexts, after_inst);
	int leak = after.contexts > h->batch || after_inst > h->batch;
	bs_finish(ctx, line, h->failed ? "a LAUNCH failed" : leak ? "contexts still held after the spin" : NULL);
}

static int
coord_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct holdbench *h = ud;
	(void)session, (void)source, (void)msg, (void)sz;
	if (type == PTYPE_TEXT && h->phase == PH_SPIN) {	/* the spinner returned */
		h->phase = PH_AFTER;
		h->ticks = 0;
		return 0;
	}
	if (type != PTYPE_RESPONSE)	/* a timer tick */
		return 0;
	switch (h->phase) {
	case PH_BASE:
		churn(ctx, h);
		peak(&h->base_peak, &h->base_peak_inst);
		if (++h->ticks == BASE_TICKS) {
			h->heap_base = heap_used();
			h->phase = PH_SPIN;
			bs_send(ctx, h->spinner, PTYPE_TEXT, 0, NULL, 0);
		}
		break;
	case PH_SPIN: {
		churn(ctx, h);
		peak(&h->spin_peak, &h->spin_peak_inst);
		long heap = heap_used();
		if (heap > h->heap_spin)
			h->heap_spin = heap;
		break;
	}
	case PH_AFTER:
		if (++h->ticks == 5) {
			report(ctx, h);
			return 0;
		}
		break;
	}
	if (h->failed) {
		report(ctx, h);
		return 0;
	}
	skynet_command(ctx, "TIMEOUT", "1");
	return 0;
}

/* one long callback: busy for spin_ms, then tell the coordinator */
static int
spinner_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct holdbench *h = ud;
	(void)session, (void)msg, (void)sz;
	if (type != PTYPE_TEXT)
		return 0;
	uint64_t end = bs_ns() + (uint64_t)h->spin_ms * 1000000u;
	while (bs_ns() < end) {
	}
	bs_send(ctx, source, PTYPE_TEXT, 0, NULL, 0);
	return 0;
}

int
holdbench_init(struct holdbench *h, struct skynet_context *ctx, const char *parm) {
	if (parm && strcmp(parm, "victim") == 0) {
		h->payload = skynet_malloc(VICTIM_BYTES);
		memset(h->payload, 1, VICTIM_BYTES);
		atomic_fetch_add(&victims_alive, 1);
		return 0;
	}
	if (parm && sscanf(parm, "spinner %d", &h->spin_ms) == 1) {
		skynet_callback(ctx, h, spinner_cb);
		return 0;
	}
	h->batch = 10;
	if (parm == NULL || sscanf(parm, "%d %d", &h->spin_ms, &h->batch) < 1 || h->spin_ms <= 0 || h->batch <= 0) {
		skynet_error(ctx, "holdbench: usage: holdbench SPIN_MS [BATCH]");
		return 1;
	}
	h->self = bs_self(ctx);
	h->spinner = bs_launch(ctx, "holdbench spinner %d", h->spin_ms);
	if (h->spinner == 0)
		return 1;
	skynet_callback(ctx, h, coord_cb);
	skynet_command(ctx, "TIMEOUT", "1");
	return 0;
}
