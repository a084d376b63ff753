/*
 * rehearse.c -- the database proves its own migrations: the plan as
 * rows (migrate_plan), a real dry run (migrate_rehearse) and the
 * stairway test (migrate_stairway).
 *
 * The plan is the one a run would make now: the same planner, the same
 * targets, the held branches one after the other.  Rehearse and
 * stairway open the run's own unit (host->begin: the lock a run takes,
 * then a transaction or a savepoint inside the caller's), execute the
 * steps for real with the runner of migrate_upgrade, read the schema
 * (schema.c) between steps, and always roll the unit back: whatever
 * happens, the database is left as it was.  A failing step is a row
 * with its error, not an error of the call; the rehearsal stops there,
 * since the database cannot go on from a statement that failed.
 * Progress notices are off: nothing here is a run.
 *
 * On PostgreSQL a rehearsed step also reports the tables it rewrote
 * (relfilenode changed) and, per relation that existed before it, the
 * strongest lock it took beyond what the unit already held (the own
 * backend's locks): in a run, too, every step's locks are held to the
 * end of the run's transaction.  These reads, and the snapshots', go
 * through mg_state_catalog_rows: a host with catalog_rows answers them
 * without a query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------------------ */
/* The plan                                                             */
/* ------------------------------------------------------------------ */

/*
 * Which way: "upgrade", "downgrade", or (NULL) the way only one of them
 * takes the target: base, <label>@base and relative steps down (-1,
 * <label>@-1, <rev>-1) are downgrades, everything else upgrades.
 */
static int
choose_direction(bool *upgrade, mg_ctx *ctx, const char *fn, const char *target,
				 const char *direction)
{
	if (direction != NULL && *direction)
	{
		if (strcmp(direction, "upgrade") == 0 || strcmp(direction, "downgrade") == 0)
		{
			*upgrade = direction[0] == 'u';
			return MG_OK;
		}
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
					 "%s: run_direction must be \"upgrade\" or \"downgrade\", not \"%s\"", fn, direction);
		mg_error_hint(ctx, "Leave it out to plan an upgrade, or a downgrade for targets only a downgrade takes (base, -1).");
		return MG_EINPUT;
	}
	*upgrade = true;
	if (target != NULL)
	{
		size_t len = strlen(target), k = len;

		while (k > 0 && target[k - 1] >= '0' && target[k - 1] <= '9')
			k--;
		if (strcmp(target, "base") == 0 || (len >= 5 && strcmp(target + len - 5, "@base") == 0) ||
			(k < len && k > 0 && target[k - 1] == '-'))
			*upgrade = false;
	}
	return MG_OK;
}

/* Append plan p's steps to out (out's start stays the first plan's). */
static int
append_plan(mg_plan *out, mg_ctx *ctx, const mg_plan *p)
{
	mg_step *steps;

	if (out->steps == NULL && out->n == 0)
	{
		*out = *p;
		return MG_OK;
	}
	steps = mg_alloc(ctx, (out->n + p->n + 1) * sizeof(mg_step));
	if (steps == NULL)
		return MG_ENOMEM;
	memcpy(steps, out->steps, out->n * sizeof(mg_step));
	memcpy(steps + out->n, p->steps, p->n * sizeof(mg_step));
	out->steps = steps;
	out->n += p->n;
	out->end = p->end;
	out->nend = p->nend;
	return MG_OK;
}

/*
 * The plan a run to target would make from rows: as migrate_upgrade and
 * migrate_downgrade make it (release names, the held branches one after
 * the other for "heads").
 */
static int
whole_plan(mg_plan *out, mg_session *s, const char *fn, bool upgrade, const char *target,
		   const char *const *rows, size_t nrows)
{
	mg_ctx *ctx = s->st.ctx;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!upgrade && (target == NULL || *target == '\0'))
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "a downgrade target is required");
		mg_error_hint(ctx, "Give one, for example %s('-1') or %s('base').", fn, fn);
		return MG_EINPUT;
	}
	if (target == NULL || *target == '\0')
		target = "heads";
	if (strchr(target, ':') != NULL)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "Range revision not allowed");
		mg_error_detail(ctx, "\"%s\" is a range; %s takes one target, as a run does.", target, fn);
		mg_error_hint(ctx, "Use migrate_stairway('%s') to test a range step by step.", target);
		return MG_EINPUT;
	}
	if ((rc = mg_session_release_target(&target, s, target)) != MG_OK)
		return rc;
	if (upgrade && strcmp(target, "heads") == 0 && s->nheld > 0)
	{
		if ((rc = mg_session_check_held(s)) != MG_OK)
			return rc;
		for (size_t i = 0; i < s->nheld; i++)
		{
			char *t = mg_printf(ctx, "%s@heads", s->held[i]);
			mg_plan p;

			if (t == NULL)
				return MG_ENOMEM;
			if ((rc = mg_plan_upgrade(&p, ctx, s->map, rows, nrows, t)) != MG_OK ||
				(rc = append_plan(out, ctx, &p)) != MG_OK)
				return rc;
			rows = p.end;
			nrows = p.nend;
		}
		return MG_OK;
	}
	if (upgrade)
		return mg_plan_upgrade(out, ctx, s->map, rows, nrows, target);
	return mg_plan_downgrade(out, ctx, s->map, rows, nrows, target);
}

