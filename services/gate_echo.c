/* A gate-style echo server: "gate_echo HOST PORT [high|low|mix] [:NOTIFY]".
 * Listens (PORT 0: the kernel picks one), starts every accepted connection and echoes what
 * it reads. high sends with skynet_socket_send, low with skynet_socket_send_lowpriority,
 * mix alternates per connection (one priority per connection, so an echo stream is never
 * reordered). With NOTIFY (a handle), it sends NOTIFY a PTYPE_TEXT "port N" once it
 * listens, or "error TEXT" if it cannot. Written against skynet.h + skynet_socket.h only. */

#include "skynet.h"
#include "skynet_socket.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gate_echo {
	int listen_id;
	int mode;	/* 0 high, 1 low, 2 mix */
	uint32_t notify;
	unsigned accepted;
	char lowconn[65536];	/* by slot: this connection echoes with low priority */
};

struct gate_echo *
gate_echo_create(void) {
	struct gate_echo *g = skynet_malloc(sizeof(*g));
	memset(g, 0, sizeof(*g));
	g->listen_id = -1;
	return g;
}

void
gate_echo_release(struct gate_echo *g) {
	skynet_free(g);
}

static void
tell(struct skynet_context *ctx, struct gate_echo *g, const char *fmt, const char *s, int n) {
	if (g->notify == 0)
		return;
	char line[200];
	snprintf(line, sizeof(line), fmt, s, n);
	skynet_send(ctx, 0, g->notify, PTYPE_TEXT, 0, line, strlen(line));
}

/* the string after the struct (CONNECT/ACCEPT/ERROR): not NUL-terminated */
static void
event_text(const struct skynet_socket_message *m, size_t sz, char *out, size_t cap) {
	size_t n = sz > sizeof(*m) ? sz - sizeof(*m) : 0;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, m + 1, n);
	out[n] = '\0';
}

static int
gate_cb(struct skynet_context *ctx, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct gate_echo *g = ud;
	(void)session; (void)source;
	if (type != PTYPE_SOCKET)
		return 0;
	const struct skynet_socket_message *m = msg;
	char text[160];
	switch (m->type) {
	case SKYNET_SOCKET_TYPE_CONNECT:
		/* the listener reports twice: on listen (ud = port), then "start" (ud = 0) */
		if (m->id == g->listen_id && m->ud != 0) {
			tell(ctx, g, "port %s%d", "", m->ud);
			/* the log line bench/socket-bench.sh waits for */
			skynet_error(ctx, "gate_echo: listening on port %d", m->ud);
		}
		break;
	case SKYNET_SOCKET_TYPE_ACCEPT:
		g->lowconn[m->ud & 0xffff] = g->mode == 1 || (g->mode == 2 && (g->accepted & 1));
		g->accepted++;
		skynet_socket_start(ctx, m->ud);
		break;
	case SKYNET_SOCKET_TYPE_DATA:
		/* the buffer is ours: hand it straight back to the socket server */
		if (g->lowconn[m->id & 0xffff])
			skynet_socket_send_lowpriority(ctx, m->id, m->buffer, m->ud);
		else
			skynet_socket_send(ctx, m->id, m->buffer, m->ud);
		break;
	case SKYNET_SOCKET_TYPE_CLOSE:
		skynet_socket_close(ctx, m->id);	/* the peer is done: finish our side */
		break;
	case SKYNET_SOCKET_TYPE_ERROR:
		event_text(m, sz, text, sizeof(text));
		if (m->id == g->listen_id) {
			/* e.g. EMFILE on accept: the listener stays, log and go on */
			skynet_error(ctx, "gate_echo: listener error: %s", text);
		} else {
			skynet_socket_close(ctx, m->id);
		}
		break;
	case SKYNET_SOCKET_TYPE_WARNING:
		if (m->ud)
			skynet_error(ctx, "gate_echo: connection %d has %d KiB queued", m->id, m->ud);
		break;
	default:
		break;
	}
	return 0;
}

int
gate_echo_init(struct gate_echo *g, struct skynet_context *ctx, const char *parm) {
	char host[64], mode[8] = "high";
	int port;
	unsigned notify = 0;
	if (parm == NULL || sscanf(parm, "%63s %d %7s :%x", host, &port, mode, &notify) < 2) {
		skynet_error(ctx, "gate_echo: usage: gate_echo HOST PORT [high|low|mix] [:NOTIFY]");
		return 1;
	}
	g->mode = strcmp(mode, "low") == 0 ? 1 : strcmp(mode, "mix") == 0 ? 2 : 0;
	g->notify = notify;
	skynet_callback(ctx, g, gate_cb);
	g->listen_id = skynet_socket_listen(ctx, host, port, 1024);
	if (g->listen_id < 0) {
		tell(ctx, g, "error %s%d", "listen failed on port ", port);
		skynet_error(ctx, "gate_echo: listen on %s:%d failed", host, port);
		return 1;
	}
	skynet_socket_start(ctx, g->listen_id);
	return 0;
}
