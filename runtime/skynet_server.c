/* Contexts (service instances): creation, refcounted lifetime, send, dispatch, commands.
 * skynet v1.8.0's skynet_server.c, rewritten; the handle table and global queue it uses
 * are swappable parts (variants/). */

#include "skynet.h"
#include "skynet_server.h"
#include "skynet_module.h"
#include "skynet_mq.h"
#include "skynet_sched.h"
#include "skynet_timer.h"
#include "skynet_harbor.h"
#include "skynet_env.h"
#include "skynet_monitor.h"
#include "skynet_imp.h"
#include "skynet_log.h"
#include "handle.h"

#include <assert.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct skynet_context {
	void * instance;
	struct skynet_module * mod;
	void * cb_ud;
	skynet_cb cb;
	struct message_queue *queue;
	_Atomic(FILE *) logfile;
	uint64_t cpu_cost;	/* in microsec */
	uint64_t cpu_start;	/* in microsec */
	char result[32];
	_Atomic uint32_t handle;
	int session_id;
	atomic_int ref;
	/* uses of the instance: the context's own (until it is deleted, or its init failed)
	 * plus each SIGNAL running; release() runs when they reach 0. Apart from ref because
	 * an RCU table keeps the context (mailbox included) for a grace period after a failed
	 * init, while skynet releases the instance before that LAUNCH returns */
	atomic_int instance_users;
	bool instance_dropped;	/* the context's own use is gone (failed init) */
	int message_count;
	bool init;
	atomic_bool endless;	/* set by the monitor thread */
	bool profile;
};

struct skynet_node {
	atomic_int total;
	int init;
	_Atomic uint32_t monitor_exit;
	pthread_key_t handle_key;
	bool profile;
};

static struct skynet_node G_NODE;

int
skynet_context_total(void) {
	return atomic_load(&G_NODE.total);
}

static void
context_inc(void) {
	atomic_fetch_add(&G_NODE.total, 1);
}

static void
context_dec(void) {
	atomic_fetch_sub(&G_NODE.total, 1);
}

uint32_t
skynet_current_handle(void) {
	if (G_NODE.init) {
		void * handle = pthread_getspecific(G_NODE.handle_key);
		return (uint32_t)(uintptr_t)handle;
	}
	return (uint32_t)(-THREAD_MAIN);
}

static void
id_to_hex(char * str, uint32_t id) {
	snprintf(str, 10, ":%08X", id);
}

struct drop_t {
	uint32_t handle;
};

/* a message left in a dead service's mailbox: free it, bounce PTYPE_ERROR to its sender */
void
skynet_context_drop_message(struct skynet_message *msg, void *ud) {
	struct drop_t *d = ud;
	skynet_free(msg->data);
	uint32_t source = d->handle;
	assert(source);
	skynet_send(NULL, source, msg->source, PTYPE_ERROR, msg->session, NULL, 0);
}

static uint32_t
ctx_handle(struct skynet_context *ctx) {
	/* acquire: pairs with the release store in skynet_context_new, so a thread that
	 * finds the context in the table also sees its initialized fields */
	return atomic_load_explicit(&ctx->handle, memory_order_acquire);
}

/* Can the instance be used (a SIGNAL)? Then it stays until instance_leave. */
static bool
instance_enter(struct skynet_context *ctx) {
	int n = atomic_load(&ctx->instance_users);
	do {
		if (n == 0)
			return false;	/* released, or about to be */
	} while (!atomic_compare_exchange_weak(&ctx->instance_users, &n, n + 1));
	return true;
}

static void
instance_leave(struct skynet_context *ctx) {
	if (atomic_fetch_sub(&ctx->instance_users, 1) == 1)
		skynet_module_instance_release(ctx->mod, ctx->instance);
}

