/*
 * test_script.c -- the revision script parser (core/script.c).
 *
 * Covers the header keys and their values, message and doc, the body
 * sections per dialect, CRLF and byte-order-mark input, every syntax
 * error (message text, SQLSTATE, and that no script is returned), the
 * cheap revision check, and an out-of-memory sweep that fails every
 * allocation of a parse in turn and checks that nothing leaks.  Also
 * mg_script_load_bodies: the same checks and errors on the same texts,
 * the one section per direction it keeps for a dialect, and that a
 * failure leaves the script as it was.
 */
#include "../../core/internal.h"
#include "oom_sweep.h"
#include "tap.h"

static const char design_example[] =
	"-- add column foo to table bar\n"
	"--\n"
	"-- Revision ID: a2e418ad6a15\n"
	"-- Revises: 6a67bf27e6a6\n"
	"-- Create Date: 2026-11-21 10:00:00.000000\n"
	"-- Branch Labels:\n"
	"-- Depends On:\n"
	"-- Tags: release_22.05\n"
	"\n"
	"-- migrate:upgrade\n"
	"ALTER TABLE bar ADD COLUMN foo TEXT;\n"
	"\n"
	"-- migrate:downgrade\n"
	"ALTER TABLE bar DROP COLUMN foo;\n";

static mg_ctx *
new_ctx(void)
{
	mg_ctx *ctx = NULL;

	if (mg_ctx_new(&ctx, tap_realloc, NULL) != MG_OK)
	{
		printf("Bail out! cannot create a context\n");
		exit(1);
	}
	return ctx;
}

static int
parse(mg_script **s, mg_ctx *ctx, const char *text, const char *filename)
{
	return mg_script_parse(s, ctx, text, strlen(text), filename);
}

/* The last error seen by check_error, for follow-up assertions. */
static mg_error last;

/* A metadata-only script, as the catalog builds it. */
static void
meta_script(mg_script *m, const char *id, const char *filename)
{
	memset(m, 0, sizeof(*m));
	m->id = id;
	m->message = "from the catalog";
	m->filename = filename;
	m->transactional = true;
	snprintf(m->checksum, sizeof(m->checksum), "%s", "0000000000000000");
}

static bool
meta_unchanged(const mg_script *m)
{
	return m->src == NULL && m->body_dirs == 0 && m->transactional && strcmp(m->checksum, "0000000000000000") == 0 &&
		strcmp(m->message, "from the catalog") == 0;
}

/*
 * Parse text that must fail with MG_EINPUT / 42601 and message want;
 * mg_script_load_bodies must fail on it the same way.
 */
static void
check_error(const char *name, const char *text, const char *filename, const char *want)
{
	mg_ctx *ctx = new_ctx();
	mg_script *s = (mg_script *) &last;
	mg_script meta;
	int rc = parse(&s, ctx, text, filename);

	last = *mg_ctx_error(ctx);
	is_int(rc, MG_EINPUT, "%s: fails with MG_EINPUT", name);
	is_str(last.sqlstate, MG_STATE_SYNTAX, "%s: SQLSTATE 42601", name);
	is_str(last.message, want, "%s: message", name);
	ok(s == NULL, "%s: no script returned", name);
	mg_ctx_free(ctx);

	ctx = new_ctx();
	meta_script(&meta, "abc", filename != NULL ? filename : "");
	rc = mg_script_load_bodies(&meta, ctx, text, strlen(text), MG_DIALECT_SQLITE, MG_BODY_BOTH);
	is_int(rc, MG_EINPUT, "%s: bodies: MG_EINPUT", name);
	is_str(mg_ctx_error(ctx)->message, want, "%s: bodies: the same message", name);
	is_str(mg_ctx_error(ctx)->detail, last.detail, "%s: bodies: the same detail", name);
	ok(meta_unchanged(&meta), "%s: bodies: the script is left as it was", name);
	mg_ctx_free(ctx);

	ctx = new_ctx();
	{
		mg_body_span span;

		rc = mg_script_find_body(&span, ctx, text, strlen(text), &meta, true, MG_DIALECT_SQLITE);
		is_int(rc, MG_EINPUT, "%s: find_body: MG_EINPUT", name);
		is_str(mg_ctx_error(ctx)->message, want, "%s: find_body: the same message", name);
		is_str(mg_ctx_error(ctx)->detail, last.detail, "%s: find_body: the same detail", name);
	}
	mg_ctx_free(ctx);
}

static void
test_design_example(void)
{
	mg_ctx *ctx = new_ctx();
	mg_script *s = NULL;
	char sum[17];
	int rc = parse(&s, ctx, design_example, "versions_gxy/a2e418ad6a15_add_foo.sql");

	is_int(rc, MG_OK, "example: parses");
	if (s == NULL)
	{
		mg_ctx_free(ctx);
		return;
	}
	is_str(s->id, "a2e418ad6a15", "example: Revision ID");
	is_int(s->ndown, 1, "example: one down revision");
	is_str(s->down[0], "6a67bf27e6a6", "example: Revises");
	is_str(mg_script_create_date(s), "2026-11-21 10:00:00.000000", "example: Create Date");
	is_int(s->nlabels, 0, "example: empty Branch Labels gives no label");
	is_int(s->ndeps, 0, "example: empty Depends On gives no dependency");
	is_int(s->ntags, 1, "example: one tag");
	is_str(s->tags[0], "release_22.05", "example: the tag");
	is_str(s->message, "add column foo to table bar", "example: message");
	is_str(mg_script_doc(s), "add column foo to table bar", "example: doc");
	ok(s->transactional, "example: transactional by default");
	is_str(s->filename, "versions_gxy/a2e418ad6a15_add_foo.sql", "example: file name kept");
	is_str(mg_script_text(s), design_example, "example: full text kept");
	ok(mg_script_text(s) != design_example, "example: text is a copy");
	mg_checksum(design_example, strlen(design_example), sum);
	is_str(s->checksum, sum, "example: checksum over the full text");
	ok(s->body_dirs == MG_BODY_BOTH, "example: both bodies");
	is_str(s->src->upgrade[MG_DIALECT_ANY], "ALTER TABLE bar ADD COLUMN foo TEXT;",
		   "example: upgrade section, trailing blank lines trimmed");
	is_str(s->src->downgrade[MG_DIALECT_ANY], "ALTER TABLE bar DROP COLUMN foo;",
		   "example: downgrade section");
	ok(s->src->upgrade[MG_DIALECT_SQLITE] == NULL && s->src->upgrade[MG_DIALECT_POSTGRESQL] == NULL,
	   "example: no dialect-specific upgrade");
	is_str(mg_script_body(s, true, MG_DIALECT_SQLITE), "ALTER TABLE bar ADD COLUMN foo TEXT;",
		   "example: sqlite falls back to the plain upgrade");
	is_str(mg_script_body(s, false, MG_DIALECT_POSTGRESQL), "ALTER TABLE bar DROP COLUMN foo;",
		   "example: postgresql falls back to the plain downgrade");
	mg_ctx_free(ctx);
}

