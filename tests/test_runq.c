/* skybench-test: partless */
/* The per-worker run queue (variants/sched/runq.h), included directly: its semantics on
 * one thread; an owner against thieves that also steal from each other (every mailbox
 * taken exactly once, with and without overflow to a shared list); and the stall test: a
 * thief parked between its copy and its CAS (and one parked on the next slot) blocks
 * neither the owner nor another thief, and its late CAS cannot take a mailbox twice.
 * Under TSan a missing happens-before edge on a slot or a mailbox is a reported race. */

#define SKYBENCH_TEST_HOOKS 1
#include "tap.h"
#include "../variants/sched/runq.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

TEST_HOOK_DEFINE(runq);

/* a mailbox: its id, and a word written plainly before it is queued, read by whoever
 * takes it (a race under TSan if the hand-off lacks happens-before) */
struct message_queue {
	int id;
	int stamp;
};

static struct message_queue *boxes;
static _Atomic int *seen;
static atomic_int taken;
static atomic_int bad_stamps;
static int nboxes;

static struct runq *
runq_new(void) {
	struct runq *q = aligned_alloc(alignof(struct runq), sizeof(struct runq));
	if (q == NULL)
		bail_out("out of memory");
	runq_init(q);
	return q;
}

static void
reset_boxes(int n) {
	free(boxes);
	free((void *)seen);
	nboxes = n;
	boxes = calloc(n, sizeof(*boxes));
	seen = calloc(n, sizeof(*seen));
	if (boxes == NULL || seen == NULL)
		bail_out("out of memory");
	for (int i = 0; i < n; i++) {
		boxes[i].id = i;
		atomic_init(&seen[i], 0);
	}
	atomic_store(&taken, 0);
	atomic_store(&bad_stamps, 0);
}

/* the taker of a mailbox: checks the stamp its pusher wrote, counts it */
static void
record(struct message_queue *mq) {
	if (mq->stamp != mq->id + 1)
		atomic_fetch_add(&bad_stamps, 1);
	/* relaxed: counted only; the threads are joined before the counts are read */
	atomic_fetch_add_explicit(&seen[mq->id], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&taken, 1, memory_order_relaxed);
}

/* every mailbox taken exactly once */
static void
check_once(const char *what) {
	int lost = 0, dup = 0, first = -1;
	for (int i = 0; i < nboxes; i++) {
		int s = atomic_load(&seen[i]);
		if (s != 1 && first < 0)
			first = i;
		lost += s == 0;
		dup += s > 1;
	}
	int bad = atomic_load(&bad_stamps);
	ok(lost == 0 && dup == 0 && bad == 0, "%s: all %d mailboxes taken exactly once, as their pusher left them", what, nboxes);
	if (lost || dup || bad)
		diag("lost %d, duplicated %d (first bad id %d), %d with a wrong stamp", lost, dup, first, bad);
}

static struct message_queue *
box(int i) {
	boxes[i].stamp = i + 1;
	return &boxes[i];
}

