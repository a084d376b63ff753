/*
 * command.c -- the SQL API's verbs: one mg_cmd_* per SQL function.
 *
 * Each command opens the state, reads what it needs, decides everything
 * (plan, checks) before it changes anything, and runs its changes inside
 * the host's atomic unit, so a failure leaves the database as it was.
 * Commands that change the database take the write lock (host->begin)
 * before they read the version table: two runs never plan from the same
 * state.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* State and catalog graph, loaded together. */
typedef struct session {
	mg_state st;
	mg_revmap *map;
	const char **rows;     /* version rows, table order */
	size_t nrows;
	bool vt_exists;
	bool in_unit;          /* host->begin succeeded */
} session;

static int
open_session(session *s, mg_ctx *ctx, const mg_host *host, bool write)
{
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = mg_state_open(&s->st, ctx, host)) != MG_OK)
		return rc;
	if (write)
	{
		if ((rc = host->begin(host->ud, ctx)) != MG_OK)
			return rc;
		s->in_unit = true;
		if ((rc = mg_state_create(&s->st)) != MG_OK)
			return rc;
	}
	if ((rc = mg_state_load_map(&s->map, &s->st)) != MG_OK)
		return rc;
	return mg_state_versions(&s->rows, &s->nrows, &s->vt_exists, &s->st);
}

/* Finish a session: commit on success, roll back (keeping the error) on failure. */
static int
close_session(session *s, int rc)
{
	const mg_host *host = s->st.host;

	if (!s->in_unit)
		return rc;
	s->in_unit = false;
	if (rc == MG_OK)
	{
		rc = host->commit(host->ud, s->st.ctx);
		if (rc == MG_OK)
			return MG_OK;
	}
	host->rollback(host->ud, s->st.ctx);
	return rc;
}