static void
test_lists_and_bases(void)
{
	mg_ctx *ctx = new_ctx();
	mg_script *s = NULL;
	int rc;

	rc = parse(&s, ctx,
			   "-- create gxy base\n"
			   "-- Revision ID: e7b6dcb09efd\n"
			   "-- Revises:\n"
			   "-- Branch Labels: gxy\n"
			   "-- migrate:upgrade\n"
			   "CREATE TABLE t (id integer);\n", "base.sql");
	is_int(rc, MG_OK, "empty Revises: parses");
	is_int(s ? (long) s->ndown : -1, 0, "empty Revises: a base");
	ok(s && s->down == NULL, "empty Revises: no list");
	is_int(s ? (long) s->nlabels : -1, 1, "Branch Labels: one label");
	is_str(s && s->nlabels ? s->labels[0] : NULL, "gxy", "Branch Labels: gxy");

	rc = parse(&s, ctx,
			   "-- Revision ID: e7b6dcb09efd\n"
			   "-- Revises: <base>\n", "base2.sql");
	is_int(rc, MG_OK, "Revises <base>: parses");
	is_int(s ? (long) s->ndown : -1, 0, "Revises <base>: a base");

	rc = parse(&s, ctx,
			   "-- merge job and dataset\n"
			   "-- Revision ID: 9540a051226e\n"
			   "-- Revises: c39f1de47a04, 186d4835587b\n"
			   "-- Branch Labels: gxy , galaxy_model\n"
			   "-- Depends On: 3a2d6b1c9e0f,tsi\n"
			   "-- Tags: release_22.05, 22.05,\n", "merge.sql");
	is_int(rc, MG_OK, "merge: parses");
	if (s != NULL)
	{
		is_int(s->ndown, 2, "merge: two down revisions");
		is_str(s->down[0], "c39f1de47a04", "merge: first parent in order");
		is_str(s->down[1], "186d4835587b", "merge: second parent in order");
		is_int(s->nlabels, 2, "merge: two labels");
		is_str(s->labels[1], "galaxy_model", "merge: labels trimmed");
		is_int(s->ndeps, 2, "merge: two dependencies");
		is_str(s->deps[0], "3a2d6b1c9e0f", "merge: dependency by id");
		is_str(s->deps[1], "tsi", "merge: dependency by label");
		is_int(s->ntags, 2, "merge: empty list items dropped");
		is_str(s->tags[1], "22.05", "merge: second tag");
		is_str(mg_script_create_date(s), "", "merge: no Create Date gives \"\"");
		ok(s->src->upgrade[0] == NULL && s->src->downgrade[0] == NULL,
		   "header only: both sections absent (NULL)");
		ok(mg_script_body(s, true, MG_DIALECT_SQLITE) == NULL,
		   "header only: no upgrade body for any dialect");
	}

	rc = parse(&s, ctx,
			   "-- revision id: abc123\n"
			   "-- REVISES: def456\n"
			   "-- branch LABELS: tsi\n"
			   "-- create date: today\n"
			   "-- tags: t1\n"
			   "-- depends on: x9\n"
			   "-- TRANSACTIONAL: No\n", "case.sql");
	is_int(rc, MG_OK, "keys are case-insensitive: parses");
	if (s != NULL)
	{
		is_str(s->id, "abc123", "lowercase key: Revision ID");
		is_str(s->down[0], "def456", "uppercase key: Revises");
		is_str(s->labels[0], "tsi", "mixed-case key: Branch Labels");
		is_str(mg_script_create_date(s), "today", "lowercase key: Create Date");
		is_str(s->tags[0], "t1", "lowercase key: Tags");
		is_str(s->deps[0], "x9", "lowercase key: Depends On");
		ok(!s->transactional, "Transactional: No is false");
		is_str(s->message, "", "no free text: message is \"\"");
		is_str(mg_script_doc(s), "", "no free text: doc is \"\"");
	}

	rc = parse(&s, ctx,
			   "--Revision ID:abc\n"
			   "  --   Revises :   def   \n"
			   "--   Tags   :   a ,b\n", NULL);
	is_int(rc, MG_OK, "tight and loose spacing: parses");
	is_str(s ? s->id : NULL, "abc", "no blank after -- or colon");
	is_str(s ? s->down[0] : NULL, "def", "blanks around key and value");
	is_int(s ? (long) s->ntags : -1, 2, "blanks inside a list");
	is_str(s ? s->filename : NULL, "", "no file name gives \"\"");
	mg_ctx_free(ctx);
}

static void
test_transactional(void)
{
	static const char *const falses[] = {"false", "FALSE", "no", "0", "off", "Off"};
	static const char *const trues[] = {"true", "True", "yes", "1", "on", "ON"};
	mg_ctx *ctx = new_ctx();
	mg_script *s = NULL;
	char text[200];
	int good = 1;

	for (size_t i = 0; i < 6; i++)
	{
		snprintf(text, sizeof(text), "-- Revision ID: a1\n-- Revises:\n-- Transactional: %s\n", falses[i]);
		if (parse(&s, ctx, text, "t.sql") != MG_OK || s->transactional)
			good = 0;
	}
	ok(good, "Transactional false, no, 0, off (any case) give false");
	good = 1;
	for (size_t i = 0; i < 6; i++)
	{
		snprintf(text, sizeof(text), "-- Revision ID: a1\n-- Revises:\n-- Transactional: %s\n", trues[i]);
		if (parse(&s, ctx, text, "t.sql") != MG_OK || !s->transactional)
			good = 0;
	}
	ok(good, "Transactional true, yes, 1, on (any case) give true");
	mg_ctx_free(ctx);

	check_error("Transactional maybe",
				"-- Revision ID: a1\n-- Revises:\n-- Transactional: maybe\n", "t.sql",
				"invalid \"Transactional\" value \"maybe\" in \"t.sql\", line 3");
	ok(strstr(last.hint, "-- Transactional: false") != NULL, "Transactional maybe: hint shows the form");
	check_error("Transactional empty",
				"-- Revision ID: a1\n-- Revises:\n-- Transactional:\n", "t.sql",
				"invalid \"Transactional\" value \"\" in \"t.sql\", line 3");
}

