#ifndef SKYBENCH_RUNTIME_SERVICES_H
#define SKYBENCH_RUNTIME_SERVICES_H

/* What the runtime lends to part implementations: the only runtime code a file under
 * variants/ can reach (the build gives variants/ no include path but runtime/parts/).
 * Each interface header says which of these its implementations call. A part test links
 * the implementations without the runtime and defines the functions below itself. */

/* skynet_malloc, _calloc, _realloc, _free: glibc's, as in skynet's NOUSE_JEMALLOC build */
#include "../skynet_malloc.h"
/* skynet's spinlock */
#include "../spinlock.h"

#include <stdint.h>

struct message_queue;
struct skynet_context;
struct skynet_message;

/* the mailbox part (mailbox.h): the intrusive link of a mailbox, for chaining mailboxes in
 * the global queue */
struct message_queue ** skynet_mq_link(struct message_queue *q);
/* the mailbox part (mailbox.h): the mailbox's dense id (skynet_mqid.h: distinct among live
 * mailboxes, below the largest count globalq_reserve was given), for an index-based queue */
uint32_t skynet_mq_id(struct message_queue *q);
/* skynet_mqid.c: the mailbox an id names, without a lock (two loads). Only for an id whose
 * mailbox's push happens before the call, e.g. an id dequeued from a queue that the pusher
 * published with a release and the caller took with an acquire (docs/verification.md,
 * section 16) */
struct message_queue * skynet_mqid_mailbox(uint32_t id);
/* the mailbox part (mailbox.h), for a scheduler handed back a mailbox it need not queue
 * (SCHED_REQUEUE): if q holds no message and no send is half done, park it as
 * skynet_mq_pop would on finding it empty (its next send makes it runnable again) and
 * return 1; else 0 */
int skynet_mq_park_if_empty(struct message_queue *q);

/* skynet_sched.c: a scheduler queued a mailbox that another worker could take; under the
 * eager wake policy this wakes a sleeping worker if none is already searching (a part test
 * that links a scheduler without the runtime defines it) */
void skynet_sched_notify(void);

/* skynet_server.c: a context's reference count, and delivery to a context kept alive */
void skynet_context_grab(struct skynet_context *);
struct skynet_context * skynet_context_release(struct skynet_context *);
void skynet_context_deliver(struct skynet_context *, struct skynet_message *message);

#endif