/* "upgrade", "downgrade", or "merge" / "unmerge" when the step joins or splits heads. */
static const char *
step_direction(const mg_step *st)
{
	for (size_t k = 0; k < st->nops; k++)
	{
		if (st->upgrade && st->ops[k].kind == MG_VOP_DELETE)
			return "merge";
		if (!st->upgrade && st->ops[k].kind == MG_VOP_INSERT)
			return "unmerge";
	}
	return st->upgrade ? "upgrade" : "downgrade";
}

/* The step's body for the dialect and its number of statements. */
static int
step_body(const char **body, size_t *nstmts, mg_session *s, const mg_step *st)
{
	mg_stmt *stmts;
	const mg_script *sc;

	*body = NULL;
	*nstmts = 0;
	if (st->rev < 0)
		return MG_OK;
	sc = mg_revmap_rev(s->map, st->rev)->script;
	*body = mg_script_body(sc, st->upgrade, s->st.dialect);
	if (*body == NULL)
		return MG_OK;
	return mg_sql_split(&stmts, nstmts, s->st.ctx, *body, s->st.dialect);
}

/* The columns a plan row and a rehearse row share: step .. message. */
static int
fill_step(const char **row, mg_session *s, size_t i, const mg_step *st)
{
	mg_ctx *ctx = s->st.ctx;
	const mg_script *sc = st->rev >= 0 ? mg_revmap_rev(s->map, st->rev)->script : NULL;

	row[0] = mg_table_int(ctx, (long long) i + 1);
	row[1] = sc ? sc->id : NULL;
	row[2] = step_direction(st);
	row[3] = st->from;
	row[4] = st->to;
	row[5] = sc ? sc->message : NULL;
	return row[0] == NULL ? MG_ENOMEM : MG_OK;
}

int
mg_rehearse_plan(mg_table *out, mg_ctx *ctx, const mg_host *host, const char *target,
				 const char *direction)
{
	mg_table_builder b;
	mg_session s;
	mg_plan plan;
	bool upgrade;
	int rc;

	mg_table_start(&b, out, ctx, MG_REL_PLAN);
	if ((rc = choose_direction(&upgrade, ctx, "migrate_plan", target, direction)) != MG_OK ||
		(rc = mg_session_open(&s, ctx, host, false)) != MG_OK ||
		(rc = whole_plan(&plan, &s, "migrate_plan", upgrade, target, s.rows, s.nrows)) != MG_OK ||
		(rc = mg_session_load_bodies(&s, &plan)) != MG_OK)
		return rc;
	for (size_t i = 0; i < plan.n; i++)
	{
		const mg_step *st = &plan.steps[i];
		const mg_script *sc = st->rev >= 0 ? mg_revmap_rev(s.map, st->rev)->script : NULL;
		const char **row = mg_table_row(&b);
		const char *body;
		size_t nstmts;

		if ((rc = mg_interrupt_check(ctx)) != MG_OK)
			return rc;
		if (row == NULL || fill_step(row, &s, i, st) != MG_OK)
			return MG_ENOMEM;
		if ((rc = step_body(&body, &nstmts, &s, st)) != MG_OK)
			return rc;
		row[6] = sc ? sc->filename : NULL;
		row[7] = sc == NULL || sc->transactional ? "1" : "0";
		row[8] = mg_table_int(ctx, (long long) nstmts);
		row[9] = body;
		if (row[8] == NULL)
			return MG_ENOMEM;
	}
	return MG_OK;
}

/* ------------------------------------------------------------------ */
/* Running steps one at a time inside the unit                          */
/* ------------------------------------------------------------------ */

/*
 * Open a write session whose host sends no progress notices and which
 * writes no log rows (everything else a run writes is written, and
 * rolled back).
 */
static int
open_quiet(mg_session *s, mg_host *quiet, mg_ctx *ctx, const mg_host *host)
{
	int rc;

	*quiet = *host;
	quiet->notice = NULL;
	rc = mg_session_open(s, ctx, quiet, true);
	/* a sequence never rolls back: the log's would move at every rehearsal */
	s->st.no_log = true;
	return rc;
}

/* End a rehearsal: the unit is always rolled back. */
static int
roll_back(mg_session *s, int rc)
{
	if (s->in_unit)
	{
		s->in_unit = false;
		s->st.host->rollback(s->st.host->ud, s->st.ctx);
	}
	return rc;
}

/*
 * Run one step (body, version rows, log row) as a run runs it.  A failure
 * of the step's own SQL returns MG_EHOST / MG_EINPUT with the error set;
 * the caller turns it into a row.
 */
static int
run_step(mg_session *s, const mg_step *st, bool run_body)
{
	mg_plan one;
	char *report;
	int rc;

	memset(&one, 0, sizeof(one));
	one.steps = (mg_step *) st;
	one.n = 1;
	if (run_body && (rc = mg_run_check(s->st.ctx, s->map, &one, s->st.dialect)) != MG_OK)
		return rc;
	return mg_run_plan(&report, &s->st, s->map, &one, run_body);
}

