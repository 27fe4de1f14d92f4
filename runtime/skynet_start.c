/* Starting and stopping a node (skynet_start.c): the logger and bootstrap services are
 * created on the main thread, then the monitor, timer and worker threads run until no
 * context is left. Workers use skynet's weight table and sleep/wake policy. */

#include "skynet.h"
#include "skynet_server.h"
#include "skynet_imp.h"
#include "skynet_mq.h"
#include "skynet_sched.h"
#include "skynet_module.h"
#include "skynet_env.h"
#include "skynet_timer.h"
#include "skynet_monitor.h"
#include "skynet_harbor.h"
#include "skynet_socket.h"
#include "handle.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct monitor {
	int count;
	struct skynet_monitor ** m;
	pthread_cond_t monitor_cond;	/* the monitor's 1 s sleeps; signalled at quit */
	pthread_mutex_t mutex;		/* for monitor_cond */
};

struct worker_parm {
	struct monitor *m;
	int id;
	int weight;
};

static atomic_int SIG;

static void
handle_hup(int signal) {
	if (signal == SIGHUP)
		atomic_store(&SIG, 1);
}

#define CHECK_ABORT if (skynet_context_total() == 0) break;

static void
create_thread(pthread_t *thread, void *(*start_routine) (void *), void *arg) {
	if (pthread_create(thread, NULL, start_routine, arg)) {
		fprintf(stderr, "skybench-node: create thread failed\n");
		exit(1);
	}
}

static void
free_monitor(struct monitor *m) {
	int n = m->count;
	for (int i = 0; i < n; i++)
		skynet_monitor_delete(m->m[i]);
	pthread_mutex_destroy(&m->mutex);
	pthread_cond_destroy(&m->monitor_cond);
	skynet_free(m->m);
	skynet_free(m);
}

/* skynet's sleep(1), except that quitting cuts it short: a node exits as soon as its last
 * service is gone instead of up to a second later (the 5 s check period is unchanged) */
