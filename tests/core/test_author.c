/*
 * test_author.c -- migrate_revision and migrate_merge (author.c) against
 * an in-memory SQLite: the script text, Alembic's slug, Alembic's errors,
 * written files, and out-of-memory sweeps (a failed write leaves no file).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <unistd.h>

#include "tap.h"
#include "sqlite_host.h"

static const char *const scripts[] = {
	"-- gxy base\n-- Revision ID: g1\n-- Revises:\n-- Branch Labels: gxy\n"
	"-- migrate:upgrade\n-- migrate:downgrade\n",
	"-- gxy two\n-- Revision ID: g2\n-- Revises: g1\n-- migrate:upgrade\n-- migrate:downgrade\n",
	"-- tsi base\n-- Revision ID: t1\n-- Revises:\n-- Branch Labels: tsi\n"
	"-- migrate:upgrade\n-- migrate:downgrade\n",
};
#define NSCRIPTS (sizeof(scripts) / sizeof(scripts[0]))

static char dir[64] = "/tmp/migrate-author-XXXXXX";

static void
load(void)
{
	mg_ctx *ctx = new_ctx();
	char *report;

	if (mg_cmd_add(&report, ctx, &host, NSCRIPTS, (const char *const *) scripts, NULL) != MG_OK)
	{
		printf("Bail out! load: %s\n", mg_ctx_error(ctx)->message);
		exit(1);
	}
	mg_ctx_free(ctx);
}

static char result[8192];

/* revision (merge false) or merge; the text / path, or the error message. */
static int
author(bool merge, const char *message, const char *head, const char *rev_id,
	   const char *labels, const char *deps, int splice, const char *in_dir)
{
	mg_revision_args a = {message, head, rev_id, labels, deps, splice, in_dir};
	mg_ctx *ctx = new_ctx();
	char *out = NULL;
	int rc = merge ? mg_cmd_merge(&out, ctx, &host, &a) : mg_cmd_revision(&out, ctx, &host, &a);

	snprintf(result, sizeof(result), "%s", rc == MG_OK ? out : mg_ctx_error(ctx)->message);
	mg_ctx_free(ctx);
	return rc;
}

static bool
exists(const char *path)
{
	FILE *f = fopen(path, "r");

	if (f != NULL)
		fclose(f);
	return f != NULL;
}

static void
test_text(void)
{
	db_open();
	load();
	is_int(author(false, "add column foo", "gxy@head", "abc123", NULL, NULL, 0, NULL), MG_OK, "revision");
	is_str(result, "-- add column foo\n--\n-- Revision ID: abc123\n-- Revises: g2\n"
		   "-- Create Date: " NOW "\n-- Branch Labels:\n-- Depends On:\n-- Tags:\n\n"
		   "-- migrate:upgrade\n\n-- migrate:downgrade", "revision: the text");
	is_int(author(false, "x", "tsi@head", NULL, "extra, more", "gxy, g2", 0, NULL), MG_OK, "revision with labels and dependencies");
	ok(strstr(result, "-- Branch Labels: extra, more\n-- Depends On: gxy, g2\n") != NULL, "revision: labels and dependencies");
	{
		char id[64] = "";
		const char *p = strstr(result, "-- Revision ID: ");

		if (p != NULL)
			sscanf(p + 16, "%63s", id);
		is_int(strlen(id), 12, "revision: a new id of 12 characters");
		is_int(strspn(id, "0123456789abcdef"), 12, "revision: hex digits");
	}
	is_int(author(true, "merge them", "gxy@head, tsi@head", "m1", NULL, NULL, 0, NULL), MG_OK, "merge");
	ok(strstr(result, "-- Revises: g2, t1\n") != NULL, "merge: both parents");

	is_int(author(false, "x", NULL, NULL, NULL, NULL, 0, NULL), MG_EINPUT, "several heads, no head");
	is_str(result, "Multiple heads are present; please specify the head revision on which the new revision should be based, or perform a merge.",
		   "Alembic's message");
	is_int(author(false, "x", "g1", NULL, NULL, NULL, 0, NULL), MG_EINPUT, "a parent that is not a head");
	is_str(result, "Revision g1 is not a head revision; please specify splice to create a new branch from this revision",
		   "Alembic's message, adapted");
	is_int(author(false, "x", "g1", "s1", NULL, NULL, 1, NULL), MG_OK, "splice");
	is_int(author(true, "m", "g2,g2", NULL, NULL, NULL, 0, NULL), MG_EINPUT, "a duplicate parent");
	is_str(result, "Duplicate head revisions specified", "Alembic's message");
	is_int(author(true, "m", "heads", NULL, NULL, NULL, 0, NULL), MG_OK, "merge of heads");
	is_int(author(true, "m", "tsi@head", NULL, NULL, NULL, 0, NULL), MG_EINPUT, "merge of one");
	is_int(author(false, NULL, "gxy@head", NULL, NULL, NULL, 0, NULL), MG_EINPUT, "no message");
	is_str(result, "migrate_revision: a message is required", "no message: says so");
	is_int(author(false, "ok\nDepends On: g1", "gxy@head", NULL, NULL, NULL, 0, NULL), MG_EINPUT, "a message line that is a header key");
	is_int(author(false, "ok\nmigrate:upgrade", "gxy@head", NULL, NULL, NULL, 0, NULL), MG_EINPUT, "a message line that is a marker");
	is_int(author(false, "x", "gxy@head", "a:b", NULL, NULL, 0, NULL), MG_EINPUT, "a bad id");
	is_str(result, "Character(s) ':' not allowed in revision identifier 'a:b'", "Alembic's message");
	is_int(author(false, "x", "gxy@head", "g1", NULL, NULL, 0, NULL), MG_EINPUT, "a taken id");
	is_int(author(false, "x", "gxy@head", "n1", "gxy", NULL, 0, NULL), MG_EINPUT, "a label in use");
	is_str(result, "Branch name 'gxy' in revision n1 already used by revision g1", "Alembic's message");
	is_int(author(false, "x", "gxy@head", "n1", NULL, "base", 0, NULL), MG_EINPUT, "a dependency on base");
	db_close();
}

