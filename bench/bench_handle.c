/* Handle-table micro-benchmarks: every variants/handle implementation and the
 * unsynchronized-read ceiling, same threads, same pinning, interleaved.
 *
 *   lookup      grab + release of a random live handle (skynet_context_push's path)
 *   push        skynet_handle_push of a random live handle (RCU variants skip the refcount)
 *   churn       lookup, but with probability p (params churn_permille) the thread instead
 *               retires one of its own services and registers a new one (steady lookups
 *               alone flatter RCU, docs/method.md "Workloads")
 *   names       skynet_handle_findname of a random one of 64 names
 * Ceilings: unsync-read (slot array indexed by handle, no synchronization at all) for the
 * lookup benchmarks, unsync-bsearch (strcmp binary search of a plain array) for names.
 * Every worker calls the table's quiescent hook every QS_EVERY operations, as a worker
 * does between dispatches.
 *
 * Checks: a lookup returns either NULL (only possible under churn) or the live context
 * registered under exactly that handle, never one whose last reference is gone; after the
 * run every handle is retired, the table exits, and every context must have been released
 * exactly once by the table (refcount 0, never below). */

#include "common.h"
#include "harness.h"
#include "parts.h"

#include "skynet_mq.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define SERVICES 1024
#define NAMES 64
#define QS_EVERY 32
#define RECYCLE 256		/* per-thread ring of retired contexts waiting to be reused */
#define CEILING (-1)

/* The fake service: one cache line, as a real context would be its own allocation. */
struct skynet_context {
	atomic_int ref;
	atomic_int dead;	/* set when ref reached 0: no table may hand it out again */
	uint32_t handle;	/* written before the handle is published in live[] */
	int pad_[13];
} __attribute__((aligned(64)));

static atomic_ulong bad_release;	/* release below zero */
static _Thread_local uint64_t delivered;

void
skynet_context_grab(struct skynet_context *ctx) {
	/* seq_cst: skynet's ATOM_INC, so the ceiling gap includes what skynet pays */
	atomic_fetch_add(&ctx->ref, 1);
}

struct skynet_context *
skynet_context_release(struct skynet_context *ctx) {
	int old = atomic_fetch_sub(&ctx->ref, 1);
	if (old <= 0) {
		atomic_fetch_add(&bad_release, 1);
		return NULL;
	}
	if (old == 1) {
		/* release: the owner's acquire load sees everything done before the last drop */
		atomic_store_explicit(&ctx->dead, 1, memory_order_release);
		return NULL;
	}
	return ctx;
}

void
skynet_context_deliver(struct skynet_context *ctx, struct skynet_message *msg) {
	/* relaxed: a check of this thread's own view; dead here is a table bug */
	if (atomic_load_explicit(&ctx->dead, memory_order_relaxed) || msg->session != (int)ctx->handle)
		atomic_fetch_add(&bad_release, 1);
	delivered++;
}

uint32_t
skynet_context_handle(struct skynet_context *ctx) {
	return ctx->handle;
}

enum workload { LOOKUP, PUSH, CHURN, NAMES_Q };
static const char *const workload_name[] = { "lookup", "push", "churn", "names" };

struct worker_state {
	uint64_t seed;
	uint64_t lookups, churns, misses, wrong, pushes_ok;
	struct skynet_context *ring[RECYCLE];
	int ring_head, ring_n;
	char pad[64];
};

struct run {
	const struct bench_handle_impl *impl;	/* NULL: ceiling */
	enum workload w;
	int threads;
	unsigned permille;
	_Alignas(64) _Atomic uint32_t live[SERVICES];	/* handles, slot i owned by thread i % threads */
	struct skynet_context **all;	/* every context ever made, for the final check */
	atomic_size_t nall;
	size_t capall;
	struct worker_state ws[HARNESS_MAX_THREADS];
	/* ceilings */
	struct skynet_context **table;
	uint32_t mask;
	struct { char name[16]; uint32_t handle; } names[NAMES];
};

static struct skynet_context *
ctx_new(struct run *r) {
	size_t i = atomic_fetch_add(&r->nall, 1);
	if (i >= r->capall) {
		fprintf(stderr, "bench_handle: context pool exhausted\n");
		abort();
	}
	struct skynet_context *c = aligned_alloc(64, sizeof *c);
	if (c == NULL)
		abort();
	memset(c, 0, sizeof *c);
	atomic_init(&c->ref, 1);
	atomic_init(&c->dead, 0);
	r->all[i] = c;
	return c;
}

