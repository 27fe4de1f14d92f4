#ifndef SKYBENCH_TIMERQ_H
#define SKYBENCH_TIMERQ_H

/* The timer queue: a swappable part. One implementation per file in variants/timer/, the
 * Makefile links exactly one. A plain single-threaded structure: the runtime
 * (runtime/skynet_timer.c) serializes calls with skynet's spinlock and owns the clock.
 *
 * An implementation defines: every operation of TIMER_OPS, timerq_variant, and the test
 * entry point timerq_test_set_time (inside #if SKYBENCH_TEST_HOOKS, test_hooks.h). It may
 * call, of the runtime (runtime_services.h): skynet_malloc & co.
 *
 * Time is skynet's 32-bit tick counter (one tick = 10 ms), starting at 0 and wrapping.
 * Semantics are skynet's wheel (skynet_timer.c): a timer added with ticks t (t >= 1) at
 * time T fires during the update that moves time to T + t; timers due in the same update
 * fire in expiry order, and timers with the same expiry in the order they were added
 * (FIFO). cancel is skybench's addition (skynet has none), for the benchmarks. */

#include <stdint.h>
#include <stddef.h>

#include "part_ops.h"
#include "runtime_services.h"
#include "test_hooks.h"

struct timer_event {
	uint32_t handle;
	int session;
};

struct timerq;

typedef void (*timerq_fire)(void *ud, const struct timer_event *event);

#define TIMER_OPS(X) \
	X(struct timerq *, timerq_create, (void)) \
	/* frees every pending timer without firing it */ \
	X(void, timerq_release, (struct timerq *q)) \
	/* ticks >= 1; returns a nonzero id, unique among timers of this queue until 2^64 adds */ \
	X(uint64_t, timerq_add, (struct timerq *q, const struct timer_event *event, uint32_t ticks)) \
	/* 1 if the timer was pending and is now cancelled; 0 if it already fired, was already \
	 * cancelled, or never existed */ \
	X(int, timerq_cancel, (struct timerq *q, uint64_t id)) \
	/* advance time by one tick and fire everything now due, in order */ \
	X(void, timerq_update, (struct timerq *q, timerq_fire fire, void *ud)) \
	X(uint32_t, timerq_time, (const struct timerq *q)) \
	X(size_t, timerq_pending, (const struct timerq *q))

TIMER_OPS(PART_OP_DECLARE)

/* Which design this is, for --version and result rows. */
extern const char timerq_variant[];

/* Test entry point (test_hooks.h). Moves the clock forward to `time` without firing
 * anything, as if the ticks in between had passed with nothing due: lets a test reach the
 * 32-bit wrap or a 2^31-tick expiry without running billions of updates. Refused (returns
 * 0, nothing changes) if a pending timer is due at or before `time` (counting forward from
 * the current time); 1 otherwise. Pending timers keep their expiry and their FIFO order. */
int timerq_test_set_time(struct timerq *q, uint32_t time);

#endif
