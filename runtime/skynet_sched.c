/* The scheduler seam (skynet_sched.h): the worker identity, parking and waking, the
 * counters; where mailboxes wait is the sched part (variants/sched/).
 *
 * Waking. skynet's policy: workers sleep on one condition variable; the timer thread wakes
 * one per 2.5 ms tick if any sleeps, the socket thread one if all sleep; a push wakes
 * nobody. With per-worker queues that tick is also what bounds how long a sleeping worker
 * can miss stealable work. The eager policy adds Go's rule (runtime/proc.go, wakep): a push
 * wakes one sleeping worker unless one is already searching; the woken worker searches
 * (holds the one search token), and when it finds work while others still sleep it passes
 * the token on, so work fans out one worker at a time without a thundering herd. */

#include "skynet_sched.h"
#include "handle.h"

#include "skynet_malloc.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct worker_state {
	uint64_t sleeps;
	uint64_t wakeups;
	char pad[64 - 2 * sizeof(uint64_t)];	/* one line per worker: each writes its own */
};

static struct skynet_sched_config C = SKYNET_SCHED_CONFIG_DEFAULT;
static int worker_count;
static struct worker_state *W;
/* -1 for every thread until the worker loop numbers it (skynet_sched_thread_start) */
static _Thread_local int worker_self = -1;
/* this worker holds the search token (eager policy) */
static _Thread_local int searching_self;

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static atomic_int sleeping;	/* workers in park; changed under mutex, read without it */
static atomic_int searching;	/* 1 while a woken worker holds the search token */
static int tokens;		/* under mutex: a token handed to whichever sleeper wakes */
static atomic_int quit;

void
skynet_sched_init(int workers, const struct skynet_sched_config *cfg) {
	static const struct skynet_sched_config dflt = SKYNET_SCHED_CONFIG_DEFAULT;
	C = cfg ? *cfg : dflt;
	worker_count = workers;
	W = skynet_calloc(workers > 0 ? workers : 1, sizeof(*W));
	atomic_store(&sleeping, 0);
	atomic_store(&searching, 0);
	atomic_store(&quit, 0);
	tokens = 0;
	sched_init(workers, &C.opt);
}

void
skynet_sched_exit(void) {
	sched_exit();
	skynet_free(W);
	W = NULL;
	worker_count = 0;
}

void
skynet_sched_push(struct message_queue *q, enum sched_reason why) {
	sched_push(q, why, worker_self);
}

/* the search token goes back; with work found and workers still asleep, it goes on */
static void
stop_searching(int found) {
	searching_self = 0;
	atomic_store(&searching, 0);
	if (found)
		skynet_sched_notify();
}

struct message_queue *
skynet_sched_pop(void) {
	struct message_queue *q = sched_pop(worker_self, SCHED_POP_IDLE);
	if (searching_self)
		stop_searching(q != NULL);
	return q;
}

struct message_queue *
skynet_sched_pop_yield(void) {
	return sched_pop(worker_self, SCHED_POP_YIELD);
}

struct message_queue *
skynet_sched_drain(void) {
	return sched_drain();
}

void
skynet_sched_reserve(size_t mailboxes) {
	sched_reserve(mailboxes);
}

void
skynet_sched_notify(void) {
	if (C.wake != SCHED_WAKE_EAGER)
		return;
	/* the push before this call and the load of sleeping below must not be reordered
	 * (a store-load pair, Dekker's with park's increment then sched_runnable): else a
	 * worker could go to sleep past the mailbox just queued while this sees no sleeper */
	atomic_thread_fence(memory_order_seq_cst);
	/* relaxed: the fence above orders it; a stale nonzero only costs a locked check */
	if (atomic_load_explicit(&sleeping, memory_order_relaxed) == 0 ||
	    atomic_load_explicit(&searching, memory_order_relaxed) != 0)
		return;
	int idle = 0;
	if (!atomic_compare_exchange_strong(&searching, &idle, 1))
		return;
	pthread_mutex_lock(&mutex);
	if (atomic_load(&sleeping) > tokens) {
		tokens++;
		pthread_cond_signal(&cond);
	} else {
		atomic_store(&searching, 0);
	}
	pthread_mutex_unlock(&mutex);
}

