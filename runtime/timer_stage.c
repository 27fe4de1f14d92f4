/* Staged timer adds (timer_stage.h). Each worker's ring is Lamport's single-producer /
 * single-consumer bounded buffer (L. Lamport, "Specifying Concurrent Program Modules",
 * ACM TOPLAS 5(2), 1983: head advanced only by the producer, tail only by the consumer,
 * full when head - tail == size), with the two counters on cache lines of their own and
 * the producer keeping a private copy of tail, re-read only when the ring looks full (the
 * cache-conscious layout of FastForward, Giacomoni, Moseley and Vachharajani, PPoPP 2008,
 * kept with Lamport's counters). The consumer side runs under the timer lock, so "the
 * consumer" is whoever holds it; the lock orders one holder's tail before the next's.
 *
 * Drained timers become records: the queue holds {handle 0, session = record index}, the
 * record the real event, the queue's id and the staged id; a hash table (open addressing,
 * linear probing, deletion by backward shift: Knuth, TAOCP vol. 3, 6.4 Algorithm R) maps
 * staged id -> record while the timer is pending, so an id stays valid after the drain. */

#include "timer_stage.h"
#include "skynet_malloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define ID_TAG (1ull << 63)
#define SEQ_BITS 40
#define SEQ_MASK ((1ull << SEQ_BITS) - 1)
#define NIL UINT32_MAX

struct staged {
	uint32_t due;
	struct timer_event ev;
};

struct ring {
	/* producer's line: head, its cached view of tail, its counters */
	_Atomic uint64_t head;
	uint64_t tail_cache;
	uint64_t staged, full;
	char pad1[64 - 4 * sizeof(uint64_t)];
	/* consumer's line */
	_Atomic uint64_t tail;
	char pad2[64 - sizeof(uint64_t)];
	struct staged *slot;
} __attribute__((aligned(64)));

struct record {
	uint64_t sid;		/* staged id; 0 while free */
	uint64_t qid;		/* the queue's id */
	struct timer_event ev;
	uint32_t next_free;
};

struct timer_stage {
	struct timer_stage_queue op;
	int rings;
	uint32_t mask;
	struct ring *r;		/* rings + 1: the last one numbers locked adds, never holds any */
	/* lock held from here on */
	struct record *rec;
	uint32_t nrec, caprec, free_rec;
	size_t live;
	uint64_t *map;		/* staged id << 0, or 0; its record index in mapv */
	uint32_t *mapv;
	size_t capmap, nmap;
};

static void *
xalloc(size_t n) {
	void *p = skynet_malloc(n);
	if (p == NULL)
		abort();
	return p;
}

struct timer_stage *
timer_stage_create(int rings, uint32_t ring_size, const struct timer_stage_queue *ops) {
	if (rings < 0 || rings >= (1 << 23) - 1 || ring_size < 2 || (ring_size & (ring_size - 1)))
		abort();
	struct timer_stage *s = xalloc(sizeof(*s));
	memset(s, 0, sizeof(*s));
	s->op = *ops;
	s->rings = rings;
	s->mask = ring_size - 1;
	s->r = aligned_alloc(64, (size_t)(rings + 1) * sizeof(*s->r));
	if (s->r == NULL)
		abort();
	memset(s->r, 0, (size_t)(rings + 1) * sizeof(*s->r));
	for (int i = 0; i <= rings; i++) {
		atomic_init(&s->r[i].head, 0);
		atomic_init(&s->r[i].tail, 0);
		s->r[i].slot = i < rings ? xalloc(ring_size * sizeof(struct staged)) : NULL;
	}
	s->free_rec = NIL;
	s->capmap = 64;
	s->map = xalloc(s->capmap * sizeof(*s->map));
	s->mapv = xalloc(s->capmap * sizeof(*s->mapv));
	memset(s->map, 0, s->capmap * sizeof(*s->map));
	return s;
}

