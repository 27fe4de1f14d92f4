/* Global queue "ckring": Concurrency Kit's ck_ring in MPMC mode (libck 0.7.1,
 * ck_ring_enqueue_mpmc / ck_ring_dequeue_mpmc), the off-the-shelf peer of "mpmc".
 *
 * ck_ring is a bounded array ring: producers claim a ticket with a CAS on p_head, copy the
 * pointer, then wait until p_tail reaches their ticket before publishing it, so a producer
 * preempted between claim and publish stalls every later producer (blocking by design,
 * globalq_lockfree = 0); consumers CAS c_head after reading the slot. A ring of size n holds
 * n-1 items and cannot grow while in use.
 *
 * Capacity: fixed at CKRING_SIZE = 65536 slots (65535 mailboxes; skynet's own lock-free
 * ring of 2012-2014 had MAX_GLOBAL_MQ = 0x10000 slots too), 512 KiB. globalq_reserve
 * aborts, with a message naming the limit, when asked for more mailboxes than that; it
 * never grows the ring (growing would need a lock that every push and pop takes, which
 * would make this a different queue). Given the in_global contract push cannot then find
 * the ring full; if it does anyway, it aborts rather than lose a mailbox.
 *
 * Memory ordering around ck (ARM64): Debian's ck 0.7.1 predates upstream's stricter
 * ck_ring barriers. Its MPMC dequeue reads the slot, then issues ck_pr_fence_store_atomic
 * (a store-store barrier on ARM64) before the c_head CAS, and ck's native ARM64 CAS has no
 * release semantics: the slot read may complete after the CAS is visible, so a producer
 * that reuses the slot can overwrite it before we have read it. Fences in this wrapper
 * cannot reach inside ck's inlined loop, so on ARM64 ckring.mk compiles this file with
 * CK_USE_CC_BUILTINS=1, where every ck_pr CAS is a GCC __sync builtin (a full barrier:
 * LDAXR/STLXR + DMB, or CASAL), which orders the slot read before the CAS; the #error below
 * refuses an ARM64 build without it. In addition, around ck's calls:
 * - release fence before enqueue: the caller's writes to the mailbox happen-before the
 *   consumer that pops its pointer (ck's own fence_store sits only between the slot copy
 *   and the p_tail store);
 * - acquire fence after a successful dequeue: our later reads of the mailbox are ordered
 *   after the slot read (ck relies on address dependency, which C11 does not promise).
 * Both are free on x86 (compiler barriers only).
 *
 * ThreadSanitizer: built with variants/ck-tsan's include overlay (ckring.mk); ck_ring's
 * MPMC dequeue still reads a slot that a producer may be rewriting before its CAS fails,
 * by design; tests/tsan.supp suppresses exactly that function (_ck_ring_dequeue_mc). */

#include "globalq.h"

#include <ck_ring.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__aarch64__) && (!defined(CK_USE_CC_BUILTINS) || !CK_USE_CC_BUILTINS)
#error "ckring on ARM64 needs -DCK_USE_CC_BUILTINS=1 (ck 0.7.1 ck_ring lacks a barrier there; see the header)"
#endif

#define CKRING_SIZE 65536u

struct globalq {
	struct ck_ring ring;
	struct ck_ring_buffer *buf;
};

struct globalq *
globalq_create(void) {
	struct globalq *q = aligned_alloc(CK_MD_CACHELINE, sizeof(*q) + CK_MD_CACHELINE -
	    sizeof(*q) % CK_MD_CACHELINE);
	q->buf = aligned_alloc(CK_MD_CACHELINE, CKRING_SIZE * sizeof(q->buf[0]));
	if (q == NULL || q->buf == NULL) {
		fprintf(stderr, "globalq ckring: out of memory\n");
		abort();
	}
	ck_ring_init(&q->ring, CKRING_SIZE);
	return q;
}

void
globalq_release(struct globalq *q) {
	free(q->buf);
	free(q);
}

void
globalq_push(struct globalq *q, struct message_queue *mq) {
	/* release: the mailbox's contents reach whoever pops the pointer (see the header) */
	atomic_thread_fence(memory_order_release);
	if (!ck_ring_enqueue_mpmc(&q->ring, q->buf, mq)) {
		fprintf(stderr, "globalq ckring: ring of %u slots full: globalq_reserve was not "
		    "called for this mailbox\n", CKRING_SIZE);
		abort();
	}
}

struct message_queue *
globalq_pop(struct globalq *q) {
	struct message_queue *mq;
	if (!ck_ring_dequeue_mpmc(&q->ring, q->buf, &mq))
		return NULL;
	/* acquire: our reads of *mq come after the slot read (see the header) */
	atomic_thread_fence(memory_order_acquire);
	return mq;
}

void
globalq_reserve(struct globalq *q, size_t mailboxes) {
	(void)q;
	if (mailboxes > CKRING_SIZE - 1) {
		fprintf(stderr, "globalq ckring: %zu mailboxes exceed the fixed ring (%u slots hold "
		    "%u); use GLOBALQ=mpmc, which grows\n", mailboxes, CKRING_SIZE, CKRING_SIZE - 1);
		abort();
	}
}

TEST_HOOK_DEFINE(globalq);	/* no stall points: ck_ring's producers publish in ticket order */

const char globalq_variant[] = "ckring";
const int globalq_lockfree = 0;
const unsigned globalq_hook_points = 0;	/* none (above) */
