/*
 * plan.c -- from (version rows, target) to the ordered steps to run.
 *
 * Alembic's _collect_upgrade_revisions / _collect_downgrade_revisions /
 * _stamp_revs choose which revisions run, _topological_sort orders them,
 * and HeadMaintainer decides, step by step, which INSERT / UPDATE /
 * DELETE keeps the version table at "one row per head".  The plan
 * carries those statements, so the online runner and the offline
 * emitter write exactly the same version-table changes.
 *
 * Where Alembic iterates a Python set (the parents of a merge when other
 * heads exist), this uses the Revises order, which is deterministic.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* A small ordered set of revision indices: the simulated version rows. */
typedef struct heads {
	int *v;
	size_t n, cap;
} heads;

static bool
heads_has(const heads *h, int r)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i] == r)
			return true;
	return false;
}

static int
heads_add(mg_ctx *ctx, heads *h, int r)
{
	if (heads_has(h, r))
		return MG_OK;
	if (mg_grow(ctx, &h->v, &h->cap, h->n, sizeof(int)) != MG_OK)
		return MG_ENOMEM;
	h->v[h->n++] = r;
	return MG_OK;
}

static void
heads_remove(heads *h, int r)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i] == r)
		{
			memmove(&h->v[i], &h->v[i + 1], (h->n - i - 1) * sizeof(int));
			h->n--;
			return;
		}
}

static const char *
rid(const mg_revmap *map, int r)
{
	return mg_revmap_rev(map, r)->id;
}

/* Append an operation to a step; most steps have one, so room grows from one. */
static int
add_op(mg_ctx *ctx, mg_step *st, size_t *cap, mg_vop_kind kind, const char *from, const char *to)
{
	if (st->nops == *cap)
	{
		size_t newcap = *cap ? *cap * 2 : 1;
		mg_vop *ops = mg_realloc(ctx, st->ops, *cap * sizeof(mg_vop), newcap * sizeof(mg_vop));

		if (ops == NULL)
			return MG_ENOMEM;
		st->ops = ops;
		*cap = newcap;
	}
	st->ops[st->nops].kind = kind;
	st->ops[st->nops].from = from;
	st->ops[st->nops].to = to;
	st->nops++;
	return MG_OK;
}

/*
 * Comma-separated ids ("a, b"), Alembic's format_as_comma; one id is the
 * revision's own string (not copied), none is "".
 */
static const char *
join_ids(mg_ctx *ctx, const mg_revmap *map, const int *v, size_t n)
{
	size_t len = 0;
	char *s, *w;

	if (n == 0)
		return "";
	if (n == 1)
		return rid(map, v[0]);
	/* sized exactly: a plan has one such text per merge step */
	for (size_t i = 0; i < n; i++)
		len += strlen(rid(map, v[i])) + (i ? 2 : 0);
	if ((s = mg_alloc(ctx, len + 1)) == NULL)
		return NULL;
	w = s;
	for (size_t i = 0; i < n; i++)
	{
		const char *id = rid(map, v[i]);
		size_t k = strlen(id);

		if (i)
		{
			memcpy(w, ", ", 2);
			w += 2;
		}
		memcpy(w, id, k);
		w += k;
	}
	*w = '\0';
	return s;
}

/*
 * down_norm minus the ancestors of the other heads (Alembic's merge and
 * unmerge idents).  Only whether a parent is reached matters, so the
 * walk stops below the lowest-ranked parent.
 */
