#ifndef SKYBENCH_HANDLE_HOOKS_H
#define SKYBENCH_HANDLE_HOOKS_H

/* Test-only stall points (built with -DSKYBENCH_TEST_HOOKS=1, as part tests link the
 * parts). A test sets skynet_handle_test_hook before it starts threads; the table calls it
 * at the points below so that a test can widen a race window (sleep or yield there).
 * Without SKYBENCH_TEST_HOOKS the points compile to nothing. */

enum handle_hook_point {
	HANDLE_HOOK_READ,	/* a reader holds a context it looked up, not yet used */
	HANDLE_HOOK_GROW,	/* a writer built the doubled slot array, old one still in use */
	HANDLE_HOOK_RETIRE,	/* an entry is unreachable, the table's reference not yet dropped */
};

/* defined only in parts built with SKYBENCH_TEST_HOOKS (part tests always link those) */
extern void (*skynet_handle_test_hook)(enum handle_hook_point);

#if SKYBENCH_TEST_HOOKS
#define HANDLE_HOOK(p) do { \
	if (skynet_handle_test_hook) skynet_handle_test_hook(p); \
} while (0)
#define HANDLE_HOOK_DEFINE void (*skynet_handle_test_hook)(enum handle_hook_point)
#else
#define HANDLE_HOOK(p) ((void)0)
#define HANDLE_HOOK_DEFINE struct handle_hook_unused
#endif

#endif
