#ifndef SKYBENCH_MAILBOX_H
#define SKYBENCH_MAILBOX_H

/* The per-service mailbox: a swappable part. One implementation per file in
 * variants/mailbox/, the Makefile links exactly one: spin (skynet's: a doubling ring under a
 * spinlock with the in_global flag) or mpsc (lock free: a send is one exchange).
 *
 * An implementation defines: every operation of MAILBOX_OPS, mailbox_variant,
 * mailbox_lockfree, and the test hook (TEST_HOOK_DEFINE(mailbox), test_hooks.h). It may call,
 * of the runtime (runtime_services.h): skynet_malloc & co, skynet's spinlock, and
 * skynet_sched_push() to hand over a mailbox that became runnable. The runtime's
 * skynet_mq.c builds create, release and drain on these operations (the id, the
 * scheduler's reservation, the drop of pending messages).
 *
 * The scheduled state (skynet's in_global: "queued somewhere or being run") belongs to the
 * mailbox. Whoever sets it pushes the mailbox to the scheduler, once: the mailbox is created
 * scheduled (the runtime pushes it, SCHED_NEW, once init succeeded); a send to a parked
 * mailbox schedules it (SCHED_SEND); mark_release schedules a parked one (SCHED_RELEASE); the
 * thread holding a scheduled mailbox (its consumer) parks it when it finds it empty.
 *
 * Threads: push and mark_release from any thread; every other operation only by the
 * consumer, i.e. the thread that holds the scheduled mailbox (popped it from the scheduler,
 * or, before the first push to the scheduler and after the context is gone, the only user). */

#include <stddef.h>
#include <stdint.h>

#include "part_ops.h"
#include "runtime_services.h"
#include "scheduler.h"
#include "test_hooks.h"

/* skynet's message, copied by value into the mailbox */
struct skynet_message {
	uint32_t source;
	int session;
	void * data;
	size_t sz;
};

/* the message type is packed into the top byte of sz */
#define MESSAGE_TYPE_MASK (SIZE_MAX >> 8)
#define MESSAGE_TYPE_SHIFT ((sizeof(size_t)-1) * 8)

/* skynet's constants: the ring's first size, the first overload warning */
#define DEFAULT_QUEUE_SIZE 64
#define MQ_OVERLOAD 1024

/* what skynet_mq_pop found */
enum mq_pop {
	MQ_MESSAGE = 0,	/* a message, in *message */
	MQ_PARKED = 1,	/* empty: the mailbox is parked (unscheduled), the next send schedules it */
	MQ_BUSY = 2,	/* no message yet but a send is half done: still scheduled, try later */
};

struct message_queue;

#define MAILBOX_OPS(X) \
	/* a new empty mailbox, scheduled (see above) */ \
	X(struct message_queue *, mailbox_new, (uint32_t handle, uint32_t id)) \
	/* q holds no message and no thread will use it again */ \
	X(void, mailbox_delete, (struct message_queue *q)) \
	X(uint32_t, skynet_mq_handle, (struct message_queue *q)) \
	/* the id given to mailbox_new (skynet_mqid.h) */ \
	X(uint32_t, skynet_mq_id, (struct message_queue *q)) \
	/* the intrusive link a list-based global queue chains mailboxes with */ \
	X(struct message_queue **, skynet_mq_link, (struct message_queue *q)) \
	/* any thread: append a copy of *message; a parked mailbox is scheduled by this call */ \
	X(void, skynet_mq_push, (struct message_queue *q, struct skynet_message *message)) \
	/* consumer: the oldest message (enum mq_pop); parks the mailbox when it is empty */ \
	X(int, skynet_mq_pop, (struct message_queue *q, struct skynet_message *message)) \
	/* consumer: the oldest message (0) or none (1), never parking: for a mailbox \
	 * that is linked in a queue (dispatchall) or whose context is gone (release) */ \
	X(int, mailbox_take, (struct message_queue *q, struct skynet_message *message)) \
	/* consumer, handed back a mailbox it need not queue (SCHED_REQUEUE): park it and \
	 * return 1 if it holds no message and no send is half done, else 0 */ \
	X(int, skynet_mq_park_if_empty, (struct message_queue *q)) \
	/* consumer: the number of messages, exact when no send is in flight (any thread for \
	 * spin) */ \
	X(int, skynet_mq_length, (struct message_queue *q)) \
	/* consumer: the length that crossed the overload threshold since last asked, or 0 */ \
	X(int, skynet_mq_overload, (struct message_queue *q)) \
	/* any thread, once, after the context is gone (no send can start any more) */ \
	X(void, skynet_mq_mark_release, (struct message_queue *q)) \
	/* consumer: 1 once mark_release has run */ \
	X(int, mailbox_released, (struct message_queue *q))

MAILBOX_OPS(PART_OP_DECLARE)

/* the runtime's schedule hook (skynet_sched.h): q became runnable, the caller set its
 * scheduled state */
void skynet_sched_push(struct message_queue *q, enum sched_reason why);

/* Which design this is, for --version and result rows. */
extern const char mailbox_variant[];
/* 1 if a sender stalled inside push blocks no other sender and not the consumer (it may
 * hide the messages sent after it: MQ_BUSY); 0 for a locked design. */
extern const int mailbox_lockfree;

/* Stall points (test_hooks.h). */
enum mailbox_hook_point {
	MAILBOX_HOOK_PUSH_EXCHANGED,	/* push took its place, the message not yet linked */
	MAILBOX_HOOK_POINTS
};
TEST_HOOK_DECLARE(mailbox);

#endif
