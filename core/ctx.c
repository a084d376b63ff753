/*
 * ctx.c -- the context: an arena over the host's allocator hook, and the
 * error object.
 *
 * Every allocation of a command goes into the arena and is released in
 * one sweep by mg_ctx_free, so error paths never free piecemeal and an
 * out-of-memory failure cannot leak.  Small requests (up to MG_BIG
 * bytes) are carved from 16 KiB chunks, 16-byte aligned (strings only
 * byte-aligned: they pack); a larger request always gets a block of its
 * own, on a second, doubly linked list.  That is what lets a large
 * block grow or shrink through the host's realloc without leaving its
 * old copy behind: mg_realloc, mg_grow and mg_buf double their arrays
 * and buffers in place, and the tail a shrink gives up goes back to the
 * host.  The newest small allocation of the current chunk also grows
 * and shrinks in place.  mg_release gives a scratch block back early (a
 * big one to the host, the newest small one to its chunk); anything not
 * given back waits for mg_ctx_free, so forgetting it, or leaving early
 * on an error, never leaks.  The error lives in fixed buffers inside the
 * context: setting it never allocates.
 *
 * Invariants: a request of more than MG_BIG bytes (rounded up to
 * MG_ALIGN) is the data of a big block, and that block's header records
 * exactly that rounded size; every block is on exactly one list; a
 * failed host call leaves every list and block as it was.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MG_CHUNK_SIZE 16384
#define MG_ALIGN 16
/* Requests above this many bytes get a block of their own. */
#define MG_BIG (MG_CHUNK_SIZE / 4)

/*
 * A small chunk (on ctx->chunks, newest first, linked by older) or a big
 * block (on ctx->big, newest first, linked both ways).
 */
typedef struct mg_chunk {
	struct mg_chunk *older;
	struct mg_chunk *newer;     /* big blocks only */
	size_t size;                /* usable bytes after the header */
	size_t used;                /* small chunks: bytes handed out */
	/* data follows, aligned */
} mg_chunk;

#define MG_CHUNK_HDR ((sizeof(mg_chunk) + MG_ALIGN - 1) & ~(size_t) (MG_ALIGN - 1))
/* mg_ctx_detach_text moves a big block's text down into its header's room */
_Static_assert(MG_CHUNK_HDR >= MG_DETACH_PREFIX_MAX, "a detach prefix fits in a block header");

