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
 *   idle      (mostly empty) one mailbox for all threads: every thread polls (pops); the
 *             one that gets the mailbox keeps polling and pushes it back after PERIOD of its
 *             own polls, so nearly every pop finds the queue empty, as idle workers and the
 *             steal scheduler's injection checks do. Every push and every pop is an op,
 *             empty ones included.
 * An op is one push or one pop; the ceiling does one fetch-and-add per op on one counter.
 * After every run the queue is drained and every mailbox checked: pushes = pops, plus one
 * if it was still queued, and no mailbox seen twice (docs/method.md rule 9).
 *
 * The fake mailboxes take their ids, and register them in the id map, through the
 * runtime's own runtime/skynet_mqid.c, linked in: an index-based queue (scq) maps every id
 * it pops back to its mailbox with the runtime's lookup, inside the measured pop.
 *
 * Also the memory of each implementation per mailbox: glibc's bytes in use (mallinfo2, as
 * bench_mailbox) after globalq_create and a reserve for each of RESERVE_MAILBOXES mailboxes
 * created one by one (as the runtime calls it, so chained rings count), divided by that
 * number, printed as a meta line (bench/run.sh writes it into the .meta); and the runtime's
 * id map, which every implementation's runtime keeps, the same way. */

#include "common.h"
#include "harness.h"
#include "parts.h"

#include "skynet_mqid.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The fake mailbox: the variants see only the link (skynet_mq_link) and the id
 * (skynet_mq_id). One cache line each, as separately allocated mailboxes would be.
 * pushes/pops are plain: whoever holds the mailbox updates them, and the queue's own
 * push/pop ordering hands it over. */
struct message_queue {
	struct message_queue *next;
	uint64_t pushes, pops;
	atomic_int parked;	/* prodcons: 1 = its producer may push it */
	int seen;		/* check: drained or held at the end */
	uint32_t id;		/* from skynet_mqid_alloc, mapped back by skynet_mqid_mailbox */
} __attribute__((aligned(64)));

struct message_queue **
skynet_mq_link(struct message_queue *q) {
	return &q->next;
}

uint32_t
skynet_mq_id(struct message_queue *q) {
	return q->id;
}

enum workload { PAIRS, BURSTS, PRODCONS, IDLE };
static const char *const workload_name[] = { "pairs", "bursts", "prodcons", "idle" };

#define BURST 16
#define BOXES_PER_PRODUCER 64
#define PERIOD 64		/* idle: the holder's polls before it pushes the mailbox back */
#define RESERVE_MAILBOXES 10000
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
	uint64_t empty_pops[HARNESS_MAX_THREADS];	/* idle: expected, counted as ops */
	int dup[HARNESS_MAX_THREADS];	/* idle: a pop returned a mailbox while one was held */
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
work_idle(struct run *r, int tid, const atomic_int *stop) {
	const struct bench_globalq_impl *im = r->impl;
	struct message_queue *held = tid == 0 ? &r->boxes[0] : NULL;
	uint64_t n = 0, empty = 0;
	int polls = 0;
	while (!HARNESS_STOPPED(stop)) {
		for (int i = 0; i < 64; i++) {
			if (held && polls++ == PERIOD) {
				held->pushes++;
				im->globalq_push(r->q, held);
				held = NULL;
				continue;
			}
			struct message_queue *mq = im->globalq_pop(r->q);
			if (mq == NULL) {
				empty++;
				continue;
			}
			mq->pops++;
			if (held) {
				/* one mailbox in all, and this thread holds it: a pop returned another */
				r->dup[tid] = 1;
				return n + (uint64_t)i + 1;
			}
			held = mq;
			polls = 0;
		}
		n += 64;
	}
	r->empty_pops[tid] = empty;
	r->held[tid * BURST] = held;
	r->nheld[tid] = held != NULL;
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
	case IDLE: return work_idle(r, tid, stop);
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
	for (int t = 0; t < r->threads; t++)
		if (r->dup[t]) {
			bench_fail(res, "a pop returned a second mailbox where only one exists");
			return;
		}
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
	uint64_t empty = 0;
	for (int t = 0; t < r->threads; t++)
		empty += r->empty_pops[t];
	if (r->w == IDLE && pushes + pops + empty != s->ops) {
		bench_fail(res, "ops %llu, pushes %llu, pops %llu, empty pops %llu do not add up",
			(unsigned long long)s->ops, (unsigned long long)pushes,
			(unsigned long long)pops, (unsigned long long)empty);
		return;
	}
	if ((r->w != IDLE && pushes + pops != s->ops) || pushes != pops + drained) {
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
		(size_t)c->threads * BURST : r->w == IDLE ? 1 : (size_t)r->producers * BOXES_PER_PRODUCER;
	r->boxes = aligned_alloc(64, r->nboxes * sizeof *r->boxes);
	r->held = calloc((size_t)c->threads * BURST, sizeof *r->held);
	if (r->boxes == NULL || r->held == NULL)
		abort();
	memset(r->boxes, 0, r->nboxes * sizeof *r->boxes);
	size_t exist;
	for (size_t i = 0; i < r->nboxes; i++) {
		atomic_init(&r->boxes[i].parked, 1);
		r->boxes[i].id = skynet_mqid_alloc(&exist);
		skynet_mqid_set(r->boxes[i].id, &r->boxes[i]);
	}
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
	for (size_t i = 0; i < r->nboxes; i++)
		skynet_mqid_free(r->boxes[i].id);
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
		else if (w == IDLE)
			snprintf(c.params, sizeof c.params, "mailboxes=1;period=%d", PERIOD);
		else
			snprintf(c.params, sizeof c.params, "consumers=%d;mailboxes_per_producer=%d;producers=%d",
				threads - producers, BOXES_PER_PRODUCER, producers);
		bench_add(&c);
	}
}

