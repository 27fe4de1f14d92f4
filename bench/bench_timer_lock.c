/* Timer adds under contention: skynet's lock discipline around every variants/timer
 * implementation. runtime/skynet_timer.c takes one spinlock for every timeout any service
 * sets, and the timer thread holds it for a whole tick's update (expiry, cascades, the fire
 * callback); this program measures what that costs the services.
 *
 *   contended_add  T adder threads (the workers) and one timer thread, each pinned. The
 *             timer thread advances the clock one tick every TICK_US of wall time (skynet's
 *             10 ms tick, sped up tenfold so that a 1 s run spans 1000 ticks and the
 *             level-0 wheel wraps about four times), updating under the lock, catching up
 *             without sleeping when it falls behind, as skynet_updatetime does. Each adder
 *             keeps PENDING/T timers of its own pending: it adds (lock, timerq_add with a
 *             timeout drawn uniform 1..1000 ticks, unlock) whenever one of its timers has
 *             fired, so the queue holds PENDING timers throughout and adds arrive at the
 *             rate timers fire (about PENDING/500 per tick), in bursts after each update,
 *             as services re-arm their timeouts when the timeout message arrives.
 *   staged_add  the same, with node key timer_stage = 1's discipline (runtime/timer_stage.c,
 *             linked in): an adder reads the tick the timer thread published after its last
 *             update, pushes {due = tick + timeout} into its own ring without the lock, and
 *             the timer thread drains every ring into the queue under the lock before each
 *             update (the drain counts in the update's hold time). A push into a full ring
 *             takes the lock (timer_stage_add_locked), counted as locked_adds. The prefill
 *             and every timer go through the stage, as in the node.
 *
 * Metrics per run: adds_per_s; the latency of one add (clock read, lock, add, unlock:
 * p50_ns, p99_ns, p999_ns, max_ns; it includes one clock read, whose cost bench_timer
 * records as timer_clock_pair_ns in the .meta); the time the timer thread holds the lock for
 * one tick's update (update_p99_ns, update_max_ns: the cascade pauses every add waits
 * behind). Percentiles come from log-linear histograms, 32 buckets per power of two (within
 * 3.2% of the exact value); maxima are exact.
 *
 * staged_add also reports late_fires: timers whose push reached the ring after their due
 * update had begun, so they fired in the first update after (docs/skynet.md section 9).
 *
 * Checked after every run (docs/method.md rule 9): every timer fired on exactly its due tick
 * (its session carries the due tick, the fire callback compares it with the tick being
 * updated; staged_add: on it or, late, after it, never before); per adder, fired + pending
 * = prefilled + added; the queue's pending count agrees (staged_add: after a last drain,
 * and the stage's own count too).
 * Adder threads: 1, 2, ncpus and 2 x ncpus (or the --threads list), plus the timer thread. */

#include "common.h"
#include "harness.h"
#include "parts.h"
#include "spinlock.h"
#include "timer_stage.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TICK_US 1000
#define MAX_TIMEOUT 1000
#define HBUCKETS (64 + 58 * 32)
#define STAGE_RING 4096		/* TIMER_STAGE_RING, the node's ring size */

/* log-linear histogram: values below 64 exact, then 32 buckets per power of two */
struct hist {
	uint64_t n, max;
	uint64_t b[HBUCKETS];
};

static int
hbucket(uint64_t v) {
	if (v < 64)
		return (int)v;
	int e = 63 - __builtin_clzll(v);	/* e >= 6 */
	return 64 + (e - 6) * 32 + (int)((v >> (e - 5)) & 31);
}

/* the middle of bucket i, for the percentile it holds */
static double
hvalue(int i) {
	if (i < 64)
		return i;
	int e = (i - 64) / 32 + 6, sub = (i - 64) % 32;
	double lo = (double)(1ull << e) + (double)sub * (double)(1ull << (e - 5));
	return lo + (double)(1ull << (e - 5)) / 2;
}

static void
hadd(struct hist *h, uint64_t v) {
	h->b[hbucket(v)]++;
	h->n++;
	if (v > h->max)
		h->max = v;
}

static void
hmerge(struct hist *into, const struct hist *h) {
	for (int i = 0; i < HBUCKETS; i++)
		into->b[i] += h->b[i];
	into->n += h->n;
	if (h->max > into->max)
		into->max = h->max;
}

