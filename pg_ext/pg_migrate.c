/*
 * pg_migrate.c -- the PostgreSQL host of the migrate revision engine.
 *
 * Schema migrations with Alembic's revision model, run entirely inside
 * the database: the revision scripts are read into a catalog table, and
 * SQL functions upgrade, downgrade, stamp and report.  Build, install and
 * create:
 *
 *     make install      (from the repository root: both extensions;
 *                        this one by PGXS, pg_config on PATH or PG_CONFIG=)
 *     psql -c 'CREATE EXTENSION migrate'
 *
 * The extension's tables (migrate_catalog, migrate_log, migrate_settings)
 * live in the schema the extension is created in; pg_dump keeps their
 * rows.  Alembic's version table (alembic_version) is created, as Alembic
 * creates it, unqualified: in the first schema of search_path.
 *
 * USAGE
 *
 * Functions returning text (each raises an error on failure):
 *
 *     migrate_load(path)                read an environment directory on the
 *                                       server (every *.sql file with a
 *                                       Revision ID header) into the catalog;
 *                                       superusers and members of
 *                                       pg_read_server_files only
 *     migrate_add(script [, filename])  add one revision from its text
 *     migrate_upgrade([target])         upgrade to target (default: heads);
 *                                       returns the "Running upgrade" lines
 *     migrate_downgrade(target)         downgrade to target (required)
 *     migrate_stamp(target [, purge])   set the version table only
 *     migrate_upgrade_sql([range])      offline mode: the SQL an upgrade would
 *     migrate_downgrade_sql(range)      run, in Alembic's --sql shape
 *                                       (ranges "from:to", or "to")
 *     migrate_show(rev)                 Alembic's `show`
 *     migrate_branches()                Alembic's `branches`
 *     migrate_check()                   is the database at its heads? changed
 *                                       scripts? what to do next
 *     migrate_config(key [, value [, force]])
 *                                       read or write a setting (force:
 *                                       switch version_table away from a
 *                                       table with rows)
 *     migrate_init()                    initialize an empty database: every
 *                                       branch it holds to its head
 *     migrate_verify([auto_migrate])    Galaxy's start-up verification, per
 *                                       branch held (auto_migrate: upgrade,
 *                                       adopt legacy databases)
 *     migrate_revision(message [, head, rev_id, branch_label, depends_on,
 *                      splice])         the text of a new revision script
 *     migrate_merge(revisions, message [, branch_label, rev_id])
 *                                       the text of a merge revision
 *
 * (The SQLite host also writes them to files; a server-side file written
 * by a database function is of little use, so here they are text only:
 * save the result with psql's \g file, then migrate_add it.)
 *
 * Set-returning functions:
 *
 *     migrate_history([range [, indicate_current]])
 *     migrate_heads()
 *     migrate_current([verbose])
 *
 * all with the columns revision, down_revisions, branch_labels, depends_on,
 * message, is_head, is_current, is_branchpoint, is_mergepoint and line
 * (Alembic's one-line text).  migrate_current's verbose only exists for the
 * SQLite host's signature; the rows are the same.  Since 1.1 also:
 *
 *     migrate_status()     where each revision stands (revision, state,
 *                          applied_at timestamptz, applied_by, duration_ms,
 *                          checksum_ok, file, ...; core/status.c)
 *     migrate_functions()  every function with a one-line description
 *
 * and the text functions migrate_graph([format]) (Graphviz DOT) and
 * migrate_version().
 *
 * The start-up barrier of application workers (1.1; reads only):
 *
 *     migrate_wait([target [, timeout_seconds]])
 *                                       return once the database is at
 *                                       target (default: its heads),
 *                                       waiting on the migration lock while
 *                                       a run holds it; fail after
 *                                       timeout_seconds (default 300)
 *
 * Procedures that commit after every step (CALL, outside a transaction
 * block):
 *
 *     CALL migrate_upgrade_steps([target])
 *     CALL migrate_downgrade_steps(target)  (1.2)
 *
 * A NULL argument where a value is required is an error naming the
 * argument; a NULL optional argument means the same as leaving it out.
 *
 * EXAMPLES
 *
 *     =# SELECT migrate_load('/srv/app/migrations');
 *     11 revisions: 11 added, 0 replaced, 0 unchanged
 *
 *     =# SELECT migrate_upgrade('gxy@head');
 *     NOTICE:  Running upgrade  -> e7b6dcb09efd, create gxy base
 *     ...
 *
 *     =# SELECT line FROM migrate_heads();
 *     a2e418ad6a15 (gxy) (head)
 *     5555bbbb0002 (tsi) (head)
 *
 *     =# SELECT migrate_upgrade('head');
 *     ERROR:  Multiple head revisions are present for given argument 'head';
 *     please specify a specific target revision, '<branchname>@head' to
 *     narrow to a specific head, or 'heads' for all heads
 *
 * A revision statement that fails raises the database's own error (its
 * SQLSTATE, message, detail and hint) with the engine's context:
 *
 *     ERROR:  relation "missing" does not exist
 *     HINT:  Nothing was changed: the whole run was rolled back. ...
 *     CONTEXT:  upgrade of revision 7777aaaa0001 ("x"), file "x.sql",
 *     statement 2: INSERT INTO missing VALUES (1)
 *
 * The engine's own errors carry the SQLSTATEs of core/mg.h (MG_STATE_*).
 *
 * HOW IT WORKS
 *
 * This file is a host: it parses arguments, calls the engine's commands
 * (core/mg.h, mg_cmd_*), and turns their results and errors into
 * PostgreSQL's.  Everything about revisions, identifiers, plans and
 * reports is in the core.  Each SQL call:
 *
 *   - creates a private memory context under the caller's; the engine's
 *     allocator hook allocates in it with MCXT_ALLOC_NO_OOM (the engine
 *     sees NULL, not a longjmp, when memory runs out), and it is deleted
 *     before the call returns; results are copied to the caller's context;
 *   - connects to SPI for the duration of the command;
 *   - implements the engine's host callbacks:
 *
 *   query       every parameter of type text; a text the call has run
 *               before runs from a prepared plan (below), a new one with
 *               SPI_execute_with_args; a query whose rows the engine
 *               wants runs with SPI_execute_extended and a DestReceiver
 *               that hands each row to the engine as column texts as the
 *               executor produces it (no tuple table of the whole result);
 *               *changes is SPI_processed after INSERT, UPDATE, DELETE.
 *   run_script  the revision body is split into statements by PostgreSQL's
 *               own parser (raw_parser: stmt_location / stmt_len), and each
 *               runs with SPI_execute; the number and text of a failing
 *               statement go into the error.
 *   begin       pg_advisory_xact_lock(MIGRATE_LOCK_KEY), held until the
 *               caller's transaction ends, so two sessions never plan from
 *               the same version table (the second one waits, then sees the
 *               first one's rows, in READ COMMITTED); then an internal
 *               subtransaction: the run's savepoint inside the caller's
 *               transaction, so a failing run leaves nothing behind and the
 *               caller's ROLLBACK undoes a successful one.
 *   commit      ReleaseCurrentSubTransaction.
 *   rollback    RollbackAndReleaseCurrentSubTransaction (nothing when an
 *               error has rolled the unit back already, see below).
 *   notice      ereport(NOTICE): progress ("Running upgrade ...").
 *   now         the clock (clock_timestamp), UTC, as text.
 *   limits      lock_timeout for the unit's statements (a GUC at a nest
 *               level of its own, so the caller's value comes back), a
 *               timer that notes the lock a statement waits for (so a
 *               timed-out wait can name the relation, the mode and the
 *               blocking backends), statement_timeout per revision body.
 *   sleep       WaitLatch between a run's tries (core/limits.c retries).
 *   wait        migrate_wait's pause: a session-level shared request for
 *               the migration lock while a run holds it (let go of at
 *               once), else WaitLatch; then the catalog caches read other
 *               sessions' invalidations, so the next look sees new tables.
 *   run_online  only in CALL migrate_upgrade_steps: a "Transactional:
 *               false" body through a loopback dblink connection, sent
 *               asynchronously and polled with commits in between; an
 *               index a failed concurrent build left invalid is dropped.
 *
 * PostgreSQL errors never longjmp through the core: every SPI call (and
 * the lock, and the parser) runs under PG_TRY (trap), and a PostgreSQL
 * error is copied (CopyErrorData), flushed, a subtransaction rolled
 * back as PL/pgSQL's exception blocks do (the memory context and
 * resource owner restored, as exec_stmt_block does), and the error
 * handed to the engine as an MG_EHOST error carrying PostgreSQL's
 * SQLSTATE, message, detail and hint.  The engine gets control back and
 * decides.  Which subtransaction:
 *
 *   - inside the unit (between begin and commit/rollback), the unit's
 *     own (unit_call).  Calls get no subtransaction of their own: each
 *     subtransaction's commit walks everything the transaction has
 *     created so far (AtSubCommit_smgr, AtEOSubXact_RelationCache), so
 *     one per call made a run of N revisions O(N^2).  An error rolls the
 *     unit back at once and marks it aborted; the engine's rollback is
 *     then a no-op, and a query, script or commit on the aborted unit
 *     fails (SQLSTATE 25P02) without touching the database.  The engine
 *     stops at its first host error inside a unit (core/command.c,
 *     run.c, verify.c: every host error is returned, then the session
 *     closes with rollback), so the first error is the one reported.
 *   - outside a unit (every read-only command; a writing command's few
 *     reads before begin, and the lock), one of the call's own (guard):
 *     a handful per command, none of them after the run's DDL, and the
 *     caller's transaction needs no unit to survive the error.
 *
 * The engine's arena (the call's private context) and the error copy
 * live in contexts made before the unit began, so they outlive its
 * rollback.  The callers' error-context callbacks are taken off the
 * stack while a trapped call runs (PG_CATCH puts them back): they would
 * add the caller's context twice, and SPI's would move a parse error's
 * position to internalpos.
 *
 * host_query keeps a small per-call cache of plans keyed by statement
 * text (the engine runs the same texts once per step: the log INSERT,
 * the version table's UPDATE, the script lookup): a text's second run
 * prepares it (SPI_prepare, text parameters) and keeps the plan
 * (SPI_keepplan: a saved plan, so the plan cache revalidates it after a
 * revision's DDL or a search_path change); later runs use
 * SPI_execute_plan.  The plans are freed (SPI_freeplan) when the call
 * ends, however it ends (plan_cache_release; the call context's reset
 * callback catches the rest).
 *
 * The engine's error becomes one ereport(ERROR) (raise_error): the
 * SQLSTATE of the error, its message, detail, hint and context.
 *
 * migrate_upgrade_steps commits after every step: it asks the engine
 * for the plan once (mg_cmd_upgrade_plan), then runs its revisions one
 * at a time (mg_cmd_upgrade_step), each an atomic unit, committing after
 * each.
 *
 * Functions are not SECURITY DEFINER: they run with the caller's
 * privileges on the state tables, the version table and whatever the
 * revision scripts touch.
 *
 * Two C functions are no part of the SQL API: migrate_selftest_unit
 * drives the host's unit as the engine never does (calls on a unit an
 * error has rolled back); tests/pg/unit.pg declares it for its test.
 * migrate_selftest_catalog_rows (pg_catalog_rows.c) gives the rows of
 * the host's catalog reads, which tests/pg/rehearse_steps.t holds
 * against the queries'.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_extension.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "common/hashfn.h"
#include "common/keywords.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "postmaster/postmaster.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pwd.h>
#include <unistd.h>

#include "mg.h"
#include "pg_catalog_rows.h"
/*
 * internal.h is the contract between the core's modules.  The host uses
 * it for the error setters only (mg_error_set, mg_error_detail,
 * mg_error_hint, mg_error_context), so that a failing callback fills the
 * context's error as the host interface requires.
 */
#include "internal.h"

PG_MODULE_MAGIC;

/*
 * The advisory lock every run takes: the ASCII bytes of "migrate" as one
 * bigint (0x6d696772617465).  Advisory locks are per database.
 */
#define MIGRATE_LOCK_KEY INT64CONST(0x6d696772617465)

/*
 * How many distinct statement texts one call's plan cache remembers
 * (a run uses fewer than a dozen); texts beyond it run unprepared.
 */
#define PLAN_CACHE_SIZE 32

/* ------------------------------------------------------------------ */
/* Host state and allocator                                             */
/* ------------------------------------------------------------------ */

/*
 * One statement text host_query has seen in this call.  The plan is
 * prepared (and kept: SPI_keepplan, so the plan cache revalidates it
 * after DDL) when the text comes a second time; NULL until then.
 */
typedef struct plan_entry
{
	char	   *sql;			/* the text, in the call's context */
	size_t		len;
	uint32		hash;
	int			nparams;
	SPIPlanPtr	plan;
} plan_entry;

/*
 * The call's plan cache.  It lives in the call's private context, with
 * the reset callback that frees its plans when that context goes away,
 * whatever way the call ends (plan_cache_release has usually done it).
 */
typedef struct plan_cache
{
	MemoryContextCallback cb;
	int			n;
	plan_entry	e[PLAN_CACHE_SIZE];
} plan_cache;

/* The per-call state behind mg_host.ud. */
typedef struct host_state
{
	MemoryContext priv;			/* the call's context: the engine's arena */
	MemoryContext scratch;		/* one callback's temporaries; reset after */
	char	   *schema;			/* the extension's schema (state tables) */
	plan_cache *plans;			/* in priv */
	bool		in_unit;		/* begin succeeded; no commit/rollback yet */
	bool		unit_aborted;	/* in_unit, and an error rolled the unit back */
	MemoryContext unit_cxt;		/* CurrentMemoryContext before begin */
	ResourceOwner unit_owner;	/* CurrentResourceOwner before begin */
	SubTransactionId unit_subid;	/* the unit's subtransaction */
	/* the run's limits (host_limits), for the open unit */
	long		lock_ms;		/* lock_timeout; 0: the session's own */
	long		stmt_ms;		/* statement_timeout per body; 0: off */
	int			guc_level;		/* GUC nest level of lock_timeout; 0: none */
	bool		online_lock;	/* a session-level hold of the migration lock (online step) */
	bool		watching;		/* schema_changes has started the watch for this call */
	struct watch_rowtype *rowtypes;	/* row types of the relations seen (in priv) */
	int			nrowtypes;
	int			rowtypes_cap;
} host_state;

/*
 * The allocator hook of mg_ctx_new (ud is the call's private context).
 * MCXT_ALLOC_NO_OOM: out of memory is a NULL for the engine, which then
 * fails with MG_ENOMEM; a request PostgreSQL would refuse is a NULL too.
 */
static void *
host_realloc(void *ud, void *ptr, size_t size)
{
	MemoryContext priv = (MemoryContext) ud;

	if (size == 0)
	{
		if (ptr != NULL)
			pfree(ptr);
		return NULL;
	}
	if (!AllocSizeIsValid(size))
		return NULL;
	if (ptr == NULL)
		return MemoryContextAllocExtended(priv, size, MCXT_ALLOC_NO_OOM);
	return repalloc_extended(ptr, size, MCXT_ALLOC_NO_OOM);
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

/* Fill the engine's error from a PostgreSQL error.  Returns MG_EHOST. */
static int
error_from_pg(mg_ctx *ctx, const ErrorData *edata, bool with_context)
{
	mg_error_set(ctx, MG_EHOST, unpack_sql_state(edata->sqlerrcode), "%s",
				 edata->message != NULL ? edata->message : "unknown error");
	if (edata->detail != NULL)
		mg_error_detail(ctx, "%s", edata->detail);
	if (edata->hint != NULL)
		mg_error_hint(ctx, "%s", edata->hint);
	if (with_context && edata->context != NULL)
		mg_error_context(ctx, "%s", edata->context);
	return MG_EHOST;
}

/* A SQLSTATE of five digits or upper-case letters. */
static bool
valid_sqlstate(const char *s)
{
	int			i;

	for (i = 0; i < 5; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return s[5] == '\0';
}

/*
 * Raise the engine's error as a PostgreSQL error.  err is a copy the
 * caller owns (the engine's context is already freed).  Never returns.
 */
static void
raise_error(const mg_error *err, int rc)
{
	int			code;

	if (rc == MG_ENOMEM || err->code == MG_ENOMEM)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 err->detail[0] ? errdetail_internal("%s", err->detail) : 0,
				 err->context[0] ? errcontext("%s", err->context) : 0));
	if (err->message[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("internal error: the engine failed without a message (code %d)", rc)));
	if (valid_sqlstate(err->sqlstate))
		code = MAKE_SQLSTATE(err->sqlstate[0], err->sqlstate[1], err->sqlstate[2],
							 err->sqlstate[3], err->sqlstate[4]);
	else
		code = ERRCODE_INTERNAL_ERROR;
	ereport(ERROR,
			(errcode(code),
			 errmsg_internal("%s", err->message),
			 err->detail[0] ? errdetail_internal("%s", err->detail) : 0,
			 err->hint[0] ? errhint("%s", err->hint) : 0,
			 err->context[0] ? errcontext("%s", err->context) : 0));
}

