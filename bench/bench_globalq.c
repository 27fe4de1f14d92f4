/* Global-queue micro-benchmarks: every variants/globalq implementation and the
 * fetch-and-add ceiling, same threads, same pinning, interleaved (docs/method.md rules 2,
 * 5, 7).
 *
 *   pairs     each thread holds one mailbox: push it, pop one (any), repeat. With one
 *             mailbox per thread a pop can never find the queue empty (the popping thread
 *             holds none, the others at most one each), so a NULL pop is a failure.
 *   bursts    each thread holds B mailboxes: push all B, then pop B. Same argument.
 *   prodcons  P threads push (each its own 64 mailboxes, only when parked), C threads pop
 *             and park what they popped. Empty pops are expected and not counted.
 * An op is one push or one pop; the ceiling does one fetch-and-add per op on one counter.
 * After every run the queue is drained and every mailbox checked: pushes = pops, plus one
 * if it was still queued, and no mailbox seen twice (docs/method.md rule 9). */

#include "common.h"
#include "harness.h"
#include "parts.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The fake mailbox: the variants see only the link (skynet_mq_link). One cache line each,
 * as separately allocated mailboxes would be. pushes/pops are plain: whoever holds the
 * mailbox updates them, and the queue's own push/pop ordering hands it over. */
struct message_queue {
	struct message_queue *next;
	uint64_t pushes, pops;
	atomic_int parked;	/* prodcons: 1 = its producer may push it */
	int seen;		/* check: drained or held at the end */
	char pad[64 - sizeof(void *) - 2 * sizeof(uint64_t) - 2 * sizeof(int)];
} __attribute__((aligned(64)));

struct message_queue **
skynet_mq_link(struct message_queue *q) {
	return &q->next;
}

enum workload { PAIRS, BURSTS, PRODCONS };
static const char *const workload_name[] = { "pairs", "bursts", "prodcons" };

#define BURST 16
#define BOXES_PER_PRODUCER 64
#define FAA_IMPL (-1)

struct run {
	const struct bench_globalq_impl *impl;	/* NULL: the FAA ceiling */
	struct globalq *q;
	enum workload w;
	int threads, producers;
	size_t nboxes;
	struct message_queue *boxes;
	struct message_queue **held;	/* [threads * BURST]: what each thread holds at the end */
	int nheld[HARNESS_MAX_THREADS];
	uint64_t null_pops[HARNESS_MAX_THREADS];
	_Alignas(64) atomic_ulong counter;	/* the ceiling's one shared counter */
};


static uint64_t
work_pairs(struct run *r, int tid, const atomic_int *stop) {
	const struct bench_globalq_impl *im = r->impl;
	struct message_queue *mq = &r->boxes[tid];
	uint64_t n = 0;
	while (!HARNESS_STOPPED(stop)) {
		for (int i = 0; i < 64; i++) {
			mq->pushes++;
			im->globalq_push(r->q, mq);
			mq = im->globalq_pop(r->q);
			if (mq == NULL) {
				r->null_pops[tid]++;
				r->nheld[tid] = 0;
				return n + 2 * (uint64_t)i + 1;
			}
			mq->pops++;
		}
		n += 128;
	}
	r->held[tid * BURST] = mq;
	r->nheld[tid] = 1;
	return n;
}

static uint64_t
work_bursts(struct run *r, int tid, const atomic_int *stop) {
	const struct bench_globalq_impl *im = r->impl;
	struct message_queue **held = &r->held[tid * BURST];
	uint64_t n = 0;
	for (int i = 0; i < BURST; i++)
		held[i] = &r->boxes[tid * BURST + i];
	while (!HARNESS_STOPPED(stop)) {
		for (int i = 0; i < BURST; i++) {
			held[i]->pushes++;
			im->globalq_push(r->q, held[i]);
		}
		for (int i = 0; i < BURST; i++) {
			held[i] = im->globalq_pop(r->q);
			if (held[i] == NULL) {
				r->null_pops[tid]++;
				r->nheld[tid] = i;
				return n + BURST + (uint64_t)i;
			}
			held[i]->pops++;
		}
		n += 2 * BURST;
	}
	r->nheld[tid] = BURST;
	return n;
}

