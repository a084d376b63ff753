/*
 * resolve.c -- identifiers: from the text a user types to revisions.
 *
 * Alembic's RevisionMap.get_revisions / get_revision / _walk and the
 * upgrade and downgrade target parsers, with the same forms and the same
 * outcomes: full ids, unique prefixes (matched against ids longer than
 * three characters), branch labels, release tags, head, heads, base,
 * label@head|heads|base|rev, and the relative forms +N, -N, rev+N,
 * rev-N, label@+N, label@-N, label@head-N, base+N.
 *
 * Errors keep Alembic's outer sentence as the message ("Can't locate
 * revision identified by 'x'", the multiple-heads text, "Ambiguous walk",
 * ...) and put the cause Alembic hides into the detail.
 *
 * Walk results use three sentinels besides revision indices:
 * W_NONE (no revision: start from nothing / walked off the graph) and
 * W_BASE (Alembic's "base" string, reached when walking below a base).
 */
#include <ctype.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define W_NONE (-1)
#define W_OVER (-2)
#define W_BASE (-3)

typedef struct rctx {
	mg_ctx *ctx;
	const mg_revmap *map;
	const char *whole;      /* the identifier as the user gave it, for messages */
	bool single;            /* the argument takes one revision ('heads' is no way out) */
} rctx;

/* A parsed relative identifier: [label@][symbol](+|-)N. */
typedef struct relative {
	bool match;
	char *label;            /* NULL when absent */
	char *symbol;           /* NULL when absent */
	const char *rel_text;   /* "+2", "-1" */
	long rel;
} relative;

static bool
is_word(char c)
{
	return isalnum((unsigned char) c) || c == '_';
}

/* Python's re.match of (?:(.+?)@)?(\w+)?((?:\+|-)\d+) at the start of s. */
static int
parse_relative(relative *out, mg_ctx *ctx, const char *s)
{
	size_t len = strlen(s);
	size_t starts[64];
	size_t nstarts = 0;

	memset(out, 0, sizeof(*out));
	/* label group tried first with the shortest label, then without */
	for (size_t p = 1; p < len && nstarts < 63; p++)
		if (s[p] == '@' && s[p - 1] != '\n')
			starts[nstarts++] = p + 1;
	starts[nstarts++] = 0;
	for (size_t i = 0; i < nstarts; i++)
	{
		size_t pos = starts[i], w = 0, d;

		if (i + 1 < nstarts && memchr(s, '\n', pos - 1) != NULL)
			continue;
		while (pos + w < len && is_word(s[pos + w]))
			w++;
		if (pos + w >= len || (s[pos + w] != '+' && s[pos + w] != '-'))
			continue;
		d = pos + w + 1;
		if (d >= len || !isdigit((unsigned char) s[d]))
			continue;
		{
			size_t e = d;
			long v = 0;

			while (e < len && isdigit((unsigned char) s[e]))
			{
				if (v < LONG_MAX / 10 - 10)
					v = v * 10 + (s[e] - '0');
				e++;
			}
			out->match = true;
			if (i + 1 < nstarts)
			{
				out->label = mg_strndup(ctx, s, pos - 1);
				if (out->label == NULL)
					return MG_ENOMEM;
			}
			if (w > 0)
			{
				out->symbol = mg_strndup(ctx, s + pos, w);
				if (out->symbol == NULL)
					return MG_ENOMEM;
			}
			out->rel_text = mg_strndup(ctx, s + pos + w, e - pos - w);
			if (out->rel_text == NULL)
				return MG_ENOMEM;
			out->rel = s[pos + w] == '-' ? -v : v;
			return MG_OK;
		}
	}
	return MG_OK;
}

/* ---- errors ------------------------------------------------------------ */

static int
err_locate(rctx *rc, const char *argument)
{
	return mg_error_set(rc->ctx, MG_EINPUT, MG_STATE_UNDEFINED,
						"Can't locate revision identified by '%s'", argument);
}

/*
 * The hint of a multiple-heads error, for the case it fires in: an
 * argument that takes one revision (a downgrade target, the start of a
 * range: 'heads' is no way out there), heads that carry branch labels
 * (each head whose label no other head shares is reachable as
 * '<label>@head': those forms are named), or heads that carry none (only
 * 'heads' or a merge tell them apart: the migrate_merge call).
 */
