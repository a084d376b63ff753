/*
 * graph_dot.c -- migrate_graph(): the revision graph as Graphviz DOT text.
 *
 *     sqlite3 app.db ".load ./migrate" "SELECT migrate_graph()" | dot -Tsvg > graph.svg
 *
 * What the picture shows (format 'dot'):
 *
 *   - one box per revision: its id and declared branch labels, its
 *     message, its release tags;
 *   - an edge from each down revision to its child, so the bases are at
 *     the top (they are also pinned to the first rank), and a dashed edge
 *     labelled "depends on" from each Depends On revision;
 *   - heads with a double border, the database's current revisions
 *     filled green, branch points with a thick orange border, merge
 *     points with a thick blue one;
 *     the same facts in words on the box's first line, as Alembic's
 *     history writes them: (head) (current) (branchpoint) (mergepoint);
 *   - a version row the catalog lacks as a dashed box of its own.
 *
 * Format 'dot-collapsed' keeps only the revisions that say something
 * (bases, heads, branch and merge points, the declarations of branch
 * labels, tagged, current, and both ends of a Depends On) and draws each
 * chain of the others as one edge labelled with how many it hides.
 *
 * The text is deterministic: nodes in catalog order, edges by child in
 * catalog order and by parent in Revises order, so two versions diff
 * well.  Every string is written as a DOT quoted string, escaped.
 */
#include <string.h>

#include "internal.h"

/*
 * s as a DOT quoted string: '"' and '\' escaped, a line break as DOT's
 * \n, other control characters as blanks.
 */
static void
put_quoted(mg_buf *b, const char *s)
{
	mg_buf_putc(b, '"');
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c == '\n')
		{
			mg_buf_puts(b, "\\n");
			continue;
		}
		if (c == '"' || c == '\\')
			mg_buf_putc(b, '\\');
		mg_buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char) c);
	}
	mg_buf_putc(b, '"');
}

/* What the picture needs about each revision. */
typedef struct dot_graph {
	mg_ctx *ctx;
	const mg_revmap *map;
	uint8_t *current;           /* a version row */
	uint8_t *depended;          /* some revision depends on it */
	uint8_t *keep;              /* drawn as a node */
} dot_graph;

static void
put_node(mg_buf *b, const dot_graph *g, int i)
{
	const mg_rev *r = mg_revmap_rev(g->map, i);
	const mg_script *s = r->script;
	bool head = mg_rev_is_head(r), branch = mg_rev_is_branchpoint(r);
	bool merge = mg_rev_is_mergepoint(r), cur = g->current[i];
	mg_buf label;
	char *text;

	mg_buf_init(&label, g->ctx);
	mg_buf_puts(&label, r->id);
	if (s->nlabels > 0)
	{
		mg_buf_puts(&label, " (");
		mg_buf_join(&label, s->labels, s->nlabels, ", ");
		mg_buf_putc(&label, ')');
	}
	if (head)
		mg_buf_puts(&label, " (head)");
	if (cur)
		mg_buf_puts(&label, " (current)");
	if (branch)
		mg_buf_puts(&label, " (branchpoint)");
	if (merge)
		mg_buf_puts(&label, " (mergepoint)");
	if (s->message[0])
	{
		mg_buf_putc(&label, '\n');
		mg_buf_puts(&label, s->message);
	}
	if (s->ntags > 0)
	{
		mg_buf_puts(&label, "\ntags: ");
		mg_buf_join(&label, s->tags, s->ntags, ", ");
	}
	if (mg_buf_finish(&label, &text) != MG_OK)
	{
		b->failed = 1;
		return;
	}
	mg_buf_puts(b, "\t");
	put_quoted(b, r->id);
	mg_buf_puts(b, " [label=");
	put_quoted(b, text);
	/* a thick border: orange where branches leave, blue where they join */
	if (branch && merge)
		mg_buf_puts(b, ", penwidth=2, color=\"#d9822b:#3b6fb6\"");
	else if (branch)
		mg_buf_puts(b, ", penwidth=2, color=\"#d9822b\"");
	else if (merge)
		mg_buf_puts(b, ", penwidth=2, color=\"#3b6fb6\"");
	if (head)
		mg_buf_puts(b, ", peripheries=2");
	if (cur)
		mg_buf_puts(b, ", style=\"rounded,filled\", fillcolor=\"#c6efce\"");
	mg_buf_puts(b, "];\n");
}

/* Is revision i worth a node of its own when chains are collapsed? */
static bool
telling(const dot_graph *g, int i)
{
	const mg_rev *r = mg_revmap_rev(g->map, i);

	return r->ndown != 1 || r->nnext != 1 || r->script->nlabels > 0 || r->script->ntags > 0 ||
		r->ndeps > 0 || g->current[i] || g->depended[i];
}