static void
monitor_sleep(struct monitor *m) {
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 1;
	pthread_mutex_lock(&m->mutex);
	while (!skynet_sched_quitting()) {
		if (pthread_cond_timedwait(&m->monitor_cond, &m->mutex, &until) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&m->mutex);
}

static void *
thread_monitor(void *p) {
	struct monitor * m = p;
	int n = m->count;
	skynet_initthread(THREAD_MONITOR);
	skynet_handle_thread_start();
	for (;;) {
		CHECK_ABORT
		for (int i = 0; i < n; i++)
			skynet_monitor_check(m->m[i]);
		int i;
		skynet_handle_thread_offline();
		for (i = 0; i < 5; i++) {
			CHECK_ABORT
			monitor_sleep(m);
		}
		skynet_handle_thread_online();
		if (i < 5)
			break;
	}
	skynet_handle_thread_stop();
	return NULL;
}

static void
signal_hup(void) {
	/* make log file reopen */
	struct skynet_message smsg;
	smsg.source = 0;
	smsg.session = 0;
	smsg.data = NULL;
	smsg.sz = (size_t)PTYPE_SYSTEM << MESSAGE_TYPE_SHIFT;
	uint32_t logger = skynet_handle_findname("logger");
	if (logger)
		skynet_context_push(logger, &smsg);
}

static void *
thread_socket(void *p) {
	(void)p;
	skynet_initthread(THREAD_SOCKET);
	skynet_handle_thread_start();
	for (;;) {
		int r = skynet_socket_poll();
		if (r == 0)
			break;
		skynet_handle_thread_quiescent();
		if (r < 0) {
			CHECK_ABORT
			continue;
		}
		/* an event came after a wait in epoll: wake a worker only if all sleep */
		skynet_sched_wakeup(0);
	}
	skynet_handle_thread_stop();
	return NULL;
}

static void *
thread_timer(void *p) {
	struct monitor * m = p;
	skynet_initthread(THREAD_TIMER);
	skynet_handle_thread_start();
	for (;;) {
		skynet_updatetime();
		/* lets an RCU handle table finish deferred frees while workers sleep */
		skynet_handle_thread_quiescent();
		CHECK_ABORT
		skynet_sched_wakeup(m->count - 1);
		usleep(2500);
		if (atomic_exchange(&SIG, 0))
			signal_hup();
	}
	/* wakeup socket thread */
	skynet_socket_exit();
	/* wakeup all worker thread */
	skynet_sched_quit();
	pthread_mutex_lock(&m->mutex);
	pthread_cond_signal(&m->monitor_cond);
	pthread_mutex_unlock(&m->mutex);
	skynet_handle_thread_stop();
	return NULL;
}

static void *
thread_worker(void *p) {
	struct worker_parm *wp = p;
	int id = wp->id;
	int weight = wp->weight;
	struct monitor *m = wp->m;
	struct skynet_monitor *sm = m->m[id];
	skynet_initthread(THREAD_WORKER);
	skynet_sched_thread_start(id);
	skynet_handle_thread_start();
	struct message_queue * q = NULL;
	while (!skynet_sched_quitting()) {
		q = skynet_context_message_dispatch(sm, q, weight);
		skynet_handle_thread_quiescent();
		if (q == NULL)
			skynet_sched_park();
	}
	/* a mailbox this worker still holds goes back, so teardown finds every mailbox */
	if (q)
		skynet_sched_push(q, SCHED_STOP);
	skynet_handle_thread_stop();
	return NULL;
}

static void
start(int thread, int pad) {
	pthread_t pid[thread + 3];

	struct monitor *m = skynet_malloc(sizeof(*m));
	memset(m, 0, sizeof(*m));
	m->count = thread;

	m->m = skynet_malloc(thread * sizeof(struct skynet_monitor *));
	for (int i = 0; i < thread; i++)
		m->m[i] = skynet_monitor_new(pad);
	if (pthread_mutex_init(&m->mutex, NULL)) {
		fprintf(stderr, "skybench-node: init mutex error\n");
		exit(1);
	}
	if (pthread_cond_init(&m->monitor_cond, NULL)) {
		fprintf(stderr, "skybench-node: init cond error\n");
		exit(1);
	}

	create_thread(&pid[0], thread_monitor, m);
	create_thread(&pid[1], thread_timer, m);
	create_thread(&pid[2], thread_socket, m);

	static const int weight[] = {
		-1, -1, -1, -1, 0, 0, 0, 0,
		1, 1, 1, 1, 1, 1, 1, 1,
		2, 2, 2, 2, 2, 2, 2, 2,
		3, 3, 3, 3, 3, 3, 3, 3, };
	struct worker_parm wp[thread];
	for (int i = 0; i < thread; i++) {
		wp[i].m = m;
		wp[i].id = i;
		if (i < (int)(sizeof(weight) / sizeof(weight[0])))
			wp[i].weight = weight[i];
		else
			wp[i].weight = 0;
		create_thread(&pid[i + 3], thread_worker, &wp[i]);
	}

	/* the main thread blocks from here on: no table reads, so no grace period waits for it */
	skynet_handle_thread_offline();
	for (int i = 0; i < thread + 3; i++)
		pthread_join(pid[i], NULL);
	skynet_handle_thread_online();

	free_monitor(m);
}

static struct skynet_context *
bootstrap(const char * cmdline) {
	size_t sz = strlen(cmdline);
	char name[sz + 1];
	char args[sz + 1];
	name[0] = '\0';
	if (sscanf(cmdline, "%s", name) != 1)
		return NULL;
	size_t arg_pos = strlen(name);
	if (arg_pos < sz) {
		while (cmdline[arg_pos] == ' ')
			arg_pos++;
		strcpy(args, cmdline + arg_pos);
	} else {
		args[0] = '\0';
	}
	return skynet_context_new(name, args);
}

static void
drop_payload(struct skynet_message *msg, void *ud) {
	(void)ud;
	skynet_free(msg->data);
}

/* Every context is gone or about to be: let deferred releases (RCU tables) finish, then
 * free the mailboxes left in the global queue and the parts. */
static int report_counters;	/* sched_counters: the sched and timer lines at exit */

static void
teardown(void) {
	skynet_harbor_exit();
	for (int spins = 0; skynet_context_total() > 0; spins++) {
		skynet_handle_thread_quiescent();
		if (spins == 20000) {
			fprintf(stderr, "skybench-node: %d contexts still alive at exit\n", skynet_context_total());
			break;
		}
		usleep(100);
	}
	struct message_queue *q;
	int rounds = 0;
	while ((q = skynet_sched_drain()) != NULL && rounds++ < 1000000)
		skynet_mq_release(q, drop_payload, NULL);
	skynet_sched_report();
	if (report_counters)
		skynet_timer_report();
	skynet_handle_thread_stop();
	skynet_handle_exit();
	skynet_sched_exit();
	skynet_socket_free();
	skynet_timer_exit();
	skynet_module_exit();
	skynet_globalexit();
}

int
skynet_start(struct skynet_config * config) {
	/* register SIGHUP for log file reopen */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = &handle_hup;
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);

	skynet_globalinit();
	skynet_error_reset();
	skynet_harbor_init(config->harbor);
	skynet_handle_init(config->harbor);
	skynet_handle_thread_start();
	skynet_sched_init(config->thread, &config->sched);
	if (skynet_module_init(config->module_path) != 0) {
		teardown();
		return 1;
	}
	report_counters = config->sched.counters;
	skynet_timer_init(config->timer_stage);
	skynet_socket_init();
	skynet_profile_enable(config->profile);

	struct skynet_context *ctx = skynet_context_new(config->logservice, config->logger);
	if (ctx == NULL) {
		char svc[256], file[512];
		fprintf(stderr, "skybench-node: can't launch the logger service '%s'%s%s\n",
			skynet_env_shown(config->logservice, svc, sizeof(svc)), config->logger ? " with " : "",
			config->logger ? skynet_env_shown(config->logger, file, sizeof(file)) : "");
		teardown();
		return 1;
	}
	skynet_handle_namehandle(skynet_context_handle(ctx), "logger");

	if (bootstrap(config->bootstrap) == NULL) {
		skynet_error(NULL, "Bootstrap error : %s", config->bootstrap);
		skynet_context_dispatchall(ctx);
		char boot[256], path[512];
		fprintf(stderr, "skybench-node: bootstrap '%s' failed (module not found in cpath '%s', or its init failed; the log above says which)\n",
			skynet_env_shown(config->bootstrap, boot, sizeof(boot)),
			skynet_env_shown(config->module_path, path, sizeof(path)));
		skynet_handle_retireall();
		teardown();
		return 1;
	}

	start(config->thread, config->monitor_pad);
	teardown();
	return 0;
}