static int
hint_multiple_heads(rctx *rc, const int *heads, size_t n)
{
	mg_buf ids, call, shared_call, forms;
	char *idtext, *calltext, *sharedtext, *formtext;
	size_t nforms = 0, nshared = 0;

	mg_buf_init(&ids, rc->ctx);
	mg_buf_init(&call, rc->ctx);
	mg_buf_init(&shared_call, rc->ctx);
	mg_buf_init(&forms, rc->ctx);
	for (size_t i = 0; i < n; i++)
	{
		const mg_rev *r = mg_revmap_rev(rc->map, heads[i]);

		mg_buf_printf(&ids, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", r->id);
		mg_buf_printf(&call, "%s%s", i ? "," : "", r->id);
		{
			bool found = false;

			for (size_t j = 0; j < r->nlabels && !found; j++)
			{
				bool shared = false;

				for (size_t k = 0; k < n && !shared; k++)
					shared = k != i && mg_rev_has_label(mg_revmap_rev(rc->map, heads[k]), r->labels[j]);
				if (!shared)
				{
					mg_buf_printf(&forms, "%s'%s@head'", nforms++ ? " or " : "",
								  mg_revmap_label_name(rc->map, r->labels[j]));
					found = true;
				}
			}
			if (!found)
				mg_buf_printf(&shared_call, "%s%s", nshared++ ? "," : "", r->id);
		}
	}
	if (mg_buf_finish(&ids, &idtext) != MG_OK || mg_buf_finish(&call, &calltext) != MG_OK ||
		mg_buf_finish(&shared_call, &sharedtext) != MG_OK || mg_buf_finish(&forms, &formtext) != MG_OK)
		return MG_EINPUT;
	if (rc->single)
		mg_error_hint(rc->ctx, "This argument takes one revision: name one of the heads (%s)%s%s%s.", idtext,
					  nforms ? " or one branch's head (" : "", formtext, nforms ? ")" : "");
	else if (nforms == n)
		mg_error_hint(rc->ctx, "Use %s for one branch, or 'heads' for all of them.", formtext);
	else if (nforms > 0)
		mg_error_hint(rc->ctx, "Use %s for one branch or 'heads' for all of them; the other heads share their branch: merge them with SELECT migrate_merge('%s', 'merge heads').",
					  formtext, sharedtext);
	else
		mg_error_hint(rc->ctx, "No branch label tells these heads apart: use 'heads' for all of them, or merge them with SELECT migrate_merge('%s', 'merge heads').",
					  calltext);
	return MG_EINPUT;
}

static int
err_multiple_heads(rctx *rc, const int *heads, size_t n)
{
	mg_buf b;
	char *list;

	mg_error_set(rc->ctx, MG_EINPUT, MG_STATE_CARDINALITY,
				 "Multiple head revisions are present for given argument '%s'; please specify a specific target revision, '<branchname>@%s' to narrow to a specific head, or 'heads' for all heads",
				 rc->whole, rc->whole);
	mg_buf_init(&b, rc->ctx);
	for (size_t i = 0; i < n; i++)
	{
		const mg_rev *r = mg_revmap_rev(rc->map, heads[i]);

		mg_buf_printf(&b, "%s%s", i ? ", " : "", r->id);
		if (r->nlabels > 0)
		{
			mg_buf_puts(&b, " (");
			for (size_t j = 0; j < r->nlabels; j++)
				mg_buf_printf(&b, "%s%s", j ? ", " : "", mg_revmap_label_name(rc->map, r->labels[j]));
			mg_buf_puts(&b, ")");
		}
	}
	if (mg_buf_finish(&b, &list) == MG_OK)
		mg_error_detail(rc->ctx, "The heads are %s.", list);
	return hint_multiple_heads(rc, heads, n);
}

/* ---- lineage --------------------------------------------------------------- */

static int
shares(bool *out, rctx *rc, int rev, const int *against, size_t n, bool deps)
{
	return mg_revmap_shares_lineage(out, rc->map, rev, against, n, deps);
}

/* ---- symbols and identifiers ---------------------------------------------- */

typedef struct idlist {
	int *v;
	size_t n;
	size_t cap;
	bool has_symbol;       /* resolved_id is a plain symbol to look up */
	const char *symbol;
} idlist;

static int revision_for_ident(int *out, rctx *rc, const char *id, const char *check_branch);
static int resolve_number(idlist *out, char **label, rctx *rc, const char *ident);

/* Exact key: revision id, then branch label, then release tag. */
static int
exact_key(const mg_revmap *map, const char *id)
{
	int r = mg_revmap_find(map, id);

	if (r < 0)
		r = mg_revmap_find_label(map, id);
	if (r < 0)
		r = mg_revmap_find_tag(map, id);
	return r;
}

/*
 * The hint of an unknown branch (the part before '@'): the catalog's
 * labels, so the user picks one that exists; or, with none, the prefix
 * to drop.
 */
static int
hint_no_branch(rctx *rc, const char *label)
{
	size_t nl = mg_revmap_label_count(rc->map);
	mg_buf b;
	char *list;

	if (nl == 0)
	{
		mg_error_hint(rc->ctx, "The catalog has no branch labels: drop the '%s@' prefix, or put a revision id before the '@'.", label);
		return MG_EINPUT;
	}
	mg_buf_init(&b, rc->ctx);
	for (size_t i = 0; i < nl && i < 10; i++)
		mg_buf_printf(&b, "%s'%s'", i == 0 ? "" : i + 1 == nl ? " or " : ", ",
					  mg_revmap_label_name(rc->map, (int) i));
	if (nl > 10)
		mg_buf_printf(&b, " and %zu more (SELECT * FROM migrate_heads() lists them)", nl - 10);
	if (mg_buf_finish(&b, &list) != MG_OK)
		return MG_ENOMEM;
	mg_error_hint(rc->ctx, "Put one of the catalog's branch labels before the '@': %s.", list);
	return MG_EINPUT;
}

/* Alembic's _resolve_branch: a label, else any identifier; else "No such branch". */
static int
resolve_branch(int *out, rctx *rc, const char *label)
{
	int r = mg_revmap_find(rc->map, label);

	if (r < 0)
		r = mg_revmap_find_label(rc->map, label);
	if (r >= 0)
	{
		*out = r;
		return MG_OK;
	}
	if (revision_for_ident(&r, rc, label, NULL) != MG_OK)
	{
		const mg_error *e = mg_ctx_error(rc->ctx);

		/* an ambiguous prefix keeps its own error: it names the candidates */
		if (e->code != MG_EINPUT || strcmp(e->sqlstate, MG_STATE_UNDEFINED) != 0)
			return e->code;
		err_locate(rc, label);
		mg_error_detail(rc->ctx, "No such branch: '%s'.", label);
		return hint_no_branch(rc, label);
	}
	*out = r;
	return MG_OK;
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *) a - *(const int *) b;
}

/*
 * Alembic's _revision_for_ident: exact key, else (our addition, as
 * Galaxy does) a release tag, else a unique prefix, filtered by the
 * branch's lineage; then the branch membership check.
 */
static int
revision_for_ident(int *out, rctx *rc, const char *id, const char *check_branch)
{
	int branch_rev = -1, rev;

	*out = -1;
	if (check_branch != NULL)
	{
		int rc2 = resolve_branch(&branch_rev, rc, check_branch);

		if (rc2 != MG_OK)
			return rc2;
	}
	if (id == NULL || *id == '\0')
		return MG_OK;
	rev = exact_key(rc->map, id);
	if (rev < 0)
	{
		size_t total = mg_revmap_prefix(rc->map, id, NULL, 0), n = 0;
		size_t cap = total + mg_revmap_label_count(rc->map) + 1;
		int *cand = mg_alloc(rc->ctx, cap * sizeof(int));
		const char **keys = mg_alloc(rc->ctx, cap * sizeof(char *));

		if (cand == NULL || keys == NULL)
			return MG_ENOMEM;
		mg_revmap_prefix(rc->map, id, cand, total);
		qsort(cand, total, sizeof(int), cmp_int);   /* catalog order, as Alembic's map */
		for (n = 0; n < total; n++)
			keys[n] = mg_revmap_rev(rc->map, cand[n])->id;
		/* branch labels are keys of Alembic's map too, after the ids */
		for (size_t i = 0; i < mg_revmap_label_count(rc->map); i++)
		{
			const char *l = mg_revmap_label_name(rc->map, (int) i);

			if (strlen(l) > 3 && strncmp(l, id, strlen(id)) == 0)
			{
				keys[n] = l;
				cand[n++] = mg_revmap_find_label(rc->map, l);
			}
		}
		if (branch_rev >= 0)
		{
			size_t kept = 0, before = n;
			int first = n > 0 ? cand[0] : -1;

			for (size_t i = 0; i < n; i++)
			{
				bool ok;

				if (shares(&ok, rc, cand[i], &branch_rev, 1, false) != MG_OK)
					return MG_ENOMEM;
				if (ok)
				{
					keys[kept] = keys[i];
					cand[kept++] = cand[i];
				}
			}
			n = kept;
			if (n == 0 && before > 0)
			{
				err_locate(rc, id);
				mg_error_detail(rc->ctx, "No such revision or branch '%s' on branch '%s': revision %s%s is not a member of branch '%s'.",
								id, check_branch, mg_revmap_rev(rc->map, first)->id,
								before > 1 ? " (and others starting so)" : "", check_branch);
				mg_error_hint(rc->ctx, "Drop the '%s@' prefix, or name a revision of branch '%s'.", check_branch, check_branch);
				return MG_EINPUT;
			}
		}
		if (n == 0)
		{
			err_locate(rc, id);
			mg_error_detail(rc->ctx, "No such revision or branch '%s'%s.", id,
							strlen(id) < 4 ? "; please ensure at least four characters are present for partial revision identifier matches" : "");
			mg_error_hint(rc->ctx, "SELECT revision FROM migrate_history() lists the revisions of the catalog.");
			return MG_EINPUT;
		}
		if (n > 1)
		{
			mg_buf b;
			char *list;

			mg_buf_init(&b, rc->ctx);
			for (size_t i = 0; i < n && i < 10; i++)
				mg_buf_printf(&b, "%s'%s'", i ? ", " : "", keys[i]);
			if (n > 10)
				mg_buf_printf(&b, " and %zu more", n - 10);
			if (mg_buf_finish(&b, &list) != MG_OK)
				return MG_ENOMEM;
			mg_error_set(rc->ctx, MG_EINPUT, MG_STATE_CARDINALITY,
						 "Can't locate revision identified by '%s'", id);
			mg_error_detail(rc->ctx, "Multiple revisions start with '%s': %s.", id, list);
			mg_error_hint(rc->ctx, "Give more characters of the revision id.");
			return MG_EINPUT;
		}
		rev = cand[0];
	}
	if (check_branch != NULL)
	{
		bool ok;

		if (shares(&ok, rc, rev, &branch_rev, 1, false) != MG_OK)
			return MG_ENOMEM;
		if (!ok)
		{
			err_locate(rc, id);
			mg_error_detail(rc->ctx, "Revision %s is not a member of branch '%s'.",
							mg_revmap_rev(rc->map, rev)->id, check_branch);
			mg_error_hint(rc->ctx, "Drop the '%s@' prefix, or name a revision of branch '%s'.", check_branch, check_branch);
			return MG_EINPUT;
		}
	}
	*out = rev;
	return MG_OK;
}

static int
push(rctx *rc, idlist *l, int v)
{
	if (mg_grow(rc->ctx, &l->v, &l->cap, l->n, sizeof(int)) != MG_OK)
		return MG_ENOMEM;
	l->v[l->n++] = v;
	return MG_OK;
}

/* Alembic's filter_for_lineage(targets, check_against). */
static int
filter_lineage(int *targets, size_t *n, rctx *rc, const char *check_against, bool deps)
{
	idlist ids;
	char *label = NULL;
	int *against;
	size_t na = 0, kept = 0;
	int rc2;

	/* as Alembic, the identifier is only looked up against some target */
	if (check_against == NULL || *n == 0)
		return MG_OK;
	memset(&ids, 0, sizeof(ids));
	if ((rc2 = resolve_number(&ids, &label, rc, check_against)) != MG_OK)
		return rc2;
	against = mg_alloc(rc->ctx, (ids.n + 2) * sizeof(int));
	if (against == NULL)
		return MG_ENOMEM;
	if (label != NULL)
	{
		int r;

		if ((rc2 = resolve_branch(&r, rc, label)) != MG_OK)
			return rc2;
		against[na++] = r;
	}
	if (ids.has_symbol)
	{
		int r;

		if ((rc2 = revision_for_ident(&r, rc, ids.symbol, NULL)) != MG_OK)
			return rc2;
		if (r >= 0)
			against[na++] = r;
	}
	for (size_t i = 0; i < ids.n; i++)
		against[na++] = ids.v[i];
	if (na == 0)
		return MG_OK;
	for (size_t i = 0; i < *n; i++)
	{
		bool ok;

		if (shares(&ok, rc, targets[i], against, na, deps) != MG_OK)
			return MG_ENOMEM;
		if (ok)
			targets[kept++] = targets[i];
	}
	*n = kept;
	return MG_OK;
}

