/* skybench-test: part handle */
/* Part test for the handle table (every variants/handle/ implementation): any variant, through handle.h only.
 * The runtime functions the table may call (runtime_services.h), and skynet_context_handle,
 * are faked here over a fake context that counts its references, deliveries and
 * destruction; a destroyed context is poisoned and parked (ASan-poisoned too) rather than
 * freed, so that any later use is caught: by the poison check in a plain build, by ASan at
 * the access itself.
 *
 * Deferred designs (rcu, urcu) drop the table's reference after a grace period, so checks
 * that a retired context is gone first settle: call skynet_handle_thread_quiescent() and
 * sleep briefly until the expected state is reached or a deadline passes. */

#include <pthread.h>
#include <stddef.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "handle.h"
#include "skynet_mq.h"

#if TAP_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, sz) ASAN_POISON_MEMORY_REGION(p, sz)
#else
#define POISON(p, sz) ((void)(p), (void)(sz))
#endif

#define HARBOR 3
#define HB ((uint32_t)HARBOR << HANDLE_REMOTE_SHIFT)

/* ---- the fake context and the runtime functions the table calls ---- */

#define CTX_MAGIC 0x5ca1ab1eu
#define CTX_DEAD 0xdeadbeefu

struct skynet_context {
	atomic_uint magic;
	_Atomic uint32_t handle;	/* set after register returns, as the runtime does */
	atomic_int ref;
	atomic_int destroyed;
	atomic_int delivered;
	int reap;			/* free at once when destroyed (no graveyard) */
	uint32_t retire_on_destroy;	/* destruction re-enters the table: retire this */
	struct skynet_context * next_dead;
};

static atomic_long n_created, n_destroyed, n_delivered, n_errors;
static pthread_mutex_t grave_lock = PTHREAD_MUTEX_INITIALIZER;
static struct skynet_context * graveyard;

static void
error(const char *what, struct skynet_context *ctx) {
	if (atomic_fetch_add(&n_errors, 1) < 10)
		diag("ERROR: %s (context %p)", what, (void *)ctx);
}

static void
check_live(struct skynet_context *ctx, const char *op) {
	if (atomic_load(&ctx->magic) != CTX_MAGIC)
		error(op, ctx);
}

static struct skynet_context *
ctx_new(void) {
	struct skynet_context * ctx = calloc(1, sizeof(*ctx));
	atomic_init(&ctx->magic, CTX_MAGIC);
	atomic_init(&ctx->ref, 1);	/* the table's reference, as after the runtime's init */
	atomic_fetch_add(&n_created, 1);
	return ctx;
}

uint32_t
skynet_context_handle(struct skynet_context *ctx) {
	check_live(ctx, "handle of a destroyed context");
	return atomic_load(&ctx->handle);
}

void
skynet_context_grab(struct skynet_context *ctx) {
	check_live(ctx, "grab of a destroyed context");
	if (atomic_fetch_add(&ctx->ref, 1) <= 0)
		error("grab of a context whose references were all dropped", ctx);
}

struct skynet_context *
skynet_context_release(struct skynet_context *ctx) {
	check_live(ctx, "release of a destroyed context");
	int ref = atomic_fetch_sub(&ctx->ref, 1) - 1;
	if (ref < 0)
		error("reference count below zero", ctx);
	if (ref != 0)
		return ctx;
	if (atomic_fetch_add(&ctx->destroyed, 1) != 0)
		error("context destroyed twice", ctx);
	atomic_fetch_add(&n_destroyed, 1);
	if (ctx->retire_on_destroy)
		skynet_handle_retire(ctx->retire_on_destroy);
	if (ctx->reap) {
		free(ctx);
		return NULL;
	}
	atomic_store(&ctx->magic, CTX_DEAD);
	pthread_mutex_lock(&grave_lock);
	ctx->next_dead = graveyard;
	graveyard = ctx;
	pthread_mutex_unlock(&grave_lock);
	/* everything but the link: any later touch of the context is an ASan report */
	POISON(ctx, offsetof(struct skynet_context, next_dead));
	return NULL;
}

void
skynet_context_deliver(struct skynet_context *ctx, struct skynet_message *msg) {
	check_live(ctx, "delivery to a destroyed context");
	if (atomic_load(&ctx->ref) <= 0)
		error("delivery to a context with no reference left", ctx);
	if (msg->source != atomic_load(&ctx->handle))
		error("message delivered to the wrong context", ctx);
	atomic_fetch_add(&ctx->delivered, 1);
	atomic_fetch_add(&n_delivered, 1);
}

