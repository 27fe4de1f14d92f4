#ifndef SKYBENCH_PART_OPS_H
#define SKYBENCH_PART_OPS_H

/* Each part interface lists its operations once, as an X-macro named after the part (the
 * folder variants/<part>/): HANDLE_OPS, GLOBALQ_OPS, TIMER_OPS, each entry
 * X(return type, function name, (parameters)). The interface header declares them from the
 * list; bench/parts.h builds its table of every implementation from the same list. Adding
 * an operation is one line in the list plus its definition in every implementation (the
 * benchmark programs reference all of them, so a missing one fails their link). */

#define PART_OP_DECLARE(ret, name, params) ret name params;

#endif
