#ifndef SKYNET_ENV_H
#define SKYNET_ENV_H

/* The node's string environment: every config key, plus SETENV from services. */

const char * skynet_getenv(const char *key);
/* sets a key that does not exist yet; returns 0, or -1 if it already exists (skynet asserts) */
int skynet_setenv(const char *key, const char *value);

void skynet_env_init(void);
void skynet_env_exit(void);

#endif
