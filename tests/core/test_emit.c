/*
 * test_emit.c -- offline SQL (emit.c) against Alembic's observed output.
 *
 * Plans and scripts are built by hand, so these tests depend on neither
 * the parser nor the planner: the graph is the Galaxy-shaped one of
 * ALEMBIC.md (e7b6 -> b182 -> {186d, c39f} -> 9540 merge).
 */
#include "../../core/internal.h"
#include "tap.h"

#define E7B6 "e7b6dcb09efd"
#define B182 "b182f655505f"
#define D186 "186d4835587b"
#define C39F "c39f1de47a04"
#define M9540 "9540a051226e"

/* Alembic's CREATE TABLE of the version table, as --sql writes it. */
#define VT_DDL \
	"CREATE TABLE alembic_version (\n" \
	"    version_num VARCHAR(32) NOT NULL, \n" \
	"    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n" \
	");\n\n"

static mg_script scripts[8];
static mg_script_source script_sections[8];
static size_t nscripts;

/* A hand-made script with plain upgrade/downgrade sections. */
static mg_script *
script(const char *id, const char *up, const char *down)
{
	mg_script *s = &scripts[nscripts];

	memset(s, 0, sizeof(*s));
	s->src = memset(&script_sections[nscripts++], 0, sizeof(mg_script_source));
	s->id = id;
	s->message = "";
	s->filename = "";
	s->transactional = true;
	s->body_dirs = MG_BODY_BOTH;
	s->src->upgrade[MG_DIALECT_ANY] = up;
	s->src->downgrade[MG_DIALECT_ANY] = down;
	return s;
}

/* The five revisions of the example, added to a map in this order. */
static int
example_map(mg_revmap **map, mg_ctx *ctx)
{
	int rc;

	nscripts = 0;
	script(E7B6, "CREATE TABLE t_e7b6dcb09efd (id integer primary key);",
		   "DROP TABLE t_e7b6dcb09efd;");
	script(B182, "CREATE TABLE t_b182f655505f (id integer primary key);",
		   "DROP TABLE t_b182f655505f;");
	script(D186, "CREATE TABLE t_186d4835587b (id integer primary key);",
		   "DROP TABLE t_186d4835587b;");
	script(C39F, "CREATE TABLE t_c39f1de47a04 (id integer primary key);",
		   "DROP TABLE t_c39f1de47a04;");
	script(M9540, "CREATE TABLE t_9540a051226e (id integer primary key);",
		   "DROP TABLE t_9540a051226e;");
	rc = mg_revmap_new(map, ctx);
	for (size_t i = 0; rc == MG_OK && i < nscripts; i++)
		rc = mg_revmap_add(*map, &scripts[i]);
	return rc;
}

/* upgrade gxy@head from an empty database */
static mg_vop up_ops[] = {
	{MG_VOP_INSERT, NULL, E7B6},
	{MG_VOP_UPDATE, E7B6, B182},
	{MG_VOP_UPDATE, B182, D186},
	{MG_VOP_INSERT, NULL, C39F},
	{MG_VOP_DELETE, C39F, NULL},
	{MG_VOP_UPDATE, D186, M9540},
};
static mg_step up_steps[] = {
	{0, true, "", E7B6, &up_ops[0], 1},
	{1, true, E7B6, B182, &up_ops[1], 1},
	{2, true, B182, D186, &up_ops[2], 1},
	{3, true, B182, C39F, &up_ops[3], 1},
	{4, true, C39F ", " D186, M9540, &up_ops[4], 2},
};
static const char *up_end[] = {M9540};
static mg_plan up_plan = {up_steps, 5, NULL, 0, up_end, 1};

#define UP_BODY \
	"CREATE TABLE alembic_version (\n" \
	"    version_num VARCHAR(32) NOT NULL, \n" \
	"    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n" \
	");\n\n" \
	"-- Running upgrade  -> e7b6dcb09efd\n\n" \
	"CREATE TABLE t_e7b6dcb09efd (id integer primary key);\n\n" \
	"INSERT INTO alembic_version (version_num) VALUES ('e7b6dcb09efd');\n\n" \
	"-- Running upgrade e7b6dcb09efd -> b182f655505f\n\n" \
	"CREATE TABLE t_b182f655505f (id integer primary key);\n\n" \
	"UPDATE alembic_version SET version_num='b182f655505f' WHERE alembic_version.version_num = 'e7b6dcb09efd';\n\n" \
	"-- Running upgrade b182f655505f -> 186d4835587b\n\n" \
	"CREATE TABLE t_186d4835587b (id integer primary key);\n\n" \
	"UPDATE alembic_version SET version_num='186d4835587b' WHERE alembic_version.version_num = 'b182f655505f';\n\n" \
	"-- Running upgrade b182f655505f -> c39f1de47a04\n\n" \
	"CREATE TABLE t_c39f1de47a04 (id integer primary key);\n\n" \
	"INSERT INTO alembic_version (version_num) VALUES ('c39f1de47a04');\n\n" \
	"-- Running upgrade c39f1de47a04, 186d4835587b -> 9540a051226e\n\n" \
	"CREATE TABLE t_9540a051226e (id integer primary key);\n\n" \
	"DELETE FROM alembic_version WHERE alembic_version.version_num = 'c39f1de47a04';\n\n" \
	"UPDATE alembic_version SET version_num='9540a051226e' WHERE alembic_version.version_num = '186d4835587b';\n\n"