static void
test_single_thread(void) {
	reset_boxes(RUNQ_SIZE * 2 + 8);
	struct runq *q = runq_new(), *m = runq_new();
	ok(runq_pop(q) == NULL && runq_take_next(q) == NULL && !runq_nonempty(q), "a new queue is empty");
	int pushed = 0;
	for (int i = 0; i < RUNQ_SIZE; i++)
		pushed += runq_push(q, box(i)) == 0;
	is_int(pushed, RUNQ_SIZE, "RUNQ_SIZE pushes fit");
	is_int(runq_push(q, box(RUNQ_SIZE)), -1, "the next push finds it full");
	ok(runq_nonempty(q), "a full queue is nonempty");
	int fifo = 1;
	for (int i = 0; i < 10; i++)
		fifo &= runq_pop(q) == &boxes[i];
	ok(fifo, "pops are FIFO");

	/* full again: ids 10..265 */
	for (int i = RUNQ_SIZE; i < RUNQ_SIZE + 10; i++)
		runq_push(q, box(i));
	ok(runq_push(q, box(RUNQ_SIZE + 10)) == -1, "full again after 10 pops and 10 pushes");
	struct message_queue *batch[RUNQ_SIZE / 2 + 1];
	is_int(runq_overflow(q, box(RUNQ_SIZE + 10), batch), RUNQ_SIZE / 2 + 1, "overflow returns half + 1");
	int order = 1;
	for (int i = 0; i < RUNQ_SIZE / 2; i++)
		order &= batch[i] == &boxes[10 + i];
	ok(order && batch[RUNQ_SIZE / 2] == &boxes[RUNQ_SIZE + 10], "overflow: the oldest half, oldest first, then mq");
	order = 1;
	for (int i = 10 + RUNQ_SIZE / 2; i < RUNQ_SIZE + 10; i++)
		order &= runq_pop(q) == &boxes[i];
	ok(order && runq_pop(q) == NULL, "the newer half stays, in order");
	is_int(runq_overflow(q, box(0), batch), 0, "overflow on a ring that is not full pushes mq instead");
	ok(runq_pop(q) == &boxes[0] && runq_pop(q) == NULL, "and mq is in the ring");

	ok(runq_put_next(q, box(1)) == NULL, "next slot: empty before");
	ok(runq_put_next(q, box(2)) == &boxes[1], "next slot: put returns the previous one");
	ok(runq_nonempty(q), "the next slot alone makes it nonempty");
	ok(runq_pop(q) == NULL, "pop does not look at the next slot");
	ok(runq_take_next(q) == &boxes[2] && runq_take_next(q) == NULL, "take_next empties the slot");

	int n = -1;
	for (int i = 0; i < 10; i++)
		runq_push(q, box(i));
	runq_put_next(q, box(20));
	ok(runq_steal(m, q, 1, &n) == &boxes[4] && n == 5, "steal half of 10: 5 moved, the 5th returned");
	order = 1;
	for (int i = 0; i < 4; i++)
		order &= runq_pop(m) == &boxes[i];
	ok(order && runq_pop(m) == NULL, "the thief's ring holds the first 4, in order");
	ok(runq_steal(m, q, 0, &n) == &boxes[5] && n == 1 && runq_pop(m) == NULL, "steal one: the oldest, nothing in the thief's ring");
	ok(runq_steal(NULL, q, 1, &n) == &boxes[6] && n == 1, "steal without a ring takes one");
	ok(runq_steal(m, q, 1, &n) == &boxes[8] && n == 2 && runq_pop(m) == &boxes[7], "steal half of 3: 2");
	ok(runq_steal(m, q, 1, &n) == &boxes[9] && n == 1 && runq_pop(m) == NULL, "steal half of 1: 1");
	ok(runq_steal(m, q, 1, &n) == &boxes[20] && n == 1, "ring empty: the next slot is stolen");
	ok(runq_steal(m, q, 1, &n) == NULL && n == 0 && !runq_nonempty(q), "nothing left: NULL, 0 moved");

	for (int i = 0; i < RUNQ_SIZE; i++)
		runq_push(q, box(i));
	ok(runq_steal(m, q, 1, &n) == &boxes[RUNQ_SIZE / 2 - 1] && n == RUNQ_SIZE / 2, "steal half of a full ring: RUNQ_SIZE/2");
	int left = 0;
	while (runq_pop(q))
		left++;
	while (runq_pop(m))
		left++;
	is_int(left, RUNQ_SIZE - 1, "the rest is split between the two rings");
	free(q);
	free(m);
}

/* ---- owner against thieves ---- */

#define THIEVES 3

struct olist {		/* the overflow target: a locked list, as the injection queue */
	pthread_mutex_t lock;
	int n;
	struct message_queue **items;
};

struct race {
	struct runq *owner;
	struct runq *thief[THIEVES];
	int overflow;			/* 1: full ring overflows to the list; 0: the owner pops one */
	atomic_int done;		/* the owner has pushed every mailbox */
	struct olist list;
	atomic_long steals[THIEVES];
	atomic_long overflows;
};

