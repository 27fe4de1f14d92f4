/* The socket server: skynet's design (skynet's socket_server.c; what is kept and how it is
 * tested: docs/skynet.md, section 12), written anew.
 *
 * One thread (the socket thread) owns epoll and the state of every socket. Other threads
 * talk to it through a pipe: a request is one write of [type, length, body <= 256 bytes],
 * atomic because it is below PIPE_BUF. The exception is the direct-write fast path: a
 * worker sending on a connected socket with nothing queued writes the bytes itself while
 * holding the socket's dw_lock (try-lock; on failure it falls back to a request).
 *
 * Concurrency (what other threads touch in a slot, and why that is safe):
 * - type, id, sending, closing are atomics. A slot is claimed by CAS INVALID -> RESERVE
 *   from any thread; everything else moves type only on the socket thread.
 * - fd, protocol are written by the socket thread while the slot is RESERVE, before the
 *   release store that makes it CONNECTED/PACCEPT; a worker reads them only after an
 *   acquire load of type that saw CONNECTED with the matching id, under dw_lock.
 * - high/low lists and dw_buffer: the socket thread changes them only under dw_lock; a
 *   worker reads them only under dw_lock. force_close stores INVALID before unlocking, so a
 *   worker that gets the lock afterwards never writes to a closed (maybe reused) fd.
 * - sending: low 16 bits count send requests in the pipe, high 16 bits are the id's tag;
 *   a worker must not write directly while a request of its socket is still in flight, or
 *   bytes would be reordered.
 * Everything else (wb_size, warn_size, reading/writing, opaque, read size) is the socket
 * thread's alone. */

#include "skynet.h"
#include "socket_server.h"
#include "socket_poll.h"
#include "spinlock.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_INFO 128
/* MAX_SOCKET will be 2^MAX_SOCKET_P */
#define MAX_SOCKET_P 16
#define MAX_EVENT 64
#define MIN_READ_BUFFER 64
#define SOCKET_TYPE_INVALID 0
#define SOCKET_TYPE_RESERVE 1
#define SOCKET_TYPE_PLISTEN 2
#define SOCKET_TYPE_LISTEN 3
#define SOCKET_TYPE_CONNECTING 4
#define SOCKET_TYPE_CONNECTED 5
#define SOCKET_TYPE_HALFCLOSE_READ 6
#define SOCKET_TYPE_HALFCLOSE_WRITE 7
#define SOCKET_TYPE_PACCEPT 8
#define SOCKET_TYPE_BIND 9

#define MAX_SOCKET (1 << MAX_SOCKET_P)

#define PRIORITY_HIGH 0
#define PRIORITY_LOW 1

#define HASH_ID(id) (((unsigned)(id)) % MAX_SOCKET)
#define ID_TAG16(id) (((unsigned)(id) >> MAX_SOCKET_P) & 0xffff)

#define PROTOCOL_TCP 0
#define PROTOCOL_UDP 1
#define PROTOCOL_UDPv6 2
#define PROTOCOL_UNKNOWN 255

#define UDP_ADDRESS_SIZE 19	/* ipv6 128bit + port 16bit + 1 byte type */
#define MAX_UDP_PACKAGE 65535

#define WARNING_SIZE (1024 * 1024)

/* internal poll results */
#define SOCKET_RST 8
#define SOCKET_MORE 9

struct write_buffer {
	struct write_buffer * next;
	void * buffer;	/* what to free */
	char * ptr;	/* what is left to write */
	size_t sz;
	uint8_t udp_address[UDP_ADDRESS_SIZE];
};

struct wb_list {
	struct write_buffer * head;
	struct write_buffer * tail;
};

struct socket {
	uintptr_t opaque;
	struct wb_list high;
	struct wb_list low;
	int64_t wb_size;
	int64_t warn_size;
	atomic_uint sending;
	atomic_int id;
	atomic_int type;
	atomic_bool closing;
	int fd;
	uint8_t protocol;
	bool reading;
	bool writing;
	union {
		int size;
		uint8_t udp_address[UDP_ADDRESS_SIZE];
	} p;
	struct spinlock dw_lock;
	size_t dw_offset;
	void * dw_buffer;
	size_t dw_size;
};

struct socket_server {
	int recvctrl_fd;
	int sendctrl_fd;
	int checkctrl;
	poll_fd event_fd;
	atomic_int alloc_id;
	int event_n;
	int event_index;
	int reserve_fd;	/* a spare fd, given up to accept (and drop) a client on EMFILE */
	void (*offline)(void);
	void (*online)(void);
	struct event ev[MAX_EVENT];
	struct socket slot[MAX_SOCKET];
	char buffer[MAX_INFO];
	uint8_t udpbuffer[MAX_UDP_PACKAGE];
};

struct request_open {
	int id;
	int port;
	uintptr_t opaque;
	char host[1];
};

struct request_send {
	int id;
	size_t sz;
	void * buffer;
};

struct request_send_udp {
	struct request_send send;
	uint8_t address[UDP_ADDRESS_SIZE];
};

struct request_setudp {
	int id;
	uint8_t address[UDP_ADDRESS_SIZE];
};

struct request_close {
	int id;
	int shutdown;
	uintptr_t opaque;
};

struct request_listen {
	int id;
	int fd;
	uintptr_t opaque;
};

struct request_bind {
	int id;
	int fd;
	uintptr_t opaque;
};

struct request_resumepause {
	int id;
	uintptr_t opaque;
};

struct request_setopt {
	int id;
	int what;
	int value;
};

struct request_udp {
	int id;
	int fd;
	int family;
	uintptr_t opaque;
};

/* The wire format: header[6] is the type, header[7] the body length; the request is written
 * from &header[6] so that the body (u) keeps its natural alignment. */
struct request_package {
	uint8_t header[8];
	union {
		char buffer[256];
		struct request_open open;
		struct request_send send;
		struct request_send_udp send_udp;
		struct request_close close;
		struct request_listen listen;
		struct request_bind bind;
		struct request_resumepause resumepause;
		struct request_setopt setopt;
		struct request_udp udp;
		struct request_setudp set_udp;
	} u;
	uint8_t dummy[256];
};

union sockaddr_all {
	struct sockaddr s;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

/* dw_lock, re-entrant within one call chain of the socket thread (force_close may run
 * inside send_buffer, which holds the lock) */
struct socket_lock {
	struct spinlock *lock;
	int count;
};

static inline void
socket_lock_init(struct socket *s, struct socket_lock *sl) {
	sl->lock = &s->dw_lock;
	sl->count = 0;
}

static inline void
socket_lock(struct socket_lock *sl) {
	if (sl->count == 0)
		spinlock_lock(sl->lock);
	++sl->count;
}

static inline int
socket_trylock(struct socket_lock *sl) {
	if (sl->count == 0 && !spinlock_trylock(sl->lock))
		return 0;
	++sl->count;
	return 1;
}

static inline void
socket_unlock(struct socket_lock *sl) {
	--sl->count;
	assert(sl->count >= 0);
	if (sl->count == 0)
		spinlock_unlock(sl->lock);
}

static inline int
socket_type(struct socket *s) {
	/* acquire: pairs with the release stores of new states, so fd/protocol are visible */
	return atomic_load_explicit(&s->type, memory_order_acquire);
}

static inline void
set_type(struct socket *s, int type) {
	/* release: publishes fd, protocol and the rest set up before the state changes */
	atomic_store_explicit(&s->type, type, memory_order_release);
}

static inline int
socket_id(struct socket *s) {
	/* relaxed: the id is only compared; the state load (acquire) orders what follows */
	return atomic_load_explicit(&s->id, memory_order_relaxed);
}

static inline bool
socket_invalid(struct socket *s, int id) {
	return socket_id(s) != id || socket_type(s) == SOCKET_TYPE_INVALID;
}

static inline bool
is_closing(struct socket *s) {
	/* relaxed: a filter for sends after close; a late one is queued and sent before the fd
	 * closes, which is what close promises anyway */
	return atomic_load_explicit(&s->closing, memory_order_relaxed);
}

static inline void
set_closing(struct socket *s, bool v) {
	/* relaxed: see is_closing */
	atomic_store_explicit(&s->closing, v, memory_order_relaxed);
}

static inline bool
halfclose_read(struct socket *s) {
	return socket_type(s) == SOCKET_TYPE_HALFCLOSE_READ;
}

static inline bool
send_buffer_empty(struct socket *s) {
	return s->high.head == NULL && s->low.head == NULL;
}

/* call with dw_lock held (or from the socket thread, which is the only writer of the lists) */
static inline bool
nomore_sending_data(struct socket *s) {
	return (send_buffer_empty(s) && s->dw_buffer == NULL &&
		(atomic_load(&s->sending) & 0xffff) == 0) ||
		socket_type(s) == SOCKET_TYPE_HALFCLOSE_WRITE;
}

static bool
nomore_sending_data_locked(struct socket *s, struct socket_lock *l) {
	socket_lock(l);
	bool r = nomore_sending_data(s);
	socket_unlock(l);
	return r;
}

static int
fd_write(struct socket *s, const void *buf, size_t sz) {
	if (s->protocol == PROTOCOL_TCP && socket_type(s) != SOCKET_TYPE_BIND)
		return (int)send(s->fd, buf, sz, MSG_NOSIGNAL);
	return (int)write(s->fd, buf, sz);
}

static void
socket_keepalive(int fd) {
	int keepalive = 1;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, (void *)&keepalive, sizeof(keepalive));
}

