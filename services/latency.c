/* Message latency under a fixed offered load (docs/method.md rule 6; not in Savina, whose
 * benchmarks are closed-loop). "latency ECHOES K TICKS": a generator sends K messages on
 * every 10 ms tick (its own TIMEOUT 1, so the offered load is 100*K messages/s, in bursts
 * of K), round robin to ECHOES echo services that send each message straight back; the
 * payload is the CLOCK_MONOTONIC send time, the generator takes the round trip on receipt
 * into a log-linear histogram (3% buckets, bench_svc.h). After TICKS ticks it stops
 * sending and waits for every reply. The cost of one clock_gettime is measured first and
 * printed (clock_ns); every sample carries two of them.
 *   RESULT latency echoes=E per_tick=K ticks=T offered_per_sec=O seconds=S ops=N
 *          msgs_per_sec=R clock_ns=c mean_ns=m p50_ns=.. p90_ns=.. p99_ns=.. p999_ns=.. max_ns=..
 * The check: every message came back exactly once (count and sum of sequence numbers). */

#include "bench_svc.h"

struct lmsg {
	uint64_t sent_ns, seq;
};

struct latency {
	unsigned echoes, k, ticks, tick;
	uint32_t *echo;
	uint64_t sent, received, seqsum, start, last_send;
	double clock_ns;
	struct bs_hist *h;
};

struct latency *
latency_create(void) {
	struct latency *l = skynet_malloc(sizeof(*l));
	memset(l, 0, sizeof(*l));
	return l;
}

void
latency_release(struct latency *l) {
	skynet_free(l->echo);
	skynet_free(l->h);
	skynet_free(l);
}

static int
echo_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	(void)ud; (void)session;
	if (type == PTYPE_TEXT)
		bs_send(ctx, source, PTYPE_TEXT, 0, msg, sz);
	return 0;
}

static void
report(struct skynet_context *ctx, struct latency *l) {
	uint64_t want = l->sent * (l->sent - 1) / 2;
	double s = (double)(l->last_send - l->start) / 1e9;
	const struct bs_hist *h = l->h;
	char line[512], why[128];
	snprintf(line, sizeof(line), "RESULT latency echoes=%u per_tick=%u ticks=%u offered_per_sec=%u seconds=%.6f ops=%llu "
		"msgs_per_sec=%.0f clock_ns=%.1f mean_ns=%.0f p50_ns=%llu p90_ns=%llu p99_ns=%llu p999_ns=%llu max_ns=%llu",
		l->echoes, l->k, l->ticks, l->k * 100, s, (unsigned long long)l->received,
		s > 0 ? (double)l->sent / s : 0.0, l->clock_ns, h->n ? (double)h->sum / (double)h->n : 0.0,
		(unsigned long long)bs_hist_quantile(h, 0.5), (unsigned long long)bs_hist_quantile(h, 0.9),
		(unsigned long long)bs_hist_quantile(h, 0.99), (unsigned long long)bs_hist_quantile(h, 0.999),
		(unsigned long long)h->max);
	snprintf(why, sizeof(why), "%llu replies to %llu messages, sequence sum %s",
		(unsigned long long)l->received, (unsigned long long)l->sent, l->seqsum == want ? "ok" : "wrong");
	bs_finish(ctx, line, l->received == l->sent && l->seqsum == want ? NULL : why);
}

static int
gen_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct latency *l = ud;
	(void)session; (void)source;
	if (type == PTYPE_RESPONSE) {	/* a tick: one burst of K */
		if (l->tick++ == 0)
			l->start = bs_ns();
		for (unsigned i = 0; i < l->k; i++) {
			struct lmsg m = { bs_ns(), l->sent };
			bs_send(ctx, l->echo[l->sent % l->echoes], PTYPE_TEXT, 0, &m, sizeof(m));
			l->sent++;
		}
		l->last_send = bs_ns();
		if (l->tick < l->ticks)
			skynet_command(ctx, "TIMEOUT", "1");
		else if (l->received == l->sent)
			report(ctx, l);
		return 0;
	}
	if (type != PTYPE_TEXT || sz != sizeof(struct lmsg))
		return 0;
	struct lmsg m;
	memcpy(&m, msg, sizeof(m));
	bs_hist_add(l->h, bs_ns() - m.sent_ns);
	l->received++;
	l->seqsum += m.seq;
	if (l->tick == l->ticks && l->received == l->sent)
		report(ctx, l);
	return 0;
}

int
latency_init(struct latency *l, struct skynet_context *ctx, const char *parm) {
	unsigned e, k, t;
	if (parm && strcmp(parm, "echo") == 0) {
		skynet_callback(ctx, l, echo_cb);
		return 0;
	}
	if (parm == NULL || sscanf(parm, "%u %u %u", &e, &k, &t) != 3 || e == 0 || k == 0 || t == 0) {
		skynet_error(ctx, "latency: usage: latency ECHOES PER_TICK TICKS");
		return 1;
	}
	l->echoes = e;
	l->k = k;
	l->ticks = t;
	l->h = skynet_malloc(sizeof(*l->h));
	memset(l->h, 0, sizeof(*l->h));
	l->echo = skynet_malloc(sizeof(uint32_t) * e);
	for (unsigned i = 0; i < e; i++)
		if (!(l->echo[i] = bs_launch(ctx, "latency echo")))
			return 1;
	l->clock_ns = bs_clock_overhead_ns();
	skynet_callback(ctx, l, gen_cb);
	/* the first tick comes from the timer thread, which starts after bootstrap's init */
	skynet_command(ctx, "TIMEOUT", "1");
	return 0;
}