/* skynet's order for a failed init: unlinked, then the instance's release() before LAUNCH
 * returns (and before the mailbox is dropped). The table's reference may outlive this (an
 * RCU table drops it after a grace period, which cannot be waited for here: a LAUNCH runs
 * inside a dispatch section), so the instance is released by its own count, not by the
 * last reference: no callback of it ever ran (its mailbox was never scheduled), and
 * senders touch only the mailbox. A SIGNAL that got in first (it grabbed the context
 * before the unlink) delays release() to its end, as its reference would in skynet. */
static void
launch_failed(struct skynet_context *ctx, uint32_t handle) {
	skynet_handle_retire(handle);
	/* read by delete_context after the last reference: our release below orders it */
	ctx->instance_dropped = true;
	instance_leave(ctx);
	skynet_context_release(ctx);
}

struct skynet_context *
skynet_context_new(const char * name, const char *param) {
	struct skynet_module * mod = skynet_module_query(name);
	if (mod == NULL)
		return NULL;

	void *inst = skynet_module_instance_create(mod);
	if (inst == NULL)
		return NULL;
	struct skynet_context * ctx = skynet_malloc(sizeof(*ctx));
	ctx->mod = mod;
	ctx->instance = inst;
	/* one reference for the handle table, one for us until init is done */
	atomic_init(&ctx->ref, 2);
	atomic_init(&ctx->instance_users, 1);
	ctx->instance_dropped = false;
	ctx->cb = NULL;
	ctx->cb_ud = NULL;
	ctx->session_id = 0;
	atomic_init(&ctx->logfile, NULL);
	ctx->init = false;
	atomic_init(&ctx->endless, false);
	ctx->cpu_cost = 0;
	ctx->cpu_start = 0;
	ctx->message_count = 0;
	ctx->profile = G_NODE.profile;
	/* 0 first, so a concurrent retire-all sweep never sees a half-made handle */
	atomic_init(&ctx->handle, 0);
	uint32_t handle = skynet_handle_register(ctx);
	/* release: see ctx_handle */
	atomic_store_explicit(&ctx->handle, handle, memory_order_release);
	struct message_queue * queue = ctx->queue = skynet_mq_create(handle);
	context_inc();

	int r = skynet_module_instance_init(mod, inst, ctx, param);
	if (r == 0) {
		struct skynet_context * ret = skynet_context_release(ctx);
		if (ret)
			ctx->init = true;
		skynet_sched_push(queue, SCHED_NEW);
		if (ret)
			skynet_error(ret, "LAUNCH %s %s", name, param ? param : "");
		return ret;
	} else {
		skynet_error(ctx, "FAILED launch %s", name);
		launch_failed(ctx, handle);
		struct drop_t d = { handle };
		skynet_mq_release(queue, skynet_context_drop_message, &d);
		return NULL;
	}
}

int
skynet_context_newsession(struct skynet_context *ctx) {
	/* sessions are always positive; wrap to 1 (unsigned arithmetic: no signed overflow) */
	int session = (int)((unsigned)ctx->session_id + 1u);
	if (session <= 0) {
		ctx->session_id = 1;
		return 1;
	}
	ctx->session_id = session;
	return session;
}

void
skynet_context_grab(struct skynet_context *ctx) {
	atomic_fetch_add(&ctx->ref, 1);
}

void
skynet_context_reserve(struct skynet_context *ctx) {
	skynet_context_grab(ctx);
	/* don't count the context reserved, because skynet abort (the worker threads
	 * terminate) only when the total context is 0; the reserved context is released last */
	context_dec();
}

static void
delete_context(struct skynet_context *ctx) {
	FILE *f = atomic_load(&ctx->logfile);
	if (f)
		fclose(f);
	if (!ctx->instance_dropped)
		instance_leave(ctx);
	skynet_mq_mark_release(ctx->queue);
	skynet_free(ctx);
	context_dec();
}

