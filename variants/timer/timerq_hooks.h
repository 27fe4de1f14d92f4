#ifndef SKYBENCH_TIMERQ_HOOKS_H
#define SKYBENCH_TIMERQ_HOOKS_H

/* Test-only entry points of the timer queue. Every variant defines them only when built
 * with -DSKYBENCH_TEST_HOOKS=1 (the part objects linked into tests/test_part_*). */

#include <stdint.h>

struct timerq;

/* Moves the clock forward to `time` without firing anything, as if the ticks in between
 * had passed with nothing due: lets a test reach the 32-bit wrap or a 2^31-tick expiry
 * without running billions of updates. Refused (returns 0, nothing changes) if a pending
 * timer is due at or before `time` (counting forward from the current time); 1 otherwise.
 * Pending timers keep their expiry and their FIFO order. */
int timerq_test_set_time(struct timerq *, uint32_t time);

#endif
