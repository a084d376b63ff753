/*
 * test_revmap.c -- the revision graph (revmap.c) against Alembic 1.8.1.
 *
 * For every fixture graph (graph_fixture.h): catalog order, heads, real
 * heads, bases, and per revision its effective branch labels (Alembic's
 * branch_labels after _add_branches), head / real head / branch point /
 * merge point flags; then every graph error with its exact message, and
 * the engine's lookups (ids, labels, tags, prefixes).  The expected values
 * are Alembic's answers on the same scripts (tests/oracle/alembic_env.py
 * environments, sorted file order), written here as literals.
 *
 * Branch labels are a Python set in Alembic: they are compared sorted.
 */
#include "graph_fixture.h"

typedef struct rev_case {
	const char *id;
	const char *labels;     /* sorted, space-separated */
	int head;               /* Revision.is_head (no versioned child) */
	int real_head;          /* Revision._is_real_head (no child at all) */
	int branchpoint;
	int mergepoint;
} rev_case;

typedef struct graph_case {
	const fx_graph *g;
	const char *heads;      /* RevisionMap.heads */
	const char *real_heads; /* RevisionMap._real_heads */
	const char *bases;      /* RevisionMap.bases */
	const rev_case *revs;   /* in list(RevisionMap._revision_map) order */
	size_t nrevs;
} graph_case;

typedef struct bad_case {
	const fx_graph *g;
	const char *message;
} bad_case;

/*
 * sample: RevisionMap.heads, ._real_heads, .bases; per revision (in
 * list(RevisionMap._revision_map) order) sorted(branch_labels) after
 * _add_branches, is_head, _is_real_head, is_branch_point, is_merge_point.
 */
static const rev_case sample_revs[] = {
	{"186d4835587b", "gxy", 0, 0, 0, 0},
	{"6a67bf27e6a6", "gxy", 0, 0, 0, 0},
	{"9540a051226e", "gxy", 0, 0, 0, 1},
	{"a2e418ad6a15", "gxy", 1, 1, 0, 0},
	{"b182f655505f", "gxy", 0, 0, 1, 0},
	{"c39f1de47a04", "gxy", 0, 0, 0, 0},
	{"e7b6dcb09efd", "gxy", 0, 0, 0, 0},
	{"3a2d6b1c9e0f", "tsi", 0, 0, 0, 0},
	{"5555bbbb0001", "tsi", 0, 0, 0, 0},
	{"5555bbbb0002", "tsi", 1, 1, 0, 0},
	{"d4a650f47a3c", "tsi", 0, 0, 0, 0},
};

/*
 * bases: RevisionMap.heads, ._real_heads, .bases; per revision (in
 * list(RevisionMap._revision_map) order) sorted(branch_labels) after
 * _add_branches, is_head, _is_real_head, is_branch_point, is_merge_point.
 */
static const rev_case bases_revs[] = {
	{"aaa1", "alpha alpha2", 0, 0, 0, 0},
	{"aaa2", "alpha alpha2", 0, 0, 0, 0},
	{"aaa3", "alpha alpha2", 1, 1, 0, 0},
	{"bbb1", "beta bravo", 0, 0, 0, 0},
	{"bbb2", "beta bravo", 1, 1, 0, 0},
	{"ccc1", "", 0, 0, 1, 0},
	{"ccc2", "", 1, 1, 0, 0},
	{"ccc3", "", 1, 1, 0, 0},
};

/*
 * merges: RevisionMap.heads, ._real_heads, .bases; per revision (in
 * list(RevisionMap._revision_map) order) sorted(branch_labels) after
 * _add_branches, is_head, _is_real_head, is_branch_point, is_merge_point.
 */
static const rev_case merges_revs[] = {
	{"root", "trunk", 0, 0, 1, 0},
	{"a001", "trunk", 0, 0, 0, 0},
	{"a002", "trunk", 0, 0, 0, 0},
	{"b001", "trunk", 0, 0, 0, 0},
	{"c001", "trunk", 0, 0, 0, 0},
	{"m001", "trunk", 0, 0, 1, 1},
	{"d001", "trunk", 0, 0, 0, 0},
	{"e001", "trunk", 0, 0, 0, 0},
	{"g001", "trunk", 0, 0, 0, 0},
	{"m002", "trunk", 0, 0, 0, 1},
	{"m003", "trunk", 0, 0, 1, 1},
	{"h001", "trunk", 0, 0, 0, 0},
	{"h002", "trunk", 0, 0, 0, 0},
	{"k001", "trunk", 0, 0, 0, 0},
	{"k002", "trunk", 0, 0, 0, 0},
	{"m004", "trunk", 0, 0, 0, 1},
	{"m005", "trunk", 0, 0, 0, 1},
	{"top1", "trunk", 1, 1, 0, 1},
};

