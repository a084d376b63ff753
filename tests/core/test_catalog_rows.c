/*
 * test_catalog_rows.c -- reading the catalog row by row (core/catalog.c:
 * mg_state_load_map, mg_state_load_script, mg_state_load_scripts) and
 * the whole graph at a size where the arena's large blocks are in play.
 *
 * Rows are turned into scripts while the host holds them, so what is
 * checked here is what a row becomes: lists cut and trimmed, NULL
 * columns, metadata scripts completed in place with only the bodies the
 * dialect runs, a parse error or a wrong Revision ID reported with the
 * parser's words even by a host that writes its own error when a row
 * callback stops it; then offline SQL and history over 600 revisions
 * (a chain, compared with the text built here, and a branchy graph,
 * checked for order), offline SQL over held branches, and
 * out-of-memory sweeps over both commands.
 */
#include <stdlib.h>

#include "tap.h"
#include "sqlite_host.h"

/* A host that, like some do, reports a stopped row callback as its own error. */
static int stopped_by_callback;

typedef struct relay {
	mg_row_fn row;
	void *arg;
} relay;

static int
relay_row(void *arg, int ncol, const char *const *vals)
{
	relay *r = arg;
	int stop = r->row(r->arg, ncol, vals);

	if (stop != 0)
		stopped_by_callback = 1;
	return stop;
}

static int
overwriting_query(void *ud, mg_ctx *ctx, const char *sql, int nparams, const char *const *params,
				  mg_row_fn row, void *arg, long *changes)
{
	relay r = {row, arg};
	int rc;

	stopped_by_callback = 0;
	rc = th_query(ud, ctx, sql, nparams, params, row != NULL ? relay_row : NULL, &r, changes);
	if (stopped_by_callback)
		return mg_error_set(ctx, MG_EHOST, MG_STATE_INTERNAL, "query stopped");
	return rc;
}

static mg_host overwriting_host;

/* A host that hands its last row out twice (a broken driver, for the stream's guard). */
typedef struct last_row {
	mg_row_fn row;
	void *arg;
	int ncol;
	char vals[2][4096];
} last_row;

static int
keep_last_row(void *arg, int ncol, const char *const *vals)
{
	last_row *l = arg;

	l->ncol = ncol < 2 ? ncol : 2;
	for (int i = 0; i < l->ncol; i++)
		snprintf(l->vals[i], sizeof(l->vals[i]), "%s", vals[i] != NULL ? vals[i] : "");
	return l->row(l->arg, ncol, vals);
}

static int
repeating_query(void *ud, mg_ctx *ctx, const char *sql, int nparams, const char *const *params,
				mg_row_fn row, void *arg, long *changes)
{
	last_row l = {row, arg, 0, {"", ""}};
	const char *vals[2] = {l.vals[0], l.vals[1]};
	int rc;

	rc = th_query(ud, ctx, sql, nparams, params, row != NULL ? keep_last_row : NULL, &l, changes);
	if (rc != MG_OK || row == NULL || l.ncol == 0)
		return rc;
	return row(arg, l.ncol, vals) != 0 ? mg_error_set(ctx, MG_EHOST, MG_STATE_INTERNAL, "query stopped") : MG_OK;
}

static mg_host repeating_host;

static char *
script_text(const char *id, const char *down, const char *extra, const char *up, const char *down_sql)
{
	static char buf[8][1024];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]),
			 "-- revision %s\n-- Revision ID: %s\n-- Revises: %s\n%s"
			 "-- migrate:upgrade\n%s\n-- migrate:downgrade\n%s\n",
			 id, id, down, extra, up, down_sql);
	return buf[k];
}

/* Add scripts through the engine (filenames optional). */
static void
add(size_t n, const char *const *texts, const char *const *files)
{
	mg_ctx *ctx = new_ctx();
	char *report;

	if (mg_cmd_add(&report, ctx, &host, n, texts, files) != MG_OK)
	{
		printf("Bail out! add: %s\n", mg_ctx_error(ctx)->message);
		exit(1);
	}
	mg_ctx_free(ctx);
}

