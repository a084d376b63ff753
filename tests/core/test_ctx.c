/*
 * test_ctx.c -- the arena (core/ctx.c) and the string builder (core/buf.c):
 * what lives in shared chunks and what gets a block of its own, growth
 * and shrinking in place (a grown block leaves no copy behind, even when
 * the host's realloc moves it), early release of scratch blocks, and
 * every out-of-memory path: the error is set, the old block stays
 * intact, and mg_ctx_free leaves nothing behind.
 *
 * The allocator here counts live blocks and live bytes, can fail its
 * N-th allocating call, and can move every block it resizes (as a
 * realloc may), so that a stale pointer into a moved block shows up
 * under ASan and valgrind.
 */
#include <stdint.h>

#include "../../core/internal.h"
#include "tap.h"

#define BIG 4096                /* ctx.c's MG_BIG: larger requests get their own block */

typedef struct counter {
	long calls;                 /* calls that allocate (size > 0) */
	long fail_at;               /* that call fails (0: none) */
	int move;                   /* resizing always moves the block */
	long blocks;                /* live blocks */
	size_t bytes;               /* live bytes */
} counter;

static counter cnt;

/* A size header in front of every block, so that live bytes can be counted. */
#define HDR 16

static void *
test_realloc(void *ud, void *ptr, size_t size)
{
	char *old = ptr != NULL ? (char *) ptr - HDR : NULL;
	size_t oldsize = old != NULL ? *(size_t *) old : 0;
	char *p;

	(void) ud;
	if (size == 0)
	{
		if (old != NULL)
		{
			cnt.blocks--;
			cnt.bytes -= oldsize;
			free(old);
		}
		return NULL;
	}
	cnt.calls++;
	if ((cnt.fail_at > 0 && cnt.calls == cnt.fail_at) || size > ((size_t) 1 << 40))
		return NULL;
	if (old != NULL && cnt.move)
	{
		p = malloc(HDR + size);
		if (p == NULL)
			return NULL;
		memcpy(p + HDR, ptr, oldsize < size ? oldsize : size);
		memset(old, 0xAB, HDR + oldsize);       /* a stale read sees garbage */
		free(old);
	}
	else
	{
		p = realloc(old, HDR + size);
		if (p == NULL)
			return NULL;
	}
	if (old == NULL)
		cnt.blocks++;
	cnt.bytes += size - oldsize;
	*(size_t *) p = size;
	return p + HDR;
}

static mg_ctx *
fresh(int move)
{
	mg_ctx *ctx = NULL;

	memset(&cnt, 0, sizeof(cnt));
	cnt.move = move;
	if (mg_ctx_new(&ctx, test_realloc, NULL) != MG_OK)
	{
		printf("Bail out! cannot create a context\n");
		exit(1);
	}
	return ctx;
}

static bool
all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static bool
is_pattern(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char) (i * 7 + seed))
			return false;
	return true;
}

static void
fill_pattern(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char) (i * 7 + seed);
}

static bool
nomem_set(mg_ctx *ctx)
{
	const mg_error *e = mg_ctx_error(ctx);

	return e->code == MG_ENOMEM && strcmp(e->message, "out of memory") == 0 &&
		strcmp(e->sqlstate, MG_STATE_NOMEM) == 0;
}

