#ifndef SKYNET_MONITOR_H
#define SKYNET_MONITOR_H

#include <stdint.h>

struct skynet_monitor;

/* pad: on a cache line of its own (config key monitor_pad); else as skynet allocates it */
struct skynet_monitor * skynet_monitor_new(int pad);
void skynet_monitor_delete(struct skynet_monitor *);
void skynet_monitor_trigger(struct skynet_monitor *, uint32_t source, uint32_t destination);
void skynet_monitor_check(struct skynet_monitor *);

#endif
