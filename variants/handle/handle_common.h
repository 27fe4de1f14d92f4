#ifndef SKYBENCH_HANDLE_COMMON_H
#define SKYBENCH_HANDLE_COMMON_H

/* What every handle table shares: skynet v1.8.0's constants, the id probe and the sorted
 * name array's binary search. Locking lives in handle_locked.h (rwlock, brlock) and
 * handle_rcu.h (rcu, urcu).
 *
 * One deliberate difference from skynet: a slot stores the id it was registered under next
 * to the context pointer, and the table never calls skynet_context_handle(). skynet reads
 * ctx->handle, which the runtime stores only after register returns; a second register
 * that grows the table inside that window would re-place the first context by handle 0,
 * and a grab in that window reads a field being written. With the id in the slot the
 * observable behaviour is skynet's and neither window exists. */

#include <stdint.h>
#include <string.h>

#include "handle.h"

/* HANDLE_TSAN: built with ThreadSanitizer (gcc or clang) */
#if defined(__SANITIZE_THREAD__)
#define HANDLE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HANDLE_TSAN 1
#endif
#endif

#define DEFAULT_SLOT_SIZE 4
#define MAX_SLOT_SIZE 0x40000000

struct handle_name {
	char * name;
	uint32_t handle;
};

/* ids run up to HANDLE_MASK, then wrap to 1: 0 is reserved for the system */
static inline uint32_t
handle_wrap(uint32_t h) {
	return h > HANDLE_MASK ? 1 : h;
}

/* Binary search by strcmp. Returns 1 and *pos = index if found, else 0 and *pos = the
 * index the name would be inserted at. */
static inline int
handle_name_search(const struct handle_name *names, int n, const char *name, int *pos) {
	int begin = 0, end = n - 1;
	while (begin <= end) {
		int mid = (begin + end) / 2;
		int c = strcmp(names[mid].name, name);
		if (c == 0) {
			*pos = mid;
			return 1;
		}
		if (c < 0)
			begin = mid + 1;
		else
			end = mid - 1;
	}
	*pos = begin;
	return 0;
}

static inline char *
handle_name_dup(const char *name) {
	size_t sz = strlen(name) + 1;
	char * s = skynet_malloc(sz);
	memcpy(s, name, sz);
	return s;
}

/* skynet's retire-all: sweep every slot and retire what is there, until a sweep finds
 * nothing. handle_at(i, &end) reads slot i under the variant's read protection and returns
 * the handle there (0 if empty), or sets end once i is past the array (which may grow). */
static inline void
handle_retire_sweep(uint32_t (*handle_at)(uint32_t i, int *end)) {
	for (;;) {
		int n = 0, end = 0;
		uint32_t i, handle;
		for (i = 0; (handle = handle_at(i, &end)), !end; i++) {
			if (handle) {
				n++;
				skynet_handle_retire(handle);
			}
		}
		if (n == 0)
			return;
	}
}

#endif
