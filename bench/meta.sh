# shellcheck shell=bash
# bench/meta.sh, sourced by the drivers that write a run's .meta or rows (bench/run.sh,
# scripts/pingpong.sh, scripts/runtime-bench.sh, bench/socket-bench.sh): the lines that
# describe the machine and its state before the run (docs/method.md rules 1 and 10), and
# the columns of a node and its scheduler, so that every run records them alike. The caller sets $meta, the file, and writes its own lines (run id, revision,
# variants, flags) with m.

m() { printf '%s: %s\n' "$1" "$2" >> "$meta"; }
readf() { [ -r "$1" ] && tr -d '\n' < "$1" || echo "unreadable"; }

# the machine columns of a results row (cpu_model, topology, kernel) and nproc, as shell
# variables, for the drivers that write rows through csvrow
row_machine() {
	local sockets cps tpc npu numa
	lsv() { lscpu | sed -n "s/^$1:[[:space:]]*//p" | head -1; }
	cpu_model=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
	sockets=$(lsv 'Socket(s)') cps=$(lsv 'Core(s) per socket') tpc=$(lsv 'Thread(s) per core')
	npu=$(lsv 'CPU(s)') numa=$(lsv 'NUMA node(s)')
	: "${sockets:=1}" "${cps:=$npu}" "${tpc:=1}" "${numa:=1}"
	topology="$sockets socket$([ "$sockets" = 1 ] || echo s) x $cps cores x $tpc PU/core, $npu PUs, $numa NUMA node$([ "$numa" = 1 ] || echo s)"
	kernel=$(uname -srm)
	nproc=$(nproc)
}

# row_node VERSION: the row columns a node's --version line gives ("skybench-node NAME
# (handle H, globalq G, timer T, sched S, mailbox M) git REV"): vname, handle, globalq,
# timer, sched, mailbox, git_rev. A node from before the scheduler or the mailbox part names
# none: it has skynet's, global and spin.
row_node() {
	local p k v list
	vname=$(awk '{print $2}' <<<"$1")
	handle="" globalq="" timer="" sched=global mailbox=spin
	IFS=, read -r -a list <<<"$(sed -n 's/^[^(]*(\([^)]*\)).*/\1/p' <<<"$1")"
	for p in "${list[@]}"; do
		read -r k v <<<"$p"
		case $k in handle|globalq|timer|sched|mailbox) printf -v "$k" '%s' "$v" ;; esac
	done
	git_rev=$(sed -n 's/.* git \([^ ]*\).*/\1/p' <<<"$1")
}

# The scheduler settings of a node run, the sched_* columns (results/README.md).
# row_sched "KEY=VALUE..." (the config overrides of the point; $sched from row_node): what
# the config asks for, defaults filled in: sched_wake, sched_next, sched_steal, sched_inject.
# The keys other than sched_wake apply to SCHED=steal only: "-" for global.
row_sched() {
	local kv
	sched_wake=skynet sched_next=3 sched_steal=half sched_inject=61
	for kv in $1; do
		case ${kv%%=*} in
		sched_wake|sched_next|sched_steal|sched_inject) printf -v "${kv%%=*}" '%s' "${kv#*=}" ;;
		esac
	done
	[ "$sched" = global ] && sched_next=- sched_steal=- sched_inject=-
	return 0
}

# row_counters FILE...: what nodes printed at exit with sched_counters = true (conventions:
# "skybench-sched: sched=S wake=W next=N steal=X inject=I workers=W", one "worker=K ..." line
# per worker, one "worker=all ..."): counters, the worker=all lines summed key by key over
# the files (a shared-nothing point has one per node) as "k=N;k=N" in the node's order,
# empty when no node printed one; sched_said, the first settings line, empty if none.
row_counters() {
	counters=$(awk '$1 == "skybench-sched:" {
			for (i = 2; i <= NF && $i !~ /^worker=/; i++) ;
			if ($i != "worker=all") next
			for (i++; i <= NF; i++) {
				split($i, kv, "=")
				if (!(kv[1] in sum)) order[++n] = kv[1]
				sum[kv[1]] += kv[2]
			}
		}
		END { for (i = 1; i <= n; i++) printf "%s%s=%.0f", (i > 1 ? ";" : ""), order[i], sum[order[i]] }' "$@")
	sched_said=$(grep -h '^skybench-sched: sched=' "$@" 2>/dev/null | head -1)
}

