#ifndef SKYBENCH_HANDLE_RCU_H
#define SKYBENCH_HANDLE_RCU_H

/* skynet's handle table with RCU readers (McKenney & Slingwine, "Read-copy update", 1998;
 * Desnoyers et al., "User-level implementations of read-copy update", IEEE TPDS 2012),
 * shared by rcu.c (ck_epoch) and urcu.c (liburcu): they differ only in what a read-side
 * section and a grace period are. Include this once, from the variant's .c, after:
 *
 *   typedef ... defer_head;            the library's callback header
 *   static void read_enter(void);      begin a read-side section (registers lazily)
 *   static void read_exit(void);
 *   static void defer(struct handle_garbage *);   under the writer lock: after a grace
 *        period the variant hands the garbage to garbage_run() or garbage_ready()
 *   static void progress(void);        writer side, after unlocking: move garbage along
 *
 * Nothing here waits for a grace period (only exit's barrier(), after every thread
 * stopped): a worker's dispatch batch runs inside a read-side section (below), so any
 * operation may be called from inside one, and a wait there would wait for itself.
 *
 * Design. Readers take no lock and write nothing shared. The slot array and the name array
 * are published with release stores and read with acquire loads; writers (register,
 * retire, name) serialize on a mutex and never change a published name array or a
 * replaced slot array: growth publishes a doubled copy, a name change publishes a new
 * sorted copy, and what was replaced is freed after a grace period. A slot holds
 * {ctx, handle}; retire clears ctx and hands the context to a grace period, after which
 * the table's reference is dropped (skynet_context_release).
 *
 * Correctness. (1) Nothing a reader can reach is freed under it: the old slot array, the
 * old name array, removed name strings and a retired context's table reference are all
 * released after a grace period that began after they became unreachable from the
 * current arrays. A reader on a stale (replaced) slot array may still find a context
 * retired meanwhile; it is alive for the same reason, as if the read had come just
 * before the retire. (2) A slot's pair is read ctx, handle, ctx again: register stores
 * handle then ctx (release), retire stores ctx = NULL. If the handle read is a later
 * registration's, its release store follows the retire's NULL in the writer's order, so
 * the acquire load of handle makes the second ctx load see NULL or the later context,
 * never the first one again; equal ctx loads therefore mean the handle read belongs to
 * that ctx (a context cannot reappear at the same address while we are inside the
 * section: its memory is freed only after a grace period). So grab/push never return a
 * context for another service's handle, and never read ctx->handle.
 *
 * Dispatch (skynet_handle_dispatch_begin/end). A worker's batch for one context runs
 * inside one read-side section: begin enters it and looks the handle up, end leaves it;
 * no reference is taken. The context (and its mailbox) stays alive for the same reason a
 * push's does: the table's reference is dropped only after a grace period, which waits
 * for this section. Callbacks therefore run inside the section; every table call they make
 * nests in it (ck_epoch and liburcu memb both count nesting: an inner enter/exit is a
 * thread-local increment/decrement, no fence), and none waits for a grace period. The
 * price: while a callback runs, no grace period completes, so everything retired
 * meanwhile (contexts with their instances and queued messages, replaced arrays) is held
 * until it returns (skynet_handle_held counts it; docs/verification.md, R5).
 *
 * Deferred work (releases, frees) runs on a runtime thread, never inside the RCU
 * library's own threads: releasing a context may destroy it, and destruction calls module
 * code and may re-enter the table. Garbage that is past its grace period waits on the
 * ready list until a writer, skynet_handle_thread_quiescent() (the timer thread calls it
 * every 2.5 ms) or skynet_handle_exit() runs it. */

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "handle.h"
#include "handle_common.h"

/* ThreadSanitizer cannot see the grace periods (they happen inside uninstrumented
 * libraries), so under TSan every read-side exit releases a counter that garbage_run
 * acquires: the reader's accesses then happen-before the free, which is what the grace
 * period guarantees. A real build has no such shared write. */
