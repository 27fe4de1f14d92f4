/* Global queue "mpmc": our lock-free MPMC queue of mailboxes.
 *
 * Algorithm: SCQ, R. Nikolaev, "A Scalable, Portable, and Memory-Efficient Lock-Free FIFO
 * Queue", DISC 2019 (arXiv:1908.04511), in its pointer form: two rings of indices, aq
 * (allocated cells, FIFO order) and fq (free cells), over a cell array of n pointers; each
 * ring has 2n slots for at most n indices. Push takes a free index from fq, writes the
 * mailbox into that cell, enqueues the index on aq; pop dequeues an index from aq, reads
 * the cell, gives the index back to fq. Growth follows the paper's LSCQ (section 5): rings
 * are chained, and a ring is left behind only once it is closed ("finalized": a bit in aq's
 * tail makes every later enqueue on it fail) and drained. Our twist: the chain grows in
 * globalq_reserve (the runtime calls it before the n-th mailbox exists), never because a
 * push found its ring full; pushers move to the newest ring as soon as they see it, and it
 * is the consumer leaving a ring that closes it (idempotent, any consumer may), so a
 * reserve stalled half way blocks nobody. A push still landing on an old ring after a
 * later push landed on the new one started before that push did (it read the old tail
 * first): the two overlap, and either order is linearizable.
 *
 * Properties the runtime relies on:
 * - lock-free: head/tail fetch-and-add, single-width CAS and fetch-or on 64-bit words
 *   (ARM64 has them natively: LDADD/CAS/LDSET or LL/SC); no CAS2. A thread stalled between
 *   claiming a position and using it delays only itself: others skip the position (a
 *   dequeuer waits a bounded SCQ_SPIN loads for a claimed slot, then invalidates it).
 * - never a spurious empty: SCQ's threshold (3n-1) only lets pop report empty when the ring
 *   was empty at an instant of the call; a ring is left only after a close followed by a
 *   drain that ignores the threshold and stops when head has passed tail (so every position
 *   an enqueuer ever claimed on it has a dequeuer: its element, if it lands, is taken).
 * - no ABA: slots carry the cycle (lap) of their position; indices are reused only via fq.
 * - bounded memory, independent of the message count: a ring of capacity n is 40n bytes.
 *   Linked rings are never freed before globalq_release (a ring that lost the link CAS
 *   was never seen by another thread and is freed at once; a stalled thread may hold an old
 *   one, and nothing here tracks readers); capacities double, so all rings together are
 *   less than twice the last one: at most ~80 bytes per mailbox ever reserved.
 *
 * Memory order: every atomic here is seq_cst. SCQ's correctness argument (threshold,
 * "unsafe" slots, catch-up) reasons about a single total order of operations on head, tail,
 * threshold and the slots together; acquire/release alone would not give the store->load
 * ordering of e.g. an enqueuer's slot CAS against a dequeuer's tail load. The price is nil
 * where we run: x86-64 and ARM64 compile seq_cst and acq_rel read-modify-writes to the same
 * instructions (LOCK-prefixed; LDADDAL/CASAL or LDAXR/STLXR), and a seq_cst load to MOV /
 * LDAR. The only seq_cst store, the threshold reset, is skipped when the value is already
 * there. The cell array is plain memory: a cell is written before its index is published
 * by a seq_cst CAS on aq and read after that index is dequeued, and rewritten only after
 * the reader gave the index back through fq, so each access happens-before the next. */

#include "globalq.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_LINE 64
#define START_ORDER 6			/* first ring: 64 mailboxes */
#define CLOSED ((uint64_t)1 << 63)	/* in aq's tail: the ring takes no more pushes */
#define SCQ_EMPTY SIZE_MAX
#define SCQ_SPIN 256			/* loads a dequeuer waits for a claimed, unwritten slot */

/* An SCQ ring of 2n slots carrying indices < n. A slot word is
 * cycle << (order+1) | safe << order | index, where 2^order = 2n; index BOT (all ones)
 * means empty. Position p maps to lap p >> order and slot remap(p). */
