#ifndef SKYNET_CONTEXT_HANDLE_H
#define SKYNET_CONTEXT_HANDLE_H

/* The handle table: a swappable part. One implementation per file in variants/handle/,
 * the Makefile links exactly one. Semantics are skynet v1.8.0's (skynet_handle.c):
 * 24-bit local ids probed from handle_index, a slot array that doubles and never shrinks,
 * ids not reused before the counter wraps, a sorted name table, names dropped on retire.
 *
 * An implementation defines: every operation of HANDLE_OPS, skynet_handle_variant, and the
 * test hook (TEST_HOOK_DEFINE(handle), test_hooks.h). It may call, of the runtime
 * (runtime_services.h): skynet_malloc & co, skynet_context_grab, skynet_context_release,
 * skynet_context_deliver.
 *
 * Reference counting contract (struct skynet_context lives in runtime/skynet_server.c):
 * - the table owns one reference per registered context; retire drops it with
 *   skynet_context_release() after the entry is unreachable (an RCU variant defers
 *   that drop until a grace period has passed);
 * - grab returns the context with one more reference (skynet_context_grab), or NULL;
 * - push looks the handle up and delivers the message to the context's mailbox with
 *   skynet_context_deliver() while the context is guaranteed alive, without necessarily
 *   touching its refcount. Returns 0, or -1 when no live context has this handle (the
 *   caller then frees the payload);
 * - dispatch_begin looks the handle up for a worker's dispatch batch and returns the
 *   context, kept alive until the matching dispatch_end, or NULL (no live context). The
 *   locked tables grab and release (skynet's reference); the RCU tables hold their
 *   read-side section from begin to end instead, touching no reference count, so the
 *   context's callbacks run inside that section. Hence the rule for every operation:
 *   none may wait for a grace period, since it may be called from a callback (a LAUNCH,
 *   a KILL, a REG) while its own thread holds a section; only exit (all threads
 *   stopped) waits. The other side of it: a callback that runs for long holds every
 *   grace period, and what retires meanwhile, that long (docs/verification.md, R5).
 *
 * Per-thread reader state (brlock reader slots, RCU records): every runtime thread calls
 * thread_start before its first table call and thread_stop before it exits; a thread that
 * never called thread_start still works (slow path or lazy registration). A worker calls
 * quiescent between two dispatches (it holds no pointer obtained from the table without a
 * reference, and no dispatch section), and offline/online around blocking
 * (condition-variable sleep). The timer thread calls quiescent every loop, so deferred
 * frees make progress while workers sleep. */

#include <stdint.h>

#include "part_ops.h"
#include "runtime_services.h"
#include "test_hooks.h"

#define HANDLE_MASK 0xffffff
#define HANDLE_REMOTE_SHIFT 24

/* Deferred work not yet run: garbage records, the retired contexts among them (each
 * keeps its whole service alive: instance, mailbox, queued messages), and the table's own
 * memory they hold (replaced arrays, names, the records). Counters, read without order. */
struct handle_held {
	long records;
	long contexts;
	long bytes;
};

#define HANDLE_OPS(X) \
	X(void, skynet_handle_init, (int harbor)) \
	/* frees the table; every handle must have been retired and every thread stopped */ \
	X(void, skynet_handle_exit, (void)) \
	X(uint32_t, skynet_handle_register, (struct skynet_context *ctx)) \
	X(int, skynet_handle_retire, (uint32_t handle)) \
	X(struct skynet_context *, skynet_handle_grab, (uint32_t handle)) \
	X(int, skynet_handle_push, (uint32_t handle, struct skynet_message *message)) \
	X(struct skynet_context *, skynet_handle_dispatch_begin, (uint32_t handle)) \
	/* ctx: what dispatch_begin returned (not NULL), on the same thread */ \
	X(void, skynet_handle_dispatch_end, (struct skynet_context *ctx)) \
	/* what retires have left waiting for a grace period (all zero in the locked tables) */ \
	X(void, skynet_handle_held, (struct handle_held *held)) \
	X(void, skynet_handle_retireall, (void)) \
	X(uint32_t, skynet_handle_findname, (const char *name)) \
	X(const char *, skynet_handle_namehandle, (uint32_t handle, const char *name)) \
	X(void, skynet_handle_thread_start, (void)) \
	X(void, skynet_handle_thread_stop, (void)) \
	X(void, skynet_handle_thread_quiescent, (void)) \
	X(void, skynet_handle_thread_offline, (void)) \
	X(void, skynet_handle_thread_online, (void))

HANDLE_OPS(PART_OP_DECLARE)

/* Which design this is, for --version and result rows. */
extern const char skynet_handle_variant[];

/* Stall points (test_hooks.h), where a part test widens a race window. */
enum handle_hook_point {
	HANDLE_HOOK_READ,	/* a reader holds a context it looked up, not yet used */
	HANDLE_HOOK_GROW,	/* a writer built the doubled slot array, old one still in use */
	HANDLE_HOOK_RETIRE,	/* an entry is unreachable, the table's reference not yet dropped */
};
TEST_HOOK_DECLARE(handle);

#endif
