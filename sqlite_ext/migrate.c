/*
 * migrate.c -- the SQLite host of the migrate revision engine.
 *
 * Schema migrations with Alembic's revision model, run entirely inside
 * the database: the revision scripts are read into a catalog table, and
 * SQL functions upgrade, downgrade, stamp and report.  Build and load:
 *
 *     make              (sqlite_ext/migrate.so: this file and core's .c files,
 *                        linked with -shared -fPIC)
 *     sqlite3 app.db
 *     sqlite> .load ./sqlite_ext/migrate
 *
 * From a program: sqlite3_load_extension(db, "path/to/migrate", 0, &err),
 * or conn.load_extension("path/to/migrate") in Python.  The entry point
 * is sqlite3_migrate_init.
 *
 * USAGE
 *
 * Scalar functions (each returns text or raises an error):
 *
 *     migrate_load(path)                read an environment directory (every
 *                                       *.sql file whose header has a
 *                                       Revision ID) into the catalog
 *     migrate_add(script [, filename])  add one revision from its text
 *     migrate_upgrade([target])         upgrade to target (default: heads);
 *                                       returns the "Running upgrade" lines
 *     migrate_downgrade(target)         downgrade to target (required)
 *     migrate_stamp(target [, purge])   set the version table only; purge
 *                                       (non-zero) empties it first
 *     migrate_upgrade_sql([range])      offline mode: the SQL that would run,
 *     migrate_downgrade_sql(range)      in Alembic's --sql shape; ranges are
 *                                       "from:to" (upgrades also take "to";
 *                                       default: heads)
 *     migrate_show(rev)                 Alembic's `show`
 *     migrate_branches()                Alembic's `branches`
 *     migrate_check()                   is the database at its heads?
 *                                       changed scripts? what to do next
 *     migrate_config(key [, value [, force]])
 *                                       read or write a setting
 *                                       (version_table, branches,
 *                                       legacy_table, legacy_versions,
 *                                       base_release); force: switch
 *                                       version_table away from a table
 *                                       with rows (see the README)
 *     migrate_wait([target [, timeout_seconds]])
 *                                       return once the database is at
 *                                       target (default: its heads); fail
 *                                       after timeout_seconds (default
 *                                       300); reads only: the start-up
 *                                       barrier of application workers
 *     migrate_init()                    initialize an empty database: every
 *                                       branch it holds to its head
 *     migrate_verify([auto_migrate])    Galaxy's start-up verification, per
 *                                       branch held; auto_migrate (non-zero)
 *                                       upgrades and adopts legacy databases
 *     migrate_revision(message [, head, rev_id, branch_label, depends_on,
 *                      splice])         the text of a new revision script
 *     migrate_merge(revisions, message [, branch_label, rev_id])
 *                                       the text of a merge revision
 *     migrate_revision_write(dir, message [, head, rev_id, branch_label,
 *                            depends_on, splice])
 *     migrate_merge_write(dir, revisions, message [, branch_label, rev_id])
 *                                       the same, written to
 *                                       dir/<rev>_<slug>.sql (never over an
 *                                       existing file) and added to the
 *                                       catalog; returns the file's path
 *     migrate_graph([format])           the revision graph as Graphviz DOT
 *                                       text: 'dot' (default) or
 *                                       'dot-collapsed' (chains of plain
 *                                       revisions as one counted edge)
 *     migrate_version()                 "migrate 1.2 (SQL API 1.2), SQLite
 *                                       3.40.1"
 *
 * Table-valued functions (the arguments are optional):
 *
 *     migrate_history([range [, indicate_current]])
 *     migrate_heads()
 *     migrate_current([verbose])
 *
 * return the columns revision, down_revisions, branch_labels, depends_on,
 * message, is_head, is_current, is_branchpoint, is_mergepoint (0 or 1)
 * and line (Alembic's one-line text of the listing).  The arguments are
 * HIDDEN columns, so migrate_history('9540:') and
 * migrate_history WHERE "range" = '9540:' are the same query.
 *
 *     migrate_status()      where each revision stands: revision,
 *                           branch_labels, message, state (applied,
 *                           stamped, pending, not held, unknown),
 *                           applied_at, applied_by, duration_ms,
 *                           checksum_ok, file (core/status.c)
 *     migrate_functions     every function: name, arguments, kind,
 *                           description (core/api.c)
 *
 * Identifiers are Alembic's: full ids, unique prefixes of four or more
 * characters, head, heads, base, <branch>@head, <branch>@<rev>, relative
 * steps (+2, -1, <branch>@-1) and release tags (22.05, release_22.05).
 *
 * A NULL argument where a value is required is an error naming the
 * argument; a NULL optional argument means the same as leaving it out
 * (so migrate_history(NULL, 1) is the whole history with the current
 * revisions marked, and migrate_config(key, NULL) reads the setting).
 *
 * EXAMPLES
 *
 * With the sample environment of the repository (branches gxy and tsi),
 * from the repository root (tests/sqlite/manual.t runs these):
 *
 *     sqlite> SELECT migrate_load('migrations');
 *     11 revisions: 11 added, 0 replaced, 0 unchanged
 *
 *     sqlite> SELECT migrate_upgrade('gxy@head');
 *     Running upgrade  -> e7b6dcb09efd, create gxy base
 *     Running upgrade e7b6dcb09efd -> b182f655505f, add user table
 *     Running upgrade b182f655505f -> 186d4835587b, add dataset table
 *     Running upgrade b182f655505f -> c39f1de47a04, add job table
 *     Running upgrade c39f1de47a04, 186d4835587b -> 9540a051226e, merge job and dataset
 *     Running upgrade 9540a051226e -> 6a67bf27e6a6, add dataset metadata column
 *     Running upgrade 6a67bf27e6a6 -> a2e418ad6a15, add job queue index
 *
 *     sqlite> SELECT line FROM migrate_current();
 *     a2e418ad6a15 (head)
 *
 *     sqlite> SELECT line FROM migrate_heads();
 *     a2e418ad6a15 (gxy) (head)
 *     5555bbbb0002 (tsi) (head)
 *
 *     sqlite> SELECT revision, is_current FROM migrate_history('9540:', 1);
 *     a2e418ad6a15|1
 *     6a67bf27e6a6|0
 *     9540a051226e|0
 *
 *     sqlite> SELECT migrate_downgrade('gxy@-1');
 *     Running downgrade a2e418ad6a15 -> 6a67bf27e6a6, add job queue index
 *
 *     sqlite> SELECT migrate_upgrade('gxy@head');
 *     Running upgrade 6a67bf27e6a6 -> a2e418ad6a15, add job queue index
 *
 *     sqlite> SELECT migrate_upgrade('gxy@head');
 *     nothing to do: the database is at a2e418ad6a15
 *
 *     sqlite> SELECT migrate_config('version_table');
 *     alembic_version
 *
 *     sqlite> SELECT migrate_upgrade('5555');
 *     Runtime error: Can't locate revision identified by '5555'
 *     DETAIL:  Multiple revisions start with '5555': '5555bbbb0001', '5555bbbb0002'.
 *     HINT:  Give more characters of the revision id.
 *
 * Errors read as in psql: the message (Alembic's words where Alembic has
 * them), then DETAIL:, HINT: and CONTEXT: lines when the engine knows
 * more.  A run that fails leaves the database exactly as it was, the
 * version table included, and says where it failed:
 *
 *     Runtime error: no such table: missing_table
 *     HINT:  Nothing was changed: the whole run was rolled back. ...
 *     CONTEXT:  upgrade of revision r3 ("..."), file "r3.sql", statement 2:
 *     INSERT INTO missing_table VALUES (1)
 *
 * When another connection holds the write lock (another migration):
 *
 *     Runtime error: database is busy
 *     DETAIL:  Another connection holds the write lock on the database ...
 *     HINT:  Retry, or wait for the other migration: set a busy timeout
 *     (.timeout 5000 in the sqlite3 shell, PRAGMA busy_timeout).
 *
 * with the error code SQLITE_BUSY, so programs can retry.  With a busy
 * timeout the call waits instead, then finds the steps already done.
 *
 * Inside your own transaction the run is a savepoint: BEGIN; SELECT
 * migrate_upgrade(); ... ROLLBACK; undoes it, and a failing run undoes
 * only itself.
 *
 * Call the functions that run revisions alone, as SELECT migrate_upgrade(...)
 * with no FROM clause (see "DROP TABLE" below); they cannot be called from
 * views or triggers.
 *
 * HOW IT WORKS
 *
 * This file is a host: it parses arguments, calls the engine's commands
 * (core/mg.h, mg_cmd_*), and turns their results and errors into SQLite's.
 * Everything about revisions, identifiers, plans and reports is in the
 * core.  The core reaches the database through the callbacks of mg_host,
 * implemented here on the calling connection:
 *
 *   query       one statement (sqlite3_prepare_v2 / sqlite3_step), kept
 *               prepared until the call ends (up to 16 texts: the engine
 *               repeats the same few per step), with the indexes of its
 *               parameters looked up once; the
 *               parameters are named $1, $2 ... in the SQL text and bound
 *               as text or NULL; rows are passed as column texts; *changes
 *               is sqlite3_changes() after a statement that changed rows,
 *               0 otherwise (sqlite3_changes keeps its old value over DDL).
 *   run_script  a revision body, statement after statement, by walking
 *               sqlite3_prepare_v2's tail pointer; stretches of blanks and
 *               comments (a NULL statement) are not counted.  A failing
 *               statement leaves SQLite's message, its number and its text
 *               (the first 200 bytes) in the error.
 *   begin       in autocommit mode, BEGIN IMMEDIATE: the write lock is taken
 *               before the version table is read, so two connections never
 *               run the same step twice; the second one waits for its busy
 *               timeout, then fails with "database is busy".  Inside the
 *               caller's transaction, SAVEPOINT migrate_run followed by a
 *               write that takes the lock (see below), so the caller's
 *               ROLLBACK undoes the run.
 *   commit      COMMIT, or RELEASE migrate_run.  If the commit fails (a
 *               reader holds the database), the unit is rolled back before
 *               the error is returned.
 *   rollback    ROLLBACK, or ROLLBACK TO migrate_run + RELEASE migrate_run;
 *               it never replaces the error that caused it.
 *   notice      nothing: SQLite has no notices; the report is the result.
 *   now         UTC with microseconds (clock_gettime, gmtime_r).
 *
 * dialect is "sqlite", the state tables live in schema "main", and the
 * engine creates them itself (creates_state): every command opens its
 * state with CREATE TABLE IF NOT EXISTS of migrate_catalog, migrate_log
 * and migrate_settings, before it calls begin.  Once the tables exist
 * these statements take no lock (see below), so begin must take it
 * itself; on a database that has never seen the engine, they write, and
 * in autocommit mode each of them commits on its own.
 *
 * Each SQL call creates one engine context (an arena over sqlite3_realloc64
 * and sqlite3_free) and frees it before returning; result texts are copied
 * (SQLITE_TRANSIENT).  A table-valued call keeps its context until its
 * cursor is closed or rewound, because the rows live in it.  A unit the
 * engine left open is rolled back before the call returns.
 *
 * Facts about SQLite this relies on, checked with SQLite 3.40 (and kept
 * true by the tests in tests/sqlite/):
 *
 *   - A scalar function called as SELECT f(...) with no FROM clause may run
 *     BEGIN IMMEDIATE, CREATE TABLE, INSERT, DROP TABLE and COMMIT (or
 *     ROLLBACK) on its own connection while the outer statement runs: the
 *     outer SELECT reads no table, so it holds no read transaction and no
 *     cursor, and it is read-only, so COMMIT is not refused with "SQL
 *     statements in progress".  sqlite3_get_autocommit() is still true
 *     inside such a call in autocommit mode.
 *   - DROP TABLE and DROP INDEX fail with SQLITE_LOCKED "database table is
 *     locked" while another statement of the connection reads the database:
 *     a scalar call with a FROM clause (SELECT f(x) FROM t), and any SQL run
 *     from a table-valued function's xFilter (the outer statement holds a
 *     read transaction on "main"; CREATE TABLE still works there).  Hence
 *     the functions that run revision bodies are scalars, the row reports
 *     (which only read) are table-valued, and run_script adds a hint when
 *     it meets this error.
 *   - Inside the caller's transaction BEGIN is refused ("cannot start a
 *     transaction within a transaction"); SAVEPOINT, RELEASE and ROLLBACK TO
 *     work, and ROLLBACK TO undoes DDL as well.  ROLLBACK TO keeps the write
 *     lock until the caller's transaction ends.
 *   - In a deferred transaction (plain BEGIN) SAVEPOINT takes no lock, and
 *     neither does CREATE TABLE IF NOT EXISTS of a table that exists.  Any
 *     statement that opens a write transaction takes the RESERVED lock when
 *     it starts, even if it changes no row (UPDATE t SET a = a WHERE 0
 *     does), but the host owns no table to aim it at.  So begin reads
 *     PRAGMA main.user_version and writes the same value back: that takes
 *     the write lock and changes nothing a user can see.  In WAL mode it
 *     fails with SQLITE_BUSY_SNAPSHOT when the caller's snapshot is stale
 *     (another connection committed after the caller read): reported as
 *     "database is busy", since only a new transaction can succeed.
 *   - SAVEPOINT and RELEASE in autocommit mode would start and commit a
 *     deferred transaction: not used, because it would take the lock late.
 *   - Some errors end the whole transaction (RAISE(ROLLBACK), ON CONFLICT
 *     ROLLBACK, SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM): rollback then has
 *     nothing left to undo, and inside the caller's transaction the error
 *     says that the caller's work is gone too.
 *
 * Functions that change the database (migrate_load, migrate_add,
 * migrate_upgrade, migrate_downgrade, migrate_stamp, migrate_init,
 * migrate_verify, migrate_revision_write, migrate_merge_write, and
 * migrate_config with a value) are registered SQLITE_DIRECTONLY: a database file may come
 * from someone else, and its views and triggers must not be able to run
 * migrations or rewrite the catalog, the version table or the settings.
 * The report functions stay usable from views (monitoring).  No function
 * is deterministic: they all read the database's state.
 *
 * The host sets errors only inside the host callbacks, with the core's
 * own setters; everywhere else it reports the engine's error object.
 */
#define _POSIX_C_SOURCE 200809L

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/mg.h"
/*
 * internal.h is the contract between the core's modules.  The host uses
 * it for the error setters only (mg_error_set, mg_error_detail,
 * mg_error_hint, mg_error_context), so that a failing callback fills the
 * context's error as the host interface requires.
 */
#include "../core/internal.h"

/* Room for a formatted error: message, detail, hint and context. */
#define ERRBUF_SIZE \
	(sizeof(((mg_error *) 0)->message) + sizeof(((mg_error *) 0)->detail) + \
	 sizeof(((mg_error *) 0)->hint) + sizeof(((mg_error *) 0)->context) + 64)

/* What to do when the database is busy. */
#define BUSY_HINT \
	"Retry, or wait for the other migration: set a busy timeout " \
	"(.timeout 5000 in the sqlite3 shell, PRAGMA busy_timeout)."

/* How much of a failing statement goes into the error's context. */

/* ------------------------------------------------------------------ */
/* Host state and allocator                                             */
/* ------------------------------------------------------------------ */

/*
 * Statements of host_query kept prepared for the rest of the call: the
 * engine runs the same few texts (the log row, the version table's
 * UPDATE) once per step, and preparing them anew each time was most of
 * the engine's own cost per revision.
 */
#define STMT_CACHE_SIZE 16
/* Parameters ($1..) whose SQLite index a cached statement keeps. */
#define STMT_PARAMS 16

typedef struct cached_stmt
{
	char	   *sql;			/* sqlite3_malloc'd copy of the text */
	size_t		len;			/* strlen(sql): most texts differ in length */
	sqlite3_stmt *stmt;
	int			busy;			/* in use by a query further up the stack */
	/*
	 * The index of $1..$nidx (0: unused), looked up by name on first
	 * use: a property of the text, which a re-prepare keeps.
	 */
	int			nidx;
	int			idx[STMT_PARAMS];
} cached_stmt;

/* The per-call state behind mg_host.ud. */
typedef struct host_state
{
	sqlite3    *db;
	int			in_unit;	/* begin succeeded; no commit/rollback yet */
	int			own_txn;	/* the unit is our BEGIN IMMEDIATE, not a savepoint */
	int			ncached;
	cached_stmt cache[STMT_CACHE_SIZE];
	struct host_state *next_run;	/* the registry of open units (run_register) */
	struct schema_watch *watch;	/* a rehearsal's copy: what its steps change */
} host_state;

/*
 * The allocator hook of mg_ctx_new: sqlite3_realloc64 / sqlite3_free,
 * so the engine's memory counts in sqlite3_memory_used().
 */
static void *
host_realloc(void *ud, void *ptr, size_t size)
{
	(void) ud;
	if (size == 0)
	{
		sqlite3_free(ptr);
		return NULL;
	}
	return sqlite3_realloc64(ptr, (sqlite3_uint64) size);
}

/*
 * Fill the context's error from the connection's last error.  Returns
 * MG_ENOMEM for SQLITE_NOMEM, MG_EHOST otherwise.
 */
static int
host_fail(mg_ctx *ctx, sqlite3 *db, int rc)
{
	int			primary = rc & 0xff;

	if (primary == SQLITE_NOMEM)
		return mg_error_set(ctx, MG_ENOMEM, MG_STATE_NOMEM, "out of memory");
	if (primary == SQLITE_INTERRUPT)
		return mg_error_set(ctx, MG_ECANCEL, MG_STATE_CANCELED, "%s", sqlite3_errmsg(db));
	mg_error_set(ctx, MG_EHOST, primary == SQLITE_BUSY ? MG_STATE_LOCKED : MG_STATE_INTERNAL,
				 "%s", sqlite3_errmsg(db));
	/* the errors of the machine, not of the SQL: say what to do about them */
	if (primary == SQLITE_BUSY)
	{
		mg_error_detail(ctx, "Another connection holds a lock on the database.");
		mg_error_hint(ctx, "%s Nothing was changed.", BUSY_HINT);
	}
	else if (primary == SQLITE_FULL)
		mg_error_hint(ctx, "The disk holding the database, its journal or SQLite's temporary files is full, "
					  "or the database reached PRAGMA max_page_count: free space (or raise the limit) and rerun. Nothing was changed.");
	else if (primary == SQLITE_READONLY)
		mg_error_hint(ctx, "Open the database read-write (not with sqlite3 -readonly or mode=ro), and check that "
					  "the database file, its directory and its journal can be written; then rerun. Nothing was changed.");
	else if (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN)
		mg_error_hint(ctx, "Check that the database file, its directory and its journal can be written, "
					  "and that the disk is sound; then rerun. Nothing was changed.");
	else if (strncmp(sqlite3_errmsg(db), "unsafe use of ", 14) == 0)
	{
		/* SQLITE_DIRECTONLY: a trigger or view of the file called a function kept for direct SQL */
		mg_error_detail(ctx, "A trigger or view of the database calls a function that SQLite allows only in SQL "
						"typed by the user (a function that writes files or changes the database).");
		mg_error_hint(ctx, "Find it with SELECT type, name, sql FROM sqlite_schema WHERE type IN ('trigger', 'view'); "
					  "drop it if you did not put it there, then rerun. Nothing was changed.");
	}
	return MG_EHOST;
}

/* The "database is busy" error of begin. */
static int
host_fail_busy(mg_ctx *ctx, sqlite3 *db)
{
	mg_error_set(ctx, MG_EHOST, MG_STATE_LOCKED, "database is busy");
	mg_error_detail(ctx, "Another connection holds the write lock on the database (SQLite: %s).",
					sqlite3_errmsg(db));
	mg_error_hint(ctx, "%s", BUSY_HINT);
	return MG_EHOST;
}

/*
 * Run a fixed statement (transaction control).  Returns the SQLite code;
 * touches no engine error.
 */
