/* skybench-test: partless */
/* Litmus-style stress tests of the memory orderings the lock-free handle tables rely on,
 * each a copy of the code's accesses with the code's own orders (the functions named below):
 *
 *  SB   (store buffering) brlock.c table_rlock/table_wlock: reader stores active=1 then
 *       loads write; writer sets write then loads active; all seq_cst. Forbidden: both
 *       loads see 0 (both would enter). x86 does reorder a store with a later load, so this
 *       one can fail on x86 too if the orders were weakened (the control below shows it).
 *  MP   (message passing) handle_rcu.h grow_slots/slot_lookup: a new slot array is filled
 *       (relaxed stores there, plain ones here), then published by a release store; readers acquire-load the
 *       pointer and read the contents. Forbidden: a reader sees the pointer but stale
 *       contents. Under ThreadSanitizer a missing release/acquire is a reported race.
 *  PAIR handle_rcu.h register/retire/slot_lookup: a slot's {ctx, handle} pair is stored
 *       handle then ctx (release both); a reader loads ctx (acquire), handle (acquire),
 *       ctx again (relaxed). Forbidden: equal ctx loads with a handle that is not ctx's.
 *
 * MP and PAIR can only fail on weakly ordered hardware (ARM64, POWER) or under a compiler
 * that reorders: on x86, and under qemu-aarch64 on an x86 host (which keeps x86's ordering),
 * they pass whatever the orders; the output says so. SB with seq_cst passes everywhere
 * unless the code's orders are weakened. The control (SB with release/acquire, the orders
 * the Dekker handshake must NOT use) is reported as a diagnostic count only: seeing the
 * reordering is a matter of timing, and tests do not assert timing. */

#include "tap.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


static long rounds;

/* a two-thread sense-reversing spin barrier: each round starts both sides together */
struct barrier2 {
	atomic_int count;
	atomic_int sense;
};

static void
barrier2_wait(struct barrier2 *b, int *local) {
	*local = !*local;
	if (atomic_fetch_add(&b->count, 1) == 1) {
		atomic_store(&b->count, 0);
		atomic_store(&b->sense, *local);
	} else {
		while (atomic_load(&b->sense) != *local) {}
	}
}

/* ---- SB ---- */

struct sb {
	struct barrier2 bar;
	int seq;		/* 1: seq_cst, as brlock.c; 0: release/acquire control */
	_Alignas(64) atomic_int x;	/* reader's active */
	_Alignas(64) atomic_int y;	/* writer's flag */
	int *r0, *r1;
};

static void *
sb_thread(void *arg, int side) {
	struct sb *t = arg;
	int sense = 0;
	atomic_int *mine = side ? &t->y : &t->x, *other = side ? &t->x : &t->y;
	int *res = side ? t->r1 : t->r0;
	for (long i = 0; i < rounds; i++) {
		barrier2_wait(&t->bar, &sense);
		if (t->seq) {
			atomic_store(mine, 1);
			res[i] = atomic_load(other);
		} else {
			/* the control: orders too weak for a handshake */
			atomic_store_explicit(mine, 1, memory_order_release);
			res[i] = atomic_load_explicit(other, memory_order_acquire);
		}
		barrier2_wait(&t->bar, &sense);
		if (side == 0) {
			/* relaxed: the barriers order these resets against the next round */
			atomic_store_explicit(&t->x, 0, memory_order_relaxed);
			atomic_store_explicit(&t->y, 0, memory_order_relaxed);
		}
	}
	return NULL;
}

static void *sb0(void *a) { return sb_thread(a, 0); }
static void *sb1(void *a) { return sb_thread(a, 1); }

static long
run_sb(int seq) {
	struct sb t;
	memset(&t, 0, sizeof(t));
	t.seq = seq;
	t.r0 = calloc((size_t)rounds, sizeof(int));
	t.r1 = calloc((size_t)rounds, sizeof(int));
	pthread_t a, b;
	pthread_create(&a, NULL, sb0, &t);
	pthread_create(&b, NULL, sb1, &t);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	long both_zero = 0;
	for (long i = 0; i < rounds; i++)
		both_zero += t.r0[i] == 0 && t.r1[i] == 0;
	free(t.r0);
	free(t.r1);
	return both_zero;
}

/* ---- MP: publish a filled array (grow_slots -> slot_lookup) ---- */

#define MP_WORDS 16

struct mp {
	_Alignas(64) _Atomic(uint32_t *) slots;
	uint32_t *arrays;	/* rounds arrays of MP_WORDS, each filled once */
	atomic_long bad;
	atomic_int done;
};

static void *
mp_writer(void *arg) {
	struct mp *t = arg;
	for (long i = 0; i < rounds; i++) {
		uint32_t *a = t->arrays + (size_t)i * MP_WORDS;
		for (int k = 0; k < MP_WORDS; k++)
			a[k] = (uint32_t)i + 1;		/* plain; relaxed atomic stores in grow_slots, ordered alike */
		/* release: as grow_slots publishes the new array */
		atomic_store_explicit(&t->slots, a, memory_order_release);
	}
	atomic_store(&t->done, 1);
	return NULL;
}

static void *
mp_reader(void *arg) {
	struct mp *t = arg;
	long bad = 0;
	while (!atomic_load(&t->done)) {
		/* acquire: as slot_lookup loads the array */
		uint32_t *a = atomic_load_explicit(&t->slots, memory_order_acquire);
		if (a == NULL)
			continue;
		uint32_t want = (uint32_t)((a - t->arrays) / MP_WORDS) + 1;
		for (int k = 0; k < MP_WORDS; k++)
			bad += a[k] != want;
	}
	atomic_store(&t->bad, bad);
	return NULL;
}

