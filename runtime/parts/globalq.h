#ifndef SKYBENCH_GLOBALQ_H
#define SKYBENCH_GLOBALQ_H

/* The global queue of non-empty mailboxes: a swappable part. One implementation per file
 * in variants/globalq/, the Makefile links exactly one.
 *
 * An implementation defines: every operation of GLOBALQ_OPS, globalq_variant,
 * globalq_lockfree, and the test hook (TEST_HOOK_DEFINE(globalq), test_hooks.h). It may
 * call, of the runtime (runtime_services.h): skynet_malloc & co, skynet's spinlock,
 * skynet_mq_link() to chain mailboxes through their intrusive link, and, to carry mailbox
 * ids instead of pointers, skynet_mq_id() and its inverse skynet_mqid_mailbox() (lock free;
 * a pop may map an id back only if its push published it with a release that the pop
 * acquired). Ids of the mailboxes that exist are distinct and below the largest count
 * globalq_reserve was given; the part tests and bench_globalq, which link a queue without
 * the runtime, define these functions for their fake mailboxes with the same guarantee.
 *
 * Contract, from skynet's in_global protocol (skynet_mq.c): a mailbox is pushed only by
 * the thread that owns its in_global flag, so it is never in the queue twice; the queue
 * therefore never holds more mailboxes than exist. Any number of threads push and pop
 * concurrently. FIFO. pop returns NULL only if the queue was empty at some instant during
 * the call (a spurious empty strands a service: that is a bug). */

#include <stddef.h>

#include "part_ops.h"
#include "runtime_services.h"
#include "test_hooks.h"

struct globalq;

#define GLOBALQ_OPS(X) \
	X(struct globalq *, globalq_create, (void)) \
	/* the queue must be empty and no thread may use it any more */ \
	X(void, globalq_release, (struct globalq *q)) \
	X(void, globalq_push, (struct globalq *q, struct message_queue *mq)) \
	X(struct message_queue *, globalq_pop, (struct globalq *q)) \
	/* called before a new mailbox exists, with the number of mailboxes that will then \
	 * exist: a bounded implementation grows (or chains) here so that push never finds \
	 * it full */ \
	X(void, globalq_reserve, (struct globalq *q, size_t mailboxes))

GLOBALQ_OPS(PART_OP_DECLARE)

/* Which design this is, for --version and result rows. */
extern const char globalq_variant[];
/* 1 if a thread stalled inside an operation cannot stop the others (the part test then
 * parks one at each stall point below that it marks); 0 for a blocking design. */
extern const int globalq_lockfree;

/* Stall points (test_hooks.h), where a part test parks a thread mid-operation. */
enum globalq_hook_point {
	GLOBALQ_HOOK_PUSH_CLAIMED,	/* push took a position in the ring, slot not yet written */
	GLOBALQ_HOOK_POP_CLAIMED,	/* pop took a position in the ring, slot not yet read */
	GLOBALQ_HOOK_FREE_CLAIMED,	/* push took a free cell's position, cell not yet taken */
	GLOBALQ_HOOK_RECYCLE_CLAIMED,	/* pop is giving its cell back, position taken, not written */
	GLOBALQ_HOOK_GROW_LINKED,	/* reserve linked a bigger ring, old one not yet closed */
	GLOBALQ_HOOK_PUSH_RESERVED,	/* push marked its slot and claimed its lap, value unwritten */
	GLOBALQ_HOOK_RING_APPENDED,	/* push linked a new ring holding its mailbox, tail not moved */
	GLOBALQ_HOOK_POINTS
};
/* the stall points this implementation marks: bit 1 << point for each */
extern const unsigned globalq_hook_points;
TEST_HOOK_DECLARE(globalq);

#if SKYBENCH_TEST_HOOKS
/* Optional test entry points (test_hooks.h), for implementations whose rings close and are
 * reclaimed (lprq). Declared weak: a part test links with any implementation and finds
 * them NULL where they are not defined. */
/* rings created from now on get at least `slots` slots (a power of two >= 4); returns the
 * previous size */
size_t globalq_test_ring_slots(size_t slots) __attribute__((weak));
/* rings of q allocated and not yet freed; allocated in all */
size_t globalq_test_rings_live(struct globalq *q) __attribute__((weak));
size_t globalq_test_rings_created(struct globalq *q) __attribute__((weak));
#endif

#endif
