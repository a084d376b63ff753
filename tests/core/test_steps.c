/*
 * test_steps.c -- stepwise upgrades and downgrades (mg_cmd_upgrade_plan
 * and mg_cmd_upgrade_step, mg_cmd_downgrade_plan and
 * mg_cmd_downgrade_step: PostgreSQL's CALL migrate_upgrade_steps and
 * migrate_downgrade_steps) against an in-memory SQLite: the target is
 * resolved once, before the first step, and exactly that plan runs; a
 * step that another session has made stale fails and changes nothing; a
 * stepwise downgrade does what the one-call downgrade does, step for
 * step, on a graph with branches, a merge and a dependency; and
 * out-of-memory sweeps.
 *
 * The graphs: r1 <- r2 <- r3 <- r4 <- r5, no labels; a branch g
 * (g1 <- g2 <- g3 <- g4) labelled gxy; and the branchy one of
 * "downgrades" below.
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
plan_dir(const char *target, bool down, int *rc_out)
{
	mg_ctx *ctx = new_ctx();
	const char **ids;
	size_t n;
	char *report;
	int rc = down ? mg_cmd_downgrade_plan(&ids, &n, &report, ctx, &host, target)
		: mg_cmd_upgrade_plan(&ids, &n, &report, ctx, &host, target);

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

static const char *
plan_of(const char *target, int *rc_out)
{
	return plan_dir(target, false, rc_out);
}

/* Run one step; its report or its error message. */
static char stepbuf[1024];

static const char *
step_dir(const char *rev, bool down, int *rc_out)
{
	mg_ctx *ctx = new_ctx();
	char *report = NULL;
	int rc = down ? mg_cmd_downgrade_step(&report, ctx, &host, rev)
		: mg_cmd_upgrade_step(&report, ctx, &host, rev);

	snprintf(stepbuf, sizeof(stepbuf), "%s", rc == MG_OK ? (report ? report : "") : mg_ctx_error(ctx)->message);
	if (rc_out != NULL)
		*rc_out = rc;
	mg_ctx_free(ctx);
	return stepbuf;
}

static const char *
step(const char *rev, int *rc_out)
{
	return step_dir(rev, false, rc_out);
}

/* The plan of target run step by step, as a CALL does; the steps' reports joined by "|". */
static char runbuf[4096];

static const char *
run_dir(const char *target, bool down)
{
	mg_ctx *ctx = new_ctx();
	const char **ids;
	size_t n;
	char *report;
	int rc = down ? mg_cmd_downgrade_plan(&ids, &n, &report, ctx, &host, target)
		: mg_cmd_upgrade_plan(&ids, &n, &report, ctx, &host, target);

	runbuf[0] = '\0';
	if (rc != MG_OK)
		snprintf(runbuf, sizeof(runbuf), "%s", mg_ctx_error(ctx)->message);
	else if (n == 0)
		snprintf(runbuf, sizeof(runbuf), "%s", report);
	for (size_t i = 0; i < n; i++)
		snprintf(runbuf + strlen(runbuf), sizeof(runbuf) - strlen(runbuf), "%s%s", i ? "|" : "",
				 step_dir(ids[i], down, NULL));
	mg_ctx_free(ctx);
	return runbuf;
}

static const char *
run_steps(const char *target)
{
	return run_dir(target, false);
}

/* The one-call downgrade's "Running" lines, joined by "|" as run_dir joins the steps'. */
static char onebuf[4096];

static const char *
downgrade_at_once(const char *target)
{
	mg_ctx *ctx = new_ctx();
	char *report = NULL;

	if (mg_cmd_downgrade(&report, ctx, &host, target) != MG_OK)
		snprintf(onebuf, sizeof(onebuf), "%s", mg_ctx_error(ctx)->message);
	else
	{
		size_t k = 0;

		for (const char *p = report; *p && k + 1 < sizeof(onebuf); p++)
			onebuf[k++] = *p == '\n' ? '|' : *p;
		onebuf[k] = '\0';
	}
	mg_ctx_free(ctx);
	return onebuf;
}