#ifdef HANDLE_TSAN
static atomic_ulong tsan_grace;
/* release RMW: a later acquire load synchronizes with every earlier increment */
#define TSAN_READ_EXIT() atomic_fetch_add_explicit(&tsan_grace, 1, memory_order_release)
#define TSAN_GRACE_OVER() (void)atomic_load_explicit(&tsan_grace, memory_order_acquire)
#else
#define TSAN_READ_EXIT() ((void)0)
#define TSAN_GRACE_OVER() ((void)0)
#endif

struct rcu_slot {
	_Atomic(struct skynet_context *) ctx;
	_Atomic uint32_t handle;
};

struct rcu_slots {
	uint32_t size;		/* a power of two */
	struct rcu_slot s[];
};

/* immutable once published */
struct rcu_names {
	int n;
	struct handle_name name[];
};

/* what one writer operation made unreachable */
struct handle_garbage {
	defer_head head;
	struct handle_garbage * next;		/* ready list */
	struct skynet_context * ctx;		/* drop the table's reference, or NULL */
	long bytes;				/* of the table's memory, g itself included */
	int n;
	void * mem[];				/* skynet_free each */
};

struct rcu_table {
	pthread_mutex_t lock;			/* writers */
	uint32_t harbor;
	uint32_t handle_index;			/* under lock */
	_Atomic(struct rcu_slots *) slots;
	_Atomic(struct rcu_names *) names;
};

/* set by init before any other thread uses the table, cleared by exit after they stop */
static struct rcu_table * H = NULL;
/* garbage not yet run, and the part of it past its grace period */
static atomic_long garbage_pending;
/* of the garbage not yet run: contexts, and bytes of table memory (skynet_handle_held) */
static atomic_long garbage_contexts;
static atomic_long garbage_bytes;
static _Atomic(struct handle_garbage *) garbage_ready_list;

TEST_HOOK_DEFINE(handle);

static void defer(struct handle_garbage *g);
static void progress(void);

static struct handle_garbage *
garbage_new(struct skynet_context *ctx, int n) {
	struct handle_garbage * g = skynet_malloc(sizeof(*g) + n * sizeof(void *));
	g->ctx = ctx;
	g->bytes = (long)(sizeof(*g) + n * sizeof(void *));
	g->n = 0;
	return g;
}

/* p, of size bytes, is freed with g */
static void
garbage_add(struct handle_garbage *g, void *p, size_t size) {
	g->mem[g->n++] = p;
	g->bytes += (long)size;
}

/* past its grace period: drop the reference, free the memory (no lock held) */
static void
garbage_run(struct handle_garbage *g) {
	TSAN_GRACE_OVER();
	int i;
	for (i = 0; i < g->n; i++)
		skynet_free(g->mem[i]);
	struct skynet_context * ctx = g->ctx;
	/* relaxed, both: statistics (skynet_handle_held) */
	atomic_fetch_sub_explicit(&garbage_bytes, g->bytes, memory_order_relaxed);
	atomic_fetch_sub_explicit(&garbage_contexts, ctx != NULL, memory_order_relaxed);
	skynet_free(g);
	if (ctx)
		skynet_context_release(ctx);
	/* relaxed: only a hint for quiescent() and a count for exit(), which drains anyway */
	atomic_fetch_sub_explicit(&garbage_pending, 1, memory_order_relaxed);
}

/* past its grace period, from any thread: queue it for a runtime thread */
static inline void
garbage_ready(struct handle_garbage *g) {
	/* relaxed: the release CAS below publishes g->next with the node */
	struct handle_garbage * head = atomic_load_explicit(&garbage_ready_list, memory_order_relaxed);
	do {
		g->next = head;
	} while (!atomic_compare_exchange_weak_explicit(&garbage_ready_list, &head, g,
		memory_order_release, memory_order_relaxed));
}

static inline void
garbage_drain(void) {
	/* relaxed peek: a miss only delays the work to the next call */
	if (atomic_load_explicit(&garbage_ready_list, memory_order_relaxed) == NULL)
		return;
	/* acquire: pairs with garbage_ready's release, we read the nodes */
	struct handle_garbage * g = atomic_exchange_explicit(&garbage_ready_list, NULL, memory_order_acquire);
	while (g) {
		struct handle_garbage * next = g->next;
		garbage_run(g);
		g = next;
	}
}