static int
exec_simple(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* True when the rest of a SQL text holds nothing but blanks and ';'. */
static int
only_blanks(const char *s)
{
	for (; *s; s++)
		if (*s != ';' && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

/*
 * After a failed statement inside the caller's transaction: SQLite ends
 * the whole transaction on some errors (RAISE(ROLLBACK), ON CONFLICT
 * ROLLBACK, SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM); say so, since the
 * caller's own work before the call is gone too.
 */
static void
note_lost_transaction(host_state *hs, mg_ctx *ctx)
{
	if (hs->in_unit && !hs->own_txn && sqlite3_get_autocommit(hs->db))
		mg_error_detail(ctx, "SQLite rolled back the whole transaction, "
						"including the caller's work before this call.");
}

/* ------------------------------------------------------------------ */
/* mg_host callbacks                                                    */
/* ------------------------------------------------------------------ */

/*
 * query: one statement, text parameters $1..$n, rows to row().  A row
 * callback returning a negative MG_E* code stops the query and that code
 * is returned (the callback set the error); a positive value just stops.
 */
/*
 * The prepared statement for sql: from the call's cache, or prepared now
 * (and kept when there is room).  *stmt is NULL for a text without a
 * statement.  Returns MG_OK or the error of the prepare.
 */
static int
stmt_acquire(host_state *hs, mg_ctx *ctx, const char *sql, sqlite3_stmt **stmt,
			 cached_stmt **slot)
{
	const char *tail = NULL;
	size_t		len = strlen(sql);
	int			rc;

	*stmt = NULL;
	*slot = NULL;
	for (int i = 0; i < hs->ncached; i++)
	{
		cached_stmt *c = &hs->cache[i];

		if (!c->busy && c->len == len && memcmp(c->sql, sql, len) == 0)
		{
			c->busy = 1;
			*stmt = c->stmt;
			*slot = c;
			return MG_OK;
		}
	}
	rc = sqlite3_prepare_v2(hs->db, sql, -1, stmt, &tail);
	if (rc != SQLITE_OK)
		return host_fail(ctx, hs->db, rc);
	if (*stmt == NULL)
		return MG_OK;
	if (tail != NULL && !only_blanks(tail))
	{
		sqlite3_finalize(*stmt);
		*stmt = NULL;
		return mg_error_set(ctx, MG_EHOST, MG_STATE_INTERNAL,
							"query text holds more than one statement: \"%.100s\"", sql);
	}
	if (hs->ncached < STMT_CACHE_SIZE)
	{
		char	   *copy = sqlite3_malloc64(len + 1);

		/* out of memory here only means the statement is not kept */
		if (copy != NULL)
		{
			cached_stmt *c = &hs->cache[hs->ncached++];

			memcpy(copy, sql, len + 1);
			c->sql = copy;
			c->len = len;
			c->stmt = *stmt;
			c->busy = 1;
			c->nidx = 0;
			*slot = c;
		}
	}
	return MG_OK;
}

/* Done with a statement of stmt_acquire: reset and kept, or finalized. */
static void
stmt_release(sqlite3_stmt *stmt, cached_stmt *slot)
{
	if (slot == NULL)
	{
		sqlite3_finalize(stmt);
		return;
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	slot->busy = 0;
}

/* Finalize the call's cached statements (at the end of every call). */
static void
stmt_cache_clear(host_state *hs)
{
	for (int i = 0; i < hs->ncached; i++)
	{
		sqlite3_finalize(hs->cache[i].stmt);
		sqlite3_free(hs->cache[i].sql);
	}
	hs->ncached = 0;
}

static int
host_query(void *ud, mg_ctx *ctx, const char *sql, int nparams,
		   const char *const *params, mg_row_fn row, void *arg, long *changes)
{
	host_state *hs = ud;
	sqlite3    *db = hs->db;
	sqlite3_stmt *stmt = NULL;
	cached_stmt *slot = NULL;
	const char **vals = NULL;
	sqlite3_int64 total_before;
	int			ncol;
	int			rc;
	int			result = MG_OK;
	int			i;

	if (changes != NULL)
		*changes = 0;
	rc = stmt_acquire(hs, ctx, sql, &stmt, &slot);
	if (rc != MG_OK || stmt == NULL)
		return rc;
	for (i = 0; i < nparams; i++)
	{
		int			idx;

		if (slot != NULL && i < slot->nidx)
			idx = slot->idx[i];
		else
		{
			char		name[24];
			char		digits[16];
			int			nd = 0;

			/* "$<i+1>", without printf: this runs for every parameter of a new text */
			for (int v = i + 1; v > 0 && nd < (int) sizeof(digits); v /= 10)
				digits[nd++] = (char) ('0' + v % 10);
			name[0] = '$';
			for (int k = 0; k < nd; k++)
				name[k + 1] = digits[nd - 1 - k];
			name[nd + 1] = '\0';
			idx = sqlite3_bind_parameter_index(stmt, name);
			if (slot != NULL && i == slot->nidx && i < STMT_PARAMS)
				slot->idx[slot->nidx++] = idx;
		}
		if (idx == 0)
			continue;			/* the statement does not use it */
		if (params[i] == NULL)
			rc = sqlite3_bind_null(stmt, idx);
		else
			rc = sqlite3_bind_text(stmt, idx, params[i], -1, SQLITE_STATIC);
		if (rc != SQLITE_OK)
		{
			result = host_fail(ctx, db, rc);
			goto done;
		}
	}

	ncol = sqlite3_column_count(stmt);
	if (row != NULL && ncol > 0)
	{
		vals = sqlite3_malloc64(sizeof(*vals) * (sqlite3_uint64) ncol);
		if (vals == NULL)
		{
			result = mg_error_set(ctx, MG_ENOMEM, MG_STATE_NOMEM, "out of memory");
			goto done;
		}
	}

	total_before = sqlite3_total_changes(db);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
	{
		int			stop;

		if (row == NULL)
			continue;
		for (i = 0; i < ncol; i++)
		{
			vals[i] = (const char *) sqlite3_column_text(stmt, i);
			if (vals[i] == NULL && sqlite3_column_type(stmt, i) != SQLITE_NULL)
			{
				result = mg_error_set(ctx, MG_ENOMEM, MG_STATE_NOMEM, "out of memory");
				goto done;
			}
		}
		stop = row(arg, ncol, (const char *const *) vals);
		if (stop < 0)
		{
			result = stop;
			goto done;
		}
		if (stop > 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
	{
		result = host_fail(ctx, db, rc);
		note_lost_transaction(hs, ctx);
		goto done;
	}
	/* sqlite3_changes() keeps its old value across DDL: count only real DML. */
	if (changes != NULL && sqlite3_total_changes(db) != total_before)
		*changes = sqlite3_changes(db);

done:
	sqlite3_free(vals);
	stmt_release(stmt, slot);
	return result;
}

/* ------------------------------------------------------------------ */
/* What a revision body may not do                                      */
/* ------------------------------------------------------------------ */

/* Skip blanks, comments and empty statements (';'). */
static const char *
skip_noise(const char *s)
{
	for (;;)
	{
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == ';')
			s++;
		if (s[0] == '-' && s[1] == '-')
		{
			while (*s && *s != '\n')
				s++;
		}
		else if (s[0] == '/' && s[1] == '*')
		{
			const char *end = strstr(s + 2, "*/");

			s = end != NULL ? end + 2 : s + strlen(s);
		}
		else
			return s;
	}
}

/* The word at s (letters, digits, '_'), compared without case with w; *next after it. */
static int
word_is(const char *s, const char *w, const char **next)
{
	size_t		n = 0;

	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
		   (s[n] >= '0' && s[n] <= '9') || s[n] == '_')
		n++;
	if (n == 0 || strlen(w) != n || sqlite3_strnicmp(s, w, (int) n) != 0)
		return 0;
	if (next != NULL)
		*next = s + n;
	return 1;
}

/* Statements that would end or escape the run's unit (SQLite's grammar starts each with its keyword). */
static const char *const TXN_WORDS[] = {"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"};
/* PRAGMAs that decide how the database survives a crash: a run must not set them. */
static const char *const DURABILITY_PRAGMAS[] = {"journal_mode", "synchronous", "locking_mode"};

/*
 * Whether a revision body's statement (its text from the start of
 * sqlite3_prepare_v2's input) must not run inside a run; if so, fill the
 * error and return MG_EHOST.  Decided from the statement's first words,
 * which SQLite's grammar makes exact for these statements:
 *
 *   - BEGIN, COMMIT/END, ROLLBACK, SAVEPOINT, RELEASE: they would end
 *     the run's transaction (or release its savepoint) behind the
 *     engine's back, so the steps before them would stay committed
 *     while the run reports failure, or the run could not undo itself;
 *   - ATTACH, DETACH: an attached database outlives the run (a rollback
 *     does not detach it), and detaching fails inside a transaction;
 *   - PRAGMA journal_mode, synchronous, locking_mode set to a value:
 *     they change how this connection survives a crash, for good.
 *
 * (An authorizer would see the same statements, but SQLite has no way to
 * read the authorizer an application installed, so the engine could not
 * put it back: it installs none.)
 */
static int
body_refuses(mg_ctx *ctx, const char *stmt)
{
	const char *s = skip_noise(stmt);
	const char *after = NULL;

	for (size_t i = 0; i < sizeof(TXN_WORDS) / sizeof(TXN_WORDS[0]); i++)
		if (word_is(s, TXN_WORDS[i], NULL))
		{
			mg_error_set(ctx, MG_EHOST, "0A000",
						 "transaction control statements are not allowed in a revision script");
			mg_error_detail(ctx, "Every revision runs inside the run's own transaction (BEGIN IMMEDIATE, or a savepoint inside the caller's transaction); "
							"%s would end it behind the engine's back, and the run could no longer undo its steps.",
							TXN_WORDS[i]);
			mg_error_hint(ctx, "Remove BEGIN, COMMIT, ROLLBACK, SAVEPOINT and RELEASE statements from the script (the engine commits the whole run), "
						  "load it again, and rerun; nothing was changed.");
			return MG_EHOST;
		}
	if (word_is(s, "ATTACH", NULL) || word_is(s, "DETACH", NULL))
	{
		mg_error_set(ctx, MG_EHOST, "0A000", "ATTACH and DETACH are not allowed in a revision script");
		mg_error_detail(ctx, "An attached database outlives the run: rolling the run back would not detach it.");
		mg_error_hint(ctx, "Attach the database on the connection before calling the engine, or run these statements outside a revision; nothing was changed.");
		return MG_EHOST;
	}
	if (word_is(s, "PRAGMA", &after))
	{
		const char *name = skip_noise(after);
		const char *end = name;

		/* PRAGMA [schema.]name */
		while ((*end >= 'a' && *end <= 'z') || (*end >= 'A' && *end <= 'Z') ||
			   (*end >= '0' && *end <= '9') || *end == '_' || *end == '.' || *end == '"')
			end++;
		for (const char *dot = name; dot < end; dot++)
			if (*dot == '.')
				name = dot + 1;
		for (size_t i = 0; i < sizeof(DURABILITY_PRAGMAS) / sizeof(DURABILITY_PRAGMAS[0]); i++)
		{
			const char *rest;
			const char *bare = *name == '"' ? name + 1 : name;

			if (word_is(bare, DURABILITY_PRAGMAS[i], &rest))
			{
				rest = skip_noise(*rest == '"' ? rest + 1 : rest);
				if (*rest != '=' && *rest != '(')
					return MG_OK;	/* reading it changes nothing */
				mg_error_set(ctx, MG_EHOST, "0A000",
							 "PRAGMA %s cannot be set in a revision script", DURABILITY_PRAGMAS[i]);
				mg_error_detail(ctx, "journal_mode, synchronous and locking_mode decide how the database survives a crash; "
								"a revision must not change them for the connection that runs it.");
				mg_error_hint(ctx, "Set them on the connection before calling the engine; nothing was changed.");
				return MG_EHOST;
			}
		}
	}
	return MG_OK;
}

/*
 * run_script: every statement of a revision body, in order.  On failure
 * the error holds SQLite's message, *failed_statement its 1-based number.
 */
static int
host_run_script(void *ud, mg_ctx *ctx, const char *sql, int *failed_statement)
{
	host_state *hs = ud;
	sqlite3    *db = hs->db;
	const char *p = sql;
	int			n = 0;

	*failed_statement = 0;
	while (p != NULL && *p != '\0')
	{
		sqlite3_stmt *stmt = NULL;
		const char *tail = NULL;
		int			rc;

		rc = sqlite3_prepare_v2(db, p, -1, &stmt, &tail);
		if (rc != SQLITE_OK)
		{
			const char *end = p + strlen(p);

			/* The tail is not reliable after an error: show up to the next ';'. */
			if (strchr(p, ';') != NULL)
				end = strchr(p, ';');
			*failed_statement = n + 1;
			host_fail(ctx, db, rc);
			mg_error_statement(ctx, p, end);
			return (rc & 0xff) == SQLITE_NOMEM ? MG_ENOMEM : MG_EHOST;
		}
		if (stmt == NULL)
		{
			/* Only blanks or comments: not a statement. */
			p = tail;
			continue;
		}
		n++;
		if (body_refuses(ctx, p) != MG_OK)
		{
			*failed_statement = n;
			mg_error_statement(ctx, p, tail);
			sqlite3_finalize(stmt);
			return MG_EHOST;
		}
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			;
		if (rc != SQLITE_DONE)
		{
			int			primary = rc & 0xff;
			int			result = host_fail(ctx, db, rc);

			*failed_statement = n;
			note_lost_transaction(hs, ctx);
			if (primary == SQLITE_LOCKED)
				mg_error_hint(ctx, "SQLite cannot drop a table while another statement of this "
							  "connection is reading: call the function alone, as "
							  "SELECT migrate_upgrade(...) with no FROM clause, and "
							  "finish or reset other statements first.");
			mg_error_statement(ctx, p, tail);
			sqlite3_finalize(stmt);
			return result;
		}
		sqlite3_finalize(stmt);
		p = tail;
	}
	return MG_OK;
}

/*
 * Take the write (RESERVED) lock inside the caller's transaction without
 * changing anything: write user_version's own value back.
 */
static int
take_write_lock(sqlite3 *db)
{
	sqlite3_stmt *stmt = NULL;
	char		sql[64];
	int			version = 0;
	int			rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA main.user_version", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
	{
		version = sqlite3_column_int(stmt, 0);
		rc = SQLITE_OK;
	}
	else if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(stmt);
	if (rc != SQLITE_OK)
		return rc;
	snprintf(sql, sizeof(sql), "PRAGMA main.user_version = %d", version);
	return exec_simple(db, sql);
}

/*
 * True when a statement of the connection that writes is running (the
 * call is nested in an INSERT ... SELECT migrate_upgrade(), say): SQLite
 * would then refuse both COMMIT and SAVEPOINT ("SQL statements in
 * progress"), so begin refuses at once, with a clearer message.
 */
static int
writer_running(sqlite3 *db)
{
	sqlite3_stmt *p = NULL;

	while ((p = sqlite3_next_stmt(db, p)) != NULL)
		if (sqlite3_stmt_busy(p) && !sqlite3_stmt_readonly(p))
			return 1;
	return 0;
}

/*
 * The units open in this process, one per connection at most: a
 * revision body that calls migrate_upgrade() (or any function that
 * changes the database) on the connection that runs it would open a
 * second unit inside the first, planned from a version table the outer
 * run has not written yet, and recurse until the stack runs out.  So
 * begin refuses while the connection has a unit open.  A list through
 * the open calls' host states, under SQLite's application mutex
 * (connections may live in several threads).
 */
static host_state *open_units;

static int
run_register(host_state *hs)
{
	sqlite3_mutex *m = sqlite3_mutex_alloc(SQLITE_MUTEX_STATIC_APP1);
	int			busy = 0;

	sqlite3_mutex_enter(m);
	for (host_state *p = open_units; p != NULL; p = p->next_run)
		if (p->db == hs->db)
			busy = 1;
	if (!busy)
	{
		hs->next_run = open_units;
		open_units = hs;
	}
	sqlite3_mutex_leave(m);
	return !busy;
}

static void
run_unregister(host_state *hs)
{
	sqlite3_mutex *m = sqlite3_mutex_alloc(SQLITE_MUTEX_STATIC_APP1);

	sqlite3_mutex_enter(m);
	for (host_state **p = &open_units; *p != NULL; p = &(*p)->next_run)
		if (*p == hs)
		{
			*p = hs->next_run;
			break;
		}
	hs->next_run = NULL;
	sqlite3_mutex_leave(m);
}

/* The error of a function that changes the database, called from inside a run. */
static int
nested_run_error(mg_ctx *ctx)
{
	mg_error_set(ctx, MG_EHOST, "55006",
				 "cannot change the database from inside a run: a migration is in progress on this connection");
	mg_error_detail(ctx, "A revision script called migrate_upgrade() or another function that changes the database "
					"while the engine was running revisions on the same connection; the nested run would plan from "
					"a version table the outer run has not written yet.");
	mg_error_hint(ctx, "Remove the call from the revision script. To run more revisions, give the outer call a later target.");
	return MG_EHOST;
}

static int	begin_unit(host_state *hs, mg_ctx *ctx);

/* begin: BEGIN IMMEDIATE in autocommit mode, else a savepoint + write lock. */
static int
host_begin(void *ud, mg_ctx *ctx)
{
	host_state *hs = ud;
	int			rc;

	if (hs->in_unit)
		return mg_error_set(ctx, MG_EHOST, MG_STATE_INTERNAL,
							"a migration unit is already open on this connection");
	if (!run_register(hs))
		return nested_run_error(ctx);
	rc = begin_unit(hs, ctx);
	if (rc != MG_OK)
		run_unregister(hs);
	return rc;
}

/* begin's work once the connection is known to have no unit open. */
static int
begin_unit(host_state *hs, mg_ctx *ctx)
{
	sqlite3    *db = hs->db;
	int			rc;

	if (writer_running(db))
	{
		mg_error_set(ctx, MG_EHOST, MG_STATE_PREREQUISITE,
					 "cannot migrate from inside a statement that writes");
		mg_error_detail(ctx, "SQLite cannot commit or open a savepoint while a statement "
						"that changes the database is running on the same connection.");
		mg_error_hint(ctx, "Call the function alone, as SELECT migrate_upgrade(...), and "
					  "store its result with a separate statement.");
		return MG_EHOST;
	}
	if (sqlite3_get_autocommit(db))
	{
		rc = exec_simple(db, "BEGIN IMMEDIATE");
		if (rc != SQLITE_OK)
			return (rc & 0xff) == SQLITE_BUSY ? host_fail_busy(ctx, db) : host_fail(ctx, db, rc);
		hs->own_txn = 1;
	}
	else
	{
		rc = exec_simple(db, "SAVEPOINT migrate_run");
		if (rc != SQLITE_OK)
			return host_fail(ctx, db, rc);
		rc = take_write_lock(db);
		if (rc != SQLITE_OK)
		{
			int			result = (rc & 0xff) == SQLITE_BUSY ?
				host_fail_busy(ctx, db) : host_fail(ctx, db, rc);

			exec_simple(db, "ROLLBACK TO migrate_run");
			exec_simple(db, "RELEASE migrate_run");
			return result;
		}
		hs->own_txn = 0;
	}
	hs->in_unit = 1;
	return MG_OK;
}

/* rollback: undo the unit; never touches the context's error. */
static void
host_rollback(void *ud, mg_ctx *ctx)
{
	host_state *hs = ud;

	(void) ctx;
	if (!hs->in_unit)
		return;
	hs->in_unit = 0;
	run_unregister(hs);
	if (hs->own_txn)
	{
		/* SQLite may already have rolled back (SQLITE_FULL, IOERR, ...). */
		if (!sqlite3_get_autocommit(hs->db))
			exec_simple(hs->db, "ROLLBACK");
	}
	else
	{
		/* Fails harmlessly when SQLite already rolled the transaction back. */
		exec_simple(hs->db, "ROLLBACK TO migrate_run");
		exec_simple(hs->db, "RELEASE migrate_run");
	}
}

/* commit: COMMIT or RELEASE; on failure the unit is rolled back. */
static int
host_commit(void *ud, mg_ctx *ctx)
{
	host_state *hs = ud;
	int			rc;

	if (!hs->in_unit)
		return mg_error_set(ctx, MG_EHOST, MG_STATE_INTERNAL,
							"no migration unit is open on this connection");
	rc = exec_simple(hs->db, hs->own_txn ? "COMMIT" : "RELEASE migrate_run");
	if (rc != SQLITE_OK)
	{
		int			result;

		if ((rc & 0xff) == SQLITE_BUSY)
		{
			mg_error_set(ctx, MG_EHOST, MG_STATE_LOCKED, "database is busy");
			mg_error_detail(ctx, "Another connection is reading the database, so the run "
							"could not be committed (SQLite: %s); it was rolled back.",
							sqlite3_errmsg(hs->db));
			/* a reader, not another migration: the run waits for it with a busy timeout */
			mg_error_hint(ctx, "Rerun once the other connection's read has ended: with a busy timeout "
						  "(.timeout 5000 in the sqlite3 shell, PRAGMA busy_timeout) the engine waits for it. Nothing was changed.");
			result = MG_EHOST;
		}
		else
			result = host_fail(ctx, hs->db, rc);
		host_rollback(ud, ctx);
		return result;
	}
	hs->in_unit = 0;
	run_unregister(hs);
	return MG_OK;
}

/* notice: SQLite has no notices; the report is the function's result. */
static void
host_notice(void *ud, const char *text)
{
	(void) ud;
	(void) text;
}

/* now: "YYYY-MM-DD HH:MM:SS.ffffff", UTC. */
static void
host_now(void *ud, char *buf, size_t cap)
{
	struct timespec ts;
	struct tm	tm;

	(void) ud;
	if (cap == 0)
		return;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || gmtime_r(&ts.tv_sec, &tm) == NULL)
	{
		snprintf(buf, cap, "1970-01-01 00:00:00.000000");
		return;
	}
	snprintf(buf, cap, "%04d-%02d-%02d %02d:%02d:%02d.%06ld",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, (long) (ts.tv_nsec / 1000));
}

/*
 * sleep: migrate_wait's pause between looks (SQLite has no lock queue to
 * wait in: a writer's lock is polled, as its busy handler does).
 */
static void
host_sleep(void *ud, long ms)
{
	(void) ud;
	sqlite3_sleep(ms > INT_MAX ? INT_MAX : (int) ms);
}

/*
 * The engine's interrupt hook: has sqlite3_interrupt() been called on the
 * connection (the shell's Ctrl-C, a program's watchdog)?  The question
 * needs sqlite3_is_interrupted, new in SQLite 3.41; asked only when both
 * the headers built against and the library loaded into have it.  With
 * an older library the engine's loops cannot be stopped from outside,
 * but each is bounded by the catalog's size (a loop in the graph is
 * refused when the graph is built), and the statements a run executes
 * still stop at an interrupt (SQLITE_INTERRUPT, reported as a cancel).
 */
static int
host_interrupted(void *ud)
{
#if SQLITE_VERSION_NUMBER >= 3041000
	sqlite3    *db = ud;

	return sqlite3_libversion_number() >= 3041000 && sqlite3_is_interrupted(db);
#else
	(void) ud;
	return 0;
#endif
}

/* The engine context of one call on db, with the interrupt hook; MG_ENOMEM when out of memory. */
static int
host_ctx_new(mg_ctx **out, sqlite3 *db)
{
	int			rc = mg_ctx_new(out, host_realloc, NULL);

	if (rc == MG_OK)
		mg_ctx_set_interrupt(*out, host_interrupted, db);
	return rc;
}

/* Fill the host interface for one call on db. */
static void
host_init(mg_host *host, host_state *hs, sqlite3 *db)
{
	memset(hs, 0, sizeof(*hs));
	hs->db = db;
	memset(host, 0, sizeof(*host));
	host->version = MG_HOST_VERSION;
	host->ud = hs;
	host->dialect = "sqlite";
	host->state_schema = "main";
	host->creates_state = 1;
	host->query = host_query;
	host->run_script = host_run_script;
	host->begin = host_begin;
	host->commit = host_commit;
	host->rollback = host_rollback;
	host->notice = host_notice;
	host->now = host_now;
	host->sleep = host_sleep;	/* no limits: SQLite's waits are its busy timeout */
}

/*
 * After a command: a unit the command left open is rolled back (a
 * SQL function never leaves a transaction behind).  Returns rc, or an
 * error when the command claimed success with the unit still open.
 */
static int
host_close_unit(mg_host *host, mg_ctx *ctx, int rc)
{
	host_state *hs = host->ud;

	stmt_cache_clear(hs);
	if (!hs->in_unit)
		return rc;
	host_rollback(hs, ctx);
	if (rc == MG_OK)
		rc = mg_error_set(ctx, MG_EHOST, MG_STATE_INTERNAL,
						  "the engine left its transaction open; it was rolled back");
	return rc;
}

/* ------------------------------------------------------------------ */
/* Scalar functions                                                     */
/* ------------------------------------------------------------------ */

/* One SQL call: the engine context and the host bound to the connection. */
typedef struct call
{
	sqlite3_context *fctx;
	mg_ctx	   *ctx;
	host_state	hs;
	mg_host		host;
} call;

/*
 * Start a call.  Returns 0, or -1 after setting the out-of-memory result.
 */
static int
call_open(call *c, sqlite3_context *fctx)
{
	c->fctx = fctx;
	host_init(&c->host, &c->hs, sqlite3_context_db_handle(fctx));
	if (host_ctx_new(&c->ctx, sqlite3_context_db_handle(fctx)) != MG_OK)
	{
		sqlite3_result_error_nomem(fctx);
		return -1;
	}
	return 0;
}

/*
 * Turn the engine's error into the SQL error of fctx (text in psql's
 * shape; SQLITE_BUSY when the database was busy).  Shared with the
 * table-valued functions through error_text.
 */
static void
error_text(char *buf, size_t cap, const mg_error *err)
{
	if (err->message[0] == '\0')
		snprintf(buf, cap, "internal error: the engine failed without a message (code %d)",
				 err->code);
	else
		mg_error_format(err, buf, cap);
}

/*
 * Finish a call: the result text or the error; frees the context.  The
 * text leaves the context without a copy (mg_ctx_detach_text): a block
 * of sqlite3_realloc64 that SQLite frees with sqlite3_free, so a large
 * result (an offline SQL script) is in memory once, not twice.
 */
static void
call_finish(call *c, int rc, char *text)
{
	rc = host_close_unit(&c->host, c->ctx, rc);
	if (rc == MG_OK)
	{
		size_t		len;
		char	   *own = text != NULL ? mg_ctx_detach_text(c->ctx, text, 0, &len) : NULL;

		if (text == NULL)
			sqlite3_result_null(c->fctx);
		else if (own == NULL)
			sqlite3_result_error_nomem(c->fctx);
		else
			sqlite3_result_text64(c->fctx, own, (sqlite3_uint64) len, sqlite3_free, SQLITE_UTF8);
	}
	else
	{
		const mg_error *err = mg_ctx_error(c->ctx);

		if (err->code == MG_ENOMEM || rc == MG_ENOMEM)
			sqlite3_result_error_nomem(c->fctx);
		else
		{
			char		buf[ERRBUF_SIZE];

			error_text(buf, sizeof(buf), err);
			sqlite3_result_error(c->fctx, buf, -1);
			if (strcmp(err->sqlstate, MG_STATE_LOCKED) == 0)
				sqlite3_result_error_code(c->fctx, SQLITE_BUSY);
			else if (strcmp(err->sqlstate, MG_STATE_CANCELED) == 0)
				sqlite3_result_error_code(c->fctx, SQLITE_INTERRUPT);
		}
	}
	mg_ctx_free(c->ctx);
	c->ctx = NULL;
}

/*
 * Argument i as text.  *out is NULL for a missing or NULL optional
 * argument.  Returns 0, or -1 after setting the SQL error (a required
 * argument is NULL; out of memory).
 */
static int
arg_text(const char **out, sqlite3_context *fctx, int argc, sqlite3_value **argv,
		 int i, const char *func, const char *name, int required)
{
	*out = NULL;
	if (i >= argc || sqlite3_value_type(argv[i]) == SQLITE_NULL)
	{
		if (required)
		{
			char	   *msg = sqlite3_mprintf("%s: argument \"%s\" must not be NULL", func, name);

			if (msg == NULL)
				sqlite3_result_error_nomem(fctx);
			else
			{
				sqlite3_result_error(fctx, msg, -1);
				sqlite3_free(msg);
			}
			return -1;
		}
		return 0;
	}
	*out = (const char *) sqlite3_value_text(argv[i]);
	if (*out == NULL)
	{
		sqlite3_result_error_nomem(fctx);
		return -1;
	}
	return 0;
}

/* Argument i as an integer flag; 0 when missing or NULL. */
static int
arg_flag(int argc, sqlite3_value **argv, int i)
{
	if (i >= argc || sqlite3_value_type(argv[i]) == SQLITE_NULL)
		return 0;
	return sqlite3_value_int(argv[i]) != 0;
}

/* migrate_load(path) */
static void
fn_load(sqlite3_context *fctx, int argc, sqlite3_value **argv)
{
	call		c;
	const char *path;
	char	   *report = NULL;
	int			rc;

	if (arg_text(&path, fctx, argc, argv, 0, "migrate_load", "path", 1) != 0)
		return;
	if (call_open(&c, fctx) != 0)
		return;
	rc = mg_cmd_load(&report, c.ctx, &c.host, path);
	call_finish(&c, rc, report);
}

/* migrate_add(script [, filename]) */
static void
fn_add(sqlite3_context *fctx, int argc, sqlite3_value **argv)
{
	call		c;
	const char *script;
	const char *filename;
	char	   *report = NULL;
	int			rc;

	if (arg_text(&script, fctx, argc, argv, 0, "migrate_add", "script", 1) != 0 ||
		arg_text(&filename, fctx, argc, argv, 1, "migrate_add", "filename", 0) != 0)
		return;
	if (call_open(&c, fctx) != 0)
		return;
	rc = mg_cmd_add(&report, c.ctx, &c.host, 1, &script,
					filename != NULL ? &filename : NULL);
	call_finish(&c, rc, report);
}

/* migrate_stamp(target [, purge]) */
static void
fn_stamp(sqlite3_context *fctx, int argc, sqlite3_value **argv)
{
	call		c;
	const char *target;
	char	   *report = NULL;
	int			rc;

	if (arg_text(&target, fctx, argc, argv, 0, "migrate_stamp", "target", 1) != 0)
		return;
	if (call_open(&c, fctx) != 0)
		return;
	rc = mg_cmd_stamp(&report, c.ctx, &c.host, target, arg_flag(argc, argv, 1));
	call_finish(&c, rc, report);
}

/*
 * The functions of one text argument that return the command's text:
 * migrate_upgrade([target]), migrate_downgrade(target),
 * migrate_upgrade_sql(range), migrate_downgrade_sql(range),
 * migrate_show(rev).  The descriptor is the function's user data.
 */
typedef struct text_command {
	const char *name;       /* the SQL name, for argument errors */
	const char *arg;        /* the argument's name */
	int			required;   /* a NULL or missing argument is an error */
	int			(*cmd) (char **out, mg_ctx *ctx, const mg_host *host, const char *arg);
} text_command;

static const text_command cmd_upgrade = {"migrate_upgrade", "target", 0, mg_cmd_upgrade};
static const text_command cmd_downgrade = {"migrate_downgrade", "target", 1, mg_cmd_downgrade};
static const text_command cmd_upgrade_sql = {"migrate_upgrade_sql", "range", 0, mg_cmd_upgrade_sql};
static const text_command cmd_downgrade_sql = {"migrate_downgrade_sql", "range", 1, mg_cmd_downgrade_sql};
static const text_command cmd_show = {"migrate_show", "rev", 1, mg_cmd_show};
static const text_command cmd_graph = {"migrate_graph", "format", 0, mg_cmd_graph};

static void
fn_text_command(sqlite3_context *fctx, int argc, sqlite3_value **argv)
{
	const text_command *tc = sqlite3_user_data(fctx);
	call		c;
	const char *arg;
	char	   *out = NULL;
	int			rc;

	if (arg_text(&arg, fctx, argc, argv, 0, tc->name, tc->arg, tc->required) != 0)
		return;
	if (call_open(&c, fctx) != 0)
		return;
	rc = tc->cmd(&out, c.ctx, &c.host, arg);
	call_finish(&c, rc, out);
}

/*
 * The functions without arguments that return the command's text:
 * migrate_branches(), migrate_init().  The descriptor is the user data.
 */
typedef struct plain_command {
	int			(*cmd) (char **out, mg_ctx *ctx, const mg_host *host);
} plain_command;

static const plain_command cmd_branches = {mg_cmd_branches};
static const plain_command cmd_init = {mg_cmd_init};

static void
fn_plain_command(sqlite3_context *fctx, int argc, sqlite3_value **argv)
{
	const plain_command *pc = sqlite3_user_data(fctx);
	call		c;
	char	   *out = NULL;
	int			rc;

	(void) argc;
	(void) argv;
	if (call_open(&c, fctx) != 0)
		return;
	rc = pc->cmd(&out, c.ctx, &c.host);
	call_finish(&c, rc, out);
}

/* migrate_check(): the report text (the verdict is in its words). */
static void
fn_check(sqlite3_context *fctx, int argc, sqlite3_value **argv)
{
	call		c;
	char	   *text = NULL;
	int			ok = 0;
	int			rc;

	(void) argc;
	(void) argv;
	if (call_open(&c, fctx) != 0)
		return;
	rc = mg_cmd_check(&text, &ok, c.ctx, &c.host);
	call_finish(&c, rc, text);
}

/* migrate_config(key [, value [, force]]) */
static void
fn_config(sqlite3_context *fctx, int argc, sqlite3_value **argv)
{
	call		c;
	const char *key;
	const char *value;
	char	   *out = NULL;
	int			rc;

	if (arg_text(&key, fctx, argc, argv, 0, "migrate_config", "key", 1) != 0 ||
		arg_text(&value, fctx, argc, argv, 1, "migrate_config", "value", 0) != 0)
		return;
	if (call_open(&c, fctx) != 0)
		return;
	rc = mg_cmd_config_write(&out, c.ctx, &c.host, key, value, arg_flag(argc, argv, 2));
	call_finish(&c, rc, out);
}

/*
 * migrate_wait([target [, timeout_seconds]]): returns once the database
 * is at target (default: its heads); fails after timeout_seconds
 * (default 300; 0: look once).  Reads only.
 */
#define MIGRATE_WAIT_DEFAULT_S 300.0

static void
fn_wait(sqlite3_context *fctx, int argc, sqlite3_value **argv)
{
	call		c;
	const char *target;
	double		secs = MIGRATE_WAIT_DEFAULT_S;
	char	   *report = NULL;
	int			rc;

	if (arg_text(&target, fctx, argc, argv, 0, "migrate_wait", "target", 0) != 0)
		return;
	if (argc > 1 && sqlite3_value_type(argv[1]) != SQLITE_NULL)
	{
		int			t = sqlite3_value_numeric_type(argv[1]);

		if (t != SQLITE_INTEGER && t != SQLITE_FLOAT)
		{
			sqlite3_result_error(fctx, "migrate_wait: argument \"timeout_seconds\" must be a number", -1);
			return;
		}
		secs = sqlite3_value_double(argv[1]);
	}
	if (call_open(&c, fctx) != 0)
		return;
	rc = mg_cmd_wait(&report, c.ctx, &c.host, target,
					 secs < 0 || secs != secs ? -1 : secs > 86400.0 * 365 ? 86400L * 365 * 1000 : (long) (secs * 1000.0));
	call_finish(&c, rc, report);
}

/* migrate_verify([auto_migrate]) */
static void
fn_verify(sqlite3_context *fctx, int argc, sqlite3_value **argv)
{
	call		c;
	char	   *report = NULL;
	int			rc;

	if (call_open(&c, fctx) != 0)
		return;
	rc = mg_cmd_verify(&report, c.ctx, &c.host, arg_flag(argc, argv, 0));
	call_finish(&c, rc, report);
}

/*
 * migrate_revision(message [, head, rev_id, branch_label, depends_on, splice])
 * and migrate_revision_write(dir, message, ...): pAux says which (the
 * write variant takes the directory first).
 */
static void
fn_revision(sqlite3_context *fctx, int argc, sqlite3_value **argv)
{
	int			write = sqlite3_user_data(fctx) != NULL;
	const char *fn = write ? "migrate_revision_write" : "migrate_revision";
	int			o = write ? 1 : 0;
	mg_revision_args a;
	call		c;
	char	   *out = NULL;
	int			rc;

	memset(&a, 0, sizeof(a));
	if ((write && arg_text(&a.dir, fctx, argc, argv, 0, fn, "dir", 1) != 0) ||
		arg_text(&a.message, fctx, argc, argv, o, fn, "message", 1) != 0 ||
		arg_text(&a.head, fctx, argc, argv, o + 1, fn, "head", 0) != 0 ||
		arg_text(&a.rev_id, fctx, argc, argv, o + 2, fn, "rev_id", 0) != 0 ||
		arg_text(&a.branch_label, fctx, argc, argv, o + 3, fn, "branch_label", 0) != 0 ||
		arg_text(&a.depends_on, fctx, argc, argv, o + 4, fn, "depends_on", 0) != 0)
		return;
	a.splice = arg_flag(argc, argv, o + 5);
	if (call_open(&c, fctx) != 0)
		return;
	rc = mg_cmd_revision(&out, c.ctx, &c.host, &a);
	call_finish(&c, rc, out);
}

/*
 * migrate_merge(revisions, message [, branch_label, rev_id]) and
 * migrate_merge_write(dir, revisions, message, ...).
 */
static void
fn_merge(sqlite3_context *fctx, int argc, sqlite3_value **argv)
{
	int			write = sqlite3_user_data(fctx) != NULL;
	const char *fn = write ? "migrate_merge_write" : "migrate_merge";
	int			o = write ? 1 : 0;
	mg_revision_args a;
	call		c;
	char	   *out = NULL;
	int			rc;

	memset(&a, 0, sizeof(a));
	if ((write && arg_text(&a.dir, fctx, argc, argv, 0, fn, "dir", 1) != 0) ||
		arg_text(&a.head, fctx, argc, argv, o, fn, "revisions", 1) != 0 ||
		arg_text(&a.message, fctx, argc, argv, o + 1, fn, "message", 1) != 0 ||
		arg_text(&a.branch_label, fctx, argc, argv, o + 2, fn, "branch_label", 0) != 0 ||
		arg_text(&a.rev_id, fctx, argc, argv, o + 3, fn, "rev_id", 0) != 0)
		return;
	if (call_open(&c, fctx) != 0)
		return;
	rc = mg_cmd_merge(&out, c.ctx, &c.host, &a);
	call_finish(&c, rc, out);
}

/* ------------------------------------------------------------------ */
/* Table-valued functions: migrate_history, migrate_heads, migrate_current */
/* ------------------------------------------------------------------ */

/*
 * One schema for the three; the arguments are HIDDEN columns after the
 * row columns (at most two).
 */
#define ROWS_COLUMNS \
	"revision, down_revisions, branch_labels, depends_on, message, " \
	"is_head, is_current, is_branchpoint, is_mergepoint, line"

#define COL_REVISION		0
#define COL_DOWN_REVISIONS	1
#define COL_BRANCH_LABELS	2
#define COL_DEPENDS_ON		3
#define COL_MESSAGE			4
#define COL_IS_HEAD			5
#define COL_IS_CURRENT		6
#define COL_IS_BRANCHPOINT	7
#define COL_IS_MERGEPOINT	8
#define COL_LINE			9
#define COL_ARG0			10	/* history: range; current: verbose */
#define COL_ARG1			11	/* history: indicate_current */
#define MAX_ARGS			2

typedef enum rows_kind
{
	ROWS_HISTORY,
	ROWS_HEADS,
	ROWS_CURRENT
} rows_kind;

/* What one table-valued function is: its pAux. */
typedef struct rows_def
{
	rows_kind	kind;
	const char *schema;
	int			nargs;
} rows_def;

static const rows_def history_def = {
	ROWS_HISTORY,
	"CREATE TABLE x(" ROWS_COLUMNS ", \"range\" HIDDEN, indicate_current HIDDEN)",
	2
};
static const rows_def heads_def = {
	ROWS_HEADS,
	"CREATE TABLE x(" ROWS_COLUMNS ")",
	0
};
static const rows_def current_def = {
	ROWS_CURRENT,
	"CREATE TABLE x(" ROWS_COLUMNS ", verbose HIDDEN)",
	1
};

typedef struct rows_vtab
{
	sqlite3_vtab base;			/* must be first */
	sqlite3    *db;
	const rows_def *def;
} rows_vtab;

typedef struct rows_cursor
{
	sqlite3_vtab_cursor base;	/* must be first */
	mg_ctx	   *ctx;			/* owns rows; freed on rewind and close */
	mg_rows		rows;
	size_t		pos;
	sqlite3_value *args[MAX_ARGS];	/* the arguments, for the HIDDEN columns */
} rows_cursor;

/* xConnect: declare the schema of one of the three functions. */
static int
rows_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
			 sqlite3_vtab **out, char **errmsg)
{
	const rows_def *def = aux;
	rows_vtab  *vt;
	int			rc;

	(void) argc;
	(void) argv;
	(void) errmsg;
	rc = sqlite3_declare_vtab(db, def->schema);
	if (rc != SQLITE_OK)
		return rc;
	vt = sqlite3_malloc64(sizeof(*vt));
	if (vt == NULL)
		return SQLITE_NOMEM;
	memset(vt, 0, sizeof(*vt));
	vt->db = db;
	vt->def = def;
	*out = &vt->base;
	return SQLITE_OK;
}

static int
rows_disconnect(sqlite3_vtab *vtab)
{
	sqlite3_free(vtab);
	return SQLITE_OK;
}

static int
rows_open(sqlite3_vtab *vtab, sqlite3_vtab_cursor **out)
{
	rows_cursor *cur;

	(void) vtab;
	cur = sqlite3_malloc64(sizeof(*cur));
	if (cur == NULL)
		return SQLITE_NOMEM;
	memset(cur, 0, sizeof(*cur));
	*out = &cur->base;
	return SQLITE_OK;
}

/* Drop what the last xFilter produced. */
static void
rows_reset(rows_cursor *cur)
{
	int			i;

	mg_ctx_free(cur->ctx);
	cur->ctx = NULL;
	cur->rows.rows = NULL;
	cur->rows.n = 0;
	cur->pos = 0;
	for (i = 0; i < MAX_ARGS; i++)
	{
		sqlite3_value_free(cur->args[i]);
		cur->args[i] = NULL;
	}
}

static int
rows_close(sqlite3_vtab_cursor *base)
{
	rows_cursor *cur = (rows_cursor *) base;

	rows_reset(cur);
	sqlite3_free(cur);
	return SQLITE_OK;
}

/*
 * xBestIndex: equality constraints on the HIDDEN argument columns become
 * xFilter's arguments, in column order; idxNum has bit i set when
 * argument i is given.  An argument column constrained only in a way we
 * cannot use (not usable now, not "=") makes the plan unusable, so the
 * planner looks for another order of the joins.
 */
static int
args_best_index(sqlite3_index_info *info, int first_arg_col, int nargs)
{
	int			which[MAX_ARGS];
	int			unusable = 0;
	int			argv_index = 0;
	int			i;

	for (i = 0; i < MAX_ARGS; i++)
		which[i] = -1;
	for (i = 0; i < info->nConstraint; i++)
	{
		const struct sqlite3_index_constraint *cons = &info->aConstraint[i];
		int			arg = cons->iColumn - first_arg_col;

		if (arg < 0 || arg >= nargs)
			continue;
		if (!cons->usable || cons->op != SQLITE_INDEX_CONSTRAINT_EQ)
		{
			unusable |= 1 << arg;
			continue;
		}
		which[arg] = i;
	}
	info->idxNum = 0;
	for (i = 0; i < nargs; i++)
	{
		if (which[i] >= 0)
		{
			info->aConstraintUsage[which[i]].argvIndex = ++argv_index;
			info->aConstraintUsage[which[i]].omit = 1;
			info->idxNum |= 1 << i;
		}
		else if (unusable & (1 << i))
			return SQLITE_CONSTRAINT;
	}
	info->estimatedCost = 100.0;
	info->estimatedRows = 100;
	return SQLITE_OK;
}

static int
rows_best_index(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
	return args_best_index(info, COL_ARG0, ((rows_vtab *) vtab)->def->nargs);
}

/* Set the vtab's error message from the engine's error. */
static int
rows_fail(sqlite3_vtab *vt, const mg_error *err, int rc)
{
	char		buf[ERRBUF_SIZE];

	if (err->code == MG_ENOMEM || rc == MG_ENOMEM)
		return SQLITE_NOMEM;
	error_text(buf, sizeof(buf), err);
	sqlite3_free(vt->zErrMsg);
	vt->zErrMsg = sqlite3_mprintf("%s", buf);
	if (vt->zErrMsg == NULL)
		return SQLITE_NOMEM;
	if (strcmp(err->sqlstate, MG_STATE_CANCELED) == 0)
		return SQLITE_INTERRUPT;
	return strcmp(err->sqlstate, MG_STATE_LOCKED) == 0 ? SQLITE_BUSY : SQLITE_ERROR;
}

/*
 * xFilter: run the command and keep its rows (they live in the cursor's
 * context).  The command runs SQL on this same connection (the catalog
 * and the version table are read), which SQLite allows from xFilter.
 */
static int
rows_filter(sqlite3_vtab_cursor *base, int idx_num, const char *idx_str,
			int argc, sqlite3_value **argv)
{
	rows_cursor *cur = (rows_cursor *) base;
	rows_vtab  *vt = (rows_vtab *) base->pVtab;
	const char *range = NULL;
	int			indicate_current = 0;
	host_state	hs;
	mg_host		host;
	int			next = 0;
	int			i;
	int			rc;

	(void) idx_str;
	rows_reset(cur);
	for (i = 0; i < MAX_ARGS; i++)
	{
		if (!(idx_num & (1 << i)) || next >= argc)
			continue;
		cur->args[i] = sqlite3_value_dup(argv[next++]);
		if (cur->args[i] == NULL)
			return SQLITE_NOMEM;
	}
	if (vt->def->kind == ROWS_HISTORY)
	{
		if (cur->args[0] != NULL && sqlite3_value_type(cur->args[0]) != SQLITE_NULL)
		{
			range = (const char *) sqlite3_value_text(cur->args[0]);
			if (range == NULL)
				return SQLITE_NOMEM;
		}
		if (cur->args[1] != NULL && sqlite3_value_type(cur->args[1]) != SQLITE_NULL)
			indicate_current = sqlite3_value_int(cur->args[1]) != 0;
	}
	/* migrate_current's verbose only changes the text form; rows ignore it. */

	if (host_ctx_new(&cur->ctx, vt->db) != MG_OK)
		return SQLITE_NOMEM;
	host_init(&host, &hs, vt->db);
	switch (vt->def->kind)
	{
		case ROWS_HISTORY:
			rc = mg_cmd_history(&cur->rows, cur->ctx, &host, range, indicate_current);
			break;
		case ROWS_HEADS:
			rc = mg_cmd_heads(&cur->rows, cur->ctx, &host);
			break;
		case ROWS_CURRENT:
		default:
			rc = mg_cmd_current(&cur->rows, cur->ctx, &host);
			break;
	}
	rc = host_close_unit(&host, cur->ctx, rc);
	if (rc != MG_OK)
	{
		int			src = rows_fail(&vt->base, mg_ctx_error(cur->ctx), rc);

		rows_reset(cur);
		return src;
	}
	return SQLITE_OK;
}

static int
rows_next(sqlite3_vtab_cursor *base)
{
	((rows_cursor *) base)->pos++;
	return SQLITE_OK;
}

static int
rows_eof(sqlite3_vtab_cursor *base)
{
	rows_cursor *cur = (rows_cursor *) base;

	return cur->pos >= cur->rows.n;
}

/* A text column (copied: the context may be freed before SQLite uses it). */
static void
result_text(sqlite3_context *fctx, const char *s)
{
	if (s == NULL)
		sqlite3_result_null(fctx);
	else
		sqlite3_result_text(fctx, s, -1, SQLITE_TRANSIENT);
}

static int
rows_column(sqlite3_vtab_cursor *base, sqlite3_context *fctx, int col)
{
	rows_cursor *cur = (rows_cursor *) base;
	const mg_history_row *r = &cur->rows.rows[cur->pos];

	switch (col)
	{
		case COL_REVISION:
			result_text(fctx, r->revision);
			break;
		case COL_DOWN_REVISIONS:
			result_text(fctx, r->down_revisions);
			break;
		case COL_BRANCH_LABELS:
			result_text(fctx, r->branch_labels);
			break;
		case COL_DEPENDS_ON:
			result_text(fctx, r->depends_on);
			break;
		case COL_MESSAGE:
			result_text(fctx, r->message);
			break;
		case COL_IS_HEAD:
			sqlite3_result_int(fctx, r->is_head != 0);
			break;
		case COL_IS_CURRENT:
			sqlite3_result_int(fctx, r->is_current != 0);
			break;
		case COL_IS_BRANCHPOINT:
			sqlite3_result_int(fctx, r->is_branchpoint != 0);
			break;
		case COL_IS_MERGEPOINT:
			sqlite3_result_int(fctx, r->is_mergepoint != 0);
			break;
		case COL_LINE:
			result_text(fctx, r->line);
			break;
		case COL_ARG0:
		case COL_ARG1:
			if (cur->args[col - COL_ARG0] != NULL)
				sqlite3_result_value(fctx, cur->args[col - COL_ARG0]);
			else
				sqlite3_result_null(fctx);
			break;
		default:
			sqlite3_result_null(fctx);
			break;
	}
	return SQLITE_OK;
}

static int
rows_rowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64) ((rows_cursor *) base)->pos + 1;
	return SQLITE_OK;
}

