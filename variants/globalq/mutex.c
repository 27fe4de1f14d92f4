/* Global queue "mutex": the same list as "spin" (globalq_list.h) under a pthread mutex,
 * what most programmers write first, and skynet's -DUSE_PTHREAD_LOCK build. A waiter
 * sleeps in the kernel instead of spinning. Blocking by design. */

#include <pthread.h>

#include "globalq.h"

struct gqlock {
	pthread_mutex_t m;
};

static inline void gqlock_init(struct gqlock *l) { pthread_mutex_init(&l->m, NULL); }
static inline void gqlock_lock(struct gqlock *l) { pthread_mutex_lock(&l->m); }
static inline void gqlock_unlock(struct gqlock *l) { pthread_mutex_unlock(&l->m); }
static inline void gqlock_destroy(struct gqlock *l) { pthread_mutex_destroy(&l->m); }

#include "globalq_list.h"

const char globalq_variant[] = "mutex";
const int globalq_lockfree = 0;
const unsigned globalq_hook_points = 0;	/* none: blocking by design */

TEST_HOOK_DEFINE(globalq);	/* no stall points: blocking by design */
