/*
 * report.c -- Alembic's text: history lines, heads, current, show, the
 * "Running upgrade" log, and the history walk itself.
 *
 * The formats follow alembic/script/base.py (Script._head_only,
 * log_entry) character for character, so scripts that parse Alembic's
 * output keep working.  Where Alembic prints a Python set (branch
 * labels, a branch point's children), this prints catalog order.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static void
put_labels(mg_buf *b, const mg_revmap *map, const mg_rev *r)
{
	for (size_t i = 0; i < r->nlabels; i++)
	{
		if (i)
			mg_buf_puts(b, ", ");
		mg_buf_puts(b, mg_revmap_label_name(map, r->labels[i]));
	}
}

static void
put_ids(mg_buf *b, const mg_revmap *map, const int *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
	{
		if (i)
			mg_buf_puts(b, ", ");
		mg_buf_puts(b, mg_revmap_rev(map, v[i])->id);
	}
}

/* Alembic's _format_down_revision: "<base>" or the Revises ids. */
static void
put_down(mg_buf *b, const mg_revmap *map, const mg_rev *r)
{
	if (r->ndown == 0)
		mg_buf_puts(b, "<base>");
	else
		put_ids(b, map, r->down, r->ndown);
}

static char *
finish(mg_buf *b)
{
	char *s;

	return mg_buf_finish(b, &s) == MG_OK ? s : NULL;
}

/* Alembic's Script._head_only with its flags, appended to b. */
static void
put_head_only(mg_buf *b, const mg_revmap *map, int rev, bool branches, bool doc,
			  bool parents, bool tree, bool current)
{
	const mg_rev *r = mg_revmap_rev(map, rev);

	if (parents)
	{
		put_down(b, map, r);
		if (r->script->ndeps > 0)
		{
			mg_buf_puts(b, " (");
			mg_buf_join(b, r->script->deps, r->script->ndeps, ", ");
			mg_buf_puts(b, ")");
		}
		mg_buf_puts(b, " -> ");
	}
	mg_buf_puts(b, r->id);
	if (branches && r->nlabels > 0)
	{
		mg_buf_puts(b, " (");
		put_labels(b, map, r);
		mg_buf_puts(b, ")");
	}
	if (mg_rev_is_real_head(r))
		mg_buf_puts(b, " (head)");
	if (mg_rev_is_head(r) && !mg_rev_is_real_head(r))
		mg_buf_puts(b, " (effective head)");
	if (current)
		mg_buf_puts(b, " (current)");
	if (tree)
	{
		if (mg_rev_is_branchpoint(r))
			mg_buf_puts(b, " (branchpoint)");
		if (mg_rev_is_mergepoint(r))
			mg_buf_puts(b, " (mergepoint)");
	}
	if (doc)
	{
		mg_buf_puts(b, ", ");
		mg_buf_puts(b, r->script->message);
	}
}

static char *
head_only(mg_ctx *ctx, const mg_revmap *map, int rev, bool branches, bool doc,
		  bool parents, bool tree, bool current)
{
	mg_buf b;

	mg_buf_init(&b, ctx);
	put_head_only(&b, map, rev, branches, doc, parents, tree, current);
	return finish(&b);
}

char *
mg_report_labels(mg_ctx *ctx, const mg_revmap *map, int rev)
{
	mg_buf b;

	mg_buf_init(&b, ctx);
	put_labels(&b, map, mg_revmap_rev(map, rev));
	return finish(&b);
}

char *
mg_report_history_line(mg_ctx *ctx, const mg_revmap *map, int rev, bool current)
{
	return head_only(ctx, map, rev, true, true, true, true, current);
}

char *
mg_report_heads_line(mg_ctx *ctx, const mg_revmap *map, int rev)
{
	return head_only(ctx, map, rev, true, false, false, false, false);
}

char *
mg_report_current_line(mg_ctx *ctx, const mg_revmap *map, int rev)
{
	return head_only(ctx, map, rev, false, false, false, true, false);
}

/*
 * One line per step of a run: put together with one allocation and
 * memcpy, not printf (the same text as "%s %s -> %s[, %s]").
 */
char *
mg_report_step(mg_ctx *ctx, const mg_revmap *map, const mg_step *step, bool with_doc)
{
	const char *name = step->rev < 0 ? "stamp_revision" : step->upgrade ? "upgrade" : "downgrade";
	const char *msg = with_doc && step->rev >= 0 ? mg_revmap_rev(map, step->rev)->script->message : "";
	const char *parts[7] = {name, " ", step->from, " -> ", step->to, ", ", msg};
	size_t lens[7], total = 0;
	int nparts = msg[0] ? 7 : 5;
	char *out, *w;

	for (int i = 0; i < nparts; i++)
		total += lens[i] = strlen(parts[i]);
	out = mg_realloc_uninit(ctx, NULL, 0, total + 1);
	if (out == NULL)
		return NULL;
	w = out;
	for (int i = 0; i < nparts; i++)
	{
		memcpy(w, parts[i], lens[i]);
		w += lens[i];
	}
	*w = '\0';
	return out;
}