/* downgrade 9540a051226e:b182f655505f (unmerge, then the two branches) */
static mg_vop down_ops[] = {
	{MG_VOP_INSERT, NULL, D186},
	{MG_VOP_UPDATE, M9540, C39F},
	{MG_VOP_DELETE, C39F, NULL},
	{MG_VOP_UPDATE, D186, B182},
};
static mg_step down_steps[] = {
	{4, false, M9540, C39F ", " D186, &down_ops[0], 2},
	{3, false, C39F, B182, &down_ops[2], 1},
	{2, false, D186, B182, &down_ops[3], 1},
};
static const char *down_start[] = {M9540};
static const char *down_end[] = {B182};
static mg_plan down_plan = {down_steps, 3, down_start, 1, down_end, 1};

#define DOWN_SQL \
	"-- Running downgrade 9540a051226e -> c39f1de47a04, 186d4835587b\n\n" \
	"DROP TABLE t_9540a051226e;\n\n" \
	"INSERT INTO alembic_version (version_num) VALUES ('186d4835587b');\n\n" \
	"UPDATE alembic_version SET version_num='c39f1de47a04' WHERE alembic_version.version_num = '9540a051226e';\n\n" \
	"-- Running downgrade c39f1de47a04 -> b182f655505f\n\n" \
	"DROP TABLE t_c39f1de47a04;\n\n" \
	"DELETE FROM alembic_version WHERE alembic_version.version_num = 'c39f1de47a04';\n\n" \
	"-- Running downgrade 186d4835587b -> b182f655505f\n\n" \
	"DROP TABLE t_186d4835587b;\n\n" \
	"UPDATE alembic_version SET version_num='b182f655505f' WHERE alembic_version.version_num = '186d4835587b';\n\n"

static mg_ctx *
new_ctx(void)
{
	mg_ctx *ctx = NULL;

	tap_fail_at = 0;
	if (mg_ctx_new(&ctx, tap_realloc, NULL) != MG_OK)
	{
		printf("Bail out! cannot create a context\n");
		exit(1);
	}
	return ctx;
}

static void
test_example(void)
{
	mg_ctx *ctx = new_ctx();
	mg_revmap *map;
	char *out = NULL;

	is_int(example_map(&map, ctx), MG_OK, "example map built");

	is_int(mg_emit_sql(&out, ctx, map, &up_plan, MG_DIALECT_POSTGRESQL, "alembic_version"),
		   MG_OK, "postgresql upgrade emits");
	is_str(out, "BEGIN;\n\n" UP_BODY "COMMIT;\n\n",
		   "postgresql upgrade is Alembic's text, wrapped in BEGIN;/COMMIT;");

	out = NULL;
	is_int(mg_emit_sql(&out, ctx, map, &up_plan, MG_DIALECT_SQLITE, "alembic_version"),
		   MG_OK, "sqlite upgrade emits");
	is_str(out, UP_BODY, "sqlite upgrade is the same text without BEGIN;/COMMIT;");

	out = NULL;
	is_int(mg_emit_sql(&out, ctx, map, &down_plan, MG_DIALECT_SQLITE, "alembic_version"),
		   MG_OK, "sqlite unmerge downgrade emits");
	is_str(out, DOWN_SQL, "downgrade from a non-empty start: no CREATE TABLE, unmerge ops in order");

	out = NULL;
	is_int(mg_emit_sql(&out, ctx, map, &down_plan, MG_DIALECT_POSTGRESQL, "alembic_version"),
		   MG_OK, "postgresql downgrade emits");
	is_str(out, "BEGIN;\n\n" DOWN_SQL "COMMIT;\n\n", "postgresql downgrade wrapped");
	mg_ctx_free(ctx);
}

