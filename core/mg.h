/*
 * mg.h -- the public interface of the migrate revision engine.
 *
 * This is the only header a host (the SQLite extension, the PostgreSQL
 * extension, a test) includes.  It declares:
 *
 *   - the context (mg_ctx): one allocator hook and one error object;
 *   - the host interface (mg_host): the few callbacks through which the
 *     core reaches the database;
 *   - the commands, one per SQL function of the API (mg_cmd_*).
 *
 * Invariants:
 *   - the core never calls malloc/free: every byte comes from the hook
 *     given to mg_ctx_new, and everything a command returns lives until
 *     mg_ctx_free (an arena); hosts create one context per SQL call;
 *   - fallible calls return 0 (MG_OK) or a negative MG_E* code, and set
 *     the context's error every time they fail;
 *   - the core includes no database header.
 */
#ifndef MG_H
#define MG_H

#include <stddef.h>
#include <stdint.h>

/*
 * The engine's version, which is also its SQL API's: the set of SQL
 * functions and their columns (PostgreSQL: the extension's version).
 */
#define MG_VERSION "1.2"

/* Return codes.  Every failure also fills the context's error. */
#define MG_OK      0
#define MG_ENOMEM  (-1)   /* the allocator hook returned NULL */
#define MG_EINPUT  (-2)   /* bad input: script, identifier, graph, setting */
#define MG_EHOST   (-3)   /* the database reported an error */
#define MG_ECANCEL (-4)   /* the host asked the engine to stop (cancel request) */

/*
 * SQLSTATEs, chosen per error kind so both hosts report the same class
 * (PostgreSQL uses them in ereport, SQLite tests match the words).
 */
#define MG_STATE_SYNTAX          "42601" /* malformed revision script */
#define MG_STATE_BAD_GRAPH       "42P17" /* duplicate id, cycle, unknown Revises */
#define MG_STATE_UNDEFINED       "42704" /* unknown revision, label, setting */
#define MG_STATE_CARDINALITY     "21000" /* several heads / ambiguous prefix */
#define MG_STATE_BAD_TARGET      "22023" /* target not reachable, bad range */
#define MG_STATE_PREREQUISITE    "55000" /* missing section, changed script */
#define MG_STATE_LOCKED          "55P03" /* database is busy */
#define MG_STATE_FILE            "58P01" /* missing directory or file */
#define MG_STATE_ENCODING        "22021" /* script text or file name not UTF-8 */
#define MG_STATE_NOMEM           "53200" /* out of memory */
#define MG_STATE_INTERNAL        "XX000" /* host error without its own code */
#define MG_STATE_CANCELED        "57014" /* the host asked the engine to stop */

typedef struct mg_ctx mg_ctx;

/*
 * Allocator hook, realloc-shaped (as Lua's lua_Alloc):
 * ptr NULL -> allocate size bytes; size 0 -> free ptr and return NULL;
 * otherwise resize.  Returns NULL when out of memory.
 */
typedef void *(*mg_realloc_fn)(void *ud, void *ptr, size_t size);

/* The error object: fixed buffers, so reporting never allocates. */
typedef struct mg_error {
	int code;               /* MG_E* or MG_OK */
	char sqlstate[6];       /* five characters and NUL */
	char message[512];      /* primary message (Alembic's first sentence) */
	char detail[1024];      /* the cause, a full sentence; may be empty */
	char hint[512];         /* what to do next, a full sentence; may be empty */
	char context[512];      /* where: revision, file, statement; may be empty */
} mg_error;

/* Create a context.  Returns MG_OK or MG_ENOMEM (then *out is NULL). */
int mg_ctx_new(mg_ctx **out, mg_realloc_fn fn, void *ud);
/* Free a context and everything allocated in it.  Accepts NULL. */
void mg_ctx_free(mg_ctx *ctx);
/*
 * Interrupt hook: the core calls fn(ud) in every loop that can run long
 * (graph walks, planning, emitting, reading a directory or a text).  The
 * hook returns 0 to go on, or non-zero to stop the engine, which then
 * fails with MG_ECANCEL and leaves everything as it was: 1 with the
 * engine's words ("canceling statement due to user request", SQLSTATE
 * 57014), MG_INTERRUPT_OWN_ERROR when the hook has put the host's own
 * words in the context's error (PostgreSQL: "canceling statement due to
 * statement timeout").  The hook must return: the engine may hold the
 * host's unit open.  fn NULL: no checks.  As PostgreSQL's regex library
 * calls INTERRUPT(re), the engine never knows which host it runs in.
 */