/*
 * filter_lineage against the label of '<label>@...': an unknown label
 * keeps Alembic's error, with the catalog's labels in the hint.
 */
static int
filter_branch(int *targets, size_t *n, rctx *rc, const char *label)
{
	int rc2 = filter_lineage(targets, n, rc, label, false);
	const mg_error *e = mg_ctx_error(rc->ctx);

	if (rc2 != MG_EINPUT || strcmp(e->sqlstate, MG_STATE_UNDEFINED) != 0)
		return rc2;
	/* Alembic's words stay (message, detail); the hint names the labels */
	mg_ctx_error_mut(rc->ctx)->hint[0] = '\0';
	return hint_no_branch(rc, label);
}

/*
 * Alembic's _resolve_revision_number: split label@id at the first '@';
 * heads / head / base become revision lists; anything else stays a
 * symbol (has_symbol) for revision_for_ident.
 */
static int
resolve_number(idlist *out, char **label, rctx *rc, const char *ident)
{
	const char *at = ident ? strchr(ident, '@') : NULL;
	const char *id = ident;
	int rc2;

	memset(out, 0, sizeof(*out));
	*label = NULL;
	if (at != NULL)
	{
		*label = mg_strndup(rc->ctx, ident, (size_t) (at - ident));
		if (*label == NULL)
			return MG_ENOMEM;
		id = at + 1;
	}
	if (id == NULL || strcmp(id, "base") == 0)
		return MG_OK;
	if (strcmp(id, "heads") == 0)
	{
		const int *h;
		size_t n;

		if (*label != NULL)
		{
			mg_revmap_heads(rc->map, &h, &n);
			for (size_t i = 0; i < n; i++)
				if (push(rc, out, h[i]) != MG_OK)
					return MG_ENOMEM;
			return filter_branch(out->v, &out->n, rc, *label);
		}
		mg_revmap_real_heads(rc->map, &h, &n);
		for (size_t i = 0; i < n; i++)
			if (push(rc, out, h[i]) != MG_OK)
				return MG_ENOMEM;
		return MG_OK;
	}
	if (strcmp(id, "head") == 0)
	{
		const int *h;
		size_t n;

		mg_revmap_heads(rc->map, &h, &n);
		for (size_t i = 0; i < n; i++)
			if (push(rc, out, h[i]) != MG_OK)
				return MG_ENOMEM;
		if (*label != NULL && (rc2 = filter_branch(out->v, &out->n, rc, *label)) != MG_OK)
			return rc2;
		if (out->n > 1)
			return err_multiple_heads(rc, out->v, out->n);
		return MG_OK;
	}
	out->has_symbol = true;
	out->symbol = id;
	return MG_OK;
}

/* ---- walking ----------------------------------------------------------- */

/*
 * Alembic's _walk: steps > 0 up (children, filtered by the label's
 * lineage), steps < 0 down (Revises).  More than one way → "Ambiguous
 * walk".  Off the graph → W_OVER (no_overwalk) or the last revision.
 */
/*
 * The branch forms that would settle an upward choice between revs: for
 * each catalog label whose lineage keeps exactly one of them,
 * "'<label>@<whole>'" (at most three, joined with "or").  NULL when none
 * does, or when the identifier names a branch already.  *out in ctx.
 */
static int
branch_forms(char **out, rctx *rc, const int *revs, size_t n)
{
	size_t nl = mg_revmap_label_count(rc->map), found = 0;
	int *tmp;
	mg_buf b;
	int rc2;

	*out = NULL;
	if (strchr(rc->whole, '@') != NULL || n < 2)
		return MG_OK;
	tmp = mg_alloc(rc->ctx, n * sizeof(int));
	if (tmp == NULL)
		return MG_ENOMEM;
	mg_buf_init(&b, rc->ctx);
	for (size_t i = 0; i < nl && found < 3; i++)
	{
		const char *l = mg_revmap_label_name(rc->map, (int) i);
		size_t nt = n;

		if ((rc2 = mg_interrupt_check(rc->ctx)) != MG_OK)
			return rc2;
		memcpy(tmp, revs, n * sizeof(int));
		if ((rc2 = filter_lineage(tmp, &nt, rc, l, false)) != MG_OK)
			return rc2;
		if (nt == 1)
			mg_buf_printf(&b, "%s'%s@%s'", found++ ? " or " : "", l, rc->whole);
	}
	if (found == 0)
		return MG_OK;
	return mg_buf_finish(&b, out);
}

/*
 * The hint of an ambiguous walk, for the case it fires in.  Going up, a
 * branch label filters the children: name a label that keeps one of them
 * (only such labels are offered), else only an absolute target settles
 * it.  Going down, no label filters the parents of a merge point (as in
 * Alembic's _walk): an absolute target, the candidates.
 */
static void
hint_ambiguous_walk(rctx *rc, const int *kids, size_t nk, long steps, const char *label)
{
	mg_buf b;
	char *list, *forms = NULL;

	mg_buf_init(&b, rc->ctx);
	for (size_t i = 0; i < nk; i++)
		mg_buf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == nk ? " or " : ", ",
					  kids[i] >= 0 ? mg_revmap_rev(rc->map, kids[i])->id : "base");
	if (mg_buf_finish(&b, &list) != MG_OK)
		return;
	if (label != NULL)
		mg_error_hint(rc->ctx, "Branch '%s' itself %s here, so naming it does not settle the walk: give an absolute target, %s.",
					  label, steps > 0 ? "forks" : "merges", list);
	else if (steps < 0)
		mg_error_hint(rc->ctx, "A walk down from a merge point has no single next revision, whichever branch is named: give an absolute target, %s.",
					  list);
	else if (branch_forms(&forms, rc, kids, nk) == MG_OK && forms != NULL)
		mg_error_hint(rc->ctx, "Name the branch to follow, as in %s, or give an absolute target: %s.", forms, list);
	else if (mg_ctx_error(rc->ctx)->code == MG_EINPUT)
		mg_error_hint(rc->ctx, "No branch label tells these revisions apart: give an absolute target, %s.", list);
}

static int
walk(int *out, rctx *rc, int start, long steps, const char *label, bool no_overwalk)
{
	int cur = start;
	long n = steps < 0 ? -steps : steps;

	for (long s = 0; s < n; s++)
	{
		const int *src = NULL;
		size_t ns = 0, nk;
		int *kids;
		int rc3;

		if ((rc3 = mg_interrupt_check(rc->ctx)) != MG_OK)
			return rc3;
		/* the next revisions: children going up, parents (Revises) going down */
		if (steps > 0 && cur == W_NONE)
			mg_revmap_bases(rc->map, &src, &ns);
		else if (steps < 0 && cur == W_NONE)
			mg_revmap_heads(rc->map, &src, &ns);
		else if (cur >= 0)
		{
			const mg_rev *r = mg_revmap_rev(rc->map, cur);

			src = steps > 0 ? r->next : r->down;
			ns = steps > 0 ? r->nnext : r->ndown;
		}
		kids = mg_alloc(rc->ctx, (ns + 1) * sizeof(int));
		if (kids == NULL)
			return MG_ENOMEM;
		if (ns > 0)
			memcpy(kids, src, ns * sizeof(int));
		nk = ns;
		if (steps > 0 && label != NULL)
		{
			int rc2 = filter_lineage(kids, &nk, rc, label, false);

			if (rc2 != MG_OK)
				return rc2;
		}
		else if (steps < 0 && cur != W_BASE && nk == 0)
			kids[nk++] = W_BASE;    /* below a base lies "base"; below that, nothing */
		if (nk == 0)
		{
			*out = no_overwalk ? W_OVER : cur;
			return MG_OK;
		}
		if (nk > 1)
		{
			mg_error_set(rc->ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "Ambiguous walk");
			mg_error_detail(rc->ctx, "Walking %ld step%s %s from %s meets a %s.", n, n == 1 ? "" : "s",
							steps > 0 ? "up" : "down",
							cur >= 0 ? mg_revmap_rev(rc->map, cur)->id : "base",
							steps > 0 ? "branch point or several bases" : "merge point");
			hint_ambiguous_walk(rc, kids, nk, steps, label);
			return MG_EINPUT;
		}
		cur = kids[0];
	}
	*out = cur;
	return MG_OK;
}

/* ---- public: get_revisions / get_revision ------------------------------ */

static int
get_revisions(mg_target *out, rctx *rc, const char *ident)
{
	idlist ids;
	char *label;
	int rc2;

	memset(out, 0, sizeof(*out));
	if ((rc2 = resolve_number(&ids, &label, rc, ident)) != MG_OK)
		return rc2;
	out->branch = label;
	if (ids.has_symbol)
	{
		const char *sym = ids.symbol;
		char *end;
		long v;

		/* label@-N (or a bare negative number): walk down from the heads */
		v = strtol(sym, &end, 10);
		if (*sym && *end == '\0' && end != sym && v < 0)
		{
			const int *h;
			size_t nh;
			idlist res;

			memset(&res, 0, sizeof(res));
			mg_revmap_real_heads(rc->map, &h, &nh);
			for (size_t i = 0; i < nh; i++)
			{
				int w;

				if (label != NULL)
				{
					int li = -1;

					for (size_t k = 0; k < mg_revmap_label_count(rc->map); k++)
						if (strcmp(mg_revmap_label_name(rc->map, (int) k), label) == 0)
							li = (int) k;
					if (li < 0 || !mg_rev_has_label(mg_revmap_rev(rc->map, h[i]), li))
						continue;
				}
				if ((rc2 = walk(&w, rc, h[i], v, NULL, true)) != MG_OK)
					return rc2;
				if (w >= 0 && push(rc, &res, w) != MG_OK)
					return MG_ENOMEM;
			}
			out->revs = res.v;
			out->n = res.n;
			return MG_OK;
		}
		{
			int r;

			if ((rc2 = revision_for_ident(&r, rc, sym, label)) != MG_OK)
				return rc2;
			out->revs = mg_alloc(rc->ctx, sizeof(int));
			if (out->revs == NULL)
				return MG_ENOMEM;
			out->revs[0] = r;
			out->n = r >= 0 ? 1 : 0;
			return MG_OK;
		}
	}
	if (label != NULL && ids.n > 0)
	{
		/* heads / head with a label: the label must resolve */
		int br;

		if ((rc2 = resolve_branch(&br, rc, label)) != MG_OK)
			return rc2;
	}
	out->revs = ids.v;
	out->n = ids.n;
	return MG_OK;
}

