#ifndef SKYBENCH_HARNESS_H
#define SKYBENCH_HARNESS_H

/* Fixed-duration contended throughput (docs/method.md rule 5): fresh threads, each pinned
 * and placed before a barrier; after the barrier every thread runs its work loop until the
 * stop flag, counting its own operations; the rate is the total over the wall time from
 * the first thread's start to the last thread's end. Never a fixed iteration count per
 * thread. */

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Run until atomic_load_explicit(stop, memory_order_relaxed) is true (check it every few
 * operations), return the operations done. tid is 0..threads-1. */
typedef uint64_t (*harness_work)(void *ud, int tid, const atomic_int *stop);

/* relaxed: the stop flag only ends the loop; results are read after pthread_join */
#define HARNESS_STOPPED(stop) atomic_load_explicit(stop, memory_order_relaxed)

/* The fetch-and-add ceiling's work loop: every thread increments one shared counter, the
 * cost of the contended line that any shared queue needs at least once per operation. */
static inline uint64_t
harness_faa_work(atomic_ulong *counter, const atomic_int *stop) {
	uint64_t n = 0;
	while (!HARNESS_STOPPED(stop)) {
		for (int i = 0; i < 64; i++)
			/* relaxed: the ceiling is the RMW on a shared line itself (lock xadd on x86
			 * whatever the order); the total is read after join */
			atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
		n += 64;
	}
	return n;
}

struct harness_spec {
	int threads;
	const int *cpu;		/* OS CPU per thread, -1 = unpinned; NULL = none pinned */
	double seconds;
	harness_work work;
	void *ud;
	/* optional, in each thread before the barrier and after the loop (not timed) */
	void (*thread_init)(void *ud, int tid);
	void (*thread_exit)(void *ud, int tid);
};

#define HARNESS_MAX_THREADS 1024

struct harness_sample {
	uint64_t ops;
	uint64_t wall_ns;
	uint64_t thread_ops[HARNESS_MAX_THREADS];
	int cpu_start[HARNESS_MAX_THREADS], cpu_end[HARNESS_MAX_THREADS];
	int bind_failed;	/* threads whose binding failed (they ran unpinned) */
};

/* 0, or -1 if threads could not be created. */
int harness_run(const struct harness_spec *, struct harness_sample *);

/* "0;1" or "0>1;1" (started on 0, ended on 1), for the cpus column */
void harness_cpus_string(const struct harness_sample *, int threads, char *buf, size_t len);

uint64_t harness_now_ns(void);

#endif
