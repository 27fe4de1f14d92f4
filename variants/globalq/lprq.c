/* Global queue "lprq": LPRQ, a linked list of PRQ rings.
 *
 * Algorithm: R. Romanov and N. Koval, "The State-of-the-Art LCRQ Concurrent Queue Algorithm
 * Does NOT Require CAS2", PPoPP 2023. It keeps the design of LCRQ (A. Morrison and Y. Afek,
 * "Fast Concurrent Queues for x86 Processors", PPoPP 2013): rings of R slots on which
 * enqueuers and dequeuers claim positions with fetch-and-add on tail and head; a ring that
 * fills up, or on which an enqueuer keeps losing its slots to dequeuers (livelock), is
 * closed (a bit in its tail) and a new ring holding the enqueuer's value is appended,
 * Michael-Scott style; dequeuers leave a ring once it is closed and drained. The PRQ ring
 * replaces CRQ's double-width CAS on a slot (index, safe bit, value) by single-width CASes
 * on two words, idx (lap and "unsafe" bit) and val:
 *   enqueue at position t:  val: empty -> my marker;  idx: <= t -> t + R;  val: marker -> x
 * The marker is per thread and unique (the thread's hazard record address | 1: mailbox
 * pointers are aligned, so bit 0 tells a marker from a value), so a step that another
 * thread undid (a dequeuer took the marker back) cannot be completed late: the last CAS
 * fails and the enqueuer takes a new position. Every idx transition raises (lap, unsafe)
 * (enqueue and dequeue both move the lap to position + R; marking unsafe keeps the lap),
 * so idx never repeats a value: CASes on idx are ABA-free, and a dequeuer reads idx, val,
 * idx again to get a consistent view of the pair.
 *
 * Slot states, p = idx's position (lap), R the ring size, for a dequeuer at h:
 *   (p, empty)          open to enqueuers at t >= p (t = p mod R); positions before p passed
 *   (p, marker)         an enqueue in progress (if its idx CAS is done, p = its t + R)
 *   (p, x)              x was enqueued at position p - R and awaits the dequeuer of p - R
 * A dequeuer at h takes x iff p = h + R. It skips a slot whose p > h + R (a later lap owns
 * it). Otherwise it makes sure no enqueuer can later fill position h: an older lap's value
 * gets the unsafe bit (an enqueuer may then use the slot only while head <= t); an empty
 * slot, or one with a marker it first takes back (after waiting LPRQ_SPIN loads for the
 * enqueuer of h to finish), is moved to lap h + R.
 *
 * Ring size: R = 1024 slots (16 KiB of slots). The queue never holds more than one entry
 * per mailbox; the runtime's workloads (ping-pong pairs, the tests' thousands of services)
 * mostly keep fewer than R runnable at once, so one ring serves and rings turn over only
 * when more are queued or an enqueuer starves; 1024 is also the paper's ring size. Bigger
 * rings cost memory per turnover, smaller ones turnovers. The part test sets tiny rings
 * (globalq_test_ring_slots) to force closes.
 *
 * Reclamation: hazard pointers (M. Michael, "Hazard Pointers: Safe Memory Reclamation for
 * Lock-Free Objects", IEEE TPDS 2004), our own, not ck_epoch: every access is a C11 atomic
 * that TSan sees, nothing depends on libck's ARM64 or TSan caveats, and a stalled thread
 * pins one ring, not every later one. Each thread that calls push or pop (workers, the
 * timer, socket and main threads, tests) gets a record lazily through a thread-local
 * pointer: two hazard slots, one for the ring it pushes to, one for the ring it pops from.
 * Records live in one global list, are never freed, and are handed back at thread exit (a
 * pthread key destructor) for the next new thread: their number is the most threads ever
 * alive at once. Hazards are sticky: a thread keeps its hazard on the ring it used last, so
 * the common operation (same ring as before) only loads the queue's head or tail and
 * compares, with no store. A consumer that moves the head past a drained ring (after the
 * tail has left it, so that no thread can newly protect it) retires it: the ring goes on
 * the queue's retired stack and the retirer frees every retired ring no hazard names.
 *
 * Memory bound (docs/verification.md, section 17): every ring after the head ring still
 * holds the value it was created with, so the chain is at most one ring per mailbox plus
 * one (and a single ring while fewer than R are queued); retired rings kept after a scan
 * are named by a hazard, at most two per thread record. The rings created over a long run
 * are not bounded (each close makes one), the live ones are.
 *
 * Properties the runtime relies on:
 * - lock-free: fetch-and-add, single-width CAS, fetch-or on 64-bit words (ARM64 has them:
 *   LDADD/CAS/LDSET or LL/SC); no CAS2. A thread stalled anywhere delays only itself: a
 *   dequeuer waits at most LPRQ_SPIN loads for a claimed slot, then takes it back; an
 *   enqueuer that keeps failing closes the ring after LPRQ_STARVE tries and appends one.
 * - never a spurious empty: a ring's dequeue reports empty only when head has passed tail,
 *   i.e. every position claimed by an enqueuer has its dequeuer; a consumer leaves a ring
 *   only after seeing it closed (its successor is linked only after the close) and
 *   finding it empty once more.
 * - unbounded: globalq_reserve has nothing to do (a full ring is closed and a new one
 *   appended by the push that found it full).
 *
 * Memory order: every atomic of the ring protocol and of the chain is seq_cst, as in
 * mpmc.c and for the same reason: the correctness arguments (LCRQ's and PRQ's, and the
 * hazard pointers') reason about one total order of the FAAs, slot CASes and the loads of
 * head and tail in the enqueuer's and dequeuer's conditions, store->load pairs that
 * acquire/release does not order. Costs as in mpmc.c: x86-64 and ARM64 compile seq_cst
 * RMWs as acq_rel ones and seq_cst loads as MOV/LDAR; the seq_cst stores are the dequeuer's
 * take (val = empty) and a hazard change (rare: hazards are sticky). Weaker orders, each
 * argued where it is: a thread's load of its own hazard slot (relaxed), the hand-back of a
 * record (release), the ring counters (relaxed, statistics). */

