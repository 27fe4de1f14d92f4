#ifndef SKYNET_SCHED_H
#define SKYNET_SCHED_H

/* The scheduler seam: where a runnable mailbox goes, where a worker finds the next one, and
 * how idle workers sleep and wake. Every "this mailbox became runnable" in the runtime is one
 * skynet_sched_push, naming why; the worker loop takes work only through skynet_sched_pop
 * and _yield, and sleeps only in skynet_sched_park. Where mailboxes wait is the sched part
 * (runtime/parts/scheduler.h: global, skynet's one queue; steal, a run queue per worker); what
 * every scheduler shares is here: which worker the calling thread is (workers are numbered
 * 0..count-1 by the worker loop, every other thread is -1), the sleeping workers, the wake
 * policy, the counters. */

#include <stddef.h>

#include "scheduler.h"

enum sched_wake {
	SCHED_WAKE_SKYNET,	/* skynet's: only the timer (each tick) and socket threads wake */
	SCHED_WAKE_EAGER,	/* Go's: also a push, when a worker sleeps and none is searching */
};

struct skynet_sched_config {
	enum sched_wake wake;
	struct sched_options opt;
	int counters;		/* print the counters at exit (skynet_sched_report) */
};
#define SKYNET_SCHED_CONFIG_DEFAULT { SCHED_WAKE_SKYNET, SCHED_OPTIONS_DEFAULT, 0 }

/* workers: how many worker threads the node runs (0 in tests that run none); cfg NULL:
 * the defaults */
void skynet_sched_init(int workers, const struct skynet_sched_config *cfg);
/* no thread may push or pop any more; the queue must be drained (skynet_sched_drain) */
void skynet_sched_exit(void);

/* The caller owns q's in_global flag (set it 0 -> 1, or holds the mailbox it popped): so a
 * mailbox is pushed at most once until popped. Lock order: mailbox lock -> scheduler. */
void skynet_sched_push(struct message_queue *q, enum sched_reason why);
/* the next runnable mailbox for the calling thread, which holds none, or NULL */
struct message_queue * skynet_sched_pop(void);
/* the calling worker holds a mailbox with more to do: the next one waiting, or NULL (then
 * it keeps its own) */
struct message_queue * skynet_sched_pop_yield(void);
/* for teardown, once every worker has stopped: any mailbox still runnable, or NULL; a
 * mailbox pushed again meanwhile (a release retry, from this thread) comes back too */
struct message_queue * skynet_sched_drain(void);
/* before a new mailbox exists: mailbox ids (skynet_mq_id) stay below the largest
 * count ever given here */
void skynet_sched_reserve(size_t mailboxes);

/* A worker that found nothing to do sleeps here until woken (or the node quits). */
void skynet_sched_park(void);
/* skynet's wakeup(): wake one sleeping worker if at least count - busy of them sleep */
void skynet_sched_wakeup(int busy);
/* the node stops: wake every worker, skynet_sched_quitting() is 1 from now on */
void skynet_sched_quit(void);
int skynet_sched_quitting(void);
/* every worker stopped: the counters on stderr, if the config asked for them */
void skynet_sched_report(void);
const char * skynet_sched_wake_name(enum sched_wake wake);

/* set once by each worker thread as it starts, id in 0..skynet_worker_count()-1 */
void skynet_sched_thread_start(int id);
/* the calling thread's worker number, or -1 if it is not a worker */
int skynet_worker_id(void);
/* the number of workers given to skynet_sched_init */
int skynet_worker_count(void);

#endif
