#ifndef SKYBENCH_GLOBALQ_H
#define SKYBENCH_GLOBALQ_H

/* The global queue of non-empty mailboxes: a swappable part. One implementation per file
 * in variants/globalq/, the Makefile links exactly one.
 *
 * Contract, from skynet's in_global protocol (skynet-notes.md section 3): a mailbox is
 * pushed only by the thread that owns its in_global flag, so it is never in the queue
 * twice; the queue therefore never holds more mailboxes than exist. Any number of threads
 * push and pop concurrently. FIFO. pop returns NULL only if the queue was empty at some
 * instant during the call (a spurious empty strands a service: that is a bug).
 * An implementation may chain mailboxes through skynet_mq_link(). */

#include <stddef.h>

struct message_queue;
struct globalq;

struct globalq * globalq_create(void);
/* The queue must be empty and no thread may use it any more. */
void globalq_release(struct globalq *);

void globalq_push(struct globalq *, struct message_queue *);
struct message_queue * globalq_pop(struct globalq *);

/* Called before a new mailbox exists, with the number of mailboxes that will then exist:
 * a bounded implementation grows (or chains) here so that push never finds it full. */
void globalq_reserve(struct globalq *, size_t mailboxes);

extern const char globalq_variant[];

/* supplied by the runtime (runtime/skynet_mq.c), or by a test that fakes mailboxes */
struct message_queue ** skynet_mq_link(struct message_queue *q);

#endif
