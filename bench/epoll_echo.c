/* The ceiling for the socket echo benchmark: a plain single-threaded epoll echo server,
 * no runtime. "epoll_echo [PORT]" listens on 127.0.0.1 (PORT 0 or none: the kernel picks),
 * prints "PORT n" on stdout, and echoes every byte on every connection until killed.
 * Level triggered; a read is written back at once, and what the kernel does not take is
 * kept per connection (reading stops until it is flushed), so nothing is lost or
 * reordered. */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF (64 * 1024)

struct conn {
	int fd;
	size_t pending, off;	/* unsent bytes of buf */
	char buf[BUF];
};

static int efd;

static void
watch(struct conn *c, int op, unsigned events) {
	struct epoll_event ev = { .events = events, .data.ptr = c };
	epoll_ctl(efd, op, c->fd, &ev);
}

static void
drop(struct conn *c) {
	epoll_ctl(efd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

/* 0: all flushed; 1: the kernel is full; -1: the connection is gone */
static int
flush(struct conn *c) {
	while (c->pending > 0) {
		ssize_t n = send(c->fd, c->buf + c->off, c->pending, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 1 : -1;
		}
		c->off += (size_t)n;
		c->pending -= (size_t)n;
	}
	c->off = 0;
	return 0;
}

static void
on_read(struct conn *c) {
	ssize_t n = read(c->fd, c->buf, BUF);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		drop(c);
		return;
	}
	if (n < 0)
		return;
	c->pending = (size_t)n;
	c->off = 0;
	int r = flush(c);
	if (r < 0)
		drop(c);
	else if (r > 0)
		watch(c, EPOLL_CTL_MOD, EPOLLOUT);	/* stop reading until flushed */
}

static void
on_write(struct conn *c) {
	int r = flush(c);
	if (r < 0)
		drop(c);
	else if (r == 0)
		watch(c, EPOLL_CTL_MOD, EPOLLIN);
}

int
main(int argc, char **argv) {
	int port = argc > 1 ? atoi(argv[1]) : 0;
	signal(SIGPIPE, SIG_IGN);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 1024) ||
		getsockname(lfd, (struct sockaddr *)&a, &len)) {
		perror("epoll_echo: listen");
		return 1;
	}
	printf("PORT %d\n", ntohs(a.sin_port));
	fflush(stdout);
	efd = epoll_create1(0);
	struct epoll_event lev = { .events = EPOLLIN, .data.ptr = NULL };
	epoll_ctl(efd, EPOLL_CTL_ADD, lfd, &lev);
	struct epoll_event ev[64];
	for (;;) {
		int n = epoll_wait(efd, ev, 64, -1);
		for (int i = 0; i < n; i++) {
			struct conn *c = ev[i].data.ptr;
			if (c == NULL) {
				int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
				if (fd < 0)
					continue;
				c = malloc(sizeof(*c));
				c->fd = fd;
				c->pending = c->off = 0;
				watch(c, EPOLL_CTL_ADD, EPOLLIN);
			} else if (ev[i].events & EPOLLOUT) {
				on_write(c);
			} else {
				on_read(c);
			}
		}
	}
}