/* a retired context of this thread whose last reference is gone, or a new one */
static struct skynet_context *
ctx_get(struct run *r, struct worker_state *w) {
	/* acquire: pairs with the release store of dead in skynet_context_release, so the
	 * last holder is done with the context before we reuse it */
	if (w->ring_n == RECYCLE || (w->ring_n > 0 && atomic_load_explicit(
			&w->ring[w->ring_head]->dead, memory_order_acquire))) {
		struct skynet_context *c = w->ring[w->ring_head];
		if (atomic_load_explicit(&c->dead, memory_order_acquire)) {
			w->ring_head = (w->ring_head + 1) % RECYCLE;
			w->ring_n--;
			/* relaxed: no other thread can reach c until register publishes it (the
			 * table's own synchronization orders these stores before any grab) */
			atomic_store_explicit(&c->ref, 1, memory_order_relaxed);
			atomic_store_explicit(&c->dead, 0, memory_order_relaxed);
			c->handle = 0;
			return c;
		}
	}
	return ctx_new(r);
}

static void
ctx_retired(struct worker_state *w, struct skynet_context *c) {
	if (w->ring_n == RECYCLE)
		return;		/* ring full of contexts still referenced: let this one go */
	w->ring[(w->ring_head + w->ring_n) % RECYCLE] = c;
	w->ring_n++;
}

static int
check_ctx(struct skynet_context *c, uint32_t h) {
	/* relaxed: we hold a reference; dead set now means the table released too early */
	return c->handle == h && !atomic_load_explicit(&c->dead, memory_order_relaxed);
}

static void
churn_one(struct run *r, int tid, struct worker_state *w) {
	const struct bench_handle_impl *im = r->impl;
	/* one of this thread's slots: tid, tid + threads, ... */
	unsigned per = (SERVICES - (unsigned)tid + (unsigned)r->threads - 1) / (unsigned)r->threads;
	unsigned slot = (unsigned)tid + (unsigned)(bench_rand(&w->seed) % per) * (unsigned)r->threads;
	/* relaxed: only this thread writes its own slots */
	uint32_t old = atomic_load_explicit(&r->live[slot], memory_order_relaxed);
	struct skynet_context *oc = im->skynet_handle_grab(old);
	if (oc == NULL || !im->skynet_handle_retire(old)) {
		w->wrong++;
		return;
	}
	skynet_context_release(oc);
	ctx_retired(w, oc);
	struct skynet_context *c = ctx_get(r, w);
	uint32_t h = im->skynet_handle_register(c);
	c->handle = h;
	/* release: a reader that loads h also sees c->handle = h */
	atomic_store_explicit(&r->live[slot], h, memory_order_release);
	w->churns++;
}

static uint64_t
work(void *ud, int tid, const atomic_int *stop) {
	struct run *r = ud;
	const struct bench_handle_impl *im = r->impl;
	struct worker_state *w = &r->ws[tid];
	w->seed = 0x9E3779B97F4A7C15ULL * (uint64_t)(tid + 1);
	uint64_t threshold = (uint64_t)r->permille * (UINT64_MAX / 1000);
	/* relaxed: the stop flag only ends the loop; results are read after pthread_join */
	while (!atomic_load_explicit(stop, memory_order_relaxed)) {
		for (int i = 0; i < QS_EVERY; i++) {
			uint64_t x = bench_rand(&w->seed);
			if (r->w == NAMES_Q) {
				int k = (int)(x % NAMES);
				uint32_t h = im ? im->skynet_handle_findname(r->names[k].name) : 0;
				if (im == NULL) {
					int lo = 0, hi = NAMES - 1;
					while (lo <= hi) {
						int mid = (lo + hi) / 2;
						int c = strcmp(r->names[mid].name, r->names[k].name);
						if (c == 0) {
							h = r->names[mid].handle;
							break;
						}
						if (c < 0)
							lo = mid + 1;
						else
							hi = mid - 1;
					}
				}
				w->wrong += h != r->names[k].handle;
				w->lookups++;
				continue;
			}
			/* the ceiling has nothing to churn: it reads the same kind of table */
			if (r->w == CHURN && im && x < threshold) {
				churn_one(r, tid, w);
				continue;
			}
			/* acquire: pairs with churn_one's release of a fresh handle */
			uint32_t h = atomic_load_explicit(&r->live[(x >> 32) % SERVICES], memory_order_acquire);
			if (im == NULL) {
				struct skynet_context *c = r->table[h & r->mask];
				w->wrong += c->handle != h;
			} else if (r->w == PUSH) {
				struct skynet_message m = { .source = (uint32_t)tid, .session = (int)h };
				if (im->skynet_handle_push(h, &m) == 0)
					w->pushes_ok++;
				else
					w->misses++;
			} else {
				struct skynet_context *c = im->skynet_handle_grab(h);
				if (c == NULL) {
					w->misses++;
				} else {
					w->wrong += !check_ctx(c, h);
					skynet_context_release(c);
				}
			}
			w->lookups++;
		}
		if (im)
			im->skynet_handle_thread_quiescent();
	}
	return w->lookups + w->churns;
}

