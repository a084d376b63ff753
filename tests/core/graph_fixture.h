/*
 * graph_fixture.h -- revision graphs for the core unit tests, and the
 * helpers that build them into an mg_revmap.
 *
 * Each graph is an array of script texts (headers only: these tests never
 * run a body) in catalog order, built with mg_script_parse +
 * mg_revmap_add + mg_revmap_build.  The same texts were turned into an
 * Alembic environment (tests/oracle/alembic_env.py build, files named
 * NN_<id>.sql so that sorted order is this order) to obtain the expected
 * answers the tests hold as literals:
 *
 *   fx_sample   the sample environment migrations/ (headers copied from
 *               the files, in sorted path order): gxy base e7b6, branch
 *               point b182, merge 9540 (tag release_22.05), tsi base
 *               d4a6, 5555bbbb0001 depends on c39f;
 *   fx_bases    three bases, one with a label declared mid-branch
 *               (alpha2 on aaa2), one with two labels, one unlabelled
 *               with a branch point;
 *   fx_merges   a three-parent merge, a merge of a merge and a branch,
 *               a four-way branch point and a merge of two merges;
 *   fx_deps     depends_on across branches (one implied by an ancestor,
 *               so normalized away) and on a branch label; an effective
 *               head;
 *   fx_chain    a chain of 30 revisions with the label "line" and tags;
 *   fx_bad_*    graphs that must not build.
 *
 * Invariants: everything a helper returns lives in the context's arena;
 * the helpers are static inline so a test file may use any subset.
 */
#ifndef GRAPH_FIXTURE_H
#define GRAPH_FIXTURE_H

#include <string.h>

#include "../../core/internal.h"
#include "tap.h"

/* One revision script header, as the Alembic environment was generated from. */
#define REV(id, revises, labels, deps, tags, msg) \
	"-- " msg "\n--\n-- Revision ID: " id "\n-- Revises: " revises \
	"\n-- Branch Labels: " labels "\n-- Depends On: " deps "\n-- Tags: " tags "\n"

typedef struct fx_file {
	const char *name;       /* file name (relative path) */
	const char *text;
} fx_file;

typedef struct fx_graph {
	const char *name;
	const fx_file *files;
	size_t n;
} fx_graph;

#define FX_GRAPH(name, files) {name, files, sizeof(files) / sizeof(files[0])}