static void
test_base_and_stamp(void)
{
	mg_ctx *ctx = new_ctx();
	mg_revmap *map;
	char *out = NULL;
	mg_vop del = {MG_VOP_DELETE, E7B6, NULL};
	mg_step to_base = {0, false, E7B6, "", &del, 1};
	const char *start[] = {E7B6};
	mg_plan base_plan = {&to_base, 1, start, 1, NULL, 0};
	mg_vop ins = {MG_VOP_INSERT, NULL, E7B6};
	mg_step stamp = {-1, true, "", E7B6, &ins, 1};
	mg_plan stamp_plan = {&stamp, 1, NULL, 0, start, 1};
	mg_vop reins = {MG_VOP_INSERT, NULL, E7B6};
	mg_step again[] = {
		{0, false, E7B6, "", &del, 1},
		{0, true, "", E7B6, &reins, 1},
	};
	mg_plan again_plan = {again, 2, start, 1, start, 1};
	mg_plan empty_plan = {NULL, 0, NULL, 0, NULL, 0};

	example_map(&map, ctx);

	is_int(mg_emit_sql(&out, ctx, map, &base_plan, MG_DIALECT_SQLITE, "alembic_version"),
		   MG_OK, "downgrade to base emits");
	is_str(out,
		   "-- Running downgrade e7b6dcb09efd -> \n\n"
		   "DROP TABLE t_e7b6dcb09efd;\n\n"
		   "DELETE FROM alembic_version WHERE alembic_version.version_num = 'e7b6dcb09efd';\n\n",
		   "ending at base keeps the version table (no DROP TABLE)");

	out = NULL;
	is_int(mg_emit_sql(&out, ctx, map, &stamp_plan, MG_DIALECT_SQLITE, "alembic_version"),
		   MG_OK, "stamp emits");
	is_str(out,
		   VT_DDL
		   "-- Running stamp_revision  -> e7b6dcb09efd\n\n"
		   "INSERT INTO alembic_version (version_num) VALUES ('e7b6dcb09efd');\n\n",
		   "stamp step: Alembic's stamp_revision log, no body");

	out = NULL;
	is_int(mg_emit_sql(&out, ctx, map, &again_plan, MG_DIALECT_SQLITE, "alembic_version"),
		   MG_OK, "down-then-up plan emits");
	ok(out != NULL && strstr(out, "DELETE FROM") < strstr(out, "CREATE TABLE alembic_version") &&
	   strstr(out, "CREATE TABLE alembic_version") < strstr(out, "-- Running upgrade"),
	   "CREATE TABLE is emitted again before a step that starts from no rows");

	out = NULL;
	is_int(mg_emit_sql(&out, ctx, map, &empty_plan, MG_DIALECT_POSTGRESQL, "alembic_version"),
		   MG_OK, "empty plan emits");
	is_str(out, "BEGIN;\n\nCOMMIT;\n\n", "empty plan on postgresql: BEGIN;/COMMIT; only");
	out = NULL;
	is_int(mg_emit_sql(&out, ctx, map, &empty_plan, MG_DIALECT_SQLITE, "alembic_version"),
		   MG_OK, "empty plan on sqlite emits");
	is_str(out, "", "empty plan on sqlite: nothing");
	mg_ctx_free(ctx);
}

/*
 * The emitter fed step by step with sections as found in the texts
 * (what offline SQL does while the catalog streams): the same text as
 * mg_emit_sql, stamp steps written on the way, a span that is not
 * NUL-terminated, the Transactional flag taken from the span; steps
 * out of order, a step left without its body, and an absent section
 * are errors.
 */
