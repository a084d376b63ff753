/*
 * test_status.c -- migrate_status and migrate_graph (status.c,
 * graph_dot.c, api.c) against an in-memory SQLite: every state and
 * column, a database ahead of the catalog placed through the log,
 * collapsed chains, the interrupt hook in their loops, and out-of-memory
 * sweeps that show every failure is clean.
 *
 * The graph: a (base, label "main") <- b (branch point) <- c1, c2 <- m
 * (merge), then a chain m <- s3 ... s40 (for the sweeps and the
 * collapsing); and x (base, label "side") <- y, which depends on c1.
 */
#include "tap.h"
#include "sqlite_host.h"
#include "oom_sweep.h"

#define NCHAIN 38

static void
add(const char *const *texts, size_t n)
{
	mg_ctx *ctx = new_ctx();
	char *report;

	if (mg_cmd_add(&report, ctx, &host, n, texts, NULL) != MG_OK)
	{
		printf("Bail out! add: %s\n", mg_ctx_error(ctx)->message);
		exit(1);
	}
	mg_ctx_free(ctx);
}

static void
load(void)
{
	static const char *const fixed[] = {
		"-- base\n-- Revision ID: a\n-- Revises:\n-- Branch Labels: main\n"
		"-- migrate:upgrade\nCREATE TABLE ta (id INTEGER);\n-- migrate:downgrade\nDROP TABLE ta;\n",
		"-- fork\n-- Revision ID: b\n-- Revises: a\n-- Tags: release_1.0\n"
		"-- migrate:upgrade\n-- migrate:downgrade\n",
		"-- left\n-- Revision ID: c1\n-- Revises: b\n-- migrate:upgrade\n-- migrate:downgrade\n",
		"-- right\n-- Revision ID: c2\n-- Revises: b\n-- migrate:upgrade\n-- migrate:downgrade\n",
		"-- join \"both\" \\ sides\n-- Revision ID: m\n-- Revises: c1, c2\n-- migrate:upgrade\n-- migrate:downgrade\n",
		"-- side base\n-- Revision ID: x\n-- Revises:\n-- Branch Labels: side\n-- migrate:upgrade\n-- migrate:downgrade\n",
		"-- side two\n-- Revision ID: y\n-- Revises: x\n-- Depends On: c1\n-- migrate:upgrade\n-- migrate:downgrade\n",
	};
	static char texts[NCHAIN][200];
	const char *ptrs[NCHAIN];

	add(fixed, sizeof(fixed) / sizeof(fixed[0]));
	for (int i = 0; i < NCHAIN; i++)
	{
		char parent[16];

		snprintf(parent, sizeof(parent), i == 0 ? "m" : "s%d", i + 2);
		snprintf(texts[i], sizeof(texts[i]),
				 "-- step %d of the chain, with a message long enough to fill the arena\n"
				 "-- Revision ID: s%d\n-- Revises: %s\n-- migrate:upgrade\n-- migrate:downgrade\n",
				 i + 3, i + 3, parent);
		ptrs[i] = texts[i];
	}
	add(ptrs, NCHAIN);
}

static int
run(mg_run_kind kind, const char *target)
{
	mg_ctx *ctx = new_ctx();
	char *out = NULL;
	int rc = kind == MG_RUN_UPGRADE ? mg_cmd_upgrade(&out, ctx, &host, target)
		: kind == MG_RUN_DOWNGRADE ? mg_cmd_downgrade(&out, ctx, &host, target)
		: mg_cmd_stamp(&out, ctx, &host, target, 0);

	if (rc != MG_OK)
		printf("# %s: %s\n", target, mg_ctx_error(ctx)->message);
	mg_ctx_free(ctx);
	return rc;
}

/* The status as text: one "rev state at by ms ok file" line per row. */
static char status_text[16384];

static const char *
nul(const char *s)
{
	return s != NULL ? s : "-";
}

static int
status_into(mg_ctx *ctx, char **out)
{
	mg_status_rows st;
	size_t len = 0;
	int rc = mg_cmd_status(&st, ctx, &host);

	*out = NULL;
	status_text[0] = '\0';
	if (rc != MG_OK)
		return rc;
	for (size_t i = 0; i < st.n && len < sizeof(status_text); i++)
	{
		const mg_status_row *r = &st.rows[i];

		len += (size_t) snprintf(status_text + len, sizeof(status_text) - len,
								 "%s|%s|%s|%s|%s|%s|%s|%s\n", r->revision, r->branch_labels,
								 r->state, nul(r->applied_at), nul(r->applied_by),
								 r->has_duration ? "ms" : "-",
								 r->checksum_ok < 0 ? "-" : r->checksum_ok ? "1" : "0", nul(r->file));
	}
	*out = status_text;
	return MG_OK;
}

