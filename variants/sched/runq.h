#ifndef SKYBENCH_RUNQ_H
#define SKYBENCH_RUNQ_H

/* A worker's bounded lock-free run queue of mailboxes, after Go's per-P runq (golang/go
 * src/runtime/proc.go: runqput, runqputslow, runqget, runqgrab, runqsteal; D. Vyukov,
 * "Scalable Go Scheduler Design Doc", 2012). Our own C11 code.
 *
 * A ring of RUNQ_SIZE mailbox pointers between two free-running 32-bit counters: the owner
 * alone writes slots and tail (push = slot store, then tail store-release); the owner and
 * thieves take from head with a CAS. A thief copies up to half of the victim's ring into its
 * own ring beyond its tail (invisible until it publishes its tail), then CASes the victim's
 * head: a thief stalled anywhere holds nothing, its CAS just fails later. A thief may read a
 * slot the owner is overwriting after a wrap (its CAS then fails), so slots are atomics.
 * Plus one `next` slot (Go's runnext): the owner puts and takes it, a thief takes it by CAS
 * when the ring is empty (so a parked owner never strands it).
 *
 * Invariants, linearization points and every order's reason: docs/verification.md, "The run
 * queue (SCHED=steal)"; model: verify/runq.pml. Counters wrap at 2^32 (a thief would have to
 * stall across 2^32 operations of one ring for its CAS to succeed on a stale head; Go
 * assumes the same). A struct runq is 64-byte aligned: allocate it with aligned_alloc or
 * inside an aligned struct. */

#include "test_hooks.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define RUNQ_SIZE 256

struct message_queue;

struct runq {
	/* owner and thieves CAS it */
	alignas(64) _Atomic uint32_t head;
	/* the owner stores it, thieves load it */
	alignas(64) _Atomic uint32_t tail;
	alignas(64) _Atomic(struct message_queue *) next;
	alignas(64) _Atomic(struct message_queue *) ring[RUNQ_SIZE];
};

/* Stall points for tests (runtime/parts/test_hooks.h): the part `runq`. The user that runs
 * them (a test, a benchmark, variants/sched/steal.c) defines the hook once with
 * TEST_HOOK_DEFINE(runq); without SKYBENCH_TEST_HOOKS the points compile to nothing. */
enum runq_hook_point {
	RUNQ_HOOK_STEAL_COPIED,		/* thief: slots copied into its ring, before its CAS on head */
	RUNQ_HOOK_STEAL_NEXT,		/* thief: victim's next slot loaded, before its CAS on it */
};
TEST_HOOK_DECLARE(runq);

static inline void
runq_init(struct runq *q) {
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
	atomic_init(&q->next, NULL);
	for (int i = 0; i < RUNQ_SIZE; i++)
		atomic_init(&q->ring[i], NULL);
}

/* owner only: append at the tail. Returns 0, or -1 if the ring is full (nothing done). */
static inline int
runq_push(struct runq *q, struct message_queue *mq) {
	/* acquire: pairs with the consumers' CAS-release, so their reads of the slot we are
	 * about to overwrite happen before our store */
	uint32_t h = atomic_load_explicit(&q->head, memory_order_acquire);
	/* relaxed: only this thread stores tail */
	uint32_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
	if (t - h >= RUNQ_SIZE)
		return -1;
	/* relaxed: published by the tail store-release below */
	atomic_store_explicit(&q->ring[t % RUNQ_SIZE], mq, memory_order_relaxed);
	/* release: the slot (and the mailbox's state) before the tail that makes it visible */
	atomic_store_explicit(&q->tail, t + 1, memory_order_release);
	return 0;
}

/* owner only, when runq_push found the ring full: takes the older half of the ring
 * (RUNQ_SIZE/2 mailboxes, oldest first) into batch[] and appends mq as batch[RUNQ_SIZE/2];
 * returns the count (RUNQ_SIZE/2 + 1) for the caller to push to the injection queue in that
 * order. If thieves emptied the ring meanwhile, it returns 0 and has pushed mq into the ring
 * instead (Go's runqputslow loop). */