static void
test_small_and_big(void)
{
	mg_ctx *ctx = fresh(0);
	char *a, *b, *s1, *s2, *c, *big;
	long blocks;

	a = mg_alloc(ctx, 10);
	b = mg_alloc(ctx, 100);
	ok(a != NULL && b != NULL && ((uintptr_t) a % 16) == 0 && ((uintptr_t) b % 16) == 0,
	   "small blocks are 16-byte aligned");
	ok(all_zero(a, 10) && all_zero(b, 100), "and zeroed");
	ok(b == a + 16, "consecutive small blocks share a chunk");
	is_int(cnt.blocks, 2, "one chunk so far (and the context)");

	s1 = mg_strdup(ctx, "ab");
	s2 = mg_strndup(ctx, "cdef", 2);
	is_str(s1, "ab", "mg_strdup");
	is_str(s2, "cd", "mg_strndup stops at n");
	ok(s2 == s1 + 3, "strings pack without alignment");
	c = mg_alloc(ctx, 1);
	ok(c != NULL && ((uintptr_t) c % 16) == 0 && c >= s2 + 3, "the next block is aligned again");
	is_str(mg_printf(ctx, "%s-%d", "x", 42), "x-42", "mg_printf");

	blocks = cnt.blocks;
	big = mg_alloc(ctx, BIG + 1);
	ok(big != NULL && ((uintptr_t) big % 16) == 0 && all_zero(big, BIG + 1),
	   "a block above MG_BIG: aligned and zeroed");
	is_int(cnt.blocks, blocks + 1, "has a block of its own");
	ok(mg_alloc(ctx, BIG) != NULL && cnt.blocks == blocks + 1, "MG_BIG bytes still come from the chunk");
	{
		char *s = mg_alloc(ctx, 2 * BIG);
		char *t = mg_strndup(ctx, s, 2 * BIG);

		ok(t != NULL && t[2 * BIG] == '\0' && cnt.blocks == blocks + 3,
		   "a long string gets a block of its own too");
	}
	mg_ctx_free(ctx);
	is_int(cnt.blocks, 0, "mg_ctx_free returns every block");
	is_int(cnt.bytes, 0, "and every byte");

	ctx = fresh(0);
	for (int i = 0; i < 5000; i++)
		mg_alloc(ctx, 1000);
	ok(cnt.blocks > 300, "many chunks (%ld blocks)", cnt.blocks);
	mg_ctx_free(ctx);
	is_int(cnt.blocks, 0, "all of them freed");
	mg_ctx_free(NULL);
	ok(1, "mg_ctx_free(NULL) is a no-op");
}

static void
test_small_realloc(void)
{
	mg_ctx *ctx = fresh(0);
	unsigned char *p, *q, *r;
	char *next;

	p = mg_alloc(ctx, 40);
	fill_pattern(p, 40, 1);
	q = mg_realloc(ctx, p, 40, 200);
	ok(q == p, "the newest small block grows in place");
	ok(is_pattern(q, 40, 1) && all_zero(q + 40, 160), "contents kept, new bytes zero");
	q = mg_realloc(ctx, q, 200, 20);
	ok(q == p && is_pattern(q, 20, 1), "and shrinks in place");
	next = mg_alloc(ctx, 16);
	ok((unsigned char *) next == p + 32, "the tail it gave back is used next");

	r = mg_alloc(ctx, 16);
	q = mg_realloc(ctx, p, 20, 64);
	ok(q != p && is_pattern(q, 20, 1) && all_zero(q + 20, 44),
	   "an older small block is copied when it grows");
	ok(mg_realloc(ctx, r, 16, 8) == r, "shrinking an older block keeps it");
	ok(mg_realloc(ctx, NULL, 0, 24) != NULL, "mg_realloc(NULL) allocates");

	/* small to big: copied into a block of its own; the chunk gets its room back */
	p = mg_alloc(ctx, 3000);
	fill_pattern(p, 3000, 2);
	q = mg_realloc(ctx, p, 3000, 3 * BIG);
	ok(q != NULL && q != p && is_pattern(q, 3000, 2) && all_zero(q + 3000, 3 * BIG - 3000),
	   "a small block grown past MG_BIG moves to a block of its own");
	ok((unsigned char *) mg_alloc(ctx, 16) == p, "and its old room is used next");
	mg_ctx_free(ctx);
	is_int(cnt.blocks, 0, "nothing left");
}