/*
 * Errors that end the call itself, not a row: memory, a cancel request,
 * and the host's errors of class 57 (operator intervention: a cancel or
 * statement_timeout that arrived while a step's statement ran, a
 * shutdown).  A step that fails on its own (lock_timeout included) is a
 * row.
 */
static bool
fatal(mg_ctx *ctx, int rc)
{
	if (rc == MG_ENOMEM || rc == MG_ECANCEL)
		return true;
	return rc != MG_OK && strncmp(mg_ctx_error(ctx)->sqlstate, "57", 2) == 0;
}

static bool
skipped_here(const mg_session *s, const mg_step *st)
{
	return st->rev >= 0 && s->st.dialect == MG_DIALECT_POSTGRESQL &&
		!mg_revmap_rev(s->map, st->rev)->script->transactional;
}

static const char *
skip_reason(mg_ctx *ctx, const mg_session *s, const mg_step *st)
{
	return mg_printf(ctx, "revision %s is marked \"Transactional: false\": it cannot run inside the "
					 "rehearsal's transaction; run it with CALL migrate_upgrade_steps()",
					 mg_revmap_rev(s->map, st->rev)->id);
}

/* ------------------------------------------------------------------ */
/* PostgreSQL: rewrites and locks                                       */
/* ------------------------------------------------------------------ */

#define EQ " OPERATOR(pg_catalog.=) "

/*
 * The user's relations (not an extension's, not the version table and
 * its index): every one, or ($2) those of some oids.
 */
#define PG_RELS(filter) \
	"SELECT c.oid::pg_catalog.text, c.relfilenode::pg_catalog.text, " \
	"CASE WHEN n.nspname" EQ "'public' THEN c.relname::pg_catalog.text " \
	"ELSE n.nspname::pg_catalog.text OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) c.relname::pg_catalog.text END, " \
	"c.relkind::pg_catalog.text " \
	"FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid" EQ "c.relnamespace " \
	"WHERE " filter "n.nspname OPERATOR(pg_catalog.!~) '^(pg_|information_schema$)' " \
	"AND NOT (c.relname" EQ "$1::pg_catalog.name AND c.relkind" EQ "'r') " \
	"AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class t ON t.oid" EQ "x.indrelid " \
	"WHERE x.indexrelid" EQ "c.oid AND t.relname" EQ "$1::pg_catalog.name) " \
	"AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid" EQ "'pg_catalog.pg_class'::pg_catalog.regclass " \
	"AND d.objid" EQ "c.oid AND d.deptype" EQ "'e')"

static const char *const pg_rels_sql = PG_RELS("");
static const char *const pg_rels_some_sql =
	PG_RELS("c.oid OPERATOR(pg_catalog.=) ANY ($2::pg_catalog.oid[]) AND ");

/* The locks this backend holds on the relations $1 (oids). */
static const char *const pg_locks_sql =
	"SELECT l.relation::pg_catalog.text, l.mode FROM pg_catalog.pg_locks l "
	"WHERE l.locktype" EQ "'relation' AND l.granted AND l.pid" EQ "pg_catalog.pg_backend_pid() "
	"AND l.relation OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) "
	"AND l.database" EQ "(SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname" EQ "pg_catalog.current_database())";

/* pg_locks' modes, weakest first, and their names in LOCK TABLE's words. */
static const char *const lock_modes[][2] = {
	{"AccessShareLock", "ACCESS SHARE"},
	{"RowShareLock", "ROW SHARE"},
	{"RowExclusiveLock", "ROW EXCLUSIVE"},
	{"ShareUpdateExclusiveLock", "SHARE UPDATE EXCLUSIVE"},
	{"ShareLock", "SHARE"},
	{"ShareRowExclusiveLock", "SHARE ROW EXCLUSIVE"},
	{"ExclusiveLock", "EXCLUSIVE"},
	{"AccessExclusiveLock", "ACCESS EXCLUSIVE"},
};
#define NLOCKMODES ((int) (sizeof(lock_modes) / sizeof(lock_modes[0])))

typedef struct pg_rel {
	const char *oid;
	const char *filenode;
	const char *name;
	char kind;
	int lock;           /* strongest mode held (index into lock_modes), -1 none */
} pg_rel;

/* The user's relations as the rehearsal last saw them, sorted by oid (as text). */
typedef struct pg_rels {
	pg_rel *v;
	size_t n, cap;
} pg_rels;

static int
rel_cmp(const void *a, const void *b)
{
	return strcmp(((const pg_rel *) a)->oid, ((const pg_rel *) b)->oid);
}

static pg_rel *
rel_find(const pg_rels *r, const char *oid)
{
	pg_rel key;

	key.oid = oid;
	return r->n ? bsearch(&key, r->v, r->n, sizeof(pg_rel), rel_cmp) : NULL;
}

/* rows of pg_rels_sql as relations (no lock known yet), sorted. */
static int
rels_from_rows(pg_rels *out, mg_ctx *ctx, char ***r, size_t n)
{
	out->cap = n + 1;
	out->n = 0;
	if ((out->v = mg_alloc(ctx, out->cap * sizeof(pg_rel))) == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < n; i++)
	{
		if (r[i][0] == NULL)
			continue;
		out->v[out->n].oid = r[i][0];
		out->v[out->n].filenode = r[i][1] ? r[i][1] : "";
		out->v[out->n].name = r[i][2] ? r[i][2] : "";
		out->v[out->n].kind = r[i][3] ? r[i][3][0] : '?';
		out->v[out->n].lock = -1;
		out->n++;
	}
	qsort(out->v, out->n, sizeof(pg_rel), rel_cmp);
	return MG_OK;
}

