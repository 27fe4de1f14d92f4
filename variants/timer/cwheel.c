/* cwheel: skynet's hierarchical timing wheel (skynet_timer.c) with contiguous slots.
 *
 * Why the name: it is the wheel (Varghese and Lauck, "Hashed and hierarchical timing
 * wheels", SOSP 1987, scheme 7, as skynet builds it), with its levels, placement, cascade
 * and firing order unchanged (wheel.c, docs/skynet.md section 9); only where a slot keeps
 * its timers differs. Each of the 256 + 4 x 64 slots is one array of 16-byte entries
 * {expiry, index, handle, session} in the order they were appended. Expiring a slot reads
 * its array front to back; a cascade reads one slot's array in order and appends each
 * entry to the lower slot it now belongs to. Equal expiries share a slot (a level slot
 * cascades on the tick its range reaches the level below), so appending keeps them in add
 * order, as wheel.c's FIFO lists do; nothing is ever swap-removed. No allocation per timer:
 * an array doubles when full, and when a slot empties (fired, cascaded or compacted) its
 * array is freed unless it holds at most KEEP entries (kept for the slot's next timers),
 * so the memory of a burst is given back once it has fired.
 *
 * Ids and cancel: a tombstone kept beside the id, not in the entry. An id is
 * (generation << 32 | index). Three tables are indexed by `index`: gen[] (the generation
 * of the index's latest id), the `live` bitmap (its timer is pending), and a LIFO stack of
 * free indices; an entry carries its index. Cancel checks gen[index] and the live bit and
 * clears the bit; it never reaches the entry, so it needs no id -> (slot, position) map.
 * Whatever reaches the entry next, expiry, a cascade or a compaction, finds the bit clear,
 * drops the entry and frees its index. Against a tombstone in the entry, found through an
 * id -> (slot, position) table: that table needs a write for every entry a cascade moves
 * and every entry that fires (random writes into a table as large as the timers), and a
 * cancel then makes two dependent misses (table, entry). Here a cascade and an expiry touch
 * only the bitmap beside the stream of entries (1M timers: 128 KB, cache-resident), and a
 * cancel one word of gen[] and one bit. The price: a cancelled timer keeps its 16 bytes
 * and its index until swept. When tombstones outnumber pending timers by COMPACT_MIN, a
 * compaction filters every slot in place (order kept), so entries stay within twice the
 * pending timers (plus COMPACT_MIN) and a cancel pays for sweeping about two entries.
 *
 * Uniqueness: gen[index] is bumped when the index is handed out again, so an id of a fired
 * or cancelled timer stops matching once its index holds another timer, and until then
 * its live bit is clear. An index whose generation would wrap is retired, never reused.
 * When nothing is pending and no tombstone is left, tables larger than RESET_MIN indices
 * are freed; indices created afterwards start above every generation ever issued
 * (gen_floor), so no id repeats: (2^32 - 1) indices x (2^32 - 1) generations at most, as
 * wheel.c's slot table.
 *
 * Single-threaded: the runtime holds its spinlock around every call. */

#include "timerq.h"
#include "wheel_levels.h"

#include <stdlib.h>
#include <string.h>


#define KEEP 64			/* entries: an emptied slot keeps an array this small */
#define FIRST 8			/* entries: a slot's first array */
#define COMPACT_RATIO 1	/* tombstones per pending timer before a compaction ... */
#define COMPACT_MIN 4096	/* ... beyond this many */
#define RESET_MIN 65536		/* indices: larger tables are freed when all are free */
#define INDEX_MAX UINT32_MAX	/* indices are 0 .. INDEX_MAX - 1 */

struct entry {
	uint32_t expire;
	uint32_t index;
	struct timer_event event;
};

struct slot {
	struct entry *e;
	uint32_t n, cap;
};

struct timerq {
	struct slot near[TIME_NEAR];
	struct slot t[4][TIME_LEVEL];
	uint32_t time;
	size_t pending;
	size_t dead;		/* cancelled entries not yet dropped */
	uint32_t *gen;		/* [capindex] */
	uint64_t *live;		/* [capindex / 64] */
	uint32_t *free_index;	/* [capindex], nfree used */
	uint32_t nfree, nindex, capindex;
	uint32_t gen_floor;	/* first generation of an index created now */
	uint32_t gen_max;	/* the largest generation issued */
};

const char timerq_variant[] = "cwheel";

static inline int
live_test(const struct timerq *q, uint32_t i) {
	return (int)(q->live[i >> 6] >> (i & 63) & 1);
}

static inline void
live_set(struct timerq *q, uint32_t i) {
	q->live[i >> 6] |= (uint64_t)1 << (i & 63);
}

static inline void
live_clear(struct timerq *q, uint32_t i) {
	q->live[i >> 6] &= ~((uint64_t)1 << (i & 63));
}

static void *
grow(void *p, size_t bytes) {
	p = skynet_realloc(p, bytes);
	if (p == NULL)
		abort();
	return p;
}

