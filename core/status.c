/*
 * status.c -- migrate_status(): where the database stands, one row per
 * revision.
 *
 * A revision's state follows from the graph, the version table and the
 * branches setting; the log only adds when, by whom and how long, and
 * whether the text that ran is the catalog's:
 *
 *   applied    the version rows' ancestry holds it (with Depends On, as
 *              Alembic's current), and its newest log row is its upgrade:
 *              it ran here;
 *   stamped    the ancestry holds it, but no run of it is logged since
 *              its last downgrade: migrate_stamp set it, or another tool
 *              (Alembic) applied it before this engine kept the log;
 *   pending    not applied, and migrate_upgrade() would run it (it is in
 *              the ancestry of a head of a branch the database holds);
 *   not held   not applied, and on no branch the database holds (the
 *              branches setting): migrate_upgrade() leaves it alone;
 *   unknown    a version row the catalog lacks: the database is ahead of
 *              the loaded scripts.
 *
 * A database ahead of the catalog: the catalog cannot place an unknown
 * revision by itself, but its logged upgrade says which revisions it ran
 * on top of (from_revisions); the walk follows those through further
 * unknown revisions to catalog ones, whose ancestry is then applied.
 *
 * Cost: the graph, and one query that reads the newest log row of each
 * catalog revision through the log's (revision, id) index (one seek per
 * revision, however long the log; without the index, one grouping pass
 * over the log), plus one lookup per unknown revision.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The newest log row of one revision, as far as the status needs it. */
typedef struct logged {
	bool seen;
	bool upgrade;               /* the newest row is an upgrade of it */
	const char *run_at;         /* NULL when malformed */
	const char *by;
	const char *checksum;
	const char *from;           /* from_revisions of that upgrade */
	double ms;
	bool has_ms;
} logged;

/* What read_row fills: one entry per catalog revision, or `one` for a lookup by id. */
typedef struct reader {
	mg_ctx *ctx;
	const mg_revmap *map;
	logged *revs;               /* NULL: fill `one` */
	logged one;
} reader;

enum { L_REV, L_DIR, L_AT, L_MS, L_SUM, L_BY, L_FROM, L_NCOL };

#define LOG_COLUMNS "revision, direction, run_at, duration_ms, checksum, applied_by, from_revisions"

/* "YYYY-MM-DD HH:MM:SS" with up to six digits of fraction: the log's own shape. */
static bool
timestamp_shape(const char *s)
{
	static const char pat[] = "dddd-dd-dd dd:dd:dd";
	size_t i = 0;

	for (; pat[i]; i++)
		if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i])
			return false;
	if (s[i] == '\0')
		return true;
	if (s[i++] != '.')
		return false;
	for (size_t k = 0; k < 6 && s[i] >= '0' && s[i] <= '9'; k++)
		i++;
	return s[i] == '\0' && s[i - 1] != '.';
}

/* A copy in the arena, or NULL for NULL; *rc set when out of memory. */
static const char *
copy_or_null(mg_ctx *ctx, const char *s, int *rc)
{
	char *c;

	if (s == NULL)
		return NULL;
	if ((c = mg_strdup(ctx, s)) == NULL)
		*rc = MG_ENOMEM;
	return c;
}

static int
read_row(void *arg, int ncol, const char *const *vals)
{
	reader *r = arg;
	logged *l;
	int rc = MG_OK;

	if (ncol < L_NCOL || vals[L_REV] == NULL)
		return 0;
	if (r->revs == NULL)
		l = &r->one;
	else
	{
		int i = mg_revmap_find(r->map, vals[L_REV]);

		if (i < 0)
			return 0;           /* a catalog row that appeared since the graph was read */
		l = &r->revs[i];
	}
	memset(l, 0, sizeof(*l));
	l->seen = true;
	l->upgrade = vals[L_DIR] != NULL && strcmp(vals[L_DIR], "upgrade") == 0;
	if (!l->upgrade)
		return 0;
	if (vals[L_AT] != NULL && timestamp_shape(vals[L_AT]))
		l->run_at = copy_or_null(r->ctx, vals[L_AT], &rc);
	l->by = copy_or_null(r->ctx, vals[L_BY], &rc);
	l->checksum = copy_or_null(r->ctx, vals[L_SUM], &rc);
	l->from = copy_or_null(r->ctx, vals[L_FROM], &rc);
	if (vals[L_MS] != NULL && vals[L_MS][0] != '\0')
	{
		char *end;

		l->ms = strtod(vals[L_MS], &end);
		l->has_ms = *end == '\0';
	}
	return rc;
}