struct scq {
	_Alignas(CACHE_LINE) _Atomic uint64_t head;
	_Alignas(CACHE_LINE) _Atomic int64_t threshold;
	_Alignas(CACHE_LINE) _Atomic uint64_t tail;
	_Alignas(CACHE_LINE) unsigned order;
	_Atomic uint64_t slot[];
};

struct ring {
	struct scq *aq;
	struct scq *fq;
	struct message_queue **cell;
	size_t cap;
	_Atomic(struct ring *) next;
};

struct globalq {
	_Alignas(CACHE_LINE) _Atomic(struct ring *) head;	/* consumers' ring */
	_Alignas(CACHE_LINE) _Atomic(struct ring *) tail;	/* producers' ring */
	struct ring *first;	/* oldest ring: the chain from here is freed at release */
};

static inline uint64_t bot(const struct scq *q) { return ((uint64_t)1 << q->order) - 1; }
static inline uint64_t safe_bit(const struct scq *q) { return (uint64_t)1 << q->order; }
static inline uint64_t lap(const struct scq *q, uint64_t pos) { return pos >> q->order; }
static inline uint64_t slot_lap(const struct scq *q, uint64_t e) { return e >> (q->order + 1); }
static inline int64_t threshold_max(const struct scq *q) { return 3 * ((int64_t)1 << (q->order - 1)) - 1; }

static inline uint64_t
slot_word(const struct scq *q, uint64_t cycle, uint64_t safe, uint64_t index) {
	return cycle << (q->order + 1) | safe << q->order | index;
}

/* Consecutive positions land 8 slots (one cache line of words) apart: rotate left by 3. */
static inline _Atomic uint64_t *
slot_at(struct scq *q, uint64_t pos) {
	uint64_t mask = bot(q);
	pos &= mask;
	return &q->slot[((pos << 3) | (pos >> (q->order - 3))) & mask];
}

/* Positions start at lap 1 so that the initial slots (lap 0) are older than all of them. */
static struct scq *
scq_new(unsigned order, size_t full) {
	size_t slots = (size_t)1 << order;
	size_t sz = sizeof(struct scq) + slots * sizeof(uint64_t);
	struct scq *q = aligned_alloc(CACHE_LINE, (sz + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1));
	if (q == NULL) {
		fprintf(stderr, "globalq mpmc: out of memory for a ring of %zu slots\n", slots);
		abort();
	}
	q->order = order;
	for (size_t i = 0; i < slots; i++)
		atomic_init(&q->slot[i], slot_word(q, 0, 1, bot(q)));
	for (size_t i = 0; i < full; i++)
		atomic_init(slot_at(q, slots + i), slot_word(q, 1, 1, i));
	atomic_init(&q->head, slots);
	atomic_init(&q->tail, slots + full);
	atomic_init(&q->threshold, full ? threshold_max(q) : -1);
	return q;
}

/* SCQ enqueue. Returns 0 only if the ring was closed. */
static int
scq_enqueue(struct scq *q, size_t index, enum globalq_hook_point hook) {
	for (;;) {
		uint64_t t = atomic_fetch_add(&q->tail, 1);
		if (t & CLOSED)
			return 0;
		TEST_HOOK(globalq, hook);
		_Atomic uint64_t *s = slot_at(q, t);
		uint64_t e = atomic_load(s);
		/* the slot must be empty, from an older lap, and either safe or not yet passed by
		 * the dequeuer of position t; a failed CAS re-examines the new word */
		while (slot_lap(q, e) < lap(q, t) && (e & bot(q)) == bot(q) &&
		    ((e & safe_bit(q)) || atomic_load(&q->head) <= t)) {
			if (atomic_compare_exchange_weak(s, &e, slot_word(q, lap(q, t), 1, index))) {
				if (atomic_load(&q->threshold) != threshold_max(q))
					atomic_store(&q->threshold, threshold_max(q));
				return 1;
			}
		}
	}
}

