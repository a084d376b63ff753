/*
 * sqlsplit.c -- statement boundaries in a SQL body.
 *
 * mg_sql_split finds the ';' that end statements, the way the database
 * itself would: a ';' counts only outside
 *
 *   - string literals '...' ('' inside is a quote; PostgreSQL E'...'
 *     strings also take backslash escapes), quoted identifiers "..." and
 *     `...`, and (SQLite only) [...] identifiers;
 *   - comments: "--" to the end of the line and / * ... * / (nested in
 *     PostgreSQL, as its lexer does);
 *   - PostgreSQL dollar quotes $tag$ ... $tag$ (dialects postgresql and
 *     any).  A tag is "$", an optional identifier that does not start
 *     with a digit, and "$"; so "$1" is a parameter, and a "$" inside an
 *     identifier (a$b) starts nothing;
 *   - SQLite trigger bodies: CREATE [TEMP|TEMPORARY] TRIGGER ... BEGIN ...
 *     END continues across ';' until a ';' right after the keyword END
 *     that itself follows a ';' -- exactly sqlite3_complete()'s state
 *     machine (src/complete.c), so "CASE ... END;" inside a body does not
 *     end it.  For the dialect-neutral body (MG_DIALECT_ANY) a trigger
 *     takes this route only once its BEGIN is seen, so a PostgreSQL
 *     "CREATE TRIGGER ... EXECUTE FUNCTION f();" still ends at its ';'.
 *     PostgreSQL bodies have no trigger rule.
 *
 * Each statement is a slice of the input (no copy): from its first
 * non-blank character (which may start a comment) to the last non-blank
 * character before its ';', or before the end of the text for a last
 * statement without ';'.  Comments inside are kept, so a statement may
 * end with a "--" comment: a caller that appends ';' must start a new
 * line first in that case.  Statements made only of blanks and comments
 * are dropped.  Unterminated quotes and comments run to the end of the
 * text (the database reports them when the statement runs).
 *
 * Memory: the only allocation is the array of slices.  mg_sql_split
 * gives its unused room back; mg_sql_split_reuse fills an array the
 * caller keeps across bodies, so a loop over thousands of bodies needs
 * one array, not one per body.
 */
#include <string.h>

#include "internal.h"

/* Tokens and states of sqlite3_complete(). */
enum { TK_SEMI, TK_WS, TK_OTHER, TK_EXPLAIN, TK_CREATE, TK_TEMP, TK_TRIGGER, TK_END };
enum { ST_INVALID, ST_START, ST_NORMAL, ST_EXPLAIN, ST_CREATE, ST_TRIGGER, ST_SEMI, ST_END };

static const unsigned char trans[8][8] = {
	/* token:         SEMI WS OTHER EXPLAIN CREATE TEMP TRIGGER END */
	/* 0 INVALID */ {1, 0, 2, 3, 4, 2, 2, 2},
	/* 1 START   */ {1, 1, 2, 3, 4, 2, 2, 2},
	/* 2 NORMAL  */ {1, 2, 2, 2, 2, 2, 2, 2},
	/* 3 EXPLAIN */ {1, 3, 3, 2, 4, 2, 2, 2},
	/* 4 CREATE  */ {1, 4, 2, 2, 2, 4, 5, 2},
	/* 5 TRIGGER */ {6, 5, 5, 5, 5, 5, 5, 5},
	/* 6 SEMI    */ {6, 6, 5, 5, 5, 5, 5, 7},
	/* 7 END     */ {1, 7, 5, 5, 5, 5, 5, 5},
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* SQLite's IdChar (PostgreSQL identifiers use the same bytes). */
static bool
is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '$' || (unsigned char) c >= 0x80;
}

/* A dollar-quote tag character; first says whether a digit is allowed. */
static bool
is_tag_char(char c, bool first)
{
	if (c >= '0' && c <= '9')
		return !first;
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		(unsigned char) c >= 0x80;
}

/* The sqlite3_complete token of an identifier-like word. */
static int
word_token(const char *s, size_t n)
{
	if (mg_ci_equal(s, n, "create"))
		return TK_CREATE;
	if (mg_ci_equal(s, n, "temp") || mg_ci_equal(s, n, "temporary"))
		return TK_TEMP;
	if (mg_ci_equal(s, n, "trigger"))
		return TK_TRIGGER;
	if (mg_ci_equal(s, n, "end"))
		return TK_END;
	if (mg_ci_equal(s, n, "explain"))
		return TK_EXPLAIN;
	return TK_OTHER;
}

/* Skip a quoted run opened at s[i]; a doubled close is part of it. */
static size_t
skip_quoted(const char *s, size_t i, char close, bool backslash)
{
	i++;
	while (s[i])
	{
		if (backslash && s[i] == '\\' && s[i + 1])
			i += 2;
		else if (s[i] == close)
		{
			if (s[i + 1] != close)
				return i + 1;
			i += 2;
		}
		else
			i++;
	}
	return i;
}

/* Skip a block comment opened at s[i]; nested when nest. */
static size_t
skip_block_comment(const char *s, size_t i, bool nest)
{
	int depth = 1;

	i += 2;
	while (s[i])
	{
		if (s[i] == '*' && s[i + 1] == '/')
		{
			i += 2;
			if (--depth == 0)
				return i;
		}
		else if (nest && s[i] == '/' && s[i + 1] == '*')
		{
			i += 2;
			depth++;
		}
		else
			i++;
	}
	return i;
}