/* ---- PAIR: {ctx, handle} stores and the ctx/handle/ctx read ---- */

struct slot {
	_Alignas(64) _Atomic(long *) ctx;
	_Atomic uint32_t handle;
};

struct pair {
	struct slot s;
	long *ctxs;		/* registration i registers &ctxs[i] under handle i + 1 */
	atomic_long bad, seen;
	atomic_long ack;	/* 1 + the last registration the reader saw whole */
	atomic_int done;
};

static void *
pair_writer(void *arg) {
	struct pair *t = arg;
	for (long i = 0; i < rounds; i++) {
		/* release, both: as skynet_handle_register */
		atomic_store_explicit(&t->s.handle, (uint32_t)i + 1, memory_order_release);
		atomic_store_explicit(&t->s.ctx, &t->ctxs[i], memory_order_release);
		/* stay registered until the reader has seen this registration (bounded): the
		 * reader's acknowledgement orders nothing of ours it could then read */
		for (int k = 0; k < 100000; k++)
			if (atomic_load_explicit(&t->ack, memory_order_relaxed) > i)	/* relaxed: a delay */
				break;
		/* release: as skynet_handle_retire */
		atomic_store_explicit(&t->s.ctx, NULL, memory_order_release);
	}
	atomic_store(&t->done, 1);
	return NULL;
}

static void *
pair_reader(void *arg) {
	struct pair *t = arg;
	long bad = 0, seen = 0;
	while (!atomic_load(&t->done)) {
		/* the orders of slot_lookup */
		long *c1 = atomic_load_explicit(&t->s.ctx, memory_order_acquire);
		if (c1 == NULL)
			continue;
		uint32_t h = atomic_load_explicit(&t->s.handle, memory_order_acquire);
		long *c2 = atomic_load_explicit(&t->s.ctx, memory_order_relaxed);
		if (c1 != c2)
			continue;
		seen++;
		bad += h != (uint32_t)(c1 - t->ctxs) + 1;
		/* relaxed: only paces the writer */
		atomic_store_explicit(&t->ack, (c1 - t->ctxs) + 1, memory_order_relaxed);
	}
	atomic_store(&t->bad, bad);
	atomic_store(&t->seen, seen);
	return NULL;
}

int
main(void) {
	rounds = TAP_SANITIZED ? 3000 : 100000;
	/* under an emulator (make test ARCH=aarch64 sets SKYBENCH_RUNNER) every round is slower */
	const char *runner = getenv("SKYBENCH_RUNNER");
	int emulated = runner && strstr(runner, "qemu");
	if (emulated)
		rounds /= 10;
	/* valgrind runs one thread at a time: every barrier round is a thread switch */
	if (runner && strstr(runner, "valgrind"))
		rounds = 300;
#if defined(__aarch64__) || defined(__powerpc__) || defined(__riscv)
	diag("weakly ordered ISA: MP and PAIR below can catch a missing barrier on real hardware "
	    "(not under qemu on an x86 host, which keeps x86's ordering)");
#else
	diag("strongly ordered ISA (x86-64 TSO): MP and PAIR below cannot fail here; only SB exercises "
	    "a reordering this CPU really does");
#endif

	long sb = run_sb(1);
	if (emulated) {
		/* qemu-user (7.2) on an x86 host translates a seq_cst store (STLR) and load (LDAR)
		 * to x86 moves with fences before the store and after the load, none between them,
		 * so x86's store buffer reorders them: weaker than ARM64, where STLR -> LDAR is
		 * ordered. Measured here: test fails under qemu, passes natively. */
		diag("SB, seq_cst under %s: both loads 0 in %ld of %ld rounds", getenv("SKYBENCH_RUNNER"), sb, rounds);
		skip("SB under qemu-user: the emulator does not keep ARM64's STLR -> LDAR order on an "
		    "x86 host, so the result says nothing about ARM64 (docs/verification.md)");
	} else {
		is_int(sb, 0, "SB, seq_cst (brlock Dekker handshake): never both loads 0, %ld rounds", rounds);
	}
	long control = run_sb(0);
	diag("control: SB with release/acquire saw both loads 0 in %ld of %ld rounds "
	    "(why brlock.c needs seq_cst; timing-dependent, not asserted)", control, rounds);

	struct mp mp;
	memset(&mp, 0, sizeof(mp));
	mp.arrays = calloc((size_t)rounds * MP_WORDS, sizeof(uint32_t));
	pthread_t w, r;
	pthread_create(&r, NULL, mp_reader, &mp);
	pthread_create(&w, NULL, mp_writer, &mp);
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	is_int(atomic_load(&mp.bad), 0, "MP, release/acquire (RCU slot array publication): no stale word read");
	free(mp.arrays);

	struct pair pr;
	memset(&pr, 0, sizeof(pr));
	pr.ctxs = calloc((size_t)rounds, sizeof(long));
	pthread_create(&r, NULL, pair_reader, &pr);
	pthread_create(&w, NULL, pair_writer, &pr);
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	ok(atomic_load(&pr.seen) > 0, "PAIR: the reader saw registrations (%ld)", atomic_load(&pr.seen));
	is_int(atomic_load(&pr.bad), 0, "PAIR (RCU slot {ctx, handle}): equal ctx loads never carry "
	    "another registration's handle (%ld consistent reads)", atomic_load(&pr.seen));
	free(pr.ctxs);
	return done_testing();
}