/* Eponymous-only: xCreate is 0, so CREATE VIRTUAL TABLE ... USING is refused. */
static sqlite3_module rows_module = {
	.iVersion = 0,
	.xCreate = NULL,
	.xConnect = rows_connect,
	.xBestIndex = rows_best_index,
	.xDisconnect = rows_disconnect,
	.xDestroy = NULL,
	.xOpen = rows_open,
	.xClose = rows_close,
	.xFilter = rows_filter,
	.xNext = rows_next,
	.xEof = rows_eof,
	.xColumn = rows_column,
	.xRowid = rows_rowid,
};


/* ------------------------------------------------------------------ */
/* Relations: migrate_plan, migrate_schema, migrate_rehearse,           */
/* migrate_stairway                                                     */
/* ------------------------------------------------------------------ */

/*
 * One virtual table module for the relations of mg_cmd_relation: the
 * columns come from the core (mg_relation_columns), so both engines
 * show the same names; the arguments are HIDDEN columns after them.
 */
typedef struct rel_def
{
	mg_relation rel;
	int			direct_only;	/* runs revisions: refused inside views and triggers */
} rel_def;

static const rel_def plan_rel = {MG_REL_PLAN, 0};
static const rel_def schema_rel = {MG_REL_SCHEMA, 0};
static const rel_def rehearse_rel = {MG_REL_REHEARSE, 1};
static const rel_def stairway_rel = {MG_REL_STAIRWAY, 1};

