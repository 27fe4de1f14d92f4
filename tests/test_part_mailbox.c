/* skybench-test: part mailbox
 *
 * The mailbox part (runtime/parts/mailbox.h), linked without the runtime: the scheduler's
 * hook (skynet_sched_push) is faked here and counts what the mailbox schedules. Checks:
 * - sequential: created scheduled, FIFO, length, pop parks an empty mailbox, the next send
 *   schedules it once, skynet's overload ladder, mark_release schedules a parked mailbox,
 *   take and park_if_empty;
 * - concurrent: 3 senders and a consumer that runs only while it holds the mailbox: every
 *   message received once, in each sender's order, with the payload written before its
 *   send; no double schedule (schedules = parks - 1 at the end: each park but the last is
 *   followed by exactly one schedule), no lost wake-up (the consumer stops only when the
 *   mailbox is parked, nothing is left to schedule it, and the senders are done);
 * - a sender stalled after its exchange (lock-free designs; a locked one says it skips):
 *   the consumer of a scheduled mailbox sees MQ_BUSY, never parks, and gets the later
 *   sends only once the stalled one links; a parked mailbox is not scheduled until the
 *   stalled sender resumes, then once. */

#include "tap.h"
#include "mailbox.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#define SENDERS 3

static atomic_long schedules;	/* SCHED_SEND pushes */
static atomic_long releases;	/* SCHED_RELEASE pushes */
static atomic_int tokens;	/* schedules the consumer has not taken yet */

void
skynet_sched_push(struct message_queue *q, enum sched_reason why) {
	(void)q;
	if (why == SCHED_RELEASE) {
		atomic_fetch_add(&releases, 1);
		return;
	}
	atomic_fetch_add(&schedules, 1);
	atomic_fetch_add(&tokens, 1);
}

/* The handle part is not linked; these keep the linker from pulling the runtime. */
struct skynet_context;
void skynet_context_grab(struct skynet_context *c) { (void)c; abort(); }
struct skynet_context *skynet_context_release(struct skynet_context *c) { (void)c; abort(); }
void skynet_context_deliver(struct skynet_context *c, struct skynet_message *m) { (void)c; (void)m; abort(); }
void skynet_sched_notify(void) { abort(); }

static struct skynet_message
msg(uint32_t source, int session, void *data) {
	struct skynet_message m = { source, session, data, 0 };
	return m;
}

