/* heap: a 4-ary min-heap of timers keyed by (expiry tick, insertion sequence).
 *
 * Why 4-ary: an entry is 16 bytes and the array is offset so that the four children of a
 * node fill exactly one 64-byte cache line; sift-down then reads one line per level and
 * the tree is half as deep as a binary heap's (LaMarca and Ladner, "The influence of
 * caches on the performance of heaps", JEA 1996). Sift-up (add) compares one parent per
 * level, so a shallower tree makes add cheaper too.
 *
 * Ticks are skynet's 32-bit clock, which wraps. Expiries are compared by their signed
 * distance, so every pending timer must be due within 2^31 - 1 ticks of now: ticks above
 * INT32_MAX are clamped to INT32_MAX (248 days; skynet_timeout's int ticks cannot exceed
 * it anyway). Equal expiries fire in insertion order (the 64-bit sequence), as the wheel's
 * FIFO lists do, so wheel and heap fire the same events in the same order.
 *
 * Cancel is O(log n): an id is (generation << 32 | slot) into a slot table that holds the
 * event and the entry's current heap position, updated on every move. Firing or
 * cancelling bumps the slot's generation, so a stale id is rejected; a slot whose
 * generation would wrap is retired, never reused, so ids do not repeat. Free slots are a
 * LIFO list.
 *
 * Single-threaded: the runtime holds its spinlock around every call. */

#include "timerq.h"
#include "timer_slots.h"

#include <stdlib.h>
#include <string.h>

#define ARITY 4
#define LINE 64
#define POS_FREE UINT32_MAX

struct entry {
	uint32_t expire;
	uint32_t slot;
	uint64_t seq;
};

struct slot {
	union {
		struct timer_event event;	/* while live */
		uint32_t next_free;		/* while free */
	} u;
	uint32_t pos;	/* heap index while live, POS_FREE while free */
	uint32_t gen;
};

struct timerq {
	struct entry *heap;	/* heap[0] is the root; children of i are 4i+1 .. 4i+4 */
	void *mem;		/* what heap points into */
	size_t n;
	size_t cap;
	uint32_t time;
	uint32_t free_slot;
	uint64_t seq;
	struct slot *slot;
	size_t nslot;
	size_t capslot;
};

const char timerq_variant[] = "heap";

/* a fires before b: earlier expiry (by wrap-aware distance), then earlier add */
static inline int
before(const struct entry *a, const struct entry *b) {
	uint32_t d = a->expire - b->expire;
	if (d != 0)
		return d > INT32_MAX;	/* a - b negative as a signed distance */
	return a->seq < b->seq;
}

static inline void
place(struct timerq *q, size_t i, struct entry e) {
	q->heap[i] = e;
	q->slot[e.slot].pos = (uint32_t)i;
}

static void
sift_up(struct timerq *q, size_t i, struct entry e) {
	while (i > 0) {
		size_t p = (i - 1) / ARITY;
		if (!before(&e, &q->heap[p]))
			break;
		place(q, i, q->heap[p]);
		i = p;
	}
	place(q, i, e);
}

static void
sift_down(struct timerq *q, size_t i, struct entry e) {
	size_t n = q->n;
	for (;;) {
		size_t c = ARITY * i + 1;
		if (c >= n)
			break;
		size_t end = c + ARITY < n ? c + ARITY : n;
		size_t m = c;
		for (size_t k = c + 1; k < end; k++)
			if (before(&q->heap[k], &q->heap[m]))
				m = k;
		if (!before(&q->heap[m], &e))
			break;
		place(q, i, q->heap[m]);
		i = m;
	}
	place(q, i, e);
}

static void
remove_at(struct timerq *q, size_t i) {
	size_t last = --q->n;
	if (i == last)
		return;
	struct entry e = q->heap[last];
	if (i > 0 && before(&e, &q->heap[(i - 1) / ARITY]))
		sift_up(q, i, e);
	else
		sift_down(q, i, e);
}

/* Entry k lives at byte 16 * (k + 3) of a 64-byte-aligned block: children 4i+1 .. 4i+4
 * then start at 64 * (i + 1), one whole line. */
