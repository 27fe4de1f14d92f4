/* cwheel: skynet's hierarchical timing wheel with contiguous buckets (cache-conscious).
 *
 * Placement, cascade and firing order are exactly wheel.c's (skynet_timer.c; docs/skynet.md
 * section 9): near[256] and t[4][64], one tick is execute; shift; execute, a cascade moves
 * one bucket down a level. What changes is the memory: a bucket is an array of 20-byte
 * entries {expire, slot, generation, event} instead of a list of separately allocated
 * nodes, so expiring a bucket streams through it and a cascade reads one bucket
 * sequentially while it appends to the lower level's arrays. Appending keeps each bucket in
 * the order its entries arrived, the order skynet's lists keep, so timers due on the same
 * tick fire in the order they were added (no swap-remove anywhere).
 *
 * Cancel is O(1) by tombstone, not by moving entries. An id is (generation << 32 | slot)
 * into a slot table of {generation, bucket}; an entry is live while its slot still has the
 * entry's generation. Cancel (and firing) bumps the slot's generation and frees the slot,
 * which leaves the entry in its bucket as a tombstone that expiry and cascades skip. Why
 * not an id table of positions, updated whenever an entry moves: a cascade would then write
 * a position per moved entry, and a cancel would have to fill its hole (a swap-remove
 * breaks the order within a tick, a shift is O(n)). The tombstone costs what the slot
 * table costs anyway (a cascade reads each moved entry's slot to skip the dead, and writes
 * its new bucket on the same 8 bytes) and keeps cancel at one slot access. Tombstones are
 * bounded: each bucket counts its cancelled entries (the slot's bucket field says where an
 * entry is) and compacts itself, in order, once they are more than half of it.
 *
 * Memory: a bucket's array doubles as it fills; an array of more than KEEP entries is freed
 * as soon as its bucket has been expired or cascaded, so a burst's memory goes back to
 * malloc once the burst has fired (small arrays are kept for reuse). The slot table keeps
 * its high-water size (8 bytes per slot), as wheel.c's and heap.c's do: a slot's generation
 * must outlive its timers so that no id repeats.
 *
 * Single-threaded: the runtime holds its spinlock around every call. */

#include "timerq.h"
#include "timer_slots.h"

#include <stdlib.h>
#include <string.h>

#define TIME_NEAR_SHIFT 8
#define TIME_NEAR (1 << TIME_NEAR_SHIFT)
#define TIME_LEVEL_SHIFT 6
#define TIME_LEVEL (1 << TIME_LEVEL_SHIFT)
#define TIME_NEAR_MASK (TIME_NEAR - 1)
#define TIME_LEVEL_MASK (TIME_LEVEL - 1)
#define NBUCKETS (TIME_NEAR + 4 * TIME_LEVEL)
#define KEEP 256		/* entries: a bigger emptied array goes back to malloc */
#define MIN_CAP 16
#define COMPACT_MIN 64		/* a bucket this small is not worth compacting */

struct entry {
	uint32_t expire;
	uint32_t slot;
	uint32_t gen;
	struct timer_event event;
};

struct bucket {
	struct entry *e;
	uint32_t n, cap;
	uint32_t dead;		/* cancelled entries still in e[] (an estimate during execute) */
};

struct slot {
	uint32_t gen;		/* of the live id, or of the next one while free */
	uint32_t link;		/* the entry's bucket while live; the next free slot while free */
};

struct timerq {
	struct bucket b[NBUCKETS];	/* near[0..255], then t[level][idx] at 256 + 64 level + idx */
	uint32_t time;
	uint32_t free_slot;
	size_t pending;
	struct slot *slot;
	size_t nslot, capslot;
};

const char timerq_variant[] = "cwheel";

static inline int
live(const struct timerq *q, const struct entry *e) {
	return q->slot[e->slot].gen == e->gen;
}

