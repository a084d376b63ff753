/*
 * command.c -- the SQL API's verbs: one mg_cmd_* per SQL function.
 *
 * Each command opens the state, reads what it needs, decides everything
 * (plan, checks) before it changes anything, and runs its changes inside
 * the host's atomic unit, so a failure leaves the database as it was.
 * Commands that change the database take the write lock (host->begin)
 * before they read the version table: two runs never plan from the same
 * state.
 *
 * The branches setting (the branch labels a database holds; empty: all)
 * narrows what "heads" means for the commands that act on the database
 * as a whole: migrate_upgrade() and migrate_upgrade('heads') run one
 * "<label>@heads" upgrade per held branch, in the setting's order (as
 * Galaxy runs gxy@head, then tsi@head); migrate_current and migrate_check
 * report on the held branches only.  Explicit targets are never narrowed.
 * Targets that look like releases go through mg_session_release_target
 * (the base_release setting, unknown releases).  The session (mg_session,
 * internal.h) is shared with verify.c and author.c.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/*
 * Open a session without its graph: state, version rows and the branches
 * setting.  With write, the unit is opened (lock taken) before anything
 * is read.
 */
int
mg_session_open_state(mg_session *s, mg_ctx *ctx, const mg_host *host, bool write)
{
	char *branches;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = mg_state_open(&s->st, ctx, host)) != MG_OK)
		return rc;
	if (write)
	{
		if ((rc = host->begin(host->ud, ctx)) != MG_OK)
			return rc;
		s->in_unit = true;
		if ((rc = mg_state_create(&s->st)) != MG_OK ||
			(rc = mg_state_check_triggers(&s->st)) != MG_OK ||
			(rc = mg_limits_apply(&s->st)) != MG_OK)
			return rc;
	}
	if ((rc = mg_state_get_setting(&branches, &s->st, "branches")) != MG_OK ||
		(rc = mg_split_list(ctx, branches, &s->held, &s->nheld)) != MG_OK)
		return rc;
	return mg_state_versions(&s->rows, &s->nrows, &s->vt_exists, &s->st);
}

int
mg_session_read_heads(mg_session *s)
{
	int rc;

	if (s->heads_read)
		return MG_OK;
	rc = mg_headcache_read(&s->heads, &s->nheads, &s->declared, &s->ndeclared, &s->st);
	s->heads_read = rc == MG_OK;
	return rc;
}

/*
 * The graph, from the catalog.  A write session that finds the heads
 * table empty (the catalog was changed by hand, or restored) fills it
 * while it is here.
 */
int
mg_session_load_graph(mg_session *s)
{
	int rc;

	if (s->map != NULL)
		return MG_OK;
	if ((rc = mg_state_load_map(&s->map, &s->st)) != MG_OK)
		return rc;
	if (s->in_unit && mg_revmap_count(s->map) > 0)
	{
		if ((rc = mg_session_read_heads(s)) != MG_OK)
			return rc;
		if (s->nheads == 0)
			return mg_headcache_write(&s->st, s->map);
	}
	return MG_OK;
}

/* Open a session: state, graph, version rows and the branches setting. */
int
mg_session_open(mg_session *s, mg_ctx *ctx, const mg_host *host, bool write)
{
	int rc = mg_session_open_state(s, ctx, host, write);

	if (rc != MG_OK)
		return rc;
	return mg_session_load_graph(s);
}

/* The kept head of revision id, or NULL. */
static const mg_cached_head *
kept_head(const mg_session *s, const char *id)
{
	for (size_t i = 0; i < s->nheads; i++)
		if (strcmp(s->heads[i].row.revision, id) == 0)
			return &s->heads[i];
	return NULL;
}

/* Does a revision of the catalog declare label (as the kept heads' check read it)? */
static bool
declared(const mg_session *s, const char *label)
{
	for (size_t i = 0; i < s->ndeclared; i++)
		if (strcmp(s->declared[i], label) == 0)
			return true;
	return false;
}

/*
 * Are the version rows exactly the kept heads (all of them with all,
 * else those on the held branches)?  False also when the kept heads
 * cannot tell: unknown, or a held label no revision declares (the
 * graph's path then gives the error).  Which heads a held branch has
 * depends on inherited labels, which only the graph proves; so with held
 * branches the answer is yes only when the rows are every head (then
 * every branch is at its heads, whatever it carries).
 */
static int
at_kept_heads(bool *yes, mg_session *s, bool all)
{
	int rc;

	*yes = false;
	if (!s->vt_exists || s->nrows == 0)
		return MG_OK;
	if ((rc = mg_session_read_heads(s)) != MG_OK || s->nheads == 0)
		return rc;
	if (!all)
		for (size_t i = 0; i < s->nheld; i++)
			if (!declared(s, s->held[i]))
				return MG_OK;
	if (s->nheads != s->nrows)
		return MG_OK;
	/* distinct rows: as many rows as heads, each a head, none twice */
	for (size_t i = 0; i < s->nrows; i++)
	{
		if ((rc = mg_interrupt_check(s->st.ctx)) != MG_OK)
			return rc;
		if (kept_head(s, s->rows[i]) == NULL)
			return MG_OK;
		for (size_t k = i + 1; k < s->nrows; k++)
			if (strcmp(s->rows[i], s->rows[k]) == 0)
				return MG_OK;
	}
	*yes = true;
	return MG_OK;
}

/* The kept heads in catalog order (indices into s->heads). */
static int
heads_by_seq(size_t **order, const mg_session *s)
{
	*order = mg_alloc(s->st.ctx, (s->nheads + 1) * sizeof(size_t));
	if (*order == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < s->nheads; i++)
	{
		size_t k = i;

		/* insertion sort: a catalog has few heads */
		while (k > 0 && s->heads[(*order)[k - 1]].seq > s->heads[i].seq)
		{
			(*order)[k] = (*order)[k - 1];
			k--;
		}
		(*order)[k] = i;
	}
	return MG_OK;
}

/* Finish a session: commit on success, roll back (keeping the error) on failure. */
int
mg_session_close(mg_session *s, int rc)
{
	const mg_host *host = s->st.host;

	if (!s->in_unit)
		return rc;
	s->in_unit = false;
	/* a run that ran steps leaves the schema's fingerprint (drift.c) */
	if (rc == MG_OK && s->ran)
		rc = mg_drift_record(s);
	if (rc == MG_OK)
	{
		rc = host->commit(host->ud, s->st.ctx);
		if (rc == MG_OK)
			return MG_OK;
	}
	host->rollback(host->ud, s->st.ctx);
	return rc;
}

/* The label index of a branch label; -1 when no revision carries it. */
int
mg_label_index(const mg_revmap *map, const char *name)
{
	for (size_t i = 0; i < mg_revmap_label_count(map); i++)
		if (strcmp(mg_revmap_label_name(map, (int) i), name) == 0)
			return (int) i;
	return -1;
}

/* Is rev on a held branch?  Always true when the branches setting is empty. */
bool
mg_session_holds(const mg_session *s, int rev)
{
	const mg_rev *r = mg_revmap_rev(s->map, rev);

	if (s->nheld == 0)
		return true;
	for (size_t i = 0; i < s->nheld; i++)
	{
		int li = mg_label_index(s->map, s->held[i]);

		if (li >= 0 && mg_rev_has_label(r, li))
			return true;
	}
	return false;
}

/* The first held label the catalog lacks, or NULL. */
const char *
mg_session_unknown_held(const mg_session *s)
{
	for (size_t i = 0; i < s->nheld; i++)
		if (mg_label_index(s->map, s->held[i]) < 0)
			return s->held[i];
	return NULL;
}

/* The catalog's branch labels, comma-separated, for messages. */
static char *
label_list(mg_ctx *ctx, const mg_revmap *map)
{
	mg_buf b;
	char *out;

	mg_buf_init(&b, ctx);
	for (size_t i = 0; i < mg_revmap_label_count(map); i++)
		mg_buf_printf(&b, "%s%s", i ? ", " : "", mg_revmap_label_name(map, (int) i));
	return mg_buf_finish(&b, &out) == MG_OK ? out : NULL;
}

/* MG_EINPUT (MG_STATE_UNDEFINED) for a held label the catalog lacks, naming the known ones; else MG_OK. */
int
mg_session_check_held(mg_session *s)
{
	const char *bad = mg_session_unknown_held(s);
	mg_ctx *ctx = s->st.ctx;
	char *known;

	if (bad == NULL)
		return MG_OK;
	if ((known = label_list(ctx, s->map)) == NULL)
		return MG_ENOMEM;
	mg_error_set(ctx, MG_EINPUT, MG_STATE_UNDEFINED,
				 "setting \"branches\" names branch '%s', which no revision of the catalog carries", bad);
	if (known[0])
		mg_error_detail(ctx, "The catalog's branch labels are: %s.", known);
	else
		mg_error_detail(ctx, "The catalog has no branch labels%s.",
						mg_revmap_count(s->map) == 0 ? " (it is empty)" : "");
	mg_error_hint(ctx, "Load the scripts of that branch (migrate_load), or fix the setting with SELECT migrate_config('branches', '<label>,...').");
	return MG_EINPUT;
}

/* The held branches' heads (all heads when the setting is empty), catalog order. */
int
mg_session_held_heads(int **out, size_t *n, const mg_session *s)
{
	const int *h;
	size_t nh;

	mg_revmap_heads(s->map, &h, &nh);
	*n = 0;
	*out = mg_alloc(s->st.ctx, (nh + 1) * sizeof(int));
	if (*out == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < nh; i++)
		if (mg_session_holds(s, h[i]))
			(*out)[(*n)++] = h[i];
	return MG_OK;
}

/* "release_22.05" and "22.05" name the same release. */
static const char *
release_short(const char *name)
{
	return strncmp(name, "release_", 8) == 0 && name[8] ? name + 8 : name;
}

/* Digits and dots with at least one dot ("22.05"), or "release_" and more. */
static bool
looks_like_release(const char *id)
{
	const char *p = id;
	bool dot = false;

	if (strncmp(id, "release_", 8) == 0 && id[8])
		return true;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p; p++)
	{
		if (*p == '.')
		{
			if (p[1] < '0' || p[1] > '9')
				return false;
			dot = true;
		}
		else if (*p < '0' || *p > '9')
			return false;
	}
	return dot;
}

/*
 * Release identifiers (see internal.h): base_release means base; an
 * unknown release is MG_EINPUT (MG_STATE_UNDEFINED) listing the known ones.
 */