typedef int (*mg_interrupt_fn)(void *ud);
#define MG_INTERRUPT_OWN_ERROR 2
void mg_ctx_set_interrupt(mg_ctx *ctx, mg_interrupt_fn fn, void *ud);
/* The context's error; valid until mg_ctx_free. */
const mg_error *mg_ctx_error(const mg_ctx *ctx);
/*
 * Take a command's text out of the context so that it outlives
 * mg_ctx_free without a copy: the result is a block of the context's
 * allocator that starts with `prefix` bytes for the host to fill (a
 * header of its own, such as PostgreSQL's varlena length; at most
 * MG_DETACH_PREFIX_MAX) followed by the text's *len bytes and a NUL;
 * the host frees it with that allocator (fn(ud, p, 0)).  A large text
 * keeps its memory (moved to the block's start); a small one is copied.
 * NULL when out of memory (error set; text stays the context's) or when
 * prefix is too large.
 */
#define MG_DETACH_PREFIX_MAX 16
char *mg_ctx_detach_text(mg_ctx *ctx, char *text, size_t prefix, size_t *len);
/*
 * Write the error as one text in psql's shape: the message, then
 * "DETAIL: ...", "HINT: ...", "CONTEXT: ..." lines when present.
 * Truncates to cap bytes; never allocates.  Used by hosts without
 * structured errors (SQLite).
 */
void mg_error_format(const mg_error *err, char *buf, size_t cap);

/* ------------------------------------------------------------------ */
/* Host interface                                                      */
/* ------------------------------------------------------------------ */

#define MG_HOST_VERSION 4

/* Called once per result row; vals[i] is NULL for SQL NULL.  Non-zero stops. */
typedef int (*mg_row_fn)(void *arg, int ncol, const char *const *vals);

/*
 * The callbacks a host implements.  SQL texts use $1, $2, ... for
 * parameters (both SQLite and PostgreSQL accept them); every parameter
 * is text.  A failing callback fills the context's error (mg_error_set
 * with the database's own words) and returns MG_EHOST.  Slots are only
 * ever added at the end; `version` says how many the host fills.
 */
