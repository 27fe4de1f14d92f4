#!/bin/sh
# overlay.sh OUTDIR [CK_INCLUDE]: build the ThreadSanitizer include overlay for ck (see
# README.md). Copies ck_pr.h, gcc/ck_pr.h and gcc/ck_f_pr.h from CK_INCLUDE (default
# /usr/include) into OUTDIR and rewrites gcc/ck_pr.h's plain volatile loads and stores as
# __atomic loads (acquire) and stores (release). Idempotent; exits non-zero if ck's text
# is not what it expects, so that a changed ck fails loudly instead of racing silently.
set -eu
out=$1
src=${2:-/usr/include}
for f in ck_pr.h gcc/ck_pr.h gcc/ck_f_pr.h; do
	[ -f "$src/$f" ] || { echo "overlay.sh: $src/$f not found (install libck-dev)" >&2; exit 1; }
done
mkdir -p "$out/gcc"
tmp="$out/gcc/ck_pr.h.tmp.$$"
cp "$src/ck_pr.h" "$out/ck_pr.h.tmp.$$" && mv "$out/ck_pr.h.tmp.$$" "$out/ck_pr.h"
cp "$src/gcc/ck_f_pr.h" "$out/gcc/ck_f_pr.h.tmp.$$" && mv "$out/gcc/ck_f_pr.h.tmp.$$" "$out/gcc/ck_f_pr.h"
# generic __atomic_load/__atomic_store: they also take ck's double accessors
sed -e 's|r = CK_PR_ACCESS(\*(const T \*)target);|__atomic_load((const T *)target, \&r, __ATOMIC_ACQUIRE);|' \
    -e 's|CK_PR_ACCESS(\*(T \*)target) = v;|__atomic_store((T *)target, \&v, __ATOMIC_RELEASE);|' \
    -e 's|r = CK_CC_DECONST_PTR(\*(volatile void \*const\*)(target));|r = __atomic_load_n((void *const *)(target), __ATOMIC_ACQUIRE);|' \
    -e 's|\*(volatile void \*\*)target = CK_CC_DECONST_PTR(v);|__atomic_store_n((void **)target, CK_CC_DECONST_PTR(v), __ATOMIC_RELEASE);|' \
    "$src/gcc/ck_pr.h" > "$tmp"
n=$(grep -c '__atomic_load\|__atomic_store' "$tmp" || true)
if [ "$n" -ne 4 ] || grep -q 'volatile void' "$tmp"; then
	rm -f "$tmp"
	echo "overlay.sh: $src/gcc/ck_pr.h is not the ck 0.7.1 text this overlay rewrites ($n of 4 rewrites)" >&2
	exit 1
fi
mv "$tmp" "$out/gcc/ck_pr.h"
