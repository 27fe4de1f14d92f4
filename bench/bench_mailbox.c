/* Mailbox micro-benchmarks: every variants/mailbox implementation and the fetch-and-add
 * ceiling, same threads, same pinning, interleaved (docs/method.md rules 2, 5, 7).
 *
 *   pair    1 thread: push one message, pop it, repeat: the uncontended cost of a send and
 *           a receive (the mailbox never parks). An op is one message sent and received.
 *   fanin   T threads: thread 0 is the consumer, the T-1 others send (T=2 is one sender,
 *           one receiver). A sender pushes bursts of BURST and keeps at most WINDOW of its
 *           messages unreceived (the consumer acknowledges every BURST), so the mailbox
 *           stays bounded; the consumer pops and, when it parks, waits to be scheduled.
 *   drain   as fanin, but a sender waits after each burst until the consumer has received
 *           all of it: the consumer drains while senders send, runs dry and parks, and the
 *           next send schedules it again (the park/schedule path).
 * An op is one message received (pair: sent and received). Metrics: ops_per_s, and for
 * fanin/drain parks_per_s (the consumer found the mailbox empty and parked it) and
 * busy_per_s (MQ_BUSY: a send was half done). Ceiling `faa`: the same threads each doing
 * fetch-and-add on one counter, the contended line every message crosses at least once.
 *
 * The program is the runtime's scheduler for the one mailbox: skynet_sched_push (the hook an
 * implementation calls when a send finds the mailbox parked) hands the consumer a token;
 * a parked consumer waits for it. Checked after every run (docs/method.md rule 9): the main
 * thread takes over as consumer and drains what is left; every message was received exactly
 * once and in its sender's order (each sender numbers its messages 0, 1, ...; each one
 * received must be the next expected of its sender, and the last expected must equal the
 * count sent); no MQ_BUSY once every sender is done; every schedule was taken and
 * schedules = parks - 1 (created scheduled, each park but the last followed by exactly one
 * schedule: no double schedule, no lost wake-up); the received count equals the ops.
 *
 * Also the memory of an idle mailbox per implementation: glibc's bytes in use (mallinfo2,
 * main arena, chunk overhead included) over IDLE_MAILBOXES mailbox_new at the start, before
 * any pool is warm, printed as a meta line (bench/run.sh writes it into the .meta). */

#include "common.h"
#include "harness.h"
#include "parts.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum workload { PAIR, FANIN, DRAIN };
static const char *const workload_name[] = { "pair", "fanin", "drain" };

#define BURST 64
#define WINDOW 1024		/* fanin: a sender's unreceived messages, at most (+ BURST) */
#define IDLE_MAILBOXES 10000
#define FAA_IMPL (-1)

/* one thread's side, on its own line: written by its thread, read after join (ack: by the
 * consumer, read by its sender) */
struct side {
	uint64_t sent;		/* sender: messages pushed, numbered 0..sent-1 */
	uint64_t next;		/* consumer: the next number expected from this sender */
	atomic_ulong ack;	/* consumer -> sender: received so far, every BURST */
} __attribute__((aligned(64)));

struct run {
	const struct bench_mailbox_impl *im;	/* NULL: the FAA ceiling */
	enum workload w;
	int threads;
	struct message_queue *q;
	struct side *side;	/* [threads] */
	/* the consumer's tallies: plain, written by the consumer, read after join */
	uint64_t got, bad, parks, busy;
	int parked_at_end;	/* the consumer stopped while waiting for a schedule */
	_Alignas(64) atomic_int tokens;	/* schedules not yet taken by the consumer */
	atomic_long schedules;	/* SCHED_SEND pushes */
	atomic_long other;	/* any other reason: never expected here */
	_Alignas(64) atomic_ulong counter;	/* the ceiling's one shared counter */
};

/* the run in progress: cases run one at a time, and the hook has no user data */
static struct run *current;

