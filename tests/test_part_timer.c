/* skybench-test: part timer */
/* The timer queue part (runtime/parts/timerq.h), whatever variant is linked: timers fire
 * exactly once, at the right tick, FIFO among equal expiries; cancel; the 32-bit wrap;
 * bulk cancels, bursts and refills (200K timers: an implementation's compaction and
 * memory give-back paths run); and random schedules checked against a reference model (a sorted list with a 64-bit
 * clock), so every variant is shown to agree with the same model on the same schedules.
 * The clock is moved near the wrap or near a far expiry with timerq_test_set_time
 * (a test entry point of timerq.h), which only skips ticks where nothing is due. */

#include "tap.h"
#include "timerq.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- what fired ---- */

struct fired {
	uint32_t handle;
	int session;
	uint32_t at;	/* timerq_time() during the callback */
};

struct log {
	struct timerq *q;
	struct fired *f;
	size_t n, cap;
	/* optional: a callback action, for re-entrancy checks */
	void (*hook)(struct log *, const struct timer_event *);
	void *hook_ud;
};

static void
on_fire(void *ud, const struct timer_event *ev) {
	struct log *l = ud;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->f = realloc(l->f, l->cap * sizeof(*l->f));
		if (l->f == NULL)
			bail_out("out of memory");
	}
	l->f[l->n++] = (struct fired){ ev->handle, ev->session, timerq_time(l->q) };
	if (l->hook)
		l->hook(l, ev);
}

static void
log_init(struct log *l, struct timerq *q) {
	memset(l, 0, sizeof(*l));
	l->q = q;
}

static void
log_free(struct log *l) {
	free(l->f);
}

static uint64_t
add(struct timerq *q, uint32_t handle, int session, uint32_t ticks) {
	struct timer_event ev = { handle, session };
	return timerq_add(q, &ev, ticks);
}

static void
update(struct timerq *q, struct log *l, uint64_t n) {
	while (n--)
		timerq_update(q, on_fire, l);
}

/* ---- fixed schedules ---- */

static const uint32_t exact_ticks[] = {
	1, 2, 3, 255, 256, 257, 511, 512, 513,
	(1u << 14) - 1, 1u << 14, (1u << 14) + 1,
	(1u << 20) - 1, 1u << 20, (1u << 20) + 1,
};
#define NEXACT (sizeof(exact_ticks) / sizeof(exact_ticks[0]))

/* Each timer of exact_ticks, added at `start`, fires once, at start + ticks, nothing else
 * fires, and pending counts down to 0. All updates are real (no clock jumps). */
static void
test_exact(uint32_t start) {
	struct timerq *q = timerq_create();
	struct log l;
	log_init(&l, q);
	ok(timerq_test_set_time(q, start), "exact@%u: set clock on an empty queue", start);
	is_int(timerq_time(q), start, "exact@%u: clock reads back", start);
	for (size_t i = 0; i < NEXACT; i++)
		add(q, 7, (int)i + 1, exact_ticks[i]);
	is_int(timerq_pending(q), NEXACT, "exact@%u: all pending", start);
	update(q, &l, (1u << 20) + 2);
	is_int(l.n, NEXACT, "exact@%u: each fired once", start);
	int good = 1;
	for (size_t i = 0; i < l.n && i < NEXACT; i++) {
		/* distinct expiries: firing order is the order of exact_ticks */
		uint32_t want = start + exact_ticks[i];
		if (l.f[i].session != (int)i + 1 || l.f[i].at != want || l.f[i].handle != 7) {
			diag("fire %zu: session %d at %u, want session %zu at %u", i, l.f[i].session,
				l.f[i].at, i + 1, want);
			good = 0;
		}
	}
	ok(good, "exact@%u: right ticks, in expiry order", start);
	is_int(timerq_pending(q), 0, "exact@%u: none pending", start);
	log_free(&l);
	timerq_release(q);
}

