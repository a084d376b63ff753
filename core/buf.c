/*
 * buf.c -- growing strings in the arena.
 *
 * A failed append marks the buffer (the context's error is already set)
 * and later appends are no-ops, so builders check once, at mg_buf_finish.
 * The buffer doubles through mg_realloc, which grows a large buffer in
 * place (no copy left behind), and mg_buf_finish hands the unused tail
 * back, so a finished text takes about its own length.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

void
mg_buf_init(mg_buf *b, mg_ctx *ctx)
{
	memset(b, 0, sizeof(*b));
	b->ctx = ctx;
}

static bool
reserve(mg_buf *b, size_t extra)
{
	size_t need, newcap;
	char *p;

	if (b->failed)
		return false;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	newcap = b->cap ? b->cap : 256;
	while (newcap < need)
		newcap *= 2;
	p = mg_realloc_uninit(b->ctx, b->p, b->cap, newcap);
	if (p == NULL)
	{
		b->failed = 1;
		return false;
	}
	b->p = p;
	b->cap = newcap;
	return true;
}

void
mg_buf_putn(mg_buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
mg_buf_puts(mg_buf *b, const char *s)
{
	mg_buf_putn(b, s, strlen(s));
}

void
mg_buf_putc(mg_buf *b, char c)
{
	mg_buf_putn(b, &c, 1);
}

void
mg_buf_printf(mg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t) n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t) n;
}

void
mg_buf_join(mg_buf *b, const char *const *items, size_t n, const char *sep)
{
	for (size_t i = 0; i < n; i++)
	{
		if (i > 0)
			mg_buf_puts(b, sep);
		mg_buf_puts(b, items[i]);
	}
}

int
mg_buf_finish(mg_buf *b, char **out)
{
	*out = NULL;
	if (b->failed)
		return MG_ENOMEM;
	if (b->p == NULL && !reserve(b, 0))
		return MG_ENOMEM;
	if (b->cap > b->len + 1)
	{
		/* give the unused tail back (a large buffer through the host) */
		char *p = mg_realloc(b->ctx, b->p, b->cap, b->len + 1);

		if (p == NULL)
		{
			b->failed = 1;
			return MG_ENOMEM;
		}
		b->p = p;
		b->cap = b->len + 1;
	}
	b->p[b->len] = '\0';
	*out = b->p;
	return MG_OK;
}