/*
 * deps: RevisionMap.heads, ._real_heads, .bases; per revision (in
 * list(RevisionMap._revision_map) order) sorted(branch_labels) after
 * _add_branches, is_head, _is_real_head, is_branch_point, is_merge_point.
 */
static const rev_case deps_revs[] = {
	{"s001", "left", 0, 0, 0, 0},
	{"s002", "left", 0, 0, 0, 0},
	{"s003", "left", 1, 0, 0, 0},
	{"t001", "right", 0, 0, 0, 0},
	{"t002", "right", 0, 0, 0, 0},
	{"t003", "right", 0, 0, 0, 0},
	{"t004", "right", 1, 1, 0, 0},
	{"u001", "third", 0, 0, 0, 0},
	{"u002", "third", 1, 1, 0, 0},
};

/*
 * short: RevisionMap.heads, ._real_heads, .bases; per revision (in
 * list(RevisionMap._revision_map) order) sorted(branch_labels) after
 * _add_branches, is_head, _is_real_head, is_branch_point, is_merge_point.
 */
static const rev_case short_revs[] = {
	{"r1", "abc", 0, 0, 0, 0},
	{"r2", "abc", 0, 0, 0, 0},
	{"r10", "abc", 0, 0, 0, 0},
	{"r100", "abc", 1, 1, 0, 0},
	{"lbl1abc", "lbl1_name", 1, 1, 0, 0},
};

/*
 * chain: RevisionMap.heads, ._real_heads, .bases; per revision (in
 * list(RevisionMap._revision_map) order) sorted(branch_labels) after
 * _add_branches, is_head, _is_real_head, is_branch_point, is_merge_point.
 */
static const rev_case chain_revs[] = {
	{"c000", "line", 0, 0, 0, 0},
	{"c001", "line", 0, 0, 0, 0},
	{"c002", "line", 0, 0, 0, 0},
	{"c003", "line", 0, 0, 0, 0},
	{"c004", "line", 0, 0, 0, 0},
	{"c005", "line", 0, 0, 0, 0},
	{"c006", "line", 0, 0, 0, 0},
	{"c007", "line", 0, 0, 0, 0},
	{"c008", "line", 0, 0, 0, 0},
	{"c009", "line", 0, 0, 0, 0},
	{"c010", "line", 0, 0, 0, 0},
	{"c011", "line", 0, 0, 0, 0},
	{"c012", "line", 0, 0, 0, 0},
	{"c013", "line", 0, 0, 0, 0},
	{"c014", "line", 0, 0, 0, 0},
	{"c015", "line", 0, 0, 0, 0},
	{"c016", "line", 0, 0, 0, 0},
	{"c017", "line", 0, 0, 0, 0},
	{"c018", "line", 0, 0, 0, 0},
	{"c019", "line", 0, 0, 0, 0},
	{"c020", "line", 0, 0, 0, 0},
	{"c021", "line", 0, 0, 0, 0},
	{"c022", "line", 0, 0, 0, 0},
	{"c023", "line", 0, 0, 0, 0},
	{"c024", "line", 0, 0, 0, 0},
	{"c025", "line", 0, 0, 0, 0},
	{"c026", "line", 0, 0, 0, 0},
	{"c027", "line", 0, 0, 0, 0},
	{"c028", "line", 0, 0, 0, 0},
	{"c029", "line", 1, 1, 0, 0},
};

static const graph_case graph_cases[] = {
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "a2e418ad6a15 5555bbbb0002", "e7b6dcb09efd d4a650f47a3c", sample_revs, sizeof(sample_revs) / sizeof(sample_revs[0])},
	{&fx_bases, "aaa3 bbb2 ccc2 ccc3", "aaa3 bbb2 ccc2 ccc3", "aaa1 bbb1 ccc1", bases_revs, sizeof(bases_revs) / sizeof(bases_revs[0])},
	{&fx_merges, "top1", "top1", "root", merges_revs, sizeof(merges_revs) / sizeof(merges_revs[0])},
	{&fx_deps, "s003 t004 u002", "t004 u002", "s001 t001 u001", deps_revs, sizeof(deps_revs) / sizeof(deps_revs[0])},
	{&fx_short, "r100 lbl1abc", "r100 lbl1abc", "r1 lbl1abc", short_revs, sizeof(short_revs) / sizeof(short_revs[0])},
	{&fx_chain, "c029", "c029", "c000", chain_revs, sizeof(chain_revs) / sizeof(chain_revs[0])},
};

