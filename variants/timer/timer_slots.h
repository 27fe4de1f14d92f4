#ifndef SKYBENCH_TIMER_SLOTS_H
#define SKYBENCH_TIMER_SLOTS_H

/* The growth step of the id -> timer slot tables that wheel.c and heap.c keep for cancel
 * (an id is generation << 32 | slot index): double the array, never past 2^32 - 1 slots. */

#include "runtime_services.h"

#include <stdint.h>
#include <stdlib.h>

#define SLOT_NIL UINT32_MAX

/* Make room for one more slot in *array (elem bytes each, *cap of them, n in use). */
static inline void
slot_table_reserve(void **array, size_t *cap, size_t n, size_t elem) {
	if (n < *cap)
		return;
	size_t ncap = *cap ? *cap * 2 : 64;
	if (ncap > SLOT_NIL)
		ncap = SLOT_NIL;
	if (n == ncap)
		abort();	/* 2^32 - 1 slots all live or retired */
	void *a = skynet_realloc(*array, ncap * elem);
	if (a == NULL)
		abort();
	*array = a;
	*cap = ncap;
}

#endif
