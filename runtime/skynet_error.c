/* skynet_error: printf-style text sent as PTYPE_TEXT to the service named "logger";
 * dropped silently while no logger exists, as in skynet. */

#include "skynet.h"
#include "skynet_mq.h"
#include "skynet_server.h"
#include "handle.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define LOG_MESSAGE_SIZE 256

/* cached logger handle; reset when a node starts (tests run several nodes per process) */
static _Atomic uint32_t logger_handle;

void
skynet_error_reset(void) {
	atomic_store(&logger_handle, 0);
}

void
skynet_error(struct skynet_context * context, const char *msg, ...) {
	/* relaxed: a cache of an immutable fact (the logger's handle); a stale 0 just looks up again */
	uint32_t logger = atomic_load_explicit(&logger_handle, memory_order_relaxed);
	if (logger == 0) {
		logger = skynet_handle_findname("logger");
		if (logger == 0)
			return;
		atomic_store_explicit(&logger_handle, logger, memory_order_relaxed);
	}

	char tmp[LOG_MESSAGE_SIZE];
	char *data = NULL;

	va_list ap;
	va_start(ap, msg);
	int len = vsnprintf(tmp, LOG_MESSAGE_SIZE, msg, ap);
	va_end(ap);
	if (len >= 0 && len < LOG_MESSAGE_SIZE) {
		data = skynet_strdup(tmp);
	} else if (len >= 0) {
		int max_size = LOG_MESSAGE_SIZE;
		for (;;) {
			max_size *= 2;
			data = skynet_malloc(max_size);
			va_start(ap, msg);
			len = vsnprintf(data, max_size, msg, ap);
			va_end(ap);
			if (len < max_size)
				break;
			skynet_free(data);
		}
	}
	if (len < 0) {
		skynet_free(data);
		perror("vsnprintf error :");
		return;
	}

	struct skynet_message smsg;
	smsg.source = context == NULL ? 0 : skynet_context_handle(context);
	smsg.session = 0;
	smsg.data = data;
	smsg.sz = (size_t)len | ((size_t)PTYPE_TEXT << MESSAGE_TYPE_SHIFT);
	if (skynet_context_push(logger, &smsg))
		skynet_free(data);	/* the logger is gone (node shutting down) */
}
