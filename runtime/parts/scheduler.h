#ifndef SKYBENCH_SCHEDULER_H
#define SKYBENCH_SCHEDULER_H

/* The scheduler: where a runnable mailbox waits and which worker takes it next. A swappable
 * part, one implementation per file in variants/sched/, the Makefile links exactly one:
 * global (skynet's: one global queue of mailboxes, the globalq part) or steal (a run queue
 * per worker, a next slot, stealing, the globalq part as the injection queue).
 *
 * Only the runtime's seam (runtime/skynet_sched.c) calls these; it owns what every
 * scheduler shares: the worker identity, parking and waking workers (the wake policy), the
 * counters of sleeps and wake-ups, the options read from the config.
 *
 * An implementation defines: every operation of SCHED_OPS, sched_variant, sched_options_used
 * and the test hook (TEST_HOOK_DEFINE(sched)). It may call the globalq part (globalq.h),
 * and of the runtime (runtime_services.h): skynet_malloc & co, skynet's spinlock and
 * skynet_sched_notify().
 *
 * Contract, from skynet's in_global protocol: a mailbox is pushed only by the thread that
 * owns its in_global flag, so it is queued at most once; every pushed mailbox is returned
 * by exactly one pop (or drain); a mailbox pushed while workers run is eventually popped by
 * some worker as long as one keeps calling pop (none is stranded behind a busy or parked
 * worker: others can take it). */

#include <stddef.h>
#include <stdint.h>

#include "part_ops.h"
#include "runtime_services.h"
#include "test_hooks.h"

struct message_queue;

/* why a mailbox became runnable (an implementation may place it accordingly) */
enum sched_reason {
	SCHED_SEND,	/* a send made a parked mailbox runnable (skynet_mq_push) */
	SCHED_REQUEUE,	/* back of the line after a dispatch batch, others waiting */
	SCHED_RELEASE,	/* a retired mailbox, to be released by whoever pops it */
	SCHED_NEW,	/* a context's mailbox, once its init has succeeded */
	SCHED_STOP,	/* a stopping worker hands back the mailbox it held */
};

/* why a worker asks for the next mailbox */
enum sched_pop_why {
	SCHED_POP_IDLE,		/* it holds nothing: take work from anywhere, stealing included */
	SCHED_POP_YIELD,	/* it holds a mailbox with more to do: is another one waiting here? */
};

/* Tuning of steal, from the node's config (skynet_main.c); global uses none of them. */
struct sched_options {
	int next;	/* consecutive runs from the next slot before the ring's head goes first;
			 * 0: no next slot */
	int steal_half;	/* 1: a thief takes half of the victim's ring; 0: one mailbox */
	int inject;	/* every inject-th pop of a worker looks at the injection queue first */
};
#define SCHED_OPTIONS_DEFAULT { 3, 1, 61 }

/* What one worker's scheduling did (the seam adds sleeps and wake-ups). Written by that
 * worker only, read once every worker has stopped. */
struct sched_counters {
	uint64_t next_hits;	/* pops from the next slot */
	uint64_t local_pops;	/* pops from the worker's own ring */
	uint64_t inject_pops;	/* pops from the injection (global) queue */
	uint64_t steals;	/* successful steals */
	uint64_t stolen;	/* mailboxes those steals moved */
	uint64_t injected;	/* mailboxes pushed to the injection queue, overflow included */
	uint64_t overflows;	/* times the worker's ring was full */
};

#define SCHED_OPS(X) \
	/* workers: how many worker threads will call pop (0 in tests that run none) */ \
	X(void, sched_init, (int workers, const struct sched_options *opt)) \
	/* every mailbox was drained and no thread will call in again */ \
	X(void, sched_exit, (void)) \
	/* worker: the caller's worker number, or -1 for any other thread */ \
	X(void, sched_push, (struct message_queue *q, enum sched_reason why, int worker)) \
	/* the next mailbox for worker (-1: a thread that is not a worker), or NULL */ \
	X(struct message_queue *, sched_pop, (int worker, enum sched_pop_why why)) \
	/* one thread, every worker stopped: any mailbox still queued anywhere, or NULL */ \
	X(struct message_queue *, sched_drain, (void)) \
	/* before a new mailbox exists: how many will then exist (globalq_reserve) */ \
	X(void, sched_reserve, (size_t mailboxes)) \
	/* a worker about to sleep: 1 if it can see a mailbox it could take; 0 if none, or if \
	 * the implementation cannot tell cheaply (the timer's tick then wakes a worker) */ \
	X(int, sched_runnable, (int worker)) \
	/* worker's counters (-1: the pushes of threads that are not workers) */ \
	X(void, sched_get_counters, (int worker, struct sched_counters *out))

SCHED_OPS(PART_OP_DECLARE)

/* Which design this is, for --version and result rows. */
extern const char sched_variant[];
/* 1 if the implementation reads struct sched_options (the config rejects non-default
 * values for one that does not) */
extern const int sched_options_used;

/* Stall points (test_hooks.h). */
enum sched_hook_point {
	SCHED_HOOK_STEAL_CHOSEN,	/* a thief picked its victim, nothing taken yet */
	SCHED_HOOK_POINTS
};
TEST_HOOK_DECLARE(sched);

#endif