/* Moves tail up to head after a dequeuer overtook it, so that enqueuers do not walk
 * through positions no dequeuer will visit. Never moves a closed tail. */
static void
scq_catchup(struct scq *q, uint64_t tail, uint64_t head) {
	while (!atomic_compare_exchange_weak(&q->tail, &tail, head)) {
		if (tail & CLOSED)
			return;
		head = atomic_load(&q->head);
		if (tail >= head)
			return;
	}
}

/* SCQ dequeue. drain: ignore the threshold and report empty only when head has passed
 * tail, used on a closed ring before it is left behind. */
static size_t
scq_dequeue(struct scq *q, int drain, enum globalq_hook_point hook) {
	if (!drain && atomic_load(&q->threshold) < 0)
		return SCQ_EMPTY;
	for (;;) {
		uint64_t h = atomic_fetch_add(&q->head, 1);
		TEST_HOOK(globalq, hook);
		_Atomic uint64_t *s = slot_at(q, h);
		uint64_t e = atomic_load(s);
		unsigned spin = 0;
		for (;;) {
			uint64_t n;
			if (slot_lap(q, e) == lap(q, h)) {
				/* ours: empty the slot, keep its lap and safe bit */
				atomic_fetch_or(s, bot(q));
				return (size_t)(e & bot(q));
			}
			if (slot_lap(q, e) > lap(q, h))
				break;	/* a later lap owns it */
			if ((e & bot(q)) != bot(q)) {
				/* an older lap's element still waits here: mark the slot unsafe so that
				 * our lap's enqueuer cannot fill it once we have passed */
				n = e & ~safe_bit(q);
				if (n == e)
					break;
			} else {
				/* empty: if an enqueuer already holds position h, give it a moment,
				 * then move the slot to our lap so that its late CAS fails */
				if (spin < SCQ_SPIN && (atomic_load(&q->tail) & ~CLOSED) > h) {
					spin++;
					e = atomic_load(s);
					continue;
				}
				n = slot_word(q, lap(q, h), (e & safe_bit(q)) != 0, bot(q));
			}
			if (atomic_compare_exchange_weak(s, &e, n))
				break;
		}
		uint64_t t = atomic_load(&q->tail);
		if ((t & ~CLOSED) <= h + 1) {
			if (drain)
				return SCQ_EMPTY;
			if (!(t & CLOSED))
				scq_catchup(q, t, h + 1);
			atomic_fetch_sub(&q->threshold, 1);
			return SCQ_EMPTY;
		}
		if (!drain && atomic_fetch_sub(&q->threshold, 1) <= 0)
			return SCQ_EMPTY;
	}
}

static struct ring *
ring_new(size_t cap) {
	unsigned order = 1;
	while (((size_t)1 << order) < 2 * cap)
		order++;
	struct ring *r = skynet_malloc(sizeof(*r));
	r->aq = scq_new(order, 0);
	r->fq = scq_new(order, cap);
	r->cell = skynet_malloc(cap * sizeof(r->cell[0]));
	memset(r->cell, 0, cap * sizeof(r->cell[0]));
	r->cap = cap;
	atomic_init(&r->next, NULL);
	return r;
}

static void
ring_free(struct ring *r) {
	free(r->aq);
	free(r->fq);
	skynet_free(r->cell);
	skynet_free(r);
}

/* Idempotent, by any consumer that found r empty with a successor: after it no enqueue
 * on r's aq succeeds unless it claimed its position before. */
static void
ring_close(struct ring *r) {
	if (!(atomic_load(&r->aq->tail) & CLOSED))
		atomic_fetch_or(&r->aq->tail, CLOSED);
}

static struct message_queue *
ring_take(struct ring *r, size_t i) {
	struct message_queue *mq = r->cell[i];
	scq_enqueue(r->fq, i, GLOBALQ_HOOK_RECYCLE_CLAIMED);
	return mq;
}