static void
test_emitter(void)
{
	mg_ctx *ctx = new_ctx();
	const char *text = "CREATE TABLE a (x int);\nCREATE TABLE b (y int);XXXX";
	mg_vop ins = {MG_VOP_INSERT, NULL, "aaaa"}, upd = {MG_VOP_UPDATE, "aaaa", "bbbb"};
	mg_vop upd2 = {MG_VOP_UPDATE, "bbbb", "cccc"};
	mg_step steps[] = {
		{-1, true, "", "aaaa", &ins, 1},
		{0, true, "aaaa", "bbbb", &upd, 1},
		{1, true, "bbbb", "cccc", &upd2, 1},
	};
	mg_plan plan = {steps, 3, NULL, 0, NULL, 0};
	const mg_script *scripts[3];
	mg_script *s1, *s2;
	mg_emitter *e;
	mg_body_span b1, b2;
	char *out = NULL;

	nscripts = 0;
	s1 = script("bbbb", NULL, NULL);
	s2 = script("cccc", NULL, NULL);
	scripts[0] = NULL;
	scripts[1] = s1;
	scripts[2] = s2;
	b1.text = text;
	b1.len = strlen(text) - 4;      /* the span ends before "XXXX" */
	b1.transactional = true;
	b2.text = "SELECT 1;";
	b2.len = 9;
	b2.transactional = false;
	is_int(mg_emit_begin(&e, ctx, scripts, &plan, MG_DIALECT_POSTGRESQL, "alembic_version"), MG_OK,
		   "emitter: begin");
	is_int(mg_emit_step(e, 1, &b1), MG_OK, "emitter: the first revision step (the stamp before it on the way)");
	is_int(mg_emit_step(e, 2, &b2), MG_OK, "emitter: the second");
	is_int(mg_emit_finish(e, &out), MG_OK, "emitter: finish");
	is_str(out,
		   "BEGIN;\n\n"
		   VT_DDL
		   "-- Running stamp_revision  -> aaaa\n\n"
		   "INSERT INTO alembic_version (version_num) VALUES ('aaaa');\n\n"
		   "-- Running upgrade aaaa -> bbbb\n\n"
		   "CREATE TABLE a (x int);\n\n"
		   "CREATE TABLE b (y int);\n\n"
		   "UPDATE alembic_version SET version_num='bbbb' WHERE alembic_version.version_num = 'aaaa';\n\n"
		   "-- Running upgrade bbbb -> cccc\n\n"
		   "COMMIT;\n\n"
		   "SELECT 1;\n\n"
		   "BEGIN;\n\n"
		   "UPDATE alembic_version SET version_num='cccc' WHERE alembic_version.version_num = 'bbbb';\n\n"
		   "COMMIT;\n\n",
		   "emitter: the whole text; the span's end respected; Transactional: false from the span");

	mg_emit_begin(&e, ctx, scripts, &plan, MG_DIALECT_SQLITE, "alembic_version");
	is_int(mg_emit_step(e, 2, &b2), MG_EINPUT, "emitter: a revision step skipped: MG_EINPUT");
	is_str(mg_ctx_error(ctx)->message, "offline SQL: step 2 (revision \"bbbb\") was given no body",
		   "emitter: the skipped step is named");
	mg_error_clear(ctx);
	mg_emit_begin(&e, ctx, scripts, &plan, MG_DIALECT_SQLITE, "alembic_version");
	mg_emit_step(e, 1, &b1);
	is_int(mg_emit_step(e, 1, &b1), MG_EINPUT, "emitter: the same step twice: MG_EINPUT");
	is_str(mg_ctx_error(ctx)->message, "offline SQL: step 2 given out of order (next is 3 of 3)",
		   "emitter: out of order, with the positions");
	mg_error_clear(ctx);
	is_int(mg_emit_finish(e, &out), MG_EINPUT, "emitter: finish with a step left: MG_EINPUT");
	ok(out == NULL, "emitter: no text then");
	is_str(mg_ctx_error(ctx)->message, "offline SQL: step 3 (revision \"cccc\") was given no body",
		   "emitter: the step left is named");
	mg_error_clear(ctx);
	mg_emit_begin(&e, ctx, scripts, &plan, MG_DIALECT_SQLITE, "alembic_version");
	b1.text = NULL;
	b1.len = 0;
	is_int(mg_emit_step(e, 1, &b1), MG_EINPUT, "emitter: an absent section: MG_EINPUT");
	is_str(mg_ctx_error(ctx)->message, "revision \"bbbb\" has no upgrade section for sqlite",
		   "emitter: the missing-section message");
	mg_error_clear(ctx);
	is_int(mg_emit_begin(&e, ctx, scripts, &plan, 9, "alembic_version"), MG_EINPUT,
		   "emitter: an unknown dialect: MG_EINPUT");
	mg_ctx_free(ctx);
}

