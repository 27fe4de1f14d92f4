#ifndef SKYNET_SPINLOCK_H
#define SKYNET_SPINLOCK_H

/* skynet's spinlock (spinlock.h since PR #1431): test-and-test-and-set on one atomic_int,
 * exchange to take, relaxed spin while held, release store to drop. No backoff, no yield. */

#include <stdatomic.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define spinlock_pause() _mm_pause()
#elif defined(__aarch64__)
#define spinlock_pause() __asm__ __volatile__("yield")
#else
#define spinlock_pause() ((void)0)
#endif

struct spinlock {
	atomic_int lock;
};

static inline void
spinlock_init(struct spinlock *lock) {
	atomic_init(&lock->lock, 0);
}

static inline void
spinlock_lock(struct spinlock *lock) {
	for (;;) {
		/* acquire: the critical section must see everything the last holder wrote */
		if (!atomic_exchange_explicit(&lock->lock, 1, memory_order_acquire))
			return;
		/* relaxed: only a hint that the lock looks free; the exchange above decides */
		while (atomic_load_explicit(&lock->lock, memory_order_relaxed))
			spinlock_pause();
	}
}

static inline int
spinlock_trylock(struct spinlock *lock) {
	/* relaxed peek avoids a write to a held line; the exchange (acquire) decides */
	return !atomic_load_explicit(&lock->lock, memory_order_relaxed) &&
		!atomic_exchange_explicit(&lock->lock, 1, memory_order_acquire);
}

static inline void
spinlock_unlock(struct spinlock *lock) {
	/* release: publishes the critical section to the next acquirer */
	atomic_store_explicit(&lock->lock, 0, memory_order_release);
}

static inline void
spinlock_destroy(struct spinlock *lock) {
	(void) lock;
}

#endif
