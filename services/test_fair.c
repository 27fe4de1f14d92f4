/* Fairness under a chatty pair, counted in dispatches (docs/verification.md, "Scheduler
 * guarantees and their tests"), reported as TAP (svc_tap.h).
 *
 * "test_fair SCHED K I PROBES", on a node of one worker: this service, X, launches a pair
 * P, Q that ping-pongs one message at full speed, every dispatch of either counted in one
 * shared counter. X then takes PROBES probes of each kind, one at a time, and measures
 * how many pair dispatches pass between the moment a message to X is pending and X's
 * dispatch of it:
 *   send    P sends to X from its callback just before its send to Q: under SCHED=steal X
 *           goes to the worker's next slot and Q displaces it to the back of the ring;
 *   timer   the timer thread delivers X's TIMEOUT (pushed from a non-worker thread: the
 *           injection queue under SCHED=steal);
 *   socket  the socket thread delivers a byte X wrote into a pipe bound with
 *           skynet_socket_bind (the injection queue as well).
 * For send the moment is P's send; for timer and socket it is the first pair dispatch that
 * finds X's mailbox non-empty (X's STAT mqlen, read by the pair under a hand-off that keeps
 * X's own skynet_command calls apart from it).
 *
 * Bounds, from the scheduler's rules, with S = 4 mailboxes on the node (logger, X, P, Q)
 * and one worker, which takes one message per visit (workers 0-3, skynet_start.c):
 *   global  one FIFO: at most S - 1 mailboxes are ahead of X, each dispatched once before
 *           X, plus the one being dispatched when X was queued: B = S.
 *   steal   send: X is in the ring with at most S - 1 mailboxes ahead; the worker takes
 *           its ring's head at least once per K + 1 pops (K = sched_next, the budget of
 *           consecutive next-slot runs), and one pop in I (I = sched_inject) may go to the
 *           injection queue: B = S * (K + 2).
 *           timer, socket: X is in the injection queue with at most S - 1 mailboxes ahead,
 *           and the worker takes its head at least once per I pops even while its own
 *           queue is busy: B = S * I + K + 1 (the pop count at the push is arbitrary; a
 *           next-slot run may be under way).
 * At one worker nothing else runs while X waits, so the counts are the scheduler's rules
 * alone; with more workers, the OS preempting the worker that holds X would add pair
 * dispatches on the others, which is time, not scheduling. */

#include "skynet.h"
#include "skynet_socket.h"
#include "svc_tap.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SERVICES 4
enum kind { SEND, TIMER, SOCKET, KINDS };
static const char *const kind_name[KINDS] = { "a worker's send", "the timer thread", "the socket thread" };

/* Shared by the three instances (one module, one copy). */
static atomic_long pair_dispatches;
/* the probe hand-off between X and the pair: IDLE (no probe), WANT_SEND (P is to send one),
 * ARMED (a message to X is on its way: the pair polls X's length), POLLING (a pair callback
 * reads it now), SEEN (stamp holds the pair count when it was first seen pending) */
enum { IDLE, WANT_SEND, ARMED, POLLING, SEEN };
static atomic_int probe_state;
static atomic_long stamp;
static struct skynet_context *x_ctx;	/* set by X's init, before the pair exists */

struct fair {
	int role;	/* 0: X, 1: P, 2: Q */
	uint32_t peer;	/* P: Q; Q: P; X: P */
	uint32_t x;	/* P: X */
	atomic_int busy;
	long errors;
	/* X */
	int sched_steal, k, inject, probes;
	int started;	/* the bind's CONNECT came: the pair runs, probes follow */
	enum kind kind;
	int done[KINDS];
	long max_delay[KINDS];
	int fd[2], socket_id, timer_session;
};

struct fair *
test_fair_create(void) {
	struct fair *f = skynet_malloc(sizeof(*f));
	memset(f, 0, sizeof(*f));
	f->fd[0] = f->fd[1] = -1;
	return f;
}

void
test_fair_release(struct fair *f) {
	if (f->fd[1] >= 0)
		close(f->fd[1]);
	skynet_free(f);
}

static long
bound(struct fair *f, enum kind k) {
	if (!f->sched_steal)
		return SERVICES;
	if (k == SEND)
		return (long)SERVICES * (f->k + 2);
	return (long)SERVICES * f->inject + f->k + 1;
}

/* a pair dispatch: count it and, while a probe is armed, look at X's mailbox */
static void
pair_tick(struct skynet_context *ctx, struct fair *f) {
	long n = atomic_fetch_add(&pair_dispatches, 1) + 1;
	if (f->role == 1) {
		int want = WANT_SEND;
		if (atomic_compare_exchange_strong(&probe_state, &want, SEEN)) {
			/* stamp before the send: X cannot run before this callback returns (one
			 * worker), and with more it would only make the delay look longer */
			atomic_store(&stamp, n);
			skynet_send(ctx, 0, f->x, PTYPE_TEXT, 0, NULL, 0);
			return;
		}
	}
	int armed = ARMED;
	if (atomic_compare_exchange_strong(&probe_state, &armed, POLLING)) {
		int len = atoi(skynet_command(x_ctx, "STAT", "mqlen"));
		if (len > 0)
			atomic_store(&stamp, n);
		atomic_store(&probe_state, len > 0 ? SEEN : ARMED);
	}
}

