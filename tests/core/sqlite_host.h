/*
 * sqlite_host.h -- a minimal engine host over an in-memory SQLite, for the
 * core tests of whole commands (test_verify.c, test_author.c).
 *
 * query binds $n text parameters by name; run_script runs a body with
 * sqlite3_exec; the unit is a savepoint; the clock is fixed.  Also:
 * db_open / db_close, db_exec, db_text (first column of the first row),
 * db_state (what a user sees: tables, version rows, catalog, settings),
 * new_ctx, and oom_sweep, which runs a command failing the N-th
 * allocation for every N until it completes, and checks that every
 * failure is a clean out-of-memory error that changed nothing and leaked
 * nothing.  Include after tap.h.
 */
#ifndef SQLITE_HOST_H
#define SQLITE_HOST_H

#include <sqlite3.h>

#include "../../core/internal.h"

#define NOW "2026-01-02 03:04:05.000000"

typedef struct th {
	sqlite3 *db;
} th;

static int
th_error(mg_ctx *ctx, sqlite3 *db)
{
	int code = sqlite3_errcode(db) == SQLITE_NOMEM ? MG_ENOMEM : MG_EHOST;

	return mg_error_set(ctx, code, code == MG_ENOMEM ? MG_STATE_NOMEM : MG_STATE_INTERNAL,
						"%s", sqlite3_errmsg(db));
}

static int
th_query(void *ud, mg_ctx *ctx, const char *sql, int nparams, const char *const *params,
		 mg_row_fn row, void *arg, long *changes)
{
	th *h = ud;
	sqlite3_stmt *stmt = NULL;
	int rc;

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
		int n = sqlite3_column_count(stmt), stop;

		if (row == NULL)
			continue;
		for (int i = 0; i < n && i < 16; i++)
			vals[i] = (const char *) sqlite3_column_text(stmt, i);
		stop = row(arg, n, vals);
		if (stop != 0)
		{
			sqlite3_finalize(stmt);
			return stop < 0 ? stop : MG_OK;
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

static TAP_UNUSED void
db_exec(const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(the_th.db, sql, NULL, NULL, &err) != SQLITE_OK)
	{
		printf("Bail out! %s: %s\n", sql, err ? err : "?");
		exit(1);
	}
}

/* The first column of the first row of sql, or NULL (kept in a static buffer). */
static TAP_UNUSED const char *
db_text(const char *sql)
{
	static char buf[4][4096];
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

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

/* What a user sees: tables, version rows, catalog ids, settings, log size. */
static const char *
db_state(void)
{
	const char *vt = db_text("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'");
	static char buf[8192];
	char tables[2048], rows[1024] = "", cat[2048], set[1024], log[64];

	snprintf(tables, sizeof(tables), "%s", nz(db_text("SELECT group_concat(name) FROM (SELECT name FROM sqlite_master ORDER BY name)")));
	if (vt != NULL && strcmp(vt, "1") == 0)
		snprintf(rows, sizeof(rows), "%s", nz(db_text("SELECT group_concat(version_num) FROM (SELECT version_num FROM alembic_version ORDER BY 1)")));
	snprintf(cat, sizeof(cat), "%s", nz(db_text("SELECT group_concat(revision || ':' || checksum) FROM migrate_catalog")));
	snprintf(set, sizeof(set), "%s", nz(db_text("SELECT group_concat(key || '=' || value) FROM migrate_settings")));
	snprintf(log, sizeof(log), "%s", nz(db_text("SELECT count(*) FROM migrate_log")));
	snprintf(buf, sizeof(buf), "%s|%s|%s|%s|%s", tables, rows, cat, set, log);
	return buf;
}

static TAP_UNUSED mg_ctx *
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

/* A command under test: returns its code, its text in *out. */
typedef int (*sweep_fn)(mg_ctx *ctx, char **out);

/*
 * For N = 1, 2, ...: a fresh database (setup), then cmd failing the N-th
 * allocation.  Each run either completes (ends the sweep: the result
 * must contain want; or, when want_error is set, the command fails with
 * that message) or fails with MG_ENOMEM, "out of memory" and the state
 * db_state() had before.  Nothing may leak.  Four tests.  Under
 * valgrind every 7th point only.
 */
static TAP_UNUSED void
oom_sweep(const char *name, void (*setup)(void), sweep_fn cmd, const char *want, const char *want_error)
{
	long n, step = getenv("MIGRATE_VALGRIND") ? 7 : 1;
	int bad = 0, leaks = 0, changed = 0, done = 0;
	char before[8192];

	for (n = 1; n < 200000; n += step)
	{
		mg_ctx *ctx = NULL;
		char *out = NULL;
		int rc;
		bool finished;

		db_open();
		setup();
		snprintf(before, sizeof(before), "%s", db_state());
		tap_calls = 0;
		tap_fail_at = n;
		if (mg_ctx_new(&ctx, tap_realloc, NULL) != MG_OK)
		{
			db_close();
			continue;
		}
		rc = cmd(ctx, &out);
		finished = tap_calls < n;
		if (finished)
		{
			if (want_error != NULL)
				done = rc != MG_OK && strcmp(mg_ctx_error(ctx)->message, want_error) == 0;
			else
				done = rc == MG_OK && out != NULL && strstr(out, want) != NULL;
			if (!done)
				printf("# %s: completed with %d: %s\n", name, rc, rc == MG_OK ? (out ? out : "(null)") : mg_ctx_error(ctx)->message);
		}
		else if (rc != MG_ENOMEM || strcmp(mg_ctx_error(ctx)->message, "out of memory") != 0)
		{
			if (!(want_error != NULL && rc != MG_OK && strcmp(mg_ctx_error(ctx)->message, want_error) == 0))
			{
				if (bad++ == 0)
					printf("# %s: at %ld: rc %d: %s\n", name, n, rc, rc == MG_OK ? "ok" : mg_ctx_error(ctx)->message);
			}
		}
		else if (strcmp(db_state(), before) != 0)
		{
			if (changed++ == 0)
				printf("# %s: at %ld the state changed:\n#   %s\n#   %s\n", name, n, before, db_state());
		}
		mg_ctx_free(ctx);
		db_close();
		if (tap_live != 0)
			leaks++;
		tap_live = 0;
		if (finished)
			break;
	}
	tap_fail_at = 0;
	ok(done && n > 1, "%s: completes after %ld allocation points", name, n);
	is_int(bad, 0, "%s: every failure is a clean out of memory", name);
	is_int(changed, 0, "%s: and changed nothing", name);
	is_int(leaks, 0, "%s: no block left after mg_ctx_free", name);
}

#endif /* SQLITE_HOST_H */