struct mg_ctx {
	mg_realloc_fn fn;
	void *ud;
	mg_chunk *chunks;   /* small chunks, newest first */
	mg_chunk *big;      /* big blocks, newest first */
	mg_error err;
	mg_interrupt_fn interrupt;  /* NULL: never asked */
	void *interrupt_ud;
	unsigned interrupt_tick;    /* calls since the hook last ran */
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

int
mg_ctx_new_child(mg_ctx **out, mg_ctx *parent)
{
	int rc = mg_ctx_new(out, parent->fn, parent->ud);

	if (rc != MG_OK)
		return mg_error_nomem(parent);
	mg_ctx_set_interrupt(*out, parent->interrupt, parent->interrupt_ud);
	return MG_OK;
}

void
mg_ctx_set_interrupt(mg_ctx *ctx, mg_interrupt_fn fn, void *ud)
{
	ctx->interrupt = fn;
	ctx->interrupt_ud = ud;
	ctx->interrupt_tick = 0;
}

int
mg_interrupt_check(mg_ctx *ctx)
{
	if (ctx->interrupt == NULL || ++ctx->interrupt_tick < MG_INTERRUPT_EVERY)
		return MG_OK;
	ctx->interrupt_tick = 0;
	if (ctx->interrupt(ctx->interrupt_ud) == 0)
		return MG_OK;
	return mg_error_set(ctx, MG_ECANCEL, MG_STATE_CANCELED,
	                    "canceling statement due to user request");
}

static void
free_list(mg_ctx *ctx, mg_chunk *c)
{
	while (c != NULL)
	{
		mg_chunk *older = c->older;

		ctx->fn(ctx->ud, c, 0);
		c = older;
	}
}

void
mg_ctx_free(mg_ctx *ctx)
{
	if (ctx == NULL)
		return;
	free_list(ctx, ctx->chunks);
	free_list(ctx, ctx->big);
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

/* n rounded up to MG_ALIGN (at least MG_ALIGN); false when it overflows. */
static bool
align_up(size_t n, size_t *out)
{
	size_t need = (n + MG_ALIGN - 1) & ~(size_t) (MG_ALIGN - 1);

	if (need < n)
		return false;
	*out = need == 0 ? MG_ALIGN : need;
	return true;
}

static char *
chunk_data(mg_chunk *c)
{
	return (char *) c + MG_CHUNK_HDR;
}

/* A new current small chunk; NULL (error set) when out of memory. */
static mg_chunk *
chunk_new(mg_ctx *ctx)
{
	mg_chunk *c = ctx->fn(ctx->ud, NULL, MG_CHUNK_HDR + MG_CHUNK_SIZE);

	if (c == NULL)
	{
		mg_error_nomem(ctx);
		return NULL;
	}
	c->older = ctx->chunks;
	c->newer = NULL;
	c->size = MG_CHUNK_SIZE;
	c->used = 0;
	ctx->chunks = c;
	return c;
}

/* A big block of need (aligned) bytes, zeroed when asked; NULL (error set) when out of memory. */
static void *
big_new(mg_ctx *ctx, size_t need, bool zero)
{
	mg_chunk *b;

	if (need > (size_t) -1 - MG_CHUNK_HDR ||
		(b = ctx->fn(ctx->ud, NULL, MG_CHUNK_HDR + need)) == NULL)
	{
		mg_error_nomem(ctx);
		return NULL;
	}
	b->size = need;
	b->used = need;
	b->newer = NULL;
	b->older = ctx->big;
	if (ctx->big != NULL)
		ctx->big->newer = b;
	ctx->big = b;
	if (zero)
		memset(chunk_data(b), 0, need);
	return chunk_data(b);
}

/*
 * Resize big block b to need (aligned) bytes through the host, keeping
 * its place on the list; with zero, the bytes from old_n on are zeroed
 * when it grows.  NULL (error set, b untouched) when the host refuses.
 */
static void *
big_resize(mg_ctx *ctx, mg_chunk *b, size_t old_n, size_t need, bool zero)
{
	mg_chunk *q;

	if (need == b->size)
		return chunk_data(b);
	if (need > (size_t) -1 - MG_CHUNK_HDR ||
		(q = ctx->fn(ctx->ud, b, MG_CHUNK_HDR + need)) == NULL)
	{
		mg_error_nomem(ctx);
		return NULL;
	}
	if (q->newer != NULL)
		q->newer->older = q;
	else
		ctx->big = q;
	if (q->older != NULL)
		q->older->newer = q;
	if (zero && need > old_n)
		memset(chunk_data(q) + old_n, 0, need - old_n);
	q->size = need;
	q->used = need;
	return chunk_data(q);
}

/*
 * n bytes from the current chunk at the given alignment (1 or MG_ALIGN),
 * not zeroed; n is at most MG_BIG.  NULL (error set) when out of memory.
 */
static char *
carve(mg_ctx *ctx, size_t n, size_t align)
{
	mg_chunk *c = ctx->chunks;
	size_t start = 0;
	char *p;

	if (c != NULL)
		start = (c->used + align - 1) & ~(align - 1);
	if (c == NULL || start > c->size || c->size - start < n)
	{
		c = chunk_new(ctx);
		if (c == NULL)
			return NULL;
		start = 0;
	}
	p = chunk_data(c) + start;
	c->used = start + n;
	return p;
}

/* need (aligned) bytes: a big block or a piece of the current chunk; cleared when zero. */
static void *
alloc_need(mg_ctx *ctx, size_t need, bool zero)
{
	char *p;

	if (need > MG_BIG)
		return big_new(ctx, need, zero);
	p = carve(ctx, need, MG_ALIGN);
	if (p != NULL && zero)
		memset(p, 0, need);
	return p;
}

void *
mg_alloc(mg_ctx *ctx, size_t n)
{
	size_t need;

	if (!align_up(n, &need))
	{
		mg_error_nomem(ctx);
		return NULL;
	}
	return alloc_need(ctx, need, true);
}

/* Take big block b off the list (the caller frees or hands it on). */
static void
big_unlink(mg_ctx *ctx, mg_chunk *b)
{
	if (b->newer != NULL)
		b->newer->older = b->older;
	else
		ctx->big = b->older;
	if (b->older != NULL)
		b->older->newer = b->newer;
}

/* The big block whose data p is, when a block of old_need bytes at p must be one. */
static mg_chunk *
big_of(void *p, size_t old_need)
{
	mg_chunk *b;

	if (old_need <= MG_BIG)
		return NULL;
	b = (mg_chunk *) ((char *) p - MG_CHUNK_HDR);
	return b->size == old_need ? b : NULL;
}

/*
 * mg_realloc and mg_realloc_uninit: zero tells whether the bytes added
 * are cleared.  Leaving them untouched matters for large buffers: pages
 * never written are never faulted in.
 */
static void *
resize(mg_ctx *ctx, void *p, size_t old_n, size_t new_n, bool zero)
{
	mg_chunk *c = ctx->chunks;
	size_t old_need, new_need;
	mg_chunk *b;
	bool newest;
	void *q;

	if (!align_up(old_n, &old_need) || !align_up(new_n, &new_need))
	{
		mg_error_nomem(ctx);
		return NULL;
	}
	if (p == NULL)
		return alloc_need(ctx, new_need, zero);
	/* A big block is resized by the host; below MG_BIG it keeps its size. */
	if ((b = big_of(p, old_need)) != NULL)
	{
		if (new_need <= MG_BIG)
			return p;
		return big_resize(ctx, b, old_n, new_need, zero);
	}
	newest = c != NULL && old_need <= c->used &&
		(char *) p == chunk_data(c) + c->used - old_need;
	if (new_n <= old_n)
	{
		/* the newest small allocation gives its tail back to the chunk */
		if (newest)
			c->used -= old_need - new_need;
		return p;
	}
	if (newest && new_need <= MG_BIG && new_need - old_need <= c->size - c->used)
	{
		if (zero)
			memset(chunk_data(c) + c->used, 0, new_need - old_need);
		c->used += new_need - old_need;
		return p;
	}
	q = alloc_need(ctx, new_need, zero);
	if (q == NULL)
		return NULL;
	memcpy(q, p, old_n);
	/* moved to a big block: the newest small allocation is given back */
	if (newest && ctx->chunks == c && new_need > MG_BIG)
		c->used -= old_need;
	return q;
}

void *
mg_realloc(mg_ctx *ctx, void *p, size_t old_n, size_t new_n)
{
	return resize(ctx, p, old_n, new_n, true);
}

void *
mg_realloc_uninit(mg_ctx *ctx, void *p, size_t old_n, size_t new_n)
{
	return resize(ctx, p, old_n, new_n, false);
}

/*
 * A text finished by mg_buf_finish (or any arena string) leaves the
 * arena: a big block is unlinked from its list and its data moved to
 * the block's start, where the host's free will find it.
 */
char *
mg_ctx_detach_text(mg_ctx *ctx, char *text, size_t prefix, size_t *len)
{
	size_t n = strlen(text), need;
	mg_chunk *b;
	char *out;

	*len = n;
	if (prefix > MG_DETACH_PREFIX_MAX)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_INTERNAL, "a detached text's prefix is %zu bytes, more than %d",
					 prefix, MG_DETACH_PREFIX_MAX);
		return NULL;
	}
	/* the block's header is larger than any prefix: the text moves down or stays */
	if (align_up(n + 1, &need) && (b = big_of(text, need)) != NULL)
	{
		big_unlink(ctx, b);
		memmove((char *) b + prefix, text, n + 1);
		return (char *) b;
	}
	out = n + 1 + prefix > n ? ctx->fn(ctx->ud, NULL, n + 1 + prefix) : NULL;
	if (out == NULL)
	{
		mg_error_nomem(ctx);
		return NULL;
	}
	memcpy(out + prefix, text, n + 1);
	return out;
}