#include "globalq.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CACHE_LINE 64
#define RING_ORDER 10				/* R = 1024 slots: see the header */
#define CLOSED ((uint64_t)1 << 63)		/* in a ring's tail: enqueues fail */
#define UNSAFE ((uint64_t)1 << 63)		/* in a slot's idx */
#define EMPTY ((uintptr_t)0)
#define LPRQ_SPIN 256	/* loads a dequeuer waits for the enqueuer of its position */
#define LPRQ_STARVE 32	/* failed tries after which an enqueuer closes the ring */

enum { HP_TAIL, HP_HEAD };

struct slot {
	_Atomic uint64_t idx;
	_Atomic uintptr_t val;
};

struct ring {
	_Alignas(CACHE_LINE) _Atomic uint64_t head;
	_Alignas(CACHE_LINE) _Atomic uint64_t tail;
	_Alignas(CACHE_LINE) _Atomic(struct ring *) next;
	struct ring *retired_next;	/* link in the retired stack, owned by who holds the ring */
	unsigned order;
	_Alignas(CACHE_LINE) struct slot slot[];
};

struct globalq {
	_Alignas(CACHE_LINE) _Atomic(struct ring *) head;	/* consumers' ring */
	_Alignas(CACHE_LINE) _Atomic(struct ring *) tail;	/* producers' ring */
	_Alignas(CACHE_LINE) _Atomic(struct ring *) retired;	/* left behind, not yet freed */
	_Atomic size_t live;		/* rings allocated and not freed (statistics) */
	_Atomic size_t created;		/* rings allocated in all (statistics) */
};