int
mg_resolve(mg_target *out, mg_ctx *ctx, const mg_revmap *map, const char *ident)
{
	rctx rc = {ctx, map, ident ? ident : "base", false};

	return get_revisions(out, &rc, ident);
}

/* Alembic's get_revision, within an rctx. */
static int
get_revision(int *out, rctx *rc, const char *ident)
{
	idlist ids;
	char *label;
	int rc2;

	*out = W_NONE;
	if ((rc2 = resolve_number(&ids, &label, rc, ident)) != MG_OK)
		return rc2;
	if (ids.n > 1)
		return err_multiple_heads(rc, ids.v, ids.n);
	if (ids.n == 1)
	{
		if (label != NULL)
		{
			int br;

			if ((rc2 = resolve_branch(&br, rc, label)) != MG_OK)
				return rc2;
		}
		*out = ids.v[0];
		return MG_OK;
	}
	if (!ids.has_symbol)
	{
		if (label != NULL)
		{
			int br;

			if ((rc2 = resolve_branch(&br, rc, label)) != MG_OK)
				return rc2;
		}
		return MG_OK;
	}
	return revision_for_ident(out, rc, ids.symbol, label);
}

int
mg_resolve_one(int *out, mg_ctx *ctx, const mg_revmap *map, const char *ident)
{
	rctx rc = {ctx, map, ident ? ident : "base", true};

	return get_revision(out, &rc, ident);
}

/* ---- upgrade and downgrade targets ------------------------------------- */

/*
 * Why a relative target from the current revisions produced no
 * revision, by case, each with its own next step.
 */
typedef enum didnt
{
	DP_UP_OVER,        /* an upgrade walks beyond the head */
	DP_UP_DOWNWARD,    /* an upgrade given a step down ('-1') */
	DP_DOWN_UPWARD,    /* a downgrade given a step up ('+1') */
	DP_DOWN_AT_BASE,   /* a downgrade with nothing applied */
	DP_DOWN_OVER       /* a downgrade walks below base */
} didnt;

static int
didnt_produce(rctx *rc, const char *rel_text, long rel, didnt why)
{
	long n = rel < 0 ? -rel : rel;

	mg_error_set(rc->ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
				 "Relative revision %s didn't produce %ld migrations", rel_text, n);
	switch (why)
	{
		case DP_UP_OVER:
			mg_error_detail(rc->ctx, "The walk from the current revision passes beyond the head.");
			mg_error_hint(rc->ctx, "Use a smaller step, or 'heads' to upgrade to the head.");
			break;
		case DP_UP_DOWNWARD:
			mg_error_detail(rc->ctx, "An upgrade walks up from the current revision, and '%s' is a step down.", rel_text);
			mg_error_hint(rc->ctx, "An upgrade walks up: write '+%ld', or go down with migrate_downgrade('-%ld').", n, n);
			break;
		case DP_DOWN_UPWARD:
			mg_error_detail(rc->ctx, "A downgrade walks down from the current revision, and '%s' is a step up.", rel_text);
			mg_error_hint(rc->ctx, "Write '-%ld' to downgrade, or go up with migrate_upgrade('+%ld').", n, n);
			break;
		case DP_DOWN_AT_BASE:
			mg_error_detail(rc->ctx, "The database is at base: no revision is applied.");
			mg_error_hint(rc->ctx, "There is nothing to downgrade: check that this is the database you meant.");
			break;
		case DP_DOWN_OVER:
			mg_error_detail(rc->ctx, "The walk from the current revision passes below base.");
			mg_error_hint(rc->ctx, "Use a smaller step, or 'base' to downgrade every revision.");
			break;
	}
	return MG_EINPUT;
}

static int
walked_too_far(rctx *rc)
{
	mg_error_set(rc->ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "Walked too far");
	mg_error_detail(rc->ctx, "The relative target '%s' reaches past the end of the graph.", rc->whole);
	mg_error_hint(rc->ctx, "Use a smaller step.");
	return MG_EINPUT;
}

/*
 * The hint when a relative step has several current revisions to start
 * from: the branch forms that pick one start, else '<revision>+N' forms
 * (one per start, at most three).
 */
static int
hint_several_starts(rctx *rc, const int *starts, size_t ns, char sign)
{
	char *forms = NULL;
	mg_buf b;
	const char *step = strpbrk(rc->whole, "+-");
	int rc2;

	if ((rc2 = branch_forms(&forms, rc, starts, ns)) != MG_OK)
		return rc2;
	if (forms != NULL)
	{
		mg_error_hint(rc->ctx, "Name the branch to move on, as in %s, or give an absolute target.", forms);
		return MG_EINPUT;
	}
	mg_buf_init(&b, rc->ctx);
	for (size_t i = 0; i < ns && i < 3; i++)
		mg_buf_printf(&b, "%s'%s%s'", i == 0 ? "" : i + 1 == ns || i == 2 ? " or " : ", ",
					  mg_revmap_rev(rc->map, starts[i])->id, step ? step : (sign == '+' ? "+1" : "-1"));
	if (mg_buf_finish(&b, &forms) != MG_OK)
		return MG_ENOMEM;
	mg_error_hint(rc->ctx, "Name the revision to move from, as in %s, or give an absolute target.", forms);
	return MG_EINPUT;
}

static int
set_single(mg_target *out, rctx *rc, int rev)
{
	out->revs = mg_alloc(rc->ctx, sizeof(int));
	if (out->revs == NULL)
		return MG_ENOMEM;
	out->revs[0] = rev;
	out->n = rev >= 0 ? 1 : 0;
	return MG_OK;
}