/* A relation lock this backend holds: the strongest mode per relation. */
typedef struct pg_held {
	const char *oid;
	int mode;
} pg_held;

typedef struct pg_locks {
	pg_held *v;
	size_t n, cap;
} pg_locks;

static int
held_cmp(const void *a, const void *b)
{
	return strcmp(((const pg_held *) a)->oid, ((const pg_held *) b)->oid);
}

/*
 * The locks this backend holds now on the relations of a and b (b may
 * be NULL), sorted by oid, one per relation.  An index's lock is never
 * reported (it comes with its table's): indexes are not asked about.
 */
static int
read_locks(pg_locks *out, mg_session *s, const pg_rels *a, const pg_rels *b)
{
	const pg_rels *sets[2] = {a, b};
	const char *params[1];
	mg_buf ids;
	char ***r;
	size_t n, k = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	mg_buf_init(&ids, s->st.ctx);
	mg_buf_putc(&ids, '{');
	for (int v = 0; v < 2; v++)
		for (size_t i = 0; sets[v] != NULL && i < sets[v]->n; i++)
			if (sets[v]->v[i].kind != 'i' && sets[v]->v[i].kind != 'I')
				mg_buf_printf(&ids, "%s%s", ids.len > 1 ? "," : "", sets[v]->v[i].oid);
	mg_buf_putc(&ids, '}');
	if (mg_buf_finish(&ids, (char **) &params[0]) != MG_OK)
		return MG_ENOMEM;
	if ((rc = mg_state_catalog_rows(&r, &n, &s->st, MG_CATALOG_LOCKS, pg_locks_sql, 1, params, 2)) != MG_OK)
		return rc;
	out->cap = n + 1;
	if ((out->v = mg_alloc(s->st.ctx, out->cap * sizeof(pg_held))) == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < n; i++)
	{
		if (r[i][0] == NULL || r[i][1] == NULL)
			continue;
		for (int m = 0; m < NLOCKMODES; m++)
			if (strcmp(lock_modes[m][0], r[i][1]) == 0)
			{
				out->v[k].oid = r[i][0];
				out->v[k++].mode = m;
			}
	}
	qsort(out->v, k, sizeof(pg_held), held_cmp);
	/* one per relation: its strongest mode */
	for (size_t i = 0; i < k; i++)
		if (out->n > 0 && strcmp(out->v[out->n - 1].oid, out->v[i].oid) == 0)
		{
			if (out->v[i].mode > out->v[out->n - 1].mode)
				out->v[out->n - 1].mode = out->v[i].mode;
		}
		else
			out->v[out->n++] = out->v[i];
	return MG_OK;
}

/* The strongest mode held on oid, -1 none. */
static int
lock_of(const pg_locks *l, const char *oid)
{
	pg_held key, *h;

	key.oid = oid;
	h = l->n ? bsearch(&key, l->v, l->n, sizeof(pg_held), held_cmp) : NULL;
	return h != NULL ? h->mode : -1;
}

/* The user's relations and the strongest lock this backend holds on each. */
static int
read_rels(pg_rels *out, mg_session *s)
{
	const char *params[1] = {s->st.version_name};
	pg_locks held;
	char ***r;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (s->st.dialect != MG_DIALECT_POSTGRESQL)
		return MG_OK;
	if ((rc = mg_state_catalog_rows(&r, &n, &s->st, MG_CATALOG_RELS, pg_rels_sql, 1, params, 4)) != MG_OK ||
		(rc = rels_from_rows(out, s->st.ctx, r, n)) != MG_OK ||
		(rc = read_locks(&held, s, out, NULL)) != MG_OK)
		return rc;
	for (size_t i = 0; i < out->n; i++)
		out->v[i].lock = lock_of(&held, out->v[i].oid);
	return MG_OK;
}

static int
rel_name_cmp(const void *a, const void *b)
{
	return strcmp((*(const pg_rel *const *) a)->name, (*(const pg_rel *const *) b)->name);
}

/*
 * What a step did to the relations that existed before it (rels): the
 * tables it rewrote (relfilenode changed), the locks it took beyond
 * those already held, in name order.  Locks on a relation the step
 * dropped are still held under its old oid.  Then rels becomes
 * what the next step starts from: the relations the snapshot after the
 * step read again (after->changed; all of them when it read the whole
 * schema) are read again here too, the others keep their row.
 */
