#ifndef SKYNET_CONFIG_H
#define SKYNET_CONFIG_H

/* skynet's config file, read without Lua: the `key = value` subset of the Lua syntax
 * skynet's main executes, so one file serves both.
 *
 *   key = "str" | 'str' | [[long str]] | 123 | 0x1f | 1.5 | -2 | true | false | nil
 *   key = name .. "str" .. 8          (names are keys set earlier; '..' concatenates)
 *   include "file"                    (relative to the including file's directory)
 *   -- comment, --[[ block comment ]], blank lines, ';' or ',' between statements
 *   $NAME anywhere                    (replaced by environment variable NAME first)
 *
 * Every key is stored with skynet_setenv (booleans as "true"/"false", numbers as Lua
 * prints them). Returns 0, or -1 with one line in err: "file:line: problem". */

#include <stddef.h>

int skynet_config_load(const char *path, char *err, size_t errlen);

#endif