typedef struct rel_vtab
{
	sqlite3_vtab base;			/* must be first */
	sqlite3    *db;
	const rel_def *def;
	const mg_column *cols;
	size_t		ncol;
	size_t		nargs;
} rel_vtab;

typedef struct rel_cursor
{
	sqlite3_vtab_cursor base;	/* must be first */
	mg_ctx	   *ctx;			/* owns the table; freed on rewind and close */
	mg_table	table;
	size_t		pos;
	sqlite3_value *args[MAX_ARGS];
} rel_cursor;

static int
rel_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
			sqlite3_vtab **out, char **errmsg)
{
	const rel_def *def = aux;
	const char *const *args;
	rel_vtab   *vt;
	sqlite3_str *schema;
	char	   *sql;
	size_t		i;
	int			rc;

	(void) argc;
	(void) argv;
	(void) errmsg;
	vt = sqlite3_malloc64(sizeof(*vt));
	if (vt == NULL)
		return SQLITE_NOMEM;
	memset(vt, 0, sizeof(*vt));
	vt->db = db;
	vt->def = def;
	mg_relation_columns(def->rel, &vt->cols, &vt->ncol, &args, &vt->nargs);
	schema = sqlite3_str_new(db);
	sqlite3_str_appendall(schema, "CREATE TABLE x(");
	for (i = 0; i < vt->ncol; i++)
		sqlite3_str_appendf(schema, "%s\"%w\"", i ? ", " : "", vt->cols[i].name);
	for (i = 0; i < vt->nargs; i++)
		sqlite3_str_appendf(schema, ", \"%w\" HIDDEN", args[i]);
	sqlite3_str_appendall(schema, ")");
	sql = sqlite3_str_finish(schema);
	if (sql == NULL)
	{
		sqlite3_free(vt);
		return SQLITE_NOMEM;
	}
	rc = sqlite3_declare_vtab(db, sql);
	sqlite3_free(sql);
	if (rc == SQLITE_OK && def->direct_only)
		rc = sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
	if (rc != SQLITE_OK)
	{
		sqlite3_free(vt);
		return rc;
	}
	*out = &vt->base;
	return SQLITE_OK;
}