static int
rel_changes(const char **rewrites, const char **locks, mg_session *s, pg_rels *rels,
			const mg_schema *after)
{
	mg_ctx *ctx = s->st.ctx;
	pg_rels fresh;
	pg_locks held;
	mg_buf rw, lk;
	const pg_rel **hit;
	size_t nhit = 0;
	int rc, *now;

	*rewrites = *locks = NULL;
	if (s->st.dialect != MG_DIALECT_POSTGRESQL)
		return MG_OK;
	if ((now = mg_alloc(ctx, (rels->n + 1) * sizeof(int))) == NULL ||
		(hit = mg_alloc(ctx, (rels->n + 1) * sizeof(pg_rel *))) == NULL)
		return MG_ENOMEM;
	/* the relations read again: every one, or those the snapshot read again */
	if (after->changed_all)
	{
		const char *params[1] = {s->st.version_name};
		char ***r;
		size_t n;

		if ((rc = mg_state_catalog_rows(&r, &n, &s->st, MG_CATALOG_RELS, pg_rels_sql, 1, params, 4)) != MG_OK ||
			(rc = rels_from_rows(&fresh, ctx, r, n)) != MG_OK)
			return rc;
	}
	else if (after->nchanged > 0)
	{
		mg_buf ids;
		char *list;
		char ***r;
		size_t n;

		mg_buf_init(&ids, ctx);
		mg_buf_putc(&ids, '{');
		for (size_t i = 0; i < after->nchanged; i++)
			mg_buf_printf(&ids, "%s%s", i ? "," : "", after->changed[i]);
		mg_buf_putc(&ids, '}');
		if (mg_buf_finish(&ids, &list) != MG_OK)
			return MG_ENOMEM;
		{
			const char *params[2] = {s->st.version_name, list};

			if ((rc = mg_state_catalog_rows(&r, &n, &s->st, MG_CATALOG_RELS, pg_rels_some_sql, 2, params, 4)) != MG_OK ||
				(rc = rels_from_rows(&fresh, ctx, r, n)) != MG_OK)
				return rc;
		}
	}
	else
		memset(&fresh, 0, sizeof(fresh));
	/* the locks last: reading the relations takes none, so these are the step's */
	if ((rc = read_locks(&held, s, rels, &fresh)) != MG_OK)
		return rc;
	for (size_t i = 0; i < rels->n; i++)
		now[i] = lock_of(&held, rels->v[i].oid);
	for (size_t i = 0; i < rels->n; i++)
	{
		const pg_rel *b = &rels->v[i];
		const pg_rel *a = rel_find(&fresh, b->oid);
		bool rewrote = a != NULL && (b->kind == 'r' || b->kind == 'm') && strcmp(a->filenode, b->filenode) != 0;

		/* an index's lock comes with its table's: only tables, views, sequences */
		if (rewrote || (now[i] > b->lock && b->kind != 'i' && b->kind != 'I'))
			hit[nhit++] = b;
	}
	if (nhit > 1)
		qsort(hit, nhit, sizeof(pg_rel *), rel_name_cmp);
	mg_buf_init(&rw, ctx);
	mg_buf_init(&lk, ctx);
	for (size_t i = 0; i < nhit; i++)
	{
		const pg_rel *b = hit[i];
		const pg_rel *a = rel_find(&fresh, b->oid);
		int lock = now[b - rels->v];

		if (a != NULL && (b->kind == 'r' || b->kind == 'm') && strcmp(a->filenode, b->filenode) != 0)
			mg_buf_printf(&rw, "%s%s", rw.len ? ", " : "", b->name);
		if (lock > b->lock && b->kind != 'i' && b->kind != 'I')
			mg_buf_printf(&lk, "%s%s: %s", lk.len ? ", " : "", b->name, lock_modes[lock][1]);
	}
	if (mg_buf_finish(&rw, (char **) rewrites) != MG_OK || mg_buf_finish(&lk, (char **) locks) != MG_OK)
		return MG_ENOMEM;
	/* the next step's start: the locks now held, the relations read again */
	for (size_t i = 0; i < rels->n; i++)
		rels->v[i].lock = now[i];
	mg_release(ctx, hit, (rels->n + 1) * sizeof(pg_rel *));
	mg_release(ctx, now, (rels->n + 1) * sizeof(int));
	if (after->changed_all || fresh.n > 0 || after->nchanged > 0)
	{
		pg_rels next;
		size_t i = 0, j = 0;

		next.cap = rels->n + fresh.n + 1;
		next.n = 0;
		if ((next.v = mg_alloc(ctx, next.cap * sizeof(pg_rel))) == NULL)
			return MG_ENOMEM;
		/* both sorted by oid: a relation read again replaces its row; one gone (or, all read, not read) goes */
		while (i < rels->n || j < fresh.n)
		{
			int c = i == rels->n ? 1 : j == fresh.n ? -1 : strcmp(rels->v[i].oid, fresh.v[j].oid);

			if (c < 0)
			{
				bool reread = after->changed_all;

				for (size_t k = 0; !reread && k < after->nchanged; k++)
					reread = strcmp(after->changed[k], rels->v[i].oid) == 0;
				if (!reread)
					next.v[next.n++] = rels->v[i];
				i++;
				continue;
			}
			next.v[next.n] = fresh.v[j++];
			next.v[next.n].lock = lock_of(&held, next.v[next.n].oid);
			next.n++;
			i += c == 0;
		}
		mg_release(ctx, rels->v, rels->cap * sizeof(pg_rel));
		if (fresh.v != NULL)
			mg_release(ctx, fresh.v, fresh.cap * sizeof(pg_rel));
		*rels = next;
	}
	mg_release(ctx, held.v, held.cap * sizeof(pg_held));
	return MG_OK;
}

/* ------------------------------------------------------------------ */
/* migrate_rehearse                                                     */
/* ------------------------------------------------------------------ */