static int
reserve_id(struct socket_server *ss) {
	for (int i = 0; i < MAX_SOCKET; i++) {
		int id = atomic_fetch_add(&ss->alloc_id, 1) + 1;
		if (id < 0)
			id = atomic_fetch_and(&ss->alloc_id, 0x7fffffff) & 0x7fffffff;
		struct socket *s = &ss->slot[HASH_ID(id)];
		int expect = SOCKET_TYPE_INVALID;
		if (atomic_load(&s->type) != SOCKET_TYPE_INVALID)
			continue;
		if (atomic_compare_exchange_strong(&s->type, &expect, SOCKET_TYPE_RESERVE)) {
			atomic_store(&s->id, id);
			/* the tag makes stale in-flight counts of the slot's last owner harmless */
			atomic_store(&s->sending, ID_TAG16(id) << 16);
			return id;
		}
	}
	return -1;
}

static inline void
clear_wb_list(struct wb_list *list) {
	list->head = NULL;
	list->tail = NULL;
}

struct socket_server *
socket_server_create(uint64_t time) {
	(void)time;
	int fd[2];
	poll_fd efd = sp_create();
	if (sp_invalid(efd)) {
		skynet_error(NULL, "error: socket-server: create event pool failed.");
		return NULL;
	}
	if (pipe(fd)) {
		sp_release(efd);
		skynet_error(NULL, "error: socket-server: create socket pair failed.");
		return NULL;
	}
	if (sp_add(efd, fd[0], NULL, true)) {
		skynet_error(NULL, "error: socket-server: can't add server fd to event pool.");
		close(fd[0]);
		close(fd[1]);
		sp_release(efd);
		return NULL;
	}
	struct socket_server *ss = skynet_malloc(sizeof(*ss));
	memset(ss, 0, sizeof(*ss));
	ss->event_fd = efd;
	ss->recvctrl_fd = fd[0];
	ss->sendctrl_fd = fd[1];
	ss->checkctrl = 1;
	ss->reserve_fd = dup(1);	/* reserve an extra fd for EMFILE */
	for (int i = 0; i < MAX_SOCKET; i++) {
		struct socket *s = &ss->slot[i];
		atomic_init(&s->type, SOCKET_TYPE_INVALID);
		atomic_init(&s->id, 0);
		atomic_init(&s->sending, 0);
		atomic_init(&s->closing, false);
		s->fd = -1;
		clear_wb_list(&s->high);
		clear_wb_list(&s->low);
		spinlock_init(&s->dw_lock);
	}
	atomic_init(&ss->alloc_id, 0);
	return ss;
}

void
socket_server_set_idle_hooks(struct socket_server *ss, void (*offline)(void), void (*online)(void)) {
	ss->offline = offline;
	ss->online = online;
}

static void
free_wb_list(struct wb_list *list) {
	struct write_buffer *wb = list->head;
	while (wb) {
		struct write_buffer *tmp = wb;
		wb = wb->next;
		skynet_free(tmp->buffer);
		skynet_free(tmp);
	}
	clear_wb_list(list);
}

static void
force_close(struct socket_server *ss, struct socket *s, struct socket_lock *l, struct socket_message *result) {
	result->id = socket_id(s);
	result->ud = 0;
	result->data = NULL;
	result->opaque = s->opaque;
	int type = socket_type(s);
	if (type == SOCKET_TYPE_INVALID)
		return;
	assert(type != SOCKET_TYPE_RESERVE);
	socket_lock(l);
	free_wb_list(&s->high);
	free_wb_list(&s->low);
	sp_del(ss->event_fd, s->fd);
	if (type != SOCKET_TYPE_BIND && close(s->fd) < 0)
		perror("close socket:");
	s->fd = -1;
	if (s->dw_buffer) {
		skynet_free(s->dw_buffer);
		s->dw_buffer = NULL;
	}
	s->wb_size = 0;
	s->warn_size = 0;
	s->reading = s->writing = false;
	set_closing(s, false);
	set_type(s, SOCKET_TYPE_INVALID);	/* before unlock: see the file comment */
	socket_unlock(l);
}

static int has_cmd(struct socket_server *ss);
static void block_readpipe(int pipefd, void *buffer, int sz);

/* Requests nobody will serve any more (written after the exit request): free what they
 * own. */
static void
drain_requests(struct socket_server *ss) {
	union {
		uint8_t buffer[256];
		struct request_send send;
		struct request_send_udp send_udp;
		struct request_listen listen;
		struct request_udp udp;
		uintptr_t align;
	} u;
	uint8_t header[2];
	while (has_cmd(ss)) {
		block_readpipe(ss->recvctrl_fd, header, sizeof(header));
		block_readpipe(ss->recvctrl_fd, u.buffer, header[1]);
		switch (header[0]) {
		case 'D':
		case 'P':
			skynet_free(u.send.buffer);
			break;
		case 'A':
			skynet_free(u.send_udp.send.buffer);
			break;
		case 'L':
			close(u.listen.fd);
			break;
		case 'U':
			close(u.udp.fd);
			break;
		}
	}
}

void
socket_server_release(struct socket_server *ss) {
	struct socket_message dummy;
	drain_requests(ss);
	for (int i = 0; i < MAX_SOCKET; i++) {
		struct socket *s = &ss->slot[i];
		struct socket_lock l;
		socket_lock_init(s, &l);
		if (socket_type(s) != SOCKET_TYPE_RESERVE)
			force_close(ss, s, &l, &dummy);
		spinlock_destroy(&s->dw_lock);
	}
	close(ss->sendctrl_fd);
	close(ss->recvctrl_fd);
	sp_release(ss->event_fd);
	if (ss->reserve_fd >= 0)
		close(ss->reserve_fd);
	skynet_free(ss);
}

static inline void
check_wb_list(struct wb_list *s) {
	assert(s->head == NULL);
	assert(s->tail == NULL);
	(void)s;
}

static inline int
enable_write(struct socket_server *ss, struct socket *s, bool enable) {
	if (s->writing != enable) {
		s->writing = enable;
		return sp_enable(ss->event_fd, s->fd, s, s->reading, enable);
	}
	return 0;
}

static inline int
enable_read(struct socket_server *ss, struct socket *s, bool enable) {
	if (s->reading != enable) {
		s->reading = enable;
		return sp_enable(ss->event_fd, s->fd, s, enable, s->writing);
	}
	return 0;
}

/* socket thread, on a RESERVE slot */
static struct socket *
new_fd(struct socket_server *ss, int id, int fd, int protocol, uintptr_t opaque, bool reading) {
	struct socket *s = &ss->slot[HASH_ID(id)];
	assert(socket_type(s) == SOCKET_TYPE_RESERVE);
	if (sp_add(ss->event_fd, fd, s, reading)) {
		set_type(s, SOCKET_TYPE_INVALID);
		return NULL;
	}
	s->fd = fd;
	s->reading = reading;
	s->writing = false;
	set_closing(s, false);
	s->protocol = (uint8_t)protocol;
	s->p.size = MIN_READ_BUFFER;
	s->opaque = opaque;
	s->wb_size = 0;
	s->warn_size = 0;
	check_wb_list(&s->high);
	check_wb_list(&s->low);
	assert(s->dw_buffer == NULL);
	return s;
}

