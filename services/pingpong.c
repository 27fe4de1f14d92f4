/* Ping-pong throughput (Savina's PingPong, shaped as in the issue): "pingpong P N" starts
 * P pairs of services with one payload-less message in flight per pair and N messages in
 * all (N/P per pair, counting both directions), measures the wall time from the first
 * send to the last pair's completion, prints one result line on stdout and ABORTs.
 *   RESULT pingpong pairs=16 messages=10000000 seconds=1.234567 msgs_per_sec=8100000
 * The check (docs/method.md rule 9): every pair reports exactly its count, else the line
 * says FAILED and the node exits after an error. */

#include "skynet.h"

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

struct pingpong {
	int role;	/* 0 coordinator, 1 ping, 2 pong */
	uint32_t peer;
	uint32_t coord;
	uint64_t left;	/* ping: messages still to receive */
	uint64_t count;
	/* coordinator */
	unsigned pairs, done;
	uint64_t messages, counted;
	struct timespec start;
};

struct pingpong *
pingpong_create(void) {
	struct pingpong *p = skynet_malloc(sizeof(*p));
	memset(p, 0, sizeof(*p));
	return p;
}

void
pingpong_release(struct pingpong *p) {
	skynet_free(p);
}

static double
elapsed(const struct timespec *a) {
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static int
pong_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct pingpong *p = ud;
	(void)type; (void)session; (void)msg; (void)sz;
	p->count++;
	skynet_send(ctx, 0, source, PTYPE_TEXT, 0, NULL, 0);
	return 0;
}

static int
ping_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct pingpong *p = ud;
	(void)session; (void)source; (void)msg; (void)sz;
	if (type == PTYPE_SYSTEM) {	/* start */
		skynet_send(ctx, 0, p->peer, PTYPE_TEXT, 0, NULL, 0);
		return 0;
	}
	p->count++;
	if (--p->left == 0) {
		uint64_t total = p->count * 2;	/* the pong received as many as we did */
		skynet_send(ctx, 0, p->coord, PTYPE_RESPONSE, 0, &total, sizeof(total));
		return 0;
	}
	skynet_send(ctx, 0, p->peer, PTYPE_TEXT, 0, NULL, 0);
	return 0;
}

static int
coord_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct pingpong *p = ud;
	(void)session; (void)source;
	if (type != PTYPE_RESPONSE || sz != sizeof(uint64_t))
		return 0;
	uint64_t n;
	memcpy(&n, msg, sizeof(n));
	p->counted += n;
	if (++p->done < p->pairs)
		return 0;
	double s = elapsed(&p->start);
	int okcount = p->counted == p->messages;
	printf("RESULT pingpong pairs=%u messages=%llu seconds=%.6f msgs_per_sec=%.0f%s\n",
		p->pairs, (unsigned long long)p->counted, s, (double)p->counted / s,
		okcount ? "" : " FAILED(count mismatch)");
	fflush(stdout);
	if (!okcount)
		skynet_error(ctx, "error: pingpong counted %llu messages, expected %llu",
			(unsigned long long)p->counted, (unsigned long long)p->messages);
	skynet_command(ctx, "ABORT", NULL);
	return 0;
}

static uint32_t
launch(struct skynet_context *ctx, const char *fmt, uint32_t a, uint32_t b, unsigned long long c) {
	char cmd[96];
	snprintf(cmd, sizeof(cmd), fmt, a, b, c);
	const char *h = skynet_command(ctx, "LAUNCH", cmd);
	return h ? (uint32_t)strtoul(h + 1, NULL, 16) : 0;
}

int
pingpong_init(struct pingpong *p, struct skynet_context *ctx, const char *parm) {
	unsigned a, b;
	unsigned long long n;
	if (parm && sscanf(parm, "pong %x", &a) == 1) {
		p->role = 2;
		skynet_callback(ctx, p, pong_cb);
		return 0;
	}
	if (parm && sscanf(parm, "ping %x %x %llu", &a, &b, &n) == 3) {
		p->role = 1;
		p->coord = a;
		p->peer = b;
		p->left = n;
		skynet_callback(ctx, p, ping_cb);
		return 0;
	}
	if (parm == NULL || sscanf(parm, "%u %llu", &a, &n) != 2 || a == 0 || n < 2ULL * a) {
		skynet_error(ctx, "pingpong: usage: pingpong PAIRS MESSAGES (MESSAGES >= 2*PAIRS)");
		return 1;
	}
	p->pairs = a;
	uint64_t per_pair = n / a / 2;	/* round trips per pair */
	p->messages = per_pair * 2 * a;
	skynet_callback(ctx, p, coord_cb);
	uint32_t self = self_handle(ctx);
	uint32_t *pings = skynet_malloc(sizeof(uint32_t) * a);
	for (unsigned i = 0; i < a; i++) {
		uint32_t pong = launch(ctx, "pingpong pong %x", self, 0, 0);
		pings[i] = launch(ctx, "pingpong ping %x %x %llu", self, pong, per_pair);
		if (!pong || !pings[i]) {
			skynet_free(pings);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	for (unsigned i = 0; i < a; i++)
		skynet_send(ctx, 0, pings[i], PTYPE_SYSTEM, 0, NULL, 0);
	skynet_free(pings);
	return 0;
}
