/* Timer micro-benchmarks: every variants/timer implementation, single-threaded, timed by
 * Google Benchmark through gbench_shim (ns per operation = real time / operations counted).
 *
 *   add       N pending (N = 1, 1K, 1M): time adds in batches of B = min(N, 1024); after each
 *             batch the added timers are cancelled with the clock paused, so N stays put.
 *   cancel    N pending: cancel B random pending timers (timed), re-add them (paused).
 *   expire    N timers (uniform or bimodal), added with the clock paused; time the updates
 *             that fire them all (1000, or 100000 for bimodal): ns per fired timer, the
 *             cost of every tick included.
 *   steady    N pending; each update fires what is due and every fired timer is re-added
 *             at once: ns per (expire + add), timed in batches of 64 updates.
 *   cancel_ratio  10K pending, uniform; per tick, fired timers are re-added and a fraction
 *             r of all timer lifetimes end in cancel instead (r = 0..99%): ns per lifetime.
 *   burst     B timers with the same 5-tick timeout, then 5 updates: all fire on one tick;
 *             timed in batches of max(1, 1024 / B) bursts.
 * Timeouts (ticks of 10 ms): uniform 1..1000; bimodal 90% 1..10, 10% 10000..100000; long
 * 2^20..2^22. Lateness of expiry is the runtime benchmark's (it needs the real clock).
 *
 * The timed regions hold the timer's work and sequential bookkeeping only, so that the
 * program measures the timer, not itself: the fire callback appends (session, handle, tick)
 * to a log (pre-touched, never grown while timed), cancel takes its ids from an array
 * gathered before the clock starts, and steady re-adds a fired timer from its log record.
 * Every check reads the log after the timed region, against the per-timer records (a table
 * of N slots, the random accesses the timer itself is being measured for).
 * cancel_ratio (10K pending: its 240 KB of records stay in L2) keeps its bookkeeping in
 * the timed loop: it picks random timers to cancel, which needs their current ids.
 *
 * Ceilings (docs/method.md rule 7), at 1M pending, over a buffer of 1M entries of the
 * smallest implementation's bytes per pending timer: `stream` reads it in order (ns per
 * entry: the floor of expire), `chase` follows a random cyclic permutation of its lines
 * (one dependent access: the floor of one cancel), `gather` read-modify-writes random lines
 * back to back (independent accesses: the floor of a batch of cancels).
 * Memory, at start when a 1M-pending case runs: each implementation's malloc bytes per pending timer at 1M pending, and
 * in a 1M burst on one tick before and after it fires (meta lines).
 *
 * Checks (docs/method.md rule 9): every fired timer fires on exactly its due tick, once,
 * never after being cancelled; every cancel of a pending timer succeeds; every add returns
 * a nonzero id; same-tick timers fire in add order; pending counts add up. Ceilings: each
 * stream pass finds the buffer's sum, the chase stays on its one cycle, the gather's
 * increments add up to the accesses counted. */

#include "common.h"
#include "gbench_shim.h"
#include "harness.h"
#include "parts.h"

#include <stdlib.h>
#include <string.h>

enum dist { UNIFORM, BIMODAL, LONG };
static const char *const dist_name[] = { "uniform", "bimodal", "long" };
enum kind { ADD, CANCEL, EXPIRE, STEADY, CANCEL_RATIO, BURST };
static const char *const kind_name[] = { "add", "cancel", "expire", "steady", "cancel_ratio", "burst" };

#define NRAND 65536
#define UNIFORM_MAX 1000	/* the longest timeouts of uniform and bimodal */
#define BIMODAL_MAX 100000
#define BATCH 1024
#define STEADY_TICKS 64
#define RATIO_PENDING 10000
#define PENDING_CEILING 1000000	/* the ceilings' buffer: this many timers' footprint */

/* what Google Benchmark measured in the last run */
struct gbres {
	double real_s;
	double ops;
	int error;
	char msg[160];
};

/* one timer the program knows of: session = its index, handle = its generation */
struct slot {
	uint64_t id;
	uint32_t due;	/* absolute tick it must fire on */
	uint32_t gen;	/* matches event.handle while this timer is the slot's live one */
	int live;
};

/* one fire, appended by the callback; steady fills in the re-add */
struct rec {
	uint32_t slot;	/* event.session */
	uint32_t gen;	/* event.handle */
	uint32_t at;	/* the tick of the update that fired it */
	uint32_t ticks;	/* steady: the re-add's timeout */
	uint64_t id;	/* steady: the re-add's id */
};