static inline int
report_error(struct socket *s, struct socket_message *result, const char *err) {
	result->id = socket_id(s);
	result->ud = 0;
	result->opaque = s->opaque;
	result->data = (char *)err;
	return SOCKET_ERR;
}

static void
close_read(struct socket_server *ss, struct socket *s, struct socket_message *result) {
	/* don't read socket later */
	set_type(s, SOCKET_TYPE_HALFCLOSE_READ);
	enable_read(ss, s, false);
	shutdown(s->fd, SHUT_RD);
	result->id = socket_id(s);
	result->ud = 0;
	result->data = NULL;
	result->opaque = s->opaque;
}

static inline int
gen_udp_address(int protocol, union sockaddr_all *sa, uint8_t *udp_address) {
	int addrsz = 1;
	udp_address[0] = (uint8_t)protocol;
	if (protocol == PROTOCOL_UDP) {
		memcpy(udp_address + addrsz, &sa->v4.sin_port, sizeof(sa->v4.sin_port));
		addrsz += sizeof(sa->v4.sin_port);
		memcpy(udp_address + addrsz, &sa->v4.sin_addr, sizeof(sa->v4.sin_addr));
		addrsz += sizeof(sa->v4.sin_addr);
	} else {
		memcpy(udp_address + addrsz, &sa->v6.sin6_port, sizeof(sa->v6.sin6_port));
		addrsz += sizeof(sa->v6.sin6_port);
		memcpy(udp_address + addrsz, &sa->v6.sin6_addr, sizeof(sa->v6.sin6_addr));
		addrsz += sizeof(sa->v6.sin6_addr);
	}
	return addrsz;
}

static socklen_t
udp_socket_address(struct socket *s, const uint8_t udp_address[UDP_ADDRESS_SIZE], union sockaddr_all *sa) {
	int type = (uint8_t)udp_address[0];
	if (type != s->protocol)
		return 0;
	uint16_t port;
	memcpy(&port, udp_address + 1, sizeof(port));
	memset(sa, 0, sizeof(*sa));
	switch (s->protocol) {
	case PROTOCOL_UDP:
		sa->v4.sin_family = AF_INET;
		sa->v4.sin_port = port;
		memcpy(&sa->v4.sin_addr, udp_address + 1 + sizeof(uint16_t), sizeof(sa->v4.sin_addr));
		return sizeof(sa->v4);
	case PROTOCOL_UDPv6:
		sa->v6.sin6_family = AF_INET6;
		sa->v6.sin6_port = port;
		memcpy(&sa->v6.sin6_addr, udp_address + 1 + sizeof(uint16_t), sizeof(sa->v6.sin6_addr));
		return sizeof(sa->v6);
	}
	return 0;
}

/* ---- socket thread: requests ---- */

static int
open_socket(struct socket_server *ss, struct request_open *request, struct socket_message *result) {
	int id = request->id;
	result->opaque = request->opaque;
	result->id = id;
	result->ud = 0;
	result->data = NULL;
	struct addrinfo ai_hints;
	struct addrinfo *ai_list = NULL;
	char port[16];
	snprintf(port, sizeof(port), "%d", request->port);
	memset(&ai_hints, 0, sizeof(ai_hints));
	ai_hints.ai_family = AF_UNSPEC;
	ai_hints.ai_socktype = SOCK_STREAM;
	ai_hints.ai_protocol = IPPROTO_TCP;
	int status = getaddrinfo(request->host, port, &ai_hints, &ai_list);
	if (status != 0) {
		result->data = (char *)gai_strerror(status);
		goto _failed_getaddrinfo;
	}
	int sock = -1;
	struct addrinfo *ai_ptr;
	for (ai_ptr = ai_list; ai_ptr != NULL; ai_ptr = ai_ptr->ai_next) {
		sock = socket(ai_ptr->ai_family, ai_ptr->ai_socktype, ai_ptr->ai_protocol);
		if (sock < 0)
			continue;
		socket_keepalive(sock);
		sp_nonblocking(sock);
		status = connect(sock, ai_ptr->ai_addr, ai_ptr->ai_addrlen);
		if (status != 0 && errno != EINPROGRESS) {
			close(sock);
			sock = -1;
			continue;
		}
		break;
	}
	if (sock < 0) {
		result->data = strerror(errno);
		goto _failed;
	}
	struct socket *ns = new_fd(ss, id, sock, PROTOCOL_TCP, request->opaque, true);
	if (ns == NULL) {
		close(sock);
		result->data = "reach skynet socket number limit";
		freeaddrinfo(ai_list);
		return SOCKET_ERR;	/* new_fd already made the slot INVALID */
	}
	if (status == 0) {
		set_type(ns, SOCKET_TYPE_CONNECTED);
		struct sockaddr *addr = ai_ptr->ai_addr;
		void *sin_addr = (ai_ptr->ai_family == AF_INET) ? (void *)&((struct sockaddr_in *)addr)->sin_addr :
			(void *)&((struct sockaddr_in6 *)addr)->sin6_addr;
		if (inet_ntop(ai_ptr->ai_family, sin_addr, ss->buffer, sizeof(ss->buffer)))
			result->data = ss->buffer;
		freeaddrinfo(ai_list);
		return SOCKET_OPEN;
	}
	set_type(ns, SOCKET_TYPE_CONNECTING);
	if (enable_write(ss, ns, true)) {
		result->data = "enable write failed";
		goto _failed;
	}
	freeaddrinfo(ai_list);
	return -1;
_failed:
	freeaddrinfo(ai_list);
_failed_getaddrinfo:
	{
		struct socket *s = &ss->slot[HASH_ID(id)];
		if (socket_type(s) != SOCKET_TYPE_RESERVE) {
			struct socket_lock l;
			socket_lock_init(s, &l);
			const char *err = result->data;
			force_close(ss, s, &l, result);
			result->data = (char *)err;
		} else {
			set_type(s, SOCKET_TYPE_INVALID);
		}
	}
	return SOCKET_ERR;
}

/* Moves as much of list as the kernel takes. -1: nothing to report; else an event. */
static int
send_list_tcp(struct socket_server *ss, struct socket *s, struct wb_list *list, struct socket_lock *l, struct socket_message *result);

static int
close_write(struct socket_server *ss, struct socket *s, struct socket_lock *l, struct socket_message *result) {
	if (is_closing(s)) {
		force_close(ss, s, l, result);
		return SOCKET_RST;
	}
	int t = socket_type(s);
	if (t == SOCKET_TYPE_HALFCLOSE_READ) {
		/* recv 0 before, ignore the error and close fd */
		force_close(ss, s, l, result);
		return SOCKET_RST;
	}
	if (t == SOCKET_TYPE_HALFCLOSE_WRITE) {
		/* already raised SOCKET_ERR */
		return SOCKET_RST;
	}
	int err = errno;
	set_type(s, SOCKET_TYPE_HALFCLOSE_WRITE);
	shutdown(s->fd, SHUT_WR);
	enable_write(ss, s, false);
	return report_error(s, result, strerror(err));
}

static int
send_list_tcp(struct socket_server *ss, struct socket *s, struct wb_list *list, struct socket_lock *l, struct socket_message *result) {
	while (list->head) {
		struct write_buffer *tmp = list->head;
		for (;;) {
			ssize_t sz = fd_write(s, tmp->ptr, tmp->sz);
			if (sz < 0) {
				switch (errno) {
				case EINTR:
					continue;
				case EAGAIN:
					return -1;
				}
				return close_write(ss, s, l, result);
			}
			s->wb_size -= sz;
			if ((size_t)sz != tmp->sz) {
				tmp->ptr += sz;
				tmp->sz -= (size_t)sz;
				return -1;
			}
			break;
		}
		list->head = tmp->next;
		skynet_free(tmp->buffer);
		skynet_free(tmp);
	}
	list->tail = NULL;
	return -1;
}

static void
drop_udp(struct socket *s, struct wb_list *list, struct write_buffer *tmp) {
	s->wb_size -= tmp->sz;
	list->head = tmp->next;
	if (list->head == NULL)
		list->tail = NULL;
	skynet_free(tmp->buffer);
	skynet_free(tmp);
}