static void
test_version_table_names(void)
{
	mg_ctx *ctx = new_ctx();
	mg_revmap *map;
	char *out = NULL;
	mg_vop ins = {MG_VOP_INSERT, NULL, E7B6};
	mg_vop upd = {MG_VOP_UPDATE, E7B6, B182};
	mg_vop del = {MG_VOP_DELETE, B182, NULL};
	mg_vop quote = {MG_VOP_INSERT, NULL, "it's"};
	mg_step steps[] = {
		{0, true, "", E7B6, &ins, 1},
		{1, true, E7B6, B182, &upd, 1},
	};
	mg_plan plan = {steps, 2, NULL, 0, NULL, 0};

	example_map(&map, ctx);

	is_str(mg_emit_version_table_ddl(ctx, "alembic_version"),
		   "CREATE TABLE alembic_version (\n"
		   "    version_num VARCHAR(32) NOT NULL, \n"
		   "    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n"
		   ")",
		   "DDL: Alembic's exact text, trailing blank after NOT NULL,");
	is_str(mg_emit_version_table_ddl(ctx, "MyVersions"),
		   "CREATE TABLE \"MyVersions\" (\n"
		   "    version_num VARCHAR(32) NOT NULL, \n"
		   "    CONSTRAINT \"MyVersions_pkc\" PRIMARY KEY (version_num)\n"
		   ")",
		   "DDL: a name with capitals is quoted, constraint too (as SQLAlchemy)");
	is_str(mg_emit_version_table_ddl(ctx, "my \"v\""),
		   "CREATE TABLE \"my \"\"v\"\"\" (\n"
		   "    version_num VARCHAR(32) NOT NULL, \n"
		   "    CONSTRAINT \"my \"\"v\"\"_pkc\" PRIMARY KEY (version_num)\n"
		   ")",
		   "DDL: embedded quotes doubled");
	is_str(mg_emit_version_table_ddl(ctx, "_v2"),
		   "CREATE TABLE _v2 (\n"
		   "    version_num VARCHAR(32) NOT NULL, \n"
		   "    CONSTRAINT _v2_pkc PRIMARY KEY (version_num)\n"
		   ")",
		   "DDL: a plain name with digits stays bare");
	is_str(mg_emit_version_table_ddl(ctx, "2v"),
		   "CREATE TABLE \"2v\" (\n"
		   "    version_num VARCHAR(32) NOT NULL, \n"
		   "    CONSTRAINT \"2v_pkc\" PRIMARY KEY (version_num)\n"
		   ")",
		   "DDL: a name starting with a digit is quoted");

	is_str(mg_emit_vop(ctx, &ins, "gxy_version"),
		   "INSERT INTO gxy_version (version_num) VALUES ('e7b6dcb09efd')", "vop insert");
	is_str(mg_emit_vop(ctx, &upd, "gxy_version"),
		   "UPDATE gxy_version SET version_num='b182f655505f' WHERE gxy_version.version_num = 'e7b6dcb09efd'",
		   "vop update");
	is_str(mg_emit_vop(ctx, &del, "gxy_version"),
		   "DELETE FROM gxy_version WHERE gxy_version.version_num = 'b182f655505f'", "vop delete");
	is_str(mg_emit_vop(ctx, &upd, "Ver"),
		   "UPDATE \"Ver\" SET version_num='b182f655505f' WHERE \"Ver\".version_num = 'e7b6dcb09efd'",
		   "vop update with a quoted table name");
	is_str(mg_emit_vop(ctx, &quote, "v"),
		   "INSERT INTO v (version_num) VALUES ('it''s')", "vop literal quotes doubled");

	is_int(mg_emit_sql(&out, ctx, map, &plan, MG_DIALECT_SQLITE, "MyVersions"), MG_OK,
		   "plan with a custom version table emits");
	is_str(out,
		   "CREATE TABLE \"MyVersions\" (\n"
		   "    version_num VARCHAR(32) NOT NULL, \n"
		   "    CONSTRAINT \"MyVersions_pkc\" PRIMARY KEY (version_num)\n"
		   ");\n\n"
		   "-- Running upgrade  -> e7b6dcb09efd\n\n"
		   "CREATE TABLE t_e7b6dcb09efd (id integer primary key);\n\n"
		   "INSERT INTO \"MyVersions\" (version_num) VALUES ('e7b6dcb09efd');\n\n"
		   "-- Running upgrade e7b6dcb09efd -> b182f655505f\n\n"
		   "CREATE TABLE t_b182f655505f (id integer primary key);\n\n"
		   "UPDATE \"MyVersions\" SET version_num='b182f655505f' WHERE \"MyVersions\".version_num = 'e7b6dcb09efd';\n\n",
		   "custom version table: every statement names it, quoted (Alembic's observed text)");
	mg_ctx_free(ctx);
}

