/*
 * test_catalog.c -- the state tables (catalog.c) against a real SQLite.
 *
 * The fixture is a minimal host over an in-memory sqlite3 connection:
 * query (with $n text parameters bound by name), run_script, begin,
 * commit, rollback and a fixed clock.  A second, recording host checks
 * the PostgreSQL-only SQL texts without a server.
 */
#include <sqlite3.h>

#include "../../core/internal.h"
#include "tap.h"

#define NOW "2026-01-02 03:04:05.000000"

/*
 * Write commands open the state and then create it inside their unit;
 * most tests want both, so mg_state_open below means "open and create".
 */
static int
open_and_create(mg_state *st, mg_ctx *ctx, const mg_host *h)
{
	int rc = mg_state_open(st, ctx, h);

	return rc == MG_OK ? mg_state_create(st) : rc;
}
#define mg_state_open(st, ctx, h) open_and_create(st, ctx, h)

/* ---- the SQLite test host ----------------------------------------- */

typedef struct th {
	sqlite3 *db;
	int stop_is_error;      /* a stopped row callback fails the query */
	char last_sql[1024];
} th;

static int
th_error(mg_ctx *ctx, sqlite3 *db)
{
	return mg_error_set(ctx, MG_EHOST, MG_STATE_INTERNAL, "%s", sqlite3_errmsg(db));
}

