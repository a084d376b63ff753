/*
 * test_interrupt.c -- every long loop of the core can be stopped: the
 * host's interrupt hook (mg_ctx_set_interrupt) is asked in parsing,
 * splitting, graph building, planning, history and offline SQL, and a
 * stop anywhere comes back as MG_ECANCEL with SQLSTATE 57014, never as
 * another error, a success or a leak.
 *
 * The same pipeline runs over a generated catalog (a long chain with
 * branches, merges and dependencies) with a hook that never stops, to
 * count how often it is asked; then once per sampled stop point, with a
 * hook that says "stop" at that call.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../core/internal.h"
#include "tap.h"

#define NREVS 3000

typedef struct hook_state {
	long calls;         /* times the hook ran */
	long stop_at;       /* the call that says stop (0: never) */
} hook_state;

static int
hook(void *ud)
{
	hook_state *h = ud;

	h->calls++;
	return h->stop_at > 0 && h->calls >= h->stop_at;
}

/* The text of revision i: a chain, every 50th a branch merged 3 later, every 70th a dependency. */
static char *
rev_text(mg_ctx *ctx, int i)
{
	char revises[64] = "";
	char deps[64] = "";

	if (i > 0)
		snprintf(revises, sizeof(revises), "r%05d", i % 50 == 3 && i > 3 ? i - 3 : i - 1);
	if (i % 50 == 3 && i > 3)
		snprintf(revises + strlen(revises), sizeof(revises) - strlen(revises), ", r%05d", i - 1);
	if (i % 70 == 0 && i > 10)
		snprintf(deps, sizeof(deps), "r%05d", i - 10);
	return mg_printf(ctx, "-- rev %d\n--\n-- Revision ID: r%05d\n-- Revises: %s\n-- Depends On: %s\n\n"
					 "-- migrate:upgrade\nCREATE TABLE t%d (a INTEGER);\nINSERT INTO t%d VALUES (1);\n\n"
					 "-- migrate:downgrade\nDROP TABLE t%d;\n",
					 i, i, revises, deps, i, i, i);
}

/* Parse, build, plan base -> heads, history, offline SQL.  Returns the first failure's code. */
static int
pipeline(mg_ctx *ctx)
{
	mg_revmap *map;
	mg_plan plan;
	int *revs;
	size_t n;
	char *sql;
	int rc;

	if ((rc = mg_revmap_new(&map, ctx)) != MG_OK)
		return rc;
	for (int i = 0; i < NREVS; i++)
	{
		char *text = rev_text(ctx, i);
		mg_script *s;

		if (text == NULL)
			return MG_ENOMEM;
		if ((rc = mg_script_parse(&s, ctx, text, strlen(text), "gen.sql")) != MG_OK ||
			(rc = mg_revmap_add(map, s)) != MG_OK)
			return rc;
	}
	if ((rc = mg_revmap_build(map)) != MG_OK ||
		(rc = mg_plan_upgrade(&plan, ctx, map, NULL, 0, "heads")) != MG_OK ||
		(rc = mg_report_history(&revs, &n, ctx, map, NULL, NULL)) != MG_OK ||
		(rc = mg_emit_sql(&sql, ctx, map, &plan, MG_DIALECT_SQLITE, "alembic_version")) != MG_OK)
		return rc;
	if (plan.n != NREVS || n != NREVS)
		return mg_error_set(ctx, MG_EINPUT, MG_STATE_INTERNAL, "plan of %zu steps, history of %zu rows",
							plan.n, n);
	return MG_OK;
}

int
main(void)
{
	hook_state h = {0, 0};
	mg_ctx *ctx = NULL;
	long total;
	int rc, bad = 0, stopped = 0;

	/* how often the whole pipeline asks */
	mg_ctx_new(&ctx, tap_realloc, NULL);
	mg_ctx_set_interrupt(ctx, hook, &h);
	rc = pipeline(ctx);
	is_int(rc, MG_OK, "the pipeline runs with a hook that never stops (%s)", mg_ctx_error(ctx)->message);
	total = h.calls;
	ok(total > 100, "the hook was asked %ld times", total);
	mg_ctx_free(ctx);
	is_int(tap_live, 0, "context freed");

	/* a stop at each sampled call: always MG_ECANCEL, 57014, nothing left behind */
	for (long k = 1; k <= total; k += total / (getenv("MIGRATE_VALGRIND") ? 9 : 97) + 1)
	{
		h.calls = 0;
		h.stop_at = k;
		mg_ctx_new(&ctx, tap_realloc, NULL);
		mg_ctx_set_interrupt(ctx, hook, &h);
		rc = pipeline(ctx);
		if (rc != MG_ECANCEL || strcmp(mg_ctx_error(ctx)->sqlstate, MG_STATE_CANCELED) != 0 ||
			strcmp(mg_ctx_error(ctx)->message, "canceling statement due to user request") != 0 ||
			h.calls != k)
		{
			bad++;
			printf("# stop at call %ld of %ld: rc %d, %s (%s), hook ran %ld times\n", k, total, rc,
						mg_ctx_error(ctx)->message, mg_ctx_error(ctx)->sqlstate, h.calls);
		}
		else
			stopped++;
		mg_ctx_free(ctx);
		if (tap_live != 0)
			bad++;
	}
	is_int(bad, 0, "every stop (%d sampled) ends the pipeline with the cancel error and frees all", stopped);

	/* without a hook, nothing is asked and nothing stops */
	mg_ctx_new(&ctx, tap_realloc, NULL);
	is_int(pipeline(ctx), MG_OK, "no hook: the pipeline runs");
	mg_ctx_free(ctx);
	return done_testing();
}
