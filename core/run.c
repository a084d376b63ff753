/*
 * run.c -- drives a plan through the host: bodies, version rows, log.
 *
 * The caller has opened the run's atomic unit (host->begin) and decides
 * to commit or roll back; this file only executes steps in order and
 * stops at the first failure, with an error that says which revision,
 * which file and which statement failed.  Every bit of the plan was
 * checked before the first statement runs (bodies present, see
 * mg_run_check), so a failure here is the database's own.
 *
 * The version table's statements (Alembic's, step by step) run after the
 * last body, in the same order and in the same unit, unless a body of the
 * run names the version table: no other connection sees the unit before
 * it commits, so only a body could see the rows between two steps.  On
 * SQLite this matters: every schema change makes SQLite prepare a cached
 * statement again, and a version UPDATE between two revisions that create
 * tables was prepared anew at every step.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

double
mg_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

int
mg_run_check(mg_ctx *ctx, const mg_revmap *map, const mg_plan *plan, int dialect)
{
	return mg_run_check_online(ctx, map, plan, dialect, false);
}

int
mg_run_check_online(mg_ctx *ctx, const mg_revmap *map, const mg_plan *plan, int dialect,
					bool online)
{
	for (size_t i = 0; i < plan->n; i++)
	{
		const mg_step *st = &plan->steps[i];
		const mg_script *s;

		if (st->rev < 0)
			continue;
		s = mg_revmap_rev(map, st->rev)->script;
		if (!mg_script_has_body(s, st->upgrade))
			return mg_error_set(ctx, MG_EINPUT, MG_STATE_INTERNAL,
								"revision \"%s\" was loaded without its %s body", s->id,
								st->upgrade ? "upgrade" : "downgrade");
		if (mg_script_body(s, st->upgrade, dialect) == NULL)
		{
			const char *dname = dialect == MG_DIALECT_POSTGRESQL ? "postgresql" : "sqlite";

			if (st->upgrade)
			{
				mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
							 "revision %s has no upgrade section for %s", s->id, dname);
				mg_error_detail(ctx, "File \"%s\" has neither a \"-- migrate:upgrade\" nor a \"-- migrate:upgrade %s\" section.",
								s->filename, dname);
				mg_error_hint(ctx, "Add the section to the script and load it again; nothing was changed.");
			}
			else
			{
				mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
							 "revision %s cannot be downgraded: it has no downgrade section for %s", s->id, dname);
				mg_error_detail(ctx, "File \"%s\" has neither a \"-- migrate:downgrade\" nor a \"-- migrate:downgrade %s\" section.",
								s->filename, dname);
				mg_error_hint(ctx, "Add a downgrade section (an empty one is a valid no-op) and load the script again; nothing was changed.");
			}
			return MG_EINPUT;
		}
		if (!s->transactional && dialect == MG_DIALECT_POSTGRESQL && !(online && plan->n == 1))
		{
			mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
						 "revision %s cannot run inside a transaction", s->id);
			mg_error_detail(ctx, "File \"%s\" is marked \"Transactional: false\" (for example CREATE INDEX CONCURRENTLY), and a function call always runs inside one.",
							s->filename);
			if (st->upgrade)
				mg_error_hint(ctx, "Run it online with CALL migrate_upgrade_steps(...) (same target), which runs such steps between committed steps through a loopback dblink connection, or write the steps out with migrate_upgrade_sql('<from>:<to>') and run that file with psql; nothing was changed.");
			else
				mg_error_hint(ctx, "Run it online with CALL migrate_downgrade_steps(...) (same target), which runs such steps between committed steps through a loopback dblink connection, or write the steps out with migrate_downgrade_sql('<from>:<to>') and run that file with psql; nothing was changed.");
			return MG_EINPUT;
		}
	}
	return MG_OK;
}

/*
 * Whether a body the run executes names the version table (as text, in
 * any case): then its rows are written after each step, so that body
 * reads what Alembic would show it.
 */