struct skynet_context *
skynet_context_release(struct skynet_context *ctx) {
	if (atomic_fetch_sub(&ctx->ref, 1) == 1) {
		delete_context(ctx);
		return NULL;
	}
	return ctx;
}

uint32_t
skynet_context_handle(struct skynet_context *ctx) {
	return ctx_handle(ctx);
}

int
skynet_context_push(uint32_t handle, struct skynet_message *message) {
	return skynet_handle_push(handle, message);
}

void
skynet_context_deliver(struct skynet_context *ctx, struct skynet_message *message) {
	skynet_mq_push(ctx->queue, message);
}

void
skynet_context_endless(uint32_t handle) {
	struct skynet_context * ctx = skynet_handle_grab(handle);
	if (ctx == NULL)
		return;
	atomic_store(&ctx->endless, true);
	skynet_context_release(ctx);
}

int
skynet_isremote(struct skynet_context * ctx, uint32_t handle, int * harbor) {
	(void)ctx;
	int ret = skynet_harbor_message_isremote(handle);
	if (harbor)
		*harbor = (int)(handle >> HANDLE_REMOTE_SHIFT);
	return ret;
}

static void
dispatch_message(struct skynet_context *ctx, struct skynet_message *msg) {
	assert(ctx->init);
	pthread_setspecific(G_NODE.handle_key, (void *)(uintptr_t)ctx_handle(ctx));
	int type = (int)(msg->sz >> MESSAGE_TYPE_SHIFT);
	size_t sz = msg->sz & MESSAGE_TYPE_MASK;
	FILE *f = atomic_load_explicit(&ctx->logfile, memory_order_acquire);
	if (f)
		skynet_log_output(f, msg->source, type, msg->session, msg->data, sz);
	++ctx->message_count;
	int reserve_msg;
	if (ctx->profile) {
		ctx->cpu_start = skynet_thread_time();
		reserve_msg = ctx->cb(ctx, ctx->cb_ud, type, msg->session, msg->source, msg->data, sz);
		uint64_t cost_time = skynet_thread_time() - ctx->cpu_start;
		ctx->cpu_cost += cost_time;
	} else {
		reserve_msg = ctx->cb(ctx, ctx->cb_ud, type, msg->session, msg->source, msg->data, sz);
	}
	if (!reserve_msg)
		skynet_free(msg->data);
}

static void
dispatch_drained(struct skynet_message *msg, void *ud) {
	dispatch_message(ud, msg);
}

void
skynet_context_dispatchall(struct skynet_context * ctx) {
	/* for skynet_error output before exit. The mailbox is linked in the global queue:
	 * drain it without parking it, or retire would link it a second time. */
	skynet_mq_drain(ctx->queue, dispatch_drained, ctx);
}

struct message_queue *
skynet_context_message_dispatch(struct skynet_monitor *sm, struct message_queue *q, int weight) {
	if (q == NULL) {
		q = skynet_sched_pop();
		if (q == NULL)
			return NULL;
	}

	uint32_t handle = skynet_mq_handle(q);

	/* ctx stays alive until dispatch_end: a reference, or an RCU table's read-side
	 * section around the whole batch (runtime/parts/handle.h) */
	struct skynet_context * ctx = skynet_handle_dispatch_begin(handle);
	if (ctx == NULL) {
		struct drop_t d = { handle };
		skynet_mq_release(q, skynet_context_drop_message, &d);
		return skynet_sched_pop();
	}

	int i, n = 1;
	struct skynet_message msg;

	for (i = 0; i < n; i++) {
		int popped = skynet_mq_pop(q, &msg);
		if (popped == MQ_PARKED) {
			skynet_handle_dispatch_end(ctx);
			return skynet_sched_pop();
		} else if (popped == MQ_BUSY) {
			/* a send is half done (mpsc): q stays scheduled; treat it as a finished batch,
			 * so it waits behind the others and comes back */
			break;
		} else if (i == 0 && weight >= 0) {
			n = skynet_mq_length(q);
			n >>= weight;
		}
		int overload = skynet_mq_overload(q);
		if (overload)
			skynet_error(ctx, "May overload, message queue length = %d", overload);

		skynet_monitor_trigger(sm, msg.source, handle);

		if (ctx->cb == NULL)
			skynet_free(msg.data);
		else
			dispatch_message(ctx, &msg);

		skynet_monitor_trigger(sm, 0, 0);
	}

	assert(q == ctx->queue);
	struct message_queue *nq = skynet_sched_pop_yield();
	if (nq) {
		/* others are waiting: go to the back of the line */
		skynet_sched_push(q, SCHED_REQUEUE);
		q = nq;
	}
	/* else keep q: the next dispatch continues with it (and parks it if empty) */
	skynet_handle_dispatch_end(ctx);

	return q;
}