static double
hpercentile(const struct hist *h, double p) {
	uint64_t rank = (uint64_t)(p * (double)h->n);
	uint64_t seen = 0;
	for (int i = 0; i < HBUCKETS; i++) {
		seen += h->b[i];
		if (seen > rank)
			return hvalue(i) < (double)h->max ? hvalue(i) : (double)h->max;
	}
	return (double)h->max;
}

/* one adder, on its own lines */
struct adder {
	atomic_ulong fired;	/* written by the timer thread (under the lock), read by the adder */
	uint64_t prefilled, added, locked;
	uint64_t seed;
	struct hist lat;
} __attribute__((aligned(64)));

struct run {
	const struct bench_timer_impl *im;
	struct timerq *q;
	struct spinlock lock;
	struct timer_stage *st;	/* staged_add; else NULL */
	_Atomic uint32_t tick_pub;	/* staged_add: the queue's time after the last update */
	uint64_t quota;		/* pending timers per adder */
	int adders;
	struct adder *a;
	/* timer thread only */
	uint32_t tick;		/* the tick being updated: what a firing timer's session must say */
	uint64_t ticks, wrong_tick, late;
	struct hist upd;
};

static uint32_t
draw(uint64_t *seed) {
	return 1 + (uint32_t)(bench_rand(seed) >> 8) % MAX_TIMEOUT;
}

/* under the lock; the due tick rides in the session (32-bit wrap is fine: compared as such) */
static void
add_locked(struct run *r, int who, uint64_t *seed) {
	uint32_t t = draw(seed);
	struct timer_event ev = { (uint32_t)who, (int)(r->im->timerq_time(r->q) + t) };
	if (r->st)
		timer_stage_add_locked(r->st, r->q, &ev, t);
	else
		r->im->timerq_add(r->q, &ev, t);
}

/* staged_add: the node's skynet_timer_add from worker `who` */
static void
add_staged(struct run *r, struct adder *a, int who) {
	/* acquire: pairs with the timer thread's release, as in skynet_timer.c */
	uint32_t now = atomic_load_explicit(&r->tick_pub, memory_order_acquire);
	uint32_t t = draw(&a->seed);
	struct timer_event ev = { (uint32_t)who, (int)(now + t) };
	if (timer_stage_push(r->st, who, now + t, &ev))
		return;
	spinlock_lock(&r->lock);
	add_locked(r, who, &a->seed);
	spinlock_unlock(&r->lock);
	a->locked++;
}

static void
fire(void *ud, const struct timer_event *held) {
	struct run *r = ud;
	struct timer_event real = r->st ? timer_stage_fired(r->st, held) : *held;
	const struct timer_event *ev = &real;
	int32_t off = (int32_t)(r->tick - (uint32_t)ev->session);
	if (off != 0 && (r->st == NULL || off < 0))
		r->wrong_tick++;
	else if (off > 0)
		r->late++;
	struct adder *a = &r->a[ev->handle];
	/* relaxed: a pacing hint for the adder, which only needs to see it eventually; the
	 * check reads it after join */
	atomic_store_explicit(&a->fired, atomic_load_explicit(&a->fired, memory_order_relaxed) + 1,
		memory_order_relaxed);
}

static void
nap_until(uint64_t deadline) {
	uint64_t now = harness_now_ns();
	if (now >= deadline)
		return;
	struct timespec ts = { (time_t)((deadline - now) / 1000000000u),
		(long)((deadline - now) % 1000000000u) };
	nanosleep(&ts, NULL);
}

static uint64_t
timer_thread(struct run *r, const atomic_int *stop) {
	uint64_t next = harness_now_ns() + TICK_US * 1000ull;
	while (!HARNESS_STOPPED(stop)) {
		if (harness_now_ns() < next) {
			nap_until(next);
			continue;
		}
		spinlock_lock(&r->lock);
		uint64_t t0 = harness_now_ns();
		r->tick = r->im->timerq_time(r->q) + 1;
		if (r->st)
			timer_stage_drain(r->st, r->q);
		r->im->timerq_update(r->q, fire, r);
		/* release: see add_staged */
		atomic_store_explicit(&r->tick_pub, r->tick, memory_order_release);
		uint64_t t1 = harness_now_ns();
		spinlock_unlock(&r->lock);
		hadd(&r->upd, t1 - t0);
		r->ticks++;
		next += TICK_US * 1000ull;
	}
	return r->ticks;
}

