#!/usr/bin/env bash
# The test matrices: scripts/covering.sh and what `make variants` prints. For the real parts
# and for synthetic ones (five parts of 2-4 implementations, as when the scheduler and
# mailbox parts land): every pair of implementations of any two parts is in some
# combination, the presets are in the matrix, the output is deterministic and much smaller
# than the product. And the name rule, in a copy of the Makefile with parts added by one
# line each: parts beyond the third at their baseline are left out of names, so today's
# names keep their meaning.
# skybench-test: host
set -u
cd "$(dirname "$0")/.." || exit 1
n=0 fail=0
tap() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
T=$(mktemp -d "${TMPDIR:-/tmp}/skybench-covering.XXXXXX")
trap 'rm -rf "$T"' EXIT
# a make of its own: not the flags or variables (VARIANT=, ...) of a make test that runs this
mk() { env -i PATH="$PATH" HOME="${HOME:-/}" make --no-print-directory -s "$@"; }
key() { sed -n "s/^$1: //p" "$2"; }

# uncovered "IMPLS..." "BASELINES" < names: every pair (and single implementation) that no
# combination on stdin holds, one a line; a name leaves out trailing parts at their baseline.
# Written apart from covering.sh on purpose: it checks its result, not its method.
uncovered() {
	awk -v parts="$1" -v bases="$2" '
	BEGIN { np = split(parts, P, " "); split(bases, B, " ") }
	{
		for (w = 1; w <= NF; w++) {
			k = split($w, c, "-")
			for (p = k + 1; p <= np; p++) c[p] = B[p]
			for (p = 1; p <= np; p++) { have[p, c[p]] = 1; for (q = p + 1; q <= np; q++) have[p, c[p], q, c[q]] = 1 }
		}
	}
	END {
		for (p = 1; p <= np; p++) {
			a = split(P[p], I, ",")
			for (i = 1; i <= a; i++) if (!((p, I[i]) in have)) print I[i]
			for (q = p + 1; q <= np; q++) {
				b = split(P[q], J, ",")
				for (i = 1; i <= a; i++) for (j = 1; j <= b; j++)
					if (!((p, I[i], q, J[j]) in have)) print I[i] "+" J[j]
			}
		}
	}'
}
product() { local x=1 p; for p in $1; do x=$((x * $(tr , ' ' <<<"$p" | wc -w))); done; echo $x; }
words() { wc -w <<<"$1"; }
missing() { [ -z "$1" ] || echo " (missing: $(echo $1))"; }

# ---- the real parts, as make variants prints them ----
mk variants >"$T/v1" 2>"$T/v1.err"; rc=$?
mk variants >"$T/v2" 2>/dev/null
tap $((rc != 0 || $(wc -c <"$T/v1.err") != 0)) "make variants: exit 0, nothing on stderr"
cmp -s "$T/v1" "$T/v2"; tap $? "make variants: the same output twice"
V=$T/v1
parts=$(key PARTS "$V")
[ "$parts" = "handle globalq timer sched mailbox" ]; tap $? "PARTS: handle globalq timer sched mailbox (got '$parts')"
impls="" bases="" ok=0
for p in $parts; do
	want=$(for f in variants/"$p"/*.c; do f=${f##*/}; echo "${f%.c}"; done | sort | xargs)
	got=$(key "IMPLS_$p" "$V") b=$(key "BASELINE_$p" "$V")
	[ "$got" = "$want" ] && [ -n "$(key "PART_VAR_$p" "$V")" ] && [[ " $got " == *" $b "* ]] || ok=1
	impls="$impls $(tr ' ' , <<<"$got")" bases="$bases $b"
