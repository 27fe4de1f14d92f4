#ifndef SKYBENCH_SVC_TAP_H
#define SKYBENCH_SVC_TAP_H

/* Test services write TAP lines to the file named by the config key "tapfile", one
 * write(2) per line in append mode, so lines from several services never interleave and
 * none is lost when the node aborts (the logger's pending lines would be). tests/ scripts
 * read the file. */

#include "skynet.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static inline void
svc_tap_write(struct skynet_context *ctx, const char *fmt, ...) {
	const char *path = skynet_command(ctx, "GETENV", "tapfile");
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT, 0644) : 2;
	if (fd < 0)
		fd = 2;
	if (write(fd, buf, (size_t)n) != n)
		perror("svc_tap_write");
	if (fd != 2)
		close(fd);
}

#define SVC_OK(ctx, cond, ...) svc_ok_at((ctx), !!(cond), __LINE__, __VA_ARGS__)

static inline int
svc_ok_at(struct skynet_context *ctx, int pass, int line, const char *fmt, ...) {
	char desc[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	svc_tap_write(ctx, "%s - %s%s", pass ? "ok" : "not ok", desc,
		pass ? "" : " (failed in service, see source line)");
	if (!pass)
		svc_tap_write(ctx, "#   at line %d of the service", line);
	return pass;
}

#endif
