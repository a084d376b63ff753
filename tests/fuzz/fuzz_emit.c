/*
 * fuzz_emit.c -- libFuzzer target for offline SQL (core/emit.c): the
 * text a DBA reviews and then runs, from bodies and a version table
 * name anyone may have written.
 *
 * Input: a version table name, then a catalog (catalog.h) whose sections
 * are bytes of the input, then a plan choice.  For both dialects the
 * upgrade from base to the heads and the downgrade from there to base
 * are written twice: whole (mg_emit_sql) and streamed step by step from
 * the scripts' texts (mg_emit_begin / mg_script_find_body /
 * mg_emit_step / mg_emit_finish, as the commands do).  Checked beyond
 * "no crash": both outputs are byte for byte the same; PostgreSQL's
 * output opens with BEGIN; and ends with COMMIT;; the version table's
 * statements quote the name so that it stays one identifier (no
 * unbalanced double quote).
 */
#include "catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Sections made of input bytes; markers only where the input puts them. */
static void
bodies(fz_in *in, size_t i, char *buf, size_t cap)
{
	char up[200], down[200];
	unsigned shape = fz_byte(in);

	(void) i;
	fz_text(in, up, 180);
	fz_text(in, down, 180);
	snprintf(buf, cap, "%s%s%s%s%s",
			 shape & 1 ? "-- migrate:upgrade\n" : "-- migrate:upgrade sqlite\n", up,
			 shape & 2 ? "\n-- migrate:downgrade\n" : "\n-- migrate:downgrade postgresql\n", down,
			 shape & 4 ? "\n-- migrate:upgrade postgresql\nSELECT 'pg';\n" : "");
}

static int
emit_both(mg_ctx *ctx, const fz_catalog *c, const mg_plan *plan, int dialect, const char *vt)
{
	const mg_script **scripts;
	mg_emitter *e;
	char *whole, *streamed;
	int rc;

	if ((rc = mg_emit_sql(&whole, ctx, c->map, plan, dialect, vt)) != MG_OK)
		return rc;
	FZ_CHECK(mg_emit_step_scripts(&scripts, ctx, c->map, plan) == MG_OK);
	FZ_CHECK(mg_emit_begin(&e, ctx, scripts, plan, dialect, vt) == MG_OK);
	for (size_t i = 0; i < plan->n; i++)
	{
		mg_body_span span;
		const char *text;

		if (scripts[i] == NULL)
			continue;
		text = mg_script_text(scripts[i]);
		FZ_CHECK(mg_script_find_body(&span, ctx, text, strlen(text), scripts[i],
									 plan->steps[i].upgrade, dialect) == MG_OK);
		if ((rc = mg_emit_step(e, i, &span)) != MG_OK)
			return rc;
	}
	FZ_CHECK(mg_emit_finish(e, &streamed) == MG_OK);
	FZ_CHECK(strcmp(whole, streamed) == 0);
	if (dialect == MG_DIALECT_POSTGRESQL && plan->n > 0)
	{
		size_t len = strlen(whole);

		FZ_CHECK(strncmp(whole, "BEGIN;", 6) == 0);
		FZ_CHECK(len >= 9 && strcmp(whole + len - 9, "COMMIT;\n\n") == 0);
	}
	for (size_t i = 0; i < plan->n; i++)
		for (size_t k = 0; k < plan->steps[i].nops; k++)
		{
			const char *sql = mg_emit_vop(ctx, &plan->steps[i].ops[k], vt);
			size_t quotes = 0;

			FZ_CHECK(sql != NULL);
			for (const char *p = sql; *p; p++)
				quotes += *p == '"';
			FZ_CHECK(quotes % 2 == 0);
		}
	return MG_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mg_ctx *ctx = fz_ctx();
	fz_in in = {data, size};
	char vtbuf[40];
	const char *vt = fz_text(&in, vtbuf, 32);
	fz_catalog c;

	if (vt[0] == '\0')
		vt = "alembic_version";
	if (fz_catalog_build(&c, ctx, &in, bodies) == 0)
	{
		mg_plan up, down;
		int rc = mg_plan_upgrade(&up, ctx, c.map, NULL, 0, "heads");

		if (rc == MG_OK)
			rc = mg_plan_downgrade(&down, ctx, c.map, up.end, up.nend, "base");
		for (int d = MG_DIALECT_SQLITE; rc == MG_OK && d <= MG_DIALECT_POSTGRESQL; d++)
			if ((rc = emit_both(ctx, &c, &up, d, vt)) == MG_OK)
				rc = emit_both(ctx, &c, &down, d, vt);
		FZ_CHECK(rc == MG_OK || rc == MG_EINPUT);
		if (rc != MG_OK)
			FZ_CHECK(mg_ctx_error(ctx)->message[0] != '\0');
	}
	mg_ctx_free(ctx);
	return 0;
}
