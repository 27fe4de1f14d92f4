/* Global queue "spin": skynet's own, the project's baseline. The linked list of
 * globalq_list.h under skynet's test-and-test-and-set spinlock (runtime/spinlock.h, lent to
 * parts by runtime_services.h).
 * Blocking by design: a holder preempted inside the critical section stalls everyone. */

#include "globalq.h"

struct gqlock {
	struct spinlock sl;
};

static inline void gqlock_init(struct gqlock *l) { spinlock_init(&l->sl); }
static inline void gqlock_lock(struct gqlock *l) { spinlock_lock(&l->sl); }
static inline void gqlock_unlock(struct gqlock *l) { spinlock_unlock(&l->sl); }
static inline void gqlock_destroy(struct gqlock *l) { spinlock_destroy(&l->sl); }

#include "globalq_list.h"

const char globalq_variant[] = "spin";
const int globalq_lockfree = 0;
const unsigned globalq_hook_points = 0;	/* none: blocking by design */

TEST_HOOK_DEFINE(globalq);	/* no stall points: blocking by design */