static void
test_message_and_doc(void)
{
	mg_ctx *ctx = new_ctx();
	mg_script *s = NULL;
	int rc;

	rc = parse(&s, ctx,
			   "--\n"
			   "\n"
			   "--   Add the job table  \n"
			   "--\n"
			   "-- The job table records tool runs.\n"
			   "-- Foo: bar\n"
			   "-- Revision ID: abc\n"
			   "-- Revises:\n"
			   "--\n"
			   "--\n"
			   "--   indented note\n"
			   "\n"
			   "-- migrate: this is not a marker\n"
			   "--\n", "doc.sql");
	is_int(rc, MG_OK, "doc: parses");
	is_str(s ? s->message : NULL, "Add the job table", "doc: message is the first free-text line, trimmed");
	is_str(s ? mg_script_doc(s) : NULL,
		   "Add the job table\n"
		   "\n"
		   "The job table records tool runs.\n"
		   "Foo: bar\n"
		   "\n"
		   "  indented note\n"
		   "\n"
		   "migrate: this is not a marker",
		   "doc: free text with unknown keys, one blank line per paragraph break, trimmed");

	rc = parse(&s, ctx,
			   "-- Revision ID: abc\n"
			   "-- Note: first free line\n"
			   "-- Revises: def\n"
			   "-- Revision IDs: not a key\n", "doc2.sql");
	is_int(rc, MG_OK, "unknown key as message: parses");
	is_str(s ? s->message : NULL, "Note: first free line", "an unknown Key: value line can be the message");
	is_str(s ? mg_script_doc(s) : NULL, "Note: first free line\nRevision IDs: not a key",
		   "doc: lines around keys joined; a longer key name is free text");
	mg_ctx_free(ctx);
}

static void
test_sections(void)
{
	mg_ctx *ctx = new_ctx();
	mg_script *s = NULL;
	int rc;

	rc = parse(&s, ctx,
			   "-- Revision ID: abc\n"
			   "-- Revises: def\n"
			   "-- migrate:upgrade\n"
			   "\n"
			   "CREATE TABLE a (x int);\n"
			   "-- comment; with 'quotes'\n"
			   "CREATE TABLE b (y int);   \n"
			   "\n"
			   "\n"
			   "--migrate:upgrade postgresql\n"
			   "CREATE TABLE a (x serial);\n"
			   "-- migrate:upgrade   SQLite  \n"
			   "CREATE TABLE a (x integer primary key);\n"
			   "-- migrate:downgrade\n"
			   "DROP TABLE b;\n"
			   "DROP TABLE a;\n"
			   "-- migrate:downgrade postgresql\n"
			   "\n"
			   "-- Revision ID: zzz\n"
			   "-- Revises: yyy\n"
			   "-- Revision ID: www\n", "sections.sql");
	is_int(rc, MG_OK, "sections: parses");
	if (s == NULL)
	{
		mg_ctx_free(ctx);
		return;
	}
	is_str(s->src->upgrade[MG_DIALECT_ANY],
		   "\nCREATE TABLE a (x int);\n-- comment; with 'quotes'\nCREATE TABLE b (y int);",
		   "sections: plain upgrade verbatim, trailing blanks trimmed");
	is_str(s->src->upgrade[MG_DIALECT_POSTGRESQL], "CREATE TABLE a (x serial);",
		   "sections: --migrate:upgrade postgresql (no blank after --)");
	is_str(s->src->upgrade[MG_DIALECT_SQLITE], "CREATE TABLE a (x integer primary key);",
		   "sections: dialect name is case-insensitive");
	is_str(s->src->downgrade[MG_DIALECT_ANY], "DROP TABLE b;\nDROP TABLE a;",
		   "sections: plain downgrade");
	is_str(s->src->downgrade[MG_DIALECT_POSTGRESQL], "\n-- Revision ID: zzz\n-- Revises: yyy\n-- Revision ID: www",
		   "sections: header-like lines in the body are body text, leading blank line kept");
	ok(s->src->downgrade[MG_DIALECT_SQLITE] == NULL, "sections: absent section is NULL");
	is_str(s->id, "abc", "sections: body lines do not change the header");
	is_str(s->down[0], "def", "sections: body Revises ignored");
	is_str(mg_script_body(s, true, MG_DIALECT_SQLITE), "CREATE TABLE a (x integer primary key);",
		   "body: sqlite section wins for sqlite");
	is_str(mg_script_body(s, true, MG_DIALECT_POSTGRESQL), "CREATE TABLE a (x serial);",
		   "body: postgresql section wins for postgresql");
	is_str(mg_script_body(s, true, MG_DIALECT_ANY), s->src->upgrade[MG_DIALECT_ANY],
		   "body: plain section for MG_DIALECT_ANY");
	is_str(mg_script_body(s, false, MG_DIALECT_SQLITE), "DROP TABLE b;\nDROP TABLE a;",
		   "body: plain downgrade when sqlite has none");
	is_str(mg_script_body(s, false, 7), "DROP TABLE b;\nDROP TABLE a;",
		   "body: an out-of-range dialect gets the plain section");

	rc = parse(&s, ctx,
			   "-- Revision ID: abc\n"
			   "-- Revises: def\n"
			   "-- migrate:upgrade\n"
			   "-- migrate:downgrade sqlite\n"
			   "\n"
			   "   \n", "empty.sql");
	is_int(rc, MG_OK, "empty sections: parse");
	is_str(s ? s->src->upgrade[MG_DIALECT_ANY] : NULL, "", "empty section is \"\" (a no-op), not NULL");
	is_str(s ? s->src->downgrade[MG_DIALECT_SQLITE] : NULL, "", "blank-only section is \"\"");
	is_str(s ? mg_script_body(s, false, MG_DIALECT_SQLITE) : NULL, "", "body: empty sqlite section wins");
	ok(s && mg_script_body(s, false, MG_DIALECT_POSTGRESQL) == NULL,
	   "body: NULL when neither the dialect nor the plain section exists");

	/* len bounds the text: the downgrade section lies past it. */
	{
		const char *cut = strstr(design_example, "-- migrate:downgrade");

		rc = mg_script_parse(&s, ctx, design_example, (size_t) (cut - design_example), "cut.sql");
		is_int(rc, MG_OK, "len shorter than the text: parses");
		ok(s && s->src->downgrade[MG_DIALECT_ANY] == NULL, "len: nothing past len is read");
		is_int(s ? (long) strlen(mg_script_text(s)) : -1, cut - design_example, "len: text copy has len bytes");
	}
	mg_ctx_free(ctx);
}

static void
test_crlf_and_bom(void)
{
	static const char crlf[] =
		"\xEF\xBB\xBF-- add things\r\n"
		"--\r\n"
		"-- Revision ID: abc\r\n"
		"-- Revises: def, ghi\r\n"
		"-- Tags: t1\r\n"
		"-- Transactional: false\r\n"
		"\r\n"
		"-- migrate:upgrade sqlite\r\n"
		"CREATE TABLE t (x int);\r\n"
		"INSERT INTO t VALUES (1);\r\n"
		"\r\n"
		"-- migrate:downgrade\r\n"
		"DROP TABLE t;\r\n";
	mg_ctx *ctx = new_ctx();
	mg_script *s = NULL;
	char sum[17];
	int rc = parse(&s, ctx, crlf, "crlf.sql");

	is_int(rc, MG_OK, "CRLF with BOM: parses");
	if (s != NULL)
	{
		is_str(s->message, "add things", "CRLF: message without \\r (BOM skipped)");
		is_str(s->id, "abc", "CRLF: id without \\r");
		is_str(s->down[1], "ghi", "CRLF: last list item without \\r");
		is_str(s->tags[0], "t1", "CRLF: tag without \\r");
		ok(!s->transactional, "CRLF: Transactional false");
		is_str(s->src->upgrade[MG_DIALECT_SQLITE], "CREATE TABLE t (x int);\r\nINSERT INTO t VALUES (1);",
			   "CRLF: section verbatim inside, trailing CRLF trimmed");
		is_str(s->src->downgrade[MG_DIALECT_ANY], "DROP TABLE t;", "CRLF: last section");
		mg_checksum(crlf, strlen(crlf), sum);
		is_str(s->checksum, sum, "CRLF: checksum over the bytes as given");
	}
	mg_ctx_free(ctx);
}