static const char *
status(void)
{
	mg_ctx *ctx = new_ctx();
	char *out;

	if (status_into(ctx, &out) != MG_OK)
		snprintf(status_text, sizeof(status_text), "error: %s", mg_ctx_error(ctx)->message);
	mg_ctx_free(ctx);
	return status_text;
}

/* The line of revision rev in the status text ("" when absent). */
static char line_buf[512];

static const char *
line_of(const char *text, const char *rev)
{
	size_t n = strlen(rev);

	line_buf[0] = '\0';
	for (const char *p = text; *p;)
	{
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t) (e - p) : strlen(p);

		if (strncmp(p, rev, n) == 0 && p[n] == '|')
		{
			snprintf(line_buf, sizeof(line_buf), "%.*s", (int) len, p);
			break;
		}
		p += len + (e ? 1 : 0);
	}
	return line_buf;
}

#define APPLIED(rev, labels) rev "|" labels "|applied|" NOW "|-|ms|1|-"

static void
test_states(void)
{
	const char *t;

	db_open();
	is_str(status(), "", "no state tables: no rows");
	load();
	t = status();
	is_str(line_of(t, "a"), "a|main|pending|-|-|-|-|-", "loaded: pending, no log columns");
	ok(strstr(t, "s40|") != NULL && strstr(t, "s40|") < strstr(t, "s39|") &&
	   strstr(t, "m|") < strstr(t, "c1|") && strstr(t, "c1|") < strstr(t, "a|"),
	   "history order: the newest first");

	is_int(run(MG_RUN_UPGRADE, "c1"), MG_OK, "upgrade to c1");
	t = status();
	is_str(line_of(t, "c1"), APPLIED("c1", "main"), "applied: the log's time and duration, checksum ok");
	is_str(line_of(t, "c2"), "c2|main|pending|-|-|-|-|-", "the other arm: pending");
	is_str(line_of(t, "m"), "m|main|pending|-|-|-|-|-", "the merge: pending");
	is_str(line_of(t, "y"), "y|side|pending|-|-|-|-|-", "the side branch: pending");

	is_int(run(MG_RUN_UPGRADE, "heads"), MG_OK, "upgrade heads");
	is_int(run(MG_RUN_DOWNGRADE, "s38"), MG_OK, "downgrade two steps");
	t = status();
	is_str(line_of(t, "s40"), "s40|main|pending|-|-|-|-|-", "downgraded: pending again");
	is_str(line_of(t, "s38"), APPLIED("s38", "main"), "below the downgrade: applied");
	is_int(run(MG_RUN_STAMP, "side@base"), MG_OK, "stamp the side branch away");
	is_int(run(MG_RUN_STAMP, "y"), MG_OK, "and back");
	t = status();
	is_str(line_of(t, "y"), APPLIED("y", "side"), "stamped down and up: its last run stands");
	is_int(run(MG_RUN_DOWNGRADE, "side@base"), MG_OK, "downgrade side");
	is_int(run(MG_RUN_STAMP, "y"), MG_OK, "stamp y");
	t = status();
	is_str(line_of(t, "y"), "y|side|stamped|-|-|-|-|-", "downgraded, then stamped: stamped");
	is_str(line_of(t, "x"), "x|side|stamped|-|-|-|-|-", "its ancestry too");

	db_exec("UPDATE migrate_catalog SET checksum = '0000000000000000' WHERE revision = 'b'");
	t = status();
	is_str(line_of(t, "b"), "b|main|applied|" NOW "|-|ms|0|-", "an edited applied revision: checksum_ok 0");
	db_exec("UPDATE migrate_log SET run_at = 'yesterday' WHERE revision = 'a'");
	is_str(line_of(status(), "a"), "a|main|applied|-|-|ms|1|-", "a run_at not of the log's shape: NULL");

	{
		mg_ctx *ctx = new_ctx();
		char *out;

		db_exec("INSERT INTO migrate_settings VALUES ('branches', 'main')");
		is_int(run(MG_RUN_STAMP, "side@base"), MG_OK, "stamp side away");
		t = status();
		is_str(line_of(t, "y"), "y|side|not held|-|-|-|-|-", "outside the branches setting: not held");
		db_exec("DELETE FROM migrate_settings WHERE key = 'branches'");
		mg_ctx_free(ctx);
		(void) out;
	}
	db_close();
}

static void
setup_ahead(void)
{
	static const char *const more[] = {
		"-- z1\n-- Revision ID: z1\n-- Revises: s40\n-- migrate:upgrade\n-- migrate:downgrade\n",
		"-- z2\n-- Revision ID: z2\n-- Revises: z1\n-- migrate:upgrade\n-- migrate:downgrade\n",
	};

	load();
	add(more, 2);
	run(MG_RUN_UPGRADE, "z2");
	db_exec("DELETE FROM migrate_catalog WHERE revision IN ('z1', 'z2')");
}