static uint64_t
adder_thread(struct run *r, struct adder *a, int who, const atomic_int *stop) {
	int idle = 0;
	while (!HARNESS_STOPPED(stop)) {
		/* relaxed: see fire() */
		uint64_t fired = atomic_load_explicit(&a->fired, memory_order_relaxed);
		if (a->prefilled + a->added - fired >= r->quota) {
			/* nothing due back yet: leave the CPU to the timer thread when crowded */
			if (++idle >= 64) {
				sched_yield();
				idle = 0;
			} else {
				spinlock_pause();
			}
			continue;
		}
		uint64_t t0 = harness_now_ns();
		if (r->st) {
			add_staged(r, a, who);
		} else {
			spinlock_lock(&r->lock);
			add_locked(r, who, &a->seed);
			spinlock_unlock(&r->lock);
		}
		hadd(&a->lat, harness_now_ns() - t0);
		a->added++;
	}
	return a->added;
}

static uint64_t
work(void *ud, int tid, const atomic_int *stop) {
	struct run *r = ud;
	return tid == 0 ? timer_thread(r, stop) : adder_thread(r, &r->a[tid - 1], tid - 1, stop);
}

static void
check(struct run *r, struct bench_result *res) {
	uint64_t pending = 0;
	if (r->st)	/* what the rings still hold joins the queue (the threads have stopped) */
		timer_stage_drain(r->st, r->q);
	for (int i = 0; i < r->adders; i++) {
		struct adder *a = &r->a[i];
		uint64_t fired = atomic_load_explicit(&a->fired, memory_order_relaxed);
		if (fired > a->prefilled + a->added) {
			bench_fail(res, "adder %d: %llu fired of %llu added", i, (unsigned long long)fired,
				(unsigned long long)(a->prefilled + a->added));
			return;
		}
		pending += a->prefilled + a->added - fired;
	}
	if (r->wrong_tick)
		bench_fail(res, "%llu timers fired on another tick than their due one",
			(unsigned long long)r->wrong_tick);
	else if (pending != r->im->timerq_pending(r->q))
		bench_fail(res, "the queue says %zu pending, the adders' counts %llu",
			r->im->timerq_pending(r->q), (unsigned long long)pending);
	else if (r->st && pending != timer_stage_pending(r->st))
		bench_fail(res, "the stage says %zu pending, the adders' counts %llu",
			timer_stage_pending(r->st), (unsigned long long)pending);
	else {
		res->checked = 1;
		res->check_ok = 1;
	}
}

static void
report(struct run *r, const struct harness_sample *s, struct bench_result *res) {
	static struct hist lat;
	memset(&lat, 0, sizeof lat);
	uint64_t adds = 0, locked = 0;
	for (int i = 0; i < r->adders; i++) {
		hmerge(&lat, &r->a[i].lat);
		adds += r->a[i].added;
		locked += r->a[i].locked;
	}
	res->wall_ns = s->wall_ns;
	int k = 0;
	res->m[k++] = (struct bench_metric){ "adds_per_s", "ops/s",
		(double)adds * 1e9 / (double)s->wall_ns, adds };
	if (lat.n) {
		res->m[k++] = (struct bench_metric){ "p50_ns", "ns", hpercentile(&lat, 0.50), lat.n };
		res->m[k++] = (struct bench_metric){ "p99_ns", "ns", hpercentile(&lat, 0.99), lat.n };
		res->m[k++] = (struct bench_metric){ "p999_ns", "ns", hpercentile(&lat, 0.999), lat.n };
		res->m[k++] = (struct bench_metric){ "max_ns", "ns", (double)lat.max, lat.n };
	}
	if (r->upd.n) {
		res->m[k++] = (struct bench_metric){ "update_p99_ns", "ns", hpercentile(&r->upd, 0.99), r->upd.n };
		res->m[k++] = (struct bench_metric){ "update_max_ns", "ns", (double)r->upd.max, r->upd.n };
	}
	if (r->st) {
		res->m[k++] = (struct bench_metric){ "locked_adds", "count", (double)locked, adds };
		res->m[k++] = (struct bench_metric){ "late_fires", "count", (double)r->late, adds };
	}
	res->nmetrics = k;
}

