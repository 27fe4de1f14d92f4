#ifndef SKYNET_MESSAGE_QUEUE_H
#define SKYNET_MESSAGE_QUEUE_H

/* Per-service message queues (mailboxes). The mailbox itself is a swappable part
 * (runtime/parts/mailbox.h: the message, push, pop, the scheduled state, the overload
 * ladder); this file adds what every mailbox shares: its dense id, the scheduler's
 * reservation, and the release of a mailbox with its pending messages. A mailbox that
 * becomes runnable is handed to the scheduler (skynet_sched.h). */

#include "mailbox.h"

struct message_queue * skynet_mq_create(uint32_t handle);

typedef void (*message_drop)(struct skynet_message *, void *);

/* the consumer of a mailbox whose context is gone: if mark_release has run, hands each
 * pending message to drop_func (NULL: dropped silently) and frees the mailbox; else pushes
 * it again (SCHED_RELEASE) to retry once the context is destroyed */
void skynet_mq_release(struct message_queue *q, message_drop drop_func, void *ud);

/* Hands every pending message to func without parking the mailbox (pop parks an empty one):
 * for a mailbox that is still linked in the global queue. */
void skynet_mq_drain(struct message_queue *q, message_drop func, void *ud);

#endif
