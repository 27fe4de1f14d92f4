/* Service-API checks on a running node, reported as TAP (svc_tap.h). Roles by parameter:
 *   (empty)    the checker: names, sends to dead handles, handle ids, LAUNCH failures, env,
 *              sessions, timers (order, TIMEOUT 0), bounced PTYPE_ERROR; then ABORT
 *   child      registers ".child" and waits
 *   sink       exits on its first message (the rest of its mailbox bounces, or, in a
 *              weighted batch, is still delivered and reported back)
 *   endless    one callback that spins until the monitor marks it endless
 *   overload   floods a "counter" child twice to trip the overload ladder (thread = 1)
 *   counter    counts messages, tells its parent when a round is complete
 *   logchild   echoes each message back with the last SIGNAL it received (LOGON/LOGOFF
 *              and SIGNAL checks) */

#include "skynet.h"
#include "svc_tap.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* own handle; skynet_current_handle() is only the service's during a callback (in init,
 * on the main thread, it is the thread tag) */
static uint32_t
self_handle(struct skynet_context *ctx) {
	return (uint32_t)strtoul(skynet_command(ctx, "REG", NULL) + 1, NULL, 16);
}
#include <time.h>

#define NTIMERS 8

struct api {
	char role[16];
	uint32_t parent;
	/* checker state */
	int timer_session[NTIMERS];
	int timer_ticks[NTIMERS];
	int timer_fired[NTIMERS];
	int fired_order[NTIMERS];
	int nfired;
	uint32_t sink;
	int guard;
	int bounce_session[5];
	int bounced[5];
	int late[5];	/* delivered to the sink after its EXIT, within the same weighted batch */
	int exited;	/* sink: EXIT done */
	int nbounced;
	int finished;
	/* counter / overload state */
	int count;
	int round;
	/* logchild state, and the checker's view of it */
	atomic_int signal;
	uint32_t logchild;
	int acks;
	int ack_signal_ok;
};

struct api *
test_api_create(void) {
	struct api *a = skynet_malloc(sizeof(*a));
	memset(a, 0, sizeof(*a));
	return a;
}

void
test_api_signal(struct api *a, int signal) {
	atomic_store(&a->signal, signal);
}

void
test_api_release(struct api *a) {
	skynet_free(a);
}

static uint32_t
handle_of(const char *hex) {
	return hex ? (uint32_t)strtoul(hex + 1, NULL, 16) : 0;
}

static void
finish(struct skynet_context *ctx, struct api *a) {
	if (a->finished)
		return;
	a->finished = 1;
	svc_tap_write(ctx, "# test_api done");
	svc_tap_write(ctx, "TAPDONE");
	skynet_command(ctx, "ABORT", NULL);
}

#define LOG_PAYLOAD "abc"

/* LOGON wrote one line per message the child handled: ":source type session time 616263" */
static void
check_log_file(struct skynet_context *ctx, struct api *a) {
	char cmd[16];
	snprintf(cmd, sizeof(cmd), ":%x", a->logchild);
	skynet_command(ctx, "LOGOFF", cmd);
	SVC_OK(ctx, a->ack_signal_ok, "SIGNAL reached the child's <name>_signal (it echoed signal 7)");
	const char *dir = skynet_command(ctx, "GETENV", "logpath");
	char path[512];
	snprintf(path, sizeof(path), "%s/%08x.log", dir ? dir : ".", a->logchild);
	FILE *f = fopen(path, "r");
	int lines = 0, opened = 0, closed = 0;
	char line[256];
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "open time:", 10) == 0)
			opened++;
		else if (strncmp(line, "close time:", 11) == 0)
			closed++;
		else if (line[0] == ':' && strstr(line, " 616263"))
			lines++;
	}
	if (f)
		fclose(f);
	SVC_OK(ctx, f && opened == 1 && closed == 1 && lines == 3,
		"LOGON/LOGOFF logged the 3 messages the child handled (%s: open %d, close %d, messages %d)",
		path, opened, closed, lines);
}

