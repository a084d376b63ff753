/*
 * test_verify.c -- migrate_init, migrate_verify, the branches setting,
 * release identifiers and a database ahead of the code (verify.c and
 * command.c), against an in-memory SQLite: each state of the verification
 * algorithm, and an out-of-memory sweep over each command that shows
 * every failure is clean (nothing changed, nothing leaked).
 *
 * The graph: gxy (g1 <- g2) and tsi (t1 <- t2), each revision creating a
 * table; release tags 1.0 (g1) and 2.0 (g2).
 */
#include "tap.h"
#include "sqlite_host.h"

static const char *const scripts[] = {
	"-- gxy base\n-- Revision ID: g1\n-- Revises:\n-- Branch Labels: gxy\n-- Tags: release_1.0\n"
	"-- migrate:upgrade\nCREATE TABLE ga (id INTEGER);\n-- migrate:downgrade\nDROP TABLE ga;\n",
	"-- gxy two\n-- Revision ID: g2\n-- Revises: g1\n-- Tags: release_2.0\n"
	"-- migrate:upgrade\nCREATE TABLE gb (id INTEGER);\n-- migrate:downgrade\nDROP TABLE gb;\n",
	"-- tsi base\n-- Revision ID: t1\n-- Revises:\n-- Branch Labels: tsi\n"
	"-- migrate:upgrade\nCREATE TABLE IF NOT EXISTS \"main\".\"Ta\" (id INTEGER);\n-- migrate:downgrade\nDROP TABLE ta;\n",
	"-- tsi two\n-- Revision ID: t2\n-- Revises: t1\n"
	"-- migrate:upgrade\n/* a comment */ CREATE TABLE tb (id INTEGER);\n-- migrate:downgrade\nDROP TABLE tb;\n",
};
#define NSCRIPTS (sizeof(scripts) / sizeof(scripts[0]))

static void
load(void)
{
	mg_ctx *ctx = new_ctx();
	char *report;

	if (mg_cmd_add(&report, ctx, &host, NSCRIPTS, (const char *const *) scripts, NULL) != MG_OK)
	{
		printf("Bail out! load: %s\n", mg_ctx_error(ctx)->message);
		exit(1);
	}
	mg_ctx_free(ctx);
}

/*
 * For the out-of-memory sweeps: the same graph with gxy continued by
 * g3 ... g82, so that a command allocates many arena chunks and the
 * sweep fails it at many points.
 */
#define NEXTRA 80
static void
load_big(void)
{
	static char texts[NEXTRA][256];
	const char *ptrs[NEXTRA];
	mg_ctx *ctx;
	char *report;

	load();
	for (int i = 0; i < NEXTRA; i++)
	{
		snprintf(texts[i], sizeof(texts[i]),
				 "-- gxy step %d with a longer message to fill the arena a little faster\n"
				 "-- Revision ID: g%d\n-- Revises: g%d\n"
				 "-- migrate:upgrade\nCREATE TABLE g_%d (id INTEGER);\n"
				 "-- migrate:downgrade\nDROP TABLE g_%d;\n", i + 3, i + 3, i + 2, i + 3, i + 3);
		ptrs[i] = texts[i];
	}
	ctx = new_ctx();
	if (mg_cmd_add(&report, ctx, &host, NEXTRA, ptrs, NULL) != MG_OK)
	{
		printf("Bail out! load_big: %s\n", mg_ctx_error(ctx)->message);
		exit(1);
	}
	mg_ctx_free(ctx);
}

/* Run a command on a fresh context; text result or the error message. */
static char result[8192];

static int
run_verify(int auto_migrate)
{
	mg_ctx *ctx = new_ctx();
	char *out = NULL;
	int rc = mg_cmd_verify(&out, ctx, &host, auto_migrate);

	snprintf(result, sizeof(result), "%s", rc == MG_OK ? out : mg_ctx_error(ctx)->message);
	mg_ctx_free(ctx);
	return rc;
}

static int
run_init(void)
{
	mg_ctx *ctx = new_ctx();
	char *out = NULL;
	int rc = mg_cmd_init(&out, ctx, &host);

	snprintf(result, sizeof(result), "%s", rc == MG_OK ? out : mg_ctx_error(ctx)->message);
	mg_ctx_free(ctx);
	return rc;
}

static int
run_upgrade(const char *target)
{
	mg_ctx *ctx = new_ctx();
	char *out = NULL;
	int rc = mg_cmd_upgrade(&out, ctx, &host, target);

	snprintf(result, sizeof(result), "%s", rc == MG_OK ? out : mg_ctx_error(ctx)->message);
	mg_ctx_free(ctx);
	return rc;
}

static void
config(const char *key, const char *value)
{
	mg_ctx *ctx = new_ctx();
	char *out;

	if (mg_cmd_config(&out, ctx, &host, key, value) != MG_OK)
	{
		printf("Bail out! config %s: %s\n", key, mg_ctx_error(ctx)->message);
		exit(1);
	}
	mg_ctx_free(ctx);
}

