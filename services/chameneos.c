/* Chameneos (Savina's Chameneos: Imam & Sarkar, "Savina - An Actor Benchmark Suite",
 * AGERE 2014, benchmark 6; after Kaiser & Pradat-Peyre's chameneos game). "chameneos C N":
 * a meeting place (the mall) and C chameneos. Each chameneo asks the mall for a meeting;
 * the mall holds the first asker and, when a second comes, tells the held one who its
 * partner is; that one takes the complementary colour and tells the partner, and both ask
 * again. After N meetings the mall answers every further request with "stop"; each
 * chameneo then reports its meetings to the coordinator, and the mall its total.
 *   RESULT chameneos chameneos=C meetings=N seconds=S ops=N meetings_per_sec=R
 * The check: the mall held exactly N meetings and the chameneos report 2N between them. */

#include "bench_svc.h"

enum { REQ, MEET, CHANGE, STOP };

struct cmsg {
	uint32_t kind, a, b;	/* REQ: a=colour; MEET: a=partner, b=its colour; CHANGE: a=colour */
};

struct chameneos {
	uint32_t coord, mall;
	uint32_t colour;
	uint64_t meetings;
	/* mall */
	uint64_t n, held;
	uint32_t waiting, wcolour;
	unsigned stops, c;
	/* coordinator */
	unsigned reports;
	uint64_t mall_total, cham_total;
	uint64_t start, end;
};

struct chameneos *
chameneos_create(void) {
	struct chameneos *c = skynet_malloc(sizeof(*c));
	memset(c, 0, sizeof(*c));
	return c;
}

void
chameneos_release(struct chameneos *c) {
	skynet_free(c);
}

static void
csend(struct skynet_context *ctx, uint32_t to, uint32_t kind, uint32_t a, uint32_t b) {
	struct cmsg m = { kind, a, b };
	bs_send(ctx, to, PTYPE_TEXT, 0, &m, sizeof(m));
}

static uint32_t
complement(uint32_t a, uint32_t b) {	/* blue 0, red 1, yellow 2 */
	return a == b ? a : 3 - a - b;
}

static int
cham_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct chameneos *c = ud;
	(void)session; (void)source;
	if (type == PTYPE_SYSTEM) {	/* start */
		csend(ctx, c->mall, REQ, c->colour, 0);
		return 0;
	}
	if (type != PTYPE_TEXT || sz != sizeof(struct cmsg))
		return 0;
	struct cmsg m;
	memcpy(&m, msg, sizeof(m));
	switch (m.kind) {
	case MEET:
		c->colour = complement(c->colour, m.b);
		c->meetings++;
		csend(ctx, m.a, CHANGE, c->colour, 0);
		csend(ctx, c->mall, REQ, c->colour, 0);
		break;
	case CHANGE:
		c->colour = m.a;
		c->meetings++;
		csend(ctx, c->mall, REQ, c->colour, 0);
		break;
	case STOP:
		bs_send_u64(ctx, c->coord, PTYPE_TEXT, c->meetings);
		break;
	}
	return 0;
}

static int
mall_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct chameneos *c = ud;
	(void)session;
	if (type != PTYPE_TEXT || sz != sizeof(struct cmsg))
		return 0;
	struct cmsg m;
	memcpy(&m, msg, sizeof(m));
	if (m.kind != REQ)
		return 0;
	if (c->held == c->n) {
		csend(ctx, source, STOP, 0, 0);
		if (++c->stops == c->c)
			bs_send_u64(ctx, c->coord, PTYPE_RESPONSE, c->held);
	} else if (c->waiting == 0) {
		c->waiting = source;
		c->wcolour = m.a;
	} else {
		c->held++;
		csend(ctx, c->waiting, MEET, source, m.a);
		c->waiting = 0;
	}
	return 0;
}

static int
coord_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct chameneos *c = ud;
	(void)session; (void)source;
	if (type == PTYPE_RESPONSE) {
		c->mall_total = bs_u64(msg, sz);
		c->end = bs_ns();	/* the mall has stopped every chameneo */
	} else if (type == PTYPE_TEXT) {
		c->cham_total += bs_u64(msg, sz);
	} else {
		return 0;
	}
	if (++c->reports < c->c + 1)
		return 0;
	double s = (double)(c->end - c->start) / 1e9;
	char line[256], why[128];
	snprintf(line, sizeof(line), "RESULT chameneos chameneos=%u meetings=%llu seconds=%.6f ops=%llu meetings_per_sec=%.0f",
		c->c, (unsigned long long)c->n, s, (unsigned long long)c->mall_total, (double)c->mall_total / s);
	snprintf(why, sizeof(why), "mall held %llu meetings of %llu, chameneos counted %llu (want twice that)",
		(unsigned long long)c->mall_total, (unsigned long long)c->n, (unsigned long long)c->cham_total);
	bs_finish(ctx, line, c->mall_total == c->n && c->cham_total == 2 * c->n ? NULL : why);
	return 0;
}

int
chameneos_init(struct chameneos *c, struct skynet_context *ctx, const char *parm) {
	unsigned a, b, k;
	unsigned long long n;
	if (parm && sscanf(parm, "cham %x %x %u", &a, &b, &k) == 3) {
		c->coord = a;
		c->mall = b;
		c->colour = k % 3;
		skynet_callback(ctx, c, cham_cb);
		return 0;
	}
	if (parm && sscanf(parm, "mall %x %u %llu", &a, &k, &n) == 3) {
		c->coord = a;
		c->c = k;
		c->n = n;
		skynet_callback(ctx, c, mall_cb);
		return 0;
	}
	if (parm == NULL || sscanf(parm, "%u %llu", &k, &n) != 2 || k < 2 || n == 0) {
		skynet_error(ctx, "chameneos: usage: chameneos CHAMENEOS(>=2) MEETINGS");
		return 1;
	}
	c->c = k;
	c->n = n;
	uint32_t self = bs_self(ctx);
	uint32_t mall = bs_launch(ctx, "chameneos mall %x %u %llu", self, k, n);
	if (!mall)
		return 1;
	uint32_t *chams = skynet_malloc(sizeof(uint32_t) * k);
	for (unsigned i = 0; i < k; i++) {
		if (!(chams[i] = bs_launch(ctx, "chameneos cham %x %x %u", self, mall, i))) {
			skynet_free(chams);
			return 1;
		}
	}
	skynet_callback(ctx, c, coord_cb);
	c->start = bs_ns();
	for (unsigned i = 0; i < k; i++)
		bs_send(ctx, chams[i], PTYPE_SYSTEM, 0, NULL, 0);
	skynet_free(chams);
	return 0;
}