static void
test_big_realloc(int move)
{
	const char *how = move ? "moving realloc" : "realloc";
	mg_ctx *ctx = fresh(move);
	unsigned char *a, *b, *c;
	long blocks;
	size_t bytes;

	a = mg_alloc(ctx, 2 * BIG);
	b = mg_alloc(ctx, 3 * BIG);
	c = mg_alloc(ctx, 4 * BIG);
	fill_pattern(a, 2 * BIG, 3);
	fill_pattern(b, 3 * BIG, 4);
	fill_pattern(c, 4 * BIG, 5);
	blocks = cnt.blocks;
	bytes = cnt.bytes;

	b = mg_realloc(ctx, b, 3 * BIG, 30 * BIG);
	ok(b != NULL && is_pattern(b, 3 * BIG, 4) && all_zero(b + 3 * BIG, 27 * BIG),
	   "%s: a big block grows, contents kept, new bytes zero", how);
	is_int(cnt.blocks, blocks, "%s: no copy is left behind", how);
	is_int(cnt.bytes, bytes + 27 * BIG, "%s: the block is only as large as asked", how);
	a = mg_realloc(ctx, a, 2 * BIG, 5 * BIG);
	c = mg_realloc(ctx, c, 4 * BIG, 6 * BIG);
	ok(a != NULL && c != NULL && is_pattern(a, 2 * BIG, 3) && is_pattern(c, 4 * BIG, 5),
	   "%s: the oldest and the newest block grow too", how);

	b = mg_realloc(ctx, b, 30 * BIG, 2 * BIG);
	ok(b != NULL && is_pattern(b, 2 * BIG, 4), "%s: a big block shrinks, contents kept", how);
	is_int(cnt.bytes, bytes + 3 * BIG + 2 * BIG - BIG, "%s: and gives its tail back", how);
	ok(mg_realloc(ctx, b, 2 * BIG, 100) == b && is_pattern(b, 100, 4),
	   "%s: shrinking below MG_BIG keeps the block as it is", how);
	ok(mg_realloc(ctx, b, 2 * BIG, 2 * BIG) == b, "%s: the same size is a no-op", how);

	/* the list is intact after moves in the middle, at the head and at the tail */
	mg_release(ctx, b, 2 * BIG);
	is_int(cnt.blocks, blocks - 1, "%s: the middle block released", how);
	a = mg_realloc(ctx, a, 5 * BIG, 7 * BIG);
	c = mg_realloc(ctx, c, 6 * BIG, 8 * BIG);
	ok(is_pattern(a, 2 * BIG, 3) && is_pattern(c, 4 * BIG, 5), "%s: its neighbours still grow", how);
	mg_ctx_free(ctx);
	is_int(cnt.blocks, 0, "%s: mg_ctx_free returns every block", how);
	is_int(cnt.bytes, 0, "%s: and every byte", how);
}

static void
test_grow(void)
{
	mg_ctx *ctx = fresh(1);
	int *v = NULL;
	size_t cap = 0, n;
	bool good = true;
	long chunks;

	mg_alloc(ctx, 16);
	chunks = cnt.blocks;
	for (n = 0; n < 100000; n++)
	{
		if (mg_grow(ctx, &v, &cap, n, sizeof(int)) != MG_OK)
			break;
		v[n] = (int) n;
	}
	for (size_t i = 0; i < n; i++)
		good = good && v[i] == (int) i;
	ok(n == 100000 && good, "mg_grow: 100000 elements kept through every doubling");
	is_int(cap, 131072, "capacity doubled from 8");
	ok(cnt.blocks <= chunks + 2, "the outgrown arrays are not kept (%ld blocks)", cnt.blocks);
	ok(cnt.bytes < 131072 * sizeof(int) + 3 * 16384, "live bytes: the array and a chunk or two (%zu)", cnt.bytes);
	mg_ctx_free(ctx);
	is_int(cnt.blocks, 0, "nothing left");
}

static void
test_buf(void)
{
	mg_ctx *ctx = fresh(1);
	mg_buf b;
	char *out;
	size_t want = 0;
	bool good = true;

	mg_buf_init(&b, ctx);
	for (int i = 0; i < 20000; i++)
	{
		mg_buf_printf(&b, "line %d;\n", i);
		want += (size_t) snprintf(NULL, 0, "line %d;\n", i);
	}
	is_int(mg_buf_finish(&b, &out), MG_OK, "a 200 KB text");
	is_int(strlen(out), want, "of the right length");
	for (int i = 0; i < 20000 && good; i += 997)
	{
		char line[32];

		snprintf(line, sizeof(line), "line %d;\n", i);
		good = strstr(out, line) != NULL;
	}
	ok(good, "with its lines");
	ok(cnt.bytes < want + 2 * 16384 + 1024, "finished, it takes about its length (%zu for %zu)",
	   cnt.bytes, want);
	mg_buf_puts(&b, "more");
	is_int(mg_buf_finish(&b, &out), MG_OK, "appending after finish still works");
	ok(strlen(out) == want + 4 && strcmp(out + want, "more") == 0, "and keeps the text");

	mg_buf_init(&b, ctx);
	is_int(mg_buf_finish(&b, &out), MG_OK, "an empty buffer finishes");
	is_str(out, "", "as \"\"");
	mg_ctx_free(ctx);
	is_int(cnt.blocks, 0, "nothing left");
}