/* ------------------------------------------------------------------ */
/* The lock watch: which lock a timed-out statement waited for           */
/* ------------------------------------------------------------------ */

/*
 * PostgreSQL's lock timeout error says only "canceling statement due to
 * lock timeout", and by the time it is raised the backend has left the
 * lock's wait queue, so pg_blocking_pids() can no longer say who blocked
 * it.  While a run's unit is open with a lock_timeout, a periodic timer
 * (every lock_timeout/2, at most 250 ms) notes the lock this backend is
 * waiting for, if any, from its own PGPROC; a statement that times out
 * has waited lock_timeout, so the last note is of that wait.  The note is
 * plain copies of our own PGPROC's fields, as a signal handler may take.
 */
#define LOCK_WATCH_MAX_TICK_MS 250

static TimeoutId lock_watch_id = MAX_TIMEOUTS;	/* not registered yet */
static volatile sig_atomic_t lock_watch_seen;
static volatile uint32 lock_watch_tag[4];
static volatile uint8 lock_watch_type;
static volatile uint8 lock_watch_method;
static volatile LOCKMODE lock_watch_mode;

/* The timer's handler (signal context): note the lock waited for. */
static void
lock_watch_tick(void)
{
	PGPROC	   *proc = MyProc;
	LOCK	   *lock;

	if (proc == NULL || (lock = proc->waitLock) == NULL)
		return;
	lock_watch_tag[0] = lock->tag.locktag_field1;
	lock_watch_tag[1] = lock->tag.locktag_field2;
	lock_watch_tag[2] = lock->tag.locktag_field3;
	lock_watch_tag[3] = lock->tag.locktag_field4;
	lock_watch_type = lock->tag.locktag_type;
	lock_watch_method = lock->tag.locktag_lockmethodid;
	lock_watch_mode = proc->waitLockMode;
	lock_watch_seen = 1;
}

/* Start noting lock waits, for a lock_timeout of lock_ms. */
static void
lock_watch_start(long lock_ms)
{
	int			tick = (int) Min(lock_ms / 2, LOCK_WATCH_MAX_TICK_MS);

	if (tick < 1)
		tick = 1;
	if (lock_watch_id == MAX_TIMEOUTS)
		lock_watch_id = RegisterTimeout(USER_TIMEOUT, lock_watch_tick);
	lock_watch_seen = 0;
	enable_timeout_every(lock_watch_id, TimestampTzPlusMilliseconds(GetCurrentTimestamp(), tick),
						 tick);
}

/* Stop the timer (PostgreSQL's error recovery stops it too). */
static void
lock_watch_stop(void)
{
	if (lock_watch_id != MAX_TIMEOUTS && get_timeout_active(lock_watch_id))
		disable_timeout(lock_watch_id, false);
}

/* The unit's limits end with it: the timer stops; lock_timeout comes back. */
static void
limits_end(host_state *hs, bool commit)
{
	lock_watch_stop();
	if (hs->guc_level > 0 && commit)
		AtEOXact_GUC(true, hs->guc_level);
	/* on rollback the subtransaction's abort has restored it already */
	hs->guc_level = 0;
}

/* ------------------------------------------------------------------ */
/* Trapped calls: PostgreSQL errors become engine errors                 */
/* ------------------------------------------------------------------ */

typedef void (*guarded_fn) (void *arg);

static void lock_wait_error(host_state *hs, mg_ctx *ctx);

/*
 * The SQLSTATE of a call on a unit that an error has rolled back
 * (PostgreSQL's in_failed_sql_transaction).
 */
#define MIGRATE_STATE_ABORTED "25P02"

/*
 * Hand a caught PostgreSQL error to the engine and free it.  *sqlerrcode
 * and *cursorpos (each if non-NULL) receive its code and cursor position.
 * Returns MG_EHOST.
 */
static int
caught_error(mg_ctx *ctx, ErrorData *edata, bool with_context,
			 int *sqlerrcode, int *cursorpos)
{
	error_from_pg(ctx, edata, with_context);
	if (sqlerrcode != NULL)
		*sqlerrcode = edata->sqlerrcode;
	if (cursorpos != NULL)
		*cursorpos = edata->cursorpos;
	FreeErrorData(edata);
	return MG_EHOST;
}

/*
 * Run fn(arg) inside an internal subtransaction of its own.  On success
 * the subtransaction is released (its work and locks pass to the
 * parent); on a PostgreSQL error it is rolled back and the error goes
 * into the engine's context.  Memory context and resource owner are
 * restored either way.  Used outside a unit only (see trap).  Returns
 * MG_OK or MG_EHOST; *sqlerrcode (if non-NULL) receives the error's
 * code, *cursorpos its cursor position (0: none).
 */
static int
guard(mg_ctx *ctx, guarded_fn fn, void *arg, bool with_context,
	  int *sqlerrcode, int *cursorpos)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorContextCallback *oldstack = error_context_stack;
	volatile int rc = MG_OK;

	if (sqlerrcode != NULL)
		*sqlerrcode = 0;
	if (cursorpos != NULL)
		*cursorpos = 0;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		/*
		 * The caller's error-context callbacks stay out: they would add the
		 * caller's context twice (once here, once when the engine's error
		 * is raised), and SPI's would move a parse error's position to
		 * internalpos.  PG_CATCH restores the stack.
		 */
		error_context_stack = NULL;
		fn(arg);
		error_context_stack = oldstack;
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		rc = caught_error(ctx, edata, with_context, sqlerrcode, cursorpos);
	}
	PG_END_TRY();
	return rc;
}

/*
 * Roll back the unit's subtransaction after a caught error, as
 * exec_stmt_block does for its own: the memory context and resource
 * owner of before host_begin come back.  The unit stays open, marked
 * aborted, until the engine's rollback (a no-op then) or commit (an
 * error).
 */
static void
unit_abort(host_state *hs)
{
	Assert(hs->in_unit && !hs->unit_aborted);
	Assert(GetCurrentSubTransactionId() == hs->unit_subid);
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(hs->unit_cxt);
	CurrentResourceOwner = hs->unit_owner;
	hs->unit_aborted = true;
	limits_end(hs, false);
}

/* The engine's error for a call on a unit an error has rolled back. */
static int
unit_aborted_error(mg_ctx *ctx)
{
	mg_error_set(ctx, MG_EHOST, MIGRATE_STATE_ABORTED,
				 "the migration unit was rolled back after an error; no statement can run in it");
	mg_error_detail(ctx, "An earlier statement of this call failed, and its error undid everything the call had done.");
	return MG_EHOST;
}

/*
 * Run fn(arg) directly in the open unit's subtransaction, with no
 * subtransaction of its own.  A PostgreSQL error is copied (into the
 * context of before host_begin, which outlives the unit), flushed, and
 * the unit rolled back at once (unit_abort): once an error is raised,
 * nothing more may run in the subtransaction it was raised in.  The
 * error-context stack is handled as guard does.  Returns MG_OK or
 * MG_EHOST, with *sqlerrcode and *cursorpos as guard's.
 */
static int
unit_call(host_state *hs, mg_ctx *ctx, guarded_fn fn, void *arg, bool with_context,
		  int *sqlerrcode, int *cursorpos)
{
	ErrorContextCallback *oldstack = error_context_stack;
	volatile int rc = MG_OK;

	PG_TRY();
	{
		error_context_stack = NULL;
		fn(arg);
		error_context_stack = oldstack;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(hs->unit_cxt);
		edata = CopyErrorData();
		FlushErrorState();
		unit_abort(hs);
		rc = caught_error(ctx, edata, with_context, sqlerrcode, cursorpos);
	}
	PG_END_TRY();
	return rc;
}

/*
 * Run fn(arg) so that a PostgreSQL error comes back as the engine's
 * error: inside the open unit with unit_call (no subtransaction per
 * call), outside one with guard (a subtransaction per call).  A unit an
 * error has rolled back runs nothing: the call fails with
 * MIGRATE_STATE_ABORTED without touching the database.  Returns MG_OK
 * or MG_EHOST; *sqlerrcode and *cursorpos as guard's.
 */
static int
trap(host_state *hs, mg_ctx *ctx, guarded_fn fn, void *arg, bool with_context,
	 int *sqlerrcode, int *cursorpos)
{
	int			code = 0;
	int			rc;

	if (sqlerrcode != NULL)
		*sqlerrcode = 0;
	if (cursorpos != NULL)
		*cursorpos = 0;
	if (!hs->in_unit)
		return guard(ctx, fn, arg, with_context, sqlerrcode, cursorpos);
	if (hs->unit_aborted)
		return unit_aborted_error(ctx);
	lock_watch_seen = 0;
	rc = unit_call(hs, ctx, fn, arg, with_context, &code, cursorpos);
	if (sqlerrcode != NULL)
		*sqlerrcode = code;
	if (rc != MG_OK && code == ERRCODE_LOCK_NOT_AVAILABLE && lock_watch_seen)
		lock_wait_error(hs, ctx);
	return rc;
}

/* The engine's error for an SPI result code that is not an ERROR. */
static int
spi_failure(mg_ctx *ctx, int spi_rc)
{
	switch (spi_rc)
	{
		case SPI_ERROR_TRANSACTION:
			mg_error_set(ctx, MG_EHOST, "0A000",
						 "transaction control statements are not allowed in a revision script");
			mg_error_detail(ctx, "Every revision runs inside the run's own subtransaction of the caller's transaction; "
							"a BEGIN, COMMIT, ROLLBACK, SAVEPOINT or RELEASE in a body would end it or escape it.");
			mg_error_hint(ctx, "Remove the statement from the script (the engine commits the whole run, and CALL migrate_upgrade_steps() commits after each step), "
						  "load it again, and rerun; nothing was changed.");
			return MG_EHOST;
		case SPI_ERROR_COPY:
			mg_error_set(ctx, MG_EHOST, "0A000",
						 "COPY to or from the client is not allowed in a revision script");
			mg_error_hint(ctx, "Write the rows as INSERT statements, or COPY from a file on the server (which needs pg_read_server_files); nothing was changed.");
			return MG_EHOST;
		default:
			return mg_error_set(ctx, MG_EHOST, MG_STATE_INTERNAL, "SPI_execute failed: %s",
								SPI_result_code_string(spi_rc));
	}
}

/* ------------------------------------------------------------------ */
/* The plan cache of host_query                                          */
/* ------------------------------------------------------------------ */

/* Free every plan the cache keeps and forget its texts. */
static void
plan_cache_release(plan_cache *pc)
{
	int			i;

	for (i = 0; i < pc->n; i++)
	{
		SPIPlanPtr	plan = pc->e[i].plan;

		pc->e[i].plan = NULL;
		if (plan != NULL)
			SPI_freeplan(plan);
	}
	pc->n = 0;
}

/* The reset callback of the call's context (arg: the plan_cache). */
static void
plan_cache_reset(void *arg)
{
	plan_cache_release((plan_cache *) arg);
}

/* An empty plan cache in priv, freed with priv. */
static plan_cache *
plan_cache_new(MemoryContext priv)
{
	plan_cache *pc = MemoryContextAllocZero(priv, sizeof(plan_cache));

	pc->cb.func = plan_cache_reset;
	pc->cb.arg = pc;
	MemoryContextRegisterResetCallback(priv, &pc->cb);
	return pc;
}

/*
 * The cache's entry for a text and parameter count, added (without a
 * plan) when new; NULL when the cache is full.  *seen says whether the
 * text came before.  May raise (out of memory): call it trapped.
 */
static plan_entry *
plan_cache_entry(host_state *hs, const char *sql, int nparams, bool *seen)
{
	plan_cache *pc = hs->plans;
	size_t		len = strlen(sql);
	uint32		hash = hash_bytes((const unsigned char *) sql, (int) len);
	plan_entry *e;
	int			i;

	*seen = true;
	for (i = 0; i < pc->n; i++)
	{
		e = &pc->e[i];
		if (e->hash == hash && e->len == len && e->nparams == nparams &&
			memcmp(e->sql, sql, len) == 0)
			return e;
	}
	*seen = false;
	if (pc->n == PLAN_CACHE_SIZE)
		return NULL;
	e = &pc->e[pc->n];
	e->sql = MemoryContextStrdup(hs->priv, sql);
	e->len = len;
	e->hash = hash;
	e->nparams = nparams;
	e->plan = NULL;
	pc->n++;
	return e;
}

/*
 * A kept plan for sql with nparams text parameters, NULL when SPI
 * refuses to prepare it (SPI_execute_with_args then reports why).
 */
static SPIPlanPtr
plan_prepare(const char *sql, int nparams, Oid *types)
{
	/*
	 * Generic: the engine's queries are index lookups whatever the
	 * parameters, and a custom plan would be planned again on every
	 * execution (a rehearsal runs the same schema queries after every
	 * step).
	 */
	SPIPlanPtr	plan = SPI_prepare_cursor(sql, nparams, types, CURSOR_OPT_GENERIC_PLAN);

	if (plan == NULL)
		return NULL;
	if (SPI_keepplan(plan) != 0)
	{
		SPI_freeplan(plan);
		return NULL;
	}
	return plan;
}

/* ------------------------------------------------------------------ */
/* mg_host callbacks                                                    */
/* ------------------------------------------------------------------ */

/* The arguments and results of one query, for the guarded part. */
typedef struct query_args
{
	host_state *hs;
	const char *sql;
	int			nparams;
	const char *const *params;
	mg_row_fn	row;			/* NULL: no rows wanted */
	void	   *arg;
	/* results */
	int			spi_rc;
	uint64		processed;
	int			row_rc;			/* what the row callback returned last (< 0: its error) */
	bool		stopped;		/* the row callback asked for no more rows */
} query_args;

/*
 * The rows of a query go straight from the executor to the engine's row
 * callback, one at a time, as texts in a context reset per row: no
 * tuple table of the whole result is built (the catalog's 10,000 rows
 * were copied into one, then into texts, then into the engine).
 */
typedef struct row_receiver
{
	DestReceiver pub;
	query_args *q;
	MemoryContext per_row;
	int			ncol;
	FmgrInfo   *out;
	Oid		   *types;
	const char **vals;
	bool		select;			/* a plain SELECT: stopping it early changes nothing */
} row_receiver;

static void
rows_startup(DestReceiver *self, int operation, TupleDesc desc)
{
	row_receiver *rr = (row_receiver *) self;

	rr->select = operation == CMD_SELECT;
	rr->ncol = desc->natts;
	rr->out = palloc(sizeof(FmgrInfo) * (rr->ncol > 0 ? rr->ncol : 1));
	rr->types = palloc(sizeof(Oid) * (rr->ncol > 0 ? rr->ncol : 1));
	rr->vals = palloc(sizeof(char *) * (rr->ncol > 0 ? rr->ncol : 1));
	for (int i = 0; i < rr->ncol; i++)
	{
		Oid			typoutput;
		bool		varlena;

		rr->types[i] = TupleDescAttr(desc, i)->atttypid;
		getTypeOutputInfo(rr->types[i], &typoutput, &varlena);
		fmgr_info(typoutput, &rr->out[i]);
	}
}

static bool
rows_receive(TupleTableSlot *slot, DestReceiver *self)
{
	row_receiver *rr = (row_receiver *) self;
	query_args *q = rr->q;
	MemoryContext old;
	int			rc;

	if (q->stopped)
		return true;
	slot_getallattrs(slot);
	old = MemoryContextSwitchTo(rr->per_row);
	for (int i = 0; i < rr->ncol; i++)
	{
		if (slot->tts_isnull[i])
			rr->vals[i] = NULL;
		else if (rr->types[i] == TEXTOID)
			rr->vals[i] = text_to_cstring(DatumGetTextPP(slot->tts_values[i]));
		else
			rr->vals[i] = OutputFunctionCall(&rr->out[i], slot->tts_values[i]);
	}
	MemoryContextSwitchTo(old);
	rc = q->row(q->arg, rr->ncol, rr->vals);
	MemoryContextReset(rr->per_row);
	if (rc != 0)
	{
		q->row_rc = rc;
		q->stopped = true;
		/*
		 * false ends the executor's run, so the rest of the scan is not
		 * read; only for a SELECT (a DML statement with RETURNING must
		 * still change every row it was asked to).
		 */
		return !rr->select;
	}
	return true;
}