static const char *
rows(void)
{
	return nz(db_text("SELECT group_concat(version_num, ' ') FROM (SELECT version_num FROM alembic_version ORDER BY 1)"));
}

/* ---- the states ---------------------------------------------------------- */

static void
test_states(void)
{
	char before[8192];

	/* empty */
	db_open();
	load();
	is_int(run_init(), MG_OK, "init: an empty database");
	is_str(result, "gxy: empty database: initialized to g2\n"
		   "  Running upgrade  -> g1, gxy base\n  Running upgrade g1 -> g2, gxy two\n"
		   "tsi: empty database: initialized to t2\n"
		   "  Running upgrade  -> t1, tsi base\n  Running upgrade t1 -> t2, tsi two", "init: both branches");
	is_str(rows(), "g2 t2", "init: both heads");
	/* current */
	is_int(run_verify(0), MG_OK, "verify: current");
	is_str(result, "gxy: at head g2\ntsi: at head t2", "verify: at the heads");
	snprintf(before, sizeof(before), "%s", db_state());
	is_int(run_init(), MG_EINPUT, "init of an initialized database fails");
	is_str(result, "the database is already under version control", "init: says so");
	is_str(db_state(), before, "init: nothing changed");
	db_close();

	/* behind */
	db_open();
	load();
	run_upgrade("g1");
	run_upgrade("tsi@head");
	snprintf(before, sizeof(before), "%s", db_state());
	is_int(run_verify(0), MG_EINPUT, "verify: behind, no auto_migrate");
	is_str(result, "database is at revision g1 but the code expects g2", "verify: behind: the message");
	is_str(db_state(), before, "verify: behind: nothing changed");
	is_int(run_verify(1), MG_OK, "verify(auto): behind");
	is_str(result, "gxy: upgraded from g1 to g2\n  Running upgrade g1 -> g2, gxy two\ntsi: at head t2",
		   "verify(auto): upgraded");
	db_close();

	/* ahead */
	db_open();
	load();
	run_upgrade("heads");
	db_exec("UPDATE alembic_version SET version_num = 'zz9' WHERE version_num = 'g2'");
	snprintf(before, sizeof(before), "%s", db_state());
	is_int(run_verify(1), MG_EINPUT, "verify: ahead");
	is_str(result, "database is at revision zz9, which the code does not have", "verify: ahead: the message");
	is_str(db_state(), before, "verify: ahead: nothing changed");
	db_close();

	/* legacy */
	db_open();
	load();
	db_exec("CREATE TABLE migrate_version (repository_id TEXT, version INTEGER);"
			"INSERT INTO migrate_version VALUES ('x', 7);");
	config("legacy_versions", "gxy=7");
	is_int(run_verify(1), MG_OK, "verify(auto): legacy at the right version");
	is_str(result, "gxy: legacy database (migrate_version at version 7): adopted, upgraded to g2\n"
		   "  Running upgrade  -> g1, gxy base\n  Running upgrade g1 -> g2, gxy two\n"
		   "tsi: none of its tables exist: initialized to t2\n"
		   "  Running upgrade  -> t1, tsi base\n  Running upgrade t1 -> t2, tsi two", "verify(auto): adopted");
	db_close();
	db_open();
	load();
	db_exec("CREATE TABLE migrate_version (repository_id TEXT, version INTEGER);"
			"INSERT INTO migrate_version VALUES ('x', 8);");
	config("legacy_versions", "gxy=7");
	snprintf(before, sizeof(before), "%s", db_state());
	is_int(run_verify(1), MG_EINPUT, "verify: legacy at a wrong version");
	is_str(result, "database is at legacy version 8 but branch gxy continues legacy version 7", "verify: legacy: the message");
	is_str(db_state(), before, "verify: legacy: nothing changed");
	db_close();

	/* partial: tsi tables recognized through IF NOT EXISTS, a schema and quotes, any case */
	db_open();
	load();
	run_upgrade("gxy@head");
	db_exec("CREATE TABLE TA (id INTEGER)");
	is_int(run_verify(1), MG_OK, "verify(auto): gxy current, tsi tables");
	is_str(result, "gxy: at head g2\n"
		   "tsi: not under version control, but its tables exist (Ta): stamped at its head t2, as current as gxy\n"
		   "  Running stamp_revision  -> t2", "verify(auto): tsi stamped (its table named \"main\".\"Ta\" in the script)");
	db_close();
	db_open();
	load();
	run_upgrade("gxy@head");
	db_exec("CREATE TABLE tb (id INTEGER)");
	snprintf(before, sizeof(before), "%s", db_state());
	is_int(run_verify(0), MG_EINPUT, "verify: gxy current, tsi tables, no auto");
	is_str(result, "branch tsi is not under version control but some of its tables exist", "verify: says so");
	is_str(db_state(), before, "verify: nothing changed");
	db_close();

	/* branches */
	db_open();
	load();
	config("branches", "tsi");
	is_int(run_upgrade(NULL), MG_OK, "upgrade() with branches=tsi");
	is_str(result, "Running upgrade  -> t1, tsi base\nRunning upgrade t1 -> t2, tsi two", "upgrade(): tsi only");
	is_int(run_verify(0), MG_OK, "verify with branches=tsi");
	is_str(result, "tsi: at head t2", "verify: tsi only");
	config("branches", "tsi,nope");
	snprintf(before, sizeof(before), "%s", db_state());
	is_int(run_upgrade("heads"), MG_EINPUT, "upgrade('heads') with an unknown held label");
	is_str(result, "setting \"branches\" names branch 'nope', which no revision of the catalog carries", "the message");
	is_str(db_state(), before, "nothing changed");
	db_close();

	/* releases */
	db_open();
	load();
	is_int(run_upgrade("1.0"), MG_OK, "upgrade('1.0')");
	is_str(rows(), "g1", "a release tag");
	is_int(run_upgrade("release_3.0"), MG_EINPUT, "an unknown release");
	is_str(result, "Can't locate revision identified by 'release_3.0'", "Alembic's sentence");
	config("base_release", "0.9");
	is_int(run_upgrade("2.0"), MG_OK, "upgrade('2.0')");
	{
		mg_ctx *ctx = new_ctx();
		char *out;

		is_int(mg_cmd_downgrade(&out, ctx, &host, "release_0.9"), MG_OK, "downgrade to base_release");
		mg_ctx_free(ctx);
	}
	is_str(rows(), "", "base_release is base");
	db_close();
}

