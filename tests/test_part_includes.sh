#!/usr/bin/env bash
# skybench-test: host
# An implementation reaches nothing of the runtime but its part's interface: every
# `#include "..."` in variants/<part>/ names a header of its own folder or one of
# runtime/parts/ (the interfaces, and runtime_services.h, the runtime services a part may
# call), never a path (`../skynet_server.h` would compile, since the include path
# -Iruntime/parts sits inside runtime/). In runtime/parts/ only runtime_services.h reaches
# up into runtime/, and only for the headers it lists in RUNTIME_SERVICES below.
set -u
cd "$(dirname "$0")/.."

RUNTIME_SERVICES="../skynet_malloc.h ../spinlock.h"

N=0
FAILED=0
ok() {	# status(0 = pass) description
	N=$((N + 1))
	if [ "$1" -eq 0 ]; then echo "ok $N - $2"; else echo "not ok $N - $2"; FAILED=$((FAILED + 1)); fi
}

# quoted_includes FILE: the names inside #include "..."
quoted_includes() { sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$1"; }

# impl_violations FILE: the includes of an implementation file that reach outside its
# folder and runtime/parts/
impl_violations() {
	local inc
	for inc in $(quoted_includes "$1"); do
		case "$inc" in */*) echo "$inc"; continue ;; esac
		[ -e "$(dirname "$1")/$inc" ] || [ -e "runtime/parts/$inc" ] || echo "$inc"
	done
}

files=0
for f in variants/*/*.c variants/*/*.h; do
	[ -e "$f" ] || continue
	files=$((files + 1))
	bad=$(impl_violations "$f" | paste -sd' ')
	ok "$([ -z "$bad" ]; echo $?)" "$f includes only its folder and runtime/parts/${bad:+: not $bad}"
done
[ "$files" -gt 0 ]
ok $? "found implementations to check ($files files under variants/)"

for f in runtime/parts/*.h; do
	bad=""
	for inc in $(quoted_includes "$f"); do
		case "$inc" in
		*/*) [ "$(basename "$f")" = runtime_services.h ] && [[ " $RUNTIME_SERVICES " == *" $inc "* ]] || bad="$bad $inc" ;;
		*) [ -e "runtime/parts/$inc" ] || bad="$bad $inc" ;;
		esac
	done
	ok "$([ -z "$bad" ]; echo $?)" "$f stays in runtime/parts/ (runtime_services.h: $RUNTIME_SERVICES)${bad:+: not$bad}"
done

# the check itself catches a reach into the runtime
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/probe"
printf '#include "globalq.h"\n#include "../skynet_server.h"\n  #  include "skynet_mq.h"\n#include <stdio.h>\n' >"$tmp/probe/probe.c"
[ "$(impl_violations "$tmp/probe/probe.c" | paste -sd' ')" = "../skynet_server.h skynet_mq.h" ]
ok $? "the check flags a probe implementation's ../skynet_server.h and skynet_mq.h, not globalq.h or <stdio.h>"

echo "1..$N"
[ "$FAILED" -eq 0 ]
