#ifndef SKYBENCH_TIMERQ_H
#define SKYBENCH_TIMERQ_H

/* The timer queue: a swappable part. One implementation per file in variants/timer/, the
 * Makefile links exactly one. A plain single-threaded structure: the runtime
 * (runtime/skynet_timer.c) serializes calls with skynet's spinlock and owns the clock.
 *
 * Time is skynet's 32-bit tick counter (one tick = 10 ms), starting at 0 and wrapping.
 * Semantics are skynet's wheel (skynet-notes.md section 8): a timer added with ticks t
 * (t >= 1) at time T fires during the update that moves time to T + t; timers due in the
 * same update fire in expiry order, and timers with the same expiry in the order they were
 * added (FIFO). cancel is skybench's addition (skynet has none), for the benchmarks. */

#include <stdint.h>
#include <stddef.h>

struct timer_event {
	uint32_t handle;
	int session;
};

struct timerq;

typedef void (*timerq_fire)(void *ud, const struct timer_event *event);

struct timerq * timerq_create(void);
/* Frees every pending timer without firing it. */
void timerq_release(struct timerq *);

/* ticks >= 1. Returns a nonzero id, unique among timers of this queue until 2^64 adds. */
uint64_t timerq_add(struct timerq *, const struct timer_event *, uint32_t ticks);
/* 1 if the timer was pending and is now cancelled; 0 if it already fired, was already
 * cancelled, or never existed. */
int timerq_cancel(struct timerq *, uint64_t id);
/* Advance time by one tick and fire everything now due, in order. */
void timerq_update(struct timerq *, timerq_fire fire, void *ud);

uint32_t timerq_time(const struct timerq *);
size_t timerq_pending(const struct timerq *);

extern const char timerq_variant[];

#endif
