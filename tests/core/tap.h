/*
 * tap.h -- a whole TAP harness in a few macros, for the core's unit tests.
 *
 *   ok(cond, "name")              one test
 *   is_str(got, want, "name")     string equality, shows both on failure
 *   is_int(got, want, "name")     integer equality
 *   done_testing()                prints the plan; returns the exit code
 *
 * Also a test allocator that fails the N-th allocation (tap_fail_at) and
 * counts live blocks (tap_live), for the out-of-memory sweeps.
 */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define TAP_UNUSED __attribute__((unused))
#else
#define TAP_UNUSED
#endif

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) \
	tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) \
	tap_is_int((long) (got), (long) (want), __FILE__, __LINE__, __VA_ARGS__)
#define done_testing() (printf("1..%d\n", tap_n), tap_failed ? 1 : 0)

static void
tap_vreport(int pass, const char *file, int line, const char *fmt, va_list ap)
{
	tap_n++;
	if (!pass)
		tap_failed++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_n);
	vprintf(fmt, ap);
	printf("\n");
	if (!pass)
		printf("#   Failed at %s line %d\n", file, line);
	fflush(stdout);     /* a sanitizer ending the process must not lose lines */
}

static TAP_UNUSED int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(pass, file, line, fmt, ap);
	va_end(ap);
	return pass;
}

static TAP_UNUSED int
tap_is_str(const char *got, const char *want, const char *file, int line,
		   const char *fmt, ...)
{
	int pass = (got == NULL && want == NULL) ||
		(got != NULL && want != NULL && strcmp(got, want) == 0);
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#          got: %s\n#     expected: %s\n",
			   got ? got : "(null)", want ? want : "(null)");
	return pass;
}

static TAP_UNUSED int
tap_is_int(long got, long want, const char *file, int line, const char *fmt, ...)
{
	int pass = got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#          got: %ld\n#     expected: %ld\n", got, want);
	return pass;
}

/* Test allocator: fails the tap_fail_at-th call that allocates (0: never). */
static long tap_fail_at, tap_calls, tap_live;

static TAP_UNUSED void *
tap_realloc(void *ud, void *ptr, size_t size)
{
	(void) ud;
	if (size == 0)
	{
		if (ptr != NULL)
			tap_live--;
		free(ptr);
		return NULL;
	}
	tap_calls++;
	if (tap_fail_at > 0 && tap_calls == tap_fail_at)
		return NULL;
	if (ptr == NULL)
	{
		void *p = malloc(size);

		if (p != NULL)
			tap_live++;
		return p;
	}
	return realloc(ptr, size);
}

#endif /* TAP_H */