int
mg_rehearse_run(mg_table *out, mg_ctx *ctx, const mg_host *host, const char *target,
				const char *direction)
{
	mg_table_builder b;
	mg_host quiet;
	mg_session s;
	mg_plan plan;
	mg_schema before;
	pg_rels rels;
	bool upgrade;
	int rc;

	mg_table_start(&b, out, ctx, MG_REL_REHEARSE);
	if ((rc = choose_direction(&upgrade, ctx, "migrate_rehearse", target, direction)) != MG_OK)
		return rc;
	if ((rc = open_quiet(&s, &quiet, ctx, host)) != MG_OK ||
		(rc = whole_plan(&plan, &s, "migrate_rehearse", upgrade, target, s.rows, s.nrows)) != MG_OK ||
		(rc = mg_session_load_bodies(&s, &plan)) != MG_OK)
		return roll_back(&s, rc);
	if (!s.vt_exists && (rc = mg_state_ensure_version_table(&s.st)) != MG_OK)
		return roll_back(&s, rc);
	if ((rc = mg_schema_read_first(&before, &s.st)) != MG_OK || (rc = read_rels(&rels, &s)) != MG_OK)
		return roll_back(&s, rc);
	for (size_t i = 0; i < plan.n; i++)
	{
		const mg_step *st = &plan.steps[i];
		const char **row = mg_table_row(&b);
		const char *body;
		size_t nstmts;
		double t0;
		bool skip = skipped_here(&s, st);

		if (row == NULL || fill_step(row, &s, i, st) != MG_OK)
			return roll_back(&s, MG_ENOMEM);
		if ((rc = mg_interrupt_check(ctx)) != MG_OK || (rc = step_body(&body, &nstmts, &s, st)) != MG_OK)
			return roll_back(&s, rc);
		row[8] = mg_table_int(ctx, (long long) nstmts);
		t0 = mg_clock_ms();
		rc = run_step(&s, st, !skip);
		row[7] = mg_printf(ctx, "%.3f", mg_clock_ms() - t0);
		if (row[7] == NULL || row[8] == NULL)
			return roll_back(&s, MG_ENOMEM);
		if (fatal(ctx, rc))
			return roll_back(&s, rc);
		if (rc != MG_OK)
		{
			const mg_error *e = mg_ctx_error(ctx);

			row[6] = "failed";
			row[12] = mg_strdup(ctx, e->message);
			row[13] = mg_strdup(ctx, e->context);
			if (row[12] == NULL || row[13] == NULL)
				return roll_back(&s, MG_ENOMEM);
			mg_error_clear(ctx);
			break;
		}
		if (skip)
		{
			row[6] = "skipped";
			if ((row[12] = skip_reason(ctx, &s, st)) == NULL)
				return roll_back(&s, MG_ENOMEM);
			continue;
		}
		{
			mg_schema after;
			mg_schema_change *ch;
			size_t nch;

			if ((rc = mg_schema_reread(&after, &s.st, &before)) != MG_OK ||
				(rc = mg_schema_diff(&ch, &nch, ctx, &before, &after)) != MG_OK ||
				(rc = rel_changes(&row[10], &row[11], &s, &rels, &after)) != MG_OK)
				return roll_back(&s, rc);
			row[6] = "ok";
			if ((row[9] = mg_schema_change_lines(ctx, ch, nch)) == NULL)
				return roll_back(&s, MG_ENOMEM);
			/* a snapshot's arrays go as soon as the next one is compared: memory follows the schema, not the steps */
			mg_schema_release(ctx, &before);
			before = after;
		}
	}
	return roll_back(&s, MG_OK);
}

/* ------------------------------------------------------------------ */
/* migrate_stairway                                                     */
/* ------------------------------------------------------------------ */

/* The step that undoes st: the same revision down, its version-table moves reversed. */
static int
reverse_step(mg_step *out, mg_ctx *ctx, const mg_step *st)
{
	*out = *st;
	out->upgrade = !st->upgrade;
	out->from = st->to;
	out->to = st->from;
	out->ops = mg_alloc(ctx, (st->nops + 1) * sizeof(mg_vop));
	if (out->ops == NULL)
		return MG_ENOMEM;
	for (size_t k = 0; k < st->nops; k++)
	{
		const mg_vop *o = &st->ops[st->nops - 1 - k];
		mg_vop *r = &out->ops[k];

		r->kind = o->kind == MG_VOP_INSERT ? MG_VOP_DELETE : o->kind == MG_VOP_DELETE ? MG_VOP_INSERT : MG_VOP_UPDATE;
		r->from = o->kind == MG_VOP_INSERT ? o->to : o->kind == MG_VOP_UPDATE ? o->to : NULL;
		r->to = o->kind == MG_VOP_DELETE ? o->from : o->kind == MG_VOP_UPDATE ? o->from : NULL;
	}
	return MG_OK;
}

/* The error of a failing direction, as a row's detail. */
static char *
step_error(mg_ctx *ctx, const char *what)
{
	const mg_error *e = mg_ctx_error(ctx);
	char *d = mg_printf(ctx, "%s: %s%s%s", what, e->message, e->context[0] ? "\n" : "", e->context);

	mg_error_clear(ctx);
	return d;
}