/* bytes per mailbox: the queue after reserve grew it one mailbox at a time, and the
 * runtime's id map (see the header) */
static void
memory_per_mailbox(void) {
	const char *how = "malloc bytes in use per mailbox, mallinfo2 arena + mmapped";
	if (!bench_malloc_counted()) {
		fprintf(stderr, "meta: globalq_bytes_per_mailbox: n/a (mallinfo2 sees no allocation: "
			"malloc is not glibc's here)\n");
		return;
	}
	for (int i = 0; i < bench_globalq_nimpls; i++) {
		const struct bench_globalq_impl *im = &bench_globalq_impls[i];
		double before = bench_malloc_in_use();
		struct globalq *q = im->globalq_create();
		for (size_t n = 1; n <= RESERVE_MAILBOXES; n++)
			im->globalq_reserve(q, n);
		double bytes = (bench_malloc_in_use() - before) / RESERVE_MAILBOXES;
		im->globalq_release(q);
		fprintf(stderr, "meta: globalq_bytes_per_mailbox_%s: %.1f (%s, after create and "
			"reserve(1..%d))\n", im->name, bytes, how, RESERVE_MAILBOXES);
	}
	static uint32_t id[RESERVE_MAILBOXES];
	double before = bench_malloc_in_use();
	size_t exist;
	for (int k = 0; k < RESERVE_MAILBOXES; k++) {
		id[k] = skynet_mqid_alloc(&exist);
		skynet_mqid_set(id[k], NULL);
	}
	double bytes = (bench_malloc_in_use() - before) / RESERVE_MAILBOXES;
	for (int k = 0; k < RESERVE_MAILBOXES; k++)
		skynet_mqid_free(id[k]);
	fprintf(stderr, "meta: mqid_bytes_per_mailbox: %.1f (%s, over %d ids: the runtime's id "
		"allocator and map, kept whatever queue is linked)\n", bytes, how, RESERVE_MAILBOXES);
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
		add_cases(IDLE, t, 0);
	}
	/* the labelled oversubscribed point: twice the CPUs, pairs only */
	if (!explicit_threads)
		add_cases(PAIRS, 2 * bench_cfg.ncpus, 0);
	/* one measurement per program run, when it runs anything */
	if (!bench_cfg.list && bench_ncases() > 0)
		memory_per_mailbox();
	return bench_run(bench_build_cflags, bench_build_libs);
}