static void
test_ahead(void)
{
	const char *t;

	db_open();
	setup_ahead();
	t = status();
	ok(strncmp(t, "z2||unknown|" NOW "|-|ms|-|-\n", strlen("z2||unknown|" NOW "|-|ms|-|-\n")) == 0,
	   "the unknown row first, with its logged run");
	is_str(line_of(t, "s40"), APPLIED("s40", "main"), "placed through z2's and z1's logged upgrades: applied");
	is_str(line_of(t, "y"), "y|side|pending|-|-|-|-|-", "the other branch: pending");
	db_exec("DELETE FROM migrate_log WHERE revision = 'z1'");
	is_str(line_of(status(), "s40"), "s40|main|pending|-|-|-|-|-",
		   "without z1's logged upgrade nothing places it: pending");
	db_exec("DROP INDEX migrate_log_revision");
	is_str(line_of(status(), "s39"), "s39|main|pending|-|-|-|-|-", "without the log's index: the same answer");
	db_close();
}

/* ------------------------------------------------------------------ graph */

static char graph_text[65536];

static int
graph_into(mg_ctx *ctx, char **out, const char *format)
{
	int rc = mg_cmd_graph(out, ctx, &host, format);

	snprintf(graph_text, sizeof(graph_text), "%s", rc == MG_OK ? *out : mg_ctx_error(ctx)->message);
	return rc;
}

static int
graph_full(mg_ctx *ctx, char **out)
{
	return graph_into(ctx, out, NULL);
}

static int
graph_collapsed(mg_ctx *ctx, char **out)
{
	return graph_into(ctx, out, "dot-collapsed");
}

static const char *
graph(const char *format)
{
	mg_ctx *ctx = new_ctx();
	char *out;

	graph_into(ctx, &out, format);
	mg_ctx_free(ctx);
	return graph_text;
}

static void
test_graph(void)
{
	db_open();
	load();
	run(MG_RUN_UPGRADE, "s10");
	ok(strstr(graph(NULL), "\t\"m\" [label=\"m (mergepoint)\\njoin \\\"both\\\" \\\\ sides\", penwidth=2, color=\"#3b6fb6\"];\n") != NULL,
	   "a merge point, its message escaped");
	ok(strstr(graph_text, "\t\"b\" [label=\"b (branchpoint)\\nfork\\ntags: release_1.0\", penwidth=2, color=\"#d9822b\"];\n") != NULL,
	   "a tagged branch point");
	ok(strstr(graph_text, "\t\"s10\" [label=\"s10 (current)\\n") != NULL, "the current revision");
	ok(strstr(graph_text, "\t\"c1\" -> \"y\" [style=dashed, label=\"depends on\"];\n") != NULL, "a dependency");
	ok(strstr(graph_text, "\t{ rank=min; \"a\"; \"x\"; }\n") != NULL, "the bases on the first rank");
	ok(strstr(graph_text, "\t\"s9\" -> \"s10\";\n") != NULL, "every edge of the chain");
	graph("dot-collapsed");
	ok(strstr(graph_text, "\t\"m\" -> \"s10\" [label=\"7 revisions\", style=bold];\n") != NULL,
	   "collapsed: the chain up to the current revision");
	ok(strstr(graph_text, "\t\"s10\" -> \"s40\" [label=\"29 revisions\", style=bold];\n") != NULL,
	   "and from it to the head");
	ok(strstr(graph_text, "\"s11\"") == NULL, "the hidden revisions are not drawn");
	ok(strstr(graph_text, "\t\"c1\" -> \"m\";\n") != NULL, "edges between kept revisions stay plain");
	is_str(graph("svg"), "unknown graph format \"svg\"", "an unknown format");
	db_close();
}

/* ------------------------------------------------------------------ interrupts */

static int calls_left;

static int
stop_after(void *ud)
{
	(void) ud;
	return --calls_left <= 0;
}

