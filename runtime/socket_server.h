#ifndef SKYNET_SOCKET_SERVER_H
#define SKYNET_SOCKET_SERVER_H

/* The socket server (skynet's socket_server.h): one thread polls every socket; any thread
 * may issue requests, which travel through a pipe to that thread (or, for a send on an
 * idle connected socket, are written directly by the caller). */

#include <stdint.h>
#include "socket_buffer.h"

#define SOCKET_DATA 0
#define SOCKET_CLOSE 1
#define SOCKET_OPEN 2
#define SOCKET_ACCEPT 3
#define SOCKET_ERR 4
#define SOCKET_EXIT 5
#define SOCKET_UDP 6
#define SOCKET_WARNING 7

struct socket_server;

struct socket_message {
	int id;
	uintptr_t opaque;
	int ud;	/* ACCEPT: the new id; DATA/UDP: size; WARNING: queued KiB (0: drained) */
	char * data;
};

struct socket_server * socket_server_create(uint64_t time);
void socket_server_release(struct socket_server *);
/* blocks; returns a SOCKET_* code, or -1 for nothing to report. *more is cleared when
 * this call had to wait in epoll (the caller then wakes a worker). */
int socket_server_poll(struct socket_server *, struct socket_message *result, int *more);

void socket_server_exit(struct socket_server *);
void socket_server_close(struct socket_server *, uintptr_t opaque, int id);
void socket_server_shutdown(struct socket_server *, uintptr_t opaque, int id);
void socket_server_start(struct socket_server *, uintptr_t opaque, int id);
void socket_server_pause(struct socket_server *, uintptr_t opaque, int id);

/* return -1 when error */
int socket_server_send(struct socket_server *, struct socket_sendbuffer *buffer);
int socket_server_send_lowpriority(struct socket_server *, struct socket_sendbuffer *buffer);

/* ctrl command below returns id */
int socket_server_listen(struct socket_server *, uintptr_t opaque, const char * addr, int port, int backlog);
int socket_server_connect(struct socket_server *, uintptr_t opaque, const char * addr, int port);
int socket_server_bind(struct socket_server *, uintptr_t opaque, int fd);

/* for tcp */
void socket_server_nodelay(struct socket_server *, int id);

struct socket_udp_address;

/* create an udp socket handle, attach opaque with it; udp socket don't need call
 * socket_server_start to recv message. if port != 0, bind the socket; if addr == NULL,
 * bind ipv4 0.0.0.0. To use ipv6, use "::" as addr. */
int socket_server_udp(struct socket_server *, uintptr_t opaque, const char * addr, int port);
/* set default dest address, return 0 when success */
int socket_server_udp_connect(struct socket_server *, int id, const char * addr, int port);
/* send to the address (from socket_server_udp_address); -1 when error */
int socket_server_udp_send(struct socket_server *, const struct socket_udp_address *, struct socket_sendbuffer *buffer);
/* extract the address of the message, struct socket_message * should be SOCKET_UDP */
const struct socket_udp_address * socket_server_udp_address(struct socket_server *, struct socket_message *, int *addrsz);

/* Called by the poll loop around its blocking wait (the socket thread reads the handle
 * table, so an RCU table must not wait for it while it sleeps). NULL: nothing is called. */
void socket_server_set_idle_hooks(struct socket_server *, void (*offline)(void), void (*online)(void));

#endif