static int
rel_best_index(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
	rel_vtab   *vt = (rel_vtab *) vtab;

	return args_best_index(info, (int) vt->ncol, (int) vt->nargs);
}

static int
rel_open(sqlite3_vtab *vtab, sqlite3_vtab_cursor **out)
{
	rel_cursor *cur;

	(void) vtab;
	cur = sqlite3_malloc64(sizeof(*cur));
	if (cur == NULL)
		return SQLITE_NOMEM;
	memset(cur, 0, sizeof(*cur));
	*out = &cur->base;
	return SQLITE_OK;
}

static void
rel_reset(rel_cursor *cur)
{
	int			i;

	mg_ctx_free(cur->ctx);
	cur->ctx = NULL;
	memset(&cur->table, 0, sizeof(cur->table));
	cur->pos = 0;
	for (i = 0; i < MAX_ARGS; i++)
	{
		sqlite3_value_free(cur->args[i]);
		cur->args[i] = NULL;
	}
}

static int
rel_close(sqlite3_vtab_cursor *base)
{
	rel_cursor *cur = (rel_cursor *) base;

	rel_reset(cur);
	sqlite3_free(cur);
	return SQLITE_OK;
}

/*
 * The connection settings a revision's statements depend on, carried
 * from the caller's connection to the copy.
 */