static void
run_case(const struct bench_case *c, struct bench_result *res) {
	struct run *r = calloc(1, sizeof *r);
	if (r == NULL)
		abort();
	r->im = &bench_timer_impls[c->impl_index];
	r->adders = c->threads;
	r->quota = (uint64_t)c->arg[0] / (uint64_t)r->adders;
	r->a = aligned_alloc(64, (size_t)r->adders * sizeof *r->a);
	if (r->a == NULL)
		abort();
	memset(r->a, 0, (size_t)r->adders * sizeof *r->a);
	spinlock_init(&r->lock);
	r->q = r->im->timerq_create();
	atomic_init(&r->tick_pub, r->im->timerq_time(r->q));
	if (c->arg[1]) {
		struct timer_stage_queue ops = { r->im->timerq_add, r->im->timerq_cancel, r->im->timerq_time };
		r->st = timer_stage_create(r->adders, STAGE_RING, &ops);
	}
	for (int i = 0; i < r->adders; i++) {
		struct adder *a = &r->a[i];
		atomic_init(&a->fired, 0);
		a->seed = (uint64_t)bench_cfg.seed * 0x9E3779B97F4A7C15ull + (uint64_t)i + 1;
		for (uint64_t k = 0; k < r->quota; k++)
			add_locked(r, i, &a->seed);
		a->prefilled = r->quota;
	}
	int cpu[HARNESS_MAX_THREADS];
	if (bench_cpus(c->threads + 1, cpu, &res->oversubscribed) != 0) {
		bench_fail(res, "cannot pin");
	} else {
		static struct harness_sample s;
		struct harness_spec spec = { .threads = c->threads + 1, .cpu = cpu,
			.seconds = bench_cfg.seconds, .work = work, .ud = r };
		harness_run(&spec, &s);
		harness_cpus_string(&s, c->threads + 1, res->cpus, sizeof res->cpus);
		report(r, &s, res);
		check(r, res);
		if (s.bind_failed)
			bench_fail(res, "%d thread(s) could not be pinned", s.bind_failed);
	}
	timer_stage_release(r->st);
	r->im->timerq_release(r->q);
	free(r->a);
	free(r);
}

static void
add_cases(long pending, int adders, int staged) {
	for (int i = 0; i < bench_timer_nimpls; i++) {
		struct bench_case c = { .threads = adders, .run = run_case, .impl_index = i,
			.est_s = bench_cfg.seconds + (double)pending * 4e-7 };
		snprintf(c.impl, sizeof c.impl, "%s", bench_timer_impls[i].name);
		snprintf(c.benchmark, sizeof c.benchmark, staged ? "staged_add" : "contended_add");
		if (staged)
			snprintf(c.params, sizeof c.params, "dist=uniform;pending=%ld;ring=%d;tick_us=%d;timer_thread=1",
				pending, STAGE_RING, TICK_US);
		else
			snprintf(c.params, sizeof c.params, "dist=uniform;pending=%ld;tick_us=%d;timer_thread=1",
				pending, TICK_US);
		c.arg[0] = pending;
		c.arg[1] = staged;
		bench_add(&c);
	}
}

int
main(int argc, char **argv) {
	bench_init(argc, argv, "timer", 1.0, 0.1);
	int n = bench_cfg.ncpus;
	int defaults[4] = { 1, 2, n, 2 * n }, list[64], nlist = 0;
	if (bench_cfg.threads_given) {
		memcpy(list, bench_cfg.threads, (size_t)bench_cfg.nthreads * sizeof *list);
		nlist = bench_cfg.nthreads;
	} else {
		for (int i = 0; i < 4; i++) {
			int dup = 0;
			for (int k = 0; k < nlist; k++)
				dup |= list[k] == defaults[i];
			if (!dup)
				list[nlist++] = defaults[i];
		}
	}
	static const long pendings[] = { 1000, 1000000 };
	for (size_t p = 0; p < sizeof pendings / sizeof *pendings; p++)
		for (int k = 0; k < nlist; k++)
			for (int staged = 0; staged < 2; staged++)
				add_cases(pendings[p], list[k], staged);
	return bench_run(bench_build_cflags, bench_build_libs);
}
