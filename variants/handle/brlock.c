/* skynet master's handle table (PR #2148, 2026-03-31, "optimize skynet_handle_grab"): the
 * v1.8.0 table and rwlock plus per-thread reader slots, a "big-reader" lock. A thread
 * that called skynet_handle_thread_start owns a 64-byte slot; its read lock is a store to
 * that slot and a load of the writer flag, so the hot path does no atomic RMW on a shared
 * line. A writer takes the rwlock's write side, then waits until every slot is inactive.
 * Threads without a slot (the main thread, test threads, or all slots taken) use the plain
 * rwlock, as skynet's main thread does. Table logic: handle_locked.h.
 *
 * Why seq_cst: reader and writer run a Dekker handshake. Reader: store active=1, load
 * write. Writer: CAS write 0->1, load every active. Each side stores then loads a
 * different location; with acquire/release (or x86 TSO without a fence) both loads may
 * read the old values and both enter. seq_cst puts the four operations in one total
 * order, so at least one side sees the other's store.
 *
 * Slots: skynet claims thread+3 slots by an atomic counter and never returns them; here a
 * fixed array of READER_SLOTS is claimed by exchange and returned by thread_stop, so that
 * tests starting many threads reuse them. Writers scan only up to the highest slot ever
 * claimed (slot_high). */

#include <stdalign.h>
#include <stddef.h>

#include "spin_rwlock.h"

#define READER_SLOTS 128

struct reader_slot {
	alignas(64) atomic_int active;
	atomic_int owned;
};

/* static, not in the table: a thread keeps its slot across init/exit of the table */
static struct reader_slot readers[READER_SLOTS];
static atomic_int slot_high;
static _Thread_local struct reader_slot * my_slot;

struct table_lock {
	struct spin_rwlock rw;
};

static void table_lock_init(struct table_lock *l) { spin_rwlock_init(&l->rw); }

static void
table_rlock(struct table_lock *l) {
	struct reader_slot * r = my_slot;
	if (r == NULL) {
		spin_rwlock_rlock(&l->rw);
		return;
	}
	for (;;) {
		atomic_store(&r->active, 1);		/* seq_cst: Dekker, see top */
		if (!atomic_load(&l->rw.write))		/* seq_cst: Dekker, see top */
			return;
		/* relaxed: we read nothing under the lock; the writer only waits for 0 */
		atomic_store_explicit(&r->active, 0, memory_order_relaxed);
		while (atomic_load(&l->rw.write)) {}
	}
}

static void
table_runlock(struct table_lock *l) {
	struct reader_slot * r = my_slot;
	if (r == NULL)
		spin_rwlock_runlock(&l->rw);
	else	/* release: our reads of the table happen before a writer sees 0 */
		atomic_store_explicit(&r->active, 0, memory_order_release);
}

static void
table_wlock(struct table_lock *l) {
	spin_rwlock_wlock(&l->rw);
	int i, n = atomic_load(&slot_high);	/* seq_cst: ordered after our CAS of write */
	for (i = 0; i < n; i++)
		while (atomic_load(&readers[i].active)) {}	/* seq_cst: Dekker, see top */
}

static void table_wunlock(struct table_lock *l) { spin_rwlock_wunlock(&l->rw); }

#include "handle_locked.h"

const char skynet_handle_variant[] = "brlock";

void
skynet_handle_thread_start(void) {
	if (my_slot)
		return;
	int i;
	for (i = 0; i < READER_SLOTS; i++) {
		struct reader_slot * r = &readers[i];
		/* relaxed peek; the exchange (seq_cst) decides who owns the slot */
		if (atomic_load_explicit(&r->owned, memory_order_relaxed) || atomic_exchange(&r->owned, 1))
			continue;
		int high = atomic_load(&slot_high);
		/* seq_cst: a writer that misses the new high must come before our first read */
		while (high < i + 1 && !atomic_compare_exchange_weak(&slot_high, &high, i + 1)) {}
		my_slot = r;
		return;
	}
	/* all taken: this thread reads through the plain rwlock */
}

void
skynet_handle_thread_stop(void) {
	struct reader_slot * r = my_slot;
	if (r == NULL)
		return;
	my_slot = NULL;
	/* release: the next owner's use of the slot comes after ours */
	atomic_store_explicit(&r->owned, 0, memory_order_release);
}

void skynet_handle_thread_quiescent(void) {}
void skynet_handle_thread_offline(void) {}
void skynet_handle_thread_online(void) {}