static void
test_bodies(void)
{
	mg_ctx *ctx = new_ctx();
	mg_revmap *map;
	mg_script *s1, *s2, *s3, *s4;
	char *out = NULL;
	mg_vop ins = {MG_VOP_INSERT, NULL, "aaaa"};
	mg_vop upd = {MG_VOP_UPDATE, "aaaa", "bbbb"};
	mg_vop upd3 = {MG_VOP_UPDATE, "bbbb", "cccc"};
	mg_vop upd4 = {MG_VOP_UPDATE, "cccc", "dddd"};
	mg_step steps[] = {
		{0, true, "", "aaaa", &ins, 1},
		{1, true, "aaaa", "bbbb", &upd, 1},
		{2, true, "bbbb", "cccc", &upd3, 1},
		{3, true, "cccc", "dddd", &upd4, 1},
	};
	mg_plan plan = {steps, 2, NULL, 0, NULL, 0};
	const char *start3[] = {"bbbb"};
	mg_plan plan3 = {&steps[2], 1, start3, 1, NULL, 0};
	const char *start4[] = {"cccc"};
	mg_plan plan4 = {&steps[3], 1, start4, 1, NULL, 0};

	nscripts = 0;
	s1 = script("aaaa", "CREATE TABLE a (x int);\nCREATE TABLE b (y int);", NULL);
	s1->src->upgrade[MG_DIALECT_SQLITE] = "CREATE TABLE a (x INTEGER);";
	s2 = script("bbbb", "CREATE INDEX CONCURRENTLY ix ON a (x);", NULL);
	s2->transactional = false;
	s3 = script("cccc", "\n  -- only a comment\n", NULL);
	s4 = script("dddd", "SELECT 1 -- trailing note\n;\nSELECT '--' AS x;\nSELECT 2; -- after", NULL);
	mg_revmap_new(&map, ctx);
	mg_revmap_add(map, s1);
	mg_revmap_add(map, s2);
	mg_revmap_add(map, s3);
	mg_revmap_add(map, s4);

	is_int(mg_emit_sql(&out, ctx, map, &plan, MG_DIALECT_POSTGRESQL, "alembic_version"),
		   MG_OK, "postgresql: plain sections, non-transactional step");
	is_str(out,
		   "BEGIN;\n\n"
		   VT_DDL
		   "-- Running upgrade  -> aaaa\n\n"
		   "CREATE TABLE a (x int);\n\n"
		   "CREATE TABLE b (y int);\n\n"
		   "INSERT INTO alembic_version (version_num) VALUES ('aaaa');\n\n"
		   "-- Running upgrade aaaa -> bbbb\n\n"
		   "COMMIT;\n\n"
		   "CREATE INDEX CONCURRENTLY ix ON a (x);\n\n"
		   "BEGIN;\n\n"
		   "UPDATE alembic_version SET version_num='bbbb' WHERE alembic_version.version_num = 'aaaa';\n\n"
		   "COMMIT;\n\n",
		   "each statement on its own; Transactional: false runs between COMMIT; and BEGIN; "
		   "(Alembic's autocommit_block)");

	out = NULL;
	is_int(mg_emit_sql(&out, ctx, map, &plan, MG_DIALECT_SQLITE, "alembic_version"),
		   MG_OK, "sqlite: dialect section, non-transactional step");
	is_str(out,
		   VT_DDL
		   "-- Running upgrade  -> aaaa\n\n"
		   "CREATE TABLE a (x INTEGER);\n\n"
		   "INSERT INTO alembic_version (version_num) VALUES ('aaaa');\n\n"
		   "-- Running upgrade aaaa -> bbbb\n\n"
		   "CREATE INDEX CONCURRENTLY ix ON a (x);\n\n"
		   "UPDATE alembic_version SET version_num='bbbb' WHERE alembic_version.version_num = 'aaaa';\n\n",
		   "the sqlite section wins over the plain one; no COMMIT;/BEGIN; on sqlite");

	out = NULL;
	is_int(mg_emit_sql(&out, ctx, map, &plan3, MG_DIALECT_SQLITE, "alembic_version"),
		   MG_OK, "comment-only section emits");
	is_str(out,
		   "-- Running upgrade bbbb -> cccc\n\n"
		   "UPDATE alembic_version SET version_num='cccc' WHERE alembic_version.version_num = 'bbbb';\n\n",
		   "a section of only comments is an empty step");

	out = NULL;
	is_int(mg_emit_sql(&out, ctx, map, &plan4, MG_DIALECT_SQLITE, "alembic_version"),
		   MG_OK, "statements with comments emit");
	is_str(out,
		   "-- Running upgrade cccc -> dddd\n\n"
		   "SELECT 1 -- trailing note\n;\n\n"
		   "SELECT '--' AS x;\n\n"
		   "SELECT 2;\n\n"
		   "UPDATE alembic_version SET version_num='dddd' WHERE alembic_version.version_num = 'cccc';\n\n",
		   "a statement ending in a -- comment gets its ; on the next line; -- inside a string does not count");
	mg_ctx_free(ctx);
}

