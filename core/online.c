/*
 * online.c -- steps marked "Transactional: false", run by a host that can
 * run a body outside any transaction (mg_host.run_online: PostgreSQL's
 * CALL migrate_upgrade_steps, through a loopback connection).
 *
 * Such a step cannot be part of a unit, so it is run between two: the
 * unit that planned it is committed (it changed nothing but, on a first
 * run, created the version table), the body runs, and a second unit
 * records the step (Alembic's version-table statements and the log row)
 * once the version rows are found as they were.  The host keeps other
 * runs out from the first unit's commit to the second's lock.  A step
 * that fails is not recorded; its statements that ran before the failing
 * one stay, as they would under psql: a non-transactional step cannot be
 * undone, so such steps are written to be run again (IF NOT EXISTS).
 */
#include <string.h>

#include "internal.h"

bool
mg_online_wanted(const mg_session *s, const mg_plan *plan)
{
	if (!MG_HOST_HAS(s->st.host, run_online) || plan->n != 1 || plan->steps[0].rev < 0)
		return false;
	return !mg_revmap_rev(s->map, plan->steps[0].rev)->script->transactional;
}

/* Do the two lists hold the same rows (in any order)? */
static bool
same_rows(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
	{
		bool found = false;

		for (size_t k = 0; k < nb && !found; k++)
			found = strcmp(a[i], b[k]) == 0;
		if (!found)
			return false;
	}
	return true;
}

int
mg_online_run_step(char **report, mg_session *s, const mg_plan *plan)
{
	mg_ctx *ctx = s->st.ctx;
	const mg_host *host = s->st.host;
	const mg_step *step = &plan->steps[0];
	const mg_script *sc = mg_revmap_rev(s->map, step->rev)->script;
	const char *body = mg_script_body(sc, step->upgrade, s->st.dialect);
	const char *const *before = s->rows;
	size_t nbefore = s->nrows;
	int failed = 0;
	int rc;

	*report = NULL;
	s->in_unit = false;
	if ((rc = host->commit(host->ud, ctx)) != MG_OK)
		return rc;
	if (body != NULL && (rc = host->run_online(host->ud, ctx, body, &failed)) != MG_OK)
	{
		if (rc != MG_ENOMEM)
			mg_run_blame(ctx, sc, step, failed);
		return rc;
	}
	if ((rc = host->begin(host->ud, ctx)) != MG_OK)
		return rc;
	s->in_unit = true;
	if ((rc = mg_limits_apply(&s->st)) != MG_OK ||
		(rc = mg_state_versions(&s->rows, &s->nrows, &s->vt_exists, &s->st)) != MG_OK)
		return rc;
	if (!same_rows(before, nbefore, s->rows, s->nrows))
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
					 "the version table changed while the step of revision %s ran outside a transaction",
					 sc->id);
		mg_error_detail(ctx, "Another session changed the version rows between the step's start and its end; the step's statements ran, but the step was not recorded.");
		mg_error_hint(ctx, "Look at migrate_current(), then record the step with migrate_stamp('%s') if its changes are there, or run the CALL again.",
					  sc->id);
		return MG_EINPUT;
	}
	return mg_run_plan(report, &s->st, s->map, plan, false);
}