/* Far timers: run the clock up to `margin` ticks before the earliest, then tick for real
 * (so the last cascades, from as high a level as margin allows, are the variant's own). */
struct far {
	uint32_t ticks;
	int fired;
	uint32_t at;
};

static void
test_far(uint32_t start, uint32_t margin, int jumps) {
	static const uint32_t far_ticks[] = {
		(1u << 26) - 1, 1u << 26, (1u << 26) + 1, (1u << 26) + (1u << 20) + 3,
		(1u << 30) + 12345, 0x7ffffffeu, 0x7fffffffu,
	};
	enum { NFAR = sizeof(far_ticks) / sizeof(far_ticks[0]) };
	struct timerq *q = timerq_create();
	struct log l;
	log_init(&l, q);
	timerq_test_set_time(q, start);
	int n = jumps ? NFAR : 3;	/* without jumps only the 2^26 ones: 67M real updates */
	for (int i = 0; i < n; i++)
		add(q, 9, i + 1, far_ticks[i]);
	uint64_t now = 0;	/* ticks since start */
	int good = 1;
	for (int i = 0; i < n; i++) {
		uint64_t due = far_ticks[i];
		if (jumps && due > now + margin) {
			if (!timerq_test_set_time(q, start + (uint32_t)(due - margin))) {
				diag("far@%u: jump to %llu refused", start, (unsigned long long)(due - margin));
				good = 0;
			}
			now = due - margin;
		}
		update(q, &l, due - now);
		now = due;
		if (l.n != (size_t)i + 1 || l.f[i].session != i + 1 || l.f[i].at != start + far_ticks[i]) {
			diag("far@%u: after %llu ticks %zu fired (last session %d at %u), want session %d at %u",
				start, (unsigned long long)due, l.n, l.n ? l.f[l.n - 1].session : 0,
				l.n ? l.f[l.n - 1].at : 0, i + 1, start + far_ticks[i]);
			good = 0;
			break;
		}
	}
	ok(good, "far@%u (margin %u%s): %d timers up to %u ticks fire once, on time", start, margin,
		jumps ? ", clock jumps" : ", all real ticks", n, far_ticks[n - 1]);
	is_int(timerq_pending(q), 0, "far@%u: none pending", start);
	log_free(&l);
	timerq_release(q);
}

/* Equal expiries fire in the order added, whichever level each one was placed in. */
static void
test_fifo(uint32_t start) {
	struct timerq *q = timerq_create();
	struct log l;
	log_init(&l, q);
	timerq_test_set_time(q, start);
	const uint32_t target = 20000;	/* ticks after start */
	int session = 0;
	uint32_t now = 0;
	/* adds spread over time: early ones go to upper levels, later ones to near */
	static const uint32_t add_at[] = { 0, 0, 1, 255, 256, 3000, 16383, 16384, 16385, 19800,
		19967, 19968, 19999, 19999 };
	for (size_t i = 0; i < sizeof(add_at) / sizeof(add_at[0]); i++) {
		update(q, &l, add_at[i] - now);
		now = add_at[i];
		for (int k = 0; k < 3; k++)
			add(q, 1, ++session, target - now);
		add(q, 2, 1000 + session, target - now + 1);	/* one tick later, interleaved */
	}
	update(q, &l, target + 1 - now);
	int nfirst = session;
	int good = l.n == (size_t)nfirst + sizeof(add_at) / sizeof(add_at[0]);
	for (int i = 0; good && i < nfirst; i++)
		good = l.f[i].session == i + 1 && l.f[i].at == start + target;
	for (size_t i = nfirst; good && i < l.n; i++)
		good = l.f[i].handle == 2 && l.f[i].at == start + target + 1 &&
			(i == (size_t)nfirst || l.f[i].session > l.f[i - 1].session);
	ok(good, "fifo@%u: %d timers with one expiry fire in add order, then the next tick's",
		start, nfirst);
	log_free(&l);
	timerq_release(q);
}