static void
test_missing_sections(void)
{
	mg_ctx *ctx = new_ctx();
	mg_revmap *map;
	mg_script *s1, *s2;
	char *out = (char *) "x";
	const mg_error *err = mg_ctx_error(ctx);
	mg_vop ins = {MG_VOP_INSERT, NULL, "abc1"};
	mg_vop del = {MG_VOP_DELETE, "abc1", NULL};
	mg_step up = {0, true, "", "abc1", &ins, 1};
	mg_step down = {0, false, "abc1", "", &del, 1};
	mg_step up2 = {1, true, "", "abc2", &ins, 1};
	const char *start[] = {"abc1"};
	mg_plan up_plan1 = {&up, 1, NULL, 0, NULL, 0};
	mg_plan down_plan1 = {&down, 1, start, 1, NULL, 0};
	mg_plan up_plan2 = {&up2, 1, NULL, 0, NULL, 0};
	mg_step bad = {7, true, "", "x", NULL, 0};
	mg_plan bad_plan = {&bad, 1, NULL, 0, NULL, 0};

	nscripts = 0;
	s1 = script("abc1", NULL, NULL);
	s1->src->upgrade[MG_DIALECT_POSTGRESQL] = "SELECT 1;";
	s1->filename = "versions/abc1_add.sql";
	s2 = script("abc2", "SELECT 2;", NULL);
	s2->body_dirs = 0;
	mg_revmap_new(&map, ctx);
	mg_revmap_add(map, s1);
	mg_revmap_add(map, s2);

	is_int(mg_emit_sql(&out, ctx, map, &up_plan1, MG_DIALECT_SQLITE, "alembic_version"),
		   MG_EINPUT, "no upgrade section for sqlite: MG_EINPUT");
	ok(out == NULL, "nothing produced");
	is_str(err->message, "revision \"abc1\" has no upgrade section for sqlite", "upgrade message");
	is_str(err->sqlstate, MG_STATE_PREREQUISITE, "upgrade SQLSTATE");
	is_str(err->hint, "Add a \"-- migrate:upgrade\" or \"-- migrate:upgrade sqlite\" section to the script.",
		   "upgrade hint");
	is_str(err->context, "revision abc1, file \"versions/abc1_add.sql\"", "context names the file");

	out = (char *) "x";
	is_int(mg_emit_sql(&out, ctx, map, &up_plan1, MG_DIALECT_POSTGRESQL, "alembic_version"),
		   MG_OK, "the postgresql section is there for postgresql");
	ok(out != NULL && strstr(out, "SELECT 1;\n\n") != NULL, "and is emitted");

	out = (char *) "x";
	is_int(mg_emit_sql(&out, ctx, map, &down_plan1, MG_DIALECT_POSTGRESQL, "alembic_version"),
		   MG_EINPUT, "no downgrade section: MG_EINPUT");
	ok(out == NULL, "nothing produced");
	is_str(err->message,
		   "revision \"abc1\" cannot be downgraded: no downgrade section for postgresql",
		   "downgrade message");
	is_str(err->sqlstate, MG_STATE_PREREQUISITE, "downgrade SQLSTATE");
	is_str(err->hint,
		   "Add a \"-- migrate:downgrade\" or \"-- migrate:downgrade postgresql\" section to the script.",
		   "downgrade hint");
	is_str(err->context, "revision abc1, file \"versions/abc1_add.sql\"", "downgrade context");

	out = (char *) "x";
	is_int(mg_emit_sql(&out, ctx, map, &up_plan1, MG_DIALECT_ANY, "alembic_version"),
		   MG_EINPUT, "dialect-neutral output needs the plain section");
	ok(out == NULL, "nothing produced");
	is_str(err->message, "revision \"abc1\" has no upgrade section for any dialect",
		   "dialect-neutral message");
	is_str(err->hint, "Add a \"-- migrate:upgrade\" section to the script.", "dialect-neutral hint");

	s1->filename = "";
	out = (char *) "x";
	is_int(mg_emit_sql(&out, ctx, map, &down_plan1, MG_DIALECT_SQLITE, "alembic_version"),
		   MG_EINPUT, "no downgrade section, no file name");
	is_str(err->context, "revision abc1", "context without a file names the revision");

	out = (char *) "x";
	is_int(mg_emit_sql(&out, ctx, map, &up_plan2, MG_DIALECT_SQLITE, "alembic_version"),
		   MG_EINPUT, "script without body: MG_EINPUT");
	ok(out == NULL, "nothing produced");
	is_str(err->message, "revision \"abc2\" was loaded without its body", "no-body message");
	is_str(err->sqlstate, MG_STATE_INTERNAL, "no-body SQLSTATE");

	out = (char *) "x";
	is_int(mg_emit_sql(&out, ctx, map, &bad_plan, MG_DIALECT_SQLITE, "alembic_version"),
		   MG_EINPUT, "step naming an unknown revision number");
	ok(out == NULL, "nothing produced");
	is_str(err->message, "plan step 1 names revision number 7, not in the map", "bad step message");

	out = (char *) "x";
	is_int(mg_emit_sql(&out, ctx, map, &bad_plan, 9, "alembic_version"),
		   MG_EINPUT, "unknown dialect number");
	ok(out == NULL, "nothing produced");
	is_str(err->message, "unknown dialect number 9", "bad dialect message");
	mg_ctx_free(ctx);
}

/*
 * A long linear chain, built once with malloc outside any context, so
 * that the output outgrows the arena's chunks many times over.
 */
#define CHAIN 150
static mg_script chain_scripts[CHAIN];
static mg_script_source chain_sections[CHAIN];
static mg_step chain_steps[CHAIN];
static mg_vop chain_ops[CHAIN];
static char chain_ids[CHAIN][16];
static char *chain_bodies[CHAIN];
static mg_plan chain_plan = {chain_steps, CHAIN, NULL, 0, NULL, 0};

static void
build_chain(void)
{
	for (int i = 0; i < CHAIN; i++)
	{
		mg_script *s = &chain_scripts[i];

		snprintf(chain_ids[i], sizeof(chain_ids[i]), "r%04d", i);
		chain_bodies[i] = malloc(512);
		snprintf(chain_bodies[i], 512,
				 "-- r%04d: a table and an index\n"
				 "CREATE TABLE t_r%04d (id integer primary key, name text, note text);\n"
				 "CREATE INDEX ix_r%04d ON t_r%04d (name); -- on name\n"
				 "INSERT INTO t_r%04d (name) VALUES ('a;b'), ('--');\n",
				 i, i, i, i, i);
		memset(s, 0, sizeof(*s));
		s->src = memset(&chain_sections[i], 0, sizeof(mg_script_source));
		s->id = chain_ids[i];
		s->message = s->filename = "";
		s->transactional = i % 7 != 3;
		s->body_dirs = MG_BODY_BOTH;
		s->src->upgrade[MG_DIALECT_ANY] = chain_bodies[i];
		chain_ops[i].kind = i == 0 ? MG_VOP_INSERT : MG_VOP_UPDATE;
		chain_ops[i].from = i == 0 ? NULL : chain_ids[i - 1];
		chain_ops[i].to = chain_ids[i];
		chain_steps[i].rev = i;
		chain_steps[i].upgrade = true;
		chain_steps[i].from = i == 0 ? "" : chain_ids[i - 1];
		chain_steps[i].to = chain_ids[i];
		chain_steps[i].ops = &chain_ops[i];
		chain_steps[i].nops = 1;
	}
}