/* The differences a downgrade left: one line each, in the words. */
static char *
down_differences(mg_ctx *ctx, const mg_schema_change *ch, size_t n, mg_schema *up,
				 const char *rev)
{
	mg_buf b;
	char *out;

	if (mg_schema_rows(up, ctx) != MG_OK)
		return NULL;
	mg_buf_init(&b, ctx);
	for (size_t i = 0; i < n; i++)
	{
		const mg_schema_change *c = &ch[i];
		char *obj = mg_schema_change_object(ctx, c);

		if (obj == NULL)
			return NULL;

		if (i)
			mg_buf_putc(&b, '\n');
		if (c->op == MG_CHANGE_ADDED)
		{
			bool was_up = false;

			for (size_t k = 0; k < up->n && !was_up; k++)
				was_up = up->rows[k].rank == c->after->rank && strcmp(up->rows[k].name, c->after->name) == 0;
			if (was_up)
				mg_buf_printf(&b, "%s still exists after downgrade of %s", obj, rev);
			else
				mg_buf_printf(&b, "%s exists after downgrade of %s, not before its upgrade", obj, rev);
		}
		else if (c->op == MG_CHANGE_DROPPED)
			mg_buf_printf(&b, "%s is missing after downgrade of %s, it existed before the upgrade", obj, rev);
		else
		{
			char *after = mg_printf(ctx, "after downgrade of %s", rev);
			char *what = after != NULL ? mg_schema_change_what(ctx, c, after) : NULL;

			if (what == NULL)
				return NULL;
			mg_buf_printf(&b, "%s: %s", obj, what);
		}
	}
	return mg_buf_finish(&b, &out) == MG_OK ? out : NULL;
}

/*
 * The range's ends: "[start]:[end]", or "end"; an empty or "current"
 * start is the database's own revisions, an empty end "heads".
 */
static int
split_range(const char **start, const char **end, mg_ctx *ctx, const char *range)
{
	const char *colon = range != NULL ? strchr(range, ':') : NULL;

	*start = NULL;
	*end = "heads";
	if (range == NULL || *range == '\0')
		return MG_OK;
	if (colon == NULL)
	{
		*end = range;
		return MG_OK;
	}
	if (colon > range && (*start = mg_strndup(ctx, range, (size_t) (colon - range))) == NULL)
		return MG_ENOMEM;
	if (*start != NULL && strcmp(*start, "current") == 0)
		*start = NULL;
	if (colon[1] != '\0')
		*end = colon + 1;
	return MG_OK;
}

