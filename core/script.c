/*
 * script.c -- the revision script parser.
 *
 * A revision script is SQL text in two parts:
 *
 *   -- add column foo to table bar          <- header: the leading block of
 *   --                                         "--" comment and blank lines
 *   -- Revision ID: a2e418ad6a15
 *   -- Revises: 6a67bf27e6a6
 *
 *   -- migrate:upgrade                      <- body: sections, each from
 *   ALTER TABLE bar ADD COLUMN foo TEXT;       its marker line to the next
 *                                              marker or the end of text
 *   -- migrate:downgrade sqlite
 *   ALTER TABLE bar DROP COLUMN foo;
 *
 * Header lines "-- Key: value" whose key is known (case-insensitive:
 * Revision ID, Revises, Create Date, Branch Labels, Depends On, Tags,
 * Transactional) set the script's fields; every other comment line is
 * free text.  The first non-empty free-text line is the message; all of
 * them, one per line (runs of empty lines kept as one paragraph break),
 * are the doc.  The header ends at the first section marker; any other
 * non-comment text before it is an error, so SQL is never silently
 * ignored.
 *
 * Invariants: the parser never modifies its input; what it returns lives
 * in the arena (a copy of the text, copies of the sections, the lists).
 * On failure *out is NULL and the context's error names the file and the
 * line.  mg_script_is_revision reads the header exactly as the parser
 * does and allocates nothing.  mg_script_load_bodies runs the same
 * parser, with the same checks and errors, in a mode that copies
 * nothing while it reads: values and sections are spans of the input,
 * and only the sections of the directions a command runs are copied at
 * the end.  Lines end at "\n"; a "\r" before it is
 * dropped from the header's values (CRLF files), while section texts are
 * kept verbatim apart from trailing blanks.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Known header keys, in the order of key_names[]. */
enum
{
	K_REVISION_ID,
	K_REVISES,
	K_CREATE_DATE,
	K_BRANCH_LABELS,
	K_DEPENDS_ON,
	K_TAGS,
	K_TRANSACTIONAL,
	K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"Revision ID", "Revises", "Create Date", "Branch Labels", "Depends On",
	"Tags", "Transactional"
};

/*
 * key_names[] in lower case, and their lengths: match_key compares a
 * key only with the names of its length.
 */
static const char *const key_lower[K_COUNT] = {
	"revision id", "revises", "create date", "branch labels", "depends on",
	"tags", "transactional"
};
static const unsigned char key_lens[K_COUNT] = {11, 7, 11, 13, 10, 4, 13};

static const char *const dialect_names[MG_NDIALECTS] = {
	"", "sqlite", "postgresql"
};

/* What a line is, as far as the header and the section markers care. */
typedef enum line_kind
{
	LK_BLANK,       /* only blanks */
	LK_COMMENT,     /* "--" comment */
	LK_MARKER,      /* "-- migrate:<word>" */
	LK_OTHER        /* anything else: SQL */
} line_kind;

/* One line of the text. */
typedef struct line
{
	const char *p;      /* first byte */
	size_t len;         /* without "\n" and a "\r" before it */
	int no;             /* 1-based line number */
	line_kind kind;
	const char *body;   /* LK_COMMENT: after "--"; LK_MARKER: after "migrate:" */
	size_t blen;
} line;

/* Walks the lines of a text. */
typedef struct cursor
{
	const char *pos;
	const char *end;
	int no;
} cursor;

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

/*
 * mg_ci_equal for a lower-case word known to be n bytes long: the
 * header's keys and the marker's "migrate:" are compared on every
 * comment line.
 */
static bool
ci_same(const char *s, const char *word, size_t n)
{
	for (size_t i = 0; i < n; i++)
	{
		if (mg_fold_ascii((unsigned char) s[i]) != (unsigned char) word[i])
			return false;
	}
	return true;
}

/* Trim blanks on both sides of [*s, *s + *n). */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_blank((*s)[0]))
	{
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_blank((*s)[*n - 1]))
		(*n)--;
}

/*
 * Most lines of a script are SQL: their kind is known from the first
 * non-blank byte, so the end of the line is trimmed only for comments.
 */
static void
classify(line *ln)
{
	const char *s = ln->p, *e = ln->p + ln->len;
	size_t n;

	while (s < e && is_blank(*s))
		s++;
	ln->body = NULL;
	ln->blen = 0;
	if (s == e)
	{
		ln->kind = LK_BLANK;
		return;
	}
	if (e - s < 2 || s[0] != '-' || s[1] != '-')
	{
		ln->kind = LK_OTHER;
		return;
	}
	while (is_blank(e[-1]))     /* stops at the "--" */
		e--;
	ln->kind = LK_COMMENT;
	ln->body = s + 2;
	ln->blen = (size_t) (e - s) - 2;

	/*
	 * A marker is "--", blanks, "migrate:" and a word right after the
	 * colon; "-- migrate: some words" stays an ordinary comment.
	 */
	s += 2;
	while (s < e && is_blank(*s))
		s++;
	n = (size_t) (e - s);
	if (n > 8 && (s[0] == 'm' || s[0] == 'M') &&
		(memcmp(s, "migrate:", 8) == 0 || ci_same(s, "migrate:", 8)) && !is_blank(s[8]))
	{
		ln->kind = LK_MARKER;
		ln->body = s + 8;
		ln->blen = n - 8;
	}
}