static int
send_list_udp(struct socket *s, struct wb_list *list) {
	while (list->head) {
		struct write_buffer *tmp = list->head;
		union sockaddr_all sa;
		socklen_t sasz = udp_socket_address(s, tmp->udp_address, &sa);
		if (sasz == 0) {
			skynet_error(NULL, "error: socket-server: udp (%d) type mismatch.", socket_id(s));
			drop_udp(s, list, tmp);
			return -1;
		}
		ssize_t err = sendto(s->fd, tmp->ptr, tmp->sz, 0, &sa.s, sasz);
		if (err < 0) {
			switch (errno) {
			case EINTR:
			case EAGAIN:
				return -1;
			}
			/* an oversized or unroutable datagram: dropped, the socket goes on */
			skynet_error(NULL, "error: socket-server: udp (%d) sendto error %s.", socket_id(s), strerror(errno));
			drop_udp(s, list, tmp);
			return -1;
		}
		s->wb_size -= tmp->sz;
		list->head = tmp->next;
		skynet_free(tmp->buffer);
		skynet_free(tmp);
	}
	list->tail = NULL;
	return -1;
}

static int
send_list(struct socket_server *ss, struct socket *s, struct wb_list *list, struct socket_lock *l, struct socket_message *result) {
	if (s->protocol == PROTOCOL_TCP)
		return send_list_tcp(ss, s, list, l, result);
	return send_list_udp(s, list);
}

static inline bool
list_uncomplete(struct wb_list *s) {
	struct write_buffer *wb = s->head;
	if (wb == NULL)
		return false;
	return (void *)wb->ptr != wb->buffer;
}

/* the partly written head of low moves to high, so it finishes before other low data */
static void
raise_uncomplete(struct socket *s) {
	struct wb_list *low = &s->low;
	struct write_buffer *tmp = low->head;
	low->head = tmp->next;
	if (low->head == NULL)
		low->tail = NULL;
	struct wb_list *high = &s->high;
	assert(high->head == NULL);
	tmp->next = NULL;
	high->head = high->tail = tmp;
}

/* Each socket has two write lists. High priority first; low only when high is empty.
 * Called with dw_lock held. */
static int
send_buffer_(struct socket_server *ss, struct socket *s, struct socket_lock *l, struct socket_message *result) {
	assert(!list_uncomplete(&s->low));
	int ret = send_list(ss, s, &s->high, l, result);
	if (ret != -1) {
		if (ret == SOCKET_ERR)
			return SOCKET_ERR;	/* HALFCLOSE_WRITE */
		return -1;	/* SOCKET_RST: closed, nothing more to report */
	}
	if (s->high.head == NULL) {
		if (s->low.head != NULL) {
			ret = send_list(ss, s, &s->low, l, result);
			if (ret != -1) {
				if (ret == SOCKET_ERR)
					return SOCKET_ERR;
				return -1;
			}
			if (list_uncomplete(&s->low)) {
				raise_uncomplete(s);
				return -1;
			}
			if (s->low.head)
				return -1;
		}
		/* both lists drained */
		assert(send_buffer_empty(s) && s->wb_size == 0);
		if (is_closing(s)) {
			force_close(ss, s, l, result);
			return -1;
		}
		if (enable_write(ss, s, false))
			return report_error(s, result, "disable write failed");
		if (s->warn_size > 0) {
			s->warn_size = 0;
			result->opaque = s->opaque;
			result->id = socket_id(s);
			result->ud = 0;
			result->data = NULL;
			return SOCKET_WARNING;
		}
	}
	return -1;
}

static int
send_buffer(struct socket_server *ss, struct socket *s, struct socket_lock *l, struct socket_message *result) {
	if (!socket_trylock(l))
		return -1;	/* a worker is writing directly; EPOLLOUT stays armed, retry later */
	if (s->dw_buffer) {
		/* the rest of a partial direct write goes first */
		struct write_buffer *buf = skynet_malloc(sizeof(*buf));
		buf->buffer = s->dw_buffer;
		buf->ptr = (char *)s->dw_buffer + s->dw_offset;
		buf->sz = s->dw_size - s->dw_offset;
		s->wb_size += (int64_t)buf->sz;
		buf->next = s->high.head;
		s->high.head = buf;
		if (s->high.tail == NULL)
			s->high.tail = buf;
		s->dw_buffer = NULL;
	}
	int r = send_buffer_(ss, s, l, result);
	socket_unlock(l);
	return r;
}

static struct write_buffer *
append_sendbuffer_(struct wb_list *s, struct request_send *request) {
	struct write_buffer *buf = skynet_malloc(sizeof(*buf));
	buf->buffer = request->buffer;
	buf->ptr = request->buffer;
	buf->sz = request->sz;
	buf->next = NULL;
	if (s->head == NULL) {
		s->head = s->tail = buf;
	} else {
		assert(s->tail != NULL && s->tail->next == NULL);
		s->tail->next = buf;
		s->tail = buf;
	}
	return buf;
}

static void
append_sendbuffer(struct socket *s, struct wb_list *list, struct request_send *request, const uint8_t *udp_address) {
	struct socket_lock l;
	socket_lock_init(s, &l);
	socket_lock(&l);
	struct write_buffer *buf = append_sendbuffer_(list, request);
	if (udp_address)
		memcpy(buf->udp_address, udp_address, UDP_ADDRESS_SIZE);
	s->wb_size += (int64_t)buf->sz;
	socket_unlock(&l);
}

/* 'D' / 'P' / 'A': queue a send. udp_address is NULL for a plain send. */
static int
send_socket(struct socket_server *ss, struct request_send *request, struct socket_message *result, int priority, const uint8_t *udp_address) {
	int id = request->id;
	struct socket *s = &ss->slot[HASH_ID(id)];
	int type = socket_type(s);
	if (type == SOCKET_TYPE_INVALID || type == SOCKET_TYPE_RESERVE || socket_id(s) != id ||
		type == SOCKET_TYPE_HALFCLOSE_WRITE || type == SOCKET_TYPE_PACCEPT || type == SOCKET_TYPE_PLISTEN) {
		skynet_free(request->buffer);
		return -1;
	}
	if (type == SOCKET_TYPE_LISTEN) {
		skynet_error(NULL, "error: socket-server: write to listen fd %d.", id);
		skynet_free(request->buffer);
		return -1;
	}
	if (s->protocol != PROTOCOL_TCP) {
		if (udp_address == NULL) {
			/* a send on a udp socket goes to the address set by udp_connect */
			if (s->p.udp_address[0] == 0) {
				skynet_error(NULL, "error: socket-server: udp (%d) has no peer address.", id);
				skynet_free(request->buffer);
				return -1;
			}
			udp_address = s->p.udp_address;
		}
		if (s->protocol == PROTOCOL_UDP && request->sz > 65507)
			skynet_error(NULL, "error: socket-server: udp (%d) datagram of %zu bytes is over the ipv4 limit.", id, request->sz);
	}
	if (send_buffer_empty(s)) {
		/* TCP: into the high list even for low priority (nothing to overtake) */
		append_sendbuffer(s, &s->high, request, udp_address);
		if (enable_write(ss, s, true))
			return report_error(s, result, "enable write failed");
	} else {
		append_sendbuffer(s, (s->protocol == PROTOCOL_TCP && priority == PRIORITY_LOW) ? &s->low : &s->high,
			request, udp_address);
	}
	if (s->wb_size >= WARNING_SIZE && s->wb_size >= s->warn_size) {
		s->warn_size = s->warn_size == 0 ? WARNING_SIZE * 2 : s->warn_size * 2;
		result->opaque = s->opaque;
		result->id = id;
		result->ud = (int)(s->wb_size % 1024 == 0 ? s->wb_size / 1024 : s->wb_size / 1024 + 1);
		result->data = NULL;
		return SOCKET_WARNING;
	}
	return -1;
}

static int
listen_socket(struct socket_server *ss, struct request_listen *request, struct socket_message *result) {
	int id = request->id;
	int listen_fd = request->fd;
	struct socket *s = new_fd(ss, id, listen_fd, PROTOCOL_TCP, request->opaque, false);
	result->opaque = request->opaque;
	result->id = id;
	result->ud = 0;
	result->data = "listen";
	if (s == NULL) {
		close(listen_fd);
		result->data = "reach skynet socket number limit";
		return SOCKET_ERR;
	}
	set_type(s, SOCKET_TYPE_PLISTEN);
	union sockaddr_all u;
	socklen_t slen = sizeof(u);
	if (getsockname(listen_fd, &u.s, &slen) == 0) {
		void *sin_addr = (u.s.sa_family == AF_INET) ? (void *)&u.v4.sin_addr : (void *)&u.v6.sin6_addr;
		if (inet_ntop(u.s.sa_family, sin_addr, ss->buffer, sizeof(ss->buffer)) == NULL) {
			result->data = strerror(errno);
			return SOCKET_ERR;
		}
		result->data = ss->buffer;
		result->ud = ntohs((u.s.sa_family == AF_INET) ? u.v4.sin_port : u.v6.sin6_port);
	} else {
		result->data = strerror(errno);
		return SOCKET_ERR;
	}
	return SOCKET_OPEN;
}