/* A thread's hazard record. */
struct hprec {
	_Alignas(CACHE_LINE) _Atomic(struct ring *) hp[2];
	_Atomic int used;
	struct hprec *next;	/* in hprecs; set before the record is published */
};

static _Atomic(struct hprec *) hprecs;
static _Thread_local struct hprec *self;
static pthread_once_t hprec_once = PTHREAD_ONCE_INIT;
static pthread_key_t hprec_key;
/* ring size for rings created from now on; changed only by globalq_test_ring_slots */
static unsigned ring_order = RING_ORDER;

/* ---- hazard records ---- */

static void
hprec_drop(void *p) {
	struct hprec *r = p;
	/* release: this thread's last accesses to the rings it named happen-before a retirer
	 * that reads the cleared slot and frees them; likewise before the next owner */
	atomic_store_explicit(&r->hp[HP_TAIL], NULL, memory_order_release);
	atomic_store_explicit(&r->hp[HP_HEAD], NULL, memory_order_release);
	atomic_store_explicit(&r->used, 0, memory_order_release);
	self = NULL;
}

static void
hprec_key_create(void) {
	pthread_key_create(&hprec_key, hprec_drop);
}

static struct hprec *
hprec_acquire(void) {
	pthread_once(&hprec_once, hprec_key_create);
	struct hprec *r;
	for (r = atomic_load(&hprecs); r; r = r->next) {
		int idle = 0;
		if (atomic_load(&r->used) == 0 && atomic_compare_exchange_strong(&r->used, &idle, 1))
			break;
	}
	if (r == NULL) {
		r = aligned_alloc(CACHE_LINE, sizeof(*r));
		if (r == NULL) {
			fprintf(stderr, "globalq lprq: out of memory for a hazard record\n");
			abort();
		}
		atomic_init(&r->hp[HP_TAIL], NULL);
		atomic_init(&r->hp[HP_HEAD], NULL);
		atomic_init(&r->used, 1);
		r->next = atomic_load(&hprecs);
		while (!atomic_compare_exchange_weak(&hprecs, &r->next, r))
			;
	}
	self = r;
	pthread_setspecific(hprec_key, r);
	return r;
}

static inline struct hprec *
hprec_self(void) {
	struct hprec *r = self;
	return r ? r : hprec_acquire();
}

static inline uintptr_t
marker(struct hprec *me) {
	return (uintptr_t)me | 1;
}

static inline int
is_value(uintptr_t v) {
	return v != EMPTY && !(v & 1);
}

/* Returns *src, named by hazard slot *hp while *src still held it: the ring cannot be
 * retired before it leaves *src, nor freed while *hp names it. Sticky: when *hp already
 * names the ring, the store made earlier precedes this load of *src in the total order,
 * which is all the check needs. */
static inline struct ring *
protect(_Atomic(struct ring *) *src, _Atomic(struct ring *) *hp) {
	struct ring *r = atomic_load(src);
	/* relaxed: our own slot, only this thread stores it */
	if (atomic_load_explicit(hp, memory_order_relaxed) == r)
		return r;
	for (;;) {
		atomic_store(hp, r);	/* seq_cst: before the re-load of *src (store->load) */
		struct ring *again = atomic_load(src);
		if (again == r)
			return r;
		r = again;
	}
}

static int
hazardous(struct ring *r) {
	for (struct hprec *h = atomic_load(&hprecs); h; h = h->next)
		if (atomic_load(&h->hp[HP_TAIL]) == r || atomic_load(&h->hp[HP_HEAD]) == r)
			return 1;
	return 0;
}

/* ---- rings ---- */

static inline uint64_t ring_size(const struct ring *r) { return (uint64_t)1 << r->order; }

/* Consecutive positions land 4 slots (one cache line) apart: rotate left by 2. */
static inline struct slot *
slot_at(struct ring *r, uint64_t pos) {
	uint64_t mask = ring_size(r) - 1;
	pos &= mask;
	return &r->slot[((pos << 2) | (pos >> (r->order - 2))) & mask];
}