/* Edges into kept revision i: from each down revision, across the hidden chain above it. */
static int
put_edges(mg_buf *b, const dot_graph *g, int i)
{
	const mg_rev *r = mg_revmap_rev(g->map, i);

	for (size_t k = 0; k < r->ndown; k++)
	{
		int p = r->down[k];
		size_t hidden = 0;

		while (!g->keep[p])
		{
			int rc = mg_interrupt_check(g->ctx);

			if (rc != MG_OK)
				return rc;
			hidden++;
			p = mg_revmap_rev(g->map, p)->down[0];
		}
		mg_buf_puts(b, "\t");
		put_quoted(b, mg_revmap_rev(g->map, p)->id);
		mg_buf_puts(b, " -> ");
		put_quoted(b, r->id);
		if (hidden > 0)
			mg_buf_printf(b, " [label=\"%zu revision%s\", style=bold]", hidden,
						  hidden == 1 ? "" : "s");
		mg_buf_puts(b, ";\n");
	}
	for (size_t k = 0; k < r->ndeps; k++)
	{
		mg_buf_puts(b, "\t");
		put_quoted(b, mg_revmap_rev(g->map, r->deps[k])->id);
		mg_buf_puts(b, " -> ");
		put_quoted(b, r->id);
		mg_buf_puts(b, " [style=dashed, label=\"depends on\"];\n");
	}
	return MG_OK;
}

int
mg_cmd_graph(char **out, mg_ctx *ctx, const mg_host *host, const char *format)
{
	mg_session s;
	dot_graph g;
	bool collapse;
	size_t n;
	mg_buf b;
	int rc;

	*out = NULL;
	if (format == NULL || strcmp(format, "dot") == 0)
		collapse = false;
	else if (strcmp(format, "dot-collapsed") == 0)
		collapse = true;
	else
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "unknown graph format \"%s\"", format);
		mg_error_detail(ctx, "The formats are \"dot\" (every revision) and \"dot-collapsed\" "
						"(each chain of plain revisions drawn as one edge with their number).");
		mg_error_hint(ctx, "Call migrate_graph() or migrate_graph('dot-collapsed').");
		return MG_EINPUT;
	}
	if ((rc = mg_session_open(&s, ctx, host, false)) != MG_OK)
		return rc;
	n = mg_revmap_count(s.map);
	g.ctx = ctx;
	g.map = s.map;
	g.current = mg_alloc(ctx, n + 1);
	g.depended = mg_alloc(ctx, n + 1);
	g.keep = mg_alloc(ctx, n + 1);
	if (g.current == NULL || g.depended == NULL || g.keep == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < s.nrows; i++)
	{
		int r = mg_revmap_find(s.map, s.rows[i]);

		if (r >= 0)
			g.current[r] = 1;
	}
	for (size_t i = 0; i < n; i++)
	{
		const mg_rev *r = mg_revmap_rev(s.map, (int) i);

		for (size_t k = 0; k < r->ndeps; k++)
			g.depended[r->deps[k]] = 1;
	}
	for (size_t i = 0; i < n; i++)
		g.keep[i] = !collapse || telling(&g, (int) i);

	mg_buf_init(&b, ctx);
	mg_buf_puts(&b, "digraph migrate {\n"
				"\tgraph [rankdir=TB, fontname=\"Helvetica\"];\n"
				"\tnode [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n"
				"\tedge [fontname=\"Helvetica\", fontsize=9];\n");
	for (size_t i = 0; i < n; i++)
	{
		if ((rc = mg_interrupt_check(ctx)) != MG_OK)
			return rc;
		if (g.keep[i])
			put_node(&b, &g, (int) i);
	}
	for (size_t i = 0; i < s.nrows; i++)
		if (mg_revmap_find(s.map, s.rows[i]) < 0)
		{
			char *label = mg_printf(ctx, "%s (current)\nunknown: not in the catalog", s.rows[i]);

			if (label == NULL)
				return MG_ENOMEM;
			mg_buf_puts(&b, "\t");
			put_quoted(&b, s.rows[i]);
			mg_buf_puts(&b, " [label=");
			put_quoted(&b, label);
			mg_buf_puts(&b, ", style=\"rounded,dashed\"];\n");
		}
	{
		/* the bases on the first rank: the history starts at the top */
		const int *bases;
		size_t nb;

		mg_revmap_bases(s.map, &bases, &nb);
		if (nb > 0)
		{
			mg_buf_puts(&b, "\t{ rank=min;");
			for (size_t i = 0; i < nb; i++)
			{
				mg_buf_putc(&b, ' ');
				put_quoted(&b, mg_revmap_rev(s.map, bases[i])->id);
				mg_buf_putc(&b, ';');
			}
			mg_buf_puts(&b, " }\n");
		}
	}
	for (size_t i = 0; i < n; i++)
		if (g.keep[i] && (rc = put_edges(&b, &g, (int) i)) != MG_OK)
			return rc;
	mg_buf_puts(&b, "}\n");
	return mg_buf_finish(&b, out);
}