static void
grow_index(struct timerq *q) {
	if (q->capindex == INDEX_MAX)
		abort();	/* every index live, a tombstone or retired */
	uint32_t old = q->capindex;
	uint32_t cap = old == 0 ? 64 : old > INDEX_MAX / 2 ? INDEX_MAX : old * 2;
	size_t oldw = ((size_t)old + 63) / 64, words = ((size_t)cap + 63) / 64;
	q->gen = grow(q->gen, (size_t)cap * sizeof(*q->gen));
	q->free_index = grow(q->free_index, (size_t)cap * sizeof(*q->free_index));
	q->live = grow(q->live, words * sizeof(*q->live));
	memset(q->live + oldw, 0, (words - oldw) * sizeof(*q->live));
	q->capindex = cap;
}

/* A free index and its new generation (the id's high half). */
static uint32_t
index_alloc(struct timerq *q, uint32_t *gen) {
	for (;;) {
		uint32_t i;
		if (q->nfree > 0) {
			i = q->free_index[--q->nfree];
		} else {
			if (q->nindex == q->capindex)
				grow_index(q);
			i = q->nindex++;
			q->gen[i] = q->gen_floor - 1;
		}
		uint32_t g = q->gen[i] + 1;
		if (g != 0) {
			q->gen[i] = g;
			if (g > q->gen_max)
				q->gen_max = g;
			*gen = g;
			return i;
		}
		/* retired: every generation of i has been issued */
	}
}

static inline void
index_free(struct timerq *q, uint32_t i) {
	q->free_index[q->nfree++] = i;
}

/* Nothing pending and no tombstone: every index is free, so large tables go back. */
static void
maybe_reset(struct timerq *q) {
	if (q->pending || q->dead || q->capindex <= RESET_MIN || q->gen_max == UINT32_MAX)
		return;
	skynet_free(q->gen);
	skynet_free(q->live);
	skynet_free(q->free_index);
	q->gen = NULL;
	q->live = NULL;
	q->free_index = NULL;
	q->nfree = q->nindex = q->capindex = 0;
	q->gen_floor = q->gen_max + 1;	/* old ids name older generations */
}

static void
slot_grow(struct slot *s) {
	uint32_t cap = s->cap == 0 ? FIRST : s->cap > UINT32_MAX / 2 ? UINT32_MAX : s->cap * 2;
	s->e = grow(s->e, (size_t)cap * sizeof(*s->e));
	s->cap = cap;
}

/* by value: an entry just built in registers is not stored and reloaded (a 16-byte load
 * of four narrower stores misses store forwarding) */
static inline void
slot_append(struct slot *s, struct entry e) {
	if (s->n == s->cap)
		slot_grow(s);
	s->e[s->n++] = e;
}

/* Takes a slot's array, leaving the slot empty: a callback or a cascade may append to the
 * slot while the caller reads what it took. */
static inline struct slot
slot_take(struct slot *s) {
	struct slot l = *s;
	s->e = NULL;
	s->n = s->cap = 0;
	return l;
}

/* The array taken from s, read: back to s if s is still empty and it is small. */
static inline void
slot_recycle(struct slot *s, struct slot *l) {
	if (s->e == NULL && l->cap <= KEEP) {
		s->e = l->e;
		s->cap = l->cap;
	} else {
		skynet_free(l->e);
	}
}

/* skynet's add_node: near if the expiry agrees with now above the low 8 bits, else the
 * first level whose range holds it. */
static inline void
place(struct timerq *q, struct entry e) {
	int idx, level = wheel_level(e.expire, q->time, &idx);
	slot_append(level < 0 ? &q->near[e.expire & TIME_NEAR_MASK] : &q->t[level][idx], e);
}

/* A tombstone reached: its index is free from now on. */
static inline void
drop(struct timerq *q, uint32_t i) {
	index_free(q, i);
	--q->dead;
}

static void
cascade(struct timerq *q, int level, int idx) {
	struct slot *s = &q->t[level][idx];
	struct slot l = slot_take(s);
	for (uint32_t k = 0; k < l.n; k++) {
		const struct entry *e = &l.e[k];
		if (live_test(q, e->index))
			place(q, *e);
		else
			drop(q, e->index);
	}
	slot_recycle(s, &l);
}

static void
shift(struct timerq *q) {
	int level, idx;
	if (wheel_cascade_due(++q->time, &level, &idx))
		cascade(q, level, idx);
}

/* Fires near[now] in order. The array is taken first, so a callback may add (the loop
 * catches timers it adds for this very tick) or cancel (an entry still ahead finds its
 * bit clear). An index is freed before its callback runs, as wheel.c frees its slot. */
static void
fire_slot(struct timerq *q, struct slot *s, timerq_fire fire, void *ud) {
	while (s->n > 0) {
		struct slot l = slot_take(s);
		for (uint32_t k = 0; k < l.n; k++) {
			const struct entry *e = &l.e[k];
			uint32_t i = e->index;
			if (live_test(q, i)) {
				live_clear(q, i);
				index_free(q, i);
				--q->pending;
				fire(ud, &e->event);
			} else {
				drop(q, i);
			}
		}
		slot_recycle(s, &l);
	}
}