struct tb {
	const struct bench_timer_impl *im;
	struct timerq *q;
	enum kind kind;
	enum dist dist;
	size_t n;
	int ratio_pct;
	uint32_t ticks[NRAND];	/* pre-drawn timeouts */
	size_t ti;
	uint64_t seed;
	struct slot *slot;	/* n (+ BATCH) slots: session = slot index */
	struct rec *log;	/* fires since the last check */
	size_t nlog, caplog;
	uint32_t tick;		/* the time the running update moves the clock to */
	uint32_t *perm;
	size_t permi;
	uint64_t errors;
	char err[160];
	struct gbres gb;
};

static uint32_t
draw(struct tb *t) {
	uint64_t x = bench_rand(&t->seed);
	switch (t->dist) {
	case BIMODAL:
		return (x % 10) < 9 ? 1 + (uint32_t)(x >> 8) % 10 :
			10000 + (uint32_t)(x >> 8) % (BIMODAL_MAX - 10000 + 1);
	case LONG:
		return (1u << 20) + (uint32_t)(x >> 8) % (3u << 20);
	default:
		return 1 + (uint32_t)(x >> 8) % UNIFORM_MAX;
	}
}

static inline uint32_t
next_ticks(struct tb *t) {
	uint32_t v = t->ticks[t->ti];
	t->ti = (t->ti + 1) & (NRAND - 1);
	return v;
}

static void
error(struct tb *t, const char *what) {
	if (t->errors++ == 0)
		snprintf(t->err, sizeof t->err, "%s", what);
}

static void
arm(struct tb *t, uint32_t s, uint32_t ticks, uint32_t now) {
	struct slot *sl = &t->slot[s];
	sl->gen++;
	struct timer_event ev = { .handle = sl->gen, .session = (int)s };
	sl->due = now + ticks;
	sl->id = t->im->timerq_add(t->q, &ev, ticks);
	sl->live = 1;
	if (sl->id == 0)
		error(t, "add returned id 0");
}

/* The callback: one sequential append. The caller leaves room for every timer that can
 * fire in one update (at most the pending count) before it starts one. */
static void
on_fire(void *ud, const struct timer_event *ev) {
	struct tb *t = ud;
	if (t->nlog == t->caplog) {
		error(t, "the fire log overflowed (more fires than the program left room for)");
		return;
	}
	struct rec *r = &t->log[t->nlog++];
	r->slot = (uint32_t)ev->session;
	r->gen = ev->handle;
	r->at = t->tick;
}

/* One update. The interface fires a timer in the update that moves the clock to its due
 * tick, so that tick is what a fire is checked against. */
static inline void
update(struct tb *t) {
	t->tick = t->im->timerq_time(t->q) + 1;
	t->im->timerq_update(t->q, on_fire, t);
}

/* a logged fire against the program's record of that timer */
static void
check_fire(struct tb *t, const struct rec *r) {
	struct slot *sl = &t->slot[r->slot];
	if (!sl->live || sl->gen != r->gen)
		error(t, "a cancelled or already fired timer fired");
	else if (sl->due != r->at)
		error(t, "a timer fired on the wrong tick");
	sl->live = 0;
}

static void
cancel_slot(struct tb *t, uint32_t s) {
	struct slot *sl = &t->slot[s];
	if (!t->im->timerq_cancel(t->q, sl->id))
		error(t, "cancel of a pending timer failed");
	sl->live = 0;
}

static uint32_t
next_perm(struct tb *t) {
	uint32_t s = t->perm[t->permi];
	t->permi = t->permi + 1 == t->n ? 0 : t->permi + 1;
	return s;
}

/* --- the benchmark bodies: Google Benchmark calls them, possibly several times --- */

/* The bodies but cancel_ratio time their own batches with CLOCK_MONOTONIC (Google
 * Benchmark's manual time): PauseTiming reads the process CPU clock and would cost
 * microseconds per batch. One clock pair per batch is included; main() measures and
 * prints its cost. */
static inline double
seconds_since(uint64_t t0) {
	return (double)(harness_now_ns() - t0) / 1e9;
}