done
tap $ok "each part: IMPLS_ its variants/<part>/*.c, a PART_VAR_, a BASELINE_ among its implementations"
all=$(key ALLCOMBOS "$V") matrix=$(key MATRIX "$V")
[ "$(words "$all")" = "$(product "$impls")" ] && [ "$(tr ' ' '\n' <<<"$all" | sort -u | wc -l)" = "$(product "$impls")" ]
tap $? "ALLCOMBOS: the product, $(product "$impls") distinct combinations"
# a name leaves out trailing parts beyond the third at their baseline
[ "$(key PRESET_baseline "$V")" = "$(echo $bases | cut -d' ' -f1-3 | tr ' ' -)" ]; tap $? "PRESET_baseline: every part at its baseline"
miss=$(uncovered "$impls" "$bases" <<<"$matrix")
tap "$([ -n "$matrix" ] && [ -z "$miss" ]; echo $?)" "MATRIX covers every pair of implementations of any two parts$(missing "$miss")"
bad=0
for c in $matrix; do [[ " $all " == *" $c "* ]] || bad=1; done
[ "$(tr ' ' '\n' <<<"$matrix" | sort -u | wc -l)" = "$(words "$matrix")" ] || bad=1
tap $bad "MATRIX: distinct combinations, each in ALLCOMBOS"
bad=0 i=0
for v in $(key PRESETS "$V"); do
	i=$((i + 1))
	[ "$(awk -v i=$i '{ print $i }' <<<"$matrix")" = "$(key "PRESET_$v" "$V")" ] || bad=1
done
tap $bad "MATRIX starts with every preset, in order"
[ $(($(words "$matrix") * 3)) -le $((2 * $(words "$all"))) ]
tap $? "MATRIX: $(words "$matrix") of $(words "$all") combinations (at most two thirds)"
cov=$(key COVERING "$V")
miss=$(uncovered "$impls" "$bases" <<<"$cov" | grep -v +)
tap "$([ -n "$cov" ] && [ -z "$miss" ]; echo $?)" "COVERING uses every implementation$(missing "$miss")"

# ---- synthetic parts: covering.sh directly ----
check() {	# description, then covering.sh's arguments (seeds first, then the parts)
	local what=$1; shift
	local args=("$@") ps=() seeds="" a
	for a in "${args[@]}"; do case $a in -s) ;; *-*) seeds="$seeds $a" ;; *) ps+=("$a") ;; esac; done
	local out out2 rc miss bases prod size
	out=$(scripts/covering.sh "${args[@]}"); rc=$?
	out2=$(scripts/covering.sh "${args[@]}")
	bases=$(for a in "${ps[@]}"; do echo "${a%%,*}"; done | xargs)
	miss=$(uncovered "${ps[*]}" "$bases" <<<"$out")
	prod=$(product "${ps[*]}") size=$(words "$out")
	tap $((rc != 0)) "$what: exit 0"
	tap "$([ -n "$out" ] && [ -z "$miss" ]; echo $?)" "$what: every pair covered$(missing "$miss")"
	[ "$out" = "$out2" ]; tap $? "$what: deterministic"
	[ "$(sort -u <<<"$out" | wc -l)" = "$size" ]; tap $? "$what: no combination twice"
	[ "$(head -n "$(words "$seeds")" <<<"$out" | xargs)" = "$(echo $seeds)" ]; tap $? "$what: the seeds first"
	echo "# $what: $size of $prod combinations"
	SIZE=$size PROD=$prod
}
check "5 parts (4,4,2,3,2)" -s a1-b1-c1-d1-e1 -s a2-b3-c1-d1-e2 a1,a2,a3,a4 b1,b2,b3,b4 c1,c2 d1,d2,d3 e1,e2
[ $((SIZE * 6)) -le "$PROD" ]; tap $? "5 parts: at most a sixth of the product ($SIZE of $PROD)"
check "6 parts of 3" x1,x2,x3 y1,y2,y3 z1,z2,z3 u1,u2,u3 v1,v2,v3 w1,w2,w3
[ $((SIZE * 20)) -le "$PROD" ]; tap $? "6 parts of 3: at most a twentieth of the product ($SIZE of $PROD)"
check "2 parts" p1,p2,p3 q1,q2
[ "$SIZE" = "$PROD" ]; tap $? "2 parts: every pair is a combination: the product"
out=$(scripts/covering.sh -e a1,a2,a3,a4 b1,b2 c1,c2,c3 | xargs)
[ "$out" = "a1-b1-c1 a2-b2-c2 a3-b1-c3 a4-b2-c1" ]; tap $? "-e: each implementation once, as many rows as the largest part ($out)"
scripts/covering.sh -s a1-zz a1,a2 b1,b2 >/dev/null 2>&1; [ $? = 2 ]; tap $? "a seed naming an unknown implementation: exit 2"

