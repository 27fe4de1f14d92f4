/* Global queue "scq": a lock-free MPMC queue of mailbox ids, SCQ in its index form.
 *
 * Algorithm: SCQ, R. Nikolaev, "A Scalable, Portable, and Memory-Efficient Lock-Free FIFO
 * Queue", DISC 2019 (arXiv:1908.04511), Figure 8: a ring of 2n slots that carries indices
 * below n and never holds more than n of them, with the threshold (3n-1), the cycle and
 * "safe" bits and catch-up. The paper queues arbitrary pointers by pairing two such rings
 * with a cell array (the free ring fq hands out cells, the allocated ring aq orders them:
 * mpmc.c). The runtime needs no free ring: a mailbox is in the queue at most once
 * (in_global) and already carries a dense id, distinct among live mailboxes and below the
 * count globalq_reserve was given (runtime_services.h: skynet_mq_id). So the ring carries
 * the ids themselves: push is one enqueue of skynet_mq_id(mq), pop one dequeue and the map
 * back, skynet_mqid_mailbox(id) (two loads): four read-modify-writes per push/pop pair
 * (fetch-and-add and slot CAS; fetch-and-add and slot fetch-or), where mpmc has eight.
 *
 * Growth: the paper's LSCQ (section 5), as in mpmc.c: rings are chained, reserve links a
 * bigger one (it is called before the n-th mailbox exists, so an id never exceeds the ring
 * its push lands on); pushers move to the newest ring as soon as they see it; the consumer
 * leaving a ring closes it (a bit in its tail fails every later enqueue) and drains it
 * (ignoring the threshold, until head passes tail), so no element is stranded in it.
 *
 * Empty: SCQ's dequeue reports empty without a write only once the threshold is negative,
 * i.e. after about 3n empty dequeues since the last enqueue, each a fetch-and-add on head
 * and a catch-up CAS on tail. Workers that poll an empty queue (idle workers, the steal
 * scheduler's injection checks) would pay that on every poll after a push. So pop first
 * loads head, then tail: if head >= tail, every position an enqueuer ever claimed already
 * has its dequeuer, so the ring was empty at the instant tail was read; then, if the ring
 * still has no successor, the whole queue was (older rings were drained before the
 * consumers' ring moved past them). No read-modify-write, no shared line written.
 * Invariants, linearization and every order: docs/verification.md, section 16; the model:
 * verify/scqidx.pml.
 *
 * Properties the runtime relies on:
 * - lock-free: fetch-and-add, single-width CAS and fetch-or on 64-bit words; a thread
 *   stalled between claiming a position and using it delays only itself (a dequeuer waits
 *   a bounded SCQ_SPIN loads for a claimed slot, then invalidates it).
 * - never a spurious empty (above, and SCQ's threshold).
 * - no ABA: slots carry the lap of their position; an id is enqueued again only after the
 *   dequeue that took it (in_global).
 * - memory: a ring of capacity n is 16n bytes plus 256; rings are freed at release only
 *   (a stalled thread may still hold an old one), capacities double, so all of them are
 *   less than twice the last: under 64 bytes per mailbox ever reserved (bench_globalq measures it), plus the runtime's
 *   id map (8 bytes per id, skynet_mqid.c), which exists whatever queue is linked.
 *
 * Memory order: seq_cst on the ring's words (head, tail, threshold, slots), for the reasons
 * mpmc.c gives: SCQ's argument and the empty check's "instant" reason about one total
 * order of the accesses to head, tail, threshold and the slots together (e.g. the
 * enqueuer's slot CAS against the dequeuer's tail load, and the pop's head load then tail
 * load). On x86-64 and ARM64 that costs nothing over acquire/release for the
 * read-modify-writes and loads; the one seq_cst store, the threshold reset, is skipped when
 * the value is already there. The id map's orders are the runtime's (skynet_mqid.c): the
 * pusher's slot CAS (a release) publishes whatever happened before the push, the creation's
 * map entry included, to the popper whose slot load (an acquire) read it. */

#include "globalq.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CACHE_LINE 64
#define START_ORDER 7			/* first ring: 128 slots, ids below 64 */
#define CLOSED ((uint64_t)1 << 63)	/* in tail: the ring takes no more pushes */
#define SCQ_EMPTY UINT64_MAX
#define SCQ_SPIN 256			/* loads a dequeuer waits for a claimed, unwritten slot */

/* One SCQ ring of 2^order slots carrying ids below cap = 2^(order-1). A slot word is
 * cycle << (order+1) | safe << order | id; id BOT (all ones) means empty. Position p maps
 * to lap p >> order and slot slot_at(p). next: the bigger ring reserve linked, or NULL. */
struct ring {
	_Alignas(CACHE_LINE) _Atomic uint64_t head;
	_Alignas(CACHE_LINE) _Atomic int64_t threshold;
	_Alignas(CACHE_LINE) _Atomic uint64_t tail;
	_Alignas(CACHE_LINE) _Atomic(struct ring *) next;
	unsigned order;
	uint64_t cap;
	_Alignas(CACHE_LINE) _Atomic uint64_t slot[];
};

