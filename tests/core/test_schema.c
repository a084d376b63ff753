/*
 * test_schema.c -- the schema as rows (core/schema.c), their difference,
 * the words that name it, the encoding drift keeps, and the relations
 * (core/table.c, core/rehearse.c, core/drift.c) on an in-memory SQLite:
 * results, and a clean failure at every allocation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "sqlite_host.h"

/* The rows of a snapshot as "kind|name|parent|def" lines. */
static const char *
rows_text(mg_ctx *ctx, mg_schema *s)
{
	mg_buf b;
	char *out;

	if (mg_schema_rows(s, ctx) != MG_OK)
		return "(nomem)";
	mg_buf_init(&b, ctx);
	for (size_t i = 0; i < s->n; i++)
		mg_buf_printf(&b, "%s|%s|%s|%s\n", s->rows[i].kind, s->rows[i].name, s->rows[i].parent,
					  s->rows[i].def);
	return mg_buf_finish(&b, &out) == MG_OK ? out : "(nomem)";
}

static mg_schema
snapshot(mg_ctx *ctx)
{
	mg_state st;
	mg_schema s = {0};

	if (mg_state_open(&st, ctx, &host) != MG_OK || mg_schema_read(&s, &st) != MG_OK)
		printf("# snapshot failed: %s\n", mg_ctx_error(ctx)->message);
	return s;
}

static const char *schema_one[] = {
	"CREATE TABLE t (id integer PRIMARY KEY, v TEXT NOT NULL DEFAULT 'x' CHECK (v <> ''), "
	"c text CHECK (length(c) < 5) CONSTRAINT named CHECK (c <> 'check'), u int UNIQUE, "
	"w int REFERENCES t (id))",
	"CREATE TABLE s (a int, b int, PRIMARY KEY (b, a), FOREIGN KEY (a, b) REFERENCES s2 (x, y)) WITHOUT ROWID",
	"CREATE INDEX ix_t_v ON t (v)",
	"CREATE VIEW vt AS SELECT id\n\tFROM   t",
	"CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END",
	"CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))",
	"CREATE TABLE migrate_private (a int)",
};

static void
test_read(void)
{
	mg_ctx *ctx = new_ctx();
	const char *one, *two;
	mg_schema s;

	db_open();
	for (size_t i = 0; i < sizeof(schema_one) / sizeof(schema_one[0]); i++)
		db_exec(schema_one[i]);
	s = snapshot(ctx);
	one = rows_text(ctx, &s);
	db_close();
	db_open();
	{
		static const int other_order[] = {6, 5, 1, 0, 4, 3, 2};

		for (size_t i = 0; i < sizeof(other_order) / sizeof(other_order[0]); i++)
			db_exec(schema_one[other_order[i]]);
	}
	s = snapshot(ctx);
	two = rows_text(ctx, &s);
	db_close();
	is_str(two, one, "the same objects made in another order give the same rows");
	is_str(one,
		   "table|s||WITHOUT ROWID\n"
		   "table|t||\n"
		   "column|s.a|s|int NOT NULL\n"
		   "column|s.b|s|int NOT NULL\n"
		   "column|t.c|t|text\n"
		   "column|t.id|t|integer\n"
		   "column|t.u|t|int\n"
		   "column|t.v|t|text NOT NULL DEFAULT 'x'\n"
		   "column|t.w|t|int\n"
		   "primary key|s|s|PRIMARY KEY (b, a)\n"
		   "primary key|t|t|PRIMARY KEY (id)\n"
		   "unique|t|t|UNIQUE (u)\n"
		   "check|t|t|CHECK (c <> 'check')\n"
		   "check|t|t|CHECK (length(c) < 5)\n"
		   "check|t|t|CHECK (v <> '')\n"
		   "foreign key|s|s|FOREIGN KEY (a, b) REFERENCES s2 (x, y)\n"
		   "foreign key|t|t|FOREIGN KEY (w) REFERENCES t (id)\n"
		   "index|ix_t_v|t|CREATE INDEX ix_t_v ON t (v)\n"
		   "view|vt||CREATE VIEW vt AS SELECT id FROM t\n"
		   "trigger|tr|t|CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END\n",
		   "every kind of row; the version table and the engine's names left out; blanks squeezed");
	mg_ctx_free(ctx);
}

