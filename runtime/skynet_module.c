/* C service modules (skynet_module.c): shared objects found through cpath, a ';'-separated
 * list of templates whose '?' is replaced by the module name, opened with
 * dlopen(RTLD_NOW | RTLD_GLOBAL) in order. At most MAX_MODULE_TYPE modules, never unloaded
 * before exit.
 *
 * Lookup is skynet's double-checked scan: an unlocked scan of the first `count` slots,
 * then under the spinlock a re-scan and the load. skynet reads `count` as a plain int;
 * here it is atomic: the loader fills slot[count] completely, then publishes it with a
 * release store of count+1, and an unlocked reader's acquire load of count makes every
 * slot below it fully visible. Slots are never modified once published. */

#include "skynet.h"
#include "skynet_module.h"
#include "skynet_env.h"
#include "spinlock.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DLERROR_SIZE 256

struct modules {
	atomic_int count;
	struct spinlock lock;
	char *path;
	struct skynet_module m[MAX_MODULE_TYPE];
};

static struct modules *M = NULL;

/* Tries each template; on failure logs the most telling dlerror: the first one that is
 * not "file not found" (a module that exists but fails to load), else the last one. */
static void *
try_open(struct modules *m, const char *name) {
	const char *p = m->path;
	size_t name_len = strlen(name);
	char *tmp = malloc(strlen(p) + name_len + 1);
	char why[DLERROR_SIZE] = "";
	int telling = 0;
	void *dl = NULL;
	if (tmp == NULL)
		return NULL;
	while (dl == NULL) {
		while (*p == ';')
			p++;
		if (*p == '\0')
			break;
		const char *end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		const char *q = memchr(p, '?', end - p);	/* checked by skynet_module_init */
		size_t pre = q - p, post = end - q - 1;
		memcpy(tmp, p, pre);
		memcpy(tmp + pre, name, name_len);
		memcpy(tmp + pre + name_len, q + 1, post);
		tmp[pre + name_len + post] = '\0';
		dl = dlopen(tmp, RTLD_NOW | RTLD_GLOBAL);
		if (dl == NULL && !telling) {
			const char *e = dlerror();
			snprintf(why, sizeof(why), "%s", e ? e : "unknown dlopen error");
			telling = strstr(why, "No such file or directory") == NULL;
		}
		p = end;
	}
	free(tmp);
	if (dl == NULL)
		skynet_error(NULL, "try open %s failed : %s", name, why[0] ? why : "cpath is empty");
	return dl;
}

static struct skynet_module *
query(const char *name) {
	/* acquire: pairs with the release store in skynet_module_query; slots below count are
	 * complete and immutable */
	int n = atomic_load_explicit(&M->count, memory_order_acquire);
	int i;
	for (i = 0; i < n; i++)
		if (strcmp(M->m[i].name, name) == 0)
			return &M->m[i];
	return NULL;
}

static void *
get_api(struct skynet_module *mod, const char *api_name) {
	const char *dot = strrchr(mod->name, '.');
	const char *prefix = dot ? dot + 1 : mod->name;
	size_t pl = strlen(prefix), al = strlen(api_name);
	char sym[pl + al + 1];
	memcpy(sym, prefix, pl);
	memcpy(sym + pl, api_name, al + 1);
	return dlsym(mod->module, sym);
}

/* dlsym returns void *; POSIX guarantees it converts to a function pointer. The copy
 * through memcpy keeps -Wpedantic quiet about object-to-function pointer casts. */
#define SYM(dst, mod, api) do { void *s_ = get_api((mod), (api)); memcpy(&(dst), &s_, sizeof(s_)); } while (0)

static int
open_sym(struct skynet_module *mod) {
	SYM(mod->create, mod, "_create");
	SYM(mod->init, mod, "_init");
	SYM(mod->release, mod, "_release");
	SYM(mod->signal, mod, "_signal");
	return mod->init == NULL;
}

struct skynet_module *
skynet_module_query(const char *name) {
	struct skynet_module *result = query(name);
	if (result)
		return result;
	spinlock_lock(&M->lock);
	result = query(name);	/* another thread may have loaded it meanwhile */
	/* relaxed: count only changes under the lock we hold */
	int index = atomic_load_explicit(&M->count, memory_order_relaxed);
	if (result == NULL && index >= MAX_MODULE_TYPE) {
		skynet_error(NULL, "Can't load module %s: too many modules (max %d)", name, MAX_MODULE_TYPE);
	} else if (result == NULL) {
		void *dl = try_open(M, name);
		if (dl) {
			struct skynet_module *mod = &M->m[index];
			mod->name = name;
			mod->module = dl;
			if (open_sym(mod) == 0 && (mod->name = strdup(name)) != NULL) {
				/* release: publishes the filled slot to unlocked readers (see top) */
				atomic_store_explicit(&M->count, index + 1, memory_order_release);
				result = mod;
			} else {
				if (mod->init == NULL)
					skynet_error(NULL, "Can't find symbol %s_init", name);
				dlclose(dl);
				memset(mod, 0, sizeof(*mod));
			}
		}
	}
	spinlock_unlock(&M->lock);
	return result;
}

void *
skynet_module_instance_create(struct skynet_module *m) {
	if (m->create)
		return m->create();
	return (void *)(intptr_t)(~0);
}

int
skynet_module_instance_init(struct skynet_module *m, void *inst, struct skynet_context *ctx, const char *parm) {
	return m->init(inst, ctx, parm);
}

void
skynet_module_instance_release(struct skynet_module *m, void *inst) {
	if (m->release)
		m->release(inst);
}

void
skynet_module_instance_signal(struct skynet_module *m, void *inst, int signal) {
	if (m->signal)
		m->signal(inst, signal);
}

/* every template must hold a '?' (skynet exits with "Invalid C service path") */
static int
check_path(const char *path) {
	const char *p = path;
	int templates = 0;
	for (;;) {
		while (*p == ';')
			p++;
		if (*p == '\0')
			break;
		const char *end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if (memchr(p, '?', end - p) == NULL) {
			char all[512], one[256];
			snprintf(one, sizeof(one), "%.*s", (int)(end - p), p);
			fprintf(stderr, "skybench-node: invalid C service path (cpath) '%s': template '%s' has no '?'\n",
				skynet_env_shown(path, all, sizeof(all)), skynet_env_shown(one, one, sizeof(one)));
			return -1;
		}
		templates++;
		p = end;
	}
	if (templates == 0) {
		char all[512];
		fprintf(stderr, "skybench-node: invalid C service path (cpath) '%s': no template\n",
			skynet_env_shown(path, all, sizeof(all)));
		return -1;
	}
	return 0;
}

int
skynet_module_init(const char *path) {
	if (path == NULL || check_path(path))
		return -1;
	struct modules *m = calloc(1, sizeof(*m));
	if (m == NULL || (m->path = strdup(path)) == NULL) {
		free(m);
		fprintf(stderr, "skybench-node: out of memory in skynet_module_init\n");
		return -1;
	}
	atomic_init(&m->count, 0);
	spinlock_init(&m->lock);
	M = m;
	return 0;
}

/* Every service must be released and every thread stopped. Modules stay mapped (no
 * dlclose): a leak checker or profiler still resolves their symbols at exit. */
void
skynet_module_exit(void) {
	int i;
	if (M == NULL)
		return;
	int n = atomic_load_explicit(&M->count, memory_order_relaxed);	/* relaxed: single-threaded now */
	for (i = 0; i < n; i++)
		free((char *)M->m[i].name);
	spinlock_destroy(&M->lock);
	free(M->path);
	free(M);
	M = NULL;
}