static void
check_timers_and_bounces(struct skynet_context *ctx, struct api *a) {
	if (a->nfired < NTIMERS || a->nbounced < 4 || a->acks < 3)
		return;
	check_log_file(ctx, a);
	/* expected order: by ticks, ties in the order added (ticks are spaced by 2, so a
	 * clock tick between two adds cannot reorder them) */
	int expect[NTIMERS], n = 0;
	for (int t = 0; t <= 10; t++)
		for (int i = 0; i < NTIMERS; i++)
			if (a->timer_ticks[i] == t)
				expect[n++] = i;
	int inorder = 1, once = 1;
	for (int i = 0; i < NTIMERS; i++) {
		if (a->fired_order[i] != expect[i])
			inorder = 0;
		if (a->timer_fired[i] != 1)
			once = 0;
	}
	SVC_OK(ctx, once, "each of %d timers fired exactly once (TIMEOUT 0 included)", NTIMERS);
	SVC_OK(ctx, inorder, "timers fired in expiry order, FIFO among equal expiry");
	int bounced_ok = a->bounced[0] == 0 && a->late[0] == 0, nlate = 0;
	for (int i = 1; i < 5; i++) {
		bounced_ok = bounced_ok && a->bounced[i] + a->late[i] == 1;
		nlate += a->late[i];
	}
	SVC_OK(ctx, bounced_ok, "the 4 messages left in a dead service's mailbox bounced as PTYPE_ERROR with their sessions (%d delivered after EXIT in a weighted batch instead)", nlate);
	finish(ctx, a);
}

static int
checker_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct api *a = ud;
	if (type == PTYPE_RESPONSE && session == a->guard) {
		SVC_OK(ctx, 0, "all timers and bounces arrived within 20 s (timers %d/%d, bounces %d/4)",
			a->nfired, NTIMERS, a->nbounced);
		finish(ctx, a);
		return 0;
	}
	if (type == PTYPE_RESPONSE) {
		for (int i = 0; i < NTIMERS; i++) {
			if (a->timer_session[i] == session) {
				if (a->timer_fired[i]++ == 0 && a->nfired < NTIMERS)
					a->fired_order[a->nfired++] = i;
				else
					SVC_OK(ctx, 0, "timer session %d fired twice", session);
			}
		}
	} else if (type == PTYPE_TEXT && source == a->sink && a->sink != 0) {
		for (int i = 0; i < 5; i++) {
			if (a->bounce_session[i] == session) {
				a->late[i]++;
				a->nbounced++;
			}
		}
	} else if (type == PTYPE_TEXT && source == a->logchild) {
		a->acks++;
		if (sz == sizeof(int) && *(const int *)msg == 7)
			a->ack_signal_ok = 1;
		else
			a->ack_signal_ok = 0;
	} else if (type == PTYPE_ERROR) {
		int known = 0;
		for (int i = 0; i < 5; i++) {
			if (a->bounce_session[i] == session && source == a->sink) {
				a->bounced[i]++;
				a->nbounced++;
				known = 1;
			}
		}
		if (!known)
			SVC_OK(ctx, 0, "unexpected PTYPE_ERROR session %d from :%08x", session, source);
	}
	check_timers_and_bounces(ctx, a);
	return 0;
}

