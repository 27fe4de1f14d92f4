#ifndef SKYBENCH_TIMER_STAGE_H
#define SKYBENCH_TIMER_STAGE_H

/* Staged timer adds (node key timer_stage = 1; issue 15): each worker pushes its timeouts
 * into a ring of its own, without skynet's timer lock, and whoever holds that lock (the
 * timer thread at the start of each tick's update, or a cancel, or a locked add) drains
 * every ring into the timer queue. Used by runtime/skynet_timer.c and
 * bench/bench_timer_lock.c; the semantics and their argument are in docs/skynet.md
 * section 9 and docs/verification.md ("Staged timer adds").
 *
 * Roles. timer_stage_push(s, w, ...) is called only by the thread that owns ring w (the
 * single producer). Every other call is made with the caller's timer lock held (the lock
 * serializes the consumers: one at a time, each seeing what the previous one did).
 *
 * Ids. Every timer added through a stage, staged or locked, gets a staged id: bit 63 set,
 * the ring in bits 40..62 (ring `rings` for locked adds), a per-ring sequence in bits
 * 0..39. The id stays valid while the timer is pending, in the ring or in the queue: the
 * queue holds the timer as a record {handle 0, session = record index}, and the record
 * keeps the queue's id for cancel. So with a stage every event the queue fires must go
 * through timer_stage_fired. Ids are unique among pending timers unless one ring sees
 * 2^40 adds while one of its timers is pending. */

#include <stdint.h>
#include <stddef.h>

#include "timerq.h"

struct timer_stage;

/* the queue's operations the stage calls: the linked part's (TIMER_STAGE_LINKED_QUEUE) or,
 * in the benchmark that links every implementation, one of its table's */
struct timer_stage_queue {
	uint64_t (*add)(struct timerq *q, const struct timer_event *event, uint32_t ticks);
	int (*cancel)(struct timerq *q, uint64_t id);
	uint32_t (*time)(const struct timerq *q);
};
#define TIMER_STAGE_LINKED_QUEUE { timerq_add, timerq_cancel, timerq_time }

/* rings: one per producer thread (< 2^23 - 1); ring_size: a power of two >= 2 */
struct timer_stage * timer_stage_create(int rings, uint32_t ring_size, const struct timer_stage_queue *ops);
/* frees every staged and drained timer's bookkeeping; the queue is released by its owner */
void timer_stage_release(struct timer_stage *s);

/* Producer w only: stage a timer due at absolute tick `due` (the tick the caller read plus
 * its ticks, 32-bit wrapping). Its staged id, or 0 if ring w is full (nothing staged). */
uint64_t timer_stage_push(struct timer_stage *s, int w, uint32_t due, const struct timer_event *ev);

/* Lock held: move every staged timer into q, rings in order 0..rings-1, each in push
 * order. A timer due at d enters with ticks d - timerq_time(q) if that is >= 1, else with
 * ticks 1 (it was due already: it fires in the next update). */
void timer_stage_drain(struct timer_stage *s, struct timerq *q);
/* Lock held: drain, then add ev with `ticks` (>= 1) as skynet's locked add does; its id */
uint64_t timer_stage_add_locked(struct timer_stage *s, struct timerq *q, const struct timer_event *ev,
	uint32_t ticks);
/* Lock held: drain, then cancel the timer with this id: 1 if it was pending (in a ring or
 * in q), 0 if it fired, was cancelled, or never existed */
int timer_stage_cancel(struct timer_stage *s, struct timerq *q, uint64_t id);
/* Lock held, inside q's fire callback: the real event of the record q fired; the record
 * and its id are gone from now on */
struct timer_event timer_stage_fired(struct timer_stage *s, const struct timer_event *ev);

/* Lock held: timers drained into the queue and still pending there */
size_t timer_stage_pending(const struct timer_stage *s);
/* After the producers stopped: adds staged by ring w, and pushes it refused (ring full) */
void timer_stage_counts(const struct timer_stage *s, int w, uint64_t *staged, uint64_t *full);

#endif
