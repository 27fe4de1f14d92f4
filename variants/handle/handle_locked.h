#ifndef SKYBENCH_HANDLE_LOCKED_H
#define SKYBENCH_HANDLE_LOCKED_H

/* skynet v1.8.0's handle table (skynet_handle.c) over a reader-writer lock supplied by the
 * including variant, so that rwlock.c and brlock.c differ only in their lock discipline.
 * Include this once, from the variant's .c, after defining:
 *
 *   struct table_lock;                        the lock, embedded in the table
 *   static void table_lock_init(struct table_lock *);
 *   static void table_rlock(struct table_lock *);   table_runlock(...)
 *   static void table_wlock(struct table_lock *);   table_wunlock(...)
 *
 * The variant also defines the skynet_handle_thread_* hooks and skynet_handle_variant.
 * Everything under the lock is plain memory: the lock orders it. */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "handle.h"
#include "handle_common.h"

struct handle_slot {
	struct skynet_context * ctx;
	uint32_t handle;	/* full handle (harbor bits included) ctx was registered under */
};

struct handle_storage {
	struct table_lock lock;
	uint32_t harbor;
	uint32_t handle_index;
	uint32_t slot_size;	/* a power of two */
	struct handle_slot * slot;
	int name_cap;
	int name_count;
	struct handle_name * name;
};

/* set by init before any other thread uses the table, cleared by exit after they stop */
static struct handle_storage * H = NULL;

TEST_HOOK_DEFINE(handle);

void
skynet_handle_init(int harbor) {
	assert(H == NULL);
	struct handle_storage * s = skynet_malloc(sizeof(*s));
	table_lock_init(&s->lock);
	s->harbor = (uint32_t)(harbor & 0xff) << HANDLE_REMOTE_SHIFT;
	s->handle_index = 1;	/* 0 is reserved for the system */
	s->slot_size = DEFAULT_SLOT_SIZE;
	s->slot = skynet_calloc(s->slot_size, sizeof(struct handle_slot));
	s->name_cap = 2;
	s->name_count = 0;
	s->name = skynet_malloc(s->name_cap * sizeof(struct handle_name));
	H = s;
}

void
skynet_handle_exit(void) {
	struct handle_storage * s = H;
	int i;
	for (i = 0; i < s->name_count; i++)
		skynet_free(s->name[i].name);
	skynet_free(s->name);
	skynet_free(s->slot);
	skynet_free(s);
	H = NULL;
}

/* under the write lock: double the slot array, re-placing every context by its id */
static void
grow_slots(struct handle_storage *s) {
	uint32_t size = s->slot_size, i;
	assert(size * 2 - 1 <= HANDLE_MASK);
	struct handle_slot * slot = skynet_calloc(size * 2, sizeof(struct handle_slot));
	for (i = 0; i < size; i++) {
		if (s->slot[i].ctx) {
			uint32_t hash = s->slot[i].handle & (size * 2 - 1);
			assert(slot[hash].ctx == NULL);
			slot[hash] = s->slot[i];
		}
	}
	TEST_HOOK(handle, HANDLE_HOOK_GROW);
	skynet_free(s->slot);
	s->slot = slot;
	s->slot_size = size * 2;
}

uint32_t
skynet_handle_register(struct skynet_context *ctx) {
	struct handle_storage * s = H;
	table_wlock(&s->lock);
	for (;;) {
		uint32_t handle = s->handle_index, i;
		for (i = 0; i < s->slot_size; i++, handle++) {
			handle = handle_wrap(handle);
			struct handle_slot * e = &s->slot[handle & (s->slot_size - 1)];
			if (e->ctx == NULL) {
				e->ctx = ctx;
				e->handle = handle | s->harbor;
				s->handle_index = handle + 1;
				table_wunlock(&s->lock);
				return handle | s->harbor;
			}
		}
		grow_slots(s);
	}
}

/* under either lock: the context registered under exactly this handle, or NULL */
static inline struct skynet_context *
slot_get(struct handle_storage *s, uint32_t handle) {
	struct handle_slot * e = &s->slot[handle & (s->slot_size - 1)];
	return e->ctx && e->handle == handle ? e->ctx : NULL;
}

