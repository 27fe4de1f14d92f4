#ifndef SKYNET_MQID_H
#define SKYNET_MQID_H

/* Dense mailbox ids: a mailbox takes one when it is created and gives it back when it is
 * freed (not when its handle is retired: a retired mailbox may still sit in a queue while
 * its handle slot already names a new service). Ids are reused, most recently freed first,
 * and a fresh id is issued only when none is free, so at any time
 *   every live mailbox has a distinct id, and every id is below the largest number of
 *   mailboxes that ever existed at once (the largest count skynet_mqid_alloc returned),
 * which is what an index-based queue sized by globalq_reserve needs.
 *
 * Beside the ids, the map back from an id to its mailbox, for such a queue: set once the
 * mailbox exists and before it can be pushed (skynet_mq_create), read without a lock by
 * whoever was handed the id through a queue (runtime_services.h). */

#include <stddef.h>
#include <stdint.h>

struct message_queue;

/* the most ids that can be live at once (skynet's handles are 24 bits too) */
#define SKYNET_MQID_MAX ((uint32_t)1 << 24)

/* a free id; *mailboxes is the number of mailboxes that exist with this one */
uint32_t skynet_mqid_alloc(size_t *mailboxes);
/* the mailbox holding id is gone; its last accesses happen before the next alloc */
void skynet_mqid_free(uint32_t id);
/* id (from alloc, not yet freed) now names q; before q is handed to any other thread */
void skynet_mqid_set(uint32_t id, struct message_queue *q);
/* the mailbox id names; only for an id whose set happens before this call (runtime_services.h) */
struct message_queue * skynet_mqid_mailbox(uint32_t id);

#endif