/*
 * Map errors.  Alembic: RevisionMap._revision_map raising (or warning).
 * dupid: Alembic only warns (and keeps the later script); the engine
 * refuses, with Alembic's warning text.  unknown_revises: Alembic warns
 * "Revision nope referenced from <Script str> is not present" then raises
 * KeyError; unknown_dep: Alembic raises a bare KeyError('nope'); the
 * engine's message names the referring revision id.  duptag: tags are the
 * engine's addition (DESIGN.md), Alembic ignores them.  duplabel: Alembic
 * visits the labelled revisions as a set, so either may be named first
 * (both seen); the engine names the later one in catalog order.
 */
static const bad_case bad_cases[] = {
	{&fx_bad_dupid, "Revision r2 is present more than once"},
	{&fx_bad_unknown_revises, "Revision nope referenced from r2 is not present"},
	{&fx_bad_unknown_dep, "Revision nope referenced from r2 is not present"},
	{&fx_bad_selfloop, "Self-loop is detected in revisions (r2)"},
	{&fx_bad_depselfloop, "Dependency self-loop is detected in revisions (r2)"},
	{&fx_bad_cycle, "Cycle is detected in revisions (xx01, yy02)"},
	{&fx_bad_cycle_all, "Cycle is detected in revisions (r2, r1)"},
	{&fx_bad_depcycle_all, "Dependency cycle is detected in revisions (x1, x2, y1, y2)"},
	{&fx_bad_depcycle, "Dependency cycle is detected in revisions (x1, x2, y1, y2)"},
	{&fx_bad_deploop, "Dependency cycle is detected in revisions (b0, c0)"},
	{&fx_bad_loop, "Cycle is detected in revisions (b, c)"},
	{&fx_bad_duplabel, "Branch name 'dup' in revision r2 already used by revision r1"},
	{&fx_bad_label_is_id, "Branch name 'r1' in revision r2 already used by revision r1"},
	{&fx_bad_duptag, "tag \"release_1.0\" of revision r2 is already used by revision r1"},
};

static void
test_graph(const graph_case *gc)
{
	mg_ctx *ctx = fx_ctx();
	mg_revmap *map = fx_map(ctx, gc->g);
	const char *name = gc->g->name;
	const int *v;
	size_t n;

	is_int(mg_revmap_count(map), gc->nrevs, "%s: revision count", name);
	mg_revmap_heads(map, &v, &n);
	is_str(fx_ids(ctx, map, v, n), gc->heads, "%s: heads", name);
	mg_revmap_real_heads(map, &v, &n);
	is_str(fx_ids(ctx, map, v, n), gc->real_heads, "%s: real heads", name);
	mg_revmap_bases(map, &v, &n);
	is_str(fx_ids(ctx, map, v, n), gc->bases, "%s: bases", name);

	for (size_t i = 0; i < gc->nrevs && i < mg_revmap_count(map); i++)
	{
		const rev_case *rc = &gc->revs[i];
		const mg_rev *r = mg_revmap_rev(map, (int) i);
		const char **labels = mg_alloc(ctx, (r->nlabels + 1) * sizeof(char *));
		char got[512], want[512];

		for (size_t k = 0; k < r->nlabels; k++)
			labels[k] = mg_revmap_label_name(map, r->labels[k]);
		is_str(r->id, rc->id, "%s: revision %zu in catalog order", name, i);
		is_int(r->seq, i, "%s: %s seq", name, rc->id);
		is_int(mg_revmap_find(map, rc->id), i, "%s: find %s", name, rc->id);
		is_str(fx_sorted(ctx, labels, r->nlabels), rc->labels, "%s: %s labels", name, rc->id);
		snprintf(got, sizeof(got), "head=%d real_head=%d branchpoint=%d mergepoint=%d",
				 mg_rev_is_head(r), mg_rev_is_real_head(r),
				 mg_rev_is_branchpoint(r), mg_rev_is_mergepoint(r));
		snprintf(want, sizeof(want), "head=%d real_head=%d branchpoint=%d mergepoint=%d",
				 rc->head, rc->real_head, rc->branchpoint, rc->mergepoint);
		is_str(got, want, "%s: %s flags", name, rc->id);
		for (size_t k = 0; k < r->nlabels; k++)
			ok(mg_rev_has_label(r, r->labels[k]), "%s: %s has label %s", name, rc->id, labels[k]);
	}
	mg_ctx_free(ctx);
	is_int(tap_live, 0, "%s: context freed", name);
}