static void
check_names(struct skynet_context *ctx) {
	uint32_t self = self_handle(ctx);
	char hex[16];
	snprintf(hex, sizeof(hex), ":%x", self);
	const char *r = skynet_command(ctx, "REG", NULL);
	SVC_OK(ctx, r && strcmp(r, hex) == 0, "REG with no name returns own handle %s", hex);
	r = skynet_command(ctx, "REG", ".api");
	SVC_OK(ctx, r && strcmp(r, "api") == 0, "REG .api binds the name");
	SVC_OK(ctx, skynet_command(ctx, "REG", ".api") == NULL, "REG of a taken name fails");
	r = skynet_command(ctx, "QUERY", ".api");
	SVC_OK(ctx, r && strcmp(r, hex) == 0, "QUERY .api finds own handle");
	SVC_OK(ctx, skynet_command(ctx, "QUERY", ".nosuchname") == NULL, "QUERY of an unknown name is NULL");
	char cmd[64];
	snprintf(cmd, sizeof(cmd), ".api2 %s", hex);
	r = skynet_command(ctx, "NAME", cmd);
	SVC_OK(ctx, r != NULL, "NAME .api2 binds a second name to the same handle");
	SVC_OK(ctx, skynet_queryname(ctx, ".api2") == self, "skynet_queryname .api2");
	SVC_OK(ctx, skynet_queryname(ctx, hex) == self, "skynet_queryname :hex");
	int harbor = -1;
	SVC_OK(ctx, skynet_isremote(ctx, self, &harbor) == 0 && harbor == (int)(self >> 24), "own handle is local, harbor byte reported");
	SVC_OK(ctx, skynet_isremote(ctx, (self & 0xffffff) | ((((self >> 24) + 1) & 0xff) << 24), NULL) == 1, "a handle with another harbor byte is remote");
}

static void
check_dead_handles(struct skynet_context *ctx) {
	const char *r = skynet_command(ctx, "LAUNCH", "test_api child");
	uint32_t child = handle_of(r);
	SVC_OK(ctx, child != 0, "LAUNCH test_api child returns a handle");
	SVC_OK(ctx, skynet_queryname(ctx, ".child") == child, "the child's own REG .child is visible");
	char hex[16];
	snprintf(hex, sizeof(hex), ":%x", child);
	skynet_command(ctx, "KILL", hex);
	SVC_OK(ctx, skynet_command(ctx, "QUERY", ".child") == NULL, "names vanish when their service is killed");
	SVC_OK(ctx, skynet_send(ctx, 0, child, PTYPE_TEXT, 0, "hi", 2) == -1, "send (copy) to a dead handle returns -1");
	char *owned = skynet_strdup("owned payload");
	SVC_OK(ctx, skynet_send(ctx, 0, child, PTYPE_TEXT | PTYPE_TAG_DONTCOPY, 0, owned, 13) == -1,
		"send (DONTCOPY) to a dead handle returns -1 and frees the payload (ASan checks the free)");
	owned = skynet_strdup("owned payload");
	SVC_OK(ctx, skynet_sendname(ctx, 0, ".child", PTYPE_TEXT | PTYPE_TAG_DONTCOPY, 0, owned, 13) == -1,
		"sendname to a dead name returns -1 and frees a DONTCOPY payload");
	SVC_OK(ctx, skynet_send(ctx, 0, 0x00fffff0 | (child & 0xff000000), PTYPE_TEXT, 0, "x", 1) == -1,
		"send to a never-used handle returns -1");
	SVC_OK(ctx, skynet_send(ctx, 0, 0, PTYPE_TEXT, 0, "x", 1) == -1, "send to handle 0 with data returns -1");

	uint32_t last = child;
	int increasing = 1;
	for (int i = 0; i < 200; i++) {
		uint32_t h = handle_of(skynet_command(ctx, "LAUNCH", "test_api child"));
		if (h <= last)
			increasing = 0;
		last = h;
		snprintf(hex, sizeof(hex), ":%x", h);
		skynet_command(ctx, "KILL", hex);
	}
	SVC_OK(ctx, increasing, "200 launch/kill cycles get strictly increasing handles (no reuse before wrap)");
	SVC_OK(ctx, skynet_command(ctx, "LAUNCH", "no_such_module_xyz") == NULL, "LAUNCH of a missing module fails");
	SVC_OK(ctx, skynet_command(ctx, "LAUNCH", "test_initfail") == NULL, "LAUNCH of a module whose init fails fails");
}

