/* wheel: skynet's hierarchical timing wheel (skynet_timer.c), the baseline timer queue.
 *
 * Placement, cascade and firing order are skynet's (docs/skynet.md section 9): near[256]
 * holds expiries that agree with the clock in every bit above the low 8; t[i][64] holds
 * those that first disagree in bits 8+6i .. 13+6i (level 3: bits 26..31). One tick is
 * execute; shift; execute, where shift advances the 32-bit clock and cascades at most one
 * bucket (t[3][0] when the clock wraps to 0). Lists are FIFO, so equal expiries fire in
 * the order they were added. One malloc per timer, freed after it fires, as skynet does:
 * the baseline keeps skynet's allocation pattern, not a faster one.
 *
 * Cancel is skybench's addition (skynet has none). Two changes make it O(1) and safe:
 * - Lists are circular and doubly linked around a sentinel instead of skynet's singly
 *   linked list with a tail pointer. Append is the same FIFO append, but a node unlinks
 *   itself wherever it is, without knowing its bucket. Cost: a node is 32 bytes instead
 *   of skynet's 24, and linking does two more stores.
 * - An id is (generation << 32 | slot) into a slot table of node pointers. Firing or
 *   cancelling bumps the slot's generation, so a stale id no longer matches and is
 *   rejected without touching the freed node. A slot whose generation would wrap to 0 is
 *   retired, never reused, so no id repeats for (2^32 - 1) slots x (2^32 - 1) generations.
 *   Free slots are a LIFO list: the most recently freed (cache-warm) slot is reused first.
 *   An id-to-node hash table would also work but costs a hash insert per add.
 *
 * Single-threaded: the runtime holds its spinlock around every call. */

#include "timerq.h"
#include "timer_slots.h"
#include "wheel_levels.h"

#include <stdlib.h>



struct link {
	struct link *next;
	struct link *prev;
};

struct node {
	struct link link;	/* first member: a list's struct link * is its struct node * */
	uint32_t expire;
	uint32_t slot;
	struct timer_event event;
};

struct slot {
	struct node *node;	/* NULL while free */
	uint32_t gen;		/* generation of the live id, or of the next one while free */
	uint32_t next_free;
};

struct timerq {
	struct link near[TIME_NEAR];
	struct link t[4][TIME_LEVEL];
	uint32_t time;
	uint32_t free_slot;
	size_t pending;
	struct slot *slot;
	size_t nslot;
	size_t capslot;
};

const char timerq_variant[] = "wheel";

static inline void
list_init(struct link *l) {
	l->next = l->prev = l;
}

static inline int
list_empty(const struct link *l) {
	return l->next == l;
}

static inline void
list_append(struct link *l, struct link *n) {
	n->next = l;
	n->prev = l->prev;
	l->prev->next = n;
	l->prev = n;
}

static inline void
list_unlink(struct link *n) {
	n->prev->next = n->next;
	n->next->prev = n->prev;
}

/* Moves every node of `from` onto the uninitialized sentinel `to`; `from` ends empty. */
static inline void
list_take(struct link *from, struct link *to) {
	if (list_empty(from)) {
		list_init(to);
		return;
	}
	to->next = from->next;
	to->prev = from->prev;
	to->next->prev = to;
	to->prev->next = to;
	list_init(from);
}

static uint32_t
slot_alloc(struct timerq *q, struct node *n) {
	uint32_t s = q->free_slot;
	if (s != SLOT_NIL) {
		q->free_slot = q->slot[s].next_free;
	} else {
		slot_table_reserve((void **)&q->slot, &q->capslot, q->nslot, sizeof(*q->slot));
		s = (uint32_t)q->nslot++;
		q->slot[s].gen = 1;
	}
	q->slot[s].node = n;
	return s;
}

static void
slot_free(struct timerq *q, uint32_t s) {
	struct slot *sl = &q->slot[s];
	sl->node = NULL;
	if (++sl->gen != 0) {
		sl->next_free = q->free_slot;
		q->free_slot = s;
	}	/* else retired: its every id has been used */
}

static void
add_node(struct timerq *q, struct node *n) {
	int idx, level = wheel_level(n->expire, q->time, &idx);
	list_append(level < 0 ? &q->near[n->expire & TIME_NEAR_MASK] : &q->t[level][idx], &n->link);
}