typedef struct mg_host {
	int version;              /* MG_HOST_VERSION */
	void *ud;                 /* passed back to every callback */
	const char *dialect;      /* "sqlite" or "postgresql" */
	const char *state_schema; /* schema of the state tables, unquoted ("main") */
	int creates_state;        /* 1: the core creates its state tables itself */

	/*
	 * Run one statement with text parameters.  When row is non-NULL it
	 * is called per result row.  *changes (if non-NULL) receives the
	 * number of rows an INSERT/UPDATE/DELETE touched.
	 */
	int (*query)(void *ud, mg_ctx *ctx, const char *sql, int nparams,
	             const char *const *params, mg_row_fn row, void *arg,
	             long *changes);

	/*
	 * Run a revision body: any number of statements, in order.  On
	 * failure, fill the error with the database's message and set
	 * *failed_statement to the 1-based number of the statement that
	 * failed and copy its text (truncated) into the error's context.
	 */
	int (*run_script)(void *ud, mg_ctx *ctx, const char *sql,
	                  int *failed_statement);

	/*
	 * Open the run's atomic unit: a savepoint inside the caller's
	 * transaction, or a transaction that takes the write lock (SQLite:
	 * BEGIN IMMEDIATE; PostgreSQL: advisory lock) before anything is read.
	 */
	int (*begin)(void *ud, mg_ctx *ctx);
	/* Make the unit's work permanent (release / commit). */
	int (*commit)(void *ud, mg_ctx *ctx);
	/* Undo the unit's work; must not fail in a way that loses the first error. */
	void (*rollback)(void *ud, mg_ctx *ctx);

	/* Progress text ("Running upgrade a -> b, message"); may be NULL. */
	void (*notice)(void *ud, const char *text);

	/* Current time as "YYYY-MM-DD HH:MM:SS.ffffff" (UTC) into buf. */
	void (*now)(void *ud, char *buf, size_t cap);

	/* ---- version 2 ---- */

	/*
	 * Apply a run's limits to the unit just opened, until it ends:
	 * lock_timeout_ms bounds every lock wait of its statements,
	 * statement_timeout_ms every revision body (run_script); 0 leaves
	 * the host's own setting.  A lock wait that times out fails with
	 * SQLSTATE 55P03 and an error naming the lock and who holds it.  May
	 * be NULL: the host has no such limits (SQLite), and the core then
	 * never retries a run.
	 */
	int (*limits)(void *ud, mg_ctx *ctx, long lock_timeout_ms, long statement_timeout_ms);

	/*
	 * Pause ms milliseconds, outside any unit (between a run's
	 * attempts).  A host may end the call here when it is canceled, as
	 * the interrupt hook may.  May be NULL only when limits is.
	 */
	void (*sleep)(void *ud, long ms);

	/*
	 * For migrate_wait, outside any unit: wait up to ms milliseconds for
	 * the database to change.  While a run holds the migration lock, wait
	 * on that lock (returning as soon as the run ends) and set *running;
	 * otherwise pause ms.  Takes nothing it keeps and writes nothing.
	 * May be NULL: the core then uses sleep, or fails when both are.
	 */
	int (*wait)(void *ud, mg_ctx *ctx, long ms, int *running);

	/*
	 * Run the body of a step marked "Transactional: false" outside any
	 * transaction, as run_script runs a body (the same error contract).
	 * Called between units: the core has committed the unit that planned
	 * the step, and opens another (begin) to record it; the host keeps
	 * other runs out in between.  NULL: such steps are refused, with the
	 * routes that can run them in the hint.
	 */
	int (*run_online)(void *ud, mg_ctx *ctx, const char *sql, int *failed_statement);

	/* ---- version 3 ---- */

	/*
	 * What in the user's schema may have changed since the previous call
	 * of this command (a rehearsal reads again only that after a step):
	 * *rels, *nrels the relations (decimal oids, in ctx's arena) whose
	 * definition may have changed; *what the MG_CHANGED_* kinds the host
	 * can only name as a whole.  The first call of a command starts
	 * watching and says MG_CHANGED_ALL.  The host must never leave out a
	 * change (naming too much only costs time).  May be NULL: the core
	 * then reads the whole schema every time.
	 */
	int (*schema_changes)(void *ud, mg_ctx *ctx, char ***rels, size_t *nrels, unsigned *what);

	/* ---- version 4 ---- */

	/*
	 * Answer one of the core's catalog reads (MG_CATALOG_*, below) from
	 * the database's own caches instead of running its query: a
	 * rehearsal makes these reads after every step, and a query costs
	 * more than what it reads there.  The rows go to row() as the
	 * query's would (texts, NULL for SQL NULL), in any order; the
	 * parameters are the query's.  The same error contract as query.
	 * May be NULL: the core runs the queries.
	 */
	int (*catalog_rows)(void *ud, mg_ctx *ctx, int which, int nparams,
	                    const char *const *params, mg_row_fn row, void *arg);
} mg_host;

/* schema_changes' kinds: anything at all; some type; some function; some sequence. */
#define MG_CHANGED_ALL 1u
#define MG_CHANGED_TYPES 2u
#define MG_CHANGED_FUNCTIONS 4u
#define MG_CHANGED_SEQUENCES 8u