static int
close_socket(struct socket_server *ss, struct request_close *request, struct socket_message *result) {
	int id = request->id;
	struct socket *s = &ss->slot[HASH_ID(id)];
	if (socket_invalid(s, id) || socket_type(s) == SOCKET_TYPE_RESERVE)
		return -1;	/* already closed: ignore */
	struct socket_lock l;
	socket_lock_init(s, &l);
	bool shutdown_read = halfclose_read(s);
	if (request->shutdown || nomore_sending_data_locked(s, &l)) {
		/* a read side already reported closed raises no second CLOSE */
		int r = shutdown_read ? -1 : SOCKET_CLOSE;
		force_close(ss, s, &l, result);
		return r;
	}
	set_closing(s, true);
	if (!shutdown_read) {
		/* don't read socket after socket.close() */
		close_read(ss, s, result);
		return SOCKET_CLOSE;
	}
	/* recv 0 before; wait for the data to go out */
	return -1;
}

static int
bind_socket(struct socket_server *ss, struct request_bind *request, struct socket_message *result) {
	int id = request->id;
	result->id = id;
	result->opaque = request->opaque;
	result->ud = 0;
	struct socket *s = new_fd(ss, id, request->fd, PROTOCOL_TCP, request->opaque, true);
	if (s == NULL) {
		result->data = "reach skynet socket number limit";
		return SOCKET_ERR;
	}
	sp_nonblocking(request->fd);
	set_type(s, SOCKET_TYPE_BIND);
	result->data = "binding";
	return SOCKET_OPEN;
}

static int
resume_socket(struct socket_server *ss, struct request_resumepause *request, struct socket_message *result) {
	int id = request->id;
	result->id = id;
	result->opaque = request->opaque;
	result->ud = 0;
	result->data = NULL;
	struct socket *s = &ss->slot[HASH_ID(id)];
	if (socket_invalid(s, id) || socket_type(s) == SOCKET_TYPE_RESERVE) {
		result->data = "invalid socket";
		return SOCKET_ERR;
	}
	if (halfclose_read(s))
		return -1;	/* the read side is gone: nothing to resume */
	if (enable_read(ss, s, true)) {
		result->data = "enable in epoll failed";
		return SOCKET_ERR;
	}
	int type = socket_type(s);
	if (type == SOCKET_TYPE_PACCEPT || type == SOCKET_TYPE_PLISTEN) {
		s->opaque = request->opaque;
		set_type(s, type == SOCKET_TYPE_PACCEPT ? SOCKET_TYPE_CONNECTED : SOCKET_TYPE_LISTEN);
		result->data = "start";
		return SOCKET_OPEN;
	} else if (type == SOCKET_TYPE_CONNECTED) {
		s->opaque = request->opaque;
		result->data = "transfer";
		return SOCKET_OPEN;
	}
	/* HALFCLOSE_WRITE: the CLOSE comes later */
	return -1;
}

static int
pause_socket(struct socket_server *ss, struct request_resumepause *request, struct socket_message *result) {
	int id = request->id;
	struct socket *s = &ss->slot[HASH_ID(id)];
	if (socket_invalid(s, id) || socket_type(s) == SOCKET_TYPE_RESERVE)
		return -1;
	if (enable_read(ss, s, false))
		return report_error(s, result, "enable read failed");
	return -1;
}

static void
setopt_socket(struct socket_server *ss, struct request_setopt *request) {
	int id = request->id;
	struct socket *s = &ss->slot[HASH_ID(id)];
	if (socket_invalid(s, id) || socket_type(s) == SOCKET_TYPE_RESERVE)
		return;
	int v = request->value;
	setsockopt(s->fd, IPPROTO_TCP, request->what, &v, sizeof(v));
}

static void
add_udp_socket(struct socket_server *ss, struct request_udp *udp) {
	int id = udp->id;
	int protocol = udp->family == AF_INET6 ? PROTOCOL_UDPv6 : PROTOCOL_UDP;
	struct socket *ns = new_fd(ss, id, udp->fd, protocol, udp->opaque, true);
	if (ns == NULL) {
		close(udp->fd);
		return;
	}
	memset(ns->p.udp_address, 0, sizeof(ns->p.udp_address));
	set_type(ns, SOCKET_TYPE_CONNECTED);
}

static int
set_udp_address(struct socket_server *ss, struct request_setudp *request, struct socket_message *result) {
	int id = request->id;
	struct socket *s = &ss->slot[HASH_ID(id)];
	if (socket_invalid(s, id) || socket_type(s) == SOCKET_TYPE_RESERVE)
		return -1;
	int type = request->address[0];
	if (type != s->protocol) {
		/* protocol mismatch */
		return report_error(s, result, "protocol mismatch");
	}
	if (type == PROTOCOL_UDP)
		memcpy(s->p.udp_address, request->address, 1 + 2 + 4);	/* 1 type, 2 port, 4 ipv4 */
	else
		memcpy(s->p.udp_address, request->address, 1 + 2 + 16);	/* 1 type, 2 port, 16 ipv6 */
	return -1;
}

static void
dec_sending_ref(struct socket_server *ss, int id) {
	struct socket *s = &ss->slot[HASH_ID(id)];
	unsigned sending = atomic_load(&s->sending);
	while ((sending >> 16) == ID_TAG16(id) && (sending & 0xffff) != 0) {
		if (atomic_compare_exchange_weak(&s->sending, &sending, sending - 1))
			return;
	}
}

static void
block_readpipe(int pipefd, void *buffer, int sz) {
	for (;;) {
		int n = (int)read(pipefd, buffer, (size_t)sz);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			skynet_error(NULL, "error: socket-server: read pipe error %s.", strerror(errno));
			return;
		}
		/* a request is written whole (< PIPE_BUF) */
		assert(n == sz);
		return;
	}
}

static int
has_cmd(struct socket_server *ss) {
	struct pollfd p = { .fd = ss->recvctrl_fd, .events = POLLIN, .revents = 0 };
	return poll(&p, 1, 0) == 1;
}

/* -1: nothing to report */
static int
ctrl_cmd(struct socket_server *ss, struct socket_message *result) {
	int fd = ss->recvctrl_fd;
	/* the body of a request is aligned as the union in request_package */
	union {
		uint8_t buffer[256];
		struct request_send send;
		struct request_open open;
		uintptr_t align;
	} u;
	uint8_t header[2];
	block_readpipe(fd, header, sizeof(header));
	int type = header[0];
	int len = header[1];
	block_readpipe(fd, u.buffer, len);
	switch (type) {
	case 'R':
		return resume_socket(ss, (struct request_resumepause *)u.buffer, result);
	case 'S':
		return pause_socket(ss, (struct request_resumepause *)u.buffer, result);
	case 'B':
		return bind_socket(ss, (struct request_bind *)u.buffer, result);
	case 'L':
		return listen_socket(ss, (struct request_listen *)u.buffer, result);
	case 'K':
		return close_socket(ss, (struct request_close *)u.buffer, result);
	case 'O':
		return open_socket(ss, (struct request_open *)u.buffer, result);
	case 'X':
		result->opaque = 0;
		result->id = 0;
		result->ud = 0;
		result->data = NULL;
		return SOCKET_EXIT;
	case 'W': {
		struct request_send *request = (struct request_send *)u.buffer;
		struct socket *s = &ss->slot[HASH_ID(request->id)];
		if (socket_invalid(s, request->id) || socket_type(s) == SOCKET_TYPE_RESERVE)
			return -1;
		if (enable_write(ss, s, true))
			return report_error(s, result, "enable write failed");
		return -1;
	}
	case 'D':
	case 'P': {
		struct request_send *request = (struct request_send *)u.buffer;
		int ret = send_socket(ss, request, result, type == 'D' ? PRIORITY_HIGH : PRIORITY_LOW, NULL);
		/* after queuing: a worker seeing no in-flight request also sees the queued data */
		dec_sending_ref(ss, request->id);
		return ret;
	}
	case 'A': {
		struct request_send_udp *rsu = (struct request_send_udp *)u.buffer;
		return send_socket(ss, &rsu->send, result, PRIORITY_HIGH, rsu->address);
	}
	case 'C':
		return set_udp_address(ss, (struct request_setudp *)u.buffer, result);
	case 'T':
		setopt_socket(ss, (struct request_setopt *)u.buffer);
		return -1;
	case 'U':
		add_udp_socket(ss, (struct request_udp *)u.buffer);
		return -1;
	default:
		skynet_error(NULL, "error: socket-server: unknown ctrl %c.", type);
		return -1;
	}
}

