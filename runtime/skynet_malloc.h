#ifndef skynet_malloc_h
#define skynet_malloc_h

/* skynet's allocator names. skybench builds skynet's NOUSE_JEMALLOC configuration:
 * every skynet_malloc is glibc malloc, so the variants are compared on the allocator
 * the reference numbers used. */

#include <stddef.h>

#define skynet_malloc malloc
#define skynet_calloc calloc
#define skynet_realloc realloc
#define skynet_free free

void * skynet_malloc(size_t sz);
void * skynet_calloc(size_t nmemb, size_t size);
void * skynet_realloc(void *ptr, size_t size);
void skynet_free(void *ptr);
char * skynet_strdup(const char *str);
void * skynet_lalloc(void *ptr, size_t osize, size_t nsize);	/* lua_Alloc shape */

#endif