static int
parents_not_implied(int **out, size_t *nout, mg_ctx *ctx, mg_walker *w,
					const mg_revmap *map, const heads *h, const int *exclude, size_t nexclude,
					const int *parents, size_t np)
{
	int *others = mg_alloc(ctx, (h->n + 1) * sizeof(int));
	size_t no = 0;
	int min_rank = -1;

	*out = mg_alloc(ctx, (np + 1) * sizeof(int));
	*nout = 0;
	if (others == NULL || *out == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < h->n; i++)
	{
		bool ex = false, related = false;

		for (size_t k = 0; k < nexclude; k++)
			ex = ex || exclude[k] == h->v[i];
		/* a head in another part of the graph cannot sit above a parent */
		for (size_t k = 0; k < np && !related; k++)
			related = mg_revmap_rev(map, parents[k])->component == mg_revmap_rev(map, h->v[i])->component;
		if (!ex && related)
			others[no++] = h->v[i];
	}
	if (no == 0)
	{
		memcpy(*out, parents, np * sizeof(int));
		*nout = np;
		return MG_OK;
	}
	for (size_t i = 0; i < np; i++)
	{
		int rk = mg_revmap_rev(map, parents[i])->rank;

		if (min_rank < 0 || rk < min_rank)
			min_rank = rk;
	}
	mg_walker_ancestors(w, others, no, min_rank);
	for (size_t i = 0; i < np; i++)
		if (!mg_walker_marked(w, parents[i]))
			(*out)[(*nout)++] = parents[i];
	return MG_OK;
}

/* HeadMaintainer.update_to_step for a revision step. */
static int
maintain(mg_ctx *ctx, mg_walker *w, const mg_revmap *map, heads *h, mg_step *st)
{
	const mg_rev *r = mg_revmap_rev(map, st->rev);
	size_t cap = 0;
	int n_in = 0;

	for (size_t i = 0; i < r->ndown_norm; i++)
		n_in += heads_has(h, r->down_norm[i]);

	if (!st->upgrade)
	{
		bool in_heads = heads_has(h, st->rev);
		int *to = NULL;
		size_t nto = 0;

		if (in_heads && r->ndown_norm > 0 &&
			parents_not_implied(&to, &nto, ctx, w, map, h, &st->rev, 1, r->down_norm, r->ndown_norm) != MG_OK)
			return MG_ENOMEM;
		if (in_heads && (r->ndown_norm == 0 || nto == 0))
		{
			/* delete branch */
			heads_remove(h, st->rev);
			return add_op(ctx, st, &cap, MG_VOP_DELETE, r->id, NULL);
		}
		if (in_heads && r->ndown_norm > 1)
		{
			/* unmerge: insert the extra parents, update rev -> last parent */
			for (size_t i = 0; i + 1 < nto; i++)
			{
				if (heads_add(ctx, h, to[i]) != MG_OK ||
					add_op(ctx, st, &cap, MG_VOP_INSERT, NULL, rid(map, to[i])) != MG_OK)
					return MG_ENOMEM;
			}
			heads_remove(h, st->rev);
			if (heads_add(ctx, h, to[nto - 1]) != MG_OK)
				return MG_ENOMEM;
			return add_op(ctx, st, &cap, MG_VOP_UPDATE, r->id, rid(map, to[nto - 1]));
		}
	}
	else
	{
		if (r->ndown_norm == 0 || n_in == 0)
		{
			/* create branch */
			if (heads_add(ctx, h, st->rev) != MG_OK)
				return MG_ENOMEM;
			return add_op(ctx, st, &cap, MG_VOP_INSERT, NULL, r->id);
		}
		if (r->ndown_norm > 1 && n_in > 1)
		{
			/* merge: delete all but one parent, update the last one -> rev */
			int *from;
			size_t nfrom;

			if (parents_not_implied(&from, &nfrom, ctx, w, map, h, r->down_norm, r->ndown_norm,
									r->down_norm, r->ndown_norm) != MG_OK)
				return MG_ENOMEM;
			for (size_t i = 0; i + 1 < nfrom; i++)
			{
				heads_remove(h, from[i]);
				if (add_op(ctx, st, &cap, MG_VOP_DELETE, rid(map, from[i]), NULL) != MG_OK)
					return MG_ENOMEM;
			}
			heads_remove(h, from[nfrom - 1]);
			if (heads_add(ctx, h, st->rev) != MG_OK)
				return MG_ENOMEM;
			return add_op(ctx, st, &cap, MG_VOP_UPDATE, rid(map, from[nfrom - 1]), r->id);
		}
	}
	/* linear step: UPDATE */
	{
		int down = -1;

		if (r->ndown_norm == 1)
			down = r->down_norm[0];
		else
		{
			for (size_t i = 0; i < r->ndown_norm; i++)
				if (heads_has(h, r->down_norm[i]))
				{
					if (down >= 0)
						down = -2;
					else if (down == -1)
						down = r->down_norm[i];
				}
			if (down < 0)
				return mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
									"Can't do an UPDATE because downrevision is ambiguous");
		}
		if (st->upgrade)
		{
			heads_remove(h, down);
			if (heads_add(ctx, h, st->rev) != MG_OK)
				return MG_ENOMEM;
			return add_op(ctx, st, &cap, MG_VOP_UPDATE, rid(map, down), r->id);
		}
		heads_remove(h, st->rev);
		if (heads_add(ctx, h, down) != MG_OK)
			return MG_ENOMEM;
		return add_op(ctx, st, &cap, MG_VOP_UPDATE, r->id, rid(map, down));
	}
}

