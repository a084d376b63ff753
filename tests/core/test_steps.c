/*
 * test_steps.c -- stepwise upgrades (mg_cmd_upgrade_plan and
 * mg_cmd_upgrade_step, PostgreSQL's CALL migrate_upgrade_steps) against
 * an in-memory SQLite: the target is resolved once, before the first
 * step, and exactly that plan runs; a step that another session has
 * made stale fails and changes nothing; and an out-of-memory sweep.
 *
 * The graph: r1 <- r2 <- r3 <- r4 <- r5, no labels; and a branch g
 * (g1 <- g2 <- g3) labelled gxy.
 */
#include "tap.h"
#include "sqlite_host.h"

static const char *const linear[] = {
	"-- r1\n-- Revision ID: r1\n-- Revises:\n-- migrate:upgrade\nCREATE TABLE t1 (a INTEGER);\n-- migrate:downgrade\nDROP TABLE t1;\n",
	"-- r2\n-- Revision ID: r2\n-- Revises: r1\n-- migrate:upgrade\nCREATE TABLE t2 (a INTEGER);\n-- migrate:downgrade\nDROP TABLE t2;\n",
	"-- r3\n-- Revision ID: r3\n-- Revises: r2\n-- migrate:upgrade\nCREATE TABLE t3 (a INTEGER);\n-- migrate:downgrade\nDROP TABLE t3;\n",
	"-- r4\n-- Revision ID: r4\n-- Revises: r3\n-- migrate:upgrade\nCREATE TABLE t4 (a INTEGER);\n-- migrate:downgrade\nDROP TABLE t4;\n",
	"-- r5\n-- Revision ID: r5\n-- Revises: r4\n-- migrate:upgrade\nCREATE TABLE t5 (a INTEGER);\n-- migrate:downgrade\nDROP TABLE t5;\n",
};

static void
add(const char *const *texts, size_t n)
{
	mg_ctx *ctx = new_ctx();
	char *report;

	if (mg_cmd_add(&report, ctx, &host, n, texts, NULL) != MG_OK)
	{
		printf("Bail out! add: %s\n", mg_ctx_error(ctx)->message);
		exit(1);
	}
	mg_ctx_free(ctx);
}

static void
load_linear(void)
{
	add(linear, sizeof(linear) / sizeof(linear[0]));
}

/* The plan of target, as "id,id,..." (or the error message). */
static char planbuf[1024];

static const char *
plan_of(const char *target, int *rc_out)
{
	mg_ctx *ctx = new_ctx();
	const char **ids;
	size_t n;
	char *report;
	int rc = mg_cmd_upgrade_plan(&ids, &n, &report, ctx, &host, target);

	planbuf[0] = '\0';
	if (rc != MG_OK)
		snprintf(planbuf, sizeof(planbuf), "%s", mg_ctx_error(ctx)->message);
	else if (n == 0)
		snprintf(planbuf, sizeof(planbuf), "%s", report ? report : "(no report)");
	else
		for (size_t i = 0; i < n; i++)
			snprintf(planbuf + strlen(planbuf), sizeof(planbuf) - strlen(planbuf), "%s%s",
					 i ? "," : "", ids[i]);
	if (rc_out != NULL)
		*rc_out = rc;
	mg_ctx_free(ctx);
	return planbuf;
}

/* Run one step; its report or its error message. */
static char stepbuf[1024];

static const char *
step(const char *rev, int *rc_out)
{
	mg_ctx *ctx = new_ctx();
	char *report = NULL;
	int rc = mg_cmd_upgrade_step(&report, ctx, &host, rev);

	snprintf(stepbuf, sizeof(stepbuf), "%s", rc == MG_OK ? (report ? report : "") : mg_ctx_error(ctx)->message);
	if (rc_out != NULL)
		*rc_out = rc;
	mg_ctx_free(ctx);
	return stepbuf;
}

/* The plan of target run step by step, as a CALL does; the steps' reports joined by "|". */
static char runbuf[4096];

static const char *
run_steps(const char *target)
{
	mg_ctx *ctx = new_ctx();
	const char **ids;
	size_t n;
	char *report;

	runbuf[0] = '\0';
	if (mg_cmd_upgrade_plan(&ids, &n, &report, ctx, &host, target) != MG_OK)
		snprintf(runbuf, sizeof(runbuf), "%s", mg_ctx_error(ctx)->message);
	else if (n == 0)
		snprintf(runbuf, sizeof(runbuf), "%s", report);
	for (size_t i = 0; i < n; i++)
		snprintf(runbuf + strlen(runbuf), sizeof(runbuf) - strlen(runbuf), "%s%s", i ? "|" : "",
				 step(ids[i], NULL));
	mg_ctx_free(ctx);
	return runbuf;
}

static int
sweep_plan(mg_ctx *ctx, char **out)
{
	const char **ids;
	size_t n;
	int rc = mg_cmd_upgrade_plan(&ids, &n, out, ctx, &host, "+2");

	if (rc == MG_OK)
		*out = n == 2 ? mg_printf(ctx, "%s,%s", ids[0], ids[1]) : NULL;
	return rc;
}

static int
sweep_step(mg_ctx *ctx, char **out)
{
	return mg_cmd_upgrade_step(out, ctx, &host, "r1");
}