# ---- two more (synthetic) parts, one Makefile line each: names, builds, the matrix ----
M=$T/mk
mkdir -p "$M/scripts"
cp Makefile "$M/" && cp scripts/covering.sh "$M/scripts/"
for p in $parts; do mkdir -p "$M/variants/$p"; cp variants/"$p"/*.c "$M/variants/$p/"; done
mkdir -p "$M/variants/pool" "$M/variants/arena"
touch "$M/variants/pool/fifo.c" "$M/variants/pool/ws.c" "$M/variants/arena/ring.c" "$M/variants/arena/list.c"
sed -i '/^\$(eval \$(call part,mailbox,/a $(eval $(call part,pool,POOL,fifo,pool))\n$(eval $(call part,arena,ARENA,list,arena))' "$M/Makefile"
(cd "$M" && mk variants) >"$T/v5" 2>"$T/v5.err"
[ "$(key PARTS "$T/v5")" = "handle globalq timer sched mailbox pool arena" ] && [ ! -s "$T/v5.err" ]
tap $? "a part added by one line: PARTS lists it last"
all5=$(key ALLCOMBOS "$T/v5") m5=$(key MATRIX "$T/v5")
has() { [[ " $1 " == *" $2 "* ]]; }
has "$all5" rwlock-spin-wheel && has "$all5" rwlock-spin-wheel-global-spin-ws && has "$all5" rwlock-spin-wheel-global-spin-fifo-ring &&
	has "$all5" rwlock-spin-wheel-steal && ! has "$all5" rwlock-spin-wheel-global && ! has "$all5" rwlock-spin-wheel-global-spin-fifo-list &&
	[ "$(key PRESET_baseline "$T/v5")" = rwlock-spin-wheel ] && [ "$(key PRESET_lockfree "$T/v5")" = "$(key PRESET_lockfree "$V")" ]
tap $? "names leave out trailing parts at their baseline: rwlock-spin-wheel, -steal, -global-spin-ws, -global-spin-fifo-ring; presets unchanged"
[ "$(words "$all5")" = $((4 * $(words "$all"))) ]; tap $? "ALLCOMBOS: the product ($(words "$all5"))"
miss=$(uncovered "$impls fifo,ws list,ring" "$bases fifo list" <<<"$m5")
tap "$([ -n "$m5" ] && [ -z "$miss" ]; echo $?)" "MATRIX with 7 parts covers every pair$(missing "$miss")"
[ $(($(words "$m5") * 4)) -le "$(words "$all5")" ]; tap $? "MATRIX with 7 parts: $(words "$m5") of $(words "$all5") (at most a quarter)"
build() { (cd "$M" && mk print-build "$@" 2>&1); }
[ "$(build)" = build/baseline ] && [ "$(build VARIANT=rwlock-spin-wheel-global-spin-fifo-list)" = build/rwlock-spin-wheel ] &&
	[ "$(build VARIANT=rwlock-spin-wheel-global-spin-ws)" = build/rwlock-spin-wheel-global-spin-ws ] &&
	[ "$(build POOL=ws)" = build/rwlock-spin-wheel-global-spin-ws ] && [ "$(build VARIANT=lockfree ARENA=ring)" = "build/$(key PRESET_lockfree "$V")-fifo-ring" ]
tap $? "builds: VARIANT and POOL=/ARENA= give the names the rule gives"
out=$(build VARIANT=rwlock-spin); [[ $out == *"nor handle-globalq-timer[-sched][-mailbox][-pool][-arena]; handle table (HANDLE=): brlock"* ]]
tap $? "a short name: the error names the form and the implementations"
out=$(build VARIANT=rwlock-spin-wheel-global-spin-rr); [[ $out == *"POOL=rr: unknown pool (from VARIANT=rwlock-spin-wheel-global-spin-rr); valid: fifo ws"* ]]
tap $? "an unknown implementation of an added part: named in the error"

echo "1..$n"
exit $fail
