/* The logger service (skynet's service_logger.c): every skynet_error line arrives here as
 * PTYPE_TEXT. Writes "[:source] text" to stdout, or to the file named by the parameter
 * (append mode, each line prefixed with the local time to the centisecond). PTYPE_SYSTEM
 * (the runtime's SIGHUP relay) reopens the file, for log rotation. */

#include "skynet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIZETIMEFMT 250

struct logger {
	FILE *handle;
	char *filename;
	uint32_t starttime;
	int close;
};

struct logger *
logger_create(void) {
	struct logger *inst = skynet_malloc(sizeof(*inst));
	if (inst) {
		inst->handle = NULL;
		inst->filename = NULL;
		inst->starttime = 0;
		inst->close = 0;
	}
	return inst;
}

void
logger_release(struct logger *inst) {
	if (inst->close && inst->handle)
		fclose(inst->handle);
	skynet_free(inst->filename);
	skynet_free(inst);
}

/* nothing to do: the runtime relays SIGHUP as a PTYPE_SYSTEM message instead */
void
logger_signal(struct logger *inst, int signal) {
	(void)inst;
	(void)signal;
}

/* "dd/mm/yy HH:MM:SS" of now; returns the centiseconds */
static int
timestring(struct logger *inst, char tmp[SIZETIMEFMT]) {
	uint64_t now = skynet_now();
	time_t ti = (time_t)(now / 100 + inst->starttime);
	struct tm info;
	(void)localtime_r(&ti, &info);
	strftime(tmp, SIZETIMEFMT, "%d/%m/%y %H:%M:%S", &info);
	return (int)(now % 100);
}

static int
logger_cb(struct skynet_context *context, void *ud, int type, int session, uint32_t source, const void *msg, size_t sz) {
	struct logger *inst = ud;
	(void)context;
	(void)session;
	switch (type) {
	case PTYPE_SYSTEM:
		if (inst->filename) {
			FILE *f = freopen(inst->filename, "a", inst->handle);
			if (f == NULL)
				return 0;	/* nowhere left to write; later lines are dropped */
			inst->handle = f;
		}
		break;
	case PTYPE_TEXT:
		if (inst->handle == NULL)
			break;
		if (inst->filename) {
			char tmp[SIZETIMEFMT];
			int csec = timestring(inst, tmp);
			fprintf(inst->handle, "%s.%02d ", tmp, csec);
		}
		fprintf(inst->handle, "[:%08x] ", source);
		fwrite(msg, sz, 1, inst->handle);
		fprintf(inst->handle, "\n");
		fflush(inst->handle);
		break;
	}
	return 0;
}

int
logger_init(struct logger *inst, struct skynet_context *ctx, const char *parm) {
	const char *r = skynet_command(ctx, "STARTTIME", NULL);
	inst->starttime = r ? (uint32_t)strtoul(r, NULL, 10) : 0;
	if (parm) {
		inst->handle = fopen(parm, "a");
		if (inst->handle == NULL)
			return 1;
		inst->close = 1;	/* from here on, release closes the file */
		size_t n = strlen(parm) + 1;
		inst->filename = skynet_malloc(n);
		if (inst->filename == NULL)
			return 1;
		memcpy(inst->filename, parm, n);
	} else {
		inst->handle = stdout;
	}
	skynet_callback(ctx, inst, logger_cb);
	skynet_command(ctx, "REG", ".logger");
	return 0;
}
