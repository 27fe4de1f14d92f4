/* skybench-test: part timer */
/* Staged timer adds (runtime/timer_stage.c, node key timer_stage) over whatever timer
 * queue is linked, with the lock discipline of runtime/skynet_timer.c: the order within a
 * tick (drained rings in worker order, each in push order, a locked add after what it
 * drains), a push delayed past its due tick firing in the first update after, ids that stay
 * valid after the drain, cancel returning 1 exactly once, the ring-full fallback; then
 * adder threads staging (and cancelling) while a timer thread drains and updates: every
 * timer fires exactly once, never before the due tick computed from the tick it read, on it
 * whenever its push was visible in time, and each adder's timers due together fire in its
 * add order. */

#include "tap.h"
#include "spinlock.h"
#include "timer_stage.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static const struct timer_stage_queue OPS = TIMER_STAGE_LINKED_QUEUE;

/* ---- single-threaded: order, delay, ids, fallback ---- */

struct order {
	struct timer_stage *s;
	struct timerq *q;
	int got[64];
	uint32_t at[64];
	int n;
};

static void
on_fire(void *ud, const struct timer_event *ev) {
	struct order *o = ud;
	struct timer_event real = timer_stage_fired(o->s, ev);
	if (o->n < 64) {
		o->got[o->n] = real.session;
		o->at[o->n] = timerq_time(o->q);
	}
	o->n++;
}

static void
update(struct order *o) {
	timer_stage_drain(o->s, o->q);
	timerq_update(o->q, on_fire, o);
}

static uint64_t
push(struct order *o, int w, uint32_t due, int session) {
	struct timer_event ev = { (uint32_t)w + 1, session };
	return timer_stage_push(o->s, w, due, &ev);
}

static uint64_t
locked(struct order *o, uint32_t ticks, int session) {
	struct timer_event ev = { 99, session };
	return timer_stage_add_locked(o->s, o->q, &ev, ticks);
}

static void
test_order(void) {
	struct order o = { timer_stage_create(2, 8, &OPS), timerq_create(), {0}, {0}, 0 };
	update(&o);
	update(&o);
	uint32_t now = timerq_time(o.q), d = now + 5;
	push(&o, 1, d, 1);		/* A */
	push(&o, 0, d, 2);		/* B */
	push(&o, 0, d, 3);		/* C */
	locked(&o, d - now, 4);		/* D: drains B C (ring 0), A (ring 1), then enters */
	push(&o, 1, d, 5);		/* E */
	locked(&o, d - now, 6);		/* F */
	push(&o, 0, d, 7);		/* G */
	push(&o, 1, d, 8);		/* H */
	push(&o, 0, d, 9);		/* I */
	push(&o, 1, d + 1, 10);		/* due later */
	push(&o, 0, d - 1, 11);		/* due earlier */
	while (timerq_time(o.q) != d + 1)
		update(&o);
	static const int want[] = { 11, 2, 3, 1, 4, 5, 6, 7, 9, 8, 10 };
	int good = o.n == 11;
	for (int i = 0; good && i < 11; i++)
		good = o.got[i] == want[i];
	ok(good, "order: staged by ring then push order, a locked add after what it drains, expiry first");
	good = o.n == 11 && o.at[0] == d - 1 && o.at[10] == d + 1;
	for (int i = 1; good && i < 10; i++)
		good = o.at[i] == d;
	ok(good, "order: each on its due tick");
	is_int(timer_stage_pending(o.s), 0, "order: no record left");
	timer_stage_release(o.s);
	timerq_release(o.q);
}