static void
sequential(void) {
	atomic_store(&schedules, 0);
	struct message_queue *q = mailbox_new(7, 3);
	is_int(skynet_mq_handle(q), 7, "handle");
	is_int(skynet_mq_id(q), 3, "id");
	struct skynet_message m, in;
	for (int i = 0; i < 100; i++) {
		m = msg(1, i, NULL);
		skynet_mq_push(q, &m);
	}
	is_int(atomic_load(&schedules), 0, "a new mailbox is scheduled: sends to it schedule nothing");
	is_int(skynet_mq_length(q), 100, "length 100");
	int fifo = 1;
	for (int i = 0; i < 100; i++)
		fifo &= skynet_mq_pop(q, &in) == MQ_MESSAGE && in.session == i;
	ok(fifo, "100 pops: FIFO");
	is_int(skynet_mq_pop(q, &in), MQ_PARKED, "pop on empty parks");
	m = msg(1, 100, NULL);
	skynet_mq_push(q, &m);
	skynet_mq_push(q, &m);
	is_int(atomic_load(&schedules), 1, "the first send to a parked mailbox schedules it, the second does not");
	ok(skynet_mq_pop(q, &in) == MQ_MESSAGE && skynet_mq_pop(q, &in) == MQ_MESSAGE && skynet_mq_pop(q, &in) == MQ_PARKED,
		"two messages, then parked again");
	/* skynet's ladder: after a pop, a length over the threshold is reported once and the
	 * threshold doubles */
	atomic_store(&schedules, 0);
	for (int i = 0; i < MQ_OVERLOAD + 2; i++)
		skynet_mq_push(q, &m);
	ok(skynet_mq_pop(q, &in) == MQ_MESSAGE, "pop from a long mailbox");
	is_int(skynet_mq_overload(q), MQ_OVERLOAD + 1, "overload reports the length after the pop");
	is_int(skynet_mq_overload(q), 0, "and only once");
	ok(skynet_mq_pop(q, &in) == MQ_MESSAGE && skynet_mq_overload(q) == 0, "below the doubled threshold: no report");
	ok(skynet_mq_park_if_empty(q) == 0, "park_if_empty: not empty, not parked");
	int n = 0;
	while (mailbox_take(q, &in) == 0)
		n++;
	is_int(n, MQ_OVERLOAD, "take drains without parking");
	is_int(atomic_load(&schedules), 1, "(one schedule: the first of those sends)");
	m = msg(1, 1, NULL);
	skynet_mq_push(q, &m);
	is_int(atomic_load(&schedules), 1, "take did not park: a send schedules nothing");
	ok(mailbox_take(q, &in) == 0 && skynet_mq_park_if_empty(q) == 1, "park_if_empty parks an empty mailbox");
	skynet_mq_push(q, &m);
	is_int(atomic_load(&schedules), 2, "after park_if_empty the next send schedules");
	ok(mailbox_take(q, &in) == 0 && skynet_mq_pop(q, &in) == MQ_PARKED, "parked again");
	ok(!mailbox_released(q), "not released yet");
	skynet_mq_mark_release(q);
	is_int(atomic_load(&releases), 1, "mark_release schedules a parked mailbox (SCHED_RELEASE)");
	ok(mailbox_released(q), "released");
	mailbox_delete(q);

	struct message_queue *r = mailbox_new(8, 4);
	skynet_mq_mark_release(r);
	is_int(atomic_load(&releases), 1, "mark_release of a scheduled mailbox schedules nothing");
	ok(mailbox_released(r), "but it is released");
	mailbox_delete(r);
	atomic_store(&tokens, 0);
}

/* ---- concurrent senders and a consumer ---- */

struct payload {
	uint32_t source;
	int seq;
};

static struct message_queue *cq;
static int per_sender;
static atomic_int senders_done;

static void *
sender(void *arg) {
	uint32_t id = (uint32_t)(uintptr_t)arg;
	for (int i = 0; i < per_sender; i++) {
		struct payload *p = malloc(sizeof(*p));
		p->source = id;
		p->seq = i;
		struct skynet_message m = msg(id, i, p);
		skynet_mq_push(cq, &m);
		if (i % 8 == 0)
			sched_yield();	/* let the consumer run dry and park: the race under test */
	}
	return NULL;
}

struct consumed {
	long got, bad, parks, busy;
};

/* runs while it holds the mailbox; waits for a schedule after each park */
static void *
consumer(void *arg) {
	struct consumed *c = arg;
	int next[SENDERS] = { 0 };
	long total = (long)SENDERS * per_sender;
	for (;;) {
		struct skynet_message m;
		int r = skynet_mq_pop(cq, &m);
		if (r == MQ_MESSAGE) {
			struct payload *p = m.data;
			c->bad += m.source >= SENDERS || p->source != m.source || p->seq != m.session ||
				m.session != next[m.source];
			if (m.source < SENDERS)
				next[m.source] = m.session + 1;
			free(p);
			c->got++;
			continue;
		}
		if (r == MQ_BUSY) {
			c->busy++;
			sched_yield();
			continue;
		}
		c->parks++;
		/* parked: wait to be scheduled, or stop once nothing can schedule it any more */
		for (;;) {
			int t = atomic_load(&tokens);
			if (t > 0 && atomic_compare_exchange_weak(&tokens, &t, t - 1))
				break;
			if (t == 0 && atomic_load(&senders_done) && atomic_load(&tokens) == 0) {
				c->bad += c->got != total;
				return NULL;
			}
			sched_yield();
		}
	}
}