static uint32_t
slot_alloc(struct timerq *q) {
	uint32_t s = q->free_slot;
	if (s != SLOT_NIL) {
		q->free_slot = q->slot[s].link;
	} else {
		slot_table_reserve((void **)&q->slot, &q->capslot, q->nslot, sizeof(*q->slot));
		s = (uint32_t)q->nslot++;
		q->slot[s].gen = 1;
	}
	return s;
}

/* ends the slot's current id: its entry, wherever it is, is dead from now on */
static void
slot_free(struct timerq *q, uint32_t s) {
	struct slot *sl = &q->slot[s];
	if (++sl->gen != 0) {
		sl->link = q->free_slot;
		q->free_slot = s;
	}	/* else retired: its every id has been used */
}

/* the bucket skynet's add_node would put `expire` in at the current time */
static uint32_t
bucket_for(const struct timerq *q, uint32_t expire) {
	uint32_t now = q->time;
	if ((expire | TIME_NEAR_MASK) == (now | TIME_NEAR_MASK))
		return expire & TIME_NEAR_MASK;
	uint32_t mask = TIME_NEAR << TIME_LEVEL_SHIFT;
	int i;
	for (i = 0; i < 3; i++) {
		if ((expire | (mask - 1)) == (now | (mask - 1)))
			break;
		mask <<= TIME_LEVEL_SHIFT;
	}
	uint32_t idx = (expire >> (TIME_NEAR_SHIFT + i * TIME_LEVEL_SHIFT)) & TIME_LEVEL_MASK;
	return TIME_NEAR + (uint32_t)i * TIME_LEVEL + idx;
}

static void
append(struct timerq *q, uint32_t bi, const struct entry *e) {
	struct bucket *b = &q->b[bi];
	if (b->n == b->cap) {
		uint32_t ncap = b->cap ? b->cap * 2 : MIN_CAP;
		struct entry *a = skynet_realloc(b->e, (size_t)ncap * sizeof(*a));
		if (a == NULL)
			abort();
		b->e = a;
		b->cap = ncap;
	}
	b->e[b->n++] = *e;
	q->slot[e->slot].link = bi;
}

/* Takes bucket bi's array away (the bucket is left empty), for a loop that may append to
 * the wheel, this bucket included. */
static struct bucket
detach(struct timerq *q, uint32_t bi) {
	struct bucket d = q->b[bi];
	memset(&q->b[bi], 0, sizeof(q->b[bi]));
	return d;
}

/* Gives a detached array back to its bucket if small and nothing new arrived; else frees it. */
static void
reattach(struct timerq *q, uint32_t bi, struct bucket d) {
	struct bucket *b = &q->b[bi];
	if (b->e == NULL && d.cap <= KEEP) {
		b->e = d.e;
		b->cap = d.cap;
	} else {
		skynet_free(d.e);
	}
}

/* drops a bucket's tombstones, keeping the order of the rest */
static void
compact(struct timerq *q, struct bucket *b) {
	uint32_t j = 0;
	for (uint32_t i = 0; i < b->n; i++)
		if (live(q, &b->e[i]))
			b->e[j++] = b->e[i];
	b->n = j;
	b->dead = 0;
	if (b->cap > KEEP && b->cap > 4 * j) {
		uint32_t ncap = j * 2 > MIN_CAP ? j * 2 : MIN_CAP;
		struct entry *a = skynet_realloc(b->e, (size_t)ncap * sizeof(*a));
		if (a != NULL) {	/* a failed shrink keeps the old, larger array */
			b->e = a;
			b->cap = ncap;
		}
	}
}

static void
cascade(struct timerq *q, int level, int idx) {
	uint32_t bi = TIME_NEAR + (uint32_t)level * TIME_LEVEL + (uint32_t)idx;
	struct bucket d = detach(q, bi);
	for (uint32_t i = 0; i < d.n; i++)
		if (live(q, &d.e[i]))
			append(q, bucket_for(q, d.e[i].expire), &d.e[i]);
	reattach(q, bi, d);
}