/*
 * The newest log row of every catalog revision, into revs[] (zeroed, one
 * per revision of the map): one seek of the (revision, id) index per
 * catalog row.  Rows of revisions the catalog lacks are skipped.
 */
static int
read_catalog_log(logged *revs, mg_session *s)
{
	mg_state *st = &s->st;
	reader r = {st->ctx, s->map, revs, {0}};
	char *sql;

	if (st->missing || mg_revmap_count(s->map) == 0)
		return MG_OK;
	if (st->dialect == MG_DIALECT_POSTGRESQL)
		sql = mg_printf(st->ctx,
						"SELECT l.revision, l.direction, l.run_at, l.duration_ms, l.checksum, "
						"l.applied_by, l.from_revisions FROM %s AS c CROSS JOIN LATERAL "
						"(SELECT " LOG_COLUMNS " FROM %s AS m "
						"WHERE m.revision OPERATOR(pg_catalog.=) c.revision "
						"ORDER BY m.id DESC LIMIT 1) AS l",
						st->t_catalog, st->t_log);
	else if (!st->no_log_index)
		sql = mg_printf(st->ctx,
						"SELECT l.revision, l.direction, l.run_at, l.duration_ms, l.checksum, "
						"l.applied_by, l.from_revisions FROM %s AS c JOIN %s AS l "
						"ON l.id = (SELECT max(m.id) FROM %s AS m WHERE m.revision = c.revision)",
						st->t_catalog, st->t_log, st->t_log);
	else
		/*
		 * A database made before the index (until its next write command):
		 * one grouping pass over the log, not a scan per revision.
		 */
		sql = mg_printf(st->ctx,
						"SELECT " LOG_COLUMNS " FROM %s WHERE id IN "
						"(SELECT max(id) FROM %s WHERE revision IS NOT NULL GROUP BY revision)",
						st->t_log, st->t_log);
	return mg_state_host_query(st, sql, 0, NULL, read_row, &r, NULL);
}

/* The newest log row of one revision (by id, for those the catalog lacks). */
static int
read_one_log(logged *out, mg_session *s, const char *id)
{
	mg_state *st = &s->st;
	reader r = {st->ctx, s->map, NULL, {0}};
	const char *params[1] = {id};
	int rc;

	memset(out, 0, sizeof(*out));
	if (st->missing)
		return MG_OK;
	rc = mg_state_host_query(st, mg_printf(st->ctx,
										   "SELECT " LOG_COLUMNS " FROM %s WHERE revision = $1 "
										   "ORDER BY id DESC LIMIT 1", st->t_log),
							 1, params, read_row, &r, NULL);
	*out = r.one;
	return rc;
}

/*
 * The catalog revisions a database ahead of the catalog stands on: from
 * each unknown version row, its logged upgrade's from_revisions, through
 * further unknown revisions (each looked up once) down to catalog ones,
 * which are appended to *known (an array of the arena, grown as needed).  The unknown rows' own log rows go to
 * ulog[] (one per row of unknown[]).
 */
static int
place_unknown(int **known, size_t *nknown, logged *ulog, mg_session *s,
			  const char *const *unknown, size_t nunknown)
{
	mg_ctx *ctx = s->st.ctx;
	const char **queue = NULL, **items;
	size_t nq = 0, cap = 0, nitems, kcap = 0, nk = 0;
	int *k = NULL;
	int rc;

	/* a copy of known[] that can grow (its size is split_rows' business) */
	for (size_t i = 0; i < *nknown; i++)
	{
		if (mg_grow(ctx, &k, &kcap, nk, sizeof(int)) != MG_OK)
			return MG_ENOMEM;
		k[nk++] = (*known)[i];
	}

	for (size_t i = 0; i < nunknown; i++)
	{
		if (mg_grow(ctx, &queue, &cap, nq, sizeof(char *)) != MG_OK)
			return MG_ENOMEM;
		queue[nq++] = unknown[i];
	}
	for (size_t q = 0; q < nq; q++)
	{
		logged l;

		if ((rc = mg_interrupt_check(ctx)) != MG_OK ||
			(rc = read_one_log(&l, s, queue[q])) != MG_OK)
			return rc;
		if (q < nunknown)
			ulog[q] = l;
		if (!l.upgrade || l.from == NULL)
			continue;
		if (mg_split_list(ctx, l.from, &items, &nitems) != MG_OK)
			return MG_ENOMEM;
		for (size_t j = 0; j < nitems; j++)
		{
			int r = mg_revmap_find(s->map, items[j]);
			bool queued = false;

			if (r >= 0)
			{
				if (mg_grow(ctx, &k, &kcap, nk, sizeof(int)) != MG_OK)
					return MG_ENOMEM;
				k[nk++] = r;
				continue;
			}
			for (size_t u = 0; u < nq && !queued; u++)
				queued = strcmp(queue[u], items[j]) == 0;
			if (queued)
				continue;
			if (mg_grow(ctx, &queue, &cap, nq, sizeof(char *)) != MG_OK)
				return MG_ENOMEM;
			queue[nq++] = items[j];
		}
	}
	*known = k;
	*nknown = nk;
	return MG_OK;
}

