/* Echo load: "echo_client TARGET CONNS SIZE MESSAGES [high|low|mix]".
 * TARGET is a port on 127.0.0.1 (an echo server elsewhere, e.g. bench/epoll_echo) or
 * "gate" (launch gate_echo in this node on a kernel-picked port, with the given priority).
 * Opens CONNS connections; each keeps one SIZE-byte message in flight (closed loop) until
 * MESSAGES round trips are done in all (MESSAGES/CONNS each, at least one). Every echoed
 * byte is checked. Prints one line, then ABORTs:
 *   RESULT echo target=gate conns=N size=S messages=M seconds=T msgs_per_sec=R
 *     mb_per_sec=B rtt_p50_us=.. rtt_p90_us=.. rtt_p99_us=.. rtt_p999_us=.. rtt_max_us=..
 * MB/s counts payload one way (M*S/1e6/T). The clock starts when every connection is up. */

#include "skynet.h"
#include "skynet_socket.h"
#include "bench_svc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct conn {
	int id;
	int up;
	uint64_t left;	/* round trips still to start */
	uint64_t seq;
	size_t got;	/* bytes of the current echo received */
	uint64_t sent_ns;
};

struct echo_client {
	char target[16];
	unsigned nconn, up, done;
	size_t size;
	uint64_t messages, completed;
	struct conn *c;
	int *slot2conn;	/* socket slot (id & 0xffff) -> connection index + 1 */
	unsigned char *pattern;	/* size + 256 bytes: message k starts at pattern + (k & 255) */
	uint64_t start_ns;
	struct bs_hist hist;
	char failed[160];
	int finished;
};

struct echo_client *
echo_client_create(void) {
	struct echo_client *e = skynet_malloc(sizeof(*e));
	memset(e, 0, sizeof(*e));
	return e;
}

void
echo_client_release(struct echo_client *e) {
	skynet_free(e->c);
	skynet_free(e->slot2conn);
	skynet_free(e->pattern);
	skynet_free(e);
}

static void
send_one(struct skynet_context *ctx, struct echo_client *e, struct conn *c) {
	char *buf = skynet_malloc(e->size);
	memcpy(buf, e->pattern + (c->seq & 255), e->size);
	c->got = 0;
	c->left--;
	c->sent_ns = bs_ns();
	skynet_socket_send(ctx, c->id, buf, (int)e->size);
}

static void
finish(struct skynet_context *ctx, struct echo_client *e) {
	if (e->finished)
		return;
	e->finished = 1;
	double s = e->start_ns ? (double)(bs_ns() - e->start_ns) / 1e9 : 0;
	if (s <= 0)
		s = 1e-9;
	if (!e->failed[0] && e->completed != e->messages)
		snprintf(e->failed, sizeof(e->failed), "completed %llu of %llu",
			(unsigned long long)e->completed, (unsigned long long)e->messages);
	char line[512];
	snprintf(line, sizeof(line), "RESULT echo target=%s conns=%u size=%zu messages=%llu seconds=%.6f "
		"msgs_per_sec=%.0f mb_per_sec=%.3f rtt_p50_us=%.1f rtt_p90_us=%.1f rtt_p99_us=%.1f "
		"rtt_p999_us=%.1f rtt_max_us=%.1f",
		e->target, e->nconn, e->size, (unsigned long long)e->completed, s,
		(double)e->completed / s, (double)e->completed * (double)e->size / 1e6 / s,
		bs_hist_quantile(&e->hist, 0.5) / 1e3, bs_hist_quantile(&e->hist, 0.9) / 1e3,
		bs_hist_quantile(&e->hist, 0.99) / 1e3, bs_hist_quantile(&e->hist, 0.999) / 1e3,
		e->hist.max / 1e3);
	for (unsigned i = 0; i < e->nconn; i++)
		if (e->c[i].id >= 0)
			skynet_socket_close(ctx, e->c[i].id);
	bs_finish(ctx, line, e->failed[0] ? e->failed : NULL);
}

static void
fail(struct skynet_context *ctx, struct echo_client *e, const char *why, int id) {
	if (!e->failed[0])
		snprintf(e->failed, sizeof(e->failed), "%s (socket %d)", why, id);
	finish(ctx, e);
}

static void
connect_all(struct skynet_context *ctx, struct echo_client *e, int port) {
	for (unsigned i = 0; i < e->nconn; i++) {
		int id = skynet_socket_connect(ctx, "127.0.0.1", port);
		e->c[i].id = id;
		if (id < 0) {
			fail(ctx, e, "connect refused by the socket server", id);
			return;
		}
		e->slot2conn[id & 0xffff] = (int)i + 1;
	}
}