/* Cancel most of many timers that share a bucket (one expiry at a level, one in near):
 * the survivors fire once each, in add order, on their tick; then the same again while
 * more are added between the cancels (a bucket may compact itself as its cancelled
 * entries pile up: cwheel.c), and cancels of the survivors after that still hit. */
static void
test_cancel_many(void) {
	struct timerq *q = timerq_create();
	struct log l;
	log_init(&l, q);
	enum { N = 3000 };
	static uint64_t id[N];
	for (int i = 0; i < N; i++)
		id[i] = add(q, 1, i, i % 2 ? 700 : 7);	/* odd: a level-1 bucket; even: near */
	int ncancel = 0;
	for (int i = 0; i < N; i++)
		if (i % 5 != 0)
			ncancel += timerq_cancel(q, id[i]);
	is_int(ncancel, N - N / 5, "cancel 4 of 5 of %d timers sharing two buckets", N);
	for (int i = 0; i < N; i++)	/* late arrivals behind the tombstones */
		if (i % 5 == 0 && i % 3 == 0)
			id[i] = add(q, 2, N + i, i % 2 ? 700 : 7);
	is_int(timerq_cancel(q, id[15]), 1, "a late arrival can be cancelled");
	update(q, &l, 701);
	int good = 1, k7 = 0, k700 = 0;
	int last7 = -1, last700 = -1;
	for (size_t i = 0; i < l.n && good; i++) {
		int s = l.f[i].session, orig = s >= N ? s - N : s;
		good = orig % 5 == 0 && s != N + 15 && l.f[i].at == (orig % 2 ? 700u : 7u);
		if (orig % 2) {
			good = good && s > last700;
			last700 = s;
			k700++;
		} else {
			good = good && s > last7;
			last7 = s;
			k7++;
		}
	}
	/* N/5 survivors plus the late arrivals (i % 15 == 0), less the one cancelled */
	int want = N / 5 + (N + 14) / 15 - 1;
	ok(good && k7 + k700 == want, "survivors and late arrivals fire once, in add order, on "
		"their tick (%d of %d)", k7 + k700, want);
	is_int(timerq_pending(q), 0, "nothing left pending");
	log_free(&l);
	timerq_release(q);
}

static struct {
	uint64_t victim;
	int cancelled;
	uint64_t self;
	int self_cancelled;
	uint64_t added;
} reent;

static void
reentrant_hook(struct log *l, const struct timer_event *ev) {
	if (ev->session == 1) {
		reent.cancelled = timerq_cancel(l->q, reent.victim);
		reent.self_cancelled = timerq_cancel(l->q, reent.self);
		reent.added = add(l->q, 5, 99, 3);
	}
}

