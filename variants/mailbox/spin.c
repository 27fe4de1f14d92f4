/* spin: skynet's mailbox (skynet-src/skynet_mq.c): a ring of messages that doubles when
 * full, under a spinlock, with the in_global flag as the scheduled state. */

#include "mailbox.h"

#include <assert.h>

const char mailbox_variant[] = "spin";
const int mailbox_lockfree = 0;
TEST_HOOK_DEFINE(mailbox);

#define MQ_IN_GLOBAL 1

struct message_queue {
	struct spinlock lock;
	uint32_t handle;
	uint32_t id;	/* dense, reusable (skynet_mqid.h) */
	int cap;
	int head;
	int tail;
	int release;
	int in_global;
	int overload;
	int overload_threshold;
	struct skynet_message *queue;
	struct message_queue *next;	/* intrusive link for list-based global queues */
};

struct message_queue *
mailbox_new(uint32_t handle, uint32_t id) {
	struct message_queue *q = skynet_malloc(sizeof(*q));
	q->handle = handle;
	q->id = id;
	q->cap = DEFAULT_QUEUE_SIZE;
	q->head = 0;
	q->tail = 0;
	spinlock_init(&q->lock);
	/* in_global is set at creation: messages sent during init must not put the mailbox
	 * in the global queue; skynet_context_new pushes it once init has succeeded. */
	q->in_global = MQ_IN_GLOBAL;
	q->release = 0;
	q->overload = 0;
	q->overload_threshold = MQ_OVERLOAD;
	q->queue = skynet_malloc(sizeof(struct skynet_message) * q->cap);
	q->next = NULL;
	return q;
}

void
mailbox_delete(struct message_queue *q) {
	assert(q->next == NULL && q->head == q->tail);
	spinlock_destroy(&q->lock);
	skynet_free(q->queue);
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

int
skynet_mq_length(struct message_queue *q) {
	int head, tail, cap;
	spinlock_lock(&q->lock);
	head = q->head;
	tail = q->tail;
	cap = q->cap;
	spinlock_unlock(&q->lock);
	if (head <= tail)
		return tail - head;
	return tail + cap - head;
}

int
skynet_mq_overload(struct message_queue *q) {
	if (q->overload) {
		int overload = q->overload;
		q->overload = 0;
		return overload;
	}
	return 0;
}

/* the oldest message of a non-empty ring; the caller holds the lock */
static inline void
take_head(struct message_queue *q, struct skynet_message *message) {
	*message = q->queue[q->head++];
	if (q->head >= q->cap)
		q->head = 0;
}

/* under q's lock, q empty: parked, the next push makes it runnable again */
static inline void
park(struct message_queue *q) {
	q->overload_threshold = MQ_OVERLOAD;
	q->in_global = 0;
}

int
skynet_mq_pop(struct message_queue *q, struct skynet_message *message) {
	int ret = MQ_PARKED;
	spinlock_lock(&q->lock);
	if (q->head != q->tail) {
		take_head(q, message);
		ret = MQ_MESSAGE;
		int length = q->tail - q->head;
		if (length < 0)
			length += q->cap;
		while (length > q->overload_threshold) {
			q->overload = length;
			q->overload_threshold *= 2;
		}
	} else {
		park(q);
	}
	spinlock_unlock(&q->lock);
	return ret;
}

int
mailbox_take(struct message_queue *q, struct skynet_message *message) {
	spinlock_lock(&q->lock);
	int empty = q->head == q->tail;
	if (!empty)
		take_head(q, message);
	spinlock_unlock(&q->lock);
	return empty;
}

int
skynet_mq_park_if_empty(struct message_queue *q) {
	spinlock_lock(&q->lock);
	int empty = q->head == q->tail;
	if (empty)
		park(q);
	spinlock_unlock(&q->lock);
	return empty;
}

static void
expand_queue(struct message_queue *q) {
	struct skynet_message *new_queue = skynet_malloc(sizeof(struct skynet_message) * q->cap * 2);
	for (int i = 0; i < q->cap; i++)
		new_queue[i] = q->queue[(q->head + i) % q->cap];
	q->head = 0;
	q->tail = q->cap;
	q->cap *= 2;
	skynet_free(q->queue);
	q->queue = new_queue;
}

void
skynet_mq_push(struct message_queue *q, struct skynet_message *message) {
	assert(message);
	spinlock_lock(&q->lock);
	q->queue[q->tail] = *message;
	if (++q->tail >= q->cap)
		q->tail = 0;
	if (q->head == q->tail)
		expand_queue(q);
	if (q->in_global == 0) {
		q->in_global = MQ_IN_GLOBAL;
		/* lock order is always mailbox lock -> scheduler */
		skynet_sched_push(q, SCHED_SEND);
	}
	spinlock_unlock(&q->lock);
}

void
skynet_mq_mark_release(struct message_queue *q) {
	spinlock_lock(&q->lock);
	assert(q->release == 0);
	q->release = 1;
	if (q->in_global != MQ_IN_GLOBAL) {
		/* skynet leaves in_global at 0 here; setting it keeps the "in the global queue at
		 * most once" invariant airtight for bounded global queues, and changes nothing
		 * else: no send can reach a mailbox whose context is destroyed. */
		q->in_global = MQ_IN_GLOBAL;
		skynet_sched_push(q, SCHED_RELEASE);
	}
	spinlock_unlock(&q->lock);
}

int
mailbox_released(struct message_queue *q) {
	spinlock_lock(&q->lock);
	int released = q->release;
	spinlock_unlock(&q->lock);
	return released;
}