static void
shift(struct timerq *q) {
	uint32_t ct = ++q->time;
	if (ct == 0) {
		cascade(q, 3, 0);
		return;
	}
	uint32_t mask = TIME_NEAR;
	uint32_t time = ct >> TIME_NEAR_SHIFT;
	int level = 0;
	/* ct != 0, so some level's index is nonzero before mask would overflow */
	while ((ct & (mask - 1)) == 0) {
		int idx = time & TIME_LEVEL_MASK;
		if (idx != 0) {
			cascade(q, level, idx);
			return;
		}
		mask <<= TIME_LEVEL_SHIFT;
		time >>= TIME_LEVEL_SHIFT;
		++level;
	}
}

/* Fires near[now]. The bucket is detached first, so a callback may add or cancel timers
 * (a cancelled entry of the detached array is skipped by its generation); the loop catches
 * timers a callback adds for this very tick. */
static void
execute(struct timerq *q, timerq_fire fire, void *ud) {
	uint32_t bi = q->time & TIME_NEAR_MASK;
	while (q->b[bi].n) {
		struct bucket d = detach(q, bi);
		for (uint32_t i = 0; i < d.n; i++) {
			const struct entry *e = &d.e[i];
			if (!live(q, e))
				continue;
			slot_free(q, e->slot);
			--q->pending;
			fire(ud, &e->event);
		}
		reattach(q, bi, d);
	}
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
	for (int i = 0; i < NBUCKETS; i++)
		skynet_free(q->b[i].e);
	skynet_free(q->slot);
	skynet_free(q);
}

uint64_t
timerq_add(struct timerq *q, const struct timer_event *event, uint32_t ticks) {
	uint32_t s = slot_alloc(q);
	struct entry e = { q->time + ticks, s, q->slot[s].gen, *event };
	append(q, bucket_for(q, e.expire), &e);
	++q->pending;
	return (uint64_t)e.gen << 32 | s;
}

int
timerq_cancel(struct timerq *q, uint64_t id) {
	uint64_t s = id & 0xffffffffu;
	if (s >= q->nslot || q->slot[s].gen != (uint32_t)(id >> 32))
		return 0;
	struct bucket *b = &q->b[q->slot[s].link];
	slot_free(q, (uint32_t)s);
	--q->pending;
	if (++b->dead > b->n / 2 && b->n >= COMPACT_MIN)
		compact(q, b);
	return 1;
}

void
timerq_update(struct timerq *q, timerq_fire fire, void *ud) {
	execute(q, fire, ud);
	shift(q);
	execute(q, fire, ud);
}

uint32_t
timerq_time(const struct timerq *q) {
	return q->time;
}

size_t
timerq_pending(const struct timerq *q) {
	return q->pending;
}

#if SKYBENCH_TEST_HOOKS

int
timerq_test_set_time(struct timerq *q, uint32_t time) {
	uint32_t jump = time - q->time;
	for (int i = 0; i < NBUCKETS; i++)
		for (uint32_t k = 0; k < q->b[i].n; k++)
			if (live(q, &q->b[i].e[k]) && q->b[i].e[k].expire - q->time <= jump)
				return 0;
	/* Re-place every live entry for the new clock. Equal expiries share one bucket, so
	 * taking buckets one by one and re-adding in array order keeps their FIFO order. */
	struct entry *all = skynet_malloc((q->pending ? q->pending : 1) * sizeof(*all));
	if (all == NULL)
		abort();
	size_t n = 0;
	for (int i = 0; i < NBUCKETS; i++) {
		struct bucket d = detach(q, i);
		for (uint32_t k = 0; k < d.n; k++)
			if (live(q, &d.e[k]))
				all[n++] = d.e[k];
		skynet_free(d.e);
	}
	q->time = time;
	for (size_t k = 0; k < n; k++)
		append(q, bucket_for(q, all[k].expire), &all[k]);
	skynet_free(all);
	return 1;
}

#endif