/* A loop Alembic's check misses: the detail spells it out edge by edge. */
static void
test_loop_detail(const fx_graph *g, const char *detail)
{
	mg_ctx *ctx = fx_ctx();
	mg_revmap *map;

	is_int(fx_build(&map, ctx, g), MG_EINPUT, "%s: build fails", g->name);
	is_str(mg_ctx_error(ctx)->detail, detail, "%s: detail names the loop", g->name);
	mg_ctx_free(ctx);
	is_int(tap_live, 0, "%s: context freed", g->name);
}

static void
test_bad(const bad_case *bc)
{
	mg_ctx *ctx = fx_ctx();
	mg_revmap *map;
	int rc = fx_build(&map, ctx, bc->g);
	const mg_error *e = mg_ctx_error(ctx);

	is_int(rc, MG_EINPUT, "%s: build fails", bc->g->name);
	is_str(e->message, bc->message, "%s: message", bc->g->name);
	is_str(e->sqlstate, MG_STATE_BAD_GRAPH, "%s: SQLSTATE", bc->g->name);
	ok(e->hint[0] != '\0', "%s: a hint says what to fix", bc->g->name);
	mg_ctx_free(ctx);
}

/*
 * The engine's own lookups: exact ids, labels (the declaring revision,
 * Alembic's _revision_map[label]), release tags (the engine's addition:
 * DESIGN.md), prefixes over ids longer than three characters (Alembic's
 * partial-match rule, len(key) > 3), in sorted id order.
 */
static void
test_lookups(void)
{
	mg_ctx *ctx = fx_ctx();
	mg_revmap *map = fx_map(ctx, &fx_sample);
	mg_revmap *chain = fx_map(ctx, &fx_chain);
	mg_revmap *shrt = fx_map(ctx, &fx_short);
	const char *const *names;
	const int *revs;
	size_t n;
	int out[4];

	is_int(mg_revmap_find(map, "nope"), -1, "find: unknown id is -1");
	is_int(mg_revmap_find(map, "e7b6"), -1, "find: a prefix is not an id");
	is_int(mg_revmap_find(map, "gxy"), -1, "find: a label is not an id");
	is_str(mg_revmap_rev(map, mg_revmap_find_label(map, "gxy"))->id, "e7b6dcb09efd",
		   "find_label gxy: the declaring revision");
	is_str(mg_revmap_rev(map, mg_revmap_find_label(map, "tsi"))->id, "d4a650f47a3c",
		   "find_label tsi: the declaring revision");
	is_int(mg_revmap_find_label(map, "nope"), -1, "find_label: unknown label is -1");
	is_int(mg_revmap_label_count(map), 2, "sample: two labels");
	is_str(mg_revmap_label_name(map, 0), "gxy", "label 0 is gxy (catalog order)");
	is_str(mg_revmap_label_name(map, 1), "tsi", "label 1 is tsi");

	is_str(mg_revmap_rev(map, mg_revmap_find_tag(map, "release_22.05"))->id, "9540a051226e",
		   "find_tag release_22.05");
	is_str(mg_revmap_rev(map, mg_revmap_find_tag(map, "22.05"))->id, "9540a051226e",
		   "find_tag 22.05 (short form)");
	is_str(mg_revmap_rev(map, mg_revmap_find_tag(map, "23.0"))->id, "a2e418ad6a15",
		   "find_tag 23.0");
	is_int(mg_revmap_find_tag(map, "22.5"), -1, "find_tag: unknown tag is -1");
	is_int(mg_revmap_find_tag(map, "release_"), -1, "find_tag: bare release_ is no tag");
	mg_revmap_tags(map, &names, &revs, &n);
	is_int(n, 4, "sample: four tag names");
	if (n == 4)
	{
		is_str(names[0], "release_22.05", "tag 0");
		is_str(names[1], "22.05", "tag 1");
		is_str(names[2], "release_23.0", "tag 2");
		is_str(names[3], "23.0", "tag 3");
		is_str(mg_revmap_rev(map, revs[3])->id, "a2e418ad6a15", "tag 3 names a2e4");
	}
	is_str(mg_revmap_rev(chain, mg_revmap_find_tag(chain, "1.0"))->id, "c010", "chain: tag 1.0");
	is_str(mg_revmap_rev(chain, mg_revmap_find_tag(chain, "v2"))->id, "c020",
		   "chain: a tag without release_ prefix");
	is_int(mg_revmap_find_tag(chain, "release_v2"), -1, "chain: no release_ form is invented");

	n = mg_revmap_prefix(map, "5555", out, 4);
	is_int(n, 2, "prefix 5555: two ids");
	is_str(fx_ids(ctx, map, out, n), "5555bbbb0001 5555bbbb0002", "prefix 5555: sorted");
	n = mg_revmap_prefix(map, "e7", out, 4);
	is_str(fx_ids(ctx, map, out, n), "e7b6dcb09efd", "prefix e7: two characters match");
	is_int(mg_revmap_prefix(map, "f", out, 4), 0, "prefix f: none");
	is_int(mg_revmap_prefix(map, "", out, 0), 11, "prefix '': every id");
	n = mg_revmap_prefix(chain, "c00", out, 3);
	is_int(n, 10, "chain prefix c00: ten matches counted");
	is_str(fx_ids(ctx, chain, out, 3), "c000 c001 c002", "chain prefix c00: first three kept");
	n = mg_revmap_prefix(shrt, "r", out, 4);
	is_str(fx_ids(ctx, shrt, out, n), "r100", "short: ids of three characters or less never prefix-match");
	n = mg_revmap_prefix(shrt, "r1", out, 4);
	is_str(fx_ids(ctx, shrt, out, n), "r100", "short: r1 as a prefix matches only r100");
	mg_ctx_free(ctx);
}