static inline int
runq_overflow(struct runq *q, struct message_queue *mq, struct message_queue *batch[RUNQ_SIZE / 2 + 1]) {
	for (;;) {
		/* acquire: as in runq_push (we may store into a slot a thief just read) */
		uint32_t h = atomic_load_explicit(&q->head, memory_order_acquire);
		/* relaxed: only this thread stores tail */
		uint32_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
		if (t - h < RUNQ_SIZE) {
			/* relaxed / release: as in runq_push */
			atomic_store_explicit(&q->ring[t % RUNQ_SIZE], mq, memory_order_relaxed);
			atomic_store_explicit(&q->tail, t + 1, memory_order_release);
			return 0;
		}
		for (uint32_t i = 0; i < RUNQ_SIZE / 2; i++)
			/* relaxed: our own stores; the CAS below says whether they were still ours */
			batch[i] = atomic_load_explicit(&q->ring[(h + i) % RUNQ_SIZE], memory_order_relaxed);
		/* release: a thief that reads this head (acquire) then reads a tail >= it;
		 * relaxed on failure: we start over from a fresh acquire load */
		if (atomic_compare_exchange_strong_explicit(&q->head, &h, h + RUNQ_SIZE / 2,
				memory_order_release, memory_order_relaxed)) {
			batch[RUNQ_SIZE / 2] = mq;
			return RUNQ_SIZE / 2 + 1;
		}
	}
}

/* owner only: the oldest mailbox of the ring, or NULL. (Does not look at the next slot.) */
static inline struct message_queue *
runq_pop(struct runq *q) {
	/* relaxed: the slot we read is our own store, and the CAS below validates h (Go's
	 * LoadAcq here orders nothing we read: consumers write no slot) */
	uint32_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
	for (;;) {
		/* relaxed: only this thread stores tail */
		uint32_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
		if (t == h)
			return NULL;
		/* relaxed: our own store; a thief cannot have changed it (thieves write no slot) */
		struct message_queue *mq = atomic_load_explicit(&q->ring[h % RUNQ_SIZE], memory_order_relaxed);
		/* release: a thief that reads this head (acquire) then reads a tail >= it (the
		 * tail we read is sequenced before); no acquire needed: nothing a thief wrote is
		 * read after it (a thief's slot reads are ordered before our next overwrite by the
		 * acquire load of head in runq_push). relaxed on failure: h is reloaded by the
		 * CAS and checked again */
		if (atomic_compare_exchange_weak_explicit(&q->head, &h, h + 1,
				memory_order_release, memory_order_relaxed))
			return mq;
	}
}

/* owner only: put mq in the next slot; returns the mailbox it held before (the caller
 * pushes that one at the tail), or NULL. */
static inline struct message_queue *
runq_put_next(struct runq *q, struct message_queue *mq) {
	/* relaxed: a non-NULL value is our own store. NULL is the newest value (coherence: it
	 * follows our last store of a mailbox), and stays so until we store: thieves only
	 * replace a mailbox with NULL. So an empty slot, the common case (the last run came
	 * from it), takes a plain store, not a locked exchange */
	if (atomic_load_explicit(&q->next, memory_order_relaxed) == NULL) {
		/* release: a thief that takes mq (acquire) sees the mailbox as we left it */
		atomic_store_explicit(&q->next, mq, memory_order_release);
		return NULL;
	}
	/* release: as above; no acquire: the old value is our own store. An exchange, not a
	 * store: a thief's CAS and this take the old mailbox exactly once between them */
	return atomic_exchange_explicit(&q->next, mq, memory_order_release);
}

/* owner only: take the next slot's mailbox, or NULL (a thief may have taken it). */
static inline struct message_queue *
runq_take_next(struct runq *q) {
	/* relaxed: a non-NULL value is our own store; the load spares the line a write when
	 * empty, and the exchange decides the race with a thief's CAS */
	if (atomic_load_explicit(&q->next, memory_order_relaxed) == NULL)
		return NULL;
	return atomic_exchange_explicit(&q->next, NULL, memory_order_relaxed);
}

/* thief: victim's next slot (only when its ring is empty: Go steals runnext only then).
 * Returns 1 and *mq (NULL if the slot was empty), or 0 if the CAS lost a race (look again:
 * the owner may have moved it to the ring). */
static inline int
runq_steal_next_(struct runq *victim, struct message_queue **mq) {
	/* relaxed: a hint; the CAS acquires */
	*mq = atomic_load_explicit(&victim->next, memory_order_relaxed);
	if (*mq == NULL)
		return 1;
	TEST_HOOK(runq, RUNQ_HOOK_STEAL_NEXT);
	/* acquire: pairs with runq_put_next's release (the owner may have taken mq and put it
	 * back since our load: the CAS reads the newest store, which it acquires); relaxed on
	 * failure: the owner or another thief took it */
	return atomic_compare_exchange_strong_explicit(&victim->next, mq, NULL,
		memory_order_acquire, memory_order_relaxed);
}