/* under the write lock: drop every name bound to handle, keeping the array sorted */
static void
remove_names(struct handle_storage *s, uint32_t handle) {
	int i, j = 0, n = s->name_count;
	for (i = 0; i < n; i++) {
		if (s->name[i].handle == handle) {
			skynet_free(s->name[i].name);
			continue;
		}
		if (i != j)
			s->name[j] = s->name[i];
		j++;
	}
	s->name_count = j;
}

int
skynet_handle_retire(uint32_t handle) {
	struct handle_storage * s = H;
	table_wlock(&s->lock);
	struct skynet_context * ctx = slot_get(s, handle);
	if (ctx) {
		s->slot[handle & (s->slot_size - 1)] = (struct handle_slot){ NULL, 0 };
		remove_names(s, handle);
	}
	table_wunlock(&s->lock);
	if (ctx == NULL)
		return 0;
	TEST_HOOK(handle, HANDLE_HOOK_RETIRE);
	/* after unlocking: releasing may destroy ctx, and destruction may call back in here */
	skynet_context_release(ctx);
	return 1;
}

static uint32_t
slot_handle_at(uint32_t i, int *end) {
	struct handle_storage * s = H;
	uint32_t handle = 0;
	table_rlock(&s->lock);
	*end = i >= s->slot_size;
	if (!*end && s->slot[i].ctx)
		handle = s->slot[i].handle;
	table_runlock(&s->lock);
	return handle;
}

void
skynet_handle_retireall(void) {
	handle_retire_sweep(slot_handle_at);
}

struct skynet_context *
skynet_handle_grab(uint32_t handle) {
	struct handle_storage * s = H;
	table_rlock(&s->lock);
	struct skynet_context * ctx = slot_get(s, handle);
	if (ctx) {
		TEST_HOOK(handle, HANDLE_HOOK_READ);
		skynet_context_grab(ctx);
	}
	table_runlock(&s->lock);
	return ctx;
}

/* skynet's skynet_context_push: grab, deliver, release (which may destroy a context
 * retired meanwhile) */
int
skynet_handle_push(uint32_t handle, struct skynet_message *message) {
	struct skynet_context * ctx = skynet_handle_grab(handle);
	if (ctx == NULL)
		return -1;
	skynet_context_deliver(ctx, message);
	skynet_context_release(ctx);
	return 0;
}

/* skynet's dispatch: a reference for the batch, so a retire meanwhile cannot free ctx */
struct skynet_context *
skynet_handle_dispatch_begin(uint32_t handle) {
	return skynet_handle_grab(handle);
}

/* may destroy a context retired during the batch (skynet's order) */
void
skynet_handle_dispatch_end(struct skynet_context *ctx) {
	skynet_context_release(ctx);
}

/* retire drops the table's reference before it returns: nothing is ever held */
void
skynet_handle_held(struct handle_held *held) {
	*held = (struct handle_held){ 0, 0, 0 };
}

uint32_t
skynet_handle_findname(const char *name) {
	struct handle_storage * s = H;
	uint32_t handle = 0;
	int pos;
	table_rlock(&s->lock);
	if (handle_name_search(s->name, s->name_count, name, &pos))
		handle = s->name[pos].handle;
	table_runlock(&s->lock);
	return handle;
}

/* under the write lock: put {name, handle} at index before, doubling the array if full */
static void
insert_name_before(struct handle_storage *s, char *name, uint32_t handle, int before) {
	if (s->name_count >= s->name_cap) {
		s->name_cap *= 2;
		assert(s->name_cap <= MAX_SLOT_SIZE);
		struct handle_name * n = skynet_malloc(s->name_cap * sizeof(struct handle_name));
		memcpy(n, s->name, before * sizeof(struct handle_name));
		memcpy(n + before + 1, s->name + before, (s->name_count - before) * sizeof(struct handle_name));
		skynet_free(s->name);
		s->name = n;
	} else {
		memmove(s->name + before + 1, s->name + before, (s->name_count - before) * sizeof(struct handle_name));
	}
	s->name[before] = (struct handle_name){ name, handle };
	s->name_count++;
}

const char *
skynet_handle_namehandle(uint32_t handle, const char *name) {
	struct handle_storage * s = H;
	char * result = NULL;
	int pos;
	table_wlock(&s->lock);
	if (!handle_name_search(s->name, s->name_count, name, &pos)) {
		result = handle_name_dup(name);
		insert_name_before(s, result, handle, pos);
	}
	table_wunlock(&s->lock);
	return result;
}

#endif