/* A ring whose position 0 holds mq (the appending push's value), or an empty one. */
static struct ring *
ring_new(struct globalq *q, struct message_queue *mq) {
	unsigned order = ring_order;
	size_t slots = (size_t)1 << order;
	size_t sz = sizeof(struct ring) + slots * sizeof(struct slot);
	struct ring *r = aligned_alloc(CACHE_LINE, (sz + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1));
	if (r == NULL) {
		fprintf(stderr, "globalq lprq: out of memory for a ring of %zu slots\n", slots);
		abort();
	}
	r->order = order;
	for (uint64_t p = 0; p < slots; p++) {
		struct slot *s = slot_at(r, p);
		atomic_init(&s->idx, p);
		atomic_init(&s->val, EMPTY);
	}
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	if (mq) {
		struct slot *s = slot_at(r, 0);
		atomic_init(&s->idx, slots);
		atomic_init(&s->val, (uintptr_t)mq);
		atomic_init(&r->tail, 1);
	}
	atomic_init(&r->next, NULL);
	r->retired_next = NULL;
	/* relaxed: statistics for the tests, no ordering hangs on them */
	atomic_fetch_add_explicit(&q->live, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&q->created, 1, memory_order_relaxed);
	return r;
}

static void
ring_free(struct globalq *q, struct ring *r) {
	atomic_fetch_sub_explicit(&q->live, 1, memory_order_relaxed);	/* statistics */
	free(r);
}

static void
ring_close(struct ring *r) {
	if (!(atomic_load(&r->tail) & CLOSED))
		atomic_fetch_or(&r->tail, CLOSED);
}

/* PRQ enqueue. Returns 0 only if the ring is closed (by us, if it was full or we starved). */
static int
prq_enqueue(struct ring *r, struct message_queue *mq, uintptr_t mine) {
	uint64_t R = ring_size(r);
	for (unsigned tries = 0;; tries++) {
		uint64_t t = atomic_fetch_add(&r->tail, 1);
		if (t & CLOSED)
			return 0;
		TEST_HOOK(globalq, GLOBALQ_HOOK_PUSH_CLAIMED);
		struct slot *s = slot_at(r, t);
		uint64_t ci = atomic_load(&s->idx);
		uintptr_t v = atomic_load(&s->val);
		/* empty, at or before our lap, and either safe or not yet passed by our dequeuer */
		if (v == EMPTY && (ci & ~UNSAFE) <= t && (!(ci & UNSAFE) || atomic_load(&r->head) <= t)) {
			if (atomic_compare_exchange_strong(&s->val, &v, mine)) {
				/* the idx CAS fails if a dequeuer moved the slot on since we read it */
				if (atomic_compare_exchange_strong(&s->idx, &ci, t + R)) {
					TEST_HOOK(globalq, GLOBALQ_HOOK_PUSH_RESERVED);
					uintptr_t m = mine;
					if (atomic_compare_exchange_strong(&s->val, &m, (uintptr_t)mq))
						return 1;
					/* our dequeuer gave up waiting and took the marker back */
				} else {
					/* fails only if a dequeuer already took it back */
					uintptr_t m = mine;
					atomic_compare_exchange_strong(&s->val, &m, EMPTY);
				}
			}
		}
		uint64_t h = atomic_load(&r->head);
		if (t >= h + R || tries >= LPRQ_STARVE) {
			ring_close(r);
			return 0;
		}
	}
}

/* Moves tail up to head after dequeuers overtook it, so that enqueuers do not claim
 * positions whose dequeuers have passed. Never moves a closed tail. */
static void
prq_catchup(struct ring *r, uint64_t tail, uint64_t head) {
	while (!atomic_compare_exchange_weak(&r->tail, &tail, head)) {
		if (tail & CLOSED)
			return;
		head = atomic_load(&r->head);
		if (tail >= head)
			return;
	}
}