static void
thread_init(void *ud, int tid) {
	struct run *r = ud;
	(void)tid;
	delivered = 0;
	if (r->impl)
		r->impl->skynet_handle_thread_start();
}

static void
thread_exit(void *ud, int tid) {
	struct run *r = ud;
	r->ws[tid].pushes_ok -= delivered;	/* 0 if every successful push delivered once */
	if (r->impl)
		r->impl->skynet_handle_thread_stop();
}

static void
setup(struct run *r) {
	const struct bench_handle_impl *im = r->impl;
	if (im)
		im->skynet_handle_init(0);
	uint32_t maxh = 0;
	for (int i = 0; i < SERVICES; i++) {
		struct skynet_context *c = ctx_new(r);
		c->handle = im ? im->skynet_handle_register(c) : (uint32_t)(i + 1);
		atomic_init(&r->live[i], c->handle);
		if (c->handle > maxh)
			maxh = c->handle;
	}
	for (int k = 0; k < NAMES; k++) {
		/* names land in shuffled order, so the sorted insert does real work */
		int i = (k * 37) % NAMES;
		snprintf(r->names[i].name, sizeof r->names[i].name, "svc%03d", k);
		r->names[i].handle = atomic_load(&r->live[k * (SERVICES / NAMES)]);
		if (im && im->skynet_handle_namehandle(r->names[i].handle, r->names[i].name) == NULL)
			abort();
	}
	if (im == NULL) {
		/* the ceiling's table: a plain power-of-two array, as skynet's slot array */
		uint32_t size = 1;
		while (size <= maxh)
			size <<= 1;
		r->mask = size - 1;
		r->table = calloc(size, sizeof *r->table);
		for (size_t i = 0; i < SERVICES; i++)
			r->table[r->all[i]->handle & r->mask] = r->all[i];
		/* sorted for the bsearch ceiling */
		for (int i = 0; i < NAMES; i++)
			for (int j = i + 1; j < NAMES; j++)
				if (strcmp(r->names[j].name, r->names[i].name) < 0) {
					char tn[16];
					uint32_t th = r->names[i].handle;
					memcpy(tn, r->names[i].name, 16);
					memcpy(r->names[i].name, r->names[j].name, 16);
					r->names[i].handle = r->names[j].handle;
					memcpy(r->names[j].name, tn, 16);
					r->names[j].handle = th;
				}
	}
}

static void
teardown_and_check(struct run *r, const struct harness_sample *s, struct bench_result *res) {
	const struct bench_handle_impl *im = r->impl;
	uint64_t wrong = 0, undelivered = 0, churn_fail = 0;
	for (int t = 0; t < r->threads; t++) {
		wrong += r->ws[t].wrong;
		undelivered += r->ws[t].pushes_ok;
	}
	(void)s;
	res->checked = 1;
	if (im) {
		for (int i = 0; i < SERVICES; i++) {
			uint32_t h = atomic_load(&r->live[i]);
			if (im->skynet_handle_findname("no.such.name") != 0 || !im->skynet_handle_retire(h))
				churn_fail++;
		}
		im->skynet_handle_retireall();
		im->skynet_handle_exit();
	}
	size_t n = atomic_load(&r->nall), alive = 0;
	for (size_t i = 0; i < n; i++) {
		if (im && !atomic_load(&r->all[i]->dead))
			alive++;
		free(r->all[i]);
	}
	if (wrong)
		bench_fail(res, "%llu lookups returned a wrong or released context (or churn found "
			"its own handle gone)", (unsigned long long)wrong);
	else if (undelivered)
		bench_fail(res, "successful pushes and deliveries differ by %llu",
			(unsigned long long)undelivered);
	else if (atomic_load(&bad_release))
		bench_fail(res, "%lu context(s) released below zero or delivered dead",
			(unsigned long)atomic_load(&bad_release));
	else if (churn_fail)
		bench_fail(res, "%llu live handle(s) could not be retired at the end",
			(unsigned long long)churn_fail);
	else if (alive)
		bench_fail(res, "%zu of %zu context(s) still referenced after retire-all and exit",
			alive, n);
	atomic_store(&bad_release, 0);
	free(r->table);
	free(r->all);
}

