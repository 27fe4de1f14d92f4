#ifndef SKYNET_SOCKET_POLL_H
#define SKYNET_SOCKET_POLL_H

/* epoll behind skynet's sp_* names (socket_epoll.h): level triggered, one user pointer per
 * fd. Only the socket thread calls these. */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

typedef int poll_fd;

struct event {
	void * s;
	bool read;
	bool write;
	bool error;
	bool eof;
};

static inline bool
sp_invalid(poll_fd efd) {
	return efd == -1;
}

static inline poll_fd
sp_create(void) {
	return epoll_create(1024);
}

static inline void
sp_release(poll_fd efd) {
	close(efd);
}

static inline int
sp_add(poll_fd efd, int sock, void *ud, bool read_enable) {
	struct epoll_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.events = read_enable ? EPOLLIN : 0;
	ev.data.ptr = ud;
	return epoll_ctl(efd, EPOLL_CTL_ADD, sock, &ev) == -1 ? 1 : 0;
}

static inline void
sp_del(poll_fd efd, int sock) {
	epoll_ctl(efd, EPOLL_CTL_DEL, sock, NULL);
}

static inline int
sp_enable(poll_fd efd, int sock, void *ud, bool read_enable, bool write_enable) {
	struct epoll_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.events = (read_enable ? EPOLLIN : 0) | (write_enable ? EPOLLOUT : 0);
	ev.data.ptr = ud;
	return epoll_ctl(efd, EPOLL_CTL_MOD, sock, &ev) == -1 ? 1 : 0;
}

static inline int
sp_wait(poll_fd efd, struct event *e, int max) {
	struct epoll_event ev[max];
	int n = epoll_wait(efd, ev, max, -1);
	for (int i = 0; i < n; i++) {
		unsigned flag = ev[i].events;
		e[i].s = ev[i].data.ptr;
		e[i].write = (flag & EPOLLOUT) != 0;
		e[i].read = (flag & EPOLLIN) != 0;
		e[i].error = (flag & EPOLLERR) != 0;
		e[i].eof = (flag & EPOLLHUP) != 0;
	}
	return n;
}

static inline void
sp_nonblocking(int fd) {
	int flag = fcntl(fd, F_GETFL, 0);
	if (flag == -1)
		return;
	fcntl(fd, F_SETFL, flag | O_NONBLOCK);
}

#endif