/* The sample environment migrations/: headers of its files, sorted by path. */
static const fx_file fx_sample_files[] = {
	{"versions_gxy/186d4835587b_add_dataset_table.sql",
	 "-- add dataset table\n"
	 "--\n"
	 "-- Revision ID: 186d4835587b\n"
	 "-- Revises: b182f655505f\n"
	 "-- Create Date: 2022-02-01 09:00:00.000000\n"
	 "-- Branch Labels:\n"
	 "-- Depends On:\n"
	 "-- Tags:\n"},
	{"versions_gxy/6a67bf27e6a6_add_dataset_metadata_column.sql",
	 "-- add dataset metadata column\n"
	 "--\n"
	 "-- Revision ID: 6a67bf27e6a6\n"
	 "-- Revises: 9540a051226e\n"
	 "-- Create Date: 2022-09-12 09:00:00.000000\n"
	 "-- Branch Labels:\n"
	 "-- Depends On:\n"
	 "-- Tags:\n"},
	{"versions_gxy/9540a051226e_merge_job_and_dataset.sql",
	 "-- merge job and dataset\n"
	 "--\n"
	 "-- Revision ID: 9540a051226e\n"
	 "-- Revises: c39f1de47a04, 186d4835587b\n"
	 "-- Create Date: 2022-05-02 09:00:00.000000\n"
	 "-- Branch Labels:\n"
	 "-- Depends On:\n"
	 "-- Tags: release_22.05\n"},
	{"versions_gxy/a2e418ad6a15_add_job_queue_index.sql",
	 "-- add job queue index\n"
	 "--\n"
	 "-- Revision ID: a2e418ad6a15\n"
	 "-- Revises: 6a67bf27e6a6\n"
	 "-- Create Date: 2023-01-09 09:00:00.000000\n"
	 "-- Branch Labels:\n"
	 "-- Depends On:\n"
	 "-- Tags: release_23.0\n"},
	{"versions_gxy/b182f655505f_add_user_table.sql",
	 "-- add user table\n"
	 "--\n"
	 "-- Revision ID: b182f655505f\n"
	 "-- Revises: e7b6dcb09efd\n"
	 "-- Create Date: 2022-01-17 09:00:00.000000\n"
	 "-- Branch Labels:\n"
	 "-- Depends On:\n"
	 "-- Tags:\n"},
	{"versions_gxy/c39f1de47a04_add_job_table.sql",
	 "-- add job table\n"
	 "--\n"
	 "-- Revision ID: c39f1de47a04\n"
	 "-- Revises: b182f655505f\n"
	 "-- Create Date: 2022-02-03 09:00:00.000000\n"
	 "-- Branch Labels:\n"
	 "-- Depends On:\n"
	 "-- Tags:\n"},
	{"versions_gxy/e7b6dcb09efd_create_gxy_base.sql",
	 "-- create gxy base\n"
	 "--\n"
	 "-- Revision ID: e7b6dcb09efd\n"
	 "-- Revises:\n"
	 "-- Create Date: 2022-01-10 09:00:00.000000\n"
	 "-- Branch Labels: gxy\n"
	 "-- Depends On:\n"
	 "-- Tags:\n"},
	{"versions_tsi/3a2d6b1c9e0f_add_tool_shed_table.sql",
	 "-- add tool shed table\n"
	 "--\n"
	 "-- Revision ID: 3a2d6b1c9e0f\n"
	 "-- Revises: d4a650f47a3c\n"
	 "-- Create Date: 2022-01-24 10:00:00.000000\n"
	 "-- Branch Labels:\n"
	 "-- Depends On:\n"
	 "-- Tags:\n"},
	{"versions_tsi/5555bbbb0001_tsi_needs_gxy_job_table.sql",
	 "-- tsi needs gxy job table\n"
	 "--\n"
	 "-- Revision ID: 5555bbbb0001\n"
	 "-- Revises: 3a2d6b1c9e0f\n"
	 "-- Create Date: 2022-03-07 10:00:00.000000\n"
	 "-- Branch Labels:\n"
	 "-- Depends On: c39f1de47a04\n"
	 "-- Tags:\n"},
	{"versions_tsi/5555bbbb0002_add_repository_status.sql",
	 "-- add repository status\n"
	 "--\n"
	 "-- Revision ID: 5555bbbb0002\n"
	 "-- Revises: 5555bbbb0001\n"
	 "-- Create Date: 2022-11-14 10:00:00.000000\n"
	 "-- Branch Labels:\n"
	 "-- Depends On:\n"
	 "-- Tags:\n"},
	{"versions_tsi/d4a650f47a3c_create_tsi_base.sql",
	 "-- create tsi base\n"
	 "--\n"
	 "-- Revision ID: d4a650f47a3c\n"
	 "-- Revises:\n"
	 "-- Create Date: 2022-01-10 10:00:00.000000\n"
	 "-- Branch Labels: tsi\n"
	 "-- Depends On:\n"
	 "-- Tags:\n"},
};

static const fx_file fx_bases_files[] = {
	{"00_aaa1.sql", REV("aaa1", "", "alpha", "", "", "alpha base")},
	{"01_aaa2.sql", REV("aaa2", "aaa1", "alpha2", "", "", "alpha two")},
	{"02_aaa3.sql", REV("aaa3", "aaa2", "", "", "", "alpha three")},
	{"03_bbb1.sql", REV("bbb1", "", "beta, bravo", "", "", "beta base")},
	{"04_bbb2.sql", REV("bbb2", "bbb1", "", "", "", "beta two")},
	{"05_ccc1.sql", REV("ccc1", "", "", "", "", "unlabelled base")},
	{"06_ccc2.sql", REV("ccc2", "ccc1", "", "", "", "left of ccc1")},
	{"07_ccc3.sql", REV("ccc3", "ccc1", "", "", "", "right of ccc1")},
};

