/* Handle table with userspace RCU: liburcu 0.13, "memb" flavour (Desnoyers, McKenney,
 * Stern, Dagenais, Walpole, "User-level implementations of read-copy update", IEEE TPDS
 * 2012). The table (layout, readers, writers, deferred work, correctness argument) is
 * handle_rcu.h; this file says what a read-side section and a grace period are.
 *
 * Why memb and not qsbr. qsbr reads are free but every registered thread must announce
 * quiescent states and go offline whenever it blocks; one online thread that blocks stalls
 * every grace period, so no retired context is ever released and the node, which waits for
 * its live count to reach zero, never exits. The runtime's workers and timer follow that
 * protocol, but its main thread is registered and then blocks in pthread_join, the monitor
 * sleeps 5 s at a time, and test threads call the table without any protocol. memb needs
 * nothing from threads besides registration: its read lock is a thread-local counter update
 * plus a compiler barrier (the writer side pays with the membarrier system call), measured
 * at 1.57 ns against qsbr's 1.47 ns per lookup (docs/dependencies.md, "liburcu"). Where
 * membarrier is unavailable liburcu falls back to a full fence per read lock; it stays
 * correct.
 *
 * Registration: a thread is registered on its first table call (or thread_start) and
 * unregistered at thread_stop or, for threads that never call it, by a pthread key
 * destructor at thread exit (liburcu must not keep a dead thread's reader state).
 *
 * Grace periods: call_rcu (asynchronous), never synchronize_rcu: retire runs on a worker
 * in the middle of a dispatch (KILL, EXIT), inside the batch's read-side section
 * (handle_rcu.h, "Dispatch"), where a grace period would wait for itself. The callbacks
 * run on liburcu's call_rcu thread; they only move the garbage to the ready list
 * (handle_rcu.h), and runtime threads run it: writers after each operation,
 * skynet_handle_thread_quiescent() (the timer thread every 2.5 ms, workers between
 * dispatches). exit() waits with rcu_barrier, which returns once every callback queued
 * so far has run, and drains, until nothing is pending. */

#include "handle_common.h"
/* The read side inlined. Not under TSan: liburcu's inline unlock reads and writes the
 * global futex word with plain volatile accesses (benign by its design, a race to TSan);
 * out of line they stay in the uninstrumented library. */
#ifndef HANDLE_TSAN
#define _LGPL_SOURCE
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <urcu/urcu-memb.h>

typedef struct rcu_head defer_head;

static void read_enter(void);
static void read_exit(void);

#include "handle_rcu.h"

const char skynet_handle_variant[] = "urcu";

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t registered_key;
static _Thread_local int registered;

static void
unregister_at_exit(void *unused) {
	(void)unused;
	urcu_memb_unregister_thread();
}

static void
key_setup(void) {
	pthread_key_create(&registered_key, unregister_at_exit);
}

static void
thread_register(void) {
	pthread_once(&key_once, key_setup);
	urcu_memb_register_thread();
	registered = 1;
	pthread_setspecific(registered_key, &registered);
}

static void
read_enter(void) {
	if (!registered)
		thread_register();
	urcu_memb_read_lock();
}

static void
read_exit(void) {
	TSAN_READ_EXIT();
	urcu_memb_read_unlock();
}

/* on the call_rcu thread, after the grace period */
static void
garbage_callback(struct rcu_head *head) {
	/* TSan: the writer's section (which initialized g) ended before this grace period */
	TSAN_GRACE_OVER();
	garbage_ready((struct handle_garbage *)((char *)head - offsetof(struct handle_garbage, head)));
}

/* under H->lock, inside the writer's read-side section (call_rcu allows both) */
static void
defer(struct handle_garbage *g) {
	urcu_memb_call_rcu(&g->head, garbage_callback);
}

static void
progress(void) {
	garbage_drain();
}

static void
barrier(void) {
	/* relaxed: rcu_barrier and the drain synchronize with the callbacks themselves */
	while (atomic_load_explicit(&garbage_pending, memory_order_relaxed) > 0) {
		urcu_memb_barrier();
		garbage_drain();
	}
}

void
skynet_handle_thread_start(void) {
	if (!registered)
		thread_register();
}

void
skynet_handle_thread_stop(void) {
	if (!registered)
		return;
	registered = 0;
	pthread_setspecific(registered_key, NULL);
	urcu_memb_unregister_thread();
}

void
skynet_handle_thread_quiescent(void) {
	garbage_drain();
}

/* memb readers are not waited for outside a section: nothing to announce */
void skynet_handle_thread_offline(void) {}
void skynet_handle_thread_online(void) {}
