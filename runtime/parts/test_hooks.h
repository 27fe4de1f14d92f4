#ifndef SKYBENCH_TEST_HOOKS_H
#define SKYBENCH_TEST_HOOKS_H

/* Test hooks of the parts: one convention for every part, both kinds under one switch.
 * The part tests (tests/test_part_*.c) link implementations built with
 * -DSKYBENCH_TEST_HOOKS=1, and so does skybench-node-hooks, the node a few node tests run
 * (the Makefile's HOOKED_NODE_TESTS; their services find a hook with dlsym); every other
 * build, skybench-node included, has none of this.
 *
 * Stall points. A part's interface header lists the points (enum <part>_hook_point) and
 * declares the hook with TEST_HOOK_DECLARE(part); every implementation defines it once with
 * TEST_HOOK_DEFINE(part), calls or not, and marks a point with TEST_HOOK(part, point). A
 * test installs a function with TEST_HOOK_SET(part, fn) before it starts the threads that
 * reach the points, and removes it (NULL) after joining them; it may sleep, yield or park
 * the calling thread there, to widen a race window or to show that the other threads still
 * finish. Without the switch a point compiles to nothing.
 *
 * Test entry points: functions only a part test calls (named <part>_test_*, e.g.
 * timerq_test_set_time), declared in the interface header and defined by every
 * implementation inside #if SKYBENCH_TEST_HOOKS. */

#include <stdatomic.h>

#ifndef SKYBENCH_TEST_HOOKS
#define SKYBENCH_TEST_HOOKS 0
#endif

#define TEST_HOOK_DECLARE(part) \
	typedef void part##_hook_fn(enum part##_hook_point); \
	extern _Atomic(part##_hook_fn *) part##_test_hook

/* seq_cst: set only by tests, outside the measured code */
#define TEST_HOOK_SET(part, fn) atomic_store(&part##_test_hook, (fn))

#if SKYBENCH_TEST_HOOKS
/* relaxed: the test sets the hook before it creates the threads that reach the point, and
 * thread creation orders the two */
#define TEST_HOOK(part, point) do { \
	part##_hook_fn *test_hook_ = atomic_load_explicit(&part##_test_hook, memory_order_relaxed); \
	if (test_hook_) test_hook_(point); \
} while (0)
#define TEST_HOOK_DEFINE(part) _Atomic(part##_hook_fn *) part##_test_hook
#else
#define TEST_HOOK(part, point) ((void)(point))
#define TEST_HOOK_DEFINE(part) struct part##_test_hook_unused
#endif

#endif