/*
 * A dollar quote opened at s[i]: returns the index after its closing
 * tag, or 0 when s[i] does not open one.
 */
static size_t
skip_dollar_quote(const char *s, size_t i)
{
	size_t t = i + 1, taglen;
	const char *close;

	while (is_tag_char(s[t], t == i + 1))
		t++;
	if (s[t] != '$')
		return 0;
	taglen = t + 1 - i;
	for (close = s + t + 1; (close = strchr(close, '$')) != NULL; close++)
		if (strncmp(close, s + i, taglen) == 0)
			return (size_t) (close - s) + taglen;
	return strlen(s);
}

/* Record the statement [start, end) with blanks trimmed. */
static int
add_stmt(mg_stmt **out, size_t *n, size_t *cap, mg_ctx *ctx, const char *sql,
		 size_t start, size_t end, int line)
{
	while (end > start && is_space(sql[end - 1]))
		end--;
	if (mg_grow(ctx, out, cap, *n, sizeof(mg_stmt)) != MG_OK)
		return MG_ENOMEM;
	(*out)[*n].text = sql + start;
	(*out)[*n].len = end - start;
	(*out)[*n].line = line;
	(*n)++;
	return MG_OK;
}

int
mg_sql_split(mg_stmt **out, size_t *n, mg_ctx *ctx, const char *sql, int dialect)
{
	size_t cap = 0;
	int rc;

	*out = NULL;
	rc = mg_sql_split_reuse(out, n, &cap, ctx, sql, dialect);
	if (rc != MG_OK)
	{
		*out = NULL;
		return rc;
	}
	/* the newest allocation of the arena gives back the room it did not use */
	if (*out != NULL && cap > *n)
		*out = mg_realloc(ctx, *out, cap * sizeof(mg_stmt), *n * sizeof(mg_stmt));
	if (*out == NULL && cap > 0)
	{
		*n = 0;
		return MG_ENOMEM;
	}
	return MG_OK;
}

int
mg_sql_split_reuse(mg_stmt **out, size_t *n, size_t *cap, mg_ctx *ctx, const char *sql,
				   int dialect)
{
	bool sqlite = dialect == MG_DIALECT_SQLITE;
	bool pg = dialect == MG_DIALECT_POSTGRESQL;
	size_t i = 0;
	size_t start = 0;       /* first non-blank of the statement */
	bool started = false;   /* start is set */
	bool code = false;      /* the statement has more than comments */
	bool begun = false;     /* a trigger's BEGIN was seen (any dialect) */
	int state = ST_START;
	int line = 1;           /* line of sql[counted] */
	size_t counted = 0;

	*n = 0;
	if (sql == NULL)
		return MG_OK;

	while (sql[i])
	{
		char c = sql[i];
		int token = TK_OTHER;
		size_t dq;

		if (is_space(c))
		{
			i++;
			continue;
		}
		if (!started)
		{
			/* Line numbers: count newlines up to the statement's start. */
			for (; counted < i; counted++)
				if (sql[counted] == '\n')
					line++;
			start = i;
			started = true;
		}
		if (c == '-' && sql[i + 1] == '-')
		{
			while (sql[i] && sql[i] != '\n')
				i++;
			continue;
		}
		if (c == '/' && sql[i + 1] == '*')
		{
			i = skip_block_comment(sql, i, pg);
			continue;
		}
		if (c == ';')
		{
			bool in_trigger = !pg && (state == ST_TRIGGER || state == ST_SEMI);

			/* Neutral bodies: a trigger without BEGIN is PostgreSQL's. */
			if (in_trigger && !sqlite && !begun)
				in_trigger = false;
			if (in_trigger)
			{
				state = trans[state][TK_SEMI];
				i++;
				continue;
			}
			if (code && add_stmt(out, n, cap, ctx, sql, start, i, line) != MG_OK)
			{
				*n = 0;
				return MG_ENOMEM;
			}
			if (mg_interrupt_check(ctx) != MG_OK)
			{
				*n = 0;
				return MG_ECANCEL;
			}
			i++;
			started = code = begun = false;
			state = ST_START;
			continue;
		}

		code = true;
		if (c == '\'')
			i = skip_quoted(sql, i, '\'', false);
		else if (c == '"')
			i = skip_quoted(sql, i, '"', false);
		else if (c == '`')
			i = skip_quoted(sql, i, '`', false);
		else if (c == '[' && sqlite)
		{
			const char *close = strchr(sql + i, ']');

			i = close ? (size_t) (close - sql) + 1 : strlen(sql);
		}
		else if (c == '$' && !sqlite && (dq = skip_dollar_quote(sql, i)) != 0)
			i = dq;
		else if (is_ident(c))
		{
			size_t j = i + 1;

			while (is_ident(sql[j]))
				j++;
			if (!sqlite && j == i + 1 && (c == 'E' || c == 'e') && sql[j] == '\'')
			{
				/* PostgreSQL escape string E'...'. */
				i = skip_quoted(sql, j, '\'', true);
			}
			else
			{
				token = word_token(sql + i, j - i);
				if (state == ST_TRIGGER && mg_ci_equal(sql + i, j - i, "begin"))
					begun = true;
				i = j;
			}
		}
		else
			i++;
		if (!pg)
			state = trans[state][token];
	}

	if (code && add_stmt(out, n, cap, ctx, sql, start, i, line) != MG_OK)
	{
		*n = 0;
		return MG_ENOMEM;
	}
	return MG_OK;
}