static void
copy_name(char name[GLOBALNAME_LENGTH], const char * addr) {
	int i;
	for (i = 0; i < GLOBALNAME_LENGTH && addr[i]; i++)
		name[i] = addr[i];
	for (; i < GLOBALNAME_LENGTH; i++)
		name[i] = '\0';
}

uint32_t
skynet_queryname(struct skynet_context * context, const char * name) {
	switch (name[0]) {
	case ':':
		return (uint32_t)strtoul(name + 1, NULL, 16);
	case '.':
		return skynet_handle_findname(name + 1);
	}
	skynet_error(context, "Don't support query global name %s", name);
	return 0;
}

static void
handle_exit(struct skynet_context * context, uint32_t handle) {
	if (handle == 0) {
		handle = ctx_handle(context);
		skynet_error(context, "KILL self");
	} else {
		skynet_error(context, "KILL :%0x", handle);
	}
	uint32_t monitor = atomic_load(&G_NODE.monitor_exit);
	if (monitor)
		skynet_send(context, handle, monitor, PTYPE_CLIENT, 0, NULL, 0);
	skynet_handle_retire(handle);
}

/* skynet command */

struct command_func {
	const char *name;
	const char * (*func)(struct skynet_context * context, const char * param);
};

static const char *
cmd_timeout(struct skynet_context * context, const char * param) {
	char * session_ptr = NULL;
	int ti = (int)strtol(param, &session_ptr, 10);
	int session = skynet_context_newsession(context);
	skynet_timeout(ctx_handle(context), ti, session);
	sprintf(context->result, "%d", session);
	return context->result;
}

static const char *
cmd_reg(struct skynet_context * context, const char * param) {
	if (param == NULL || param[0] == '\0') {
		sprintf(context->result, ":%x", ctx_handle(context));
		return context->result;
	} else if (param[0] == '.') {
		return skynet_handle_namehandle(ctx_handle(context), param + 1);
	} else {
		skynet_error(context, "Can't register global name %s in C", param);
		return NULL;
	}
}

static const char *
cmd_query(struct skynet_context * context, const char * param) {
	if (param[0] == '.') {
		uint32_t handle = skynet_handle_findname(param + 1);
		if (handle) {
			sprintf(context->result, ":%x", handle);
			return context->result;
		}
	}
	return NULL;
}

static const char *
cmd_name(struct skynet_context * context, const char * param) {
	size_t size = strlen(param);
	char name[size + 1];
	char handle[size + 1];
	if (sscanf(param, "%s %s", name, handle) != 2)
		return NULL;
	if (handle[0] != ':')
		return NULL;
	uint32_t handle_id = (uint32_t)strtoul(handle + 1, NULL, 16);
	if (handle_id == 0)
		return NULL;
	if (name[0] == '.')
		return skynet_handle_namehandle(handle_id, name + 1);
	skynet_error(context, "Can't set global name %s in C", name);
	return NULL;
}

static const char *
cmd_exit(struct skynet_context * context, const char * param) {
	(void)param;
	handle_exit(context, 0);
	return NULL;
}

static uint32_t
tohandle(struct skynet_context * context, const char * param) {
	uint32_t handle = 0;
	if (param[0] == ':')
		handle = (uint32_t)strtoul(param + 1, NULL, 16);
	else if (param[0] == '.')
		handle = skynet_handle_findname(param + 1);
	else
		skynet_error(context, "Can't convert %s to handle", param);
	return handle;
}

static const char *
cmd_kill(struct skynet_context * context, const char * param) {
	uint32_t handle = tohandle(context, param);
	if (handle)
		handle_exit(context, handle);
	return NULL;
}

static const char *
cmd_launch(struct skynet_context * context, const char * param) {
	size_t sz = strlen(param);
	char tmp[sz + 1];
	strcpy(tmp, param);
	char * args = tmp;
	char * mod = strsep(&args, " \t\r\n");
	args = strsep(&args, "\r\n");
	struct skynet_context * inst = skynet_context_new(mod, args);
	if (inst == NULL)
		return NULL;
	id_to_hex(context->result, ctx_handle(inst));
	return context->result;
}

static const char *
cmd_getenv(struct skynet_context * context, const char * param) {
	(void)context;
	return skynet_getenv(param);
}

static const char *
cmd_setenv(struct skynet_context * context, const char * param) {
	size_t sz = strlen(param);
	char key[sz + 1];
	int i;
	for (i = 0; param[i] != ' ' && param[i]; i++)
		key[i] = param[i];
	if (param[i] == '\0')
		return NULL;
	key[i] = '\0';
	param += i + 1;
	if (skynet_setenv(key, param) != 0)
		skynet_error(context, "error: SETENV %s: the key exists already", key);
	return NULL;
}

static const char *
cmd_starttime(struct skynet_context * context, const char * param) {
	(void)param;
	uint32_t sec = skynet_starttime();
	sprintf(context->result, "%u", sec);
	return context->result;
}

static const char *
cmd_abort(struct skynet_context * context, const char * param) {
	(void)context;
	(void)param;
	skynet_handle_retireall();
	return NULL;
}

static const char *
cmd_monitor(struct skynet_context * context, const char * param) {
	uint32_t handle = 0;
	if (param == NULL || param[0] == '\0') {
		uint32_t monitor = atomic_load(&G_NODE.monitor_exit);
		if (monitor) {
			/* return current monitor serivce */
			sprintf(context->result, ":%x", monitor);
			return context->result;
		}
		return NULL;
	}
	handle = tohandle(context, param);
	atomic_store(&G_NODE.monitor_exit, handle);
	return NULL;
}

static const char *
cmd_stat(struct skynet_context * context, const char * param) {
	if (strcmp(param, "mqlen") == 0) {
		int len = skynet_mq_length(context->queue);
		sprintf(context->result, "%d", len);
	} else if (strcmp(param, "endless") == 0) {
		if (atomic_exchange(&context->endless, false))
			strcpy(context->result, "1");
		else
			strcpy(context->result, "0");
	} else if (strcmp(param, "cpu") == 0) {
		double t = (double)context->cpu_cost / 1000000.0;	/* microsec */
		snprintf(context->result, sizeof(context->result), "%lf", t);
	} else if (strcmp(param, "time") == 0) {
		if (context->profile) {
			uint64_t ti = skynet_thread_time() - context->cpu_start;
			double t = (double)ti / 1000000.0;	/* microsec */
			snprintf(context->result, sizeof(context->result), "%lf", t);
		} else {
			strcpy(context->result, "0");
		}
	} else if (strcmp(param, "message") == 0) {
		sprintf(context->result, "%d", context->message_count);
	} else {
		context->result[0] = '\0';
	}
	return context->result;
}

/* the context named by a ":hex" or ".name" parameter, with a reference, or NULL */
static struct skynet_context *
grab_param(struct skynet_context * context, const char * param, uint32_t *handle) {
	*handle = tohandle(context, param);
	return *handle ? skynet_handle_grab(*handle) : NULL;
}

