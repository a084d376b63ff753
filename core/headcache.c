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
 *
 * The table is data, possibly hostile: a database file someone else made,
 * a role that may write this table but not the catalog, triggers dropped
 * or disabled.  So every read checks it against the catalog, in one pass
 * over the catalog's metadata that builds no graph (catalog_scan), and
 * ignores it (the graph answers; a write command rewrites it) unless:
 *   - the row at pos -1 holds the fingerprint of the catalog's metadata
 *     and of every kept row, as the writer computed it (a stale table, a
 *     changed catalog, planted, edited or deleted rows all change it);
 *   - the kept revisions are exactly the revisions no catalog row revises,
 *     in catalog order, with their catalog positions, every Revises item
 *     names a revision and no revision is listed twice (proved by the
 *     pass itself, so a forger who recomputes the fingerprint still
 *     cannot add, drop or invent a head).
 * What only the graph can prove (inherited branch labels, the display
 * lines) rests on the fingerprint; the start-up check does not use it
 * (command.c: with held branches the kept heads answer only when the
 * database is at every head).
 */
#include <stdint.h>
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

/*
 * The fingerprint: 64-bit FNV-1a over length-prefixed fields, so that
 * no two different sequences of fields hash the same way by
 * concatenation.  Change detection, as the scripts' checksums: a forger
 * who can compute it is covered by the checks that need none (below).
 */
#define FNV_OFFSET 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

static uint64_t
fnv_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

/* One field: its length (0xff..ff for NULL), then its bytes. */
static uint64_t
fnv_field(uint64_t h, const char *v)
{
	uint64_t len = v != NULL ? (uint64_t) strlen(v) : UINT64_MAX;

	h = fnv_bytes(h, &len, sizeof(len));
	return v != NULL ? fnv_bytes(h, v, (size_t) len) : h;
}

/*
 * One pass over the catalog's metadata (never its bodies): the
 * fingerprint of every column the kept heads are derived from, each
 * revision in catalog order, every revision a Revises line names, and
 * every declared branch label.  Without the graph it proves which
 * revisions are heads (those no row revises: the graph's heads, in
 * catalog order) and which labels exist.
 */
typedef struct scan {
	mg_ctx *ctx;
	int rc;
	bool broken;            /* a NULL or empty revision: only the graph can say what is wrong */
	uint64_t h;
	const char **ids;       /* catalog order */
	size_t n, cap;
	const char **refs;      /* every item of every Revises line */
	size_t nrefs, refcap;
	const char **labels;    /* every declared branch label */
	size_t nlabels, labcap;
} scan;

enum { S_REV, S_DOWN, S_LABELS, S_DEPS, S_TAGS, S_MSG, S_FILE, S_TXN, S_SUM, S_NCOL };

/* Append the items of list to *items. */
static int
push_items(mg_ctx *ctx, const char ***items, size_t *n, size_t *cap, const char *list)
{
	const char **got;
	size_t ngot;
	int rc;

	if (list == NULL || !list[0])
		return MG_OK;
	if ((rc = mg_split_list(ctx, list, &got, &ngot)) != MG_OK)
		return rc;
	for (size_t i = 0; i < ngot; i++)
	{
		if ((rc = mg_grow(ctx, items, cap, *n, sizeof(char *))) != MG_OK)
			return rc;
		(*items)[(*n)++] = got[i];
	}
	return MG_OK;
}