/* ---- socket thread: events ---- */

/* return -1 (ignore) when error */
static int
forward_message_tcp(struct socket_server *ss, struct socket *s, struct socket_lock *l, struct socket_message *result) {
	int sz = s->p.size;
	char *buffer = skynet_malloc((size_t)sz);
	int n = (int)read(s->fd, buffer, (size_t)sz);
	if (n < 0) {
		skynet_free(buffer);
		switch (errno) {
		case EINTR:
		case EAGAIN:
			return -1;
		}
		/* a reset peer (ECONNRESET) and the like: the socket is finished */
		const char *err = strerror(errno);
		force_close(ss, s, l, result);
		result->data = (char *)err;
		return SOCKET_ERR;
	}
	if (n == 0) {
		skynet_free(buffer);
		if (is_closing(s)) {
			/* reading is off once closing; the CLOSE has been raised */
			if (nomore_sending_data_locked(s, l))
				force_close(ss, s, l, result);
			return -1;
		}
		int t = socket_type(s);
		if (t == SOCKET_TYPE_HALFCLOSE_READ)
			return -1;	/* already shut down the read side */
		if (t == SOCKET_TYPE_HALFCLOSE_WRITE)
			force_close(ss, s, l, result);	/* both halves are gone */
		else
			close_read(ss, s, result);
		return SOCKET_CLOSE;
	}
	if (halfclose_read(s)) {
		/* discard data arriving after the read side closed */
		skynet_free(buffer);
		return -1;
	}
	result->opaque = s->opaque;
	result->id = socket_id(s);
	result->ud = n;
	result->data = buffer;
	if (n == sz) {
		s->p.size *= 2;
		return SOCKET_MORE;
	} else if (sz > MIN_READ_BUFFER && n * 2 < sz) {
		s->p.size /= 2;
	}
	return SOCKET_DATA;
}

static int
forward_message_udp(struct socket_server *ss, struct socket *s, struct socket_lock *l, struct socket_message *result) {
	union sockaddr_all sa;
	socklen_t slen = sizeof(sa);
	int n = (int)recvfrom(s->fd, ss->udpbuffer, MAX_UDP_PACKAGE, 0, &sa.s, &slen);
	if (n < 0) {
		switch (errno) {
		case EINTR:
		case EAGAIN:
			return -1;
		}
		const char *err = strerror(errno);
		force_close(ss, s, l, result);
		result->data = (char *)err;
		return SOCKET_ERR;
	}
	uint8_t *data;
	if (slen == sizeof(sa.v4)) {
		if (s->protocol != PROTOCOL_UDP)
			return -1;
		data = skynet_malloc((size_t)n + 1 + 2 + 4);
		gen_udp_address(PROTOCOL_UDP, &sa, data + n);
	} else {
		if (s->protocol != PROTOCOL_UDPv6)
			return -1;
		data = skynet_malloc((size_t)n + 1 + 2 + 16);
		gen_udp_address(PROTOCOL_UDPv6, &sa, data + n);
	}
	memcpy(data, ss->udpbuffer, (size_t)n);
	result->opaque = s->opaque;
	result->id = socket_id(s);
	result->ud = n;
	result->data = (char *)data;
	return SOCKET_UDP;
}

static int
report_connect(struct socket_server *ss, struct socket *s, struct socket_lock *l, struct socket_message *result) {
	int error;
	socklen_t len = sizeof(error);
	int code = getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &error, &len);
	if (code < 0 || error) {
		const char *err = strerror(code < 0 ? errno : error);
		force_close(ss, s, l, result);
		result->data = (char *)err;
		return SOCKET_ERR;
	}
	set_type(s, SOCKET_TYPE_CONNECTED);
	result->opaque = s->opaque;
	result->id = socket_id(s);
	result->ud = 0;
	result->data = NULL;
	if (nomore_sending_data_locked(s, l)) {
		if (enable_write(ss, s, false)) {
			force_close(ss, s, l, result);
			result->data = "disable write failed";
			return SOCKET_ERR;
		}
	}
	union sockaddr_all u;
	socklen_t slen = sizeof(u);
	if (getpeername(s->fd, &u.s, &slen) == 0) {
		void *sin_addr = (u.s.sa_family == AF_INET) ? (void *)&u.v4.sin_addr : (void *)&u.v6.sin6_addr;
		if (inet_ntop(u.s.sa_family, sin_addr, ss->buffer, sizeof(ss->buffer)))
			result->data = ss->buffer;
	}
	return SOCKET_OPEN;
}

/* 1: accepted; 0: nothing (retry later); -1: EMFILE (reported as an error of the listener) */
static int
report_accept(struct socket_server *ss, struct socket *s, struct socket_message *result) {
	union sockaddr_all u;
	socklen_t len = sizeof(u);
	int client_fd = accept(s->fd, &u.s, &len);
	if (client_fd < 0) {
		if (errno == EMFILE || errno == ENFILE) {
			result->opaque = s->opaque;
			result->id = socket_id(s);
			result->ud = 0;
			result->data = strerror(errno);
			/* out of fds: give up the spare one to accept the client and drop it, or the
			 * pending connection keeps the listener readable forever */
			if (ss->reserve_fd >= 0) {
				close(ss->reserve_fd);
				len = sizeof(u);
				client_fd = accept(s->fd, &u.s, &len);
				if (client_fd >= 0)
					close(client_fd);
				ss->reserve_fd = dup(1);
			}
			return -1;
		}
		return 0;
	}
	int id = reserve_id(ss);
	if (id < 0) {
		close(client_fd);
		return 0;
	}
	socket_keepalive(client_fd);
	sp_nonblocking(client_fd);
	struct socket *ns = new_fd(ss, id, client_fd, PROTOCOL_TCP, s->opaque, false);
	if (ns == NULL) {
		close(client_fd);
		return 0;
	}
	set_type(ns, SOCKET_TYPE_PACCEPT);
	result->opaque = s->opaque;
	result->id = socket_id(s);
	result->ud = id;
	result->data = NULL;
	void *sin_addr = (u.s.sa_family == AF_INET) ? (void *)&u.v4.sin_addr : (void *)&u.v6.sin6_addr;
	int sin_port = ntohs((u.s.sa_family == AF_INET) ? u.v4.sin_port : u.v6.sin6_port);
	char tmp[INET6_ADDRSTRLEN];
	if (inet_ntop(u.s.sa_family, sin_addr, tmp, sizeof(tmp))) {
		snprintf(ss->buffer, sizeof(ss->buffer), "%s:%d", tmp, sin_port);
		result->data = ss->buffer;
	}
	return 1;
}

/* A socket closed by a request must not be looked at by events already fetched. */
static inline void
clear_closed_event(struct socket_server *ss, struct socket_message *result, int type) {
	if (type != SOCKET_CLOSE && type != SOCKET_ERR)
		return;
	int id = result->id;
	for (int i = ss->event_index; i < ss->event_n; i++) {
		struct event *e = &ss->ev[i];
		struct socket *s = e->s;
		if (s && socket_id(s) == id && socket_type(s) == SOCKET_TYPE_INVALID) {
			e->s = NULL;
			break;
		}
	}
}

