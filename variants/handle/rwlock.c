/* The baseline handle table: skynet v1.8.0's skynet_handle.c with its custom spin
 * reader-writer lock (rwlock.h): every reader does an atomic increment and decrement of
 * one shared counter. Table logic: handle_locked.h; lock: spin_rwlock.h. */

#include "spin_rwlock.h"

struct table_lock {
	struct spin_rwlock rw;
};

static void table_lock_init(struct table_lock *l) { spin_rwlock_init(&l->rw); }
static void table_rlock(struct table_lock *l) { spin_rwlock_rlock(&l->rw); }
static void table_runlock(struct table_lock *l) { spin_rwlock_runlock(&l->rw); }
static void table_wlock(struct table_lock *l) { spin_rwlock_wlock(&l->rw); }
static void table_wunlock(struct table_lock *l) { spin_rwlock_wunlock(&l->rw); }

#include "handle_locked.h"

const char skynet_handle_variant[] = "rwlock";

/* skynet v1.8.0 keeps no per-thread reader state */
void skynet_handle_thread_start(void) {}
void skynet_handle_thread_stop(void) {}
void skynet_handle_thread_quiescent(void) {}
void skynet_handle_thread_offline(void) {}
void skynet_handle_thread_online(void) {}