static const char *const copied_pragmas[] = {
	"foreign_keys", "recursive_triggers", "legacy_alter_table", "defer_foreign_keys",
	"reverse_unordered_selects",
};

static int
copy_pragmas(sqlite3 *from, sqlite3 *to)
{
	size_t		i;

	for (i = 0; i < sizeof(copied_pragmas) / sizeof(copied_pragmas[0]); i++)
	{
		sqlite3_stmt *stmt = NULL;
		char	   *sql = sqlite3_mprintf("PRAGMA main.\"%w\"", copied_pragmas[i]);
		int			v = 0;
		int			rc;

		if (sql == NULL)
			return SQLITE_NOMEM;
		rc = sqlite3_prepare_v2(from, sql, -1, &stmt, NULL);
		sqlite3_free(sql);
		if (rc != SQLITE_OK)
			return rc;
		if (sqlite3_step(stmt) == SQLITE_ROW)
			v = sqlite3_column_int(stmt, 0);
		sqlite3_finalize(stmt);
		sql = sqlite3_mprintf("PRAGMA main.\"%w\" = %d", copied_pragmas[i], v);
		if (sql == NULL)
			return SQLITE_NOMEM;
		rc = exec_simple(to, sql);
		sqlite3_free(sql);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* ------------------------------------------------------------------ */
/* schema_changes: what a rehearsed step changed (the copy only)        */
/* ------------------------------------------------------------------ */

/*
 * The objects of main the statements prepared since the last call
 * create or drop, as the authorizer hears of them.  The authorizer is
 * set on the rehearsal's own in-memory copy, never on the caller's
 * connection (whose authorizer an extension cannot read back to
 * restore).  Whatever it cannot name (ALTER TABLE, which may rewrite
 * other objects' text; virtual tables and their shadow tables;
 * writable_schema) makes the next answer "everything".
 */
typedef struct schema_watch
{
	int			on;				/* the first call has set the authorizer */
	int			all;			/* something not named changed since the last call */
	int			always_all;		/* writable_schema was touched: every answer is "everything" */
	char	  **names;			/* sqlite3_malloc'd */
	int			n;
	int			cap;
} schema_watch;

static void
watch_clear(schema_watch *w)
{
	for (int i = 0; i < w->n; i++)
		sqlite3_free(w->names[i]);
	w->n = 0;
	w->all = 0;
}

/* Past this many objects in one step, one pass over sqlite_schema is cheaper than naming them. */
#define WATCH_MAX_NAMES 256

static void
watch_name(schema_watch *w, const char *name)
{
	if (w->all)
		return;
	if (name == NULL || w->n >= WATCH_MAX_NAMES)
	{
		w->all = 1;
		return;
	}
	for (int i = 0; i < w->n; i++)
		if (sqlite3_stricmp(w->names[i], name) == 0)
			return;
	if (w->n == w->cap)
	{
		int			cap = w->cap ? w->cap * 2 : 16;
		char	  **v = sqlite3_realloc64(w->names, (sqlite3_uint64) cap * sizeof(char *));

		if (v == NULL)
		{
			w->all = 1;
			return;
		}
		w->names = v;
		w->cap = cap;
	}
	if ((w->names[w->n] = sqlite3_mprintf("%s", name)) == NULL)
		w->all = 1;
	else
		w->n++;
}

static int
watch_authorize(void *ud, int action, const char *a, const char *b, const char *db,
				const char *trigger)
{
	schema_watch *w = ud;
	int			in_main = db == NULL || sqlite3_stricmp(db, "main") == 0;

	(void) b;
	(void) trigger;
	switch (action)
	{
		case SQLITE_CREATE_INDEX:
		case SQLITE_CREATE_TABLE:
		case SQLITE_CREATE_TRIGGER:
		case SQLITE_CREATE_VIEW:
		case SQLITE_DROP_INDEX:
		case SQLITE_DROP_TABLE:
		case SQLITE_DROP_TRIGGER:
		case SQLITE_DROP_VIEW:
			if (in_main)
				watch_name(w, a);
			break;
		case SQLITE_ALTER_TABLE:
		case SQLITE_CREATE_VTABLE:
		case SQLITE_DROP_VTABLE:
			w->all = 1;
			break;
		case SQLITE_PRAGMA:
			if (a != NULL && sqlite3_stricmp(a, "writable_schema") == 0)
				w->always_all = 1;
			break;
		default:
			break;
	}
	return SQLITE_OK;
}

static int
host_schema_changes(void *ud, mg_ctx *ctx, char ***rels, size_t *nrels, unsigned *what)
{
	host_state *hs = ud;
	schema_watch *w = hs->watch;

	*rels = NULL;
	*nrels = 0;
	*what = 0;
	if (w != NULL)
	{
		int			writable = 0;

		/* on before the watch began (a stairway's setup), or now */
		if (sqlite3_db_config(hs->db, SQLITE_DBCONFIG_WRITABLE_SCHEMA, -1, &writable) != SQLITE_OK || writable)
			w->always_all = 1;
	}
	if (w == NULL || !w->on || w->all || w->always_all)
		*what = MG_CHANGED_ALL;
	if (w != NULL && !w->on)
	{
		int			rc = sqlite3_set_authorizer(hs->db, watch_authorize, w);

		if (rc != SQLITE_OK)
			return host_fail(ctx, hs->db, rc);
		w->on = 1;
	}
	else if (w != NULL && *what == 0 && w->n > 0)
	{
		if ((*rels = mg_alloc(ctx, (size_t) w->n * sizeof(char *))) == NULL)
			return MG_ENOMEM;
		for (int i = 0; i < w->n; i++)
			if (((*rels)[i] = mg_strdup(ctx, w->names[i])) == NULL)
				return MG_ENOMEM;
		*nrels = (size_t) w->n;
	}
	if (w != NULL)
		watch_clear(w);
	return MG_OK;
}

/*
 * migrate_rehearse and migrate_stairway on SQLite.  A table-valued
 * function runs inside the SELECT that reads it, and SQLite refuses to
 * drop a table or an index while a statement of the connection reads
 * ("database table is locked"), so the steps cannot run on the caller's
 * connection.  They run on an exact copy: the run's lock is taken on the
 * caller's database (its unit, as a run takes it), the database is
 * copied page by page as this connection sees it (sqlite3_serialize:
 * the caller's own uncommitted changes included) into a private
 * in-memory database with the same settings, the command runs there for
 * real and rolls back, the copy is closed and the lock released.  The
 * caller's database is never written.
 */
static int
rehearse_on_copy(mg_table *out, mg_ctx *ctx, mg_host *host, mg_relation rel,
				 const char *arg0, const char *arg1)
{
	host_state *hs = host->ud;
	sqlite3    *copy = NULL;
	sqlite3_int64 size = 0;
	unsigned char *data;
	host_state	chs;
	mg_host		chost;
	schema_watch watch;
	int			rc;

	if ((rc = host_begin(hs, ctx)) != MG_OK)
		return rc;
	data = sqlite3_serialize(hs->db, "main", &size, 0);
	if (data == NULL && size > 0)
	{
		host_rollback(hs, ctx);
		return mg_error_set(ctx, MG_ENOMEM, MG_STATE_NOMEM, "out of memory");
	}
	/* a WAL database's image opens as a rollback-journal one in memory */
	if (data != NULL && size >= 20 && data[18] == 2 && data[19] == 2)
		data[18] = data[19] = 1;
	rc = sqlite3_open_v2(":memory:", &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK && data != NULL)
	{
		rc = sqlite3_deserialize(copy, "main", data, size, size,
								 SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
		data = NULL;			/* the copy's own now, even on failure */
	}
	if (rc == SQLITE_OK)
		rc = copy_pragmas(hs->db, copy);
	if (rc != SQLITE_OK)
	{
		mg_error_set(ctx, (rc & 0xff) == SQLITE_NOMEM ? MG_ENOMEM : MG_EHOST, MG_STATE_INTERNAL,
					 "cannot copy the database for the rehearsal: %s",
					 copy != NULL ? sqlite3_errmsg(copy) : sqlite3_errstr(rc));
		sqlite3_free(data);
		sqlite3_close(copy);
		host_rollback(hs, ctx);
		return MG_EHOST;
	}
	host_init(&chost, &chs, copy);
	memset(&watch, 0, sizeof(watch));
	chs.watch = &watch;
	chost.schema_changes = host_schema_changes;
	rc = mg_cmd_relation(out, ctx, &chost, rel, arg0, arg1);
	rc = host_close_unit(&chost, ctx, rc);
	sqlite3_set_authorizer(copy, NULL, NULL);
	watch_clear(&watch);
	sqlite3_free(watch.names);
	sqlite3_close(copy);
	host_rollback(hs, ctx);
	return rc;
}

/*
 * xFilter: run the relation's command with the HIDDEN arguments and
 * keep its table.  migrate_rehearse and migrate_stairway run revisions
 * on this connection and roll them back before returning.
 */
static int
rel_filter(sqlite3_vtab_cursor *base, int idx_num, const char *idx_str,
		   int argc, sqlite3_value **argv)
{
	rel_cursor *cur = (rel_cursor *) base;
	rel_vtab   *vt = (rel_vtab *) base->pVtab;
	const char *arg[MAX_ARGS] = {NULL, NULL};
	host_state	hs;
	mg_host		host;
	int			next = 0;
	int			i;
	int			rc;

	(void) idx_str;
	rel_reset(cur);
	for (i = 0; i < MAX_ARGS; i++)
	{
		if (!(idx_num & (1 << i)) || next >= argc)
			continue;
		cur->args[i] = sqlite3_value_dup(argv[next++]);
		if (cur->args[i] == NULL)
			return SQLITE_NOMEM;
		if (sqlite3_value_type(cur->args[i]) != SQLITE_NULL &&
			(arg[i] = (const char *) sqlite3_value_text(cur->args[i])) == NULL)
			return SQLITE_NOMEM;
	}
	if (mg_ctx_new(&cur->ctx, host_realloc, NULL) != MG_OK)
		return SQLITE_NOMEM;
	host_init(&host, &hs, vt->db);
	if (vt->def->direct_only)
		rc = rehearse_on_copy(&cur->table, cur->ctx, &host, vt->def->rel, arg[0], arg[1]);
	else
		rc = mg_cmd_relation(&cur->table, cur->ctx, &host, vt->def->rel, arg[0], arg[1]);
	rc = host_close_unit(&host, cur->ctx, rc);
	if (rc != MG_OK)
	{
		int			src = rows_fail(&vt->base, mg_ctx_error(cur->ctx), rc);

		rel_reset(cur);
		return src;
	}
	return SQLITE_OK;
}

static int
rel_next(sqlite3_vtab_cursor *base)
{
	((rel_cursor *) base)->pos++;
	return SQLITE_OK;
}

static int
rel_eof(sqlite3_vtab_cursor *base)
{
	rel_cursor *cur = (rel_cursor *) base;

	return cur->pos >= cur->table.n;
}

static int
rel_column(sqlite3_vtab_cursor *base, sqlite3_context *fctx, int col)
{
	rel_cursor *cur = (rel_cursor *) base;
	rel_vtab   *vt = (rel_vtab *) base->pVtab;
	const char *v;

	if (col >= (int) vt->ncol)
	{
		int			a = col - (int) vt->ncol;

		if (a < MAX_ARGS && cur->args[a] != NULL)
			sqlite3_result_value(fctx, cur->args[a]);
		else
			sqlite3_result_null(fctx);
		return SQLITE_OK;
	}
	v = cur->table.cells[cur->pos * cur->table.ncol + (size_t) col];
	if (v == NULL)
		sqlite3_result_null(fctx);
	else if (vt->cols[col].type == MG_COL_INT || vt->cols[col].type == MG_COL_BOOL)
		sqlite3_result_int64(fctx, strtoll(v, NULL, 10));
	else if (vt->cols[col].type == MG_COL_FLOAT)
		sqlite3_result_double(fctx, strtod(v, NULL));
	else
		result_text(fctx, v);
	return SQLITE_OK;
}

static int
rel_rowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64) ((rel_cursor *) base)->pos + 1;
	return SQLITE_OK;
}

/* Eponymous-only, as rows_module. */
static sqlite3_module rel_module = {
	.iVersion = 0,
	.xCreate = NULL,
	.xConnect = rel_connect,
	.xBestIndex = rel_best_index,
	.xDisconnect = rows_disconnect,
	.xDestroy = NULL,
	.xOpen = rel_open,
	.xClose = rel_close,
	.xFilter = rel_filter,
	.xNext = rel_next,
	.xEof = rel_eof,
	.xColumn = rel_column,
	.xRowid = rel_rowid,
};

/* ------------------------------------------------------------------ */
/* Tables without arguments: migrate_status, migrate_functions          */
/* ------------------------------------------------------------------ */

/*
 * An eponymous-only table whose rows one call makes at xFilter: fill
 * runs the command (rows in the cursor's context), column returns one
 * cell of row i.  The pAux of the module.
 */
typedef struct list_def
{
	const char *schema;
	int			(*fill) (const void **rows, size_t *n, mg_ctx *ctx, const mg_host *host);
	void		(*column) (sqlite3_context *fctx, const void *rows, size_t i, int col);
} list_def;

typedef struct list_vtab
{
	sqlite3_vtab base;			/* must be first */
	sqlite3    *db;
	const list_def *def;
} list_vtab;

typedef struct list_cursor
{
	sqlite3_vtab_cursor base;	/* must be first */
	mg_ctx	   *ctx;			/* owns rows; freed on rewind and close */
	const void *rows;
	size_t		n;
	size_t		pos;
} list_cursor;

static int
list_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
			 sqlite3_vtab **out, char **errmsg)
{
	const list_def *def = aux;
	list_vtab  *vt;
	int			rc;

	(void) argc;
	(void) argv;
	(void) errmsg;
	if ((rc = sqlite3_declare_vtab(db, def->schema)) != SQLITE_OK)
		return rc;
	if ((vt = sqlite3_malloc64(sizeof(*vt))) == NULL)
		return SQLITE_NOMEM;
	memset(vt, 0, sizeof(*vt));
	vt->db = db;
	vt->def = def;
	*out = &vt->base;
	return SQLITE_OK;
}