static void
test_errors(void)
{
	check_error("no Revision ID", "-- just a comment\n-- Revises: abc\n", "x.sql",
				"revision script \"x.sql\" has no \"Revision ID\" line");
	ok(strstr(last.hint, "-- Revision ID:") != NULL, "no Revision ID: hint says what to add");
	check_error("no Revision ID, no file name", "-- Revises: abc\n", NULL,
				"revision script has no \"Revision ID\" line");
	check_error("plain SQL", "CREATE TABLE t (x int);\n", "plain.sql",
				"revision script \"plain.sql\" has no \"Revision ID\" line");
	check_error("empty text", "", "e.sql", "revision script \"e.sql\" has no \"Revision ID\" line");
	check_error("Revision ID without colon", "-- Revision ID abc\n-- Revises:\n", "x.sql",
				"revision script \"x.sql\" has no \"Revision ID\" line");
	check_error("Revision ID after a statement",
				"-- Revises:\nSELECT 1;\n-- Revision ID: abc\n", "x.sql",
				"revision script \"x.sql\" has no \"Revision ID\" line");
	/* which error wins when the header has another error too (both parsers) */
	check_error("duplicate key and no Revision ID", "-- Revises: a\n-- Revises: b\n", "x.sql",
				"revision script \"x.sql\" has no \"Revision ID\" line");
	check_error("bad value before the Revision ID",
				"-- Transactional: maybe\n-- Revision ID: abc\n-- Revises:\n", "x.sql",
				"invalid \"Transactional\" value \"maybe\" in \"x.sql\", line 1");
	check_error("Revision ID only in the body",
				"-- Revises:\n-- migrate:upgrade\n-- Revision ID: abc\n", "x.sql",
				"revision script \"x.sql\" has no \"Revision ID\" line");
	{
		mg_ctx *ctx = new_ctx();
		mg_script *s = (mg_script *) &last;

		is_int(mg_script_parse(&s, ctx, NULL, 0, "null.sql"), MG_EINPUT, "NULL text: MG_EINPUT");
		is_str(mg_ctx_error(ctx)->message, "revision script \"null.sql\" has no \"Revision ID\" line",
			   "NULL text: message");
		ok(s == NULL, "NULL text: no script returned");
		mg_ctx_free(ctx);
	}

	check_error("no Revises", "-- Revision ID: abc\n-- migrate:upgrade\nSELECT 1;\n", "x.sql",
				"revision script \"x.sql\" has no \"Revises\" line");
	ok(strstr(last.hint, "\"-- Revises:\" with nothing after it for a new base") != NULL,
	   "no Revises: hint says how to write a base");
	check_error("no Revises, header only", "-- Revision ID: abc\n", NULL,
				"revision script has no \"Revises\" line");

	check_error("invalid id", "-- msg\n--\n-- Revision ID: ab-cd\n-- Revises:\n", "x.sql",
				"invalid revision id \"ab-cd\" in \"x.sql\", line 3");
	ok(strstr(last.detail, "letter, a digit or \"_\"") != NULL, "invalid id: detail says what is allowed");
	check_error("invalid id, no file name", "-- Revision ID: a@b\n-- Revises:\n", NULL,
				"invalid revision id \"a@b\" in line 1");
	check_error("empty id", "-- Revision ID:\n-- Revises:\n", "x.sql",
				"invalid revision id \"\" in \"x.sql\", line 1");
	check_error("id of 33 characters",
				"-- Revision ID: abcdefghijabcdefghijabcdefghijabc\n-- Revises:\n", "x.sql",
				"invalid revision id \"abcdefghijabcdefghijabcdefghijabc\" in \"x.sql\", line 1");
	check_error("id with a blank", "-- Revision ID: ab cd\n-- Revises:\n", "x.sql",
				"invalid revision id \"ab cd\" in \"x.sql\", line 1");
	check_error("invalid Revises item", "-- Revision ID: abc\n-- Revises: def, gh+i\n", "x.sql",
				"invalid revision id \"gh+i\" in \"x.sql\", line 2");
	check_error("<base> inside a list", "-- Revision ID: abc\n-- Revises: def, <base>\n", "x.sql",
				"invalid revision id \"<base>\" in \"x.sql\", line 2");
	check_error("invalid Depends On item",
				"-- Revision ID: abc\n-- Revises:\n-- Depends On: gxy@head\n", "x.sql",
				"invalid revision id \"gxy@head\" in \"x.sql\", line 3");

	check_error("duplicate key", "-- Revision ID: abc\n-- Revises: def\n--\n-- revises: ghi\n", "x.sql",
				"duplicate \"Revises\" line in \"x.sql\", line 4");
	is_str(last.detail, "The first \"Revises\" line is line 2.", "duplicate key: detail names the first line");
	check_error("duplicate Revision ID", "-- Revision ID: abc\n-- Revision ID: abc\n-- Revises:\n", "x.sql",
				"duplicate \"Revision ID\" line in \"x.sql\", line 2");

	check_error("unknown dialect",
				"-- Revision ID: abc\n-- Revises:\n\n-- migrate:upgrade\nSELECT 1;\n\n\n\n\n\n\n-- migrate:upgrade mysql\nSELECT 2;\n",
				"x.sql", "unknown dialect \"mysql\" in section marker at \"x.sql\", line 12");
	ok(strstr(last.detail, "\"sqlite\" and \"postgresql\"") != NULL, "unknown dialect: detail lists the dialects");
	check_error("invalid marker", "-- Revision ID: abc\n-- Revises:\n-- migrate:up\nSELECT 1;\n", "x.sql",
				"invalid section marker \"-- migrate:up\" at \"x.sql\", line 3");
	ok(strstr(last.hint, "-- migrate:downgrade") != NULL, "invalid marker: hint shows the markers");
	check_error("marker with extra words",
				"-- Revision ID: abc\n-- Revises:\n-- migrate:upgrade sqlite now\n", "x.sql",
				"invalid section marker \"-- migrate:upgrade sqlite now\" at \"x.sql\", line 3");
	check_error("repeated section",
				"-- Revision ID: abc\n-- Revises:\n-- migrate:upgrade sqlite\nSELECT 1;\n-- migrate:downgrade\n-- migrate:upgrade sqlite\n",
				"x.sql", "repeated section \"-- migrate:upgrade sqlite\" at \"x.sql\", line 6");
	is_str(last.detail, "The same section starts at line 3.", "repeated section: detail names the first");
	check_error("repeated plain section",
				"-- Revision ID: abc\n-- Revises:\n-- migrate:downgrade\n-- migrate:downgrade\n", NULL,
				"repeated section \"-- migrate:downgrade\" at line 4");

	check_error("statement outside a section",
				"-- Revision ID: abc\n-- Revises:\n\nCREATE TABLE t (x int);\n-- migrate:upgrade\n", "x.sql",
				"statement outside a -- migrate:upgrade / -- migrate:downgrade section in \"x.sql\", line 4");
	ok(strstr(last.hint, "-- migrate:upgrade") != NULL, "statement outside: hint says where SQL goes");
	check_error("statement and no marker at all",
				"-- Revision ID: abc\n-- Revises:\nDROP TABLE t;\n", "x.sql",
				"statement outside a -- migrate:upgrade / -- migrate:downgrade section in \"x.sql\", line 3");
}