static const fx_file fx_merges_files[] = {
	{"00_root.sql", REV("root", "", "trunk", "", "", "root")},
	{"01_a001.sql", REV("a001", "root", "", "", "", "a one")},
	{"02_a002.sql", REV("a002", "a001", "", "", "", "a two")},
	{"03_b001.sql", REV("b001", "root", "", "", "", "b one")},
	{"04_c001.sql", REV("c001", "root", "", "", "", "c one")},
	{"05_m001.sql", REV("m001", "a002, b001, c001", "", "", "", "three-parent merge")},
	{"06_d001.sql", REV("d001", "m001", "", "", "", "d one")},
	{"07_e001.sql", REV("e001", "m001", "", "", "", "e one")},
	{"08_g001.sql", REV("g001", "m001", "", "", "", "g one")},
	{"09_m002.sql", REV("m002", "d001, e001", "", "", "", "merge d and e")},
	{"10_m003.sql", REV("m003", "m002, g001", "", "", "", "merge of a merge and g")},
	{"11_h001.sql", REV("h001", "m003", "", "", "", "h one")},
	{"12_h002.sql", REV("h002", "m003", "", "", "", "h two")},
	{"13_k001.sql", REV("k001", "m003", "", "", "", "k one")},
	{"14_k002.sql", REV("k002", "m003", "", "", "", "k two")},
	{"15_m004.sql", REV("m004", "h001, h002", "", "", "", "merge h")},
	{"16_m005.sql", REV("m005", "k001, k002", "", "", "", "merge k")},
	{"17_top1.sql", REV("top1", "m004, m005", "", "", "", "merge of merges")},
};

static const fx_file fx_deps_files[] = {
	{"00_s001.sql", REV("s001", "", "left", "", "", "left base")},
	{"01_s002.sql", REV("s002", "s001", "", "", "", "left two")},
	{"02_s003.sql", REV("s003", "s002", "", "", "", "left three")},
	{"03_t001.sql", REV("t001", "", "right", "", "", "right base")},
	{"04_t002.sql", REV("t002", "t001", "", "s002", "", "right two needs left two")},
	{"05_t003.sql", REV("t003", "t002", "", "s003", "", "right three needs left three")},
	{"06_t004.sql", REV("t004", "t003", "", "s002", "", "right four needs left two again")},
	{"07_u001.sql", REV("u001", "", "third", "right", "", "third base needs right")},
	{"08_u002.sql", REV("u002", "u001", "", "", "", "third two")},
};

static const fx_file fx_short_files[] = {
	{"00_r1.sql", REV("r1", "", "abc", "", "", "short base")},
	{"01_r2.sql", REV("r2", "r1", "", "", "", "short two")},
	{"02_r10.sql", REV("r10", "r2", "", "", "", "short three")},
	{"03_r100.sql", REV("r100", "r10", "", "", "", "long four")},
	{"04_lbl1abc.sql", REV("lbl1abc", "", "lbl1_name", "", "", "a label sharing its id's prefix")},
};

static const fx_file fx_chain_files[] = {
	{"00_c000.sql", REV("c000", "", "line", "", "", "step 0")},
	{"01_c001.sql", REV("c001", "c000", "", "", "", "step 1")},
	{"02_c002.sql", REV("c002", "c001", "", "", "", "step 2")},
	{"03_c003.sql", REV("c003", "c002", "", "", "", "step 3")},
	{"04_c004.sql", REV("c004", "c003", "", "", "", "step 4")},
	{"05_c005.sql", REV("c005", "c004", "", "", "", "step 5")},
	{"06_c006.sql", REV("c006", "c005", "", "", "", "step 6")},
	{"07_c007.sql", REV("c007", "c006", "", "", "", "step 7")},
	{"08_c008.sql", REV("c008", "c007", "", "", "", "step 8")},
	{"09_c009.sql", REV("c009", "c008", "", "", "", "step 9")},
	{"10_c010.sql", REV("c010", "c009", "", "", "release_1.0", "step 10")},
	{"11_c011.sql", REV("c011", "c010", "", "", "", "step 11")},
	{"12_c012.sql", REV("c012", "c011", "", "", "", "step 12")},
	{"13_c013.sql", REV("c013", "c012", "", "", "", "step 13")},
	{"14_c014.sql", REV("c014", "c013", "", "", "", "step 14")},
	{"15_c015.sql", REV("c015", "c014", "", "", "", "step 15")},
	{"16_c016.sql", REV("c016", "c015", "", "", "", "step 16")},
	{"17_c017.sql", REV("c017", "c016", "", "", "", "step 17")},
	{"18_c018.sql", REV("c018", "c017", "", "", "", "step 18")},
	{"19_c019.sql", REV("c019", "c018", "", "", "", "step 19")},
	{"20_c020.sql", REV("c020", "c019", "", "", "v2", "step 20")},
	{"21_c021.sql", REV("c021", "c020", "", "", "", "step 21")},
	{"22_c022.sql", REV("c022", "c021", "", "", "", "step 22")},
	{"23_c023.sql", REV("c023", "c022", "", "", "", "step 23")},
	{"24_c024.sql", REV("c024", "c023", "", "", "", "step 24")},
	{"25_c025.sql", REV("c025", "c024", "", "", "", "step 25")},
	{"26_c026.sql", REV("c026", "c025", "", "", "", "step 26")},
	{"27_c027.sql", REV("c027", "c026", "", "", "", "step 27")},
	{"28_c028.sql", REV("c028", "c027", "", "", "", "step 28")},
	{"29_c029.sql", REV("c029", "c028", "", "", "", "step 29")},
};