static void
check_env_and_sessions(struct skynet_context *ctx) {
	skynet_command(ctx, "SETENV", "test_api_key some value");
	const char *v = skynet_command(ctx, "GETENV", "test_api_key");
	SVC_OK(ctx, v && strcmp(v, "some value") == 0, "SETENV then GETENV");
	const char *st = skynet_command(ctx, "STARTTIME", NULL);
	SVC_OK(ctx, st && strtoul(st, NULL, 10) > 1000000000UL, "STARTTIME is a wall-clock second count");
	int s1 = skynet_send(ctx, 0, 0, PTYPE_TAG_ALLOCSESSION, 0, NULL, 0);
	int s2 = skynet_send(ctx, 0, 0, PTYPE_TAG_ALLOCSESSION, 0, NULL, 0);
	SVC_OK(ctx, s1 > 0 && s2 == s1 + 1, "ALLOCSESSION to handle 0 without data allocates consecutive sessions");
	int big = skynet_send(ctx, 0, self_handle(ctx), PTYPE_TEXT, 0, NULL, (size_t)1 << 60);
	SVC_OK(ctx, big == -2, "a size using the type byte is rejected with -2");
	const char *stat = skynet_command(ctx, "STAT", "mqlen");
	SVC_OK(ctx, stat && strcmp(stat, "0") == 0, "STAT mqlen during init is 0");
}

static void
start_timers_and_bounces(struct skynet_context *ctx, struct api *a) {
	static const int ticks[NTIMERS] = { 0, 4, 2, 2, 6, 0, 10, 4 };
	for (int i = 0; i < NTIMERS; i++) {
		char t[16];
		snprintf(t, sizeof(t), "%d", ticks[i]);
		a->timer_ticks[i] = ticks[i];
		a->timer_session[i] = atoi(skynet_command(ctx, "TIMEOUT", t));
	}
	a->sink = handle_of(skynet_command(ctx, "LAUNCH", "test_api sink"));
	for (int i = 0; i < 5; i++) {
		a->bounce_session[i] = skynet_send(ctx, 0, a->sink, PTYPE_TEXT | PTYPE_TAG_ALLOCSESSION, 0, "bounce", 6);
	}
	/* a guard: report instead of hanging if something never arrives */
	a->guard = atoi(skynet_command(ctx, "TIMEOUT", "2000"));
}

static int
child_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	(void)ctx; (void)ud; (void)type; (void)session; (void)source; (void)msg; (void)sz;
	return 0;
}

static int
logchild_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct api *a = ud;
	(void)type; (void)session; (void)msg; (void)sz;
	int sig = atomic_load(&a->signal);
	skynet_send(ctx, 0, source, PTYPE_TEXT, 0, &sig, sizeof(sig));
	return 0;
}

static void
start_logchild(struct skynet_context *ctx, struct api *a) {
	a->logchild = handle_of(skynet_command(ctx, "LAUNCH", "test_api logchild"));
	char cmd[32];
	snprintf(cmd, sizeof(cmd), ":%x", a->logchild);
	skynet_command(ctx, "LOGON", cmd);
	snprintf(cmd, sizeof(cmd), ":%x 7", a->logchild);
	skynet_command(ctx, "SIGNAL", cmd);
	for (int i = 0; i < 3; i++)
		skynet_send(ctx, 0, a->logchild, PTYPE_TEXT, 0, LOG_PAYLOAD, strlen(LOG_PAYLOAD));
}

/* A worker past the fourth takes a weighted batch (skynet_context_message_dispatch): the
 * dispatcher holds the context, so the rest of that batch is still delivered after EXIT, as
 * in skynet; those messages are reported back (PTYPE_TEXT, same session) rather than
 * bounced. Either way each arrives back exactly once. */
