#ifndef SKYBENCH_TAP_H
#define SKYBENCH_TAP_H

/* A minimal Test Anything Protocol producer; prove(1) runs the programs and sums up.
 *   ok(cond, "name %d", i);   is_int(got, want, "name");   diag("...");
 *   skip("reason") reports a skipped check loudly;  return done_testing(); at the end. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;
static int tap_failed;

/* sanitizer builds (gcc defines __SANITIZE_*, clang answers __has_feature): TAP_ASAN,
 * TAP_TSAN, TAP_SANITIZED are 0 or 1; sanitized tests scale their long loops down */
#if defined(__SANITIZE_ADDRESS__)
#define TAP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TAP_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define TAP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TAP_TSAN 1
#endif
#endif
#ifndef TAP_ASAN
#define TAP_ASAN 0
#endif
#ifndef TAP_TSAN
#define TAP_TSAN 0
#endif
#define TAP_SANITIZED (TAP_ASAN || TAP_TSAN)

/* under valgrind (make verify-valgrind sets SKYBENCH_RUNNER): threads run one at a time,
 * 20-50x slower, so the long loops are scaled down like in sanitizer builds */
static inline int
tap_under_valgrind(void) {
	const char *r = getenv("SKYBENCH_RUNNER");
	return r && strstr(r, "valgrind");
}

static inline void
tap_vreport(int pass, const char *fmt, va_list ap) {
	++tap_count;
	if (!pass)
		++tap_failed;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

static inline int
ok_at(int pass, const char *file, int line, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	tap_vreport(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   failed at %s:%d\n", file, line);
	return pass;
}

#define ok(cond, ...) ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...) do { \
	long long tap_g_ = (long long)(got), tap_w_ = (long long)(want); \
	if (!ok(tap_g_ == tap_w_, __VA_ARGS__)) \
		printf("#   got %lld, want %lld\n", tap_g_, tap_w_); \
} while (0)

static inline void
diag(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
}

static inline void
skip(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	++tap_count;
	printf("ok %d # SKIP ", tap_count);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	va_start(ap, fmt);
	fprintf(stderr, "SKIPPED CHECK: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fflush(stdout);
}

static inline void
bail_out(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	printf("Bail out! ");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
	exit(255);
}

static inline int
done_testing(void) {
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif
