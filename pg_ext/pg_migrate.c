/*
 * pg_migrate.c -- the PostgreSQL host of the migrate revision engine.
 *
 * Schema migrations with Alembic's revision model, run entirely inside
 * the database: the revision scripts are read into a catalog table, and
 * SQL functions upgrade, downgrade, stamp and report.  Build, install and
 * create:
 *
 *     make -C pg_ext && make -C pg_ext install     (PGXS; pg_config on PATH)
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
 *     migrate_config(key [, value])     read or write a setting
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
 * SQLite host's signature; the rows are the same.
 *
 * A procedure that commits after every step (CALL, outside a transaction
 * block):
 *
 *     CALL migrate_upgrade_steps([target])
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
 * for one step at a time (mg_cmd_upgrade_steps with max_steps 1), each
 * an atomic unit, commits, and asks again until no step remains.
 *
 * Functions are not SECURITY DEFINER: they run with the caller's
 * privileges on the state tables, the version table and whatever the
 * revision scripts touch.
 *
 * One C function is no part of the SQL API: migrate_selftest_unit
 * drives the host's unit as the engine never does (calls on a unit an
 * error has rolled back); tests/pg/unit.pg declares it for its test.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_extension.h"
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
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "mg.h"
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
/* Trapped calls: PostgreSQL errors become engine errors                 */
/* ------------------------------------------------------------------ */

typedef void (*guarded_fn) (void *arg);

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
	if (sqlerrcode != NULL)
		*sqlerrcode = 0;
	if (cursorpos != NULL)
		*cursorpos = 0;
	if (!hs->in_unit)
		return guard(ctx, fn, arg, with_context, sqlerrcode, cursorpos);
	if (hs->unit_aborted)
		return unit_aborted_error(ctx);
	return unit_call(hs, ctx, fn, arg, with_context, sqlerrcode, cursorpos);
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
			mg_error_detail(ctx, "Every revision runs inside the engine's own transaction (a savepoint of the caller's).");
			mg_error_hint(ctx, "Remove BEGIN, COMMIT, ROLLBACK and SAVEPOINT statements from the script.");
			return MG_EHOST;
		case SPI_ERROR_COPY:
			mg_error_set(ctx, MG_EHOST, "0A000",
						 "COPY to or from the client is not allowed in a revision script");
			mg_error_hint(ctx, "Use COPY with a server file, or INSERT statements.");
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
	SPIPlanPtr	plan = SPI_prepare(sql, nparams, types);

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
} row_receiver;