static void
test_interrupt(void)
{
	mg_ctx *ctx;
	char *out;
	mg_status_rows st;

	static char texts[600][160];
	const char *ptrs[600];

	db_open();
	setup_ahead();
	/* the hook runs once every MG_INTERRUPT_EVERY checks: a graph of some hundreds reaches it */
	for (int i = 0; i < 600; i++)
	{
		snprintf(texts[i], sizeof(texts[i]),
				 "-- long %d\n-- Revision ID: l%d\n-- Revises: %s%d\n-- migrate:upgrade\n-- migrate:downgrade\n",
				 i, i, i == 0 ? "s" : "l", i == 0 ? 40 : i - 1);
		ptrs[i] = texts[i];
	}
	add(ptrs, 600);
	for (int which = 0; which < 3; which++)
	{
		ctx = new_ctx();
		calls_left = 1;
		mg_ctx_set_interrupt(ctx, stop_after, NULL);
		{
			int rc = which == 0 ? mg_cmd_status(&st, ctx, &host)
				: mg_cmd_graph(&out, ctx, &host, which == 1 ? "dot" : "dot-collapsed");

			is_int(rc, MG_ECANCEL, "%s: a cancel request stops it",
				   which == 0 ? "status" : which == 1 ? "graph" : "collapsed graph");
			is_str(mg_ctx_error(ctx)->sqlstate, MG_STATE_CANCELED, "with SQLSTATE 57014");
		}
		mg_ctx_free(ctx);
	}
	db_close();
}

/* ------------------------------------------------------------------ out of memory */

static void
setup_applied(void)
{
	load();
	run(MG_RUN_UPGRADE, "s20");
	run(MG_RUN_STAMP, "y");
}

/*
 * The read-only commands at every arena position: one database, then for
 * each pad the command with the next chunk request failing.  Each run
 * completes with want in its text, or fails cleanly; nothing leaks.
 */
static void
pad_sweep(const char *name, sweep_fn cmd, const char *want)
{
	size_t step = getenv("MIGRATE_VALGRIND") ? 128 : 8;
	int good = 1, fails = 0;

	for (size_t pad = 0; pad <= OOM_SWEEP_MAX_PAD; pad += step)
	{
		mg_ctx *ctx = new_ctx();
		char *out = NULL;
		int rc;

		if (!oom_pad_and_arm(ctx, pad))
			good = 0;
		rc = cmd(ctx, &out);
		oom_disarm();
		if (rc != MG_OK)
		{
			fails++;
			if (!oom_failed_cleanly(ctx, rc, out, 0))
			{
				if (good)
					printf("# %s: pad %zu: rc %d: %s\n", name, pad, rc, mg_ctx_error(ctx)->message);
				good = 0;
			}
		}
		else if (out == NULL || strstr(out, want) == NULL)
			good = 0;
		mg_ctx_free(ctx);
		if (tap_live != 0)
			good = 0;
		tap_live = 0;
	}
	ok(good && fails > 0, "%s: at every arena position a clean failure or the answer (%d failures)", name, fails);
}

static void
test_oom(void)
{
	db_open();
	setup_applied();
	pad_sweep("status", status_into, "s20|main|applied|");
	pad_sweep("graph", graph_full, "\"s19\" -> \"s20\"");
	pad_sweep("graph, collapsed", graph_collapsed, "label=\"19 revisions\"");
	db_close();
	db_open();
	setup_ahead();
	pad_sweep("status, ahead", status_into, "z2||unknown|");
	db_close();
	oom_sweep("status", setup_applied, status_into, "s20|main|applied|", NULL);
	oom_sweep("status, ahead", setup_ahead, status_into, "z2||unknown|", NULL);
	oom_sweep("graph", setup_applied, graph_full, "\"s19\" -> \"s20\"", NULL);
	oom_sweep("graph, collapsed", setup_applied, graph_collapsed, "label=\"19 revisions\"", NULL);
}

/* ------------------------------------------------------------------ api */

static void
test_api(void)
{
	mg_ctx *ctx = new_ctx();
	const mg_api_function **f;
	size_t n, both;

	is_int(mg_api_functions(&f, &n, ctx, MG_API_SQLITE | MG_API_POSTGRESQL), MG_OK, "the whole list");
	both = n;
	is_int(mg_api_functions(&f, &n, ctx, MG_API_POSTGRESQL), MG_OK, "PostgreSQL's");
	ok(n < both && strcmp(f[0]->name, "migrate_load") == 0, "a part of it, in the same order");
	for (size_t i = 0; i < n; i++)
		if (strchr(f[i]->description, '\n') != NULL || f[i]->description[0] == '\0')
			ok(0, "%s: one line", f[i]->name);
	mg_ctx_free(ctx);
	ctx = new_ctx();
	tap_fail_at = 1;            /* the arena's first chunk */
	tap_calls = 0;
	ok(mg_api_functions(&f, &n, ctx, MG_API_SQLITE) == MG_ENOMEM && n == 0, "out of memory: MG_ENOMEM");
	tap_fail_at = 0;
	mg_ctx_free(ctx);
}

int
main(void)
{
	test_states();
	test_ahead();
	test_graph();
	test_interrupt();
	test_oom();
	test_api();
	return done_testing();
}