void
timer_stage_release(struct timer_stage *s) {
	if (s == NULL)
		return;
	for (int i = 0; i < s->rings; i++)
		skynet_free(s->r[i].slot);
	free(s->r);
	skynet_free(s->rec);
	skynet_free(s->map);
	skynet_free(s->mapv);
	skynet_free(s);
}

static uint64_t
make_id(int ring, uint64_t seq) {
	return ID_TAG | (uint64_t)ring << SEQ_BITS | (seq & SEQ_MASK);
}

uint64_t
timer_stage_push(struct timer_stage *s, int w, uint32_t due, const struct timer_event *ev) {
	struct ring *r = &s->r[w];
	/* relaxed: head is written by this thread only */
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	if (head - r->tail_cache > s->mask) {
		/* acquire: the consumer's reads of the slots it freed come before we overwrite them */
		r->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (head - r->tail_cache > s->mask) {
			r->full++;
			return 0;
		}
	}
	struct staged *e = &r->slot[head & s->mask];
	e->due = due;
	e->ev = *ev;
	/* release: the entry is written before the consumer can see the new head */
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	r->staged++;
	return make_id(w, head);
}

/* ---- staged id -> record (lock held) ---- */

static size_t
slot_of(const struct timer_stage *s, uint64_t sid) {
	uint64_t h = sid * 0x9E3779B97F4A7C15ull;	/* Fibonacci hashing */
	return (size_t)(h >> 32) & (s->capmap - 1);
}

static void map_put(struct timer_stage *s, uint64_t sid, uint32_t v);

static void
map_grow(struct timer_stage *s) {
	uint64_t *om = s->map;
	uint32_t *ov = s->mapv;
	size_t ocap = s->capmap;
	s->capmap *= 2;
	s->map = xalloc(s->capmap * sizeof(*s->map));
	s->mapv = xalloc(s->capmap * sizeof(*s->mapv));
	memset(s->map, 0, s->capmap * sizeof(*s->map));
	s->nmap = 0;
	for (size_t i = 0; i < ocap; i++)
		if (om[i])
			map_put(s, om[i], ov[i]);
	skynet_free(om);
	skynet_free(ov);
}

static void
map_put(struct timer_stage *s, uint64_t sid, uint32_t v) {
	if (2 * (s->nmap + 1) > s->capmap)
		map_grow(s);
	size_t i = slot_of(s, sid);
	while (s->map[i]) {
		if (s->map[i] == sid)
			abort();	/* 2^40 adds on one ring while one of its timers pends */
		i = (i + 1) & (s->capmap - 1);
	}
	s->map[i] = sid;
	s->mapv[i] = v;
	s->nmap++;
}

/* the slot holding sid, or capmap */
static size_t
map_find(const struct timer_stage *s, uint64_t sid) {
	for (size_t i = slot_of(s, sid); s->map[i]; i = (i + 1) & (s->capmap - 1))
		if (s->map[i] == sid)
			return i;
	return s->capmap;
}

/* Algorithm R: close the gap at i by moving back every later entry of the run that may */
static void
map_del(struct timer_stage *s, size_t i) {
	size_t mask = s->capmap - 1;
	s->map[i] = 0;
	s->nmap--;
	for (size_t j = (i + 1) & mask; s->map[j]; j = (j + 1) & mask) {
		size_t home = slot_of(s, s->map[j]);
		/* j's entry may move to i unless its home lies cyclically in (i, j] */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			s->map[i] = s->map[j];
			s->mapv[i] = s->mapv[j];
			s->map[j] = 0;
			i = j;
		}
	}
}

/* ---- records (lock held) ---- */

