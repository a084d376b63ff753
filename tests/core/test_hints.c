/*
 * test_hints.c -- every hint the core gives, in the case it fires in.
 *
 * A hint is the user's next step: it must fit the case (the right sign,
 * a branch that exists, not the argument that just failed, a SQL call
 * rather than an Alembic command line).  One row per hint site: the
 * catalog (fixture), the steps that bring the database to the case, the
 * call that fails, its SQLSTATE and its exact hint.  Each row also checks
 * that the failing call changed nothing.  The rows, named by the hint's
 * file and case, are the coverage list (docs/decisions.md, "What a hint
 * says", has the rule a hint follows).  The hosts' own hints are tested
 * in tests/sqlite/hints.t and tests/pg/hints.t.  Core hints without a row
 * here, and why:
 *
 *   catalog.c  version table not a table (relkind)  PostgreSQL only: tests/pg/hints.t
 *   catalog.c  untrusted author, foreign owner       PostgreSQL only: trust.t, search_path.t
 *   run.c      Transactional: false in a function    PostgreSQL only: errors.pg, tests/pg/hints.t
 *   limits.c   the run was tried N times             hosts with lock limits: tests/pg/locks.t
 *   catalog.c  "revision ... is not in the catalog"  (two sites) the catalog would have to
 *              lose a row between two reads of one run, which share a
 *              transaction: a guard, not reachable from SQL
 *   online.c   version rows changed during an online step: another session
 *              must write the version table while the step runs outside
 *              a transaction, a race no test holds open
 *   author.c   a directory not writable (EACCES): the tests run as root,
 *              who writes everywhere; envdir.c's unreadable directory likewise
 */
#define _DEFAULT_SOURCE   /* mkdtemp */
#include <stdlib.h>
#include <unistd.h>

#include "tap.h"
#include "sqlite_host.h"

/* ---- fixtures: the catalogs the cases start from ------------------------ */

#define BODY(id) \
	"-- migrate:upgrade\nCREATE TABLE t_" id " (a INTEGER);\n" \
	"-- migrate:downgrade\nDROP TABLE t_" id ";\n"
#define REV(id, down, hdr) \
	"-- revision " id "\n--\n-- Revision ID: " id "\n-- Revises: " down "\n" hdr "\n" BODY(id)

/* a1 <- a2 <- a3, no labels */
static const char *const linear[] = {
	REV("a1", "", ""), REV("a2", "a1", ""), REV("a3", "a2", ""), NULL
};
/* b1 <- {b2, b3}: one lineage, two heads, no labels (Backend.AI's shape) */
static const char *const diverged[] = {
	REV("b1", "", ""), REV("b2", "b1", ""), REV("b3", "b1", ""), NULL
};
/*
 * gxy: g1 <- g2 <- {g3, g4} <- g5 (a merge); tsi: t1 <- t2 (t2 depends
 * on g3); release tags 1.0 (g1) and 2.0 (g2).
 */
static const char *const branches[] = {
	REV("g1", "", "-- Branch Labels: gxy\n-- Tags: release_1.0\n"),
	REV("g2", "g1", "-- Tags: release_2.0\n"),
	REV("g3", "g2", ""), REV("g4", "g2", ""),
	REV("g5", "g3, g4", ""),
	REV("t1", "", "-- Branch Labels: tsi\n"),
	REV("t2", "t1", "-- Depends On: g3\n"),
	NULL
};
/* two labelled bases: e1 (left), f1 (right): '+1' from nothing forks, a label settles it */
static const char *const sample_bases[] = {
	REV("e1", "", "-- Branch Labels: left\n"), REV("f1", "", "-- Branch Labels: right\n"), NULL
};
/* ids that share a prefix of four: gxy 1a2b3c4d5e6f; tsi 5555bbbb0001 <- 5555bbbb0002 */
static const char *const long_ids[] = {
	REV("1a2b3c4d5e6f", "", "-- Branch Labels: gxy\n"),
	REV("5555bbbb0001", "", "-- Branch Labels: tsi\n"), REV("5555bbbb0002", "5555bbbb0001", ""), NULL
};
/* gxy diverged: h1 (gxy) <- {h2, h3}; tsi: u1 */
static const char *const gxy_diverged[] = {
	REV("h1", "", "-- Branch Labels: gxy\n"), REV("h2", "h1", ""), REV("h3", "h1", ""),
	REV("u1", "", "-- Branch Labels: tsi\n"), NULL
};
/* n1: no downgrade section; p1 (on n1): an upgrade for postgresql only */
static const char *const sections[] = {
	"-- no way down\n--\n-- Revision ID: n1\n-- Revises:\n\n-- migrate:upgrade\nCREATE TABLE t_n1 (a INTEGER);\n",
	"-- postgresql only\n--\n-- Revision ID: p1\n-- Revises: n1\n\n-- migrate:upgrade postgresql\nCREATE TABLE t_p1 (a INTEGER);\n"
	"-- migrate:downgrade\nDROP TABLE t_p1;\n",
	NULL
};
/* x1 <- x2, whose upgrade fails (the table exists) */
static const char *const failing[] = {
	REV("x1", "", ""),
	"-- fails\n--\n-- Revision ID: x2\n-- Revises: x1\n\n-- migrate:upgrade\nCREATE TABLE t_x1 (a INTEGER);\n"
	"-- migrate:downgrade\n",
	REV("x3", "x2", ""),
	NULL
};
/* two unlabelled lineages: c1 <- c2 and d1 <- d2 */
static const char *const two_bases[] = {
	REV("c1", "", ""), REV("c2", "c1", ""), REV("d1", "", ""), REV("d2", "d1", ""), NULL
};

static const char *const *const fixtures[] = {NULL, linear, diverged, branches, two_bases, sample_bases, long_ids, gxy_diverged, sections, failing};
enum {F_EMPTY, F_LINEAR, F_DIVERGED, F_BRANCHES, F_TWO_BASES, F_SAMPLE_BASES, F_LONG_IDS, F_GXY_DIVERGED, F_SECTIONS, F_FAILING};

/* ---- running a call by name ---------------------------------------------- */

/* A scratch directory for the cases that read or write files: "$TMP" in an argument. */
static char tmpdir[256];