int
socket_server_poll(struct socket_server *ss, struct socket_message *result, int *more) {
	for (;;) {
		if (ss->checkctrl) {
			if (has_cmd(ss)) {
				int type = ctrl_cmd(ss, result);
				if (type != -1) {
					clear_closed_event(ss, result, type);
					return type;
				}
				continue;
			}
			ss->checkctrl = 0;
		}
		if (ss->event_index == ss->event_n) {
			if (ss->offline)
				ss->offline();
			ss->event_n = sp_wait(ss->event_fd, ss->ev, MAX_EVENT);
			int err = errno;
			if (ss->online)
				ss->online();
			ss->checkctrl = 1;
			if (more)
				*more = 0;
			ss->event_index = 0;
			if (ss->event_n <= 0) {
				ss->event_n = 0;
				if (err != EINTR)
					skynet_error(NULL, "error: socket-server: %s", strerror(err));
				continue;
			}
		}
		struct event *e = &ss->ev[ss->event_index++];
		struct socket *s = e->s;
		if (s == NULL)
			continue;	/* the pipe: drained at the top of the loop */
		struct socket_lock l;
		socket_lock_init(s, &l);
		switch (socket_type(s)) {
		case SOCKET_TYPE_CONNECTING:
			return report_connect(ss, s, &l, result);
		case SOCKET_TYPE_LISTEN: {
			int ok = report_accept(ss, s, result);
			if (ok > 0)
				return SOCKET_ACCEPT;
			if (ok < 0)
				return SOCKET_ERR;
			/* ok == 0: retry */
			break;
		}
		case SOCKET_TYPE_INVALID:
			skynet_error(NULL, "error: socket-server: invalid socket");
			break;
		case SOCKET_TYPE_RESERVE:
			/* closed earlier in this batch and already claimed again: a stale event */
			break;
		default:
			if (e->read) {
				int type;
				if (s->protocol == PROTOCOL_TCP) {
					type = forward_message_tcp(ss, s, &l, result);
					if (type == SOCKET_MORE) {
						--ss->event_index;	/* the same event again with a bigger buffer */
						return SOCKET_DATA;
					}
				} else {
					type = forward_message_udp(ss, s, &l, result);
					if (type == SOCKET_UDP) {
						/* try read again */
						--ss->event_index;
						return SOCKET_UDP;
					}
				}
				if (e->write && type != SOCKET_CLOSE && type != SOCKET_ERR) {
					/* Try to dispatch write message next step if write flag set. */
					e->read = false;
					--ss->event_index;
				}
				if (type == -1)
					break;
				return type;
			}
			if (e->write) {
				int type = send_buffer(ss, s, &l, result);
				if (type == -1)
					break;
				return type;
			}
			if (e->error) {
				int error;
				socklen_t len = sizeof(error);
				int code = getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &error, &len);
				const char *err;
				if (code < 0)
					err = strerror(errno);
				else if (error != 0)
					err = strerror(error);
				else
					err = "Unknown error";
				force_close(ss, s, &l, result);
				result->data = (char *)err;
				return SOCKET_ERR;
			}
			if (e->eof) {
				/* the peer hung up: close; the CLOSE is news unless the read side was done */
				bool halfclose = halfclose_read(s);
				force_close(ss, s, &l, result);
				if (!halfclose)
					return SOCKET_CLOSE;
			}
			break;
		}
	}
}

static void
send_request(struct socket_server *ss, struct request_package *request, char type, int len) {
	request->header[6] = (uint8_t)type;
	request->header[7] = (uint8_t)len;
	const char *req = (const char *)request + offsetof(struct request_package, header[6]);
	for (;;) {
		ssize_t n = write(ss->sendctrl_fd, req, (size_t)len + 2);
		if (n < 0) {
			if (errno != EINTR)
				skynet_error(NULL, "error: socket-server: send ctrl command error %s.", strerror(errno));
			continue;
		}
		assert(n == len + 2);
		return;
	}
}

static int
open_request(struct socket_server *ss, struct request_package *req, uintptr_t opaque, const char *addr, int port) {
	size_t len = strlen(addr);
	if (len + sizeof(req->u.open) >= 256) {
		skynet_error(NULL, "error: socket-server: Invalid addr %s.", addr);
		return -1;
	}
	int id = reserve_id(ss);
	if (id < 0)
		return -1;
	req->u.open.opaque = opaque;
	req->u.open.id = id;
	req->u.open.port = port;
	/* the host runs past the struct into the rest of the union (a flexible tail) */
	memcpy(req->u.buffer + offsetof(struct request_open, host), addr, len + 1);
	return (int)len;
}

int
socket_server_connect(struct socket_server *ss, uintptr_t opaque, const char *addr, int port) {
	struct request_package request = {0};	/* padding crosses the pipe too */
	int len = open_request(ss, &request, opaque, addr, port);
	if (len < 0)
		return -1;
	send_request(ss, &request, 'O', (int)sizeof(request.u.open) + len);
	return request.u.open.id;
}

/* a MEMORY buffer is the server's now; a RAWPOINTER one is copied. NULL: refused. */
static void *
take_buffer(struct socket_sendbuffer *buf) {
	switch (buf->type) {
	case SOCKET_BUFFER_MEMORY:
		return (void *)buf->buffer;
	case SOCKET_BUFFER_RAWPOINTER: {
		void *p = skynet_malloc(buf->sz ? buf->sz : 1);
		memcpy(p, buf->buffer, buf->sz);
		return p;
	}
	default:
		return NULL;
	}
}

static void
free_sendbuffer(struct socket_sendbuffer *buf) {
	if (buf->type == SOCKET_BUFFER_MEMORY)
		skynet_free((void *)buf->buffer);
}

static inline void
inc_sending_ref(struct socket *s, int id) {
	for (;;) {
		unsigned sending = atomic_load(&s->sending);
		if ((sending >> 16) != ID_TAG16(id))
			return;	/* the slot was closed or reused: the request will be dropped */
		if ((sending & 0xffff) == 0xffff)
			continue;	/* 65535 requests in flight: wait for the socket thread */
		if (atomic_compare_exchange_weak(&s->sending, &sending, sending + 1))
			return;
	}
}

/* call with dw_lock held */
static inline bool
can_direct_write(struct socket *s, int id) {
	return socket_id(s) == id && s->protocol == PROTOCOL_TCP && nomore_sending_data(s) &&
		socket_type(s) == SOCKET_TYPE_CONNECTED;
}

static int
send_common(struct socket_server *ss, struct socket_sendbuffer *buf, char reqtype) {
	int id = buf->id;
	struct socket *s = &ss->slot[HASH_ID(id)];
	if (buf->type == SOCKET_BUFFER_OBJECT)
		return -1;
	if (socket_invalid(s, id) || is_closing(s)) {
		free_sendbuffer(buf);
		return -1;
	}
	struct socket_lock l;
	socket_lock_init(s, &l);
	if (reqtype == 'D' && socket_type(s) == SOCKET_TYPE_CONNECTED && socket_trylock(&l)) {
		if (can_direct_write(s, id)) {
			/* the fast path: nothing queued or in flight, write from this thread */
			int n = fd_write(s, buf->buffer, buf->sz);
			if (n < 0)
				n = 0;	/* EAGAIN or an error: the socket thread retries and reports */
			if ((size_t)n == buf->sz) {
				socket_unlock(&l);
				free_sendbuffer(buf);
				return 0;
			}
			/* park the rest for the socket thread (see send_buffer) */
			s->dw_buffer = take_buffer(buf);
			s->dw_size = buf->sz;
			s->dw_offset = (size_t)n;
			socket_unlock(&l);
			struct request_package request = {0};	/* padding crosses the pipe too */
			request.u.send.id = id;
			request.u.send.sz = 0;
			request.u.send.buffer = NULL;
			send_request(ss, &request, 'W', sizeof(request.u.send));
			return 0;
		}
		socket_unlock(&l);
	}
	inc_sending_ref(s, id);
	struct request_package request = {0};	/* padding crosses the pipe too */
	request.u.send.id = id;
	request.u.send.sz = buf->sz;
	request.u.send.buffer = take_buffer(buf);
	send_request(ss, &request, reqtype, sizeof(request.u.send));
	return 0;
}

int
socket_server_send(struct socket_server *ss, struct socket_sendbuffer *buf) {
	return send_common(ss, buf, 'D');
}

int
socket_server_send_lowpriority(struct socket_server *ss, struct socket_sendbuffer *buf) {
	return send_common(ss, buf, 'P');
}

void
socket_server_exit(struct socket_server *ss) {
	struct request_package request = {0};	/* padding crosses the pipe too */
	send_request(ss, &request, 'X', 0);
}

void
socket_server_close(struct socket_server *ss, uintptr_t opaque, int id) {
	struct request_package request = {0};	/* padding crosses the pipe too */
	request.u.close.id = id;
	request.u.close.shutdown = 0;
	request.u.close.opaque = opaque;
	send_request(ss, &request, 'K', sizeof(request.u.close));
}