static void
bm_add(gb_state *st, void *ud) {
	struct tb *t = ud;
	size_t b = t->n < BATCH ? t->n : BATCH;
	uint64_t ops = 0;
	while (gb_keep_running_batch(st, (int64_t)b)) {
		uint64_t t0 = harness_now_ns();
		uint32_t now = t->im->timerq_time(t->q);
		/* slots n .. n+b-1: sequential records, reused every batch */
		for (size_t j = 0; j < b; j++)
			arm(t, (uint32_t)(t->n + j), next_ticks(t), now);
		gb_set_iteration_time(st, seconds_since(t0));
		for (size_t j = 0; j < b; j++)
			cancel_slot(t, (uint32_t)(t->n + j));
		ops += b;
	}
	gb_counter(st, "ops", (double)ops);
}

static void
bm_cancel(gb_state *st, void *ud) {
	struct tb *t = ud;
	size_t b = t->n < BATCH ? t->n : BATCH;
	uint32_t which[BATCH];
	uint64_t id[BATCH];
	unsigned char done[BATCH];
	uint64_t ops = 0;
	while (gb_keep_running_batch(st, (int64_t)b)) {
		for (size_t j = 0; j < b; j++) {
			which[j] = next_perm(t);
			id[j] = t->slot[which[j]].id;
		}
		uint64_t t0 = harness_now_ns();
		for (size_t j = 0; j < b; j++)
			done[j] = (unsigned char)t->im->timerq_cancel(t->q, id[j]);
		gb_set_iteration_time(st, seconds_since(t0));
		uint32_t now = t->im->timerq_time(t->q);
		for (size_t j = 0; j < b; j++) {
			if (!done[j])
				error(t, "cancel of a pending timer failed");
			t->slot[which[j]].live = 0;
			arm(t, which[j], next_ticks(t), now);
		}
		ops += b;
	}
	gb_counter(st, "ops", (double)ops);
}

static void
bm_expire(gb_state *st, void *ud) {
	struct tb *t = ud;
	uint32_t window = t->dist == BIMODAL ? BIMODAL_MAX : UNIFORM_MAX;
	uint64_t ops = 0;
	while (gb_keep_running(st)) {
		uint32_t now = t->im->timerq_time(t->q);
		for (size_t s = 0; s < t->n; s++)
			arm(t, (uint32_t)s, next_ticks(t), now);
		t->nlog = 0;
		uint64_t t0 = harness_now_ns();
		for (uint32_t k = 0; k < window; k++)
			update(t);
		gb_set_iteration_time(st, seconds_since(t0));
		for (size_t i = 0; i < t->nlog; i++)
			check_fire(t, &t->log[i]);
		if (t->nlog != t->n)
			error(t, "not every timer fired within its window");
		ops += t->nlog;
	}
	gb_counter(st, "ops", (double)ops);
}

/* steady's logged fires and re-adds, in order, into the records; returns the fires */
static size_t
settle_steady(struct tb *t) {
	for (size_t i = 0; i < t->nlog; i++) {
		const struct rec *r = &t->log[i];
		check_fire(t, r);
		struct slot *sl = &t->slot[r->slot];
		sl->gen = r->gen + 1;
		sl->due = r->at + r->ticks;
		sl->id = r->id;
		sl->live = 1;
		if (r->id == 0)
			error(t, "add returned id 0");
	}
	size_t n = t->nlog;
	t->nlog = 0;
	return n;
}

static void
bm_steady(gb_state *st, void *ud) {
	struct tb *t = ud;
	uint64_t ops = 0;
	while (gb_keep_running_batch(st, STEADY_TICKS)) {
		double s = 0;
		uint64_t fired = 0;
		uint64_t t0 = harness_now_ns();
		/* at least one fire per block: bimodal timeouts drift to mostly long ones (a short
		 * one redrawn long stays), and a block of no fire would count no operation */
		for (int k = 0; k < STEADY_TICKS || (fired == 0 && t->n > 0); k++) {
			if (t->caplog - t->nlog < t->n) {	/* no room for a whole update: check now */
				s += seconds_since(t0);
				ops += settle_steady(t);
				t0 = harness_now_ns();
			}
			size_t f0 = t->nlog;
			update(t);
			fired += t->nlog - f0;
			/* re-add from the log record: the next generation of the same slot */
			for (size_t i = f0; i < t->nlog; i++) {
				struct rec *r = &t->log[i];
				struct timer_event ev = { .handle = r->gen + 1, .session = (int)r->slot };
				r->ticks = next_ticks(t);
				r->id = t->im->timerq_add(t->q, &ev, r->ticks);
			}
		}
		gb_set_iteration_time(st, s + seconds_since(t0));
		ops += settle_steady(t);
	}
	gb_counter(st, "ops", (double)ops);
}

