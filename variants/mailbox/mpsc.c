/* mpsc: a lock-free mailbox whose scheduled state lives in the queue itself.
 *
 * The queue is D. Vyukov's intrusive multi-producer single-consumer queue ("Intrusive MPSC
 * node-based queue", 1024cores.net, 2010): senders exchange the head pointer and then link
 * the previous node to theirs; the consumer follows next pointers from a stub. As in Pony's
 * actor message queue (ponyc, src/libponyrt/actor/messageq.c), bit 0 of head says "parked":
 * the one sender whose exchange returns a marked pointer made the mailbox runnable and
 * schedules it (before it links its node), and the consumer parks with one CAS of head from its stub to the marked
 * stub, which fails if a send slipped in. So a send is one atomic read-modify-write, and
 * neither side takes a lock.
 *
 * Not linearizable: a sender stalled between its exchange and its link hides the messages
 * sent after it until it resumes. pop then answers MQ_BUSY: the mailbox stays scheduled and
 * is tried again, it is never parked while a send is half done (docs/verification.md,
 * section 14, with the model verify/mailbox.pml).
 *
 * skynet copies each message by value: nodes come from per-thread free lists
 * (node_pool.h), no malloc per message once the lists are warm. The length (STAT mqlen,
 * the dispatch weights, the overload ladder) is counted by the consumer alone: it walks
 * the linked nodes once each, so no counter is shared with the senders. */

#include "mailbox.h"
#include "node_pool.h"

#include <assert.h>
#include <stdatomic.h>

const char mailbox_variant[] = "mpsc";
const int mailbox_lockfree = 1;
TEST_HOOK_DEFINE(mailbox);

#define PARKED_BIT ((uintptr_t)1)
#define CACHE_LINE 64

struct message_queue {
	/* the senders' line */
	_Atomic uintptr_t head;	/* the last node pushed; PARKED_BIT: not scheduled */
	char pad0[CACHE_LINE - sizeof(uintptr_t)];
	/* the consumer's line */
	struct mpsc_node *tail;	/* the stub: its next is the oldest message */
	struct mpsc_node *scan;	/* the last node known to be linked; tail..scan are */
	int ahead;		/* ahead nodes, each a message ready to take */
	int overload;
	int overload_threshold;
	char pad1[CACHE_LINE - 2 * sizeof(void *) - 3 * sizeof(int)];
	/* read by every side, written once */
	uint32_t handle;
	uint32_t id;	/* dense, reusable (skynet_mqid.h) */
	_Atomic int release;
	struct message_queue *next;	/* intrusive link for list-based global queues */
};

struct message_queue *
mailbox_new(uint32_t handle, uint32_t id) {
	struct message_queue *q = skynet_malloc(sizeof(*q));
	struct mpsc_node *stub = node_alloc();
	node_set_next(stub, NULL);
	/* created scheduled (no PARKED_BIT): skynet_context_new pushes it once init is done.
	 * Initialized before any other thread can know q: the handle table's publication of
	 * the context orders these stores. */
	atomic_init(&q->head, (uintptr_t)stub);
	q->tail = q->scan = stub;
	q->ahead = 0;
	q->overload = 0;
	q->overload_threshold = MQ_OVERLOAD;
	q->handle = handle;
	q->id = id;
	atomic_init(&q->release, 0);
	q->next = NULL;
	return q;
}

void
mailbox_delete(struct message_queue *q) {
	assert(q->next == NULL && q->ahead == 0 && node_next(q->tail) == NULL);
	node_free(q->tail);
	skynet_free(q);
}

uint32_t
skynet_mq_handle(struct message_queue *q) {
	return q->handle;
}

uint32_t
skynet_mq_id(struct message_queue *q) {
	return q->id;
}

struct message_queue **
skynet_mq_link(struct message_queue *q) {
	return &q->next;
}

void
skynet_mq_push(struct message_queue *q, struct skynet_message *message) {
	assert(message);
	struct mpsc_node *n = node_alloc();
	n->msg = *message;
	node_set_next(n, NULL);
	/* acq_rel. release: the next sender links to n, so it must see n->next = NULL first
	 * (and the consumer reads n->msg only after the link below anyway); acquire: a
	 * sender that finds PARKED_BIT takes the mailbox over, with the consumer state the
	 * parking CAS released, and hands it to the scheduler */
	uintptr_t prev = atomic_exchange_explicit(&q->head, (uintptr_t)n, memory_order_acq_rel);
	TEST_HOOK(mailbox, MAILBOX_HOOK_PUSH_EXCHANGED);
	/* schedule before the link, so that a message anyone can see is in a runnable mailbox,
	 * as under spin's lock (a consumer that comes early finds MQ_BUSY and retries) */
	if (prev & PARKED_BIT)
		skynet_sched_push(q, SCHED_SEND);
	struct mpsc_node *p = (struct mpsc_node *)(prev & ~PARKED_BIT);
	/* release: publishes n->msg to the consumer, whose acquire load of p->next reads it.
	 * p is alive: the consumer frees a node only after passing it, i.e. after this link */
	atomic_store_explicit(&p->next, n, memory_order_release);
}