int
mg_session_release_target(const char **out, mg_session *s, const char *target)
{
	mg_ctx *ctx = s->st.ctx;
	const char *at, *id, *const *names;
	const int *revs;
	char *base;
	size_t ntags;
	mg_buf b;
	char *known;
	int rc;

	*out = target;
	if (target == NULL)
		return MG_OK;
	at = strchr(target, '@');
	id = at ? at + 1 : target;
	if ((rc = mg_state_get_setting(&base, &s->st, "base_release")) != MG_OK)
		return rc;
	if (*base && *id && strcmp(release_short(id), release_short(base)) == 0 &&
		mg_revmap_find(s->map, id) < 0 && mg_revmap_find_label(s->map, id) < 0 &&
		mg_revmap_find_tag(s->map, id) < 0)
	{
		/* the release before the first revision: base (Galaxy's 22.01) */
		*out = at ? mg_printf(ctx, "%.*s@base", (int) (at - target), target) : "base";
		return *out != NULL ? MG_OK : MG_ENOMEM;
	}
	if (!looks_like_release(id) || mg_revmap_find(s->map, id) >= 0 ||
		mg_revmap_find_label(s->map, id) >= 0 || mg_revmap_find_tag(s->map, id) >= 0 ||
		mg_revmap_prefix(s->map, id, NULL, 0) > 0)
		return MG_OK;
	mg_revmap_tags(s->map, &names, &revs, &ntags);
	mg_buf_init(&b, ctx);
	if (*base)
		mg_buf_printf(&b, "%s (base)", release_short(base));
	for (size_t i = 0; i < ntags; i++)
		if (strncmp(names[i], "release_", 8) != 0)
			mg_buf_printf(&b, "%s%s (%s)", b.len ? ", " : "", names[i],
						  mg_revmap_rev(s->map, revs[i])->id);
	if (mg_buf_finish(&b, &known) != MG_OK)
		return MG_ENOMEM;
	mg_error_set(ctx, MG_EINPUT, MG_STATE_UNDEFINED, "Can't locate revision identified by '%s'", id);
	if (known[0])
	{
		mg_error_detail(ctx, "No release '%s': the known releases are %s.", release_short(id), known);
		mg_error_hint(ctx, "Use one of them; a revision's header names the releases it shipped in (Tags: release_X), and the base_release setting names the release before the first revision.");
	}
	else
	{
		mg_error_detail(ctx, "No release '%s': the catalog has no release tags.", release_short(id));
		mg_error_hint(ctx, "Tag the revision a release shipped with in its header (Tags: release_X), or give a revision id.");
	}
	return MG_EINPUT;
}

/*
 * Give the plan's revisions the bodies of the directions their steps
 * run: a long plan from one catalog query that keeps only those
 * sections, a short one as full scripts.
 */
int
mg_session_load_bodies(mg_session *s, const mg_plan *plan)
{
	if (plan->n > 16)
	{
		uint8_t *want = mg_alloc(s->st.ctx, mg_revmap_count(s->map) + 1);

		if (want == NULL)
			return MG_ENOMEM;
		for (size_t i = 0; i < plan->n; i++)
			if (plan->steps[i].rev >= 0)
				want[plan->steps[i].rev] |= plan->steps[i].upgrade ? MG_BODY_UP : MG_BODY_DOWN;
		return mg_state_load_scripts(&s->st, s->map, want);
	}
	for (size_t i = 0; i < plan->n; i++)
	{
		const mg_script *full;
		int rc, r = plan->steps[i].rev;

		if (r < 0)
			continue;
		if (mg_script_has_body(mg_revmap_rev(s->map, r)->script, plan->steps[i].upgrade))
			continue;
		if ((rc = mg_state_load_script(&full, &s->st, mg_revmap_rev(s->map, r)->id)) != MG_OK)
			return rc;
		mg_revmap_set_script(s->map, r, full);
	}
	return MG_OK;
}

static int
no_range(mg_ctx *ctx, const char *target, const char *sqlfn)
{
	if (target != NULL && strchr(target, ':') != NULL)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "Range revision not allowed");
		mg_error_detail(ctx, "\"%s\" is a range; online runs take one target.", target);
		mg_error_hint(ctx, "Use %s('%s') for the SQL of a range.", sqlfn, target);
		return MG_EINPUT;
	}
	return MG_OK;
}

/*
 * The version rows for a message, in catalog order (table order differs
 * between SQLite and PostgreSQL; the words must not).
 */
static char *
rows_text(mg_ctx *ctx, const mg_revmap *map, const char *const *rows, size_t n)
{
	mg_buf b;
	char *s;
	bool first = true;

	mg_buf_init(&b, ctx);
	if (n == 0)
		mg_buf_puts(&b, "base");
	for (size_t k = 0; k < mg_revmap_count(map); k++)
		for (size_t i = 0; i < n; i++)
			if (strcmp(rows[i], mg_revmap_rev(map, (int) k)->id) == 0)
			{
				mg_buf_printf(&b, "%s%s", first ? "" : ", ", rows[i]);
				first = false;
			}
	for (size_t i = 0; i < n; i++)
		if (mg_revmap_find(map, rows[i]) < 0)
		{
			mg_buf_printf(&b, "%s%s", first ? "" : ", ", rows[i]);
			first = false;
		}
	return mg_buf_finish(&b, &s) == MG_OK ? s : NULL;
}

/* stamp --purge: empty the version table first. */
static int
clear_versions(mg_state *st)
{
	return mg_state_host_query(st, mg_printf(st->ctx, "DELETE FROM %s", st->version_table),
							   0, NULL, NULL, NULL, NULL);
}

/*
 * Plan and run one target inside the open unit (see internal.h); the
 * version rows are read again afterwards.  Errors: the planner's, the
 * runner's, MG_EHOST, MG_ENOMEM.
 */
int
mg_session_run(char **report, size_t *nsteps, bool *more, mg_session *s, mg_run_kind kind,
			   const char *target, bool purge, size_t max_steps)
{
	mg_ctx *ctx = s->st.ctx;
	const char *const *rows = purge ? NULL : s->rows;
	size_t nrows = purge ? 0 : s->nrows;
	mg_plan plan;
	int rc;

	*report = NULL;
	*nsteps = 0;
	if (more != NULL)
		*more = false;
	if (kind == MG_RUN_UPGRADE)
		rc = mg_plan_upgrade(&plan, ctx, s->map, rows, nrows, target);
	else if (kind == MG_RUN_DOWNGRADE)
		rc = mg_plan_downgrade(&plan, ctx, s->map, rows, nrows, target);
	else
		rc = mg_plan_stamp(&plan, ctx, s->map, rows, nrows, target);
	if (rc != MG_OK)
		return rc;
	if (max_steps > 0 && plan.n > max_steps)
	{
		if (more != NULL)
			*more = true;
		plan.n = max_steps;
	}
	return mg_session_run_plan(report, nsteps, s, kind, &plan, purge);
}

int
mg_session_run_plan(char **report, size_t *nsteps, mg_session *s, mg_run_kind kind,
					mg_plan *planp, bool purge)
{
	mg_ctx *ctx = s->st.ctx;
	mg_plan plan = *planp;
	int rc;

	*report = NULL;
	*nsteps = 0;
	if (kind != MG_RUN_STAMP &&
		((rc = mg_session_load_bodies(s, &plan)) != MG_OK ||
		 (rc = mg_run_check_online(ctx, s->map, &plan, s->st.dialect,
								   MG_HOST_HAS(s->st.host, run_online))) != MG_OK))
		return rc;
	/*
	 * the run writes the version table, and decided what to run from it:
	 * it must be one the running role may trust, even when nothing runs
	 * (a table of another role's, early in search_path, would otherwise
	 * make a deploy report "nothing to do" and skip every step)
	 */
	if ((rc = mg_state_check_version_owner(&s->st)) != MG_OK)
		return rc;
	/* and it runs the catalog's SQL: only revisions of authors it trusts */
	if (kind != MG_RUN_STAMP && (rc = mg_state_check_trust(&s->st, s->map, &plan)) != MG_OK)
		return rc;
	if (purge && s->vt_exists && (rc = clear_versions(&s->st)) != MG_OK)
		return rc;
	if (!s->vt_exists && (rc = mg_state_ensure_version_table(&s->st)) != MG_OK)
		return rc;
	s->vt_exists = true;
	if (kind != MG_RUN_STAMP && mg_online_wanted(s, &plan))
		rc = mg_online_run_step(report, s, &plan);
	else
		rc = mg_run_plan(report, &s->st, s->map, &plan, kind != MG_RUN_STAMP);
	if (rc != MG_OK)
		return rc;
	*nsteps = plan.n;
	s->ran = s->ran || plan.n > 0;
	return mg_state_versions(&s->rows, &s->nrows, &s->vt_exists, &s->st);
}

/* The whole-database target: no argument or "heads". */
static bool
is_heads(const char *target)
{
	return target == NULL || strcmp(target, "heads") == 0;
}

/* "nothing to do: the database is at ..." from the kept heads, catalog order. */
static int
nothing_to_do(char **report, const mg_session *s)
{
	size_t *order;
	mg_buf b;
	bool first = true;

	if (heads_by_seq(&order, s) != MG_OK)
		return MG_ENOMEM;
	mg_buf_init(&b, s->st.ctx);
	mg_buf_puts(&b, "nothing to do: the database is at ");
	for (size_t i = 0; i < s->nheads; i++)
		for (size_t k = 0; k < s->nrows; k++)
			if (strcmp(s->rows[k], s->heads[order[i]].row.revision) == 0)
			{
				mg_buf_printf(&b, "%s%s", first ? "" : ", ", s->rows[k]);
				first = false;
			}
	return mg_buf_finish(&b, report);
}

/* The SQL function of each run kind, for argument errors. */
static const char *const run_fn[] = {"migrate_upgrade", "migrate_downgrade", "migrate_stamp"};

/* For wait.c: at_kept_heads over the held branches, and its "at" text. */
int
mg_session_at_kept_heads(bool *yes, char **at, mg_session *s)
{
	char *text;
	int rc;

	*at = NULL;
	if ((rc = at_kept_heads(yes, s, false)) != MG_OK || !*yes)
		return rc;
	if ((rc = nothing_to_do(&text, s)) != MG_OK)
		return rc;
	*at = text + strlen("nothing to do: ");
	return MG_OK;
}

/* For wait.c: the version rows in catalog order ("base" when none); needs the graph. */
char *
mg_session_rows_text(const mg_session *s)
{
	return rows_text(s->st.ctx, s->map, s->rows, s->nrows);
}