/* s with every "$TMP" replaced by tmpdir, in buf. */
static const char *
subst(char *buf, size_t cap, const char *s)
{
	size_t o = 0;

	if (s == NULL)
		return NULL;
	while (*s && o + 1 < cap)
	{
		if (strncmp(s, "$TMP", 4) == 0)
		{
			o += (size_t) snprintf(buf + o, cap - o, "%s", tmpdir);
			s += 4;
		}
		else
			buf[o++] = *s++;
	}
	buf[o < cap ? o : cap - 1] = '\0';
	return buf;
}

/* Split s at sep into at most max fields ("~" is NULL); returns the count. */
static int
split(char *s, char sep, char **f, int max)
{
	int n = 0;

	if (s == NULL)
		return 0;
	while (n < max)
	{
		char *e = strchr(s, sep);

		f[n++] = strcmp(s, "~") == 0 && e == NULL ? NULL : s;
		if (e == NULL)
			break;
		*e = '\0';
		if (strcmp(f[n - 1] ? f[n - 1] : "", "~") == 0)
			f[n - 1] = NULL;
		s = e + 1;
	}
	return n;
}

static int
relation(mg_ctx *ctx, mg_relation rel, char **f, int nf)
{
	mg_table t;

	return mg_cmd_relation(&t, ctx, &host, rel, nf > 0 ? f[0] : NULL, nf > 1 ? f[1] : NULL);
}

/*
 * Run call (a command's SQL name without "migrate_") with arg: fields
 * separated by '|' ("~" for NULL); for "add", scripts separated by '\f',
 * each optionally "@filename\n" first.  Returns the command's code.
 */
static int
run_call(mg_ctx *ctx, const char *call, const char *arg_in)
{
	static char argbuf[16384];
	char *f[8] = {0};
	char *out = NULL;
	int nf, ok_;
	mg_rows rows;

	if (arg_in == NULL)
		snprintf(argbuf, sizeof(argbuf), "~");
	else
		subst(argbuf, sizeof(argbuf), arg_in);
	if (strcmp(call, "add") == 0)
	{
		const char *texts[8], *names[8];
		int n = split(argbuf, '\f', f, 8);

		for (int i = 0; i < n; i++)
		{
			names[i] = NULL;
			texts[i] = f[i];
			if (f[i][0] == '@')
			{
				char *nl = strchr(f[i], '\n');

				*nl = '\0';
				names[i] = f[i] + 1;
				texts[i] = nl + 1;
			}
		}
		return mg_cmd_add(&out, ctx, &host, (size_t) n, texts, names);
	}
	nf = split(argbuf, '|', f, 8);
	if (strcmp(call, "load") == 0)
		return mg_cmd_load(&out, ctx, &host, f[0]);
	if (strcmp(call, "upgrade") == 0)
		return mg_cmd_upgrade(&out, ctx, &host, f[0]);
	if (strcmp(call, "upgrade_steps") == 0)
	{
		const char **ids;
		size_t n;

		return mg_cmd_upgrade_plan(&ids, &n, &out, ctx, &host, f[0]);
	}
	if (strcmp(call, "downgrade_steps") == 0)
	{
		const char **ids;
		size_t n;

		return mg_cmd_downgrade_plan(&ids, &n, &out, ctx, &host, f[0]);
	}
	if (strcmp(call, "upgrade_step") == 0)
		return mg_cmd_upgrade_step(&out, ctx, &host, f[0]);
	if (strcmp(call, "downgrade") == 0)
		return mg_cmd_downgrade(&out, ctx, &host, f[0]);
	if (strcmp(call, "stamp") == 0)
		return mg_cmd_stamp(&out, ctx, &host, f[0], nf > 1 && f[1] && strcmp(f[1], "1") == 0);
	if (strcmp(call, "upgrade_sql") == 0)
		return mg_cmd_upgrade_sql(&out, ctx, &host, f[0]);
	if (strcmp(call, "downgrade_sql") == 0)
		return mg_cmd_downgrade_sql(&out, ctx, &host, f[0]);
	if (strcmp(call, "history") == 0)
		return mg_cmd_history(&rows, ctx, &host, f[0], 0);
	if (strcmp(call, "show") == 0)
		return mg_cmd_show(&out, ctx, &host, f[0]);
	if (strcmp(call, "current") == 0)
		return mg_cmd_current(&rows, ctx, &host);
	if (strcmp(call, "heads") == 0)
		return mg_cmd_heads(&rows, ctx, &host);
	if (strcmp(call, "check") == 0)
		return mg_cmd_check(&out, &ok_, ctx, &host);
	if (strcmp(call, "verify") == 0)
		return mg_cmd_verify(&out, ctx, &host, f[0] && strcmp(f[0], "1") == 0);
	if (strcmp(call, "init") == 0)
		return mg_cmd_init(&out, ctx, &host);
	if (strcmp(call, "graph") == 0)
		return mg_cmd_graph(&out, ctx, &host, f[0]);
	if (strcmp(call, "wait") == 0)
		return mg_cmd_wait(&out, ctx, &host, f[0], nf > 1 && f[1] ? atol(f[1]) : 0);
	if (strcmp(call, "config") == 0)
		return nf > 2 ? mg_cmd_config_write(&out, ctx, &host, f[0], f[1], f[2] && strcmp(f[2], "1") == 0)
			: mg_cmd_config(&out, ctx, &host, f[0], nf > 1 ? f[1] : NULL);
	if (strcmp(call, "revision") == 0 || strcmp(call, "merge") == 0)
	{
		mg_revision_args a;

		memset(&a, 0, sizeof(a));
		if (strcmp(call, "merge") == 0)
		{
			a.head = f[0];
			a.message = nf > 1 ? f[1] : NULL;
			a.rev_id = nf > 2 ? f[2] : NULL;
			return mg_cmd_merge(&out, ctx, &host, &a);
		}
		a.message = f[0];
		a.head = nf > 1 ? f[1] : NULL;
		a.rev_id = nf > 2 ? f[2] : NULL;
		a.branch_label = nf > 3 ? f[3] : NULL;
		a.depends_on = nf > 4 ? f[4] : NULL;
		a.splice = nf > 5 && f[5] && strcmp(f[5], "1") == 0;
		a.dir = nf > 6 ? f[6] : NULL;
		return mg_cmd_revision(&out, ctx, &host, &a);
	}
	if (strcmp(call, "plan") == 0)
		return relation(ctx, MG_REL_PLAN, f, nf);
	if (strcmp(call, "rehearse") == 0)
		return relation(ctx, MG_REL_REHEARSE, f, nf);
	if (strcmp(call, "stairway") == 0)
		return relation(ctx, MG_REL_STAIRWAY, f, nf);
	printf("Bail out! unknown call %s\n", call);
	exit(1);
}

