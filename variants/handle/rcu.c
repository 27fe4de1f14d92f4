/* Handle table with epoch-based reclamation: Concurrency Kit's ck_epoch (libck 0.7.1),
 * after Fraser, "Practical lock-freedom" (PhD thesis, Cambridge, 2004), ch. 5. The table
 * (layout, readers, writers, deferred work, correctness argument) is handle_rcu.h; this
 * file says what a read-side section and a grace period are.
 *
 * Read side: ck_epoch_begin/end on the calling thread's own record: a store and a fence on
 * a line no other reader writes. Threads that never called thread_start (main, tests) get
 * a record lazily; records cannot be freed once registered, so a thread's record is
 * unregistered at thread_stop or thread exit (pthread key destructor) and recycled
 * (ck_epoch_recycle) by the next new thread.
 *
 * Grace periods: all deferrals go to one shared record, owned by no thread and touched
 * only under the table's writer mutex (ck_epoch_call is single-producer, and ck_epoch_poll
 * pops the same stacks). Writers poll after each operation, and so does
 * skynet_handle_thread_quiescent() (the timer thread every 2.5 ms), both with
 * ck_epoch_poll_deferred so the callbacks run after the mutex is dropped (a release may
 * re-enter the table). No ck_epoch_synchronize on those paths: it busy-waits for readers,
 * which on two cores burns the CPU the reader needs, and a worker's dispatch batch is a
 * section (handle_rcu.h, "Dispatch"): a callback that waited for a grace period would wait
 * for itself. exit() polls until nothing is pending; every thread has stopped by then, so
 * each poll finds no active record and dispatches all.
 *
 * ARM64: libck 0.7.1's ck_epoch_begin stores `active`, fences, then loads the global
 * epoch with a plain load; on a weakly ordered CPU the section's own loads (the slot
 * array, a context) may be satisfied before that epoch load. A reader could then hold a
 * pointer read in epoch e while advertising e+1, and a poll that sees every active record
 * at e+1 frees e's garbage under it. read_enter() adds an acquire fence after
 * ck_epoch_begin (dmb ishld on ARM64, nothing on x86), which is the fix made on ck's
 * master (not in any release). ck_epoch_poll's own ordering, also fixed only on master, is
 * covered here by calling it solely under the writer mutex (lock/unlock are full
 * acquire/release on every CPU). Build for ARM64 against the ARM64 ck headers
 * (docs/dependencies.md, "ck on ARM64"), never with pkg-config's -D__x86_64__. */

#include <ck_epoch.h>
#include <ck_stack.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef ck_epoch_entry_t defer_head;

static void read_enter(void);
static void read_exit(void);

#include "handle_rcu.h"

const char skynet_handle_variant[] = "rcu";

static ck_epoch_t epoch;		/* static: records outlive any one table */
static ck_epoch_record_t defer_record;	/* under H->lock */
static pthread_once_t epoch_once = PTHREAD_ONCE_INIT;
static pthread_key_t record_key;
static _Thread_local ck_epoch_record_t * my_record;

static void
record_drop(void *r) {
	ck_epoch_unregister(r);
}

static void
epoch_setup(void) {
	ck_epoch_init(&epoch);
	ck_epoch_register(&epoch, &defer_record, NULL);
	pthread_key_create(&record_key, record_drop);
}

static ck_epoch_record_t *
record_get(void) {
	ck_epoch_record_t * r = my_record;
	if (r)
		return r;
	pthread_once(&epoch_once, epoch_setup);
	r = ck_epoch_recycle(&epoch, NULL);
	if (r == NULL) {
		r = aligned_alloc(CK_MD_CACHELINE, sizeof(*r));
		ck_epoch_register(&epoch, r, NULL);
	}
	my_record = r;
	pthread_setspecific(record_key, r);
	return r;
}

static void
read_enter(void) {
	ck_epoch_begin(record_get(), NULL);
	/* the ARM64 fix (see top): our loads stay after the epoch load */
	atomic_thread_fence(memory_order_acquire);
}

static void
read_exit(void) {
	TSAN_READ_EXIT();
	ck_epoch_end(my_record, NULL);
}

static void
garbage_entry_run(ck_epoch_entry_t *e) {
	garbage_run((struct handle_garbage *)((char *)e - offsetof(struct handle_garbage, head)));
}

/* under H->lock */
static void
defer(struct handle_garbage *g) {
	ck_epoch_call(&defer_record, &g->head, garbage_entry_run);
}

/* poll the shared record under the lock (wait for it if block), run what is due outside */
static void
poll_garbage(int block) {
	struct rcu_table * t = H;
	ck_stack_t due = CK_STACK_INITIALIZER;
	ck_stack_entry_t * s;
	if (block)
		pthread_mutex_lock(&t->lock);
	else if (pthread_mutex_trylock(&t->lock) != 0)
		return;
	ck_epoch_poll_deferred(&defer_record, &due);
	pthread_mutex_unlock(&t->lock);
	while ((s = ck_stack_pop_npsc(&due)) != NULL) {
		ck_epoch_entry_t * e = (ck_epoch_entry_t *)((char *)s - offsetof(ck_epoch_entry_t, stack_entry));
		e->function(e);
	}
}

static void
progress(void) {
	/* relaxed: a hint; a stale zero only leaves the work to the next call */
	if (H && atomic_load_explicit(&garbage_pending, memory_order_relaxed) > 0)
		poll_garbage(0);
}

static void
barrier(void) {
	/* relaxed: only skynet_handle_exit calls this, after the runtime joined its threads, so
	 * every decrement happened before this load */
	while (atomic_load_explicit(&garbage_pending, memory_order_relaxed) > 0) {
		poll_garbage(1);
		sched_yield();
	}
}

void
skynet_handle_thread_start(void) {
	record_get();
}

void
skynet_handle_thread_stop(void) {
	ck_epoch_record_t * r = my_record;
	if (r == NULL)
		return;
	my_record = NULL;
	pthread_setspecific(record_key, NULL);
	ck_epoch_unregister(r);
}

void
skynet_handle_thread_quiescent(void) {
	progress();
}

/* a thread outside a section is not waited for: nothing to announce */
void skynet_handle_thread_offline(void) {}
void skynet_handle_thread_online(void) {}