static int
run_once(char **report, mg_ctx *ctx, const mg_host *host, const char *target,
		 mg_run_kind kind, bool purge, bool *began)
{
	mg_session s;
	mg_buf out;
	size_t total = 0, rows_before = 0;
	int rc;

	*report = NULL;
	if (kind == MG_RUN_DOWNGRADE && target == NULL)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "a downgrade target is required");
		mg_error_hint(ctx, "Give one, for example migrate_downgrade('-1') or migrate_downgrade('base').");
		return MG_EINPUT;
	}
	if ((rc = mg_args_check_ident(ctx, run_fn[kind], "target", target)) != MG_OK)
		return rc;
	if ((rc = no_range(ctx, target, kind == MG_RUN_DOWNGRADE ? "migrate_downgrade_sql" : "migrate_upgrade_sql")) != MG_OK)
		return rc;
	mg_buf_init(&out, ctx);
	rc = mg_session_open_state(&s, ctx, host, true);
	*began = s.in_unit;
	/* before the version rows decide anything, even "nothing to do" (mg_session_run_plan) */
	if (rc == MG_OK)
		rc = mg_state_check_version_owner(&s.st);
	if (rc == MG_OK && kind == MG_RUN_UPGRADE && is_heads(target))
	{
		/* the start-up check of every application: answered by the kept heads */
		bool done;

		if ((rc = at_kept_heads(&done, &s, false)) == MG_OK && done)
		{
			rc = nothing_to_do(report, &s);
			return mg_session_close(&s, rc);
		}
	}
	if (rc == MG_OK)
		rc = mg_session_load_graph(&s);
	if (rc == MG_OK)
	{
		rows_before = s.nrows;
		rc = mg_session_release_target(&target, &s, target);
	}
	if (rc == MG_OK && kind == MG_RUN_UPGRADE && is_heads(target) && s.nheld > 0)
	{
		/* the held branches, one after the other (Galaxy: gxy@head, then tsi@head) */
		rc = mg_session_check_held(&s);
		for (size_t i = 0; i < s.nheld && rc == MG_OK; i++)
		{
			char *t = mg_printf(ctx, "%s@heads", s.held[i]), *lines = NULL;
			size_t n = 0;

			if (t == NULL)
				rc = MG_ENOMEM;
			else
				rc = mg_session_run(&lines, &n, NULL, &s, kind, t, false, 0);
			if (rc == MG_OK && n > 0)
				mg_buf_printf(&out, "%s%s", total ? "\n" : "", lines);
			total += n;
		}
	}
	else if (rc == MG_OK)
	{
		char *lines = NULL;

		rc = mg_session_run(&lines, &total, NULL, &s, kind, target, purge, 0);
		if (rc == MG_OK)
			mg_buf_puts(&out, lines);
	}
	if (rc == MG_OK && kind == MG_RUN_DOWNGRADE && target[0] == '-' && rows_before > 1)
	{
		/* Alembic's warning: a bare -N walks from the first version row */
		const char *w = "WARNING: downgrade -1 from multiple heads is ambiguous; this usage will be disallowed in a future release.";
		char *lines;

		if (host->notice != NULL)
			host->notice(host->ud, w);
		if ((rc = mg_buf_finish(&out, &lines)) == MG_OK)
		{
			mg_buf_init(&out, ctx);
			mg_buf_printf(&out, "%s\n%s", w, lines);
		}
	}
	if (rc == MG_OK && total == 0)
	{
		char *at = rows_text(ctx, s.map, s.rows, s.nrows);

		if (at == NULL)
			rc = MG_ENOMEM;
		else
		{
			mg_buf_init(&out, ctx);
			mg_buf_printf(&out, "nothing to do: the database is at %s", at);
		}
	}
	if (rc == MG_OK)
		rc = mg_buf_finish(&out, report);
	return mg_session_close(&s, rc);
}

/* run_once's arguments, for mg_limits_retry. */
typedef struct run_args {
	char **report;
	mg_ctx *ctx;
	const mg_host *host;
	const char *target;
	mg_run_kind kind;
	bool purge;
} run_args;

static int
run_attempt(void *arg, bool *began)
{
	run_args *a = arg;

	return run_once(a->report, a->ctx, a->host, a->target, a->kind, a->purge, began);
}

/* One run, tried again while a lock wait times out (limits.c). */
static int
run_command(char **report, mg_ctx *ctx, const mg_host *host, const char *target,
			mg_run_kind kind, bool purge)
{
	run_args a = {report, ctx, host, target, kind, purge};

	return mg_limits_retry(ctx, host, run_attempt, &a);
}

int
mg_cmd_upgrade(char **report, mg_ctx *ctx, const mg_host *host, const char *target)
{
	return run_command(report, ctx, host, target ? target : "heads", MG_RUN_UPGRADE, false);
}

/* ---- stepwise runs -------------------------------------------------- */

/*
 * The plans of an upgrade to target from the database as it is: one, or
 * with "heads" and the branches setting one per held branch, each from
 * the rows the previous one leaves.  Every step's body is loaded and
 * checked.  *plans lives in the context.
 */
static int
plan_upgrade_all(mg_plan **plans, size_t *nplans, mg_session *s, const char *target)
{
	mg_ctx *ctx = s->st.ctx;
	const char *const *start = s->rows;
	bool per_branch = is_heads(target) && s->nheld > 0;
	size_t nstart = s->nrows, n = per_branch ? s->nheld : 1;
	int rc;

	*nplans = 0;
	if ((*plans = mg_alloc(ctx, n * sizeof(mg_plan))) == NULL)
		return MG_ENOMEM;
	if (per_branch && (rc = mg_session_check_held(s)) != MG_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
	{
		mg_plan *p = &(*plans)[i];
		const char *t = target;

		if ((rc = mg_interrupt_check(ctx)) != MG_OK)
			return rc;
		if (per_branch && (t = mg_printf(ctx, "%s@heads", s->held[i])) == NULL)
			return MG_ENOMEM;
		if ((rc = mg_plan_upgrade(p, ctx, s->map, start, nstart, t)) != MG_OK ||
			(rc = mg_session_load_bodies(s, p)) != MG_OK)
			return rc;
		/* each step runs as a plan of its own (mg_cmd_upgrade_step): checked so */
		for (size_t k = 0; k < p->n; k++)
		{
			mg_plan one = *p;

			one.steps = &p->steps[k];
			one.n = 1;
			if ((rc = mg_run_check_online(ctx, s->map, &one, s->st.dialect,
										  MG_HOST_HAS(s->st.host, run_online))) != MG_OK)
				return rc;
		}
		start = p->end;
		nstart = p->nend;
		(*nplans)++;
	}
	return MG_OK;
}

int
mg_cmd_upgrade_plan(const char ***ids, size_t *n, char **report, mg_ctx *ctx,
					const mg_host *host, const char *target)
{
	mg_session s;
	mg_plan *plans;
	size_t nplans, total = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	*report = NULL;
	if (target == NULL)
		target = "heads";
	if ((rc = mg_args_check_ident(ctx, "migrate_upgrade_steps", "target", target)) != MG_OK ||
		(rc = no_range(ctx, target, "migrate_upgrade_sql")) != MG_OK ||
		(rc = mg_session_open(&s, ctx, host, false)) != MG_OK ||
		(rc = mg_session_release_target(&target, &s, target)) != MG_OK ||
		(rc = plan_upgrade_all(&plans, &nplans, &s, target)) != MG_OK)
		return rc;
	for (size_t i = 0; i < nplans; i++)
		total += plans[i].n;
	if ((*ids = mg_alloc(ctx, (total + 1) * sizeof(char *))) == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < nplans; i++)
		for (size_t k = 0; k < plans[i].n; k++)
			(*ids)[(*n)++] = mg_revmap_rev(s.map, plans[i].steps[k].rev)->id;
	if (total == 0)
	{
		char *at = rows_text(ctx, s.map, s.rows, s.nrows);

		if (at == NULL || (*report = mg_printf(ctx, "nothing to do: the database is at %s", at)) == NULL)
			return MG_ENOMEM;
	}
	return MG_OK;
}

/*
 * The plan of a stepwise downgrade: mg_plan_downgrade from the rows as
 * they are, each step checked as a plan of its own, as plan_upgrade_all
 * does for upgrades.
 */
static int
plan_downgrade_steps(mg_plan *p, mg_session *s, const char *target)
{
	mg_ctx *ctx = s->st.ctx;
	int rc;

	if ((rc = mg_plan_downgrade(p, ctx, s->map, s->rows, s->nrows, target)) != MG_OK ||
		(rc = mg_session_load_bodies(s, p)) != MG_OK)
		return rc;
	for (size_t k = 0; k < p->n; k++)
	{
		mg_plan one = *p;

		if ((rc = mg_interrupt_check(ctx)) != MG_OK)
			return rc;
		one.steps = &p->steps[k];
		one.n = 1;
		if ((rc = mg_run_check_online(ctx, s->map, &one, s->st.dialect,
									  MG_HOST_HAS(s->st.host, run_online))) != MG_OK)
			return rc;
	}
	return MG_OK;
}

int
mg_cmd_downgrade_plan(const char ***ids, size_t *n, char **report, mg_ctx *ctx,
					  const mg_host *host, const char *target)
{
	mg_session s;
	mg_plan p;
	int rc;

	*ids = NULL;
	*n = 0;
	*report = NULL;
	if (target == NULL)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "a downgrade target is required");
		mg_error_hint(ctx, "Give one, for example CALL migrate_downgrade_steps('-1') or CALL migrate_downgrade_steps('base').");
		return MG_EINPUT;
	}
	if ((rc = mg_args_check_ident(ctx, "migrate_downgrade_steps", "target", target)) != MG_OK ||
		(rc = no_range(ctx, target, "migrate_downgrade_sql")) != MG_OK ||
		(rc = mg_session_open(&s, ctx, host, false)) != MG_OK ||
		(rc = mg_session_release_target(&target, &s, target)) != MG_OK ||
		(rc = plan_downgrade_steps(&p, &s, target)) != MG_OK)
		return rc;
	if (target[0] == '-' && s.nrows > 1 && host->notice != NULL)
		host->notice(host->ud, "WARNING: downgrade -1 from multiple heads is ambiguous; this usage will be disallowed in a future release.");
	if ((*ids = mg_alloc(ctx, (p.n + 1) * sizeof(char *))) == NULL)
		return MG_ENOMEM;
	for (size_t k = 0; k < p.n; k++)
		(*ids)[(*n)++] = mg_revmap_rev(s.map, p.steps[k].rev)->id;
	if (p.n == 0)
	{
		char *at = rows_text(ctx, s.map, s.rows, s.nrows);

		if (at == NULL || (*report = mg_printf(ctx, "nothing to do: the database is at %s", at)) == NULL)
			return MG_ENOMEM;
	}
	return MG_OK;
}

