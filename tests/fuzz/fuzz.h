/*
 * fuzz.h -- what the libFuzzer targets of tests/fuzz/ share: a context on
 * the C library's allocator, a reader that turns the fuzzer's bytes into
 * choices, and a check that aborts (so libFuzzer keeps the input) when an
 * invariant of the engine does not hold.
 *
 * The targets link the core only (no database): every input is bytes
 * handed to the parser, the splitter, the graph builder and the planner,
 * as a hostile file, catalog row or argument would hand them.  A target
 * returns normally on any error the engine reports; only a crash, a
 * sanitizer report, a timeout or a failed FZ_CHECK is a finding.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/internal.h"

/* Abort with the file and line when cond is false: libFuzzer saves the input. */
#define FZ_CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/* The allocator hook on malloc/realloc/free (ASan sees every block). */
static inline void *
fz_realloc(void *ud, void *p, size_t n)
{
	(void) ud;
	if (n == 0)
	{
		free(p);
		return NULL;
	}
	return realloc(p, n);
}

/* A new context; aborts when even that cannot be had. */
static inline mg_ctx *
fz_ctx(void)
{
	mg_ctx *ctx;

	if (mg_ctx_new(&ctx, fz_realloc, NULL) != MG_OK)
		abort();
	return ctx;
}

/* The fuzzer's bytes, read as a stream of choices (zero once used up). */
typedef struct fz_in {
	const uint8_t *p;
	size_t n;
} fz_in;

static inline unsigned
fz_byte(fz_in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static inline int
fz_more(const fz_in *in)
{
	return in->n > 0;
}

/* A NUL-terminated copy of the bytes (the engine's texts are C strings). */
static inline char *
fz_cstr(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n > 0)
		memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* Up to max bytes of the input as text, NUL-terminated, into buf (cap > max). */
static inline const char *
fz_text(fz_in *in, char *buf, size_t max)
{
	size_t len = fz_byte(in) % (max + 1), i;

	for (i = 0; i < len && fz_more(in); i++)
		buf[i] = (char) fz_byte(in);
	buf[i] = '\0';
	return buf;
}

#endif /* FUZZ_H */