static uint64_t
work_producer(struct run *r, int tid, const atomic_int *stop) {
	const struct bench_globalq_impl *im = r->impl;
	struct message_queue *mine = &r->boxes[tid * BOXES_PER_PRODUCER];
	uint64_t n = 0;
	int k = 0;
	while (!HARNESS_STOPPED(stop)) {
		for (int i = 0; i < 64; i++) {
			struct message_queue *mq = &mine[k];
			k = (k + 1) % BOXES_PER_PRODUCER;
			/* acquire: pairs with the consumer's release, so its pops++ is done */
			if (!atomic_load_explicit(&mq->parked, memory_order_acquire))
				continue;
			/* relaxed: only this producer sets 0, and its push (a release in any correct
			 * queue) orders this store before the consumer's store of 1 */
			atomic_store_explicit(&mq->parked, 0, memory_order_relaxed);
			mq->pushes++;
			im->globalq_push(r->q, mq);
			n++;
		}
	}
	return n;
}

static uint64_t
work_consumer(struct run *r, const atomic_int *stop) {
	const struct bench_globalq_impl *im = r->impl;
	uint64_t n = 0;
	while (!HARNESS_STOPPED(stop)) {
		for (int i = 0; i < 64; i++) {
			struct message_queue *mq = im->globalq_pop(r->q);
			if (mq == NULL)
				continue;
			mq->pops++;
			/* release: hands pops++ back to the producer with the mailbox */
			atomic_store_explicit(&mq->parked, 1, memory_order_release);
			n++;
		}
	}
	return n;
}

static uint64_t
work(void *ud, int tid, const atomic_int *stop) {
	struct run *r = ud;
	if (r->impl == NULL)
		return harness_faa_work(&r->counter, stop);
	switch (r->w) {
	case PAIRS: return work_pairs(r, tid, stop);
	case BURSTS: return work_bursts(r, tid, stop);
	default: return tid < r->producers ? work_producer(r, tid, stop) : work_consumer(r, stop);
	}
}

/* drain, then account for every mailbox */
static void
check(struct run *r, const struct harness_sample *s, struct bench_result *res) {
	res->checked = 1;
	if (r->impl == NULL) {
		uint64_t c = atomic_load(&r->counter);
		if (c != s->ops)
			bench_fail(res, "counter %llu != %llu increments counted",
				(unsigned long long)c, (unsigned long long)s->ops);
		return;
	}
	uint64_t nulls = 0;
	for (int t = 0; t < r->threads; t++)
		nulls += r->null_pops[t];
	if (r->w != PRODCONS && nulls) {
		bench_fail(res, "%llu pop(s) found the queue empty while it held a mailbox",
			(unsigned long long)nulls);
		return;
	}
	size_t drained = 0;
	struct message_queue *mq;
	while ((mq = r->impl->globalq_pop(r->q)) != NULL) {
		if (mq < r->boxes || mq >= r->boxes + r->nboxes || mq->seen++) {
			bench_fail(res, "drain returned a foreign or repeated mailbox");
			return;
		}
		if (mq->pushes != mq->pops + 1) {
			bench_fail(res, "queued mailbox %td: %llu pushes, %llu pops", mq - r->boxes,
				(unsigned long long)mq->pushes, (unsigned long long)mq->pops);
			return;
		}
		drained++;
	}
	size_t held = 0;
	if (r->w != PRODCONS)
		for (int t = 0; t < r->threads; t++)
			for (int i = 0; i < r->nheld[t]; i++) {
				mq = r->held[t * BURST + i];
				if (mq->seen++) {
					bench_fail(res, "mailbox %td both held and queued (or held twice)",
						mq - r->boxes);
					return;
				}
				held++;
			}
	uint64_t pushes = 0, pops = 0;
	for (size_t i = 0; i < r->nboxes; i++) {
		mq = &r->boxes[i];
		pushes += mq->pushes;
		pops += mq->pops;
		if (!mq->seen && mq->pushes != mq->pops) {
			bench_fail(res, "mailbox %zu lost: %llu pushes, %llu pops, not queued", i,
				(unsigned long long)mq->pushes, (unsigned long long)mq->pops);
			return;
		}
		if (r->w != PRODCONS && !mq->seen) {
			bench_fail(res, "mailbox %zu neither held nor queued", i);
			return;
		}
	}
	if (pushes + pops != s->ops || pushes != pops + drained) {
		bench_fail(res, "ops %llu, pushes %llu, pops %llu, drained %zu do not add up",
			(unsigned long long)s->ops, (unsigned long long)pushes,
			(unsigned long long)pops, drained);
		return;
	}
	(void)held;
}