static int
sink_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct api *a = ud;
	(void)type; (void)msg; (void)sz;
	if (a->exited) {
		skynet_send(ctx, 0, source, PTYPE_TEXT, session, NULL, 0);
		return 0;
	}
	a->exited = 1;
	skynet_command(ctx, "EXIT", NULL);
	return 0;
}

static int
endless_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	(void)ud; (void)session; (void)source; (void)msg; (void)sz;
	if (type == PTYPE_RESPONSE) {
		/* the pause below let the logger print the monitor's line before ABORT drops it */
		svc_tap_write(ctx, "TAPDONE");
		skynet_command(ctx, "ABORT", NULL);
		return 0;
	}
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	int marked = 0;
	for (;;) {
		const char *e = skynet_command(ctx, "STAT", "endless");
		if (e && strcmp(e, "1") == 0) {
			marked = 1;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 25)
			break;
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	SVC_OK(ctx, marked, "the monitor marked a callback that runs for > 5 s as endless");
	skynet_command(ctx, "TIMEOUT", "100");
	return 0;
}

#define OVERLOAD_ROUND1 1026
#define OVERLOAD_ROUND2 3000

static int
counter_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct api *a = ud;
	(void)type; (void)session; (void)source; (void)msg; (void)sz;
	++a->count;
	if (a->count == OVERLOAD_ROUND1 || a->count == OVERLOAD_ROUND1 + OVERLOAD_ROUND2)
		skynet_send(ctx, 0, a->parent, PTYPE_TEXT, 0, "round", 5);
	return 0;
}

static void
flood(struct skynet_context *ctx, uint32_t to, int n) {
	for (int i = 0; i < n; i++)
		skynet_send(ctx, 0, to, PTYPE_TEXT, 0, NULL, 0);
}

static int
overload_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct api *a = ud;
	(void)type; (void)session; (void)msg; (void)sz;
	if (++a->round == 1) {
		flood(ctx, source, OVERLOAD_ROUND2);
	} else {
		SVC_OK(ctx, 1, "counter drained both floods (%d + %d messages)", OVERLOAD_ROUND1, OVERLOAD_ROUND2);
		svc_tap_write(ctx, "TAPDONE");
		skynet_command(ctx, "ABORT", NULL);
	}
	return 0;
}

int
test_api_init(struct api *a, struct skynet_context *ctx, const char *parm) {
	snprintf(a->role, sizeof(a->role), "%s", parm ? parm : "");
	if (strcmp(a->role, "child") == 0) {
		skynet_command(ctx, "REG", ".child");
		skynet_callback(ctx, a, child_cb);
	} else if (strcmp(a->role, "logchild") == 0) {
		skynet_callback(ctx, a, logchild_cb);
	} else if (strcmp(a->role, "sink") == 0) {
		skynet_callback(ctx, a, sink_cb);
	} else if (strcmp(a->role, "endless") == 0) {
		skynet_callback(ctx, a, endless_cb);
		skynet_send(ctx, 0, self_handle(ctx), PTYPE_TEXT, 0, NULL, 0);
	} else if (strncmp(a->role, "counter", 7) == 0) {
		a->parent = (uint32_t)strtoul(parm + 8, NULL, 16);
		skynet_callback(ctx, a, counter_cb);
	} else if (strcmp(a->role, "overload") == 0) {
		char cmd[48];
		snprintf(cmd, sizeof(cmd), "test_api counter %x", self_handle(ctx));
		uint32_t counter = handle_of(skynet_command(ctx, "LAUNCH", cmd));
		skynet_callback(ctx, a, overload_cb);
		flood(ctx, counter, OVERLOAD_ROUND1);
	} else if (a->role[0] == '\0') {
		skynet_callback(ctx, a, checker_cb);
		check_names(ctx);
		check_dead_handles(ctx);
		check_env_and_sessions(ctx);
		start_timers_and_bounces(ctx, a);
		start_logchild(ctx, a);
	} else {
		return 1;
	}
	return 0;
}
