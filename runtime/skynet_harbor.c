/* Harbor bits: which handles are remote, and the hand-off to a harbor service. */

#include "skynet.h"
#include "skynet_harbor.h"
#include "skynet_server.h"
#include "skynet_mq.h"
#include "handle.h"

#include <assert.h>
#include <stdatomic.h>

static _Atomic(struct skynet_context *) REMOTE;
static unsigned int HARBOR = ~0u;

static inline int
invalid_type(int type) {
	return type != PTYPE_SYSTEM && type != PTYPE_HARBOR;
}

void
skynet_harbor_send(struct remote_message *rmsg, uint32_t source, int session) {
	assert(invalid_type(rmsg->type));
	struct skynet_context *remote = atomic_load(&REMOTE);
	if (remote == NULL) {
		/* skynet asserts here; a node without a harbor service reports and drops */
		skynet_error(NULL, "error: no harbor service, message to remote :%08x dropped",
			rmsg->destination.handle);
		skynet_free((void *)rmsg->message);
		skynet_free(rmsg);
		return;
	}
	skynet_context_send(remote, rmsg, sizeof(*rmsg), source, PTYPE_SYSTEM, session);
}

int
skynet_harbor_message_isremote(uint32_t handle) {
	assert(HARBOR != ~0u);
	unsigned int h = (handle & ~HANDLE_MASK);
	return h != HARBOR && h != 0;
}

void
skynet_harbor_init(int harbor) {
	HARBOR = (unsigned int)harbor << HANDLE_REMOTE_SHIFT;
}

void
skynet_harbor_start(void *ctx) {
	/* the harbor service must not keep the node alive: reserve drops it from the count */
	skynet_context_reserve(ctx);
	atomic_store(&REMOTE, ctx);
}

void
skynet_harbor_exit(void) {
	struct skynet_context *ctx = atomic_exchange(&REMOTE, NULL);
	if (ctx)
		skynet_context_release(ctx);
}