/* The branchy graph: gxy b1 <- b2 <- b3, tsi c1 <- c2 (depends on b2), merge m of b3 and c2, then n. */
static const char *const branchy[] = {
	"-- b1\n-- Revision ID: b1\n-- Revises:\n-- Branch Labels: gxy\n-- migrate:upgrade\nCREATE TABLE b1 (a INTEGER);\n-- migrate:downgrade\nDROP TABLE b1;\n",
	"-- b2\n-- Revision ID: b2\n-- Revises: b1\n-- migrate:upgrade\nCREATE TABLE b2 (a INTEGER);\n-- migrate:downgrade\nDROP TABLE b2;\n",
	"-- b3\n-- Revision ID: b3\n-- Revises: b2\n-- migrate:upgrade\nCREATE TABLE b3 (a INTEGER);\n-- migrate:downgrade\nDROP TABLE b3;\n",
	"-- c1\n-- Revision ID: c1\n-- Revises:\n-- Branch Labels: tsi\n-- migrate:upgrade\nCREATE TABLE c1 (a INTEGER);\n-- migrate:downgrade\nDROP TABLE c1;\n",
	"-- c2\n-- Revision ID: c2\n-- Revises: c1\n-- Depends On: b2\n-- migrate:upgrade\nCREATE TABLE c2 (a INTEGER);\n-- migrate:downgrade\nDROP TABLE c2;\n",
	"-- m\n-- Revision ID: m1\n-- Revises: b3, c2\n-- migrate:upgrade\nCREATE TABLE m1 (a INTEGER);\n-- migrate:downgrade\nDROP TABLE m1;\n",
	"-- n\n-- Revision ID: n1\n-- Revises: m1\n-- migrate:upgrade\nCREATE TABLE n1 (a INTEGER);\n-- migrate:downgrade\nDROP TABLE n1;\n",
};

static void
load_branchy(void)
{
	add(branchy, sizeof(branchy) / sizeof(branchy[0]));
}

/* Upgrade the branchy graph to start, with one call. */
static void
branchy_at(const char *start)
{
	mg_ctx *ctx = new_ctx();
	char *report;

	db_open();
	load_branchy();
	if (mg_cmd_upgrade(&report, ctx, &host, start) != MG_OK)
	{
		printf("Bail out! upgrade %s: %s\n", start, mg_ctx_error(ctx)->message);
		exit(1);
	}
	mg_ctx_free(ctx);
}

/*
 * From start, a stepwise downgrade to target gives what the one-call
 * downgrade gives: the same "Running" lines in the same order, the same
 * version rows, the same tables.
 */
