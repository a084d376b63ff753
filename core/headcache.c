/*
 * headcache.c -- the catalog's heads, kept in a table next to the catalog.
 *
 * Why: the questions asked most often -- "is the database up to date?"
 * (migrate_upgrade on a database at its heads: every application's
 * start-up check), migrate_heads(), migrate_current() on a database at
 * its heads -- need only the heads, but answering them from the catalog
 * means reading every revision and building the whole graph.  With
 * 10,000 revisions that was most of the time of those calls.
 *
 * The table migrate_catalog_heads (state schema) holds one row per head of the
 * catalog's graph, with what those answers print: the history row's
 * fields, Alembic's `heads` and `current` lines, the head's position in
 * the catalog (seq: catalog order) and among the heads (pos: the graph's
 * heads order), and every branch label the head carries (inherited ones
 * included), for the branches setting.
 *
 * Invariants: the table is either empty or exactly the heads of the
 * catalog as it is.  Every change to migrate_catalog empties it (an
 * AFTER INSERT/UPDATE/DELETE trigger, so a hand edit of the catalog
 * cannot leave a stale answer); mg_cmd_add refills it after writing the
 * catalog, and a write command that had to build the graph refills it
 * when it found it empty.  An empty table means "unknown": readers then
 * build the graph as before.  Nothing here is ever needed for
 * correctness; it only saves the graph.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { H_POS, H_SEQ, H_REV, H_DOWN, H_LABELS, H_DEPS, H_MSG, H_MERGE, H_CARRIED,
	   H_HEADS_LINE, H_CURRENT_LINE, H_NCOL };

/*
 * SQLite only (PostgreSQL's extension script creates the same table and
 * trigger): the table and the three triggers that empty it.  SQLite's
 * triggers fire per row: the WHEN clause keeps a load of many rows from
 * clearing an already empty table once per row.  Trigger
 * names are qualified by the state schema; their table and body are not
 * (SQLite resolves them in the trigger's own schema).
 */
int
mg_headcache_create(mg_state *st)
{
	static const char *const events[] = {"INSERT", "UPDATE", "DELETE"};
	const char *schema = st->host->state_schema;
	char *prefix = "";
	int rc;

	rc = mg_state_host_query(st, mg_printf(st->ctx,
						   "CREATE TABLE IF NOT EXISTS %s ("
						   "pos INTEGER PRIMARY KEY, "
						   "seq INTEGER NOT NULL, "
						   "revision TEXT NOT NULL, "
						   "down_revisions TEXT NOT NULL, "
						   "branch_labels TEXT NOT NULL, "
						   "depends_on TEXT NOT NULL, "
						   "message TEXT NOT NULL, "
						   "is_mergepoint INTEGER NOT NULL, "
						   "carried_labels TEXT NOT NULL, "
						   "heads_line TEXT NOT NULL, "
						   "current_line TEXT NOT NULL)",
						   st->t_heads), 0, NULL, NULL, NULL, NULL);
	if (rc != MG_OK)
		return rc;
	if (schema != NULL && schema[0])
	{
		prefix = mg_printf(st->ctx, "%s.", mg_quote_ident(st->ctx, schema));
		if (prefix == NULL)
			return MG_ENOMEM;
	}
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
	{
		rc = mg_state_host_query(st, mg_printf(st->ctx,
							   "CREATE TRIGGER IF NOT EXISTS %s\"migrate_catalog_%s\" "
							   "AFTER %s ON \"migrate_catalog\" "
							   "WHEN EXISTS (SELECT 1 FROM \"migrate_catalog_heads\") "
							   "BEGIN DELETE FROM \"migrate_catalog_heads\"; END",
							   prefix, events[i], events[i]), 0, NULL, NULL, NULL, NULL);
		if (rc != MG_OK)
			return rc;
	}
	return MG_OK;
}

/* The branch labels rev carries (its own and inherited), comma-separated. */
static char *
carried_labels(mg_ctx *ctx, const mg_revmap *map, int rev)
{
	const mg_rev *r = mg_revmap_rev(map, rev);
	mg_buf b;
	char *out;
	bool first = true;

	mg_buf_init(&b, ctx);
	for (size_t i = 0; i < mg_revmap_label_count(map); i++)
		if (mg_rev_has_label(r, (int) i))
		{
			mg_buf_printf(&b, "%s%s", first ? "" : ",", mg_revmap_label_name(map, (int) i));
			first = false;
		}
	return mg_buf_finish(&b, &out) == MG_OK ? out : NULL;
}

/*
 * Replace the table's rows with the heads of map, which must be the
 * catalog as it now is, in catalog order.  Inside the caller's unit.
 * Errors: MG_EHOST, MG_ENOMEM.
 */