/*
 * Run rev's step of a stepwise run: upgrade to it, or (down) undo it.
 * Exactly one step: if the version rows moved so that rev is no longer
 * one step away, nothing runs; if another session already did the step,
 * nothing runs and *report says so.
 */
static int
step_run(char **report, size_t *nsteps, bool *more, mg_session *s, const char *rev, bool down)
{
	mg_plan p;
	int rc;

	if (!down)
		return mg_session_run(report, nsteps, more, s, MG_RUN_UPGRADE, rev, false, 1);
	*report = NULL;
	*nsteps = 0;
	if ((rc = mg_plan_undo(&p, s->st.ctx, s->map, s->rows, s->nrows,
						   mg_revmap_find(s->map, rev))) != MG_OK)
		return rc;
	/* applied revisions above rev: another session moved the rows */
	*more = p.n > 1;
	if (p.n != 1)
		return MG_OK;
	return mg_session_run_plan(report, nsteps, s, MG_RUN_DOWNGRADE, &p, false);
}

/* One step of a stepwise run, as one attempt of mg_limits_retry. */
static int
step_once(char **report, mg_ctx *ctx, const mg_host *host, const char *rev, bool down,
		  bool *began)
{
	mg_session s;
	size_t nsteps = 0;
	bool more = false;
	int rc;

	*report = NULL;
	rc = mg_session_open(&s, ctx, host, true);
	*began = s.in_unit;
	if (rc == MG_OK && mg_revmap_find(s.map, rev) < 0)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
					 "revision %s of the stepwise run is no longer in the catalog", rev);
		mg_error_detail(ctx, "The catalog changed after the run was planned.");
		mg_error_hint(ctx, "Run the CALL again: it plans from the catalog and the database as they are now. The steps before this one stay committed.");
		rc = MG_EINPUT;
	}
	if (rc == MG_OK)
		rc = step_run(report, &nsteps, &more, &s, rev, down);
	if (rc == MG_OK && more)
	{
		/* the rows moved under the run: rev is no longer one step away */
		char *at = rows_text(ctx, s.map, s.rows, s.nrows);

		mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
					 "the database changed during the stepwise run: revision %s is no longer one step away", rev);
		mg_error_detail(ctx, "The run was planned from other version rows; another session changed them (the database is at %s).",
						at ? at : "?");
		mg_error_hint(ctx, "Run the CALL again: it plans from the database as it is now. The steps before this one stay committed; this one was rolled back.");
		rc = MG_EINPUT;
	}
	if (rc == MG_OK && nsteps == 0)
	{
		/* another session did it between two steps: nothing to run twice */
		*report = mg_printf(ctx, down ? "revision %s is downgraded already (by another session)"
							: "revision %s is applied already (by another session)", rev);
		if (*report == NULL)
			rc = MG_ENOMEM;
	}
	return mg_session_close(&s, rc);
}

/* step_once's arguments, for mg_limits_retry. */
typedef struct step_args {
	char **report;
	mg_ctx *ctx;
	const mg_host *host;
	const char *rev;
	bool down;
} step_args;

static int
step_attempt(void *arg, bool *began)
{
	step_args *a = arg;

	return step_once(a->report, a->ctx, a->host, a->rev, a->down, began);
}

int
mg_cmd_upgrade_step(char **report, mg_ctx *ctx, const mg_host *host, const char *rev)
{
	step_args a = {report, ctx, host, rev, false};

	/* a lock wait that times out retries the step, as run_command does a run */
	return mg_limits_retry(ctx, host, step_attempt, &a);
}

int
mg_cmd_downgrade_step(char **report, mg_ctx *ctx, const mg_host *host, const char *rev)
{
	step_args a = {report, ctx, host, rev, true};

	return mg_limits_retry(ctx, host, step_attempt, &a);
}

int
mg_cmd_downgrade(char **report, mg_ctx *ctx, const mg_host *host, const char *target)
{
	return run_command(report, ctx, host, target, MG_RUN_DOWNGRADE, false);
}

int
mg_cmd_stamp(char **report, mg_ctx *ctx, const mg_host *host, const char *target, int purge)
{
	return run_command(report, ctx, host, target, MG_RUN_STAMP, purge != 0);
}

/* ---- offline SQL ------------------------------------------------------- */

/* What streamed_body needs: the emitter and the plan's steps that run a revision. */
typedef struct offline_stream {
	mg_ctx *ctx;
	int dialect;
	const mg_plan *plan;
	const mg_script **scripts;  /* per step; NULL: no revision */
	mg_emitter *e;
	const size_t *step_of;      /* k-th revision of the stream -> its step */
} offline_stream;

/* One revision's catalog text, as it streams in: its section goes straight to the output. */
static int
streamed_body(void *arg, size_t k, const char *text, size_t len)
{
	offline_stream *os = arg;
	size_t i = os->step_of[k];
	mg_body_span body;
	int rc;

	if ((rc = mg_script_find_body(&body, os->ctx, text, len, os->scripts[i],
								  os->plan->steps[i].upgrade, os->dialect)) != MG_OK)
		return rc;
	return mg_emit_step(os->e, i, &body);
}

/*
 * The offline SQL of a plan, written while the bodies stream in from
 * the catalog in plan order: no body is held beyond its own step, so a
 * long script costs its output and the graph, not a copy of every body.
 * With last, the graph is not needed afterwards: its large arrays go
 * back before the output grows (s->map is then empty).
 */
static int
emit_plan(char **sql, mg_session *s, const mg_plan *plan, bool last)
{
	mg_ctx *ctx = s->st.ctx;
	offline_stream os;
	const char **ids;
	size_t *step_of, n = 0;
	int rc;

	*sql = NULL;
	if ((rc = mg_emit_step_scripts(&os.scripts, ctx, s->map, plan)) != MG_OK)
		return rc;
	ids = mg_alloc(ctx, sizeof(*ids) * (plan->n + 1));
	step_of = mg_alloc(ctx, sizeof(*step_of) * (plan->n + 1));
	if (ids == NULL || step_of == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < plan->n; i++)
	{
		if (os.scripts[i] == NULL)
			continue;
		ids[n] = os.scripts[i]->id;
		step_of[n++] = i;
	}
	if (last)
		mg_revmap_release(s->map);
	os.ctx = ctx;
	os.dialect = s->st.dialect;
	os.plan = plan;
	os.step_of = step_of;
	if ((rc = mg_emit_begin(&os.e, ctx, os.scripts, plan, s->st.dialect, s->st.version_name)) != MG_OK ||
		(rc = mg_state_stream_bodies(&s->st, ids, n, streamed_body, &os)) != MG_OK)
		return rc;
	return mg_emit_finish(os.e, sql);
}

static int
offline(char **sql, mg_ctx *ctx, const mg_host *host, const char *range, bool upgrade)
{
	mg_session s;
	mg_plan plan;
	const char *colon = range ? strchr(range, ':') : NULL;
	const char *start_spec = NULL, *dest;
	const char **start = NULL;
	size_t nstart = 0;
	int rc;

	*sql = NULL;
	if ((rc = mg_args_check_range(ctx, upgrade ? "migrate_upgrade_sql" : "migrate_downgrade_sql",
								  range, false)) != MG_OK)
		return rc;
	if (!upgrade && colon == NULL)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "downgrade with --sql requires <fromrev>:<torev>");
		mg_error_hint(ctx, "Give both ends, for example migrate_downgrade_sql('heads:base').");
		return MG_EINPUT;
	}
	dest = range ? range : "heads";
	if (colon != NULL)
	{
		start_spec = mg_strndup(ctx, range, (size_t) (colon - range));
		dest = colon + 1;
		if (start_spec == NULL)
			return MG_ENOMEM;
	}
	if ((rc = mg_session_open_state(&s, ctx, host, false)) != MG_OK)
		return rc;
	/* Alembic's --sql output names no revision's message */
	s.st.no_messages = true;
	if ((rc = mg_session_load_graph(&s)) != MG_OK)
		return rc;
	if ((start_spec != NULL && (rc = mg_session_release_target(&start_spec, &s, start_spec)) != MG_OK) ||
		(rc = mg_session_release_target(&dest, &s, dest)) != MG_OK)
		return rc;
	/* "current": this database's version rows, which Alembic cannot know offline */
	if (strcmp(dest, "current") == 0)
	{
		if (s.nrows > 1)
		{
			mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
						 "the range ends at current, and the database has %zu current revisions", s.nrows);
			mg_error_detail(ctx, "Offline SQL goes to one target; the version table holds %s.",
							rows_text(ctx, s.map, s.rows, s.nrows));
			mg_error_hint(ctx, "End the range at one of them, or at a branch, for example 'base:<branch>@head'.");
			return MG_EINPUT;
		}
		dest = s.nrows == 1 ? s.rows[0] : "base";
	}
	if (start_spec != NULL && strcmp(start_spec, "current") == 0)
	{
		start = s.rows;
		nstart = s.nrows;
	}
	/* otherwise the start is resolved as Alembic's get_current_heads does offline */
	else if (start_spec != NULL && *start_spec && strcmp(start_spec, "base") != 0)
	{
		int r;

		if ((rc = mg_resolve_one(&r, ctx, s.map, start_spec)) != MG_OK)
			return rc;
		if (r >= 0)
		{
			start = mg_alloc(ctx, sizeof(char *));
			if (start == NULL)
				return MG_ENOMEM;
			start[nstart++] = mg_revmap_rev(s.map, r)->id;
		}
	}
	if (upgrade && is_heads(dest) && s.nheld > 0)
	{
		/* one script per held branch, each continuing from the previous one's rows */
		mg_buf all;
		size_t ran = 0;

		if ((rc = mg_session_check_held(&s)) != MG_OK)
			return rc;
		mg_buf_init(&all, ctx);
		for (size_t i = 0; i < s.nheld; i++)
		{
			char *t = mg_printf(ctx, "%s@heads", s.held[i]), *part;

			if (t == NULL)
				return MG_ENOMEM;
			if ((rc = mg_plan_upgrade(&plan, ctx, s.map, start, nstart, t)) != MG_OK)
				return rc;
			if (plan.n == 0 && (ran > 0 || i + 1 < s.nheld))
				continue;
			if ((rc = emit_plan(&part, &s, &plan, false)) != MG_OK)
				return rc;
			mg_buf_puts(&all, part);
			/* copied: a long part goes back to the host at once */
			mg_release(ctx, part, strlen(part) + 1);
			ran += plan.n;
			start = plan.end;
			nstart = plan.nend;
		}
		return mg_buf_finish(&all, sql);
	}
	if (upgrade)
		rc = mg_plan_upgrade(&plan, ctx, s.map, start, nstart, dest);
	else
		rc = mg_plan_downgrade(&plan, ctx, s.map, start, nstart, dest);
	if (rc == MG_OK)
		rc = emit_plan(sql, &s, &plan, true);
	return rc;
}