/* Every revision reachable from a head and a base; ancestors/descendants marks. */
static void
test_marks(void)
{
	mg_ctx *ctx = fx_ctx();
	mg_revmap *map = fx_map(ctx, &fx_sample);
	int b0001 = mg_revmap_find(map, "5555bbbb0001");
	int c39f = mg_revmap_find(map, "c39f1de47a04");
	int d186 = mg_revmap_find(map, "186d4835587b");
	int d4a6 = mg_revmap_find(map, "d4a650f47a3c");
	uint8_t *m;
	bool shares;

	ok(mg_revmap_ancestors(&m, map, &b0001, 1, true) == MG_OK && m[c39f] && !m[d186],
	   "ancestors of 5555bbbb0001 with dependencies include c39f, not 186d");
	ok(mg_revmap_ancestors(&m, map, &b0001, 1, false) == MG_OK && !m[c39f] && m[d4a6],
	   "ancestors of 5555bbbb0001 by Revises only exclude c39f");
	ok(mg_revmap_descendants(&m, map, &c39f, 1, true) == MG_OK && m[b0001],
	   "descendants of c39f with dependencies include 5555bbbb0001");
	ok(mg_revmap_descendants(&m, map, &c39f, 1, false) == MG_OK && !m[b0001],
	   "descendants of c39f by Revises only exclude 5555bbbb0001");
	ok(mg_revmap_shares_lineage(&shares, map, b0001, &c39f, 1, true) == MG_OK && shares,
	   "5555bbbb0001 shares lineage with c39f through the dependency");
	ok(mg_revmap_shares_lineage(&shares, map, b0001, &c39f, 1, false) == MG_OK && !shares,
	   "5555bbbb0001 does not share lineage with c39f by Revises");
	ok(mg_revmap_shares_lineage(&shares, map, d186, NULL, 0, false) == MG_OK && shares,
	   "lineage against nothing is true (Alembic's _shares_lineage)");
	mg_ctx_free(ctx);
}

/* An empty map builds: no heads, no bases. */
static void
test_empty(void)
{
	mg_ctx *ctx = fx_ctx();
	mg_revmap *map;
	const int *v;
	size_t n;

	ok(mg_revmap_new(&map, ctx) == MG_OK && mg_revmap_build(map) == MG_OK, "empty map builds");
	mg_revmap_heads(map, &v, &n);
	is_int(n, 0, "empty map: no heads");
	mg_revmap_bases(map, &v, &n);
	is_int(n, 0, "empty map: no bases");
	is_int(mg_revmap_find(map, "x"), -1, "empty map: find is -1");
	mg_ctx_free(ctx);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(graph_cases) / sizeof(graph_cases[0]); i++)
		test_graph(&graph_cases[i]);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		test_bad(&bad_cases[i]);
	test_loop_detail(&fx_bad_deploop, "The revisions form a loop: b0 depends on c0 and c0 revises b0, so each would have to run before itself.");
	test_loop_detail(&fx_bad_loop, "The revisions form a loop: b revises c and c revises b, so each would have to run before itself.");
	test_lookups();
	test_marks();
	test_empty();
	return done_testing();
}
