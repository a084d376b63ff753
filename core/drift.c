/*
 * drift.c -- the schema each run leaves, kept so that migrate_check can
 * name what changed outside migrations since.
 *
 * When a run that ran steps (upgrade, downgrade, stamp, init, verify)
 * commits, it stores the schema's rows (schema.c, encoded as one text)
 * with their fingerprint (FNV-1a of that text), the version rows and the
 * time, in one row of migrate_schema_fingerprint (state schema; SQLite
 * creates it on first use, PostgreSQL in the 1.1 update script).
 * migrate_check reads the live schema; the same fingerprint means no
 * drift without decoding anything, another one is decoded and compared
 * row by row, so every object added, dropped or changed is named.  A
 * database no run of this version has recorded says so: it was applied
 * by Alembic or an older version, and guessing would be wrong.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define DRIFT_TABLE "migrate_schema_fingerprint"

/* The table's qualified name. */
static char *
drift_table(mg_state *st)
{
	const char *schema = st->host->state_schema;
	char *t = mg_quote_ident(st->ctx, DRIFT_TABLE);
	char *qs;

	if (t == NULL || schema == NULL || !*schema)
		return t;
	if ((qs = mg_quote_ident(st->ctx, schema)) == NULL)
		return NULL;
	return mg_printf(st->ctx, "%s.%s", qs, t);
}

/* Does the table exist?  (SQLite: made on first use; PostgreSQL: from version 1.1.) */
static int
drift_table_exists(bool *exists, mg_state *st)
{
	const char *schema = st->host->state_schema ? st->host->state_schema : "";
	const char *params[2] = {schema, DRIFT_TABLE};
	char ***r;
	size_t n;
	int rc;

	if (st->dialect == MG_DIALECT_POSTGRESQL)
		rc = mg_state_rows(&r, &n, st,
						   "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
						   "ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
						   "WHERE n.nspname OPERATOR(pg_catalog.=) $1 AND c.relname OPERATOR(pg_catalog.=) $2",
						   2, params, 1);
	else
		rc = mg_state_rows(&r, &n, st, "SELECT 1 FROM pragma_table_info($2, $1) LIMIT 1",
						   2, params, 1);
	*exists = rc == MG_OK && n > 0;
	return rc;
}

int
mg_drift_record(mg_session *s)
{
	mg_state *st = &s->st;
	mg_ctx *ctx = st->ctx;
	mg_schema schema;
	char *text, *table, *revs, now[64], sum[17];
	const char *params[4];
	mg_buf b;
	int rc;

	if ((table = drift_table(st)) == NULL)
		return MG_ENOMEM;
	if (st->dialect == MG_DIALECT_SQLITE &&
		(rc = mg_state_host_query(st, mg_printf(ctx,
								  "CREATE TABLE IF NOT EXISTS %s ("
								  "id INTEGER PRIMARY KEY CHECK (id = 1), "
								  "fingerprint TEXT NOT NULL, "
								  "revisions TEXT NOT NULL, "
								  "recorded_at TEXT NOT NULL, "
								  "rows TEXT NOT NULL)", table),
								  0, NULL, NULL, NULL, NULL)) != MG_OK)
		return rc;
	if (st->dialect == MG_DIALECT_POSTGRESQL)
	{
		bool exists;

		/* an extension still at 1.0 has nowhere to keep it */
		if ((rc = drift_table_exists(&exists, st)) != MG_OK || !exists)
			return rc;
	}
	if ((rc = mg_schema_read(&schema, st)) != MG_OK || (rc = mg_schema_encode(&text, ctx, &schema)) != MG_OK)
		return rc;
	mg_checksum(text, strlen(text), sum);
	mg_buf_init(&b, ctx);
	mg_buf_join(&b, s->rows, s->nrows, ",");
	if (mg_buf_finish(&b, &revs) != MG_OK)
		return MG_ENOMEM;
	now[0] = '\0';
	st->host->now(st->host->ud, now, sizeof(now));
	params[0] = sum;
	params[1] = revs;
	params[2] = now;
	params[3] = text;
	return mg_state_host_query(st, mg_printf(ctx,
							   "INSERT INTO %s (id, fingerprint, revisions, recorded_at, rows) "
							   "VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET "
							   "fingerprint = excluded.fingerprint, revisions = excluded.revisions, "
							   "recorded_at = excluded.recorded_at, rows = excluded.rows", table),
							   4, params, NULL, NULL, NULL);
}

int
mg_drift_lines(mg_buf *out, int *problems, const char **note, mg_session *s)
{
	mg_state *st = &s->st;
	mg_ctx *ctx = st->ctx;
	mg_schema live, kept;
	mg_schema_change *ch;
	char ***r = NULL, *text, *table, sum[17], when[32];
	const char *since;
	size_t n = 0, nch;
	bool exists;
	int rc;

	*problems = 0;
	*note = NULL;
	if ((table = drift_table(st)) == NULL)
		return MG_ENOMEM;
	if ((rc = drift_table_exists(&exists, st)) != MG_OK)
		return rc;
	if (exists &&
		(rc = mg_state_rows(&r, &n, st, mg_printf(ctx, "SELECT fingerprint, revisions, recorded_at, rows FROM %s",
												  table), 0, NULL, 4)) != MG_OK)
		return rc;
	if (n == 0)
	{
		*note = "drift: not checked: no run of this version has recorded the schema "
			"(the database was migrated by Alembic or by an earlier version); "
			"the next upgrade, downgrade or stamp records it";
		return MG_OK;
	}
	if ((rc = mg_schema_read(&live, st)) != MG_OK || (rc = mg_schema_encode(&text, ctx, &live)) != MG_OK)
		return rc;
	mg_checksum(text, strlen(text), sum);
	if (r[0][0] != NULL && strcmp(r[0][0], sum) == 0)
		return MG_OK;
	if ((rc = mg_schema_decode(&kept, ctx, r[0][3] ? r[0][3] : "")) != MG_OK ||
		(rc = mg_schema_diff(&ch, &nch, ctx, &kept, &live)) != MG_OK)
		return rc;
	snprintf(when, sizeof(when), "%.19s UTC", r[0][2] ? r[0][2] : "");
	since = r[0][1] != NULL && *r[0][1]
		? mg_printf(ctx, "since %s was applied on %s", r[0][1], when)
		: mg_printf(ctx, "since the last run (to base) on %s", when);
	if (since == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < nch; i++)
	{
		char *obj = mg_schema_change_object(ctx, &ch[i]);
		char *what = ch[i].op == MG_CHANGE_CHANGED ? mg_schema_change_what(ctx, &ch[i], NULL) : "";

		if (obj == NULL || what == NULL)
			return MG_ENOMEM;
		if (ch[i].op == MG_CHANGE_CHANGED)
			mg_buf_printf(out, "drift: %s changed (%s) %s\n", obj, what, since);
		else
			mg_buf_printf(out, "drift: %s %s %s\n", obj, ch[i].op == MG_CHANGE_ADDED ? "added" : "dropped", since);
		(*problems)++;
	}
	if (*problems > 0)
		mg_buf_puts(out, "the schema was changed outside migrations: write a revision for the change "
					"(or undo it by hand) before the next run records the schema as it is\n");
	return MG_OK;
}
