/*
 * wait.c -- migrate_wait: a start-up barrier for application workers.
 *
 * N workers start at once; one runs migrate_upgrade(), every one runs
 * migrate_wait(), which returns as soon as the database is at the target
 * (default: the heads of the branches it holds).  Each look is a read
 * session (nothing is created or written): the kept heads answer the
 * common case; otherwise the graph is built and the target is reached
 * when an upgrade to it would have nothing to do.  Between looks the host
 * waits (mg_host.wait): on the migration lock while a run holds it, so
 * the next look comes as soon as the run commits; otherwise a pause that
 * doubles from 50 ms to 1 s.  Never a busy loop.
 *
 * A look that fails because the database is busy (SQLite's write lock)
 * or because the target is not in the catalog yet (the worker that
 * migrates may not have loaded it) is a "not yet"; any other error ends
 * the wait at once.  Each look runs in a context of its own, so a long
 * wait does not grow the call's arena.
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>
#include <time.h>

#include "internal.h"

#define FIRST_PAUSE_MS 50L
#define MAX_PAUSE_MS 1000L

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long) ts.tv_sec * 1000L + (long) (ts.tv_nsec / 1000000L);
}

static bool
is_heads(const char *target)
{
	return target == NULL || strcmp(target, "heads") == 0;
}

/*
 * Would an upgrade to target do nothing?  *first gets the first pending
 * step's text when not.  Held branches as run_command plans them.
 */
static int
pending_steps(bool *pending, char **first, mg_session *s, const char *target)
{
	mg_ctx *ctx = s->st.ctx;
	size_t n = is_heads(target) && s->nheld > 0 ? s->nheld : 1;
	int rc = MG_OK;

	*pending = false;
	*first = NULL;
	if (is_heads(target) && s->nheld > 0 && (rc = mg_session_check_held(s)) != MG_OK)
		return rc;
	for (size_t i = 0; i < n && !*pending; i++)
	{
		const char *t = target;
		mg_plan plan;

		if (is_heads(target) && s->nheld > 0 &&
			(t = mg_printf(ctx, "%s@heads", s->held[i])) == NULL)
			return MG_ENOMEM;
		if ((rc = mg_plan_upgrade(&plan, ctx, s->map, s->rows, s->nrows, t)) != MG_OK)
			return rc;
		if (plan.n > 0)
		{
			*pending = true;
			*first = mg_report_step(ctx, s->map, &plan.steps[0], true);
			if (*first == NULL)
				return MG_ENOMEM;
		}
	}
	return MG_OK;
}

/*
 * One look, in ctx (a context of its own).  *at when the database is at
 * the target, with *report "the database is at ..."; else *why says
 * where it is and what is missing.
 */
static int
look(bool *at, char **report, char **why, mg_ctx *ctx, const mg_host *host, const char *target)
{
	mg_session s;
	bool pending = true;
	char *first = NULL, *rows;
	int rc;

	*at = false;
	*report = *why = NULL;
	rc = mg_session_open_state(&s, ctx, host, false);
	if (rc == MG_OK && is_heads(target))
	{
		if ((rc = mg_session_at_kept_heads(at, report, &s)) == MG_OK && *at)
			return mg_session_close(&s, MG_OK);
	}
	if (rc == MG_OK)
		rc = mg_session_load_graph(&s);
	if (rc == MG_OK && mg_revmap_count(s.map) == 0)
	{
		*why = mg_strdup(ctx, "The catalog is empty: no revision has been loaded (migrate_load or migrate_add) yet.");
		return mg_session_close(&s, *why != NULL ? MG_OK : MG_ENOMEM);
	}
	if (rc == MG_OK)
		rc = mg_session_release_target(&target, &s, target);
	if (rc == MG_OK)
		rc = pending_steps(&pending, &first, &s, target);
	if (rc == MG_OK && (rows = mg_session_rows_text(&s)) == NULL)
		rc = MG_ENOMEM;
	if (rc == MG_OK && !pending)
	{
		*at = true;
		if ((*report = mg_printf(ctx, "the database is at %s", rows)) == NULL)
			rc = MG_ENOMEM;
	}
	else if (rc == MG_OK &&
			 (*why = mg_printf(ctx, "The database is at %s; the next step to run is: %s.", rows, first)) == NULL)
		rc = MG_ENOMEM;
	return mg_session_close(&s, rc);
}