int
mg_cmd_upgrade_sql(char **sql, mg_ctx *ctx, const mg_host *host, const char *range)
{
	return offline(sql, ctx, host, range, true);
}

int
mg_cmd_downgrade_sql(char **sql, mg_ctx *ctx, const mg_host *host, const char *range)
{
	return offline(sql, ctx, host, range, false);
}

/* A text result without trailing newlines (a SQL value, not a terminal stream). */
static int
finish_text(mg_buf *b, char **text)
{
	int rc = mg_buf_finish(b, text);

	if (rc == MG_OK)
	{
		size_t n = strlen(*text);

		while (n > 0 && (*text)[n - 1] == '\n')
			(*text)[--n] = '\0';
	}
	return rc;
}

/* ---- listings ------------------------------------------------------------ */

static bool
in_rows(const mg_revmap *map, int rev, const char *const *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i], mg_revmap_rev(map, rev)->id) == 0)
			return true;
	return false;
}

static int
fill_rows(mg_rows *out, mg_ctx *ctx, const mg_revmap *map, const int *revs, size_t n,
		  const char *const *current, size_t ncurrent)
{
	out->rows = mg_alloc(ctx, (n + 1) * sizeof(mg_history_row));
	out->n = 0;
	if (out->rows == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < n; i++)
	{
		int rc = mg_interrupt_check(ctx);

		if (rc == MG_OK)
			rc = mg_report_row(&out->rows[i], ctx, map, revs[i],
							   in_rows(map, revs[i], current, ncurrent));

		if (rc != MG_OK)
			return rc;
		out->n++;
	}
	return MG_OK;
}

int
mg_cmd_history(mg_rows *out, mg_ctx *ctx, const mg_host *host, const char *range,
			   int indicate_current)
{
	mg_session s;
	const char *base = NULL, *head = NULL;
	int *revs;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mg_args_check_range(ctx, "migrate_history", range, true)) != MG_OK)
		return rc;
	if (range != NULL)
	{
		const char *colon = strchr(range, ':');

		if (colon == NULL)
		{
			mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
						 "History range requires [start]:[end], [start]:, or :[end]");
			mg_error_hint(ctx, "For example migrate_history('base:heads') or migrate_history('-3:current').");
			return MG_EINPUT;
		}
		base = mg_strndup(ctx, range, (size_t) (colon - range));
		head = colon + 1;
		if (base == NULL)
			return MG_ENOMEM;
	}
	if ((rc = mg_session_open(&s, ctx, host, false)) != MG_OK)
		return rc;
	if ((base && strcmp(base, "current") == 0) || (head && strcmp(head, "current") == 0))
	{
		mg_buf b;
		char *cur;

		mg_buf_init(&b, ctx);
		mg_buf_join(&b, s.rows, s.nrows, ",");
		if (s.nrows == 1)
			mg_buf_puts(&b, ",");     /* keep it a list even for one row */
		if (mg_buf_finish(&b, &cur) != MG_OK)
			return MG_ENOMEM;
		/* Alembic: an empty version table makes "current" mean base / heads */
		if (base && strcmp(base, "current") == 0)
			base = s.nrows ? cur : NULL;
		if (head && strcmp(head, "current") == 0)
			head = s.nrows ? cur : NULL;
	}
	if ((rc = mg_report_history(&revs, &n, ctx, s.map, base, head)) != MG_OK ||
		(rc = fill_rows(out, ctx, s.map, revs, n, s.rows, indicate_current ? s.nrows : 0)) != MG_OK)
		return rc;
	/* the rows hold their own texts and the scripts' strings: the graph's arrays can go before the host copies them */
	mg_revmap_release(s.map);
	return MG_OK;
}

int
mg_cmd_heads(mg_rows *out, mg_ctx *ctx, const mg_host *host)
{
	mg_session s;
	const int *h;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mg_session_open_state(&s, ctx, host, false)) != MG_OK ||
		(rc = mg_session_read_heads(&s)) != MG_OK)
		return rc;
	if (s.nheads > 0)
	{
		/* the kept heads: no graph to build */
		out->rows = mg_alloc(ctx, (s.nheads + 1) * sizeof(mg_history_row));
		if (out->rows == NULL)
			return MG_ENOMEM;
		for (size_t i = 0; i < s.nheads; i++)
		{
			out->rows[i] = s.heads[i].row;
			for (size_t k = 0; k < s.nrows; k++)
				if (strcmp(s.rows[k], s.heads[i].row.revision) == 0)
					out->rows[i].is_current = 1;
		}
		out->n = s.nheads;
		return MG_OK;
	}
	if ((rc = mg_session_load_graph(&s)) != MG_OK)
		return rc;
	mg_revmap_heads(s.map, &h, &n);
	if ((rc = fill_rows(out, ctx, s.map, h, n, s.rows, s.nrows)) != MG_OK)
		return rc;
	for (size_t i = 0; i < out->n; i++)
		out->rows[i].line = mg_report_heads_line(ctx, s.map, h[i]);
	return MG_OK;
}

/*
 * The version rows split into those the catalog knows (as revisions)
 * and those it lacks (a database ahead of the loaded scripts).
 */
int
mg_session_split_rows(int **known, size_t *nknown, const char ***unknown, size_t *nunknown,
					  const mg_session *s)
{
	mg_ctx *ctx = s->st.ctx;

	*known = mg_alloc(ctx, (s->nrows + 1) * sizeof(int));
	*unknown = mg_alloc(ctx, (s->nrows + 1) * sizeof(char *));
	*nknown = *nunknown = 0;
	if (*known == NULL || *unknown == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < s->nrows; i++)
	{
		int r = mg_revmap_find(s->map, s->rows[i]);

		if (r >= 0)
			(*known)[(*nknown)++] = r;
		else
			(*unknown)[(*nunknown)++] = s->rows[i];
	}
	return MG_OK;
}

/*
 * Rows: the database's current revisions, expanded as Alembic's current,
 * on the held branches only.  A version row the catalog lacks (the
 * database is ahead of the code) is not an error here, unlike in Alembic:
 * it is listed last, marked "(unknown: not in the catalog)", and a
 * warning says so.
 */
int
mg_cmd_current(mg_rows *out, mg_ctx *ctx, const mg_host *host)
{
	mg_session s;
	int *known, *revs;
	const char **unknown;
	size_t nknown, nunknown, n;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mg_session_open_state(&s, ctx, host, false)) != MG_OK)
		return rc;
	{
		/* a database at all the catalog's heads: its current rows are those heads */
		bool at_heads;
		size_t *order;

		if ((rc = at_kept_heads(&at_heads, &s, true)) != MG_OK)
			return rc;
		if (at_heads)
		{
			if (heads_by_seq(&order, &s) != MG_OK ||
				(out->rows = mg_alloc(ctx, (s.nheads + 1) * sizeof(mg_history_row))) == NULL)
				return MG_ENOMEM;
			for (size_t i = 0; i < s.nheads; i++)
			{
				const mg_cached_head *h = &s.heads[order[i]];

				if (!mg_headcache_holds(h, s.held, s.nheld))
					continue;
				out->rows[out->n] = h->row;
				out->rows[out->n].is_current = 1;
				out->rows[out->n].line = h->current_line;
				out->n++;
			}
			return MG_OK;
		}
	}
	if ((rc = mg_session_load_graph(&s)) != MG_OK ||
		(rc = mg_session_split_rows(&known, &nknown, &unknown, &nunknown, &s)) != MG_OK ||
		(rc = mg_report_all_current(&revs, &n, ctx, s.map, known, nknown)) != MG_OK)
		return rc;
	{
		size_t kept = 0;

		for (size_t i = 0; i < n; i++)
			if (mg_session_holds(&s, revs[i]))
				revs[kept++] = revs[i];
		n = kept;
	}
	if ((rc = fill_rows(out, ctx, s.map, revs, n, NULL, 0)) != MG_OK)
		return rc;
	for (size_t i = 0; i < out->n; i++)
	{
		out->rows[i].is_current = 1;
		out->rows[i].line = mg_report_current_line(ctx, s.map, revs[i]);
		if (out->rows[i].line == NULL)
			return MG_ENOMEM;
	}
	out->rows = mg_realloc(ctx, out->rows, (n + 1) * sizeof(mg_history_row),
						   (n + nunknown + 1) * sizeof(mg_history_row));
	if (out->rows == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < nunknown; i++)
	{
		mg_history_row *r = &out->rows[out->n];
		char *warning;

		memset(r, 0, sizeof(*r));
		r->revision = unknown[i];
		r->down_revisions = r->branch_labels = r->depends_on = "";
		r->message = "unknown revision: the database is ahead of the catalog";
		r->is_current = 1;
		r->line = mg_printf(ctx, "%s (unknown: not in the catalog)", unknown[i]);
		warning = mg_printf(ctx, "WARNING: the database is at revision %s, which is not in the catalog: "
							"it is ahead of the loaded revision scripts; load them (migrate_load) to "
							"show, upgrade or downgrade it", unknown[i]);
		if (r->line == NULL || warning == NULL)
			return MG_ENOMEM;
		if (host->notice != NULL)
			host->notice(host->ud, warning);
		out->n++;
	}
	return MG_OK;
}

int
mg_cmd_current_text(char **text, mg_ctx *ctx, const mg_host *host, int verbose)
{
	mg_rows rows;
	mg_buf b;
	int rc;

	if ((rc = mg_cmd_current(&rows, ctx, host)) != MG_OK)
		return rc;
	mg_buf_init(&b, ctx);
	if (verbose)
		mg_buf_puts(&b, "Current revision(s) for the database:\n");
	for (size_t i = 0; i < rows.n; i++)
		mg_buf_printf(&b, "%s%s", i ? "\n" : "", rows.rows[i].line);
	return mg_buf_finish(&b, text);
}