/* The runtime's schedule hook: the mailbox became runnable; its consumer may take it. */
void
skynet_sched_push(struct message_queue *q, enum sched_reason why) {
	struct run *r = current;
	if (q != r->q || why != SCHED_SEND) {
		/* relaxed: a tally read after join */
		atomic_fetch_add_explicit(&r->other, 1, memory_order_relaxed);
		return;
	}
	/* relaxed: a tally read after join */
	atomic_fetch_add_explicit(&r->schedules, 1, memory_order_relaxed);
	/* release: hands the mailbox over; the consumer's acquire sees what this sender's
	 * push acquired from the parking consumer (as a scheduler's queue would) */
	atomic_fetch_add_explicit(&r->tokens, 1, memory_order_release);
}

/* consumer: 1 if it took a schedule token (it holds the mailbox again) */
static int
take_token(struct run *r) {
	/* relaxed: only steers the CAS, which acquires */
	int t = atomic_load_explicit(&r->tokens, memory_order_relaxed);
	/* acquire: pairs with the hook's release; relaxed on failure: t is only retried */
	return t > 0 && atomic_compare_exchange_strong_explicit(&r->tokens, &t, t - 1,
		memory_order_acquire, memory_order_relaxed);
}

/* consumer: account for one message (sender number in source, its sequence in sz) */
static inline void
receive(struct run *r, const struct skynet_message *m, int first_sender) {
	r->got++;
	if ((int)m->source < first_sender || (int)m->source >= r->threads) {
		r->bad++;
		return;
	}
	struct side *s = &r->side[m->source];
	r->bad += m->sz != s->next;
	s->next = m->sz + 1;
	if (s->next % BURST == 0)
		/* relaxed: paces the sender only, no data is handed back with it */
		atomic_store_explicit(&s->ack, s->next, memory_order_relaxed);
}

static uint64_t
work_pair(struct run *r, const atomic_int *stop) {
	const struct bench_mailbox_impl *im = r->im;
	struct side *s = &r->side[0];
	uint64_t seq = 0;
	while (!HARNESS_STOPPED(stop)) {
		for (int i = 0; i < 64; i++, seq++) {
			struct skynet_message m = { 0, 0, NULL, (size_t)seq }, in;
			im->skynet_mq_push(r->q, &m);
			if (im->skynet_mq_pop(r->q, &in) != MQ_MESSAGE) {
				r->bad++;	/* a pushed message must be there */
				s->sent = seq + 1;
				return r->got;
			}
			receive(r, &in, 0);
		}
	}
	s->sent = seq;
	return r->got;
}

static uint64_t
work_sender(struct run *r, int tid, const atomic_int *stop) {
	const struct bench_mailbox_impl *im = r->im;
	struct side *s = &r->side[tid];
	uint64_t seq = 0, window = r->w == DRAIN ? 0 : WINDOW;
	while (!HARNESS_STOPPED(stop)) {
		for (int i = 0; i < BURST; i++, seq++) {
			struct skynet_message m = { (uint32_t)tid, 0, NULL, (size_t)seq };
			im->skynet_mq_push(r->q, &m);
		}
		/* relaxed: pacing only (see receive) */
		while (seq - atomic_load_explicit(&s->ack, memory_order_relaxed) > window &&
				!HARNESS_STOPPED(stop))
			spinlock_pause();
	}
	s->sent = seq;
	return 0;	/* the consumer counts the ops */
}

static uint64_t
work_consumer(struct run *r, const atomic_int *stop) {
	const struct bench_mailbox_impl *im = r->im;
	struct skynet_message m;
	while (!HARNESS_STOPPED(stop)) {
		for (int i = 0; i < 64; i++) {
			int ret = im->skynet_mq_pop(r->q, &m);
			if (ret == MQ_MESSAGE) {
				receive(r, &m, 1);
			} else if (ret == MQ_BUSY) {
				r->busy++;
				spinlock_pause();
			} else {
				r->parks++;
				while (!take_token(r)) {
					if (HARNESS_STOPPED(stop)) {
						r->parked_at_end = 1;
						return r->got;
					}
					spinlock_pause();
				}
			}
		}
	}
	return r->got;
}

