#ifndef SKYNET_SCHED_H
#define SKYNET_SCHED_H

/* The scheduler seam: where a runnable mailbox goes and where a worker finds the next one.
 * Every "this mailbox became runnable" in the runtime is one skynet_sched_push, naming why;
 * the worker loop takes work only through skynet_sched_pop. The one implementation today
 * (skynet_sched.c) is skynet's: a single global queue (the globalq part), the reason
 * ignored, so behaviour and cost are those of a direct globalq_push / globalq_pop.
 *
 * Also here: which worker the calling thread is. Workers are numbered 0..count-1 by the
 * worker loop; every other thread (main, timer, socket, monitor, a service's own threads)
 * is -1. */

#include <stddef.h>

struct message_queue;

enum sched_reason {
	SCHED_SEND,	/* a send made a parked mailbox runnable (skynet_mq_push) */
	SCHED_REQUEUE,	/* back of the line after a dispatch batch, others waiting */
	SCHED_RELEASE,	/* a retired mailbox, to be released by whoever pops it */
	SCHED_NEW,	/* a context's mailbox, once its init has succeeded */
	SCHED_STOP,	/* a stopping worker hands back the mailbox it held */
};

/* workers: how many worker threads the node runs (0 in tests that run none) */
void skynet_sched_init(int workers);
/* no thread may push or pop any more; the queue must be drained (skynet_sched_drain) */
void skynet_sched_exit(void);

/* The caller owns q's in_global flag (set it 0 -> 1, or holds the mailbox it popped): so a
 * mailbox is pushed at most once until popped. Lock order: mailbox lock -> scheduler. */
void skynet_sched_push(struct message_queue *q, enum sched_reason why);
/* the next runnable mailbox for the calling worker, or NULL if there is none */
struct message_queue * skynet_sched_pop(void);
/* for teardown, once every worker has stopped: any mailbox still runnable, or NULL; a
 * mailbox pushed again meanwhile (a release retry, from this thread) comes back too */
struct message_queue * skynet_sched_drain(void);
/* before a new mailbox exists: mailbox ids (skynet_mq_id) stay below the largest
 * count ever given here */
void skynet_sched_reserve(size_t mailboxes);

/* set once by each worker thread as it starts, id in 0..skynet_worker_count()-1 */
void skynet_sched_thread_start(int id);
/* the calling thread's worker number, or -1 if it is not a worker */
int skynet_worker_id(void);
/* the number of workers given to skynet_sched_init */
int skynet_worker_count(void);

#endif