static void
test_release(void)
{
	mg_ctx *ctx = fresh(0);
	char *a, *b, *big;
	long blocks;

	a = mg_alloc(ctx, 32);
	b = mg_alloc(ctx, 64);
	mg_release(ctx, a, 32);
	ok(mg_alloc(ctx, 16) == b + 64, "releasing an older small block does nothing");
	b = mg_alloc(ctx, 64);
	mg_release(ctx, b, 64);
	ok(mg_alloc(ctx, 64) == b, "the newest small block goes back to its chunk");

	blocks = cnt.blocks;
	big = mg_alloc(ctx, 10 * BIG);
	is_int(cnt.blocks, blocks + 1, "a big block");
	mg_release(ctx, big, 10 * BIG + 100);
	is_int(cnt.blocks, blocks + 1, "a release with the wrong size does nothing");
	mg_release(ctx, big, 10 * BIG);
	is_int(cnt.blocks, blocks, "a big block goes back to the host");
	mg_release(ctx, NULL, 100);
	ok(1, "releasing NULL does nothing");
	{
		char *x = mg_alloc(ctx, 5 * BIG), *y = mg_alloc(ctx, 6 * BIG);

		mg_release(ctx, y, 6 * BIG);
		mg_release(ctx, x, 5 * BIG);
		is_int(cnt.blocks, blocks, "the newest and then the last big block");
		ok(mg_alloc(ctx, 7 * BIG) != NULL, "the list still takes new blocks");
	}
	mg_ctx_free(ctx);
	is_int(cnt.blocks, 0, "nothing left");
}