static int
set_rows(const char ***out, size_t *n, mg_ctx *ctx, const mg_revmap *map, const heads *h)
{
	*out = mg_alloc(ctx, (h->n + 1) * sizeof(char *));
	if (*out == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < h->n; i++)
		(*out)[i] = rid(map, h->v[i]);
	*n = h->n;
	return MG_OK;
}

/* Turn an ordered revision list into steps with their version operations. */
static int
make_steps(mg_plan *plan, mg_ctx *ctx, const mg_revmap *map, const int *cur, size_t ncur,
		   const int *order, size_t n, bool upgrade)
{
	heads h = {0};
	mg_walker *w;

	if (mg_walker_new(&w, map) != MG_OK)
		return MG_ENOMEM;
	for (size_t i = 0; i < ncur; i++)
		if (heads_add(ctx, &h, cur[i]) != MG_OK)
			return MG_ENOMEM;
	plan->steps = mg_alloc(ctx, (n + 1) * sizeof(mg_step));
	if (plan->steps == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < n; i++)
	{
		mg_step *st = &plan->steps[i];
		const mg_rev *r = mg_revmap_rev(map, order[i]);
		const char *downs = join_ids(ctx, map, r->down, r->ndown);
		int rc;

		if ((rc = mg_interrupt_check(ctx)) != MG_OK)
			return rc;
		if (downs == NULL)
			return MG_ENOMEM;
		st->rev = order[i];
		st->upgrade = upgrade;
		st->from = upgrade ? downs : r->id;
		st->to = upgrade ? r->id : downs;
		if ((rc = maintain(ctx, w, map, &h, st)) != MG_OK)
			return rc;
		plan->n++;
	}
	return set_rows(&plan->end, &plan->nend, ctx, map, &h);
}

/* Keep only real revisions (drop "base" entries). */
static size_t
compact(int *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i] >= 0)
			v[k++] = v[i];
	return k;
}