/*
 * The header's free text after the message ("Note: run it at night"),
 * indented as the docstring: Alembic's show prints the whole docstring,
 * so what the author wrote below the keys is shown too.
 */
static void
put_doc_rest(mg_buf *b, const mg_script *s)
{
	const char *rest = strchr(mg_script_doc(s), '\n');

	if (rest == NULL)
		return;
	while (*rest == '\n')
		rest++;
	if (*rest == '\0')
		return;
	mg_buf_puts(b, "    \n");
	while (*rest != '\0')
	{
		const char *end = strchr(rest, '\n');
		size_t n = end != NULL ? (size_t) (end - rest) : strlen(rest);

		mg_buf_puts(b, "    ");
		mg_buf_putn(b, rest, n);
		mg_buf_putc(b, '\n');
		rest += n;
		if (*rest == '\n')
			rest++;
	}
}

char *
mg_report_show(mg_ctx *ctx, const mg_revmap *map, int rev, bool current)
{
	const mg_rev *r = mg_revmap_rev(map, rev);
	const mg_script *s = r->script;
	mg_buf b;

	mg_buf_init(&b, ctx);
	mg_buf_printf(&b, "Rev: %s%s%s%s%s\n", r->id,
				  mg_rev_is_head(r) ? " (head)" : "",
				  mg_rev_is_branchpoint(r) ? " (branchpoint)" : "",
				  mg_rev_is_mergepoint(r) ? " (mergepoint)" : "",
				  current ? " (current)" : "");
	mg_buf_puts(&b, mg_rev_is_mergepoint(r) ? "Merges: " : "Parent: ");
	put_down(&b, map, r);
	mg_buf_puts(&b, "\n");
	if (s->ndeps > 0)
	{
		mg_buf_puts(&b, "Also depends on: ");
		mg_buf_join(&b, s->deps, s->ndeps, ", ");
		mg_buf_puts(&b, "\n");
	}
	if (mg_rev_is_branchpoint(r))
	{
		mg_buf_puts(&b, "Branches into: ");
		put_ids(&b, map, r->next, r->nnext);
		mg_buf_puts(&b, "\n");
	}
	if (r->nlabels > 0)
	{
		mg_buf_puts(&b, "Branch names: ");
		put_labels(&b, map, r);
		mg_buf_puts(&b, "\n");
	}
	mg_buf_printf(&b, "Path: %s\n\n", s->filename);
	/* the docstring Alembic's template writes, indented four spaces */
	mg_buf_printf(&b, "    %s\n    \n    Revision ID: %s\n    Revises: ", s->message, r->id);
	mg_buf_join(&b, s->down, s->ndown, ", ");
	mg_buf_printf(&b, "\n    Create Date: %s\n", mg_script_create_date(s));
	put_doc_rest(&b, s);
	return finish(&b);
}

/*
 * The row's four texts are written into one buffer, each ended by its
 * NUL, and finished once: a history of thousands of rows costs one
 * allocation per row.
 */
int
mg_report_row(mg_history_row *row, mg_ctx *ctx, const mg_revmap *map, int rev, bool current)
{
	const mg_rev *r = mg_revmap_rev(map, rev);
	size_t at_labels, at_deps, at_line;
	mg_buf b;
	char *text;

	memset(row, 0, sizeof(*row));
	mg_buf_init(&b, ctx);
	put_ids(&b, map, r->down, r->ndown);
	mg_buf_putc(&b, '\0');
	at_labels = b.len;
	put_labels(&b, map, r);
	mg_buf_putc(&b, '\0');
	at_deps = b.len;
	mg_buf_join(&b, r->script->deps, r->script->ndeps, ", ");
	mg_buf_putc(&b, '\0');
	at_line = b.len;
	put_head_only(&b, map, rev, true, true, true, true, current);
	if (mg_buf_finish(&b, &text) != MG_OK)
		return MG_ENOMEM;
	row->revision = r->id;
	row->down_revisions = text;
	row->branch_labels = text + at_labels;
	row->depends_on = text + at_deps;
	row->line = text + at_line;
	row->message = r->script->message;
	row->is_head = mg_rev_is_head(r);
	row->is_current = current;
	row->is_branchpoint = mg_rev_is_branchpoint(r);
	row->is_mergepoint = mg_rev_is_mergepoint(r);
	return MG_OK;
}