static void
test_oom_paths(void)
{
	mg_ctx *ctx = fresh(0);
	unsigned char *p, *q;
	int *v;
	size_t cap;
	mg_buf b;
	char *out = (char *) &b;

	cnt.fail_at = cnt.calls + 1;
	ok(mg_alloc(ctx, 3 * BIG) == NULL && nomem_set(ctx), "big block refused: NULL, out of memory");
	mg_error_clear(ctx);
	/* a full chunk: the next small request needs a new one */
	{
		long blocks = cnt.blocks;

		cnt.fail_at = 0;
		while (cnt.blocks == blocks)
			mg_alloc(ctx, BIG);
		for (int i = 0; i < 3; i++)
			mg_alloc(ctx, BIG);
		blocks = cnt.blocks;
		cnt.fail_at = cnt.calls + 1;
		ok(mg_alloc(ctx, 1000) == NULL && nomem_set(ctx), "new chunk refused: NULL, out of memory");
		mg_error_clear(ctx);
		cnt.fail_at = cnt.calls + 1;
		ok(mg_strdup(ctx, "a string that needs a new chunk") == NULL && nomem_set(ctx),
		   "mg_strdup: NULL, out of memory");
		mg_error_clear(ctx);
		cnt.fail_at = cnt.calls + 1;
		ok(mg_printf(ctx, "%s", "formatted") == NULL && nomem_set(ctx), "mg_printf: NULL, out of memory");
		mg_error_clear(ctx);
		is_int(cnt.blocks, blocks, "no block was added");
	}
	cnt.fail_at = 0;

	p = mg_alloc(ctx, 2 * BIG);
	fill_pattern(p, 2 * BIG, 9);
	cnt.fail_at = cnt.calls + 1;
	q = mg_realloc(ctx, p, 2 * BIG, 8 * BIG);
	ok(q == NULL && nomem_set(ctx), "big growth refused: NULL, out of memory");
	ok(is_pattern(p, 2 * BIG, 9), "the block is intact");
	mg_error_clear(ctx);
	cnt.fail_at = cnt.calls + 1;
	q = mg_realloc(ctx, p, 2 * BIG, BIG + 16);
	ok(q == NULL && nomem_set(ctx), "big shrink refused: NULL, out of memory");
	ok(is_pattern(p, 2 * BIG, 9), "the block is intact");
	mg_error_clear(ctx);
	cnt.fail_at = 0;

	v = mg_alloc(ctx, 2048 * sizeof(int));
	cap = 2048;
	v[2047] = 7;
	cnt.fail_at = cnt.calls + 1;
	is_int(mg_grow(ctx, &v, &cap, 2048, sizeof(int)), MG_ENOMEM, "mg_grow refused: MG_ENOMEM");
	ok(nomem_set(ctx) && cap == 2048 && v[2047] == 7, "array and capacity unchanged");
	mg_error_clear(ctx);
	cnt.fail_at = 0;

	ok(mg_alloc(ctx, SIZE_MAX) == NULL && nomem_set(ctx), "a size that cannot be rounded: out of memory");
	mg_error_clear(ctx);
	ok(mg_alloc(ctx, SIZE_MAX - 64) == NULL && nomem_set(ctx), "a size too large for a header: out of memory");
	mg_error_clear(ctx);
	ok(mg_realloc(ctx, p, 2 * BIG, SIZE_MAX - 64) == NULL && nomem_set(ctx) && is_pattern(p, 2 * BIG, 9),
	   "growing to an impossible size: out of memory, block intact");
	mg_error_clear(ctx);
	ok(mg_strndup(ctx, "x", SIZE_MAX) == NULL && nomem_set(ctx), "an impossible string: out of memory");
	mg_error_clear(ctx);
	v = NULL;
	cap = SIZE_MAX / 4;
	is_int(mg_grow(ctx, &v, &cap, cap, 4), MG_ENOMEM, "a capacity that cannot double: MG_ENOMEM");
	ok(nomem_set(ctx), "out of memory");
	mg_error_clear(ctx);

	/* the builder: a failed doubling, and a failed trim at the end */
	mg_buf_init(&b, ctx);
	for (int i = 0; i < 1000; i++)
		mg_buf_puts(&b, "0123456789");
	cnt.fail_at = cnt.calls + 1;
	for (int i = 0; i < 1000; i++)
		mg_buf_puts(&b, "0123456789");
	ok(b.failed && nomem_set(ctx), "a failed doubling marks the buffer");
	is_int(mg_buf_finish(&b, &out), MG_ENOMEM, "and finish says MG_ENOMEM");
	ok(out == NULL, "with no text");
	mg_error_clear(ctx);
	cnt.fail_at = 0;
	mg_buf_init(&b, ctx);
	for (int i = 0; i < 900; i++)
		mg_buf_puts(&b, "0123456789");
	cnt.fail_at = cnt.calls + 1;
	out = (char *) &b;
	is_int(mg_buf_finish(&b, &out), MG_ENOMEM, "a refused trim: MG_ENOMEM");
	ok(out == NULL && nomem_set(ctx), "no text, out of memory");

	mg_ctx_free(ctx);
	is_int(cnt.blocks, 0, "nothing left after all of that");
	is_int(cnt.bytes, 0, "no byte left");
}

/* A mix of everything, for the sweep: returns MG_OK and a checksum, or MG_ENOMEM. */
static int
workload(mg_ctx *ctx, long *sum)
{
	int *v = NULL;
	size_t cap = 0;
	unsigned char *big;
	mg_buf b;
	char *text;

	*sum = 0;
	for (size_t i = 0; i < 3000; i++)
	{
		if (mg_grow(ctx, &v, &cap, i, sizeof(int)) != MG_OK)
			return MG_ENOMEM;
		v[i] = (int) i;
		if (i % 100 == 0 && mg_printf(ctx, "%zu", i) == NULL)
			return MG_ENOMEM;
	}
	big = mg_alloc(ctx, 3 * BIG);
	if (big == NULL)
		return MG_ENOMEM;
	fill_pattern(big, 3 * BIG, 1);
	big = mg_realloc(ctx, big, 3 * BIG, 9 * BIG);
	if (big == NULL)
		return MG_ENOMEM;
	big = mg_realloc(ctx, big, 9 * BIG, 2 * BIG);
	if (big == NULL)
		return MG_ENOMEM;
	mg_buf_init(&b, ctx);
	for (int i = 0; i < 2000; i++)
		mg_buf_printf(&b, "%d,", i);
	if (mg_buf_finish(&b, &text) != MG_OK)
		return MG_ENOMEM;
	mg_release(ctx, v, cap * sizeof(int));
	if (!is_pattern(big, 2 * BIG, 1))
		return -99;
	*sum = (long) strlen(text) + big[100];
	return MG_OK;
}

