/* The load for the socket echo benchmark, outside any runtime: "echo_load PORT CONNS SIZE
 * MESSAGES [TARGET]". One thread, epoll: CONNS connections to 127.0.0.1:PORT, each with one
 * SIZE-byte message in flight (closed loop) until MESSAGES round trips are done in all
 * (MESSAGES/CONNS each, at least one). Every echoed byte is checked. The clock starts once
 * every connection is up. Prints the line services/echo_client.c prints:
 *   RESULT echo target=T conns=N size=S messages=M seconds=.. msgs_per_sec=.. mb_per_sec=..
 *     rtt_p50_us=.. rtt_p90_us=.. rtt_p99_us=.. rtt_p999_us=.. rtt_max_us=..
 * ending in FAILED(why) if a byte differed, a connection failed, or a deadline (60 s)
 * passed; exit status 1 then. MB/s is payload one way. */

#include "bench_svc.h"	/* the histogram (services/bench_svc.h) */

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

struct conn {
	int fd;
	int up;
	uint64_t left, seq;
	size_t sent, got;
	uint64_t t0;
};

static size_t size;
static unsigned char *pattern, *rbuf;
static struct bs_hist hist;

static int
send_some(struct conn *c) {
	while (c->sent < size) {
		ssize_t n = send(c->fd, pattern + (c->seq & 255) + c->sent, size - c->sent, MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->sent += (size_t)n;
	}
	return 0;
}

static void
start_one(struct conn *c) {
	c->sent = c->got = 0;
	c->left--;
	c->t0 = bs_ns();
}

int
main(int argc, char **argv) {
	if (argc < 5) {
		fprintf(stderr, "usage: echo_load PORT CONNS SIZE MESSAGES [TARGET]\n");
		return 2;
	}
	int port = atoi(argv[1]);
	unsigned nconn = (unsigned)atoi(argv[2]);
	size = (size_t)strtoull(argv[3], NULL, 10);
	uint64_t messages = strtoull(argv[4], NULL, 10);
	const char *target = argc > 5 ? argv[5] : "?";
	if (nconn == 0 || size == 0 || messages == 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	uint64_t per = messages / nconn ? messages / nconn : 1;
	messages = per * nconn;
	pattern = malloc(size + 256);
	rbuf = malloc(size);
	for (size_t i = 0; i < size + 256; i++)
		pattern[i] = (unsigned char)(i * 7 + (i >> 8));
	int efd = epoll_create1(0);
	struct conn *cs = calloc(nconn, sizeof(*cs));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	const char *failed = NULL;
	for (unsigned i = 0; i < nconn; i++) {
		struct conn *c = &cs[i];
		c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		c->left = per;
		int one = 1;
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)) != 0 && errno != EINPROGRESS) {
			failed = "connect";
			break;
		}
		struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
		epoll_ctl(efd, EPOLL_CTL_ADD, c->fd, &ev);
	}
	unsigned up = 0, done = 0;
	uint64_t completed = 0, start = 0, deadline = bs_ns() + 60000000000ull;
	struct epoll_event evs[256];
	while (!failed && done < nconn) {
		if (bs_ns() > deadline) {
			failed = "deadline of 60 s passed";
			break;
		}
		int n = epoll_wait(efd, evs, 256, 1000);
		for (int i = 0; i < n && !failed; i++) {
			struct conn *c = evs[i].data.ptr;
			if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
				failed = "connection error or hang-up";
				break;
			}
			if (!c->up) {	/* connected */
				c->up = 1;
				struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
				epoll_ctl(efd, EPOLL_CTL_MOD, c->fd, &ev);
				if (++up == nconn) {
					start = bs_ns();
					for (unsigned k = 0; k < nconn; k++) {
						start_one(&cs[k]);
						if (send_some(&cs[k]) < 0)
							failed = "send";
					}
				}
				continue;
			}
			if (evs[i].events & EPOLLOUT) {
				if (send_some(c) < 0)
					failed = "send";
				if (c->sent == size) {
					struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
					epoll_ctl(efd, EPOLL_CTL_MOD, c->fd, &ev);
				}
			}
			if (!(evs[i].events & EPOLLIN))
				continue;
			ssize_t r = read(c->fd, rbuf, size - c->got);
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				failed = "the server closed a connection";
				break;
			}
			if (r < 0)
				continue;
			if (memcmp(rbuf, pattern + (c->seq & 255) + c->got, (size_t)r) != 0) {
				failed = "echoed bytes differ from what was sent";
				break;
			}
			c->got += (size_t)r;
			if (c->got < size)
				continue;
			bs_hist_add(&hist, bs_ns() - c->t0);
			c->seq++;
			completed++;
			if (c->left == 0) {
				done++;
				continue;
			}
			start_one(c);
			if (send_some(c) < 0)
				failed = "send";
			else if (c->sent < size) {
				struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };
				epoll_ctl(efd, EPOLL_CTL_MOD, c->fd, &ev);
			}
		}
	}
	double s = start ? (double)(bs_ns() - start) / 1e9 : 1e-9;
	if (!failed && completed != messages)
		failed = "round trips missing";
	printf("RESULT echo target=%s conns=%u size=%zu messages=%llu seconds=%.6f "
		"msgs_per_sec=%.0f mb_per_sec=%.3f rtt_p50_us=%.1f rtt_p90_us=%.1f rtt_p99_us=%.1f "
		"rtt_p999_us=%.1f rtt_max_us=%.1f%s%s%s\n",
		target, nconn, size, (unsigned long long)completed, s,
		(double)completed / s, (double)completed * (double)size / 1e6 / s,
		bs_hist_quantile(&hist, 0.5) / 1e3, bs_hist_quantile(&hist, 0.9) / 1e3,
		bs_hist_quantile(&hist, 0.99) / 1e3, bs_hist_quantile(&hist, 0.999) / 1e3,
		hist.max / 1e3, failed ? " FAILED(" : "", failed ? failed : "", failed ? ")" : "");
	fflush(stdout);
	for (unsigned i = 0; i < nconn; i++)
		close(cs[i].fd);
	close(efd);
	free(cs);
	free(pattern);
	free(rbuf);
	return failed ? 1 : 0;
}