/* ---- the cases ------------------------------------------------------------- */

typedef struct hint_case {
	const char *site;     /* the hint's file:line, for the coverage list */
	int fixture;
	const char *steps;    /* setup: "call arg" lines, or "sql <statement>" */
	const char *call;
	const char *arg;
	const char *sqlstate;
	const char *hint;     /* the exact hint */
} hint_case;

static const hint_case cases[] = {
	/* resolve.c: identifiers */
	{"resolve.c multiple heads, single argument", F_BRANCHES, "upgrade heads", "downgrade", "heads", "21000",
	 "This argument takes one revision: name one of the heads (g5 or t2) or one branch's head ('gxy@head' or 'tsi@head')."},
	{"resolve.c multiple heads, labelled", F_BRANCHES, "", "upgrade", "head", "21000",
	 "Use 'gxy@head' or 'tsi@head' for one branch, or 'heads' for all of them."},
	{"resolve.c multiple heads, unlabelled", F_DIVERGED, "", "upgrade", "head", "21000",
	 "No branch label tells these heads apart: use 'heads' for all of them, or merge them with SELECT migrate_merge('b2,b3', 'merge heads')."},
	{"resolve.c no such branch", F_BRANCHES, "", "upgrade", "nosuch@head", "42704",
	 "Put one of the catalog's branch labels before the '@': 'gxy' or 'tsi'."},
	{"resolve.c not on that branch (prefix)", F_BRANCHES, "", "upgrade", "tsi@g", "42704",
	 "SELECT revision FROM migrate_history() lists the revisions of the catalog."},
	{"resolve.c no such revision", F_BRANCHES, "", "upgrade", "zzzz", "42704",
	 "SELECT revision FROM migrate_history() lists the revisions of the catalog."},
	{"resolve.c no such revision, short", F_BRANCHES, "", "upgrade", "g", "42704",
	 "SELECT revision FROM migrate_history() lists the revisions of the catalog."},
	{"resolve.c not on that branch", F_BRANCHES, "", "upgrade", "tsi@g2", "42704",
	 "Drop the 'tsi@' prefix, or name a revision of branch 'tsi'."},
	{"resolve.c ambiguous walk up, unlabelled", F_BRANCHES, "", "upgrade", "g2+1", "22023",
	 "No branch label tells these revisions apart: give an absolute target, g3 or g4."},
	{"resolve.c ambiguous walk down", F_BRANCHES, "", "downgrade", "g5-1", "22023",
	 "A walk down from a merge point has no single next revision, whichever branch is named: give an absolute target, g3 or g4."},
	{"resolve.c ambiguous walk, labelled", F_BRANCHES, "upgrade g5", "downgrade", "gxy@-1", "22023",
	 "Branch 'gxy' itself merges here, so naming it does not settle the walk: give an absolute target, g3 or g4."},
	{"resolve.c didn't produce, upgrade", F_LINEAR, "upgrade heads", "upgrade", "+1", "22023",
	 "Use a smaller step, or 'heads' to upgrade to the head."},
	{"resolve.c didn't produce, downgrade +", F_LINEAR, "upgrade heads", "downgrade", "+1", "22023",
	 "Write '-1' to downgrade, or go up with migrate_upgrade('+1')."},
	{"resolve.c didn't produce, downgrade", F_LINEAR, "upgrade a1", "downgrade", "-2", "22023",
	 "Use a smaller step, or 'base' to downgrade every revision."},
	{"resolve.c walked too far", F_LINEAR, "", "upgrade", "a1+5", "22023",
	 "Use a smaller step."},
	{"resolve.c multiple currents", F_BRANCHES, "upgrade g2\nupgrade t1", "upgrade", "+1", "22023",
	 "Name the branch to move on, as in 'gxy@+1' or 'tsi@+1', or give an absolute target."},
	{"resolve.c multiple currents, unlabelled", F_TWO_BASES, "upgrade c1\nupgrade d1", "upgrade", "+1", "22023",
	 "Name the revision to move from, as in 'c1+1' or 'd1+1', or give an absolute target."},
	{"resolve.c branch relative, two currents", F_BRANCHES, "upgrade g3\nupgrade g4", "downgrade", "gxy@-1", "22023",
	 "Name the revision to move from, as in 'g3-1' or 'g4-1', or give an absolute target."},
	{"resolve.c ambiguous walk up, a label settles", F_SAMPLE_BASES, "", "upgrade", "+1", "22023",
	 "Name the branch to follow, as in 'left@+1' or 'right@+1', or give an absolute target: e1 or f1."},
	{"resolve.c no such branch, no labels", F_LINEAR, "", "upgrade", "nosuch@head", "42704",
	 "The catalog has no branch labels: drop the 'nosuch@' prefix, or put a revision id before the '@'."},
	{"resolve.c upgrade -1", F_LINEAR, "upgrade a2", "upgrade", "-1", "22023",
	 "An upgrade walks up: write '+1', or go down with migrate_downgrade('-1')."},
	{"resolve.c downgrade -1 at base", F_LINEAR, "", "downgrade", "-1", "22023",
	 "There is nothing to downgrade: check that this is the database you meant."},
	{"resolve.c ambiguous prefix (long ids)", F_LONG_IDS, "", "upgrade", "5555", "21000",
	 "Give more characters of the revision id."},
	{"resolve.c prefix not on branch (long ids)", F_LONG_IDS, "", "upgrade", "tsi@1a2b", "42704",
	 "Drop the 'tsi@' prefix, or name a revision of branch 'tsi'."},
	{"resolve.c branch relative", F_BRANCHES, "upgrade g5", "downgrade", "tsi@-1", "22023",
	 "Nothing of branch 'tsi' is applied, so there is nothing to downgrade on it; SELECT * FROM migrate_current() lists the revisions that are."},
	/* envdir.c, command.c: reading a directory */
	{"envdir.c relative path not found", F_EMPTY, "", "load", "no_such_dir", "58P01", 
	 "Give the absolute path of the directory that holds the revision scripts, or add the scripts from their text with migrate_add(script, filename)."},
	{"envdir.c absolute path not found", F_EMPTY, "", "load", "$TMP/no_such_dir", "58P01", 
	 "Give the path of an existing directory that holds the revision scripts."},
	{"envdir.c not a directory", F_EMPTY, "", "load", "$TMP/file", "58P01", 
	 "Give the directory that holds the revision scripts, not a file."},
	{"command.c no revision scripts, empty", F_EMPTY, "", "load", "$TMP/empty", "58P01", 
	 "Give the directory that holds the revision scripts: every .sql file under it whose header has a \"-- Revision ID:\" line is one."},
	{"command.c no revision scripts", F_EMPTY, "", "load", "$TMP/plain", "58P01", 
	 "Give the directory that holds the revision scripts: every .sql file under it whose header has a \"-- Revision ID:\" line is one."},
	/* args.c: empty identifiers, by argument */
	{"args.c empty target", F_LINEAR, "", "upgrade", "", "22023", 
	 "Give a revision id, a branch target such as 'gxy@head', 'heads' or 'base' (a deploy script passes '' when its variable is unset). Nothing was changed."},
	{"args.c empty range end", F_LINEAR, "", "upgrade_sql", "base:", "22023", 
	 "Give a revision id, a branch target such as 'gxy@head', 'heads' or 'base' (a deploy script passes '' when its variable is unset). Nothing was changed."},
	{"args.c empty rev_id", F_LINEAR, "", "revision", "msg|~|", "22023", 
	 "Give an id of 1 to 32 letters, digits or underscores, or NULL for a new one. Nothing was changed."},
	{"args.c empty head", F_LINEAR, "", "revision", "msg|", "22023", 
	 "Give the revision to build on, such as 'gxy@head', or NULL for the head of a catalog that has one. Nothing was changed."},
	{"args.c empty branch_label", F_LINEAR, "", "revision", "msg|~|~| ", "22023", 
	 "Give a branch label, or NULL for none. Nothing was changed."},
	{"args.c empty list item", F_LINEAR, "", "merge", "a1,,a2|msg", "22023", 
	 "Remove the extra comma, so that every item of \"revisions\" names something. Nothing was changed."},
	{"args.c empty revisions", F_LINEAR, "", "merge", "|msg", "22023", 
	 "Name the heads to merge, comma-separated (SELECT line FROM migrate_heads() lists them). Nothing was changed."},
	/* author.c: migrate_revision, migrate_merge */
	{"author.c characters not allowed", F_LINEAR, "", "revision", "msg|~|a-b", "42601", 
	 "A revision id is 1 to 32 letters, digits or underscores: remove the others, or give NULL as rev_id for a new id."},
	{"author.c invalid id", F_LINEAR, "", "revision", "msg|~|abcdefghijabcdefghijabcdefghijabc", "42601", 
	 "Shorten it to 32 characters at most, or give NULL as rev_id for a new 12-hex-digit id."},
	{"author.c id already there", F_LINEAR, "", "revision", "msg|~|a2", "42P17", 
	 "Give another rev_id, or NULL for a new one."},
	{"author.c several heads", F_DIVERGED, "", "revision", "msg", "21000",
	 "Base the revision on one head, as in migrate_revision(message, 'b2'), or merge the heads first with SELECT migrate_merge('b2,b3', 'merge heads')."},
	{"author.c several heads, branch", F_GXY_DIVERGED, "", "revision", "msg|gxy@head", "21000", 
	 "Base the revision on one head, as in migrate_revision(message, 'h2'), or merge the heads first with SELECT migrate_merge('h2,h3', 'merge heads')."},
	{"resolve.c multiple heads, one branch diverged", F_GXY_DIVERGED, "", "upgrade", "head", "21000", 
	 "Use 'tsi@head' for one branch or 'heads' for all of them; the other heads share their branch: merge them with SELECT migrate_merge('h2,h3', 'merge heads')."},
	{"author.c duplicate parent", F_DIVERGED, "", "merge", "b2,b2|msg", "22023", 
	 "Name each parent once."},
	{"author.c file exists", F_LINEAR, "sh mkdir -p $TMP/exists && touch $TMP/exists/zz1_msg.sql", "revision", "msg|~|zz1|~|~|0|$TMP/exists", "58P01", 
	 "An existing file is never overwritten: give another rev_id (or NULL for a new one), or move the file away. Nothing was changed."},
	{"author.c no such directory", F_LINEAR, "", "revision", "msg|~|~|~|~|0|$TMP/nope", "58P01", 
	 "Create the directory first, or give one that exists. Nothing was changed."},
	{"author.c message required", F_LINEAR, "", "revision", " ", "22023", 
	 "Give a short description, as in migrate_revision('add column foo to table bar')."},
	{"author.c merge message required", F_DIVERGED, "", "merge", "b2,b3| ", "22023", 
	 "Give a short description, as in migrate_merge('<rev>,<rev>', 'add column foo to table bar')."},
	{"author.c merge revisions required", F_DIVERGED, "", "merge", "~|msg", "22023", 
	 "Name the heads, as in migrate_merge('<rev>,<rev>', message), or 'gxy@heads' for every head of a branch."},
	{"author.c merge of one", F_DIVERGED, "", "merge", "b2|msg", "22023", 
	 "Name two heads or more, as in migrate_merge('<rev>,<rev>', message); migrate_revision makes a revision with one parent."},
	{"author.c merge a non-head", F_DIVERGED, "", "merge", "b1,b2|msg", "22023", 
	 "Merge heads only: SELECT line FROM migrate_heads() lists them."},
	{"author.c revision on a non-head", F_LINEAR, "", "revision", "msg|a1", "22023", 
	 "Pass true as splice (migrate_revision's sixth argument) to start a new branch from it, or base the revision on a head: SELECT line FROM migrate_heads() lists them."},
	{"author.c message reads as a header", F_LINEAR, "", "revision", "msg\nRevises: a1", "42601", 
	 "Reword that line of the message."},
	/* catalog.c: the state tables as the engine finds them */
	{"catalog.c invalid stored setting", F_LINEAR, "upgrade a1\nsql INSERT OR REPLACE INTO migrate_settings (key, value) VALUES ('version_table', 'bad name')", "upgrade", "heads", "22023", 
	 "Delete the row (DELETE FROM migrate_settings WHERE key = 'version_table') to use the default, or store a valid table name; then rerun."},
	{"catalog.c not a version table", F_LINEAR, "sql CREATE TABLE alembic_version (a INTEGER, b INTEGER)", "upgrade", "heads", "55000", 
	 "Point the setting at the version table (SELECT migrate_config('version_table', '<name>')); nothing was changed."},
	{"catalog.c corrupt version row", F_LINEAR, "sql CREATE TABLE alembic_version (version_num VARCHAR(32))\nsql INSERT INTO alembic_version VALUES (NULL)", "upgrade", "heads", "55000", 
	 "Delete or correct that row by hand (the engine never writes one), then rerun; nothing was changed."},
	{"catalog.c version rows moved", F_LINEAR, "upgrade a1\nsql CREATE TRIGGER ig BEFORE UPDATE ON alembic_version BEGIN SELECT RAISE(IGNORE); END", "upgrade", "a2", "21000", 
	 "SELECT * FROM migrate_current() shows the rows as they are now; find what else writes the version table (another tool, a trigger), then run the command again if it is still needed. Nothing was changed."},
	{"catalog.c script declares another id", F_LINEAR, "sql UPDATE migrate_catalog SET script = replace(script, 'Revision ID: a3', 'Revision ID: a9') WHERE revision = 'a3'", "upgrade_sql", "a1:a3", "42601", 
	 "Load the script again with migrate_load() or migrate_add()."},
	/* command.c */
	{"command.c branches names no label", F_BRANCHES, "config branches|nope|0", "upgrade", "~", "42704", 
	 "Load the scripts of that branch (migrate_load), or fix the setting with SELECT migrate_config('branches', '<label>,...')."},
	{"command.c no such release", F_BRANCHES, "", "upgrade", "release_9.9", "42704", 
	 "Use one of them; a revision's header names the releases it shipped in (Tags: release_X), and the base_release setting names the release before the first revision."},
	{"command.c no release tags", F_LINEAR, "", "upgrade", "release_9.9", "42704", 
	 "Tag the revision a release shipped with in its header (Tags: release_X), or give a revision id."},
	{"command.c range in a run", F_LINEAR, "", "upgrade", "a1:a2", "22023", 
	 "Use migrate_upgrade_sql('a1:a2') for the SQL of a range."},
	{"command.c range in a downgrade", F_LINEAR, "upgrade heads", "downgrade", "a3:a1", "22023", 
	 "Use migrate_downgrade_sql('a3:a1') for the SQL of a range."},
	{"command.c downgrade target required", F_LINEAR, "", "downgrade", "~", "22023", 
	 "Give one, for example migrate_downgrade('-1') or migrate_downgrade('base')."},
	{"command.c stepwise downgrade target required", F_LINEAR, "", "downgrade_steps", "~", "22023",
	 "Give one, for example CALL migrate_downgrade_steps('-1') or CALL migrate_downgrade_steps('base')."},
	{"command.c step not in the catalog", F_LINEAR, "", "upgrade_step", "zz", "55000", 
	 "Run the CALL again: it plans from the catalog and the database as they are now. The steps before this one stay committed."},
	{"command.c step no longer one step away", F_LINEAR, "", "upgrade_step", "a3", "55000", 
	 "Run the CALL again: it plans from the database as it is now. The steps before this one stay committed; this one was rolled back."},
	{"command.c offline downgrade needs a range", F_LINEAR, "", "downgrade_sql", "a1", "22023", 
	 "Give both ends, for example migrate_downgrade_sql('heads:base')."},
	{"command.c offline range ends at several currents", F_TWO_BASES, "upgrade heads", "upgrade_sql", "base:current", "22023", 
	 "End the range at one of them, or at a branch, for example 'base:<branch>@head'."},
	{"command.c history range without colon", F_LINEAR, "", "history", "a1", "22023", 
	 "For example migrate_history('base:heads') or migrate_history('-3:current')."},
	{"command.c version_table switch", F_LINEAR, "upgrade heads", "config", "version_table|app_version|0", "55000", 
	 "Move the rows first (ALTER TABLE \"alembic_version\" RENAME TO \"app_version\") and switch then, or pass force to switch anyway: SELECT migrate_config('version_table', 'app_version', true). Nothing was changed."},
	{"command.c applied script changed", F_LINEAR, "upgrade heads", "add", REV("a1", "", "-- changed\n"), "55000", 
	 "Do not edit an applied revision: write a new revision for the change, or downgrade below a1 first. Nothing was changed."},
	/* emit.c, run.c: sections */
	{"emit.c no downgrade section (offline)", F_SECTIONS, "", "downgrade_sql", "n1:base", "55000", 
	 "Add a \"-- migrate:downgrade\" or \"-- migrate:downgrade sqlite\" section to the script."},
	{"run.c no downgrade section", F_SECTIONS, "upgrade n1", "downgrade", "base", "55000", 
	 "Add a downgrade section (an empty one is a valid no-op) and load the script again; nothing was changed."},
	{"run.c no upgrade section for the dialect", F_SECTIONS, "upgrade n1", "upgrade", "p1", "55000", 
	 "Add the section to the script and load it again; nothing was changed."},
	{"emit.c no upgrade section for the dialect (offline)", F_SECTIONS, "", "upgrade_sql", "n1:p1", "55000", 
	 "Add a \"-- migrate:upgrade\" or \"-- migrate:upgrade sqlite\" section to the script."},
	{"run.c a failing statement", F_FAILING, "", "upgrade", "heads", "XX000", 
	 "Nothing was changed: the whole run was rolled back. Fix the script, load it again with migrate_load or migrate_add, and rerun."},
	/* graph_dot.c, limits.c, wait.c */
	{"graph_dot.c unknown format", F_LINEAR, "", "graph", "svg", "22023", 
	 "Call migrate_graph() or migrate_graph('dot-collapsed')."},
	{"limits.c invalid duration", F_LINEAR, "", "config", "lock_timeout|soon", "22023", 
	 "For example SELECT migrate_config('lock_timeout', '5s')."},
	{"wait.c negative timeout", F_LINEAR, "", "wait", "heads|-1", "22023", 
	 "Give the longest wait in seconds (0: look once)."},
	{"wait.c timed out", F_LINEAR, "", "wait", "heads|0", "55000", 
	 "One worker runs SELECT migrate_upgrade(), the others wait with SELECT migrate_wait(); wait longer with migrate_wait(target, seconds). Nothing was changed."},
	/* plan.c */
	{"plan.c downgrade target above", F_LINEAR, "upgrade a1", "downgrade", "a3", "22023", 
	 "a3 is above the database: go up to it with SELECT migrate_upgrade('a3')."},
	{"plan.c downgrade target on another branch", F_BRANCHES, "upgrade g3\nupgrade t1", "downgrade", "g4", "22023", 
	 "Name a revision below the database's current revisions (SELECT * FROM migrate_current() lists them), or 'base'."},
	{"plan.c downgrade target at base", F_LINEAR, "", "downgrade", "a2", "22023", 
	 "a2 is above the database: go up to it with SELECT migrate_upgrade('a2')."},
	/* rehearse.c */
	{"rehearse.c bad direction", F_LINEAR, "", "plan", "heads|sideways", "22023", 
	 "Leave it out to plan an upgrade, or a downgrade for targets only a downgrade takes (base, -1)."},
	{"rehearse.c downgrade target required", F_LINEAR, "", "rehearse", "~|downgrade", "22023", 
	 "Give one, for example migrate_rehearse('-1') or migrate_rehearse('base')."},
	{"rehearse.c range", F_LINEAR, "", "rehearse", "a1:a2", "22023", 
	 "Use migrate_stairway('a1:a2') to test a range step by step."},
	{"rehearse.c stairway ends at current", F_LINEAR, "", "stairway", "base:current", "22023", 
	 "Give the revision to climb to, for example migrate_stairway('current:heads')."},
	{"rehearse.c stairway cannot reach its start", F_FAILING, "", "stairway", "x3:x3", "XX000", 
	 "The stairway could not reach the start of its range: fix the revision the context names, load it again, and rerun the stairway. Nothing was changed."},
	/* report.c: history ranges */
	{"report.c revision@ with no label", F_LINEAR, "", "history", "a2@a2:heads", "22023", 
	 "Name the range's start without the 'a2@' prefix, or with a branch label of the catalog before the '@'."},
	{"report.c range the wrong way", F_LINEAR, "", "history", "a3:a1", "22023", 
	 "If a1 is the older end, swap the ends ('a1:a3'); a range runs from an older revision to a newer one on one branch."},
	{"report.c range across branches", F_BRANCHES, "", "history", "g3:g4,t2", "22023", 
	 "Give a range along one branch, such as <older>:<newer>."},
	/* revmap.c: the graph */
	{"revmap.c overlapping revisions", F_LINEAR, "", "history", "base:a2,a3", "22023", 
	 "Name only the newest revision of each branch."},
	{"revmap.c duplicate id", F_EMPTY, "", "add", "@one.sql\n" REV("a1", "", "") "\f@two.sql\n" REV("a1", "", "-- other\n"), "42P17", 
	 "Give one of them a new Revision ID, or remove the copy."},
	{"revmap.c branch label used twice", F_BRANCHES, "", "add", REV("z1", "", "-- Branch Labels: gxy\n"), "42P17", 
	 "Choose another branch label in \"<inline z1>\"."},
	{"revmap.c tag used twice", F_BRANCHES, "", "add", REV("z1", "", "-- Tags: release_1.0\n"), "42P17", 
	 "A release tag names exactly one revision; remove one of them."},
	{"revmap.c Revises itself", F_EMPTY, "", "add", REV("z1", "z1", ""), "42P17", 
	 "Fix the Revises line of \"<inline z1>\"."},
	{"revmap.c Revises a missing revision", F_EMPTY, "", "add", REV("z1", "zz", ""), "42P17", 
	 "Load the missing revision, or correct the Revises line."},
	{"revmap.c Depends On itself", F_EMPTY, "", "add", REV("z1", "", "-- Depends On: z1\n"), "42P17", 
	 "Fix the Depends On line of \"<inline z1>\"."},
	{"revmap.c Depends On a missing revision", F_EMPTY, "", "add", REV("z1", "", "-- Depends On: zz\n"), "42P17", 
	 "Load the missing revision, or correct the Depends On line."},
	{"revmap.c cycle", F_EMPTY, "", "add", REV("z1", "z2", "") "\f" REV("z2", "z1", ""), "42P17", 
	 "Fix the Revises and Depends On lines of these revisions so that no revision is its own ancestor."},
	{"revmap.c dependency cycle", F_EMPTY, "", "add", REV("z1", "", "-- Depends On: z2\n") "\f" REV("z2", "z1", ""), "42P17", 
	 "Fix the Revises and Depends On lines of these revisions so that no revision is its own ancestor."},
	/* script.c: revision scripts */
	{"script.c no Revision ID", F_EMPTY, "", "add", "-- msg\n-- Revises:\n-- migrate:upgrade\n", "42601", 
	 "Add a line \"-- Revision ID: <id>\" to the header, before the first \"-- migrate:\" section."},
	{"script.c no Revises", F_EMPTY, "", "add", "-- msg\n-- Revision ID: z1\n-- migrate:upgrade\n", "42601", 
	 "Add a line \"-- Revises: <parent revision id>\" to the header, or write \"-- Revises:\" with nothing after it for a new base."},
	{"script.c key typo", F_EMPTY, "", "add", "-- msg\n-- Revision ID: z1\n-- Revises:\n-- Branch Label: x\n-- migrate:upgrade\n", "42601", 
	 "Write \"-- Branch Labels: ...\" if that is what you meant. Nothing was changed."},
	{"script.c unknown key", F_EMPTY, "", "add", "-- msg\n-- Revision ID: z1\n-- Revises:\n-- Reviewer: Ann\n-- migrate:upgrade\n", "42601", 
	 "A \"Name: value\" line among the header's key lines must be a known key. Move free text above the keys, separated from them by an empty \"--\" line. Nothing was changed."},
	{"script.c duplicate key", F_EMPTY, "", "add", "-- msg\n-- Revision ID: z1\n-- Revises:\n-- Revises: a1\n-- migrate:upgrade\n", "42601", 
	 "Keep one \"Revises\" line."},
	{"script.c bad Transactional", F_EMPTY, "", "add", "-- msg\n-- Revision ID: z1\n-- Revises:\n-- Transactional: maybe\n-- migrate:upgrade\n", "42601", 
	 "Write \"-- Transactional: false\" for a step that cannot run inside a transaction, or remove the line."},
	{"script.c bad section marker", F_EMPTY, "", "add", "-- msg\n-- Revision ID: z1\n-- Revises:\n-- migrate:upgarde\n", "42601", 
	 "A section starts with a line \"-- migrate:upgrade\" or \"-- migrate:downgrade\", optionally followed by a dialect (\"sqlite\" or \"postgresql\")."},
	{"script.c unknown dialect", F_EMPTY, "", "add", "-- msg\n-- Revision ID: z1\n-- Revises:\n-- migrate:upgrade mysql\n", "42601", 
	 "Write \"-- migrate:upgrade\" with no dialect for SQL that runs on every database."},
	{"script.c repeated section", F_EMPTY, "", "add", "-- msg\n-- Revision ID: z1\n-- Revises:\n-- migrate:upgrade\n-- migrate:upgrade\n", "42601", 
	 "Merge the two sections into one."},
	{"script.c NUL byte", F_EMPTY, "sh mkdir -p $TMP/nul && printf -- '-- m\\n-- Revision ID: z1\\n-- Revises:\\n-- migrate:upgrade\\nSELECT 1;\\000\\n' > $TMP/nul/z1.sql", "load", "$TMP/nul", "22021", 
	 "Remove the NUL byte from the script (for example with tr -d '\\000'), then load or add it again. Nothing was changed."},
	{"script.c statement outside a section", F_EMPTY, "", "add", "-- msg\n-- Revision ID: z1\n-- Revises:\nCREATE TABLE x (a INTEGER);\n", "42601", 
	 "Put the statements after a line \"-- migrate:upgrade\", and the statements that undo them after a line \"-- migrate:downgrade\"."},
	/* utf8.c */
	{"utf8.c script not UTF-8", F_EMPTY, "", "add", "-- caf\xe9\n-- Revision ID: z1\n-- Revises:\n-- migrate:upgrade\n", "22021", 
	 "Convert the script to UTF-8 (for example with iconv -f LATIN1 -t UTF-8), then load or add it again. Nothing was changed."},
	{"utf8.c file name not UTF-8", F_EMPTY, "sh mkdir -p $TMP/latin && printf -- '-- m\\n-- Revision ID: z1\\n-- Revises:\\n-- migrate:upgrade\\n' > $TMP/latin/caf$(printf '\\351').sql", "load", "$TMP/latin", "22021", 
	 "Rename it in UTF-8 (for example with convmv -f latin1 -t utf8), then load again. Nothing was changed."},
	/* verify.c: migrate_verify, migrate_init */
	{"verify.c tables without version rows", F_BRANCHES, "sql CREATE TABLE app (a INTEGER)", "verify", "0", "55000", 
	 "If its schema matches a revision, record that with SELECT migrate_stamp('<revision>'); if SQLAlchemy Migrate manages it, set legacy_table and legacy_versions and adopt it with SELECT migrate_verify(true). Nothing was changed."},
	{"verify.c legacy without legacy_versions", F_BRANCHES, "sql CREATE TABLE migrate_version (repository_id TEXT, repository_path TEXT, version INTEGER)\nsql INSERT INTO migrate_version VALUES ('x', 'y', 180)", "verify", "0", "55000", 
	 "Set it, for example SELECT migrate_config('legacy_versions', 'gxy=180,tsi=17') for Galaxy, and verify again. Nothing was changed."},
	{"verify.c legacy table without a row", F_BRANCHES, "sql CREATE TABLE migrate_version (repository_id TEXT, repository_path TEXT, version INTEGER)\nconfig legacy_versions|gxy=180,tsi=17", "verify", "0", "55000", 
	 "Bring the database to legacy version 180 with the legacy tool first, then verify again. Nothing was changed."},
	{"verify.c legacy version too new", F_BRANCHES, "sql CREATE TABLE migrate_version (repository_id TEXT, repository_path TEXT, version INTEGER)\nsql INSERT INTO migrate_version VALUES ('x', 'y', 181)\nconfig legacy_versions|gxy=180,tsi=17", "verify", "0", "55000", 
	 "Downgrade it to legacy version 180 with the legacy tool first (SQLAlchemy Migrate: manage_db.sh downgrade --version=180), then verify again. Nothing was changed."},
	{"verify.c legacy version too old", F_BRANCHES, "sql CREATE TABLE migrate_version (repository_id TEXT, repository_path TEXT, version INTEGER)\nsql INSERT INTO migrate_version VALUES ('x', 'y', 179)\nconfig legacy_versions|gxy=180,tsi=17", "verify", "0", "55000", 
	 "Upgrade it to legacy version 180 with the legacy tool first (SQLAlchemy Migrate: manage_db.sh upgrade --version=180), then verify again. Nothing was changed."},
	{"verify.c legacy version not a number", F_BRANCHES, "sql CREATE TABLE migrate_version (repository_id TEXT, repository_path TEXT, version TEXT)\nsql INSERT INTO migrate_version VALUES ('x', 'y', 'v2')\nconfig legacy_versions|gxy=v1,tsi=v1", "verify", "0", "55000", 
	 "Bring it to legacy version v1 with the legacy tool first, then verify again. Nothing was changed."},
	{"verify.c legacy version to adopt", F_BRANCHES, "sql CREATE TABLE migrate_version (repository_id TEXT, repository_path TEXT, version INTEGER)\nsql INSERT INTO migrate_version VALUES ('x', 'y', 180)\nconfig legacy_versions|gxy=180,tsi=180", "verify", "0", "55000", 
	 "Adopt it with SELECT migrate_verify(true), or run SELECT migrate_upgrade('gxy@head'). Nothing was changed."},
	{"verify.c no revision of a branch", F_BRANCHES, "upgrade tsi@t1", "verify", "0", "55000", 
	 "If this database does not hold gxy, set the branches it holds with SELECT migrate_config('branches', '<label>,...'); else record the revision its schema matches with SELECT migrate_stamp('gxy@<revision>'). Nothing was changed."},
	{"verify.c branch tables without rows", F_BRANCHES, "upgrade gxy@head\nsql CREATE TABLE t_t1 (a INTEGER)", "verify", "0", "55000", 
	 "Call SELECT migrate_verify(true) to stamp it there, or record the revision its tables match with SELECT migrate_stamp('tsi@<revision>'). Nothing was changed."},
	{"verify.c branch tables without rows, auto", F_BRANCHES, "upgrade g2\nsql CREATE TABLE t_t1 (a INTEGER)", "verify", "1", "55000", 
	 "Record the revision its tables match with SELECT migrate_stamp('tsi@<revision>'), then verify again. Nothing was changed."},
	{"verify.c behind", F_BRANCHES, "upgrade g2\nupgrade tsi@head", "verify", "0", "55000", 
	 "Run SELECT migrate_upgrade('gxy@head'), or call SELECT migrate_verify(true) to upgrade at verification. Nothing was changed."},
	{"verify.c diverged", F_DIVERGED, "", "verify", "0", "21000", 
	 "Merge them with SELECT migrate_merge('b2,b3', 'merge heads'), load the merge revision, and verify again. Nothing was changed."},
	{"verify.c empty catalog", F_EMPTY, "", "verify", "0", "55000", 
	 "Load the revision scripts first: SELECT migrate_load('<directory>'), or migrate_add(script)."},
	{"verify.c ahead", F_LINEAR, "upgrade heads\nsql UPDATE alembic_version SET version_num = 'zz9'", "verify", "0", "55000", 
	 "Run the newer code, or load the scripts that have zz9 (migrate_load) and downgrade to the revisions this code expects. Nothing was changed."},
	{"verify.c init on a versioned database", F_LINEAR, "upgrade a1", "init", "", "55000", 
	 "migrate_init() initializes empty databases only: check this one with SELECT migrate_verify(), or bring it to its heads with SELECT migrate_upgrade(). Nothing was changed."},
	{"verify.c init on a legacy database", F_BRANCHES, "sql CREATE TABLE migrate_version (repository_id TEXT, repository_path TEXT, version INTEGER)", "init", "", "55000", 
	 "migrate_init() initializes empty databases only. Adopt this one with SELECT migrate_verify(true); legacy_versions names the legacy version each branch continues (Galaxy: gxy=180,tsi=17). Nothing was changed."},
	{"resolve.c rows", F_LINEAR, "upgrade heads\nsql INSERT INTO alembic_version VALUES ('zz9')", "upgrade", "heads", "42704",
	 "Load the scripts that include revision zz9 (migrate_load or migrate_add) and try again."},
};