static void
reverse(int *v, size_t n)
{
	for (size_t i = 0; i < n / 2; i++)
	{
		int t = v[i];

		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
}

static int
start_plan(mg_plan *out, int **cur, mg_ctx *ctx, const mg_revmap *map,
		   const char *const *current, size_t ncurrent)
{
	memset(out, 0, sizeof(*out));
	out->start = (const char **) current;
	out->nstart = ncurrent;
	return mg_resolve_rows(cur, ctx, map, current, ncurrent);
}

int
mg_plan_upgrade(mg_plan *out, mg_ctx *ctx, const mg_revmap *map,
				const char *const *current, size_t ncurrent, const char *target)
{
	int *cur, *order;
	mg_target t;
	uint8_t *required, *have;
	size_t norder;
	int rc;

	if ((rc = start_plan(out, &cur, ctx, map, current, ncurrent)) != MG_OK ||
		(rc = mg_resolve_upgrade_target(&t, ctx, map, cur, ncurrent, target)) != MG_OK)
		return rc;
	t.n = compact(t.revs, t.n);
	if ((rc = mg_revmap_ancestors_checked(&required, map, t.revs, t.n)) != MG_OK ||
		(rc = mg_revmap_ancestors_checked(&have, map, cur, ncurrent)) != MG_OK)
		return rc;
	for (size_t k = 0; k < mg_revmap_count(map); k++)
		required[k] = required[k] && !have[k];
	if ((rc = mg_revmap_toposort(&order, &norder, map, required, t.revs, t.n)) != MG_OK)
		return rc;
	reverse(order, norder);
	return make_steps(out, ctx, map, cur, ncurrent, order, norder, true);
}

int
mg_plan_downgrade(mg_plan *out, mg_ctx *ctx, const mg_revmap *map,
				  const char *const *current, size_t ncurrent, const char *target)
{
	int *cur, *roots, *order;
	size_t nroots = 0, norder, total = mg_revmap_count(map);
	mg_target t;
	int trev, rc;
	uint8_t *drop, *active;

	if ((rc = start_plan(out, &cur, ctx, map, current, ncurrent)) != MG_OK)
		return rc;
	if ((rc = mg_resolve_downgrade_target(&t, ctx, map, cur, ncurrent, target)) != MG_OK)
	{
		/* Alembic rewords walk errors only when the range is bad; keep them */
		return rc;
	}
	trev = t.n > 0 ? t.revs[0] : -1;
	roots = mg_alloc(ctx, (total + 1) * sizeof(int));
	if (roots == NULL)
		return MG_ENOMEM;
	if (trev < 0)
	{
		for (size_t k = 0; k < total; k++)
			if (mg_revmap_rev(map, (int) k)->ndown == 0)
				roots[nroots++] = (int) k;
	}
	else
	{
		const mg_rev *r = mg_revmap_rev(map, trev);

		if (r->nnext > 0)
			memcpy(roots, r->next, r->nnext * sizeof(int));
		nroots = r->nnext;
	}
	if (t.branch != NULL && nroots > 1)
	{
		int br;
		uint8_t *anc;
		size_t kept = 0;

		if ((rc = mg_resolve_one(&br, ctx, map, t.branch)) != MG_OK)
			return rc;
		if (br >= 0)
		{
			if ((rc = mg_revmap_ancestors(&anc, map, &br, 1, false)) != MG_OK)
				return rc;
			for (size_t i = 0; i < nroots; i++)
				if (anc[roots[i]])
					roots[kept++] = roots[i];
			nroots = kept;
		}
		if (nroots == 0)
		{
			mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
						 "Not a valid downgrade target from current heads");
			mg_error_detail(ctx, "No revision above the target '%s' lies on branch '%s'.", target, t.branch);
			mg_error_hint(ctx, "Name a revision of branch '%s' that is below the database's current revisions (SELECT * FROM migrate_current() lists them), or drop the '%s@' prefix.",
						  t.branch, t.branch);
			return MG_EINPUT;
		}
	}
	if ((rc = mg_revmap_descendants(&drop, map, roots, nroots, true)) != MG_OK ||
		(rc = mg_revmap_ancestors(&active, map, cur, ncurrent, true)) != MG_OK)
		return rc;
	{
		bool any = false;

		for (size_t k = 0; k < total; k++)
		{
			drop[k] = drop[k] && active[k];
			any = any || drop[k];
		}
		if (trev >= 0 && !any)
		{
			bool in_heads = false;

			for (size_t i = 0; i < ncurrent; i++)
				in_heads = in_heads || cur[i] == trev;
			if (!in_heads)
			{
				bool above = false;

				mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
							 "Destination %s is not a valid downgrade target from current head(s)", target);
				mg_error_detail(ctx, "Revision %s is not below the database's current revision%s.",
								rid(map, trev), ncurrent == 1 ? "" : "s");
				/* a target above the database is reached by an upgrade: say so */
				{
					uint8_t *up;

					if ((rc = mg_revmap_ancestors(&up, map, &trev, 1, true)) != MG_OK)
						return rc;
					above = ncurrent == 0;
					for (size_t i = 0; i < ncurrent && !above; i++)
						above = cur[i] >= 0 && up[cur[i]];
				}
				if (above)
					mg_error_hint(ctx, "%s is above the database: go up to it with SELECT migrate_upgrade('%s').",
								  rid(map, trev), target);
				else
					mg_error_hint(ctx, "Name a revision below the database's current revisions (SELECT * FROM migrate_current() lists them), or 'base'.");
				return MG_EINPUT;
			}
		}
	}
	if ((rc = mg_revmap_toposort(&order, &norder, map, drop, cur, ncurrent)) != MG_OK)
		return rc;
	return make_steps(out, ctx, map, cur, ncurrent, order, norder, false);
}