/* Replace the metadata-only scripts of the plan's revisions by full ones. */
static int
load_bodies(session *s, const mg_plan *plan)
{
	if (plan->n > 16)
	{
		uint8_t *want = mg_alloc(s->st.ctx, mg_revmap_count(s->map) + 1);

		if (want == NULL)
			return MG_ENOMEM;
		for (size_t i = 0; i < plan->n; i++)
			if (plan->steps[i].rev >= 0)
				want[plan->steps[i].rev] = 1;
		return mg_state_load_scripts(&s->st, s->map, want);
	}
	for (size_t i = 0; i < plan->n; i++)
	{
		const mg_script *full;
		int rc, r = plan->steps[i].rev;

		if (r < 0)
			continue;
		if (mg_revmap_rev(s->map, r)->script->has_body)
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
	char *sql = mg_printf(st->ctx, "DELETE FROM %s", st->version_table);

	if (sql == NULL)
		return MG_ENOMEM;
	return st->host->query(st->host->ud, st->ctx, sql, 0, NULL, NULL, NULL, NULL);
}

typedef enum { RUN_UPGRADE, RUN_DOWNGRADE, RUN_STAMP } run_kind;

static int
run_command(char **report, mg_ctx *ctx, const mg_host *host, const char *target,
			run_kind kind, bool purge, size_t max_steps, int *more)
{
	session s;
	mg_plan plan;
	int rc;

	*report = NULL;
	if (kind == RUN_DOWNGRADE && (target == NULL || *target == '\0'))
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "a downgrade target is required");
		mg_error_hint(ctx, "Give one, for example migrate_downgrade('-1') or migrate_downgrade('base').");
		return MG_EINPUT;
	}
	if ((rc = no_range(ctx, target, kind == RUN_DOWNGRADE ? "migrate_downgrade_sql" : "migrate_upgrade_sql")) != MG_OK)
		return rc;
	rc = open_session(&s, ctx, host, true);
	if (rc == MG_OK && purge)
	{
		s.rows = NULL;
		s.nrows = 0;
	}
	if (rc == MG_OK)
	{
		if (kind == RUN_UPGRADE)
			rc = mg_plan_upgrade(&plan, ctx, s.map, s.rows, s.nrows, target);
		else if (kind == RUN_DOWNGRADE)
			rc = mg_plan_downgrade(&plan, ctx, s.map, s.rows, s.nrows, target);
		else
			rc = mg_plan_stamp(&plan, ctx, s.map, s.rows, s.nrows, target);
	}
	if (rc == MG_OK && more != NULL)
		*more = max_steps > 0 && plan.n > max_steps;
	if (rc == MG_OK && max_steps > 0 && plan.n > max_steps)
		plan.n = max_steps;
	if (rc == MG_OK && kind != RUN_STAMP)
		rc = load_bodies(&s, &plan);
	if (rc == MG_OK && kind != RUN_STAMP)
		rc = mg_run_check(ctx, s.map, &plan, s.st.dialect);
	if (rc == MG_OK && purge && s.vt_exists)
		rc = clear_versions(&s.st);
	if (rc == MG_OK && !s.vt_exists)
		rc = mg_state_ensure_version_table(&s.st);
	if (rc == MG_OK)
		rc = mg_run_plan(report, &s.st, s.map, &plan, kind != RUN_STAMP);
	if (rc == MG_OK && kind == RUN_DOWNGRADE && target[0] == '-' && s.nrows > 1)
	{
		/* Alembic's warning: a bare -N walks from the first version row */
		const char *w = "WARNING: downgrade -1 from multiple heads is ambiguous; this usage will be disallowed in a future release.";

		if (host->notice != NULL)
			host->notice(host->ud, w);
		*report = mg_printf(ctx, "%s\n%s", w, *report ? *report : "");
		if (*report == NULL)
			rc = MG_ENOMEM;
	}
	if (rc == MG_OK && plan.n == 0)
	{
		char *at = rows_text(ctx, s.map, plan.end, plan.nend);

		*report = at ? mg_printf(ctx, "nothing to do: the database is at %s", at) : NULL;
		if (*report == NULL)
			rc = MG_ENOMEM;
	}
	return close_session(&s, rc);
}

int
mg_cmd_upgrade(char **report, mg_ctx *ctx, const mg_host *host, const char *target)
{
	return run_command(report, ctx, host, target ? target : "heads", RUN_UPGRADE, false, 0, NULL);
}

int
mg_cmd_upgrade_steps(char **report, int *more, mg_ctx *ctx, const mg_host *host,
					 const char *target, size_t max_steps)
{
	*more = 0;
	return run_command(report, ctx, host, target ? target : "heads", RUN_UPGRADE, false,
					   max_steps, more);
}

int
mg_cmd_downgrade(char **report, mg_ctx *ctx, const mg_host *host, const char *target)
{
	return run_command(report, ctx, host, target, RUN_DOWNGRADE, false, 0, NULL);
}

int
mg_cmd_stamp(char **report, mg_ctx *ctx, const mg_host *host, const char *target, int purge)
{
	return run_command(report, ctx, host, target, RUN_STAMP, purge != 0, 0, NULL);
}

/* ---- offline SQL ------------------------------------------------------- */

