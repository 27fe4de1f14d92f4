/* Run-queue micro-benchmarks: the per-worker ring of SCHED=steal (variants/sched/runq.h,
 * one implementation, included directly) against its ceilings, same threads, same pinning,
 * interleaved (docs/method.md rules 2, 5, 7).
 *
 *   owner   one thread pushes B mailboxes, then pops them (FIFO), repeat. Ceiling `array`:
 *           the same pattern on a plain array between plain head/tail counters, a compiler
 *           barrier after each op so that every store and load happens as in the ring.
 *   next    one thread: runq_put_next then runq_take_next. Ceiling `plain`: a plain slot.
 *   steal   thread 0 owns a ring: it pushes while fewer than OWNER_HIGH are queued, pops
 *           otherwise; every other thread steals half of it into its own ring and pops
 *           that empty. Metrics: mailboxes taken per second by all threads (ops_per_s),
 *           successful CASes on the owner's head per second (grabs_per_s: owner pops and
 *           steals, a steal moving many), and the owner's pushes + pops per second.
 *           Ceiling `faa`: the same threads each doing fetch-and-add on one counter, the
 *           contended line every taker needs at least once.
 * An op is one push, pop, put or take (owner, next), one mailbox taken (steal).
 * Checked every run: owner and next get back exactly what they put, in order; steal
 * counts, sums and sums of squares of the sequence numbers pushed and taken (plus what
 * is left queued after the threads end) must agree (docs/method.md rule 9). */

#include "common.h"
#include "harness.h"
#include "../variants/sched/runq.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* no parts table here (runq.h is one implementation): bench.mk generates these alone */
extern const char bench_build_cflags[];
extern const char bench_build_libs[];

/* runq.h stores mailboxes without touching them; the thieves' hook is never set */
TEST_HOOK_DEFINE(runq);

enum workload { OWNER, NEXT, STEAL };
static const char *const workload_name[] = { "owner", "next", "steal" };
enum impl { RUNQ, CEILING };

#define OWNER_HIGH 64

/* keeps the compiler from caching or eliding the ceilings' plain loads and stores */
#define BARRIER() __asm__ __volatile__("" ::: "memory")

/* a fake, never dereferenced, non-NULL mailbox for sequence number s */
static inline struct message_queue *
box(uint64_t s) {
	return (struct message_queue *)(uintptr_t)((s + 1) * 64);
}

static inline uint64_t
seq(const struct message_queue *mq) {
	return (uint64_t)(uintptr_t)mq / 64 - 1;
}

/* what one thread took: written by it alone, read after join */
struct taken {
	uint64_t n, sum, sumsq;
	uint64_t grabs;		/* steal: successful CASes on the owner's head */
	uint64_t pushes, pops;	/* steal: the owner's */
	uint64_t bad;		/* owner, next: wrong mailbox back */
} __attribute__((aligned(64)));

/* the ceiling's ring: plain counters and slots (aligned: its size a multiple of 64, as
 * aligned_alloc wants) */
struct plain_ring {
	_Alignas(64) unsigned head, tail;
	struct message_queue *ring[RUNQ_SIZE];
	struct message_queue *next;
};

struct run {
	enum workload w;
	enum impl impl;
	int threads, batch;
	struct runq **q;	/* [threads]: q[0] the owner's (victim's), the others thieves' */
	struct plain_ring *pr;
	struct taken *t;	/* [threads] */
	_Alignas(64) atomic_ulong counter;	/* the faa ceiling's one shared counter */
};

static inline void
take(struct taken *t, const struct message_queue *mq) {
	uint64_t s = seq(mq);
	t->n++;
	t->sum += s;
	t->sumsq += s * s;
}

static uint64_t
work_owner_runq(struct run *r, const atomic_int *stop) {
	struct runq *q = r->q[0];
	uint64_t n = 0, s = 0, bad = 0;
	while (!HARNESS_STOPPED(stop)) {
		for (int i = 0; i < r->batch; i++)
			bad += runq_push(q, box(s + (uint64_t)i)) != 0;
		for (int i = 0; i < r->batch; i++)
			bad += runq_pop(q) != box(s + (uint64_t)i);
		s += (uint64_t)r->batch;
		n += 2 * (uint64_t)r->batch;
	}
	r->t[0].bad = bad;
	return n;
}

static uint64_t
work_owner_array(struct run *r, const atomic_int *stop) {
	struct plain_ring *p = r->pr;
	uint64_t n = 0, s = 0, bad = 0;
	while (!HARNESS_STOPPED(stop)) {
		for (int i = 0; i < r->batch; i++) {
			bad += p->tail - p->head >= RUNQ_SIZE;
			p->ring[p->tail % RUNQ_SIZE] = box(s + (uint64_t)i);
			p->tail++;
			BARRIER();
		}
		for (int i = 0; i < r->batch; i++) {
			struct message_queue *mq = p->head == p->tail ? NULL : p->ring[p->head % RUNQ_SIZE];
			p->head++;
			BARRIER();
			bad += mq != box(s + (uint64_t)i);
		}
		s += (uint64_t)r->batch;
		n += 2 * (uint64_t)r->batch;
	}
	r->t[0].bad = bad;
	return n;
}

