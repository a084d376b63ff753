/*
 * fuzz_graph.c -- libFuzzer target for the revision graph (core/revmap.c),
 * identifier resolution (core/resolve.c), planning (core/plan.c) and the
 * reports built on them (core/report.c), over random catalogs.
 *
 * Input: a catalog (catalog.h: cycles through Revises and Depends On,
 * self-loops, unknown and duplicate ids and labels arise), then a list
 * of operations, each an identifier as a user types one (ids, partial
 * ids, head, heads, base, label@..., relative +N/-N, tags, raw bytes)
 * and version rows.  A catalog with a cycle must be refused by
 * mg_revmap_build; everything else must return an answer or an error.
 *
 * Checked beyond "no crash": every error has a message; a plan names
 * only revisions of the map; an upgrade to "heads" leaves nothing to do
 * when planned again from where it ends; a downgrade to "base" ends
 * with no version rows; history lists each revision at most once.
 */
#include "catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_plan(const fz_catalog *c, const mg_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		FZ_CHECK(p->steps[i].rev >= -1 && p->steps[i].rev < (int) c->n);
	for (size_t i = 0; i < p->nend; i++)
		FZ_CHECK(mg_revmap_find(c->map, p->end[i]) >= 0);
}

/* One operation; returns the engine's code (errors are cleared by the caller). */
static int
op(mg_ctx *ctx, const fz_catalog *c, fz_in *in)
{
	unsigned kind = fz_byte(in);
	char a[64], b[64];
	const char *rows[FZ_MAXREV + 1];
	size_t nrows;
	mg_target t;
	mg_plan p, again;
	int one, rc;

	switch (kind % 10)
	{
		case 0:
			rc = mg_resolve(&t, ctx, c->map, fz_ident(in, c, a, sizeof(a)));
			if (rc == MG_OK)
				for (size_t i = 0; i < t.n; i++)
					FZ_CHECK(t.revs[i] >= 0 && t.revs[i] < (int) c->n);
			return rc;
		case 1:
			rc = mg_resolve_one(&one, ctx, c->map, fz_ident(in, c, a, sizeof(a)));
			if (rc == MG_OK)
				FZ_CHECK(one >= -1 && one < (int) c->n);
			return rc;
		case 2:
			nrows = fz_rows(in, c, rows);
			rc = mg_plan_upgrade(&p, ctx, c->map, rows, nrows, fz_ident(in, c, a, sizeof(a)));
			if (rc == MG_OK)
				check_plan(c, &p);
			return rc;
		case 3:
			nrows = fz_rows(in, c, rows);
			rc = mg_plan_downgrade(&p, ctx, c->map, rows, nrows, fz_ident(in, c, a, sizeof(a)));
			if (rc == MG_OK)
				check_plan(c, &p);
			return rc;
		case 4:
			nrows = fz_rows(in, c, rows);
			rc = mg_plan_stamp(&p, ctx, c->map, rows, nrows, fz_ident(in, c, a, sizeof(a)));
			if (rc == MG_OK)
				check_plan(c, &p);
			return rc;
		case 5:
			/* upgrade to heads, then again from where it ended: nothing left */
			nrows = fz_rows(in, c, rows);
			if ((rc = mg_plan_upgrade(&p, ctx, c->map, rows, nrows, "heads")) != MG_OK)
				return rc;
			check_plan(c, &p);
			rc = mg_plan_upgrade(&again, ctx, c->map, p.end, p.nend, "heads");
			FZ_CHECK(rc == MG_OK && again.n == 0);
			/* and all the way down */
			rc = mg_plan_downgrade(&again, ctx, c->map, p.end, p.nend, "base");
			if (rc == MG_OK)
			{
				check_plan(c, &again);
				FZ_CHECK(again.nend == 0);
			}
			return rc;
		case 6:
		{
			int *revs;
			size_t n;
			uint8_t seen[FZ_MAXREV] = {0};

			rc = mg_report_history(&revs, &n, ctx, c->map,
								   kind & 0x10 ? fz_ident(in, c, a, sizeof(a)) : NULL,
								   kind & 0x20 ? fz_ident(in, c, b, sizeof(b)) : NULL);
			if (rc != MG_OK)
				return rc;
			for (size_t i = 0; i < n; i++)
			{
				FZ_CHECK(revs[i] >= 0 && revs[i] < (int) c->n && !seen[revs[i]]);
				seen[revs[i]] = 1;
				FZ_CHECK(mg_report_history_line(ctx, c->map, revs[i], i & 1) != NULL);
			}
			return MG_OK;
		}
		case 7:
			rc = mg_resolve_history_target(&t, ctx, c->map, fz_ident(in, c, a, sizeof(a)),
										   fz_ident(in, c, b, sizeof(b)));
			return rc;
		case 8:
		{
			int cur[FZ_MAXREV + 1], *all;
			size_t ncur = 0, nall;

			nrows = fz_rows(in, c, rows);
			for (size_t i = 0; i < nrows; i++)
				if (mg_revmap_find(c->map, rows[i]) >= 0)
					cur[ncur++] = mg_revmap_find(c->map, rows[i]);
			if ((rc = mg_report_all_current(&all, &nall, ctx, c->map, cur, ncur)) != MG_OK)
				return rc;
			for (size_t i = 0; i < c->n; i++)
			{
				mg_history_row row;

				FZ_CHECK(mg_report_show(ctx, c->map, (int) i, i & 1) != NULL);
				FZ_CHECK(mg_report_heads_line(ctx, c->map, (int) i) != NULL);
				FZ_CHECK(mg_report_tree_line(ctx, c->map, (int) i) != NULL);
				FZ_CHECK(mg_report_current_line(ctx, c->map, (int) i) != NULL);
				FZ_CHECK(mg_report_row(&row, ctx, c->map, (int) i, false) == MG_OK);
			}
			return MG_OK;
		}
		default:
		{
			int targets[FZ_MAXREV];
			size_t n = 0;

			for (size_t i = 0; i < c->n; i++)
				if (fz_byte(in) & 1)
					targets[n++] = (int) i;
			return mg_resolve_filter_lineage(targets, &n, ctx, c->map,
											 fz_ident(in, c, a, sizeof(a)), kind & 0x10);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mg_ctx *ctx = fz_ctx();
	fz_in in = {data, size};
	fz_catalog c;

	if (fz_catalog_build(&c, ctx, &in, NULL) == 0)
		for (int k = 0; k < 16 && fz_more(&in); k++)
		{
			int rc = op(ctx, &c, &in);

			FZ_CHECK(rc == MG_OK || rc == MG_EINPUT);
			if (rc != MG_OK)
				FZ_CHECK(mg_ctx_error(ctx)->message[0] != '\0');
			mg_error_clear(ctx);
		}
	mg_ctx_free(ctx);
	return 0;
}