/* After changes, a snapshot built on the last one equals a full read. */
static void
test_reread(void)
{
	static const char *const changes[] = {
		"ALTER TABLE t ADD COLUMN z int CHECK (z > 1)",
		"CREATE TABLE n (a int PRIMARY KEY, b int REFERENCES t (id))",
		"DROP INDEX ix_t_v",
		"CREATE UNIQUE INDEX ux ON s (a)",
		"ALTER TABLE s RENAME TO s_renamed",
		"DROP TABLE n",
		"ALTER TABLE t RENAME COLUMN v TO vv",
		/* no schema change: the snapshot is the last one's */
		"INSERT INTO t (id, vv) VALUES (1, 'a')",
		/* a trigger may share a table's name */
		"CREATE TRIGGER s_renamed AFTER DELETE ON t BEGIN SELECT 2; END",
		"DROP TRIGGER s_renamed",
		/* a rename SQLite writes into other objects' text (the view, the foreign key) */
		"ALTER TABLE t RENAME TO t2",
		"CREATE TABLE r (a int REFERENCES t2 (id))",
		"ALTER TABLE t2 RENAME TO t",
		/* dropped and made again with other text */
		"DROP VIEW vt",
		"CREATE VIEW vt AS SELECT id, vv FROM t",
		/* many tables at once (read in one scan) */
		"CREATE TABLE m1 (a int CHECK (a > 0)); CREATE TABLE m2 (a int UNIQUE); CREATE TABLE m3 (a int);"
		"CREATE TABLE m4 (a int); CREATE TABLE m5 (a int); CREATE TABLE m6 (a int); CREATE TABLE m7 (a int);"
		"CREATE TABLE m8 (a int); CREATE TABLE m9 (a int PRIMARY KEY, b REFERENCES m1 (a))",
		"DROP TABLE m2; ALTER TABLE m3 ADD COLUMN b text",
	};
	mg_ctx *ctx = new_ctx();
	mg_schema prev, next, full;
	int same = 0;

	db_open();
	for (size_t i = 0; i < 5; i++)
		db_exec(schema_one[i]);
	prev = snapshot(ctx);
	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
	{
		mg_state st;

		db_exec(changes[i]);
		full = snapshot(ctx);
		if (mg_state_open(&st, ctx, &host) != MG_OK || mg_schema_reread(&next, &st, &prev) != MG_OK)
			break;
		if (strcmp(rows_text(ctx, &next), rows_text(ctx, &full)) == 0)
			same++;
		else
			printf("# after %s:\n# %s\n# full: %s\n", changes[i], rows_text(ctx, &next), rows_text(ctx, &full));
		prev = next;
	}
	is_int(same, (int) (sizeof(changes) / sizeof(changes[0])),
		   "a snapshot built on the last one equals a full read after every change");
	db_close();
	mg_ctx_free(ctx);
}

static mg_srow
row(const char *kind, const char *name, const char *parent, const char *def)
{
	mg_srow r;
	static const char *const order[] = {"table", "column", "primary key", "unique", "check",
										"foreign key", "exclusion", "index"};

	r.kind = kind;
	r.name = name;
	r.parent = parent;
	r.def = def;
	r.group = NULL;
	r.rank = 99;
	for (int i = 0; i < 8; i++)
		if (strcmp(order[i], kind) == 0)
			r.rank = i;
	return r;
}

static void
test_diff(void)
{
	mg_ctx *ctx = new_ctx();
	mg_srow a_rows[] = {
		row("table", "job", "", ""),
		row("table", "old", "", ""),
		row("column", "job.note", "job", "varchar(32) NOT NULL DEFAULT 'x'"),
		row("column", "job.state", "job", "text"),
		row("column", "old.a", "old", "int"),
		row("check", "job", "job", "CHECK (a > 0)"),
		row("check", "job", "job", "CHECK (b > 0)"),
		row("index", "ix_old", "old", "CREATE INDEX ix_old ON old (a)"),
	};
	mg_srow b_rows[] = {
		row("table", "job", "", ""),
		row("table", "new", "", ""),
		row("column", "job.note", "job", "text"),
		row("column", "job.state", "job", "text"),
		row("column", "new.a", "new", "int"),
		row("check", "job", "job", "CHECK (a > 0)"),
		row("check", "job", "job", "CHECK (c > 0)"),
	};
	mg_schema a = {.rows = a_rows, .n = sizeof(a_rows) / sizeof(a_rows[0]), .stamp = -1};
	mg_schema b = {.rows = b_rows, .n = sizeof(b_rows) / sizeof(b_rows[0]), .stamp = -1};
	mg_schema_change *ch;
	size_t n;
	char *enc;
	mg_schema back;

	ok(mg_schema_diff(&ch, &n, ctx, &a, &b) == MG_OK, "diff");
	is_str(mg_schema_change_lines(ctx, ch, n),
		   "added table new\n"
		   "dropped table old\n"
		   "changed column job.note: type text, was varchar(32); nullable, was NOT NULL; no default, was DEFAULT 'x'\n"
		   "dropped check job\n"
		   "added check job: CHECK (c > 0)",
		   "added, dropped, changed; a table's own rows folded into it; unnamed rows matched by definition");
	is_str(mg_schema_change_what(ctx, &ch[2], "after downgrade of r2"),
		   "type text after downgrade of r2, was varchar(32); nullable after downgrade of r2, was NOT NULL; "
		   "no default after downgrade of r2, was DEFAULT 'x'",
		   "the stairway's words for a changed column");
	ok(mg_schema_diff(&ch, &n, ctx, &a, &a) == MG_OK && n == 0, "a snapshot does not differ from itself");

	a_rows[2].def = "a\tb\nc\\d";
	ok(mg_schema_encode(&enc, ctx, &a) == MG_OK && mg_schema_decode(&back, ctx, enc) == MG_OK,
	   "encode and decode");
	is_str(rows_text(ctx, &back), rows_text(ctx, &a), "the rows come back, tabs, newlines and backslashes included");
	ok(strchr(enc, '\n') != NULL && strstr(enc, "a\\tb\\nc\\\\d") != NULL, "escaped in the text");
	mg_ctx_free(ctx);
}