/* The dequeuer of position h at its slot: the value of position h, or EMPTY once the slot
 * can no longer receive one. */
static uintptr_t
prq_visit(struct ring *r, struct slot *s, uint64_t h) {
	uint64_t R = ring_size(r);
	unsigned spin = 0;
	for (;;) {
		uint64_t ci = atomic_load(&s->idx);
		uintptr_t v = atomic_load(&s->val);
		if (atomic_load(&s->idx) != ci)
			continue;	/* idx never repeats: unchanged means (ci, v) held together */
		uint64_t p = ci & ~UNSAFE;
		if (p > h + R)
			return EMPTY;	/* a later lap owns the slot */
		if (is_value(v)) {
			if (p == h + R) {
				/* ours; nobody else writes val while it holds a value */
				atomic_store(&s->val, EMPTY);
				return v;
			}
			/* an older lap's value waits here: once it is gone, our lap's enqueuer must
			 * not fill the slot, since we have passed */
			if ((ci & UNSAFE) || atomic_compare_exchange_strong(&s->idx, &ci, ci | UNSAFE))
				return EMPTY;
			continue;
		}
		if (p == h + R) {
			if (v == EMPTY)
				return EMPTY;	/* our enqueuer's marker was taken back: nothing comes */
			/* our enqueuer is writing its value: wait, then take the slot back */
			if (spin++ < LPRQ_SPIN)
				continue;
			if (atomic_compare_exchange_strong(&s->val, &v, EMPTY))
				return EMPTY;
			continue;
		}
		/* p <= h: empty or a marker. If the enqueuer of h holds its position, give it a
		 * moment; then take any marker back and move the slot past our lap */
		if (spin < LPRQ_SPIN && !(ci & UNSAFE) && (atomic_load(&r->tail) & ~CLOSED) > h) {
			spin++;
			continue;
		}
		if (v != EMPTY && !atomic_compare_exchange_strong(&s->val, &v, EMPTY))
			continue;
		if (atomic_compare_exchange_strong(&s->idx, &ci, (ci & UNSAFE) | (h + R)))
			return EMPTY;
	}
}

/* PRQ dequeue: a value, or EMPTY when head has passed tail. */
static uintptr_t
prq_dequeue(struct ring *r) {
	/* every claimed position already has its dequeuer: empty, without moving head */
	if (atomic_load(&r->head) >= (atomic_load(&r->tail) & ~CLOSED))
		return EMPTY;
	for (;;) {
		uint64_t h = atomic_fetch_add(&r->head, 1);
		TEST_HOOK(globalq, GLOBALQ_HOOK_POP_CLAIMED);
		uintptr_t v = prq_visit(r, slot_at(r, h), h);
		if (v != EMPTY)
			return v;
		uint64_t t = atomic_load(&r->tail);
		if ((t & ~CLOSED) <= h + 1) {
			if (!(t & CLOSED) && t < h + 1)
				prq_catchup(r, t, h + 1);
			return EMPTY;
		}
	}
}

/* ---- the chain ---- */

/* Frees r and every retired ring no hazard names; gives the others back to the stack. */
static void
retire(struct globalq *q, struct ring *r) {
	r->retired_next = atomic_exchange(&q->retired, NULL);
	struct ring *keep = NULL, *last = NULL;
	while (r) {
		struct ring *n = r->retired_next;
		if (hazardous(r)) {
			r->retired_next = keep;
			keep = r;
			if (last == NULL)
				last = r;
		} else {
			ring_free(q, r);
		}
		r = n;
	}
	if (keep) {
		last->retired_next = atomic_load(&q->retired);
		while (!atomic_compare_exchange_weak(&q->retired, &last->retired_next, keep))
			;
	}
}

struct globalq *
globalq_create(void) {
	struct globalq *q = aligned_alloc(CACHE_LINE, sizeof(*q));
	if (q == NULL) {
		fprintf(stderr, "globalq lprq: out of memory\n");
		abort();
	}
	atomic_init(&q->live, 0);
	atomic_init(&q->created, 0);
	struct ring *r = ring_new(q, NULL);
	atomic_init(&q->head, r);
	atomic_init(&q->tail, r);
	atomic_init(&q->retired, NULL);
	return q;
}

