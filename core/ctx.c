/*
 * ctx.c -- the context: an arena over the host's allocator hook, and the
 * error object.
 *
 * Every allocation of a command goes into the arena and is released in
 * one sweep by mg_ctx_free, so error paths never free piecemeal and an
 * out-of-memory failure cannot leak.  Small requests are carved from
 * 16 KiB chunks; large ones get a chunk of their own.  The error lives
 * in fixed buffers inside the context: setting it never allocates.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MG_CHUNK_SIZE 16384
#define MG_ALIGN 16

typedef struct mg_chunk {
	struct mg_chunk *prev;
	size_t size;    /* usable bytes after the header */
	size_t used;
	/* data follows, aligned */
} mg_chunk;

#define MG_CHUNK_HDR ((sizeof(mg_chunk) + MG_ALIGN - 1) & ~(size_t)(MG_ALIGN - 1))

struct mg_ctx {
	mg_realloc_fn fn;
	void *ud;
	mg_chunk *chunks;   /* newest first */
	mg_error err;
};

int
mg_ctx_new(mg_ctx **out, mg_realloc_fn fn, void *ud)
{
	mg_ctx *ctx = fn(ud, NULL, sizeof(mg_ctx));

	*out = NULL;
	if (ctx == NULL)
		return MG_ENOMEM;
	memset(ctx, 0, sizeof(*ctx));
	ctx->fn = fn;
	ctx->ud = ud;
	*out = ctx;
	return MG_OK;
}

void
mg_ctx_free(mg_ctx *ctx)
{
	mg_chunk *c;

	if (ctx == NULL)
		return;
	c = ctx->chunks;
	while (c != NULL)
	{
		mg_chunk *prev = c->prev;

		ctx->fn(ctx->ud, c, 0);
		c = prev;
	}
	ctx->fn(ctx->ud, ctx, 0);
}

const mg_error *
mg_ctx_error(const mg_ctx *ctx)
{
	return &ctx->err;
}

mg_error *
mg_ctx_error_mut(mg_ctx *ctx)
{
	return &ctx->err;
}

static mg_chunk *
chunk_new(mg_ctx *ctx, size_t size)
{
	mg_chunk *c = ctx->fn(ctx->ud, NULL, MG_CHUNK_HDR + size);

	if (c == NULL)
		return NULL;
	c->prev = ctx->chunks;
	c->size = size;
	c->used = 0;
	ctx->chunks = c;
	return c;
}

void *
mg_alloc(mg_ctx *ctx, size_t n)
{
	mg_chunk *c = ctx->chunks;
	size_t need = (n + MG_ALIGN - 1) & ~(size_t)(MG_ALIGN - 1);
	char *p;

	if (need == 0)
		need = MG_ALIGN;
	if (need < n)
	{
		mg_error_nomem(ctx);
		return NULL;
	}
	if (c == NULL || c->size - c->used < need)
	{
		if (need > MG_CHUNK_SIZE / 4)
		{
			/* A large block gets its own chunk, linked behind the current one. */
			mg_chunk *big = ctx->fn(ctx->ud, NULL, MG_CHUNK_HDR + need);

			if (big == NULL)
			{
				mg_error_nomem(ctx);
				return NULL;
			}
			big->size = need;
			big->used = need;
			if (c != NULL)
			{
				big->prev = c->prev;
				c->prev = big;
			}
			else
			{
				big->prev = NULL;
				ctx->chunks = big;
			}
			p = (char *) big + MG_CHUNK_HDR;
			memset(p, 0, need);
			return p;
		}
		c = chunk_new(ctx, MG_CHUNK_SIZE);
		if (c == NULL)
		{
			mg_error_nomem(ctx);
			return NULL;
		}
	}
	p = (char *) c + MG_CHUNK_HDR + c->used;
	c->used += need;
	memset(p, 0, need);
	return p;
}

void *
mg_realloc(mg_ctx *ctx, void *p, size_t old_n, size_t new_n)
{
	mg_chunk *c = ctx->chunks;
	void *q;

	if (p != NULL && new_n <= old_n)
		return p;
	/* The newest small allocation can grow in place. */
	if (p != NULL && c != NULL)
	{
		size_t old_need = (old_n + MG_ALIGN - 1) & ~(size_t)(MG_ALIGN - 1);
		size_t new_need = (new_n + MG_ALIGN - 1) & ~(size_t)(MG_ALIGN - 1);
		char *base = (char *) c + MG_CHUNK_HDR;

		if (old_need <= c->used && (char *) p == base + c->used - old_need &&
			new_need - old_need <= c->size - c->used)
		{
			memset(base + c->used, 0, new_need - old_need);
			c->used += new_need - old_need;
			return p;
		}
	}
	q = mg_alloc(ctx, new_n);
	if (q != NULL && p != NULL)
		memcpy(q, p, old_n);
	return q;
}