static void
test_sweep(int move)
{
	long n, fails = 0, sum = 0;
	int good = 1;

	for (n = 1; n < 10000; n++)
	{
		mg_ctx *ctx = fresh(move);
		int rc;

		cnt.fail_at = cnt.calls + n;
		rc = workload(ctx, &sum);
		if (rc == MG_OK)
		{
			if (cnt.calls >= cnt.fail_at)
				good = 0;       /* a refused call went unnoticed */
			mg_ctx_free(ctx);
			if (cnt.blocks != 0)
				good = 0;
			break;
		}
		fails++;
		if (rc != MG_ENOMEM || !nomem_set(ctx))
		{
			printf("# at %ld: rc %d, \"%s\"\n", n, rc, mg_ctx_error(ctx)->message);
			good = 0;
		}
		mg_ctx_free(ctx);
		if (cnt.blocks != 0)
		{
			printf("# at %ld: %ld blocks left\n", n, cnt.blocks);
			good = 0;
		}
	}
	ok(good && fails > 5 && n < 10000,
	   "out of memory (%s): each of %ld allocator calls fails cleanly, nothing leaks, then it completes",
	   move ? "moving realloc" : "realloc", fails);
	is_int(sum, 8890 + (unsigned char) (100 * 7 + 1), "and the result is right");
}

/*
 * mg_ctx_detach_text: a large text leaves the arena in its own block (no
 * second copy: the live bytes do not grow), a small one is copied; both
 * are host blocks the host frees, and mg_ctx_free frees neither twice.
 */