static int
offline(char **sql, mg_ctx *ctx, const mg_host *host, const char *range, bool upgrade)
{
	session s;
	mg_plan plan;
	const char *colon = range ? strchr(range, ':') : NULL;
	const char *start_spec = NULL, *dest;
	const char **start = NULL;
	size_t nstart = 0;
	int rc;

	*sql = NULL;
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
	if ((rc = open_session(&s, ctx, host, false)) != MG_OK)
		return rc;
	/* the start is resolved as Alembic's get_current_heads does offline */
	if (start_spec != NULL && *start_spec && strcmp(start_spec, "base") != 0)
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
	if (upgrade)
		rc = mg_plan_upgrade(&plan, ctx, s.map, start, nstart, *dest ? dest : "heads");
	else
		rc = mg_plan_downgrade(&plan, ctx, s.map, start, nstart, dest);
	if (rc == MG_OK)
		rc = load_bodies(&s, &plan);
	if (rc == MG_OK)
		rc = mg_emit_sql(sql, ctx, s.map, &plan, s.st.dialect, s.st.version_name);
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
		int rc = mg_report_row(&out->rows[i], ctx, map, revs[i],
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
	session s;
	const char *base = NULL, *head = NULL;
	int *revs;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (range != NULL && *range)
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
	if ((rc = open_session(&s, ctx, host, false)) != MG_OK)
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
		if (s.nrows == 0)
			cur = "base";
		if (base && strcmp(base, "current") == 0)
			base = cur;
		if (head && strcmp(head, "current") == 0)
			head = s.nrows ? cur : ",";
	}
	if ((rc = mg_report_history(&revs, &n, ctx, s.map, base, head)) != MG_OK)
		return rc;
	return fill_rows(out, ctx, s.map, revs, n, s.rows, indicate_current ? s.nrows : 0);
}

int
mg_cmd_heads(mg_rows *out, mg_ctx *ctx, const mg_host *host)
{
	session s;
	const int *h;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = open_session(&s, ctx, host, false)) != MG_OK)
		return rc;
	mg_revmap_heads(s.map, &h, &n);
	if ((rc = fill_rows(out, ctx, s.map, h, n, s.rows, s.nrows)) != MG_OK)
		return rc;
	for (size_t i = 0; i < out->n; i++)
		out->rows[i].line = mg_report_heads_line(ctx, s.map, h[i]);
	return MG_OK;
}

static int
current_revs(int **revs, size_t *n, session *s, mg_ctx *ctx)
{
	int *cur;
	int rc;

	if ((rc = mg_resolve_rows(&cur, ctx, s->map, s->rows, s->nrows)) != MG_OK)
		return rc;
	return mg_report_all_current(revs, n, ctx, s->map, cur, s->nrows);
}

int
mg_cmd_current(mg_rows *out, mg_ctx *ctx, const mg_host *host)
{
	session s;
	int *revs;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = open_session(&s, ctx, host, false)) != MG_OK ||
		(rc = current_revs(&revs, &n, &s, ctx)) != MG_OK)
		return rc;
	if ((rc = fill_rows(out, ctx, s.map, revs, n, NULL, 0)) != MG_OK)
		return rc;
	for (size_t i = 0; i < out->n; i++)
	{
		out->rows[i].is_current = 1;
		out->rows[i].line = mg_report_current_line(ctx, s.map, revs[i]);
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
	session s;
	mg_target t;
	mg_buf b;
	int *revs;
	size_t n;
	int rc;

	if ((rc = open_session(&s, ctx, host, false)) != MG_OK)
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
	session s;
	int *revs;
	size_t n;
	mg_buf b;
	int rc;

	if ((rc = open_session(&s, ctx, host, false)) != MG_OK ||
		(rc = mg_report_history(&revs, &n, ctx, s.map, NULL, NULL)) != MG_OK)
		return rc;
	mg_buf_init(&b, ctx);
	for (size_t i = 0; i < n; i++)
	{
		const mg_rev *r = mg_revmap_rev(s.map, revs[i]);
		char *head;

		if (!mg_rev_is_branchpoint(r))
			continue;
		head = mg_report_heads_line(ctx, s.map, revs[i]);
		if (head == NULL)
			return MG_ENOMEM;
		/* heads_line has no tree markers; branches shows them */
		mg_buf_printf(&b, "%s (branchpoint)\n", head);
		for (size_t k = 0; k < r->nnext; k++)
		{
			char *child = mg_report_heads_line(ctx, s.map, r->next[k]);

			if (child == NULL)
				return MG_ENOMEM;
			mg_buf_printf(&b, "%*s -> %s\n", (int) strlen(r->id), "", child);
		}
		mg_buf_puts(&b, "\n");
	}
	return finish_text(&b, text);
}