static void
test_cancel(void) {
	struct timerq *q = timerq_create();
	struct log l;
	log_init(&l, q);
	ok(timerq_cancel(q, 0) == 0, "cancel id 0 on an empty queue: 0");
	ok(timerq_cancel(q, 0x123456789abcdefull) == 0, "cancel a made-up id: 0");
	uint64_t a = add(q, 1, 1, 10);
	uint64_t b = add(q, 1, 2, 10);
	uint64_t c = add(q, 1, 3, 300);
	uint64_t d = add(q, 1, 4, 70000);
	ok(a && b && c && d && a != b && a != c && a != d && b != c && b != d && c != d,
		"ids nonzero and distinct");
	ok(timerq_cancel(q, a ^ (1ull << 32)) == 0, "an id with another generation: 0");
	ok(timerq_cancel(q, a + (1ull << 31)) == 0, "an id with a slot never used: 0");
	is_int(timerq_pending(q), 4, "4 pending");
	is_int(timerq_cancel(q, b), 1, "cancel pending near timer: 1");
	is_int(timerq_cancel(q, b), 0, "cancel it again: 0");
	is_int(timerq_cancel(q, d), 1, "cancel pending far timer: 1");
	is_int(timerq_pending(q), 2, "2 pending");
	uint64_t e = add(q, 1, 5, 5);	/* may reuse a cancelled timer's slot */
	ok(e != b && e != d, "a new id differs from cancelled ids");
	is_int(timerq_cancel(q, b), 0, "stale id after slot reuse: 0");
	is_int(timerq_cancel(q, d), 0, "stale far id after slot reuse: 0");
	update(q, &l, 80000);
	int fired[6] = { 0 };
	for (size_t i = 0; i < l.n; i++)
		if (l.f[i].session >= 1 && l.f[i].session <= 5)
			fired[l.f[i].session]++;
	ok(fired[1] == 1 && fired[2] == 0 && fired[3] == 1 && fired[4] == 0 && fired[5] == 1 &&
		l.n == 3, "cancelled timers never fired, the others once");
	is_int(timerq_cancel(q, a), 0, "cancel a fired timer: 0");
	is_int(timerq_cancel(q, e), 0, "cancel another fired timer: 0");
	is_int(timerq_pending(q), 0, "none pending");

	/* from inside a callback: cancel a timer due the same tick, cancel the firing timer
	 * itself, add a new one */
	l.n = 0;
	l.hook = reentrant_hook;
	reent.self = add(q, 1, 1, 4);
	reent.victim = add(q, 1, 2, 4);
	add(q, 1, 3, 4);
	update(q, &l, 4);
	is_int(reent.cancelled, 1, "cancel from a callback, of a timer due this tick: 1");
	is_int(reent.self_cancelled, 0, "cancel from a callback, of the firing timer: 0");
	ok(l.n == 2 && l.f[0].session == 1 && l.f[1].session == 3, "the cancelled one did not fire");
	update(q, &l, 3);
	ok(l.n == 3 && l.f[2].session == 99 && l.f[2].at == timerq_time(q),
		"a timer added from a callback fires on time");
	is_int(timerq_cancel(q, reent.added), 0, "and its id is then stale");
	is_int(timerq_pending(q), 0, "none pending");
	log_free(&l);
	timerq_release(q);
}

static void
test_set_time_hook(void) {
	struct timerq *q = timerq_create();
	struct log l;
	log_init(&l, q);
	add(q, 1, 1, 100);
	ok(!timerq_test_set_time(q, 100), "hook refuses to skip a due timer");
	ok(!timerq_test_set_time(q, 0xffffffffu), "hook refuses a jump past it (wrapping)");
	is_int(timerq_time(q), 0, "refused jump left the clock");
	ok(timerq_test_set_time(q, 99), "hook accepts a jump short of it");
	update(q, &l, 1);
	ok(l.n == 1 && l.f[0].at == 100, "timer fires on time after the jump");
	log_free(&l);
	timerq_release(q);
}

/* Bulk: many timers, most cancelled, a burst on one tick, all fired, then as many again.
 * Large enough that an implementation's bulk paths run (compacting cancelled entries,
 * giving back a burst's memory, freeing its id tables once nothing is pending), and
 * checks what they must keep: the survivors fire once, on their tick, in add order among
 * equal expiries; no id of a fired or cancelled timer cancels anything; ids never repeat. */
#define BULK 200000
#define BULK_SPAN 3000	/* ticks: near slots and two levels */
#define BULK_BURST 20000
#define BULK_BURST_AT 2000

static int cmp_u64(const void *a, const void *b);

static uint32_t
bulk_ticks(int k) {
	return 1 + (uint32_t)((uint64_t)k * 7919 % BULK_SPAN);
}

/* the second wave: k % 4 == 0 from tick 1, the others from tick 2 */
static uint32_t
bulk_ticks2(int k) {
	return 1 + ((k & 3) != 0) + (uint32_t)(k % 7) * 300;
}

static struct {
	const uint64_t *id;	/* the first wave's */
	int from, to, cancelled;
} bulk_cb;

/* the first fire of the callback test: cancel three timers of every four */
static void
bulk_hook(struct log *l, const struct timer_event *ev) {
	(void)ev;
	if (l->n != 1)
		return;
	for (int k = bulk_cb.from; k < bulk_cb.to; k++)
		if (k & 3)
			bulk_cb.cancelled += timerq_cancel(l->q, bulk_cb.id[k]);
}