int
mg_grow(mg_ctx *ctx, void *arr, size_t *cap, size_t n, size_t elem)
{
	void **a = (void **) arr;
	size_t newcap;
	void *q;

	if (n < *cap)
		return MG_OK;
	newcap = *cap ? *cap * 2 : 8;
	if (newcap > (size_t) -1 / elem)
		return mg_error_nomem(ctx);
	q = mg_realloc(ctx, *a, *cap * elem, newcap * elem);
	if (q == NULL)
		return MG_ENOMEM;
	*a = q;
	*cap = newcap;
	return MG_OK;
}

char *
mg_strndup(mg_ctx *ctx, const char *s, size_t n)
{
	char *p = mg_alloc(ctx, n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
mg_strdup(mg_ctx *ctx, const char *s)
{
	return mg_strndup(ctx, s, strlen(s));
}

char *
mg_printf(mg_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = mg_alloc(ctx, (size_t) n + 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t) n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int
mg_error_set(mg_ctx *ctx, int code, const char *sqlstate, const char *fmt, ...)
{
	va_list ap;

	memset(&ctx->err, 0, sizeof(ctx->err));
	ctx->err.code = code;
	snprintf(ctx->err.sqlstate, sizeof(ctx->err.sqlstate), "%s",
			 sqlstate ? sqlstate : MG_STATE_INTERNAL);
	va_start(ap, fmt);
	vsnprintf(ctx->err.message, sizeof(ctx->err.message), fmt, ap);
	va_end(ap);
	return code;
}

static void append_sentence(char *dst, size_t cap, const char *fmt, va_list ap) MG_PRINTF(3, 0);

static void
append_sentence(char *dst, size_t cap, const char *fmt, va_list ap)
{
	size_t len = strlen(dst);

	if (len > 0 && len + 1 < cap)
		dst[len++] = ' ';
	if (len < cap)
		vsnprintf(dst + len, cap - len, fmt, ap);
}

void
mg_error_detail(mg_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append_sentence(ctx->err.detail, sizeof(ctx->err.detail), fmt, ap);
	va_end(ap);
}

void
mg_error_hint(mg_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append_sentence(ctx->err.hint, sizeof(ctx->err.hint), fmt, ap);
	va_end(ap);
}

void
mg_error_context(mg_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append_sentence(ctx->err.context, sizeof(ctx->err.context), fmt, ap);
	va_end(ap);
}

void
mg_error_clear(mg_ctx *ctx)
{
	memset(&ctx->err, 0, sizeof(ctx->err));
}

int
mg_error_nomem(mg_ctx *ctx)
{
	return mg_error_set(ctx, MG_ENOMEM, MG_STATE_NOMEM, "out of memory");
}

void
mg_error_format(const mg_error *err, char *buf, size_t cap)
{
	if (cap == 0)
		return;
	snprintf(buf, cap, "%s%s%s%s%s%s%s", err->message,
			 err->detail[0] ? "\nDETAIL:  " : "", err->detail,
			 err->hint[0] ? "\nHINT:  " : "", err->hint,
			 err->context[0] ? "\nCONTEXT:  " : "", err->context);
}

/* Skip blanks and comments at the start of a statement's text. */
static const char *
skip_leading_comments(const char *s, const char *end)
{
	for (;;)
	{
		while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
			s++;
		if (end - s >= 2 && s[0] == '-' && s[1] == '-')
		{
			while (s < end && *s != '\n')
				s++;
		}
		else if (end - s >= 2 && s[0] == '/' && s[1] == '*')
		{
			const char *close = s + 2;

			while (close + 1 < end && !(close[0] == '*' && close[1] == '/'))
				close++;
			if (close + 1 >= end)
				return end;
			s = close + 2;
		}
		else
			return s;
	}
}

void
mg_error_statement(mg_ctx *ctx, const char *start, const char *end)
{
	size_t len;
	int cut = 0;

	start = skip_leading_comments(start, end);
	while (end > start && (end[-1] == ';' || end[-1] == ' ' || end[-1] == '\t' ||
						   end[-1] == '\n' || end[-1] == '\r'))
		end--;
	len = (size_t) (end - start);
	if (len > MG_STATEMENT_EXCERPT)
	{
		len = MG_STATEMENT_EXCERPT;
		while (len > 0 && ((unsigned char) start[len] & 0xC0) == 0x80)
			len--;
		cut = 1;
	}
	mg_error_context(ctx, "%.*s%s", (int) len, start, cut ? "..." : "");
}