static int
list_open(sqlite3_vtab *vtab, sqlite3_vtab_cursor **out)
{
	list_cursor *cur;

	(void) vtab;
	if ((cur = sqlite3_malloc64(sizeof(*cur))) == NULL)
		return SQLITE_NOMEM;
	memset(cur, 0, sizeof(*cur));
	*out = &cur->base;
	return SQLITE_OK;
}

static int
list_close(sqlite3_vtab_cursor *base)
{
	list_cursor *cur = (list_cursor *) base;

	mg_ctx_free(cur->ctx);
	sqlite3_free(cur);
	return SQLITE_OK;
}

/* No arguments, nothing to choose: one plan. */
static int
list_best_index(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
	(void) vtab;
	info->estimatedCost = 100.0;
	info->estimatedRows = 100;
	return SQLITE_OK;
}

static int
list_filter(sqlite3_vtab_cursor *base, int idx_num, const char *idx_str,
			int argc, sqlite3_value **argv)
{
	list_cursor *cur = (list_cursor *) base;
	list_vtab  *vt = (list_vtab *) base->pVtab;
	const list_def *def = vt->def;
	host_state	hs;
	mg_host		host;
	int			rc;

	(void) idx_num;
	(void) idx_str;
	(void) argc;
	(void) argv;
	mg_ctx_free(cur->ctx);
	cur->ctx = NULL;
	cur->rows = NULL;
	cur->n = cur->pos = 0;
	if (host_ctx_new(&cur->ctx, vt->db) != MG_OK)
		return SQLITE_NOMEM;
	host_init(&host, &hs, vt->db);
	rc = host_close_unit(&host, cur->ctx, def->fill(&cur->rows, &cur->n, cur->ctx, &host));
	if (rc != MG_OK)
	{
		int			src = rows_fail(&vt->base, mg_ctx_error(cur->ctx), rc);

		mg_ctx_free(cur->ctx);
		cur->ctx = NULL;
		cur->rows = NULL;
		cur->n = 0;
		return src;
	}
	return SQLITE_OK;
}

static int
list_next(sqlite3_vtab_cursor *base)
{
	((list_cursor *) base)->pos++;
	return SQLITE_OK;
}

static int
list_eof(sqlite3_vtab_cursor *base)
{
	list_cursor *cur = (list_cursor *) base;

	return cur->pos >= cur->n;
}

static int
list_column(sqlite3_vtab_cursor *base, sqlite3_context *fctx, int col)
{
	list_cursor *cur = (list_cursor *) base;
	const list_def *def = ((list_vtab *) base->pVtab)->def;

	def->column(fctx, cur->rows, cur->pos, col);
	return SQLITE_OK;
}

static int
list_rowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64) ((list_cursor *) base)->pos + 1;
	return SQLITE_OK;
}

static sqlite3_module list_module = {
	.iVersion = 0,
	.xCreate = NULL,
	.xConnect = list_connect,
	.xBestIndex = list_best_index,
	.xDisconnect = rows_disconnect,
	.xDestroy = NULL,
	.xOpen = list_open,
	.xClose = list_close,
	.xFilter = list_filter,
	.xNext = list_next,
	.xEof = list_eof,
	.xColumn = list_column,
	.xRowid = list_rowid,
};

/* migrate_status(): where each revision stands (core/status.c says how). */
static int
status_fill(const void **rows, size_t *n, mg_ctx *ctx, const mg_host *host)
{
	mg_status_rows st;
	int			rc = mg_cmd_status(&st, ctx, host);

	*rows = st.rows;
	*n = st.n;
	return rc;
}

static void
status_column(sqlite3_context *fctx, const void *rows, size_t i, int col)
{
	const mg_status_row *r = &((const mg_status_row *) rows)[i];
	const char *texts[] = {r->revision, r->branch_labels, r->message, r->state,
						   r->applied_at, r->applied_by, NULL, NULL, r->file};

	if (col == 6 && r->has_duration)
		sqlite3_result_double(fctx, r->duration_ms);
	else if (col == 7 && r->checksum_ok >= 0)
		sqlite3_result_int(fctx, r->checksum_ok);
	else
		result_text(fctx, col >= 0 && col < 9 ? texts[col] : NULL);
}

static const list_def status_def = {
	"CREATE TABLE x(revision, branch_labels, message, state, applied_at, applied_by, "
	"duration_ms, checksum_ok, file)",
	status_fill, status_column
};

/* migrate_functions(): the functions this extension registers (core/api.c). */
static int
functions_fill(const void **rows, size_t *n, mg_ctx *ctx, const mg_host *host)
{
	const mg_api_function **list;
	int			rc = mg_api_functions(&list, n, ctx, MG_API_SQLITE);

	(void) host;
	*rows = list;
	return rc;
}

static void
functions_column(sqlite3_context *fctx, const void *rows, size_t i, int col)
{
	const mg_api_function *f = ((const mg_api_function *const *) rows)[i];
	const char *texts[] = {f->name, f->arguments, f->kind, f->description};

	result_text(fctx, col >= 0 && col < 4 ? texts[col] : NULL);
}

static const list_def functions_def = {
	"CREATE TABLE x(name, arguments, kind, description)",
	functions_fill, functions_column
};

/*
 * migrate_version(): "migrate 1.2 (SQL API 1.2), SQLite 3.40.1": the
 * engine, the functions it registers, and the library it runs in.
 */
static void
fn_version(sqlite3_context *fctx, int argc, sqlite3_value **argv)
{
	char	   *text;

	(void) argc;
	(void) argv;
	text = sqlite3_mprintf("migrate %s (SQL API %s), SQLite %s", MG_VERSION, MG_VERSION,
						   sqlite3_libversion());
	if (text == NULL)
		sqlite3_result_error_nomem(fctx);
	else
		sqlite3_result_text(fctx, text, -1, sqlite3_free);
}

/* ------------------------------------------------------------------ */
/* Entry point                                                          */
/* ------------------------------------------------------------------ */

/*
 * Flags of the functions that change the database (run revisions, write
 * the catalog, the version table or the settings).  SQLITE_DIRECTONLY:
 * a database file may come from someone else, and its schema (views,
 * triggers) must not be able to call them; SQLite refuses them anywhere
 * but in top-level SQL.  They are not deterministic.
 */
#define WRITES	(SQLITE_UTF8 | SQLITE_DIRECTONLY)
/*
 * migrate_wait writes nothing but may sleep for minutes: a view or
 * trigger of a file someone else made must not be able to hang its
 * readers with it, so it is top-level SQL only too.
 */
#define WAITS	(SQLITE_UTF8 | SQLITE_DIRECTONLY)
/* The report functions: read-only, not deterministic (they read state). */
#define READS	(SQLITE_UTF8)

/*
 * Register the functions and the table-valued functions on db.  Returns
 * SQLITE_OK or the first failing registration's code.  Named after the
 * file: .load ./migrate finds it without a second argument.
 */
int			sqlite3_migrate_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api);

#ifdef _WIN32
__declspec(dllexport)
#endif
int
sqlite3_migrate_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api)
{
	static const int write_variant = 1;	/* pAux of the _write functions */
	int			rc = SQLITE_OK;
	int			n;

	SQLITE_EXTENSION_INIT2(api);
	(void) errmsg;

	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_load", 1, WRITES, NULL, fn_load, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_add", 1, WRITES, NULL, fn_add, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_add", 2, WRITES, NULL, fn_add, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_upgrade", 0, WRITES, (void *) &cmd_upgrade, fn_text_command, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_upgrade", 1, WRITES, (void *) &cmd_upgrade, fn_text_command, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_downgrade", 1, WRITES, (void *) &cmd_downgrade, fn_text_command, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_stamp", 1, WRITES, NULL, fn_stamp, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_stamp", 2, WRITES, NULL, fn_stamp, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_config", 1, READS, NULL, fn_config, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_config", 2, WRITES, NULL, fn_config, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_config", 3, WRITES, NULL, fn_config, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_upgrade_sql", 0, READS, (void *) &cmd_upgrade_sql, fn_text_command, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_upgrade_sql", 1, READS, (void *) &cmd_upgrade_sql, fn_text_command, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_downgrade_sql", 1, READS, (void *) &cmd_downgrade_sql, fn_text_command, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_show", 1, READS, (void *) &cmd_show, fn_text_command, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_branches", 0, READS, (void *) &cmd_branches, fn_plain_command, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_check", 0, READS, NULL, fn_check, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_init", 0, WRITES, (void *) &cmd_init, fn_plain_command, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_wait", 0, WAITS, NULL, fn_wait, NULL, NULL);
	for (n = 1; n <= 2 && rc == SQLITE_OK; n++)
		rc = sqlite3_create_function(db, "migrate_wait", n, WAITS, NULL, fn_wait, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_verify", 0, WRITES, NULL, fn_verify, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_verify", 1, WRITES, NULL, fn_verify, NULL, NULL);
	/* the text variants only read the catalog; the _write ones write a file and the catalog */
	for (n = 1; n <= 6 && rc == SQLITE_OK; n++)
		rc = sqlite3_create_function(db, "migrate_revision", n, READS, NULL, fn_revision, NULL, NULL);
	for (n = 2; n <= 7 && rc == SQLITE_OK; n++)
		rc = sqlite3_create_function(db, "migrate_revision_write", n, WRITES, (void *) &write_variant,
									 fn_revision, NULL, NULL);
	for (n = 2; n <= 4 && rc == SQLITE_OK; n++)
		rc = sqlite3_create_function(db, "migrate_merge", n, READS, NULL, fn_merge, NULL, NULL);
	for (n = 3; n <= 5 && rc == SQLITE_OK; n++)
		rc = sqlite3_create_function(db, "migrate_merge_write", n, WRITES, (void *) &write_variant,
									 fn_merge, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module(db, "migrate_history", &rows_module, (void *) &history_def);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module(db, "migrate_heads", &rows_module, (void *) &heads_def);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module(db, "migrate_current", &rows_module, (void *) &current_def);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module(db, "migrate_plan", &rel_module, (void *) &plan_rel);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module(db, "migrate_schema", &rel_module, (void *) &schema_rel);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module(db, "migrate_rehearse", &rel_module, (void *) &rehearse_rel);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module(db, "migrate_stairway", &rel_module, (void *) &stairway_rel);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module(db, "migrate_status", &list_module, (void *) &status_def);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module(db, "migrate_functions", &list_module, (void *) &functions_def);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_graph", 0, READS, (void *) &cmd_graph, fn_text_command, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_graph", 1, READS, (void *) &cmd_graph, fn_text_command, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "migrate_version", 0, READS | SQLITE_DETERMINISTIC, NULL,
									 fn_version, NULL, NULL);
	return rc;
}