/* Errors that mean "not yet": a busy database, a target not catalogued yet. */
static bool
not_yet(const mg_error *e, int rc)
{
	return rc == MG_EHOST ? strcmp(e->sqlstate, MG_STATE_LOCKED) == 0
		: rc == MG_EINPUT && strcmp(e->sqlstate, MG_STATE_UNDEFINED) == 0;
}

/* A look in a context of its own; results copied into ctx. */
static int
look_once(bool *at, char **report, char **why, mg_ctx *ctx, const mg_host *host,
		  const char *target)
{
	mg_ctx *sub;
	char *r = NULL, *w = NULL;
	int rc;

	*report = *why = NULL;
	if ((rc = mg_ctx_new_child(&sub, ctx)) != MG_OK)
		return rc;
	rc = look(at, &r, &w, sub, host, target);
	if (rc != MG_OK && not_yet(mg_ctx_error(sub), rc))
	{
		const mg_error *e = mg_ctx_error(sub);

		w = mg_printf(sub, "%s%s%s%s", e->message, e->message[0] ? "." : "",
					  e->detail[0] ? " " : "", e->detail);
		rc = w != NULL ? MG_OK : MG_ENOMEM;
	}
	if (rc != MG_OK)
		*mg_ctx_error_mut(ctx) = *mg_ctx_error(sub);
	else if ((r != NULL && (*report = mg_strdup(ctx, r)) == NULL) ||
			 (w != NULL && (*why = mg_strdup(ctx, w)) == NULL))
		rc = MG_ENOMEM;
	mg_ctx_free(sub);
	return rc;
}

int
mg_cmd_wait(char **report, mg_ctx *ctx, const mg_host *host, const char *target,
			long timeout_ms)
{
	long start = now_ms(), pause = FIRST_PAUSE_MS, left;
	int running = 0;
	char *why = NULL;
	int rc;

	*report = NULL;
	if (timeout_ms < 0)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "timeout must not be negative");
		mg_error_hint(ctx, "Give the longest wait in seconds (0: look once).");
		return MG_EINPUT;
	}
	if (target != NULL && strchr(target, ':') != NULL)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "Range revision not allowed");
		mg_error_detail(ctx, "\"%s\" is a range; migrate_wait takes one target.", target);
		return MG_EINPUT;
	}
	for (;;)
	{
		bool at;

		if ((rc = look_once(&at, report, &why, ctx, host, target)) != MG_OK)
			return rc;
		if (at)
			return MG_OK;
		left = timeout_ms - (now_ms() - start);
		if (left <= 0)
			break;
		if (pause > left)
			pause = left;
		running = 0;
		if (MG_HOST_HAS(host, wait))
		{
			if ((rc = host->wait(host->ud, ctx, pause, &running)) != MG_OK)
				return rc;
		}
		else if (MG_HOST_HAS(host, sleep))
			host->sleep(host->ud, pause);
		else
			return mg_error_set(ctx, MG_EINPUT, MG_STATE_INTERNAL,
								"this host cannot wait: it has neither a wait nor a sleep callback");
		/* after a run ended, look at once and keep the pause; else back off */
		if (!running)
			pause = pause * 2 > MAX_PAUSE_MS ? MAX_PAUSE_MS : pause * 2;
	}
	mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
				 "timed out after %ld.%03ld s waiting for the database to reach %s",
				 timeout_ms / 1000, timeout_ms % 1000, target != NULL ? target : "heads");
	mg_error_detail(ctx, "%s", why != NULL ? why : "");
	if (running)
		mg_error_detail(ctx, "A migration is running: it held the migration lock when the wait ended.");
	else if (MG_HOST_HAS(host, wait))
		mg_error_detail(ctx, "No migration is running.");
	mg_error_hint(ctx, "One worker runs SELECT migrate_upgrade(), the others wait with SELECT migrate_wait(); wait longer with migrate_wait(target, seconds). Nothing was changed.");
	return MG_EINPUT;
}
