/* A parked worker must not strand the services queued on it (docs/verification.md,
 * "Scheduler guarantees and their tests"), reported as TAP (svc_tap.h).
 *
 * "test_strand K R GUARD": the coordinator (bootstrap) launches a blocker, K targets and K
 * partners. Once every target has answered a first message (so that all of them are parked
 * or about to be), it sends "block" to the blocker. The blocker's callback sends "wake" to
 * every target, from its worker W: under SCHED=steal these sends put the targets on W's own
 * run queue, the last one in W's next slot, the others in its ring. Then the callback blocks
 * W until a flag is set. Each woken target plays R rounds of ping-pong with its partner;
 * every partner also sends one numbered message per round to the blocker (queued behind
 * W's callback) and to the next target. The coordinator sets the flag only when every
 * target has finished: so the test ends only if the other workers ran everything that was
 * queued on W, its next slot included (under SCHED=global there is nothing per worker to
 * strand and it passes trivially). GUARD seconds without the flag end the block anyway, so
 * a stranded run fails instead of hanging. */

#include "skynet.h"
#include "skynet_sched.h"
#include "svc_tap.h"
#include "bench_svc.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXK 64

enum { READY = 1, BLOCK, WAKE, PING, PONG, TOBLOCKER, TONEXT, DONE, UNBLOCKED };

struct msg {
	uint32_t kind;
	uint32_t from;	/* partner index for TOBLOCKER, target index for TONEXT and DONE */
	uint32_t seq;
	uint32_t value;
};

/* one module, one copy (one coordinator per node): the flag the blocker waits on, the
 * blocked worker's id, and the targets' handles, written by the coordinator's init before
 * the blocker is launched */
static atomic_int release_flag;
static atomic_int blocked_worker = -1;
static uint32_t target_handles[MAXK];

enum role { COORD, BLOCKER, TARGET, PARTNER };

struct strand {
	enum role role;
	uint32_t k, r, index, guard;
	uint32_t coord, blocker, partner, next_target;
	uint32_t targets[MAXK];
	atomic_int busy;
	uint32_t errors;	/* order, loss, overlap, unexpected */
	/* coordinator */
	uint32_t ready, done, done_errors;
	/* target / partner */
	uint32_t rounds, expect_next;
	/* blocker */
	uint32_t expect[MAXK], received, waited_out;
	int unblocked;
	int on_other_worker;
	int guard_session;	/* coordinator */	/* targets that ran on a worker other than the blocked one */
};

static uint32_t
self_handle(struct skynet_context *ctx) {
	return (uint32_t)strtoul(skynet_command(ctx, "REG", NULL) + 1, NULL, 16);
}

static void
send_msg(struct skynet_context *ctx, uint32_t to, uint32_t kind, uint32_t from, uint32_t seq, uint32_t value) {
	struct msg m = { kind, from, seq, value };
	skynet_send(ctx, 0, to, PTYPE_CLIENT, 0, &m, sizeof(m));
}

struct strand *
test_strand_create(void) {
	struct strand *s = skynet_malloc(sizeof(*s));
	memset(s, 0, sizeof(*s));
	return s;
}

void
test_strand_release(struct strand *s) {
	skynet_free(s);
}