static int
scan_row(void *arg, int ncol, const char *const *vals)
{
	scan *s = arg;
	const char *rev = vals[S_REV];
	char *id;

	(void) ncol;                /* the SELECT names S_NCOL columns */
	if ((s->rc = mg_interrupt_check(s->ctx)) != MG_OK)
		return 1;
	for (int i = 0; i < S_NCOL; i++)
		s->h = fnv_field(s->h, vals[i]);
	if (rev == NULL || !rev[0])
		s->broken = true;
	if ((s->rc = mg_grow(s->ctx, &s->ids, &s->cap, s->n, sizeof(char *))) != MG_OK ||
		(id = mg_strdup(s->ctx, rev != NULL ? rev : "")) == NULL)
		return s->rc = MG_ENOMEM, 1;
	s->ids[s->n++] = id;
	if ((s->rc = push_items(s->ctx, &s->refs, &s->nrefs, &s->refcap, vals[S_DOWN])) != MG_OK ||
		(s->rc = push_items(s->ctx, &s->labels, &s->nlabels, &s->labcap, vals[S_LABELS])) != MG_OK)
		return 1;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static int
catalog_scan(scan *s, mg_state *st)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->ctx = st->ctx;
	s->h = FNV_OFFSET;
	rc = mg_state_host_query(st, mg_printf(st->ctx,
						   "SELECT revision, down_revisions, branch_labels, depends_on, tags, "
						   "message, filename, transactional, checksum FROM %s ORDER BY seq",
						   st->t_catalog), 0, NULL, scan_row, s, NULL);
	if (s->rc != MG_OK)
		return s->rc;
	if (rc != MG_OK)
		return rc;
	/* sorted, for the lookups of is_head (an empty catalog has no array) */
	if (s->nrefs > 0)
		qsort(s->refs, s->nrefs, sizeof(char *), cmp_str);
	return MG_OK;
}

/* Does no row of the catalog revise id? */
static bool
scan_is_head(const scan *s, const char *id)
{
	return s->nrefs == 0 ||
		bsearch(&id, s->refs, s->nrefs, sizeof(char *), cmp_str) == NULL;
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

/* Rows of the table as text, in pos order (the fingerprint row first). */
typedef struct reader {
	mg_ctx *ctx;
	int rc;
	char ***rows;
	size_t n, cap;
} reader;

static int
read_row(void *arg, int ncol, const char *const *vals)
{
	reader *r = arg;
	char **row;

	(void) ncol;                /* the SELECT names H_NCOL columns */
	if ((r->rc = mg_interrupt_check(r->ctx)) != MG_OK)
		return 1;
	if ((r->rc = mg_grow(r->ctx, &r->rows, &r->cap, r->n, sizeof(char **))) != MG_OK ||
		(row = mg_alloc(r->ctx, H_NCOL * sizeof(char *))) == NULL)
		return r->rc = MG_ENOMEM, 1;
	for (int i = 0; i < H_NCOL; i++)
		if (vals[i] != NULL && (row[i] = mg_strdup(r->ctx, vals[i])) == NULL)
			return r->rc = MG_ENOMEM, 1;
	r->rows[r->n++] = row;
	return 0;
}

static int
read_rows(reader *r, mg_state *st)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->ctx = st->ctx;
	rc = mg_state_host_query(st, mg_printf(st->ctx,
						   "SELECT pos, seq, revision, down_revisions, branch_labels, depends_on, "
						   "message, is_mergepoint, carried_labels, heads_line, current_line "
						   "FROM %s ORDER BY pos", st->t_heads),
			 0, NULL, read_row, r, NULL);
	return r->rc != MG_OK ? r->rc : rc;
}

/* The fingerprint of the catalog's pass and the kept head rows (rows[from..n)), as 16 hex digits. */
static void
fingerprint(char out[17], const scan *s, char ***rows, size_t from, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t h = s->h;

	for (size_t i = from; i < n; i++)
		for (int k = 0; k < H_NCOL; k++)
			h = fnv_field(h, rows[i][k]);
	for (int i = 15; i >= 0; i--, h >>= 4)
		out[i] = hex[h & 15];
	out[16] = '\0';
}

/* A decimal integer and nothing else (a kept number is data too). */
static bool
is_int(const char *v, long want)
{
	char *end;
	long got;

	if (v == NULL || !v[0])
		return false;
	got = strtol(v, &end, 10);
	return *end == '\0' && got == want;
}

/*
 * Replace the table's rows with the heads of map, which must be the
 * catalog as it now is, in catalog order, and the fingerprint row.
 * Inside the caller's unit.  Errors: MG_EHOST, MG_ENOMEM, MG_ECANCEL.
 */