static void
test_bulk(uint32_t start) {
	struct timerq *q = timerq_create();
	struct log l;
	log_init(&l, q);
	timerq_test_set_time(q, start);
	size_t nall = 2 * BULK + BULK_BURST;
	uint64_t *id = malloc(nall * sizeof(*id)), *all = malloc(nall * sizeof(*all));
	if (id == NULL || all == NULL)
		bail_out("out of memory");
	for (int k = 0; k < BULK; k++)
		id[k] = add(q, 1, k, bulk_ticks(k));
	int good = 1;
	for (int k = 0; k < BULK; k++)
		if ((k & 3) && timerq_cancel(q, id[k]) != 1)
			good = 0;
	for (int k = 0; k < BULK; k += 5)
		if ((k & 3) && timerq_cancel(q, id[k]) != 0)
			good = 0;
	ok(good, "bulk@%u: %d of %d cancelled once, a second cancel of each answers 0", start,
		BULK - BULK / 4, BULK);
	is_int(timerq_pending(q), BULK / 4, "bulk@%u: a quarter pending", start);
	for (int j = 0; j < BULK_BURST; j++)
		id[BULK + j] = add(q, 2, BULK + j, BULK_BURST_AT);
	update(q, &l, BULK_SPAN);
	/* expected: tick by tick, the survivors due then in add order, the burst after its
	 * tick's survivors (added later, same expiry) */
	size_t f = 0;
	for (uint32_t t = 1; good && t <= BULK_SPAN; t++) {
		for (int k = 0; good && k < BULK; k += 4) {
			if (bulk_ticks(k) != t)
				continue;
			good = f < l.n && l.f[f].session == k && l.f[f].handle == 1 &&
				l.f[f].at == start + t;
			f++;
		}
		for (int j = 0; good && t == BULK_BURST_AT && j < BULK_BURST; j++, f++)
			good = f < l.n && l.f[f].session == BULK + j && l.f[f].at == start + t;
		if (!good)
			diag("bulk@%u: fire %zu (of %zu) is session %d at %u, off the expected order",
				start, f - 1, l.n, f - 1 < l.n ? l.f[f - 1].session : -1,
				f - 1 < l.n ? l.f[f - 1].at : 0);
	}
	ok(good && f == l.n, "bulk@%u: %zu fired, each once, on its tick, in add order", start, l.n);
	good = 1;
	for (int k = 0; k < BULK + BULK_BURST; k++)
		if (timerq_cancel(q, id[k]) != 0)
			good = 0;
	ok(good && timerq_pending(q) == 0, "bulk@%u: no fired or cancelled id cancels anything",
		start);

	/* as many again, after everything fired; the first fire's callback cancels three of
	 * every four, all still pending, from inside the update */
	l.n = 0;
	uint32_t base = timerq_time(q);
	for (int k = 0; k < BULK; k++)
		id[BULK + BULK_BURST + k] = add(q, 3, k, bulk_ticks2(k));
	for (int k = 0; k < BULK + BULK_BURST; k++)
		if (timerq_cancel(q, id[k]) != 0)
			good = 0;
	ok(good, "bulk@%u: old ids cancel none of the new timers", start);
	bulk_cb.id = id + BULK + BULK_BURST;
	bulk_cb.from = 0;
	bulk_cb.to = BULK;
	bulk_cb.cancelled = 0;
	l.hook = bulk_hook;
	update(q, &l, 1 + 1 + 6 * 300);
	l.hook = NULL;
	/* k % 4 == 0 fires at 1 + (k % 7) * 300, in k order within a tick; the others are due
	 * from tick 2 on, so the callback found every one pending */
	good = bulk_cb.cancelled == BULK - BULK / 4;
	size_t fired_kept = 0, late = 0;
	uint32_t last_at = 0;
	int last_k = -1;
	for (size_t i = 0; i < l.n; i++) {
		int k = l.f[i].session;
		if (k & 3) {
			late++;
			continue;
		}
		uint32_t want = base + bulk_ticks2(k);
		if (l.f[i].at != want || (l.f[i].at == last_at && k <= last_k))
			good = 0;
		last_at = l.f[i].at;
		last_k = k;
		fired_kept++;
	}
	if (!good || fired_kept != BULK / 4 || late || timerq_pending(q))
		diag("bulk@%u: %d cancelled from the callback, %zu kept and %zu cancelled fired, %zu pending",
			start, bulk_cb.cancelled, fired_kept, late, timerq_pending(q));
	ok(good && fired_kept == BULK / 4 && late == 0 && timerq_pending(q) == 0,
		"bulk@%u: a callback cancels %d timers mid-update; the rest fire once, in order",
		start, bulk_cb.cancelled);
	memcpy(all, id, nall * sizeof(*id));
	qsort(all, nall, sizeof(*all), cmp_u64);
	good = 1;
	for (size_t i = 1; i < nall; i++)
		if (all[i] == all[i - 1] || all[i] == 0)
			good = 0;
	ok(good && all[0] != 0, "bulk@%u: %zu ids, all distinct and nonzero", start, nall);
	free(id);
	free(all);
	log_free(&l);
	timerq_release(q);
}