static void
test_is_revision(void)
{
	static const char crlf[] = "\r\n\r\n-- Revision ID: a\r\n";

	ok(mg_script_is_revision(design_example, strlen(design_example)), "is_revision: the example");
	{
		static const char t[] = "\n\n  \n-- msg\n-- revision id: x\n";

		ok(mg_script_is_revision(t, strlen(t)), "is_revision: blank lines, lowercase key");
	}
	ok(mg_script_is_revision(crlf, strlen(crlf)), "is_revision: CRLF");
	ok(!mg_script_is_revision("CREATE TABLE t (x int);\n-- Revision ID: a\n", 42), "is_revision: plain SQL first");
	ok(!mg_script_is_revision("-- a\n-- migrate:upgrade\n-- Revision ID: a\n", 41), "is_revision: only in the body");
	ok(!mg_script_is_revision("-- Revision ID a\n", 17), "is_revision: no colon");
	ok(!mg_script_is_revision("-- Revision: a\n", 15), "is_revision: another key");
	ok(!mg_script_is_revision("-- Revision IDs: a\n", 19), "is_revision: a longer key");
	ok(!mg_script_is_revision("", 0), "is_revision: empty text");
	ok(!mg_script_is_revision(NULL, 0), "is_revision: NULL");
	ok(!mg_script_is_revision(design_example, 30), "is_revision: len respected");
}

static void
test_dialect_names(void)
{
	is_int(mg_dialect_from_name("sqlite"), MG_DIALECT_SQLITE, "dialect: sqlite");
	is_int(mg_dialect_from_name("postgresql"), MG_DIALECT_POSTGRESQL, "dialect: postgresql");
	is_int(mg_dialect_from_name("PostgreSQL"), MG_DIALECT_POSTGRESQL, "dialect: case-insensitive");
	is_int(mg_dialect_from_name("mysql"), -1, "dialect: unknown is -1");
	is_int(mg_dialect_from_name(""), -1, "dialect: empty is -1");
	is_int(mg_dialect_from_name(NULL), -1, "dialect: NULL is -1");
}

/* A script with every kind of header line and section. */
static const char small_script[] =
	"-- small\n--\n-- more text\n"
	"-- Revision ID: 0123456789ab\n"
	"-- Revises: aaaaaaaaaaaa, bbbbbbbbbbbb\n"
	"-- Create Date: 2026-01-01\n"
	"-- Branch Labels: gxy\n"
	"-- Depends On: cccccccccccc, dddd\n"
	"-- Tags: release_22.05, 22.05\n"
	"-- Transactional: false\n"
	"-- migrate:upgrade\nSELECT 1;\n"
	"-- migrate:upgrade sqlite\nSELECT 2;\n"
	"-- migrate:downgrade\nSELECT 3;\n";

/* A script big enough to need several arena chunks. */
static char *
big_script(void)
{
	size_t cap = 64 * 1024, len = 0;
	char *t = malloc(cap);

	len += (size_t) snprintf(t + len, cap - len,
							 "-- a representative revision\n--\n"
							 "-- with a longer description\n"
							 "-- Revision ID: 0123456789ab\n"
							 "-- Revises: aaaaaaaaaaaa, bbbbbbbbbbbb\n"
							 "-- Create Date: 2026-01-01 00:00:00\n"
							 "-- Branch Labels: gxy, model\n"
							 "-- Depends On: cccccccccccc\n"
							 "-- Tags: release_22.05, release_23.0\n"
							 "-- Transactional: true\n\n-- migrate:upgrade\n");
	for (int i = 0; i < 150; i++)
		len += (size_t) snprintf(t + len, cap - len, "CREATE TABLE t%03d (id integer primary key, v text);\n", i);
	len += (size_t) snprintf(t + len, cap - len, "-- migrate:upgrade postgresql\n");
	for (int i = 0; i < 150; i++)
		len += (size_t) snprintf(t + len, cap - len, "CREATE TABLE t%03d (id serial primary key, v text);\n", i);
	len += (size_t) snprintf(t + len, cap - len, "-- migrate:downgrade\n");
	for (int i = 149; i >= 0; i--)
		len += (size_t) snprintf(t + len, cap - len, "DROP TABLE t%03d;\n", i);
	return t;
}

/* Fail the N-th allocation of a parse for N = 1, 2, ... until it succeeds. */
static void
oom_sweep(const char *name, const char *text)
{
	long n, fails = 0;
	int good = 1;

	for (n = 1; n < 10000; n++)
	{
		mg_ctx *ctx = new_ctx();
		mg_script *s = (mg_script *) &last;
		int rc;

		tap_calls = 0;
		tap_fail_at = n;
		rc = parse(&s, ctx, text, "oom.sql");
		tap_fail_at = 0;
		if (rc == MG_OK)
		{
			if (s == NULL || strcmp(s->id, "0123456789ab") != 0 || s->ndown != 2)
				good = 0;
			mg_ctx_free(ctx);
			if (tap_live != 0)
				good = 0;
			break;
		}
		fails++;
		if (!oom_failed_cleanly(ctx, rc, s, 0) ||
			strcmp(mg_ctx_error(ctx)->sqlstate, MG_STATE_NOMEM) != 0)
		{
			printf("# %s: allocation %ld: rc %d, message \"%s\"\n", name, n, rc,
				   mg_ctx_error(ctx)->message);
			good = 0;
		}
		mg_ctx_free(ctx);
		if (tap_live != 0)
		{
			printf("# %s: allocation %ld: %ld blocks left\n", name, n, tap_live);
			good = 0;
		}
	}
	ok(good && fails > 0 && n < 10000,
	   "out of memory (%s): each of %ld allocations fails cleanly with \"out of memory\", no leak, then it parses",
	   name, fails);
}

/*
 * The plain sweep reaches few call sites (oom_sweep.h says why): here
 * the chunk runs out at every 16-byte position of the parse in turn.
 */
