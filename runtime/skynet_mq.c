/* Mailboxes: what every mailbox implementation (runtime/parts/mailbox.h) shares: the dense
 * id, the scheduler's reservation, the release with its pending messages dropped. */

#include "skynet.h"
#include "skynet_mq.h"
#include "skynet_mqid.h"
#include "skynet_sched.h"

struct message_queue *
skynet_mq_create(uint32_t handle) {
	/* n: the mailboxes that exist with this one, the bound a bounded global queue needs.
	 * The id allocator's lock also orders a release's last pop (its cell back in the ring's
	 * free list) before this create's first push: without that, on a weakly ordered CPU a
	 * ring of exactly n cells could look full (docs/verification.md, section 5). */
	size_t n;
	uint32_t id = skynet_mqid_alloc(&n);
	skynet_sched_reserve(n);
	struct message_queue *q = mailbox_new(handle, id);
	/* before q reaches any other thread: an index-based global queue maps its id back */
	skynet_mqid_set(id, q);
	return q;
}

void
skynet_mq_release(struct message_queue *q, message_drop drop_func, void *ud) {
	if (!mailbox_released(q)) {
		/* retired but not yet destroyed (someone holds a reference): try again later */
		skynet_sched_push(q, SCHED_RELEASE);
		return;
	}
	struct skynet_message msg;
	while (mailbox_take(q, &msg) == 0) {
		if (drop_func)
			drop_func(&msg, ud);
	}
	uint32_t id = skynet_mq_id(q);
	mailbox_delete(q);
	/* last: the allocator's lock publishes this mailbox's last pop to the next create */
	skynet_mqid_free(id);
}

void
skynet_mq_drain(struct message_queue *q, message_drop func, void *ud) {
	struct skynet_message msg;
	while (mailbox_take(q, &msg) == 0)
		func(&msg, ud);
}
