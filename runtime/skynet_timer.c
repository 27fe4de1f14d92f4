/* The node's clock: 10 ms ticks advanced from CLOCK_MONOTONIC with catch-up, and the
 * timer queue (a swappable part, variants/timer) under skynet's spinlock. Fired timers
 * become PTYPE_RESPONSE messages, delivered after the lock is dropped.
 *
 * Node key timer_stage = 1 (issue 15; 0, skynet's, is the default): a worker's add reads
 * the tick the timer thread published after its last update, and pushes {due = tick +
 * ticks} into its own ring (runtime/timer_stage.c) without the lock; each update drains
 * every ring into the queue first, under the lock. Two adds still take the lock, counted
 * and reported (skynet_timer_report): a worker's whose ring is full, and any add off a
 * worker thread (skynet_worker_id() < 0). Semantics: docs/skynet.md section 9. */

#include "skynet.h"
#include "skynet_timer.h"
#include "skynet_mq.h"
#include "skynet_server.h"
#include "spinlock.h"
#include "timerq.h"
#include "timer_stage.h"
#include "skynet_sched.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct timer {
	struct spinlock lock;
	struct timerq *q;
	struct timer_stage *stage;	/* timer_stage = 1; else NULL */
	int rings;			/* workers with a ring */
	_Atomic uint32_t tick;		/* timerq_time after the last update; with a stage */
	atomic_ullong offworker;	/* adds off a worker thread, with a stage */
	uint32_t starttime;
	_Atomic uint64_t current;	/* centiseconds; written by the timer thread only */
	uint64_t current_point;
	/* events fired by the current tick, delivered after unlocking (timer thread only) */
	struct timer_event *fired;
	size_t nfired, capfired;
};

static struct timer *TI;

static void
collect(void *ud, const struct timer_event *event) {
	struct timer *T = ud;
	struct timer_event real = T->stage ? timer_stage_fired(T->stage, event) : *event;
	if (T->nfired == T->capfired) {
		T->capfired = T->capfired ? T->capfired * 2 : 64;
		T->fired = skynet_realloc(T->fired, T->capfired * sizeof(*T->fired));
	}
	T->fired[T->nfired++] = real;
}

static void
deliver(const struct timer_event *event) {
	struct skynet_message message;
	message.source = 0;
	message.session = event->session;
	message.data = NULL;
	message.sz = (size_t)PTYPE_RESPONSE << MESSAGE_TYPE_SHIFT;
	/* a dead target just makes the push fail, as in skynet */
	skynet_context_push(event->handle, &message);
}

static void
timer_update(struct timer *T) {
	spinlock_lock(&T->lock);
	T->nfired = 0;
	if (T->stage)
		timer_stage_drain(T->stage, T->q);
	timerq_update(T->q, collect, T);
	/* release: a worker that reads this tick computes a due tick the queue has reached
	 * (docs/verification.md, "Staged timer adds") */
	atomic_store_explicit(&T->tick, timerq_time(T->q), memory_order_release);
	spinlock_unlock(&T->lock);
	for (size_t i = 0; i < T->nfired; i++)
		deliver(&T->fired[i]);
}

uint64_t
skynet_timer_add(uint32_t handle, int ticks, int session) {
	struct timer_event event = { handle, session };
	if (ticks <= 0) {
		deliver(&event);
		return 0;
	}
	if (TI->stage) {
		int w = skynet_worker_id();
		if (w >= 0 && w < TI->rings) {
			/* acquire: pairs with timer_update's release; the tick read is where this add
			 * is linearized */
			uint32_t now = atomic_load_explicit(&TI->tick, memory_order_acquire);
			uint64_t id = timer_stage_push(TI->stage, w, now + (uint32_t)ticks, &event);
			if (id)
				return id;
			/* ring full (counted by the ring): skynet's locked add below */
		} else {
			/* relaxed: a statistic, read after the threads stop */
			atomic_fetch_add_explicit(&TI->offworker, 1, memory_order_relaxed);
		}
	}
	spinlock_lock(&TI->lock);
	uint64_t id = TI->stage ? timer_stage_add_locked(TI->stage, TI->q, &event, (uint32_t)ticks) :
		timerq_add(TI->q, &event, (uint32_t)ticks);
	spinlock_unlock(&TI->lock);
	return id;
}