int
main(void)
{
	int rc;

	/* ---- a relative target is resolved once */
	db_open();
	load_linear();
	is_str(plan_of("+1", NULL), "r1", "'+1' at base plans exactly r1");
	is_str(run_steps("+1"), "Running upgrade  -> r1, r1", "and runs exactly r1");
	is_str(db_text("SELECT group_concat(version_num) FROM alembic_version"), "r1", "the database is at r1");
	is_str(db_text("SELECT group_concat(revision) FROM migrate_log"), "r1", "one step logged");
	is_str(run_steps("+2"), "Running upgrade r1 -> r2, r2|Running upgrade r2 -> r3, r3",
		   "'+2' from r1 runs exactly r2 and r3");
	is_str(plan_of("r3", NULL), "nothing to do: the database is at r3", "an applied target plans nothing and says where");
	is_str(plan_of("heads", NULL), "r4,r5", "heads plans the rest");
	is_str(plan_of(NULL, NULL), "r4,r5", "so does no target");
	is_str(plan_of("", &rc), "migrate_upgrade_steps: argument \"target\" is empty", "an empty target is an error");
	is_int(rc, MG_EINPUT, "MG_EINPUT");
	is_str(plan_of("r1:r3", NULL), "Range revision not allowed", "a range is refused");
	is_str(plan_of("+9", NULL), "Relative revision +9 didn't produce 9 migrations", "a walk off the graph fails before any step");
	db_close();

	/* ---- the plan is exactly what runs: a stale step fails and changes nothing */
	db_open();
	load_linear();
	{
		mg_ctx *ctx = new_ctx();
		const char **ids;
		size_t n;
		char *report, before[8192];

		is_int(mg_cmd_upgrade_plan(&ids, &n, &report, ctx, &host, "+2"), MG_OK, "plan '+2' at base");
		is_str(step(ids[0], NULL), "Running upgrade  -> r1, r1", "its first step runs");
		/* another session moves the database back to base between two steps */
		db_exec("DELETE FROM alembic_version; DROP TABLE t1;");
		snprintf(before, sizeof(before), "%s", db_state());
		is_str(step(ids[1], &rc), "the database changed during the stepwise run: revision r2 is no longer one step away",
			   "the second step is no longer one step away: an error");
		is_int(rc, MG_EINPUT, "MG_EINPUT");
		is_str(db_state(), before, "and nothing changed");
		mg_ctx_free(ctx);
	}
	db_exec("INSERT INTO alembic_version VALUES ('r2'); CREATE TABLE t1 (a INTEGER); CREATE TABLE t2 (a INTEGER);");
	is_str(step("r2", NULL), "revision r2 is applied already (by another session)", "a step applied meanwhile is not run twice");
	is_str(step("zz", &rc), "revision zz of the stepwise run is no longer in the catalog", "a step whose revision left the catalog fails");
	db_close();

	/* ---- a branch: 'gxy@+2' is exactly two steps */
	db_open();
	{
		static const char *const g[] = {
			"-- g1\n-- Revision ID: g1\n-- Revises:\n-- Branch Labels: gxy\n-- migrate:upgrade\n-- migrate:downgrade\n",
			"-- g2\n-- Revision ID: g2\n-- Revises: g1\n-- migrate:upgrade\n-- migrate:downgrade\n",
			"-- g3\n-- Revision ID: g3\n-- Revises: g2\n-- migrate:upgrade\n-- migrate:downgrade\n",
			"-- g4\n-- Revision ID: g4\n-- Revises: g3\n-- migrate:upgrade\n-- migrate:downgrade\n",
			"-- t1\n-- Revision ID: t1\n-- Revises:\n-- Branch Labels: tsi\n-- migrate:upgrade\n-- migrate:downgrade\n",
		};

		add(g, 5);
	}
	is_str(run_steps("gxy@+2"), "Running upgrade  -> g1, g1|Running upgrade g1 -> g2, g2", "'gxy@+2' runs exactly two steps");
	is_str(run_steps("gxy@+2"), "Running upgrade g2 -> g3, g3|Running upgrade g3 -> g4, g4", "and again the next two");
	is_str(db_text("SELECT group_concat(version_num) FROM alembic_version"), "g4", "tsi untouched");
	db_close();

	/* ---- a missing section fails at planning, before any step */
	db_open();
	{
		static const char *const m[] = {
			"-- a\n-- Revision ID: a1\n-- Revises:\n-- migrate:upgrade\nCREATE TABLE a (x INTEGER);\n",
			"-- b\n-- Revision ID: b1\n-- Revises: a1\n-- migrate:upgrade postgresql\nSELECT 1;\n",
		};

		add(m, 2);
	}
	is_str(plan_of("heads", &rc), "revision b1 has no upgrade section for sqlite", "a missing section fails the plan");
	is_str(db_text("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'alembic_version')"), "0", "before anything ran");
	db_close();

	oom_sweep("mg_cmd_upgrade_plan", load_linear, sweep_plan, "r1,r2", NULL);
	oom_sweep("mg_cmd_upgrade_step", load_linear, sweep_step, "Running upgrade  -> r1", NULL);
	return done_testing();
}
