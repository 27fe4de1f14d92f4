#ifndef SKYNET_IMP_H
#define SKYNET_IMP_H

#include "skynet_sched.h"

/* Node configuration (the keys skynet_main.c reads) and the entry point that runs a node. */

struct skynet_config {
	int thread;
	int harbor;
	int profile;
	int monitor_pad;	/* each worker's monitor on its own cache line */
	int timer_stage;	/* 1: workers stage timer adds in rings of their own (skynet_timer.c) */
	const char * daemon;
	const char * module_path;
	const char * bootstrap;
	const char * logger;
	const char * logservice;
	struct skynet_sched_config sched;	/* sched_wake, sched_next, ... */
};

#define THREAD_WORKER 0
#define THREAD_MAIN 1
#define THREAD_SOCKET 2
#define THREAD_TIMER 3
#define THREAD_MONITOR 4

/* Runs the node until no service is left or ABORT. Returns 0, or non-zero (after one
 * line on stderr naming the problem) if the logger or the bootstrap service failed. */
int skynet_start(struct skynet_config * config);

#endif
