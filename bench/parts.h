#ifndef SKYBENCH_BENCH_PARTS_H
#define SKYBENCH_BENCH_PARTS_H

/* Every implementation of a part in one program: bench.mk compiles each variant's .c on
 * its own and renames every global symbol it defines with objcopy (globalq_push ->
 * bv_spin_globalq_push), and gen-impls.sh writes a table of these entries, one per
 * variant. Calls go through function pointers, the same for every variant. */

#include <stddef.h>
#include <stdint.h>

#include "globalq.h"
#include "handle.h"
#include "timerq.h"

struct bench_globalq_impl {
	const char *name;
	struct globalq *(*create)(void);
	void (*release)(struct globalq *);
	void (*push)(struct globalq *, struct message_queue *);
	struct message_queue *(*pop)(struct globalq *);
	void (*reserve)(struct globalq *, size_t);
};

#define BENCH_GLOBALQ_DECL(v) \
	struct globalq *bv_##v##_globalq_create(void); \
	void bv_##v##_globalq_release(struct globalq *); \
	void bv_##v##_globalq_push(struct globalq *, struct message_queue *); \
	struct message_queue *bv_##v##_globalq_pop(struct globalq *); \
	void bv_##v##_globalq_reserve(struct globalq *, size_t);
#define BENCH_GLOBALQ_ENTRY(v) { #v, bv_##v##_globalq_create, bv_##v##_globalq_release, \
	bv_##v##_globalq_push, bv_##v##_globalq_pop, bv_##v##_globalq_reserve }

struct bench_handle_impl {
	const char *name;
	void (*init)(int harbor);
	void (*exit)(void);
	uint32_t (*reg)(struct skynet_context *);
	int (*retire)(uint32_t);
	struct skynet_context *(*grab)(uint32_t);
	int (*push)(uint32_t, struct skynet_message *);
	void (*retireall)(void);
	uint32_t (*findname)(const char *);
	const char *(*namehandle)(uint32_t, const char *);
	void (*thread_start)(void), (*thread_stop)(void), (*quiescent)(void);
	void (*offline)(void), (*online)(void);
};

#define BENCH_HANDLE_DECL(v) \
	void bv_##v##_skynet_handle_init(int); \
	void bv_##v##_skynet_handle_exit(void); \
	uint32_t bv_##v##_skynet_handle_register(struct skynet_context *); \
	int bv_##v##_skynet_handle_retire(uint32_t); \
	struct skynet_context *bv_##v##_skynet_handle_grab(uint32_t); \
	int bv_##v##_skynet_handle_push(uint32_t, struct skynet_message *); \
	void bv_##v##_skynet_handle_retireall(void); \
	uint32_t bv_##v##_skynet_handle_findname(const char *); \
	const char *bv_##v##_skynet_handle_namehandle(uint32_t, const char *); \
	void bv_##v##_skynet_handle_thread_start(void); \
	void bv_##v##_skynet_handle_thread_stop(void); \
	void bv_##v##_skynet_handle_thread_quiescent(void); \
	void bv_##v##_skynet_handle_thread_offline(void); \
	void bv_##v##_skynet_handle_thread_online(void);
#define BENCH_HANDLE_ENTRY(v) { #v, bv_##v##_skynet_handle_init, bv_##v##_skynet_handle_exit, \
	bv_##v##_skynet_handle_register, bv_##v##_skynet_handle_retire, \
	bv_##v##_skynet_handle_grab, bv_##v##_skynet_handle_push, \
	bv_##v##_skynet_handle_retireall, bv_##v##_skynet_handle_findname, \
	bv_##v##_skynet_handle_namehandle, bv_##v##_skynet_handle_thread_start, \
	bv_##v##_skynet_handle_thread_stop, bv_##v##_skynet_handle_thread_quiescent, \
	bv_##v##_skynet_handle_thread_offline, bv_##v##_skynet_handle_thread_online }

struct bench_timer_impl {
	const char *name;
	struct timerq *(*create)(void);
	void (*release)(struct timerq *);
	uint64_t (*add)(struct timerq *, const struct timer_event *, uint32_t);
	int (*cancel)(struct timerq *, uint64_t);
	void (*update)(struct timerq *, timerq_fire, void *);
	uint32_t (*time)(const struct timerq *);
	size_t (*pending)(const struct timerq *);
};

#define BENCH_TIMER_DECL(v) \
	struct timerq *bv_##v##_timerq_create(void); \
	void bv_##v##_timerq_release(struct timerq *); \
	uint64_t bv_##v##_timerq_add(struct timerq *, const struct timer_event *, uint32_t); \
	int bv_##v##_timerq_cancel(struct timerq *, uint64_t); \
	void bv_##v##_timerq_update(struct timerq *, timerq_fire, void *); \
	uint32_t bv_##v##_timerq_time(const struct timerq *); \
	size_t bv_##v##_timerq_pending(const struct timerq *);
#define BENCH_TIMER_ENTRY(v) { #v, bv_##v##_timerq_create, bv_##v##_timerq_release, \
	bv_##v##_timerq_add, bv_##v##_timerq_cancel, bv_##v##_timerq_update, \
	bv_##v##_timerq_time, bv_##v##_timerq_pending }

extern const struct bench_globalq_impl bench_globalq_impls[];
extern const int bench_globalq_nimpls;
extern const struct bench_handle_impl bench_handle_impls[];
extern const int bench_handle_nimpls;
extern const struct bench_timer_impl bench_timer_impls[];
extern const int bench_timer_nimpls;

/* written by gen-impls.sh beside the table: what the program was built with */
extern const char bench_build_cflags[];
extern const char bench_build_libs[];

#endif