static void
oom_boundary_sweep(const char *name, const char *text)
{
	long fails = 0, passes = 0;
	int good = 1;

	for (size_t pad = 0; pad <= OOM_SWEEP_MAX_PAD; pad += 16)
	{
		mg_ctx *ctx = new_ctx();
		mg_script *s = (mg_script *) &last;
		int rc;

		if (!oom_pad_and_arm(ctx, pad))
			good = 0;
		rc = parse(&s, ctx, text, "oom.sql");
		oom_disarm();
		if (rc == MG_OK)
		{
			passes++;
			if (s == NULL || strcmp(s->id, "0123456789ab") != 0)
				good = 0;
		}
		else
		{
			fails++;
			if (!oom_failed_cleanly(ctx, rc, s, 0))
			{
				printf("# %s: pad %zu: rc %d, message \"%s\"\n", name, pad, rc,
					   mg_ctx_error(ctx)->message);
				good = 0;
			}
		}
		mg_ctx_free(ctx);
		if (tap_live != 0)
		{
			printf("# %s: pad %zu: %ld blocks left\n", name, pad, tap_live);
			good = 0;
		}
	}
	ok(good && fails > 10,
	   "out of memory at every arena position (%s): %ld parses failed cleanly, %ld fit",
	   name, fails, passes);
}

/* A script with every kind of section, for mg_script_load_bodies. */
static const char sections_script[] =
	"-- four sections\n"
	"-- Revision ID: abc\n"
	"-- Revises: def\n"
	"-- Transactional: false\n"
	"-- migrate:upgrade\n"
	"CREATE TABLE t (id integer);\n\n"
	"-- migrate:upgrade sqlite\n"
	"CREATE TABLE t (id integer primary key);\n"
	"-- migrate:downgrade\n"
	"DROP TABLE t;\n"
	"-- migrate:downgrade postgresql\n"
	"DROP TABLE t CASCADE;\n";

/*
 * mg_script_find_body: the section a run would load, as a span of the
 * text itself (no copy, no allocation), with the Transactional flag.
 */
static void
test_find_body(void)
{
	mg_ctx *ctx = new_ctx();
	mg_script meta;
	mg_body_span span;
	size_t len = strlen(sections_script);
	long calls;

	meta_script(&meta, "abc", "four.sql");
	calls = tap_calls;
	is_int(mg_script_find_body(&span, ctx, sections_script, len, &meta, true, MG_DIALECT_SQLITE), MG_OK,
		   "find_body: sqlite upgrade");
	is_int(tap_calls - calls, 0, "find_body: no allocation");
	ok(span.text >= sections_script && span.text + span.len <= sections_script + len,
	   "find_body: a span of the text");
	ok(span.len == strlen("CREATE TABLE t (id integer primary key);") &&
	   strncmp(span.text, "CREATE TABLE t (id integer primary key);", span.len) == 0,
	   "find_body: the sqlite section wins, trailing blank lines cut");
	ok(!span.transactional, "find_body: Transactional: false read from the text");
	is_int(mg_script_find_body(&span, ctx, sections_script, len, &meta, false, MG_DIALECT_SQLITE), MG_OK,
		   "find_body: sqlite downgrade");
	ok(span.len == strlen("DROP TABLE t;") && strncmp(span.text, "DROP TABLE t;", span.len) == 0,
	   "find_body: the plain downgrade where sqlite has none");
	is_int(mg_script_find_body(&span, ctx, sections_script, len, &meta, false, MG_DIALECT_POSTGRESQL), MG_OK,
		   "find_body: postgresql downgrade");
	ok(strncmp(span.text, "DROP TABLE t CASCADE;", span.len) == 0, "find_body: postgresql's own");
	ok(meta_unchanged(&meta), "find_body: the script is only read");
	is_int(mg_script_find_body(&span, ctx, "-- Revision ID: abc\n-- Revises:\n",
							   strlen("-- Revision ID: abc\n-- Revises:\n"), &meta, true, MG_DIALECT_SQLITE),
		   MG_OK, "find_body: header only: MG_OK");
	ok(span.text == NULL && span.len == 0 && span.transactional, "find_body: header only: no section, transactional");
	is_int(mg_script_find_body(&span, ctx, "-- Revision ID: abc\n-- Revises:\n-- migrate:upgrade\n",
							   strlen("-- Revision ID: abc\n-- Revises:\n-- migrate:upgrade\n"), &meta, true,
							   MG_DIALECT_SQLITE),
		   MG_OK, "find_body: empty section: MG_OK");
	ok(span.text != NULL && span.len == 0, "find_body: an empty section is an empty span, not absent");
	meta_script(&meta, "xyz", "versions/xyz.sql");
	is_int(mg_script_find_body(&span, ctx, sections_script, len, &meta, true, MG_DIALECT_SQLITE), MG_EINPUT,
		   "find_body: another revision's text: MG_EINPUT");
	is_str(mg_ctx_error(ctx)->message, "script of revision \"xyz\" declares revision \"abc\"",
		   "find_body: another revision's text: message");
	is_int(mg_script_find_body(&span, ctx, NULL, 0, &meta, true, MG_DIALECT_SQLITE), MG_EINPUT,
		   "find_body: NULL text: MG_EINPUT");
	mg_ctx_free(ctx);
}

