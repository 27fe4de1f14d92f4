# shellcheck shell=bash
# bench/meta.sh, sourced by the drivers that write a run's .meta or rows (bench/run.sh,
# scripts/pingpong.sh, scripts/runtime-bench.sh): the lines that describe the machine and its
# state before the run (docs/method.md rules 1 and 10), so that every run records them
# alike. The caller sets $meta, the file, and writes its own lines (run id, revision,
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
# (handle H, globalq G, timer T) git REV"): vname, handle, globalq, timer, git_rev
row_node() {
	vname=$(awk '{print $2}' <<<"$1")
	read -r handle globalq timer < <(sed -n 's/.*(handle \([^,]*\), globalq \([^,]*\), timer \([^)]*\)).*/\1 \2 \3/p' <<<"$1")
	git_rev=$(sed -n 's/.* git \([^ ]*\).*/\1/p' <<<"$1")
}

# row_compiler CC: the compiler column for what CC is ("gcc 12.2.0", "clang 14.0.6")
row_compiler() {
	if "$1" -v 2>&1 | grep -q 'clang version'; then
		compiler="clang $("$1" -dumpversion)"
	else
		compiler="gcc $("$1" -dumpfullversion 2>/dev/null || "$1" -dumpversion)"
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