static void
rows_shutdown(DestReceiver *self)
{
	(void) self;
}

static void
rows_destroy(DestReceiver *self)
{
	(void) self;
}

static void
query_guarded(void *arg)
{
	query_args *q = arg;
	MemoryContext old = MemoryContextSwitchTo(q->hs->scratch);
	Oid		   *types = NULL;
	Datum	   *values = NULL;
	char	   *nulls = NULL;
	plan_entry *e;
	bool		seen;
	int			i;

	if (q->nparams > 0)
	{
		types = palloc(sizeof(Oid) * q->nparams);
		values = palloc(sizeof(Datum) * q->nparams);
		nulls = palloc(sizeof(char) * q->nparams);
		for (i = 0; i < q->nparams; i++)
		{
			types[i] = TEXTOID;
			if (q->params[i] == NULL)
			{
				values[i] = (Datum) 0;
				nulls[i] = 'n';
			}
			else
			{
				/* texts from files are not checked elsewhere: refuse bad bytes */
				pg_verifymbstr(q->params[i], strlen(q->params[i]), false);
				values[i] = CStringGetTextDatum(q->params[i]);
				nulls[i] = ' ';
			}
		}
	}
	/*
	 * A text seen before runs from the cache's plan (prepared the second
	 * time it comes); a new one unprepared, as a one-off statement is
	 * best run.
	 */
	e = plan_cache_entry(q->hs, q->sql, q->nparams, &seen);
	if (e != NULL && e->plan == NULL && seen)
		e->plan = plan_prepare(q->sql, q->nparams, types);
	if (q->row != NULL)
	{
		SPIExecuteOptions opts;
		row_receiver rr;

		memset(&rr, 0, sizeof(rr));
		rr.pub.receiveSlot = rows_receive;
		rr.pub.rStartup = rows_startup;
		rr.pub.rShutdown = rows_shutdown;
		rr.pub.rDestroy = rows_destroy;
		rr.pub.mydest = DestNone;
		rr.q = q;
		rr.per_row = AllocSetContextCreate(q->hs->scratch, "migrate row", ALLOCSET_SMALL_SIZES);
		memset(&opts, 0, sizeof(opts));
		opts.read_only = false;
		opts.allow_nonatomic = false;
		opts.tcount = 0;
		opts.dest = (DestReceiver *) &rr;
		if (q->nparams > 0)
		{
			ParamListInfo pl = makeParamList(q->nparams);

			for (i = 0; i < q->nparams; i++)
			{
				pl->params[i].value = values[i];
				pl->params[i].isnull = nulls[i] == 'n';
				pl->params[i].pflags = PARAM_FLAG_CONST;
				pl->params[i].ptype = TEXTOID;
			}
			opts.params = pl;
		}
		if (e != NULL && e->plan != NULL)
			q->spi_rc = SPI_execute_plan_extended(e->plan, &opts);
		else
			q->spi_rc = SPI_execute_extended(q->sql, &opts);
	}
	else if (e != NULL && e->plan != NULL)
		q->spi_rc = SPI_execute_plan(e->plan, values, nulls, false, 0);
	else
		q->spi_rc = SPI_execute_with_args(q->sql, q->nparams, types, values, nulls, false, 0);
	q->processed = SPI_processed;
	if (SPI_tuptable != NULL)
		SPI_freetuptable(SPI_tuptable);
	MemoryContextSwitchTo(old);
}

/*
 * query: one statement, text parameters $1..$n, rows to row().  A row
 * callback returning a negative MG_E* code stops the rows and that code
 * is returned (the callback set the error); a positive value just stops.
 */
static int
host_query(void *ud, mg_ctx *ctx, const char *sql, int nparams,
		   const char *const *params, mg_row_fn row, void *arg, long *changes)
{
	host_state *hs = ud;
	query_args	q;
	int			rc;

	if (changes != NULL)
		*changes = 0;
	memset(&q, 0, sizeof(q));
	q.hs = hs;
	q.sql = sql;
	q.nparams = nparams;
	q.params = params;
	q.row = row;
	q.arg = arg;
	rc = trap(hs, ctx, query_guarded, &q, true, NULL, NULL);
	if (rc == MG_OK && q.spi_rc < 0)
		rc = spi_failure(ctx, q.spi_rc);
	if (rc == MG_OK)
	{
		if (changes != NULL &&
			(q.spi_rc == SPI_OK_INSERT || q.spi_rc == SPI_OK_UPDATE ||
			 q.spi_rc == SPI_OK_DELETE || q.spi_rc == SPI_OK_INSERT_RETURNING ||
			 q.spi_rc == SPI_OK_UPDATE_RETURNING || q.spi_rc == SPI_OK_DELETE_RETURNING ||
			 q.spi_rc == SPI_OK_MERGE))
			*changes = (long) q.processed;
		if (q.row_rc < 0)
			rc = q.row_rc;		/* the row callback's error, already set */
	}
	MemoryContextReset(hs->scratch);
	return rc;
}

/*
 * Where the statements of a revision body end: the top-level ';' tokens
 * of PostgreSQL's own scanner, with psql's rule for the bodies of
 * CREATE FUNCTION / PROCEDURE ... BEGIN ATOMIC ... END (a ';' inside
 * them ends nothing).  Only the scanner runs, never the parser over the
 * whole body: a body of tens of megabytes is then parsed one statement
 * at a time, by SPI, and its parse trees never pile up.  Filled as the
 * scan goes, so a scanner error (an unterminated quote) still leaves
 * the statements found before it.
 */
typedef struct bounds_args
{
	host_state *hs;
	const char *sql;
	int		   *start;			/* byte offsets: statement i is [start[i], end[i]) */
	int		   *end;
	int			n;
	int			cap;
	int			next;			/* where the statement being scanned starts */
} bounds_args;

/* Is the word at s (letters, digits, '_') w, without case?  Quoted names never are. */
static bool
word_at(const char *s, const char *w)
{
	size_t		n = strlen(w);

	return pg_strncasecmp(s, w, n) == 0 &&
		!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
		  (s[n] >= '0' && s[n] <= '9') || s[n] == '_' || (unsigned char) s[n] >= 0x80);
}

static void
bounds_push(bounds_args *b, int end)
{
	if (b->n == b->cap)
	{
		b->cap *= 2;
		b->start = repalloc(b->start, b->cap * sizeof(int));
		b->end = repalloc(b->end, b->cap * sizeof(int));
	}
	b->start[b->n] = b->next;
	b->end[b->n] = end;
	b->n++;
}

static void
bounds_guarded(void *arg)
{
	bounds_args *b = arg;
	MemoryContext old = MemoryContextSwitchTo(b->hs->scratch);
	MemoryContext lex = AllocSetContextCreate(b->hs->scratch, "migrate scanner", ALLOCSET_SMALL_SIZES);
	core_yy_extra_type yyextra;
	core_yyscan_t scanner;
	char		head[4] = {0};	/* psql's: the first letters of CREATE [OR REPLACE] FUNCTION|PROCEDURE */
	int			nwords = 0;
	int			paren = 0;
	int			begin_depth = 0;
	bool		tokens = false;
	long		ntok = 0;

	b->cap = 64;
	b->start = palloc(b->cap * sizeof(int));
	b->end = palloc(b->cap * sizeof(int));
	scanner = scanner_init(b->sql, &yyextra, &ScanKeywords, ScanKeywordTokens);
	/* the tokens' own strings go to a context emptied as the scan goes */
	MemoryContextSwitchTo(lex);
	for (;;)
	{
		core_YYSTYPE yylval;
		YYLTYPE		yylloc;
		int			tok = core_yylex(&yylval, &yylloc, scanner);
		const char *w = b->sql + yylloc;

		if (tok == 0)
			break;
		if ((++ntok & 4095) == 0)
		{
			MemoryContextReset(lex);
			CHECK_FOR_INTERRUPTS();
		}
		if (tok == ';' && paren == 0 && begin_depth == 0)
		{
			if (tokens)
				bounds_push(b, yylloc);
			b->next = yylloc + 1;
			tokens = false;
			nwords = 0;
			memset(head, 0, sizeof(head));
			continue;
		}
		tokens = true;
		if (tok == '(')
			paren++;
		else if (tok == ')' && paren > 0)
			paren--;
		else if ((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z') || *w == '_')
		{
			if (nwords < 4 && (word_at(w, "create") || word_at(w, "or") || word_at(w, "replace") ||
							   word_at(w, "function") || word_at(w, "procedure")))
				head[nwords] = pg_tolower((unsigned char) *w);
			nwords++;
			if (head[0] == 'c' && paren == 0 &&
				(head[1] == 'f' || head[1] == 'p' ||
				 (head[1] == 'o' && head[2] == 'r' && (head[3] == 'f' || head[3] == 'p'))))
			{
				if (word_at(w, "begin"))
					begin_depth++;
				else if (word_at(w, "case") && begin_depth >= 1)
					begin_depth++;
				else if (word_at(w, "end") && begin_depth > 0)
					begin_depth--;
			}
		}
	}
	if (tokens)
		bounds_push(b, (int) strlen(b->sql));
	scanner_finish(scanner);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(lex);
}

/* One statement of a body, for the guarded part. */
typedef struct exec_args
{
	const char *sql;			/* NUL-terminated copy of the statement */
	int			spi_rc;
} exec_args;

static void
exec_guarded(void *arg)
{
	exec_args  *e = arg;

	e->spi_rc = SPI_execute(e->sql, false, 0);
	if (SPI_tuptable != NULL)
		SPI_freetuptable(SPI_tuptable);
}

/*
 * statement_timeout per step: PostgreSQL arms its statement timer when a
 * client's statement starts, so the GUC set inside a call changes
 * nothing for that call; the step arms the same timer itself (its
 * message stays PostgreSQL's "canceling statement due to statement
 * timeout"), never later than the caller's own deadline, and puts the
 * caller's back afterwards.
 */
typedef struct step_timeout
{
	TimestampTz deadline;		/* 0: not armed */
	bool		had;			/* the caller's timer was running */
	TimestampTz caller_fin;
} step_timeout;

static void
step_timeout_start(host_state *hs, step_timeout *st)
{
	memset(st, 0, sizeof(*st));
	if (!hs->in_unit || hs->stmt_ms <= 0)
		return;
	st->had = get_timeout_active(STATEMENT_TIMEOUT);
	st->caller_fin = st->had ? get_timeout_finish_time(STATEMENT_TIMEOUT) : 0;
	st->deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), hs->stmt_ms);
	if (!st->had || st->deadline < st->caller_fin)
		enable_timeout_at(STATEMENT_TIMEOUT, st->deadline);
}

static void
step_timeout_end(step_timeout *st)
{
	if (st->deadline == 0)
		return;
	if (st->had)
		enable_timeout_at(STATEMENT_TIMEOUT, st->caller_fin);
	else
		disable_timeout(STATEMENT_TIMEOUT, false);
}

/* A canceled statement after the step's deadline: say which limit it was. */
static void
step_timeout_blame(host_state *hs, mg_ctx *ctx, const step_timeout *st)
{
	if (st->deadline == 0 || GetCurrentTimestamp() < st->deadline ||
		(st->had && st->caller_fin <= st->deadline))
		return;
	mg_error_detail(ctx, "The step ran longer than migrate's statement_timeout setting (%ldms).",
					hs->stmt_ms);
	mg_error_hint(ctx, "Nothing was changed. Make the step shorter (for example CREATE INDEX CONCURRENTLY in a \"Transactional: false\" revision), or raise the limit: SELECT migrate_config('statement_timeout', '10min').");
}

/*
 * run_script: every statement of a revision body, in order.  On failure
 * the error holds PostgreSQL's words, *failed_statement the statement's
 * number and the context its text.
 */
static int
host_run_script(void *ud, mg_ctx *ctx, const char *sql, int *failed_statement)
{
	host_state *hs = ud;
	bounds_args b;
	int			len = (int) strlen(sql);
	step_timeout st;
	int			sqlerrcode;
	int			rc;

	*failed_statement = 0;
	if (hs->in_unit && hs->unit_aborted)
		return unit_aborted_error(ctx);
	memset(&b, 0, sizeof(b));
	b.hs = hs;
	b.sql = sql;
	rc = trap(hs, ctx, bounds_guarded, &b, false, NULL, NULL);
	if (rc != MG_OK)
	{
		/* the scanner's error (an unterminated quote): in the statement after the last one found */
		*failed_statement = b.n + 1;
		mg_error_statement(ctx, sql + b.next, sql + len);
		MemoryContextReset(hs->scratch);
		return rc;
	}

	step_timeout_start(hs, &st);
	for (int i = 0; i < b.n; i++)
	{
		int			start = b.start[i];
		int			slen = b.end[i] - start;
		exec_args	e;

		e.sql = pnstrdup(sql + start, slen);
		e.spi_rc = 0;
		rc = trap(hs, ctx, exec_guarded, &e, false, &sqlerrcode, NULL);
		if (rc == MG_OK && e.spi_rc < 0)
			rc = spi_failure(ctx, e.spi_rc);
		else if (rc != MG_OK && sqlerrcode == ERRCODE_INVALID_TRANSACTION_TERMINATION &&
				 mg_ctx_error(ctx)->hint[0] == '\0')
			mg_error_hint(ctx, "A procedure called from a revision cannot commit or roll back: the run is one transaction. "
						  "Remove the COMMIT or ROLLBACK from the procedure, or call it outside a revision; nothing was changed.");
		pfree((void *) e.sql);
		if (rc != MG_OK)
		{
			*failed_statement = i + 1;
			mg_error_statement(ctx, sql + start, sql + start + slen);
			if (sqlerrcode == ERRCODE_QUERY_CANCELED)
				step_timeout_blame(hs, ctx, &st);
			break;
		}
	}
	step_timeout_end(&st);
	MemoryContextReset(hs->scratch);
	return rc;
}

/*
 * Let go of the session-level hold of the migration lock an online step
 * took (see host_run_online), if any.
 */
static void
online_lock_release(host_state *hs)
{
	if (!hs->online_lock)
		return;
	hs->online_lock = false;
	(void) DirectFunctionCall1(pg_advisory_unlock_int8, Int64GetDatum(MIGRATE_LOCK_KEY));
}

/*
 * The unit open in this backend, if any: a revision body that calls
 * migrate_upgrade() (or any function that changes the database) would
 * open a second unit inside the first, planned from a version table the
 * outer run has not written yet, and recurse until the stack runs out.
 * begin refuses while a unit is open.  Set by begin, cleared by commit
 * and rollback, and by a reset callback on the call's context when an
 * error or a cancel leaves the call by longjmp (the context goes with
 * the aborted (sub)transaction's memory).
 */
static const host_state *open_unit = NULL;

static void
open_unit_forget(void *arg)
{
	if (open_unit == arg)
		open_unit = NULL;
}

/* The error of a function that changes the database, called from inside a run. */
static int
nested_run_error(mg_ctx *ctx)
{
	mg_error_set(ctx, MG_EHOST, "55006",
				 "cannot change the database from inside a run: a migration is in progress in this session");
	mg_error_detail(ctx, "A revision script called migrate_upgrade() or another function that changes the database "
					"while the engine was running revisions in the same session; the nested run would plan from "
					"a version table the outer run has not written yet.");
	mg_error_hint(ctx, "Remove the call from the revision script. To run more revisions, give the outer call a later target.");
	return MG_EHOST;
}

/*
 * What a run plans from, as one text: the log (every run that moves the
 * version table logs its steps in the same transaction), the catalog
 * and the settings.  Every name is schema-qualified, so the query means
 * the same whatever search_path says.
 */
static char *
state_fingerprint_sql(const host_state *hs)
{
	const char *s = quote_identifier(hs->schema);

	return psprintf("SELECT pg_catalog.concat_ws(' ', "
					"(SELECT pg_catalog.count(*) FROM %s.migrate_log), "
					"(SELECT pg_catalog.max(id) FROM %s.migrate_log), "
					"(SELECT pg_catalog.count(*) FROM %s.migrate_catalog), "
					"(SELECT pg_catalog.max(seq) FROM %s.migrate_catalog), "
					"(SELECT pg_catalog.sum(pg_catalog.hashtext(checksum)) FROM %s.migrate_catalog), "
					"(SELECT pg_catalog.md5(pg_catalog.string_agg(pg_catalog.concat(key, '=', value), ',' ORDER BY key)) "
					"FROM %s.migrate_settings))", s, s, s, s, s, s);
}

/* The fingerprint under the transaction's snapshot and under the latest one. */
typedef struct stale_args
{
	host_state *hs;
	bool		stale;
} stale_args;