void
socket_server_shutdown(struct socket_server *ss, uintptr_t opaque, int id) {
	struct request_package request = {0};	/* padding crosses the pipe too */
	request.u.close.id = id;
	request.u.close.shutdown = 1;
	request.u.close.opaque = opaque;
	send_request(ss, &request, 'K', sizeof(request.u.close));
}

/* return the bound fd, or -1; *family gets its address family */
static int
do_bind(const char *host, int port, int protocol, int *family) {
	int fd;
	int status;
	int reuse = 1;
	struct addrinfo ai_hints;
	struct addrinfo *ai_list = NULL;
	char portstr[16];
	if (host == NULL || host[0] == 0)
		host = "0.0.0.0";	/* INADDR_ANY */
	snprintf(portstr, sizeof(portstr), "%d", port);
	memset(&ai_hints, 0, sizeof(ai_hints));
	ai_hints.ai_family = AF_UNSPEC;
	if (protocol == IPPROTO_TCP) {
		ai_hints.ai_socktype = SOCK_STREAM;
	} else {
		assert(protocol == IPPROTO_UDP);
		ai_hints.ai_socktype = SOCK_DGRAM;
	}
	ai_hints.ai_protocol = protocol;
	status = getaddrinfo(host, portstr, &ai_hints, &ai_list);
	if (status != 0)
		return -1;
	*family = ai_list->ai_family;
	fd = socket(*family, ai_list->ai_socktype, 0);
	if (fd < 0)
		goto _failed_fd;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, (void *)&reuse, sizeof(int)) == -1)
		goto _failed;
	status = bind(fd, (struct sockaddr *)ai_list->ai_addr, ai_list->ai_addrlen);
	if (status != 0)
		goto _failed;
	freeaddrinfo(ai_list);
	return fd;
_failed:
	close(fd);
_failed_fd:
	freeaddrinfo(ai_list);
	return -1;
}

static int
do_listen(const char *host, int port, int backlog) {
	int family = 0;
	int listen_fd = do_bind(host, port, IPPROTO_TCP, &family);
	if (listen_fd < 0)
		return -1;
	if (listen(listen_fd, backlog) == -1) {
		close(listen_fd);
		return -1;
	}
	return listen_fd;
}

int
socket_server_listen(struct socket_server *ss, uintptr_t opaque, const char *addr, int port, int backlog) {
	int fd = do_listen(addr, port, backlog);
	if (fd < 0)
		return -1;
	struct request_package request = {0};	/* padding crosses the pipe too */
	int id = reserve_id(ss);
	if (id < 0) {
		close(fd);
		return id;
	}
	request.u.listen.opaque = opaque;
	request.u.listen.id = id;
	request.u.listen.fd = fd;
	send_request(ss, &request, 'L', sizeof(request.u.listen));
	return id;
}

int
socket_server_bind(struct socket_server *ss, uintptr_t opaque, int fd) {
	struct request_package request = {0};	/* padding crosses the pipe too */
	int id = reserve_id(ss);
	if (id < 0)
		return -1;
	request.u.bind.opaque = opaque;
	request.u.bind.id = id;
	request.u.bind.fd = fd;
	send_request(ss, &request, 'B', sizeof(request.u.bind));
	return id;
}

void
socket_server_start(struct socket_server *ss, uintptr_t opaque, int id) {
	struct request_package request = {0};	/* padding crosses the pipe too */
	request.u.resumepause.id = id;
	request.u.resumepause.opaque = opaque;
	send_request(ss, &request, 'R', sizeof(request.u.resumepause));
}

void
socket_server_pause(struct socket_server *ss, uintptr_t opaque, int id) {
	struct request_package request = {0};	/* padding crosses the pipe too */
	request.u.resumepause.id = id;
	request.u.resumepause.opaque = opaque;
	send_request(ss, &request, 'S', sizeof(request.u.resumepause));
}

void
socket_server_nodelay(struct socket_server *ss, int id) {
	struct request_package request = {0};	/* padding crosses the pipe too */
	request.u.setopt.id = id;
	request.u.setopt.what = TCP_NODELAY;
	request.u.setopt.value = 1;
	send_request(ss, &request, 'T', sizeof(request.u.setopt));
}

/* ---- UDP ---- */

int
socket_server_udp(struct socket_server *ss, uintptr_t opaque, const char *addr, int port) {
	int fd;
	int family;
	if (port != 0 || addr != NULL) {
		/* bind */
		fd = do_bind(addr, port, IPPROTO_UDP, &family);
		if (fd < 0)
			return -1;
	} else {
		family = AF_INET;
		fd = socket(family, SOCK_DGRAM, 0);
		if (fd < 0)
			return -1;
	}
	sp_nonblocking(fd);
	int id = reserve_id(ss);
	if (id < 0) {
		close(fd);
		return -1;
	}
	struct request_package request = {0};	/* padding crosses the pipe too */
	request.u.udp.id = id;
	request.u.udp.fd = fd;
	request.u.udp.family = family;
	request.u.udp.opaque = opaque;
	send_request(ss, &request, 'U', sizeof(request.u.udp));
	return id;
}

int
socket_server_udp_send(struct socket_server *ss, const struct socket_udp_address *addr, struct socket_sendbuffer *buf) {
	int id = buf->id;
	struct socket *s = &ss->slot[HASH_ID(id)];
	if (buf->type == SOCKET_BUFFER_OBJECT)
		return -1;
	if (socket_invalid(s, id)) {
		free_sendbuffer(buf);
		return -1;
	}
	const uint8_t *udp_address = (const uint8_t *)addr;
	int addrsz;
	switch (udp_address[0]) {
	case PROTOCOL_UDP:
		addrsz = 1 + 2 + 4;
		break;
	case PROTOCOL_UDPv6:
		addrsz = 1 + 2 + 16;
		break;
	default:
		free_sendbuffer(buf);
		return -1;
	}
	struct request_package request = {0};	/* padding crosses the pipe too */
	request.u.send_udp.send.id = id;
	request.u.send_udp.send.sz = buf->sz;
	request.u.send_udp.send.buffer = take_buffer(buf);
	memset(request.u.send_udp.address, 0, sizeof(request.u.send_udp.address));
	memcpy(request.u.send_udp.address, udp_address, (size_t)addrsz);
	send_request(ss, &request, 'A', sizeof(request.u.send_udp));
	return 0;
}

int
socket_server_udp_connect(struct socket_server *ss, int id, const char *addr, int port) {
	struct socket *s = &ss->slot[HASH_ID(id)];
	if (socket_invalid(s, id))
		return -1;
	int status;
	struct addrinfo ai_hints;
	struct addrinfo *ai_list = NULL;
	char portstr[16];
	snprintf(portstr, sizeof(portstr), "%d", port);
	memset(&ai_hints, 0, sizeof(ai_hints));
	ai_hints.ai_family = AF_UNSPEC;
	ai_hints.ai_socktype = SOCK_DGRAM;
	ai_hints.ai_protocol = IPPROTO_UDP;
	status = getaddrinfo(addr, portstr, &ai_hints, &ai_list);
	if (status != 0)
		return -1;
	struct request_package request = {0};	/* padding crosses the pipe too */
	request.u.set_udp.id = id;
	int protocol;
	if (ai_list->ai_family == AF_INET) {
		protocol = PROTOCOL_UDP;
	} else if (ai_list->ai_family == AF_INET6) {
		protocol = PROTOCOL_UDPv6;
	} else {
		freeaddrinfo(ai_list);
		return -1;
	}
	memset(request.u.set_udp.address, 0, sizeof(request.u.set_udp.address));
	int addrsz = gen_udp_address(protocol, (union sockaddr_all *)ai_list->ai_addr, request.u.set_udp.address);
	freeaddrinfo(ai_list);
	send_request(ss, &request, 'C', (int)sizeof(request.u.set_udp) - UDP_ADDRESS_SIZE + addrsz);
	return 0;
}

const struct socket_udp_address *
socket_server_udp_address(struct socket_server *ss, struct socket_message *msg, int *addrsz) {
	(void)ss;
	uint8_t *address = (uint8_t *)(msg->data + msg->ud);
	int type = address[0];
	switch (type) {
	case PROTOCOL_UDP:
		*addrsz = 1 + 2 + 4;
		break;
	case PROTOCOL_UDPv6:
		*addrsz = 1 + 2 + 16;
		break;
	default:
		return NULL;
	}
	return (const struct socket_udp_address *)address;
}
