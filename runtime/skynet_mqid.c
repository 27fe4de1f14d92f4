/* Dense mailbox ids (skynet_mqid.h): a counter of ids ever issued and a stack of freed
 * ones, under one spinlock. Mailboxes are created and freed rarely (once per service), so
 * a lock costs nothing measurable, and it keeps the count and the id consistent with each
 * other: under the lock, issued == live + freed, so the free stack is empty exactly when
 * every issued id is live, and a fresh id is then live - 1. */

#include "skynet_mqid.h"
#include "skynet_malloc.h"
#include "spinlock.h"

#include <assert.h>

static struct spinlock lock;	/* static storage: zero, i.e. unlocked */
static size_t live;		/* mailboxes that exist */
static uint32_t issued;		/* ids 0..issued-1 have been handed out */
static uint32_t *freed;		/* stack of ids given back; capacity >= issued */
static size_t nfreed, cap;

uint32_t
skynet_mqid_alloc(size_t *mailboxes) {
	uint32_t id;
	spinlock_lock(&lock);
	*mailboxes = ++live;
	if (nfreed > 0) {
		id = freed[--nfreed];
	} else {
		id = issued++;
		if (issued > cap) {
			/* rare (capacity doubles); the free stack must hold every issued id */
			cap = cap ? cap * 2 : 64;
			freed = skynet_realloc(freed, cap * sizeof(*freed));
		}
	}
	spinlock_unlock(&lock);
	return id;
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
	} else {
		freed[nfreed++] = id;
	}
	spinlock_unlock(&lock);
}
