/* skynet's server shape (not in Savina; the workload skynet is built for: a game server's
 * many mostly idle agents, a few busy ones, periodic timers everywhere).
 * "servershape IDLE TIMED HOT TICKS [HOLD]": IDLE services that never get a message (they
 * only fill the handle table), TIMED services each re-arming a TIMEOUT every 1..10 ticks
 * (10-100 ms, service i uses 1 + i % 10), and HOT ping-pong pairs exchanging one message
 * at a time as fast as they can, for TICKS ticks of the coordinator's own TIMEOUT.
 * HOLD (default 0): each timed service also holds HOLD long timeouts (100..1000 ticks, the
 * player and entity timeouts of a game server), armed when it is launched and re-armed when
 * they fire, so TIMED x HOLD timers stay pending through the run (1000 x 1000: a million).
 * Measured: the hot path's message rate while the timers run, and timer lateness in ticks
 * (skynet_now() at the callback minus the tick it was due: skynet_now() when armed plus
 * the period; its resolution is the 10 ms tick itself).
 *   RESULT servershape idle=I timed=T hot=H ticks=K seconds=S ops=M msgs_per_sec=R
 *          timer_fires=F early_fires=E late_ticks_mean=x late_ticks_p50=a late_ticks_p99=b late_ticks_max=c
 *          held_fires=G
 * (lateness and timer_fires are the periodic timers'; held_fires counts the long ones that
 * came due during the run)
 * Setup (launching everything) happens in the coordinator's first callback and is not
 * timed; the timers are armed only when setup is over, so lateness is the steady state's.
 * The checks: every pair's ping sent as many as it got back and as its pong counted; every
 * periodic timer armed fired exactly once (after the stop each timed service waits for its
 * last); no held timer fired before its due tick or more often than armed (the held ones
 * still pending at the end are not waited for). */

#include "bench_svc.h"

enum { START = 1, STOP, REPORT };

struct treport {
	uint64_t armed, fired, early;
	uint64_t held_armed, held_fired, held_early;
	struct bs_hist late;
};

struct preport {
	uint64_t sent, back;
	uint32_t pong;
};

struct servershape {
	int role;
	uint32_t coord, peer;
	/* timed */
	unsigned period, hold, held_seq;
	int stopping, session;
	uint32_t due;
	int held_lo;		/* sessions of held timers: >= held_lo and not `session` */
	struct treport *t;	/* timed only: the idle ones stay small */
	/* ping / pong */
	uint64_t sent, back;
	/* coordinator */
	unsigned idle, timed, hot, ticks, treports, preports, qreports, bad_pairs, bad_timers;
	uint32_t *timers, *pings;
	uint64_t hotmsgs, start, end;
	struct bs_hist *late;
	uint64_t early, held_fires;
};

struct servershape *
servershape_create(void) {
	struct servershape *s = skynet_malloc(sizeof(*s));
	memset(s, 0, sizeof(*s));
	return s;
}

void
servershape_release(struct servershape *s) {
	skynet_free(s->timers);
	skynet_free(s->pings);
	skynet_free(s->t);
	skynet_free(s->late);
	skynet_free(s);
}

static uint32_t
kind(const void *msg, size_t sz) {
	uint32_t k = 0;
	if (sz == sizeof(k))
		memcpy(&k, msg, sizeof(k));
	return k;
}

static void
sendk(struct skynet_context *ctx, uint32_t to, uint32_t k) {
	bs_send(ctx, to, PTYPE_SYSTEM, 0, &k, sizeof(k));
}

static void
arm(struct skynet_context *ctx, struct servershape *s, unsigned ticks) {
	char p[16];
	snprintf(p, sizeof(p), "%u", ticks);
	s->due = (uint32_t)skynet_now() + ticks;
	s->session = atoi(skynet_command(ctx, "TIMEOUT", p));
	s->t->armed++;
}

/* a held timer's timeout: spread over 100..1000 ticks, different for every arm */
static unsigned
held_ticks(struct servershape *s) {
	return 100 + (s->held_seq++ * 7919u + s->period * 131u) % 901u;
}

static int
arm_held(struct skynet_context *ctx, struct servershape *s) {
	char p[16];
	snprintf(p, sizeof(p), "%u", held_ticks(s));
	s->t->held_armed++;
	return atoi(skynet_command(ctx, "TIMEOUT", p));
}

static int
idle_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	(void)ctx; (void)ud; (void)type; (void)session; (void)source; (void)msg; (void)sz;
	return 0;
}

