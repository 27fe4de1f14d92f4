/* skybench-test: partless */
/* The module loader (runtime/skynet_module.c): cpath templates, symbol prefixes, the
 * optional symbols, the 32-module limit, and concurrent first queries (run it under
 * SAN=thread). Uses this build's services (SKYBENCH_BUILD). */

#include "tap.h"
#include "skynet.h"
#include "skynet_module.h"
#include "handle.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
static char svc[512];

static void
link_service(const char *service, const char *as) {
	char from[600], to[256];
	snprintf(from, sizeof(from), "%s/%s.so", svc, service);
	snprintf(to, sizeof(to), "%s/%s.so", dir, as);
	if (symlink(from, to) != 0)
		bail_out("symlink %s -> %s failed", to, from);
}

static int
init_path(const char *fmt) {
	char path[1024];
	snprintf(path, sizeof(path), fmt, dir, svc);
	return skynet_module_init(path);
}

static void
test_bad_paths(void) {
	diag("three lines about invalid C service paths are expected on stderr:");
	is_int(skynet_module_init("./cservice/logger.so"), -1, "a template without '?' is rejected");
	is_int(skynet_module_init("./a/?.so;./b.so"), -1, "one template without '?' among others is rejected");
	is_int(skynet_module_init(";;"), -1, "a path without templates is rejected");
}

static void
test_query(void) {
	is_int(init_path("%s/?.so;;%s/?.so"), 0, "a valid path is accepted");
	struct skynet_module *lg = skynet_module_query("logger");
	ok(lg != NULL, "logger found through the second template (the first, a temp dir, lacks it)");
	if (lg == NULL)
		bail_out("cannot load the logger service from %s", svc);
	ok(lg->create && lg->init && lg->release && lg->signal, "logger: all four symbols found");
	ok(strcmp(lg->name, "logger") == 0, "the module keeps its name");
	ok(skynet_module_query("logger") == lg, "a second query returns the same module");

	struct skynet_module *f = skynet_module_query("test_initfail");
	ok(f != NULL && f->init != NULL, "test_initfail found");
	ok(f && f->create == NULL && f->release == NULL && f->signal == NULL, "only _init is mandatory");
	void *inst = skynet_module_instance_create(f);
	ok(inst == (void *)(intptr_t)(~0), "no _create: the instance is ~0");
	is_int(skynet_module_instance_init(f, inst, NULL, "x"), 1, "instance_init returns what _init returns");
	skynet_module_instance_release(f, inst);
	skynet_module_instance_signal(f, inst, 1);
	ok(1, "release and signal without the symbols do nothing");

	ok(skynet_module_query("no_such_module") == NULL, "a missing module is NULL");
	ok(skynet_module_query("no_such_module") == NULL, "a missing module stays NULL");

	link_service("test_initfail", "ns.sub.test_initfail");
	struct skynet_module *d = skynet_module_query("ns.sub.test_initfail");
	ok(d != NULL && d->init != NULL, "symbol prefix is the part after the last '.'");

	link_service("logger", "nosym");
	ok(skynet_module_query("nosym") == NULL, "a library without <name>_init is refused");
	ok(skynet_module_query("logger") == lg, "a refused library leaves the table intact");
	skynet_module_exit();
}

static void
test_limit(void) {
	char name[64];
	int i, loaded = 0;
	is_int(init_path("%s/?.so;%s/?.so"), 0, "init for the limit test");
	for (i = 0; i <= MAX_MODULE_TYPE; i++) {
		snprintf(name, sizeof(name), "m%d.test_initfail", i);
		link_service("test_initfail", name);
	}
	for (i = 0; i < MAX_MODULE_TYPE; i++) {
		snprintf(name, sizeof(name), "m%d.test_initfail", i);
		loaded += skynet_module_query(name) != NULL;
	}
	is_int(loaded, MAX_MODULE_TYPE, "%d modules load", MAX_MODULE_TYPE);
	snprintf(name, sizeof(name), "m%d.test_initfail", MAX_MODULE_TYPE);
	ok(skynet_module_query(name) == NULL, "module %d is refused", MAX_MODULE_TYPE + 1);
	ok(skynet_module_query("m0.test_initfail") != NULL, "loaded modules stay queryable at the limit");
	skynet_module_exit();
}

#define QTHREADS 4

static pthread_barrier_t barrier;
static struct skynet_module *seen[QTHREADS][3];

static void *
querier(void *arg) {
	int id = (int)(intptr_t)arg;
	static const char *names[3] = { "logger", "test_initfail", "ns.sub.test_initfail" };
	pthread_barrier_wait(&barrier);
	for (int k = 0; k < 3; k++)
		seen[id][(k + id) % 3] = skynet_module_query(names[(k + id) % 3]);
	return NULL;
}

static void
test_concurrent(void) {
	pthread_t t[QTHREADS];
	int i, k, same = 1;
	is_int(init_path("%s/?.so;%s/?.so"), 0, "init for the concurrency test");
	pthread_barrier_init(&barrier, NULL, QTHREADS);
	for (i = 0; i < QTHREADS; i++)
		pthread_create(&t[i], NULL, querier, (void *)(intptr_t)i);
	for (i = 0; i < QTHREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&barrier);
	for (k = 0; k < 3; k++)
		for (i = 0; i < QTHREADS; i++)
			same &= seen[i][k] != NULL && seen[i][k] == seen[0][k];
	ok(same, "%d threads querying the same new modules at once get the same entries", QTHREADS);
	ok(seen[0][0] != seen[0][1] && seen[0][1] != seen[0][2], "different modules get different entries");
	skynet_module_exit();
}

int
main(void) {
	const char *b = getenv("SKYBENCH_BUILD");
	if (b == NULL) {
		skip("SKYBENCH_BUILD is not set: no services to load (run through make test)");
		return done_testing();
	}
	snprintf(svc, sizeof(svc), "%s/services", b);
	snprintf(dir, sizeof(dir), "/tmp/skybench-test_module-XXXXXX");
	if (mkdtemp(dir) == NULL)
		bail_out("mkdtemp failed");
	/* skynet_error (a failed load logs) looks the logger up by name: no logger, dropped */
	skynet_handle_init(1);
	skynet_handle_thread_start();
	test_bad_paths();
	test_query();
	test_limit();
	test_concurrent();
	skynet_handle_thread_stop();
	skynet_handle_exit();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
