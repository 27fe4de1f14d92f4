#ifndef SKYBENCH_MAILBOX_NODE_POOL_H
#define SKYBENCH_MAILBOX_NODE_POOL_H

/* Message nodes for mpsc.c without a malloc per message: each thread keeps its own free
 * list; a sender takes from its list, the consumer gives the node it passed to its own.
 * When senders and consumers are different threads the lists drift apart, so a thread
 * with more than two batches gives one back to a shared list of batches (under a spinlock,
 * once per POOL_BATCH messages), and a thread with none takes a batch from there before
 * it falls back to malloc. A thread's list goes back to malloc when the thread exits.
 * Nodes handed to the shared list are never freed (they are reused), as a malloc arena's
 * are not returned to the system. */

#include "mailbox.h"

#include <pthread.h>
#include <stdatomic.h>

struct mpsc_node {
	_Atomic(struct mpsc_node *) next;
	struct skynet_message msg;
};

#define POOL_BATCH 64

struct node_cache {
	struct mpsc_node *free;	/* linked through next (relaxed: the list is private) */
	unsigned n;
	int registered;		/* the thread-exit destructor knows this cache */
};

static _Thread_local struct node_cache node_cache;

/* batches of POOL_BATCH nodes; a batch's first node carries the next batch in msg.data */
static struct {
	struct spinlock lock;
	struct mpsc_node *batches;
	pthread_once_t once;
	pthread_key_t key;
} node_pool = { .once = PTHREAD_ONCE_INIT };

static inline struct mpsc_node *
node_next(struct mpsc_node *n) {
	/* relaxed: free nodes are touched by their cache's thread only */
	return atomic_load_explicit(&n->next, memory_order_relaxed);
}

static inline void
node_set_next(struct mpsc_node *n, struct mpsc_node *next) {
	/* relaxed: as node_next; a node published to another thread is published by the
	 * queue's release store or the pool's lock, never by this store */
	atomic_store_explicit(&n->next, next, memory_order_relaxed);
}

static void
node_cache_exit(void *p) {
	struct node_cache *c = p;
	while (c->free) {
		struct mpsc_node *n = c->free;
		c->free = node_next(n);
		skynet_free(n);
	}
	c->n = 0;
}

static void
node_pool_init(void) {
	spinlock_init(&node_pool.lock);
	pthread_key_create(&node_pool.key, node_cache_exit);
}

static inline void
node_cache_register(struct node_cache *c) {
	pthread_once(&node_pool.once, node_pool_init);
	pthread_setspecific(node_pool.key, c);
	c->registered = 1;
}

static struct mpsc_node *
node_refill(struct node_cache *c) {
	if (!c->registered)
		node_cache_register(c);
	spinlock_lock(&node_pool.lock);
	struct mpsc_node *batch = node_pool.batches;
	if (batch)
		node_pool.batches = batch->msg.data;
	spinlock_unlock(&node_pool.lock);
	if (batch == NULL)
		return skynet_malloc(sizeof(struct mpsc_node));
	c->free = node_next(batch);
	c->n = POOL_BATCH - 1;
	return batch;
}

static inline struct mpsc_node *
node_alloc(void) {
	struct node_cache *c = &node_cache;
	struct mpsc_node *n = c->free;
	if (n == NULL)
		return node_refill(c);
	c->free = node_next(n);
	c->n--;
	return n;
}

/* c holds 2 * POOL_BATCH + 1 nodes: its first POOL_BATCH go to the shared list */
static void
node_spill(struct node_cache *c) {
	struct mpsc_node *batch = c->free, *last = batch;
	for (int i = 1; i < POOL_BATCH; i++)
		last = node_next(last);
	c->free = node_next(last);
	c->n -= POOL_BATCH;
	node_set_next(last, NULL);
	spinlock_lock(&node_pool.lock);
	batch->msg.data = node_pool.batches;
	node_pool.batches = batch;
	spinlock_unlock(&node_pool.lock);
}

static inline void
node_free(struct mpsc_node *n) {
	struct node_cache *c = &node_cache;
	if (!c->registered)
		node_cache_register(c);
	node_set_next(n, c->free);
	c->free = n;
	if (++c->n > 2 * POOL_BATCH)
		node_spill(c);
}

#endif