/* ---- the relations, and their out-of-memory sweeps ---------------------- */

static const char *const env[] = {
	"-- r1\n-- Revision ID: r1\n-- Revises:\n-- migrate:upgrade\nCREATE TABLE job (id integer PRIMARY KEY, note varchar(32));\n-- migrate:downgrade\nDROP TABLE job;\n",
	"-- r2\n-- Revision ID: r2\n-- Revises: r1\n-- migrate:upgrade\nCREATE INDEX ix_job ON job (note);\n-- migrate:downgrade\n\n",
	"-- r3\n-- Revision ID: r3\n-- Revises: r2\n-- migrate:upgrade\nALTER TABLE job ADD COLUMN x int;\n-- migrate:downgrade\nALTER TABLE job DROP COLUMN x;\n",
};

static void
setup_env(void)
{
	mg_ctx *ctx = new_ctx();
	char *report;

	if (mg_cmd_add(&report, ctx, &host, 3, env, NULL) != MG_OK)
		printf("Bail out! add: %s\n", mg_ctx_error(ctx)->message);
	mg_ctx_free(ctx);
}

static void
setup_applied(void)
{
	mg_ctx *ctx = new_ctx();
	char *report;

	setup_env();
	if (mg_cmd_upgrade(&report, ctx, &host, "r2") != MG_OK)
		printf("Bail out! upgrade: %s\n", mg_ctx_error(ctx)->message);
	mg_ctx_free(ctx);
	db_exec("CREATE INDEX by_hand ON job (id)");
}

/* A relation's table as lines of cells joined by '|'. */
static int
relation_text(mg_ctx *ctx, char **out, mg_relation rel, const char *a0, const char *a1)
{
	mg_table t;
	mg_buf b;
	int rc = mg_cmd_relation(&t, ctx, &host, rel, a0, a1);

	if (rc != MG_OK)
		return rc;
	mg_buf_init(&b, ctx);
	for (size_t r = 0; r < t.n; r++)
	{
		for (size_t c = 0; c < t.ncol; c++)
			mg_buf_printf(&b, "%s%s", c ? "|" : "", t.cells[r * t.ncol + c] ? t.cells[r * t.ncol + c] : "NULL");
		mg_buf_putc(&b, '\n');
	}
	return mg_buf_finish(&b, out);
}

static int
sw_plan(mg_ctx *ctx, char **out)
{
	return relation_text(ctx, out, MG_REL_PLAN, NULL, NULL);
}

static int
sw_schema(mg_ctx *ctx, char **out)
{
	return relation_text(ctx, out, MG_REL_SCHEMA, NULL, NULL);
}

static int
sw_rehearse(mg_ctx *ctx, char **out)
{
	return relation_text(ctx, out, MG_REL_REHEARSE, "heads", NULL);
}

static int
sw_stairway(mg_ctx *ctx, char **out)
{
	return relation_text(ctx, out, MG_REL_STAIRWAY, "base:heads", NULL);
}

static int
sw_check(mg_ctx *ctx, char **out)
{
	int ok;

	return mg_cmd_check(out, &ok, ctx, &host);
}

static void
test_relations(void)
{
	mg_ctx *ctx = new_ctx();
	char *out = NULL;
	const char *before;

	db_open();
	setup_env();
	before = db_state();
	ok(sw_stairway(ctx, &out) == MG_OK, "stairway");
	is_str(out, "1|r1|r1|ok|NULL\n"
		   "2|r2|r2|difference|index ix_job still exists after downgrade of r2\n"
		   "upgrade after downgrade failed: index ix_job already exists\n"
		   "upgrade of revision r2 (\"r2\"), file \"<inline r2>\", statement 0\n",
		   "the stairway finds the forgotten index");
	is_str(db_state(), before, "and leaves the database as it was");
	db_close();
	mg_ctx_free(ctx);
}

static void
test_oom(void)
{
	oom_sweep("plan", setup_env, sw_plan, "1|r1|upgrade||r1|r1|<inline r1>|1|1|CREATE TABLE job", NULL);
	oom_sweep("schema", setup_applied, sw_schema, "index|by_hand|job|CREATE INDEX by_hand ON job (id)", NULL);
	oom_sweep("rehearse", setup_applied, sw_rehearse, "1|r3|upgrade|r2|r3|r3|ok|", NULL);
	oom_sweep("stairway", setup_env, sw_stairway, "index ix_job still exists after downgrade of r2", NULL);
	oom_sweep("check with drift", setup_applied, sw_check, "drift: index by_hand added since r2 was applied on 2026-01-02 03:04:05 UTC", NULL);
}

int
main(void)
{
	test_read();
	test_reread();
	test_diff();
	test_relations();
	test_oom();
	return done_testing();
}
