/* A service whose init fails: tests that a failed bootstrap is reported, not hung on. */

#include "skynet.h"

int
test_initfail_init(void *inst, struct skynet_context *ctx, const char *parm) {
	(void)inst;
	skynet_error(ctx, "test_initfail: init fails on purpose (parm %s)", parm ? parm : "none");
	return 1;
}
