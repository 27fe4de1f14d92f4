#ifndef SKYBENCH_GLOBALQ_HOOKS_H
#define SKYBENCH_GLOBALQ_HOOKS_H

/* Test-only stall points (built with -DSKYBENCH_TEST_HOOKS=1, as part tests link the
 * parts). A test sets globalq_test_hook; a lock-free variant calls it in the middle of its
 * operations so that a test can park one thread there and check that the others still
 * finish theirs. Every variant defines the pointer (GLOBALQ_HOOK_DEFINE); the blocking
 * ones never call it. Without SKYBENCH_TEST_HOOKS the points compile to nothing. */

enum globalq_hook_point {
	GLOBALQ_HOOK_PUSH_CLAIMED,	/* push took a position in the ring, slot not yet written */
	GLOBALQ_HOOK_POP_CLAIMED,	/* pop took a position in the ring, slot not yet read */
	GLOBALQ_HOOK_FREE_CLAIMED,	/* push took a free cell's position, cell not yet taken */
	GLOBALQ_HOOK_RECYCLE_CLAIMED,	/* pop is giving its cell back, position taken, not written */
	GLOBALQ_HOOK_GROW_LINKED,	/* reserve linked a bigger ring, old one not yet closed */
	GLOBALQ_HOOK_POINTS
};

#if SKYBENCH_TEST_HOOKS
#include <stdatomic.h>
typedef void globalq_hook_fn(enum globalq_hook_point);
extern _Atomic(globalq_hook_fn *) globalq_test_hook;
/* relaxed: the test sets the hook before it starts the threads that reach these points */
#define GLOBALQ_HOOK(p) do { \
	globalq_hook_fn *gq_hook_ = atomic_load_explicit(&globalq_test_hook, memory_order_relaxed); \
	if (gq_hook_) gq_hook_(p); \
} while (0)
#define GLOBALQ_HOOK_DEFINE _Atomic(globalq_hook_fn *) globalq_test_hook
#else
#define GLOBALQ_HOOK(p) ((void)(p))
#define GLOBALQ_HOOK_DEFINE struct globalq_hook_unused
#endif

#endif
