/* steal: a run queue per worker, with a next slot, an injection queue and work stealing.
 *
 * The design is Go's scheduler (runtime/proc.go: runqput with runnext, runqget, findRunnable
 * and stealWork; the every-61st look at the global queue) with Tokio's budget on its LIFO
 * slot (tokio/src/runtime/scheduler/multi_thread/worker.rs: MAX_LIFO_POLLS_PER_TICK):
 * - A mailbox a worker's own send made runnable goes to that worker's next slot and runs
 *   next, so a pair of services that talk to each other stays on one worker and its lines
 *   stay in one cache. After `next` consecutive runs from the slot, the slot's mailbox goes
 *   to the back of the ring instead, so one chatty pair cannot starve the rest.
 * - A mailbox handed back empty after its batch is parked rather than queued (it would only
 *   be popped to be parked), so its next sender's worker adopts it.
 * - Everything else a worker makes runnable (back of the line after a batch, a new
 *   service, a retired mailbox) goes to the tail of its own ring (runq.h), never to the
 *   next slot.
 * - Threads that are not workers (timer, socket, main), a stopping worker, and a full ring's
 *   overflow (half of it) push to the injection queue: the globalq part, so every global
 *   queue implementation still runs. Each worker looks there first on every inject-th pop,
 *   so injected work never starves behind a busy ring, and whenever its ring is empty.
 * - A worker with nothing left steals half of a victim's ring (or its next slot when the
 *   ring is empty), victims tried from a random one on.
 * Waking sleeping workers is the seam's (skynet_sched.c: skynet_sched_notify). */

#include "scheduler.h"
#include "globalq.h"
#include "runq.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

const char sched_variant[] = "steal";
const int sched_options_used = 1;
TEST_HOOK_DEFINE(sched);
TEST_HOOK_DEFINE(runq);

struct worker {
	struct runq rq;
	/* the rest is the owner's only */
	_Alignas(64) int next_runs;	/* consecutive runs from the next slot */
	int inject_countdown;		/* pops left until the injection queue goes first */
	uint32_t rand;
	struct sched_counters c;	/* read by others only after the owner was joined */
};

static struct worker *W;
static int nworkers;
static struct sched_options O;
static struct globalq *Q;
/* How many mailboxes the injection queue holds, about: raised after each push, lowered
 * after each pop, so it is never above the truth for long and is exact when quiet. A
 * worker reads it before it takes the injection queue's lock: an empty one costs a load of
 * a line that is written only when mailboxes are injected. */
static _Alignas(64) atomic_long inject_len;
/* the counters of threads that are not workers */
static _Alignas(64) atomic_uint_least64_t outside_injected;
static atomic_uint_least64_t outside_pops;

void
sched_init(int workers, const struct sched_options *opt) {
	nworkers = workers;
	O = *opt;
	/* aligned: a struct runq keeps head, tail and next on lines of their own */
	size_t n = workers > 0 ? (size_t)workers : 1;
	W = aligned_alloc(_Alignof(struct worker), n * sizeof(*W));
	memset(W, 0, n * sizeof(*W));
	for (int i = 0; i < workers; i++) {
		runq_init(&W[i].rq);
		W[i].inject_countdown = O.inject;
		W[i].rand = 0x9e3779b9u * (uint32_t)(i + 1);
	}
	atomic_store(&inject_len, 0);
	atomic_store(&outside_injected, 0);
	atomic_store(&outside_pops, 0);
	Q = globalq_create();
}

void
sched_exit(void) {
	globalq_release(Q);
	Q = NULL;
	free(W);	/* aligned_alloc's, not skynet_malloc's */
	W = NULL;
}

static void
inject(struct message_queue *q) {
	globalq_push(Q, q);
	/* relaxed: a hint (see inject_len); the queue itself orders the mailbox */
	atomic_fetch_add_explicit(&inject_len, 1, memory_order_relaxed);
}

static struct message_queue *
inject_pop(void) {
	/* relaxed: a hint; a stale 0 delays the mailbox to a later look, never loses it */
	if (atomic_load_explicit(&inject_len, memory_order_relaxed) <= 0)
		return NULL;
	struct message_queue *q = globalq_pop(Q);
	if (q)
		atomic_fetch_sub_explicit(&inject_len, 1, memory_order_relaxed);
	return q;
}

/* the owner appends q to its ring; a full ring sends half of itself, and q, to the
 * injection queue (Go's runqputslow) */
static void
local_push(struct worker *w, struct message_queue *q) {
	if (runq_push(&w->rq, q) == 0)
		return;
	struct message_queue *batch[RUNQ_SIZE / 2 + 1];
	int n = runq_overflow(&w->rq, q, batch);
	if (n == 0)
		return;	/* thieves made room: q went into the ring */
	w->c.overflows++;
	w->c.injected += n;
	for (int i = 0; i < n; i++)
		inject(batch[i]);
}

