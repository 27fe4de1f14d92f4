/* Worker identity on a running node (skynet_sched.h: skynet_worker_id, skynet_worker_count),
 * reported as TAP (svc_tap.h). Roles by parameter:
 *   WORKERS   the checker (bootstrap): its init runs on the main thread (id -1, count
 *             WORKERS), and so does a thread it starts itself; from its first callback it
 *             launches CHILDREN children (their init runs on a worker), bounces ROUNDS
 *             messages with each and sets TIMERS timers; then reports and ABORTs
 *   child     echoes every message back
 * Every callback and every init on a worker records (id, thread): the id must be in
 * 0..WORKERS-1, each id must belong to one thread and each thread keep one id. */

#include "skynet.h"
#include "skynet_sched.h"
#include "svc_tap.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHILDREN 8
#define ROUNDS 200
#define TIMERS 4
#define MAXW 64

enum kind { CHILD_INIT, MESSAGE, TIMER, KINDS };
static const char *const kind_name[KINDS] = { "child init (LAUNCH from a callback)",
	"message callback", "timer callback" };

/* shared by every instance (one module, one copy) */
static _Atomic uintptr_t id_thread[MAXW];	/* the thread seen with each worker id */
static atomic_long seen[KINDS], out_of_range[KINDS], mismatched;
/* the id this thread reported first; -2: none yet */
static _Thread_local int thread_id = -2;

static void
record(enum kind k) {
	int id = skynet_worker_id();
	int n = skynet_worker_count();
	atomic_fetch_add(&seen[k], 1);
	if (id < 0 || id >= n || id >= MAXW) {
		atomic_fetch_add(&out_of_range[k], 1);
		return;
	}
	uintptr_t self = (uintptr_t)pthread_self(), was = 0;
	if (!atomic_compare_exchange_strong(&id_thread[id], &was, self) && was != self)
		atomic_fetch_add(&mismatched, 1);	/* a second thread with this id */
	if (thread_id == -2)
		thread_id = id;
	else if (thread_id != id)
		atomic_fetch_add(&mismatched, 1);	/* this thread changed id */
}

struct worker_svc {
	int checker;
	int workers;
	uint32_t child[CHILDREN];
	int replies;
	int timer_session[TIMERS];
	int timers;
	int started;
};

struct worker_svc *
test_worker_create(void) {
	struct worker_svc *w = skynet_malloc(sizeof(*w));
	memset(w, 0, sizeof(*w));
	return w;
}

void
test_worker_release(struct worker_svc *w) {
	skynet_free(w);
}

static void
report(struct skynet_context *ctx, struct worker_svc *w) {
	for (int k = 0; k < KINDS; k++)
		SVC_OK(ctx, atomic_load(&seen[k]) > 0 && atomic_load(&out_of_range[k]) == 0,
			"every %s ran with a worker id in 0..%d (%ld seen, %ld out of range)", kind_name[k],
			w->workers - 1, atomic_load(&seen[k]), atomic_load(&out_of_range[k]));
	int distinct = 0;
	for (int i = 0; i < MAXW; i++)
		distinct += atomic_load(&id_thread[i]) != 0;
	SVC_OK(ctx, atomic_load(&mismatched) == 0,
		"each worker id belongs to one thread and each worker thread keeps its id (%d ids seen)", distinct);
	svc_tap_write(ctx, "TAPDONE");
	skynet_command(ctx, "ABORT", NULL);
}

static void
start(struct skynet_context *ctx, struct worker_svc *w) {
	for (int i = 0; i < CHILDREN; i++) {
		const char *h = skynet_command(ctx, "LAUNCH", "test_worker child");
		w->child[i] = h ? (uint32_t)strtoul(h + 1, NULL, 16) : 0;
		for (int r = 0; r < ROUNDS && w->child[i]; r++)
			skynet_send(ctx, 0, w->child[i], PTYPE_TEXT, 0, NULL, 0);
	}
	for (int i = 0; i < TIMERS; i++) {
		const char *s = skynet_command(ctx, "TIMEOUT", "1");
		w->timer_session[i] = s ? atoi(s) : -1;
	}
}

static int
checker_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source,
	const void *msg, size_t sz) {
	(void)source; (void)msg; (void)sz;
	struct worker_svc *w = ud;
	if (!w->started) {
		w->started = 1;
		record(MESSAGE);
		start(ctx, w);
		return 0;
	}
	if (type == PTYPE_RESPONSE) {
		for (int i = 0; i < TIMERS; i++)
			if (session == w->timer_session[i]) {
				record(TIMER);
				w->timers++;
			}
	} else {
		record(MESSAGE);
		w->replies++;
	}
	if (w->replies == CHILDREN * ROUNDS && w->timers == TIMERS)
		report(ctx, w);
	return 0;
}

static int
child_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source,
	const void *msg, size_t sz) {
	(void)ud; (void)type; (void)session; (void)msg; (void)sz;
	record(MESSAGE);
	skynet_send(ctx, 0, source, PTYPE_TEXT, 0, NULL, 0);
	return 0;
}

static void *
foreign_thread(void *arg) {
	*(int *)arg = skynet_worker_id();
	return NULL;
}

int
test_worker_init(struct worker_svc *w, struct skynet_context *ctx, const char *parm) {
	if (parm && strcmp(parm, "child") == 0) {
		record(CHILD_INIT);
		skynet_callback(ctx, w, child_cb);
		return 0;
	}
	w->checker = 1;
	w->workers = parm ? atoi(parm) : 0;
	/* the bootstrap service starts on the main thread, before any worker */
	SVC_OK(ctx, skynet_worker_id() == -1, "the main thread has no worker id (got %d)", skynet_worker_id());
	SVC_OK(ctx, skynet_worker_count() == w->workers, "the worker count is the config's thread (%d, got %d)",
		w->workers, skynet_worker_count());
	int other = 0;
	pthread_t t;
	if (pthread_create(&t, NULL, foreign_thread, &other) == 0)
		pthread_join(t, NULL);
	SVC_OK(ctx, other == -1, "a thread the service starts itself has no worker id (got %d)", other);
	skynet_callback(ctx, w, checker_cb);
	/* the first callback, on a worker, starts the rounds */
	uint32_t self = (uint32_t)strtoul(skynet_command(ctx, "REG", NULL) + 1, NULL, 16);
	skynet_send(ctx, 0, self, PTYPE_TEXT, 0, NULL, 0);
	return 0;
}