/*
 * catalog_rows' reads (PostgreSQL), each named after the core's query it
 * stands for; oid lists are array texts ("{16384,16390}").
 *
 * MG_CATALOG_REL_USERS: schema.c's pg_changed_sql.  $1 relations, $2
 *   types and functions, $3 "true" for every sequence: the relations to
 *   read again (one column, the oid), $1 itself among them.
 * MG_CATALOG_REL_ROWS: schema.c's pg_relations_some_sql.  $1 the
 *   version table's name, $2 relations: the snapshot rows (kind, name,
 *   parent, definition, group) of those and of their indexes.  With $1
 *   only, pg_relations_sql: those of every relation of the user's.
 * MG_CATALOG_RELS: rehearse.c's pg_rels_some_sql.  $1 the version
 *   table's name, $2 relations: oid, relfilenode, name, relkind of each
 *   that is the user's.  With $1 only, pg_rels_sql: every one.
 * MG_CATALOG_LOCKS: rehearse.c's pg_locks_sql.  $1 relations: the locks
 *   this backend holds on them (oid, pg_locks' name of the mode); only
 *   the strongest one of each relation is needed.
 * MG_CATALOG_TYPES, MG_CATALOG_FUNCTIONS: schema.c's pg_types_sql and
 *   pg_functions_sql (no parameters): the user's types, functions and
 *   procedures, as snapshot rows of their own shape.
 */
#define MG_CATALOG_REL_USERS 1
#define MG_CATALOG_REL_ROWS 2
#define MG_CATALOG_RELS 3
#define MG_CATALOG_LOCKS 4
#define MG_CATALOG_TYPES 5
#define MG_CATALOG_FUNCTIONS 6

/* The version of the host interface that added each later slot. */
#define MG_HOST_SINCE_limits 2
#define MG_HOST_SINCE_sleep 2
#define MG_HOST_SINCE_wait 2
#define MG_HOST_SINCE_run_online 2
#define MG_HOST_SINCE_schema_changes 3
#define MG_HOST_SINCE_catalog_rows 4