static uint64_t
work_next_runq(struct run *r, const atomic_int *stop) {
	struct runq *q = r->q[0];
	uint64_t n = 0, s = 0, bad = 0;
	while (!HARNESS_STOPPED(stop)) {
		for (int i = 0; i < 64; i++, s++) {
			bad += runq_put_next(q, box(s)) != NULL;
			bad += runq_take_next(q) != box(s);
		}
		n += 128;
	}
	r->t[0].bad = bad;
	return n;
}

static uint64_t
work_next_plain(struct run *r, const atomic_int *stop) {
	struct plain_ring *p = r->pr;
	uint64_t n = 0, s = 0, bad = 0;
	while (!HARNESS_STOPPED(stop)) {
		for (int i = 0; i < 64; i++, s++) {
			bad += p->next != NULL;
			p->next = box(s);
			BARRIER();
			struct message_queue *mq = p->next;
			p->next = NULL;
			BARRIER();
			bad += mq != box(s);
		}
		n += 128;
	}
	r->t[0].bad = bad;
	return n;
}

static uint64_t
work_steal_owner(struct run *r, const atomic_int *stop) {
	struct runq *q = r->q[0];
	struct taken t = { 0 };
	uint64_t s = 0;
	while (!HARNESS_STOPPED(stop)) {
		for (int i = 0; i < 64; i++) {
			/* relaxed (both): only steers push or pop; head may be stale, which just
			 * counts a few stolen mailboxes as queued */
			uint32_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
			uint32_t tl = atomic_load_explicit(&q->tail, memory_order_relaxed);
			if (tl - h < OWNER_HIGH) {
				t.bad += runq_push(q, box(s)) != 0;
				s++;
				t.pushes++;
				continue;
			}
			struct message_queue *mq = runq_pop(q);
			if (mq != NULL) {	/* NULL: the thieves emptied it meanwhile */
				take(&t, mq);
				t.pops++;
				t.grabs++;
			}
		}
	}
	r->t[0] = t;
	return t.n;
}

static uint64_t
work_steal_thief(struct run *r, int tid, const atomic_int *stop) {
	struct runq *mine = r->q[tid], *victim = r->q[0];
	struct taken t = { 0 };
	while (!HARNESS_STOPPED(stop)) {
		struct message_queue *mq = runq_steal(mine, victim, 1, NULL);
		if (mq == NULL)
			continue;
		t.grabs++;
		take(&t, mq);
		/* runq_steal wants our ring empty: pop it all before the next steal */
		while ((mq = runq_pop(mine)) != NULL)
			take(&t, mq);
	}
	r->t[tid] = t;
	return t.n;
}


static uint64_t
work(void *ud, int tid, const atomic_int *stop) {
	struct run *r = ud;
	switch (r->w) {
	case OWNER: return r->impl == RUNQ ? work_owner_runq(r, stop) : work_owner_array(r, stop);
	case NEXT: return r->impl == RUNQ ? work_next_runq(r, stop) : work_next_plain(r, stop);
	default:
		if (r->impl == CEILING)
			return harness_faa_work(&r->counter, stop);
		return tid == 0 ? work_steal_owner(r, stop) : work_steal_thief(r, tid, stop);
	}
}

/* after join: everything pushed was taken once, or is still queued */
static void
check_steal(struct run *r, const struct harness_sample *s, struct bench_result *res) {
	struct taken all = { 0 };
	for (int i = 0; i < r->threads; i++) {
		struct message_queue *mq;
		while ((mq = runq_pop(r->q[i])) != NULL)
			take(&all, mq);
		if ((mq = runq_take_next(r->q[i])) != NULL)
			take(&all, mq);
	}
	uint64_t left = all.n;
	for (int i = 0; i < r->threads; i++) {
		all.n += r->t[i].n;
		all.sum += r->t[i].sum;
		all.sumsq += r->t[i].sumsq;
	}
	/* the owner pushed 0..p-1: sum p(p-1)/2, squares p(p-1)(2p-1)/6, the divisions done
	 * exactly on the factors first (the products then wrap alike on both sides) */
	uint64_t p = r->t[0].pushes, f[3] = { p, p ? p - 1 : 0, p ? 2 * p - 1 : 0 };
	uint64_t sum = f[0] % 2 ? f[0] * (f[1] / 2) : f[0] / 2 * f[1];
	for (int d = 2, i; d <= 3; d++) {
		for (i = 0; i < 2 && f[i] % (uint64_t)d; i++)
			;
		f[i] /= (uint64_t)d;
	}
	uint64_t sumsq = f[0] * f[1] * f[2];
	if (r->t[0].bad)
		bench_fail(res, "the owner's push found its ring full %llu time(s) below %d queued",
			(unsigned long long)r->t[0].bad, OWNER_HIGH);
	else if (all.n != p || all.sum != sum || all.sumsq != sumsq)
		bench_fail(res, "pushed %llu mailboxes, taken %llu (%llu left queued); the sums of "
			"their numbers differ: lost or taken twice", (unsigned long long)p,
			(unsigned long long)all.n, (unsigned long long)left);
	else if (all.n - left != s->ops)
		bench_fail(res, "threads counted %llu taken, the tally %llu",
			(unsigned long long)s->ops, (unsigned long long)(all.n - left));
}

