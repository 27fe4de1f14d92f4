#ifndef SKYBENCH_SPIN_RWLOCK_H
#define SKYBENCH_SPIN_RWLOCK_H

/* skynet v1.8.0's rwlock.h: two atomic ints, writer-preferring (a reader backs off while
 * `write` is set), unfair, pure spinning with no pause and no yield. Every operation is
 * seq_cst as in skynet (its ATOM_* macros are the C11 defaults); the reader's increment
 * followed by its load of `write`, against the writer's CAS followed by its load of
 * `read`, is a store->load handshake that needs the single total order of seq_cst. */

#include <stdatomic.h>

struct spin_rwlock {
	atomic_int write;
	atomic_int read;
};

static inline void
spin_rwlock_init(struct spin_rwlock *lock) {
	atomic_init(&lock->write, 0);
	atomic_init(&lock->read, 0);
}

static inline void
spin_rwlock_rlock(struct spin_rwlock *lock) {
	for (;;) {
		while (atomic_load(&lock->write)) {}
		atomic_fetch_add(&lock->read, 1);
		if (!atomic_load(&lock->write))
			return;
		atomic_fetch_sub(&lock->read, 1);
	}
}

static inline void
spin_rwlock_runlock(struct spin_rwlock *lock) {
	atomic_fetch_sub(&lock->read, 1);
}

static inline void
spin_rwlock_wlock(struct spin_rwlock *lock) {
	int clear = 0;
	/* weak CAS 0->1; a failure rewrites `clear`, so reset it each round */
	while (!atomic_compare_exchange_weak(&lock->write, &clear, 1))
		clear = 0;
	while (atomic_load(&lock->read)) {}
}

static inline void
spin_rwlock_wunlock(struct spin_rwlock *lock) {
	atomic_store(&lock->write, 0);
}

#endif