static void
run_case(const struct bench_case *c, struct bench_result *res) {
	struct run *r = aligned_alloc(64, sizeof *r);
	if (r == NULL)
		abort();
	memset(r, 0, sizeof *r);
	r->impl = c->impl_index == CEILING ? NULL : &bench_handle_impls[c->impl_index];
	r->w = (enum workload)c->arg[0];
	r->permille = (unsigned)c->arg[1];
	r->threads = c->threads;
	/* churn allocates until recycled contexts come back; bound it generously */
	r->capall = SERVICES + (r->w == CHURN ? (size_t)40000000 * r->permille / 1000 + 4096 : 0);
	r->all = calloc(r->capall, sizeof *r->all);
	if (r->all == NULL)
		abort();
	setup(r);
	int cpu[HARNESS_MAX_THREADS];
	if (bench_cpus(c->threads, cpu, &res->oversubscribed) != 0) {
		bench_fail(res, "cannot pin");
		r->threads = 0;
	} else {
		struct harness_spec spec = { .threads = c->threads, .cpu = cpu,
			.seconds = bench_cfg.seconds, .work = work, .ud = r,
			.thread_init = thread_init, .thread_exit = thread_exit };
		static struct harness_sample s;
		harness_run(&spec, &s);
		harness_cpus_string(&s, c->threads, res->cpus, sizeof res->cpus);
		res->wall_ns = s.wall_ns;
		uint64_t lookups = 0, churns = 0;
		for (int t = 0; t < c->threads; t++) {
			lookups += r->ws[t].lookups;
			churns += r->ws[t].churns;
		}
		double secs = (double)s.wall_ns / 1e9;
		res->m[res->nmetrics++] = (struct bench_metric){ "lookups_per_s", "ops/s",
			(double)lookups / secs, lookups };
		if (r->w == CHURN && r->impl)
			res->m[res->nmetrics++] = (struct bench_metric){ "churn_per_s", "ops/s",
				(double)churns / secs, churns };
		if (s.bind_failed)
			bench_fail(res, "%d thread(s) could not be pinned", s.bind_failed);
	}
	int failed = res->checked && !res->check_ok;
	char msg[256];
	snprintf(msg, sizeof msg, "%s", res->check_msg);
	teardown_and_check(r, NULL, res);
	if (failed)
		bench_fail(res, "%s", msg);
	free(r);
}

static void
add_cases(enum workload w, int threads, unsigned permille) {
	for (int i = CEILING; i < bench_handle_nimpls; i++) {
		struct bench_case c = { .threads = threads, .run = run_case, .impl_index = i,
			.ceiling = i == CEILING, .est_s = bench_cfg.seconds + 0.01 };
		snprintf(c.impl, sizeof c.impl, "%s", i != CEILING ? bench_handle_impls[i].name :
			w == NAMES_Q ? "unsync-bsearch" : "unsync-read");
		snprintf(c.benchmark, sizeof c.benchmark, "%s", workload_name[w]);
		c.arg[0] = w;
		c.arg[1] = permille;
		if (w == NAMES_Q)
			snprintf(c.params, sizeof c.params, "names=%d;qs_every=%d;services=%d", NAMES,
				QS_EVERY, SERVICES);
		else if (w == CHURN)
			snprintf(c.params, sizeof c.params, "churn_permille=%u;qs_every=%d;services=%d",
				permille, QS_EVERY, SERVICES);
		else
			snprintf(c.params, sizeof c.params, "qs_every=%d;services=%d", QS_EVERY, SERVICES);
		bench_add(&c);
	}
}

int
main(int argc, char **argv) {
	bench_init(argc, argv, "handle", 0.5, 0.05);
	for (int k = 0; k < bench_cfg.nthreads; k++) {
		int t = bench_cfg.threads[k];
		add_cases(LOOKUP, t, 0);
		add_cases(PUSH, t, 0);
		add_cases(CHURN, t, 1);
		add_cases(CHURN, t, 10);
		add_cases(CHURN, t, 100);
		add_cases(NAMES_Q, t, 0);
	}
	return bench_run(bench_build_cflags, bench_build_libs);
}