/* ---- out of memory ------------------------------------------------------- */

static void
setup_empty(void)
{
	load_big();
}

static void
setup_behind(void)
{
	load_big();
	run_upgrade("g1");
}

static void
setup_legacy(void)
{
	load_big();
	db_exec("CREATE TABLE migrate_version (repository_id TEXT, version INTEGER);"
			"INSERT INTO migrate_version VALUES ('x', 7);");
	config("legacy_versions", "gxy=7,tsi=3");
}

static void
setup_partial(void)
{
	load_big();
	run_upgrade("gxy@head");
	db_exec("CREATE TABLE tb (id INTEGER)");
}

static void
setup_ahead(void)
{
	load_big();
	run_upgrade("heads");
	db_exec("UPDATE alembic_version SET version_num = 'zz9' WHERE version_num = 'g82'");
	config("branches", "gxy,tsi,other");
}

static void
setup_held(void)
{
	load_big();
	config("branches", "tsi,gxy");
	config("base_release", "0.9");
}

static int
sw_init(mg_ctx *ctx, char **out)
{
	return mg_cmd_init(out, ctx, &host);
}

static int
sw_verify(mg_ctx *ctx, char **out)
{
	return mg_cmd_verify(out, ctx, &host, 1);
}

static int
sw_verify_noauto(mg_ctx *ctx, char **out)
{
	return mg_cmd_verify(out, ctx, &host, 0);
}

static int
sw_current(mg_ctx *ctx, char **out)
{
	mg_rows r;
	int rc = mg_cmd_current(&r, ctx, &host);

	*out = rc == MG_OK && r.n > 0 ? (char *) r.rows[r.n - 1].line : NULL;
	return rc;
}

static int
sw_check(mg_ctx *ctx, char **out)
{
	int ok;

	return mg_cmd_check(out, &ok, ctx, &host);
}

static int
sw_upgrade(mg_ctx *ctx, char **out)
{
	return mg_cmd_upgrade(out, ctx, &host, NULL);
}

static int
sw_upgrade_sql(mg_ctx *ctx, char **out)
{
	return mg_cmd_upgrade_sql(out, ctx, &host, "0.9:heads");
}

static int
sw_release_error(mg_ctx *ctx, char **out)
{
	return mg_cmd_upgrade(out, ctx, &host, "gxy@4.0");
}

static void
test_oom(void)
{
	oom_sweep("init", setup_empty, sw_init, "tsi: empty database: initialized to t2", NULL);
	oom_sweep("verify(auto), behind", setup_behind, sw_verify, "gxy: upgraded from g1 to g82", NULL);
	oom_sweep("verify, behind", setup_behind, sw_verify_noauto, NULL,
			  "database is at revision g1 but the code expects g82");
	oom_sweep("verify(auto), legacy", setup_legacy, sw_verify, "adopted, upgraded to g82", NULL);
	oom_sweep("verify(auto), partial", setup_partial, sw_verify, "stamped at its head t2", NULL);
	oom_sweep("current, ahead", setup_ahead, sw_current, "zz9 (unknown: not in the catalog)", NULL);
	oom_sweep("check, ahead and an unknown branch", setup_ahead, sw_check,
			  "unknown branch: the branches setting names 'other'", NULL);
	oom_sweep("upgrade(), held branches", setup_held, sw_upgrade, "Running upgrade g1 -> g2", NULL);
	oom_sweep("upgrade_sql(base_release:heads), held branches", setup_held, sw_upgrade_sql,
			  "-- Running upgrade g1 -> g2", NULL);
	oom_sweep("an unknown release", setup_held, sw_release_error, NULL,
			  "Can't locate revision identified by '4.0'");
}

int
main(void)
{
	test_states();
	test_oom();
	return done_testing();
}
