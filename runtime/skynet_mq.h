#ifndef SKYNET_MESSAGE_QUEUE_H
#define SKYNET_MESSAGE_QUEUE_H

/* Per-service message queues (mailboxes): skynet's doubling ring under a spinlock, the
 * in_global flag, the overload ladder. A mailbox that becomes runnable is handed to the
 * scheduler (skynet_sched.h), whose global queue is a swappable part (variants/globalq). */

#include <stdlib.h>
#include <stdint.h>

struct skynet_message {
	uint32_t source;
	int session;
	void * data;
	size_t sz;
};

/* the message type is packed into the top byte of sz */
#define MESSAGE_TYPE_MASK (SIZE_MAX >> 8)
#define MESSAGE_TYPE_SHIFT ((sizeof(size_t)-1) * 8)

#define DEFAULT_QUEUE_SIZE 64
#define MQ_OVERLOAD 1024

struct message_queue;

struct message_queue * skynet_mq_create(uint32_t handle);
void skynet_mq_mark_release(struct message_queue *q);

typedef void (*message_drop)(struct skynet_message *, void *);

void skynet_mq_release(struct message_queue *q, message_drop drop_func, void *ud);
uint32_t skynet_mq_handle(struct message_queue *);
/* dense and reusable: distinct among live mailboxes, below the largest number of mailboxes
 * that existed at once (skynet_mqid.h); immutable, read without the lock */
uint32_t skynet_mq_id(struct message_queue *);

/* 0 for success */
int skynet_mq_pop(struct message_queue *q, struct skynet_message *message);
void skynet_mq_push(struct message_queue *q, struct skynet_message *message);

/* Hands every pending message to func without parking the mailbox (pop parks an empty one):
 * for a mailbox that is still linked in the global queue. */
void skynet_mq_drain(struct message_queue *q, message_drop func, void *ud);

/* return the length of message queue, for debug */
int skynet_mq_length(struct message_queue *q);
int skynet_mq_overload(struct message_queue *q);

/* The intrusive link a global-queue variant may use to chain mailboxes: a mailbox is in
 * the global queue at most once (in_global), so one link field suffices. */
struct message_queue ** skynet_mq_link(struct message_queue *q);

#endif
