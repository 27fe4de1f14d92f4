/* LOGON/LOGOFF message logs: one file per service, <logpath>/<handle>.log, each message as
 * ":source type session time" and a hex dump of the payload (skynet_log.c's format). */

#include "skynet.h"
#include "skynet_log.h"
#include "skynet_env.h"
#include "skynet_timer.h"

#include <string.h>
#include <time.h>

FILE *
skynet_log_open(struct skynet_context * ctx, uint32_t handle) {
	const char * logpath = skynet_getenv("logpath");
	if (logpath == NULL)
		return NULL;
	size_t sz = strlen(logpath);
	char tmp[sz + 16];
	snprintf(tmp, sizeof(tmp), "%s/%08x.log", logpath, handle);
	FILE *f = fopen(tmp, "ab");
	if (f) {
		uint32_t starttime = skynet_starttime();
		uint64_t currenttime = skynet_now();
		time_t ti = (time_t)(starttime + currenttime / 100);
		skynet_error(ctx, "Open log file %s", tmp);
		fprintf(f, "open time: %u %s", (uint32_t)currenttime, ctime(&ti));
		fflush(f);
	} else {
		skynet_error(ctx, "Open log file %s fail", tmp);
	}
	return f;
}

void
skynet_log_close(struct skynet_context * ctx, FILE *f, uint32_t handle) {
	skynet_error(ctx, "Close log file :%08x", handle);
	fprintf(f, "close time: %u\n", (uint32_t)skynet_now());
	fclose(f);
}

void
skynet_log_output(FILE *f, uint32_t source, int type, int session, void * buffer, size_t sz) {
	uint32_t ti = (uint32_t)skynet_now();
	fprintf(f, ":%08x %d %d %u ", source, type, session, ti);
	const uint8_t *p = buffer;
	for (size_t i = 0; p && i < sz; i++)
		fprintf(f, "%02x", p[i]);
	fprintf(f, "\n");
	fflush(f);
}