static void
bm_cancel_ratio(gb_state *st, void *ud) {
	struct tb *t = ud;
	uint64_t ops = 0;
	double owed = 0;	/* cancels due so that cancels / (cancels + fires) = r */
	double per_fire = t->ratio_pct >= 100 ? 0 : (double)t->ratio_pct / (100.0 - t->ratio_pct);
	while (gb_keep_running(st)) {
		t->nlog = 0;
		update(t);
		for (size_t k = 0; k < t->nlog; k++) {
			check_fire(t, &t->log[k]);
			arm(t, t->log[k].slot, next_ticks(t), t->tick);
		}
		owed += per_fire * (double)t->nlog;
		while (owed >= 1) {
			uint32_t s = (uint32_t)(bench_rand(&t->seed) % t->n);
			cancel_slot(t, s);
			arm(t, s, next_ticks(t), t->tick);
			owed -= 1;
			ops++;
		}
		ops += t->nlog;
	}
	gb_counter(st, "ops", (double)ops);
}

static void
bm_burst(gb_state *st, void *ud) {
	struct tb *t = ud;
	size_t reps = t->n < BATCH ? BATCH / t->n : 1;
	uint32_t due[BATCH];
	uint64_t ops = 0, burst = 0;	/* burst number: the events' handle */
	while (gb_keep_running_batch(st, (int64_t)reps)) {
		t->nlog = 0;
		uint64_t bad_id = 0;
		uint64_t t0 = harness_now_ns();
		for (size_t r = 0; r < reps; r++) {
			struct timer_event ev = { .handle = (uint32_t)(burst + r) };
			due[r] = t->im->timerq_time(t->q) + 5;
			for (size_t s = 0; s < t->n; s++) {
				ev.session = (int)s;
				bad_id += t->im->timerq_add(t->q, &ev, 5) == 0;
			}
			for (int k = 0; k < 5; k++)
				update(t);
		}
		gb_set_iteration_time(st, seconds_since(t0));
		if (bad_id)
			error(t, "add returned id 0");
		if (t->nlog != reps * t->n)
			error(t, "burst: not every timer fired");
		for (size_t i = 0; i < t->nlog; i++) {
			const struct rec *r = &t->log[i];
			if (r->slot != i % t->n || r->gen != (uint32_t)(burst + i / t->n)) {
				error(t, "burst: same-tick timers fired out of FIFO order");
				break;
			}
			if (r->at != due[i / t->n]) {
				error(t, "a timer fired on the wrong tick");
				break;
			}
		}
		burst += reps;
		ops += reps * t->n;
	}
	gb_counter(st, "ops", (double)ops);
}

static const gb_fn bodies[] = { bm_add, bm_cancel, bm_expire, bm_steady, bm_cancel_ratio, bm_burst };

static void
report(void *ud, const struct gb_result *r) {
	struct gbres *g = ud;
	g->real_s = r->real_s;
	g->error = r->error;
	snprintf(g->msg, sizeof g->msg, "%s", r->error_msg ? r->error_msg : "");
	g->ops = 0;
	for (int i = 0; i < r->ncounters; i++)
		if (strcmp(r->counter_name[i], "ops") == 0)
			g->ops = r->counter_value[i];
}

/* runs one registered body under manual time; the row's one metric is ns per op */
static void
run_gb(const struct bench_case *c, gb_fn body, void *ud, int manual, struct gbres *g,
	struct bench_result *res) {
	gb_clear();
	gb_bench *b = gb_register(c->benchmark, body, ud);
	if (manual)
		gb_use_manual_time(b);
	else
		gb_use_real_time(b);
	gb_min_time(b, bench_cfg.seconds);
	uint64_t t0 = harness_now_ns();
	gb_run(report, g, NULL);
	res->wall_ns = harness_now_ns() - t0;
	snprintf(res->cpus, sizeof res->cpus, "?");
	res->nmetrics = 1;
	res->m[0] = (struct bench_metric){ "ns_per_op", "ns/op",
		g->ops > 0 ? g->real_s * 1e9 / g->ops : 0, (uint64_t)g->ops };
}