#define HEAP_SKEW (LINE / sizeof(struct entry) - 1)

static void
heap_grow(struct timerq *q) {
	size_t cap = q->cap ? q->cap * 2 : 64;
	if (cap > POS_FREE)
		cap = POS_FREE;
	if (q->n == cap)
		abort();	/* positions are 32-bit */
	size_t bytes = (cap + HEAP_SKEW) * sizeof(struct entry);
	bytes = (bytes + LINE - 1) & ~(size_t)(LINE - 1);	/* aligned_alloc wants a multiple */
	void *mem = aligned_alloc(LINE, bytes);
	if (mem == NULL)
		abort();
	struct entry *heap = (struct entry *)mem + HEAP_SKEW;
	if (q->n)
		memcpy(heap, q->heap, q->n * sizeof(struct entry));
	free(q->mem);
	q->mem = mem;
	q->heap = heap;
	q->cap = cap;
}

static uint32_t
slot_alloc(struct timerq *q) {
	uint32_t s = q->free_slot;
	if (s != SLOT_NIL) {
		q->free_slot = q->slot[s].u.next_free;
		return s;
	}
	slot_table_reserve((void **)&q->slot, &q->capslot, q->nslot, sizeof(*q->slot));
	s = (uint32_t)q->nslot++;
	q->slot[s].gen = 1;
	return s;
}

static void
slot_free(struct timerq *q, uint32_t s) {
	struct slot *sl = &q->slot[s];
	sl->pos = POS_FREE;
	if (++sl->gen != 0) {
		sl->u.next_free = q->free_slot;
		q->free_slot = s;
	}	/* else retired: its every id has been used */
}

struct timerq *
timerq_create(void) {
	struct timerq *q = skynet_malloc(sizeof(*q));
	if (q == NULL)
		abort();
	memset(q, 0, sizeof(*q));
	q->free_slot = SLOT_NIL;
	return q;
}

void
timerq_release(struct timerq *q) {
	free(q->mem);
	skynet_free(q->slot);
	skynet_free(q);
}

uint64_t
timerq_add(struct timerq *q, const struct timer_event *event, uint32_t ticks) {
	if (ticks > INT32_MAX)
		ticks = INT32_MAX;
	if (q->n == q->cap)
		heap_grow(q);
	uint32_t s = slot_alloc(q);
	q->slot[s].u.event = *event;
	struct entry e = { q->time + ticks, s, q->seq++ };
	sift_up(q, q->n++, e);
	return (uint64_t)q->slot[s].gen << 32 | s;
}

int
timerq_cancel(struct timerq *q, uint64_t id) {
	uint64_t s = id & 0xffffffffu;
	if (s >= q->nslot)
		return 0;
	struct slot *sl = &q->slot[s];
	if (sl->pos == POS_FREE || sl->gen != (uint32_t)(id >> 32))
		return 0;
	size_t pos = sl->pos;
	slot_free(q, (uint32_t)s);
	remove_at(q, pos);
	return 1;
}

/* The root is taken off before its callback runs, so a callback may add or cancel. */
void
timerq_update(struct timerq *q, timerq_fire fire, void *ud) {
	++q->time;
	while (q->n > 0 && q->time - q->heap[0].expire <= INT32_MAX) {	/* expire <= now */
		uint32_t s = q->heap[0].slot;
		struct timer_event event = q->slot[s].u.event;
		slot_free(q, s);
		remove_at(q, 0);
		fire(ud, &event);
	}
}

uint32_t
timerq_time(const struct timerq *q) {
	return q->time;
}

size_t
timerq_pending(const struct timerq *q) {
	return q->n;
}

#if SKYBENCH_TEST_HOOKS

int
timerq_test_set_time(struct timerq *q, uint32_t time) {
	/* the root is the earliest; moving the clock forward short of it keeps the order */
	if (q->n > 0 && q->heap[0].expire - q->time <= time - q->time)
		return 0;
	q->time = time;
	return 1;
}

#endif
