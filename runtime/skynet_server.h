#ifndef SKYNET_SERVER_H
#define SKYNET_SERVER_H

/* Contexts (service instances): lifecycle, sending and dispatch. skynet_server.c. */

#include <stdint.h>
#include <stdlib.h>

struct skynet_context;
struct skynet_message;
struct skynet_monitor;
struct message_queue;

struct skynet_context * skynet_context_new(const char * name, const char * parm);
void skynet_context_grab(struct skynet_context *);
void skynet_context_reserve(struct skynet_context *ctx);
struct skynet_context * skynet_context_release(struct skynet_context *);
uint32_t skynet_context_handle(struct skynet_context *);
/* push to a handle: 0, or -1 if no live context has it (the caller frees the payload) */
int skynet_context_push(uint32_t handle, struct skynet_message *message);
/* push to a context the caller keeps alive (used by the handle table's push) */
void skynet_context_deliver(struct skynet_context *, struct skynet_message *message);
void skynet_context_send(struct skynet_context * context, void * msg, size_t sz, uint32_t source, int type, int session);
int skynet_context_newsession(struct skynet_context *);
/* return next dispatch queue */
struct message_queue * skynet_context_message_dispatch(struct skynet_monitor *, struct message_queue *, int weight);
int skynet_context_total(void);
/* for skynet_error output before exit */
void skynet_context_dispatchall(struct skynet_context * context);

void skynet_context_endless(uint32_t handle);	/* for monitor */

void skynet_globalinit(void);
void skynet_globalexit(void);
void skynet_initthread(int m);

void skynet_profile_enable(int enable);
/* forget the cached logger handle (skynet_error.c); called when a node starts */
void skynet_error_reset(void);

/* Where dispatch of a dead mailbox's pending messages goes: bounced as PTYPE_ERROR. */
void skynet_context_drop_message(struct skynet_message *msg, void *ud);

#endif