/* under the lock: hand g to a grace period */
static void
garbage_defer(struct handle_garbage *g) {
	/* relaxed, all three: counters, see garbage_run */
	atomic_fetch_add_explicit(&garbage_bytes, g->bytes, memory_order_relaxed);
	atomic_fetch_add_explicit(&garbage_contexts, g->ctx != NULL, memory_order_relaxed);
	atomic_fetch_add_explicit(&garbage_pending, 1, memory_order_relaxed);
	TEST_HOOK(handle, HANDLE_HOOK_RETIRE);
	defer(g);
}

static struct rcu_slots *
slots_new(uint32_t size) {
	struct rcu_slots * a = skynet_calloc(1, sizeof(*a) + size * sizeof(struct rcu_slot));
	a->size = size;
	return a;
}

void
skynet_handle_init(int harbor) {
	assert(H == NULL);
	struct rcu_table * t = skynet_malloc(sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	t->harbor = (uint32_t)(harbor & 0xff) << HANDLE_REMOTE_SHIFT;
	t->handle_index = 1;	/* 0 is reserved for the system */
	atomic_init(&t->slots, slots_new(DEFAULT_SLOT_SIZE));
	struct rcu_names * names = skynet_malloc(sizeof(*names));
	names->n = 0;
	atomic_init(&t->names, names);
	H = t;
}

static void barrier(void);

void
skynet_handle_exit(void) {
	struct rcu_table * t = H;
	barrier();
	/* relaxed: every other thread has stopped (handle.h) and barrier() synchronized */
	struct rcu_names * names = atomic_load_explicit(&t->names, memory_order_relaxed);
	int i;
	for (i = 0; i < names->n; i++)
		skynet_free(names->name[i].name);
	skynet_free(names);
	skynet_free(atomic_load_explicit(&t->slots, memory_order_relaxed));
	pthread_mutex_destroy(&t->lock);
	skynet_free(t);
	H = NULL;
}

/* ---- readers ---- */

/* inside a read-side section: the context registered under exactly this handle */
static inline struct skynet_context *
slot_lookup(struct rcu_table *t, uint32_t handle) {
	/* acquire: the array's contents were written before it was published */
	struct rcu_slots * a = atomic_load_explicit(&t->slots, memory_order_acquire);
	struct rcu_slot * e = &a->s[handle & (a->size - 1)];
	/* acquire: pairs with register's release store of ctx, after its handle */
	struct skynet_context * ctx = atomic_load_explicit(&e->ctx, memory_order_acquire);
	if (ctx == NULL)
		return NULL;
	/* acquire: if this is a later registration's handle, the retire before it is visible */
	if (atomic_load_explicit(&e->handle, memory_order_acquire) != handle)
		return NULL;
	/* relaxed: ordered after the acquire load above; see (2) at the top */
	if (atomic_load_explicit(&e->ctx, memory_order_relaxed) != ctx)
		return NULL;
	return ctx;
}

struct skynet_context *
skynet_handle_grab(uint32_t handle) {
	read_enter();
	struct skynet_context * ctx = slot_lookup(H, handle);
	if (ctx) {
		TEST_HOOK(handle, HANDLE_HOOK_READ);
		/* A plain increment is safe: the table's own reference is dropped only after a
		 * grace period that waits for this section, so the count is at least 1 here. The
		 * caller (dispatch) keeps ctx past the section, hence the reference. */
		skynet_context_grab(ctx);
	}
	read_exit();
	return ctx;
}

int
skynet_handle_push(uint32_t handle, struct skynet_message *message) {
	read_enter();
	struct skynet_context * ctx = slot_lookup(H, handle);
	if (ctx) {
		TEST_HOOK(handle, HANDLE_HOOK_READ);
		/* No reference needed: ctx, and the mailbox it owns, live at least until the
		 * table's reference is dropped, which waits for this section to end. A retire
		 * racing with us is ordered after this delivery; the message is then bounced
		 * with the mailbox's other pending messages when ctx is destroyed. */
		skynet_context_deliver(ctx, message);
	}
	read_exit();
	return ctx ? 0 : -1;
}

/* see "Dispatch" at the top: the section stays open until dispatch_end */
struct skynet_context *
skynet_handle_dispatch_begin(uint32_t handle) {
	read_enter();
	struct skynet_context * ctx = slot_lookup(H, handle);
	if (ctx == NULL)
		read_exit();
	return ctx;
}

void
skynet_handle_dispatch_end(struct skynet_context *ctx) {
	(void)ctx;	/* alive until the grace period this exit lets complete */
	read_exit();
}

void
skynet_handle_held(struct handle_held *held) {
	/* relaxed, all three: statistics, each exact only when the table is still */
	held->records = atomic_load_explicit(&garbage_pending, memory_order_relaxed);
	held->contexts = atomic_load_explicit(&garbage_contexts, memory_order_relaxed);
	held->bytes = atomic_load_explicit(&garbage_bytes, memory_order_relaxed);
}

uint32_t
skynet_handle_findname(const char *name) {
	uint32_t handle = 0;
	int pos;
	read_enter();
	/* acquire: the names and their strings were written before publication */
	struct rcu_names * a = atomic_load_explicit(&H->names, memory_order_acquire);
	if (handle_name_search(a->name, a->n, name, &pos))
		handle = a->name[pos].handle;
	read_exit();
	return handle;
}

/* ---- writers (under t->lock; relaxed loads of what only writers store) ---- */

/* under the lock: publish a doubled copy of the slot array, the old one after a grace */
static struct rcu_slots *
grow_slots(struct rcu_table *t, struct rcu_slots *a) {
	uint32_t size = a->size, i;
	assert(size * 2 - 1 <= HANDLE_MASK);
	struct rcu_slots * b = slots_new(size * 2);
	for (i = 0; i < size; i++) {
		/* relaxed, here and below: only writers store slots, and we hold their lock;
		 * the release store of b publishes the copies */
		struct skynet_context * ctx = atomic_load_explicit(&a->s[i].ctx, memory_order_relaxed);
		if (ctx == NULL)
			continue;
		uint32_t h = atomic_load_explicit(&a->s[i].handle, memory_order_relaxed);
		struct rcu_slot * e = &b->s[h & (size * 2 - 1)];
		assert(atomic_load_explicit(&e->ctx, memory_order_relaxed) == NULL);
		atomic_store_explicit(&e->handle, h, memory_order_relaxed);
		atomic_store_explicit(&e->ctx, ctx, memory_order_relaxed);
	}
	TEST_HOOK(handle, HANDLE_HOOK_GROW);
	/* release: readers that load b see its contents */
	atomic_store_explicit(&t->slots, b, memory_order_release);
	struct handle_garbage * g = garbage_new(NULL, 1);
	garbage_add(g, a, sizeof(*a) + size * sizeof(struct rcu_slot));
	garbage_defer(g);
	return b;
}

uint32_t
skynet_handle_register(struct skynet_context *ctx) {
	struct rcu_table * t = H;
	uint32_t result = 0;
	read_enter();	/* registers this thread with the RCU library if it is new */
	pthread_mutex_lock(&t->lock);
	struct rcu_slots * a = atomic_load_explicit(&t->slots, memory_order_relaxed);
	while (result == 0) {
		uint32_t handle = t->handle_index, i;
		for (i = 0; i < a->size; i++, handle++) {
			handle = handle_wrap(handle);
			struct rcu_slot * e = &a->s[handle & (a->size - 1)];
			if (atomic_load_explicit(&e->ctx, memory_order_relaxed) == NULL) {
				/* release, both: see (2) at the top */
				atomic_store_explicit(&e->handle, handle | t->harbor, memory_order_release);
				atomic_store_explicit(&e->ctx, ctx, memory_order_release);
				t->handle_index = handle + 1;
				result = handle | t->harbor;
				break;
			}
		}
		if (result == 0)
			a = grow_slots(t, a);
	}
	pthread_mutex_unlock(&t->lock);
	read_exit();
	progress();
	return result;
}

/* under the lock: publish the names without handle's; old array and strings go to g */
static void
remove_names(struct rcu_table *t, uint32_t handle, struct handle_garbage **gp, struct skynet_context *ctx) {
	struct rcu_names * a = atomic_load_explicit(&t->names, memory_order_relaxed);
	int i, n = 0;
	for (i = 0; i < a->n; i++)
		n += a->name[i].handle == handle;
	struct handle_garbage * g = garbage_new(ctx, n ? n + 1 : 0);
	if (n) {
		struct rcu_names * b = skynet_malloc(sizeof(*b) + (a->n - n) * sizeof(struct handle_name));
		b->n = 0;
		for (i = 0; i < a->n; i++) {
			if (a->name[i].handle == handle)
				garbage_add(g, a->name[i].name, strlen(a->name[i].name) + 1);
			else
				b->name[b->n++] = a->name[i];
		}
		/* release: readers that load b see its contents */
		atomic_store_explicit(&t->names, b, memory_order_release);
		garbage_add(g, a, sizeof(*a) + a->n * sizeof(struct handle_name));
	}
	*gp = g;
}

int
skynet_handle_retire(uint32_t handle) {
	struct rcu_table * t = H;
	int found = 0;
	read_enter();
	pthread_mutex_lock(&t->lock);
	struct rcu_slots * a = atomic_load_explicit(&t->slots, memory_order_relaxed);
	struct rcu_slot * e = &a->s[handle & (a->size - 1)];
	struct skynet_context * ctx = atomic_load_explicit(&e->ctx, memory_order_relaxed);
	if (ctx && atomic_load_explicit(&e->handle, memory_order_relaxed) == handle) {
		struct handle_garbage * g;
		/* release: see (2) at the top */
		atomic_store_explicit(&e->ctx, NULL, memory_order_release);
		remove_names(t, handle, &g, ctx);
		garbage_defer(g);
		found = 1;
	}
	pthread_mutex_unlock(&t->lock);
	read_exit();
	progress();
	return found;
}

static uint32_t
slot_handle_at(uint32_t i, int *end) {
	uint32_t handle = 0;
	read_enter();
	/* acquire, all three: as in slot_lookup */
	struct rcu_slots * a = atomic_load_explicit(&H->slots, memory_order_acquire);
	*end = i >= a->size;
	if (!*end && atomic_load_explicit(&a->s[i].ctx, memory_order_acquire))
		handle = atomic_load_explicit(&a->s[i].handle, memory_order_acquire);
	read_exit();
	return handle;
}

void
skynet_handle_retireall(void) {
	handle_retire_sweep(slot_handle_at);
}

const char *
skynet_handle_namehandle(uint32_t handle, const char *name) {
	struct rcu_table * t = H;
	char * result = NULL;
	int pos;
	read_enter();
	pthread_mutex_lock(&t->lock);
	struct rcu_names * a = atomic_load_explicit(&t->names, memory_order_relaxed);
	if (!handle_name_search(a->name, a->n, name, &pos)) {
		result = handle_name_dup(name);
		struct rcu_names * b = skynet_malloc(sizeof(*b) + (a->n + 1) * sizeof(struct handle_name));
		b->n = a->n + 1;
		memcpy(b->name, a->name, pos * sizeof(struct handle_name));
		b->name[pos] = (struct handle_name){ result, handle };
		memcpy(b->name + pos + 1, a->name + pos, (a->n - pos) * sizeof(struct handle_name));
		/* release: readers that load b see its contents and the new string */
		atomic_store_explicit(&t->names, b, memory_order_release);
		struct handle_garbage * g = garbage_new(NULL, 1);
		garbage_add(g, a, sizeof(*a) + a->n * sizeof(struct handle_name));
		garbage_defer(g);
	}
	pthread_mutex_unlock(&t->lock);
	read_exit();
	progress();
	return result;
}

#endif