/* a failed Google Benchmark run, a failed check or nothing counted: no number */
static void
verdict(struct bench_result *res, const struct gbres *g, uint64_t errors, const char *err) {
	res->checked = 1;
	if (g->error)
		bench_fail(res, "Google Benchmark: %s", g->msg);
	else if (errors)
		bench_fail(res, "%s (%llu errors)", err, (unsigned long long)errors);
	else if (!(g->ops > 0))
		bench_fail(res, "no operations counted");
}

/* --- ceilings: what memory alone costs over a buffer the size of a timer queue --- */

enum ceil_kind { STREAM, CHASE, GATHER };
static const char *const ceil_name[] = { "stream", "chase", "gather" };

#define LINE_WORDS 8		/* 64-byte lines of 8-byte words */
#define NGATHER 65536

/* bytes per pending timer the ceilings' buffer holds: set by main() (timer_footprints) */
static size_t ceiling_entry_bytes = 32;

struct ceil {
	enum ceil_kind kind;
	uint64_t *buf;
	size_t words, lines;
	uint32_t *order;	/* chase: order[k] = the line k hops from line 0 */
	uint32_t *idx;		/* gather: NGATHER random lines, read in turn */
	size_t at;		/* chase: hops done; gather: next idx */
	uint64_t total;		/* gather: accesses over every call of the body */
	uint32_t pos;		/* chase: current line */
	uint64_t sum;		/* stream: the sum every pass must find */
	uint64_t errors;
	char err[160];
	struct gbres gb;
};

static void
ceil_error(struct ceil *c, const char *what) {
	if (c->errors++ == 0)
		snprintf(c->err, sizeof c->err, "%s", what);
}

/* stream: read the whole buffer in order, four sums for the load ports; an op is one
 * timer's entry (CEILING_ENTRIES of them) */
static void
bm_stream(gb_state *st, void *ud) {
	struct ceil *c = ud;
	uint64_t ops = 0;
	while (gb_keep_running(st)) {
		uint64_t t0 = harness_now_ns();
		uint64_t a = 0, b = 0, d = 0, e = 0;
		for (size_t i = 0; i < c->words; i += 4) {
			a += c->buf[i];
			b += c->buf[i + 1];
			d += c->buf[i + 2];
			e += c->buf[i + 3];
		}
		gb_set_iteration_time(st, seconds_since(t0));
		if (a + b + d + e != c->sum)
			ceil_error(c, "stream: a pass read a wrong sum");
		ops += PENDING_CEILING;
	}
	gb_counter(st, "ops", (double)ops);
}

/* chase: one dependent access per op, a random cycle through every line */
static void
bm_chase(gb_state *st, void *ud) {
	struct ceil *c = ud;
	uint64_t ops = 0;
	uint32_t p = c->pos;
	while (gb_keep_running_batch(st, BATCH)) {
		uint64_t t0 = harness_now_ns();
		for (int j = 0; j < BATCH; j++)
			p = (uint32_t)c->buf[(size_t)p * LINE_WORDS];
		gb_set_iteration_time(st, seconds_since(t0));
		ops += BATCH;
	}
	c->pos = p;
	c->at += ops;	/* over every call of the body: the walk goes on from where it was */
	gb_counter(st, "ops", (double)ops);
}

/* gather: independent read-modify-writes of random lines, back to back (a batch of
 * cancels touches that many unrelated places); the line indices are read in order */
static void
bm_gather(gb_state *st, void *ud) {
	struct ceil *c = ud;
	uint64_t ops = 0;
	size_t at = c->at;
	while (gb_keep_running_batch(st, BATCH)) {
		uint64_t t0 = harness_now_ns();
		for (int j = 0; j < BATCH; j++)
			c->buf[(size_t)c->idx[at + j] * LINE_WORDS + 1]++;
		gb_set_iteration_time(st, seconds_since(t0));
		at = (at + BATCH) & (NGATHER - 1);
		ops += BATCH;
	}
	c->at = at;
	c->total += ops;
	gb_counter(st, "ops", (double)ops);
}

