#ifndef SKYNET_SOCKET_BUFFER_H
#define SKYNET_SOCKET_BUFFER_H

/* What a send hands the socket server (skynet's socket_buffer.h).
 * MEMORY: a skynet_malloc'd block the server owns from now on (freed with skynet_free).
 * RAWPOINTER: the caller keeps the bytes; the server copies them.
 * OBJECT: a user object (Lua userdata in skynet); skybench has no object interface, so such
 * a send is refused (returns -1) and the caller keeps the object. */

#include <stddef.h>

#define SOCKET_BUFFER_MEMORY 0
#define SOCKET_BUFFER_OBJECT 1
#define SOCKET_BUFFER_RAWPOINTER 2

struct socket_sendbuffer {
	int id;
	int type;
	const void *buffer;
	size_t sz;
};

#endif