static const fx_file fx_bad_dupid_files[] = {
	{"00_r1.sql", REV("r1", "", "", "", "", "one")},
	{"01_r2.sql", REV("r2", "r1", "", "", "", "two")},
	{"02_r2.sql", REV("r2", "r1", "", "", "", "two again")},
};

static const fx_file fx_bad_unknown_revises_files[] = {
	{"00_r1.sql", REV("r1", "", "", "", "", "one")},
	{"01_r2.sql", REV("r2", "nope", "", "", "", "two")},
};

static const fx_file fx_bad_unknown_dep_files[] = {
	{"00_r1.sql", REV("r1", "", "", "", "", "one")},
	{"01_r2.sql", REV("r2", "r1", "", "nope", "", "two")},
};

static const fx_file fx_bad_selfloop_files[] = {
	{"00_r1.sql", REV("r1", "", "", "", "", "one")},
	{"01_r2.sql", REV("r2", "r2", "", "", "", "two")},
};

static const fx_file fx_bad_depselfloop_files[] = {
	{"00_r1.sql", REV("r1", "", "", "", "", "one")},
	{"01_r2.sql", REV("r2", "r1", "", "r2", "", "two")},
};

static const fx_file fx_bad_cycle_files[] = {
	{"00_zz01.sql", REV("zz01", "", "", "", "", "base")},
	{"01_zz02.sql", REV("zz02", "zz01", "", "", "", "head")},
	{"02_yy02.sql", REV("yy02", "xx01", "", "", "", "loop one")},
	{"03_xx01.sql", REV("xx01", "yy02", "", "", "", "loop two")},
};

static const fx_file fx_bad_cycle_all_files[] = {
	{"00_r2.sql", REV("r2", "r1", "", "", "", "one")},
	{"01_r1.sql", REV("r1", "r2", "", "", "", "two")},
};

static const fx_file fx_bad_depcycle_all_files[] = {
	{"00_x1.sql", REV("x1", "", "", "", "", "x base")},
	{"01_x2.sql", REV("x2", "x1", "", "y2", "", "x two")},
	{"02_y1.sql", REV("y1", "", "", "", "", "y base")},
	{"03_y2.sql", REV("y2", "y1", "", "x2", "", "y two")},
};

static const fx_file fx_bad_depcycle_files[] = {
	{"00_z1.sql", REV("z1", "", "", "", "", "z base")},
	{"01_y1.sql", REV("y1", "", "", "", "", "y base")},
	{"02_y2.sql", REV("y2", "y1", "", "x2", "", "y two")},
	{"03_x1.sql", REV("x1", "", "", "", "", "x base")},
	{"04_x2.sql", REV("x2", "x1", "", "y2", "", "x two")},
};

/*
 * Loops that Alembic's _detect_cycles misses: each has a way in from a
 * base and a way out to a head (issue 18, finding 1: every walk over
 * them would never end).
 */
static const fx_file fx_bad_deploop_files[] = {
	{"t0.sql", REV("t0", "", "", "", "", "base")},
	{"b0.sql", REV("b0", "t0", "", "c0", "", "b")},
	{"c0.sql", REV("c0", "b0", "", "", "", "c")},
	{"x0.sql", REV("x0", "b0", "", "", "", "x")},
	{"m0.sql", REV("m0", "c0, x0", "", "", "", "merge")},
};