static int
timed_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct servershape *s = ud;
	(void)source;
	if (type == PTYPE_SYSTEM && kind(msg, sz) == START) {
		arm(ctx, s, s->period);
		return 0;
	}
	if (type == PTYPE_SYSTEM && kind(msg, sz) == STOP) {
		s->stopping = 1;	/* the armed timer still fires; report then */
		return 0;
	}
	if (type != PTYPE_RESPONSE)
		return 0;
	if (session != s->session) {
		/* a held timer: re-armed while the run lasts; its due tick is not kept (no
		 * lateness), only that it fired no more often than armed */
		if (session >= s->held_lo && s->t->held_fired < s->t->held_armed) {
			s->t->held_fired++;
			if (!s->stopping)
				arm_held(ctx, s);
		} else {
			s->t->held_early++;	/* counted as a failure by the coordinator */
		}
		return 0;
	}
	s->t->fired++;
	/* the timer's own tick and skynet_now() advance one after the other: a timer armed
	 * between the two can fire a tick "early" by skynet_now(); counted, not hidden */
	int32_t late = (int32_t)((uint32_t)skynet_now() - s->due);
	s->t->early += late < 0;
	bs_hist_add(&s->t->late, late < 0 ? 0 : (uint64_t)late);
	if (!s->stopping)
		arm(ctx, s, s->period);
	else
		bs_send(ctx, s->coord, PTYPE_TEXT, 0, s->t, sizeof(*s->t));
	return 0;
}

static int
ping_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct servershape *s = ud;
	(void)session; (void)source;
	if (type == PTYPE_SYSTEM) {
		if (kind(msg, sz) == START) {
			s->sent++;
			bs_send(ctx, s->peer, PTYPE_TEXT, 0, NULL, 0);
		} else if (kind(msg, sz) == STOP) {
			s->stopping = 1;	/* one ping is in flight: report when it is back */
		}
		return 0;
	}
	if (type != PTYPE_TEXT)
		return 0;
	s->back++;
	if (s->stopping) {
		struct preport r = { s->sent, s->back, s->peer };
		bs_send(ctx, s->coord, PTYPE_TEXT, 0, &r, sizeof(r));
		return 0;
	}
	s->sent++;
	bs_send(ctx, s->peer, PTYPE_TEXT, 0, NULL, 0);
	return 0;
}

static int
pong_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct servershape *s = ud;
	(void)session;
	if (type == PTYPE_TEXT) {
		s->back++;
		bs_send(ctx, source, PTYPE_TEXT, 0, NULL, 0);
	} else if (type == PTYPE_SYSTEM && kind(msg, sz) == REPORT) {
		bs_send_u64(ctx, source, PTYPE_TEXT, s->back);
	}
	return 0;
}

static int setup(struct skynet_context *, struct servershape *);

static void
report(struct skynet_context *ctx, struct servershape *s) {
	double sec = (double)(s->end - s->start) / 1e9;
	char line[512], why[128];
	snprintf(line, sizeof(line), "RESULT servershape idle=%u timed=%u hot=%u ticks=%u seconds=%.6f ops=%llu "
		"msgs_per_sec=%.0f timer_fires=%llu early_fires=%llu late_ticks_mean=%.3f late_ticks_p50=%llu late_ticks_p99=%llu late_ticks_max=%llu",
		s->idle, s->timed, s->hot, s->ticks, sec, (unsigned long long)s->hotmsgs, (double)s->hotmsgs / sec,
		(unsigned long long)s->late->n, (unsigned long long)s->early, s->late->n ? (double)s->late->sum / (double)s->late->n : 0.0,
		(unsigned long long)bs_hist_quantile(s->late, 0.5), (unsigned long long)bs_hist_quantile(s->late, 0.99),
		(unsigned long long)s->late->max);
	size_t k = strlen(line);
	snprintf(line + k, sizeof(line) - k, " hold=%u held_fires=%llu", s->hold,
		(unsigned long long)s->held_fires);
	snprintf(why, sizeof(why), "%u pairs lost or duplicated messages, %u timers fired other than once",
		s->bad_pairs, s->bad_timers);
	bs_finish(ctx, line, s->bad_pairs == 0 && s->bad_timers == 0 ? NULL : why);
}