/* any thread but victim's owner, `mine` owned by the calling thread (and empty: the caller
 * steals only when its own ring is empty): moves half (rounded up) of victim's ring, or one
 * mailbox if half == 0, into `mine`, returns one of them to run now (the last one moved,
 * not published into `mine`), or NULL if nothing was taken. If victim's ring is empty it
 * takes victim's next slot instead (Go steals runnext only then). `mine` may be NULL (a
 * thread without a ring, e.g. teardown or a non-worker): then take exactly one. *nmoved (if
 * not NULL) is set to how many mailboxes left victim (including the returned one). */
static inline struct message_queue *
runq_steal(struct runq *mine, struct runq *victim, int half, int *nmoved) {
	/* relaxed: only this thread (mine's owner) stores mine's tail; as mine is empty, the
	 * slots from t on are free and no thief of ours reads them before we publish t */
	uint32_t mt = mine ? atomic_load_explicit(&mine->tail, memory_order_relaxed) : 0;
	struct message_queue *last;
	uint32_t n;
	for (;;) {
		/* acquire: pairs with the CAS-release of whoever moved head to h (owner or thief),
		 * which had read a tail >= h before it, so the tail we read next is >= h too */
		uint32_t h = atomic_load_explicit(&victim->head, memory_order_acquire);
		/* acquire: pairs with the owner's tail store-release, so the slots below it (and
		 * the mailboxes in them) are visible */
		uint32_t t = atomic_load_explicit(&victim->tail, memory_order_acquire);
		uint32_t size = t - h;
		if (size == 0) {
			if (!runq_steal_next_(victim, &last))
				continue;
			n = last != NULL;
			break;
		}
		if (size > RUNQ_SIZE)	/* head moved on between our two loads: read again */
			continue;
		n = (half && mine) ? size - size / 2 : 1;
		for (uint32_t i = 0; i + 1 < n; i++)
			/* relaxed: victim's slot may be overwritten after a wrap, then our CAS fails;
			 * our own slot beyond our tail is published by the tail store-release below */
			atomic_store_explicit(&mine->ring[(mt + i) % RUNQ_SIZE],
				atomic_load_explicit(&victim->ring[(h + i) % RUNQ_SIZE], memory_order_relaxed),
				memory_order_relaxed);
		/* relaxed: as above */
		last = atomic_load_explicit(&victim->ring[(h + n - 1) % RUNQ_SIZE], memory_order_relaxed);
		TEST_HOOK(runq, RUNQ_HOOK_STEAL_COPIED);
		/* release: our slot reads happen before the owner's overwrite of those slots (it
		 * loads head with acquire before storing a slot); relaxed on failure: start over */
		if (atomic_compare_exchange_strong_explicit(&victim->head, &h, h + n,
				memory_order_release, memory_order_relaxed))
			break;
	}
	if (n > 1)
		/* release: the copied slots (and their mailboxes) before the tail that shows them */
		atomic_store_explicit(&mine->tail, mt + n - 1, memory_order_release);
	if (nmoved)
		*nmoved = (int)n;
	return last;
}

/* any thread, approximate (a snapshot): 1 if the ring or the next slot holds something.
 * Go's runqempty loop: the owner moving a mailbox from the next slot to the ring between
 * our loads must not make both look empty, so the snapshot is taken while tail is stable. */
static inline int
runq_nonempty(const struct runq *q) {
	for (;;) {
		/* acquire (all three): a later load is not satisfied before an earlier one, so a
		 * stable tail brackets the next-slot load */
		uint32_t h = atomic_load_explicit((_Atomic uint32_t *)&q->head, memory_order_acquire);
		uint32_t t = atomic_load_explicit((_Atomic uint32_t *)&q->tail, memory_order_acquire);
		struct message_queue *next = atomic_load_explicit((_Atomic(struct message_queue *) *)&q->next,
			memory_order_acquire);
		if (t == atomic_load_explicit((_Atomic uint32_t *)&q->tail, memory_order_acquire))
			return t != h || next != NULL;
	}
}

#endif