/* Resolve a spec that may list several identifiers ("a,b": the current rows). */
static int
resolve_spec(mg_target *out, mg_ctx *ctx, const mg_revmap *map, const char *spec)
{
	const char **items;
	size_t n;
	int rc;

	if (spec == NULL || strchr(spec, ',') == NULL)
		return mg_resolve(out, ctx, map, spec);
	if (mg_split_list(ctx, spec, &items, &n) != MG_OK)
		return MG_ENOMEM;
	memset(out, 0, sizeof(*out));
	out->revs = mg_alloc(ctx, (n + 1) * sizeof(int));
	if (out->revs == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < n; i++)
	{
		int r;

		if ((rc = mg_resolve_one(&r, ctx, map, items[i])) != MG_OK)
			return rc;
		if (r >= 0)
			out->revs[out->n++] = r;
	}
	return MG_OK;
}

/*
 * Alembic's rule for a lower bound "label@...": keep the targets that
 * carry the label (a revision id before '@' stands for its one label).
 */
static int
filter_by_branch(mg_target *up, mg_ctx *ctx, const mg_revmap *map, const char *base)
{
	const char *at = strchr(base, '@');
	char *branch = mg_strndup(ctx, base, (size_t) (at - base));
	int label = -1, r, rc;
	size_t kept = 0;

	if (branch == NULL)
		return MG_ENOMEM;
	if ((rc = mg_resolve_one(&r, ctx, map, branch)) != MG_OK)
		return rc;
	if (r >= 0 && strcmp(mg_revmap_rev(map, r)->id, branch) == 0)
	{
		const mg_rev *rv = mg_revmap_rev(map, r);

		if (rv->nlabels != 1)
		{
			mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
						 "revision %s has %zu branch labels; name one", branch, (size_t) rv->nlabels);
			if (rv->nlabels == 0)
				mg_error_hint(ctx, "Name the range's start without the '%s@' prefix, or with a branch label of the catalog before the '@'.", branch);
			else
			{
				mg_buf b;
				char *list;

				mg_buf_init(&b, ctx);
				for (size_t i = 0; i < rv->nlabels; i++)
					mg_buf_printf(&b, "%s'%s@'", i == 0 ? "" : i + 1 == rv->nlabels ? " or " : ", ",
								  mg_revmap_label_name(map, rv->labels[i]));
				if (mg_buf_finish(&b, &list) != MG_OK)
					return MG_ENOMEM;
				mg_error_hint(ctx, "Write one of its labels before the '@' instead of the revision: %s.", list);
			}
			return MG_EINPUT;
		}
		label = rv->labels[0];
	}
	else
		for (size_t i = 0; i < mg_revmap_label_count(map); i++)
			if (strcmp(mg_revmap_label_name(map, (int) i), branch) == 0)
				label = (int) i;
	for (size_t i = 0; i < up->n; i++)
		if (label >= 0 && mg_rev_has_label(mg_revmap_rev(map, up->revs[i]), label))
			up->revs[kept++] = up->revs[i];
	up->n = kept;
	return MG_OK;
}

/*
 * Alembic's walk_revisions(base, head): iterate_revisions(head, base,
 * inclusive=True, assert_relative_length=False), i.e. the upgrade
 * collection without implicit base, restricted to descendants of base,
 * in topological order from the heads down.
 */
/*
 * How Alembic prints a range end in its messages: the text given, or for
 * the database's rows (a list, "a,b") Python's tuple form ('a', 'b').
 */
static char *
spec_text(mg_ctx *ctx, const char *spec)
{
	const char **items;
	size_t n;
	mg_buf b;
	char *out;

	if (strchr(spec, ',') == NULL)
		return (char *) spec;
	if (mg_split_list(ctx, spec, &items, &n) != MG_OK)
		return NULL;
	mg_buf_init(&b, ctx);
	mg_buf_puts(&b, "(");
	for (size_t i = 0; i < n; i++)
		mg_buf_printf(&b, "%s'%s'", i ? ", " : "", items[i]);
	mg_buf_puts(&b, n == 1 ? ",)" : ")");
	return mg_buf_finish(&b, &out) == MG_OK ? out : NULL;
}

/* Alembic names the range's end in a multiple-heads error, whichever end failed. */
static int
name_end(int rc, mg_ctx *ctx, const char *end)
{
	mg_error *e = mg_ctx_error_mut(ctx);

	if (rc == MG_EINPUT && strncmp(e->message, "Multiple head revisions are present", 35) == 0)
		snprintf(e->message, sizeof(e->message),
				 "Multiple head revisions are present for given argument '%s'; please specify a specific target revision, '<branchname>@%s' to narrow to a specific head, or 'heads' for all heads",
				 end, end);
	return rc;
}

static size_t
drop_base(int *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i] >= 0)
			v[k++] = v[i];
	return k;
}