/* get_revision("label@symbol") or get_revision(symbol). */
static int
symbol_start(int *out, rctx *rc, const char *label, const char *symbol)
{
	if (label == NULL)
		return get_revision(out, rc, symbol);
	{
		char *s = mg_printf(rc->ctx, "%s@%s", label, symbol);

		if (s == NULL)
			return MG_ENOMEM;
		return get_revision(out, rc, s);
	}
}

/*
 * The "current revisions" a relative history end walks from: the range's
 * lower end, each item looked up as Alembic does (get_revision without a
 * label, get_revisions with one).  Items naming base are dropped.
 */
static int
lower_revisions(const int **out, size_t *n, rctx *rc, const char *lower, bool many)
{
	const char **items;
	size_t nitems;
	idlist l;
	int rc2;

	memset(&l, 0, sizeof(l));
	if (mg_split_list(rc->ctx, lower, &items, &nitems) != MG_OK)
		return MG_ENOMEM;
	for (size_t i = 0; i < nitems; i++)
	{
		if (many)
		{
			mg_target t;

			if ((rc2 = get_revisions(&t, rc, items[i])) != MG_OK)
				return rc2;
			for (size_t k = 0; k < t.n; k++)
				if (t.revs[k] >= 0 && push(rc, &l, t.revs[k]) != MG_OK)
					return MG_ENOMEM;
		}
		else
		{
			int r;

			if ((rc2 = get_revision(&r, rc, items[i])) != MG_OK)
				return rc2;
			if (r >= 0 && push(rc, &l, r) != MG_OK)
				return MG_ENOMEM;
		}
	}
	*out = l.v;
	*n = l.n;
	return MG_OK;
}

static int
upgrade_target(mg_target *out, mg_ctx *ctx, const mg_revmap *map,
			   const int *current, size_t ncurrent, const char *lower,
			   const char *target, bool no_overwalk)
{
	rctx rc = {ctx, map, target ? target : "heads", false};
	relative m;
	int rc2, w;

	memset(out, 0, sizeof(*out));
	if (target == NULL)
		target = "heads";
	if ((rc2 = parse_relative(&m, ctx, target)) != MG_OK)
		return rc2;
	if (!m.match)
		return get_revisions(out, &rc, target);
	out->branch = m.label;
	if (m.rel > 0)
	{
		if (m.symbol == NULL)
		{
			int *starts;
			size_t ns = 0;

			if (lower != NULL &&
				(rc2 = lower_revisions(&current, &ncurrent, &rc, lower, m.label != NULL)) != MG_OK)
				return rc2;
			starts = mg_alloc(ctx, (mg_revmap_count(map) + ncurrent + 2) * sizeof(int));
			if (starts == NULL)
				return MG_ENOMEM;
			for (size_t i = 0; i < ncurrent; i++)
				starts[ns++] = current[i];
			if (m.label != NULL)
			{
				if ((rc2 = filter_branch(starts, &ns, &rc, m.label)) != MG_OK)
					return rc2;
				if (ns == 0 && ncurrent > 0)
				{
					/* nothing of the branch is a head: start from its newest applied revision */
					uint8_t *act;
					size_t nact = 0;

					if ((rc2 = mg_revmap_ancestors(&act, map, current, ncurrent, true)) != MG_OK)
						return rc2;
					for (size_t k = 0; k < mg_revmap_count(map); k++)
						if (act[k])
							starts[nact++] = (int) k;
					if ((rc2 = filter_lineage(starts, &nact, &rc, m.label, false)) != MG_OK)
						return rc2;
					{
						uint8_t *isdown = mg_alloc(ctx, mg_revmap_count(map) + 1);

						if (isdown == NULL)
							return MG_ENOMEM;
						for (size_t i = 0; i < nact; i++)
						{
							const mg_rev *r = mg_revmap_rev(map, starts[i]);

							for (size_t k = 0; k < r->ndown_norm; k++)
								isdown[r->down_norm[k]] = 1;
						}
						for (size_t i = 0; i < nact; i++)
							if (!isdown[starts[i]])
								starts[ns++] = starts[i];
					}
				}
			}
			if (ns == 0)
				starts[ns++] = W_NONE;
			if (ns > 1)
			{
				mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
							 "Ambiguous upgrade from multiple current revisions");
				mg_error_detail(ctx, "The database has %zu current revisions on this path.", ns);
				return hint_several_starts(&rc, starts, ns, '+');
			}
			if ((rc2 = walk(&w, &rc, starts[0], m.rel, m.label, no_overwalk)) != MG_OK)
				return rc2;
			if (w == W_OVER)
				return didnt_produce(&rc, m.rel_text, m.rel, DP_UP_OVER);
			return set_single(out, &rc, w);
		}
		if ((rc2 = get_revision(&w, &rc, m.symbol)) != MG_OK)
			return rc2;
		if ((rc2 = walk(&w, &rc, w, m.rel, m.label, no_overwalk)) != MG_OK)
			return rc2;
		if (w == W_OVER)
			return walked_too_far(&rc);
		return set_single(out, &rc, w == W_BASE ? W_NONE : w);
	}
	if (m.symbol == NULL)
	{
		char num[32];

		snprintf(num, sizeof(num), "%ld", m.rel);
		return didnt_produce(&rc, num, m.rel, DP_UP_DOWNWARD);
	}
	if ((rc2 = symbol_start(&w, &rc, m.label, m.symbol)) != MG_OK)
		return rc2;
	if ((rc2 = walk(&w, &rc, w, m.rel, NULL, no_overwalk)) != MG_OK)
		return rc2;
	if (w == W_OVER)
		return walked_too_far(&rc);
	return set_single(out, &rc, w == W_BASE ? W_NONE : w);
}