/*
 * One revision undone and nothing else: the downgrade whose only root is
 * rev (what mg_plan_downgrade plans for a target just below rev on rev's
 * own line), so a stepwise downgrade runs exactly the steps it planned.
 * Every applied revision above rev, through down revisions and
 * dependencies, is in the plan too: the caller compares plan->n with 1.
 */
int
mg_plan_undo(mg_plan *out, mg_ctx *ctx, const mg_revmap *map,
			 const char *const *current, size_t ncurrent, int rev)
{
	int *cur, *order;
	size_t norder;
	uint8_t *drop, *active;
	int rc;

	if ((rc = start_plan(out, &cur, ctx, map, current, ncurrent)) != MG_OK ||
		(rc = mg_revmap_descendants(&drop, map, &rev, 1, true)) != MG_OK ||
		(rc = mg_revmap_ancestors(&active, map, cur, ncurrent, true)) != MG_OK)
		return rc;
	for (size_t k = 0; k < mg_revmap_count(map); k++)
		drop[k] = drop[k] && active[k];
	if ((rc = mg_revmap_toposort(&order, &norder, map, drop, cur, ncurrent)) != MG_OK)
		return rc;
	return make_steps(out, ctx, map, cur, ncurrent, order, norder, false);
}

/* ---- stamp ------------------------------------------------------------- */

/* StampStep rules of HeadMaintainer, on version-row strings. */
static int
stamp_step(mg_plan *plan, size_t *cap, mg_ctx *ctx, const mg_revmap *map, heads *h,
		   const int *from, size_t nfrom, int to, bool upgrade, bool branch_move)
{
	mg_step *st;
	size_t ocap = 0;

	if (mg_grow(ctx, &plan->steps, cap, plan->n, sizeof(mg_step)) != MG_OK)
		return MG_ENOMEM;
	st = &plan->steps[plan->n++];
	memset(st, 0, sizeof(*st));
	st->rev = -1;
	st->upgrade = upgrade;
	st->from = join_ids(ctx, map, from, nfrom);
	st->to = to >= 0 ? rid(map, to) : "";
	if (st->from == NULL)
		return MG_ENOMEM;
	if (!upgrade && branch_move)
	{
		heads_remove(h, from[0]);
		return add_op(ctx, st, &ocap, MG_VOP_DELETE, rid(map, from[0]), NULL);
	}
	if (upgrade && to >= 0 && !heads_has(h, to))
	{
		bool from_missing = false;

		for (size_t i = 0; i < nfrom; i++)
			from_missing = from_missing || !heads_has(h, from[i]);
		if (branch_move || from_missing)
		{
			if (heads_add(ctx, h, to) != MG_OK)
				return MG_ENOMEM;
			return add_op(ctx, st, &ocap, MG_VOP_INSERT, NULL, rid(map, to));
		}
	}
	if (nfrom > 1)
	{
		for (size_t i = 0; i + 1 < nfrom; i++)
		{
			heads_remove(h, from[i]);
			if (add_op(ctx, st, &ocap, MG_VOP_DELETE, rid(map, from[i]), NULL) != MG_OK)
				return MG_ENOMEM;
		}
		heads_remove(h, from[nfrom - 1]);
		if (heads_add(ctx, h, to) != MG_OK)
			return MG_ENOMEM;
		return add_op(ctx, st, &ocap, MG_VOP_UPDATE, rid(map, from[nfrom - 1]), rid(map, to));
	}
	if (nfrom == 0 || to < 0)
		return mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "stamp cannot move between these revisions");
	heads_remove(h, from[0]);
	if (heads_add(ctx, h, to) != MG_OK)
		return MG_ENOMEM;
	return add_op(ctx, st, &ocap, MG_VOP_UPDATE, rid(map, from[0]), rid(map, to));
}