struct globalq *
globalq_create(void) {
	struct globalq *q = skynet_malloc(sizeof(*q));
	struct ring *r = ring_new((size_t)1 << START_ORDER);
	atomic_init(&q->head, r);
	atomic_init(&q->tail, r);
	q->first = r;
	return q;
}

void
globalq_release(struct globalq *q) {
	struct ring *r = q->first;
	while (r) {
		struct ring *next = atomic_load(&r->next);
		ring_free(r);
		r = next;
	}
	skynet_free(q);
}

void
globalq_push(struct globalq *q, struct message_queue *mq) {
	struct ring *r = atomic_load(&q->tail);
	for (;;) {
		struct ring *next = atomic_load(&r->next);
		if (next) {
			/* a bigger ring follows: help the tail there (r is closed by the consumers) */
			atomic_compare_exchange_strong(&q->tail, &r, next);
			r = next;
			continue;
		}
		size_t i = scq_dequeue(r->fq, 0, GLOBALQ_HOOK_FREE_CLAIMED);
		if (i == SCQ_EMPTY) {
			if (atomic_load(&r->next) == NULL) {
				fprintf(stderr, "globalq mpmc: push found the ring of %zu full with no "
				    "successor: globalq_reserve was not called for this mailbox\n", r->cap);
				abort();
			}
			continue;
		}
		r->cell[i] = mq;
		if (scq_enqueue(r->aq, i, GLOBALQ_HOOK_PUSH_CLAIMED))
			return;
		/* closed meanwhile: give the cell back and follow the chain */
		scq_enqueue(r->fq, i, GLOBALQ_HOOK_RECYCLE_CLAIMED);
	}
}

struct message_queue *
globalq_pop(struct globalq *q) {
	struct ring *r = atomic_load(&q->head);
	for (;;) {
		size_t i = scq_dequeue(r->aq, 0, GLOBALQ_HOOK_POP_CLAIMED);
		if (i != SCQ_EMPTY)
			return ring_take(r, i);
		struct ring *next = atomic_load(&r->next);
		if (next == NULL)
			return NULL;
		/* r was empty but is superseded: close it, drain what landed before the close */
		ring_close(r);
		i = scq_dequeue(r->aq, 1, GLOBALQ_HOOK_POP_CLAIMED);
		if (i != SCQ_EMPTY)
			return ring_take(r, i);
		atomic_compare_exchange_strong(&q->head, &r, next);
		r = next;
	}
}

void
globalq_reserve(struct globalq *q, size_t mailboxes) {
	struct ring *r = atomic_load(&q->tail);
	for (;;) {
		struct ring *next;
		while ((next = atomic_load(&r->next)) != NULL)
			r = next;
		if (r->cap >= mailboxes)
			return;
		size_t cap = r->cap * 2;
		while (cap < mailboxes)
			cap *= 2;
		struct ring *nr = ring_new(cap);
		if (atomic_compare_exchange_strong(&r->next, &next, nr)) {
			TEST_HOOK(globalq, GLOBALQ_HOOK_GROW_LINKED);
			atomic_compare_exchange_strong(&q->tail, &r, nr);
			return;
		}
		/* another reserve linked first: look again from there */
		ring_free(nr);
		r = next;
	}
}

TEST_HOOK_DEFINE(globalq);

const char globalq_variant[] = "mpmc";
const int globalq_lockfree = 1;
/* every SCQ point; not lprq's (PUSH_RESERVED, RING_APPENDED) */
const unsigned globalq_hook_points = 1u << GLOBALQ_HOOK_PUSH_CLAIMED |
    1u << GLOBALQ_HOOK_POP_CLAIMED | 1u << GLOBALQ_HOOK_FREE_CLAIMED |
    1u << GLOBALQ_HOOK_RECYCLE_CLAIMED | 1u << GLOBALQ_HOOK_GROW_LINKED;