int
skynet_timer_cancel(uint64_t id) {
	spinlock_lock(&TI->lock);
	int r = TI->stage ? timer_stage_cancel(TI->stage, TI->q, id) : timerq_cancel(TI->q, id);
	spinlock_unlock(&TI->lock);
	return r;
}

int
skynet_timeout(uint32_t handle, int time, int session) {
	if (time <= 0) {
		struct skynet_message message;
		message.source = 0;
		message.session = session;
		message.data = NULL;
		message.sz = (size_t)PTYPE_RESPONSE << MESSAGE_TYPE_SHIFT;
		if (skynet_context_push(handle, &message))
			return -1;
	} else {
		skynet_timer_add(handle, time, session);
	}
	return session;
}

/* centisecond: 1/100 second */
static void
systime(uint32_t *sec, uint32_t *cs) {
	struct timespec ti;
	clock_gettime(CLOCK_REALTIME, &ti);
	*sec = (uint32_t)ti.tv_sec;
	*cs = (uint32_t)(ti.tv_nsec / 10000000);
}

static uint64_t
gettime(void) {
	struct timespec ti;
	clock_gettime(CLOCK_MONOTONIC, &ti);
	uint64_t t = (uint64_t)ti.tv_sec * 100;
	t += (uint64_t)ti.tv_nsec / 10000000;
	return t;
}

void
skynet_updatetime(void) {
	uint64_t cp = gettime();
	if (cp < TI->current_point) {
		skynet_error(NULL, "time diff error: change from %lld to %lld",
			(long long)cp, (long long)TI->current_point);
		TI->current_point = cp;
	} else if (cp != TI->current_point) {
		uint32_t diff = (uint32_t)(cp - TI->current_point);
		TI->current_point = cp;
		/* relaxed: skynet_now is a clock reading, no data hangs off it */
		atomic_fetch_add_explicit(&TI->current, diff, memory_order_relaxed);
		for (uint32_t i = 0; i < diff; i++)
			timer_update(TI);
	}
}

uint32_t
skynet_starttime(void) {
	return TI->starttime;
}

uint64_t
skynet_now(void) {
	/* relaxed: see skynet_updatetime */
	return atomic_load_explicit(&TI->current, memory_order_relaxed);
}

void
skynet_timer_init(int stage) {
	TI = skynet_malloc(sizeof(*TI));
	memset(TI, 0, sizeof(*TI));
	spinlock_init(&TI->lock);
	TI->q = timerq_create();
	atomic_init(&TI->tick, timerq_time(TI->q));
	atomic_init(&TI->offworker, 0);
	if (stage) {
		TI->rings = skynet_worker_count();
		static const struct timer_stage_queue ops = TIMER_STAGE_LINKED_QUEUE;
		TI->stage = timer_stage_create(TI->rings, TIMER_STAGE_RING, &ops);
	}
	uint32_t current = 0;
	systime(&TI->starttime, &current);
	atomic_init(&TI->current, current);
	TI->current_point = gettime();
}

void
skynet_timer_exit(void) {
	if (TI == NULL)
		return;
	timer_stage_release(TI->stage);
	timerq_release(TI->q);
	skynet_free(TI->fired);
	skynet_free(TI);
	TI = NULL;
}

void
skynet_timer_report(void) {
	if (TI == NULL)
		return;
	uint64_t staged = 0, full = 0;
	for (int w = 0; w < TI->rings; w++) {
		uint64_t a, b;
		timer_stage_counts(TI->stage, w, &a, &b);
		staged += a;
		full += b;
	}
	fprintf(stderr, "skybench-timer: timer=%s timer_stage=%d ring=%d staged=%" PRIu64
		" locked_full=%" PRIu64 " locked_offworker=%" PRIu64 "\n", timerq_variant,
		TI->stage != NULL, TI->stage ? TIMER_STAGE_RING : 0, staged, full,
		(uint64_t)atomic_load_explicit(&TI->offworker, memory_order_relaxed));
}

/* for profile */

#define NANOSEC 1000000000
#define MICROSEC 1000000

uint64_t
skynet_thread_time(void) {
	struct timespec ti;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ti);
	return (uint64_t)ti.tv_sec * MICROSEC + (uint64_t)ti.tv_nsec / (NANOSEC / MICROSEC);
}
