#ifndef SKYNET_CONFIG_H
#define SKYNET_CONFIG_H

/* skynet's config file, run through Lua exactly as skynet's main runs it: $NAME in the
 * text is replaced by the environment variable NAME (an error if it is unset), then the
 * text runs as a Lua chunk whose only global is include(file) (a path relative to the
 * including file); every global it leaves is stored with skynet_setenv: keys must be
 * strings, booleans become "true"/"false", other values what lua_tostring gives (8/2 is
 * "4.0"), a table or function value is an error. Returns 0, or -1 with one line in err
 * naming the file: "file:line: problem" or "file: problem"; a failed load sets no key. */

#include <stddef.h>

int skynet_config_load(const char *path, char *err, size_t errlen);

#endif