static void
run_case(const struct bench_case *c, struct bench_result *res) {
	struct run *r = aligned_alloc(64, sizeof *r);
	if (r == NULL)
		abort();
	memset(r, 0, sizeof *r);
	r->impl = c->impl_index == FAA_IMPL ? NULL : &bench_globalq_impls[c->impl_index];
	r->w = (enum workload)c->arg[0];
	r->threads = c->threads;
	r->producers = (int)c->arg[1];
	r->nboxes = r->w == PAIRS ? (size_t)c->threads : r->w == BURSTS ?
		(size_t)c->threads * BURST : (size_t)r->producers * BOXES_PER_PRODUCER;
	r->boxes = aligned_alloc(64, r->nboxes * sizeof *r->boxes);
	r->held = calloc((size_t)c->threads * BURST, sizeof *r->held);
	if (r->boxes == NULL || r->held == NULL)
		abort();
	memset(r->boxes, 0, r->nboxes * sizeof *r->boxes);
	for (size_t i = 0; i < r->nboxes; i++)
		atomic_init(&r->boxes[i].parked, 1);
	atomic_init(&r->counter, 0);
	if (r->impl) {
		r->q = r->impl->globalq_create();
		r->impl->globalq_reserve(r->q, r->nboxes);
	}
	static struct harness_sample s;
	if (bench_run_threads(c, res, work, r, &s) == 0) {
		check(r, &s, res);
		if (s.bind_failed)
			bench_fail(res, "%d thread(s) could not be pinned", s.bind_failed);
	}
	if (r->impl) {
		/* a failed check may leave mailboxes queued: drain so release's contract holds */
		while (r->impl->globalq_pop(r->q))
			;
		r->impl->globalq_release(r->q);
	}
	free(r->boxes);
	free(r->held);
	free(r);
}

static void
add_cases(enum workload w, int threads, int producers) {
	for (int i = FAA_IMPL; i < bench_globalq_nimpls; i++) {
		struct bench_case c = { .threads = threads, .run = run_case, .impl_index = i,
			.ceiling = i == FAA_IMPL, .est_s = bench_cfg.seconds + 0.01 };
		snprintf(c.impl, sizeof c.impl, "%s", i == FAA_IMPL ? "faa" : bench_globalq_impls[i].name);
		snprintf(c.benchmark, sizeof c.benchmark, "%s", workload_name[w]);
		c.arg[0] = w;
		c.arg[1] = producers;
		if (w == PAIRS)
			snprintf(c.params, sizeof c.params, "mailboxes_per_thread=1");
		else if (w == BURSTS)
			snprintf(c.params, sizeof c.params, "burst=%d", BURST);
		else
			snprintf(c.params, sizeof c.params, "consumers=%d;mailboxes_per_producer=%d;producers=%d",
				threads - producers, BOXES_PER_PRODUCER, producers);
		bench_add(&c);
	}
}

int
main(int argc, char **argv) {
	bench_init(argc, argv, "globalq", 0.5, 0.05);
	int explicit_threads = 0;
	for (int i = 1; i < argc; i++)
		explicit_threads |= strncmp(argv[i], "--threads", 9) == 0;
	for (int k = 0; k < bench_cfg.nthreads; k++) {
		int t = bench_cfg.threads[k];
		add_cases(PAIRS, t, 0);
		add_cases(BURSTS, t, 0);
		if (t >= 2)
			add_cases(PRODCONS, t, t / 2);
	}
	/* the labelled oversubscribed point: twice the CPUs, pairs only */
	if (!explicit_threads)
		add_cases(PAIRS, 2 * bench_cfg.ncpus, 0);
	return bench_run(bench_build_cflags, bench_build_libs);
}