static void
check(struct run *r, const struct harness_sample *s, struct bench_result *res) {
	res->checked = 1;
	if (r->w == STEAL && r->impl == CEILING) {
		uint64_t c = atomic_load(&r->counter);
		if (c != s->ops)
			bench_fail(res, "counter %llu != %llu increments counted",
				(unsigned long long)c, (unsigned long long)s->ops);
	} else if (r->w == STEAL) {
		check_steal(r, s, res);
	} else if (r->t[0].bad) {
		bench_fail(res, "%llu op(s) got the wrong mailbox back (or found the ring full)",
			(unsigned long long)r->t[0].bad);
	}
}

static void
run_case(const struct bench_case *c, struct bench_result *res) {
	struct run *r = aligned_alloc(64, sizeof *r);
	if (r == NULL)
		abort();
	memset(r, 0, sizeof *r);
	r->w = (enum workload)c->arg[0];
	r->impl = c->ceiling ? CEILING : RUNQ;
	r->threads = c->threads;
	r->batch = (int)c->arg[1];
	atomic_init(&r->counter, 0);
	r->t = aligned_alloc(64, (size_t)c->threads * sizeof *r->t);
	r->q = calloc((size_t)c->threads, sizeof *r->q);
	r->pr = aligned_alloc(64, sizeof *r->pr);
	if (r->t == NULL || r->q == NULL || r->pr == NULL)
		abort();
	memset(r->t, 0, (size_t)c->threads * sizeof *r->t);
	memset(r->pr, 0, sizeof *r->pr);
	for (int i = 0; i < c->threads; i++) {
		r->q[i] = aligned_alloc(alignof(struct runq), sizeof(struct runq));
		if (r->q[i] == NULL)
			abort();
		runq_init(r->q[i]);
	}
	static struct harness_sample s;
	if (bench_run_threads(c, res, work, r, &s) == 0) {
		double per_s = 1e9 / (double)s.wall_ns;
		if (r->w == STEAL && r->impl == RUNQ) {
			uint64_t grabs = 0, owner = r->t[0].pushes + r->t[0].pops;
			for (int i = 0; i < c->threads; i++)
				grabs += r->t[i].grabs;
			res->m[1] = (struct bench_metric){ "grabs_per_s", "ops/s", (double)grabs * per_s, grabs };
			res->m[2] = (struct bench_metric){ "owner_ops_per_s", "ops/s", (double)owner * per_s, owner };
			res->nmetrics = 3;
		}
		check(r, &s, res);
		if (s.bind_failed)
			bench_fail(res, "%d thread(s) could not be pinned", s.bind_failed);
	}
	for (int i = 0; i < c->threads; i++)
		free(r->q[i]);
	free(r->q);
	free(r->t);
	free(r->pr);
	free(r);
}

static void
add_cases(enum workload w, int threads, int batch) {
	static const char *const ceiling_name[] = { "array", "plain", "faa" };
	for (int ceil = 0; ceil <= 1; ceil++) {
		struct bench_case c = { .threads = threads, .run = run_case, .ceiling = ceil,
			.est_s = bench_cfg.seconds + 0.01 };
		snprintf(c.impl, sizeof c.impl, "%s", ceil ? ceiling_name[w] : "runq");
		snprintf(c.benchmark, sizeof c.benchmark, "%s", workload_name[w]);
		c.arg[0] = w;
		c.arg[1] = batch;
		if (w == STEAL)
			snprintf(c.params, sizeof c.params, "half=1;owner_high=%d;thieves=%d",
				OWNER_HIGH, threads - 1);
		else
			snprintf(c.params, sizeof c.params, "batch=%d", batch);
		bench_add(&c);
	}
}

int
main(int argc, char **argv) {
	bench_init(argc, argv, "runq", 0.5, 0.05);
	for (int k = 0; k < bench_cfg.nthreads; k++) {
		int t = bench_cfg.threads[k];
		if (t == 1) {
			add_cases(OWNER, 1, 1);
			add_cases(OWNER, 1, OWNER_HIGH);
			add_cases(NEXT, 1, 1);
		} else {
			add_cases(STEAL, t, 0);
		}
	}
	return bench_run(bench_build_cflags, bench_build_libs);
}