static void
cascade(struct timerq *q, int level, int idx) {
	struct link l;
	list_take(&q->t[level][idx], &l);
	while (!list_empty(&l)) {
		struct link *n = l.next;
		list_unlink(n);
		add_node(q, (struct node *)n);
	}
}

static void
shift(struct timerq *q) {
	int level, idx;
	if (wheel_cascade_due(++q->time, &level, &idx))
		cascade(q, level, idx);
}

/* Fires near[now]. The bucket is detached first, so a callback may add or cancel timers
 * (a node still waiting in the detached list unlinks itself); the loop catches timers
 * a callback adds for this very tick. */
static void
execute(struct timerq *q, timerq_fire fire, void *ud) {
	struct link *bucket = &q->near[q->time & TIME_NEAR_MASK];
	while (!list_empty(bucket)) {
		struct link l;
		list_take(bucket, &l);
		while (!list_empty(&l)) {
			struct node *n = (struct node *)l.next;
			list_unlink(&n->link);
			slot_free(q, n->slot);
			--q->pending;
			fire(ud, &n->event);
			skynet_free(n);
		}
	}
}

struct timerq *
timerq_create(void) {
	struct timerq *q = skynet_malloc(sizeof(*q));
	if (q == NULL)
		abort();
	for (int k = 0; k < WHEEL_BUCKETS; k++)
		list_init(WHEEL_BUCKET(q, k));
	q->time = 0;
	q->free_slot = SLOT_NIL;
	q->pending = 0;
	q->slot = NULL;
	q->nslot = q->capslot = 0;
	return q;
}

static void
free_list(struct link *l) {
	while (!list_empty(l)) {
		struct link *n = l->next;
		list_unlink(n);
		skynet_free(n);
	}
}

void
timerq_release(struct timerq *q) {
	for (int k = 0; k < WHEEL_BUCKETS; k++)
		free_list(WHEEL_BUCKET(q, k));
	skynet_free(q->slot);
	skynet_free(q);
}

uint64_t
timerq_add(struct timerq *q, const struct timer_event *event, uint32_t ticks) {
	struct node *n = skynet_malloc(sizeof(*n));
	if (n == NULL)
		abort();
	n->expire = q->time + ticks;
	n->event = *event;
	uint32_t s = slot_alloc(q, n);
	n->slot = s;
	add_node(q, n);
	++q->pending;
	return (uint64_t)q->slot[s].gen << 32 | s;
}

int
timerq_cancel(struct timerq *q, uint64_t id) {
	uint64_t s = id & 0xffffffffu;
	if (s >= q->nslot)
		return 0;
	struct slot *sl = &q->slot[s];
	struct node *n = sl->node;
	if (n == NULL || sl->gen != (uint32_t)(id >> 32))
		return 0;
	list_unlink(&n->link);
	slot_free(q, (uint32_t)s);
	--q->pending;
	skynet_free(n);
	return 1;
}

void
timerq_update(struct timerq *q, timerq_fire fire, void *ud) {
	execute(q, fire, ud);
	shift(q);
	execute(q, fire, ud);
}

uint32_t
timerq_time(const struct timerq *q) {
	return q->time;
}

size_t
timerq_pending(const struct timerq *q) {
	return q->pending;
}

#if SKYBENCH_TEST_HOOKS

/* 0 if some node in l is due within `jump` ticks of now. */
static int
list_clear_of(const struct timerq *q, const struct link *l, uint32_t jump) {
	for (const struct link *n = l->next; n != l; n = n->next)
		if (((const struct node *)n)->expire - q->time <= jump)
			return 0;
	return 1;
}

int
timerq_test_set_time(struct timerq *q, uint32_t time) {
	uint32_t jump = time - q->time;
	for (int k = 0; k < WHEEL_BUCKETS; k++)
		if (!list_clear_of(q, WHEEL_BUCKET(q, k), jump))
			return 0;
	/* Re-place every node for the new clock. Equal expiries share one bucket, so taking
	 * buckets one by one and re-adding in list order keeps their FIFO order. */
	struct link all;
	list_init(&all);
	for (int k = 0; k < WHEEL_BUCKETS; k++) {
		struct link *b = WHEEL_BUCKET(q, k);
		while (!list_empty(b)) {
			struct link *n = b->next;
			list_unlink(n);
			list_append(&all, n);
		}
	}
	q->time = time;
	while (!list_empty(&all)) {
		struct link *n = all.next;
		list_unlink(n);
		add_node(q, (struct node *)n);
	}
	return 1;
}

#endif