static void
concurrent(void) {
	per_sender = TAP_SANITIZED ? 20000 : 200000;
	atomic_store(&schedules, 0);
	atomic_store(&tokens, 0);
	atomic_store(&senders_done, 0);
	cq = mailbox_new(1, 1);
	struct consumed c = { 0, 0, 0, 0 };
	pthread_t ct, st[SENDERS];
	pthread_create(&ct, NULL, consumer, &c);
	for (int i = 0; i < SENDERS; i++)
		pthread_create(&st[i], NULL, sender, (void *)(uintptr_t)i);
	for (int i = 0; i < SENDERS; i++)
		pthread_join(st[i], NULL);
	atomic_store(&senders_done, 1);
	pthread_join(ct, NULL);
	is_int(c.got, (long)SENDERS * per_sender, "%d senders x %d: every message received (no lost wake-up)", SENDERS, per_sender);
	is_int(c.bad, 0, "each sender's order kept, payload seen, nothing duplicated");
	is_int(atomic_load(&schedules), c.parks - 1, "no double schedule: one schedule per park but the last (%ld parks)", c.parks);
	diag("%ld parks, %ld MQ_BUSY answers", c.parks, c.busy);
	mailbox_delete(cq);
}

/* ---- a sender stalled after its exchange ---- */

static atomic_int stall_armed, stalled, resume;

static void
stall_hook(enum mailbox_hook_point point) {
	int one = 1;
	if (point != MAILBOX_HOOK_PUSH_EXCHANGED || !atomic_compare_exchange_strong(&stall_armed, &one, 0))
		return;
	atomic_store(&stalled, 1);
	while (!atomic_load(&resume))
		sched_yield();
}

static void *
stalled_sender(void *arg) {
	(void)arg;
	struct skynet_message m = msg(9, 0, NULL);
	skynet_mq_push(cq, &m);
	return NULL;
}

/* parked: start with the mailbox parked (else scheduled) */
static void
stall(int parked) {
	const char *how = parked ? "parked" : "scheduled";
	atomic_store(&schedules, 0);
	cq = mailbox_new(1, 1);
	struct skynet_message m, in;
	if (parked)
		ok(skynet_mq_pop(cq, &in) == MQ_PARKED, "%s: parked to begin with", how);
	atomic_store(&stall_armed, 1);
	atomic_store(&stalled, 0);
	atomic_store(&resume, 0);
	TEST_HOOK_SET(mailbox, stall_hook);
	pthread_t t;
	pthread_create(&t, NULL, stalled_sender, NULL);
	while (!atomic_load(&stalled))
		sched_yield();
	for (int i = 1; i <= 10; i++) {
		m = msg(1, i, NULL);
		skynet_mq_push(cq, &m);	/* completes: lock-free */
	}
	if (parked) {
		is_int(atomic_load(&schedules), 0, "%s: 10 sends after the stalled one schedule nothing (it owns the wake-up)", how);
	} else {
		int busy = 1;
		for (int i = 0; i < 1000; i++)
			busy &= skynet_mq_pop(cq, &in) == MQ_BUSY;
		ok(busy, "%s: 1000 pops answer MQ_BUSY: the 10 later sends are hidden, the mailbox never parks", how);
		ok(skynet_mq_park_if_empty(cq) == 0, "%s: park_if_empty refuses too", how);
	}
	atomic_store(&resume, 1);
	pthread_join(t, NULL);
	TEST_HOOK_SET(mailbox, NULL);
	is_int(atomic_load(&schedules), parked ? 1 : 0, "%s: after it links, %s", how,
		parked ? "the stalled sender schedules the mailbox, once" : "nothing was scheduled");
	int order = skynet_mq_pop(cq, &in) == MQ_MESSAGE && in.source == 9;
	for (int i = 1; i <= 10; i++)
		order &= skynet_mq_pop(cq, &in) == MQ_MESSAGE && in.source == 1 && in.session == i;
	ok(order && skynet_mq_pop(cq, &in) == MQ_PARKED, "%s: the stalled message first, then the 10, then parked", how);
	mailbox_delete(cq);
}

int
main(void) {
	diag("mailbox %s", mailbox_variant);
	sequential();
	concurrent();
	if (mailbox_lockfree) {
		stall(0);
		stall(1);
	} else {
		skip("mailbox %s is locked: a sender stalled inside push would hold the lock; no stall test", mailbox_variant);
	}
	return done_testing();
}