static const fx_file fx_bad_loop_files[] = {
	{"a.sql", REV("a", "", "", "", "", "base")},
	{"b.sql", REV("b", "a, c", "", "", "", "b")},
	{"c.sql", REV("c", "b", "", "", "", "c")},
	{"d.sql", REV("d", "c", "", "", "", "head")},
};

static const fx_file fx_bad_duplabel_files[] = {
	{"00_r1.sql", REV("r1", "", "dup", "", "", "one")},
	{"01_r2.sql", REV("r2", "", "dup", "", "", "two")},
};

static const fx_file fx_bad_label_is_id_files[] = {
	{"00_r1.sql", REV("r1", "", "", "", "", "one")},
	{"01_r2.sql", REV("r2", "", "r1", "", "", "two")},
};

static const fx_file fx_bad_duptag_files[] = {
	{"00_r1.sql", REV("r1", "", "", "", "release_1.0", "one")},
	{"01_r2.sql", REV("r2", "r1", "", "", "release_1.0", "two")},
};

static const fx_graph fx_sample = FX_GRAPH("sample", fx_sample_files);
static const fx_graph fx_bases = FX_GRAPH("bases", fx_bases_files);
static const fx_graph fx_merges = FX_GRAPH("merges", fx_merges_files);
static const fx_graph fx_deps = FX_GRAPH("deps", fx_deps_files);
static const fx_graph fx_short = FX_GRAPH("short", fx_short_files);
static const fx_graph fx_chain = FX_GRAPH("chain", fx_chain_files);
static const fx_graph fx_bad_dupid = FX_GRAPH("bad_dupid", fx_bad_dupid_files);
static const fx_graph fx_bad_unknown_revises = FX_GRAPH("bad_unknown_revises", fx_bad_unknown_revises_files);
static const fx_graph fx_bad_unknown_dep = FX_GRAPH("bad_unknown_dep", fx_bad_unknown_dep_files);
static const fx_graph fx_bad_selfloop = FX_GRAPH("bad_selfloop", fx_bad_selfloop_files);
static const fx_graph fx_bad_depselfloop = FX_GRAPH("bad_depselfloop", fx_bad_depselfloop_files);
static const fx_graph fx_bad_cycle = FX_GRAPH("bad_cycle", fx_bad_cycle_files);
static const fx_graph fx_bad_cycle_all = FX_GRAPH("bad_cycle_all", fx_bad_cycle_all_files);
static const fx_graph fx_bad_depcycle_all = FX_GRAPH("bad_depcycle_all", fx_bad_depcycle_all_files);
static const fx_graph fx_bad_depcycle = FX_GRAPH("bad_depcycle", fx_bad_depcycle_files);
static const fx_graph fx_bad_deploop = FX_GRAPH("bad_deploop", fx_bad_deploop_files);
static const fx_graph fx_bad_loop = FX_GRAPH("bad_loop", fx_bad_loop_files);
static const fx_graph fx_bad_duplabel = FX_GRAPH("bad_duplabel", fx_bad_duplabel_files);
static const fx_graph fx_bad_label_is_id = FX_GRAPH("bad_label_is_id", fx_bad_label_is_id_files);
static const fx_graph fx_bad_duptag = FX_GRAPH("bad_duptag", fx_bad_duptag_files);

/* A fresh context on the test allocator (no failure injected). */
static inline mg_ctx *
fx_ctx(void)
{
	mg_ctx *ctx = NULL;

	tap_fail_at = 0;
	if (mg_ctx_new(&ctx, tap_realloc, NULL) != MG_OK)
	{
		printf("Bail out! cannot create a context\n");
		exit(255);
	}
	return ctx;
}

/*
 * Parse every script of g, add them in order and build the map.  Returns
 * the first failing code (the context's error says why); *out is the map
 * (possibly unbuilt) or NULL.
 */