static int
th_query(void *ud, mg_ctx *ctx, const char *sql, int nparams, const char *const *params,
		 mg_row_fn row, void *arg, long *changes)
{
	th *h = ud;
	sqlite3_stmt *stmt = NULL;
	int rc;

	snprintf(h->last_sql, sizeof(h->last_sql), "%s", sql);
	if (sqlite3_prepare_v2(h->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return th_error(ctx, h->db);
	for (int i = 0; i < nparams; i++)
	{
		char name[16];
		int idx;

		snprintf(name, sizeof(name), "$%d", i + 1);
		idx = sqlite3_bind_parameter_index(stmt, name);
		if (idx > 0)
			sqlite3_bind_text(stmt, idx, params[i], -1, SQLITE_TRANSIENT);
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
	{
		const char *vals[16];
		int n = sqlite3_column_count(stmt);

		if (row == NULL)
			continue;
		for (int i = 0; i < n && i < 16; i++)
			vals[i] = (const char *) sqlite3_column_text(stmt, i);
		if (row(arg, n, vals) != 0)
		{
			sqlite3_finalize(stmt);
			if (h->stop_is_error)
				return mg_error_set(ctx, MG_EHOST, MG_STATE_INTERNAL, "query stopped");
			return MG_OK;
		}
	}
	if (rc != SQLITE_DONE)
	{
		rc = th_error(ctx, h->db);
		sqlite3_finalize(stmt);
		return rc;
	}
	sqlite3_finalize(stmt);
	if (changes != NULL)
		*changes = sqlite3_changes(h->db);
	return MG_OK;
}

static int
th_exec(th *h, mg_ctx *ctx, const char *sql)
{
	if (sqlite3_exec(h->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return th_error(ctx, h->db);
	return MG_OK;
}

static int
th_run_script(void *ud, mg_ctx *ctx, const char *sql, int *failed)
{
	*failed = 0;
	return th_exec(ud, ctx, sql);
}

static int
th_begin(void *ud, mg_ctx *ctx)
{
	return th_exec(ud, ctx, "SAVEPOINT migrate");
}

static int
th_commit(void *ud, mg_ctx *ctx)
{
	return th_exec(ud, ctx, "RELEASE migrate");
}

static void
th_rollback(void *ud, mg_ctx *ctx)
{
	(void) ctx;
	sqlite3_exec(((th *) ud)->db, "ROLLBACK TO migrate; RELEASE migrate", NULL, NULL, NULL);
}

static void
th_now(void *ud, char *buf, size_t cap)
{
	(void) ud;
	snprintf(buf, cap, "%s", NOW);
}

static th the_th;
static mg_host host = {
	MG_HOST_VERSION, &the_th, "sqlite", "main", 1,
	th_query, th_run_script, th_begin, th_commit, th_rollback, NULL, th_now,
	NULL, NULL, NULL, NULL, NULL, NULL
};

static void
db_open(void)
{
	memset(&the_th, 0, sizeof(the_th));
	if (sqlite3_open(":memory:", &the_th.db) != SQLITE_OK)
	{
		printf("Bail out! cannot open sqlite\n");
		exit(1);
	}
}

static void
db_close(void)
{
	sqlite3_close(the_th.db);
	the_th.db = NULL;
}

/* The first column of the first row of sql, or NULL (kept in a static buffer). */
static const char *
db_text(const char *sql)
{
	static char buf[4][2048];
	static int k;
	sqlite3_stmt *stmt;
	const char *r = NULL;

	k = (k + 1) % 4;
	if (sqlite3_prepare_v2(the_th.db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return "(prepare failed)";
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != NULL)
	{
		snprintf(buf[k], sizeof(buf[k]), "%s", (const char *) sqlite3_column_text(stmt, 0));
		r = buf[k];
	}
	sqlite3_finalize(stmt);
	return r;
}

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

#define SCRIPT_A \
	"-- create gxy base\n" \
	"--\n" \
	"-- Revision ID: e7b6dcb09efd\n" \
	"-- Revises:\n" \
	"-- Branch Labels: gxy\n" \
	"-- Tags: release_22.05, first\n" \
	"\n" \
	"-- migrate:upgrade\n" \
	"CREATE TABLE t_a (id integer primary key);\n" \
	"\n" \
	"-- migrate:downgrade\n" \
	"DROP TABLE t_a;\n"

#define SCRIPT_B \
	"-- add b\n" \
	"--\n" \
	"-- Revision ID: b182f655505f\n" \
	"-- Revises: e7b6dcb09efd\n" \
	"-- Depends On: e7b6dcb09efd\n" \
	"-- Transactional: false\n" \
	"\n" \
	"-- migrate:upgrade sqlite\n" \
	"CREATE TABLE t_b (id integer primary key);\n"

#define SCRIPT_C \
	"-- merge\n" \
	"--\n" \
	"-- Revision ID: 9540a051226e\n" \
	"-- Revises: b182f655505f, e7b6dcb09efd\n" \
	"\n" \
	"-- migrate:upgrade\n"

static mg_script *
parse(mg_ctx *ctx, const char *text, const char *filename)
{
	mg_script *s = NULL;

	if (mg_script_parse(&s, ctx, text, strlen(text), filename) != MG_OK)
		printf("# parse failed: %s\n", mg_ctx_error(ctx)->message);
	return s;
}

/* ---- tests ------------------------------------------------------- */

static void
test_open(void)
{
	mg_ctx *ctx = new_ctx();
	const mg_error *err = mg_ctx_error(ctx);
	mg_state st;
	mg_host h2;

	db_open();
	is_int((mg_state_open)(&st, ctx, &host), MG_OK, "plain open on a fresh database");
	ok(st.missing, "plain open marks the state missing");
	ok(db_text("SELECT 1 FROM sqlite_master") == NULL, "plain open creates nothing");
	{
		mg_revmap *m = NULL;
		char *v = NULL;

		is_int(mg_state_load_map(&m, &st), MG_OK, "missing state reads as an empty catalog");
		is_int(m ? (long) mg_revmap_count(m) : -1, 0, "no revisions");
		is_int(mg_state_get_setting(&v, &st, "version_table"), MG_OK, "missing state: default setting");
		is_str(v, "alembic_version", "default version table name without tables");
	}
	is_int(mg_state_open(&st, ctx, &host), MG_OK, "open creates the state");
	is_int(st.dialect, MG_DIALECT_SQLITE, "dialect from the host");
	is_str(st.version_name, "alembic_version", "default version table name");
	is_str(st.version_table, "\"main\".\"alembic_version\"", "version table quoted, in main (a temp table cannot take its writes)");
	is_str(st.t_catalog, "\"main\".\"migrate_catalog\"", "catalog table qualified");
	is_str(st.t_log, "\"main\".\"migrate_log\"", "log table qualified");
	is_str(st.t_settings, "\"main\".\"migrate_settings\"", "settings table qualified");
	is_str(db_text("SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master "
				   "WHERE type = 'table' ORDER BY name)"),
		   "migrate_catalog,migrate_catalog_heads,migrate_log,migrate_settings",
		   "the four state tables exist");
	is_str(db_text("SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master "
				   "WHERE type = 'trigger' AND tbl_name = 'migrate_catalog' ORDER BY name)"),
		   "migrate_catalog_DELETE,migrate_catalog_INSERT,migrate_catalog_UPDATE",
		   "the catalog's triggers that empty the kept heads");
	is_str(db_text("SELECT group_concat(name, ',') FROM pragma_table_info('migrate_catalog')"),
		   "seq,revision,down_revisions,branch_labels,depends_on,tags,message,filename,"
		   "transactional,checksum,script,added_at,source_dir,source_missing", "catalog columns");
	is_str(db_text("SELECT group_concat(name, ',') FROM pragma_table_info('migrate_log')"),
		   "id,revision,direction,from_revisions,to_revisions,run_at,duration_ms,checksum,applied_by",
		   "log columns");
	is_str(db_text("SELECT group_concat(name || ':' || pk, ',') FROM pragma_table_info('migrate_settings')"),
		   "key:1,value:0", "settings columns");
	ok(db_text("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'") == NULL,
	   "open does not create the version table");
	is_int(mg_state_open(&st, ctx, &host), MG_OK, "open again: tables already there");
	db_close();

	/* a host that does not create the state: missing tables are the host's error */
	db_open();
	h2 = host;
	h2.creates_state = 0;
	is_int(mg_state_open(&st, ctx, &h2), MG_EHOST, "no state tables, host does not create: MG_EHOST");
	is_str(err->message, "no such table: main.migrate_settings", "the database's words");
	db_close();

	/* a schema that needs quoting */
	db_open();
	sqlite3_exec(the_th.db, "ATTACH ':memory:' AS \"st\"\"ate\"", NULL, NULL, NULL);
	h2 = host;
	h2.state_schema = "st\"ate";
	is_int(mg_state_open(&st, ctx, &h2), MG_OK, "open with a schema needing quotes");
	is_str(st.t_catalog, "\"st\"\"ate\".\"migrate_catalog\"", "embedded quote doubled");
	is_str(db_text("SELECT count(*) FROM \"st\"\"ate\".sqlite_master WHERE name LIKE 'migrate_%'"),
		   "8", "state tables, the log's index and triggers created in that schema");
	is_str(db_text("SELECT count(*) FROM main.sqlite_master"), "0", "none in main");
	h2.state_schema = NULL;
	is_int(mg_state_open(&st, ctx, &h2), MG_OK, "open without a schema");
	is_str(st.t_log, "\"migrate_log\"", "unqualified when the host names no schema");

	h2 = host;
	h2.dialect = "oracle";
	is_int(mg_state_open(&st, ctx, &h2), MG_EINPUT, "unsupported dialect: MG_EINPUT");
	is_str(err->message, "unsupported dialect \"oracle\"", "unsupported dialect message");
	db_close();
	mg_ctx_free(ctx);
}

static void
test_settings(void)
{
	mg_ctx *ctx = new_ctx();
	const mg_error *err = mg_ctx_error(ctx);
	mg_state st;
	char *v = NULL;

	db_open();
	mg_state_open(&st, ctx, &host);

	mg_state_get_setting(&v, &st, "version_table");
	is_str(v, "alembic_version", "version_table default");
	mg_state_get_setting(&v, &st, "branches");
	is_str(v, "", "branches default: all");
	mg_state_get_setting(&v, &st, "legacy_table");
	is_str(v, "migrate_version", "legacy_table default");
	mg_state_get_setting(&v, &st, "legacy_versions");
	is_str(v, "", "legacy_versions default");
	is_str(db_text("SELECT count(*) FROM migrate_settings"), "0", "reading defaults writes nothing");

	is_int(mg_state_set_setting(&st, "branches", " gxy , tsi,"), MG_OK, "set branches");
	mg_state_get_setting(&v, &st, "branches");
	is_str(v, "gxy,tsi", "branches stored without blanks");
	is_int(mg_state_set_setting(&st, "branches", "gxy"), MG_OK, "overwrite branches");
	mg_state_get_setting(&v, &st, "branches");
	is_str(v, "gxy", "branches overwritten");
	is_str(db_text("SELECT count(*) FROM migrate_settings"), "1", "one row per key");

	is_int(mg_state_set_setting(&st, "legacy_versions", "gxy = 180, tsi=17"), MG_OK,
		   "set legacy_versions");
	mg_state_get_setting(&v, &st, "legacy_versions");
	is_str(v, "gxy=180,tsi=17", "legacy_versions normalized");

	is_int(mg_state_set_setting(&st, "legacy_versions", "gxy=180,tsi"), MG_EINPUT,
		   "legacy_versions item without '=': MG_EINPUT");
	is_str(err->message, "invalid value \"gxy=180,tsi\" for setting \"legacy_versions\"",
		   "bad legacy_versions message");
	is_str(err->sqlstate, MG_STATE_BAD_TARGET, "bad value SQLSTATE");
	is_int(mg_state_set_setting(&st, "legacy_versions", "=1"), MG_EINPUT, "empty branch: MG_EINPUT");
	is_int(mg_state_set_setting(&st, "legacy_versions", "gxy= "), MG_EINPUT, "empty version: MG_EINPUT");
	is_int(mg_state_set_setting(&st, "legacy_versions", "gxy=1=2"), MG_EINPUT, "two '=': MG_EINPUT");
	is_str(err->detail, "Each item is branch=version, as in \"gxy=180,tsi=17\".", "bad legacy_versions detail");
	mg_state_get_setting(&v, &st, "legacy_versions");
	is_str(v, "gxy=180,tsi=17", "a rejected value changes nothing");

	is_int(mg_state_set_setting(&st, "version_table", "bad-name"), MG_EINPUT,
		   "version_table not an identifier: MG_EINPUT");
	is_str(err->message, "invalid value \"bad-name\" for setting \"version_table\"",
		   "bad version_table message");
	is_str(err->detail,
		   "A table name is 1 to 63 letters, digits or underscores, not starting with a digit.",
		   "bad version_table detail");
	is_int(mg_state_set_setting(&st, "version_table", "1abc"), MG_EINPUT, "leading digit rejected");
	is_int(mg_state_set_setting(&st, "version_table", ""), MG_EINPUT, "empty name rejected");
	is_int(mg_state_set_setting(&st, "version_table",
								"a23456789012345678901234567890123456789012345678901234567890123"),
		   MG_OK, "63 characters accepted");
	is_int(mg_state_set_setting(&st, "version_table",
								"a234567890123456789012345678901234567890123456789012345678901234"),
		   MG_EINPUT, "64 characters rejected");
	is_int(mg_state_set_setting(&st, "legacy_table", "x y"), MG_EINPUT, "legacy_table checked too");

	is_int(mg_state_set_setting(&st, "version_table", "Gxy_Version"), MG_OK, "set version_table");
	is_str(st.version_name, "Gxy_Version", "state repointed: name");
	is_str(st.version_table, "\"main\".\"Gxy_Version\"", "state repointed: quoted, in main");
	{
		mg_state st2;

		is_int(mg_state_open(&st2, ctx, &host), MG_OK, "reopen");
		is_str(st2.version_name, "Gxy_Version", "open reads the version_table setting");
	}

	v = (char *) "x";
	is_int(mg_state_get_setting(&v, &st, "foo"), MG_EINPUT, "unknown key read: MG_EINPUT");
	ok(v == NULL, "no value for an unknown key");
	is_str(err->message, "unrecognized setting \"foo\"", "unknown key message");
	is_str(err->sqlstate, MG_STATE_UNDEFINED, "unknown key SQLSTATE");
	is_str(err->detail, "Known settings are: version_table, branches, legacy_table, legacy_versions, base_release, lock_timeout, lock_retries, statement_timeout, online_conninfo.",
		   "unknown key detail lists the known keys");
	is_int(mg_state_set_setting(&st, "foo", "1"), MG_EINPUT, "unknown key write: MG_EINPUT");
	is_str(err->message, "unrecognized setting \"foo\"", "unknown key write message");
	is_str(db_text("SELECT count(*) FROM migrate_settings WHERE key = 'foo'"), "0", "nothing written");

	/* a stored name that is no identifier (edited by hand) is refused by open */
	sqlite3_exec(the_th.db, "UPDATE migrate_settings SET value = 'x;y' WHERE key = 'version_table'",
				 NULL, NULL, NULL);
	{
		mg_state st3;

		is_int(mg_state_open(&st3, ctx, &host), MG_EINPUT, "open refuses a bad stored name");
		is_str(err->message, "invalid value stored for setting \"version_table\"", "its message");
		ok(strstr(err->detail, "\"x;y\"") != NULL, "its detail shows the stored value");
	}
	db_close();
	mg_ctx_free(ctx);
}

static void
test_scripts(void)
{
	mg_ctx *ctx = new_ctx();
	const mg_error *err = mg_ctx_error(ctx);
	mg_state st;
	mg_script *a, *b, *c, *a2;
	const mg_script *got = NULL;
	mg_revmap *map = NULL;

	db_open();
	mg_state_open(&st, ctx, &host);
	a = parse(ctx, SCRIPT_A, "versions_gxy/e7b6dcb09efd_base.sql");
	b = parse(ctx, SCRIPT_B, "versions_gxy/b182f655505f_b.sql");
	c = parse(ctx, SCRIPT_C, "");
	a2 = parse(ctx, SCRIPT_A "-- edited\n", "versions_gxy/e7b6dcb09efd_base2.sql");
	if (a == NULL || b == NULL || c == NULL || a2 == NULL)
	{
		printf("Bail out! test scripts do not parse\n");
		exit(1);
	}

	is_int(mg_state_put_script(&st, a, false), MG_OK, "put a");
	is_int(mg_state_put_script(&st, b, false), MG_OK, "put b");
	is_int(mg_state_put_script(&st, c, false), MG_OK, "put c");
	is_str(db_text("SELECT group_concat(seq || ':' || revision, ' ') FROM "
				   "(SELECT * FROM migrate_catalog ORDER BY seq)"),
		   "1:e7b6dcb09efd 2:b182f655505f 3:9540a051226e", "seq assigned in insertion order");
	is_str(db_text("SELECT down_revisions || '|' || branch_labels || '|' || depends_on || '|' || tags"
				   " || '|' || message || '|' || filename || '|' || transactional || '|' || added_at"
				   " FROM migrate_catalog WHERE revision = 'e7b6dcb09efd'"),
		   "|gxy||release_22.05,first|create gxy base|versions_gxy/e7b6dcb09efd_base.sql|1|" NOW,
		   "row of a: lists without blanks, metadata, added_at from the host clock");
	is_str(db_text("SELECT down_revisions || '|' || depends_on || '|' || transactional || '|' || "
				   "typeof(transactional) FROM migrate_catalog WHERE revision = 'b182f655505f'"),
		   "e7b6dcb09efd|e7b6dcb09efd|0|integer", "row of b: Transactional: false stored as integer 0");
	is_str(db_text("SELECT down_revisions FROM migrate_catalog WHERE revision = '9540a051226e'"),
		   "b182f655505f,e7b6dcb09efd", "merge parents in order");
	is_str(db_text("SELECT checksum FROM migrate_catalog WHERE revision = 'e7b6dcb09efd'"),
		   a->checksum, "checksum stored");
	is_str(db_text("SELECT script FROM migrate_catalog WHERE revision = 'e7b6dcb09efd'"),
		   SCRIPT_A, "full text stored");

	is_int(mg_state_put_script(&st, a, false), MG_EHOST, "duplicate without replace: MG_EHOST");
	is_str(err->message, "UNIQUE constraint failed: migrate_catalog.revision", "the database's words");

	is_int(mg_state_put_script(&st, a2, true), MG_OK, "replace a");
	is_str(db_text("SELECT seq || ':' || filename FROM migrate_catalog WHERE revision = 'e7b6dcb09efd'"),
		   "1:versions_gxy/e7b6dcb09efd_base2.sql", "replaced in place: seq kept, new file name");
	is_str(db_text("SELECT checksum FROM migrate_catalog WHERE revision = 'e7b6dcb09efd'"),
		   a2->checksum, "new checksum");
	is_str(db_text("SELECT count(*) FROM migrate_catalog"), "3", "still three rows");

	sqlite3_exec(the_th.db, "DELETE FROM migrate_catalog WHERE revision = '9540a051226e'", NULL, NULL, NULL);
	is_int(mg_state_put_script(&st, c, true), MG_OK, "replace of an absent row inserts it");
	is_str(db_text("SELECT seq FROM migrate_catalog WHERE revision = '9540a051226e'"), "3",
		   "at the end of the catalog");

	{
		mg_script meta = *a;

		meta.body_dirs = 0;
		is_int(mg_state_put_script(&st, &meta, false), MG_EINPUT, "metadata-only script refused");
		is_str(err->message, "revision \"e7b6dcb09efd\" has no script text to store", "its message");
	}

	/* load_script */
	is_int(mg_state_load_script(&got, &st, "b182f655505f"), MG_OK, "load b");
	ok(got != NULL && got->body_dirs == MG_BODY_BOTH, "loaded with both bodies");
	is_str(got ? got->id : NULL, "b182f655505f", "loaded id");
	is_str(got ? got->filename : NULL, "versions_gxy/b182f655505f_b.sql", "loaded file name");
	is_str(got ? mg_script_body(got, true, MG_DIALECT_SQLITE) : NULL,
		   "CREATE TABLE t_b (id integer primary key);", "loaded sqlite section");
	ok(got != NULL && mg_script_body(got, false, MG_DIALECT_SQLITE) == NULL, "no downgrade section");
	is_str(got ? got->checksum : NULL, b->checksum, "same checksum as the original");
	got = (const mg_script *) a;
	is_int(mg_state_load_script(&got, &st, "ffff"), MG_EINPUT, "absent revision: MG_EINPUT");
	ok(got == NULL, "nothing loaded");
	is_str(err->message, "revision \"ffff\" is not in the catalog", "absent revision message");
	is_str(err->sqlstate, MG_STATE_UNDEFINED, "absent revision SQLSTATE");

	/* load_map */
	is_int(mg_state_load_map(&map, &st), MG_OK, "load the map");
	if (map != NULL && mg_revmap_count(map) == 3)
	{
		const mg_rev *r0 = mg_revmap_rev(map, 0), *r1 = mg_revmap_rev(map, 1),
			*r2 = mg_revmap_rev(map, 2);

		ok(1, "three revisions");
		is_str(r0->id, "e7b6dcb09efd", "catalog order 1");
		is_str(r1->id, "b182f655505f", "catalog order 2");
		is_str(r2->id, "9540a051226e", "catalog order 3");
		ok(r0->script->body_dirs == 0 && r0->script->src == NULL, "metadata only");
		is_int(r0->script->nlabels, 1, "labels split");
		is_str(r0->script->labels[0], "gxy", "label");
		is_int(r0->script->ntags, 2, "tags split");
		is_str(r0->script->tags[1], "first", "second tag");
		is_str(r0->script->message, "create gxy base", "message");
		is_str(r0->script->filename, "versions_gxy/e7b6dcb09efd_base2.sql", "filename");
		is_str(r0->script->checksum, a2->checksum, "checksum");
		ok(r0->script->transactional && !r1->script->transactional, "transactional flags");
		is_int(r1->script->ndeps, 1, "depends_on split");
		is_int(r2->script->ndown, 2, "merge parents split");
		is_str(r2->script->down[1], "e7b6dcb09efd", "second parent");
		is_int(r2->ndown, 2, "the map is built (parents linked)");
		is_int(mg_revmap_find(map, "b182f655505f"), 1, "the map is built (ids hashed)");
	}
	else
		ok(0, "three revisions");

	/* a catalog whose graph is broken: the map's error */
	sqlite3_exec(the_th.db, "UPDATE migrate_catalog SET down_revisions = 'abcdef' "
				 "WHERE revision = 'b182f655505f'", NULL, NULL, NULL);
	map = (mg_revmap *) ctx;
	ok(mg_state_load_map(&map, &st) != MG_OK, "unknown Revises in the catalog: error");
	ok(map == NULL, "no map");
	ok(err->message[0] != '\0', "with a message (%s)", err->message);

	db_close();
	mg_ctx_free(ctx);
}

static void
test_versions(void)
{
	mg_ctx *ctx = new_ctx();
	const mg_error *err = mg_ctx_error(ctx);
	mg_state st;
	const char **rows = NULL;
	size_t n = 99;
	bool exists = true;
	mg_vop ins_a = {MG_VOP_INSERT, NULL, "aaaa"};
	mg_vop ins_c = {MG_VOP_INSERT, NULL, "cccc"};
	mg_vop upd = {MG_VOP_UPDATE, "aaaa", "bbbb"};
	mg_vop upd_missing = {MG_VOP_UPDATE, "zzzz", "yyyy"};
	mg_vop del = {MG_VOP_DELETE, "bbbb", NULL};
	mg_vop del_missing = {MG_VOP_DELETE, "zzzz", NULL};

	db_open();
	mg_state_open(&st, ctx, &host);
	is_int(mg_state_versions(&rows, &n, &exists, &st), MG_OK, "versions without a table");
	ok(!exists, "table missing");
	is_int(n, 0, "no rows");

	is_int(mg_state_ensure_version_table(&st), MG_OK, "create the version table");
	is_str(db_text("SELECT sql FROM sqlite_master WHERE name = 'alembic_version'"),
		   "CREATE TABLE alembic_version (\n"
		   "\tversion_num VARCHAR(32) NOT NULL, \n"
		   "\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n"
		   ")",
		   "exactly the table Alembic creates (sqlite_master.sql)");
	is_str(db_text("SELECT name FROM sqlite_master WHERE tbl_name = 'alembic_version' AND type = 'index'"),
		   "sqlite_autoindex_alembic_version_1", "primary key index, as Alembic's");
	is_int(mg_state_ensure_version_table(&st), MG_OK, "ensure again: already there");

	n = 99;
	is_int(mg_state_versions(&rows, &n, &exists, &st), MG_OK, "versions of an empty table");
	ok(exists && n == 0, "table exists, no rows");

	is_int(mg_state_apply_vop(&st, &ins_c), MG_OK, "insert cccc");
	is_int(mg_state_apply_vop(&st, &ins_a), MG_OK, "insert aaaa");
	is_int(mg_state_versions(&rows, &n, &exists, &st), MG_OK, "versions");
	is_int(n, 2, "two rows");
	if (n == 2)
	{
		/* a WITHOUT ROWID-less table: rowid order is insertion order */
		is_str(rows[0], "cccc", "table order 1");
		is_str(rows[1], "aaaa", "table order 2");
	}
	is_str(the_th.last_sql, "SELECT version_num, length(CAST(version_num AS BLOB)) FROM \"main\".\"alembic_version\"",
		   "plain SELECT, no ORDER BY (table order, as Alembic), with each value's length");

	is_int(mg_state_apply_vop(&st, &upd), MG_OK, "update aaaa -> bbbb");
	is_str(db_text("SELECT group_concat(version_num, ',') FROM alembic_version"), "cccc,bbbb",
		   "row updated");
	is_int(mg_state_apply_vop(&st, &ins_c), MG_EHOST, "duplicate insert: MG_EHOST");
	ok(strstr(err->message, "UNIQUE constraint failed") != NULL, "the database's words");

	is_int(mg_state_apply_vop(&st, &upd_missing), MG_EINPUT, "update of a missing row: MG_EINPUT");
	is_str(err->message,
		   "Online migration expected to match one row when updating 'zzzz' to 'yyyy' in "
		   "'alembic_version'; 0 found", "Alembic's update message");
	is_str(err->sqlstate, MG_STATE_CARDINALITY, "update SQLSTATE");
	is_int(mg_state_apply_vop(&st, &del_missing), MG_EINPUT, "delete of a missing row: MG_EINPUT");
	is_str(err->message,
		   "Online migration expected to match one row when deleting 'zzzz' in "
		   "'alembic_version'; 0 found", "Alembic's delete message");
	is_str(db_text("SELECT group_concat(version_num, ',') FROM alembic_version"), "cccc,bbbb",
		   "failed operations changed nothing");

	is_int(mg_state_apply_vop(&st, &del), MG_OK, "delete bbbb");
	is_str(db_text("SELECT group_concat(version_num, ',') FROM alembic_version"), "cccc", "row deleted");

	/* the version table named by the setting */
	is_int(mg_state_set_setting(&st, "version_table", "MyVersions"), MG_OK, "switch version table");
	is_int(mg_state_versions(&rows, &n, &exists, &st), MG_OK, "versions of the new table");
	ok(!exists, "not there yet");
	is_int(mg_state_ensure_version_table(&st), MG_OK, "create it");
	is_str(db_text("SELECT sql FROM sqlite_master WHERE name = 'MyVersions'"),
		   "CREATE TABLE \"MyVersions\" (\n"
		   "\tversion_num VARCHAR(32) NOT NULL, \n"
		   "\tCONSTRAINT \"MyVersions_pkc\" PRIMARY KEY (version_num)\n"
		   ")",
		   "quoted as SQLAlchemy quotes a mixed-case name");
	is_int(mg_state_apply_vop(&st, &ins_a), MG_OK, "insert into it");
	is_str(db_text("SELECT group_concat(version_num, ',') FROM \"MyVersions\""), "aaaa",
		   "the statements kept for the old table are not reused: the row is in the new one");
	is_str(db_text("SELECT group_concat(version_num, ',') FROM alembic_version"), "cccc",
		   "and not in the old one");
	is_int(mg_state_apply_vop(&st, &upd_missing), MG_EINPUT, "missing row in it");
	is_str(err->message,
		   "Online migration expected to match one row when updating 'zzzz' to 'yyyy' in "
		   "'MyVersions'; 0 found", "the message names the configured table");

	/* existence is case-insensitive, as SQLite's names */
	is_int(mg_state_set_setting(&st, "version_table", "myversions"), MG_OK, "lower-case name");
	is_int(mg_state_versions(&rows, &n, &exists, &st), MG_OK, "versions");
	ok(exists && n == 1 && strcmp(rows[0], "aaaa") == 0, "finds the same table");
	db_close();
	mg_ctx_free(ctx);
}

static void
test_log(void)
{
	mg_ctx *ctx = new_ctx();
	mg_state st;
	mg_step up = {0, true, "", "aaaa", NULL, 0};
	mg_step up2 = {1, true, "aaaa", "bbbb", NULL, 0};
	mg_step merge = {2, true, "bbbb, cccc", "dddd", NULL, 0};
	mg_step down = {2, false, "dddd", "bbbb, cccc", NULL, 0};
	mg_step stamp = {-1, true, "", "bbbb", NULL, 0};
	char *sum = (char *) "x";

	db_open();
	mg_state_open(&st, ctx, &host);

	is_int(mg_state_applied_checksum(&sum, &st, "aaaa"), MG_OK, "checksum with an empty log");
	ok(sum == NULL, "never applied: NULL");

	is_int(mg_state_log(&st, &up, "1111111111111111", 12.5), MG_OK, "log upgrade");
	is_int(mg_state_log(&st, &up2, NULL, 0.25), MG_OK, "log upgrade without checksum");
	is_int(mg_state_log(&st, &merge, "3333333333333333", 1), MG_OK, "log merge");
	is_int(mg_state_log(&st, &down, "3333333333333333", 2), MG_OK, "log unmerge");
	is_int(mg_state_log(&st, &stamp, NULL, 0), MG_OK, "log stamp");
	is_int(mg_state_log(&st, &up, "2222222222222222", 3), MG_OK, "log upgrade again");
	is_str(db_text("SELECT count(*) FROM migrate_log"), "0", "queued: nothing written before the flush");
	is_int(mg_state_log_flush(&st), MG_OK, "flush the queued rows");
	is_int(mg_state_log_flush(&st), MG_OK, "a second flush has nothing to write");

	is_str(db_text("SELECT group_concat(x, ' / ') FROM (SELECT id || '|' || ifnull(revision, 'NULL') || '|' || "
				   "direction || '|' || from_revisions || '|' || to_revisions || '|' || run_at || '|' || "
				   "duration_ms || '|' || typeof(duration_ms) || '|' || ifnull(checksum, 'NULL') || '|' || "
				   "ifnull(applied_by, 'NULL') AS x FROM migrate_log ORDER BY id)"),
		   "1|aaaa|upgrade||aaaa|" NOW "|12.5|real|1111111111111111|NULL / "
		   "2|bbbb|upgrade|aaaa|bbbb|" NOW "|0.25|real|NULL|NULL / "
		   "3|dddd|upgrade|bbbb,cccc|dddd|" NOW "|1.0|real|3333333333333333|NULL / "
		   "4|dddd|downgrade|dddd|bbbb,cccc|" NOW "|2.0|real|3333333333333333|NULL / "
		   "5|NULL|stamp||bbbb|" NOW "|0.0|real|NULL|NULL / "
		   "6|aaaa|upgrade||aaaa|" NOW "|3.0|real|2222222222222222|NULL",
		   "log rows: revision, direction, sides, time, duration, checksum; applied_by NULL on sqlite");

	mg_state_applied_checksum(&sum, &st, "aaaa");
	is_str(sum, "2222222222222222", "the newest upgrade's checksum");
	sum = (char *) "x";
	mg_state_applied_checksum(&sum, &st, "bbbb");
	ok(sum == NULL, "upgrade logged without checksum: NULL");
	mg_state_applied_checksum(&sum, &st, "dddd");
	is_str(sum, "3333333333333333", "downgrade rows do not count, the upgrade does");
	sum = (char *) "x";
	mg_state_applied_checksum(&sum, &st, "zzzz");
	ok(sum == NULL, "unknown revision: NULL");
	db_close();
	mg_ctx_free(ctx);
}

/* A host error on any statement reaches the caller with the host's words. */
static void
test_host_errors(void)
{
	mg_ctx *ctx = new_ctx();
	const mg_error *err = mg_ctx_error(ctx);
	mg_state st;
	char *v;
	const char **rows;
	size_t n;
	bool exists;
	mg_revmap *map;
	mg_vop ins = {MG_VOP_INSERT, NULL, "aaaa"};
	mg_step up = {0, true, "", "aaaa", NULL, 0};

	db_open();
	mg_state_open(&st, ctx, &host);
	sqlite3_exec(the_th.db, "DROP TABLE migrate_settings; DROP TABLE migrate_catalog; "
				 "DROP TABLE migrate_log", NULL, NULL, NULL);
	is_int(mg_state_get_setting(&v, &st, "branches"), MG_EHOST, "get_setting: MG_EHOST");
	is_str(err->message, "no such table: main.migrate_settings", "get_setting: host's words");
	is_int(mg_state_set_setting(&st, "branches", "gxy"), MG_EHOST, "set_setting: MG_EHOST");
	is_int(mg_state_load_map(&map, &st), MG_EHOST, "load_map: MG_EHOST");
	is_str(err->message, "no such table: main.migrate_catalog", "load_map: host's words");
	is_int(mg_state_log(&st, &up, NULL, 1), MG_OK, "log: queued");
	is_int(mg_state_log_flush(&st), MG_EHOST, "log flush: MG_EHOST");
	is_str(err->message, "no such table: main.migrate_log", "log: host's words");
	is_int(mg_state_applied_checksum(&v, &st, "aaaa"), MG_EHOST, "applied_checksum: MG_EHOST");
	/* a table of another shape is no version table: refused before it is read */
	sqlite3_exec(the_th.db, "CREATE TABLE alembic_version (x int)", NULL, NULL, NULL);
	is_int(mg_state_versions(&rows, &n, &exists, &st), MG_EINPUT, "versions: MG_EINPUT");
	is_str(err->message, "table \"alembic_version\" is not a version table", "versions: says why");
	is_int(mg_state_apply_vop(&st, &ins), MG_EHOST, "apply_vop: MG_EHOST");
	db_close();
	mg_ctx_free(ctx);
}

/* A host that fails without filling the error still yields a message. */
static int
silent_query(void *ud, mg_ctx *ctx, const char *sql, int nparams, const char *const *params,
			 mg_row_fn row, void *arg, long *changes)
{
	(void) ud;
	(void) ctx;
	(void) sql;
	(void) nparams;
	(void) params;
	(void) row;
	(void) arg;
	(void) changes;
	return MG_EHOST;
}

static void
test_silent_host(void)
{
	mg_ctx *ctx = new_ctx();
	const mg_error *err = mg_ctx_error(ctx);
	mg_host h = host;
	mg_state st;

	h.query = silent_query;
	is_int(mg_state_open(&st, ctx, &h), MG_EHOST, "silent host failure: MG_EHOST");
	is_str(err->message, "database query failed", "a generic message is set");
	is_str(err->sqlstate, MG_STATE_INTERNAL, "internal SQLSTATE");
	mg_ctx_free(ctx);
}

/* ---- PostgreSQL texts, recorded ------------------------------------ */

static char rec[64][1024];
static int nrec;

static int
rec_query(void *ud, mg_ctx *ctx, const char *sql, int nparams, const char *const *params,
		  mg_row_fn row, void *arg, long *changes)
{
	(void) ud;
	(void) ctx;
	(void) nparams;
	(void) params;
	if (nrec < 64)
		snprintf(rec[nrec++], sizeof(rec[0]), "%s", sql);
	/* the version table: found in schema public, owned by the running role, one column */
	if (row != NULL && strstr(sql, "current_schema") != NULL)
	{
		const char *found[4] = {"public", "r", "me", "1"};

		row(arg, 4, found);
	}
	else if (row != NULL && strstr(sql, "attname") != NULL)
	{
		const char *col[1] = {"version_num"};

		row(arg, 1, col);
	}
	if (changes != NULL)
		*changes = 1;
	return MG_OK;
}

static int
recorded(const char *needle)
{
	for (int i = 0; i < nrec; i++)
	{
		if (strstr(rec[i], needle) != NULL)
			return 1;
	}
	return 0;
}

static void
test_postgresql_texts(void)
{
	mg_ctx *ctx = new_ctx();
	mg_host pg = {
		MG_HOST_VERSION, NULL, "postgresql", "migrate", 1,
		rec_query, NULL, NULL, NULL, NULL, NULL, th_now, NULL, NULL, NULL, NULL, NULL, NULL
	};
	mg_state st;
	mg_step up = {0, true, "", "aaaa", NULL, 0};
	const char **rows;
	size_t n;
	bool exists = false;

	nrec = 0;
	is_int(mg_state_open(&st, ctx, &pg), MG_OK, "postgresql open");
	is_int(st.dialect, MG_DIALECT_POSTGRESQL, "postgresql dialect");
	is_str(st.t_catalog, "\"migrate\".\"migrate_catalog\"", "extension schema");
	ok(recorded("CREATE TABLE IF NOT EXISTS \"migrate\".\"migrate_catalog\" "
				"(seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "),
	   "catalog seq is an identity column on postgresql");
	ok(recorded("(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, ") &&
	   recorded("duration_ms DOUBLE PRECISION NOT NULL"), "log id identity, duration double");
	is_int(mg_state_versions(&rows, &n, &exists, &st), MG_OK, "postgresql versions");
	ok(exists, "existence from the to_regclass row");
	ok(recorded("WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.quote_ident($1)) "),
	   "existence: unqualified to_regclass, as Alembic's search_path lookup");
	is_str(st.version_table, "\"public\".\"alembic_version\"",
		   "then the table is named schema-qualified for the rest of the command");
	ok(recorded("SELECT version_num, pg_catalog.octet_length(version_num) FROM \"public\".\"alembic_version\""),
	   "the rows are read from the qualified name");
	is_int(mg_state_log(&st, &up, NULL, 1), MG_OK, "postgresql log");
	is_int(mg_state_log_flush(&st), MG_OK, "postgresql log flush");
	ok(recorded("CAST(current_user AS TEXT))"), "applied_by is current_user on postgresql");
	mg_ctx_free(ctx);
}

/* ---- out of memory ------------------------------------------------- */

/*
 * Generated scripts: a chain r000 <- r001 <- ..., bodies of growing size
 * (the last ones larger than an arena chunk's small-block limit), so the
 * sequence below outgrows the arena many times.
 */
#define NGEN 40
static char *gen_text[NGEN];

static void
gen_scripts(void)
{
	for (int i = 0; i < NGEN; i++)
	{
		size_t cap = 1024 + (size_t) i * 200;
		char *t = malloc(cap);
		int len;

		if (i == 0)
			len = snprintf(t, cap,
						   "-- generated 0\n--\n-- Revision ID: r000\n-- Revises:\n"
						   "-- Branch Labels: gen\n\n-- migrate:upgrade\n");
		else
			len = snprintf(t, cap,
						   "-- generated %d\n--\n-- Revision ID: r%03d\n-- Revises: r%03d\n"
						   "-- Tags: t%d, u%d\n\n-- migrate:upgrade\n",
						   i, i, i - 1, i, i);
		while ((size_t) len + 60 < cap)
			len += snprintf(t + len, cap - (size_t) len, "CREATE TABLE t%d_%d (x int);\n", i, len);
		snprintf(t + len, cap - (size_t) len, "-- migrate:downgrade\n");
		gen_text[i] = t;
	}
}

static void
free_scripts(void)
{
	for (int i = 0; i < NGEN; i++)
		free(gen_text[i]);
}

/* A representative sequence of state calls. */
static int
sequence(mg_ctx *ctx)
{
	mg_state st;
	mg_script *s;
	const mg_script *got;
	mg_revmap *map;
	const char **rows;
	size_t n;
	bool exists;
	char *v;
	mg_vop ins = {MG_VOP_INSERT, NULL, "e7b6dcb09efd"};
	mg_vop upd = {MG_VOP_UPDATE, "e7b6dcb09efd", "b182f655505f"};
	mg_step step = {1, true, "e7b6dcb09efd", "b182f655505f", &upd, 1};
	int rc;

	if ((rc = mg_state_open(&st, ctx, &host)) != MG_OK)
		return rc;
	if ((rc = mg_state_set_setting(&st, "legacy_versions", "gxy=180, tsi=17")) != MG_OK)
		return rc;
	if ((rc = mg_state_get_setting(&v, &st, "legacy_versions")) != MG_OK)
		return rc;
	if ((rc = mg_script_parse(&s, ctx, SCRIPT_A, strlen(SCRIPT_A), "a.sql")) != MG_OK)
		return rc;
	if ((rc = mg_state_put_script(&st, s, false)) != MG_OK)
		return rc;
	if ((rc = mg_script_parse(&s, ctx, SCRIPT_B, strlen(SCRIPT_B), "b.sql")) != MG_OK)
		return rc;
	if ((rc = mg_state_put_script(&st, s, true)) != MG_OK)
		return rc;
	if ((rc = mg_state_load_map(&map, &st)) != MG_OK)
		return rc;
	if ((rc = mg_state_load_script(&got, &st, "b182f655505f")) != MG_OK)
		return rc;
	if ((rc = mg_state_ensure_version_table(&st)) != MG_OK)
		return rc;
	if ((rc = mg_state_apply_vop(&st, &ins)) != MG_OK)
		return rc;
	if ((rc = mg_state_apply_vop(&st, &upd)) != MG_OK)
		return rc;
	if ((rc = mg_state_versions(&rows, &n, &exists, &st)) != MG_OK)
		return rc;
	if ((rc = mg_state_log(&st, &step, got->checksum, 1.5)) != MG_OK ||
		(rc = mg_state_log_flush(&st)) != MG_OK)
		return rc;
	if ((rc = mg_state_applied_checksum(&v, &st, "b182f655505f")) != MG_OK)
		return rc;
	if (n != 1 || strcmp(rows[0], "b182f655505f") != 0 || v == NULL ||
		strcmp(v, got->checksum) != 0 || mg_revmap_count(map) != 2)
		return -99;

	/* the catalog of generated scripts, in a second state schema */
	if ((rc = mg_state_set_setting(&st, "branches", "gen")) != MG_OK)
		return rc;
	sqlite3_exec(the_th.db, "DELETE FROM migrate_catalog", NULL, NULL, NULL);
	for (int i = 0; i < NGEN; i++)
	{
		if ((rc = mg_script_parse(&s, ctx, gen_text[i], strlen(gen_text[i]), "gen.sql")) != MG_OK)
			return rc;
		if ((rc = mg_state_put_script(&st, s, i % 2 == 1)) != MG_OK)
			return rc;
	}
	if ((rc = mg_state_load_map(&map, &st)) != MG_OK)
		return rc;
	for (int i = 0; i < NGEN; i += 3)
	{
		char id[8];

		snprintf(id, sizeof(id), "r%03d", i);
		if ((rc = mg_state_load_script(&got, &st, id)) != MG_OK)
			return rc;
		if ((rc = mg_state_log(&st, &step, got->checksum, i)) != MG_OK)
			return rc;
	}
	for (int i = 0; i < NGEN; i++)
	{
		mg_vop op = {MG_VOP_INSERT, NULL, mg_revmap_rev(map, i)->id};

		if ((rc = mg_state_apply_vop(&st, &op)) != MG_OK)
			return rc;
	}
	if ((rc = mg_state_versions(&rows, &n, &exists, &st)) != MG_OK)
		return rc;
	if (mg_revmap_count(map) != NGEN || n != NGEN + 1)
		return -98;
	return MG_OK;
}

static void
test_oom(void)
{
	long n;
	int bad_rc = 0, bad_msg = 0, leaks = 0, complete = 0;

	gen_scripts();
	for (int stop_is_error = 0; stop_is_error < 2; stop_is_error++)
	{
		for (n = 1; n < 100000; n++)
		{
			mg_ctx *ctx = NULL;
			int rc;

			db_open();
			the_th.stop_is_error = stop_is_error;
			tap_calls = 0;
			tap_fail_at = n;
			if (mg_ctx_new(&ctx, tap_realloc, NULL) != MG_OK)
			{
				db_close();
				continue;
			}
			rc = sequence(ctx);
			if (rc != MG_OK)
			{
				if (rc != MG_ENOMEM)
					bad_rc++;
				if (strcmp(mg_ctx_error(ctx)->message, "out of memory") != 0)
				{
					if (bad_msg++ == 0)
						printf("# at %ld: %s\n", n, mg_ctx_error(ctx)->message);
				}
			}
			else if (tap_calls >= n)
				bad_rc++;       /* the failure was masked */
			mg_ctx_free(ctx);
			db_close();
			if (tap_live != 0)
				leaks++;
			if (rc == MG_OK && tap_calls < n)
			{
				complete++;
				break;
			}
		}
		ok(n > 2, "OOM sweep over %ld allocation points (a stopped query %s)", n - 1,
		   stop_is_error ? "fails" : "succeeds");
	}
	tap_fail_at = 0;
	free_scripts();
	is_int(complete, 2, "the sequence completes once nothing fails");
	is_int(bad_rc, 0, "every failure is MG_ENOMEM, none is masked");
	is_int(bad_msg, 0, "every failure says out of memory, even when the host reports the stop");
	is_int(leaks, 0, "no block left after mg_ctx_free");
}

int
main(void)
{
	test_open();
	test_settings();
	test_scripts();
	test_versions();
	test_log();
	test_host_errors();
	test_silent_host();
	test_postgresql_texts();
	test_oom();
	return done_testing();
}
