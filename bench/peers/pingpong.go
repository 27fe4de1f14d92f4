// pingpong.go WORKERS PAIRS MESSAGES: the whole-runtime ping-pong of services/pingpong.c
// written for Go's runtime, a peer measured beside the skybench variants by
// scripts/pingpong.sh. PAIRS pairs of goroutines talk over unbuffered channels, one message
// in flight per pair, MESSAGES messages in all, counted as the C service counts them: each
// pair makes MESSAGES/PAIRS/2 round trips, and a round trip is two messages. GOMAXPROCS =
// WORKERS. The time runs from the first send to the last pair's completion; the line is
//
//	RESULT pingpong pairs=16 messages=10000000 seconds=1.234567 msgs_per_sec=8100000
//
// The check (docs/method.md rule 9): ping and pong each count what they received; the sum
// must be the expected count, else the line says FAILED and the exit status is 1.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

type token struct{}

// ping sends first and counts the replies; it reports its count plus the pong's.
func ping(start <-chan token, to chan<- token, from <-chan token, pongCount <-chan uint64,
	trips uint64, done chan<- uint64) {
	<-start
	var n uint64
	for i := uint64(0); i < trips; i++ {
		to <- token{}
		<-from
		n++
	}
	done <- n + <-pongCount
}

// pong answers trips messages (a lost one leaves it, and the run, waiting: the driver's
// timeout fails it) and reports how many it received.
func pong(from <-chan token, to chan<- token, trips uint64, count chan<- uint64) {
	var n uint64
	for i := uint64(0); i < trips; i++ {
		<-from
		n++
		to <- token{}
	}
	count <- n
}

func usage() {
	fmt.Fprintf(os.Stderr, "pingpong.go: usage: pingpong-go WORKERS PAIRS MESSAGES (all > 0, MESSAGES >= 2*PAIRS)\n")
	os.Exit(2)
}

func arg(i int) uint64 {
	v, err := strconv.ParseUint(os.Args[i], 10, 64)
	if err != nil || v == 0 {
		usage()
	}
	return v
}

func main() {
	if len(os.Args) != 4 {
		usage()
	}
	workers, pairs, messages := arg(1), arg(2), arg(3)
	if messages < 2*pairs {
		usage()
	}
	runtime.GOMAXPROCS(int(workers))
	trips := messages / pairs / 2
	want := trips * 2 * pairs
	start := make(chan token)
	done := make(chan uint64, pairs)
	for p := uint64(0); p < pairs; p++ {
		a, b := make(chan token), make(chan token)
		count := make(chan uint64)
		go pong(a, b, trips, count)
		go ping(start, a, b, count, trips, done)
	}
	t0 := time.Now()
	close(start)
	var counted uint64
	for p := uint64(0); p < pairs; p++ {
		counted += <-done
	}
	s := time.Since(t0).Seconds()
	failed := ""
	if counted != want {
		failed = " FAILED(count mismatch)"
	}
	fmt.Printf("RESULT pingpong pairs=%d messages=%d seconds=%.6f msgs_per_sec=%.0f%s\n",
		pairs, counted, s, float64(counted)/s, failed)
	fmt.Fprintf(os.Stderr, "peer: %s GOMAXPROCS=%d\n", runtime.Version(), runtime.GOMAXPROCS(0))
	if failed != "" {
		fmt.Fprintf(os.Stderr, "pingpong.go: counted %d messages, expected %d\n", counted, want)
		os.Exit(1)
	}
}