int
mg_headcache_write(mg_state *st, const mg_revmap *map)
{
	const int *heads;
	size_t n;
	char *sql;
	char fp[17];
	const char *params[H_NCOL];
	scan s;
	reader r;
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

		if ((rc = mg_interrupt_check(st->ctx)) != MG_OK ||
			(rc = mg_report_row(&row, st->ctx, map, heads[i], false)) != MG_OK)
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
	/* the fingerprint of the rows as a reader will see them */
	if ((rc = catalog_scan(&s, st)) != MG_OK || (rc = read_rows(&r, st)) != MG_OK)
		return rc;
	fingerprint(fp, &s, r.rows, 0, r.n);
	params[H_POS] = "-1";
	params[H_SEQ] = mg_printf(st->ctx, "%zu", n);
	for (int k = H_REV; k < H_NCOL; k++)
		params[k] = "";
	params[H_MERGE] = "0";
	params[H_HEADS_LINE] = fp;
	if (params[H_SEQ] == NULL)
		return MG_ENOMEM;
	return mg_state_host_query(st, sql, H_NCOL, params, NULL, NULL, NULL);
}

/*
 * Do the rows read agree with the catalog's pass (see the file's
 * comment)?  rows[0] is the fingerprint row.
 */
static bool
rows_agree(const scan *s, char ***rows, size_t n)
{
	const char **sorted;
	size_t k = 0;
	char fp[17];

	if (s->broken || n < 2 || !is_int(rows[0][H_POS], -1) ||
		!is_int(rows[0][H_SEQ], (long) (n - 1)) || rows[0][H_HEADS_LINE] == NULL)
		return false;
	/* no revision twice, and every Revises item a revision */
	sorted = mg_alloc(s->ctx, (s->n + 1) * sizeof(char *));
	if (sorted == NULL)
		return false;
	memcpy(sorted, s->ids, s->n * sizeof(char *));
	qsort(sorted, s->n, sizeof(char *), cmp_str);
	for (size_t i = 1; i < s->n; i++)
		if (strcmp(sorted[i - 1], sorted[i]) == 0)
			return false;
	for (size_t i = 0; i < s->nrefs; i++)
		if (bsearch(&s->refs[i], sorted, s->n, sizeof(char *), cmp_str) == NULL)
			return false;
	/* the kept rows are the heads, in catalog order, at their positions */
	for (size_t i = 0; i < s->n; i++)
	{
		char **row;

		if (!scan_is_head(s, s->ids[i]))
			continue;
		if (++k >= n)
			return false;
		row = rows[k];
		if (!is_int(row[H_POS], (long) (k - 1)) || !is_int(row[H_SEQ], (long) i) ||
			row[H_REV] == NULL || strcmp(row[H_REV], s->ids[i]) != 0)
			return false;
		for (int c = 0; c < H_NCOL; c++)
			if (row[c] == NULL)
				return false;
	}
	if (k != n - 1)
		return false;
	fingerprint(fp, s, rows, 1, n);
	/* the writer's fingerprint covers the rows it wrote, the fingerprint row's own fields not */
	return strcmp(fp, rows[0][H_HEADS_LINE]) == 0;
}

/*
 * The kept heads in the graph's heads order, once checked against the
 * catalog; *n is 0 when the table is empty, absent or does not agree
 * with the catalog (unknown: build the graph).  *labels: every branch
 * label a revision of the catalog declares (NULL when *n is 0).
 * Errors: MG_EHOST, MG_ENOMEM, MG_ECANCEL.
 */
int
mg_headcache_read(mg_cached_head **heads, size_t *n, const char ***labels, size_t *nlabels,
				  mg_state *st)
{
	reader r;
	scan s;
	mg_cached_head *out;
	int rc;

	*heads = NULL;
	*n = 0;
	*labels = NULL;
	*nlabels = 0;
	if (st->missing || st->no_heads_table)
		return MG_OK;
	if ((rc = read_rows(&r, st)) != MG_OK || r.n == 0)
		return rc;
	if ((rc = catalog_scan(&s, st)) != MG_OK)
		return rc;
	if (!rows_agree(&s, r.rows, r.n))
		return MG_OK;
	if ((out = mg_alloc(st->ctx, r.n * sizeof(mg_cached_head))) == NULL)
		return MG_ENOMEM;
	for (size_t i = 1; i < r.n; i++)
	{
		char **v = r.rows[i];
		mg_cached_head *h = &out[i - 1];

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
		if (mg_split_list(st->ctx, v[H_CARRIED], &h->carried, &h->ncarried) != MG_OK)
			return MG_ENOMEM;
	}
	*heads = out;
	*n = r.n - 1;
	*labels = s.labels;
	*nlabels = s.nlabels;
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