static void
run_ceiling(const struct bench_case *bc, struct bench_result *res) {
	struct ceil *c = calloc(1, sizeof *c);
	if (c == NULL)
		abort();
	c->kind = (enum ceil_kind)bc->arg[0];
	size_t bytes = ceiling_entry_bytes * PENDING_CEILING;
	c->lines = (bytes + 63) / 64;
	c->words = c->lines * LINE_WORDS;
	c->buf = aligned_alloc(64, c->lines * 64);
	if (c->buf == NULL)
		abort();
	uint64_t seed = 0x9E3779B97F4A7C15ULL;
	for (size_t i = 0; i < c->words; i++) {
		c->buf[i] = i;
		c->sum += i;
	}
	if (c->kind == CHASE) {
		/* Sattolo's shuffle: a uniformly random permutation with one cycle */
		c->order = malloc(c->lines * sizeof *c->order);
		if (c->order == NULL)
			abort();
		for (size_t i = 0; i < c->lines; i++)
			c->order[i] = (uint32_t)i;
		for (size_t i = c->lines - 1; i > 0; i--) {
			size_t j = bench_rand(&seed) % i;
			uint32_t x = c->order[i];
			c->order[i] = c->order[j];
			c->order[j] = x;
		}
		/* order[] is now a cycle's successor table; make it the visiting order */
		for (size_t i = 0; i < c->lines; i++)
			c->buf[i * LINE_WORDS] = c->order[i];
		uint32_t p = 0;
		for (size_t k = 0; k < c->lines; k++) {
			c->order[k] = p;
			p = (uint32_t)c->buf[(size_t)p * LINE_WORDS];
		}
		if (p != 0)
			ceil_error(c, "chase: the permutation is not one cycle");
	} else if (c->kind == GATHER) {
		c->idx = malloc((NGATHER + BATCH) * sizeof *c->idx);
		if (c->idx == NULL)
			abort();
		for (size_t i = 0; i < NGATHER; i++)
			c->idx[i] = (uint32_t)(bench_rand(&seed) % c->lines);
		for (size_t i = NGATHER; i < NGATHER + BATCH; i++)	/* a batch never wraps */
			c->idx[i] = c->idx[i - NGATHER];
		for (size_t i = 0; i < c->lines; i++)
			c->buf[i * LINE_WORDS + 1] = 0;
	}
	static const gb_fn body[] = { bm_stream, bm_chase, bm_gather };
	run_gb(bc, body[c->kind], c, 1, &c->gb, res);
	if (c->kind == CHASE && c->pos != c->order[c->at % c->lines])
		ceil_error(c, "chase: the walk ended off its cycle");
	if (c->kind == GATHER) {
		uint64_t n = 0;
		for (size_t i = 0; i < c->lines; i++)
			n += c->buf[i * LINE_WORDS + 1];
		if (n != c->total)
			ceil_error(c, "gather: the increments do not add up to the accesses counted");
	}
	verdict(res, &c->gb, c->errors, c->err);
	free(c->buf);
	free(c->order);
	free(c->idx);
	free(c);
}

static void
run_case(const struct bench_case *c, struct bench_result *res) {
	struct tb *t = calloc(1, sizeof *t);
	if (t == NULL)
		abort();
	t->im = &bench_timer_impls[c->impl_index];
	t->kind = (enum kind)c->arg[0];
	t->dist = (enum dist)c->arg[1];
	t->n = (size_t)c->arg[2];
	t->ratio_pct = (int)c->arg[3];
	t->seed = 0x243F6A8885A308D3ULL ^ (uint64_t)c->arg[2];
	for (size_t i = 0; i < NRAND; i++)
		t->ticks[i] = draw(t);
	t->slot = calloc(t->n + BATCH, sizeof *t->slot);
	t->perm = malloc(t->n * sizeof *t->perm);
	/* room for two updates' worst case and a batch of bursts; touched now, not while timed */
	t->caplog = 2 * t->n + 2 * BATCH;
	t->log = malloc(t->caplog * sizeof *t->log);
	if (t->slot == NULL || t->perm == NULL || t->log == NULL)
		abort();
	memset(t->log, 0, t->caplog * sizeof *t->log);
	for (size_t i = 0; i < t->n; i++)
		t->perm[i] = (uint32_t)i;
	for (size_t i = t->n; i > 1; i--) {
		size_t j = bench_rand(&t->seed) % i;
		uint32_t x = t->perm[i - 1];
		t->perm[i - 1] = t->perm[j];
		t->perm[j] = x;
	}
	t->q = t->im->timerq_create();
	/* the pending population, once per run: every body leaves it as it found it */
	if (t->kind == ADD || t->kind == CANCEL || t->kind == STEADY || t->kind == CANCEL_RATIO)
		for (size_t s = 0; s < t->n; s++)
			arm(t, (uint32_t)s, next_ticks(t), t->im->timerq_time(t->q));

	run_gb(c, bodies[t->kind], t, t->kind != CANCEL_RATIO, &t->gb, res);
	/* what is still pending must be exactly the live slots */
	size_t live = 0;
	for (size_t s = 0; s < t->n + BATCH; s++)
		live += t->slot[s].live;
	if (t->im->timerq_pending(t->q) != live)
		error(t, "pending count differs from the timers known to be live");
	verdict(res, &t->gb, t->errors, t->err);
	t->im->timerq_release(t->q);
	free(t->slot);
	free(t->perm);
	free(t->log);
	free(t);
}