static void
rows_startup(DestReceiver *self, int operation, TupleDesc desc)
{
	row_receiver *rr = (row_receiver *) self;

	(void) operation;
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

/* The parse of a revision body, for the guarded part. */
typedef struct parse_args
{
	host_state *hs;
	const char *sql;
	List	   *stmts;			/* RawStmt, in scratch */
} parse_args;

static void
parse_guarded(void *arg)
{
	parse_args *p = arg;
	MemoryContext old = MemoryContextSwitchTo(p->hs->scratch);

	p->stmts = raw_parser(p->sql, RAW_PARSE_DEFAULT);
	MemoryContextSwitchTo(old);
}

/*
 * Where a parse error sits: the statement holding byte offset `at`,
 * found with PostgreSQL's scanner (top-level ';' tokens).  Filled as the
 * scan goes, so a scanner error still leaves what was found.
 */
typedef struct locate_args
{
	host_state *hs;
	const char *sql;
	int			at;
	int			number;			/* 1-based */
	int			start;			/* byte offsets of the statement */
	int			end;
} locate_args;

static void
locate_guarded(void *arg)
{
	locate_args *l = arg;
	MemoryContext old = MemoryContextSwitchTo(l->hs->scratch);
	core_yy_extra_type yyextra;
	core_yyscan_t scanner;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;

	scanner = scanner_init(l->sql, &yyextra, &ScanKeywords, ScanKeywordTokens);
	for (;;)
	{
		int			tok = core_yylex(&yylval, &yylloc, scanner);

		if (tok == 0)
			break;
		if (tok != ';')
			continue;
		if (yylloc < l->at)
		{
			l->number++;
			l->start = yylloc + 1;
		}
		else
		{
			l->end = yylloc;
			break;
		}
	}
	scanner_finish(scanner);
	MemoryContextSwitchTo(old);
}

/* Byte offset of the 1-based character position pos in s. */
static int
char_to_byte(const char *s, int len, int pos)
{
	int			off = 0;
	int			ch = 1;

	while (off < len && ch < pos)
	{
		off += pg_mblen(s + off);
		ch++;
	}
	return off < len ? off : len;
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
 * run_script: every statement of a revision body, in order.  On failure
 * the error holds PostgreSQL's words, *failed_statement the statement's
 * number and the context its text.
 */
static int
host_run_script(void *ud, mg_ctx *ctx, const char *sql, int *failed_statement)
{
	host_state *hs = ud;
	parse_args	p;
	ListCell   *lc;
	int			len = (int) strlen(sql);
	int			n = 0;
	int			cursorpos;
	int			rc;

	*failed_statement = 0;
	if (hs->in_unit && hs->unit_aborted)
		return unit_aborted_error(ctx);
	memset(&p, 0, sizeof(p));
	p.hs = hs;
	p.sql = sql;
	rc = trap(hs, ctx, parse_guarded, &p, false, NULL, &cursorpos);
	if (rc != MG_OK)
	{
		locate_args l;
		mg_error	saved = *mg_ctx_error(ctx);

		/*
		 * A syntax error: nothing ran; name the statement that holds it.
		 * Inside a unit, the error has rolled the unit back already; the
		 * scan touches no table, and its own guard's subtransaction (only
		 * here, on the way out) lives in the caller's transaction.
		 */
		memset(&l, 0, sizeof(l));
		l.hs = hs;
		l.sql = sql;
		l.at = cursorpos > 0 ? char_to_byte(sql, len, cursorpos) : len;
		l.end = len;
		(void) guard(ctx, locate_guarded, &l, false, NULL, NULL);
		*mg_ctx_error_mut(ctx) = saved;
		*failed_statement = l.number + 1;
		mg_error_statement(ctx, sql + l.start, sql + (l.end > l.start ? l.end : len));
		MemoryContextReset(hs->scratch);
		return rc;
	}

	foreach(lc, p.stmts)
	{
		RawStmt    *stmt = lfirst_node(RawStmt, lc);
		int			start = stmt->stmt_location;
		int			slen = stmt->stmt_len > 0 ? stmt->stmt_len : len - start;
		exec_args	e;

		n++;
		e.sql = pnstrdup(sql + start, slen);
		e.spi_rc = 0;
		rc = trap(hs, ctx, exec_guarded, &e, false, NULL, NULL);
		if (rc == MG_OK && e.spi_rc < 0)
			rc = spi_failure(ctx, e.spi_rc);
		pfree((void *) e.sql);
		if (rc != MG_OK)
		{
			*failed_statement = n;
			mg_error_statement(ctx, sql + start, sql + start + slen);
			break;
		}
	}
	MemoryContextReset(hs->scratch);
	return rc;
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
	hs->unit_cxt = CurrentMemoryContext;
	hs->unit_owner = CurrentResourceOwner;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(hs->unit_cxt);
	hs->unit_subid = GetCurrentSubTransactionId();
	hs->in_unit = true;
	hs->unit_aborted = false;
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
	if (hs->unit_aborted)
	{
		hs->unit_aborted = false;
		return;
	}
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(hs->unit_cxt);
	CurrentResourceOwner = hs->unit_owner;
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
	if (hs->unit_aborted)
	{
		hs->unit_aborted = false;
		mg_error_set(ctx, MG_EHOST, MIGRATE_STATE_ABORTED,
					 "the migration unit was rolled back after an error; it cannot be committed");
		mg_error_detail(ctx, "An earlier statement of this call failed, and its error undid everything the call had done.");
		return MG_EHOST;
	}
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

/* Fill the host interface for one call. */
static void
host_init(mg_host *host, host_state *hs, MemoryContext priv, char *schema)
{
	memset(hs, 0, sizeof(*hs));
	hs->priv = priv;
	hs->scratch = AllocSetContextCreate(priv, "migrate scratch", ALLOCSET_DEFAULT_SIZES);
	hs->schema = schema;
	hs->plans = plan_cache_new(priv);
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
 * migrate_version(): "migrate 1.1 (SQL API 1.1), PostgreSQL 15.x": the
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
 * CALL migrate_upgrade_steps([target]): upgrade one step at a time,
 * committing after each (each step takes the lock anew, so another
 * session may interleave whole steps, never run one twice).  A failing
 * step is rolled back; the steps before it stay committed.  The
 * "Running ..." lines go out as NOTICEs, then the final report.
 */
Datum
migrate_upgrade_steps_1_0(PG_FUNCTION_ARGS)
{
	const char *target;
	bool		nonatomic;

	nonatomic = fcinfo->context != NULL && IsA(fcinfo->context, CallContext) &&
		!castNode(CallContext, fcinfo->context)->atomic;
	if (!nonatomic)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("migrate_upgrade_steps cannot commit inside a transaction block"),
				 errdetail("The procedure commits after every step; it must be called with CALL, outside a transaction block and not from a function."),
				 errhint("Run CALL migrate_upgrade_steps(...) in autocommit mode, or use SELECT migrate_upgrade(...) to run all steps in one transaction.")));

	/*
	 * The current memory context is the CALL's portal memory, which
	 * survives the commits below (and so does the target copied here).
	 */
	target = arg_text(fcinfo, 0, "migrate_upgrade_steps", "target", false);
	for (;;)
	{
		call		c;
		char	   *report = NULL;
		bool		done;
		int			more = 0;
		int			rc;

		CHECK_FOR_INTERRUPTS();
		call_open(&c, true);
		/* toasted catalog texts need a snapshot once the portal's is gone */
		PushActiveSnapshot(GetTransactionSnapshot());
		rc = mg_cmd_upgrade_steps(&report, &more, c.ctx, &c.host, target, 1);
		rc = host_close_unit(&c.host, c.ctx, rc);
		PopActiveSnapshot();
		if (rc != MG_OK)
			call_finish(&c, rc);	/* raises; the steps before stay committed */
		/* stop at the call that finds nothing to do: it reports where the database is */
		done = report == NULL || strncmp(report, "Running ", 8) != 0;
		(void) more;
		if (done && report != NULL)
			ereport(NOTICE, (errmsg_internal("%s", report)));
		plan_cache_release(c.hs.plans);
		mg_ctx_free(c.ctx);
		MemoryContextDelete(c.priv);
		SPI_commit();			/* needs the nonatomic SPI connection */
		SPI_finish();
		if (done)
			break;
	}
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