struct globalq {
	_Alignas(CACHE_LINE) _Atomic(struct ring *) head;	/* consumers' ring */
	_Alignas(CACHE_LINE) _Atomic(struct ring *) tail;	/* producers' ring */
	struct ring *first;	/* oldest ring: the chain from here is freed at release */
};

static inline uint64_t bot(const struct ring *r) { return ((uint64_t)1 << r->order) - 1; }
static inline uint64_t safe_bit(const struct ring *r) { return (uint64_t)1 << r->order; }
static inline uint64_t lap(const struct ring *r, uint64_t pos) { return pos >> r->order; }
static inline uint64_t slot_lap(const struct ring *r, uint64_t e) { return e >> (r->order + 1); }
static inline int64_t threshold_max(const struct ring *r) { return 3 * (int64_t)r->cap - 1; }

static inline uint64_t
slot_word(const struct ring *r, uint64_t cycle, uint64_t safe, uint64_t id) {
	return cycle << (r->order + 1) | safe << r->order | id;
}

/* Consecutive positions land 8 slots (one cache line of words) apart: rotate left by 3. */
static inline _Atomic uint64_t *
slot_at(struct ring *r, uint64_t pos) {
	uint64_t mask = bot(r);
	pos &= mask;
	return &r->slot[((pos << 3) | (pos >> (r->order - 3))) & mask];
}

/* An empty ring for ids below cap (a power of two, at least 64). Positions start at lap 1
 * so that the initial slots (lap 0) are older than all of them. */
static struct ring *
ring_new(uint64_t cap) {
	unsigned order = START_ORDER;
	while (((uint64_t)1 << (order - 1)) < cap)
		order++;
	size_t slots = (size_t)1 << order;
	size_t sz = sizeof(struct ring) + slots * sizeof(uint64_t);
	struct ring *r = aligned_alloc(CACHE_LINE, (sz + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1));
	if (r == NULL) {
		fprintf(stderr, "globalq scq: out of memory for a ring of %zu slots\n", slots);
		abort();
	}
	r->order = order;
	r->cap = (uint64_t)1 << (order - 1);
	for (size_t i = 0; i < slots; i++)
		atomic_init(&r->slot[i], slot_word(r, 0, 1, bot(r)));
	atomic_init(&r->head, slots);
	atomic_init(&r->tail, slots);
	atomic_init(&r->threshold, -1);
	atomic_init(&r->next, NULL);
	return r;
}

/* SCQ enqueue. Returns 0 only if the ring was closed. */
static int
ring_enqueue(struct ring *r, uint64_t id) {
	for (;;) {
		uint64_t t = atomic_fetch_add(&r->tail, 1);
		if (t & CLOSED)
			return 0;
		TEST_HOOK(globalq, GLOBALQ_HOOK_PUSH_CLAIMED);
		_Atomic uint64_t *s = slot_at(r, t);
		uint64_t e = atomic_load(s);
		/* the slot must be empty, from an older lap, and either safe or not yet passed by
		 * the dequeuer of position t; a failed CAS re-examines the new word */
		while (slot_lap(r, e) < lap(r, t) && (e & bot(r)) == bot(r) &&
		    ((e & safe_bit(r)) || atomic_load(&r->head) <= t)) {
			if (atomic_compare_exchange_weak(s, &e, slot_word(r, lap(r, t), 1, id))) {
				if (atomic_load(&r->threshold) != threshold_max(r))
					atomic_store(&r->threshold, threshold_max(r));
				return 1;
			}
		}
	}
}

/* Moves tail up to head after a dequeuer overtook it, so that enqueuers do not walk
 * through positions no dequeuer will visit. Never moves a closed tail. */
static void
ring_catchup(struct ring *r, uint64_t tail, uint64_t head) {
	while (!atomic_compare_exchange_weak(&r->tail, &tail, head)) {
		if (tail & CLOSED)
			return;
		head = atomic_load(&r->head);
		if (tail >= head)
			return;
	}
}

/* 1 if r had no element at an instant of this call: its head, read first, had reached
 * its tail, read second (a closed tail counts its positions only) */
static inline int
ring_passed(struct ring *r) {
	uint64_t h = atomic_load(&r->head);
	return h >= (atomic_load(&r->tail) & ~CLOSED);
}

/* SCQ dequeue. drain: ignore the threshold and report empty only when head has passed
 * tail, used on a closed ring before it is left behind. Not drain: also the plain-load
 * empty check, once a dequeue found the ring empty since the last enqueue (the threshold
 * is below its maximum): so a busy ring pays no extra load of head and tail, whose lines
 * the dequeuer and the enqueuer are about to write, and an idle one pays one
 * fetch-and-add per enqueue, not one per poll. */