void
globalq_release(struct globalq *q) {
	struct ring *r = atomic_load(&q->head);
	while (r) {
		struct ring *next = atomic_load(&r->next);
		ring_free(q, r);
		r = next;
	}
	r = atomic_load(&q->retired);
	while (r) {
		struct ring *next = r->retired_next;
		ring_free(q, r);
		r = next;
	}
	free(q);
}

void
globalq_push(struct globalq *q, struct message_queue *mq) {
	struct hprec *me = hprec_self();
	for (;;) {
		struct ring *r = protect(&q->tail, &me->hp[HP_TAIL]);
		struct ring *next = atomic_load(&r->next);
		if (next) {
			/* r is closed: help the tail on */
			atomic_compare_exchange_strong(&q->tail, &r, next);
			continue;
		}
		if (prq_enqueue(r, mq, marker(me)))
			return;
		/* r closed: append a ring that already holds mq */
		struct ring *nr = ring_new(q, mq);
		if (atomic_compare_exchange_strong(&r->next, &next, nr)) {
			TEST_HOOK(globalq, GLOBALQ_HOOK_RING_APPENDED);
			atomic_compare_exchange_strong(&q->tail, &r, nr);
			return;
		}
		ring_free(q, nr);	/* never published: no other thread saw it */
	}
}

struct message_queue *
globalq_pop(struct globalq *q) {
	struct hprec *me = hprec_self();
	for (;;) {
		struct ring *r = protect(&q->head, &me->hp[HP_HEAD]);
		uintptr_t v = prq_dequeue(r);
		if (v != EMPTY)
			return (struct message_queue *)v;
		struct ring *next = atomic_load(&r->next);
		if (next == NULL)
			return NULL;
		/* r is closed (its successor is linked only after the close): what landed before
		 * the close is found now, or has a dequeuer in flight */
		v = prq_dequeue(r);
		if (v != EMPTY)
			return (struct message_queue *)v;
		/* the tail leaves r before the head does: then no thread can newly protect r */
		struct ring *t = r;
		atomic_compare_exchange_strong(&q->tail, &t, next);
		struct ring *h = r;
		if (atomic_compare_exchange_strong(&q->head, &h, next)) {
			/* release: our accesses to r are done before a retirer frees it */
			atomic_store_explicit(&me->hp[HP_HEAD], NULL, memory_order_release);
			retire(q, r);
		}
	}
}

/* Unbounded: a push that finds its ring full closes it and appends a new one, so there is
 * nothing to make room for in advance. */
void
globalq_reserve(struct globalq *q, size_t mailboxes) {
	(void)q;
	(void)mailboxes;
}

#if SKYBENCH_TEST_HOOKS
size_t
globalq_test_ring_slots(size_t slots) {
	size_t old = (size_t)1 << ring_order;
	unsigned order = 2;
	while (((size_t)1 << order) < slots)
		order++;
	ring_order = order;
	return old;
}

size_t
globalq_test_rings_live(struct globalq *q) {
	return atomic_load(&q->live);
}

size_t
globalq_test_rings_created(struct globalq *q) {
	return atomic_load(&q->created);
}
#endif

TEST_HOOK_DEFINE(globalq);

const char globalq_variant[] = "lprq";
const int globalq_lockfree = 1;
/* no free cells and no growth in reserve: a full ring is replaced by the push that finds it */
const unsigned globalq_hook_points = 1u << GLOBALQ_HOOK_PUSH_CLAIMED |
    1u << GLOBALQ_HOOK_POP_CLAIMED | 1u << GLOBALQ_HOOK_PUSH_RESERVED |
    1u << GLOBALQ_HOOK_RING_APPENDED;
