/* skynet's config file, read as skynet reads it (skynet_main.c: load_config, _init_env):
 * a Lua chunk runs the file with the result table as its only environment, then every
 * pair of that table goes into the node's env. Lua is Debian's 5.4, linked statically
 * and kept out of the node's exported symbols (Makefile, LUA_LIBS). */

#include "skynet_config.h"
#include "skynet_env.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* skynet's loader, with the same paths, substitution, environment and result, except:
 * - the current path starts as "" instead of "./" (the same files open) and the chunk
 *   name is the path as opened, not as written in include: an error in an included file
 *   names a file one can open;
 * - failures skynet reports through a bare assert (a missing file, an unset $NAME, a bad
 *   include argument) say what failed and where; an include chain deeper than 64 (a
 *   loop: skynet recurses until Lua's stack overflows) is an error;
 * - '/' is the separator (skynet reads package.config; this runtime is POSIX only).
 * The file still runs with only `include` reachable (through __index, as skynet: an
 * assignment to `include` is an ordinary key), and $NAME is replaced in the raw text,
 * comments included, before the text is parsed. */
static const char loader[] =
	"local result = {}\n"
	"local sep = '/'\n"
	"local current_path = ''\n"
	"local depth, MAXDEPTH = 0, 64\n"
	"local function fail(msg, level)\n"
	"	error(msg, depth == 0 and 0 or level + 1)\n"
	"end\n"
	"local function include(filename)\n"
	"	if type(filename) ~= 'string' then\n"
	"		fail('include expects a file name string, got ' .. type(filename), 2)\n"
	"	end\n"
	"	if depth == MAXDEPTH then\n"
	"		fail('includes nested deeper than ' .. MAXDEPTH .. ' (include loop?)', 2)\n"
	"	end\n"
	"	local last_path = current_path\n"
	"	local path, name = filename:match('(.*' .. sep .. ')(.*)$')\n"
	"	if path then\n"
	"		if path:sub(1,1) == sep then\n"
	"			current_path = path\n"
	"		else\n"
	"			current_path = current_path .. path\n"
	"		end\n"
	"	else\n"
	"		name = filename\n"
	"	end\n"
	"	local file = current_path .. name\n"
	"	local what = depth == 0 and 'config file' or 'included file'\n"
	"	local f, err = io.open(file)\n"
	"	if not f then\n"
	"		fail(string.format(\"cannot open %s '%s': %s\", what, file, err:sub(#file + 3)), 2)\n"
	"	end\n"
	"	local code\n"
	"	code, err = f:read('a')\n"
	"	f:close()\n"
	"	if not code then\n"
	"		fail(string.format(\"cannot read %s '%s': %s\", what, file, err), 2)\n"
	"	end\n"
	"	code = string.gsub(code, '()%$([%w_%d]+)', function(pos, var)\n"
	"		local v = os.getenv(var)\n"
	"		if v then return v end\n"
	"		local line = select(2, string.gsub(code:sub(1, pos), '\\n', '')) + 1\n"
	"		error(string.format(\"%s:%d: environment variable '%s' is not set (used as $%s)\",\n"
	"			file, line, var, var), 0)\n"
	"	end)\n"
	"	local chunk\n"
	"	chunk, err = load(code, '@' .. file, 't', result)\n"
	"	if not chunk then\n"
	"		if err:sub(1, #file + 1) ~= file .. ':' then\n"
	"			err = file .. ': ' .. err	-- load's refusal of a binary chunk\n"
	"		end\n"
	"		error(err, 0)\n"
	"	end\n"
	"	depth = depth + 1\n"
	"	chunk()\n"
	"	depth = depth - 1\n"
	"	current_path = last_path\n"
	"end\n"
	"setmetatable(result, { __index = { include = include } })\n"
	"local config_name = ...\n"
	"include(config_name)\n"
	"setmetatable(result, nil)\n"
	"return result\n";

/* the message is one line even if a name or value in it holds control characters */
static int
fail(char *err, size_t errlen, const char *fmt, ...) {
	if (errlen == 0)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	for (char *s = err; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	return -1;
}

/* skynet's _init_env rules for one pair at the top of the stack (key at -2, value at -1):
 * string keys only; a boolean becomes "true"/"false", anything else lua_tostring gives
 * (numbers as Lua prints them, 8/2 -> "4.0"); no value for tables or functions */
static const char *
pair_value(lua_State *L, const char *path, char *err, size_t errlen) {
	if (lua_type(L, -2) != LUA_TSTRING) {
		const char *k = luaL_tolstring(L, -2, NULL);
		fail(err, errlen, "%s: invalid config table: key %s is a %s, not a string", path, k,
			luaL_typename(L, -3));
		lua_pop(L, 1);
		return NULL;
	}
	if (lua_type(L, -1) == LUA_TBOOLEAN)
		return lua_toboolean(L, -1) ? "true" : "false";
	const char *v = lua_tostring(L, -1);
	if (v == NULL)
		fail(err, errlen, "%s: invalid config table: value of '%s' is a %s", path,
			lua_tostring(L, -2), luaL_typename(L, -1));
	return v;
}

/* every pair of the table at the top: checked first, so a bad table sets no key */
static int
init_env(lua_State *L, const char *path, char *err, size_t errlen) {
	int set;
	for (set = 0; set < 2; set++) {
		lua_pushnil(L);
		while (lua_next(L, -2) != 0) {
			const char *v = pair_value(L, path, err, errlen);
			if (v == NULL)
				return -1;
			const char *key = lua_tostring(L, -2);
			if (set ? skynet_setenv(key, v) != 0 : skynet_getenv(key) != NULL)
				return fail(err, errlen, "%s: key '%s' is already set in the environment",
					path, key);
			lua_pop(L, 1);
		}
	}
	return 0;
}

int
skynet_config_load(const char *path, char *err, size_t errlen) {
	lua_State *L = luaL_newstate();
	if (L == NULL)
		return fail(err, errlen, "%s: cannot create a Lua state (out of memory)", path);
	/* the libraries the loader uses; the config itself sees none of them */
	luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
	luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
	luaL_requiref(L, LUA_IOLIBNAME, luaopen_io, 1);
	luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 1);
	lua_settop(L, 0);
	int rc = luaL_loadbufferx(L, loader, sizeof(loader) - 1, "=[skybench config]", "t");
	if (rc == LUA_OK) {
		lua_pushstring(L, path);
		rc = lua_pcall(L, 1, 1, 0);
	}
	if (rc != LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		fail(err, errlen, "%s", msg ? msg : "error object is not a string");
		lua_close(L);
		return -1;
	}
	rc = init_env(L, path, err, errlen);
	lua_close(L);
	return rc;
}
