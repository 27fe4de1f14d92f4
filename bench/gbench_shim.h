#ifndef SKYBENCH_GBENCH_SHIM_H
#define SKYBENCH_GBENCH_SHIM_H

/* Google Benchmark 1.7.1 from C: gbench_shim.cc wraps RegisterBenchmark around a C function
 * and a user pointer, exposes the State calls a benchmark loop needs, and runs the
 * registered benchmarks with a reporter that hands each run back to C (and, if asked,
 * writes Google Benchmark's JSON too; its CSV reporter is broken in 1.7.1:
 * docs/dependencies.md, "Google Benchmark 1.7.1").
 * Build both sides with -flto so gb_keep_running inlines into the C loop.
 *
 *   static void bm(gb_state *st, void *ud) {
 *           while (gb_keep_running_batch(st, 64)) for (int i = 0; i < 64; i++) work(ud);
 *           gb_counter(st, "ops", n);
 *   }
 *   gb_init(&argc, argv);
 *   gb_bench *b = gb_register("name", bm, ud); gb_use_real_time(b); gb_min_time(b, 0.2);
 *   gb_run(report, report_ud, NULL);  */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gb_state gb_state;
typedef struct gb_bench gb_bench;
typedef void (*gb_fn)(gb_state *, void *ud);

/* Initialize + ReportUnrecognizedArguments: consumes --benchmark_* options */
void gb_init(int *argc, char **argv);
void gb_shutdown(void);

gb_bench *gb_register(const char *name, gb_fn fn, void *ud);
void gb_threads(gb_bench *, int threads);
void gb_args(gb_bench *, int64_t a, int64_t b);
void gb_use_real_time(gb_bench *);
/* the body times itself and reports with gb_set_iteration_time (no PauseTiming cost) */
void gb_use_manual_time(gb_bench *);
void gb_min_time(gb_bench *, double seconds);
void gb_iterations(gb_bench *, int64_t n);
void gb_repetitions(gb_bench *, int n);
void gb_clear(void);	/* ClearRegisteredBenchmarks */

int gb_keep_running(gb_state *);
int gb_keep_running_batch(gb_state *, int64_t n);
void gb_pause(gb_state *);
void gb_resume(gb_state *);
int64_t gb_range(gb_state *, int i);
int gb_thread_index(gb_state *);
int gb_thread_count(gb_state *);
int64_t gb_iterations_done(gb_state *);
/* a plain counter (summed over threads), reported as is */
void gb_counter(gb_state *, const char *name, double value);
void gb_set_items_processed(gb_state *, int64_t items);
void gb_skip_with_error(gb_state *, const char *msg);
/* adds seconds to the manual time of the running benchmark (call once per batch) */
void gb_set_iteration_time(gb_state *, double seconds);

#define GB_MAX_COUNTERS 16

/* one run as Google Benchmark measured it; times are totals over all iterations */
struct gb_result {
	const char *name;
	int64_t iterations;
	int threads;
	double real_s, cpu_s;	/* accumulated, seconds */
	int error;
	const char *error_msg;
	int ncounters;
	const char *counter_name[GB_MAX_COUNTERS];
	double counter_value[GB_MAX_COUNTERS];
};

typedef void (*gb_report_fn)(void *ud, const struct gb_result *);

/* RunSpecifiedBenchmarks with our reporter; json_path (or NULL) also gets Google
 * Benchmark's own JSON. Returns the number of runs reported. */
int gb_run(gb_report_fn report, void *ud, const char *json_path);

#ifdef __cplusplus
}
#endif

#endif
