# bench/socket.mk: the loopback echo benchmark of the socket server, included at
# the end of bench/bench.mk (uses its BENCH_DIR and the top-level BUILD, NODE, SERVICES).
#
#   make bench-socket [VARIANTS="baseline lockfree"] [REPS=5] [QUICK=1] [THREADS=2]
#
# Two plain C programs, no runtime: bench/epoll_echo.c, the ceiling (a single-threaded epoll
# echo server), and bench/echo_load.c, the load (closed-loop echo clients, RTT histogram).
# bench/socket-bench.sh runs the load against gate_echo on each variant's node and against
# epoll_echo in the same run; it is also one of the programs `make bench` runs (from
# $(BUILD)/bench/), writing rows into that run's CSV.

SOCKET_BENCH_PROGRAMS := $(BENCH_DIR)/epoll_echo $(BENCH_DIR)/echo_load
.PHONY: bench-socket bench-socket-programs
bench-socket-programs: $(SOCKET_BENCH_PROGRAMS)

# $(CFLAGS): the ARM64 ISA flags with ARCH=aarch64, as for the node (bench.mk)
$(BENCH_DIR)/epoll_echo: bench/epoll_echo.c $(BENCH_FLAGS_STAMP) | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) $< -o $@

$(BENCH_DIR)/echo_load: bench/echo_load.c services/bench_svc.h $(HEADERS) $(BENCH_FLAGS_STAMP) | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) -Iruntime -Iservices $< -o $@

$(BUILD)/bench/socket-bench: bench/socket-bench.sh $(SOCKET_BENCH_PROGRAMS)
	@mkdir -p $(dir $@)
	@ln -sf $(abspath bench/socket-bench.sh) $@

bench: $(BUILD)/bench/socket-bench

# ARCH=aarch64: the programs run under qemu-user and the run is labelled emulated (bench.mk)
bench-socket: $(SOCKET_BENCH_PROGRAMS)
	SKYBENCH_RUNNER="$(SKYBENCH_RUNNER)" SKYBENCH_EMULATED="$(BENCH_EMULATED)" SKYBENCH_CC="$(CC)" \
	bench/socket-bench.sh --variants "$(or $(VARIANTS),$(VARIANT_NAME))" --reps "$(or $(REPS),5)" \
		$(if $(filter-out 0,$(QUICK)),--quick) $(if $(THREADS),--threads $(THREADS))

# tests/test_socket.sh runs both programs once (small) to check them
test: bench-socket-programs