int
mg_headcache_write(mg_state *st, const mg_revmap *map)
{
	const int *heads;
	size_t n;
	char *sql;
	int rc;

	if (st->missing || st->no_heads_table)
		return MG_OK;
	rc = mg_state_host_query(st, mg_printf(st->ctx, "DELETE FROM %s", st->t_heads),
							 0, NULL, NULL, NULL, NULL);
	if (rc != MG_OK)
		return rc;
	sql = mg_printf(st->ctx,
					"INSERT INTO %s (pos, seq, revision, down_revisions, branch_labels, "
					"depends_on, message, is_mergepoint, carried_labels, heads_line, "
					"current_line) VALUES (CAST($1 AS INTEGER), CAST($2 AS INTEGER), $3, $4, "
					"$5, $6, $7, CAST($8 AS INTEGER), $9, $10, $11)",
					st->t_heads);
	if (sql == NULL)
		return MG_ENOMEM;
	mg_revmap_heads(map, &heads, &n);
	for (size_t i = 0; i < n; i++)
	{
		mg_history_row row;
		const char *params[H_NCOL];

		if ((rc = mg_report_row(&row, st->ctx, map, heads[i], false)) != MG_OK)
			return rc;
		params[H_POS] = mg_printf(st->ctx, "%zu", i);
		params[H_SEQ] = mg_printf(st->ctx, "%d", heads[i]);
		params[H_REV] = row.revision;
		params[H_DOWN] = row.down_revisions;
		params[H_LABELS] = row.branch_labels;
		params[H_DEPS] = row.depends_on;
		params[H_MSG] = row.message;
		params[H_MERGE] = row.is_mergepoint ? "1" : "0";
		params[H_CARRIED] = carried_labels(st->ctx, map, heads[i]);
		params[H_HEADS_LINE] = mg_report_heads_line(st->ctx, map, heads[i]);
		params[H_CURRENT_LINE] = mg_report_current_line(st->ctx, map, heads[i]);
		for (int k = 0; k < H_NCOL; k++)
			if (params[k] == NULL)
				return MG_ENOMEM;
		if ((rc = mg_state_host_query(st, sql, H_NCOL, params, NULL, NULL, NULL)) != MG_OK)
			return rc;
	}
	return MG_OK;
}

/* Rows of the table, collected in pos order. */
typedef struct reader {
	mg_ctx *ctx;
	mg_cached_head *heads;
	size_t n, cap;
} reader;

static int
read_row(void *arg, int ncol, const char *const *vals)
{
	reader *r = arg;
	mg_cached_head *h;
	char *v[H_NCOL];

	(void) ncol;                /* the SELECT names H_NCOL columns */
	if (mg_grow(r->ctx, &r->heads, &r->cap, r->n, sizeof(mg_cached_head)) != MG_OK)
		return MG_ENOMEM;
	for (int i = 0; i < H_NCOL; i++)
		if ((v[i] = mg_strdup(r->ctx, vals[i] != NULL ? vals[i] : "")) == NULL)
			return MG_ENOMEM;
	h = &r->heads[r->n++];
	memset(h, 0, sizeof(*h));
	h->seq = strtol(v[H_SEQ], NULL, 10);
	h->row.revision = v[H_REV];
	h->row.down_revisions = v[H_DOWN];
	h->row.branch_labels = v[H_LABELS];
	h->row.depends_on = v[H_DEPS];
	h->row.message = v[H_MSG];
	h->row.is_head = 1;
	h->row.is_mergepoint = strcmp(v[H_MERGE], "0") != 0;
	h->row.line = v[H_HEADS_LINE];
	h->current_line = v[H_CURRENT_LINE];
	if (mg_split_list(r->ctx, v[H_CARRIED], &h->carried, &h->ncarried) != MG_OK)
		return MG_ENOMEM;
	return 0;
}

/*
 * The kept heads in the graph's heads order; *n is 0 when the table is
 * empty or absent (unknown: build the graph).  Errors: MG_EHOST,
 * MG_ENOMEM.
 */
int
mg_headcache_read(mg_cached_head **heads, size_t *n, mg_state *st)
{
	reader r = {st->ctx, NULL, 0, 0};
	int rc;

	*heads = NULL;
	*n = 0;
	if (st->missing || st->no_heads_table)
		return MG_OK;
	rc = mg_state_host_query(st, mg_printf(st->ctx,
						   "SELECT pos, seq, revision, down_revisions, branch_labels, depends_on, "
						   "message, is_mergepoint, carried_labels, heads_line, current_line "
						   "FROM %s ORDER BY pos", st->t_heads),
			 0, NULL, read_row, &r, NULL);
	if (rc != MG_OK)
		return rc;
	*heads = r.heads;
	*n = r.n;
	return MG_OK;
}

/* Does head h carry one of the labels (all heads when there are none)? */
bool
mg_headcache_holds(const mg_cached_head *h, const char *const *labels, size_t nlabels)
{
	if (nlabels == 0)
		return true;
	for (size_t i = 0; i < nlabels; i++)
		for (size_t k = 0; k < h->ncarried; k++)
			if (strcmp(labels[i], h->carried[k]) == 0)
				return true;
	return false;
}

/* Is label carried by some head?  (Every branch label reaches at least one head.) */
bool
mg_headcache_knows_label(const mg_cached_head *heads, size_t n, const char *label)
{
	for (size_t i = 0; i < n; i++)
		if (mg_headcache_holds(&heads[i], &label, 1))
			return true;
	return false;
}