/* Start a cursor, skipping a UTF-8 byte order mark. */
static void
cursor_init(cursor *c, const char *text, size_t len)
{
	c->pos = text;
	c->end = text + len;
	c->no = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		c->pos += 3;
}

/* The next line; false at the end of the text. */
static inline bool
cursor_next(cursor *c, line *ln)
{
	const char *nl;

	if (c->pos >= c->end)
		return false;
	nl = memchr(c->pos, '\n', (size_t) (c->end - c->pos));
	ln->p = c->pos;
	ln->len = (size_t) ((nl ? nl : c->end) - c->pos);
	if (ln->len > 0 && ln->p[ln->len - 1] == '\r')
		ln->len--;
	ln->no = ++c->no;
	c->pos = nl ? nl + 1 : c->end;
	classify(ln);
	return true;
}

/*
 * A comment line "Key: value" with a known key: returns the key and the
 * trimmed value, or -1 for free text.
 */
static int
match_key(const line *ln, const char **val, size_t *vlen)
{
	const char *s = ln->body;
	size_t n = ln->blen;
	const char *colon = memchr(s, ':', n);
	const char *k = s;
	size_t klen;

	if (colon == NULL)
		return -1;
	klen = (size_t) (colon - s);
	trim(&k, &klen);
	for (int i = 0; i < K_COUNT; i++)
	{
		/* keys are mostly written as key_names[] spells them: memcmp first */
		if (klen == key_lens[i] &&
			(memcmp(k, key_names[i], klen) == 0 || ci_same(k, key_lower[i], klen)))
		{
			*val = colon + 1;
			*vlen = (size_t) (s + n - (colon + 1));
			trim(val, vlen);
			return i;
		}
	}
	return -1;
}

int
mg_dialect_from_name(const char *name)
{
	if (name == NULL)
		return -1;
	for (int d = 1; d < MG_NDIALECTS; d++)
		if (mg_ci_equal(name, strlen(name), dialect_names[d]))
			return d;
	return -1;
}

bool
mg_script_is_revision(const char *text, size_t len)
{
	cursor c;
	line ln;

	if (text == NULL)
		return false;
	cursor_init(&c, text, len);
	while (cursor_next(&c, &ln))
	{
		const char *v;
		size_t vn;

		if (ln.kind == LK_BLANK)
			continue;
		if (ln.kind != LK_COMMENT)
			return false;
		if (match_key(&ln, &v, &vn) == K_REVISION_ID)
			return true;
	}
	return false;
}

const char *
mg_script_text(const mg_script *s)
{
	return s->src != NULL ? s->src->text : NULL;
}

const char *
mg_script_doc(const mg_script *s)
{
	return s->src != NULL && s->src->doc != NULL ? s->src->doc : s->message;
}

const char *
mg_script_create_date(const mg_script *s)
{
	return s->src != NULL && s->src->create_date != NULL ? s->src->create_date : "";
}

bool
mg_script_has_body(const mg_script *s, bool upgrade)
{
	return (s->body_dirs & (upgrade ? MG_BODY_UP : MG_BODY_DOWN)) != 0;
}

const char *
mg_script_body(const mg_script *s, bool upgrade, int dialect)
{
	const char *const *sec;

	if (s->src == NULL)
		return NULL;
	sec = upgrade ? s->src->upgrade : s->src->downgrade;

	if (dialect > MG_DIALECT_ANY && dialect < MG_NDIALECTS && sec[dialect] != NULL)
		return sec[dialect];
	return sec[MG_DIALECT_ANY];
}

/* ---- errors ---------------------------------------------------------- */

/* Where a line is, for messages: "\"x.sql\", line 3" or "line 3". */
static void
where(char *buf, size_t cap, const char *filename, int no)
{
	if (filename[0])
		snprintf(buf, cap, "\"%s\", line %d", filename, no);
	else
		snprintf(buf, cap, "line %d", no);
}

static int
err_missing_key(mg_ctx *ctx, const char *filename, int key)
{
	if (filename[0])
		mg_error_set(ctx, MG_EINPUT, MG_STATE_SYNTAX,
					 "revision script \"%s\" has no \"%s\" line", filename, key_names[key]);
	else
		mg_error_set(ctx, MG_EINPUT, MG_STATE_SYNTAX,
					 "revision script has no \"%s\" line", key_names[key]);
	if (key == K_REVISION_ID)
	{
		mg_error_detail(ctx, "A revision script starts with a block of \"--\" comment lines that holds its \"Revision ID\" and \"Revises\" lines.");
		mg_error_hint(ctx, "Add a line \"-- Revision ID: <id>\" to the header, before the first \"-- migrate:\" section.");
	}
	else
		mg_error_hint(ctx, "Add a line \"-- Revises: <parent revision id>\" to the header, or write \"-- Revises:\" with nothing after it for a new base.");
	return MG_EINPUT;
}