static double
now_s(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* W parks here: a callback that waits is what a blocking service does to its worker. The
 * guard turns a stranded run into a failed check instead of a hang; it bounds a wait, it
 * asserts nothing about time. */
static void
block_worker(struct strand *s) {
	double until = now_s() + s->guard;
	struct timespec pause = { 0, 100000 };
	while (!atomic_load(&release_flag)) {
		if (now_s() > until) {
			s->waited_out = 1;
			break;
		}
		nanosleep(&pause, NULL);
	}
}

static void
blocker_cb(struct skynet_context *ctx, struct strand *s, const struct msg *m) {
	if (m->kind == BLOCK) {
		atomic_store(&blocked_worker, skynet_worker_id());
		/* the targets go to this worker's queue; the last one sent lands in its next slot */
		for (uint32_t i = 0; i < s->k; i++)
			send_msg(ctx, s->targets[i], WAKE, 0, 0, 0);
		block_worker(s);
		s->unblocked = 1;
	} else if (m->kind == TOBLOCKER && m->from < s->k) {
		if (m->seq != s->expect[m->from])
			s->errors++;
		s->expect[m->from] = m->seq + 1;
		s->received++;
	} else {
		s->errors++;
	}
	/* after a stranded run (guard expired) the rest may never come: report at once */
	if (s->unblocked && (s->received == s->k * s->r || s->waited_out)) {
		send_msg(ctx, s->coord, UNBLOCKED, 0, s->waited_out, s->errors);
		s->unblocked = 0;
	}
}

static void
target_cb(struct skynet_context *ctx, struct strand *s, const struct msg *m) {
	switch (m->kind) {
	case READY:
		s->partner = m->value;
		send_msg(ctx, s->coord, READY, s->index, 0, 0);
		break;
	case WAKE:
		/* while the flag is unset, the blocked worker runs nothing else */
		if (!atomic_load(&release_flag) && skynet_worker_id() != atomic_load(&blocked_worker))
			s->on_other_worker = 1;
		send_msg(ctx, s->partner, PING, s->index, 0, 0);
		break;
	case PONG:
		if (m->seq != s->rounds)
			s->errors++;
		if (++s->rounds < s->r)
			send_msg(ctx, s->partner, PING, s->index, s->rounds, 0);
		else if (s->expect_next == s->r)
			send_msg(ctx, s->coord, DONE, s->index, s->on_other_worker, s->errors);
		break;
	case TONEXT:
		if (m->seq != s->expect_next)
			s->errors++;
		s->expect_next = m->seq + 1;
		if (s->expect_next == s->r && s->rounds == s->r)
			send_msg(ctx, s->coord, DONE, s->index, s->on_other_worker, s->errors);
		break;
	default:
		s->errors++;
	}
}

static void
partner_cb(struct skynet_context *ctx, struct strand *s, const struct msg *m, uint32_t source) {
	if (m->kind != PING || m->seq != s->rounds) {
		s->errors++;
		return;
	}
	send_msg(ctx, s->blocker, TOBLOCKER, s->index, s->rounds, 0);
	send_msg(ctx, s->next_target, TONEXT, s->index, s->rounds, 0);
	send_msg(ctx, source, PONG, s->index, s->rounds, 0);
	s->rounds++;
}

static void
coord_finish(struct skynet_context *ctx, struct strand *s, const struct msg *m) {
	SVC_OK(ctx, s->done == s->k, "all %u targets queued on the blocked worker ran %u rounds while it was parked",
		s->k, s->r);
	SVC_OK(ctx, m->seq == 0, "the blocked worker was released because every other service finished, "
		"not by the %u s guard (which would mean a runnable service was stranded)", s->guard);
	SVC_OK(ctx, s->done_errors == 0 && m->value == 0 && s->errors == 0,
		"per-pair FIFO, nothing lost or duplicated, no callback overlapped itself (%u errors in targets, %u in the blocker, %u elsewhere)",
		s->done_errors, m->value, s->errors);
	svc_tap_write(ctx, "TAPDONE");
	skynet_command(ctx, "ABORT", NULL);
}

static void
coord_cb(struct skynet_context *ctx, struct strand *s, const struct msg *m) {
	switch (m->kind) {
	case READY:
		if (++s->ready == s->k)
			send_msg(ctx, s->blocker, BLOCK, 0, 0, 0);
		break;
	case DONE:
		s->done_errors += m->value;
		/* seq: the target ran on another worker while the flag was unset */
		if (m->seq != 1)
			s->done_errors++;
		if (++s->done == s->k)
			atomic_store(&release_flag, 1);
		break;
	case UNBLOCKED:
		coord_finish(ctx, s, m);
		break;
	default:
		s->errors++;
	}
}

static int
strand_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct strand *s = ud;
	/* a callback must never overlap itself: detect it rather than assume it */
	if (atomic_exchange(&s->busy, 1))
		s->errors++;
	if (s->role == COORD && type == PTYPE_RESPONSE && session == s->guard_session) {
		struct msg late = { UNBLOCKED, 0, 1, 0 };
		SVC_OK(ctx, 0, "the blocker came back (%u of %u targets done)", s->done, s->k);
		coord_finish(ctx, s, &late);
	} else if (type != PTYPE_CLIENT || sz != sizeof(struct msg)) {
		s->errors++;
	} else {
		const struct msg *m = msg;
		switch (s->role) {
		case COORD: coord_cb(ctx, s, m); break;
		case BLOCKER: blocker_cb(ctx, s, m); break;
		case TARGET: target_cb(ctx, s, m); break;
		case PARTNER: partner_cb(ctx, s, m, source); break;
		}
	}
	atomic_store(&s->busy, 0);
	return 0;
}


int
test_strand_init(struct strand *s, struct skynet_context *ctx, const char *parm) {
	unsigned a, b, c, d;
	skynet_callback(ctx, s, strand_cb);
	if (parm && sscanf(parm, "partner %u %u %x %x", &a, &b, &c, &d) == 4) {
		s->role = PARTNER; s->index = a; s->r = b; s->blocker = c; s->next_target = d;
		return 0;
	}
	if (parm && sscanf(parm, "target %u %u %x", &a, &b, &c) == 3) {
		s->role = TARGET; s->index = a; s->r = b; s->coord = c;
		return 0;
	}
	if (parm && sscanf(parm, "blocker %u %u %u %x", &a, &b, &c, &d) == 4) {
		s->role = BLOCKER; s->k = a; s->r = b; s->guard = c; s->coord = d;
		memcpy(s->targets, target_handles, sizeof(s->targets));
		return 0;
	}
	if (parm == NULL || sscanf(parm, "%u %u %u", &a, &b, &c) != 3 || a < 1 || a > MAXK || b < 1)
		return 1;
	s->role = COORD; s->k = a; s->r = b; s->guard = c;
	uint32_t self = self_handle(ctx);
	for (unsigned i = 0; i < a; i++)
		if ((target_handles[i] = bs_launch(ctx, "test_strand target %u %u %x", i, b, self)) == 0)
			return 1;
	uint32_t blocker = bs_launch(ctx, "test_strand blocker %u %u %u %x", a, b, c, self);
	if (blocker == 0)
		return 1;
	s->blocker = blocker;
	/* the guard plus 10 s: report, never hang, even if the blocker never comes back */
	s->guard_session = atoi(skynet_command(ctx, "TIMEOUT", skynet_command(ctx, "GETENV", "strand_deadline")));
	/* partner i plays with target i and also sends to target i + 1 */
	for (unsigned i = 0; i < a; i++) {
		uint32_t p = bs_launch(ctx, "test_strand partner %u %u %x %x", i, b, blocker, target_handles[(i + 1) % a]);
		if (p == 0)
			return 1;
		send_msg(ctx, target_handles[i], READY, 0, 0, p);
	}
	return 0;
}
