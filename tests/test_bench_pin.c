/* skybench-test: partless */
/* Pinning policies on synthetic topologies: which CPU each policy gives each thread.
 * Synthetic machines are numbered the way Linux numbers x86 PUs (SMT siblings far apart:
 * on 2 sockets x 4 cores x 2 SMT, CPU 0 and CPU 8 share core 0), so a policy that
 * followed OS numbers instead of the topology would fail here. */

#include "tap.h"
#include "../bench/pin_map.c"

static int
map_is(const struct pin_topo *t, const char *policy, int n, const int *want, int want_over) {
	struct pin_policy p;
	char err[256] = "";
	int cpu[64], over = -1;
	if (pin_policy_parse(policy, &p, err, sizeof err) != 0) {
		diag("parse %s: %s", policy, err);
		return 0;
	}
	if (pin_map(t, &p, n, cpu, &over, err, sizeof err) != 0) {
		diag("map %s: %s", policy, err);
		return 0;
	}
	int same = over == want_over;
	for (int i = 0; i < n; i++)
		same &= cpu[i] == want[i];
	if (!same) {
		char got[512] = "";
		size_t k = 0;
		for (int i = 0; i < n && k < sizeof got - 8; i++)
			k += (size_t)snprintf(got + k, sizeof got - k, "%d ", cpu[i]);
		diag("%s x%d: got %s(oversubscribed %d)", policy, n, got, over);
	}
	return same;
}

static int
map_fails(const struct pin_topo *t, const char *policy, int n) {
	struct pin_policy p;
	char err[256] = "";
	int cpu[64], over;
	if (pin_policy_parse(policy, &p, err, sizeof err) != 0)
		return 1;
	return pin_map(t, &p, n, cpu, &over, err, sizeof err) != 0;
}

int
main(void) {
	struct pin_pu pu[64];
	struct pin_topo big;
	pin_topo_synthetic(&big, pu, 2, 4, 2);
	ok(big.npu == 16 && big.ncores == 8 && big.nsockets == 2 && pu[1].os == 8 && pu[1].core == 0,
		"synthetic 2x4x2: 16 PUs, CPU 8 is core 0's sibling");

	int compact[] = { 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15 };
	ok(map_is(&big, "compact", 16, compact, 0), "compact fills core siblings, socket 0 first");
	int scatter[] = { 0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15 };
	ok(map_is(&big, "scatter", 16, scatter, 0),
		"scatter alternates sockets, one thread per core before any sibling");
	int opc[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	ok(map_is(&big, "one-per-core", 8, opc, 0), "one-per-core: first PU of each core");
	int opc_over[] = { 0, 1, 2, 3, 4, 5, 6, 7, 0, 1 };
	ok(map_is(&big, "one-per-core", 10, opc_over, 1),
		"one-per-core past 8 threads wraps to the same cores, labelled oversubscribed");
	int smt[] = { 0, 8, 1, 9 };
	ok(map_is(&big, "smt-siblings", 4, smt, 0), "smt-siblings: threads 2k, 2k+1 share a core");
	int compact_over[] = { 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15, 0, 8 };
	ok(map_is(&big, "compact", 18, compact_over, 1), "compact with 18 threads: wraps, oversubscribed");
	int list[] = { 3, 11, 3 };
	ok(map_is(&big, "list:3,11", 3, list, 1), "list:3,11 with 3 threads wraps, oversubscribed");
	ok(map_is(&big, "3,11", 2, list, 0), "a bare list works too");
	int none[] = { -1, -1, -1 };
	ok(map_is(&big, "none", 3, none, 0), "none binds nothing");
	ok(map_fails(&big, "list:3,99", 2), "a list naming a CPU outside the topology is refused");
	ok(map_fails(&big, "sideways", 2), "an unknown policy is refused");
	ok(map_fails(&big, "list:1,,x", 2), "a malformed list is refused");

	/* the project's machines: 1 socket, 2 cores, no SMT */
	struct pin_topo small;
	pin_topo_synthetic(&small, pu, 1, 2, 1);
	int two[] = { 0, 1 };
	ok(map_is(&small, "compact", 2, two, 0) && map_is(&small, "scatter", 2, two, 0) &&
		map_is(&small, "one-per-core", 2, two, 0), "1x2x1: compact = scatter = one-per-core = 0,1");
	int three[] = { 0, 1, 0 };
	ok(map_is(&small, "scatter", 3, three, 1), "1x2x1 with 3 threads: oversubscribed");
	ok(map_fails(&small, "smt-siblings", 2), "smt-siblings refuses a machine without SMT");

	/* 4 sockets x 2 cores x 4 SMT (POWER-like): scatter visits all sockets first */
	struct pin_topo wide;
	pin_topo_synthetic(&wide, pu, 4, 2, 4);
	int wscatter[] = { 0, 2, 4, 6, 1, 3, 5, 7, 8, 10 };
	ok(map_is(&wide, "scatter", 10, wscatter, 0), "4x2x4 scatter: sockets, then cores, then siblings");
	int wsmt[] = { 0, 8, 16, 24, 1 };
	ok(map_is(&wide, "smt-siblings", 5, wsmt, 0), "4x2x4 smt-siblings: four threads per core");

	char desc[128];
	pin_topo_describe(&big, desc, sizeof desc);
	ok(strcmp(desc, "2 sockets x 4 cores x 2 PU/core, 16 PUs, 2 NUMA nodes") == 0, "describe: %s", desc);
	return done_testing();
}