static uint64_t
work(void *ud, int tid, const atomic_int *stop) {
	struct run *r = ud;
	if (r->im == NULL)
		return harness_faa_work(&r->counter, stop);
	if (r->w == PAIR)
		return work_pair(r, stop);
	return tid == 0 ? work_consumer(r, stop) : work_sender(r, tid, stop);
}

/* after join: the main thread is the consumer if it holds the mailbox; drain it */
static void
drain(struct run *r, struct bench_result *res, int first_sender) {
	if (r->parked_at_end && !take_token(r))
		return;	/* parked, never scheduled since: it must be empty (checked by the counts) */
	struct skynet_message m;
	for (;;) {
		int ret = r->im->skynet_mq_pop(r->q, &m);
		if (ret == MQ_MESSAGE) {
			receive(r, &m, first_sender);
		} else if (ret == MQ_BUSY) {
			bench_fail(res, "MQ_BUSY with every sender done");
			return;
		} else {
			r->parks++;
			return;
		}
	}
}

static void
check(struct run *r, const struct harness_sample *s, struct bench_result *res) {
	res->checked = 1;
	if (r->im == NULL) {
		uint64_t c = atomic_load(&r->counter);
		if (c != s->ops)
			bench_fail(res, "counter %llu != %llu increments counted",
				(unsigned long long)c, (unsigned long long)s->ops);
		return;
	}
	uint64_t counted = r->got;
	int first = r->w == PAIR ? 0 : 1;
	drain(r, res, first);
	if (!res->check_ok)
		return;
	uint64_t sent = 0;
	for (int t = first; t < r->threads; t++) {
		sent += r->side[t].sent;
		if (r->side[t].next != r->side[t].sent) {
			bench_fail(res, "sender %d sent %llu, received up to number %llu: lost", t,
				(unsigned long long)r->side[t].sent, (unsigned long long)r->side[t].next);
			return;
		}
	}
	long sched = atomic_load(&r->schedules);
	if (r->bad)
		bench_fail(res, "%llu message(s) out of their sender's order, repeated or foreign",
			(unsigned long long)r->bad);
	else if (r->got != sent || counted != s->ops)
		bench_fail(res, "sent %llu, received %llu (%llu counted as ops of %llu)",
			(unsigned long long)sent, (unsigned long long)r->got,
			(unsigned long long)counted, (unsigned long long)s->ops);
	else if (atomic_load(&r->tokens) != 0 || atomic_load(&r->other) != 0)
		bench_fail(res, "%d schedule(s) never taken, %ld for another reason than a send",
			atomic_load(&r->tokens), atomic_load(&r->other));
	else if (sched != (long)r->parks - 1)
		bench_fail(res, "%ld schedules for %llu parks (want parks - 1)", sched,
			(unsigned long long)r->parks);
}