int
mg_resolve_upgrade_target(mg_target *out, mg_ctx *ctx, const mg_revmap *map,
						  const int *current, size_t ncurrent, const char *target)
{
	return upgrade_target(out, ctx, map, current, ncurrent, NULL, target, true);
}

int
mg_resolve_history_target(mg_target *out, mg_ctx *ctx, const mg_revmap *map,
						  const char *lower, const char *target)
{
	return upgrade_target(out, ctx, map, NULL, 0, lower, target, false);
}

int
mg_resolve_downgrade_target(mg_target *out, mg_ctx *ctx, const mg_revmap *map,
							const int *current, size_t ncurrent, const char *target)
{
	rctx rc = {ctx, map, target ? target : "base", true};
	relative m;
	int rc2, w, start;

	memset(out, 0, sizeof(*out));
	if (target == NULL)
		return MG_OK;
	if ((rc2 = parse_relative(&m, ctx, target)) != MG_OK)
		return rc2;
	if (m.match)
	{
		bool relative_revision = m.symbol == NULL;
		const char *label = m.label;

		if (m.rel >= 0)
		{
			if (m.symbol == NULL)
				return didnt_produce(&rc, m.rel_text, m.rel, DP_DOWN_UPWARD);
			if ((rc2 = get_revision(&start, &rc, m.symbol)) != MG_OK)
				return rc2;
			if ((rc2 = walk(&w, &rc, start, m.rel, label, true)) != MG_OK)
				return rc2;
			if (w == W_OVER)
				return walked_too_far(&rc);
			out->branch = label;
			return set_single(out, &rc, w == W_BASE ? W_NONE : w);
		}
		if (relative_revision)
		{
			if (label != NULL)
			{
				int *sym = mg_alloc(ctx, (mg_revmap_count(map) + ncurrent + 1) * sizeof(int));
				size_t ns = 0;

				if (sym == NULL)
					return MG_ENOMEM;
				for (size_t i = 0; i < ncurrent; i++)
					sym[ns++] = current[i];
				if ((rc2 = filter_branch(sym, &ns, &rc, label)) != MG_OK)
					return rc2;
				if (ns == 0)
				{
					int *all;
					size_t nall;

					if ((rc2 = mg_report_all_current(&all, &nall, ctx, map, current, ncurrent)) != MG_OK)
						return rc2;
					memcpy(sym, all, nall * sizeof(int));
					ns = nall;
					if ((rc2 = filter_branch(sym, &ns, &rc, label)) != MG_OK)
						return rc2;
				}
				if (ns != 1)
				{
					mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
								 "Relative revision %s didn't produce %ld migrations", m.rel_text, -m.rel);
					mg_error_detail(ctx, "The database has %s revision on branch '%s'.",
									ns == 0 ? "no" : "more than one", label);
					if (ns == 0)
					{
						mg_error_hint(ctx, "Nothing of branch '%s' is applied, so there is nothing to downgrade on it; SELECT * FROM migrate_current() lists the revisions that are.",
									  label);
						return MG_EINPUT;
					}
					return hint_several_starts(&rc, sym, ns, '-');
				}
				start = sym[0];
			}
			else
			{
				if (ncurrent == 0)
					return didnt_produce(&rc, m.rel_text, m.rel, DP_DOWN_AT_BASE);
				/* Alembic warns "downgrade -1 from multiple heads is ambiguous" and uses the first row */
				start = current[0];
				label = NULL;
			}
		}
		else if ((rc2 = symbol_start(&start, &rc, label, m.symbol)) != MG_OK)
			return rc2;
		if ((rc2 = walk(&w, &rc, start, m.rel, label, true)) != MG_OK)
			return rc2;
		if (w == W_OVER)
		{
			if (relative_revision)
				return didnt_produce(&rc, m.rel_text, m.rel, DP_DOWN_OVER);
			return walked_too_far(&rc);
		}
		/* a relative downgrade without a label is scoped to the start revision */
		out->branch = label;
		if (relative_revision && m.label == NULL)
			out->branch = mg_strdup(ctx, mg_revmap_rev(map, start)->id);
		return set_single(out, &rc, w == W_BASE ? W_NONE : w);
	}
	{
		const char *at = strrchr(target, '@');
		const char *symbol = at ? at + 1 : target;

		if (at != NULL)
		{
			out->branch = mg_strndup(ctx, target, (size_t) (at - target));
			if (out->branch == NULL)
				return MG_ENOMEM;
		}
		if ((rc2 = get_revision(&w, &rc, symbol)) != MG_OK)
			return rc2;
		return set_single(out, &rc, w);
	}
}

int
mg_resolve_filter_lineage(int *targets, size_t *n, mg_ctx *ctx, const mg_revmap *map,
						  const char *check_against, bool with_deps)
{
	rctx rc = {ctx, map, check_against, false};

	return filter_lineage(targets, n, &rc, check_against, with_deps);
}

int
mg_resolve_rows(int **out, mg_ctx *ctx, const mg_revmap *map, const char *const *rows, size_t n)
{
	*out = mg_alloc(ctx, (n + 1) * sizeof(int));
	if (*out == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < n; i++)
	{
		int r = mg_revmap_find(map, rows[i]);

		if (r < 0)
		{
			mg_error_set(ctx, MG_EINPUT, MG_STATE_UNDEFINED,
						 "Can't locate revision identified by '%s'", rows[i]);
			mg_error_detail(ctx, "The version table holds revision %s, which the catalog does not have: the database is ahead of the loaded revision scripts.",
							rows[i]);
			mg_error_hint(ctx, "Load the scripts that include revision %s (migrate_load or migrate_add) and try again.", rows[i]);
			return MG_EINPUT;
		}
		(*out)[i] = r;
	}
	return MG_OK;
}