static inline int
fx_build(mg_revmap **out, mg_ctx *ctx, const fx_graph *g)
{
	int rc;

	*out = NULL;
	if ((rc = mg_revmap_new(out, ctx)) != MG_OK)
		return rc;
	for (size_t i = 0; i < g->n; i++)
	{
		mg_script *s;

		rc = mg_script_parse(&s, ctx, g->files[i].text, strlen(g->files[i].text),
							 g->files[i].name);
		if (rc != MG_OK)
			return rc;
		if ((rc = mg_revmap_add(*out, s)) != MG_OK)
			return rc;
	}
	return mg_revmap_build(*out);
}

/* Build g or bail out: for tests whose subject is not the build itself. */
static inline mg_revmap *
fx_map(mg_ctx *ctx, const fx_graph *g)
{
	mg_revmap *map;

	if (fx_build(&map, ctx, g) != MG_OK)
	{
		printf("Bail out! graph %s does not build: %s\n", g->name,
			   mg_ctx_error(ctx)->message);
		exit(255);
	}
	return map;
}

/* Revision ids of revs[0..n) joined by single spaces ("" when n is 0). */
static inline const char *
fx_ids(mg_ctx *ctx, const mg_revmap *map, const int *revs, size_t n)
{
	mg_buf b;
	char *s;

	mg_buf_init(&b, ctx);
	for (size_t i = 0; i < n; i++)
	{
		if (i)
			mg_buf_putc(&b, ' ');
		mg_buf_puts(&b, revs[i] >= 0 ? mg_revmap_rev(map, revs[i])->id : "<base>");
	}
	return mg_buf_finish(&b, &s) == MG_OK ? s : "(out of memory)";
}

static inline int
fx_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Strings joined by spaces after sorting them (for Alembic's sets). */
static inline const char *
fx_sorted(mg_ctx *ctx, const char *const *items, size_t n)
{
	const char **copy = mg_alloc(ctx, (n + 1) * sizeof(char *));
	mg_buf b;
	char *s;

	if (copy == NULL)
		return "(out of memory)";
	memcpy(copy, items, n * sizeof(char *));
	qsort(copy, n, sizeof(char *), fx_cmp_str);
	mg_buf_init(&b, ctx);
	mg_buf_join(&b, copy, n, " ");
	return mg_buf_finish(&b, &s) == MG_OK ? s : "(out of memory)";
}

/*
 * Split "a b c" into the revision indices of map; an unknown id bails
 * out (the test itself is wrong).  *n gets the count.
 */
static inline int *
fx_revs(mg_ctx *ctx, const mg_revmap *map, const char *list, size_t *n)
{
	int *out = mg_alloc(ctx, (strlen(list) / 2 + 2) * sizeof(int));
	const char *p = list;

	*n = 0;
	if (out == NULL)
	{
		printf("Bail out! out of memory\n");
		exit(255);
	}
	while (*p)
	{
		size_t len = strcspn(p, " ");
		char id[64];
		int r;

		snprintf(id, sizeof(id), "%.*s", (int) len, p);
		r = mg_revmap_find(map, id);
		if (r < 0)
		{
			printf("Bail out! test names unknown revision %s\n", id);
			exit(255);
		}
		out[(*n)++] = r;
		p += len;
		while (*p == ' ')
			p++;
	}
	return out;
}

/* The same list as id strings (version-table rows, in the order given). */
static inline const char **
fx_rows(mg_ctx *ctx, const char *list, size_t *n)
{
	const char **out = mg_alloc(ctx, (strlen(list) / 2 + 2) * sizeof(char *));
	const char *p = list;

	*n = 0;
	if (out == NULL)
	{
		printf("Bail out! out of memory\n");
		exit(255);
	}
	while (*p)
	{
		size_t len = strcspn(p, " ");

		out[(*n)++] = mg_strndup(ctx, p, len);
		p += len;
		while (*p == ' ')
			p++;
	}
	return out;
}

/*
 * Test that got starts with want (Alembic's inner message, which the
 * engine puts at the start of the error detail).
 */
static inline int
fx_is_prefix(const char *got, const char *want, const char *name, const char *ident)
{
	int pass = got != NULL && strncmp(got, want, strlen(want)) == 0;

	ok(pass, "%s %s: detail starts with Alembic's reason", name, ident);
	if (!pass)
		printf("#          got: %s\n#     expected: %s...\n", got ? got : "(null)", want);
	return pass;
}

#endif /* GRAPH_FIXTURE_H */