static void
test_load_bodies(void)
{
	mg_ctx *ctx = new_ctx();
	mg_script meta, *full = NULL;
	size_t len = strlen(sections_script);
	const char *id, *message, *filename;
	int rc;

	is_int(parse(&full, ctx, sections_script, "four.sql"), MG_OK, "bodies: the full parse");

	meta_script(&meta, "abc", "four.sql");
	id = meta.id;
	message = meta.message;
	filename = meta.filename;
	rc = mg_script_load_bodies(&meta, ctx, sections_script, len, MG_DIALECT_SQLITE, MG_BODY_BOTH);
	is_int(rc, MG_OK, "bodies for sqlite: MG_OK");
	ok(meta.body_dirs == MG_BODY_BOTH && mg_script_has_body(&meta, true) &&
	   mg_script_has_body(&meta, false), "bodies for sqlite: both directions held");
	is_str(mg_script_body(&meta, true, MG_DIALECT_SQLITE), "CREATE TABLE t (id integer primary key);",
		   "bodies for sqlite: the sqlite upgrade wins over the plain one");
	is_str(mg_script_body(&meta, false, MG_DIALECT_SQLITE), "DROP TABLE t;",
		   "bodies for sqlite: the plain downgrade when there is no sqlite one");
	ok(meta.src->upgrade[MG_DIALECT_ANY] == NULL && meta.src->upgrade[MG_DIALECT_POSTGRESQL] == NULL &&
	   meta.src->downgrade[MG_DIALECT_SQLITE] == NULL && meta.src->downgrade[MG_DIALECT_POSTGRESQL] == NULL,
	   "bodies for sqlite: the sections it does not run are not kept");
	ok(meta.src->upgrade[MG_DIALECT_SQLITE] < sections_script ||
	   meta.src->upgrade[MG_DIALECT_SQLITE] >= sections_script + len, "bodies: a copy, not the input");
	is_str(meta.checksum, full ? full->checksum : "", "bodies: the checksum of the full text");
	ok(!meta.transactional, "bodies: Transactional: false read from the text");
	ok(meta.id == id && meta.message == message && meta.filename == filename,
	   "bodies: the catalog's metadata is kept as it was");
	ok(mg_script_text(&meta) == NULL, "bodies: the text is not kept");

	/* one direction: what an upgrade or a downgrade run reads, and no more */
	meta_script(&meta, "abc", "four.sql");
	is_int(mg_script_load_bodies(&meta, ctx, sections_script, len, MG_DIALECT_SQLITE, MG_BODY_UP), MG_OK,
		   "upgrade only: MG_OK");
	ok(mg_script_has_body(&meta, true) && !mg_script_has_body(&meta, false) && meta.body_dirs == MG_BODY_UP,
	   "upgrade only: the upgrade is held, the downgrade is not");
	is_str(mg_script_body(&meta, true, MG_DIALECT_SQLITE), "CREATE TABLE t (id integer primary key);",
		   "upgrade only: the sqlite upgrade");
	ok(meta.src->downgrade[MG_DIALECT_ANY] == NULL && meta.src->downgrade[MG_DIALECT_SQLITE] == NULL &&
	   meta.src->downgrade[MG_DIALECT_POSTGRESQL] == NULL, "upgrade only: no downgrade section copied");
	ok(!meta.transactional && strcmp(meta.checksum, full ? full->checksum : "") == 0,
	   "upgrade only: flag and checksum as with both");
	is_int(mg_script_load_bodies(&meta, ctx, sections_script, len, MG_DIALECT_SQLITE, MG_BODY_DOWN), MG_OK,
		   "then downgrade only: MG_OK");
	ok(meta.body_dirs == MG_BODY_DOWN && mg_script_body(&meta, true, MG_DIALECT_SQLITE) == NULL,
	   "then downgrade only: what is held is what was asked for last");
	is_str(mg_script_body(&meta, false, MG_DIALECT_SQLITE), "DROP TABLE t;", "then downgrade only: the plain downgrade");
	meta_script(&meta, "abc", "four.sql");
	is_int(mg_script_load_bodies(&meta, ctx, sections_script, len, MG_DIALECT_SQLITE, 0), MG_OK,
		   "no direction: the text is still checked (MG_OK)");
	ok(meta.body_dirs == 0 && mg_script_body(&meta, true, MG_DIALECT_SQLITE) == NULL, "no direction: nothing held");
	meta_script(&meta, "xyz", "four.sql");
	is_int(mg_script_load_bodies(&meta, ctx, sections_script, len, MG_DIALECT_SQLITE, MG_BODY_UP), MG_EINPUT,
		   "upgrade only, another revision's text: the same check (MG_EINPUT)");
	ok(meta.body_dirs == 0, "upgrade only, on failure: the script is unchanged");

	meta_script(&meta, "abc", "four.sql");
	is_int(mg_script_load_bodies(&meta, ctx, sections_script, len, MG_DIALECT_POSTGRESQL, MG_BODY_BOTH), MG_OK,
		   "bodies for postgresql: MG_OK");
	is_str(mg_script_body(&meta, true, MG_DIALECT_POSTGRESQL), "CREATE TABLE t (id integer);",
		   "bodies for postgresql: the plain upgrade");
	is_str(mg_script_body(&meta, false, MG_DIALECT_POSTGRESQL), "DROP TABLE t CASCADE;",
		   "bodies for postgresql: its own downgrade");
	ok(meta.src->upgrade[MG_DIALECT_SQLITE] == NULL && meta.src->downgrade[MG_DIALECT_ANY] == NULL,
	   "bodies for postgresql: nothing else kept");

	meta_script(&meta, "abc", "four.sql");
	is_int(mg_script_load_bodies(&meta, ctx, "-- Revision ID: abc\n-- Revises:\n",
								 strlen("-- Revision ID: abc\n-- Revises:\n"), MG_DIALECT_SQLITE, MG_BODY_BOTH),
		   MG_OK, "header only: MG_OK");
	ok(meta.body_dirs == MG_BODY_BOTH && mg_script_body(&meta, true, MG_DIALECT_SQLITE) == NULL &&
	   mg_script_body(&meta, false, MG_DIALECT_SQLITE) == NULL && meta.transactional,
	   "header only: a body with no sections");

	meta_script(&meta, "abc", "four.sql");
	is_int(mg_script_load_bodies(&meta, ctx, "-- Revision ID: abc\n-- Revises:\n-- migrate:upgrade\n",
								 strlen("-- Revision ID: abc\n-- Revises:\n-- migrate:upgrade\n"),
								 MG_DIALECT_SQLITE, MG_BODY_BOTH),
		   MG_OK, "empty section: MG_OK");
	is_str(mg_script_body(&meta, true, MG_DIALECT_SQLITE), "", "empty section: kept as \"\"");

	meta_script(&meta, "xyz", "versions/xyz.sql");
	rc = mg_script_load_bodies(&meta, ctx, sections_script, len, MG_DIALECT_SQLITE, MG_BODY_BOTH);
	is_int(rc, MG_EINPUT, "another revision's text: MG_EINPUT");
	is_str(mg_ctx_error(ctx)->sqlstate, MG_STATE_SYNTAX, "another revision's text: SQLSTATE 42601");
	is_str(mg_ctx_error(ctx)->message, "script of revision \"xyz\" declares revision \"abc\"",
		   "another revision's text: message");
	is_str(mg_ctx_error(ctx)->detail,
		   "Its \"Revision ID\" line (file \"versions/xyz.sql\") names another revision.",
		   "another revision's text: detail names the file");
	is_str(mg_ctx_error(ctx)->hint, "Load the script again with migrate_load() or migrate_add().",
		   "another revision's text: hint");
	ok(meta_unchanged(&meta), "another revision's text: the script is left as it was");
	mg_error_clear(ctx);
	meta_script(&meta, "ab", NULL);
	is_int(mg_script_load_bodies(&meta, ctx, sections_script, len, MG_DIALECT_SQLITE, MG_BODY_BOTH), MG_EINPUT,
		   "a prefix of the id is another revision");
	is_str(mg_ctx_error(ctx)->detail, "", "no file name: no detail");
	is_int(mg_script_load_bodies(&meta, ctx, NULL, 0, MG_DIALECT_SQLITE, MG_BODY_BOTH), MG_EINPUT, "NULL text: MG_EINPUT");
	is_str(mg_ctx_error(ctx)->message, "revision script has no \"Revision ID\" line", "NULL text: message");
	mg_ctx_free(ctx);

	/* out of memory: the copies of the two bodies are its only allocations */
	{
		long n, fails = 0;
		int good = 1;

		for (n = 1; n < 1000; n++)
		{
			ctx = new_ctx();
			meta_script(&meta, "abc", "four.sql");
			tap_calls = 0;
			tap_fail_at = n;
			rc = mg_script_load_bodies(&meta, ctx, sections_script, len, MG_DIALECT_SQLITE, MG_BODY_BOTH);
			tap_fail_at = 0;
			if (rc == MG_OK)
			{
				if (meta.body_dirs != MG_BODY_BOTH || mg_script_body(&meta, false, MG_DIALECT_SQLITE) == NULL)
					good = 0;
				mg_ctx_free(ctx);
				break;
			}
			fails++;
			if (rc != MG_ENOMEM || strcmp(mg_ctx_error(ctx)->message, "out of memory") != 0 ||
				!meta_unchanged(&meta))
				good = 0;
			mg_ctx_free(ctx);
			if (tap_live != 0)
				good = 0;
		}
		ok(good && fails == 1, "bodies: out of memory at its one allocation: clean, script unchanged, no leak");
	}
}