# row_sched_check: after row_sched and row_counters, take the settings the node itself
# printed (the truth) into sched_wake, sched_next, sched_steal, sched_inject; prints one
# line for each one that differs from what the config asked (a key the node ignored)
row_sched_check() {
	[ -n "$sched_said" ] || return 0
	local k col said
	for k in wake next steal inject; do
		col=sched_$k
		said=$(sed -n "s/.* $k=\([^ ]*\).*/\1/p" <<<" ${sched_said#skybench-sched: }")
		[ -n "$said" ] || continue
		[ "$sched" = global ] && [ "$k" != wake ] && continue
		[ "$said" = "${!col}" ] || echo "node says $k=$said, the config asked $col=${!col}"
		printf -v "$col" '%s' "$said"
	done
}

# row_compiler CC: the compiler column for what CC is ("gcc 12.2.0", "clang 14.0.6")
row_compiler() {
	if "$1" -v 2>&1 | grep -q 'clang version'; then
		compiler="clang $("$1" -dumpversion)"
	else
		compiler="gcc $("$1" -dumpfullversion 2>/dev/null || "$1" -dumpversion)"
	fi
}

# kv KEY LINE: the value of KEY=VALUE in a RESULT line (empty if absent)
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

# thread_counts THREADS QUICK: tlist, the worker counts of a run (after row_machine): THREADS
# as "1,2" or "1-4" or both; else, with QUICK, nproc and 2*nproc (a smoke run); else
# 1..nproc plus the oversubscribed 2*nproc
thread_counts() {
	local part i
	tlist=()
	if [ -n "$1" ]; then
		for part in ${1//,/ }; do
			if [[ $part == *-* ]]; then for ((i = ${part%-*}; i <= ${part#*-}; i++)); do tlist+=("$i"); done
			else tlist+=("$part"); fi
		done
	elif [ -n "$2" ]; then
		tlist=("$nproc" $((2 * nproc)))
	else
		for ((i = 1; i <= nproc; i++)); do tlist+=("$i"); done
		tlist+=($((2 * nproc)))
	fi
}

# host, CPU, topology, kernel
meta_machine() {
	m host "$(hostname)"
	m cpu_model "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
	m lscpu "$(lscpu 2>/dev/null | grep -E '^(Architecture|CPU\(s\)|On-line|Thread|Core|Socket|NUMA node\(s\)|Model name|CPU max MHz|L2|L3|Hypervisor)' | sed 's/  */ /g' | tr '\n' ';')"
	m topology "$(lstopo-no-graphics --of console --no-io --no-caches 2>/dev/null | tr -s ' ' | tr '\n' ';')"
	m kernel "$(uname -srmv)"
}

# what skews numbers, read just before the run: load, frequency governor, turbo, SMT, clock
# source, and a loud WARNING (in the .meta and on stderr) for every other process using
# more than 5% of a CPU now
meta_state() {
	m loadavg_before "$(cat /proc/loadavg)"
	m governor "$(readf /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor)"
	if [ -r /sys/devices/system/cpu/intel_pstate/no_turbo ]; then
		m turbo "intel_pstate no_turbo=$(readf /sys/devices/system/cpu/intel_pstate/no_turbo)"
	else
		m turbo "cpufreq boost=$(readf /sys/devices/system/cpu/cpufreq/boost)"
	fi
	m smt "control=$(readf /sys/devices/system/cpu/smt/control) active=$(readf /sys/devices/system/cpu/smt/active)"
	m clocksource "$(readf /sys/devices/system/clocksource/clocksource0/current_clocksource)"
	# top's second sample: current, not lifetime, usage
	local busy
	busy=$(top -b -n 2 -d 0.5 -w 200 2>/dev/null | awk -v me=$$ '
		/^top -/ { frame++ } frame == 2 && $1 ~ /^[0-9]+$/ && $9 + 0 > 5 && $1 != me { printf "%s(pid %s) %s%% CPU; ", $12, $1, $9 }')
	if [ -n "$busy" ]; then
		m WARNING "other processes are using the CPUs: $busy"
		echo "!!!!!! WARNING: other processes are using the CPUs: $busy" >&2
		echo "!!!!!! numbers from this run are disturbed; see $meta" >&2
	fi
}