/* a case at 1M pending is to run: measure the footprints (they size the ceilings) */
static int million;

static void
add(enum kind k, enum dist d, long n, int ratio) {
	for (int i = 0; i < bench_timer_nimpls; i++) {
		struct bench_case c = { .threads = 1, .run = run_case, .impl_index = i,
			.est_s = 2.5 * bench_cfg.seconds + (n >= 1000000 ? 0.4 : 0.01) };
		snprintf(c.impl, sizeof c.impl, "%s", bench_timer_impls[i].name);
		snprintf(c.benchmark, sizeof c.benchmark, "%s", kind_name[k]);
		if (k == CANCEL_RATIO)
			snprintf(c.params, sizeof c.params, "cancel_pct=%d;dist=%s;pending=%ld", ratio,
				dist_name[d], n);
		else if (k == BURST)
			snprintf(c.params, sizeof c.params, "burst=%ld;ticks=5", n);
		else
			snprintf(c.params, sizeof c.params, "dist=%s;pending=%ld", dist_name[d], n);
		c.arg[0] = k;
		c.arg[1] = d;
		c.arg[2] = n;
		c.arg[3] = ratio;
		int kept = bench_ncases();
		bench_add(&c);
		if (n >= PENDING_CEILING && bench_ncases() > kept)
			million = 1;
	}
}

static void
add_ceiling(enum ceil_kind k, enum kind bound, enum dist d) {
	struct bench_case c = { .threads = 1, .run = run_ceiling, .ceiling = 1,
		.est_s = 2.5 * bench_cfg.seconds + 0.2 };
	snprintf(c.impl, sizeof c.impl, "%s", ceil_name[k]);
	snprintf(c.benchmark, sizeof c.benchmark, "%s", kind_name[bound]);
	snprintf(c.params, sizeof c.params, "dist=%s;pending=%d", dist_name[d], PENDING_CEILING);
	c.arg[0] = k;
	int kept = bench_ncases();
	bench_add(&c);
	if (bench_ncases() > kept)
		million = 1;
}

static void
count_fire(void *ud, const struct timer_event *ev) {
	(void)ev;
	++*(size_t *)ud;
}

/* Each implementation's memory at PENDING_CEILING pending timers, due uniformly within
 * 1..1000 ticks, and in a burst due on one tick, before and after it fires; the smallest
 * uniform footprint sizes the ceilings' buffer. Printed as meta lines. */
