#ifndef SKYNET_ENV_H
#define SKYNET_ENV_H

#include <stddef.h>

/* The node's string environment: every config key, plus SETENV from services. */

const char * skynet_getenv(const char *key);
/* sets a key that does not exist yet; returns 0, or -1 if it already exists (skynet asserts) */
int skynet_setenv(const char *key, const char *value);

/* a value quoted in a one-line error message: control characters (a newline in a config
 * string) shown as '?', cut to n-1 bytes; returns buf, which may be v itself */
const char * skynet_env_shown(const char *v, char *buf, size_t n);

void skynet_env_init(void);
void skynet_env_exit(void);

#endif
