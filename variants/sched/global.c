/* skynet's scheduler: one global queue of runnable mailboxes (the globalq part), FIFO,
 * shared by every worker (skynet_server.c: skynet_globalmq_push / _pop). Who pushes and
 * why does not matter; a yielding worker requeues its mailbox only if the queue holds
 * another. Every pop is from the global queue, so it counts as an injection-queue pop. */

#include "scheduler.h"
#include "globalq.h"

#include <stdatomic.h>
#include <string.h>

const char sched_variant[] = "global";
const int sched_options_used = 0;
TEST_HOOK_DEFINE(sched);

struct counter {
	_Alignas(64) atomic_uint_least64_t pops;
};

static struct globalq *Q;
static struct counter *pops;	/* one per worker, then one for the other threads */
static int nworkers;

void
sched_init(int workers, const struct sched_options *opt) {
	(void)opt;
	nworkers = workers;
	pops = skynet_calloc(workers + 1, sizeof(*pops));
	Q = globalq_create();
}

void
sched_exit(void) {
	globalq_release(Q);
	Q = NULL;
	skynet_free(pops);
	pops = NULL;
}

void
sched_push(struct message_queue *q, enum sched_reason why, int worker) {
	(void)why;
	(void)worker;
	globalq_push(Q, q);
	skynet_sched_notify();
}

struct message_queue *
sched_pop(int worker, enum sched_pop_why why) {
	(void)why;
	struct message_queue *q = globalq_pop(Q);
	if (q) {
		struct counter *c = &pops[worker < 0 ? nworkers : worker];
		/* relaxed: a statistic, read after every worker has been joined; a worker's own
		 * line is written by that worker only, so a load and a store suffice (no RMW) */
		if (worker >= 0)
			atomic_store_explicit(&c->pops, atomic_load_explicit(&c->pops, memory_order_relaxed) + 1, memory_order_relaxed);
		else
			atomic_fetch_add_explicit(&c->pops, 1, memory_order_relaxed);
	}
	return q;
}

struct message_queue *
sched_drain(void) {
	return globalq_pop(Q);
}

void
sched_reserve(size_t mailboxes) {
	globalq_reserve(Q, mailboxes);
}

int
sched_runnable(int worker) {
	(void)worker;
	return 0;	/* the global queue cannot be peeked; the timer's tick wakes a worker */
}

void
sched_get_counters(int worker, struct sched_counters *out) {
	memset(out, 0, sizeof(*out));
	/* relaxed: read after the workers were joined */
	out->inject_pops = atomic_load_explicit(&pops[worker < 0 ? nworkers : worker].pops, memory_order_relaxed);
}