static uint64_t
ring_dequeue(struct ring *r, int drain) {
	if (!drain) {
		int64_t thr = atomic_load(&r->threshold);
		if (thr < 0 || (thr != threshold_max(r) && ring_passed(r)))
			return SCQ_EMPTY;
	}
	for (;;) {
		uint64_t h = atomic_fetch_add(&r->head, 1);
		TEST_HOOK(globalq, GLOBALQ_HOOK_POP_CLAIMED);
		_Atomic uint64_t *s = slot_at(r, h);
		uint64_t e = atomic_load(s);
		unsigned spin = 0;
		for (;;) {
			uint64_t n;
			if (slot_lap(r, e) == lap(r, h)) {
				/* ours: empty the slot, keep its lap and safe bit */
				atomic_fetch_or(s, bot(r));
				return e & bot(r);
			}
			if (slot_lap(r, e) > lap(r, h))
				break;	/* a later lap owns it */
			if ((e & bot(r)) != bot(r)) {
				/* an older lap's id still waits here: mark the slot unsafe so that our
				 * lap's enqueuer cannot fill it once we have passed */
				n = e & ~safe_bit(r);
				if (n == e)
					break;
			} else {
				/* empty: if an enqueuer already holds position h, give it a moment,
				 * then move the slot to our lap so that its late CAS fails */
				if (spin < SCQ_SPIN && (atomic_load(&r->tail) & ~CLOSED) > h) {
					spin++;
					e = atomic_load(s);
					continue;
				}
				n = slot_word(r, lap(r, h), (e & safe_bit(r)) != 0, bot(r));
			}
			if (atomic_compare_exchange_weak(s, &e, n))
				break;
		}
		uint64_t t = atomic_load(&r->tail);
		if ((t & ~CLOSED) <= h + 1) {
			if (drain)
				return SCQ_EMPTY;
			if (!(t & CLOSED))
				ring_catchup(r, t, h + 1);
			atomic_fetch_sub(&r->threshold, 1);
			return SCQ_EMPTY;
		}
		if (!drain && atomic_fetch_sub(&r->threshold, 1) <= 0)
			return SCQ_EMPTY;
	}
}

/* Idempotent, by any consumer that found r empty with a successor: after it no enqueue
 * on r succeeds unless it claimed its position before. */
static void
ring_close(struct ring *r) {
	if (!(atomic_load(&r->tail) & CLOSED))
		atomic_fetch_or(&r->tail, CLOSED);
}

struct globalq *
globalq_create(void) {
	struct globalq *q = aligned_alloc(CACHE_LINE, sizeof(*q));
	if (q == NULL) {
		fprintf(stderr, "globalq scq: out of memory\n");
		abort();
	}
	struct ring *r = ring_new((uint64_t)1 << (START_ORDER - 1));
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
		free(r);
		r = next;
	}
	free(q);
}

void
globalq_push(struct globalq *q, struct message_queue *mq) {
	uint64_t id = skynet_mq_id(mq);
	struct ring *r = atomic_load(&q->tail);
	for (;;) {
		struct ring *next = atomic_load(&r->next);
		if (next) {
			/* a bigger ring follows: help the tail there (r is closed by the consumers) */
			atomic_compare_exchange_strong(&q->tail, &r, next);
			r = next;
			continue;
		}
		if (id >= r->cap) {
			fprintf(stderr, "globalq scq: mailbox id %llu beyond the newest ring (ids below "
			    "%llu): globalq_reserve was not called for this mailbox\n",
			    (unsigned long long)id, (unsigned long long)r->cap);
			abort();
		}
		if (ring_enqueue(r, id))
			return;
		/* closed meanwhile, so a successor exists: follow the chain */
	}
}

/* One call site of ring_dequeue (so that it is inlined): drain is 0 on the consumers'
 * ring, 1 on a superseded ring being closed and drained (verify/scqidx.pml has this shape). */
struct message_queue *
globalq_pop(struct globalq *q) {
	struct ring *r = atomic_load(&q->head);
	int drain = 0;
	for (;;) {
		uint64_t id = ring_dequeue(r, drain);
		if (id != SCQ_EMPTY)
			return skynet_mqid_mailbox((uint32_t)id);
		/* r was empty at an instant before this load: so was the queue, if r is the newest */
		struct ring *next = atomic_load(&r->next);
		if (!drain) {
			if (next == NULL)
				return NULL;
			/* r was empty but is superseded: close it, drain what landed before the close */
			ring_close(r);
			drain = 1;
		} else {
			atomic_compare_exchange_strong(&q->head, &r, next);
			r = next;
			drain = 0;
		}
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
		uint64_t cap = r->cap * 2;
		while (cap < mailboxes)
			cap *= 2;
		struct ring *nr = ring_new(cap);
		if (atomic_compare_exchange_strong(&r->next, &next, nr)) {
			TEST_HOOK(globalq, GLOBALQ_HOOK_GROW_LINKED);
			atomic_compare_exchange_strong(&q->tail, &r, nr);
			return;
		}
		/* another reserve linked first (nr was never seen): look again from there */
		free(nr);
		r = next;
	}
}

TEST_HOOK_DEFINE(globalq);

const char globalq_variant[] = "scq";
const int globalq_lockfree = 1;
/* no free ring, so no cell to claim or give back */
const unsigned globalq_hook_points = 1u << GLOBALQ_HOOK_PUSH_CLAIMED |
    1u << GLOBALQ_HOOK_POP_CLAIMED | 1u << GLOBALQ_HOOK_GROW_LINKED;
