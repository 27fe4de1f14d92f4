/* Endless-loop detection (skynet_monitor.c): each worker bumps a version around every
 * callback; the monitor thread reports a worker whose version has not moved for a period
 * while a destination is set. It never interrupts the service. */

#include "skynet.h"
#include "skynet_monitor.h"
#include "skynet_server.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct skynet_monitor {
	atomic_int version;
	int check_version;	/* monitor thread only */
	_Atomic uint32_t source;
	_Atomic uint32_t destination;
};

struct skynet_monitor *
skynet_monitor_new(int pad) {
	/* skynet mallocs 16 bytes per worker, so the workers' monitors share a cache line and
	 * every callback's version increment moves that line between their cores; padded,
	 * each worker's monitor has a line of its own */
	struct skynet_monitor *ret = pad ? aligned_alloc(64, 64) : malloc(sizeof(*ret));
	memset(ret, 0, sizeof(*ret));
	return ret;
}

void
skynet_monitor_delete(struct skynet_monitor *sm) {
	free(sm);	/* malloc's or aligned_alloc's (skynet_malloc is malloc) */
}

void
skynet_monitor_trigger(struct skynet_monitor *sm, uint32_t source, uint32_t destination) {
	/* relaxed: diagnostic fields, read by the monitor only after a full 5 s period */
	atomic_store_explicit(&sm->source, source, memory_order_relaxed);
	atomic_store_explicit(&sm->destination, destination, memory_order_relaxed);
	/* seq_cst increment, as skynet's ATOM_FINC: part of the per-message cost we reproduce */
	atomic_fetch_add(&sm->version, 1);
}

void
skynet_monitor_check(struct skynet_monitor *sm) {
	int version = atomic_load(&sm->version);
	if (version == sm->check_version) {
		/* relaxed: see trigger */
		uint32_t destination = atomic_load_explicit(&sm->destination, memory_order_relaxed);
		if (destination) {
			uint32_t source = atomic_load_explicit(&sm->source, memory_order_relaxed);
			skynet_context_endless(destination);
			skynet_error(NULL, "A message from [ :%08x ] to [ :%08x ] maybe in an endless loop (version = %d)",
				source, destination, version);
		}
	} else {
		sm->check_version = version;
	}
}
