/* The hwloc half of pinning: read the machine's topology once, bind threads. pin.h. */

#include "pin.h"

#include <hwloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static hwloc_topology_t topo;
static struct pin_topo machine;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;

static int
ancestor_index(hwloc_obj_t pu, hwloc_obj_type_t type) {
	hwloc_obj_t o = hwloc_get_ancestor_obj_by_type(topo, type, pu);
	return o ? (int)o->logical_index : 0;
}

static void
load(void) {
	if (hwloc_topology_init(&topo) != 0 || hwloc_topology_load(topo) != 0) {
		fprintf(stderr, "pin: hwloc could not load the topology\n");
		return;
	}
	int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	if (n <= 0)
		return;
	machine.pu = calloc((size_t)n, sizeof *machine.pu);
	if (machine.pu == NULL)
		abort();
	for (int i = 0; i < n; i++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, (unsigned)i);
		machine.pu[i].os = (int)pu->os_index;
		/* a PU without a core object (some VMs) is its own core */
		hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_CORE, pu);
		machine.pu[i].core = core ? (int)core->logical_index : i;
		machine.pu[i].socket = ancestor_index(pu, HWLOC_OBJ_PACKAGE);
		/* NUMA nodes hang beside the hierarchy in hwloc 2: find the one whose set holds the PU */
		machine.pu[i].numa = 0;
		hwloc_obj_t node = NULL;
		while ((node = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, node)) != NULL)
			if (hwloc_bitmap_isset(node->cpuset, pu->os_index)) {
				machine.pu[i].numa = (int)node->logical_index;
				break;
			}
	}
	machine.npu = n;
	int cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	machine.ncores = cores > 0 ? cores : n;
	int sockets = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
	machine.nsockets = sockets > 0 ? sockets : 1;
	int numa = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
	machine.nnuma = numa > 0 ? numa : 1;
	loaded = 1;
}

const struct pin_topo *
pin_topo_machine(void) {
	pthread_once(&once, load);
	return loaded ? &machine : NULL;
}

int
pin_bind_self(int cpu) {
	if (cpu < 0)
		return 0;
	if (pin_topo_machine() == NULL)
		return -1;
	hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(topo, (unsigned)cpu);
	if (pu == NULL)
		return -1;
	hwloc_bitmap_t set = hwloc_bitmap_dup(pu->cpuset);
	hwloc_bitmap_singlify(set);
	int r = hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD);
	hwloc_bitmap_free(set);
	return r == 0 ? 0 : -1;
}
