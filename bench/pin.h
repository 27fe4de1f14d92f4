#ifndef SKYBENCH_PIN_H
#define SKYBENCH_PIN_H

/* Thread placement (docs/method.md rule 8). The mapping (policy, thread index, topology) ->
 * CPU is a pure function over a small topology description (pin_map.c), so it is tested on
 * synthetic machines; pin.c fills the description from hwloc and binds threads.
 *
 * Policies, for thread i of n:
 *   compact       PUs in topology order: the SMT siblings of core 0, then core 1, ...,
 *                 socket 0 before socket 1 (KMP "compact").
 *   scatter       as far apart as possible: round-robin over sockets, then over cores
 *                 within a socket, SMT siblings only after every core has one thread.
 *   one-per-core  the first PU of each core, cores in topology order; never an SMT sibling.
 *   smt-siblings  threads 2k and 2k+1 share a core (compact order), and the policy refuses
 *                 machines without SMT, so a row labelled smt-siblings really shared cores.
 *   list:0,3,...  (or just "0,3") OS CPU numbers, thread i on entry i.
 *   none          no binding (the row says unpinned).
 * More threads than the policy has CPUs wrap around (thread i on slot i mod size), and the
 * mapping says it is oversubscribed so the row is labelled. */

#include <stddef.h>

struct pin_pu {
	int os;		/* OS CPU number (what sched_getcpu returns) */
	int core;	/* logical core index, 0..ncores-1, machine-wide */
	int socket;	/* logical package index */
	int numa;	/* logical NUMA node index */
};

/* PUs in hwloc logical order: socket-major, then core, then sibling */
struct pin_topo {
	int npu, ncores, nsockets, nnuma;
	struct pin_pu *pu;
};

enum pin_kind { PIN_NONE, PIN_COMPACT, PIN_SCATTER, PIN_ONE_PER_CORE, PIN_SMT_SIBLINGS, PIN_LIST };

#define PIN_LIST_MAX 1024

struct pin_policy {
	enum pin_kind kind;
	int nlist;
	int list[PIN_LIST_MAX];
	char name[64];		/* canonical name for result rows */
};

/* 0 on success; -1 with a message in err */
int pin_policy_parse(const char *s, struct pin_policy *p, char *err, size_t errlen);

/* cpu[i] = OS CPU for thread i (or -1 for none). *oversubscribed = more threads than the
 * policy's distinct CPUs. 0 on success, -1 (with err) when the policy cannot be honoured. */
int pin_map(const struct pin_topo *t, const struct pin_policy *p, int nthreads, int *cpu,
	int *oversubscribed, char *err, size_t errlen);

/* A synthetic machine numbered as Linux numbers x86 PUs: OS number
 * = sibling * (sockets * cores) + socket * cores + core, so siblings are far apart.
 * pu must hold sockets * cores * smt entries. */
void pin_topo_synthetic(struct pin_topo *t, struct pin_pu *pu, int sockets, int cores, int smt);

/* "1 socket x 2 cores x 1 PU/core, 2 PUs, 1 NUMA node" */
void pin_topo_describe(const struct pin_topo *t, char *buf, size_t len);

/* --- pin.c (hwloc) --- */
/* The machine's topology, restricted to the CPUs this process may use; NULL on failure. */
const struct pin_topo *pin_topo_machine(void);
/* Bind the calling thread to one OS CPU; cpu < 0 does nothing. 0 or -1. */
int pin_bind_self(int cpu);

#endif
