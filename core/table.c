/*
 * table.c -- the relations' shape: their columns, their arguments, and
 * the rows a command appends.
 *
 * migrate_plan, migrate_schema, migrate_rehearse and migrate_stairway
 * return an mg_table (mg.h).  Their columns are declared here once, so
 * the SQLite host's virtual tables and the PostgreSQL functions (whose
 * RETURNS TABLE in sql/migrate--1.0--1.1.sql lists the same names and
 * types; the host checks the count) cannot drift apart.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const mg_column plan_cols[] = {
	{"step", MG_COL_INT},
	{"revision", MG_COL_TEXT},
	{"direction", MG_COL_TEXT},
	{"from_revisions", MG_COL_TEXT},
	{"to_revisions", MG_COL_TEXT},
	{"message", MG_COL_TEXT},
	{"file", MG_COL_TEXT},
	{"transactional", MG_COL_BOOL},
	{"statements", MG_COL_INT},
	{"sql", MG_COL_TEXT},
};

static const mg_column schema_cols[] = {
	{"kind", MG_COL_TEXT},
	{"name", MG_COL_TEXT},
	{"parent", MG_COL_TEXT},
	{"definition", MG_COL_TEXT},
};

static const mg_column rehearse_cols[] = {
	{"step", MG_COL_INT},
	{"revision", MG_COL_TEXT},
	{"direction", MG_COL_TEXT},
	{"from_revisions", MG_COL_TEXT},
	{"to_revisions", MG_COL_TEXT},
	{"message", MG_COL_TEXT},
	{"status", MG_COL_TEXT},
	{"ms", MG_COL_FLOAT},
	{"statements", MG_COL_INT},
	{"changes", MG_COL_TEXT},
	{"rewrites", MG_COL_TEXT},
	{"locks", MG_COL_TEXT},
	{"error", MG_COL_TEXT},
	{"error_context", MG_COL_TEXT},
};

static const mg_column stairway_cols[] = {
	{"step", MG_COL_INT},
	{"revision", MG_COL_TEXT},
	{"message", MG_COL_TEXT},
	{"status", MG_COL_TEXT},
	{"detail", MG_COL_TEXT},
};

static const char *const target_args[] = {"target", "run_direction"};
static const char *const range_args[] = {"range"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

void
mg_relation_columns(mg_relation rel, const mg_column **cols, size_t *ncol,
					const char *const **args, size_t *nargs)
{
	switch (rel)
	{
		case MG_REL_PLAN:
			*cols = plan_cols, *ncol = N(plan_cols), *args = target_args, *nargs = N(target_args);
			break;
		case MG_REL_SCHEMA:
			*cols = schema_cols, *ncol = N(schema_cols), *args = NULL, *nargs = 0;
			break;
		case MG_REL_REHEARSE:
			*cols = rehearse_cols, *ncol = N(rehearse_cols), *args = target_args, *nargs = N(target_args);
			break;
		case MG_REL_STAIRWAY:
		default:
			*cols = stairway_cols, *ncol = N(stairway_cols), *args = range_args, *nargs = N(range_args);
			break;
	}
}

void
mg_table_start(mg_table_builder *b, mg_table *t, mg_ctx *ctx, mg_relation rel)
{
	const char *const *args;
	size_t nargs;

	memset(t, 0, sizeof(*t));
	mg_relation_columns(rel, &t->cols, &t->ncol, &args, &nargs);
	b->ctx = ctx;
	b->t = t;
	b->cap = 0;
}

const char **
mg_table_row(mg_table_builder *b)
{
	mg_table *t = b->t;
	size_t need = (t->n + 1) * t->ncol;

	if (need > b->cap)
	{
		size_t cap = b->cap ? b->cap * 2 : t->ncol * 16;
		const char **cells;

		while (cap < need)
			cap *= 2;
		cells = mg_realloc(b->ctx, (void *) t->cells, b->cap * sizeof(char *), cap * sizeof(char *));
		if (cells == NULL)
			return NULL;
		t->cells = cells;
		b->cap = cap;
	}
	memset((void *) &t->cells[t->n * t->ncol], 0, t->ncol * sizeof(char *));
	return &t->cells[t->n++ * t->ncol];
}

char *
mg_table_int(mg_ctx *ctx, long long v)
{
	return mg_printf(ctx, "%lld", v);
}

int
mg_cmd_relation(mg_table *out, mg_ctx *ctx, const mg_host *host, mg_relation rel,
				const char *arg0, const char *arg1)
{
	memset(out, 0, sizeof(*out));
	switch (rel)
	{
		case MG_REL_PLAN:
			return mg_rehearse_plan(out, ctx, host, arg0, arg1);
		case MG_REL_REHEARSE:
			return mg_rehearse_run(out, ctx, host, arg0, arg1);
		case MG_REL_STAIRWAY:
			return mg_rehearse_stairway(out, ctx, host, arg0);
		case MG_REL_SCHEMA:
		default:
			{
				mg_table_builder b;
				mg_state st;
				mg_schema s;
				int rc;

				mg_table_start(&b, out, ctx, MG_REL_SCHEMA);
				if ((rc = mg_state_open(&st, ctx, host)) != MG_OK ||
					(rc = mg_schema_read(&s, &st)) != MG_OK)
					return rc;
				for (size_t i = 0; i < s.n; i++)
				{
					const char **row = mg_table_row(&b);

					if (row == NULL)
						return MG_ENOMEM;
					row[0] = s.rows[i].kind;
					row[1] = s.rows[i].name;
					row[2] = s.rows[i].parent;
					row[3] = s.rows[i].def;
				}
				return MG_OK;
			}
	}
}