static uint32_t
xorshift(uint32_t *s) {
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
owner_push(struct race *r, struct message_queue *mq) {
	if (runq_push(r->owner, mq) == 0)
		return;
	if (!r->overflow) {
		struct message_queue *old = runq_pop(r->owner);
		if (old)
			record(old);
		if (runq_push(r->owner, mq) == 0)
			return;
	}
	struct message_queue *batch[RUNQ_SIZE / 2 + 1];
	int n = runq_overflow(r->owner, mq, batch);
	if (n == 0)
		return;
	atomic_fetch_add(&r->overflows, 1);
	pthread_mutex_lock(&r->list.lock);
	for (int i = 0; i < n; i++)
		r->list.items[r->list.n++] = batch[i];
	pthread_mutex_unlock(&r->list.lock);
}

static void *
owner_main(void *arg) {
	struct race *r = arg;
	uint32_t s = 2463534242u;
	for (int i = 0; i < nboxes; i++) {
		uint32_t x = xorshift(&s) % 16;
		struct message_queue *mq;
		if (x == 0 && (mq = runq_pop(r->owner)))
			record(mq);
		else if (x == 1 && (mq = runq_take_next(r->owner)))
			record(mq);
		if (x < 6) {
			struct message_queue *old = runq_put_next(r->owner, box(i));
			if (old)
				owner_push(r, old);
		} else {
			owner_push(r, box(i));
		}
	}
	atomic_store(&r->done, 1);
	struct message_queue *mq;
	while ((mq = runq_pop(r->owner)) || (mq = runq_take_next(r->owner)))
		record(mq);
	return NULL;
}

struct thief_arg {
	struct race *r;
	int self;
};

static void *
thief_main(void *arg) {
	struct thief_arg *a = arg;
	struct race *r = a->r;
	struct runq *mine = r->thief[a->self];
	uint32_t s = 88675123u + a->self;
	for (;;) {
		uint32_t v = xorshift(&s) % (THIEVES + 1);
		struct runq *victim = v == THIEVES || r->thief[v] == mine ? r->owner : r->thief[v];
		int n;
		struct message_queue *mq = runq_steal(mine, victim, (a->self + v) % 2, &n);
		if (mq) {
			atomic_fetch_add(&r->steals[a->self], 1);
			record(mq);
			while ((mq = runq_pop(mine)))
				record(mq);
		} else if (atomic_load(&r->done) && atomic_load(&taken) + r->list.n == nboxes) {
			/* list.n read without the lock: the owner wrote it before done, not after */
			break;
		} else {
			sched_yield();
		}
	}
	return NULL;
}

static void
test_race(int overflow, int n) {
	reset_boxes(n);
	struct race r;
	memset(&r, 0, sizeof(r));
	r.owner = runq_new();
	for (int i = 0; i < THIEVES; i++)
		r.thief[i] = runq_new();
	r.overflow = overflow;
	pthread_mutex_init(&r.list.lock, NULL);
	r.list.items = calloc(n, sizeof(*r.list.items));
	pthread_t o, t[THIEVES];
	struct thief_arg ta[THIEVES];
	pthread_create(&o, NULL, owner_main, &r);
	for (int i = 0; i < THIEVES; i++) {
		ta[i] = (struct thief_arg){ &r, i };
		pthread_create(&t[i], NULL, thief_main, &ta[i]);
	}
	pthread_join(o, NULL);
	for (int i = 0; i < THIEVES; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < r.list.n; i++)
		record(r.list.items[i]);
	long steals = 0;
	for (int i = 0; i < THIEVES; i++)
		steals += atomic_load(&r.steals[i]);
	diag("%s overflow: %d mailboxes, %ld steals, %ld overflows (%d mailboxes to the list)",
		overflow ? "with" : "without", n, steals, atomic_load(&r.overflows), r.list.n);
	check_once(overflow ? "owner + 3 thieves, overflow to a list" : "owner + 3 thieves, no overflow");
	if (!overflow)
		is_int(r.list.n, 0, "no overflow: nothing went to the list");
	pthread_mutex_destroy(&r.list.lock);
	free(r.list.items);
	free(r.owner);
	for (int i = 0; i < THIEVES; i++)
		free(r.thief[i]);
}

/* ---- stall ---- */

static _Thread_local int park_here;		/* this thread parks at its next hook */
static enum runq_hook_point park_point;
static atomic_int parked, resume;

static void
stall_hook(enum runq_hook_point p) {
	if (!park_here || p != park_point)
		return;
	park_here = 0;
	atomic_store(&parked, 1);
	while (!atomic_load(&resume))
		sched_yield();
}

struct stalled {
	struct runq *mine, *victim;
	struct message_queue *got;
	int n;
};

static void *
stalled_thief(void *arg) {
	struct stalled *s = arg;
	park_here = 1;
	s->got = runq_steal(s->mine, s->victim, 1, &s->n);
	return NULL;
}

struct busy_thief {
	struct runq *mine, *victim;
	atomic_int *stop;
	long steals;
};

static void *
busy_thief_main(void *arg) {
	struct busy_thief *b = arg;
	for (;;) {
		struct message_queue *mq = runq_steal(b->mine, b->victim, 1, NULL);
		if (mq) {
			b->steals++;
			record(mq);
			while ((mq = runq_pop(b->mine)))
				record(mq);
		} else if (atomic_load(b->stop)) {
			break;
		} else {
			sched_yield();
		}
	}
	return NULL;
}

static void
wait_parked(void) {
	while (!atomic_load(&parked))
		sched_yield();
}

/* a thief parked after its copy; the owner pops, pushes past a wrap, overflows, and another
 * thief steals, all while it is parked; then it resumes. resume_early: it resumes before
 * anything happened and its steal must succeed. */
static void
test_stall_copy(int n) {
	reset_boxes(n);
	struct runq *v = runq_new(), *a = runq_new(), *b = runq_new();
	struct olist list = { .items = calloc(n, sizeof(struct message_queue *)) };
	for (int i = 0; i < 8; i++)
		runq_push(v, box(i));
	atomic_store(&parked, 0);
	atomic_store(&resume, 0);
	park_point = RUNQ_HOOK_STEAL_COPIED;
	TEST_HOOK_SET(runq, stall_hook);
	struct stalled s = { a, v, NULL, -1 };
	pthread_t ta, tb;
	pthread_create(&ta, NULL, stalled_thief, &s);
	wait_parked();

	struct message_queue *batch[RUNQ_SIZE / 2 + 1], *mq;
	ok(runq_pop(v) == &boxes[0] && runq_pop(v) == &boxes[1], "thief parked after copying 0..3: the owner still pops 0 and 1");
	record(&boxes[0]);
	record(&boxes[1]);

	atomic_int stop = 0;
	struct busy_thief bt = { b, v, &stop, 0 };
	pthread_create(&tb, NULL, busy_thief_main, &bt);
	long owner_pops = 0;
	for (int i = 8; i < n; i++) {
		if (i % 4 == 0 && (mq = runq_pop(v))) {
			owner_pops++;
			record(mq);
		}
		if (runq_push(v, box(i)) != 0) {
			int k = runq_overflow(v, box(i), batch);
			for (int j = 0; j < k; j++)
				list.items[list.n++] = batch[j];
		}
	}
	atomic_store(&stop, 1);
	pthread_join(tb, NULL);
	/* b stops only on an empty victim once the owner is done, and the owner's last push
	 * left one there: b stole at least once */
	ok(bt.steals > 0 && !runq_nonempty(v), "and another thief steals (%ld steals) while the owner pushes %d (past wraps, %d to overflow) and pops %ld",
		bt.steals, n - 8, list.n, owner_pops);

	atomic_store(&resume, 1);
	pthread_join(ta, NULL);
	TEST_HOOK_SET(runq, NULL);
	ok(s.got == NULL && s.n == 0, "resumed on an emptied victim: its CAS failed, it retried and took nothing");
	if (s.got) {
		record(s.got);
		while ((mq = runq_pop(a)))
			record(mq);
	}
	while ((mq = runq_pop(v)))
		record(mq);
	for (int i = 0; i < list.n; i++)
		record(list.items[i]);
	check_once("stall after copy");
	free(list.items);
	free(v);
	free(a);
	free(b);

	/* the same park, nothing changes meanwhile: the late CAS succeeds */
	reset_boxes(8);
	v = runq_new();
	a = runq_new();
	for (int i = 0; i < 8; i++)
		runq_push(v, box(i));
	atomic_store(&parked, 0);
	atomic_store(&resume, 0);
	TEST_HOOK_SET(runq, stall_hook);
	s = (struct stalled){ a, v, NULL, -1 };
	pthread_create(&ta, NULL, stalled_thief, &s);
	wait_parked();
	atomic_store(&resume, 1);
	pthread_join(ta, NULL);
	TEST_HOOK_SET(runq, NULL);
	ok(s.got == &boxes[3] && s.n == 4, "resumed on an unchanged victim: its steal of 4 succeeds");
	record(s.got);
	while ((mq = runq_pop(a)))
		record(mq);
	while ((mq = runq_pop(v)))
		record(mq);
	check_once("stall after copy, victim unchanged");
	free(v);
	free(a);
}

/* a thief parked after loading the victim's next slot; the owner takes it and puts another */
static void
test_stall_next(void) {
	reset_boxes(2);
	struct runq *v = runq_new(), *a = runq_new();
	runq_put_next(v, box(0));
	atomic_store(&parked, 0);
	atomic_store(&resume, 0);
	park_point = RUNQ_HOOK_STEAL_NEXT;
	TEST_HOOK_SET(runq, stall_hook);
	struct stalled s = { a, v, NULL, -1 };
	pthread_t ta;
	pthread_create(&ta, NULL, stalled_thief, &s);
	wait_parked();
	struct message_queue *mq = runq_take_next(v);
	ok(mq == &boxes[0], "thief parked on the next slot: the owner still takes it");
	record(mq);
	runq_put_next(v, box(1));
	atomic_store(&resume, 1);
	pthread_join(ta, NULL);
	TEST_HOOK_SET(runq, NULL);
	ok(s.got == &boxes[1] && s.n == 1, "resumed: its CAS failed, it looked again and took the new one");
	if (s.got)
		record(s.got);
	if ((mq = runq_take_next(v)))
		record(mq);
	check_once("stall on the next slot");
	free(v);
	free(a);
}

int
main(void) {
	const char *runner = getenv("SKYBENCH_RUNNER");
	int slow = TAP_SANITIZED || (runner && *runner);
	int n = slow ? 20000 : 400000;
	test_single_thread();
	test_race(0, n);
	test_race(1, n);
	test_stall_copy(slow ? 2000 : 20000);
	test_stall_next();
	free(boxes);
	free((void *)seen);
	return done_testing();
}