/* Many timers at many levels are freed by release without firing (leaks show under ASan). */
static void
test_release(void) {
	struct timerq *q = timerq_create();
	uint32_t x = 12345;
	for (int i = 0; i < 5000; i++) {
		x = x * 1103515245u + 12345u;
		add(q, 1, i, 1 + (x >> (i % 30)) % 0x7fffffffu);
	}
	uint64_t id = add(q, 1, -1, 77);
	is_int(timerq_pending(q), 5001, "release: 5001 pending");
	is_int(timerq_cancel(q, id), 1, "release: one cancelled");
	struct log l;
	log_init(&l, q);
	update(q, &l, 100);
	is_int(timerq_pending(q) + l.n, 5000, "release: pending + fired = added - cancelled");
	log_free(&l);
	timerq_release(q);
	ok(1, "release with %d pending returned (ASan checks nothing leaked)", 5000 - (int)l.n);
}

/* ---- random schedules against a reference model ---- */

struct mtimer {
	uint64_t expire;	/* absolute, 64-bit: the model never wraps */
	uint64_t seq;
	uint64_t id;
	int session;
};

struct model {
	struct mtimer *t;	/* sorted by (expire, seq) */
	size_t n, cap;
	uint64_t now;
	uint64_t seq;
};

static void
model_add(struct model *m, uint64_t id, int session, uint32_t ticks) {
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->t = realloc(m->t, m->cap * sizeof(*m->t));
		if (m->t == NULL)
			bail_out("out of memory");
	}
	struct mtimer t = { m->now + ticks, m->seq++, id, session };
	size_t i = m->n;
	while (i > 0 && m->t[i - 1].expire > t.expire)	/* equal expiry: after, FIFO */
		--i;
	memmove(&m->t[i + 1], &m->t[i], (m->n - i) * sizeof(*m->t));
	m->t[i] = t;
	m->n++;
}

static int
model_cancel(struct model *m, uint64_t id) {
	for (size_t i = 0; i < m->n; i++)
		if (m->t[i].id == id) {
			memmove(&m->t[i], &m->t[i + 1], (m->n - i - 1) * sizeof(*m->t));
			m->n--;
			return 1;
		}
	return 0;
}

struct rng {
	uint64_t s;
};