static bool
bodies_read_version_table(const mg_state *st, const mg_revmap *map, const mg_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
	{
		const mg_step *step = &plan->steps[i];
		const char *body;

		if (step->rev < 0)
			continue;
		body = mg_script_body(mg_revmap_rev(map, step->rev)->script, step->upgrade, st->dialect);
		if (body != NULL && mg_text_mentions(body, st->version_name))
			return true;
	}
	return false;
}

static int
apply_vops(mg_state *st, const mg_step *step)
{
	int rc;

	for (size_t k = 0; k < step->nops; k++)
		if ((rc = mg_state_apply_vop(st, &step->ops[k])) != MG_OK)
			return rc;
	return MG_OK;
}

/* Reword a failing statement's error: the database's words, then where. */
void
mg_run_blame(mg_ctx *ctx, const mg_script *s, const mg_step *st, int statement)
{
	mg_error *e = mg_ctx_error_mut(ctx);
	char stmt[sizeof(e->context)];

	snprintf(stmt, sizeof(stmt), "%s", e->context);
	e->context[0] = '\0';
	mg_error_context(ctx, "%s of revision %s (\"%s\"), file \"%s\", statement %d%s%s",
					 st->upgrade ? "upgrade" : "downgrade", s->id, s->message, s->filename,
					 statement, stmt[0] ? ": " : "", stmt);
	if (e->hint[0] == '\0')
		mg_error_hint(ctx, "Nothing was changed: the whole run was rolled back. Fix the script, load it again with migrate_load or migrate_add, and rerun.");
}

int
mg_run_plan(char **report, mg_state *st, const mg_revmap *map, const mg_plan *plan,
			bool run_bodies)
{
	mg_ctx *ctx = st->ctx;
	const mg_host *host = st->host;
	mg_buf out;
	bool per_step = run_bodies && bodies_read_version_table(st, map, plan);
	int rc;

	*report = NULL;
	mg_buf_init(&out, ctx);
	for (size_t i = 0; i < plan->n; i++)
	{
		const mg_step *step = &plan->steps[i];
		const mg_script *s = step->rev >= 0 ? mg_revmap_rev(map, step->rev)->script : NULL;
		char *line = mg_report_step(ctx, map, step, true);
		char *msg;
		size_t len;
		double t0 = mg_clock_ms();

		if ((rc = mg_interrupt_check(ctx)) != MG_OK)
			return rc;
		/* "Running <line>", without printf: once per step */
		if (line == NULL)
			return MG_ENOMEM;
		len = strlen(line);
		if ((msg = mg_realloc_uninit(ctx, NULL, 0, 8 + len + 1)) == NULL)
			return MG_ENOMEM;
		memcpy(msg, "Running ", 8);
		memcpy(msg + 8, line, len + 1);
		if (host->notice != NULL)
			host->notice(host->ud, msg);
		if (i)
			mg_buf_putc(&out, '\n');
		mg_buf_putn(&out, msg, 8 + len);
		if (run_bodies && s != NULL)
		{
			const char *body = mg_script_body(s, step->upgrade, st->dialect);
			int failed = 0;

			if (body != NULL && (rc = host->run_script(host->ud, ctx, body, &failed)) != MG_OK)
			{
				if (rc != MG_ENOMEM)
					mg_run_blame(ctx, s, step, failed);
				return rc;
			}
		}
		if (per_step && (rc = apply_vops(st, step)) != MG_OK)
			return rc;
		if ((rc = mg_state_log(st, step, s ? s->checksum : NULL, mg_clock_ms() - t0)) != MG_OK)
			return rc;
	}
	for (size_t i = 0; !per_step && i < plan->n; i++)
		if ((rc = apply_vops(st, &plan->steps[i])) != MG_OK)
			return rc;
	if ((rc = mg_state_log_flush(st)) != MG_OK)
		return rc;
	return mg_buf_finish(&out, report);
}
