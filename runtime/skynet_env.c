/* The node's environment: a string table filled from the config file and by SETENV.
 * skynet keeps it in a private Lua state under a spinlock; we keep a growable array of
 * strdup'ed pairs. A key is set once and never changed or removed before exit, so a
 * value pointer handed out by getenv stays valid without the lock. */

#include "skynet_env.h"
#include "spinlock.h"

#include <stdlib.h>
#include <string.h>

struct env_entry {
	char *key;
	char *value;
};

struct env {
	struct spinlock lock;
	int count;
	int cap;
	struct env_entry *e;
};

static struct env *E = NULL;

static struct env_entry *
lookup(const char *key) {
	int i;
	for (i = 0; i < E->count; i++)
		if (strcmp(E->e[i].key, key) == 0)
			return &E->e[i];
	return NULL;
}

const char *
skynet_getenv(const char *key) {
	const char *v;
	spinlock_lock(&E->lock);
	struct env_entry *ent = lookup(key);
	v = ent ? ent->value : NULL;
	spinlock_unlock(&E->lock);
	return v;
}

int
skynet_setenv(const char *key, const char *value) {
	char *k = strdup(key), *v = strdup(value);
	if (k == NULL || v == NULL) {
		free(k);
		free(v);
		return -1;
	}
	spinlock_lock(&E->lock);
	if (lookup(key)) {
		spinlock_unlock(&E->lock);
		free(k);
		free(v);
		return -1;
	}
	if (E->count == E->cap) {
		int ncap = E->cap ? E->cap * 2 : 16;
		struct env_entry *ne = realloc(E->e, ncap * sizeof(*ne));
		if (ne == NULL) {
			spinlock_unlock(&E->lock);
			free(k);
			free(v);
			return -1;
		}
		E->e = ne;
		E->cap = ncap;
	}
	E->e[E->count].key = k;
	E->e[E->count].value = v;
	E->count++;
	spinlock_unlock(&E->lock);
	return 0;
}

void
skynet_env_init(void) {
	E = calloc(1, sizeof(*E));
	if (E == NULL)
		abort();
	spinlock_init(&E->lock);
}

void
skynet_env_exit(void) {
	int i;
	if (E == NULL)
		return;
	for (i = 0; i < E->count; i++) {
		free(E->e[i].key);
		free(E->e[i].value);
	}
	free(E->e);
	spinlock_destroy(&E->lock);
	free(E);
	E = NULL;
}

const char *
skynet_env_shown(const char *v, char *buf, size_t n) {
	size_t i;
	for (i = 0; v[i] && i + 1 < n; i++)
		buf[i] = ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) ? '?' : v[i];
	buf[i] = '\0';
	return buf;
}