int
mg_rehearse_stairway(mg_table *out, mg_ctx *ctx, const mg_host *host, const char *range)
{
	mg_table_builder b;
	mg_host quiet;
	mg_session s;
	mg_plan setup, plan, both;
	mg_schema before;
	const char *start, *end;
	int rc;

	mg_table_start(&b, out, ctx, MG_REL_STAIRWAY);
	if ((rc = split_range(&start, &end, ctx, range)) != MG_OK)
		return rc;
	if (strcmp(end, "current") == 0)
		return mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
							"the stairway's range cannot end at current"),
			mg_error_hint(ctx, "Give the revision to climb to, for example migrate_stairway('current:heads')."),
			MG_EINPUT;
	if ((rc = open_quiet(&s, &quiet, ctx, host)) != MG_OK)
		return roll_back(&s, rc);
	if (!s.vt_exists && (rc = mg_state_ensure_version_table(&s.st)) != MG_OK)
		return roll_back(&s, rc);
	memset(&setup, 0, sizeof(setup));
	if (start != NULL)
	{
		/* move to the range's start first (down if it is below, else up); not reported */
		rc = whole_plan(&setup, &s, "migrate_stairway", false, start, s.rows, s.nrows);
		if (rc == MG_EINPUT)
		{
			mg_error_clear(ctx);
			rc = whole_plan(&setup, &s, "migrate_stairway", true, start, s.rows, s.nrows);
		}
		if (rc != MG_OK)
			return roll_back(&s, rc);
	}
	if ((rc = whole_plan(&plan, &s, "migrate_stairway", true, end,
						 setup.n ? setup.end : s.rows, setup.n ? setup.nend : s.nrows)) != MG_OK)
		return roll_back(&s, rc);
	/* one plan with every direction the stairway runs, for the bodies */
	memset(&both, 0, sizeof(both));
	if ((rc = append_plan(&both, ctx, &setup)) != MG_OK || (rc = append_plan(&both, ctx, &plan)) != MG_OK)
		return roll_back(&s, rc);
	{
		mg_plan rev;

		memset(&rev, 0, sizeof(rev));
		rev.steps = mg_alloc(ctx, (plan.n + 1) * sizeof(mg_step));
		if (rev.steps == NULL)
			return roll_back(&s, MG_ENOMEM);
		for (size_t i = 0; i < plan.n; i++)
			if ((rc = reverse_step(&rev.steps[rev.n++], ctx, &plan.steps[i])) != MG_OK)
				return roll_back(&s, rc);
		if ((rc = append_plan(&both, ctx, &rev)) != MG_OK || (rc = mg_session_load_bodies(&s, &both)) != MG_OK)
			return roll_back(&s, rc);
	}
	for (size_t i = 0; i < setup.n; i++)
	{
		if ((rc = run_step(&s, &setup.steps[i], !skipped_here(&s, &setup.steps[i]))) != MG_OK)
		{
			if (!fatal(ctx, rc))
			{
				/* the run's generic hint would ask for a rerun of the run: this is the stairway's setup */
				mg_ctx_error_mut(ctx)->hint[0] = '\0';
				mg_error_hint(ctx, "The stairway could not reach the start of its range: fix the revision the context names, load it again, and rerun the stairway. Nothing was changed.");
			}
			return roll_back(&s, rc);
		}
	}
	if ((rc = mg_schema_read_first(&before, &s.st)) != MG_OK)
		return roll_back(&s, rc);
	for (size_t i = 0; i < plan.n; i++)
	{
		const mg_step *st = &plan.steps[i];
		const mg_script *sc = mg_revmap_rev(s.map, st->rev)->script;
		const char **row = mg_table_row(&b);
		mg_step down;
		mg_schema up, after_down, again;
		mg_schema_change *ch;
		size_t nch;
		char *diffs = NULL;

		if (row == NULL || (row[0] = mg_table_int(ctx, (long long) i + 1)) == NULL)
			return roll_back(&s, MG_ENOMEM);
		row[1] = sc->id;
		row[2] = sc->message;
		if ((rc = mg_interrupt_check(ctx)) != MG_OK)
			return roll_back(&s, rc);
		if (skipped_here(&s, st))
		{
			row[3] = "skipped";
			if ((row[4] = skip_reason(ctx, &s, st)) == NULL)
				return roll_back(&s, MG_ENOMEM);
			if ((rc = run_step(&s, st, false)) != MG_OK)
				return roll_back(&s, rc);
			continue;
		}
		if ((rc = reverse_step(&down, ctx, st)) != MG_OK)
			return roll_back(&s, rc);
		/* up */
		if ((rc = run_step(&s, st, true)) != MG_OK)
		{
			if (fatal(ctx, rc))
				return roll_back(&s, rc);
			row[3] = "failed";
			if ((row[4] = step_error(ctx, "upgrade failed")) == NULL)
				return roll_back(&s, MG_ENOMEM);
			break;
		}
		if ((rc = mg_schema_reread(&up, &s.st, &before)) != MG_OK)
			return roll_back(&s, rc);
		/* down: a revision without a downgrade section is reported, and the climb goes on */
		if (mg_script_body(sc, false, s.st.dialect) == NULL)
		{
			row[3] = "failed";
			row[4] = mg_printf(ctx, "revision %s cannot be downgraded: it has no downgrade section for %s",
							   sc->id, s.st.dialect == MG_DIALECT_POSTGRESQL ? "postgresql" : "sqlite");
			if (row[4] == NULL)
				return roll_back(&s, MG_ENOMEM);
			mg_schema_release(ctx, &before);
			before = up;
			continue;
		}
		if ((rc = run_step(&s, &down, true)) != MG_OK)
		{
			if (fatal(ctx, rc))
				return roll_back(&s, rc);
			row[3] = "failed";
			if ((row[4] = step_error(ctx, "downgrade failed")) == NULL)
				return roll_back(&s, MG_ENOMEM);
			break;
		}
		if ((rc = mg_schema_reread(&after_down, &s.st, &up)) != MG_OK ||
			(rc = mg_schema_diff(&ch, &nch, ctx, &before, &after_down)) != MG_OK)
			return roll_back(&s, rc);
		if (nch > 0 && (diffs = down_differences(ctx, ch, nch, &up, sc->id)) == NULL)
			return roll_back(&s, MG_ENOMEM);
		/* up again */
		if ((rc = run_step(&s, st, true)) != MG_OK)
		{
			char *err;

			if (fatal(ctx, rc))
				return roll_back(&s, rc);
			/* the difference comes first: it is usually why the upgrade fails again */
			row[3] = diffs != NULL ? "difference" : "failed";
			err = step_error(ctx, "upgrade after downgrade failed");
			row[4] = diffs != NULL && err != NULL ? mg_printf(ctx, "%s\n%s", diffs, err) : err;
			if (row[4] == NULL)
				return roll_back(&s, MG_ENOMEM);
			break;
		}
		if ((rc = mg_schema_reread(&again, &s.st, &after_down)) != MG_OK ||
			(rc = mg_schema_diff(&ch, &nch, ctx, &up, &again)) != MG_OK)
			return roll_back(&s, rc);
		if (nch > 0)
		{
			char *lines = mg_schema_change_lines(ctx, ch, nch);

			if (lines == NULL)
				return roll_back(&s, MG_ENOMEM);
			lines = mg_printf(ctx, "upgrading %s again does not give the same schema:\n%s", sc->id, lines);
			diffs = diffs != NULL && lines != NULL ? mg_printf(ctx, "%s\n%s", diffs, lines) : lines;
			if (diffs == NULL)
				return roll_back(&s, MG_ENOMEM);
		}
		row[3] = diffs != NULL ? "difference" : "ok";
		row[4] = diffs;
		mg_schema_release(ctx, &before);
		mg_schema_release(ctx, &up);
		mg_schema_release(ctx, &after_down);
		before = again;
	}
	return roll_back(&s, MG_OK);
}