/* ---- check --------------------------------------------------------------- */

int
mg_cmd_check(char **text, int *ok, mg_ctx *ctx, const mg_host *host)
{
	session s;
	int *cur, *allcur;
	size_t nall;
	const int *h;
	size_t nh;
	mg_buf b;
	int rc, problems = 0;

	*ok = 0;
	if ((rc = open_session(&s, ctx, host, false)) != MG_OK ||
		(rc = mg_resolve_rows(&cur, ctx, s.map, s.rows, s.nrows)) != MG_OK ||
		(rc = mg_report_all_current(&allcur, &nall, ctx, s.map, cur, s.nrows)) != MG_OK)
		return rc;
	mg_revmap_heads(s.map, &h, &nh);
	mg_buf_init(&b, ctx);
	/* heads not reached */
	{
		uint8_t *have;

		if (mg_revmap_ancestors(&have, s.map, cur, s.nrows, true) != MG_OK)
			return MG_ENOMEM;
		for (size_t i = 0; i < nh; i++)
			if (!have[h[i]])
			{
				mg_buf_printf(&b, "behind: head %s is not applied\n", mg_revmap_rev(s.map, h[i])->id);
				problems++;
			}
		/* applied revisions whose script changed since */
		for (size_t k = 0; k < mg_revmap_count(s.map); k++)
		{
			char *applied;
			const mg_rev *r = mg_revmap_rev(s.map, (int) k);

			if (!have[k])
				continue;
			if ((rc = mg_state_applied_checksum(&applied, &s.st, r->id)) != MG_OK)
				return rc;
			if (applied != NULL && strcmp(applied, r->script->checksum) != 0)
			{
				mg_buf_printf(&b, "changed: revision %s was applied with checksum %s; its script now has %s\n",
							  r->id, applied, r->script->checksum);
				problems++;
			}
		}
	}
	/* diverged heads: two heads sharing a branch label */
	for (size_t i = 0; i < nh; i++)
		for (size_t j = i + 1; j < nh; j++)
		{
			const mg_rev *a = mg_revmap_rev(s.map, h[i]), *c = mg_revmap_rev(s.map, h[j]);

			for (size_t l = 0; l < a->nlabels; l++)
				if (mg_rev_has_label(c, a->labels[l]))
				{
					mg_buf_printf(&b, "diverged: branch %s has two heads, %s and %s; merge them with SELECT migrate_merge('%s,%s', 'merge %s heads')\n",
								  mg_revmap_label_name(s.map, a->labels[l]), a->id, c->id, a->id, c->id,
								  mg_revmap_label_name(s.map, a->labels[l]));
					problems++;
					break;
				}
		}
	if (problems == 0)
	{
		char *at = rows_text(ctx, s.map, s.rows, s.nrows);

		mg_buf_printf(&b, "ok: the database is at the heads (%s)", at ? at : "");
		*ok = 1;
	}
	else
	{
		b.len--;                         /* drop the last newline */
		b.p[b.len] = '\0';
		mg_buf_puts(&b, "\nrun SELECT migrate_upgrade('heads') to apply what is missing");
	}
	return mg_buf_finish(&b, text);
}

/* ---- settings ------------------------------------------------------------ */

int
mg_cmd_config(char **out, mg_ctx *ctx, const mg_host *host, const char *key, const char *value)
{
	mg_state st;
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
		rc = mg_state_set_setting(&st, key, value);
	if (rc == MG_OK)
		rc = mg_state_get_setting(out, &st, key);
	if (rc == MG_OK && (rc = host->commit(host->ud, ctx)) == MG_OK)
		return MG_OK;
	host->rollback(host->ud, ctx);
	return rc;
}

/* ---- adding scripts ------------------------------------------------------ */