int
mg_cmd_show(char **text, mg_ctx *ctx, const mg_host *host, const char *rev)
{
	mg_session s;
	mg_target t;
	mg_buf b;
	int *revs;
	size_t n;
	int rc;

	if ((rc = mg_args_check_ident(ctx, "migrate_show", "rev", rev)) != MG_OK ||
		(rc = mg_session_open(&s, ctx, host, false)) != MG_OK ||
		(rc = mg_session_release_target(&rev, &s, rev)) != MG_OK)
		return rc;
	if (rev != NULL && strcmp(rev, "current") == 0)
	{
		if ((rc = mg_resolve_rows(&revs, ctx, s.map, s.rows, s.nrows)) != MG_OK)
			return rc;
		n = s.nrows;
	}
	else
	{
		if ((rc = mg_resolve(&t, ctx, s.map, rev)) != MG_OK)
			return rc;
		revs = t.revs;
		n = t.n;
	}
	mg_buf_init(&b, ctx);
	for (size_t i = 0; i < n; i++)
	{
		char *e;

		if (revs[i] < 0)
			continue;
		{
			const mg_script *full;

			/* the catalog's metadata lacks the header's free text and date */
			if ((rc = mg_state_load_script(&full, &s.st, mg_revmap_rev(s.map, revs[i])->id)) != MG_OK)
				return rc;
			mg_revmap_set_script(s.map, revs[i], full);
		}
		e = mg_report_show(ctx, s.map, revs[i], in_rows(s.map, revs[i], s.rows, s.nrows));
		if (e == NULL)
			return MG_ENOMEM;
		mg_buf_printf(&b, "%s%s", b.len ? "\n" : "", e);
	}
	return finish_text(&b, text);
}

int
mg_cmd_branches(char **text, mg_ctx *ctx, const mg_host *host)
{
	mg_session s;
	int *revs;
	size_t n;
	mg_buf b;
	int rc;

	if ((rc = mg_session_open(&s, ctx, host, false)) != MG_OK ||
		(rc = mg_report_history(&revs, &n, ctx, s.map, NULL, NULL)) != MG_OK)
		return rc;
	mg_buf_init(&b, ctx);
	for (size_t i = 0; i < n; i++)
	{
		const mg_rev *r = mg_revmap_rev(s.map, revs[i]);
		char *head;

		if (!mg_rev_is_branchpoint(r))
			continue;
		head = mg_report_tree_line(ctx, s.map, revs[i]);
		if (head == NULL)
			return MG_ENOMEM;
		mg_buf_printf(&b, "%s\n", head);
		for (size_t k = 0; k < r->nnext; k++)
		{
			char *child = mg_report_tree_line(ctx, s.map, r->next[k]);

			if (child == NULL)
				return MG_ENOMEM;
			mg_buf_printf(&b, "%*s -> %s\n", (int) strlen(r->id), "", child);
		}
		mg_buf_puts(&b, "\n");
	}
	return finish_text(&b, text);
}

/* ---- check --------------------------------------------------------------- */

/* The union-find root of i. */
static size_t
group_root(size_t *parent, size_t i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

int
mg_session_unlabelled_heads(mg_head_group **out, size_t *ngroups, const mg_session *s)
{
	mg_ctx *ctx = s->st.ctx;
	const mg_revmap *map = s->map;
	size_t nrev = mg_revmap_count(map), nc = 0;
	const int *h;
	size_t nh, *parent;
	int *cand;
	uint8_t **anc;
	int rc;

	*out = NULL;
	*ngroups = 0;
	if (s->nheld > 0)
		return MG_OK;			/* a head without a label is never held */
	mg_revmap_heads(map, &h, &nh);
	cand = mg_alloc(ctx, (nh + 1) * sizeof(int));
	anc = mg_alloc(ctx, (nh + 1) * sizeof(uint8_t *));
	parent = mg_alloc(ctx, (nh + 1) * sizeof(size_t));
	*out = mg_alloc(ctx, (nh + 1) * sizeof(mg_head_group));
	if (cand == NULL || anc == NULL || parent == NULL || *out == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < nh; i++)
		if (mg_revmap_rev(map, h[i])->nlabels == 0)
			cand[nc++] = h[i];
	if (nc < 2)
		return MG_OK;
	for (size_t i = 0; i < nc; i++)
	{
		if ((rc = mg_revmap_ancestors(&anc[i], map, &cand[i], 1, false)) != MG_OK)
			return rc;
		parent[i] = i;
	}
	/* two heads are one lineage when they share an ancestor by Revises */
	for (size_t i = 0; i < nc; i++)
		for (size_t j = i + 1; j < nc; j++)
		{
			if ((rc = mg_interrupt_check(ctx)) != MG_OK)
				return rc;
			if (group_root(parent, i) == group_root(parent, j))
				continue;
			for (size_t k = 0; k < nrev; k++)
				if (anc[i][k] && anc[j][k])
				{
					parent[group_root(parent, j)] = group_root(parent, i);
					break;
				}
		}
	for (size_t i = 0; i < nc; i++)
	{
		mg_head_group *g;
		size_t n = 0;

		if (group_root(parent, i) != i)
			continue;
		for (size_t j = 0; j < nc; j++)
			n += group_root(parent, j) == i;
		if (n < 2)
			continue;
		g = &(*out)[(*ngroups)++];
		if ((g->revs = mg_alloc(ctx, n * sizeof(int))) == NULL)
			return MG_ENOMEM;
		g->n = 0;
		for (size_t j = 0; j < nc; j++)
			if (group_root(parent, j) == i)
				g->revs[g->n++] = cand[j];
		g->base = -1;
		for (size_t k = 0; k < nrev && g->base < 0; k++)
			if (anc[i][k] && mg_revmap_rev(map, (int) k)->ndown == 0)
				g->base = (int) k;
	}
	return MG_OK;
}

/*
 * One "diverged: <what> has two heads, a and b; merge them with SELECT
 * migrate_merge('a,b', '<merge_message>')" line.
 */
static void
diverged_line(mg_buf *b, const mg_revmap *map, const int *heads, size_t n, const char *what,
			  const char *merge_message)
{
	mg_buf_printf(b, "diverged: %s has %s heads, ", what, n == 2 ? "two" : "several");
	for (size_t k = 0; k < n; k++)
		mg_buf_printf(b, "%s%s", k == 0 ? "" : k + 1 == n ? " and " : ", ",
					  mg_revmap_rev(map, heads[k])->id);
	mg_buf_puts(b, "; merge them with SELECT migrate_merge('");
	for (size_t k = 0; k < n; k++)
		mg_buf_printf(b, "%s%s", k ? "," : "", mg_revmap_rev(map, heads[k])->id);
	mg_buf_printf(b, "', '%s')\n", merge_message);
}

/*
 * "diverged: ..." lines: two or more heads carrying one label (held
 * labels only, when the setting names them), and two or more heads
 * without a label on one lineage (Backend.AI's and REANA's graphs have
 * no labels), each with the migrate_merge call that resolves them.
 * Returns the number of lines, or a negative code.
 */
static int
diverged_lines(mg_buf *b, const mg_session *s)
{
	mg_ctx *ctx = s->st.ctx;
	const mg_revmap *map = s->map;
	const int *h;
	size_t nh, ngroups;
	mg_head_group *groups;
	int *on;
	int found = 0, rc;

	mg_revmap_heads(map, &h, &nh);
	if ((on = mg_alloc(ctx, (nh + 1) * sizeof(int))) == NULL)
		return MG_ENOMEM;
	for (size_t l = 0; l < mg_revmap_label_count(map); l++)
	{
		const char *label = mg_revmap_label_name(map, (int) l);
		char *what, *msg;
		size_t n = 0;
		bool held = s->nheld == 0;

		for (size_t i = 0; i < s->nheld; i++)
			held = held || strcmp(s->held[i], label) == 0;
		if (!held)
			continue;
		for (size_t i = 0; i < nh; i++)
			if (mg_rev_has_label(mg_revmap_rev(map, h[i]), (int) l))
				on[n++] = h[i];
		if (n < 2)
			continue;
		what = mg_printf(ctx, "branch %s", label);
		msg = mg_printf(ctx, "merge %s heads", label);
		if (what == NULL || msg == NULL)
			return MG_ENOMEM;
		diverged_line(b, map, on, n, what, msg);
		found++;
	}
	if ((rc = mg_session_unlabelled_heads(&groups, &ngroups, s)) != MG_OK)
		return rc;
	for (size_t g = 0; g < ngroups; g++)
	{
		char *what = mg_printf(ctx, "the lineage of base %s (no branch label)",
							   mg_revmap_rev(map, groups[g].base)->id);

		if (what == NULL)
			return MG_ENOMEM;
		diverged_line(b, map, groups[g].revs, groups[g].n, what, "merge heads");
		found++;
	}
	return found;
}

/*
 * Is the database at the heads of the branches it holds?  Lines:
 * "ahead:" (a version row the catalog lacks), "unknown branch:" (the
 * setting names a label the catalog lacks), "behind:" (a held head not
 * applied), "changed:" (an applied script whose text changed),
 * "diverged:" (two heads on one branch); else one "ok:" line.  *ok is 1
 * when there is nothing to report.
 */
int
mg_cmd_check(char **text, int *ok, mg_ctx *ctx, const mg_host *host)
{
	mg_session s;
	int *cur, *h;
	const char **unknown, **applied;
	size_t ncur, nunknown, nh;
	uint8_t *have;
	mg_buf b;
	const char *drift_note = NULL;
	int rc, problems = 0, behind = 0;

	*ok = 0;
	if ((rc = mg_session_open(&s, ctx, host, false)) != MG_OK ||
		(rc = mg_session_split_rows(&cur, &ncur, &unknown, &nunknown, &s)) != MG_OK ||
		(rc = mg_session_held_heads(&h, &nh, &s)) != MG_OK)
		return rc;
	if ((rc = mg_revmap_ancestors(&have, s.map, cur, ncur, true)) != MG_OK)
		return rc;
	mg_buf_init(&b, ctx);
	for (size_t i = 0; i < nunknown; i++)
	{
		mg_buf_printf(&b, "ahead: the database is at revision %s, which is not in the catalog; "
					  "load the scripts that have it (migrate_load) before upgrading or downgrading\n",
					  unknown[i]);
		problems++;
	}
	for (size_t i = 0; i < s.nheld; i++)
		if (mg_label_index(s.map, s.held[i]) < 0)
		{
			mg_buf_printf(&b, "unknown branch: the branches setting names '%s', which no revision of the catalog carries; "
						  "load its scripts or fix the setting with SELECT migrate_config('branches', ...)\n",
						  s.held[i]);
			problems++;
		}
	/* held heads not reached */
	for (size_t i = 0; i < nh; i++)
		if (!have[h[i]])
		{
			mg_buf_printf(&b, "behind: head %s is not applied\n", mg_revmap_rev(s.map, h[i])->id);
			problems++;
			behind++;
		}
	/* applied revisions whose script changed since (one pass over the log) */
	if ((rc = mg_state_applied_checksums(&applied, &s.st, s.map, have)) != MG_OK)
		return rc;
	for (size_t k = 0; k < mg_revmap_count(s.map); k++)
	{
		const mg_rev *r = mg_revmap_rev(s.map, (int) k);

		if ((rc = mg_interrupt_check(ctx)) != MG_OK)
			return rc;
		if (have[k] && applied[k] != NULL && strcmp(applied[k], r->script->checksum) != 0)
		{
			mg_buf_printf(&b, "changed: revision %s was applied with checksum %s; its script now has %s\n",
						  r->id, applied[k], r->script->checksum);
			problems++;
		}
	}
	/* revisions the last load of their directory did not find there */
	{
		mg_source *src;

		if ((rc = mg_state_check_source(&s.st, false)) != MG_OK ||
			(rc = mg_state_sources(&src, &s.st, s.map)) != MG_OK)
			return rc;
		for (size_t k = 0; k < mg_revmap_count(s.map); k++)
		{
			const mg_rev *r = mg_revmap_rev(s.map, (int) k);

			if (!src[k].missing)
				continue;
			if (have[k])
				mg_buf_printf(&b, "missing: revision %s is applied but missing from the environment "
							  "(\"%s\" is no longer in \"%s\"); the catalog keeps it so that the database "
							  "can be downgraded: restore the file, or downgrade below it\n",
							  r->id, r->script->filename, src[k].dir);
			else
				mg_buf_printf(&b, "missing: revision %s is no longer in \"%s\"; "
							  "loading that directory again (migrate_load) removes it from the catalog\n",
							  r->id, src[k].dir);
			problems++;
		}
	}
	/* PostgreSQL: who added the catalog, and revisions to run whose author is not trusted */
	{
		char ***untrusted, ***authors;
		size_t nu, na;

		if ((rc = mg_state_authors(&untrusted, &nu, &authors, &na, &s.st)) != MG_OK)
			return rc;
		for (size_t i = 0; i < nu; i++)
		{
			int k = untrusted[i][0] ? mg_revmap_find(s.map, untrusted[i][0]) : -1;

			if (k < 0 || have[k])
				continue;
			mg_buf_printf(&b, "untrusted: revision %s was added by role \"%s\", which this role does not trust; "
						  "review it, then SET migrate.trusted_roles = '%s' before upgrading, or add it again yourself\n",
						  untrusted[i][0], untrusted[i][1] ? untrusted[i][1] : "",
						  untrusted[i][1] ? untrusted[i][1] : "");
			problems++;
		}
		if (na > 1)
		{
			mg_buf_puts(&b, "added by:");
			for (size_t i = 0; i < na; i++)
				mg_buf_printf(&b, "%s %s (%s)", i ? "," : "", authors[i][0] ? authors[i][0] : "",
							  authors[i][1] ? authors[i][1] : "");
			mg_buf_puts(&b, "\n");
		}
	}
	{
		int drifted;

		if ((rc = mg_drift_lines(&b, &drifted, &drift_note, &s)) != MG_OK)
			return rc;
		problems += drifted;
	}
	if ((rc = diverged_lines(&b, &s)) < 0)
		return rc;
	problems += rc;
	if (problems == 0)
	{
		char *at = rows_text(ctx, s.map, s.rows, s.nrows);

		mg_buf_printf(&b, "ok: the database is at the heads (%s)", at ? at : "");
		*ok = 1;
	}
	else if (behind > 0 && nunknown == 0)
		mg_buf_puts(&b, "run SELECT migrate_upgrade('heads') to apply what is missing");
	if (drift_note != NULL)
		mg_buf_printf(&b, "%s%s", b.len && b.p[b.len - 1] != '\n' ? "\n" : "", drift_note);
	return finish_text(&b, text);
}

/* ---- settings ------------------------------------------------------------ */

/*
 * Switching version_table on a database whose version table has rows
 * loses track of them: the engine would read the new (absent) table, see
 * the database at base and run every revision again.  Refused unless the
 * new table exists (the rows were moved or renamed there) or force is
 * given.  st is the state before the switch, st2 after it (the same
 * unit).
 */
static int
check_version_switch(mg_state *st, mg_state *st2, int force)
{
	mg_ctx *ctx = st->ctx;
	const char **rows, **rows2;
	size_t n, n2;
	bool exists, exists2;
	char *at;
	int rc;

	if (force || strcmp(st->version_name, st2->version_name) == 0)
		return MG_OK;
	if ((rc = mg_state_versions(&rows, &n, &exists, st)) != MG_OK ||
		(rc = mg_state_versions(&rows2, &n2, &exists2, st2)) != MG_OK)
		return rc;
	if (n == 0 || exists2)
		return MG_OK;
	{
		/* the rows in catalog order, as every message gives them */
		mg_revmap *map;

		if ((rc = mg_state_load_map(&map, st)) != MG_OK)
			return rc;
		if ((at = rows_text(ctx, map, rows, n)) == NULL)
			return MG_ENOMEM;
	}
	mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
				 "cannot switch version_table to \"%s\": version table \"%s\" has rows and \"%s\" does not exist",
				 st2->version_name, st->version_name, st2->version_name);
	mg_error_detail(ctx, "The database is at %s (table \"%s\"). After the switch the engine would read \"%s\", find the database at base, and the next migrate_upgrade() would run every revision again; \"%s\" would be left as it is.",
					at, st->version_name, st2->version_name, st->version_name);
	{
		/*
		 * RENAME TO takes the bare name: the table stays in its schema.
		 * SQLite's "main" goes without saying in the user's shell.
		 */
		char *to = mg_quote_ident(ctx, st2->version_name);
		char *from = st->dialect == MG_DIALECT_SQLITE ? mg_quote_ident(ctx, st->version_name) : st->version_table;

		if (to == NULL || from == NULL)
			return MG_ENOMEM;
		mg_error_hint(ctx, "Move the rows first (ALTER TABLE %s RENAME TO %s) and switch then, or pass force to switch anyway: SELECT migrate_config('version_table', '%s', true). Nothing was changed.",
					  from, to, st2->version_name);
	}
	return MG_EINPUT;
}