void
skynet_sched_park(void) {
	int self = worker_self;
	if (pthread_mutex_lock(&mutex)) {
		fprintf(stderr, "skybench-node: lock mutex error\n");
		exit(1);
	}
	/* seq_cst: the other half of notify's store-load pair (see there) */
	atomic_fetch_add(&sleeping, 1);
	/* "spurious wakeup" is harmless, because dispatch can be called at any time */
	skynet_handle_thread_offline();
	if (!atomic_load(&quit) && !sched_runnable(self)) {
		W[self].sleeps++;
		pthread_cond_wait(&cond, &mutex);
		W[self].wakeups++;
		if (tokens > 0) {
			tokens--;
			searching_self = 1;
		}
	}
	skynet_handle_thread_online();
	atomic_fetch_sub(&sleeping, 1);
	if (pthread_mutex_unlock(&mutex)) {
		fprintf(stderr, "unlock mutex error");
		exit(1);
	}
}

void
skynet_sched_wakeup(int busy) {
	/* relaxed: a heuristic read, as skynet's; a missed wakeup is repaired by the timer
	 * thread's next call 2.5 ms later */
	if (atomic_load_explicit(&sleeping, memory_order_relaxed) >= worker_count - busy) {
		/* signal sleep worker, "spurious wakeup" is harmless */
		pthread_cond_signal(&cond);
	}
}

void
skynet_sched_quit(void) {
	pthread_mutex_lock(&mutex);
	atomic_store(&quit, 1);
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&mutex);
}

int
skynet_sched_quitting(void) {
	/* relaxed: quit only ends the worker loop; the mutex orders everything that matters */
	return atomic_load_explicit(&quit, memory_order_relaxed);
}

const char *
skynet_sched_wake_name(enum sched_wake wake) {
	return wake == SCHED_WAKE_EAGER ? "eager" : "skynet";
}

static void
add(struct sched_counters *sum, const struct sched_counters *c) {
	sum->next_hits += c->next_hits;
	sum->local_pops += c->local_pops;
	sum->inject_pops += c->inject_pops;
	sum->steals += c->steals;
	sum->stolen += c->stolen;
	sum->injected += c->injected;
	sum->overflows += c->overflows;
}

static void
print_counters(const char *who, const struct sched_counters *c, uint64_t wakeups, uint64_t sleeps) {
	fprintf(stderr, "skybench-sched: worker=%s next_hits=%" PRIu64 " local_pops=%" PRIu64
		" inject_pops=%" PRIu64 " steals=%" PRIu64 " stolen=%" PRIu64 " injected=%" PRIu64
		" overflows=%" PRIu64 " wakeups=%" PRIu64 " sleeps=%" PRIu64 "\n", who,
		c->next_hits, c->local_pops, c->inject_pops, c->steals, c->stolen, c->injected,
		c->overflows, wakeups, sleeps);
}

void
skynet_sched_report(void) {
	if (!C.counters)
		return;
	fprintf(stderr, "skybench-sched: sched=%s wake=%s next=%d steal=%s inject=%d workers=%d\n",
		sched_variant, skynet_sched_wake_name(C.wake), C.opt.next,
		C.opt.steal_half ? "half" : "one", C.opt.inject, worker_count);
	struct sched_counters sum, c;
	memset(&sum, 0, sizeof(sum));
	uint64_t wakeups = 0, sleeps = 0;
	for (int i = 0; i < worker_count; i++) {
		char who[16];
		snprintf(who, sizeof(who), "%d", i);
		sched_get_counters(i, &c);
		print_counters(who, &c, W[i].wakeups, W[i].sleeps);
		add(&sum, &c);
		wakeups += W[i].wakeups;
		sleeps += W[i].sleeps;
	}
	sched_get_counters(-1, &c);
	add(&sum, &c);
	print_counters("all", &sum, wakeups, sleeps);
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