static void
run_case(const struct bench_case *c, struct bench_result *res) {
	struct run *r = aligned_alloc(64, sizeof *r);
	if (r == NULL)
		abort();
	memset(r, 0, sizeof *r);
	r->im = c->impl_index == FAA_IMPL ? NULL : &bench_mailbox_impls[c->impl_index];
	r->w = (enum workload)c->arg[0];
	r->threads = c->threads;
	r->side = aligned_alloc(64, (size_t)c->threads * sizeof *r->side);
	if (r->side == NULL)
		abort();
	memset(r->side, 0, (size_t)c->threads * sizeof *r->side);
	for (int t = 0; t < c->threads; t++)
		atomic_init(&r->side[t].ack, 0);
	atomic_init(&r->tokens, 0);
	atomic_init(&r->schedules, 0);
	atomic_init(&r->other, 0);
	atomic_init(&r->counter, 0);
	/* created scheduled: the consumer holds it from the start */
	if (r->im)
		r->q = r->im->mailbox_new(1, 0);
	current = r;
	static struct harness_sample s;
	if (bench_run_threads(c, res, work, r, &s) == 0) {
		check(r, &s, res);
		if (r->im && r->w != PAIR) {
			double per_s = 1e9 / (double)s.wall_ns;
			res->m[1] = (struct bench_metric){ "parks_per_s", "ops/s", (double)r->parks * per_s, r->parks };
			res->m[2] = (struct bench_metric){ "busy_per_s", "ops/s", (double)r->busy * per_s, r->busy };
			res->nmetrics = 3;
		}
		if (s.bind_failed)
			bench_fail(res, "%d thread(s) could not be pinned", s.bind_failed);
	}
	if (r->im) {
		/* a failed check may leave messages: take them so delete's contract holds */
		struct skynet_message m;
		while (r->im->mailbox_take(r->q, &m) == 0)
			;
		r->im->mailbox_delete(r->q);
	}
	current = NULL;
	free(r->side);
	free(r);
}

static void
add_cases(enum workload w, int threads) {
	for (int i = FAA_IMPL; i < bench_mailbox_nimpls; i++) {
		struct bench_case c = { .threads = threads, .run = run_case, .impl_index = i,
			.ceiling = i == FAA_IMPL, .est_s = bench_cfg.seconds + 0.01 };
		snprintf(c.impl, sizeof c.impl, "%s", i == FAA_IMPL ? "faa" : bench_mailbox_impls[i].name);
		snprintf(c.benchmark, sizeof c.benchmark, "%s", workload_name[w]);
		c.arg[0] = w;
		if (w == PAIR)
			snprintf(c.params, sizeof c.params, "same_thread=1");
		else
			snprintf(c.params, sizeof c.params, "burst=%d;senders=%d;window=%d", BURST,
				threads - 1, w == DRAIN ? 0 : WINDOW);
		bench_add(&c);
	}
}

/* the bytes malloc holds for an idle mailbox of each implementation (see the header) */
static void
idle_memory(void) {
	static struct message_queue *q[IDLE_MAILBOXES];
	for (int i = 0; i < bench_mailbox_nimpls; i++) {
		const struct bench_mailbox_impl *im = &bench_mailbox_impls[i];
		struct mallinfo2 before = mallinfo2();
		for (uint32_t k = 0; k < IDLE_MAILBOXES; k++)
			q[k] = im->mailbox_new(k + 1, k);
		struct mallinfo2 after = mallinfo2();
		for (int k = 0; k < IDLE_MAILBOXES; k++)
			im->mailbox_delete(q[k]);
		double bytes = ((double)after.uordblks - (double)before.uordblks) / IDLE_MAILBOXES;
		/* a sanitizer's allocator replaces glibc's, whose mallinfo2 then counts nothing */
		if (bytes > 0)
			fprintf(stderr, "meta: mailbox_idle_bytes_%s: %.1f (malloc bytes in use per "
				"mailbox, mallinfo2 over %d mailbox_new at start)\n", im->name, bytes,
				IDLE_MAILBOXES);
		else
			fprintf(stderr, "meta: mailbox_idle_bytes_%s: n/a (mallinfo2 saw no allocation: "
				"malloc is not glibc's here)\n", im->name);
	}
}

int
main(int argc, char **argv) {
	bench_init(argc, argv, "mailbox", 0.5, 0.05);
	if (!bench_cfg.list)
		idle_memory();
	for (int k = 0; k < bench_cfg.nthreads; k++) {
		int t = bench_cfg.threads[k];
		if (t == 1) {
			add_cases(PAIR, 1);
		} else {
			add_cases(FANIN, t);
			add_cases(DRAIN, t);
		}
	}
	return bench_run(bench_build_cflags, bench_build_libs);
}
