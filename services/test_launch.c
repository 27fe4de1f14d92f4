/* A failed LAUNCH runs the instance's module release() before it returns (skynet's
 * order), even while another worker is inside a handle-table lookup. Reported as TAP
 * (svc_tap.h). Needs the node built with the parts' test hooks (skybench-node-hooks,
 * tests/test_launch_order.sh): it parks a reader with the handle part's HANDLE_HOOK_READ.
 * Roles by parameter:
 *   PARK_MS   the checker (bootstrap): from its first callback, has the reader park inside
 *             a lookup, LAUNCHes "test_launch fail" while it is parked, then checks that
 *             the failed instance's release() already ran; then ABORTs
 *   reader    on its message, sends one more (a push: a table lookup) and parks inside it
 *             until the checker's LAUNCH returned, or PARK_MS passed (a handle table whose
 *             failed LAUNCH waits for readers would otherwise wait for us forever)
 *   fail      init fails on purpose; release() counts the failed instances it frees
 * Why a hook: only a thread stopped inside grab/push is a reader in every table (rwlock,
 * brlock: the read lock is held; rcu, urcu: the read-side section is open). Under rcu and
 * urcu every callback also runs inside its worker's section (the dispatch batch's,
 * runtime/parts/handle.h), the checker's LAUNCH included: a table that waited for a grace
 * period there would wait for itself. */

#include "skynet.h"
#include "handle.h"
#include "svc_tap.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* shared by every instance (one module, one copy) */
static atomic_int failed_released;	/* release() of instances whose init failed */
static atomic_int reader_inside;	/* the reader is parked inside a lookup */
static atomic_int reader_left;		/* ... and has left it */
static atomic_int launch_done;		/* the checker's LAUNCH returned */
static int park_ms;			/* written before the reader is started */
static _Thread_local int park_here;	/* the reader's next lookup parks */

struct launch_svc {
	int failed;	/* this instance's init failed */
	int parked;	/* the reader has parked once */
};

static void
sleep_ms(long ms) {
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* wait until *flag is set or ms passed; returns the flag */
static int
wait_flag(atomic_int *flag, long ms) {
	long waited;
	for (waited = 0; !atomic_load(flag) && waited < ms; waited++)
		sleep_ms(1);
	return atomic_load(flag);
}

/* HANDLE_HOOK_READ: inside grab/push, a context looked up, the read side held */
static void
park_hook(enum handle_hook_point point) {
	if (point != HANDLE_HOOK_READ || !park_here)
		return;
	park_here = 0;
	atomic_store(&reader_inside, 1);
	wait_flag(&launch_done, park_ms);
	atomic_store(&reader_inside, 0);
	atomic_store(&reader_left, 1);
}

/* the hooked node's handle hook (test_hooks.h); NULL in a node built without hooks */
static _Atomic(handle_hook_fn *) *
hook_slot(void) {
	return (_Atomic(handle_hook_fn *) *)dlsym(RTLD_DEFAULT, "handle_test_hook");
}

struct launch_svc *
test_launch_create(void) {
	struct launch_svc *s = skynet_malloc(sizeof(*s));
	s->failed = 0;
	s->parked = 0;
	return s;
}

void
test_launch_release(struct launch_svc *s) {
	if (s->failed)
		atomic_fetch_add(&failed_released, 1);
	skynet_free(s);
}

static int
reader_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source,
		const void *msg, size_t sz) {
	(void)type, (void)session, (void)source, (void)msg, (void)sz;
	struct launch_svc *s = ud;
	if (s->parked)
		return 0;	/* our own parking message, delivered after we left */
	s->parked = 1;
	park_here = 1;
	skynet_send(ctx, 0, skynet_current_handle(), PTYPE_TEXT, 0, NULL, 0);
	return 0;
}

static uint32_t
handle_of(const char *hex) {
	return hex ? (uint32_t)strtoul(hex + 1, NULL, 16) : 0;
}

static void
check(struct skynet_context *ctx) {
	_Atomic(handle_hook_fn *) *hook = hook_slot();
	if (!SVC_OK(ctx, hook != NULL, "the node has the handle part's test hook (skybench-node-hooks)"))
		return;
	atomic_store(hook, park_hook);
	uint32_t reader = handle_of(skynet_command(ctx, "LAUNCH", "test_launch reader"));
	SVC_OK(ctx, reader != 0, "LAUNCH test_launch reader");
	skynet_send(ctx, 0, reader, PTYPE_TEXT, 0, NULL, 0);
	/* bounded only so that a broken scheduler fails instead of hanging */
	int parked = wait_flag(&reader_inside, 30000);
	SVC_OK(ctx, parked, "the reader, on another worker, is parked inside a handle lookup");
	const char *r = skynet_command(ctx, "LAUNCH", "test_launch fail");
	int released = atomic_load(&failed_released);
	int still_inside = atomic_load(&reader_inside);
	atomic_store(&launch_done, 1);
	SVC_OK(ctx, r == NULL, "LAUNCH of an instance whose init fails returns NULL");
	SVC_OK(ctx, released == 1, "its module release() ran before LAUNCH returned (ran %d times by then; reader %s)",
		released, still_inside ? "still inside its lookup" : "left its lookup meanwhile");
	SVC_OK(ctx, wait_flag(&reader_left, 30000), "the reader left its lookup");
	atomic_store(hook, NULL);
	SVC_OK(ctx, atomic_load(&failed_released) <= 1, "release() never ran twice");
}

static int
checker_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source,
		const void *msg, size_t sz) {
	(void)ud, (void)type, (void)session, (void)source, (void)msg, (void)sz;
	check(ctx);
	svc_tap_write(ctx, "TAPDONE");
	skynet_command(ctx, "ABORT", NULL);
	return 0;
}

int
test_launch_init(struct launch_svc *s, struct skynet_context *ctx, const char *parm) {
	if (parm && strcmp(parm, "fail") == 0) {
		s->failed = 1;
		return 1;
	}
	if (parm && strcmp(parm, "reader") == 0) {
		skynet_callback(ctx, s, reader_cb);
		return 0;
	}
	/* the checker: its init runs on the main thread, the test from its first callback
	 * (on a worker, where a LAUNCH from a service runs) */
	park_ms = parm ? atoi(parm) : 0;
	if (park_ms <= 0)
		park_ms = 500;
	skynet_callback(ctx, s, checker_cb);
	skynet_send(ctx, 0, handle_of(skynet_command(ctx, "REG", NULL)), PTYPE_TEXT, 0, NULL, 0);
	return 0;
}