static void
free_chain(void)
{
	for (int i = 0; i < CHAIN; i++)
		free(chain_bodies[i]);
}

static int
chain_map(mg_revmap **map, mg_ctx *ctx)
{
	int rc = mg_revmap_new(map, ctx);

	for (int i = 0; rc == MG_OK && i < CHAIN; i++)
		rc = mg_revmap_add(*map, &chain_scripts[i]);
	return rc;
}

/*
 * Fail the N-th allocation for every N (the example plan, then the long
 * chain): a clean MG_ENOMEM every time, no output, nothing leaked.
 */
static void
oom_sweep(const char *name, int (*build)(mg_revmap **, mg_ctx *), const mg_plan *plan,
		  int dialect)
{
	long n;
	int bad_rc = 0, bad_out = 0, bad_msg = 0, leaks = 0;
	char *want = NULL;
	size_t want_len = 0;

	/* the expected text, from an unconstrained run */
	{
		mg_ctx *ctx = new_ctx();
		mg_revmap *map;
		char *out = NULL;

		if (build(&map, ctx) == MG_OK &&
			mg_emit_sql(&out, ctx, map, plan, dialect, "Alembic_Version") == MG_OK)
		{
			want_len = strlen(out);
			want = malloc(want_len + 1);
			memcpy(want, out, want_len + 1);
		}
		mg_ctx_free(ctx);
	}
	ok(want != NULL, "%s: reference run emits %zu bytes", name, want_len);

	for (n = 1; n < 100000; n++)
	{
		mg_ctx *ctx = NULL;
		mg_revmap *map;
		char *out = (char *) "x";
		int rc;

		tap_calls = 0;
		tap_fail_at = n;
		if (mg_ctx_new(&ctx, tap_realloc, NULL) != MG_OK)
		{
			if (tap_live != 0)
				leaks++;
			continue;
		}
		rc = build(&map, ctx);
		if (rc == MG_OK)
		{
			rc = mg_emit_sql(&out, ctx, map, plan, dialect, "Alembic_Version");
			if (rc != MG_OK && out != NULL)
				bad_out++;
		}
		if (rc == MG_OK)
		{
			mg_vop upd = {MG_VOP_UPDATE, E7B6, B182};

			if (mg_emit_vop(ctx, &upd, "Ver") == NULL ||
				mg_emit_version_table_ddl(ctx, "Ver") == NULL)
				rc = mg_ctx_error(ctx)->code == MG_ENOMEM ? MG_ENOMEM : -99;
		}
		if (rc != MG_OK)
		{
			if (rc != MG_ENOMEM)
				bad_rc++;
			if (strcmp(mg_ctx_error(ctx)->message, "out of memory") != 0)
				bad_msg++;
		}
		if (rc == MG_OK && tap_calls >= n)
			bad_rc++;           /* the failed allocation was masked */
		if (rc == MG_OK && tap_calls < n)
			ok(want != NULL && out != NULL && strcmp(out, want) == 0,
			   "%s: once no allocation fails the output is complete", name);
		mg_ctx_free(ctx);
		if (tap_live != 0)
			leaks++;
		if (rc == MG_OK && tap_calls < n)
			break;
	}
	tap_fail_at = 0;
	free(want);
	ok(n > 2, "%s: OOM sweep over %ld allocation points", name, n - 1);
	is_int(bad_rc, 0, "%s: every failure is MG_ENOMEM, none is masked", name);
	is_int(bad_msg, 0, "%s: every failure says out of memory", name);
	is_int(bad_out, 0, "%s: no output on failure", name);
	is_int(leaks, 0, "%s: no block left after mg_ctx_free", name);
}

static void
test_oom(void)
{
	oom_sweep("example", example_map, &up_plan, MG_DIALECT_POSTGRESQL);
	build_chain();
	oom_sweep("chain", chain_map, &chain_plan, MG_DIALECT_POSTGRESQL);
	free_chain();
}

int
main(void)
{
	test_example();
	test_base_and_stamp();
	test_emitter();
	test_version_table_names();
	test_bodies();
	test_missing_sections();
	test_oom();
	return done_testing();
}