int
mg_cmd_add(char **report, mg_ctx *ctx, const mg_host *host,
		   size_t n, const char *const *texts, const char *const *filenames)
{
	session s;
	mg_script **parsed;
	int *action;          /* 0 unchanged, 1 new, 2 replace */
	mg_revmap *check;
	size_t added = 0, replaced = 0, same = 0;
	int rc;

	*report = NULL;
	parsed = mg_alloc(ctx, (n + 1) * sizeof(mg_script *));
	action = mg_alloc(ctx, (n + 1) * sizeof(int));
	if (parsed == NULL || action == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if ((rc = mg_script_parse(&parsed[i], ctx, texts[i], strlen(texts[i]),
								  filenames && filenames[i] ? filenames[i] : "")) != MG_OK)
			return rc;
	if ((rc = open_session(&s, ctx, host, true)) != MG_OK)
		return close_session(&s, rc);
	/* the graph as it will be: catalog revisions, new ones replacing or appended */
	if ((rc = mg_revmap_new(&check, ctx)) != MG_OK)
		return close_session(&s, rc);
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
			return close_session(&s, rc);
		for (size_t i = 0; i < n; i++)
		{
			int old = mg_revmap_find(s.map, parsed[i]->id);

			action[i] = 1;
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
				return close_session(&s, MG_EINPUT);
			}
			action[i] = 2;
		}
		for (size_t k = 0; k < mg_revmap_count(s.map); k++)
		{
			const mg_script *use = mg_revmap_rev(s.map, (int) k)->script;

			for (size_t i = 0; i < n; i++)
				if (action[i] == 2 && strcmp(parsed[i]->id, use->id) == 0)
					use = parsed[i];
			if ((rc = mg_revmap_add(check, use)) != MG_OK)
				return close_session(&s, rc);
		}
		for (size_t i = 0; i < n; i++)
			if (action[i] == 1 && (rc = mg_revmap_add(check, parsed[i])) != MG_OK)
				return close_session(&s, rc);
		if ((rc = mg_revmap_build(check)) != MG_OK)
			return close_session(&s, rc);
	}
	for (size_t i = 0; i < n && rc == MG_OK; i++)
	{
		if (action[i] == 0)
		{
			same++;
			continue;
		}
		rc = mg_state_put_script(&s.st, parsed[i], action[i] == 2);
		if (action[i] == 2)
			replaced++;
		else
			added++;
	}
	if (rc == MG_OK)
	{
		*report = mg_printf(ctx, "%zu revision%s: %zu added, %zu replaced, %zu unchanged",
							n, n == 1 ? "" : "s", added, replaced, same);
		if (*report == NULL)
			rc = MG_ENOMEM;
	}
	return close_session(&s, rc);
}

int
mg_cmd_load(char **report, mg_ctx *ctx, const mg_host *host, const char *dir)
{
	mg_file *files;
	size_t nfiles, n = 0;
	const char **texts, **names;
	int rc;

	*report = NULL;
	if ((rc = mg_envdir_read(&files, &nfiles, ctx, dir)) != MG_OK)
		return rc;
	texts = mg_alloc(ctx, (nfiles + 1) * sizeof(char *));
	names = mg_alloc(ctx, (nfiles + 1) * sizeof(char *));
	if (texts == NULL || names == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < nfiles; i++)
		if (mg_script_is_revision(files[i].text, files[i].len))
		{
			texts[n] = files[i].text;
			names[n++] = files[i].relpath;
		}
	if (n == 0)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_FILE, "no revision scripts in \"%s\"", dir);
		mg_error_detail(ctx, "None of the %zu .sql files under it has a \"-- Revision ID:\" header line.", nfiles);
		mg_error_hint(ctx, "Give the directory that holds the revision scripts (e.g. \"migrations\").");
		return MG_EINPUT;
	}
	return mg_cmd_add(report, ctx, host, n, texts, names);
}