static struct conn *
conn_of(struct echo_client *e, int id) {
	int k = e->slot2conn[id & 0xffff];
	if (k == 0 || e->c[k - 1].id != id)
		return NULL;
	return &e->c[k - 1];
}

static void
on_data(struct skynet_context *ctx, struct echo_client *e, struct conn *c, const char *data, int n) {
	if (c->got + (size_t)n > e->size) {
		fail(ctx, e, "echo longer than what was sent", c->id);
		return;
	}
	if (memcmp(data, e->pattern + (c->seq & 255) + c->got, (size_t)n) != 0) {
		fail(ctx, e, "echoed bytes differ from what was sent", c->id);
		return;
	}
	c->got += (size_t)n;
	if (c->got < e->size)
		return;
	bs_hist_add(&e->hist, bs_ns() - c->sent_ns);
	c->seq++;
	e->completed++;
	if (c->left > 0) {
		send_one(ctx, e, c);
	} else if (++e->done == e->nconn) {
		finish(ctx, e);
	}
}

static int
client_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct echo_client *e = ud;
	(void)session; (void)source;
	if (e->finished)
		goto drop;
	if (type == PTYPE_TEXT) {	/* from the gate we launched */
		int port;
		if (sz > 5 && memcmp(msg, "port ", 5) == 0 && sscanf((const char *)msg + 5, "%d", &port) == 1)
			connect_all(ctx, e, port);
		else
			fail(ctx, e, "gate_echo could not listen", -1);
		return 0;
	}
	if (type != PTYPE_SOCKET)
		return 0;
	const struct skynet_socket_message *m = msg;
	struct conn *c = conn_of(e, m->id);
	switch (m->type) {
	case SKYNET_SOCKET_TYPE_CONNECT:
		if (c && !c->up) {
			c->up = 1;
			if (++e->up == e->nconn) {
				e->start_ns = bs_ns();
				for (unsigned i = 0; i < e->nconn; i++)
					send_one(ctx, e, &e->c[i]);
			}
		}
		break;
	case SKYNET_SOCKET_TYPE_DATA:
		if (c)
			on_data(ctx, e, c, m->buffer, m->ud);
		break;
	case SKYNET_SOCKET_TYPE_CLOSE:
		if (c)
			fail(ctx, e, "server closed a connection", m->id);
		break;
	case SKYNET_SOCKET_TYPE_ERROR:
		if (c) {
			char why[200];
			size_t k = sz - sizeof(*m) < 150 ? sz - sizeof(*m) : 150;
			memcpy(why, "socket error: ", 14);
			memcpy(why + 14, m + 1, k);
			why[14 + k] = '\0';
			fail(ctx, e, why, m->id);
		}
		break;
	default:
		break;
	}
drop:
	if (type == PTYPE_SOCKET) {
		const struct skynet_socket_message *m = msg;
		if (m->type == SKYNET_SOCKET_TYPE_DATA || m->type == SKYNET_SOCKET_TYPE_UDP)
			skynet_free(m->buffer);
	}
	return 0;
}

int
echo_client_init(struct echo_client *e, struct skynet_context *ctx, const char *parm) {
	unsigned n;
	size_t size;
	unsigned long long messages;
	char mode[8] = "high";
	if (parm == NULL || sscanf(parm, "%15s %u %zu %llu %7s", e->target, &n, &size, &messages, mode) < 4 ||
		n == 0 || n > 60000 || size == 0 || size > (64u << 20) || messages == 0) {
		skynet_error(ctx, "echo_client: usage: echo_client PORT|gate CONNS SIZE MESSAGES [high|low|mix]");
		return 1;
	}
	e->nconn = n;
	e->size = size;
	uint64_t per = messages / n ? messages / n : 1;
	e->messages = per * n;
	e->c = skynet_malloc(sizeof(struct conn) * n);
	memset(e->c, 0, sizeof(struct conn) * n);
	for (unsigned i = 0; i < n; i++) {
		e->c[i].id = -1;
		e->c[i].left = per;
	}
	e->slot2conn = skynet_malloc(sizeof(int) * 65536);
	memset(e->slot2conn, 0, sizeof(int) * 65536);
	e->pattern = skynet_malloc(size + 256);
	for (size_t i = 0; i < size + 256; i++)
		e->pattern[i] = (unsigned char)(i * 7 + (i >> 8));
	skynet_callback(ctx, e, client_cb);
	if (strcmp(e->target, "gate") == 0) {
		if (bs_launch(ctx, "gate_echo 127.0.0.1 0 %s :%x", mode, bs_self(ctx)) == 0) {
			skynet_error(ctx, "echo_client: can't launch gate_echo");
			return 1;
		}
	} else {
		connect_all(ctx, e, atoi(e->target));
	}
	return 0;
}
