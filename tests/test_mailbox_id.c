/* Dense mailbox ids (runtime/skynet_mqid.c, skynet_mq_id), through the real mailbox
 * create/release path and the allocator itself. Checks: ids of mailboxes created one after
 * another are 0, 1, 2, ...; a freed id is reused before any fresh one; when the last
 * mailbox goes, ids start again at 0; and under concurrent create/release from several
 * threads, every live mailbox holds a distinct id, below the largest number of mailboxes
 * that existed at once (the count skynet_mqid_alloc reports, the one the global queue is
 * reserved for).
 * skybench-test: part globalq
 * (the global queue's reserve is the part code this reaches, with every implementation) */

#include "tap.h"
#include "skynet_mq.h"
#include "skynet_mqid.h"
#include "skynet_sched.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#define SEQ 100
#define THREADS 4
#define HELD 16			/* mailboxes (or ids) a thread holds at most */
#define ROOM (THREADS * HELD)	/* so at most ROOM exist at once */

static struct message_queue *
create(uint32_t handle) {
	return skynet_mq_create(handle);
}

static void
release(struct message_queue *q) {
	/* a new mailbox is marked in_global: mark_release does not queue it, release frees it */
	skynet_mq_mark_release(q);
	skynet_mq_release(q, NULL, NULL);
}

static long rounds;
static atomic_int owner[ROOM * 2];	/* 1 while a live mailbox of this test holds the id */
static atomic_size_t most;		/* the largest count skynet_mqid_alloc returned */
static atomic_long bad_dup, bad_range, bad_bound;

static void
take(uint32_t id) {
	if (id >= ROOM) {
		/* relaxed: a tally read after join */
		atomic_fetch_add_explicit(&bad_range, 1, memory_order_relaxed);
		return;
	}
	if (atomic_exchange(&owner[id], 1) != 0)
		atomic_fetch_add_explicit(&bad_dup, 1, memory_order_relaxed);	/* relaxed: a tally */
}

static void
give(uint32_t id) {
	if (id < ROOM && atomic_exchange(&owner[id], 0) != 1)
		atomic_fetch_add_explicit(&bad_dup, 1, memory_order_relaxed);	/* relaxed: a tally */
}

static void
note_count(size_t n) {
	size_t m = atomic_load(&most);
	while (m < n && !atomic_compare_exchange_weak(&most, &m, n)) {}
}

/* phase 1: mailboxes through skynet_mq_create / release */
static void *
churn_mailboxes(void *arg) {
	unsigned seed = (unsigned)(uintptr_t)arg * 2654435761u + 1;
	struct message_queue *held[HELD];
	for (long r = 0; r < rounds; r++) {
		int n = 1 + (int)(rand_r(&seed) % HELD);
		for (int i = 0; i < n; i++) {
			held[i] = create((uint32_t)i + 1);
			take(skynet_mq_id(held[i]));
		}
		for (int i = n; i-- > 0;) {
			int j = (int)(rand_r(&seed) % (unsigned)(i + 1));
			struct message_queue *q = held[j];
			held[j] = held[i];
			give(skynet_mq_id(q));
			release(q);
		}
	}
	return NULL;
}

/* phase 2: bare allocator ids, whose counts are seen: each id must be below the largest
 * count reported before it was handed out (its first holder's, or a larger one) */
static void *
churn_ids(void *arg) {
	unsigned seed = (unsigned)(uintptr_t)arg * 2654435761u + 1;
	uint32_t held[HELD];
	for (long r = 0; r < rounds; r++) {
		int n = 1 + (int)(rand_r(&seed) % HELD);
		for (int i = 0; i < n; i++) {
			size_t count;
			held[i] = skynet_mqid_alloc(&count);
			note_count(count);
			if ((size_t)held[i] >= atomic_load(&most))
				atomic_fetch_add_explicit(&bad_bound, 1, memory_order_relaxed);	/* relaxed: a tally */
			take(held[i]);
		}
		for (int i = n; i-- > 0;) {
			int j = (int)(rand_r(&seed) % (unsigned)(i + 1));
			uint32_t id = held[j];
			held[j] = held[i];
			give(id);
			skynet_mqid_free(id);
		}
	}
	return NULL;
}

static void
run_threads(void *(*fn)(void *)) {
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, fn, (void *)(uintptr_t)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
}

static int
all_given_back(void) {
	int none_left = 1;
	for (int i = 0; i < ROOM; i++)
		none_left &= atomic_load(&owner[i]) == 0;
	return none_left;
}

int
main(void) {
	rounds = TAP_SANITIZED ? 300 : 3000;
	const char *runner = getenv("SKYBENCH_RUNNER");
	if (runner && *runner)
		rounds /= 10;	/* under an emulator or valgrind */
	skynet_sched_init(0, NULL);

	struct message_queue *q[SEQ + 1];
	int in_order = 1;
	for (int i = 0; i < SEQ; i++) {
		q[i] = create((uint32_t)i + 1);
		in_order &= skynet_mq_id(q[i]) == (uint32_t)i;
	}
	ok(in_order, "%d mailboxes created one after another have ids 0..%d", SEQ, SEQ - 1);

	uint32_t freed_id = skynet_mq_id(q[37]);
	release(q[37]);
	q[37] = create(1000);
	is_int(skynet_mq_id(q[37]), freed_id, "a freed id is reused by the next mailbox");

	/* free five, create five: the five come back, most recently freed first */
	const int five[] = { 3, 50, 7, 99, 0 };
	for (int k = 0; k < 5; k++)
		release(q[five[k]]);
	int reused = 1;
	for (int k = 5; k-- > 0;) {
		q[five[k]] = create(2000);
		reused &= skynet_mq_id(q[five[k]]) == (uint32_t)five[k];
	}
	ok(reused, "freed ids are all reused before a fresh one, most recently freed first");
	q[SEQ] = create(3000);
	is_int(skynet_mq_id(q[SEQ]), SEQ, "with none free, the next id is fresh: %d", SEQ);

	for (int i = 0; i <= SEQ; i++)
		release(q[i]);
	q[0] = create(1);
	is_int(skynet_mq_id(q[0]), 0, "after the last mailbox is freed, ids start again at 0");
	release(q[0]);

	run_threads(churn_mailboxes);
	is_int(atomic_load(&bad_dup), 0, "%d threads x %ld rounds of mailbox create/release: no id held by two live mailboxes", THREADS, rounds);
	is_int(atomic_load(&bad_range), 0, "every mailbox id below %d, the most mailboxes that existed at once", ROOM);
	ok(all_given_back(), "every mailbox id given back");
	q[0] = create(1);
	is_int(skynet_mq_id(q[0]), 0, "after the threads, ids start again at 0");
	release(q[0]);

	run_threads(churn_ids);
	is_int(atomic_load(&bad_dup), 0, "%d threads x %ld rounds of bare id alloc/free: no id held twice", THREADS, rounds);
	is_int(atomic_load(&bad_range), 0, "every bare id below %d", ROOM);
	is_int(atomic_load(&bad_bound), 0, "every id below the largest mailbox count reported before it (%zu)", atomic_load(&most));
	ok(all_given_back(), "every bare id given back");

	ok(skynet_sched_drain() == NULL, "no mailbox was ever queued");
	skynet_sched_exit();
	return done_testing();
}