static void
test_files(void)
{
	char path[256];
	static const struct {
		const char *message, *name;
	} slugs[] = {
		{"add column foo", "w1_add_column_foo.sql"},
		{"Add a column: Foo (to table bar)!", "w2_add_a_column_foo_to_table_bar.sql"},
		{"one two three four five six seven eight nine ten", "w3_one_two_three_four_five_six_seven_eight_.sql"},
		{"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", "w4_abcdefghijklmnopqrstuvwxyzabcdefghijklmn_.sql"},
		{"!!!", "w5_.sql"},
		{"a\xc3\xb1" "adir columna", "w6_a\xc3\xb1" "adir_columna.sql"},
	};

	db_open();
	load();
	for (size_t i = 0; i < sizeof(slugs) / sizeof(slugs[0]); i++)
	{
		char id[8];

		snprintf(id, sizeof(id), "w%zu", i + 1);
		snprintf(path, sizeof(path), "%s/%s", dir, slugs[i].name);
		is_int(author(false, slugs[i].message, "gxy@head", id, NULL, NULL, 0, dir), MG_OK, "write %s", id);
		is_str(result, path, "write: the file name of \"%s\"", slugs[i].message);
		ok(exists(path), "write: the file exists");
		remove(path);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, slugs[0].name);
	is_str(db_text("SELECT filename FROM migrate_catalog WHERE revision = 'w1'"), path,
		   "write: the catalog has the file's path");
	db_close();
}

/* ---- out of memory ------------------------------------------------------- */

static int stray;

/* The graph with gxy continued by g3 ... g82: more arena chunks, more points to fail. */
static void
setup(void)
{
	static char texts[80][200];
	const char *ptrs[80];
	mg_ctx *ctx;
	char *report;

	load();
	for (int i = 0; i < 80; i++)
	{
		snprintf(texts[i], sizeof(texts[i]),
				 "-- gxy step %d, with a message long enough to fill the arena faster\n"
				 "-- Revision ID: g%d\n-- Revises: g%d\n-- migrate:upgrade\n-- migrate:downgrade\n",
				 i + 3, i + 3, i + 2);
		ptrs[i] = texts[i];
	}
	ctx = new_ctx();
	if (mg_cmd_add(&report, ctx, &host, 80, ptrs, NULL) != MG_OK)
	{
		printf("Bail out! setup: %s\n", mg_ctx_error(ctx)->message);
		exit(1);
	}
	mg_ctx_free(ctx);
}

static int
sw_revision(mg_ctx *ctx, char **out)
{
	mg_revision_args a = {"add column foo", "gxy@head", NULL, "foo", "tsi", 0, NULL};

	return mg_cmd_revision(out, ctx, &host, &a);
}

static int
sw_merge(mg_ctx *ctx, char **out)
{
	mg_revision_args a = {"merge", "heads", "m9", NULL, NULL, 0, NULL};

	return mg_cmd_merge(out, ctx, &host, &a);
}

static int
sw_write(mg_ctx *ctx, char **out)
{
	mg_revision_args a = {"written under pressure", "gxy@head", "f1", NULL, NULL, 0, dir};
	char path[256];
	int rc = mg_cmd_revision(out, ctx, &host, &a);

	snprintf(path, sizeof(path), "%s/f1_written_under_pressure.sql", dir);
	if (rc != MG_OK && exists(path))
		stray++;
	remove(path);
	return rc;
}

static void
test_oom(void)
{
	oom_sweep("revision", setup, sw_revision, "-- Branch Labels: foo\n-- Depends On: tsi\n", NULL);
	oom_sweep("merge", setup, sw_merge, "-- Revises: t1, g82\n", NULL);
	oom_sweep("revision written to a file", setup, sw_write, "f1_written_under_pressure.sql", NULL);
	is_int(stray, 0, "a failed write leaves no file");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
	{
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	test_text();
	test_files();
	test_oom();
	rmdir(dir);
	return done_testing();
}