/* List values: one block, items trimmed, empty ones dropped (a NUL byte: test_nul_byte). */
static void
test_list_values(void)
{
	static const char text[] = "-- Revision ID: abc\n-- Revises: d1 ,\td2,, \n-- Tags: t1,t2\n-- Branch Labels: ,\n";
	mg_ctx *ctx = new_ctx();
	mg_script *s = NULL;

	is_int(mg_script_parse(&s, ctx, text, sizeof(text) - 1, "l.sql"), MG_OK, "lists: parses");
	if (s != NULL)
	{
		is_int(s->ndown, 2, "lists: two parents");
		is_str(s->down[1], "d2", "lists: tab and blanks trimmed");
		is_int(s->ntags, 2, "lists: two tags");
		is_str(s->tags[1], "t2", "lists: the last item");
		ok(s->nlabels == 0 && s->labels == NULL, "lists: only commas: no items, no array");
	}
	mg_ctx_free(ctx);
}

/*
 * How lines are told apart (classify, match_key): keys in any case and
 * with blanks around them, names of a known key's length that are not
 * keys, "--" lines with only blanks after them, one-byte lines, markers
 * in upper case, and "-- migrate: x" (a comment).
 */
static void
test_line_kinds(void)
{
	mg_ctx *ctx = new_ctx();
	mg_script *s = NULL;
	int rc;

	rc = parse(&s, ctx,
			   " \t-- Revision XX: not a key\r\n"
			   "--   REVISION id  :  abc \t\r\n"
			   "--\t \n"
			   "--REVISES:def\n"
			   "-- Depends   On: \n"
			   "-- TAGS : a , b\n"
			   "-- Transactionak: also free text\n"
			   "-- migrate: not a marker\n"
			   "-- MIGRATE:UPGRADE\n"
			   "-\n"
			   "x\n"
			   "  -- Migrate:Downgrade   \n"
			   "--\n", "kinds.sql");
	is_int(rc, MG_OK, "line kinds: parses");
	if (s != NULL)
	{
		is_str(s->id, "abc", "line kinds: key in mixed case, blanks around key and value");
		is_int(s->ndown, 1, "line kinds: key without a blank after --");
		is_str(s->ndown ? s->down[0] : NULL, "def", "line kinds: its value");
		is_int(s->ndeps, 0, "line kinds: \"Depends   On\" is not the key");
		is_int(s->ntags, 2, "line kinds: key followed by blanks before the colon");
		is_str(s->message, "Revision XX: not a key", "line kinds: a key-sized name is free text");
		is_str(mg_script_doc(s), "Revision XX: not a key\n\nDepends   On:\nTransactionak: also free text\nmigrate: not a marker",
			   "line kinds: the doc keeps every free-text line");
		is_str(s->src->upgrade[MG_DIALECT_ANY], "-\nx", "line kinds: upper-case marker, one-byte lines are body");
		is_str(s->src->downgrade[MG_DIALECT_ANY], "--", "line kinds: indented marker with trailing blanks");
	}
	check_error("one dash in the header", "-- Revision ID: abc\n-- Revises:\n-\n", "x.sql",
				"statement outside a -- migrate:upgrade / -- migrate:downgrade section in \"x.sql\", line 3");
	check_error("dash and blank in the header", "-- Revision ID: abc\n-- Revises:\n- -\n", "x.sql",
				"statement outside a -- migrate:upgrade / -- migrate:downgrade section in \"x.sql\", line 3");
	mg_ctx_free(ctx);
}

/*
 * A NUL byte anywhere is refused by the parser and by the catalog's
 * readers alike (found by tests/fuzz/fuzz_script.c: the parser read
 * "Revises" up to the NUL, the catalog's reader past it).
 */
static void
test_nul_byte(void)
{
	static const char text[] = "-- merge\n--\n-- Revision ID: abc\n-- Revises: def, 12\0\0 34\n"
		"\n-- migrate:upgrade\nSELECT 1;\n";
	const char *want = "NUL byte in revision script at \"nul.sql\", line 4";
	size_t len = sizeof(text) - 1;
	mg_ctx *ctx = new_ctx();
	mg_script *s = NULL, meta;
	mg_body_span span;

	is_int(mg_script_parse(&s, ctx, text, len, "nul.sql"), MG_EINPUT, "NUL byte: refused");
	is_str(mg_ctx_error(ctx)->message, want, "NUL byte: message names file and line");
	is_str(mg_ctx_error(ctx)->sqlstate, MG_STATE_SYNTAX, "NUL byte: SQLSTATE 42601");
	ok(mg_ctx_error(ctx)->hint[0] != '\0', "NUL byte: a hint says what to do");
	ok(s == NULL, "NUL byte: no script returned");
	mg_error_clear(ctx);
	meta_script(&meta, "abc", "nul.sql");
	is_int(mg_script_load_bodies(&meta, ctx, text, len, MG_DIALECT_SQLITE, MG_BODY_BOTH), MG_EINPUT,
		   "NUL byte: bodies: refused");
	is_str(mg_ctx_error(ctx)->message, want, "NUL byte: bodies: the same message");
	ok(meta_unchanged(&meta), "NUL byte: bodies: the script is left as it was");
	mg_error_clear(ctx);
	is_int(mg_script_find_body(&span, ctx, text, len, &meta, true, MG_DIALECT_SQLITE), MG_EINPUT,
		   "NUL byte: find_body: refused");
	is_str(mg_ctx_error(ctx)->message, want, "NUL byte: find_body: the same message");
	mg_ctx_free(ctx);
}

int
main(void)
{
	char *big;

	test_design_example();
	test_lists_and_bases();
	test_transactional();
	test_message_and_doc();
	test_sections();
	test_crlf_and_bom();
	test_errors();
	test_is_revision();
	test_dialect_names();
	test_load_bodies();
	test_find_body();
	test_list_values();
	test_line_kinds();
	test_nul_byte();

	oom_sweep("small script", small_script);
	oom_boundary_sweep("small script", small_script);
	oom_boundary_sweep("script without free text",
					   "-- Revision ID: 0123456789ab\n-- Revises:\n-- migrate:upgrade\n");
	big = big_script();
	oom_sweep("large script", big);
	free(big);

	ok(tap_live == 0, "every block returned to the allocator");
	return done_testing();
}