/* The log columns of a row from its revision's newest log row (an upgrade). */
static void
put_logged(mg_status_row *row, const logged *l)
{
	if (!l->seen || !l->upgrade)
		return;
	row->applied_at = l->run_at;
	row->applied_by = l->by;
	row->duration_ms = l->ms;
	row->has_duration = l->has_ms;
}

int
mg_cmd_status(mg_status_rows *out, mg_ctx *ctx, const mg_host *host)
{
	mg_session s;
	int *known, *held, *order;
	const char **unknown;
	size_t nknown, nunknown, nheld, n, total;
	uint8_t *have, *wanted;
	logged *log, *ulog;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mg_session_open(&s, ctx, host, false)) != MG_OK ||
		(rc = mg_session_split_rows(&known, &nknown, &unknown, &nunknown, &s)) != MG_OK ||
		(rc = mg_session_held_heads(&held, &nheld, &s)) != MG_OK)
		return rc;
	total = mg_revmap_count(s.map);
	log = mg_alloc(ctx, (total + 1) * sizeof(logged));
	ulog = mg_alloc(ctx, (nunknown + 1) * sizeof(logged));
	if (log == NULL || ulog == NULL)
		return MG_ENOMEM;
	if ((rc = read_catalog_log(log, &s)) != MG_OK)
		return rc;
	if (nunknown > 0 &&
		(rc = place_unknown(&known, &nknown, ulog, &s, unknown, nunknown)) != MG_OK)
		return rc;
	if (mg_revmap_ancestors(&have, s.map, known, nknown, true) != MG_OK ||
		mg_revmap_ancestors(&wanted, s.map, held, nheld, true) != MG_OK)
		return MG_ENOMEM;
	if ((rc = mg_report_history(&order, &n, ctx, s.map, NULL, NULL)) != MG_OK)
		return rc;
	out->rows = mg_alloc(ctx, (nunknown + n + 1) * sizeof(mg_status_row));
	if (out->rows == NULL)
		return MG_ENOMEM;
	/* the unknown rows are the newest: first, in version-table order */
	for (size_t i = 0; i < nunknown; i++)
	{
		mg_status_row *row = &out->rows[out->n++];

		row->revision = unknown[i];
		row->branch_labels = "";
		row->message = "not in the catalog: the database is ahead of the loaded revision scripts";
		row->state = MG_STATUS_UNKNOWN;
		row->checksum_ok = -1;
		put_logged(row, &ulog[i]);
	}
	for (size_t i = 0; i < n; i++)
	{
		const mg_rev *r = mg_revmap_rev(s.map, order[i]);
		const logged *l = &log[order[i]];
		mg_status_row *row = &out->rows[out->n++];

		if ((rc = mg_interrupt_check(ctx)) != MG_OK)
			return rc;
		row->revision = r->id;
		if ((row->branch_labels = mg_report_labels(ctx, s.map, order[i])) == NULL)
			return MG_ENOMEM;
		row->message = r->script->message;
		row->file = r->script->filename[0] ? r->script->filename : NULL;
		row->checksum_ok = -1;
		if (have[order[i]])
		{
			bool ran = l->seen && l->upgrade;

			row->state = ran ? MG_STATUS_APPLIED : MG_STATUS_STAMPED;
			put_logged(row, l);
			if (ran && l->checksum != NULL)
				row->checksum_ok = strcmp(l->checksum, r->script->checksum) == 0;
		}
		else
			row->state = wanted[order[i]] ? MG_STATUS_PENDING : MG_STATUS_NOT_HELD;
	}
	/* the rows keep the scripts' strings: the graph's arrays can go */
	mg_revmap_release(s.map);
	return MG_OK;
}