static uint32_t
rec_new(struct timer_stage *s, uint64_t sid, const struct timer_event *ev) {
	uint32_t k = s->free_rec;
	if (k != NIL) {
		s->free_rec = s->rec[k].next_free;
	} else {
		if (s->nrec == s->caprec) {
			if (s->caprec >= (uint32_t)INT32_MAX / 2)
				abort();	/* the index rides in an int session */
			s->caprec = s->caprec ? s->caprec * 2 : 64;
			s->rec = skynet_realloc(s->rec, s->caprec * sizeof(*s->rec));
			if (s->rec == NULL)
				abort();
		}
		k = s->nrec++;
	}
	s->rec[k].sid = sid;
	s->rec[k].ev = *ev;
	s->live++;
	return k;
}

static void
rec_free(struct timer_stage *s, uint32_t k) {
	s->rec[k].sid = 0;
	s->rec[k].next_free = s->free_rec;
	s->free_rec = k;
	s->live--;
}

/* the record for sid enters q with ticks */
static void
enqueue(struct timer_stage *s, struct timerq *q, uint64_t sid, const struct timer_event *ev,
	uint32_t ticks) {
	uint32_t k = rec_new(s, sid, ev);
	struct timer_event held = { 0, (int)k };
	s->rec[k].qid = s->op.add(q, &held, ticks);
	map_put(s, sid, k);
}

void
timer_stage_drain(struct timer_stage *s, struct timerq *q) {
	uint32_t now = s->op.time(q);
	for (int w = 0; w < s->rings; w++) {
		struct ring *r = &s->r[w];
		/* relaxed: tail is written under the lock only, which orders its writers */
		uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
		/* acquire: pairs with the push's release, so the entries below are written */
		uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
		for (uint64_t p = tail; p != head; p++) {
			const struct staged *e = &r->slot[p & s->mask];
			int32_t left = (int32_t)(e->due - now);	/* wrapping: timeouts < 2^31 ticks */
			enqueue(s, q, make_id(w, p), &e->ev, left >= 1 ? (uint32_t)left : 1);
		}
		/* release: our reads of the slots come before the producer may reuse them */
		atomic_store_explicit(&r->tail, head, memory_order_release);
	}
}

uint64_t
timer_stage_add_locked(struct timer_stage *s, struct timerq *q, const struct timer_event *ev,
	uint32_t ticks) {
	timer_stage_drain(s, q);
	struct ring *r = &s->r[s->rings];
	/* relaxed: the locked pseudo-ring's head is only touched under the lock */
	uint64_t seq = atomic_load_explicit(&r->head, memory_order_relaxed);
	atomic_store_explicit(&r->head, seq + 1, memory_order_relaxed);
	uint64_t sid = make_id(s->rings, seq);
	enqueue(s, q, sid, ev, ticks);
	return sid;
}

int
timer_stage_cancel(struct timer_stage *s, struct timerq *q, uint64_t id) {
	if (!(id & ID_TAG))
		return 0;
	/* a timer still in its ring enters the queue first: its id was published by the push,
	 * which happens before the caller holds the id, so this drain sees it */
	timer_stage_drain(s, q);
	size_t i = map_find(s, id);
	if (i == s->capmap)
		return 0;
	uint32_t k = s->mapv[i];
	if (!s->op.cancel(q, s->rec[k].qid))
		abort();	/* a live record is pending in q by construction */
	map_del(s, i);
	rec_free(s, k);
	return 1;
}

struct timer_event
timer_stage_fired(struct timer_stage *s, const struct timer_event *ev) {
	uint32_t k = (uint32_t)ev->session;
	struct record *rc = &s->rec[k];
	struct timer_event real = rc->ev;
	size_t i = map_find(s, rc->sid);
	if (i == s->capmap)
		abort();
	map_del(s, i);
	rec_free(s, k);
	return real;
}

size_t
timer_stage_pending(const struct timer_stage *s) {
	return s->live;
}

void
timer_stage_counts(const struct timer_stage *s, int w, uint64_t *staged, uint64_t *full) {
	*staged = s->r[w].staged;
	*full = s->r[w].full;
}
