#!/usr/bin/env bash
# The node links Lua (runtime/skynet_config.c reads the config with it) without exporting
# it: the node exports its symbols (-rdynamic) so that services resolve skynet_*, and a
# service that links its own Lua must not have its lua_* calls bound to the node's copy.
# skybench-test: partless
# Env: SKYBENCH_BUILD (absolute build dir, set by make test).

set -u
B=${SKYBENCH_BUILD:?SKYBENCH_BUILD must name the build directory}
NODE=$B/skybench-node
T=$(mktemp -d /tmp/skybench-test_node_symbols-XXXXXX)
trap 'rm -rf "$T"' EXIT

n=0
failed=0
ok() {		# ok COND_STATUS NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# nm is the target's (mk/aarch64.mk puts the aarch64 binutils first in PATH)
nm -D --defined-only "$NODE" >"$T/dynamic" 2>"$T/nm.err"
ok $? "nm reads the node's dynamic symbols"
sed 's/^/#   /' "$T/nm.err"
nm "$NODE" >"$T/all" 2>/dev/null

# the checks below can only fail if they see the symbols at all
grep -Eq ' T skynet_send$' "$T/dynamic"
ok $? "the node exports skynet_send (services resolve it)"
grep -Eq ' [tT] lua_newstate$' "$T/all"
ok $? "the node contains Lua (lua_newstate in its symbol table)"

grep -E ' (lua|luaL|luaopen)_[A-Za-z0-9_]*$' "$T/dynamic" >"$T/lua_exported"
ok $(( $(wc -l <"$T/lua_exported") != 0 )) "no lua_*, luaL_* or luaopen_* symbol is exported ($(wc -l <"$T/lua_exported") found)"
head -n 5 "$T/lua_exported" | sed 's/^/#   /'

readelf -d "$NODE" >"$T/dyn" 2>/dev/null
! grep -q 'NEEDED.*liblua' "$T/dyn"
ok $? "the node needs no shared Lua library (Lua is linked in)"

echo "1..$n"
[ $failed -eq 0 ]