int
mg_plan_stamp(mg_plan *out, mg_ctx *ctx, const mg_revmap *map,
			  const char *const *current, size_t ncurrent, const char *target)
{
	int *cur, *filtered;
	size_t nfiltered = ncurrent, cap = 0;
	mg_target dests;
	heads h = {0};
	int rc;

	if ((rc = start_plan(out, &cur, ctx, map, current, ncurrent)) != MG_OK)
		return rc;
	if (target == NULL || *target == '\0')
		target = "base";
	filtered = mg_alloc(ctx, (ncurrent + 1) * sizeof(int));
	if (filtered == NULL)
		return MG_ENOMEM;
	memcpy(filtered, cur, ncurrent * sizeof(int));
	if ((rc = mg_resolve_filter_lineage(filtered, &nfiltered, ctx, map, target, true)) != MG_OK ||
		(rc = mg_resolve(&dests, ctx, map, target)) != MG_OK)
	{
		mg_error *e = mg_ctx_error_mut(ctx);

		if (rc == MG_EINPUT && strncmp(e->message, "Multiple head revisions", 23) == 0)
			snprintf(e->message, sizeof(e->message), "%s",
					 "Multiple heads are present; please specify a single target revision");
		return rc;
	}
	for (size_t i = 0; i < ncurrent; i++)
		if (heads_add(ctx, &h, cur[i]) != MG_OK)
			return MG_ENOMEM;
	dests.n = compact(dests.revs, dests.n);
	if (dests.n == 0)
	{
		for (size_t i = 0; i < nfiltered; i++)
			if ((rc = stamp_step(out, &cap, ctx, map, &h, &filtered[i], 1, -1, false, true)) != MG_OK)
				return rc;
		return set_rows(&out->end, &out->nend, ctx, map, &h);
	}
	for (size_t d = 0; d < dests.n; d++)
	{
		int dest = dests.revs[d];
		uint8_t *desc, *anc;
		bool in_f = false, below = false, above = false;

		for (size_t i = 0; i < nfiltered; i++)
			in_f = in_f || filtered[i] == dest;
		if (in_f)
			continue;
		if ((rc = mg_revmap_descendants(&desc, map, &dest, 1, true)) != MG_OK ||
			(rc = mg_revmap_ancestors(&anc, map, &dest, 1, true)) != MG_OK)
			return rc;
		for (size_t i = 0; i < nfiltered; i++)
		{
			below = below || desc[filtered[i]];
			above = above || anc[filtered[i]];
		}
		if (below)
			rc = stamp_step(out, &cap, ctx, map, &h, filtered, nfiltered, dest, false, false);
		else if (above)
			rc = stamp_step(out, &cap, ctx, map, &h, filtered, nfiltered, dest, true, false);
		else
			rc = stamp_step(out, &cap, ctx, map, &h, NULL, 0, dest, true, true);
		if (rc != MG_OK)
			return rc;
	}
	return set_rows(&out->end, &out->nend, ctx, map, &h);
}