static int
err_bad_id(mg_ctx *ctx, const char *filename, int no, const char *id, size_t n)
{
	char loc[320];

	where(loc, sizeof(loc), filename, no);
	mg_error_set(ctx, MG_EINPUT, MG_STATE_SYNTAX,
				 "invalid revision id \"%.*s\" in %s", (int) (n > 100 ? 100 : n), id, loc);
	mg_error_detail(ctx, "A revision id is 1 to 32 characters, each an ASCII letter, a digit or \"_\" (Alembic forbids \"@\", \"-\", \"+\" and \":\" in ids).");
	return MG_EINPUT;
}

/* ---- the header's key rule --------------------------------------------- */

/* The longest name that can be a key: longer "Name:" text is free text. */
#define KEY_SHAPE_MAX 40

/*
 * Is the comment line shaped as a key line, "Name: value"?  The name is
 * one to three words of ASCII letters and digits, the first character a
 * letter, the words joined by one " ", "-" or "_"; blanks may stand
 * before the colon; the value after it is not empty.  Sets the name's
 * span.  (Known keys are matched by match_key, which accepts an empty
 * value too.)
 */
static bool
key_shaped(const line *ln, const char **name, size_t *nlen)
{
	const char *s = ln->body, *e = ln->body + ln->blen, *p, *end;
	int words = 1;

	while (s < e && is_blank(*s))
		s++;
	p = s;
	if (p == e || !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return false;
	for (; p < e; p++)
	{
		char c = *p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			continue;
		if ((c == ' ' || c == '-' || c == '_') && p + 1 < e &&
			((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z') ||
			 (p[1] >= '0' && p[1] <= '9')))
		{
			if (++words > 3)
				return false;
			continue;
		}
		break;
	}
	end = p;
	while (p < e && is_blank(*p))
		p++;
	if (p == e || *p != ':' || end - s > KEY_SHAPE_MAX)
		return false;
	p++;
	/* "http://..." and "10:30" are not keys: a blank, then a value */
	if (p == e || !is_blank(*p))
		return false;
	while (p < e && is_blank(*p))
		p++;
	if (p == e)
		return false;
	*name = s;
	*nlen = (size_t) (end - s);
	return true;
}

/*
 * Edit distance (insertions, deletions, substitutions and swaps of two
 * neighbours) between a name, folded to lower case with "-" and "_" read
 * as blanks, and a lower-case known key; names are at most
 * KEY_SHAPE_MAX bytes.
 */
static int
key_distance(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	int d[KEY_SHAPE_MAX + 1][KEY_SHAPE_MAX + 1];
	char fa[KEY_SHAPE_MAX];

	for (size_t i = 0; i < an; i++)
		fa[i] = (a[i] == '-' || a[i] == '_') ? ' ' : (char) mg_fold_ascii((unsigned char) a[i]);
	for (size_t i = 0; i <= an; i++)
		d[i][0] = (int) i;
	for (size_t j = 0; j <= bn; j++)
		d[0][j] = (int) j;
	for (size_t i = 1; i <= an; i++)
		for (size_t j = 1; j <= bn; j++)
		{
			int best = d[i - 1][j - 1] + (fa[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && fa[i - 1] == b[j - 2] && fa[i - 2] == b[j - 1] &&
				d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[an][bn];
}

/* The known key nearest to a name; *dist its distance. */
static int
nearest_key(const char *name, size_t n, int *dist)
{
	int best = 0;

	*dist = key_distance(name, n, key_lower[0]);
	for (int i = 1; i < K_COUNT; i++)
	{
		int d = key_distance(name, n, key_lower[i]);

		if (d < *dist)
		{
			*dist = d;
			best = i;
		}
	}
	return best;
}

/* A misspelt key: within two edits of a known key (one for "Tags"). */
static bool
near_miss(int key, int dist)
{
	return dist <= (key_lens[key] >= 7 ? 2 : 1);
}

static int
err_unknown_key(mg_ctx *ctx, const char *filename, const line *ln, const char *name,
				size_t n, int key, bool near)
{
	char loc[320];

	where(loc, sizeof(loc), filename, ln->no);
	mg_error_set(ctx, MG_EINPUT, MG_STATE_SYNTAX, "unknown header key \"%.*s\" in %s",
				 (int) n, name, loc);
	mg_error_detail(ctx, "The nearest known key is \"%s\". The known keys are Revision ID, Revises, Create Date, Branch Labels, Depends On, Tags and Transactional.",
					key_names[key]);
	if (near)
		mg_error_hint(ctx, "Write \"-- %s: ...\" if that is what you meant. Nothing was changed.",
					  key_names[key]);
	else
		mg_error_hint(ctx, "A \"Name: value\" line among the header's key lines must be a known key. Move free text above the keys, separated from them by an empty \"--\" line. Nothing was changed.");
	return MG_EINPUT;
}

/*
 * What the header's key rule sees in a text: which known keys it has
 * (bits 1 << K_*), and the first unknown key line that breaks the rule
 * (no > 0), with its nearest known key.
 */
typedef struct header_scan
{
	unsigned keys;
	line bad;
	const char *bad_name;
	size_t bad_len;
	int bad_key;
} header_scan;

/*
 * Read the header (up to the first section marker or statement) and
 * apply the key rule: an unknown key line ("Name: value", see
 * key_shaped) is wrong when it is within two edits of a known key, or
 * when it sits in a paragraph of the header (comment lines between
 * empty ones) that holds a known key line, unless it is the header's
 * first line: that is the message, as the first line of Alembic's
 * docstring.  Every other line is free text.  Allocates nothing; ctx
 * (may be NULL) is asked whether to stop once per line.
 */
static int
scan_header(header_scan *hs, mg_ctx *ctx, const char *text, size_t len)
{
	cursor c;
	line ln;
	bool first = true, para_keys = false;
	line pending;
	const char *pname = NULL;
	size_t plen = 0;
	int pkey = 0;
	int rc;

	memset(hs, 0, sizeof(*hs));
	pending.no = 0;
	if (text == NULL)
		return MG_OK;
	cursor_init(&c, text, len);
	for (;;)
	{
		bool more = cursor_next(&c, &ln);
		/* classify trims a comment's end: an empty "--" line has no body */
		bool para_end = !more || ln.kind != LK_COMMENT || ln.blen == 0;

		if (ctx != NULL && (rc = mg_interrupt_check(ctx)) != MG_OK)
			return rc;
		if (para_end)
		{
			/* a paragraph with a key line: its unknown key line is wrong */
			if (para_keys && pending.no > 0 && hs->bad.no == 0)
			{
				hs->bad = pending;
				hs->bad_name = pname;
				hs->bad_len = plen;
				hs->bad_key = pkey;
			}
			pending.no = 0;
			para_keys = false;
			if (!more || ln.kind == LK_MARKER || ln.kind == LK_OTHER)
				return MG_OK;
			continue;
		}
		{
			const char *v, *name;
			size_t vn, nlen;
			int key = match_key(&ln, &v, &vn), dist, near;

			if (key >= 0)
			{
				hs->keys |= 1u << key;
				para_keys = true;
			}
			else if (key_shaped(&ln, &name, &nlen))
			{
				near = nearest_key(name, nlen, &dist);
				if (near_miss(near, dist) && hs->bad.no == 0)
				{
					hs->bad = ln;
					hs->bad_name = name;
					hs->bad_len = nlen;
					hs->bad_key = near;
				}
				else if (!first && pending.no == 0)
				{
					pending = ln;
					pname = name;
					plen = nlen;
					pkey = near;
				}
			}
			first = false;
		}
	}
}

int
mg_script_check_header(mg_ctx *ctx, const char *text, size_t len, const char *filename)
{
	header_scan hs;
	int rc;

	if (filename == NULL)
		filename = "";
	if ((rc = scan_header(&hs, ctx, text, len)) != MG_OK)
		return rc;
	if (hs.bad.no > 0)
	{
		int dist;

		nearest_key(hs.bad_name, hs.bad_len, &dist);
		return err_unknown_key(ctx, filename, &hs.bad, hs.bad_name, hs.bad_len, hs.bad_key,
							   near_miss(hs.bad_key, dist));
	}
	return MG_OK;
}

bool
mg_script_looks_like_revision(const char *text, size_t len)
{
	header_scan hs;

	/* without a context nothing can stop the scan: it always succeeds */
	if (text == NULL || scan_header(&hs, NULL, text, len) != MG_OK)
		return false;
	return hs.keys != 0 || hs.bad.no > 0;
}

/* ---- parsing ---------------------------------------------------------- */

/* Parser state beyond the script itself. */
typedef struct parser
{
	mg_ctx *ctx;
	mg_script *s;
	const char *filename;
	bool keep;                  /* copy what is found into s; else only spans */
	int key_line[K_COUNT];      /* line of each key, 0 when not seen */
	mg_buf doc;                 /* the doc once it has a second line */
	bool doc_one;               /* the doc so far is one line: the message */
	bool doc_break;             /* an empty line is pending in the doc */
	int section_line[2][MG_NDIALECTS];
	/* without keep: the Revision ID and the sections, as spans of the text */
	const char *id;
	size_t idlen;
	const char *sec[2][MG_NDIALECTS];
	size_t seclen[2][MG_NDIALECTS];
} parser;

/* A revision id span: 1 to 32 of [A-Za-z0-9_] (mg_valid_rev_id on a span). */
static bool
valid_id_span(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
	{
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return n >= 1 && n <= 32;
}

/*
 * Split a comma-separated value into arena strings, as mg_split_list
 * does (blanks trimmed, empty items dropped), in one block: the array,
 * then the items.  No items: *items NULL.
 */
static int
parse_list(mg_ctx *ctx, const char *v, size_t vn, const char ***items, uint32_t *n)
{
	const char *end, *p;
	size_t count = 0, bytes = 0;
	const char **list = NULL;
	char *pool = NULL;

	*items = NULL;
	*n = 0;
	end = memchr(v, '\0', vn);     /* the value ends at a NUL, as a copy would */
	if (end == NULL)
		end = v + vn;
	for (int pass = 0; pass < 2; pass++)
	{
		size_t i = 0;

		for (p = v; p < end;)
		{
			const char *comma = memchr(p, ',', (size_t) (end - p));
			const char *a = p, *b = comma ? comma : end;

			while (a < b && (*a == ' ' || *a == '\t'))
				a++;
			while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
				b--;
			p = comma ? comma + 1 : end;
			if (b == a)
				continue;
			if (pass == 0)
			{
				count++;
				bytes += (size_t) (b - a) + 1;
				continue;
			}
			memcpy(pool, a, (size_t) (b - a));
			pool[b - a] = '\0';
			list[i++] = pool;
			pool += b - a + 1;
		}
		if (pass == 1 || count == 0)
			break;
		list = mg_alloc(ctx, count * sizeof(char *) + bytes);
		if (list == NULL)
			return MG_ENOMEM;
		pool = (char *) (list + count);
	}
	if (count > 0)
	{
		*items = list;
		*n = (uint32_t) count;     /* a header line of 4 G items cannot be read in */
	}
	return MG_OK;
}

/*
 * Check a list of revision ids in place, item by item as mg_split_list
 * cuts them (blanks trimmed, empty items dropped), without copying.
 */
static int
check_id_list(parser *ps, const line *ln, const char *v, size_t vn)
{
	const char *end = v + vn;

	while (v < end)
	{
		const char *comma = memchr(v, ',', (size_t) (end - v));
		const char *a = v, *b = comma ? comma : end;

		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
			b--;
		if (b > a && !valid_id_span(a, (size_t) (b - a)))
			return err_bad_id(ps->ctx, ps->filename, ln->no, a, (size_t) (b - a));
		v = comma ? comma + 1 : end;
	}
	return MG_OK;
}

/* Split a list of revision ids, checking each one. */
static int
parse_id_list(parser *ps, const line *ln, const char *v, size_t vn,
			  const char ***items, uint32_t *n)
{
	const char **list;
	uint32_t count;
	int rc;

	if (!ps->keep)
		return check_id_list(ps, ln, v, vn);
	rc = parse_list(ps->ctx, v, vn, &list, &count);
	if (rc != MG_OK)
		return rc;
	for (uint32_t i = 0; i < count; i++)
		if (!mg_valid_rev_id(list[i]))
			return err_bad_id(ps->ctx, ps->filename, ln->no, list[i], strlen(list[i]));
	*items = list;
	*n = count;
	return MG_OK;
}

static int
parse_key(parser *ps, const line *ln, int key, const char *v, size_t vn)
{
	mg_ctx *ctx = ps->ctx;
	mg_script *s = ps->s;
	char loc[320];

	if (ps->key_line[key] != 0)
	{
		where(loc, sizeof(loc), ps->filename, ln->no);
		mg_error_set(ctx, MG_EINPUT, MG_STATE_SYNTAX,
					 "duplicate \"%s\" line in %s", key_names[key], loc);
		mg_error_detail(ctx, "The first \"%s\" line is line %d.", key_names[key],
						ps->key_line[key]);
		mg_error_hint(ctx, "Keep one \"%s\" line.", key_names[key]);
		return MG_EINPUT;
	}
	ps->key_line[key] = ln->no;

	switch (key)
	{
		case K_REVISION_ID:
			if (vn == 0 || vn > 32)
				return err_bad_id(ctx, ps->filename, ln->no, v, vn);
			if (!ps->keep)
			{
				if (!valid_id_span(v, vn))
					return err_bad_id(ctx, ps->filename, ln->no, v, vn);
				ps->id = v;
				ps->idlen = vn;
				return MG_OK;
			}
			s->id = mg_strndup(ctx, v, vn);
			if (s->id == NULL)
				return MG_ENOMEM;
			if (!mg_valid_rev_id(s->id))
			{
				s->id = NULL;
				return err_bad_id(ctx, ps->filename, ln->no, v, vn);
			}
			return MG_OK;

		case K_REVISES:
			/* Empty or "<base>": a base. */
			if (vn == 6 && memcmp(v, "<base>", 6) == 0)
				return MG_OK;
			return parse_id_list(ps, ln, v, vn, &s->down, &s->ndown);

		case K_DEPENDS_ON:
			return parse_id_list(ps, ln, v, vn, &s->deps, &s->ndeps);

		case K_BRANCH_LABELS:
			if (!ps->keep)
				return MG_OK;
			return parse_list(ctx, v, vn, &s->labels, &s->nlabels);

		case K_TAGS:
			if (!ps->keep)
				return MG_OK;
			return parse_list(ctx, v, vn, &s->tags, &s->ntags);

		case K_CREATE_DATE:
			if (!ps->keep)
				return MG_OK;
			s->src->create_date = mg_strndup(ctx, v, vn);
			return s->src->create_date ? MG_OK : MG_ENOMEM;

		case K_TRANSACTIONAL:
			if (mg_ci_equal(v, vn, "false") || mg_ci_equal(v, vn, "no") ||
				mg_ci_equal(v, vn, "0") || mg_ci_equal(v, vn, "off"))
				s->transactional = false;
			else if (mg_ci_equal(v, vn, "true") || mg_ci_equal(v, vn, "yes") ||
					 mg_ci_equal(v, vn, "1") || mg_ci_equal(v, vn, "on"))
				s->transactional = true;
			else
			{
				where(loc, sizeof(loc), ps->filename, ln->no);
				mg_error_set(ctx, MG_EINPUT, MG_STATE_SYNTAX,
							 "invalid \"Transactional\" value \"%.*s\" in %s",
							 (int) (vn > 100 ? 100 : vn), v, loc);
				mg_error_detail(ctx, "The value is true, yes, on or 1, or false, no, off or 0.");
				mg_error_hint(ctx, "Write \"-- Transactional: false\" for a step that cannot run inside a transaction, or remove the line.");
				return MG_EINPUT;
			}
			return MG_OK;
	}
	return MG_OK;
}

/*
 * A free-text header line: the message when it is the first non-empty
 * one, and a line of the doc.
 */
static int
add_free_text(parser *ps, const line *ln)
{
	const char *t = ln->body;
	size_t n = ln->blen;

	if (!ps->keep)
		return MG_OK;

	/*
	 * The line is already trimmed at its end (classify).  Drop the one
	 * blank after "--"; keep further indentation.
	 */
	if (n > 0 && (t[0] == ' ' || t[0] == '\t'))
	{
		t++;
		n--;
	}
	if (ps->doc.len == 0 && !ps->doc_one)
		trim(&t, &n);
	if (n == 0)
	{
		ps->doc_break = true;
		return MG_OK;
	}
	if (ps->s->message[0] == '\0')
	{
		const char *m = t;
		size_t mn = n;

		trim(&m, &mn);
		ps->s->message = mg_strndup(ps->ctx, m, mn);
		if (ps->s->message == NULL)
			return MG_ENOMEM;
	}
	if (ps->doc.len == 0 && !ps->doc_one)
	{
		/* a one-line doc is the message itself: no copy of its own */
		ps->doc_one = true;
		ps->doc_break = false;
		return MG_OK;
	}
	if (ps->doc_one)
	{
		mg_buf_puts(&ps->doc, ps->s->message);
		ps->doc_one = false;
	}
	mg_buf_putc(&ps->doc, '\n');
	if (ps->doc_break)
		mg_buf_putc(&ps->doc, '\n');
	ps->doc_break = false;
	mg_buf_putn(&ps->doc, t, n);
	return ps->doc.failed ? MG_ENOMEM : MG_OK;
}

/* The header is complete: check its required keys and keep the doc. */
static int
finish_header(parser *ps)
{
	char *doc;

	if (ps->key_line[K_REVISION_ID] == 0)
		return err_missing_key(ps->ctx, ps->filename, K_REVISION_ID);
	if (ps->key_line[K_REVISES] == 0)
		return err_missing_key(ps->ctx, ps->filename, K_REVISES);
	if (!ps->keep)
		return MG_OK;
	if (ps->doc_one)
	{
		ps->s->src->doc = ps->s->message;
		return MG_OK;
	}
	if (ps->doc.len == 0)
		return MG_OK;           /* no free text: the doc stays "" */
	if (mg_buf_finish(&ps->doc, &doc) != MG_OK)
		return MG_ENOMEM;
	ps->s->src->doc = doc;
	return MG_OK;
}

/*
 * Read a marker's direction and dialect.  Returns MG_OK with *up and
 * *dialect set, or an error naming the line.
 */
static int
parse_marker(parser *ps, const line *ln, bool *up, int *dialect)
{
	const char *s = ln->body, *end = ln->body + ln->blen;
	const char *w = s, *d;
	size_t wn, dn;
	char loc[320];

	while (s < end && !is_blank(*s))
		s++;
	wn = (size_t) (s - w);
	while (s < end && is_blank(*s))
		s++;
	d = s;
	while (s < end && !is_blank(*s))
		s++;
	dn = (size_t) (s - d);
	while (s < end && is_blank(*s))
		s++;

	/* loc is formatted only for an error: every script has markers */
	*up = wn == 7 && ci_same(w, "upgrade", 7);
	if (!(*up || (wn == 9 && ci_same(w, "downgrade", 9))) || s < end)
	{
		const char *t = ln->p;
		size_t tn = ln->len;

		trim(&t, &tn);
		where(loc, sizeof(loc), ps->filename, ln->no);
		mg_error_set(ps->ctx, MG_EINPUT, MG_STATE_SYNTAX,
					 "invalid section marker \"%.*s\" at %s",
					 (int) (tn > 100 ? 100 : tn), t, loc);
		mg_error_hint(ps->ctx, "A section starts with a line \"-- migrate:upgrade\" or \"-- migrate:downgrade\", optionally followed by a dialect (\"sqlite\" or \"postgresql\").");
		return MG_EINPUT;
	}
	*dialect = MG_DIALECT_ANY;
	if (dn > 0)
	{
		*dialect = -1;
		for (int i = 1; i < MG_NDIALECTS; i++)
			if (mg_ci_equal(d, dn, dialect_names[i]))
				*dialect = i;
		if (*dialect < 0)
		{
			where(loc, sizeof(loc), ps->filename, ln->no);
			mg_error_set(ps->ctx, MG_EINPUT, MG_STATE_SYNTAX,
						 "unknown dialect \"%.*s\" in section marker at %s",
						 (int) (dn > 100 ? 100 : dn), d, loc);
			mg_error_detail(ps->ctx, "The known dialects are \"sqlite\" and \"postgresql\".");
			mg_error_hint(ps->ctx, "Write \"-- migrate:%s\" with no dialect for SQL that runs on every database.",
						  *up ? "upgrade" : "downgrade");
			return MG_EINPUT;
		}
	}
	if (ps->section_line[*up ? 0 : 1][*dialect] != 0)
	{
		where(loc, sizeof(loc), ps->filename, ln->no);
		mg_error_set(ps->ctx, MG_EINPUT, MG_STATE_SYNTAX,
					 "repeated section \"-- migrate:%s%s%s\" at %s",
					 *up ? "upgrade" : "downgrade", *dialect ? " " : "",
					 dialect_names[*dialect], loc);
		mg_error_detail(ps->ctx, "The same section starts at line %d.",
						ps->section_line[*up ? 0 : 1][*dialect]);
		mg_error_hint(ps->ctx, "Merge the two sections into one.");
		return MG_EINPUT;
	}
	ps->section_line[*up ? 0 : 1][*dialect] = ln->no;
	return MG_OK;
}

/*
 * The section [from, to) ends: trailing blanks and newlines are dropped,
 * and the text is copied into s (keep) or kept as a span.
 */
static int
end_section(parser *ps, bool up, int dialect, const char *from, const char *to)
{
	const char *t;

	while (to > from && (is_blank(to[-1]) || to[-1] == '\n'))
		to--;
	if (!ps->keep)
	{
		ps->sec[up ? 0 : 1][dialect] = from;
		ps->seclen[up ? 0 : 1][dialect] = (size_t) (to - from);
		return MG_OK;
	}
	t = mg_strndup(ps->ctx, from, (size_t) (to - from));
	if (t == NULL)
		return MG_ENOMEM;
	if (up)
		ps->s->src->upgrade[dialect] = t;
	else
		ps->s->src->downgrade[dialect] = t;
	return MG_OK;
}

/* Read the header and the sections of text into ps (see parser.keep). */
static int
run_parser(parser *ps, const char *text, size_t len)
{
	mg_ctx *ctx = ps->ctx;
	cursor c;
	line ln;
	bool in_body = false;
	bool up = true;
	int dialect = MG_DIALECT_ANY;
	const char *sec_start = NULL;
	int rc;

	cursor_init(&c, text, len);
	while (cursor_next(&c, &ln))
	{
		if (ln.kind == LK_MARKER)
		{
			if (!in_body)
			{
				rc = finish_header(ps);
				if (rc != MG_OK)
					return rc;
				in_body = true;
			}
			else if ((rc = end_section(ps, up, dialect, sec_start, ln.p)) != MG_OK)
				return rc;
			rc = parse_marker(ps, &ln, &up, &dialect);
			if (rc != MG_OK)
				return rc;
			sec_start = c.pos;
			continue;
		}
		if (in_body)
			continue;
		if (ln.kind == LK_BLANK)
		{
			ps->doc_break = true;
			continue;
		}
		if (ln.kind == LK_OTHER)
		{
			char loc[320];

			where(loc, sizeof(loc), ps->filename, ln.no);
			mg_error_set(ctx, MG_EINPUT, MG_STATE_SYNTAX,
						 "statement outside a -- migrate:upgrade / -- migrate:downgrade section in %s",
						 loc);
			mg_error_hint(ctx, "Put the statements after a line \"-- migrate:upgrade\", and the statements that undo them after a line \"-- migrate:downgrade\".");
			return MG_EINPUT;
		}
		{
			const char *v;
			size_t vn;
			int key = match_key(&ln, &v, &vn);

			rc = key >= 0 ? parse_key(ps, &ln, key, v, vn) : add_free_text(ps, &ln);
			if (rc != MG_OK)
				return rc;
		}
	}
	if (in_body)
		return end_section(ps, up, dialect, sec_start, c.end);
	return finish_header(ps);
}

int
mg_script_parse(mg_script **out, mg_ctx *ctx, const char *text, size_t len,
				const char *filename)
{
	parser ps;
	mg_script *s;
	char *copy;
	int rc;

	*out = NULL;
	if (filename == NULL)
		filename = "";
	if (text == NULL)
		len = 0;
	if (!mg_script_is_revision(text, len))
		return err_missing_key(ctx, filename, K_REVISION_ID);

	s = mg_alloc(ctx, sizeof(*s));
	if (s == NULL || (s->src = mg_alloc(ctx, sizeof(*s->src))) == NULL)
		return MG_ENOMEM;
	copy = mg_strndup(ctx, text, len);
	if (copy == NULL)
		return MG_ENOMEM;
	s->src->text = copy;
	s->filename = mg_strdup(ctx, filename);
	if (s->filename == NULL)
		return MG_ENOMEM;
	mg_checksum(copy, len, s->checksum);
	s->message = "";
	s->src->doc = "";
	s->src->create_date = "";
	s->transactional = true;
	s->body_dirs = MG_BODY_BOTH;

	memset(&ps, 0, sizeof(ps));
	ps.ctx = ctx;
	ps.s = s;
	ps.filename = s->filename;
	ps.keep = true;
	mg_buf_init(&ps.doc, ctx);
	rc = run_parser(&ps, copy, len);
	if (rc != MG_OK)
		return rc;
	*out = s;
	return MG_OK;
}

/* The section a run takes for a direction: the dialect's own, else the plain one. */
static int
pick_section(const parser *ps, int dir, int dialect)
{
	if (dialect > MG_DIALECT_ANY && dialect < MG_NDIALECTS && ps->sec[dir][dialect] != NULL)
		return dialect;
	return MG_DIALECT_ANY;
}

/*
 * Run the parser over the text of revision id without copying anything:
 * ps gets the sections as spans of the text, *transactional the
 * script's flag.  The same checks and errors as mg_script_parse, and
 * MG_EINPUT (MG_STATE_SYNTAX) when the text declares another revision.
 */
static int
scan_text(parser *ps, bool *transactional, mg_ctx *ctx, const char *text, size_t len,
		  const char *id, const char *filename)
{
	mg_script tmp;
	int rc;

	if (text == NULL)
	{
		text = "";
		len = 0;
	}
	memset(&tmp, 0, sizeof(tmp));
	tmp.transactional = true;
	memset(ps, 0, sizeof(*ps));
	ps->ctx = ctx;
	ps->s = &tmp;
	ps->filename = filename;
	ps->keep = false;
	/*
	 * Without keep the parser allocates nothing, so the header is read
	 * once: only a failure asks whether the text is a revision at all,
	 * whose error comes first (as in mg_script_parse).  A parse that
	 * succeeds has found a Revision ID line in the header.
	 */
	rc = run_parser(ps, text, len);
	if (rc != MG_OK)
	{
		/* err_missing_key replaces the parser's error entirely */
		if (rc != MG_ENOMEM && !mg_script_is_revision(text, len))
			return err_missing_key(ctx, filename, K_REVISION_ID);
		return rc;
	}
	if (id == NULL || strlen(id) != ps->idlen || memcmp(id, ps->id, ps->idlen) != 0)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_SYNTAX,
					 "script of revision \"%s\" declares revision \"%.*s\"",
					 id != NULL ? id : "", (int) ps->idlen, ps->id);
		if (filename[0])
			mg_error_detail(ctx, "Its \"Revision ID\" line (file \"%s\") names another revision.", filename);
		mg_error_hint(ctx, "Load the script again with migrate_load() or migrate_add().");
		return MG_EINPUT;
	}
	*transactional = tmp.transactional;
	return MG_OK;
}

int
mg_script_load_bodies(mg_script *s, mg_ctx *ctx, const char *text, size_t len, int dialect,
					  unsigned dirs)
{
	const char *filename = s->filename != NULL ? s->filename : "";
	parser ps;
	const char *body[2] = {NULL, NULL};
	mg_script_source *sec;
	bool transactional;
	int pick[2];
	int rc;

	if (text == NULL)
		len = 0;
	if ((rc = scan_text(&ps, &transactional, ctx, text, len, s->id, filename)) != MG_OK)
		return rc;
	for (int dir = 0; dir < 2; dir++)
	{
		pick[dir] = pick_section(&ps, dir, dialect);
		/* a direction the command does not run is not kept */
		if (!(dirs & (dir == 0 ? MG_BODY_UP : MG_BODY_DOWN)))
			continue;
		if (ps.sec[dir][pick[dir]] != NULL &&
			(body[dir] = mg_strndup(ctx, ps.sec[dir][pick[dir]], ps.seclen[dir][pick[dir]])) == NULL)
			return MG_ENOMEM;
	}
	sec = s->src != NULL ? s->src : mg_alloc(ctx, sizeof(*sec));
	if (sec == NULL)
		return MG_ENOMEM;
	/* nothing can fail from here on: s changes all at once */
	memset(sec, 0, sizeof(*sec));
	sec->upgrade[pick[0]] = body[0];
	sec->downgrade[pick[1]] = body[1];
	s->src = sec;
	mg_checksum(text, len, s->checksum);
	s->transactional = transactional;
	s->body_dirs = (uint8_t) (dirs & MG_BODY_BOTH);
	return MG_OK;
}

int
mg_script_find_body(mg_body_span *out, mg_ctx *ctx, const char *text, size_t len,
					const mg_script *s, bool upgrade, int dialect)
{
	const char *filename = s->filename != NULL ? s->filename : "";
	parser ps;
	int dir = upgrade ? 0 : 1, pick, rc;

	memset(out, 0, sizeof(*out));
	if ((rc = scan_text(&ps, &out->transactional, ctx, text, len, s->id, filename)) != MG_OK)
		return rc;
	pick = pick_section(&ps, dir, dialect);
	out->text = ps.sec[dir][pick];
	out->len = out->text != NULL ? ps.seclen[dir][pick] : 0;
	return MG_OK;
}
