/* Dense mailbox ids (skynet_mqid.h): a counter of ids ever issued and a stack of freed
 * ones, under one spinlock. Mailboxes are created and freed rarely (once per service), so
 * a lock costs nothing measurable, and it keeps the count and the id consistent with each
 * other: under the lock, issued == live + freed, so the free stack is empty exactly when
 * every issued id is live, and a fresh id is then live - 1.
 *
 * The map id -> mailbox: a fixed directory of chunk pointers and chunks of CHUNK entries,
 * a chunk allocated (zeroed) under the lock when the first id in it is issued, never moved,
 * freed only when no mailbox is left. A lookup is two dependent loads and never locks.
 * Orders (docs/verification.md, section 16):
 * - the directory entry is stored with release, after the chunk is zeroed, and loaded with
 *   acquire: a reader that sees the pointer sees the chunk, however it came by the id;
 * - an entry is plain memory, written by skynet_mq_create before the mailbox is handed to
 *   any thread, read by a queue's pop after it dequeued the id. Every push of the mailbox
 *   happens after its creation (the pusher got the pointer from the creator through the
 *   handle table, a message or the queue, each a release/acquire hand-off), and the pusher's
 *   release on the queue synchronizes with the popper's acquire, so the write happens
 *   before the read. The entry is rewritten only for the id's next holder, after this
 *   mailbox was freed, which is after its last pop (the lock orders the free before the
 *   next alloc). ThreadSanitizer checks these edges (plain memory: a missing one is a race). */

#include "skynet_mqid.h"
#include "skynet_malloc.h"
#include "spinlock.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define CHUNK_BITS 12			/* 4096 entries, 32 KiB a chunk */
#define CHUNK ((uint32_t)1 << CHUNK_BITS)
#define CHUNKS (SKYNET_MQID_MAX / CHUNK)	/* the directory: 4096 pointers, 32 KiB, static */

static struct spinlock lock;	/* static storage: zero, i.e. unlocked */
static size_t live;		/* mailboxes that exist */
static uint32_t issued;		/* ids 0..issued-1 have been handed out */
static uint32_t *freed;		/* stack of ids given back; capacity >= issued */
static size_t nfreed, cap;
static _Atomic(struct message_queue **) dir[CHUNKS];

/* under the lock: the chunk of a fresh id exists before the id is handed out */
static void
chunk_for(uint32_t id) {
	if (id >= SKYNET_MQID_MAX) {
		fprintf(stderr, "skynet_mqid: more than %u mailboxes at once\n", SKYNET_MQID_MAX);
		abort();
	}
	uint32_t k = id >> CHUNK_BITS;
	/* relaxed: only lock holders store here, and the lock orders them */
	if (atomic_load_explicit(&dir[k], memory_order_relaxed) == NULL) {
		struct message_queue **c = skynet_calloc(CHUNK, sizeof(*c));
		/* release: the zeroed chunk before its pointer (lookup's acquire) */
		atomic_store_explicit(&dir[k], c, memory_order_release);
	}
}

uint32_t
skynet_mqid_alloc(size_t *mailboxes) {
	uint32_t id;
	spinlock_lock(&lock);
	*mailboxes = ++live;
	if (nfreed > 0) {
		id = freed[--nfreed];
	} else {
		id = issued++;
		chunk_for(id);
		if (issued > cap) {
			/* rare (capacity doubles); the free stack must hold every issued id */
			cap = cap ? cap * 2 : 64;
			freed = skynet_realloc(freed, cap * sizeof(*freed));
		}
	}
	spinlock_unlock(&lock);
	return id;
}

/* under the lock, no mailbox left: so no id in any queue, and no reader */
static void
map_free(void) {
	for (uint32_t k = 0; k < CHUNKS; k++) {
		/* relaxed: no reader exists (above), the lock orders the writers */
		struct message_queue **c = atomic_load_explicit(&dir[k], memory_order_relaxed);
		if (c == NULL)
			break;	/* chunks are allocated in id order */
		skynet_free(c);
		atomic_store_explicit(&dir[k], NULL, memory_order_relaxed);
	}
}

void
skynet_mqid_free(uint32_t id) {
	spinlock_lock(&lock);
	assert(id < issued && nfreed < issued && live > 0);
	if (--live == 0) {
		/* the last mailbox: start again from id 0 (a node run after this one, or a test,
		 * creates its global queue afresh) */
		skynet_free(freed);
		freed = NULL;
		nfreed = cap = 0;
		issued = 0;
		map_free();
	} else {
		freed[nfreed++] = id;
	}
	spinlock_unlock(&lock);
}

void
skynet_mqid_set(uint32_t id, struct message_queue *q) {
	/* relaxed: the caller's own alloc of id, under the lock, ordered the store before */
	atomic_load_explicit(&dir[id >> CHUNK_BITS], memory_order_relaxed)[id & (CHUNK - 1)] = q;
}

struct message_queue *
skynet_mqid_mailbox(uint32_t id) {
	/* acquire: pairs with chunk_for's release (see the header) */
	return atomic_load_explicit(&dir[id >> CHUNK_BITS], memory_order_acquire)[id & (CHUNK - 1)];
}