static const char *
cmd_logon(struct skynet_context * context, const char * param) {
	uint32_t handle;
	struct skynet_context * ctx = grab_param(context, param, &handle);
	if (ctx == NULL)
		return NULL;
	FILE *lastf = atomic_load(&ctx->logfile);
	if (lastf == NULL) {
		FILE *f = skynet_log_open(context, handle);
		if (f) {
			FILE *expect = NULL;
			if (!atomic_compare_exchange_strong(&ctx->logfile, &expect, f)) {
				/* logfile opens in other thread, close this one */
				fclose(f);
			}
		}
	}
	skynet_context_release(ctx);
	return NULL;
}

static const char *
cmd_logoff(struct skynet_context * context, const char * param) {
	uint32_t handle;
	struct skynet_context * ctx = grab_param(context, param, &handle);
	if (ctx == NULL)
		return NULL;
	FILE *f = atomic_load(&ctx->logfile);
	if (f) {
		/* logfile may close in other thread */
		if (atomic_compare_exchange_strong(&ctx->logfile, &f, NULL))
			skynet_log_close(context, f, handle);
	}
	skynet_context_release(ctx);
	return NULL;
}

static const char *
cmd_signal(struct skynet_context * context, const char * param) {
	uint32_t handle;
	struct skynet_context * ctx = grab_param(context, param, &handle);
	if (ctx == NULL)
		return NULL;
	param = strchr(param, ' ');
	int sig = 0;
	if (param)
		sig = (int)strtol(param, NULL, 0);
	/* NOTICE: the signal function should be thread safe */
	if (instance_enter(ctx)) {
		skynet_module_instance_signal(ctx->mod, ctx->instance, sig);
		instance_leave(ctx);
	}
	skynet_context_release(ctx);
	return NULL;
}

static const struct command_func cmd_funcs[] = {
	{ "TIMEOUT", cmd_timeout },
	{ "REG", cmd_reg },
	{ "QUERY", cmd_query },
	{ "NAME", cmd_name },
	{ "EXIT", cmd_exit },
	{ "KILL", cmd_kill },
	{ "LAUNCH", cmd_launch },
	{ "GETENV", cmd_getenv },
	{ "SETENV", cmd_setenv },
	{ "STARTTIME", cmd_starttime },
	{ "ABORT", cmd_abort },
	{ "MONITOR", cmd_monitor },
	{ "STAT", cmd_stat },
	{ "LOGON", cmd_logon },
	{ "LOGOFF", cmd_logoff },
	{ "SIGNAL", cmd_signal },
	{ NULL, NULL },
};

const char *
skynet_command(struct skynet_context * context, const char * cmd, const char * param) {
	const struct command_func * method = &cmd_funcs[0];
	while (method->name) {
		if (strcmp(cmd, method->name) == 0)
			return method->func(context, param);
		++method;
	}
	return NULL;
}

static void
_filter_args(struct skynet_context * context, int type, int *session, void ** data, size_t * sz) {
	int needcopy = !(type & PTYPE_TAG_DONTCOPY);
	int allocsession = type & PTYPE_TAG_ALLOCSESSION;
	type &= 0xff;

	if (allocsession) {
		assert(*session == 0);
		*session = skynet_context_newsession(context);
	}

	if (needcopy && *data) {
		char * msg = skynet_malloc(*sz + 1);
		memcpy(msg, *data, *sz);
		msg[*sz] = '\0';
		*data = msg;
	}

	*sz |= (size_t)type << MESSAGE_TYPE_SHIFT;
}