static uint64_t
rnd(struct rng *r) {	/* splitmix64 */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t
rnd_ticks(struct rng *r) {
	uint64_t x = rnd(r);
	switch (x & 7) {
	case 0: case 1: case 2: return 1 + (uint32_t)(x >> 8) % 16;	/* same-tick bursts */
	case 3: return 1 + (uint32_t)(x >> 8) % 300;
	case 4: return 1 + (uint32_t)(x >> 8) % 20000;
	case 5: return 1 + (uint32_t)(x >> 8) % (1u << 21);
	case 6: return 1 + (uint32_t)(x >> 8) % (1u << 27);
	default: return 1 + (uint32_t)(x >> 8) % 0x7fffffffu;	/* up to INT32_MAX */
	}
}

/* One schedule: returns 1 if the queue agreed with the model at every step. */
static int
run_schedule(uint64_t seed, int steps, uint64_t **ids, size_t *nids, size_t *capids) {
	struct rng r = { seed };
	struct timerq *q = timerq_create();
	struct log l;
	log_init(&l, q);
	struct model m = { 0 };
	uint32_t start;
	switch (rnd(&r) % 3) {
	case 0: start = 0; break;
	case 1: start = 0xffffffffu - (uint32_t)(rnd(&r) % 70000); break;	/* wrap soon */
	default: start = (uint32_t)rnd(&r); break;
	}
	timerq_test_set_time(q, start);
	int session = 0, good = 1;
	uint64_t dead[64];	/* recently fired or cancelled ids */
	unsigned ndead = 0;
	for (int step = 0; step < steps && good; step++) {
		uint64_t x = rnd(&r) % 100;
		if (x < 45) {	/* add */
			uint32_t ticks = rnd_ticks(&r);
			uint64_t id = add(q, (uint32_t)seed, ++session, ticks);
			if (id == 0) {
				diag("seed %llu: add returned id 0", (unsigned long long)seed);
				good = 0;
			}
			model_add(&m, id, session, ticks);
			if (*nids == *capids) {
				*capids = *capids ? *capids * 2 : 1024;
				*ids = realloc(*ids, *capids * sizeof(**ids));
				if (*ids == NULL)
					bail_out("out of memory");
			}
			(*ids)[(*nids)++] = id;
		} else if (x < 60) {	/* cancel a pending, a dead or a made-up id */
			uint64_t id;
			uint64_t y = rnd(&r);
			if (m.n && (y & 3) < 2)
				id = m.t[(y >> 8) % m.n].id;
			else if (ndead && (y & 3) == 2)
				id = dead[(y >> 8) % (ndead < 64 ? ndead : 64)];
			else
				id = rnd(&r) >> (y & 63);
			int want = model_cancel(&m, id);
			int got = timerq_cancel(q, id);
			if (got != want) {
				diag("seed %llu step %d: cancel(%#llx) = %d, model says %d",
					(unsigned long long)seed, step, (unsigned long long)id, got, want);
				good = 0;
			}
			if (got)
				dead[ndead++ % 64] = id;
		} else if (x < 97 || m.n == 0) {	/* run some ticks */
			uint64_t y = rnd(&r);
			unsigned n = (y & 3) ? 1 + (y >> 8) % 4 : 1 + (y >> 8) % 400;
			for (unsigned k = 0; k < n && good; k++) {
				l.n = 0;
				timerq_update(q, on_fire, &l);
				m.now++;
				size_t due = 0;
				while (due < m.n && m.t[due].expire <= m.now)
					due++;
				if (l.n != due) {
					diag("seed %llu step %d tick %llu: %zu fired, model says %zu",
						(unsigned long long)seed, step, (unsigned long long)m.now, l.n, due);
					good = 0;
				}
				for (size_t i = 0; good && i < due; i++)
					if (l.f[i].session != m.t[i].session || l.f[i].at != (uint32_t)(start + m.now)
						|| l.f[i].handle != (uint32_t)seed) {
						diag("seed %llu tick %llu: fire %zu was session %d at %u, model says %d at %u",
							(unsigned long long)seed, (unsigned long long)m.now, i,
							l.f[i].session, l.f[i].at, m.t[i].session,
							(uint32_t)(start + m.now));
						good = 0;
					}
				for (size_t i = 0; i < due; i++)
					dead[ndead++ % 64] = m.t[i].id;
				if (due) {
					memmove(m.t, m.t + due, (m.n - due) * sizeof(*m.t));
					m.n -= due;
				}
			}
		} else {	/* jump the clock to shortly before the earliest pending */
			uint64_t gap = m.t[0].expire - m.now;
			uint64_t back = 1 + rnd(&r) % 70000;
			if (gap > back) {
				m.now += gap - back;
				if (!timerq_test_set_time(q, start + (uint32_t)m.now)) {
					diag("seed %llu step %d: jump refused", (unsigned long long)seed, step);
					good = 0;
				}
			}
		}
		if (good && timerq_pending(q) != m.n) {
			diag("seed %llu step %d: %zu pending, model says %zu", (unsigned long long)seed,
				step, timerq_pending(q), m.n);
			good = 0;
		}
		if (good && timerq_time(q) != (uint32_t)(start + m.now)) {
			diag("seed %llu step %d: clock %u, model says %u", (unsigned long long)seed, step,
				timerq_time(q), (uint32_t)(start + m.now));
			good = 0;
		}
	}
	free(m.t);
	log_free(&l);
	timerq_release(q);	/* with whatever is still pending */
	return good;
}

static int
cmp_u64(const void *a, const void *b) {
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void
test_random(int seeds, int steps) {
	int bad = 0;
	uint64_t *ids = NULL;
	size_t nids = 0, capids = 0;
	for (int s = 1; s <= seeds; s++) {
		nids = 0;
		if (!run_schedule((uint64_t)s, steps, &ids, &nids, &capids)) {
			if (++bad <= 3)
				diag("schedule with seed %d disagrees with the model", s);
		}
		qsort(ids, nids, sizeof(*ids), cmp_u64);
		for (size_t i = 1; i < nids; i++)
			if (ids[i] == ids[i - 1]) {
				if (++bad <= 3)
					diag("seed %d: id %#llx returned twice", s, (unsigned long long)ids[i]);
				break;
			}
	}
	free(ids);
	is_int(bad, 0, "%d random schedules of %d steps (adds, cancels, ticks, jumps, wrap) "
		"match the model; ids never repeat", seeds, steps);
}

int
main(void) {
	diag("timer variant: %s%s", timerq_variant, TAP_SANITIZED ? " (sanitizer build, scaled down)" :
	    tap_under_valgrind() ? " (under valgrind, scaled down)" : "");
	{
		struct timerq *q = timerq_create();
		is_int(timerq_time(q), 0, "a new queue's clock is 0");
		is_int(timerq_pending(q), 0, "a new queue has nothing pending");
		timerq_release(q);
	}
	test_set_time_hook();
	test_exact(0);
	test_exact(12345);
	test_exact(0xffffffffu - 300);			/* short ones cross the wrap */
	test_exact(0xffffffffu - (1u << 14));		/* 2^14 ones cross it */
	test_exact(0u - (1u << 20) + 77);		/* 2^20 ones cross it: t[3][0] cascade */
	test_fifo(0);
	test_fifo(0xffffffffu - 10000);			/* the shared expiry is past the wrap */
	test_cancel();
	test_cancel_many();
	test_far(0, 70000, 1);
	test_far(0xffffffffu - 3, 70000, 1);		/* every far one crosses the wrap */
	test_far(0x9abcdef0u, 300, 1);
	if (tap_under_valgrind())	/* 67M updates: minutes under valgrind */
		skip("2^26 +- 1 ticks with 67M real updates: too slow under valgrind, checked in plain and sanitizer builds");
	else
		test_far(0, 0, 0);			/* 2^26 +- 1 with 67M real updates */
	test_release();
	test_bulk(0);
	test_bulk(0xffffffffu - 1000);	/* the burst and the second wave cross the wrap */
	int slow = TAP_SANITIZED || tap_under_valgrind();
	test_random(slow ? 150 : 600, slow ? 2000 : 4000);
	return done_testing();
}