static void
test_delay_and_cancel(void) {
	struct order o = { timer_stage_create(2, 4, &OPS), timerq_create(), {0}, {0}, 0 };
	update(&o);
	uint32_t read = timerq_time(o.q);	/* the tick a worker read */
	for (int i = 0; i < 3; i++)
		update(&o);			/* ... and then stalled three updates */
	push(&o, 0, read + 1, 1);		/* due 2 ticks ago */
	push(&o, 0, read + 3, 2);		/* due at the tick just updated */
	push(&o, 0, read + 4, 3);		/* due next */
	update(&o);
	ok(o.n == 3 && o.got[0] == 1 && o.got[1] == 2 && o.got[2] == 3 &&
		o.at[0] == read + 4 && o.at[2] == read + 4,
		"a push published after its due tick fires in the first update after, in push order");

	o.n = 0;
	uint32_t now = timerq_time(o.q);
	uint64_t a = push(&o, 1, now + 3, 10);
	uint64_t b = push(&o, 1, now + 3, 11);
	uint64_t c = locked(&o, 3, 12);
	uint64_t e = push(&o, 0, now + 2, 13);
	ok(a && b && c && e && a != b && a != c && a != e && b != c && b != e && c != e,
		"ids: nonzero and distinct (staged and locked)");
	is_int(timer_stage_cancel(o.s, o.q, a), 1, "cancel of a timer still in its ring: 1");
	is_int(timer_stage_cancel(o.s, o.q, a), 0, "cancelled again: 0");
	update(&o);				/* b, c, e drained */
	is_int(timer_stage_cancel(o.s, o.q, b), 1, "cancel of a drained staged timer: 1");
	is_int(timer_stage_cancel(o.s, o.q, b), 0, "cancelled again: 0");
	is_int(timer_stage_cancel(o.s, o.q, c), 1, "cancel of a locked add: 1");
	update(&o);
	ok(o.n == 1 && o.got[0] == 13 && o.at[0] == now + 2, "the uncancelled one fires on its tick");
	is_int(timer_stage_cancel(o.s, o.q, e), 0, "cancel after it fired: 0");
	is_int(timer_stage_cancel(o.s, o.q, 12345), 0, "cancel of a queue-form id: 0");
	is_int(timer_stage_cancel(o.s, o.q, (1ull << 63) | 777), 0, "cancel of an id never given: 0");
	for (int i = 0; i < 4; i++)
		update(&o);
	is_int(o.n, 1, "nothing cancelled fires");

	/* ring full: 4 entries, the fifth push is refused */
	o.n = 0;
	now = timerq_time(o.q);
	int pushed = 0;
	for (int i = 0; i < 4; i++)
		pushed += push(&o, 0, now + 2, 20 + i) != 0;
	uint64_t full = push(&o, 0, now + 2, 24);
	ok(pushed == 4 && full == 0, "ring of 4: four pushes staged, the fifth refused");
	uint64_t fb = locked(&o, 2, 24);	/* the fallback: drains 20..23 first */
	push(&o, 0, now + 2, 25);		/* room again */
	update(&o);
	update(&o);
	ok(fb && o.n == 6 && o.got[0] == 20 && o.got[3] == 23 && o.got[4] == 24 && o.got[5] == 25,
		"fallback: the locked add keeps the worker's order");
	uint64_t st, fu;
	timer_stage_counts(o.s, 0, &st, &fu);
	ok(fu == 1, "the refused push is counted (full=%llu)", (unsigned long long)fu);
	is_int(timer_stage_pending(o.s), 0, "no record left");
	timer_stage_release(o.s);
	timerq_release(o.q);
}

/* ---- threads: adders staging while a timer thread drains and updates ---- */

#define ADDERS 3
#define MAXT 12

struct tmr {
	uint32_t read, due, after;	/* tick read, due tick, tick read after the push */
	int locked;			/* taken by the ring-full fallback: due exact */
	int cancelled;			/* cancel returned 1 */
	/* timer thread, under the lock */
	uint32_t fired_at, fires;
	uint64_t fire_seq;
};

struct world {
	struct spinlock lock;
	struct timerq *q;
	struct timer_stage *s;
	_Atomic uint32_t tick;
	atomic_int stop;
	int per;			/* timers per adder */
	struct tmr *t[ADDERS];
	uint64_t seq, fired, bad_handle;
};

static void
world_fire(void *ud, const struct timer_event *ev) {
	struct world *W = ud;
	struct timer_event real = timer_stage_fired(W->s, ev);
	if (real.handle >= ADDERS || real.session < 0 || real.session >= W->per) {
		W->bad_handle++;
		return;
	}
	struct tmr *m = &W->t[real.handle][real.session];
	m->fires++;
	m->fired_at = timerq_time(W->q);
	m->fire_seq = ++W->seq;
	W->fired++;
}