static void
test_detach(int move)
{
	mg_ctx *ctx = fresh(move);
	mg_buf b;
	char *text, *out;
	size_t len = 0, before;
	long blocks;

	mg_buf_init(&b, ctx);
	for (int i = 0; i < 3000; i++)
		mg_buf_puts(&b, "0123456789");
	is_int(mg_buf_finish(&b, &text), MG_OK, "detach%s: a 30,000-byte text", move ? " (moving)" : "");
	before = cnt.bytes;
	blocks = cnt.blocks;
	out = mg_ctx_detach_text(ctx, text, 0, &len);
	ok(out != NULL, "detach%s: a large text leaves the arena", move ? " (moving)" : "");
	is_int((long) len, 30000, "detach%s: its length", move ? " (moving)" : "");
	ok(out != NULL && strlen(out) == 30000 && memcmp(out, "0123456789", 10) == 0 &&
	   memcmp(out + 29990, "0123456789", 10) == 0, "detach%s: its bytes, from the block's start",
	   move ? " (moving)" : "");
	ok(cnt.bytes == before && cnt.blocks == blocks, "detach%s: no copy was made (%zu -> %zu bytes)",
	   move ? " (moving)" : "", before, cnt.bytes);
	text = mg_strdup(ctx, "short");
	{
		char *small = mg_ctx_detach_text(ctx, text, 0, &len);

		ok(small != NULL && strcmp(small, "short") == 0 && len == 5 && small != text,
		   "detach%s: a small text is copied into a block of its own", move ? " (moving)" : "");
		is_int(cnt.blocks, blocks + 1, "detach%s: one block more", move ? " (moving)" : "");
		mg_ctx_free(ctx);
		is_int(cnt.blocks, 2, "detach%s: after mg_ctx_free only the two detached blocks are live",
			   move ? " (moving)" : "");
		test_realloc(NULL, small, 0);
	}
	test_realloc(NULL, out, 0);
	is_int(cnt.blocks, 0, "detach%s: the host frees them; nothing is left", move ? " (moving)" : "");
	ok(cnt.bytes == 0, "detach%s: no live bytes", move ? " (moving)" : "");
	/* out of memory while copying a small text: NULL, the error set, the text still the arena's */
	ctx = fresh(move);
	text = mg_strdup(ctx, "short");
	cnt.fail_at = cnt.calls + 1;
	ok(mg_ctx_detach_text(ctx, text, 0, &len) == NULL && nomem_set(ctx) && strcmp(text, "short") == 0,
	   "detach%s: out of memory copying a small text: NULL, error set, text intact", move ? " (moving)" : "");
	mg_ctx_free(ctx);
	is_int(cnt.blocks, 0, "detach%s: nothing left after the failure", move ? " (moving)" : "");

	/* with a prefix for the host's own header: the text follows it, in place or copied */
	ctx = fresh(move);
	mg_buf_init(&b, ctx);
	for (int i = 0; i < 3000; i++)
		mg_buf_puts(&b, "0123456789");
	mg_buf_finish(&b, &text);
	before = cnt.bytes;
	out = mg_ctx_detach_text(ctx, text, 4, &len);
	ok(out != NULL && len == 30000 && strlen(out + 4) == 30000 && memcmp(out + 4, "0123456789", 10) == 0 &&
	   memcmp(out + 4 + 29990, "0123456789", 10) == 0, "detach%s, prefix 4: the text after the prefix",
	   move ? " (moving)" : "");
	ok(cnt.bytes == before, "detach%s, prefix 4: a large text is still not copied", move ? " (moving)" : "");
	text = mg_strdup(ctx, "short");
	{
		char *small = mg_ctx_detach_text(ctx, text, MG_DETACH_PREFIX_MAX, &len);

		ok(small != NULL && len == 5 && strcmp(small + MG_DETACH_PREFIX_MAX, "short") == 0,
		   "detach%s, largest prefix: a small text copied after it", move ? " (moving)" : "");
		ok(mg_ctx_detach_text(ctx, text, MG_DETACH_PREFIX_MAX + 1, &len) == NULL &&
		   mg_ctx_error(ctx)->code == MG_EINPUT, "detach%s: a prefix too large is refused", move ? " (moving)" : "");
		mg_ctx_free(ctx);
		test_realloc(NULL, small, 0);
	}
	test_realloc(NULL, out, 0);
	is_int(cnt.blocks, 0, "detach%s, prefix: the host frees them; nothing is left", move ? " (moving)" : "");
}

/* mg_realloc_uninit keeps the contents and grows small and big blocks alike. */
static void
test_realloc_uninit(void)
{
	mg_ctx *ctx = fresh(1);
	unsigned char *p = mg_realloc_uninit(ctx, NULL, 0, 100);

	ok(p != NULL, "uninit: a first allocation");
	fill_pattern(p, 100, 3);
	p = mg_realloc_uninit(ctx, p, 100, 3000);
	ok(p != NULL && is_pattern(p, 100, 3), "uninit: grown in its chunk, contents kept");
	fill_pattern(p, 3000, 4);
	p = mg_realloc_uninit(ctx, p, 3000, 50000);
	ok(p != NULL && is_pattern(p, 3000, 4), "uninit: moved to a big block, contents kept");
	fill_pattern(p, 50000, 5);
	p = mg_realloc_uninit(ctx, p, 50000, 200000);
	ok(p != NULL && is_pattern(p, 50000, 5), "uninit: a big block grown by the host, contents kept");
	p = mg_realloc_uninit(ctx, NULL, 0, 20000);
	ok(p != NULL, "uninit: a first big allocation");
	mg_ctx_free(ctx);
	is_int(cnt.blocks, 0, "uninit: mg_ctx_free leaves nothing");
}

int
main(void)
{
	test_small_and_big();
	test_small_realloc();
	test_big_realloc(0);
	test_big_realloc(1);
	test_grow();
	test_buf();
	test_release();
	test_oom_paths();
	test_sweep(0);
	test_sweep(1);
	test_detach(0);
	test_detach(1);
	test_realloc_uninit();
	return done_testing();
}