static void
same_as_one_call(const char *start, const char *target)
{
	char once[4096], rows[512], tables[1024];

	branchy_at(start);
	snprintf(once, sizeof(once), "%s", downgrade_at_once(target));
	snprintf(rows, sizeof(rows), "%s", db_text("SELECT coalesce(group_concat(version_num), 'base') FROM (SELECT version_num FROM alembic_version ORDER BY 1)"));
	snprintf(tables, sizeof(tables), "%s", db_text("SELECT coalesce(group_concat(name), 'none') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'migrate%' ORDER BY 1)"));
	db_close();
	branchy_at(start);
	is_str(run_dir(target, true), once, "from %s, CALL migrate_downgrade_steps('%s') runs what migrate_downgrade does: %s", start, target, once);
	is_str(db_text("SELECT coalesce(group_concat(version_num), 'base') FROM (SELECT version_num FROM alembic_version ORDER BY 1)"), rows,
		   "  and ends at the same version rows (%s)", rows);
	is_str(db_text("SELECT coalesce(group_concat(name), 'none') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'migrate%' ORDER BY 1)"), tables,
		   "  with the same tables");
	{
		char nlines[16];
		int k = strncmp(once, "Running", 7) == 0;

		for (const char *p = once; *p; p++)
			k += *p == '|';
		snprintf(nlines, sizeof(nlines), "%d", k);
		is_str(db_text("SELECT count(*) FROM migrate_log WHERE direction = 'downgrade'"), nlines,
			   "  one log row per step (%s)", nlines);
	}
	db_close();
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

static void
load_linear_at_r3(void)
{
	mg_ctx *ctx = new_ctx();
	char *report;

	load_linear();
	if (mg_cmd_upgrade(&report, ctx, &host, "r3") != MG_OK)
	{
		printf("Bail out! upgrade r3: %s\n", mg_ctx_error(ctx)->message);
		exit(1);
	}
	mg_ctx_free(ctx);
}

static int
sweep_down_plan(mg_ctx *ctx, char **out)
{
	const char **ids;
	size_t n;
	int rc = mg_cmd_downgrade_plan(&ids, &n, out, ctx, &host, "-2");

	if (rc == MG_OK)
		*out = n == 2 ? mg_printf(ctx, "%s,%s", ids[0], ids[1]) : NULL;
	return rc;
}

static int
sweep_down_step(mg_ctx *ctx, char **out)
{
	return mg_cmd_downgrade_step(out, ctx, &host, "r3");
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

	/* ---- downgrades: '-1' is resolved once, too */
	db_open();
	load_linear();
	run_steps("heads");
	is_str(plan_dir("-1", true, NULL), "r5", "downgrade '-1' at r5 plans exactly r5");
	is_str(run_dir("-1", true), "Running downgrade r5 -> r4, r5", "and runs exactly r5");
	is_str(run_dir("-2", true), "Running downgrade r4 -> r3, r4|Running downgrade r3 -> r2, r3",
		   "'-2' from r4 runs exactly r4 and r3");
	is_str(db_text("SELECT group_concat(version_num) FROM alembic_version"), "r2", "the database is at r2");
	is_str(db_text("SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE name GLOB 't[0-9]' ORDER BY 1)"), "t1,t2",
		   "with the tables of r1 and r2");
	is_str(plan_dir("r2", true, NULL), "nothing to do: the database is at r2", "the current revision plans nothing and says where");
	is_str(plan_dir(NULL, true, &rc), "a downgrade target is required", "a downgrade target is required");
	is_int(rc, MG_EINPUT, "MG_EINPUT");
	is_str(plan_dir(" ", true, &rc), "migrate_downgrade_steps: argument \"target\" is empty", "a blank one is an error");
	is_str(plan_dir("r2:r1", true, NULL), "Range revision not allowed", "a range is refused");
	is_str(plan_dir("-5", true, NULL), "Relative revision -5 didn't produce 5 migrations", "a walk below base fails before any step");
	is_str(plan_dir("r4", true, NULL), "Destination r4 is not a valid downgrade target from current head(s)",
		   "a target above the database fails before any step");
	db_close();

	/* ---- a stale downgrade step fails and changes nothing; one done meanwhile is skipped */
	db_open();
	load_linear();
	run_steps("r3");
	{
		mg_ctx *ctx = new_ctx();
		const char **ids;
		size_t n;
		char *report, before[8192];

		is_int(mg_cmd_downgrade_plan(&ids, &n, &report, ctx, &host, "base"), MG_OK, "plan 'base' at r3");
		is_int((int) n, 3, "three steps");
		is_str(step_dir(ids[0], true, NULL), "Running downgrade r3 -> r2, r3", "its first step runs");
		/* another session upgrades to r3 again between two steps */
		db_exec("UPDATE alembic_version SET version_num = 'r3'; CREATE TABLE t3 (a INTEGER);");
		snprintf(before, sizeof(before), "%s", db_state());
		is_str(step_dir(ids[1], true, &rc), "the database changed during the stepwise run: revision r2 is no longer one step away",
			   "r2 is no longer one step away: an error");
		is_int(rc, MG_EINPUT, "MG_EINPUT");
		is_str(db_state(), before, "and nothing changed");
		/* another session downgrades to r1 */
		db_exec("UPDATE alembic_version SET version_num = 'r1'; DROP TABLE t3; DROP TABLE t2;");
		snprintf(before, sizeof(before), "%s", db_state());
		is_str(step_dir(ids[1], true, &rc), "revision r2 is downgraded already (by another session)",
			   "a step done meanwhile is not run twice");
		is_int(rc, MG_OK, "and is not an error");
		is_str(db_state(), before, "and changes nothing");
		is_str(step_dir(ids[2], true, NULL), "Running downgrade r1 -> , r1", "the last step runs");
		is_str(db_text("SELECT count(*) FROM alembic_version"), "0", "the database is at base");
		mg_ctx_free(ctx);
	}
	db_close();

	/* ---- on a branchy graph: what the one-call downgrade does, step for step */
	same_as_one_call("heads", "-1");
	same_as_one_call("heads", "base");
	same_as_one_call("heads", "gxy@base");
	same_as_one_call("heads", "tsi@base");
	same_as_one_call("heads", "b2");
	same_as_one_call("heads", "c1");
	same_as_one_call("heads", "m1");
	same_as_one_call("heads", "-3");
	same_as_one_call("heads", "c2");
	same_as_one_call("b3", "gxy@-2");
	same_as_one_call("c2", "tsi@-1");

	oom_sweep("mg_cmd_upgrade_plan", load_linear, sweep_plan, "r1,r2", NULL);
	oom_sweep("mg_cmd_upgrade_step", load_linear, sweep_step, "Running upgrade  -> r1", NULL);
	oom_sweep("mg_cmd_downgrade_plan", load_linear_at_r3, sweep_down_plan, "r3,r2", NULL);
	oom_sweep("mg_cmd_downgrade_step", load_linear_at_r3, sweep_down_step, "Running downgrade r3 -> r2", NULL);
	return done_testing();
}