static void
run_case(const hint_case *c)
{
	char before[8192], steps[4096];
	mg_ctx *ctx;
	const mg_error *e;
	int rc;

	db_open();
	if (fixtures[c->fixture] != NULL)
	{
		const char *const *s = fixtures[c->fixture];
		size_t n = 0;
		char *out;

		while (s[n] != NULL)
			n++;
		ctx = new_ctx();
		if (mg_cmd_add(&out, ctx, &host, n, s, NULL) != MG_OK)
		{
			printf("Bail out! %s: fixture: %s\n", c->site, mg_ctx_error(ctx)->message);
			exit(1);
		}
		mg_ctx_free(ctx);
	}
	snprintf(steps, sizeof(steps), "%s", c->steps);
	for (char *line = strtok(steps, "\n"); line != NULL; line = strtok(NULL, "\n"))
	{
		char *sp = strchr(line, ' ');

		if (sp != NULL)
			*sp++ = '\0';
		if (strcmp(line, "sql") == 0)
		{
			db_exec(sp);
			continue;
		}
		if (strcmp(line, "sh") == 0)
		{
			char cmd[2048];

			if (system(subst(cmd, sizeof(cmd), sp)) != 0)
			{
				printf("Bail out! %s: %s\n", c->site, cmd);
				exit(1);
			}
			continue;
		}
		ctx = new_ctx();
		if (run_call(ctx, line, sp) != MG_OK)
		{
			printf("Bail out! %s: step %s: %s\n", c->site, line, mg_ctx_error(ctx)->message);
			exit(1);
		}
		mg_ctx_free(ctx);
	}
	snprintf(before, sizeof(before), "%s", db_state());
	ctx = new_ctx();
	rc = run_call(ctx, c->call, c->arg);
	e = mg_ctx_error(ctx);
	if (!ok(rc != MG_OK, "%s: migrate_%s fails", c->site, c->call))
		is_str("", "x", "%s: (skipped)", c->site);
	else
	{
		if (!is_str(e->sqlstate, c->sqlstate, "%s: SQLSTATE", c->site))
			printf("#   message: %s\n", e->message);
		if (!is_str(e->hint, c->hint, "%s: hint", c->site))
			printf("#   message: %s\n#   detail: %s\n", e->message, e->detail);
	}
	is_str(db_state(), before, "%s: nothing changed", c->site);
	mg_ctx_free(ctx);
	db_close();
}

int
main(void)
{
	char sql[2048];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_hints.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
	{
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	/* an empty directory, a directory of plain SQL, a file */
	snprintf(sql, sizeof(sql), "mkdir %s/empty %s/plain && echo 'SELECT 1;' > %s/plain/x.sql && echo x > %s/file",
			 tmpdir, tmpdir, tmpdir, tmpdir);
	if (system(sql) != 0)
	{
		printf("Bail out! %s\n", sql);
		return 1;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	snprintf(sql, sizeof(sql), "rm -rf %s", tmpdir);
	if (system(sql) != 0)
		printf("# could not remove %s\n", tmpdir);
	return done_testing();
}
