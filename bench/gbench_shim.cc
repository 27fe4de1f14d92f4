// Google Benchmark 1.7.1 behind a C interface; see gbench_shim.h.

#include "gbench_shim.h"

#include <benchmark/benchmark.h>

#include <fstream>
#include <string>
#include <vector>

// gb_state and gb_bench stay incomplete: they are benchmark::State and Benchmark in disguise

static gb_state *
wrap(benchmark::State &s) {
	return reinterpret_cast<gb_state *>(&s);
}
static benchmark::State &
unwrap(gb_state *s) {
	return *reinterpret_cast<benchmark::State *>(s);
}
static benchmark::internal::Benchmark *
unwrap(gb_bench *b) {
	return reinterpret_cast<benchmark::internal::Benchmark *>(b);
}

extern "C" {

void
gb_init(int *argc, char **argv) {
	/* takes its own --benchmark_* flags out of argv; what is left is the program's, which
	 * bench_init parses and rejects when unknown (so no ReportUnrecognizedArguments: it
	 * called every option of ours an error) */
	benchmark::Initialize(argc, argv);
}

void gb_shutdown(void) { benchmark::Shutdown(); }

gb_bench *
gb_register(const char *name, gb_fn fn, void *ud) {
	auto *b = benchmark::RegisterBenchmark(name, [fn, ud](benchmark::State &s) { fn(wrap(s), ud); });
	return reinterpret_cast<gb_bench *>(b);
}

void gb_threads(gb_bench *b, int n) { unwrap(b)->Threads(n); }
void gb_args(gb_bench *b, int64_t x, int64_t y) { unwrap(b)->Args({ x, y }); }
void gb_use_real_time(gb_bench *b) { unwrap(b)->UseRealTime(); }
void gb_use_manual_time(gb_bench *b) { unwrap(b)->UseManualTime(); }
void gb_min_time(gb_bench *b, double s) { unwrap(b)->MinTime(s); }
void gb_iterations(gb_bench *b, int64_t n) { unwrap(b)->Iterations(n); }
void gb_repetitions(gb_bench *b, int n) { unwrap(b)->Repetitions(n); }
void gb_clear(void) { benchmark::ClearRegisteredBenchmarks(); }

int gb_keep_running(gb_state *s) { return unwrap(s).KeepRunning(); }
int gb_keep_running_batch(gb_state *s, int64_t n) {
	return unwrap(s).KeepRunningBatch(static_cast<benchmark::IterationCount>(n));
}
void gb_pause(gb_state *s) { unwrap(s).PauseTiming(); }
void gb_resume(gb_state *s) { unwrap(s).ResumeTiming(); }
int64_t gb_range(gb_state *s, int i) { return unwrap(s).range(static_cast<size_t>(i)); }
int gb_thread_index(gb_state *s) { return unwrap(s).thread_index(); }
int gb_thread_count(gb_state *s) { return unwrap(s).threads(); }
int64_t gb_iterations_done(gb_state *s) { return static_cast<int64_t>(unwrap(s).iterations()); }
void gb_counter(gb_state *s, const char *name, double v) { unwrap(s).counters[name] = v; }
void gb_set_items_processed(gb_state *s, int64_t n) { unwrap(s).SetItemsProcessed(n); }
void gb_skip_with_error(gb_state *s, const char *msg) { unwrap(s).SkipWithError(msg); }
void gb_set_iteration_time(gb_state *s, double sec) { unwrap(s).SetIterationTime(sec); }

}	// extern "C"

namespace {

// Hands every non-aggregate run to C, and forwards everything to a JSON reporter if any.
class CReporter : public benchmark::BenchmarkReporter {
public:
	CReporter(gb_report_fn fn, void *ud, benchmark::BenchmarkReporter *json)
		: fn_(fn), ud_(ud), json_(json) {}
	bool ReportContext(const Context &c) override {
		return json_ ? json_->ReportContext(c) : true;
	}
	void ReportRuns(const std::vector<Run> &runs) override {
		if (json_)
			json_->ReportRuns(runs);
		for (const Run &r : runs) {
			if (r.run_type != Run::RT_Iteration)
				continue;
			std::string name = r.benchmark_name();
			std::vector<std::string> names;
			gb_result out = {};
			out.name = name.c_str();
			out.iterations = static_cast<int64_t>(r.iterations);
			out.threads = static_cast<int>(r.threads);
			out.real_s = r.real_accumulated_time;
			out.cpu_s = r.cpu_accumulated_time;
			out.error = r.error_occurred;
			out.error_msg = r.error_message.c_str();
			for (const auto &kv : r.counters) {
				if (out.ncounters == GB_MAX_COUNTERS)
					break;
				names.push_back(kv.first);
				out.counter_value[out.ncounters++] = kv.second.value;
			}
			for (int i = 0; i < out.ncounters; i++)
				out.counter_name[i] = names[static_cast<size_t>(i)].c_str();
			fn_(ud_, &out);
			reported++;
		}
	}
	void Finalize() override {
		if (json_)
			json_->Finalize();
	}
	int reported = 0;

private:
	gb_report_fn fn_;
	void *ud_;
	benchmark::BenchmarkReporter *json_;
};

}	// namespace

extern "C" int
gb_run(gb_report_fn report, void *ud, const char *json_path) {
	std::ofstream out;
	benchmark::JSONReporter json;
	benchmark::BenchmarkReporter *jp = nullptr;
	if (json_path) {
		out.open(json_path);
		json.SetOutputStream(&out);
		json.SetErrorStream(&out);
		jp = &json;
	}
	CReporter r(report, ud, jp);
	benchmark::RunSpecifiedBenchmarks(&r);
	return r.reported;
}
