#ifndef SKYNET_TIMER_H
#define SKYNET_TIMER_H

/* The node's clock and timers: skynet's skynet_timer.c around a swappable timer queue. */

#include <stdint.h>

/* entries in each worker's ring, with timer_stage = 1 */
#define TIMER_STAGE_RING 4096

int skynet_timeout(uint32_t handle, int time, int session);
/* skybench's internal additions, for benchmarks: a timer id (0 if ticks <= 0 delivered at
 * once, or the handle was invalid) and its cancellation (1 if it was pending). */
uint64_t skynet_timer_add(uint32_t handle, int ticks, int session);
int skynet_timer_cancel(uint64_t id);
void skynet_updatetime(void);
uint32_t skynet_starttime(void);
uint64_t skynet_thread_time(void);	/* for profile, in micro second */

/* stage: 0 skynet's locked adds; 1 staged adds from workers (node key timer_stage). Call
 * after skynet_sched_init: one ring per worker. */
void skynet_timer_init(int stage);
/* the timer settings and the staged / locked add counts, one line on stderr (at exit,
 * with sched_counters) */
void skynet_timer_report(void);
void skynet_timer_exit(void);

#endif
