/* The scheduler seam (skynet_sched.h), skynet's way: one global queue of runnable
 * mailboxes (the globalq part, variants/globalq/), FIFO, shared by every worker. The
 * reason a mailbox became runnable and the worker that pushed it do not matter here;
 * they are passed for schedulers that keep per-worker queues. */

#include "skynet_sched.h"
#include "globalq.h"

static struct globalq *Q;
static int worker_count;
/* -1 for every thread until the worker loop numbers it (skynet_sched_thread_start) */
static _Thread_local int worker_self = -1;

void
skynet_sched_init(int workers) {
	worker_count = workers;
	Q = globalq_create();
}

void
skynet_sched_exit(void) {
	globalq_release(Q);
	Q = NULL;
	worker_count = 0;
}

void
skynet_sched_push(struct message_queue *q, enum sched_reason why) {
	(void)why;
	globalq_push(Q, q);
}

struct message_queue *
skynet_sched_pop(void) {
	return globalq_pop(Q);
}

struct message_queue *
skynet_sched_drain(void) {
	return globalq_pop(Q);
}

void
skynet_sched_reserve(size_t mailboxes) {
	globalq_reserve(Q, mailboxes);
}

void
skynet_sched_thread_start(int id) {
	worker_self = id;
}

int
skynet_worker_id(void) {
	return worker_self;
}

int
skynet_worker_count(void) {
	return worker_count;
}
