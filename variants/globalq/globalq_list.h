#ifndef SKYBENCH_GLOBALQ_LIST_H
#define SKYBENCH_GLOBALQ_LIST_H

/* skynet's global queue (skynet_mq.c, since PR #208, Dec 2014): a singly linked FIFO of
 * mailboxes chained through their intrusive link, head and tail, under one lock. O(1), no
 * allocation, unbounded. The in_global protocol keeps a mailbox in the list at most once.
 *
 * One body, several locks: the including file defines `struct gqlock` and the static inline
 * functions gqlock_init/lock/unlock/destroy, then includes this header, which supplies the
 * whole globalq.h implementation. Only the lock differs between variants. */

#include "globalq.h"

#include <assert.h>
#include <stddef.h>

struct globalq {
	struct gqlock lock;
	struct message_queue *head;
	struct message_queue *tail;
};

struct globalq *
globalq_create(void) {
	struct globalq *q = skynet_malloc(sizeof(*q));
	gqlock_init(&q->lock);
	q->head = NULL;
	q->tail = NULL;
	return q;
}

void
globalq_release(struct globalq *q) {
	assert(q->head == NULL);
	gqlock_destroy(&q->lock);
	skynet_free(q);
}

void
globalq_push(struct globalq *q, struct message_queue *mq) {
	gqlock_lock(&q->lock);
	/* a mailbox already linked somewhere would be in the queue twice: in_global broken */
	assert(*skynet_mq_link(mq) == NULL);
	if (q->tail)
		*skynet_mq_link(q->tail) = mq;
	else
		q->head = mq;
	q->tail = mq;
	gqlock_unlock(&q->lock);
}

struct message_queue *
globalq_pop(struct globalq *q) {
	gqlock_lock(&q->lock);
	struct message_queue *mq = q->head;
	if (mq) {
		struct message_queue **link = skynet_mq_link(mq);
		q->head = *link;
		if (q->head == NULL) {
			assert(mq == q->tail);
			q->tail = NULL;
		}
		*link = NULL;
	}
	gqlock_unlock(&q->lock);
	return mq;
}

/* unbounded: nothing to make room for */
void
globalq_reserve(struct globalq *q, size_t mailboxes) {
	(void)q;
	(void)mailboxes;
}

#endif