static int
coord_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct servershape *s = ud;
	(void)session; (void)source;
	if (type == PTYPE_SYSTEM && kind(msg, sz) == START) {
		if (setup(ctx, s))
			bs_finish(ctx, "RESULT servershape", "setup: a LAUNCH failed");
		return 0;
	}
	if (type == PTYPE_RESPONSE) {	/* our TIMEOUT: the run is over */
		s->end = bs_ns();
		for (unsigned i = 0; i < s->hot; i++)
			sendk(ctx, s->pings[i], STOP);
		for (unsigned i = 0; i < s->timed; i++)
			sendk(ctx, s->timers[i], STOP);
		return 0;
	}
	if (type != PTYPE_TEXT)
		return 0;
	if (sz == sizeof(struct treport)) {
		struct treport *t = skynet_malloc(sizeof(*t));
		memcpy(t, msg, sizeof(*t));
		s->bad_timers += t->armed != t->fired || t->held_fired > t->held_armed || t->held_early;
		s->held_fires += t->held_fired;
		bs_hist_merge(s->late, &t->late);
		s->early += t->early;
		skynet_free(t);
		s->treports++;
	} else if (sz == sizeof(struct preport)) {
		struct preport r;
		memcpy(&r, msg, sizeof(r));
		s->bad_pairs += r.sent != r.back;
		s->hotmsgs += 2 * r.back;
		sendk(ctx, r.pong, REPORT);
		s->preports++;
		s->sent += r.sent;
	} else if (sz == sizeof(uint64_t)) {
		s->back += bs_u64(msg, sz);
		s->qreports++;
	}
	if (s->treports == s->timed && s->preports == s->hot && s->qreports == s->hot) {
		s->bad_pairs += s->back != s->sent;	/* pongs counted what pings sent */
		report(ctx, s);
	}
	return 0;
}

int
servershape_init(struct servershape *s, struct skynet_context *ctx, const char *parm) {
	unsigned a, b, c, d;
	if (parm && strcmp(parm, "idle") == 0) {
		skynet_callback(ctx, s, idle_cb);
		return 0;
	}
	if (parm && strcmp(parm, "pong") == 0) {
		skynet_callback(ctx, s, pong_cb);
		return 0;
	}
	if (parm && sscanf(parm, "ping %x %x", &a, &b) == 2) {
		s->coord = a;
		s->peer = b;
		skynet_callback(ctx, s, ping_cb);
		return 0;
	}
	if (parm && sscanf(parm, "timed %x %u %u", &a, &b, &c) == 3) {
		s->coord = a;
		s->period = b;
		s->hold = c;
		s->t = skynet_malloc(sizeof(*s->t));
		memset(s->t, 0, sizeof(*s->t));
		skynet_callback(ctx, s, timed_cb);
		/* a context's sessions count up: every held timer's is at least the first one's,
		 * and the periodic timer (armed at START) gets a later one */
		s->held_lo = INT32_MAX;
		for (unsigned i = 0; i < s->hold; i++) {
			int session = arm_held(ctx, s);
			if (i == 0)
				s->held_lo = session;
		}
		return 0;
	}
	unsigned e = 0;
	int n = parm ? sscanf(parm, "%u %u %u %u %u", &a, &b, &c, &d, &e) : 0;
	if ((n != 4 && n != 5) || c == 0 || d == 0) {
		skynet_error(ctx, "servershape: usage: servershape IDLE TIMED HOT(>=1) TICKS(>=1) [HOLD]");
		return 1;
	}
	s->hold = e;
	s->idle = a;
	s->timed = b;
	s->hot = c;
	s->ticks = d;
	s->late = skynet_malloc(sizeof(*s->late));
	memset(s->late, 0, sizeof(*s->late));
	skynet_callback(ctx, s, coord_cb);
	/* set up in our first callback, not here: bootstrap's init runs before the timer
	 * thread starts, so timers armed now would see a stalled clock */
	sendk(ctx, bs_self(ctx), START);
	return 0;
}

static int
setup(struct skynet_context *ctx, struct servershape *s) {
	unsigned a = s->idle, b = s->timed, c = s->hot, d = s->ticks;
	uint32_t self = bs_self(ctx);
	for (unsigned i = 0; i < a; i++)
		if (!bs_launch(ctx, "servershape idle"))
			return 1;
	s->timers = skynet_malloc(sizeof(uint32_t) * (b + 1));
	s->pings = skynet_malloc(sizeof(uint32_t) * c);
	for (unsigned i = 0; i < b; i++)
		if (!(s->timers[i] = bs_launch(ctx, "servershape timed %x %u %u", self, 1 + i % 10, s->hold)))
			return 1;
	for (unsigned i = 0; i < c; i++) {
		uint32_t pong = bs_launch(ctx, "servershape pong");
		if (!pong || !(s->pings[i] = bs_launch(ctx, "servershape ping %x %x", self, pong)))
			return 1;
	}
	char p[16];
	snprintf(p, sizeof(p), "%u", d);
	skynet_command(ctx, "TIMEOUT", p);
	s->start = bs_ns();
	for (unsigned i = 0; i < b; i++)	/* timers start now, not while we were launching */
		sendk(ctx, s->timers[i], START);
	for (unsigned i = 0; i < c; i++)
		sendk(ctx, s->pings[i], START);
	return 0;
}