static void *
timer_main(void *ud) {
	struct world *W = ud;
	/* relaxed: a stop flag; the join orders what matters */
	while (!atomic_load_explicit(&W->stop, memory_order_relaxed)) {
		spinlock_lock(&W->lock);
		atomic_thread_fence(memory_order_seq_cst);	/* see adder_main */
		timer_stage_drain(W->s, W->q);
		timerq_update(W->q, world_fire, W);
		/* release: as skynet_timer.c's timer_update */
		atomic_store_explicit(&W->tick, timerq_time(W->q), memory_order_release);
		spinlock_unlock(&W->lock);
		sched_yield();
	}
	return NULL;
}

struct adder {
	struct world *W;
	int w;
	uint64_t seed;
	pthread_t th;
};

static uint32_t
rnd(uint64_t *s) {
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static void *
adder_main(void *ud) {
	struct adder *A = ud;
	struct world *W = A->W;
	uint64_t ids[8] = {0};
	int idx[8] = {0};
	for (int i = 0; i < W->per; i++) {
		struct tmr *m = &W->t[A->w][i];
		uint32_t t = 1 + rnd(&A->seed) % MAXT;
		struct timer_event ev = { (uint32_t)A->w, i };
		/* acquire: as skynet_timer_add's tick read */
		m->read = atomic_load_explicit(&W->tick, memory_order_acquire);
		m->due = m->read + t;
		uint64_t id = timer_stage_push(W->s, A->w, m->due, &ev);
		/* the test's own fence (and the timer thread's): without them store buffering
		 * lets a drain that follows the publish of after + 1 miss this push; with them
		 * `after` bounds the drain that takes it (the rule max(due, T + 1) holds either
		 * way, this makes its T observable) */
		atomic_thread_fence(memory_order_seq_cst);
		m->after = atomic_load_explicit(&W->tick, memory_order_acquire);
		if (id == 0) {
			spinlock_lock(&W->lock);
			m->due = timerq_time(W->q) + t;
			m->locked = 1;
			id = timer_stage_add_locked(W->s, W->q, &ev, t);
			spinlock_unlock(&W->lock);
		}
		/* cancel this one (likely still staged) or the one 8 adds ago (likely drained) */
		int r = rnd(&A->seed) % 8;
		uint64_t cid = r == 0 ? id : r == 1 ? ids[i % 8] : 0;
		int ci = r == 0 ? i : idx[i % 8];
		if (cid) {
			spinlock_lock(&W->lock);
			int c1 = timer_stage_cancel(W->s, W->q, cid);
			int c2 = timer_stage_cancel(W->s, W->q, cid);
			spinlock_unlock(&W->lock);
			W->t[A->w][ci].cancelled = c2 ? 2 : c1;	/* 2: reported 1 twice */
		}
		ids[i % 8] = r == 0 ? 0 : id;
		idx[i % 8] = i;
		if (rnd(&A->seed) % 16 == 0)
			sched_yield();
	}
	return NULL;
}

static void
test_threads(void) {
	struct world *W = calloc(1, sizeof(*W));
	if (W == NULL)
		bail_out("out of memory");
	W->per = TAP_SANITIZED || tap_under_valgrind() ? 3000 : 30000;
	spinlock_init(&W->lock);
	W->q = timerq_create();
	W->s = timer_stage_create(ADDERS, 16, &OPS);	/* small: the fallback is taken too */
	atomic_init(&W->tick, timerq_time(W->q));
	atomic_init(&W->stop, 0);
	for (int a = 0; a < ADDERS; a++) {
		W->t[a] = calloc((size_t)W->per, sizeof(struct tmr));
		if (W->t[a] == NULL)
			bail_out("out of memory");
	}
	pthread_t tt;
	struct adder A[ADDERS];
	pthread_create(&tt, NULL, timer_main, W);
	for (int a = 0; a < ADDERS; a++) {
		A[a] = (struct adder){ W, a, 0x9E3779B97F4A7C15ull * (uint64_t)(a + 1), 0 };
		pthread_create(&A[a].th, NULL, adder_main, &A[a]);
	}
	for (int a = 0; a < ADDERS; a++)
		pthread_join(A[a].th, NULL);
	/* run every pending timer out: MAXT updates after the last add, plus the drain */
	uint32_t last = atomic_load_explicit(&W->tick, memory_order_acquire);
	while ((uint32_t)(atomic_load_explicit(&W->tick, memory_order_acquire) - last) < MAXT + 2)
		sched_yield();
	atomic_store_explicit(&W->stop, 1, memory_order_relaxed);
	pthread_join(tt, NULL);

	uint64_t once = 0, never = 0, twice = 0, early = 0, late = 0, late_ok = 0, exact = 0;
	uint64_t cancelled = 0, cancel_twice = 0, fired_cancelled = 0, locked = 0, order_bad = 0;
	for (int a = 0; a < ADDERS; a++) {
		for (int i = 0; i < W->per; i++) {
			struct tmr *m = &W->t[a][i];
			locked += m->locked;
			if (m->cancelled == 2)
				cancel_twice++;
			if (m->cancelled) {
				cancelled++;
				fired_cancelled += m->fires != 0;
				continue;
			}
			if (m->fires == 0) {
				never++;
				continue;
			}
			if (m->fires > 1)
				twice++;
			once++;
			int32_t off = (int32_t)(m->fired_at - m->due);
			if (off < 0)
				early++;
			else if (off == 0)
				exact++;
			else if (m->locked)
				late++;		/* a locked add is exact */
			else if ((int32_t)(m->due - (m->after + 2)) >= 0)
				late++;		/* visible before its due update began */
			else if ((int32_t)(m->fired_at - (m->after + 2)) > 0)
				late++;		/* later than the first update after the push */
			else
				late_ok++;
		}
		/* per adder: same fire tick -> add order (fire_seq grows with i) */
		for (int i = 0; i < W->per; i++) {
			struct tmr *m = &W->t[a][i];
			if (m->cancelled || m->fires != 1)
				continue;
			for (int k = i + 1; k < W->per && k < i + 64; k++) {
				struct tmr *n = &W->t[a][k];
				if (!n->cancelled && n->fires == 1 && n->fired_at == m->fired_at &&
				    n->fire_seq < m->fire_seq)
					order_bad++;
			}
		}
	}
	uint64_t total = (uint64_t)ADDERS * (uint64_t)W->per;
	diag("threads: %llu timers, %llu cancelled, %llu by the fallback, %llu on their due tick, %llu late after a delayed push",
		(unsigned long long)total, (unsigned long long)cancelled, (unsigned long long)locked,
		(unsigned long long)exact, (unsigned long long)late_ok);
	is_int(W->bad_handle, 0, "threads: every fired record names a timer");
	ok(never == 0 && twice == 0 && once + cancelled == total,
		"threads: every timer not cancelled fires exactly once (never %llu, twice %llu)",
		(unsigned long long)never, (unsigned long long)twice);
	is_int(fired_cancelled, 0, "threads: no timer cancel returned 1 for fires");
	is_int(cancel_twice, 0, "threads: cancel returns 1 at most once");
	ok(cancelled > 0, "threads: some cancels returned 1 (%llu)", (unsigned long long)cancelled);
	is_int(early, 0, "threads: none fires before its due tick");
	is_int(late, 0, "threads: late only when the push became visible after its due update began, and then in the first update after");
	is_int(order_bad, 0, "threads: an adder's timers firing on one tick fire in its add order");
	if (locked == 0)
		skip("threads: the ring-full fallback was never taken (a 16-entry ring, the timer thread kept up)");
	else
		ok(locked > 0, "threads: the ring-full fallback was taken (%llu)", (unsigned long long)locked);
	is_int(timer_stage_pending(W->s), 0, "threads: no record left");
	is_int(timerq_pending(W->q), 0, "threads: the queue is empty");
	timer_stage_release(W->s);
	timerq_release(W->q);
	for (int a = 0; a < ADDERS; a++)
		free(W->t[a]);
	free(W);
}

int
main(void) {
	diag("timer queue: %s", timerq_variant);
	test_order();
	test_delay_and_cancel();
	test_threads();
	return done_testing();
}