/* consumer: counts the nodes linked after scan; the number of messages ready */
static inline int
count_linked(struct message_queue *q) {
	struct mpsc_node *n;
	/* acquire: pairs with the link's release in push, so n->msg is visible */
	while ((n = atomic_load_explicit(&q->scan->next, memory_order_acquire)) != NULL) {
		q->scan = n;
		q->ahead++;
	}
	return q->ahead;
}

/* consumer, q->ahead > 0: the oldest message; the old stub goes back to the pool */
static inline void
take(struct message_queue *q, struct skynet_message *message) {
	struct mpsc_node *stub = q->tail;
	/* relaxed: count_linked already read this link with acquire */
	struct mpsc_node *n = atomic_load_explicit(&stub->next, memory_order_relaxed);
	*message = n->msg;
	q->tail = n;
	q->ahead--;
	node_free(stub);
}

/* consumer, nothing linked: park q unless a send has begun (MQ_PARKED / MQ_BUSY) */
static int
try_park(struct message_queue *q) {
	uintptr_t stub = (uintptr_t)q->tail;
	/* relaxed: only compared. It cannot be older than stub: stub became the last node by
	 * an exchange that happened before the link (or the schedule) this thread acquired */
	uintptr_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
	if (h != stub)
		return MQ_BUSY;	/* exchanged, not linked yet */
	int threshold = q->overload_threshold;
	q->overload_threshold = MQ_OVERLOAD;
	/* release: once parked, the next sender hands q to another consumer, which must see
	 * this thread's tail, scan, ahead and threshold (it acquires them through the sender's
	 * exchange and the scheduler); relaxed on failure: nothing read is used */
	if (atomic_compare_exchange_strong_explicit(&q->head, &h, stub | PARKED_BIT,
			memory_order_release, memory_order_relaxed))
		return MQ_PARKED;
	q->overload_threshold = threshold;	/* still ours: a send slipped in */
	return MQ_BUSY;
}

int
skynet_mq_pop(struct message_queue *q, struct skynet_message *message) {
	if (q->ahead == 0 && count_linked(q) == 0) {
		if (try_park(q) == MQ_PARKED)
			return MQ_PARKED;
		/* a send slipped in: linked by now, or half done */
		if (count_linked(q) == 0)
			return MQ_BUSY;
	}
	take(q, message);
	int length = count_linked(q);
	while (length > q->overload_threshold) {
		q->overload = length;
		q->overload_threshold *= 2;
	}
	return MQ_MESSAGE;
}

int
mailbox_take(struct message_queue *q, struct skynet_message *message) {
	if (q->ahead == 0 && count_linked(q) == 0)
		return 1;
	take(q, message);
	return 0;
}

int
skynet_mq_park_if_empty(struct message_queue *q) {
	if (q->ahead || count_linked(q))
		return 0;
	return try_park(q) == MQ_PARKED;
}

int
skynet_mq_length(struct message_queue *q) {
	return count_linked(q);
}

int
skynet_mq_overload(struct message_queue *q) {
	int overload = q->overload;
	q->overload = 0;
	return overload;
}

void
skynet_mq_mark_release(struct message_queue *q) {
	assert(atomic_load_explicit(&q->release, memory_order_relaxed) == 0);
	/* Parked or not is decided before release is published: once a holder can see release
	 * it frees q (skynet_mq_release), so the store below is our last access to a scheduled q.
	 * No send or turn can start now (the context is gone, docs/verification.md section 15),
	 * so nobody else changes the parked state under us.
	 * acquire: like a sender, a thread that unparks q takes over the consumer state the
	 * parking CAS released */
	uintptr_t h = atomic_load_explicit(&q->head, memory_order_acquire);
	while (h & PARKED_BIT) {
		/* acq_rel on success, as the load above; acquire on failure: h is tested again */
		if (atomic_compare_exchange_weak_explicit(&q->head, &h, h & ~PARKED_BIT,
				memory_order_acq_rel, memory_order_acquire)) {
			/* q is ours until the push publishes it (with this store) to a consumer */
			atomic_store_explicit(&q->release, 1, memory_order_release);
			skynet_sched_push(q, SCHED_RELEASE);
			return;
		}
	}
	/* scheduled: its holder requeues it until it sees release, then frees it; release: the
	 * consumer that finds it (acquire, mailbox_released) then drops the messages, which
	 * their links published */
	atomic_store_explicit(&q->release, 1, memory_order_release);
}

int
mailbox_released(struct message_queue *q) {
	/* acquire: pairs with mark_release's store */
	return atomic_load_explicit(&q->release, memory_order_acquire);
}