static void
arm(struct skynet_context *ctx, struct fair *f) {
	switch (f->kind) {
	case SEND:
		atomic_store(&probe_state, WANT_SEND);
		break;
	case TIMER: {
		const char *s = skynet_command(ctx, "TIMEOUT", "1");
		f->timer_session = s ? atoi(s) : -1;
		atomic_store(&probe_state, ARMED);
		break;
	}
	case SOCKET:
		atomic_store(&probe_state, ARMED);
		if (write(f->fd[1], "p", 1) != 1)
			f->errors++;
		break;
	case KINDS:
		break;
	}
}

static void
report(struct skynet_context *ctx, struct fair *f) {
	for (int k = 0; k < KINDS; k++)
		SVC_OK(ctx, f->done[k] == f->probes && f->max_delay[k] <= bound(f, k),
			"%s: each of %d messages to X dispatched within %ld pair dispatches (worst %ld; bound: %s)",
			kind_name[k], f->probes, bound(f, k), f->max_delay[k],
			!f->sched_steal ? "S with one global queue" : k == SEND ? "S*(K+2), ring head every K+1 pops" :
			"S*I+K+1, injection queue every I pops");
	SVC_OK(ctx, f->errors == 0, "no unexpected message, no overlapping callback (%ld errors)", f->errors);
	svc_tap_write(ctx, "# %ld pair dispatches in all", atomic_load(&pair_dispatches));
	svc_tap_write(ctx, "TAPDONE");
	skynet_command(ctx, "ABORT", NULL);
}

/* X got its probe: how long did it wait, then the next probe */
static void
probe_arrived(struct skynet_context *ctx, struct fair *f) {
	long now = atomic_load(&pair_dispatches);
	int st;
	for (;;) {
		st = atomic_load(&probe_state);
		if (st == POLLING)
			continue;	/* a pair callback is reading our length: a few instructions */
		if (atomic_compare_exchange_strong(&probe_state, &st, IDLE))
			break;
	}
	/* ARMED: dispatched before any pair dispatch found it pending, so no pair dispatch
	 * waited for it */
	long delay = st == SEEN ? now - atomic_load(&stamp) : 0;
	if (delay > f->max_delay[f->kind])
		f->max_delay[f->kind] = delay;
	if (++f->done[f->kind] == f->probes)
		f->kind++;
	if (f->kind == KINDS)
		report(ctx, f);
	else
		arm(ctx, f);
}

static int
fair_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct fair *f = ud;
	if (atomic_exchange(&f->busy, 1))
		f->errors++;
	if (f->role != 0) {
		pair_tick(ctx, f);
		/* Q answers whoever sent: it was launched before P had a handle */
		skynet_send(ctx, 0, f->role == 1 ? f->peer : source, PTYPE_TEXT, 0, NULL, 0);
	} else if (type == PTYPE_SOCKET) {
		const struct skynet_socket_message *m = msg;
		if (m->type == SKYNET_SOCKET_TYPE_DATA) {
			skynet_free(m->buffer);
			if (f->kind == SOCKET)
				probe_arrived(ctx, f);
			else
				f->errors++;
		} else if (m->type == SKYNET_SOCKET_TYPE_CONNECT && !f->started) {
			/* the bind is done: from here on, only probes reach X, so a pair dispatch
			 * that finds X's mailbox non-empty has found the probe (a late CONNECT
			 * taken for the timer probe was once counted as a 10 ms wait under qemu);
			 * start the pair, then the first probe */
			f->started = 1;
			skynet_send(ctx, 0, f->peer, PTYPE_TEXT, 0, NULL, 0);
			arm(ctx, f);
		} else {
			f->errors++;
		}
	} else if ((type == PTYPE_RESPONSE && f->kind == TIMER && session == f->timer_session) ||
	    (type == PTYPE_TEXT && f->kind == SEND)) {
		probe_arrived(ctx, f);
	} else {
		f->errors++;
	}
	(void)sz;
	atomic_store(&f->busy, 0);
	return 0;
}

static uint32_t
handle_of(const char *h) {
	return h ? (uint32_t)strtoul(h + 1, NULL, 16) : 0;
}

int
test_fair_init(struct fair *f, struct skynet_context *ctx, const char *parm) {
	unsigned peer, x;
	skynet_callback(ctx, f, fair_cb);
	if (parm && strcmp(parm, "pong") == 0) {
		f->role = 2;
		return 0;
	}
	if (parm && sscanf(parm, "ping %x %x", &peer, &x) == 2) {
		f->role = 1;
		f->peer = peer;
		f->x = x;
		return 0;
	}
	char sched[16];
	if (parm == NULL || sscanf(parm, "%15s %d %d %d", sched, &f->k, &f->inject, &f->probes) != 4 ||
	    f->k < 0 || f->inject < 1 || f->probes < 1)
		return 1;
	f->sched_steal = strcmp(sched, "steal") == 0;
	x_ctx = ctx;
	uint32_t self = handle_of(skynet_command(ctx, "REG", NULL));
	char cmd[64];
	uint32_t q = handle_of(skynet_command(ctx, "LAUNCH", "test_fair pong"));
	snprintf(cmd, sizeof(cmd), "test_fair ping %x %x", q, self);
	uint32_t p = handle_of(skynet_command(ctx, "LAUNCH", cmd));
	if (p == 0 || q == 0 || pipe(f->fd) != 0)
		return 1;
	f->peer = p;
	/* the socket thread's CONNECT for this bind starts everything (fair_cb) */
	f->socket_id = skynet_socket_bind(ctx, f->fd[0]);
	return f->socket_id < 0;
}