static void
graveyard_free(void) {
	pthread_mutex_lock(&grave_lock);
	while (graveyard) {
		struct skynet_context * ctx = graveyard;
		graveyard = ctx->next_dead;
#if TAP_ASAN
		ASAN_UNPOISON_MEMORY_REGION(ctx, sizeof(*ctx));
#endif
		free(ctx);
	}
	pthread_mutex_unlock(&grave_lock);
}

static void
counters_reset(void) {
	atomic_store(&n_created, 0);
	atomic_store(&n_destroyed, 0);
	atomic_store(&n_delivered, 0);
}

/* register the way the runtime does: the handle field is set after register returns */
static uint32_t
reg(struct skynet_context *ctx) {
	uint32_t h = skynet_handle_register(ctx);
	atomic_store(&ctx->handle, h);
	return h;
}

static double
now_s(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* let deferred releases happen: true once destroyed reaches want (5 s at most) */
static int
settle_destroyed(long want) {
	double deadline = now_s() + 5;
	for (;;) {
		skynet_handle_thread_quiescent();
		if (atomic_load(&n_destroyed) >= want)
			return atomic_load(&n_destroyed) == want;
		if (now_s() > deadline)
			return 0;
		usleep(500);
	}
}

/* ---- single-threaded behaviour ---- */

static void
test_basics(void) {
	counters_reset();
	skynet_handle_init(HARBOR);
	struct skynet_context * a = ctx_new(), * b = ctx_new();
	uint32_t ha = reg(a), hb = reg(b);
	is_int(ha, HB | 1, "first handle is id 1 with the harbor bits");
	is_int(hb, HB | 2, "second handle is id 2");

	struct skynet_context * g = skynet_handle_grab(ha);
	ok(g == a, "grab finds the context");
	is_int(atomic_load(&a->ref), 2, "grab adds one reference");
	skynet_context_release(g);
	ok(skynet_handle_grab(ha & HANDLE_MASK) == NULL, "grab without the harbor bits: NULL");
	ok(skynet_handle_grab(ha ^ (1u << HANDLE_REMOTE_SHIFT)) == NULL, "grab with another harbor: NULL");
	ok(skynet_handle_grab(0) == NULL, "grab of handle 0: NULL");
	ok(skynet_handle_grab(HB | 1000) == NULL, "grab of a never-registered id: NULL");
	ok(skynet_handle_grab(HB | 5) == NULL, "grab of an id that shares a slot with nothing: NULL");

	struct skynet_message m = { .source = ha };
	is_int(skynet_handle_push(ha, &m), 0, "push to a live handle: 0");
	is_int(atomic_load(&a->delivered), 1, "push delivered once");
	is_int(atomic_load(&a->ref), 1, "push leaves the reference count as it was");
	is_int(skynet_handle_push(HB | 77, &m), -1, "push to an unknown handle: -1");

	is_int(skynet_handle_retire(ha), 1, "retire: 1");
	is_int(skynet_handle_retire(ha), 0, "retire again: 0");
	is_int(skynet_handle_retire(HB | 999), 0, "retire of an unknown handle: 0");
	ok(settle_destroyed(1), "the table's reference is dropped once: a destroyed, b alive");
	ok(skynet_handle_grab(ha) == NULL, "grab after retire: NULL");
	is_int(skynet_handle_push(ha, &m), -1, "push after retire: -1");
	g = skynet_handle_grab(hb);
	ok(g == b, "the other handle is still there");
	skynet_context_release(g);

	/* held references keep a retired context alive; the last release destroys it */
	skynet_context_grab(b);
	skynet_context_grab(b);
	skynet_handle_retire(hb);
	skynet_handle_thread_quiescent();
	usleep(2000);
	skynet_handle_thread_quiescent();
	ok(atomic_load(&b->destroyed) == 0, "retired context with 2 references held is not destroyed");
	skynet_context_release(b);
	skynet_context_release(b);
	ok(settle_destroyed(2), "last release after retire destroys it, exactly once");
	skynet_handle_exit();
	is_int(atomic_load(&n_destroyed), 2, "exit destroys nothing more");
	graveyard_free();
}

static void
test_ids_and_growth(void) {
	counters_reset();
	skynet_handle_init(HARBOR);
	enum { N = 3000 };
	static uint32_t h[N];
	static struct skynet_context * c[N];
	int i, mono = 1, reach = 1, fresh = 1;
	for (i = 0; i < N; i++) {
		c[i] = ctx_new();
		h[i] = reg(c[i]);
		if (i > 0 && (h[i] & HANDLE_MASK) <= (h[i-1] & HANDLE_MASK))
			mono = 0;
		if ((h[i] & ~HANDLE_MASK) != HB)
			mono = 0;
		if (i < 20 || i % 97 == 0) {
			/* everything registered so far is still reachable after each growth */
			int j;
			for (j = 0; j <= i; j++) {
				struct skynet_context * g = skynet_handle_grab(h[j]);
				if (g != c[j])
					reach = 0;
				if (g)
					skynet_context_release(g);
			}
		}
	}
	ok(mono, "ids increase with every register and keep the harbor bits");
	ok(reach, "every handle stays reachable across %d doublings", 10);
	/* retire every other one, register more: no id comes back before the wrap */
	for (i = 0; i < N; i += 2)
		skynet_handle_retire(h[i]);
	uint32_t last = h[N-1] & HANDLE_MASK;
	for (i = 0; i < N; i += 2) {
		c[i] = ctx_new();
		h[i] = reg(c[i]);
		if ((h[i] & HANDLE_MASK) <= last)
			fresh = 0;
		last = h[i] & HANDLE_MASK;
	}
	ok(fresh, "retired ids are not reused: new ids keep increasing");
	reach = 1;
	for (i = 0; i < N; i++) {
		struct skynet_context * g = skynet_handle_grab(h[i]);
		if (g != c[i])
			reach = 0;
		if (g)
			skynet_context_release(g);
	}
	ok(reach, "all %d live handles reachable after retire and re-register", N);
	skynet_handle_retireall();
	ok(settle_destroyed(N + N / 2), "retire-all destroys every context exactly once (%d)", N + N / 2);
	for (i = 0; i < N; i++)
		if (skynet_handle_grab(h[i]))
			break;
	ok(i == N, "no handle reachable after retire-all");
	skynet_handle_exit();
	graveyard_free();
}

/* registering over and over wraps the 24-bit counter. The 4-slot table never fills: id 1
 * stays held in slot 1, so every id landing there is skipped (ids 5, 9, ...), and after the
 * wrap 0 is reserved and 1 is held: the first id after the wrap is 2. */
static void
test_wrap(void) {
	if (TAP_SANITIZED || tap_under_valgrind()) {
		skip("id wrap (~2^24 register/retire pairs): too slow under sanitizers and valgrind, checked in plain builds");
		return;
	}
	counters_reset();
	skynet_handle_init(HARBOR);
	struct skynet_context * keep = ctx_new(), * c;
	uint32_t hk = reg(keep), h, prev = hk;
	double t0 = now_s();
	long n = 0;
	int steps = 1;
	for (;; n++) {
		c = ctx_new();
		c->reap = 1;
		h = reg(c);
		if ((h & HANDLE_MASK) < (prev & HANDLE_MASK))
			break;
		uint32_t want = prev + 1;
		if ((want & 3) == 1)
			want++;
		if (h != want)
			steps = 0;
		prev = h;
		skynet_handle_retire(h);
		if ((n & 1023) == 0)
			skynet_handle_thread_quiescent();
	}
	ok(steps, "ids step by one, skipping only those whose slot is held (%ld ids)", n);
	is_int(prev, HB | HANDLE_MASK, "the last id before the wrap is HANDLE_MASK");
	is_int(h, HB | 2, "after the wrap 0 is reserved and the held 1 skipped: 2");
	struct skynet_context * g = skynet_handle_grab(hk);
	ok(g == keep, "the held id 1 still finds its context");
	if (g)
		skynet_context_release(g);
	diag("%ld register/retire pairs in %.2f s", n, now_s() - t0);
	skynet_handle_retire(h);
	skynet_handle_retire(hk);
	ok(settle_destroyed(n + 2), "every wrap-test context destroyed once");
	skynet_handle_exit();
	graveyard_free();
}

static void
test_names(void) {
	counters_reset();
	skynet_handle_init(HARBOR);
	struct skynet_context * a = ctx_new(), * b = ctx_new();
	uint32_t ha = reg(a), hb = reg(b);
	char buf[32];
	strcpy(buf, "gate");
	const char * r = skynet_handle_namehandle(ha, buf);
	ok(r && strcmp(r, "gate") == 0 && r != buf, "namehandle returns the table's copy of the name");
	ok(skynet_handle_namehandle(hb, "gate") == NULL, "a taken name is refused");
	is_int(skynet_handle_findname("gate"), ha, "the refused name still maps to its owner");
	ok(skynet_handle_namehandle(hb, "agent") != NULL, "a second service takes another name");
	/* many names per service, inserted out of order, through the array's doublings */
	int i, found = 1;
	for (i = 0; i < 200; i++) {
		snprintf(buf, sizeof(buf), "n%03d", (i * 37) % 200);
		if (!skynet_handle_namehandle(i % 2 ? ha : hb, buf))
			found = 0;
	}
	ok(found, "200 more names accepted");
	for (i = 0; i < 200; i++) {
		snprintf(buf, sizeof(buf), "n%03d", (i * 37) % 200);
		if (skynet_handle_findname(buf) != (i % 2 ? ha : hb))
			found = 0;
	}
	ok(found, "each of them maps to its owner");
	is_int(skynet_handle_findname("nope"), 0, "unknown name: 0");
	is_int(skynet_handle_findname(""), 0, "empty name: 0");
	is_int(skynet_handle_findname("n"), 0, "a prefix of a name: 0");
	skynet_handle_retire(ha);
	is_int(skynet_handle_findname("gate"), 0, "a retired service's names are gone");
	found = 1;
	for (i = 0; i < 200; i++) {
		snprintf(buf, sizeof(buf), "n%03d", (i * 37) % 200);
		if (skynet_handle_findname(buf) != (i % 2 ? 0 : hb))
			found = 0;
	}
	ok(found, "only the retired service's names went, the others stay sorted and findable");
	is_int(skynet_handle_findname("agent"), hb, "the other service keeps its name");
	ok(skynet_handle_namehandle(hb, "gate") != NULL, "a freed name can be taken again");
	is_int(skynet_handle_findname("gate"), hb, "and maps to its new owner");
	skynet_handle_retireall();
	is_int(skynet_handle_findname("agent"), 0, "retire-all drops every name");
	ok(settle_destroyed(2), "both destroyed");
	skynet_handle_exit();
	graveyard_free();
}

/* the release that destroys a context may call back into the table (skynet releases after
 * unlocking for this reason) */
static void
test_reentrant_release(void) {
	counters_reset();
	skynet_handle_init(HARBOR);
	struct skynet_context * a = ctx_new(), * b = ctx_new(), * c = ctx_new();
	uint32_t ha = reg(a), hb = reg(b), hc = reg(c);
	skynet_handle_namehandle(hc, "c");
	a->retire_on_destroy = hb;
	b->retire_on_destroy = hc;
	skynet_handle_retire(ha);
	ok(settle_destroyed(3), "destroying a retires b, destroying b retires c: no deadlock");
	is_int(skynet_handle_findname("c"), 0, "c's name went with it");
	skynet_handle_exit();
	graveyard_free();
}

/* A worker's batch: dispatch_begin keeps the context alive until dispatch_end, whatever
 * retires meanwhile, and inside it (where callbacks run) every table operation returns:
 * none waits for a grace period, which under an RCU table would wait for this very batch.
 * A hang here is a failure (the alarm set in main ends the test). */
static void
test_dispatch(void) {
	counters_reset();
	int rcu = strcmp(skynet_handle_variant, "rcu") == 0 || strcmp(skynet_handle_variant, "urcu") == 0;
	skynet_handle_init(HARBOR);
	struct skynet_context * a = ctx_new();
	uint32_t ha = reg(a);
	ok(skynet_handle_dispatch_begin(HB | 999) == NULL, "dispatch_begin of an unknown handle: NULL");
	struct skynet_context * d = skynet_handle_dispatch_begin(ha);
	ok(d == a, "dispatch_begin of a live handle: its context");
	is_int(atomic_load(&a->ref), rcu ? 1 : 2, "dispatch_begin: %s", rcu ? "no reference taken (the section protects)" : "a reference, as skynet");
	/* what callbacks do: launch (with table growth), name, send, look up, kill, exit */
	struct skynet_context * b[8];
	uint32_t hb[8];
	int i;
	for (i = 0; i < 8; i++)
		hb[i] = reg(b[i] = ctx_new());
	ok(skynet_handle_namehandle(hb[0], "inside") != NULL, "inside a batch: name");
	struct skynet_message m = { .source = hb[1] };
	is_int(skynet_handle_push(hb[1], &m), 0, "inside a batch: push");
	struct skynet_context * g = skynet_handle_grab(hb[2]);
	ok(g == b[2], "inside a batch: grab");
	if (g)
		skynet_context_release(g);
	for (i = 0; i < 8; i++)
		skynet_handle_retire(hb[i]);
	is_int(skynet_handle_retire(ha), 1, "inside a batch: the batch's own context retires (EXIT)");
	skynet_handle_retireall();
	ok(skynet_handle_dispatch_begin(ha) == NULL, "a retired context is no longer found");
	int k;
	for (k = 0; k < 20; k++) {
		skynet_handle_thread_quiescent();
		usleep(1000);
	}
	ok(atomic_load(&a->destroyed) == 0 && atomic_load(&a->magic) == CTX_MAGIC,
		"retired during the batch: alive until dispatch_end");
	struct handle_held held;
	skynet_handle_held(&held);
	if (rcu)
		ok(held.contexts == 9 && held.records >= 9 && held.bytes > 0,
			"RCU: the batch holds what retired meanwhile (%ld records, %ld contexts, %ld bytes)",
			held.records, held.contexts, held.bytes);
	else
		ok(held.contexts == 0 && held.records == 0 && held.bytes == 0, "locked table: nothing held");
	skynet_handle_dispatch_end(d);
	ok(settle_destroyed(9), "after dispatch_end every retired context is destroyed once");
	skynet_handle_held(&held);
	ok(held.contexts == 0 && held.records == 0 && held.bytes == 0,
		"then nothing is held (%ld records, %ld contexts, %ld bytes)", held.records, held.contexts, held.bytes);
	skynet_handle_exit();
	graveyard_free();
}

/* ---- concurrency ---- */

#define POOL 64
static _Atomic uint32_t pool[POOL];
static atomic_long n_push_ok, n_stable_miss, n_wrong;
static uint32_t stable_h[16];
static struct skynet_context * stable_c[16];

static uint32_t
rnd(uint64_t *s) {
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static void
name_of(uint32_t h, char *buf) {
	snprintf(buf, 16, "s%x", h);
}

static _Thread_local unsigned hook_calls;

static void
yield_hook(enum handle_hook_point p) {
	(void)p;
	if ((++hook_calls & 31) == 0)
		sched_yield();
}

struct storm_arg {
	int id;
	long iters;
	int announce;	/* calls thread_start/stop, like a runtime thread */
};

static void *
storm_thread(void *ud) {
	struct storm_arg * a = ud;
	uint64_t seed = 0x9e3779b97f4a7c15ull * (a->id + 1);
	char buf[16];
	long i;
	if (a->announce)
		skynet_handle_thread_start();
	for (i = 0; i < a->iters; i++) {
		uint32_t r = rnd(&seed) % 100, slot = rnd(&seed) % POOL, h;
		if (r < 8) {
			struct skynet_context * ctx = ctx_new();
			h = reg(ctx);
			if (r < 4) {
				name_of(h, buf);
				if (!skynet_handle_namehandle(h, buf))
					error("fresh name refused", ctx);
			}
			h = atomic_exchange(&pool[slot], h);
			if (h && skynet_handle_retire(h) != 1)
				error("retire of a pooled handle failed", NULL);
		} else if (r < 12) {
			h = atomic_exchange(&pool[slot], 0);
			if (h) {
				if (skynet_handle_retire(h) != 1)
					error("retire of a pooled handle failed", NULL);
				if (skynet_handle_retire(h) != 0)
					error("second retire succeeded", NULL);
			}
		} else if (r < 45) {
			h = atomic_load(&pool[slot]);
			struct skynet_context * ctx = skynet_handle_grab(h ? h : HB | (rnd(&seed) & 0xfff));
			if (ctx) {
				if (h && skynet_context_handle(ctx) != h)
					atomic_fetch_add(&n_wrong, 1);
				skynet_context_release(ctx);
			}
		} else if (r < 80) {
			h = atomic_load(&pool[slot]);
			if (h) {
				struct skynet_message m = { .source = h };
				if (skynet_handle_push(h, &m) == 0)
					atomic_fetch_add(&n_push_ok, 1);
			}
		} else if (r < 88) {
			h = atomic_load(&pool[slot]);
			if (h) {
				name_of(h, buf);
				uint32_t f = skynet_handle_findname(buf);
				if (f != 0 && f != h)
					atomic_fetch_add(&n_wrong, 1);
			}
		} else if (r < 96) {
			/* stable services: never retired during the storm, so never missed */
			int k = rnd(&seed) % 16;
			struct skynet_context * ctx = skynet_handle_grab(stable_h[k]);
			if (ctx != stable_c[k])
				atomic_fetch_add(&n_stable_miss, 1);
			if (ctx)
				skynet_context_release(ctx);
		} else if (r < 99) {
			skynet_handle_thread_quiescent();
		} else {
			skynet_handle_thread_offline();
			sched_yield();
			skynet_handle_thread_online();
		}
	}
	if (a->announce)
		skynet_handle_thread_stop();
	return NULL;
}

/* one thread registers thousands of services (the slot array doubles again and again)
 * while the storm threads run */
static void *
grower_thread(void *ud) {
	long n = *(long *)ud, i;
	skynet_handle_thread_start();
	for (i = 0; i < n; i++) {
		struct skynet_context * ctx = ctx_new();
		reg(ctx);
		if (i % 64 == 0)
			skynet_handle_thread_quiescent();
	}
	skynet_handle_thread_stop();
	return NULL;
}

static void
test_storm(int nthreads, long iters, long grow) {
	counters_reset();
	atomic_store(&n_push_ok, 0);
	atomic_store(&n_stable_miss, 0);
	atomic_store(&n_wrong, 0);
	atomic_store(&n_errors, 0);
	skynet_handle_init(HARBOR);
	int i;
	for (i = 0; i < POOL; i++)
		atomic_store(&pool[i], 0);
	for (i = 0; i < 16; i++) {
		stable_c[i] = ctx_new();
		stable_h[i] = reg(stable_c[i]);
	}
	pthread_t t[8], g;
	struct storm_arg args[8];
	for (i = 0; i < nthreads; i++) {
		args[i] = (struct storm_arg){ i, iters, i % 2 == 0 };
		pthread_create(&t[i], NULL, storm_thread, &args[i]);
	}
	if (grow)
		pthread_create(&g, NULL, grower_thread, &grow);
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	if (grow)
		pthread_join(g, NULL);
	is_int(atomic_load(&n_stable_miss), 0, "storm x%d: a live handle is never missed (%ld growth registers)", nthreads, grow);
	is_int(atomic_load(&n_wrong), 0, "storm x%d: grab and findname never return another service", nthreads);
	is_int(atomic_load(&n_delivered), atomic_load(&n_push_ok), "storm x%d: every successful push delivered exactly once (%ld)", nthreads, atomic_load(&n_push_ok));
	skynet_handle_retireall();
	long created = atomic_load(&n_created);
	ok(settle_destroyed(created), "storm x%d: after retire-all, all %ld contexts destroyed exactly once", nthreads, created);
	skynet_handle_exit();
	is_int(atomic_load(&n_destroyed), created, "storm x%d: exit leaves nothing behind", nthreads);
	is_int(atomic_load(&n_errors), 0, "storm x%d: no use of a destroyed context, no double destroy, no lost reference", nthreads);
	graveyard_free();
}

int
main(void) {
	diag("handle variant: %s%s", skynet_handle_variant, TAP_SANITIZED ? " (sanitized build)" :
	    tap_under_valgrind() ? " (under valgrind: storms / 8)" : "");
	test_basics();
	test_ids_and_growth();
	test_names();
	test_reentrant_release();
	test_wrap();
	alarm(120);	/* test_dispatch hangs if an operation waits for a grace period */
	test_dispatch();
	alarm(0);
	long scale = tap_under_valgrind() ? 8 : TAP_SANITIZED ? 4 : 1;
	test_storm(2, 200000 / scale, 0);
	test_storm(4, 100000 / scale, 20000 / scale);
	/* again with the table yielding inside its race windows (part tests link the parts
	 * built with SKYBENCH_TEST_HOOKS) */
	TEST_HOOK_SET(handle, yield_hook);
	test_storm(3, 60000 / scale, 5000 / scale);
	TEST_HOOK_SET(handle, NULL);
	is_int(atomic_load(&n_errors), 0, "no fake-context errors over the whole run");
	return done_testing();
}