/*
 * Alembic's walk_revisions(base, head): iterate_revisions(head, base,
 * inclusive=True, assert_relative_length=False), i.e. the upgrade
 * collection without implicit base: the end's ancestors minus the
 * start's, plus the start, restricted to the start's descendants, in
 * topological order from the end down.  A relative end walks from the
 * start.
 */
int
mg_report_history(int **revs, size_t *n, mg_ctx *ctx, const mg_revmap *map,
				  const char *base, const char *head)
{
	mg_target up, low;
	size_t total = mg_revmap_count(map);
	uint8_t *required, *have, *below, *is_low;
	const char *base_text, *head_text;
	int rc;

	*revs = NULL;
	*n = 0;
	if (head == NULL || *head == '\0')
		head = "heads";
	if (base == NULL || *base == '\0')
		base = "base";
	base_text = spec_text(ctx, base);
	head_text = spec_text(ctx, head);
	if (base_text == NULL || head_text == NULL)
		return MG_ENOMEM;
	/* Alembic resolves the end first; a relative end looks up the start itself */
	if (strchr(head, ',') != NULL)
		rc = resolve_spec(&up, ctx, map, head);
	else
		rc = mg_resolve_history_target(&up, ctx, map, base, head);
	if (rc != MG_OK)
		return name_end(rc, ctx, head_text);
	up.n = drop_base(up.revs, up.n);
	if (strchr(base, '@') != NULL && strchr(base, ',') == NULL &&
		(rc = filter_by_branch(&up, ctx, map, base)) != MG_OK)
		return rc;
	if ((rc = mg_revmap_ancestors_checked(&required, map, up.revs, up.n)) != MG_OK)
		return rc;
	/* only now the start, as Alembic: an overlap of the end is reported first */
	if ((rc = resolve_spec(&low, ctx, map, base)) != MG_OK)
		return name_end(rc, ctx, head_text);
	low.n = drop_base(low.revs, low.n);
	for (size_t i = 0; i < low.n; i++)
		if (!required[low.revs[i]])
		{
			mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
						 "Requested range %s:%s does not refer to ancestor/descendant revisions along the same branch",
						 base_text, head_text);
			mg_error_detail(ctx, "Revision %s is not an ancestor of %s.",
							mg_revmap_rev(map, low.revs[i])->id, head_text);
			mg_error_hint(ctx, "If %s is the older end, swap the ends ('%s:%s'); a range runs from an older revision to a newer one on one branch.",
						  head_text, head_text, base_text);
			return MG_EINPUT;
		}
	if ((rc = mg_revmap_ancestors_checked(&have, map, low.revs, low.n)) != MG_OK)
		return rc;
	if (mg_revmap_descendants(&below, map, low.revs, low.n, false) != MG_OK ||
		(is_low = mg_alloc(ctx, total + 1)) == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < low.n; i++)
		is_low[low.revs[i]] = 1;
	for (size_t k = 0; k < total; k++)
	{
		required[k] = (required[k] && !have[k]) || is_low[k];
		if (low.n > 0 && !below[k])
			required[k] = 0;
	}
	rc = mg_revmap_toposort(revs, n, map, required, up.revs, up.n);
	if (rc == MG_EINPUT)
	{
		/* some revisions of the range hang below none of its heads */
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
					 "Requested range %s:%s does not refer to ancestor/descendant revisions along the same branch",
					 base_text, head_text);
		mg_error_detail(ctx, "Part of the range is not below any revision that %s names.", head_text);
		mg_error_hint(ctx, "Give a range along one branch, such as <older>:<newer>.");
	}
	return rc;
}

/* One line of Alembic's `branches`: labels, head and tree markers, no parents or doc. */
char *
mg_report_tree_line(mg_ctx *ctx, const mg_revmap *map, int rev)
{
	return head_only(ctx, map, rev, true, false, false, true, false);
}

int
mg_report_all_current(int **revs, size_t *n, mg_ctx *ctx, const mg_revmap *map,
					  const int *current, size_t ncurrent)
{
	uint8_t *top;
	int rc;
	size_t total = mg_revmap_count(map);

	*n = 0;
	*revs = mg_alloc(ctx, (total + 1) * sizeof(int));
	if (*revs == NULL)
		return MG_ENOMEM;
	if ((rc = mg_revmap_ancestors(&top, map, current, ncurrent, true)) != MG_OK)
		return rc;
	for (size_t k = 0; k < total; k++)
	{
		const mg_rev *r = mg_revmap_rev(map, (int) k);
		bool child_in = false;

		if (!top[k])
			continue;
		for (size_t j = 0; j < r->nnext && !child_in; j++)
			child_in = top[r->next[j]];
		if (!child_in)
			(*revs)[(*n)++] = (int) k;
	}
	return MG_OK;
}