static void
test_map_rows(void)
{
	mg_ctx *ctx = new_ctx();
	mg_state st;
	mg_revmap *map = NULL;

	db_open();
	/* the catalog as a hand-made table may have it: NULLs, blanks in lists */
	db_exec("CREATE TABLE migrate_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
	db_exec("CREATE TABLE migrate_log (id INTEGER PRIMARY KEY, revision TEXT, direction TEXT, "
			"from_revisions TEXT, to_revisions TEXT, run_at TEXT, duration_ms REAL, checksum TEXT, "
			"applied_by TEXT)");
	db_exec("CREATE TABLE migrate_catalog (seq INTEGER PRIMARY KEY, revision TEXT, down_revisions TEXT, "
			"branch_labels TEXT, depends_on TEXT, tags TEXT, message TEXT, filename TEXT, "
			"transactional INTEGER, checksum TEXT, script TEXT, added_at TEXT)");
	db_exec("INSERT INTO migrate_catalog VALUES (1, 'a1', '', ' lab , ,x ', NULL, 'release_1.0', NULL, "
			"'f/a1.sql', 1, 'c1', '', '')");
	db_exec("INSERT INTO migrate_catalog VALUES (2, 'b2', 'a1', '', '', NULL, 'second', NULL, 0, NULL, '', '')");
	db_exec("INSERT INTO migrate_catalog VALUES (3, 'c3', ' b2 ,,', NULL, 'lab', '', 'third', 'c3.sql', "
			"1, 'c3sum', '', '')");
	is_int(mg_state_open(&st, ctx, &host), MG_OK, "rows: state open");
	is_int(mg_state_load_map(&map, &st), MG_OK, "rows: the map loads");
	if (map != NULL && mg_revmap_count(map) == 3)
	{
		const mg_script *a = mg_revmap_rev(map, 0)->script, *b = mg_revmap_rev(map, 1)->script,
			*c = mg_revmap_rev(map, 2)->script;

		is_str(a->id, "a1", "rows: id");
		ok(a->ndown == 0 && a->down == NULL, "rows: empty Revises: a base, no array");
		is_int(a->nlabels, 2, "rows: labels cut, empty items dropped");
		is_str(a->labels[0], "lab", "rows: first label trimmed");
		is_str(a->labels[1], "x", "rows: second label trimmed");
		ok(a->ndeps == 0 && a->deps == NULL, "rows: NULL depends_on: none");
		is_int(a->ntags, 1, "rows: one tag");
		is_str(a->tags[0], "release_1.0", "rows: the tag");
		is_str(a->message, "", "rows: NULL message reads as \"\"");
		is_str(mg_script_doc(a), "", "rows: the doc is the message");
		is_str(a->filename, "f/a1.sql", "rows: filename");
		is_str(a->checksum, "c1", "rows: checksum");
		ok(a->transactional && !b->transactional, "rows: transactional 1 and 0");
		is_str(b->filename, "", "rows: NULL filename reads as \"\"");
		is_str(b->checksum, "", "rows: NULL checksum reads as \"\"");
		ok(b->ntags == 0 && b->tags == NULL, "rows: NULL tags: none");
		is_int(c->ndown, 1, "rows: a list with blanks and an empty item");
		is_str(c->down[0], "b2", "rows: its item trimmed");
		is_int(c->ndeps, 1, "rows: a dependency");
		is_str(c->deps[0], "lab", "rows: on a label");
		ok(a->body_dirs == 0 && c->body_dirs == 0 && mg_script_text(a) == NULL && mg_script_create_date(a)[0] == '\0',
		   "rows: metadata only");
		is_int(mg_revmap_rev(map, 2)->ndeps, 1, "rows: the map is built (the label resolved)");
		is_int(mg_revmap_rev(map, 2)->deps[0], 0, "rows: to the revision that declares it");
	}
	else
		ok(0, "rows: three revisions");
	db_close();
	mg_ctx_free(ctx);
}

static const char *const body_scripts[] = {
	"-- base\n-- Revision ID: a1\n-- Revises:\n-- migrate:upgrade\nCREATE TABLE a (x int);\n"
	"-- migrate:upgrade sqlite\nCREATE TABLE a (x integer primary key);\n"
	"-- migrate:downgrade\nDROP TABLE a;\n",
	"-- second\n-- Revision ID: b2\n-- Revises: a1\n-- Transactional: false\n"
	"-- migrate:upgrade\nCREATE INDEX ia ON a (x);\n-- migrate:downgrade postgresql\nDROP INDEX ia;\n",
	"-- third\n-- Revision ID: c3\n-- Revises: b2\n-- migrate:upgrade\nCREATE TABLE c (y int);\n",
};
static const char *const body_files[] = {"v/a1.sql", "v/b2.sql", "v/c3.sql"};

static void
test_bodies_rows(void)
{
	mg_ctx *ctx;
	mg_state st;
	mg_revmap *map = NULL;
	const mg_script *a, *b, *c, *got;
	const char *a_up;
	uint8_t want[3] = {MG_BODY_BOTH, MG_BODY_BOTH, 0};
	const mg_host *hosts[2] = {&host, &overwriting_host};

	db_open();
	add(3, body_scripts, body_files);
	ctx = new_ctx();
	mg_state_open(&st, ctx, &host);
	is_int(mg_state_load_map(&map, &st), MG_OK, "bodies: map");
	if (map == NULL)
	{
		ok(0, "bodies: no map");
		return;
	}
	a = mg_revmap_rev(map, 0)->script;
	b = mg_revmap_rev(map, 1)->script;
	c = mg_revmap_rev(map, 2)->script;
	is_int(mg_state_load_scripts(&st, map, want), MG_OK, "bodies: two of three loaded");
	ok(mg_revmap_rev(map, 0)->script == a && mg_revmap_rev(map, 1)->script == b,
	   "bodies: the metadata scripts are completed in place");
	ok(a->body_dirs == MG_BODY_BOTH && b->body_dirs == MG_BODY_BOTH && c->body_dirs == 0,
	   "bodies: only the wanted ones");
	is_str(mg_script_body(a, true, MG_DIALECT_SQLITE), "CREATE TABLE a (x integer primary key);",
		   "bodies: the sqlite upgrade");
	is_str(mg_script_body(a, false, MG_DIALECT_SQLITE), "DROP TABLE a;", "bodies: the plain downgrade");
	ok(a->src->upgrade[MG_DIALECT_ANY] == NULL, "bodies: the plain upgrade a sqlite run never reads is not kept");
	ok(mg_script_body(b, false, MG_DIALECT_SQLITE) == NULL, "bodies: no downgrade for sqlite");
	ok(!b->transactional, "bodies: Transactional: false");
	is_str(a->filename, "v/a1.sql", "bodies: the catalog's file name kept");
	is_str(a->message, "base", "bodies: the catalog's message kept");
	is_str(db_text("SELECT checksum FROM migrate_catalog WHERE revision = 'b2'"), b->checksum,
		   "bodies: the checksum of the text, as stored");

	a_up = mg_script_body(a, true, MG_DIALECT_SQLITE);
	want[2] = MG_BODY_BOTH;
	is_int(mg_state_load_scripts(&st, map, want), MG_OK, "bodies: again, with the third");
	ok(mg_script_body(a, true, MG_DIALECT_SQLITE) == a_up, "bodies: a loaded body is left as it is");
	is_str(mg_script_body(c, true, MG_DIALECT_SQLITE), "CREATE TABLE c (y int);", "bodies: the third's upgrade");
	mg_ctx_free(ctx);

	/* only the directions asked for; asking again for another adds it */
	ctx = new_ctx();
	mg_state_open(&st, ctx, &host);
	mg_state_load_map(&map, &st);
	a = mg_revmap_rev(map, 0)->script;
	c = mg_revmap_rev(map, 2)->script;
	want[0] = MG_BODY_UP;
	want[1] = 0;
	want[2] = MG_BODY_DOWN;
	is_int(mg_state_load_scripts(&st, map, want), MG_OK, "one direction each: MG_OK");
	ok(a->body_dirs == MG_BODY_UP && a->src->downgrade[MG_DIALECT_ANY] == NULL,
	   "one direction each: the upgrade alone, no downgrade copied");
	ok(c->body_dirs == MG_BODY_DOWN && mg_script_body(c, true, MG_DIALECT_SQLITE) == NULL,
	   "one direction each: the downgrade alone");
	want[0] = MG_BODY_DOWN;
	want[2] = 0;
	is_int(mg_state_load_scripts(&st, map, want), MG_OK, "the other direction later: MG_OK");
	ok(a->body_dirs == MG_BODY_BOTH, "the other direction later: both are held");
	is_str(mg_script_body(a, true, MG_DIALECT_SQLITE), "CREATE TABLE a (x integer primary key);",
		   "the other direction later: the upgrade is still there");
	is_str(mg_script_body(a, false, MG_DIALECT_SQLITE), "DROP TABLE a;", "the other direction later: and the downgrade");
	mg_ctx_free(ctx);

	/* errors, through a host that writes "query stopped" over them */
	for (int h = 0; h < 2; h++)
	{
		const char *how = h ? " (host overwrites)" : "";

		db_exec("UPDATE migrate_catalog SET script = '-- Revision ID: b2\n-- Revises: a1\n"
				"-- migrate:upgrade mysql\nSELECT 1;\n' WHERE revision = 'b2'");
		ctx = new_ctx();
		mg_state_open(&st, ctx, hosts[h]);
		mg_state_load_map(&map, &st);
		want[0] = want[1] = want[2] = MG_BODY_UP;
		is_int(mg_state_load_scripts(&st, map, want), MG_EINPUT, "a script that does not parse: MG_EINPUT%s", how);
		is_str(mg_ctx_error(ctx)->message,
			   "unknown dialect \"mysql\" in section marker at \"v/b2.sql\", line 3",
			   "the parser's message, naming the catalog's file%s", how);
		is_str(mg_ctx_error(ctx)->sqlstate, MG_STATE_SYNTAX, "the parser's SQLSTATE%s", how);
		ok(mg_revmap_rev(map, 1)->script->body_dirs == 0, "that script is left without a body%s", how);
		is_int(mg_state_load_script(&got, &st, "b2"), MG_EINPUT, "load_script: MG_EINPUT%s", how);
		is_str(mg_ctx_error(ctx)->message,
			   "unknown dialect \"mysql\" in section marker at \"v/b2.sql\", line 3",
			   "load_script: the parser's message%s", how);
		ok(got == NULL, "load_script: nothing%s", how);
		want[1] = 0;
		is_int(mg_state_load_scripts(&st, map, want), MG_OK, "a broken script that is not wanted is not read%s", how);
		mg_ctx_free(ctx);

		db_exec("UPDATE migrate_catalog SET script = '-- Revision ID: zz\n-- Revises: a1\n' WHERE revision = 'b2'");
		ctx = new_ctx();
		mg_state_open(&st, ctx, hosts[h]);
		mg_state_load_map(&map, &st);
		want[1] = MG_BODY_DOWN;
		is_int(mg_state_load_scripts(&st, map, want), MG_EINPUT, "a row holding another revision: MG_EINPUT%s", how);
		is_str(mg_ctx_error(ctx)->message, "script of revision \"b2\" declares revision \"zz\"",
			   "a row holding another revision: message%s", how);
		mg_ctx_free(ctx);
	}
	db_close();
}

/* ---- 600 revisions ---------------------------------------------------- */

#define CHAIN 600

static char **chain_texts;

static void
make_chain(int n)
{
	chain_texts = calloc((size_t) n, sizeof(char *));
	for (int i = 0; i < n; i++)
	{
		char id[16], down[16], up[64], dn[64];

		snprintf(id, sizeof(id), "r%04d", i);
		snprintf(down, sizeof(down), i ? "r%04d" : "", i - 1);
		snprintf(up, sizeof(up), "CREATE TABLE t_%04d (id integer);\nSELECT %d;", i, i);
		snprintf(dn, sizeof(dn), "DROP TABLE t_%04d;", i);
		const char *t = script_text(id, down, "", up, dn);

		chain_texts[i] = malloc(strlen(t) + 1);
		memcpy(chain_texts[i], t, strlen(t) + 1);
	}
}

static void
free_chain(int n)
{
	for (int i = 0; i < n; i++)
		free(chain_texts[i]);
	free(chain_texts);
}

/* Alembic's offline SQL for the chain, written out here. */
static char *
chain_sql(int n)
{
	size_t cap = (size_t) n * 400 + 1024, len = 0;
	char *s = malloc(cap);

	len += (size_t) snprintf(s + len, cap - len,
							 "CREATE TABLE alembic_version (\n    version_num VARCHAR(32) NOT NULL, \n"
							 "    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n);\n\n");
	for (int i = 0; i < n; i++)
	{
		char prev[16];

		snprintf(prev, sizeof(prev), i ? "r%04d" : "", i - 1);
		len += (size_t) snprintf(s + len, cap - len,
								 "-- Running upgrade %s -> r%04d\n\nCREATE TABLE t_%04d (id integer);\n\n"
								 "SELECT %d;\n\n", prev, i, i, i);
		if (i == 0)
			len += (size_t) snprintf(s + len, cap - len,
									 "INSERT INTO alembic_version (version_num) VALUES ('r0000');\n\n");
		else
			len += (size_t) snprintf(s + len, cap - len,
									 "UPDATE alembic_version SET version_num='r%04d' WHERE "
									 "alembic_version.version_num = 'r%04d';\n\n", i, i - 1);
	}
	return s;
}

static void
test_chain(void)
{
	mg_ctx *ctx;
	char *sql = NULL, *want = chain_sql(CHAIN);
	mg_rows rows;

	db_open();
	make_chain(CHAIN);
	add(CHAIN, (const char *const *) chain_texts, NULL);
	ctx = new_ctx();
	is_int(mg_cmd_upgrade_sql(&sql, ctx, &host, "base:heads"), MG_OK, "chain of %d: offline SQL", CHAIN);
	ok(sql != NULL && strcmp(sql, want) == 0, "chain: exactly the text expected (%zu bytes)", strlen(want));
	if (sql != NULL && strcmp(sql, want) != 0)
	{
		size_t i = 0;

		while (sql[i] && sql[i] == want[i])
			i++;
		printf("# first difference at %zu: got \"%.60s\", expected \"%.60s\"\n", i, sql + i, want + i);
	}
	is_int(mg_cmd_history(&rows, ctx, &host, NULL, 0), MG_OK, "chain: history");
	is_int(rows.n, CHAIN, "chain: every revision");
	if (rows.n == CHAIN)
	{
		is_str(rows.rows[0].revision, "r0599", "chain: newest first");
		is_str(rows.rows[CHAIN - 1].revision, "r0000", "chain: the base last");
		is_str(rows.rows[300].down_revisions, "r0298", "chain: a parent");
	}
	is_int(mg_cmd_upgrade_sql(&sql, ctx, &host, "r0100:r0103"), MG_OK, "chain: a range");
	ok(sql != NULL && strstr(sql, "-- Running upgrade r0100 -> r0101") != NULL &&
	   strstr(sql, "-- Running upgrade r0102 -> r0103") != NULL && strstr(sql, "r0104") == NULL,
	   "chain: just its steps");
	mg_ctx_free(ctx);
	free(want);
	free_chain(CHAIN);
	db_close();
}

/* What count_body saw of a stream. */
typedef struct seen {
	size_t calls;
	size_t stop_at;         /* return an error at this call (0: never) */
	int in_order;           /* every text was the one asked for next */
	const char *const *ids;
	mg_ctx *ctx;
} seen;

static int
count_body(void *arg, size_t k, const char *text, size_t len)
{
	seen *sn = arg;
	char want[64];

	snprintf(want, sizeof(want), "-- Revision ID: %s\n", sn->ids[k]);
	if (k != sn->calls || strstr(text, want) == NULL || strlen(text) != len)
		sn->in_order = 0;
	sn->calls++;
	if (sn->stop_at != 0 && sn->calls == sn->stop_at)
		return mg_error_set(sn->ctx, MG_EINPUT, MG_STATE_INTERNAL, "stopped by the callback");
	return MG_OK;
}

/*
 * Offline SQL streams the catalog's texts in plan order, in batches:
 * a chain longer than two batches gives exactly the expected text both
 * ways; the stream itself hands out the texts in the order asked (not
 * the catalog's), stops at its callback's error, and names a revision
 * the catalog lost after the graph was read.
 */
#define STREAMED 2345

static void
test_stream(void)
{
	mg_ctx *ctx;
	char *sql = NULL, *want = chain_sql(STREAMED);
	const char **ids;
	mg_state st;
	mg_revmap *map = NULL;
	seen sn;
	int rc;

	db_open();
	make_chain(STREAMED);
	add(STREAMED, (const char *const *) chain_texts, NULL);
	ctx = new_ctx();
	is_int(mg_cmd_upgrade_sql(&sql, ctx, &host, "base:heads"), MG_OK, "stream: offline SQL of %d revisions",
		   STREAMED);
	ok(sql != NULL && strcmp(sql, want) == 0, "stream: exactly the text expected across three batches");
	is_int(mg_cmd_downgrade_sql(&sql, ctx, &host, "heads:base"), MG_OK, "stream: the downgrade");
	ok(sql != NULL && strstr(sql, "-- Running downgrade r2344 -> r2343\n\nDROP TABLE t_2344;\n\n") == sql &&
	   strstr(sql, "-- Running downgrade r0001 -> r0000\n\nDROP TABLE t_0001;") != NULL &&
	   strstr(sql, "DELETE FROM alembic_version WHERE alembic_version.version_num = 'r0000';") != NULL,
	   "stream: the downgrade's steps newest first, each with its own body");
	mg_ctx_free(ctx);

	/* the stream directly: an order that is not the catalog's */
	ctx = new_ctx();
	ids = mg_alloc(ctx, sizeof(char *) * STREAMED);
	for (int i = 0; i < STREAMED; i++)
		ids[i] = mg_strdup(ctx, chain_texts[(i * 7) % STREAMED] + strlen("-- revision "));
	for (int i = 0; i < STREAMED; i++)
		((char *) ids[i])[5] = '\0';          /* "r0123" */
	mg_state_open(&st, ctx, &host);
	memset(&sn, 0, sizeof(sn));
	sn.in_order = 1;
	sn.ids = ids;
	is_int(mg_state_stream_bodies(&st, ids, STREAMED, count_body, &sn), MG_OK, "stream: MG_OK");
	ok(sn.calls == STREAMED && sn.in_order, "stream: every text once, in the order asked (%zu calls)", sn.calls);
	memset(&sn, 0, sizeof(sn));
	sn.in_order = 1;
	sn.ids = ids;
	is_int(mg_state_stream_bodies(&st, ids, 0, count_body, &sn), MG_OK, "stream: nothing asked, nothing read");
	is_int((long) sn.calls, 0, "stream: no call for no revision");
	sn.stop_at = 1500;
	sn.ctx = ctx;
	rc = mg_state_stream_bodies(&st, ids, STREAMED, count_body, &sn);
	is_int(rc, MG_EINPUT, "stream: the callback's error stops it");
	is_str(mg_ctx_error(ctx)->message, "stopped by the callback", "stream: with the callback's words");
	is_int((long) sn.calls, 1500, "stream: no text after the error");
	mg_ctx_free(ctx);

	/* a graph for a command that reports no message: none is read */
	ctx = new_ctx();
	mg_state_open(&st, ctx, &host);
	st.no_messages = true;
	is_int(mg_state_load_map(&map, &st), MG_OK, "no messages: the map loads");
	ok(map != NULL && mg_revmap_count(map) == STREAMED && strcmp(mg_revmap_rev(map, 7)->script->message, "") == 0 &&
	   strcmp(mg_revmap_rev(map, 7)->id, "r0007") == 0, "no messages: ids kept, messages empty");
	mg_ctx_free(ctx);
	ctx = new_ctx();
	mg_state_open(&st, ctx, &host);
	mg_state_load_map(&map, &st);
	is_str(map != NULL ? mg_revmap_rev(map, 7)->script->message : NULL, "revision r0007",
		   "no messages: a plain load has them");
	mg_ctx_free(ctx);

	/* a host that returns a row more than asked for: refused, not written twice */
	ctx = new_ctx();
	mg_state_open(&st, ctx, &repeating_host);
	ids = mg_alloc(ctx, sizeof(char *) * 3);
	ids[0] = "r0000";
	ids[1] = "r0001";
	ids[2] = "r0002";
	memset(&sn, 0, sizeof(sn));
	sn.in_order = 1;
	sn.ids = ids;
	is_int(mg_state_stream_bodies(&st, ids, 3, count_body, &sn), MG_EINPUT, "stream: a row too many: MG_EINPUT");
	is_str(mg_ctx_error(ctx)->message, "the catalog returned more rows than the revisions asked for",
		   "stream: a row too many: its message");
	ok(sn.calls == 3 && sn.in_order, "stream: the rows asked for were handed out once each");
	mg_ctx_free(ctx);

	/* a revision gone from the catalog since the graph was read */
	ctx = new_ctx();
	mg_state_open(&st, ctx, &host);
	mg_state_load_map(&map, &st);
	ids = mg_alloc(ctx, sizeof(char *) * STREAMED);
	for (int i = 0; i < STREAMED; i++)
		ids[i] = mg_revmap_rev(map, i)->id;
	db_exec("DELETE FROM migrate_catalog WHERE revision = 'r1999'");
	memset(&sn, 0, sizeof(sn));
	sn.in_order = 1;
	sn.ids = ids;
	is_int(mg_state_stream_bodies(&st, ids, STREAMED, count_body, &sn), MG_EINPUT,
		   "stream: a lost revision: MG_EINPUT");
	is_str(mg_ctx_error(ctx)->message, "revision \"r1999\" is not in the catalog", "stream: it is named");
	is_str(mg_ctx_error(ctx)->sqlstate, MG_STATE_UNDEFINED, "stream: SQLSTATE 42704");
	ok(sn.calls == 1999 && sn.in_order, "stream: the texts before it were handed out in order");
	db_exec("DELETE FROM migrate_catalog WHERE revision = 'r2344'");
	mg_error_clear(ctx);
	memset(&sn, 0, sizeof(sn));
	sn.in_order = 1;
	sn.ids = ids + 2000;
	is_int(mg_state_stream_bodies(&st, ids + 2000, STREAMED - 2000, count_body, &sn), MG_EINPUT,
		   "stream: the last one lost: MG_EINPUT");
	is_str(mg_ctx_error(ctx)->message, "revision \"r2344\" is not in the catalog", "stream: the last one named");
	mg_ctx_free(ctx);
	free(want);
	free_chain(STREAMED);
	db_close();
}

/*
 * A branchy graph: four labelled branches, each a chain with a merge of
 * its previous two revisions' siblings now and then, and dependencies
 * across branches.  The offline SQL must run every revision once, each
 * after all it revises and depends on.
 */
#define BRANCHY 480

static void
test_branchy(void)
{
	static char texts[BRANCHY][512];
	const char *ptrs[BRANCHY];
	char ids[BRANCHY][16];
	int pos[BRANCHY];
	mg_ctx *ctx;
	char *sql = NULL;
	int bad_order = 0, missing = 0;

	db_open();
	for (int i = 0; i < BRANCHY; i++)
	{
		int br = i % 4, k = i / 4;
		char down[64] = "", extra[128] = "";

		snprintf(ids[i], sizeof(ids[i]), "b%d_%03d", br, k);
		if (k == 0)
			snprintf(extra, sizeof(extra), "-- Branch Labels: br%d\n", br);
		else if (k % 10 == 5 && k >= 2)
		{
			/* a split two steps back, merged here */
			snprintf(down, sizeof(down), "%s, %s", ids[i - 4], ids[i - 8]);
		}
		else
			snprintf(down, sizeof(down), "%s", ids[i - 4]);
		if (k % 10 == 4 && k >= 2)
			snprintf(down, sizeof(down), "%s", ids[i - 8]);     /* the sibling of i - 4 */
		if (k > 0 && k % 25 == 0 && br > 0)
			snprintf(extra, sizeof(extra), "-- Depends On: %s\n", ids[i - 1]);
		snprintf(texts[i], sizeof(texts[i]), "%s",
				 script_text(ids[i], down, extra, "SELECT 1;", "SELECT 2;"));
		ptrs[i] = texts[i];
	}
	add(BRANCHY, ptrs, NULL);
	ctx = new_ctx();
	is_int(mg_cmd_upgrade_sql(&sql, ctx, &host, "base:heads"), MG_OK, "branchy: offline SQL");
	for (int i = 0; sql != NULL && i < BRANCHY; i++)
	{
		char needle[64];
		const char *at;

		snprintf(needle, sizeof(needle), " -> %s\n", ids[i]);
		at = strstr(sql, needle);
		pos[i] = at != NULL ? (int) (at - sql) : -1;
		if (at == NULL || strstr(at + 1, needle) != NULL)
			missing++;
	}
	is_int(missing, 0, "branchy: every revision runs exactly once");
	for (int i = 0; sql != NULL && missing == 0 && i < BRANCHY; i++)
	{
		/* the parents are named on the step's "from" side, before " -> " */
		const char *line = sql + pos[i];

		while (line > sql && line[-1] != '\n')
			line--;
		for (int j = 0; j < BRANCHY; j++)
		{
			char name[32];
			const char *p;

			snprintf(name, sizeof(name), "%s", ids[j]);
			p = strstr(line, name);
			if (p != NULL && p < sql + pos[i] && pos[j] > pos[i])
				bad_order++;
		}
	}
	is_int(bad_order, 0, "branchy: every revision after its parents");
	ok(sql != NULL && strstr(sql, "-- Depends On") == NULL, "branchy: bodies only, no headers");
	mg_ctx_free(ctx);
	db_close();
}

/*
 * Held branches (the branches setting): one plan per branch, each part
 * of the text copied into the whole as it is made.
 */
static void
test_held(void)
{
	static char texts[400][512];
	const char *ptrs[400];
	mg_ctx *ctx;
	char *sql = NULL, *out;
	int order_bad = 0, missing = 0;
	const char *prev = NULL;

	db_open();
	for (int i = 0; i < 400; i++)
	{
		char id[16], down[16], extra[64] = "";
		int br = i / 200, k = i % 200;

		snprintf(id, sizeof(id), "%c%03d", br ? 'b' : 'a', k);
		snprintf(down, sizeof(down), k ? "%c%03d" : "", br ? 'b' : 'a', k - 1);
		if (k == 0)
			snprintf(extra, sizeof(extra), "-- Branch Labels: %s\n", br ? "lb" : "la");
		snprintf(texts[i], sizeof(texts[i]), "%s",
				 script_text(id, down, extra, "CREATE TABLE x (a int, b text, c text, d text);", "DROP TABLE x;"));
		ptrs[i] = texts[i];
	}
	add(400, ptrs, NULL);
	ctx = new_ctx();
	is_int(mg_cmd_config(&out, ctx, &host, "branches", "la,lb"), MG_OK, "held: the branches setting");
	is_int(mg_cmd_upgrade_sql(&sql, ctx, &host, "heads"), MG_OK, "held: offline SQL of two branches");
	for (int i = 0; sql != NULL && i < 400; i++)
	{
		char needle[32];
		const char *at;

		snprintf(needle, sizeof(needle), " -> %c%03d\n", i < 200 ? 'a' : 'b', i % 200);
		at = strstr(sql, needle);
		if (at == NULL || strstr(at + 1, needle) != NULL)
			missing++;
		else if (prev != NULL && at < prev)
			order_bad++;
		prev = at;
	}
	is_int(missing, 0, "held: every revision of both branches once");
	is_int(order_bad, 0, "held: the first branch, then the second, each in order");
	ok(sql != NULL && strstr(sql, "CREATE TABLE alembic_version") == sql &&
	   strstr(sql + 1, "CREATE TABLE alembic_version") == NULL, "held: one version table, at the start");
	ok(sql != NULL && strstr(sql, "INSERT INTO alembic_version (version_num) VALUES ('b000');") != NULL,
	   "held: the second branch starts beside the first");
	mg_ctx_free(ctx);
	db_close();
}

/* ---- out of memory ------------------------------------------------------ */

#define SWEEP 40

static void
setup_sweep(void)
{
	add(SWEEP, (const char *const *) chain_texts, NULL);
}

static int
sw_offline(mg_ctx *ctx, char **out)
{
	return mg_cmd_upgrade_sql(out, ctx, &overwriting_host, "base:heads");
}

static int
sw_history(mg_ctx *ctx, char **out)
{
	mg_rows rows;
	int rc = mg_cmd_history(&rows, ctx, &overwriting_host, NULL, 0);

	if (rc == MG_OK)
	{
		*out = mg_printf(ctx, "%zu rows, newest %s", rows.n, rows.n ? rows.rows[0].revision : "");
		if (*out == NULL)
			return MG_ENOMEM;
	}
	return rc;
}

/*
 * The arena asks the allocator for memory only when a chunk is full, so
 * the plain sweep reaches few call sites.  Here the arena is first
 * filled with pad bytes so that its chunk runs out at every 16-byte
 * position of the command in turn, and the first, second or third
 * request to the allocator after the pad fails.
 */
static void
boundary_sweep(const char *name, sweep_fn cmd, const char *want)
{
	size_t step = getenv("MIGRATE_VALGRIND") ? 16 * 7 : 16;
	long fails = 0, passes = 0;
	int bad = 0, leaks = 0;

	db_open();
	setup_sweep();
	for (size_t pad = 0; pad <= 2 * 16384; pad += step)
		for (long k = 1; k <= 3; k++)
		{
			mg_ctx *ctx = new_ctx();
			size_t left = pad;
			char *out = NULL;
			int rc;

			while (left > 0)
			{
				size_t piece = left > 2048 ? 2048 : left;

				mg_alloc(ctx, piece);
				left -= piece;
			}
			tap_calls = 0;
			tap_fail_at = k;
			rc = cmd(ctx, &out);
			tap_fail_at = 0;
			if (rc == MG_OK)
			{
				passes++;
				if (out == NULL || strstr(out, want) == NULL)
					bad++;
			}
			else
			{
				fails++;
				if (rc != MG_ENOMEM || strcmp(mg_ctx_error(ctx)->message, "out of memory") != 0)
				{
					if (bad++ == 0)
						printf("# %s: pad %zu, call %ld: rc %d: %s\n", name, pad, k, rc,
							   mg_ctx_error(ctx)->message);
				}
			}
			mg_ctx_free(ctx);
			if (tap_live != 0)
				leaks++;
			tap_live = 0;
		}
	db_close();
	ok(fails > 100, "%s: out of memory at every arena position: %ld runs failed, %ld completed",
	   name, fails, passes);
	is_int(bad, 0, "%s: every failure is a clean out of memory, every completed run right", name);
	is_int(leaks, 0, "%s: no block left after mg_ctx_free", name);
}

static void
test_oom(void)
{
	make_chain(SWEEP);
	oom_sweep("offline SQL of 40 revisions", setup_sweep, sw_offline,
			  "UPDATE alembic_version SET version_num='r0039' WHERE alembic_version.version_num = 'r0038';", NULL);
	oom_sweep("history of 40 revisions", setup_sweep, sw_history, "40 rows, newest r0039", NULL);
	boundary_sweep("offline SQL of 40 revisions", sw_offline,
				   "UPDATE alembic_version SET version_num='r0039' WHERE alembic_version.version_num = 'r0038';");
	boundary_sweep("history of 40 revisions", sw_history, "40 rows, newest r0039");
	free_chain(SWEEP);
}

int
main(void)
{
	overwriting_host = host;
	overwriting_host.query = overwriting_query;
	repeating_host = host;
	repeating_host.query = repeating_query;
	test_map_rows();
	test_bodies_rows();
	test_chain();
	test_stream();
	test_branchy();
	test_held();
	test_oom();
	return done_testing();
}
