/* Fixed-duration multithreaded runs; see harness.h. */

#include "harness.h"
#include "pin.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct worker {
	const struct harness_spec *spec;
	struct harness_sample *out;
	pthread_barrier_t *barrier;
	atomic_int *stop;
	int tid;
	uint64_t begin, end;
	int bind_failed;
};

uint64_t
harness_now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *
worker_main(void *arg) {
	struct worker *w = arg;
	const struct harness_spec *s = w->spec;
	int cpu = s->cpu ? s->cpu[w->tid] : -1;
	if (pin_bind_self(cpu) != 0)
		w->bind_failed = 1;
	if (s->thread_init)
		s->thread_init(s->ud, w->tid);
	w->out->cpu_start[w->tid] = sched_getcpu();
	pthread_barrier_wait(w->barrier);
	w->begin = harness_now_ns();
	w->out->thread_ops[w->tid] = s->work(s->ud, w->tid, w->stop);
	w->end = harness_now_ns();
	w->out->cpu_end[w->tid] = sched_getcpu();
	if (s->thread_exit)
		s->thread_exit(s->ud, w->tid);
	return NULL;
}

static void
sleep_seconds(double sec) {
	struct timespec ts = { (time_t)sec, (long)((sec - (double)(time_t)sec) * 1e9) };
	while (nanosleep(&ts, &ts) != 0)
		;
}

int
harness_run(const struct harness_spec *s, struct harness_sample *out) {
	int n = s->threads;
	if (n < 1 || n > HARNESS_MAX_THREADS)
		return -1;
	pthread_t *th = calloc((size_t)n, sizeof *th);
	struct worker *w = calloc((size_t)n, sizeof *w);
	if (th == NULL || w == NULL)
		abort();
	pthread_barrier_t barrier;
	/* the main thread is the extra party: it starts the clock for the stop flag */
	pthread_barrier_init(&barrier, NULL, (unsigned)n + 1);
	atomic_int stop;
	atomic_init(&stop, 0);
	out->ops = 0;
	out->bind_failed = 0;
	int created = 0;
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){ .spec = s, .out = out, .barrier = &barrier, .stop = &stop, .tid = i };
		if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0)
			break;
		created++;
	}
	if (created < n) {
		/* cannot release a barrier with missing parties: report and give up loudly */
		fprintf(stderr, "harness: could not create thread %d of %d\n", created + 1, n);
		abort();
	}
	pthread_barrier_wait(&barrier);
	sleep_seconds(s->seconds);
	/* relaxed: the flag only ends the loops; results travel through pthread_join */
	atomic_store_explicit(&stop, 1, memory_order_relaxed);
	uint64_t begin = UINT64_MAX, end = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		out->ops += out->thread_ops[i];
		out->bind_failed += w[i].bind_failed;
		if (w[i].begin < begin)
			begin = w[i].begin;
		if (w[i].end > end)
			end = w[i].end;
	}
	out->wall_ns = end - begin;
	pthread_barrier_destroy(&barrier);
	free(th);
	free(w);
	return 0;
}

void
harness_cpus_string(const struct harness_sample *s, int threads, char *buf, size_t len) {
	size_t k = 0;
	buf[0] = 0;
	for (int i = 0; i < threads && k + 24 < len; i++) {
		int a = s->cpu_start[i], b = s->cpu_end[i];
		if (a == b)
			k += (size_t)snprintf(buf + k, len - k, "%s%d", i ? ";" : "", a);
		else
			k += (size_t)snprintf(buf + k, len - k, "%s%d>%d", i ? ";" : "", a, b);
	}
}