void
mg_release(mg_ctx *ctx, void *p, size_t n)
{
	mg_chunk *c = ctx->chunks;
	size_t need;
	mg_chunk *b;

	if (p == NULL || !align_up(n, &need))
		return;
	if ((b = big_of(p, need)) != NULL)
	{
		big_unlink(ctx, b);
		ctx->fn(ctx->ud, b, 0);
		return;
	}
	if (c != NULL && need <= c->used && (char *) p == chunk_data(c) + c->used - need)
		c->used -= need;
}

/* mg_grow and mg_grow_uninit: zero tells whether the added elements are cleared. */
static int
grow(mg_ctx *ctx, void *arr, size_t *cap, size_t n, size_t elem, bool zero)
{
	void **a = (void **) arr;
	size_t newcap;
	void *q;

	if (n < *cap)
		return MG_OK;
	newcap = *cap ? *cap * 2 : 8;
	if (newcap > (size_t) -1 / elem)
		return mg_error_nomem(ctx);
	q = resize(ctx, *a, *cap * elem, newcap * elem, zero);
	if (q == NULL)
		return MG_ENOMEM;
	*a = q;
	*cap = newcap;
	return MG_OK;
}

int
mg_grow(mg_ctx *ctx, void *arr, size_t *cap, size_t n, size_t elem)
{
	return grow(ctx, arr, cap, n, elem, true);
}

int
mg_grow_uninit(mg_ctx *ctx, void *arr, size_t *cap, size_t n, size_t elem)
{
	return grow(ctx, arr, cap, n, elem, false);
}

/* Room for a string of n bytes plus its NUL, byte-aligned; NULL (error set) on OOM. */
static char *
alloc_text(mg_ctx *ctx, size_t n)
{
	if (n == (size_t) -1)
	{
		mg_error_nomem(ctx);
		return NULL;
	}
	if (n >= MG_BIG)
		return mg_alloc(ctx, n + 1);
	return carve(ctx, n + 1, 1);
}

char *
mg_strndup(mg_ctx *ctx, const char *s, size_t n)
{
	char *p = alloc_text(ctx, n);

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
	p = alloc_text(ctx, (size_t) n);
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