/* Does the host fill slot (a member of mg_host added in a later version)? */
#define MG_HOST_HAS(host, slot) \
	((host)->version >= MG_HOST_SINCE_##slot && (host)->slot != NULL)

/* ------------------------------------------------------------------ */
/* Results                                                              */
/* ------------------------------------------------------------------ */

/* One row of migrate_history() (and of migrate_heads / migrate_current). */
typedef struct mg_history_row {
	const char *revision;
	const char *down_revisions; /* comma-separated, "" for a base */
	const char *branch_labels;  /* comma-separated, "" when none */
	const char *depends_on;     /* comma-separated, "" when none */
	const char *message;
	int is_head;
	int is_current;
	int is_branchpoint;
	int is_mergepoint;
	const char *line;           /* Alembic's one-line text */
} mg_history_row;

typedef struct mg_rows {
	mg_history_row *rows;
	size_t n;
} mg_rows;

/* ------------------------------------------------------------------ */
/* Commands: one per SQL function.  All outputs live in ctx.            */
/* ------------------------------------------------------------------ */

/*
 * Add revision scripts to the catalog, in the order given (the catalog
 * keeps insertion order: it breaks ties between independent branches).
 * A script whose id is already catalogued with the same text is skipped;
 * with another text it is an error unless the revision is not applied
 * (then the catalog copy is replaced).  The whole batch is validated as
 * a graph before anything is written.  *report: "added N revisions ...".
 */
int mg_cmd_add(char **report, mg_ctx *ctx, const mg_host *host,
               size_t n, const char *const *texts, const char *const *filenames);

/*
 * Read every *.sql file under dir whose header has a Revision ID, in
 * sorted order of relative path, and add them as mg_cmd_add does.
 */
int mg_cmd_load(char **report, mg_ctx *ctx, const mg_host *host, const char *dir);

/*
 * Upgrade to target (NULL: "heads"; with the branches setting, "heads" is
 * one <label>@heads upgrade per held branch).  *report: the "Running
 * upgrade" lines.
 */
int mg_cmd_upgrade(char **report, mg_ctx *ctx, const mg_host *host, const char *target);
/*
 * A stepwise upgrade (PostgreSQL's CALL, which commits after every step)
 * in two parts, so that the target is resolved once, before the first
 * step, and exactly that plan runs: a relative target ('+1', 'gxy@+2')
 * must not be resolved again after each commit.
 *
 * mg_cmd_upgrade_plan: resolve target (NULL: "heads") against the
 * database as it is now into the revisions the upgrade applies, in order
 * (*ids, *n; in the context).  Every step's section is checked first, so
 * a missing one fails before anything runs.  With nothing to do, *n is 0
 * and *report says where the database is; otherwise *report is NULL.
 *
 * mg_cmd_upgrade_step: apply the plan's next revision rev, atomically
 * (one unit).  rev must be one step away: if another session moved the
 * version rows so that it is not, the step fails with MG_EINPUT
 * (MG_STATE_PREREQUISITE) and changes nothing; if rev is applied
 * already, nothing runs and *report says so.  *report: the "Running
 * upgrade" line.
 */
int mg_cmd_upgrade_plan(const char ***ids, size_t *n, char **report, mg_ctx *ctx,
                        const mg_host *host, const char *target);
int mg_cmd_upgrade_step(char **report, mg_ctx *ctx, const mg_host *host, const char *rev);
/*
 * The same for a stepwise downgrade (CALL migrate_downgrade_steps):
 * mg_cmd_downgrade_plan resolves target (required; '-1', 'gxy@-2' and
 * 'base' resolved once, from the rows as they are) into the revisions
 * the downgrade undoes, in order; mg_cmd_downgrade_step undoes one of
 * them.  A step fails and changes nothing if revisions above rev were
 * applied since; one another session undid already is skipped, *report
 * saying so.
 */
int mg_cmd_downgrade_plan(const char ***ids, size_t *n, char **report, mg_ctx *ctx,
                          const mg_host *host, const char *target);
int mg_cmd_downgrade_step(char **report, mg_ctx *ctx, const mg_host *host, const char *rev);
/* Downgrade to target (required). */
int mg_cmd_downgrade(char **report, mg_ctx *ctx, const mg_host *host, const char *target);
/* Set the version table to target without running scripts. */
int mg_cmd_stamp(char **report, mg_ctx *ctx, const mg_host *host, const char *target, int purge);

/* Offline SQL for "from:to" (or "to", from base for upgrades). */
int mg_cmd_upgrade_sql(char **sql, mg_ctx *ctx, const mg_host *host, const char *range);
int mg_cmd_downgrade_sql(char **sql, mg_ctx *ctx, const mg_host *host, const char *range);

/* Rows: history over range (NULL: everything), newest first. */
int mg_cmd_history(mg_rows *out, mg_ctx *ctx, const mg_host *host,
                   const char *range, int indicate_current);
/* Rows: the catalog's heads. */
int mg_cmd_heads(mg_rows *out, mg_ctx *ctx, const mg_host *host);
/*
 * Rows: the database's current revisions (expanded as Alembic's current),
 * on the held branches; a version row the catalog lacks is listed last,
 * marked "(unknown: not in the catalog)".
 */
int mg_cmd_current(mg_rows *out, mg_ctx *ctx, const mg_host *host);
/* Text: Alembic's `current` output (verbose adds the header line). */
int mg_cmd_current_text(char **text, mg_ctx *ctx, const mg_host *host, int verbose);
/* Text: Alembic's `show` entry for the revisions an identifier names. */
int mg_cmd_show(char **text, mg_ctx *ctx, const mg_host *host, const char *rev);
/* Text: Alembic's `branches` output. */
int mg_cmd_branches(char **text, mg_ctx *ctx, const mg_host *host);
/*
 * Text: is the database at the heads of its held branches? ahead of the
 * catalog? changed scripts? diverged heads (with the migrate_merge call)?
 * what to do.  Sets *ok.
 */
int mg_cmd_check(char **text, int *ok, mg_ctx *ctx, const mg_host *host);
/*
 * One row of migrate_status(): where one revision stands in this
 * database.  state is one of MG_STATUS_*; the log columns come from the
 * newest log row of the revision when that row is its upgrade (NULL
 * otherwise, has_duration 0); checksum_ok is 1 or 0 when the applied
 * text's checksum was logged, -1 (SQL NULL) when there is nothing to
 * compare.
 */
typedef struct mg_status_row {
	const char *revision;
	const char *branch_labels;  /* as migrate_history's ("a, b"; "" when none) */
	const char *message;
	const char *state;
	const char *applied_at;     /* UTC "YYYY-MM-DD HH:MM:SS[.ffffff]", or NULL */
	const char *applied_by;     /* the role the log names, or NULL */
	double duration_ms;
	int has_duration;
	int checksum_ok;            /* 1, 0, or -1 for NULL */
	const char *file;           /* the catalog's file name, or NULL */
} mg_status_row;

typedef struct mg_status_rows {
	mg_status_row *rows;
	size_t n;
} mg_status_rows;

/* The states of migrate_status(), documented in core/status.c and the README. */
#define MG_STATUS_APPLIED  "applied"
#define MG_STATUS_STAMPED  "stamped"
#define MG_STATUS_PENDING  "pending"
#define MG_STATUS_NOT_HELD "not held"
#define MG_STATUS_UNKNOWN  "unknown"

/*
 * Rows: every catalog revision in history order (newest first), after
 * the version rows the catalog lacks (state "unknown": the newest of
 * all).  Reads the graph, the version table and the newest log row of
 * each revision (one query); changes nothing.
 */
int mg_cmd_status(mg_status_rows *out, mg_ctx *ctx, const mg_host *host);

/*
 * Text: the revision graph as Graphviz DOT (core/graph_dot.c): format
 * NULL or "dot" draws every revision, "dot-collapsed" each chain of
 * plain revisions as one edge with their number.  Changes nothing.
 * Errors: MG_EINPUT (MG_STATE_BAD_TARGET) for another format.
 */
int mg_cmd_graph(char **out, mg_ctx *ctx, const mg_host *host, const char *format);

/* Read (value NULL) or write a setting; *out is the (new) value. */
/*
 * Wait until the database is at target (NULL: the heads of the branches
 * it holds; any upgrade target, satisfied when an upgrade to it would do
 * nothing), checking again whenever a run ends (host->wait) or after a
 * pause that doubles from 50 ms to 1 s; give up after timeout_ms (0:
 * check once).  Reads only.  *report: "the database is at <rows>".  A
 * time-out is MG_EINPUT (MG_STATE_PREREQUISITE) naming the target, the
 * database's revisions and why it is not there.
 */
int mg_cmd_wait(char **report, mg_ctx *ctx, const mg_host *host, const char *target,
                long timeout_ms);
int mg_cmd_config(char **out, mg_ctx *ctx, const mg_host *host,
                  const char *key, const char *value);
/*
 * mg_cmd_config with the force argument of migrate_config(key, value,
 * force).  Switching version_table away from a table that has rows is
 * refused (MG_EINPUT, MG_STATE_PREREQUISITE, saying what the switch would
 * do) unless the new table exists or force is non-zero.  A branches value
 * naming a label no revision of the catalog carries is kept, and *out
 * gets one "WARNING: ..." line per such label after the value.
 */
int mg_cmd_config_write(char **out, mg_ctx *ctx, const mg_host *host,
                        const char *key, const char *value, int force);

/* ------------------------------------------------------------------ */
/* The SQL API, described                                               */
/* ------------------------------------------------------------------ */

/* Which hosts register a function. */
#define MG_API_SQLITE     1u
#define MG_API_POSTGRESQL 2u

/* One SQL function (or procedure) of the API, for migrate_functions. */
typedef struct mg_api_function {
	const char *name;
	const char *arguments;    /* as the README writes them: "target [, purge]" */
	const char *kind;         /* "scalar", "table" or "procedure" */
	unsigned hosts;           /* MG_API_* bits */
	const char *description;  /* one line */
} mg_api_function;

/*
 * The functions of the API that the hosts in `hosts` (MG_API_* bits)
 * register, in the README's order: *out is an array of *n pointers to
 * static entries, allocated in ctx.  Errors: MG_ENOMEM.
 */
int mg_api_functions(const mg_api_function ***out, size_t *n, mg_ctx *ctx, unsigned hosts);

/* ------------------------------------------------------------------ */
/* Galaxy workflows: start-up verification and authoring               */
/* ------------------------------------------------------------------ */

/*
 * Initialize an empty database: every branch it holds (the branches
 * setting, else every label declared on a base revision, else the whole
 * catalog) is upgraded to its head, one branch after the other, in one
 * atomic unit.  A database that is not empty is refused with an error
 * that says what to do (stamp, or migrate_verify's legacy adoption).
 * *report: one "<branch>: ..." line per branch, each followed by its
 * "Running upgrade" lines.
 */
int mg_cmd_init(char **report, mg_ctx *ctx, const mg_host *host);
/*
 * Galaxy's start-up verification, per branch held, in one atomic unit:
 * empty database -> initialize; at the head -> fine; behind -> upgrade
 * (auto_migrate) or an error naming the call to run; ahead (a version
 * row the catalog lacks) -> error; legacy version table at the version
 * legacy_versions names -> adopt (auto_migrate) or error; at another
 * legacy version -> error.  *report: what was found and done, per branch.
 */
int mg_cmd_verify(char **report, mg_ctx *ctx, const mg_host *host, int auto_migrate);

/* The arguments of migrate_revision / migrate_merge. */
typedef struct mg_revision_args {
	const char *message;      /* required: the script's first line */
	const char *head;         /* revision: the parent (NULL: "head");
	                           * merge: the revisions, comma-separated */
	const char *rev_id;       /* NULL: a new random 12-hex-digit id */
	const char *branch_label; /* comma-separated labels, or NULL */
	const char *depends_on;   /* comma-separated revisions or labels, or NULL */
	int splice;               /* allow a parent that is not a head */
	const char *dir;          /* non-NULL: write <dir>/<rev>_<slug>.sql and
	                           * add it to the catalog */
} mg_revision_args;

/*
 * The text of a new revision script (DESIGN.md's header, empty upgrade
 * and downgrade sections), or, with args->dir, the path of the file
 * written (and added to the catalog).  Alembic's errors for several
 * heads without a head argument, a parent that is not a head, and
 * duplicate parents.
 */
int mg_cmd_revision(char **out, mg_ctx *ctx, const mg_host *host, const mg_revision_args *args);
/* As mg_cmd_revision for a merge of args->head (at least two heads). */
int mg_cmd_merge(char **out, mg_ctx *ctx, const mg_host *host, const mg_revision_args *args);

/* ------------------------------------------------------------------ */
/* Relations: plan, schema, rehearse, stairway                          */
/* ------------------------------------------------------------------ */

/*
 * The newer row-returning functions answer with one shape, so that a
 * host declares each of them from the core's own column list (the same
 * names and types on every engine by construction) and converts cells
 * without knowing the command.
 */
typedef enum mg_coltype
{
	MG_COL_TEXT,    /* text */
	MG_COL_INT,     /* integer, written in decimal */
	MG_COL_BOOL,    /* "1" or "0" (SQLite integer, PostgreSQL boolean) */
	MG_COL_FLOAT    /* double precision, written with "%.3f" */
} mg_coltype;

typedef struct mg_column
{
	const char *name;
	mg_coltype type;
} mg_column;

/* The row-returning functions of this shape. */
typedef enum mg_relation
{
	MG_REL_PLAN,      /* migrate_plan([target [, direction]]) */
	MG_REL_SCHEMA,    /* migrate_schema() */
	MG_REL_REHEARSE,  /* migrate_rehearse([target [, direction]]) */
	MG_REL_STAIRWAY   /* migrate_stairway([range]) */
} mg_relation;

/* A relation's rows: cells[row * ncol + col], text forms, NULL for SQL NULL. */
typedef struct mg_table
{
	const mg_column *cols;
	size_t ncol;
	const char **cells;
	size_t n;
} mg_table;

/*
 * The columns of a relation (static storage) and the names of its
 * arguments, in order (nargs of them, at most 2).
 */
void mg_relation_columns(mg_relation rel, const mg_column **cols, size_t *ncol,
                         const char *const **args, size_t *nargs);

/*
 * Run a relation with its arguments (NULL: not given).  *out lives in
 * ctx.  migrate_plan and migrate_schema only read; migrate_rehearse and
 * migrate_stairway take the run's lock, execute steps for real and always
 * roll back (a failing step is a row, not an error).  Errors: bad
 * targets and ranges (the planner's), MG_EHOST, MG_ENOMEM, MG_ECANCEL.
 */
int mg_cmd_relation(mg_table *out, mg_ctx *ctx, const mg_host *host, mg_relation rel,
                    const char *arg0, const char *arg1);

#endif /* MG_H */