/* Most ticks fire nothing: the empty check stays inline, out of fire_slot's frame. */
static inline void
execute(struct timerq *q, timerq_fire fire, void *ud) {
	struct slot *s = &q->near[q->time & TIME_NEAR_MASK];
	if (s->n > 0)
		fire_slot(q, s, fire, ud);
}

/* Drops every tombstone of a slot, keeping the order of the rest; an array left mostly
 * empty is shrunk. */
static void
compact_slot(struct timerq *q, struct slot *s) {
	/* branch-free: live and cancelled entries mix at random, a branch would mispredict */
	struct entry *e = s->e;
	const uint64_t *live = q->live;
	uint32_t *free_index = q->free_index;
	uint32_t j = 0, n = s->n, nfree = q->nfree;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = e[k].index;
		uint32_t on = (uint32_t)(live[i >> 6] >> (i & 63) & 1);
		e[j] = e[k];
		j += on;
		free_index[nfree] = i;	/* in bounds: a live entry's index is not free */
		nfree += on ^ 1;
	}
	q->dead -= n - j;
	q->nfree = nfree;
	s->n = j;
	if (s->cap > KEEP && j < s->cap / 4) {
		if (j == 0) {
			skynet_free(s->e);
			s->e = NULL;
			s->cap = 0;
		} else {
			s->e = grow(s->e, (size_t)j * 2 * sizeof(*s->e));
			s->cap = j * 2;
		}
	}
}

static void
compact(struct timerq *q) {
	for (int k = 0; k < WHEEL_BUCKETS; k++) {
		struct slot *s = WHEEL_BUCKET(q, k);
		if (s->n)
			compact_slot(q, s);
	}
}

struct timerq *
timerq_create(void) {
	struct timerq *q = skynet_malloc(sizeof(*q));
	if (q == NULL)
		abort();
	memset(q, 0, sizeof(*q));
	q->gen_floor = 1;
	return q;
}

void
timerq_release(struct timerq *q) {
	for (int k = 0; k < WHEEL_BUCKETS; k++)
		skynet_free(WHEEL_BUCKET(q, k)->e);
	skynet_free(q->gen);
	skynet_free(q->live);
	skynet_free(q->free_index);
	skynet_free(q);
}

uint64_t
timerq_add(struct timerq *q, const struct timer_event *event, uint32_t ticks) {
	uint32_t g;
	uint32_t i = index_alloc(q, &g);
	live_set(q, i);
	struct entry e = { q->time + ticks, i, *event };
	place(q, e);
	++q->pending;
	return (uint64_t)g << 32 | i;
}

int
timerq_cancel(struct timerq *q, uint64_t id) {
	uint64_t i = id & 0xffffffffu;
	if (i >= q->nindex || q->gen[i] != (uint32_t)(id >> 32) || !live_test(q, (uint32_t)i))
		return 0;
	live_clear(q, (uint32_t)i);
	--q->pending;
	if (++q->dead > COMPACT_RATIO * q->pending + COMPACT_MIN)
		compact(q);
	return 1;
}

void
timerq_update(struct timerq *q, timerq_fire fire, void *ud) {
	execute(q, fire, ud);
	shift(q);
	execute(q, fire, ud);
	maybe_reset(q);
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

/* 0 if a pending timer of s is due within `jump` ticks of now. */
static int
slot_clear_of(const struct timerq *q, const struct slot *s, uint32_t jump) {
	for (uint32_t k = 0; k < s->n; k++)
		if (live_test(q, s->e[k].index) && s->e[k].expire - q->time <= jump)
			return 0;
	return 1;
}

/* Moves slot s's entries, tombstones dropped, to the end of `all`. */
static void
gather(struct timerq *q, struct slot *s, struct slot *all) {
	struct slot l = slot_take(s);
	for (uint32_t k = 0; k < l.n; k++) {
		if (live_test(q, l.e[k].index))
			slot_append(all, l.e[k]);
		else
			drop(q, l.e[k].index);
	}
	skynet_free(l.e);
}

int
timerq_test_set_time(struct timerq *q, uint32_t time) {
	uint32_t jump = time - q->time;
	for (int k = 0; k < WHEEL_BUCKETS; k++)
		if (!slot_clear_of(q, WHEEL_BUCKET(q, k), jump))
			return 0;
	/* Re-place every entry for the new clock. Equal expiries share one slot, so taking
	 * slots one by one and re-adding in array order keeps their add order. */
	struct slot all = { NULL, 0, 0 };
	for (int k = 0; k < WHEEL_BUCKETS; k++)
		gather(q, WHEEL_BUCKET(q, k), &all);
	q->time = time;
	for (uint32_t k = 0; k < all.n; k++)
		place(q, all.e[k]);
	skynet_free(all.e);
	return 1;
}

#endif