void
sched_push(struct message_queue *q, enum sched_reason why, int worker) {
	if (worker < 0 || why == SCHED_STOP) {
		inject(q);
		if (worker < 0)
			atomic_fetch_add_explicit(&outside_injected, 1, memory_order_relaxed);	/* relaxed: a statistic */
		else
			W[worker].c.injected++;
	} else {
		struct worker *w = &W[worker];
		/* an empty mailbox at the back of the line would only be popped to be parked;
		 * parked now, its next sender's worker adopts it (next slot): a pair that talks
		 * comes to live on one worker */
		if (why == SCHED_REQUEUE && skynet_mq_park_if_empty(q))
			return;
		if (why == SCHED_SEND && O.next > 0)
			q = runq_put_next(&w->rq, q);	/* the one it displaces goes to the tail */
		if (q)
			local_push(w, q);
	}
	skynet_sched_notify();
}

/* the owner's next mailbox: the next slot while its budget lasts, else the ring's head */
static struct message_queue *
local_pop(struct worker *w) {
	struct message_queue *q;
	if (O.next > 0) {
		q = runq_take_next(&w->rq);
		if (q && w->next_runs < O.next) {
			w->next_runs++;
			w->c.next_hits++;
			return q;
		}
		if (q)	/* budget spent: back of the line, behind what waited */
			local_push(w, q);
	}
	w->next_runs = 0;
	q = runq_pop(&w->rq);
	if (q)
		w->c.local_pops++;
	return q;
}

static uint32_t
xorshift(uint32_t *s) {
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* take from others: half of a victim's ring into ours (one to run now), trying every
 * other worker once, from a random one on */
static struct message_queue *
steal(struct worker *w, int self) {
	if (nworkers < 2)
		return NULL;
	int start = (int)(xorshift(&w->rand) % (uint32_t)nworkers);
	for (int i = 0; i < nworkers; i++) {
		int v = (start + i) % nworkers;
		if (v == self)
			continue;
		TEST_HOOK(sched, SCHED_HOOK_STEAL_CHOSEN);
		int moved = 0;
		struct message_queue *q = runq_steal(&w->rq, &W[v].rq, O.steal_half, &moved);
		if (q) {
			w->c.steals++;
			w->c.stolen += (uint64_t)moved;
			return q;
		}
	}
	return NULL;
}

/* a thread that is not a worker (a test, teardown): the injection queue, then one
 * mailbox from any worker */
static struct message_queue *
outside_pop(void) {
	struct message_queue *q = inject_pop();
	for (int v = 0; q == NULL && v < nworkers; v++)
		q = runq_steal(NULL, &W[v].rq, 0, NULL);
	if (q)
		atomic_fetch_add_explicit(&outside_pops, 1, memory_order_relaxed);	/* relaxed: a statistic */
	return q;
}

struct message_queue *
sched_pop(int worker, enum sched_pop_why why) {
	if (worker < 0)
		return outside_pop();
	struct worker *w = &W[worker];
	struct message_queue *q;
	if (--w->inject_countdown == 0) {
		w->inject_countdown = O.inject;
		if ((q = inject_pop()) != NULL)
			goto injected;
	}
	if ((q = local_pop(w)) != NULL)
		return q;
	if ((q = inject_pop()) != NULL)
		goto injected;
	/* a yielding worker keeps its own mailbox rather than take others' */
	if (why == SCHED_POP_YIELD)
		return NULL;
	return steal(w, worker);
injected:
	w->next_runs = 0;
	w->c.inject_pops++;
	return q;
}

struct message_queue *
sched_drain(void) {
	struct message_queue *q = inject_pop();
	for (int i = 0; q == NULL && i < nworkers; i++) {
		/* every worker has stopped: this thread may act as each ring's owner */
		if ((q = runq_take_next(&W[i].rq)) == NULL)
			q = runq_pop(&W[i].rq);
	}
	return q;
}

void
sched_reserve(size_t mailboxes) {
	globalq_reserve(Q, mailboxes);
}

int
sched_runnable(int worker) {
	/* relaxed: a hint; the seam orders it against pushes (skynet_sched_notify) */
	if (atomic_load_explicit(&inject_len, memory_order_relaxed) > 0)
		return 1;
	for (int i = 0; i < nworkers; i++)
		if (i != worker && runq_nonempty(&W[i].rq))
			return 1;
	return 0;
}

void
sched_get_counters(int worker, struct sched_counters *out) {
	if (worker >= 0) {
		*out = W[worker].c;
		return;
	}
	memset(out, 0, sizeof(*out));
	/* relaxed: read once the threads that count here are done */
	out->injected = atomic_load_explicit(&outside_injected, memory_order_relaxed);
	out->inject_pops = atomic_load_explicit(&outside_pops, memory_order_relaxed);
}