/*
 * The warning lines of a branches value naming labels the catalog does
 * not carry (the catalog may be loaded later, so the value is kept).
 */
static int
branches_warnings(mg_buf *b, mg_state *st, const char *value)
{
	mg_ctx *ctx = st->ctx;
	mg_revmap *map;
	const char **labels;
	size_t n;
	char *known;
	int rc;

	if ((rc = mg_split_list(ctx, value, &labels, &n)) != MG_OK || n == 0 ||
		(rc = mg_state_load_map(&map, st)) != MG_OK)
		return rc;
	if ((known = label_list(ctx, map)) == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (mg_label_index(map, labels[i]) < 0)
		{
			mg_buf_printf(b, "\nWARNING: no revision of the catalog carries branch label '%s' (", labels[i]);
			if (known[0])
				mg_buf_printf(b, "its labels are %s", known);
			else
				mg_buf_printf(b, "%s", mg_revmap_count(map) == 0 ? "the catalog is empty" : "it has no branch labels");
			mg_buf_puts(b, "); the setting is kept, and the calls that act on the held branches fail until its revisions are loaded");
		}
	return MG_OK;
}

int
mg_cmd_config(char **out, mg_ctx *ctx, const mg_host *host, const char *key, const char *value)
{
	return mg_cmd_config_write(out, ctx, host, key, value, 0);
}

int
mg_cmd_config_write(char **out, mg_ctx *ctx, const mg_host *host, const char *key,
					const char *value, int force)
{
	mg_state st, before;
	int rc;

	*out = NULL;
	if ((rc = mg_state_open(&st, ctx, host)) != MG_OK)
		return rc;
	if (value == NULL)
		return mg_state_get_setting(out, &st, key);
	if ((rc = host->begin(host->ud, ctx)) != MG_OK)
		return rc;
	rc = mg_state_create(&st);
	if (rc == MG_OK)
		rc = mg_state_check_triggers(&st);
	/* the state as it was: setting version_table renames st's version table */
	before = st;
	if (rc == MG_OK)
		rc = mg_state_set_setting(&st, key, value);
	if (rc == MG_OK && strcmp(key, "version_table") == 0)
		rc = check_version_switch(&before, &st, force);
	if (rc == MG_OK)
		rc = mg_state_get_setting(out, &st, key);
	if (rc == MG_OK && strcmp(key, "branches") == 0)
	{
		mg_buf b;

		mg_buf_init(&b, ctx);
		mg_buf_puts(&b, *out);
		if ((rc = branches_warnings(&b, &st, *out)) == MG_OK)
			rc = mg_buf_finish(&b, out);
	}
	if (rc == MG_OK && (rc = host->commit(host->ud, ctx)) == MG_OK)
		return MG_OK;
	host->rollback(host->ud, ctx);
	return rc;
}

/* ---- adding scripts ------------------------------------------------------ */

/*
 * Is the file dir/file at or below root?  All three come from canonical
 * paths (realpath: no "." or "..", no trailing "/" but for "/" itself);
 * dir may be below root, or above it with file below.
 */
static bool
file_under(const char *dir, const char *file, const char *root)
{
	size_t n = strlen(root), dn = strlen(dir);

	if (strncmp(dir, root, n) == 0 &&
		(dir[n] == '\0' || dir[n] == '/' || (n > 0 && root[n - 1] == '/')))
		return true;
	if (dn < n && strncmp(root, dir, dn) == 0 && (root[dn] == '/' || (dn > 0 && dir[dn - 1] == '/')))
	{
		const char *rest = root + dn + (root[dn] == '/');
		size_t rn = strlen(rest);

		return strncmp(file, rest, rn) == 0 && file[rn] == '/';
	}
	return false;
}

/* The load's report: counts, then a line per applied revision the directory no longer has. */
static int
load_report(char **report, mg_ctx *ctx, const mg_revmap *map, const uint8_t *gone,
			const mg_source *src, size_t n, size_t added, size_t replaced, size_t same,
			size_t removed, bool untracked)
{
	mg_buf b;

	mg_buf_init(&b, ctx);
	mg_buf_printf(&b, "%zu revision%s: %zu added, %zu replaced, %zu unchanged",
				  n, n == 1 ? "" : "s", added, replaced, same);
	if (removed > 0)
		mg_buf_printf(&b, ", %zu removed", removed);
	for (size_t k = 0; gone != NULL && k < mg_revmap_count(map); k++)
		if (gone[k] == 2)
			mg_buf_printf(&b, "\napplied but missing from the environment: %s (\"%s\" is no longer in \"%s\"); "
						  "the catalog keeps it so that the database can be downgraded",
						  mg_revmap_rev(map, (int) k)->id, mg_revmap_rev(map, (int) k)->script->filename,
						  src[k].dir);
	if (untracked)
		mg_buf_puts(&b, "\nnote: this catalog does not record where revisions come from, so revisions deleted "
					"from the directory stay in it; ALTER EXTENSION migrate UPDATE adds that");
	return finish_text(&b, report);
}

/*
 * Add texts to the catalog: migrate_add, and migrate_load with source,
 * the canonical directory the texts were read from (NULL for inline
 * adds).  A load also makes the catalog tell the truth about that
 * directory: the revisions an earlier load took from it that it no longer
 * has are removed when unapplied, kept and reported when applied; the
 * others it has are recorded as its (docs/decisions.md).
 */
static int
add_texts(char **report, mg_ctx *ctx, const mg_host *host, size_t n,
		  const char *const *texts, const char *const *filenames, const char *source)
{
	mg_session s;
	mg_script **parsed;
	int *action;          /* 0 unchanged, 1 new, 2 replace */
	int *old_at;          /* the revision's index in the catalog's graph, -1 when new */
	mg_revmap *check, *ids = NULL;
	mg_source *src = NULL;
	uint8_t *gone = NULL; /* per catalog revision: 1 removed, 2 applied and missing */
	size_t added = 0, replaced = 0, same = 0, removed = 0;
	int rc;

	*report = NULL;
	parsed = mg_alloc(ctx, (n + 1) * sizeof(mg_script *));
	action = mg_alloc(ctx, (n + 1) * sizeof(int));
	old_at = mg_alloc(ctx, (n + 1) * sizeof(int));
	if (parsed == NULL || action == NULL || old_at == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < n; i++)
	{
		const char *fn = filenames && filenames[i] ? filenames[i] : "";
		size_t len = strlen(texts[i]);

		/* what enters the catalog is UTF-8 and follows the header's key rule */
		if ((rc = mg_interrupt_check(ctx)) != MG_OK ||
			(rc = mg_utf8_check_name(ctx, fn, "file name")) != MG_OK ||
			(rc = mg_utf8_check_script(ctx, texts[i], len, fn)) != MG_OK ||
			(rc = mg_script_check_header(ctx, texts[i], len, fn)) != MG_OK ||
			(rc = mg_script_parse(&parsed[i], ctx, texts[i], len, fn)) != MG_OK)
			return rc;
		/* a revision added from its text alone: a name that says so, wherever a file is named */
		if (mg_args_blank(fn) &&
			(parsed[i]->filename = mg_printf(ctx, "<inline %s>", parsed[i]->id)) == NULL)
			return MG_ENOMEM;
	}
	if (n > 1 || source != NULL)
	{
		/*
		 * Two texts with one id (two files of one load): an error, whatever
		 * the catalog holds.  A load keeps the index, to tell which catalog
		 * revisions its directory still has.
		 */
		if ((rc = mg_revmap_new(&ids, ctx)) != MG_OK)
			return rc;
		for (size_t i = 0; i < n; i++)
			if ((rc = mg_revmap_add(ids, parsed[i])) != MG_OK)
				return rc;
		if ((rc = mg_revmap_check_ids(ids)) != MG_OK)
			return rc;
	}
	if ((rc = mg_session_open(&s, ctx, host, true)) != MG_OK ||
		(rc = mg_state_check_source(&s.st, true)) != MG_OK)
		return mg_session_close(&s, rc);
	s.st.source = source;
	if (source != NULL && s.st.has_source &&
		((rc = mg_state_sources(&src, &s.st, s.map)) != MG_OK ||
		 (gone = mg_alloc(ctx, mg_revmap_count(s.map) + 1)) == NULL))
		return mg_session_close(&s, rc != MG_OK ? rc : MG_ENOMEM);
	/* the graph as it will be: catalog revisions, new ones replacing or appended */
	if ((rc = mg_revmap_new(&check, ctx)) != MG_OK)
		return mg_session_close(&s, rc);
	{
		uint8_t *applied = NULL;
		int *cur;

		if ((rc = mg_resolve_rows(&cur, ctx, s.map, s.rows, s.nrows)) == MG_OK)
			rc = mg_revmap_ancestors(&applied, s.map, cur, s.nrows, true);
		else if (rc == MG_EINPUT)
		{
			/* a database ahead of the catalog: nothing known is "applied" by that row */
			mg_error_clear(ctx);
			rc = mg_revmap_ancestors(&applied, s.map, NULL, 0, true);
		}
		if (rc != MG_OK)
			return mg_session_close(&s, rc);
		for (size_t i = 0; i < n; i++)
		{
			int old = mg_revmap_find(s.map, parsed[i]->id);

			action[i] = 1;
			old_at[i] = old;
			if (old < 0)
				continue;
			if (strcmp(mg_revmap_rev(s.map, old)->script->checksum, parsed[i]->checksum) == 0)
			{
				action[i] = 0;
				continue;
			}
			if (applied[old])
			{
				mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
							 "revision %s is applied and its script has changed", parsed[i]->id);
				mg_error_detail(ctx, "The catalog holds checksum %s for it; \"%s\" has checksum %s.",
								mg_revmap_rev(s.map, old)->script->checksum, parsed[i]->filename,
								parsed[i]->checksum);
				mg_error_hint(ctx, "Do not edit an applied revision: write a new revision for the change, or downgrade below %s first. Nothing was changed.",
							  parsed[i]->id);
				return mg_session_close(&s, MG_EINPUT);
			}
			action[i] = 2;
		}
		/* what this directory gave an earlier load and no longer has */
		for (size_t k = 0; gone != NULL && k < mg_revmap_count(s.map); k++)
		{
			const mg_rev *r = mg_revmap_rev(s.map, (int) k);

			if ((rc = mg_interrupt_check(ctx)) != MG_OK)
				return mg_session_close(&s, rc);
			if (src[k].dir[0] != '\0' && file_under(src[k].dir, r->script->filename, source) &&
				mg_revmap_find(ids, r->id) < 0)
				gone[k] = applied[k] ? 2 : 1;
		}
		for (size_t k = 0; k < mg_revmap_count(s.map); k++)
		{
			const mg_script *use = mg_revmap_rev(s.map, (int) k)->script;

			if (gone != NULL && gone[k] == 1)
				continue;
			for (size_t i = 0; i < n; i++)
				if (action[i] == 2 && strcmp(parsed[i]->id, use->id) == 0)
					use = parsed[i];
			if ((rc = mg_revmap_add(check, use)) != MG_OK)
				return mg_session_close(&s, rc);
		}
		for (size_t i = 0; i < n; i++)
			if (action[i] == 1 && (rc = mg_revmap_add(check, parsed[i])) != MG_OK)
				return mg_session_close(&s, rc);
		if ((rc = mg_revmap_build(check)) != MG_OK)
			return mg_session_close(&s, rc);
	}
	for (size_t k = 0; gone != NULL && k < mg_revmap_count(s.map) && rc == MG_OK; k++)
	{
		const mg_rev *r = mg_revmap_rev(s.map, (int) k);

		if (gone[k] == 1)
		{
			rc = mg_state_remove_script(&s.st, r->id);
			removed++;
		}
		else if (gone[k] == 2 && !src[k].missing)
			rc = mg_state_set_source(&s.st, r->id, src[k].dir, r->script->filename, true);
	}
	for (size_t i = 0; i < n && rc == MG_OK; i++)
	{
		if (action[i] == 0)
		{
			const mg_source *was = src != NULL ? &src[old_at[i]] : NULL;

			same++;
			/* unchanged text, but found here: the row says so */
			if (was != NULL && (was->missing || strcmp(was->dir, source) != 0 ||
								strcmp(mg_revmap_rev(s.map, old_at[i])->script->filename,
									   parsed[i]->filename) != 0))
				rc = mg_state_set_source(&s.st, parsed[i]->id, source, parsed[i]->filename, false);
			continue;
		}
		rc = mg_state_put_script(&s.st, parsed[i], action[i] == 2);
		if (action[i] == 2)
			replaced++;
		else
			added++;
	}
	if (rc == MG_OK)
		rc = mg_headcache_write(&s.st, check);
	if (rc == MG_OK && source != NULL)
		rc = load_report(report, ctx, s.map, gone, src, n, added, replaced, same, removed,
						 !s.st.has_source);
	else if (rc == MG_OK)
	{
		*report = mg_printf(ctx, "%zu revision%s: %zu added, %zu replaced, %zu unchanged",
							n, n == 1 ? "" : "s", added, replaced, same);
		if (*report == NULL)
			rc = MG_ENOMEM;
	}
	return mg_session_close(&s, rc);
}

