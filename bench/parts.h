#ifndef SKYBENCH_BENCH_PARTS_H
#define SKYBENCH_BENCH_PARTS_H

/* Every implementation of a part in one program: bench.mk compiles each variant's .c on
 * its own and renames every global symbol it defines with objcopy (globalq_push ->
 * bv_spin_globalq_push), and gen-impls.sh writes a table of these entries, one per
 * variant. Calls go through function pointers named as the functions (im->globalq_push),
 * the same for every variant. Struct, declarations and entries all come from the
 * interface's one list of operations (<PART>_OPS in runtime/parts/<part>.h). */

#include <stddef.h>
#include <stdint.h>

#include "globalq.h"
#include "handle.h"
#include "mailbox.h"
#include "timerq.h"

#define BENCH_OP_MEMBER(ret, name, params) ret (*name) params;

/* the struct of one part's implementations and the table gen-impls.sh defines */
#define BENCH_PART(part, OPS) \
	struct bench_##part##_impl { const char *name; OPS(BENCH_OP_MEMBER) }; \
	extern const struct bench_##part##_impl bench_##part##_impls[]; \
	extern const int bench_##part##_nimpls;

BENCH_PART(globalq, GLOBALQ_OPS)
BENCH_PART(handle, HANDLE_OPS)
BENCH_PART(timer, TIMER_OPS)
BENCH_PART(mailbox, MAILBOX_OPS)

/* For the generated table: with BENCH_SYM(name) defined as bv_<variant>_##name,
 * <PART>_OPS(BENCH_OP_DECLARE) declares that variant's renamed functions and
 * { "<variant>", <PART>_OPS(BENCH_OP_ENTRY) } is its entry. */
#define BENCH_OP_DECLARE(ret, name, params) ret BENCH_SYM(name) params;
#define BENCH_OP_ENTRY(ret, name, params) BENCH_SYM(name),

/* written by gen-impls.sh beside the table: what the program was built with */
extern const char bench_build_cflags[];
extern const char bench_build_libs[];

#endif