int
skynet_send(struct skynet_context * context, uint32_t source, uint32_t destination, int type, int session, void * data, size_t sz) {
	if ((sz & MESSAGE_TYPE_MASK) != sz) {
		skynet_error(context, "The message to %x is too large", destination);
		if (type & PTYPE_TAG_DONTCOPY)
			skynet_free(data);
		return -2;
	}
	_filter_args(context, type, &session, (void **)&data, &sz);

	if (source == 0)
		source = ctx_handle(context);

	if (destination == 0) {
		if (data) {
			skynet_error(context, "Destination address can't be 0");
			skynet_free(data);
			return -1;
		}
		return session;
	}
	if (skynet_harbor_message_isremote(destination)) {
		struct remote_message * rmsg = skynet_malloc(sizeof(*rmsg));
		rmsg->destination.handle = destination;
		rmsg->message = data;
		rmsg->sz = sz & MESSAGE_TYPE_MASK;
		rmsg->type = (int)(sz >> MESSAGE_TYPE_SHIFT);
		skynet_harbor_send(rmsg, source, session);
	} else {
		struct skynet_message smsg;
		smsg.source = source;
		smsg.session = session;
		smsg.data = data;
		smsg.sz = sz;

		if (skynet_context_push(destination, &smsg)) {
			skynet_free(data);
			return -1;
		}
	}
	return session;
}

int
skynet_sendname(struct skynet_context * context, uint32_t source, const char * addr, int type, int session, void * data, size_t sz) {
	if (source == 0)
		source = ctx_handle(context);
	uint32_t des = 0;
	if (addr[0] == ':') {
		des = (uint32_t)strtoul(addr + 1, NULL, 16);
	} else if (addr[0] == '.') {
		des = skynet_handle_findname(addr + 1);
		if (des == 0) {
			if (type & PTYPE_TAG_DONTCOPY)
				skynet_free(data);
			return -1;
		}
	} else {
		if ((sz & MESSAGE_TYPE_MASK) != sz) {
			skynet_error(context, "The message to %s is too large", addr);
			if (type & PTYPE_TAG_DONTCOPY)
				skynet_free(data);
			return -2;
		}
		_filter_args(context, type, &session, (void **)&data, &sz);

		struct remote_message * rmsg = skynet_malloc(sizeof(*rmsg));
		copy_name(rmsg->destination.name, addr);
		rmsg->destination.handle = 0;
		rmsg->message = data;
		rmsg->sz = sz & MESSAGE_TYPE_MASK;
		rmsg->type = (int)(sz >> MESSAGE_TYPE_SHIFT);

		skynet_harbor_send(rmsg, source, session);
		return session;
	}

	return skynet_send(context, source, des, type, session, data, sz);
}

void
skynet_callback(struct skynet_context * context, void *ud, skynet_cb cb) {
	context->cb = cb;
	context->cb_ud = ud;
}

void
skynet_context_send(struct skynet_context * ctx, void * msg, size_t sz, uint32_t source, int type, int session) {
	struct skynet_message smsg;
	smsg.source = source;
	smsg.session = session;
	smsg.data = msg;
	smsg.sz = sz | (size_t)type << MESSAGE_TYPE_SHIFT;

	skynet_mq_push(ctx->queue, &smsg);
}

void
skynet_globalinit(void) {
	atomic_store(&G_NODE.total, 0);
	atomic_store(&G_NODE.monitor_exit, 0);
	G_NODE.init = 1;
	if (pthread_key_create(&G_NODE.handle_key, NULL)) {
		fprintf(stderr, "pthread_key_create failed");
		exit(1);
	}
	/* set mainthread's key */
	skynet_initthread(THREAD_MAIN);
}

void
skynet_globalexit(void) {
	pthread_key_delete(G_NODE.handle_key);
	G_NODE.init = 0;
}

void
skynet_initthread(int m) {
	uintptr_t v = (uint32_t)(-m);
	pthread_setspecific(G_NODE.handle_key, (void *)v);
}

void
skynet_profile_enable(int enable) {
	G_NODE.profile = (bool)enable;
}
