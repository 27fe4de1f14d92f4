/* skynet's NOUSE_JEMALLOC allocator glue: glibc malloc, no per-service accounting. */

#include "skynet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
skynet_strdup(const char *str) {
	size_t sz = strlen(str);
	char *ret = skynet_malloc(sz + 1);
	memcpy(ret, str, sz + 1);
	return ret;
}

void *
skynet_lalloc(void *ptr, size_t osize, size_t nsize) {
	(void)osize;
	if (nsize == 0) {
		skynet_free(ptr);
		return NULL;
	}
	return skynet_realloc(ptr, nsize);
}

void
skynet_debug_memory(const char *info) {
	fprintf(stderr, "[:%08x] %s: memory accounting is off (glibc malloc build)\n",
		skynet_current_handle(), info ? info : "");
}