int
mg_cmd_add(char **report, mg_ctx *ctx, const mg_host *host,
		   size_t n, const char *const *texts, const char *const *filenames)
{
	return add_texts(report, ctx, host, n, texts, filenames, NULL);
}

int
mg_cmd_load(char **report, mg_ctx *ctx, const mg_host *host, const char *dir)
{
	mg_file *files;
	size_t nfiles, n = 0;
	const char **texts, **names;
	char *source;
	int rc;

	*report = NULL;
	if ((rc = mg_envdir_read(&files, &nfiles, ctx, dir)) != MG_OK)
		return rc;
	if ((rc = mg_envdir_canonical(&source, ctx, dir)) != MG_OK ||
		(rc = mg_utf8_check_name(ctx, source, "directory")) != MG_OK)
		return rc;
	texts = mg_alloc(ctx, (nfiles + 1) * sizeof(char *));
	names = mg_alloc(ctx, (nfiles + 1) * sizeof(char *));
	if (texts == NULL || names == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < nfiles; i++)
	{
		if ((rc = mg_interrupt_check(ctx)) != MG_OK)
			return rc;
		/* a header with Revises but no Revision ID is parsed, to fail */
		if (!mg_script_looks_like_revision(files[i].text, files[i].len))
			continue;
		/* the whole file: a NUL byte would end the text early */
		if ((rc = mg_utf8_check_name(ctx, files[i].relpath, "file name")) != MG_OK ||
			(rc = mg_utf8_check_script(ctx, files[i].text, files[i].len, files[i].relpath)) != MG_OK)
			return rc;
		texts[n] = files[i].text;
		names[n++] = files[i].relpath;
	}
	if (n == 0)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_FILE, "no revision scripts in \"%s\"", dir);
		if (nfiles == 0)
			mg_error_detail(ctx, "It holds no .sql file, in any subdirectory either.");
		else
			mg_error_detail(ctx, "None of the %zu .sql files under it has a \"-- Revision ID:\" header line.", nfiles);
		mg_error_hint(ctx, "Give the directory that holds the revision scripts: every .sql file under it whose header has a \"-- Revision ID:\" line is one.");
		return MG_EINPUT;
	}
	return add_texts(report, ctx, host, n, texts, names, source);
}