static char *
fingerprint_under(SPIPlanPtr plan, Snapshot snap)
{
	char	   *v;

	if (SPI_execute_snapshot(plan, NULL, NULL, snap, InvalidSnapshot, true, false, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not read the migration state");
	v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	SPI_freetuptable(SPI_tuptable);
	return v != NULL ? v : pstrdup("");
}

static void
stale_guarded(void *arg)
{
	stale_args *a = arg;
	MemoryContext old = MemoryContextSwitchTo(a->hs->scratch);
	SPIPlanPtr	plan = SPI_prepare(state_fingerprint_sql(a->hs), 0, NULL);
	char	   *mine;
	char	   *latest;

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	mine = fingerprint_under(plan, GetTransactionSnapshot());
	latest = fingerprint_under(plan, GetLatestSnapshot());
	a->stale = strcmp(mine, latest) != 0;
	SPI_freeplan(plan);
	MemoryContextSwitchTo(old);
}

/*
 * Under REPEATABLE READ and SERIALIZABLE the transaction's snapshot was
 * taken before the lock (by the statement that calls the engine, at the
 * latest): a run that another session committed while this one waited,
 * or just before, is invisible to it, and planning from that snapshot
 * would apply the same steps again.  So once the lock is held, the state
 * a run plans from is read under the transaction's snapshot and under
 * the latest one; when they differ the call is refused (40001, the code
 * retry loops know) before anything runs.  READ COMMITTED needs no check:
 * every statement after the lock takes a new snapshot.
 */
static int
check_snapshot_fresh(host_state *hs, mg_ctx *ctx)
{
	stale_args	a;
	int			rc;

	if (!IsolationUsesXactSnapshot())
		return MG_OK;
	a.hs = hs;
	a.stale = false;
	rc = guard(ctx, stale_guarded, &a, false, NULL, NULL);
	MemoryContextReset(hs->scratch);
	if (rc != MG_OK || !a.stale)
		return rc;
	mg_error_set(ctx, MG_EHOST, "40001",
				 "could not serialize access: another migration committed after this transaction's snapshot was taken");
	mg_error_detail(ctx, "The transaction runs at %s, so it cannot see what the other run did to the version table "
					"and the catalog, and would apply the same steps again.",
					IsolationIsSerializable() ? "SERIALIZABLE" : "REPEATABLE READ");
	mg_error_hint(ctx, "Retry the transaction: it will see the other run's work. Or call the engine at READ COMMITTED "
				  "(the default), where it waits for the other run and continues from it; nothing was changed.");
	return MG_EHOST;
}

static void
lock_guarded(void *arg)
{
	(void) arg;
	DirectFunctionCall1(pg_advisory_xact_lock_int8, Int64GetDatum(MIGRATE_LOCK_KEY));
}

/*
 * begin: the advisory lock (kept until the caller's transaction ends),
 * then the run's subtransaction.
 */
static int
host_begin(void *ud, mg_ctx *ctx)
{
	host_state *hs = ud;
	int			sqlerrcode;
	int			rc;

	if (hs->in_unit)
		return mg_error_set(ctx, MG_EHOST, MG_STATE_INTERNAL,
							"a migration unit is already open in this call");
	if (open_unit != NULL)
		return nested_run_error(ctx);
	rc = guard(ctx, lock_guarded, NULL, false, &sqlerrcode, NULL);
	if (rc != MG_OK)
	{
		if (sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE)
		{
			char		why[sizeof(((mg_error *) 0)->message)];

			strlcpy(why, mg_ctx_error(ctx)->message, sizeof(why));
			mg_error_set(ctx, MG_EHOST, MG_STATE_LOCKED, "database is busy");
			mg_error_detail(ctx, "Another session holds the migration lock of this database (PostgreSQL: %s).",
							why);
			mg_error_hint(ctx, "Retry, or wait for the other migration: raise lock_timeout.");
		}
		return rc;
	}
	online_lock_release(hs);	/* the unit holds the lock now */
	if ((rc = check_snapshot_fresh(hs, ctx)) != MG_OK)
		return rc;
	hs->unit_cxt = CurrentMemoryContext;
	hs->unit_owner = CurrentResourceOwner;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(hs->unit_cxt);
	hs->unit_subid = GetCurrentSubTransactionId();
	hs->in_unit = true;
	hs->unit_aborted = false;
	open_unit = hs;
	return MG_OK;
}

/*
 * rollback: undo the unit; never touches the context's error.  A unit
 * an error has rolled back already (unit_abort) is just closed.
 */
static void
host_rollback(void *ud, mg_ctx *ctx)
{
	host_state *hs = ud;

	(void) ctx;
	if (!hs->in_unit)
		return;
	hs->in_unit = false;
	open_unit_forget(hs);
	if (hs->unit_aborted)
	{
		hs->unit_aborted = false;
		return;
	}
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(hs->unit_cxt);
	CurrentResourceOwner = hs->unit_owner;
	limits_end(hs, false);
}

/*
 * commit: release the unit's subtransaction into the caller's
 * transaction.  A unit an error has rolled back cannot be committed:
 * it is closed, and the call fails (MIGRATE_STATE_ABORTED).
 */
static int
host_commit(void *ud, mg_ctx *ctx)
{
	host_state *hs = ud;

	if (!hs->in_unit)
		return mg_error_set(ctx, MG_EHOST, MG_STATE_INTERNAL,
							"no migration unit is open in this call");
	hs->in_unit = false;
	open_unit_forget(hs);
	if (hs->unit_aborted)
	{
		hs->unit_aborted = false;
		mg_error_set(ctx, MG_EHOST, MIGRATE_STATE_ABORTED,
					 "the migration unit was rolled back after an error; it cannot be committed");
		mg_error_detail(ctx, "An earlier statement of this call failed, and its error undid everything the call had done.");
		return MG_EHOST;
	}
	limits_end(hs, true);
	ReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(hs->unit_cxt);
	CurrentResourceOwner = hs->unit_owner;
	return MG_OK;
}

/*
 * notice: progress as a NOTICE; the engine's "WARNING: " texts as a
 * WARNING.
 */
static void
host_notice(void *ud, const char *text)
{
	(void) ud;
	if (strncmp(text, "WARNING: ", 9) == 0)
		ereport(WARNING, (errmsg_internal("%s", text + 9)));
	else
		ereport(NOTICE, (errmsg_internal("%s", text)));
}

/* now: "YYYY-MM-DD HH:MM:SS.ffffff", UTC (clock_timestamp()). */
static void
host_now(void *ud, char *buf, size_t cap)
{
	struct pg_tm tm;
	fsec_t		fsec;

	(void) ud;
	if (cap == 0)
		return;
	if (timestamp2tm(GetCurrentTimestamp(), NULL, &tm, &fsec, NULL, NULL) != 0)
	{
		snprintf(buf, cap, "1970-01-01 00:00:00.000000");
		return;
	}
	snprintf(buf, cap, "%04d-%02d-%02d %02d:%02d:%02d.%06d",
			 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int) fsec);
}

/* ------------------------------------------------------------------ */
/* Lock and step limits (core/limits.c decides; this applies them)        */
/* ------------------------------------------------------------------ */

/*
 * limits: lock_timeout for every statement of the unit (a GUC at a nest
 * level of its own, as a function's SET clause does, so the caller's
 * value comes back when the unit ends either way) and the lock watch;
 * statement_timeout is kept for host_run_script.
 */
static int
host_limits(void *ud, mg_ctx *ctx, long lock_ms, long stmt_ms)
{
	host_state *hs = ud;
	char		value[32];

	(void) ctx;
	hs->stmt_ms = stmt_ms;
	hs->lock_ms = lock_ms;
	if (lock_ms > 0 && hs->in_unit)
	{
		snprintf(value, sizeof(value), "%ldms", lock_ms);
		hs->guc_level = NewGUCNestLevel();
		(void) set_config_option("lock_timeout", value, PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		lock_watch_start(lock_ms);
	}
	return MG_OK;
}

/* sleep: an interruptible pause (a cancel request ends the call here). */
static void
host_sleep(void *ud, long ms)
{
	TimestampTz end = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms);

	(void) ud;
	for (;;)
	{
		long		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), end);

		if (left <= 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, left,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * wait (migrate_wait): when a run holds the migration lock, wait for it
 * as a session-level shared lock request under a lock_timeout of ms,
 * and let go of the lock at once; otherwise pause ms.  Outside any unit.
 */
typedef struct wait_args
{
	long		ms;
	bool		free;			/* no run held the lock */
} wait_args;

static void
wait_guarded(void *arg)
{
	wait_args  *w = arg;
	Datum		key = Int64GetDatum(MIGRATE_LOCK_KEY);
	char		value[32];
	int			level;

	w->free = DatumGetBool(DirectFunctionCall1(pg_try_advisory_lock_shared_int8, key));
	if (!w->free)
	{
		snprintf(value, sizeof(value), "%ldms", w->ms);
		level = NewGUCNestLevel();
		(void) set_config_option("lock_timeout", value, PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		DirectFunctionCall1(pg_advisory_lock_shared_int8, key);
		AtEOXact_GUC(true, level);
	}
	DirectFunctionCall1(pg_advisory_unlock_shared_int8, key);
}

static int
host_wait(void *ud, mg_ctx *ctx, long ms, int *running)
{
	wait_args	w;
	int			code;
	int			rc;

	*running = 0;
	w.ms = ms > 0 ? ms : 1;
	w.free = false;
	rc = guard(ctx, wait_guarded, &w, false, &code, NULL);
	if (rc == MG_OK && w.free)
		host_sleep(ud, ms);
	else
	{
		*running = 1;
		if (rc != MG_OK && code == ERRCODE_LOCK_NOT_AVAILABLE)
		{
			/* the run still holds it after ms: time to look again */
			mg_error_clear(ctx);
			rc = MG_OK;
		}
	}
	/*
	 * The next look must see tables other sessions created meanwhile (the
	 * version table of a first run): a lookup that takes no lock reads
	 * the catalog caches, which learn of other sessions' commits only
	 * when the invalidation messages are read.
	 */
	AcceptInvalidationMessages();
	InvalidateCatalogSnapshot();
	return rc;
}

/* Who holds a lock that a timed-out statement waited for, for the guarded part. */
typedef struct blockers_args
{
	LOCKTAG		tag;
	LOCKMODE	mode;
	char		what[NAMEDATALEN * 2 + 64];	/* "relation \"s.t\"" */
	char		list[640];		/* "pid 1 (user ...); pid 2 (...)" */
	char		pids[128];		/* "1, 2" */
} blockers_args;

/*
 * pg_blocking_pids' hard blockers, asked of pg_locks after the wait: the
 * other backends holding a granted lock on the same object in a mode that
 * conflicts with the one wanted, with pg_stat_activity's view of them.
 */
static const char *const blockers_sql =
	"SELECT pg_catalog.string_agg(pg_catalog.format("
	"'pid %s (user \"%s\", application \"%s\", state \"%s\", transaction open for %s, query started at %s)', "
	"a.pid, a.usename, a.application_name, coalesce(a.state, 'unknown'), "
	"pg_catalog.date_trunc('second', pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) a.xact_start), "
	"pg_catalog.date_trunc('second', a.query_start)), '; ' ORDER BY a.xact_start, a.pid), "
	"pg_catalog.string_agg(a.pid::pg_catalog.text, ', ' ORDER BY a.xact_start, a.pid) "
	"FROM pg_catalog.pg_stat_activity a WHERE a.pid OPERATOR(pg_catalog.=) ANY ("
	" SELECT l.pid FROM pg_catalog.pg_locks l"
	" WHERE l.granted AND l.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()"
	" AND l.mode OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])"
	" AND CASE $2 WHEN 'relation' THEN l.locktype OPERATOR(pg_catalog.=) 'relation'"
	"  AND l.database OPERATOR(pg_catalog.=) $3::pg_catalog.oid"
	"  AND l.relation OPERATOR(pg_catalog.=) $4::pg_catalog.oid"
	" ELSE l.locktype OPERATOR(pg_catalog.=) 'transactionid'"
	"  AND l.transactionid OPERATOR(pg_catalog.=) $3::pg_catalog.xid END)";

static void
blockers_guarded(void *arg)
{
	blockers_args *b = arg;
	LockMethod	method = GetLockTagsMethodTable(&b->tag);
	StringInfoData modes;
	Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	bool		relation = b->tag.locktag_type == LOCKTAG_RELATION;

	if (relation)
	{
		Oid			relid = b->tag.locktag_field2;
		char	   *name = get_rel_name(relid);
		char	   *nsp = name != NULL ? get_namespace_name(get_rel_namespace(relid)) : NULL;

		if (name != NULL && nsp != NULL)
			snprintf(b->what, sizeof(b->what), "relation \"%s.%s\"", nsp, name);
		else
			snprintf(b->what, sizeof(b->what), "relation %u", relid);
	}
	else if (b->tag.locktag_type == LOCKTAG_TRANSACTION)
		snprintf(b->what, sizeof(b->what), "transaction %u", b->tag.locktag_field1);
	else
	{
		snprintf(b->what, sizeof(b->what), "a lock of type \"%s\"",
				 LockTagTypeNames[b->tag.locktag_type]);
		return;
	}
	initStringInfo(&modes);
	appendStringInfoChar(&modes, '{');
	for (int m = 1; m <= method->numLockModes; m++)
		if (method->conflictTab[b->mode] & LOCKBIT_ON(m))
			appendStringInfo(&modes, "%s%s", modes.len > 1 ? "," : "",
							 GetLockmodeName(b->tag.locktag_lockmethodid, m));
	appendStringInfoChar(&modes, '}');
	values[0] = CStringGetTextDatum(modes.data);
	values[1] = CStringGetTextDatum(relation ? "relation" : "transactionid");
	values[2] = CStringGetTextDatum(psprintf("%u", relation ? b->tag.locktag_field1 : b->tag.locktag_field1));
	values[3] = CStringGetTextDatum(psprintf("%u", b->tag.locktag_field2));
	if (SPI_execute_with_args(blockers_sql, 4, types, values, nulls, true, 1) == SPI_OK_SELECT &&
		SPI_processed == 1)
	{
		char	   *list = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char	   *pids = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

		if (list != NULL)
			strlcpy(b->list, list, sizeof(b->list));
		if (pids != NULL)
			strlcpy(b->pids, pids, sizeof(b->pids));
	}
	if (SPI_tuptable != NULL)
		SPI_freetuptable(SPI_tuptable);
}

/*
 * A statement's lock wait timed out (the lock watch saw the wait): the
 * error names the lock mode, the object and who holds it, in place of
 * "canceling statement due to lock timeout".  SQLSTATE stays 55P03, which
 * core/limits.c retries.
 */
static void
lock_wait_error(host_state *hs, mg_ctx *ctx)
{
	blockers_args b;
	mg_error	saved = *mg_ctx_error(ctx);
	const char *mode;

	memset(&b, 0, sizeof(b));
	b.tag.locktag_field1 = lock_watch_tag[0];
	b.tag.locktag_field2 = lock_watch_tag[1];
	b.tag.locktag_field3 = lock_watch_tag[2];
	b.tag.locktag_field4 = (uint16) lock_watch_tag[3];
	b.tag.locktag_type = lock_watch_type;
	b.tag.locktag_lockmethodid = lock_watch_method;
	b.mode = lock_watch_mode;
	lock_watch_seen = 0;
	if (b.tag.locktag_lockmethodid != DEFAULT_LOCKMETHOD &&
		b.tag.locktag_lockmethodid != USER_LOCKMETHOD)
		return;
	mode = GetLockmodeName(b.tag.locktag_lockmethodid, b.mode);
	/* outside the unit, which the error has rolled back */
	if (guard(ctx, blockers_guarded, &b, false, NULL, NULL) != MG_OK && b.what[0] == '\0')
	{
		*mg_ctx_error_mut(ctx) = saved;
		return;
	}
	*mg_ctx_error_mut(ctx) = saved;
	mg_error_set(ctx, MG_EHOST, MG_STATE_LOCKED,
				 "could not obtain %s on %s within lock_timeout (%ldms)", mode, b.what, hs->lock_ms);
	if (b.list[0] != '\0' && b.tag.locktag_type == LOCKTAG_TRANSACTION)
		mg_error_detail(ctx, "The statement waits for a row that %s has locked or changed, in %s.",
						b.what, b.list);
	else if (b.list[0] != '\0')
		mg_error_detail(ctx, "Blocked by %s.", b.list);
	else
		mg_error_detail(ctx, "No other session holds a conflicting lock any more: the blocking transaction ended after the wait timed out.");
	if (b.pids[0] != '\0')
		mg_error_hint(ctx, "Let the blocking transaction finish or end it (SELECT pg_terminate_backend(pid) for pid %s), then run again; migrate_config's lock_timeout and lock_retries set how long a run waits.",
					  b.pids);
	else
		mg_error_hint(ctx, "Run again; migrate_config's lock_timeout and lock_retries set how long a run waits.");
	mg_error_context(ctx, "%s", saved.context);
}

/* ------------------------------------------------------------------ */
/* Online steps: "Transactional: false" bodies through loopback dblink   */
/* ------------------------------------------------------------------ */

/*
 * CALL migrate_upgrade_steps runs a step marked "Transactional: false"
 * (CREATE INDEX CONCURRENTLY, VACUUM, ALTER TYPE ... ADD VALUE on old
 * servers) here, between two units (core/online.c).  Its statements go
 * one at a time to a second session of this server, through a loopback
 * connection of contrib's dblink, sent asynchronously; this session then
 * commits and polls, committing between polls, so that it holds no
 * snapshot a concurrent build would wait for.  A session-level hold of
 * the migration lock, taken before the first commit and let go once the
 * recording unit has the lock again (host_begin), keeps other runs out.
 * After each statement, indexes that have become invalid (a failed
 * concurrent build leaves one) are dropped with DROP INDEX CONCURRENTLY
 * through the same connection, and the step fails saying so.
 */
#define ONLINE_CONN "migrate_online"
#define ONLINE_POLL_MS 100

/* One SQL call of an online step, for the guarded part. */
typedef struct online_sql
{
	const char *sql;
	int			nargs;
	const char *args[2];
	char	   *value;			/* the first column of the first row, or NULL */
	MemoryContext cxt;			/* where value goes */
} online_sql;

static void
online_sql_guarded(void *arg)
{
	online_sql *q = arg;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	int			rc;

	for (int i = 0; i < q->nargs; i++)
		values[i] = CStringGetTextDatum(q->args[i]);
	q->value = NULL;
	rc = SPI_execute_with_args(q->sql, q->nargs, types, values, nulls, false, 0);
	if (rc >= 0 && SPI_tuptable != NULL && SPI_processed > 0)
	{
		char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (v != NULL)
			q->value = MemoryContextStrdup(q->cxt, v);
	}
	if (SPI_tuptable != NULL)
		SPI_freetuptable(SPI_tuptable);
}

/*
 * Run sql (with up to two text arguments) outside any unit; *value (if
 * non-NULL) gets the first column of the first row, in the call's
 * context.  Returns MG_OK or the engine's error (PostgreSQL's words).
 */
static int
online_query(host_state *hs, mg_ctx *ctx, char **value, const char *sql, const char *a1,
			 const char *a2)
{
	online_sql	q;
	int			rc;

	memset(&q, 0, sizeof(q));
	q.sql = sql;
	q.nargs = a2 != NULL ? 2 : a1 != NULL ? 1 : 0;
	q.args[0] = a1;
	q.args[1] = a2;
	q.cxt = hs->priv;
	rc = guard(ctx, online_sql_guarded, &q, true, NULL, NULL);
	if (value != NULL)
		*value = rc == MG_OK ? q.value : NULL;
	return rc;
}

/* Commit this session's transaction, holding no snapshot after it. */
static void
online_commit(void)
{
	SPI_commit();
}

/*
 * Send one statement on the loopback connection and wait for it,
 * committing between polls.  Returns MG_OK, or the remote error (its
 * SQLSTATE, message, detail, hint).
 */
static int
online_remote(host_state *hs, mg_ctx *ctx, const char *dblink, const char *stmt)
{
	char	   *busy_sql;
	char	   *v;
	int			rc;

	if ((rc = online_query(hs, ctx, &v,
						   psprintf("SELECT %s.dblink_send_query($1, $2)", dblink),
						   ONLINE_CONN, stmt)) != MG_OK)
		return rc;
	if (v == NULL || strcmp(v, "1") != 0)
	{
		(void) online_query(hs, ctx, &v, psprintf("SELECT %s.dblink_error_message($1)", dblink),
							ONLINE_CONN, NULL);
		return mg_error_set(ctx, MG_EHOST, MG_STATE_INTERNAL,
							"could not send a statement on the loopback connection: %s",
							v != NULL ? v : "unknown error");
	}
	busy_sql = psprintf("SELECT %s.dblink_is_busy($1)", dblink);
	for (;;)
	{
		bool		done;

		online_commit();
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ONLINE_POLL_MS,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if ((rc = online_query(hs, ctx, &v, busy_sql, ONLINE_CONN, NULL)) != MG_OK)
			return rc;
		/* a build may take hours: nothing a poll makes is kept */
		done = v != NULL && strcmp(v, "0") == 0;
		if (v != NULL)
			pfree(v);
		if (done)
			break;
	}
	/* the result: a remote error comes back as this session's error */
	rc = online_query(hs, ctx, NULL,
					  psprintf("SELECT * FROM %s.dblink_get_result($1, true) AS r(status text)", dblink),
					  ONLINE_CONN, NULL);
	{
		/* the empty result that ends the query, so the connection takes the next one */
		mg_error	saved = *mg_ctx_error(ctx);
		int			drc = online_query(hs, ctx, NULL,
									   psprintf("SELECT * FROM %s.dblink_get_result($1, false) AS r(status text)", dblink),
									   ONLINE_CONN, NULL);

		if (rc != MG_OK)
			*mg_ctx_error_mut(ctx) = saved;
		else
			rc = drc;
	}
	return rc;
}

/* The invalid indexes of the database, as an array literal of their OIDs. */
static const char *const online_invalid_sql =
	"SELECT coalesce(pg_catalog.array_agg(indexrelid ORDER BY indexrelid)::pg_catalog.text, '{}')"
	" FROM pg_catalog.pg_index WHERE NOT indisvalid";

/*
 * Drop (concurrently, on the loopback connection) every invalid index
 * not in before; their names go into *dropped ("" when none).
 */
static int
online_drop_invalid(host_state *hs, mg_ctx *ctx, const char *dblink, const char *before,
					char **dropped)
{
	char	   *list;
	int			rc;

	*dropped = "";
	rc = online_query(hs, ctx, &list,
					  "SELECT pg_catalog.string_agg(pg_catalog.format('%I.%I', n.nspname, c.relname), ' '"
					  " ORDER BY c.oid) FROM pg_catalog.pg_index i"
					  " JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid"
					  " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
					  " WHERE NOT i.indisvalid"
					  " AND NOT i.indexrelid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])",
					  before, NULL);
	if (rc != MG_OK || list == NULL)
		return rc;
	for (char *name = strtok(pstrdup(list), " "); name != NULL; name = strtok(NULL, " "))
	{
		if ((rc = online_remote(hs, ctx, dblink,
								psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s", name))) != MG_OK)
			return rc;
		*dropped = **dropped ? psprintf("%s, %s", *dropped, name) : name;
	}
	return MG_OK;
}

/* The loopback connection string: the server's own socket and port, this database and user, then the setting. */
static char *
online_conninfo(host_state *hs, mg_ctx *ctx)
{
	const char *dirs = GetConfigOption("unix_socket_directories", false, false);
	StringInfoData ci;
	char	   *setting = NULL;
	char	   *host;

	initStringInfo(&ci);
	host = dirs != NULL ? pstrdup(dirs) : pstrdup("");
	host[strcspn(host, ",")] = '\0';
	while (*host == ' ')
		host++;
	for (char *end = host + strlen(host); end > host && end[-1] == ' '; end--)
		end[-1] = '\0';
	appendStringInfoString(&ci, "host=");
	appendStringInfoString(&ci, quote_literal_cstr(*host ? host : "localhost"));
	appendStringInfo(&ci, " port=%d dbname=%s user=%s", PostPortNumber,
					 quote_literal_cstr(get_database_name(MyDatabaseId)),
					 quote_literal_cstr(GetUserNameFromId(GetUserId(), false)));
	if (online_query(hs, ctx, &setting,
					 psprintf("SELECT value FROM %s.migrate_settings WHERE key OPERATOR(pg_catalog.=) 'online_conninfo'",
							  quote_identifier(hs->schema)), NULL, NULL) == MG_OK &&
		setting != NULL && *setting)
		appendStringInfo(&ci, " %s", setting);
	mg_error_clear(ctx);
	return ci.data;
}

/*
 * run_online: the body's statements on the loopback connection (see
 * above).  On failure *failed_statement and the error's statement say
 * which; the hint says what stays done.
 */
static int
host_run_online(void *ud, mg_ctx *ctx, const char *sql, int *failed_statement)
{
	host_state *hs = ud;
	volatile bool had_snapshot = ActiveSnapshotSet();
	volatile int rc = MG_OK;
	const char *dblink;
	char	   *v;
	bounds_args b;

	*failed_statement = 0;
	memset(&b, 0, sizeof(b));
	b.hs = hs;
	b.sql = sql;
	if ((rc = guard(ctx, bounds_guarded, &b, false, NULL, NULL)) != MG_OK)
	{
		/* the scanner's error (an unterminated quote): in the statement after the last one found */
		*failed_statement = b.n + 1;
		mg_error_statement(ctx, sql + b.next, sql + strlen(sql));
		return rc;
	}
	if ((rc = online_query(hs, ctx, &v,
						   "SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_extension e"
						   " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace"
						   " WHERE e.extname OPERATOR(pg_catalog.=) 'dblink'", NULL, NULL)) != MG_OK)
		return rc;
	if (v == NULL)
	{
		mg_error_set(ctx, MG_EHOST, MG_STATE_PREREQUISITE,
					 "extension \"dblink\" is not installed in this database");
		mg_error_detail(ctx, "A step marked \"Transactional: false\" runs through a loopback connection of contrib's dblink.");
		mg_error_hint(ctx, "Run CREATE EXTENSION dblink (shipped with PostgreSQL) and CALL again, or write the steps out with migrate_upgrade_sql('<from>:<to>') and run that file with psql; nothing was changed.");
		return MG_EHOST;
	}
	dblink = v;

	/* keep other runs out from the commit below until the recording unit has the lock */
	DirectFunctionCall1(pg_advisory_lock_int8, Int64GetDatum(MIGRATE_LOCK_KEY));
	hs->online_lock = true;
	PG_TRY();
	{
		char	   *conninfo = online_conninfo(hs, ctx);
		int			n = 0;

		/* a connection an earlier, canceled call left: its statement is stopped */
		(void) online_query(hs, ctx, NULL,
							psprintf("SELECT %s.dblink_cancel_query($1), %s.dblink_disconnect($1)"
									 " WHERE $1 OPERATOR(pg_catalog.=) ANY (%s.dblink_get_connections())",
									 dblink, dblink, dblink), ONLINE_CONN, NULL);
		mg_error_clear(ctx);
		if (had_snapshot)
			PopActiveSnapshot();
		online_commit();
		rc = online_query(hs, ctx, NULL, psprintf("SELECT %s.dblink_connect($1, $2)", dblink),
						  ONLINE_CONN, conninfo);
		if (rc != MG_OK)
		{
			mg_error *e = mg_ctx_error_mut(ctx);

			e->hint[0] = '\0';
			*failed_statement = 1;
			mg_error_hint(ctx, "The loopback connection (%s) must reach this server and be allowed by its pg_hba.conf (a \"local\" line for this database and user, trust or peer; a role that is not a superuser needs a password in it), or set another with SELECT migrate_config('online_conninfo', '...'). Nothing was changed.",
						  conninfo);
		}
		for (int i = 0; i < b.n; i++)
		{
			int			start = b.start[i];
			int			slen = b.end[i] - start;
			char	   *text = pnstrdup(sql + start, slen);
			char	   *before = NULL;
			char	   *dropped = "";

			if (rc != MG_OK)
				break;
			n++;
			rc = online_query(hs, ctx, &before, online_invalid_sql, NULL, NULL);
			if (rc == MG_OK)
			{
				ereport(NOTICE,
						(errmsg_internal("running statement %d outside a transaction, on a loopback connection: %s",
										 n, text)));
				rc = online_remote(hs, ctx, dblink, text);
			}
			if (before != NULL)
			{
				mg_error	saved = *mg_ctx_error(ctx);
				int			drc = online_drop_invalid(hs, ctx, dblink, before, &dropped);
				char		why[sizeof(saved.message)];

				strlcpy(why, mg_ctx_error(ctx)->message, sizeof(why));
				if (rc == MG_OK && drc != MG_OK)
					rc = drc;	/* the drop's error */
				else
					*mg_ctx_error_mut(ctx) = saved;
				if (rc != MG_OK && drc != MG_OK && saved.code != MG_OK)
					mg_error_detail(ctx, "An invalid index the statement left could not be dropped (%s): find it with SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid, and drop it with DROP INDEX CONCURRENTLY.",
									why);
				if (rc == MG_OK && *dropped)
				{
					mg_error_set(ctx, MG_EHOST, MG_STATE_PREREQUISITE,
								 "the statement left an invalid index");
					rc = MG_EHOST;
				}
			}
			if (rc != MG_OK)
			{
				mg_error   *e = mg_ctx_error_mut(ctx);

				*failed_statement = n;
				e->context[0] = '\0';
				mg_error_statement(ctx, sql + start, sql + start + slen);
				if (*dropped)
					mg_error_detail(ctx, "The failed build left the invalid index %s; it was dropped (DROP INDEX CONCURRENTLY).",
									dropped);
				e->hint[0] = '\0';
				if (n > 1)
					mg_error_hint(ctx, "The step is not recorded. Its statements before statement %d ran outside a transaction and stay; fix the cause and CALL again, which runs the step from its first statement (write such steps to be run again: IF NOT EXISTS).",
								  n);
				else
					mg_error_hint(ctx, "The step is not recorded and nothing of it stays; fix the cause (the data or the script) and CALL again.");
			}
		}
		{
			mg_error	saved = *mg_ctx_error(ctx);

			(void) online_query(hs, ctx, NULL,
								psprintf("SELECT %s.dblink_disconnect($1)"
										 " WHERE $1 OPERATOR(pg_catalog.=) ANY (%s.dblink_get_connections())",
										 dblink, dblink), ONLINE_CONN, NULL);
			*mg_ctx_error_mut(ctx) = saved;
		}
		online_commit();
		if (had_snapshot)
			PushActiveSnapshot(GetTransactionSnapshot());
	}
	PG_CATCH();
	{
		/* canceled: never leave the migration lock held by this session */
		online_lock_release(hs);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (rc != MG_OK)
		online_lock_release(hs);
	return rc;
}

/* ------------------------------------------------------------------ */
/* schema_changes: what a rehearsed step changed                        */
/* ------------------------------------------------------------------ */

/*
 * A rehearsal reads the schema again after every step.  To read only
 * what the step changed, the host watches the cache invalidations the
 * backend processes: a change of a relation's definition (columns,
 * defaults, constraints, indexes, triggers, rules, name) must invalidate
 * its relcache entry, which caches all of these, so a relcache callback
 * sees every relation a step touched: the step's own changes at each
 * CommandCounterIncrement, other sessions' when their messages arrive.
 * Syscache callbacks mark what is not a relation: types and enums,
 * functions, sequences' parameters; a schema, collation or operator (or
 * a reset of every cache) marks everything.  PostgreSQL cannot
 * unregister a callback: they are registered once per backend, record
 * only while a call watches, into a static record that never allocates
 * and overflows to "everything".
 */
#define WATCH_MAX 1024

static bool watch_registered = false;
static bool watch_on = false;
static int	watch_n = 0;
static Oid	watch_rels[WATCH_MAX];
static unsigned watch_what = 0;

/*
 * TYPEOID invalidations, by hash value: creating, renaming or dropping a
 * relation also changes its row type and that type's array, which are
 * no news (the relation is read again, and whatever uses its row type).
 * Only a type no relation explains makes the types read again.  The row
 * types of the relations seen in this call are remembered, so that
 * dropping one is explained too.
 */
static int	watch_ntypes = 0;
static uint32 watch_types[WATCH_MAX];

typedef struct watch_rowtype
{
	Oid			rel;
	uint32		hash[2];		/* its row type's and that type's array's */
} watch_rowtype;

static void
watch_relcache(Datum arg, Oid relid)
{
	(void) arg;
	if (!watch_on)
		return;
	if (!OidIsValid(relid) || watch_n == WATCH_MAX)
		watch_what |= MG_CHANGED_ALL;
	else if (watch_n == 0 || watch_rels[watch_n - 1] != relid)
		watch_rels[watch_n++] = relid;
}

static void
watch_syscache(Datum arg, int cacheid, uint32 hashvalue)
{
	if (!watch_on)
		return;
	if (cacheid == TYPEOID && hashvalue != 0 && watch_ntypes < WATCH_MAX)
		watch_types[watch_ntypes++] = hashvalue;
	else
		watch_what |= DatumGetUInt32(arg);
}

static void
watch_register(void)
{
	static const struct
	{
		int			cache;
		unsigned	what;
	}			caches[] = {
		{TYPEOID, MG_CHANGED_TYPES}, {ENUMOID, MG_CHANGED_TYPES}, {ENUMTYPOIDNAME, MG_CHANGED_TYPES},
		{PROCOID, MG_CHANGED_FUNCTIONS}, {SEQRELID, MG_CHANGED_SEQUENCES},
		{NAMESPACEOID, MG_CHANGED_ALL}, {COLLOID, MG_CHANGED_ALL}, {OPEROID, MG_CHANGED_ALL},
	};

	if (watch_registered)
		return;
	CacheRegisterRelcacheCallback(watch_relcache, (Datum) 0);
	for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++)
		CacheRegisterSyscacheCallback(caches[i].cache, watch_syscache, UInt32GetDatum(caches[i].what));
	watch_registered = true;
}

static int
watch_oid_cmp(const void *a, const void *b)
{
	Oid			x = *(const Oid *) a, y = *(const Oid *) b;

	return x < y ? -1 : x > y;
}

/* The call's context is going: stop watching (the call may have ended by an error). */
static void
watch_forget(void *arg)
{
	host_state *hs = arg;

	if (hs->watching)
		watch_on = false;
	hs->watching = false;
}

/*
 * The row type hashes of relation rel, remembered in hs->rowtypes (in
 * priv) while it exists, found there once it is gone; false when not
 * known (a relation dropped that this call never saw).
 */
static bool
rowtype_hashes(host_state *hs, Oid rel, uint32 *hash)
{
	Oid			type = get_rel_type_id(rel);
	watch_rowtype *r;
	int			i;

	for (i = 0; i < hs->nrowtypes; i++)
		if (hs->rowtypes[i].rel == rel)
			break;
	if (!OidIsValid(type))
	{
		if (i == hs->nrowtypes)
			return false;
		hash[0] = hs->rowtypes[i].hash[0];
		hash[1] = hs->rowtypes[i].hash[1];
		return true;
	}
	hash[0] = GetSysCacheHashValue1(TYPEOID, ObjectIdGetDatum(type));
	hash[1] = OidIsValid(get_array_type(type)) ?
		GetSysCacheHashValue1(TYPEOID, ObjectIdGetDatum(get_array_type(type))) : 0;
	if (i == hs->nrowtypes)
	{
		if (hs->nrowtypes == hs->rowtypes_cap)
		{
			int			cap = hs->rowtypes_cap ? hs->rowtypes_cap * 2 : 64;

			hs->rowtypes = hs->rowtypes == NULL ?
				MemoryContextAlloc(hs->priv, cap * sizeof(watch_rowtype)) :
				repalloc(hs->rowtypes, cap * sizeof(watch_rowtype));
			hs->rowtypes_cap = cap;
		}
		hs->nrowtypes++;
	}
	r = &hs->rowtypes[i];
	r->rel = rel;
	r->hash[0] = hash[0];
	r->hash[1] = hash[1];
	return true;
}

/* Whether every TYPEOID invalidation seen is a row type (or its array) of a relation in rels. */
static bool
types_explained(host_state *hs, const Oid *rels, int nrels)
{
	uint32		known[2 * WATCH_MAX];
	int			nknown = 0;

	for (int i = 0; i < nrels; i++)
	{
		uint32		hash[2];

		if (i > 0 && rels[i] == rels[i - 1])
			continue;
		if (!rowtype_hashes(hs, rels[i], hash))
			continue;
		known[nknown++] = hash[0];
		known[nknown++] = hash[1];
	}
	for (int t = 0; t < watch_ntypes; t++)
	{
		bool		found = false;

		for (int k = 0; k < nknown && !found; k++)
			found = known[k] == watch_types[t];
		if (!found)
			return false;
	}
	return true;
}

static int
host_schema_changes(void *ud, mg_ctx *ctx, char ***rels, size_t *nrels, unsigned *what)
{
	host_state *hs = ud;
	size_t		n = 0;

	*rels = NULL;
	*nrels = 0;
	if (!hs->watching)
	{
		watch_register();
		hs->watching = true;
		watch_on = true;
		watch_n = 0;
		watch_ntypes = 0;
		watch_what = 0;
		*what = MG_CHANGED_ALL;
		return MG_OK;
	}
	/* the last statement's invalidations are processed at the next command */
	if (hs->in_unit && !hs->unit_aborted)
		CommandCounterIncrement();
	if (watch_n > 1)
		qsort(watch_rels, watch_n, sizeof(Oid), watch_oid_cmp);
	if (watch_ntypes > 0 && !types_explained(hs, watch_rels, watch_n))
		watch_what |= MG_CHANGED_TYPES;
	watch_ntypes = 0;
	*what = watch_what;
	if (watch_n > 0)
	{
		if ((*rels = mg_alloc(ctx, watch_n * sizeof(char *))) == NULL)
			return MG_ENOMEM;
		for (int i = 0; i < watch_n; i++)
		{
			if (n > 0 && watch_rels[i] == watch_rels[i - 1])
				continue;
			if (((*rels)[n++] = mg_printf(ctx, "%u", watch_rels[i])) == NULL)
				return MG_ENOMEM;
		}
	}
	*nrels = n;
	watch_n = 0;
	watch_what = 0;
	return MG_OK;
}

/* ------------------------------------------------------------------ */
/* catalog_rows: the per-step catalog reads without a query             */
/* ------------------------------------------------------------------ */

typedef struct catalog_args
{
	host_state *hs;
	int			which;
	int			nparams;
	const char *const *params;
	mg_row_fn	row;
	void	   *arg;
	int			row_rc;			/* what row() returned when it stopped the read */
} catalog_args;

static void
catalog_guarded(void *arg)
{
	catalog_args *c = arg;
	MemoryContext old = MemoryContextSwitchTo(c->hs->scratch);

	/*
	 * What the last statement did is seen, as by a query SPI runs after
	 * it: the command counter moves on and a snapshot of now is the
	 * active one (pg_get_viewdef reads pg_rewrite through SPI, with the
	 * active snapshot).  An error pops it with the subtransaction.
	 */
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();

	/*
	 * Interrupts wait until the read is done: the engine's hook, called
	 * for each row, must not roll the unit back under the read's open
	 * scans.  The read is as long as the catalog, and the engine checks
	 * again as it takes the rows.  An error ends the holdoff (errfinish).
	 */
	HOLD_INTERRUPTS();
	c->row_rc = pg_catalog_rows(c->which, c->nparams, c->params, c->row, c->arg);
	RESUME_INTERRUPTS();
	PopActiveSnapshot();
	MemoryContextSwitchTo(old);
}

/* The engine's catalog reads from the backend's caches (pg_catalog_rows.c). */
static int
host_catalog_rows(void *ud, mg_ctx *ctx, int which, int nparams, const char *const *params,
				  mg_row_fn row, void *arg)
{
	host_state *hs = ud;
	catalog_args c;
	int			rc;

	memset(&c, 0, sizeof(c));
	c.hs = hs;
	c.which = which;
	c.nparams = nparams;
	c.params = params;
	c.row = row;
	c.arg = arg;
	rc = trap(hs, ctx, catalog_guarded, &c, true, NULL, NULL);
	if (rc == MG_OK && c.row_rc < 0)
		rc = c.row_rc;			/* the row callback's error, already set */
	MemoryContextReset(hs->scratch);
	return rc;
}

/* Fill the host interface for one call. */
static void
host_init(mg_host *host, host_state *hs, MemoryContext priv, char *schema)
{
	memset(hs, 0, sizeof(*hs));
	hs->priv = priv;
	hs->scratch = AllocSetContextCreate(priv, "migrate scratch", ALLOCSET_DEFAULT_SIZES);
	hs->schema = schema;
	hs->plans = plan_cache_new(priv);
	{
		MemoryContextCallback *cb = MemoryContextAlloc(priv, sizeof(*cb));

		cb->func = open_unit_forget;
		cb->arg = hs;
		MemoryContextRegisterResetCallback(priv, cb);
		cb = MemoryContextAlloc(priv, sizeof(*cb));
		cb->func = watch_forget;
		cb->arg = hs;
		MemoryContextRegisterResetCallback(priv, cb);
	}
	memset(host, 0, sizeof(*host));
	host->version = MG_HOST_VERSION;
	host->ud = hs;
	host->dialect = "postgresql";
	host->state_schema = schema;
	host->creates_state = 0;	/* sql/migrate--1.0.sql creates the tables */
	host->query = host_query;
	host->run_script = host_run_script;
	host->begin = host_begin;
	host->commit = host_commit;
	host->rollback = host_rollback;
	host->notice = host_notice;
	host->now = host_now;
	host->limits = host_limits;
	host->sleep = host_sleep;
	host->wait = host_wait;
	host->schema_changes = host_schema_changes;
	host->catalog_rows = host_catalog_rows;
}

/*
 * After a command: a unit the command left open is rolled back (a call
 * never leaves a subtransaction behind).  Returns rc, or an error when
 * the command claimed success with the unit still open.
 */
static int
host_close_unit(mg_host *host, mg_ctx *ctx, int rc)
{
	host_state *hs = host->ud;

	if (!hs->in_unit)
		return rc;
	host_rollback(hs, ctx);
	if (rc == MG_OK)
		rc = mg_error_set(ctx, MG_EHOST, MG_STATE_INTERNAL,
						  "the engine left its transaction open; it was rolled back");
	return rc;
}

/* ------------------------------------------------------------------ */
/* Calls                                                                 */
/* ------------------------------------------------------------------ */

/*
 * The extension's schema.  (PostgreSQL 16 exports get_extension_schema;
 * this is the same catalog lookup, for 15 as well.)
 */
/*
 * The schema of extension "migrate" and, when version is not NULL, its
 * installed version (the SQL API the database has), palloc'd.
 */
static void
extension_row(char **schema, char **version)
{
	Oid			ext = get_extension_oid("migrate", false);
	Oid			nsp = InvalidOid;
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ext));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		nsp = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
		if (version != NULL)
		{
			bool		isnull;
			Datum		v = heap_getattr(tup, Anum_pg_extension_extversion,
										 RelationGetDescr(rel), &isnull);

			*version = isnull ? pstrdup("") : TextDatumGetCString(v);
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	*schema = OidIsValid(nsp) ? get_namespace_name(nsp) : NULL;
	if (*schema == NULL)
		elog(ERROR, "cannot find the schema of extension \"migrate\"");
}

static char *
extension_schema(void)
{
	char	   *name = NULL;

	extension_row(&name, NULL);
	return name;
}

/* One SQL call: its memory, the engine context and the host. */
typedef struct call
{
	MemoryContext caller;		/* results go here */
	MemoryContext priv;			/* everything else; deleted at the end */
	MemoryContext eng;			/* the engine's arena: a child of priv, until a text result leaves in it */
	mg_ctx	   *ctx;
	host_state	hs;
	mg_host		host;
	bool		connected;		/* SPI_connect done */
} call;

static void
interrupts_guarded(void *arg)
{
	(void) arg;
	CHECK_FOR_INTERRUPTS();
}

/*
 * The engine's interrupt hook, as PostgreSQL's regex library calls
 * CHECK_FOR_INTERRUPTS() in its loops.  When an interrupt is pending it
 * is processed inside a trapped call: a cancel (pg_cancel_backend,
 * statement_timeout, lock_timeout) raises its error there, which rolls
 * the run's unit back (it must never leave the call by longjmp while the
 * unit's internal subtransaction is open: the session would stay in an
 * aborted transaction block) and becomes the engine's error with
 * PostgreSQL's SQLSTATE and words; the engine stops and the call raises
 * it.  A termination ends the backend as always.  Cheap otherwise: one
 * test of a global flag.
 */
static int
host_interrupted(void *ud)
{
	call	   *c = ud;

	if (!INTERRUPTS_PENDING_CONDITION())
		return 0;
	if (trap(&c->hs, c->ctx, interrupts_guarded, NULL, false, NULL, NULL) == MG_OK)
		return 0;				/* nothing that stops a statement was pending */
	return MG_INTERRUPT_OWN_ERROR;
}

/* Start a call: private context, SPI, engine context. */
static void
call_open(call *c, bool nonatomic)
{
	char	   *schema;

	memset(c, 0, sizeof(*c));
	c->caller = CurrentMemoryContext;
	schema = extension_schema();
	c->priv = AllocSetContextCreate(CurrentMemoryContext, "migrate call", ALLOCSET_DEFAULT_SIZES);
	host_init(&c->host, &c->hs, c->priv, MemoryContextStrdup(c->priv, schema));
	pfree(schema);
	if (SPI_connect_ext(nonatomic ? SPI_OPT_NONATOMIC : 0) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	c->connected = true;
	c->eng = AllocSetContextCreate(c->priv, "migrate engine", ALLOCSET_DEFAULT_SIZES);
	if (mg_ctx_new(&c->ctx, host_realloc, c->eng) != MG_OK)
	{
		SPI_finish();
		MemoryContextSwitchTo(c->caller);
		MemoryContextDelete(c->priv);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	mg_ctx_set_interrupt(c->ctx, host_interrupted, c);
}

/*
 * Finish the command part of a call: close a unit left open, leave SPI.
 * On failure the error is raised (after freeing everything); on success
 * the caller copies its result, then calls call_free.
 */
static void
call_finish(call *c, int rc)
{
	rc = host_close_unit(&c->host, c->ctx, rc);
	online_lock_release(&c->hs);
	plan_cache_release(c->hs.plans);
	if (c->connected)
	{
		SPI_finish();
		c->connected = false;
	}
	MemoryContextSwitchTo(c->caller);
	if (rc != MG_OK)
	{
		mg_error	err = *mg_ctx_error(c->ctx);

		mg_ctx_free(c->ctx);
		MemoryContextDelete(c->priv);
		raise_error(&err, rc);
	}
}

static void
call_free(call *c)
{
	mg_ctx_free(c->ctx);
	c->ctx = NULL;
	MemoryContextDelete(c->priv);
	c->priv = NULL;
}

/*
 * A long text result (the offline SQL of a large catalog) is copied
 * twice more on its way to the client: by the type's output function and
 * into the protocol message.  Both are large allocations, which glibc
 * serves from fresh pages, while the engine's freed arena stays resident
 * in the heap: freed but counted.  malloc_trim gives those pages back
 * first (about 1 ms; at 10,000 revisions the backend's peak falls by
 * 5 MB).  Other C libraries: nothing to do.
 */
#define TRIM_AFTER_BYTES (1024 * 1024)

static void
give_back_freed_memory(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/*
 * Finish a text-returning call.  The result leaves the engine without a
 * copy: the engine's context moves under the caller's, the text is
 * detached from the arena with room for the varlena header in front
 * (mg_ctx_detach_text), and the rest of the arena is freed, so an
 * offline SQL script is in the backend's memory once, not twice.
 */
static Datum
call_text_result(call *c, FunctionCallInfo fcinfo, int rc, char *out)
{
	char	   *block = NULL;
	size_t		len = 0;

	call_finish(c, rc);
	if (out != NULL)
	{
		MemoryContextSetParent(c->eng, c->caller);
		block = mg_ctx_detach_text(c->ctx, out, VARHDRSZ, &len);
		if (block == NULL)
		{
			call_free(c);
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		}
		SET_VARSIZE(block, len + VARHDRSZ);
	}
	call_free(c);
	if (block != NULL && len >= TRIM_AFTER_BYTES)
		give_back_freed_memory();
	if (block == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P((text *) block);
}

/*
 * Argument i as a C string (in the caller's context).  NULL for a NULL
 * optional argument; a NULL required argument is an error.
 */
static const char *
arg_text(FunctionCallInfo fcinfo, int i, const char *func, const char *name, bool required)
{
	if (PG_NARGS() <= i || PG_ARGISNULL(i))
	{
		if (required)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: argument \"%s\" must not be NULL", func, name)));
		return NULL;
	}
	return text_to_cstring(PG_GETARG_TEXT_PP(i));
}

/* Argument i as a flag; false when NULL. */
static bool
arg_flag(FunctionCallInfo fcinfo, int i)
{
	if (PG_NARGS() <= i || PG_ARGISNULL(i))
		return false;
	return PG_GETARG_BOOL(i);
}

/* ------------------------------------------------------------------ */
/* SQL functions                                                         */
/* ------------------------------------------------------------------ */

PG_FUNCTION_INFO_V1(migrate_load_1_0);
PG_FUNCTION_INFO_V1(migrate_add_1_0);
PG_FUNCTION_INFO_V1(migrate_upgrade_1_0);
PG_FUNCTION_INFO_V1(migrate_downgrade_1_0);
PG_FUNCTION_INFO_V1(migrate_stamp_1_0);
PG_FUNCTION_INFO_V1(migrate_upgrade_sql_1_0);
PG_FUNCTION_INFO_V1(migrate_downgrade_sql_1_0);
PG_FUNCTION_INFO_V1(migrate_show_1_0);
PG_FUNCTION_INFO_V1(migrate_branches_1_0);
PG_FUNCTION_INFO_V1(migrate_check_1_0);
PG_FUNCTION_INFO_V1(migrate_config_1_0);
PG_FUNCTION_INFO_V1(migrate_history_1_0);
PG_FUNCTION_INFO_V1(migrate_heads_1_0);
PG_FUNCTION_INFO_V1(migrate_current_1_0);
PG_FUNCTION_INFO_V1(migrate_upgrade_steps_1_0);
PG_FUNCTION_INFO_V1(migrate_init_1_0);
PG_FUNCTION_INFO_V1(migrate_verify_1_0);
PG_FUNCTION_INFO_V1(migrate_revision_1_0);
PG_FUNCTION_INFO_V1(migrate_merge_1_0);

/*
 * A relative path that the server could not use: it is not the client's
 * directory.  Say where the server looked (its data directory, its
 * working directory) and as whom, and what to give instead.
 */
static void
explain_relative_path(mg_ctx *ctx)
{
	mg_error   *err = mg_ctx_error_mut(ctx);
	struct passwd *pw = getpwuid(geteuid());
	char		user[64];
	char		where[512];

	if (pw != NULL)
		snprintf(user, sizeof(user), "%s", pw->pw_name);
	else
		snprintf(user, sizeof(user), "%u", (unsigned) geteuid());
	snprintf(where, sizeof(where),
			 "The server resolves a relative path against its data directory, \"%s\", and reads the files as the operating-system user \"%s\", not as the client.",
			 DataDir, user);
	err->detail[0] = '\0';		/* the engine named the process's directory: this is the whole story */
	mg_error_detail(ctx, "%s", where);
	err->hint[0] = '\0';
	mg_error_hint(ctx, "Give the absolute path of a directory the server can read, or add the scripts from their text with migrate_add(script, filename), which needs no server-side file.");
}

/*
 * migrate_load(path): reads server files, so it needs the privileges of
 * pg_read_server_files (superusers have them), as pg_read_file does.
 */
Datum
migrate_load_1_0(PG_FUNCTION_ARGS)
{
	const char *path = arg_text(fcinfo, 0, "migrate_load", "path", true);
	call		c;
	char	   *report = NULL;
	int			rc;

	if (!has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to read revision scripts from the server's file system"),
				 errdetail("Only superusers and roles with the privileges of \"pg_read_server_files\" may call migrate_load."),
				 errhint("Add the scripts from their text with migrate_add(script, filename), or ask an administrator to grant pg_read_server_files.")));
	call_open(&c, false);
	rc = mg_cmd_load(&report, c.ctx, &c.host, path);
	if (rc != MG_OK && !is_absolute_path(path) &&
		strcmp(mg_ctx_error(c.ctx)->sqlstate, MG_STATE_FILE) == 0 &&
		strncmp(mg_ctx_error(c.ctx)->message, "could not open", 14) == 0)
		explain_relative_path(c.ctx);
	return call_text_result(&c, fcinfo, rc, report);
}

/* migrate_add(script [, filename]) */
Datum
migrate_add_1_0(PG_FUNCTION_ARGS)
{
	const char *script = arg_text(fcinfo, 0, "migrate_add", "script", true);
	const char *filename = arg_text(fcinfo, 1, "migrate_add", "filename", false);
	call		c;
	char	   *report = NULL;
	int			rc;

	call_open(&c, false);
	rc = mg_cmd_add(&report, c.ctx, &c.host, 1, &script,
					filename != NULL ? &filename : NULL);
	return call_text_result(&c, fcinfo, rc, report);
}

/*
 * The functions of one text argument that return the command's text
 * (migrate_upgrade, migrate_downgrade, migrate_upgrade_sql,
 * migrate_downgrade_sql, migrate_show): one body for all.
 */
static Datum
text_command(FunctionCallInfo fcinfo, const char *name, const char *argname, bool required,
			 int (*cmd) (char **out, mg_ctx *ctx, const mg_host *host, const char *arg))
{
	const char *value = arg_text(fcinfo, 0, name, argname, required);
	call		c;
	char	   *out = NULL;
	int			rc;

	call_open(&c, false);
	rc = cmd(&out, c.ctx, &c.host, value);
	return call_text_result(&c, fcinfo, rc, out);
}

/* migrate_upgrade([target]) */
Datum
migrate_upgrade_1_0(PG_FUNCTION_ARGS)
{
	return text_command(fcinfo, "migrate_upgrade", "target", false, mg_cmd_upgrade);
}

/* migrate_downgrade(target) */
Datum
migrate_downgrade_1_0(PG_FUNCTION_ARGS)
{
	return text_command(fcinfo, "migrate_downgrade", "target", true, mg_cmd_downgrade);
}

/* migrate_stamp(target [, purge]) */
Datum
migrate_stamp_1_0(PG_FUNCTION_ARGS)
{
	const char *target = arg_text(fcinfo, 0, "migrate_stamp", "target", true);
	bool		purge = arg_flag(fcinfo, 1);
	call		c;
	char	   *report = NULL;
	int			rc;

	call_open(&c, false);
	rc = mg_cmd_stamp(&report, c.ctx, &c.host, target, purge ? 1 : 0);
	return call_text_result(&c, fcinfo, rc, report);
}

/* migrate_upgrade_sql([range]) */
Datum
migrate_upgrade_sql_1_0(PG_FUNCTION_ARGS)
{
	return text_command(fcinfo, "migrate_upgrade_sql", "range", false, mg_cmd_upgrade_sql);
}

/* migrate_downgrade_sql(range) */
Datum
migrate_downgrade_sql_1_0(PG_FUNCTION_ARGS)
{
	return text_command(fcinfo, "migrate_downgrade_sql", "range", true, mg_cmd_downgrade_sql);
}

/* migrate_show(rev) */
Datum
migrate_show_1_0(PG_FUNCTION_ARGS)
{
	return text_command(fcinfo, "migrate_show", "rev", true, mg_cmd_show);
}

/* migrate_branches() */
Datum
migrate_branches_1_0(PG_FUNCTION_ARGS)
{
	call		c;
	char	   *out = NULL;
	int			rc;

	call_open(&c, false);
	rc = mg_cmd_branches(&out, c.ctx, &c.host);
	return call_text_result(&c, fcinfo, rc, out);
}

/* migrate_check(): the report text (the verdict is in its words). */
Datum
migrate_check_1_0(PG_FUNCTION_ARGS)
{
	call		c;
	char	   *out = NULL;
	int			ok = 0;
	int			rc;

	call_open(&c, false);
	rc = mg_cmd_check(&out, &ok, c.ctx, &c.host);
	return call_text_result(&c, fcinfo, rc, out);
}

/* migrate_config(key [, value]) */
Datum
migrate_config_1_0(PG_FUNCTION_ARGS)
{
	const char *key = arg_text(fcinfo, 0, "migrate_config", "key", true);
	const char *value = arg_text(fcinfo, 1, "migrate_config", "value", false);
	call		c;
	char	   *out = NULL;
	int			rc;

	call_open(&c, false);
	rc = mg_cmd_config(&out, c.ctx, &c.host, key, value);
	return call_text_result(&c, fcinfo, rc, out);
}

/*
 * migrate_config(key [, value [, force]]), 1.1: force switches
 * version_table away from a table with rows (mg_cmd_config_write).
 */
PG_FUNCTION_INFO_V1(migrate_config_1_1);
Datum
migrate_config_1_1(PG_FUNCTION_ARGS)
{
	const char *key = arg_text(fcinfo, 0, "migrate_config", "key", true);
	const char *value = arg_text(fcinfo, 1, "migrate_config", "value", false);
	bool		force = arg_flag(fcinfo, 2);
	call		c;
	char	   *out = NULL;
	int			rc;

	call_open(&c, false);
	rc = mg_cmd_config_write(&out, c.ctx, &c.host, key, value, force ? 1 : 0);
	return call_text_result(&c, fcinfo, rc, out);
}

/* migrate_init() */
Datum
migrate_init_1_0(PG_FUNCTION_ARGS)
{
	call		c;
	char	   *report = NULL;
	int			rc;

	call_open(&c, false);
	rc = mg_cmd_init(&report, c.ctx, &c.host);
	return call_text_result(&c, fcinfo, rc, report);
}

/* migrate_verify([auto_migrate]) */
Datum
migrate_verify_1_0(PG_FUNCTION_ARGS)
{
	bool		auto_migrate = arg_flag(fcinfo, 0);
	call		c;
	char	   *report = NULL;
	int			rc;

	call_open(&c, false);
	rc = mg_cmd_verify(&report, c.ctx, &c.host, auto_migrate ? 1 : 0);
	return call_text_result(&c, fcinfo, rc, report);
}

/* migrate_revision(message [, head, rev_id, branch_label, depends_on, splice]) */
Datum
migrate_revision_1_0(PG_FUNCTION_ARGS)
{
	mg_revision_args a;
	call		c;
	char	   *out = NULL;
	int			rc;

	memset(&a, 0, sizeof(a));
	a.message = arg_text(fcinfo, 0, "migrate_revision", "message", true);
	a.head = arg_text(fcinfo, 1, "migrate_revision", "head", false);
	a.rev_id = arg_text(fcinfo, 2, "migrate_revision", "rev_id", false);
	a.branch_label = arg_text(fcinfo, 3, "migrate_revision", "branch_label", false);
	a.depends_on = arg_text(fcinfo, 4, "migrate_revision", "depends_on", false);
	a.splice = arg_flag(fcinfo, 5) ? 1 : 0;
	call_open(&c, false);
	rc = mg_cmd_revision(&out, c.ctx, &c.host, &a);
	return call_text_result(&c, fcinfo, rc, out);
}

/* migrate_merge(revisions, message [, branch_label, rev_id]) */
Datum
migrate_merge_1_0(PG_FUNCTION_ARGS)
{
	mg_revision_args a;
	call		c;
	char	   *out = NULL;
	int			rc;

	memset(&a, 0, sizeof(a));
	a.head = arg_text(fcinfo, 0, "migrate_merge", "revisions", true);
	a.message = arg_text(fcinfo, 1, "migrate_merge", "message", true);
	a.branch_label = arg_text(fcinfo, 2, "migrate_merge", "branch_label", false);
	a.rev_id = arg_text(fcinfo, 3, "migrate_merge", "rev_id", false);
	call_open(&c, false);
	rc = mg_cmd_merge(&out, c.ctx, &c.host, &a);
	return call_text_result(&c, fcinfo, rc, out);
}

/*
 * migrate_wait([target [, timeout_seconds]]) (1.1): the start-up barrier
 * of application workers; reads only.  Each look needs a snapshot that
 * sees other sessions' commits, which a REPEATABLE READ or SERIALIZABLE
 * transaction never gives: refused there rather than waiting in vain.
 */
#define MIGRATE_WAIT_DEFAULT_S 300.0

PG_FUNCTION_INFO_V1(migrate_wait_1_1);

Datum
migrate_wait_1_1(PG_FUNCTION_ARGS)
{
	const char *target = arg_text(fcinfo, 0, "migrate_wait", "target", false);
	double		secs = PG_NARGS() > 1 && !PG_ARGISNULL(1) ? PG_GETARG_FLOAT8(1) : MIGRATE_WAIT_DEFAULT_S;
	long		ms;
	call		c;
	char	   *out = NULL;
	int			rc;

	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("migrate_wait cannot run in a %s transaction",
						IsolationIsSerializable() ? "SERIALIZABLE" : "REPEATABLE READ"),
				 errdetail("The transaction's snapshot never shows the migration another session commits, so the wait could only time out."),
				 errhint("Call it in READ COMMITTED (the default), before starting such a transaction.")));
	if (secs != secs || secs < 0)	/* NaN or negative */
		ms = -1;
	else if (secs > 86400.0 * 365)
		ms = 86400L * 365 * 1000;
	else
		ms = (long) (secs * 1000.0);
	call_open(&c, false);
	rc = mg_cmd_wait(&out, c.ctx, &c.host, target, ms);
	return call_text_result(&c, fcinfo, rc, out);
}

/* ------------------------------------------------------------------ */
/* Set-returning functions                                               */
/* ------------------------------------------------------------------ */

#define ROWS_NCOLS 10

typedef enum rows_kind
{
	ROWS_HISTORY,
	ROWS_HEADS,
	ROWS_CURRENT
} rows_kind;

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = s == NULL;
	return s != NULL ? CStringGetTextDatum(s) : (Datum) 0;
}

/* Run one of the row commands and materialize its rows. */
static Datum
rows_call(FunctionCallInfo fcinfo, rows_kind kind)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const char *range = NULL;
	bool		indicate_current = false;
	mg_rows		rows;
	call		c;
	MemoryContext per_row;
	size_t		i;
	int			rc;

	if (kind == ROWS_HISTORY)
	{
		range = arg_text(fcinfo, 0, "migrate_history", "range", false);
		indicate_current = arg_flag(fcinfo, 1);
	}
	InitMaterializedSRF(fcinfo, 0);
	if (rsinfo->setDesc->natts != ROWS_NCOLS)
		elog(ERROR, "return type must have %d columns", ROWS_NCOLS);

	memset(&rows, 0, sizeof(rows));
	call_open(&c, false);
	switch (kind)
	{
		case ROWS_HISTORY:
			rc = mg_cmd_history(&rows, c.ctx, &c.host, range, indicate_current ? 1 : 0);
			break;
		case ROWS_HEADS:
			rc = mg_cmd_heads(&rows, c.ctx, &c.host);
			break;
		case ROWS_CURRENT:
		default:
			rc = mg_cmd_current(&rows, c.ctx, &c.host);
			break;
	}
	call_finish(&c, rc);

	/*
	 * The row's text datums live until the tuple store has copied them:
	 * in a context reset after each row, not in the query's, which would
	 * hold every row's twice until the call ends.
	 */
	per_row = AllocSetContextCreate(CurrentMemoryContext, "migrate result row",
									ALLOCSET_SMALL_SIZES);
	for (i = 0; i < rows.n; i++)
	{
		const mg_history_row *r = &rows.rows[i];
		Datum		values[ROWS_NCOLS];
		bool		nulls[ROWS_NCOLS];
		MemoryContext old = MemoryContextSwitchTo(per_row);

		values[0] = text_or_null(r->revision, &nulls[0]);
		values[1] = text_or_null(r->down_revisions, &nulls[1]);
		values[2] = text_or_null(r->branch_labels, &nulls[2]);
		values[3] = text_or_null(r->depends_on, &nulls[3]);
		values[4] = text_or_null(r->message, &nulls[4]);
		values[5] = BoolGetDatum(r->is_head != 0);
		values[6] = BoolGetDatum(r->is_current != 0);
		values[7] = BoolGetDatum(r->is_branchpoint != 0);
		values[8] = BoolGetDatum(r->is_mergepoint != 0);
		nulls[5] = nulls[6] = nulls[7] = nulls[8] = false;
		values[9] = text_or_null(r->line, &nulls[9]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(old);
		MemoryContextReset(per_row);
	}
	MemoryContextDelete(per_row);
	call_free(&c);
	return (Datum) 0;
}

/* migrate_history([range [, indicate_current]]) */
Datum
migrate_history_1_0(PG_FUNCTION_ARGS)
{
	return rows_call(fcinfo, ROWS_HISTORY);
}

/* migrate_heads() */
Datum
migrate_heads_1_0(PG_FUNCTION_ARGS)
{
	return rows_call(fcinfo, ROWS_HEADS);
}

/* migrate_current([verbose]): verbose changes only the text form; rows ignore it. */
Datum
migrate_current_1_0(PG_FUNCTION_ARGS)
{
	return rows_call(fcinfo, ROWS_CURRENT);
}

/* ------------------------------------------------------------------ */
/* Where the database stands: status, graph, version, functions (1.1)   */
/* ------------------------------------------------------------------ */

PG_FUNCTION_INFO_V1(migrate_status_1_1);
PG_FUNCTION_INFO_V1(migrate_graph_1_1);
PG_FUNCTION_INFO_V1(migrate_version_1_1);
PG_FUNCTION_INFO_V1(migrate_functions_1_1);

#define STATUS_NCOLS 9

/*
 * migrate_status(): one row per revision (core/status.c).  applied_at is
 * the log's UTC text as timestamptz; a text the log should never hold
 * (the core passes only its own shape) fails as timestamptz_in fails.
 */
Datum
migrate_status_1_1(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	mg_status_rows rows;
	MemoryContext per_row;
	call		c;
	int			rc;

	InitMaterializedSRF(fcinfo, 0);
	if (rsinfo->setDesc->natts != STATUS_NCOLS)
		elog(ERROR, "return type must have %d columns", STATUS_NCOLS);
	memset(&rows, 0, sizeof(rows));
	call_open(&c, false);
	rc = mg_cmd_status(&rows, c.ctx, &c.host);
	call_finish(&c, rc);
	per_row = AllocSetContextCreate(CurrentMemoryContext, "migrate result row",
									ALLOCSET_SMALL_SIZES);
	for (size_t i = 0; i < rows.n; i++)
	{
		const mg_status_row *r = &rows.rows[i];
		Datum		values[STATUS_NCOLS];
		bool		nulls[STATUS_NCOLS];
		MemoryContext old = MemoryContextSwitchTo(per_row);

		values[0] = text_or_null(r->revision, &nulls[0]);
		values[1] = text_or_null(r->branch_labels, &nulls[1]);
		values[2] = text_or_null(r->message, &nulls[2]);
		values[3] = text_or_null(r->state, &nulls[3]);
		nulls[4] = r->applied_at == NULL;
		values[4] = nulls[4] ? (Datum) 0 :
			DirectFunctionCall3(timestamptz_in, CStringGetDatum(psprintf("%s+00", r->applied_at)),
								ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
		values[5] = text_or_null(r->applied_by, &nulls[5]);
		nulls[6] = !r->has_duration;
		values[6] = Float8GetDatum(r->duration_ms);
		nulls[7] = r->checksum_ok < 0;
		values[7] = BoolGetDatum(r->checksum_ok > 0);
		values[8] = text_or_null(r->file, &nulls[8]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(old);
		MemoryContextReset(per_row);
	}
	MemoryContextDelete(per_row);
	call_free(&c);
	return (Datum) 0;
}

/* migrate_graph([format]): Graphviz DOT text (core/graph_dot.c). */
Datum
migrate_graph_1_1(PG_FUNCTION_ARGS)
{
	return text_command(fcinfo, "migrate_graph", "format", false, mg_cmd_graph);
}

/*
 * migrate_version(): "migrate 1.2 (SQL API 1.2), PostgreSQL 15.x": the
 * library, the installed extension's version (an older script can be
 * served by a newer library), the server.
 */
Datum
migrate_version_1_1(PG_FUNCTION_ARGS)
{
	char	   *schema;
	char	   *version;

	extension_row(&schema, &version);
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("migrate %s (SQL API %s), PostgreSQL %s",
											  MG_VERSION, version,
											  GetConfigOption("server_version", false, false))));
}

/* migrate_functions(): the API's functions this extension has (core/api.c). */
Datum
migrate_functions_1_1(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const mg_api_function **list;
	size_t		n;
	mg_ctx	   *ctx;

	InitMaterializedSRF(fcinfo, 0);
	if (rsinfo->setDesc->natts != 4)
		elog(ERROR, "return type must have 4 columns");
	if (mg_ctx_new(&ctx, host_realloc, CurrentMemoryContext) != MG_OK ||
		mg_api_functions(&list, &n, ctx, MG_API_POSTGRESQL) != MG_OK)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	for (size_t i = 0; i < n; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(list[i]->name);
		values[1] = CStringGetTextDatum(list[i]->arguments);
		values[2] = CStringGetTextDatum(list[i]->kind);
		values[3] = CStringGetTextDatum(list[i]->description);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	mg_ctx_free(ctx);
	return (Datum) 0;
}

/* ------------------------------------------------------------------ */
/* Relations (1.1): migrate_plan, migrate_schema, migrate_rehearse,      */
/* migrate_stairway                                                      */
/* ------------------------------------------------------------------ */

/*
 * Run one of the core's relations and materialize its table.  The
 * columns are the core's (mg_relation_columns); the SQL declaration in
 * sql/migrate--1.0--1.1.sql lists the same names and types, and the
 * count is checked here.  migrate_rehearse and migrate_stairway run the
 * steps in the run's unit (the advisory lock, a subtransaction) and the
 * core always rolls it back.
 */
static Datum
relation_call(FunctionCallInfo fcinfo, mg_relation rel, const char *fn)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const mg_column *cols;
	const char *const *argnames;
	const char *args[2] = {NULL, NULL};
	size_t		ncol, nargs, i;
	mg_table	t;
	call		c;
	MemoryContext per_row;
	int			rc;

	mg_relation_columns(rel, &cols, &ncol, &argnames, &nargs);
	for (i = 0; i < nargs && i < 2; i++)
		args[i] = arg_text(fcinfo, (int) i, fn, argnames[i], false);
	InitMaterializedSRF(fcinfo, 0);
	if (rsinfo->setDesc->natts != (int) ncol)
		elog(ERROR, "return type must have %d columns", (int) ncol);

	memset(&t, 0, sizeof(t));
	call_open(&c, false);
	rc = mg_cmd_relation(&t, c.ctx, &c.host, rel, args[0], args[1]);
	call_finish(&c, rc);

	per_row = AllocSetContextCreate(CurrentMemoryContext, "migrate result row",
									ALLOCSET_SMALL_SIZES);
	for (size_t r = 0; r < t.n; r++)
	{
		Datum	   *values = palloc(sizeof(Datum) * ncol);
		bool	   *nulls = palloc(sizeof(bool) * ncol);
		MemoryContext old = MemoryContextSwitchTo(per_row);

		for (i = 0; i < ncol; i++)
		{
			const char *v = t.cells[r * ncol + i];

			nulls[i] = v == NULL;
			if (v == NULL)
				values[i] = (Datum) 0;
			else if (cols[i].type == MG_COL_INT)
				values[i] = Int32GetDatum((int32) strtol(v, NULL, 10));
			else if (cols[i].type == MG_COL_BOOL)
				values[i] = BoolGetDatum(strcmp(v, "0") != 0);
			else if (cols[i].type == MG_COL_FLOAT)
				values[i] = Float8GetDatum(strtod(v, NULL));
			else
				values[i] = CStringGetTextDatum(v);
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(old);
		MemoryContextReset(per_row);
		pfree(values);
		pfree(nulls);
	}
	MemoryContextDelete(per_row);
	call_free(&c);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(migrate_plan_1_1);
PG_FUNCTION_INFO_V1(migrate_schema_1_1);
PG_FUNCTION_INFO_V1(migrate_rehearse_1_1);
PG_FUNCTION_INFO_V1(migrate_stairway_1_1);

/* migrate_plan([target [, run_direction]]) */
Datum
migrate_plan_1_1(PG_FUNCTION_ARGS)
{
	return relation_call(fcinfo, MG_REL_PLAN, "migrate_plan");
}

/* migrate_schema() */
Datum
migrate_schema_1_1(PG_FUNCTION_ARGS)
{
	return relation_call(fcinfo, MG_REL_SCHEMA, "migrate_schema");
}

/* migrate_rehearse([target [, run_direction]]) */
Datum
migrate_rehearse_1_1(PG_FUNCTION_ARGS)
{
	return relation_call(fcinfo, MG_REL_REHEARSE, "migrate_rehearse");
}

/* migrate_stairway([range]) */
Datum
migrate_stairway_1_1(PG_FUNCTION_ARGS)
{
	return relation_call(fcinfo, MG_REL_STAIRWAY, "migrate_stairway");
}

/* ------------------------------------------------------------------ */
/* The per-step procedure                                                */
/* ------------------------------------------------------------------ */

/*
 * One command of the stepwise procedure, in a call of its own (SPI
 * connected nonatomic, so the procedure can commit afterwards).  A
 * failure raises; the steps committed before stay committed.  On success
 * the call is left open for the caller to read its results, then
 * steps_call_end.
 */
static void
steps_call_end(call *c)
{
	plan_cache_release(c->hs.plans);
	mg_ctx_free(c->ctx);
	MemoryContextDelete(c->priv);
	SPI_commit();				/* needs the nonatomic SPI connection */
	SPI_finish();
}

/*
 * CALL migrate_upgrade_steps([target]) and CALL
 * migrate_downgrade_steps(target): one step at a time, committing after
 * each.  The target is resolved once, before the first step, into a plan
 * (mg_cmd_upgrade_plan / mg_cmd_downgrade_plan): '+1' is one step,
 * 'gxy@+2' two, '-1' one, whatever the steps commit in between.  Then
 * each revision of the plan runs in a unit of its own
 * (mg_cmd_upgrade_step / mg_cmd_downgrade_step), which takes the lock
 * anew: another session may interleave whole steps, never run one twice,
 * and a step that is no longer one step away fails.  A failing step is
 * rolled back; the steps before it stay committed.  A "Transactional:
 * false" step runs online, between committed steps.  The "Running ..."
 * lines go out as NOTICEs; with nothing to do, one NOTICE says where the
 * database is.
 */
static void
steps_procedure(FunctionCallInfo fcinfo, bool down)
{
	const char *fn = down ? "migrate_downgrade_steps" : "migrate_upgrade_steps";
	const char *target;
	const char **ids;
	char	   *report = NULL;
	size_t		n = 0;
	bool		nonatomic;
	call		c;
	int			rc;

	nonatomic = fcinfo->context != NULL && IsA(fcinfo->context, CallContext) &&
		!castNode(CallContext, fcinfo->context)->atomic;
	if (!nonatomic)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("%s cannot commit inside a transaction block", fn),
				 errdetail("The procedure commits after every step; it must be called with CALL, outside a transaction block and not from a function."),
				 errhint("Run CALL %s(...) in autocommit mode, or use SELECT %s(...) to run all steps in one transaction.",
						 fn, down ? "migrate_downgrade" : "migrate_upgrade")));

	/*
	 * The current memory context is the CALL's portal memory, which
	 * survives the commits below (and so do the target and the plan
	 * copied here).
	 */
	target = arg_text(fcinfo, 0, fn, "target", down);
	{
		const char **plan;

		call_open(&c, true);
		/* the plan admits "Transactional: false" steps: they run online */
		c.host.run_online = host_run_online;
		/* toasted catalog texts need a snapshot once the portal's is gone */
		PushActiveSnapshot(GetTransactionSnapshot());
		rc = down ? mg_cmd_downgrade_plan(&plan, &n, &report, c.ctx, &c.host, target)
			: mg_cmd_upgrade_plan(&plan, &n, &report, c.ctx, &c.host, target);
		rc = host_close_unit(&c.host, c.ctx, rc);
		PopActiveSnapshot();
		if (rc != MG_OK)
			call_finish(&c, rc);	/* raises */
		ids = MemoryContextAlloc(c.caller, (n + 1) * sizeof(char *));
		for (size_t i = 0; i < n; i++)
			ids[i] = MemoryContextStrdup(c.caller, plan[i]);
		if (n == 0 && report != NULL)
			ereport(NOTICE, (errmsg_internal("%s", report)));
		steps_call_end(&c);
	}
	for (size_t i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		report = NULL;
		call_open(&c, true);
		/* a "Transactional: false" step runs online, between committed steps */
		c.host.run_online = host_run_online;
		PushActiveSnapshot(GetTransactionSnapshot());
		rc = down ? mg_cmd_downgrade_step(&report, c.ctx, &c.host, ids[i])
			: mg_cmd_upgrade_step(&report, c.ctx, &c.host, ids[i]);
		rc = host_close_unit(&c.host, c.ctx, rc);
		online_lock_release(&c.hs);
		PopActiveSnapshot();
		if (rc != MG_OK)
			call_finish(&c, rc);	/* raises; the steps before stay committed */
		/* the "Running" line went out as a NOTICE; anything else is news */
		if (report != NULL && strncmp(report, "Running ", 8) != 0)
			ereport(NOTICE, (errmsg_internal("%s", report)));
		steps_call_end(&c);
	}
}

Datum
migrate_upgrade_steps_1_0(PG_FUNCTION_ARGS)
{
	steps_procedure(fcinfo, false);
	PG_RETURN_VOID();
}

/* CALL migrate_downgrade_steps(target) (1.2): see steps_procedure. */
PG_FUNCTION_INFO_V1(migrate_downgrade_steps_1_2);

Datum
migrate_downgrade_steps_1_2(PG_FUNCTION_ARGS)
{
	steps_procedure(fcinfo, true);
	PG_RETURN_VOID();
}

/* ------------------------------------------------------------------ */
/* A self-test of the unit                                               */
/* ------------------------------------------------------------------ */

PG_FUNCTION_INFO_V1(migrate_selftest_unit);

/* One line of the self-test's report; clears the context's error. */
static void
selftest_line(StringInfo out, const char *what, mg_ctx *ctx, int rc)
{
	const mg_error *e = mg_ctx_error(ctx);

	appendStringInfo(out, "%s%s: ", out->len > 0 ? "\n" : "", what);
	if (rc == MG_OK)
		appendStringInfoString(out, "ok");
	else
		appendStringInfo(out, "%s %s", e->sqlstate, e->message);
	mg_error_clear(ctx);
}

/*
 * migrate_selftest_unit(fail_sql, in_script): the host's unit driven as
 * the engine never drives it, for tests/pg/unit.pg.  Not part of the
 * extension's SQL API: a superuser declares it for a test
 * (CREATE FUNCTION ... AS '$libdir/migrate', 'migrate_selftest_unit'
 * LANGUAGE C).  In one call: begin; a query creating table
 * migrate_selftest_a; fail_sql (run_script when in_script, else query);
 * then, on the unit as that left it, a query creating
 * migrate_selftest_b, a script creating migrate_selftest_c, a commit,
 * two rollbacks; then a query after the unit.  Returns one line per
 * callback: "<callback>: ok" or "<callback>: <SQLSTATE> <message>"
 * (run_script's with the failing statement's number).
 */
Datum
migrate_selftest_unit(PG_FUNCTION_ARGS)
{
	const char *fail_sql = arg_text(fcinfo, 0, "migrate_selftest_unit", "fail_sql", true);
	bool		in_script = arg_flag(fcinfo, 1);
	StringInfoData out;
	char		what[64];
	text	   *result;
	call		c;
	int			failed = 0;
	int			rc;

	initStringInfo(&out);		/* the caller's context, as the result */
	call_open(&c, false);
	rc = c.host.begin(c.host.ud, c.ctx);
	selftest_line(&out, "begin", c.ctx, rc);
	rc = c.host.query(c.host.ud, c.ctx, "CREATE TABLE migrate_selftest_a (a int)", 0, NULL,
					  NULL, NULL, NULL);
	selftest_line(&out, "query", c.ctx, rc);
	if (in_script)
	{
		rc = c.host.run_script(c.host.ud, c.ctx, fail_sql, &failed);
		snprintf(what, sizeof(what), "run_script (statement %d)", failed);
		selftest_line(&out, what, c.ctx, rc);
	}
	else
	{
		rc = c.host.query(c.host.ud, c.ctx, fail_sql, 0, NULL, NULL, NULL, NULL);
		selftest_line(&out, "query", c.ctx, rc);
	}
	rc = c.host.query(c.host.ud, c.ctx, "CREATE TABLE migrate_selftest_b (a int)", 0, NULL,
					  NULL, NULL, NULL);
	selftest_line(&out, "query", c.ctx, rc);
	rc = c.host.run_script(c.host.ud, c.ctx, "CREATE TABLE migrate_selftest_c (a int);", &failed);
	snprintf(what, sizeof(what), "run_script (statement %d)", failed);
	selftest_line(&out, what, c.ctx, rc);
	rc = c.host.commit(c.host.ud, c.ctx);
	selftest_line(&out, "commit", c.ctx, rc);
	c.host.rollback(c.host.ud, c.ctx);
	c.host.rollback(c.host.ud, c.ctx);
	appendStringInfoString(&out, "\nrollback, rollback: done");
	rc = c.host.query(c.host.ud, c.ctx, "SELECT 1", 0, NULL, NULL, NULL, NULL);
	selftest_line(&out, "query after the unit", c.ctx, rc);
	call_finish(&c, MG_OK);
	result = cstring_to_text(out.data);
	call_free(&c);
	PG_RETURN_TEXT_P(result);
}