static void
timer_footprints(void) {
	const char *how = "malloc bytes in use, mallinfo2 arena + mmapped";
	if (!bench_malloc_counted()) {
		fprintf(stderr, "meta: timer_bytes_per_pending: n/a (mallinfo2 sees no allocation: "
			"malloc is not glibc's here)\n");
		fprintf(stderr, "meta: timer_ceiling_bytes_per_entry: %zu (a fixed guess: no "
			"footprint measured)\n", ceiling_entry_bytes);
		return;
	}
	double best = 0;
	const char *who = "";
	for (int i = 0; i < bench_timer_nimpls; i++) {
		const struct bench_timer_impl *im = &bench_timer_impls[i];
		uint64_t seed = 0x243F6A8885A308D3ULL;
		double before = bench_malloc_in_use();
		struct timerq *q = im->timerq_create();
		for (int k = 0; k < PENDING_CEILING; k++) {
			struct timer_event ev = { (uint32_t)k, k };
			im->timerq_add(q, &ev, 1 + (uint32_t)(bench_rand(&seed) >> 8) % UNIFORM_MAX);
		}
		double uniform = (bench_malloc_in_use() - before) / PENDING_CEILING;
		im->timerq_release(q);
		before = bench_malloc_in_use();
		q = im->timerq_create();
		for (int k = 0; k < PENDING_CEILING; k++) {
			struct timer_event ev = { (uint32_t)k, k };
			im->timerq_add(q, &ev, 5);
		}
		double burst = (bench_malloc_in_use() - before) / PENDING_CEILING;
		size_t fired = 0;
		for (int k = 0; k < 5; k++)
			im->timerq_update(q, count_fire, &fired);
		double after = bench_malloc_in_use() - before;
		im->timerq_release(q);
		fprintf(stderr, "meta: timer_bytes_per_pending_%s: %.1f (%s, per pending timer: %d "
			"pending, due uniformly within 1..%d ticks)\n", im->name, uniform, how,
			PENDING_CEILING, UNIFORM_MAX);
		fprintf(stderr, "meta: timer_burst_bytes_%s: %.1f per pending timer with %d due on "
			"one tick; %.0f in all after they fired%s (%s)\n", im->name, burst,
			PENDING_CEILING, after, fired == PENDING_CEILING ? "" : " (NOT ALL FIRED)", how);
		if (i == 0 || uniform < best) {
			best = uniform;
			who = im->name;
		}
	}
	ceiling_entry_bytes = ((size_t)best + 7) / 8 * 8;
	if (ceiling_entry_bytes == 0)
		ceiling_entry_bytes = 8;
	fprintf(stderr, "meta: timer_ceiling_bytes_per_entry: %zu (the smallest "
		"timer_bytes_per_pending, %s's, rounded up to 8: the ceilings' buffer holds %d "
		"such entries)\n", ceiling_entry_bytes, who, PENDING_CEILING);
}

int
main(int argc, char **argv) {
	gb_init(&argc, argv);
	bench_init(argc, argv, "timer", 0.2, 0.01);
	static const long sizes[] = { 1, 1000, 1000000 };
	for (int s = 0; s < 3; s++) {
		for (int d = UNIFORM; d <= LONG; d++)
			add(ADD, (enum dist)d, sizes[s], 0);
		add(CANCEL, UNIFORM, sizes[s], 0);
		add(CANCEL, LONG, sizes[s], 0);
		add(EXPIRE, UNIFORM, sizes[s], 0);
		if (sizes[s] > 1) {
			add(EXPIRE, BIMODAL, sizes[s], 0);
			add(STEADY, UNIFORM, sizes[s], 0);
			add(STEADY, BIMODAL, sizes[s], 0);
		}
	}
	static const int ratios[] = { 0, 10, 50, 90, 99 };
	for (int r = 0; r < 5; r++)
		add(CANCEL_RATIO, UNIFORM, RATIO_PENDING, ratios[r]);
	static const long bursts[] = { 1, 100, 10000 };
	for (int b = 0; b < 3; b++)
		add(BURST, UNIFORM, bursts[b], 0);
	/* the physical floors of expire (one pass over the memory) and cancel (a random
	 * access: dependent, or a batch of independent ones), at the million timers' size */
	add_ceiling(STREAM, EXPIRE, UNIFORM);
	add_ceiling(STREAM, EXPIRE, BIMODAL);
	for (int d = UNIFORM; d <= LONG; d += LONG - UNIFORM) {
		add_ceiling(CHASE, CANCEL, (enum dist)d);
		add_ceiling(GATHER, CANCEL, (enum dist)d);
	}
	if (!bench_cfg.list && million)
		timer_footprints();
	/* the clock pair each manually timed batch includes (docs/method.md rule 6) */
	uint64_t c0 = harness_now_ns(), sink = 0;
	for (int i = 0; i < 100000; i++)
		sink += harness_now_ns();
	double pair = 2.0 * (double)(harness_now_ns() - c0) / 100000;
	fprintf(stderr, "meta: timer_clock_pair_ns: %.1f (once per batch of min(pending,%d) ops in "
		"add/cancel, per expire round (1000 or 100000 ticks), per %d ticks in steady, per max(1,%d/B) bursts "
		"of B)%s\n", pair, BATCH, STEADY_TICKS, BATCH, sink ? "" : " ");
	int rc = bench_run(bench_build_cflags, bench_build_libs);
	gb_shutdown();
	return rc;
}
