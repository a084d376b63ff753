/*
 * api.c -- the SQL API described as data: every function's name,
 * arguments, kind and one line on what it does.
 *
 * Hosts list it from SQL (SQLite: the eponymous table migrate_functions,
 * which stands in for psql's \df+), so a user of the sqlite3 shell can
 * find the functions without the README.  The tests compare it with
 * what each host really registers, so a function added to a host and
 * not here (or the other way round) fails them.
 */
#include "internal.h"

#define BOTH (MG_API_SQLITE | MG_API_POSTGRESQL)

static const mg_api_function functions[] = {
	{"migrate_load", "path", "scalar", BOTH,
	 "read an environment directory into the catalog"},
	{"migrate_add", "script [, filename]", "scalar", BOTH,
	 "add one revision from its text"},
	{"migrate_upgrade", "[target]", "scalar", BOTH,
	 "upgrade to a target (default: heads), in one transaction"},
	{"migrate_downgrade", "target", "scalar", BOTH,
	 "downgrade to a target"},
	{"migrate_upgrade_steps", "[target]", "procedure", MG_API_POSTGRESQL,
	 "upgrade to a target, committing after every step (CALL)"},
	{"migrate_downgrade_steps", "target", "procedure", MG_API_POSTGRESQL,
	 "downgrade to a target, committing after every step (CALL)"},
	{"migrate_upgrade_sql", "[range]", "scalar", BOTH,
	 "the SQL an upgrade would run (Alembic's --sql); range is [from:]to, default heads"},
	{"migrate_downgrade_sql", "range", "scalar", BOTH,
	 "the SQL a downgrade would run (Alembic's --sql); range is from:to"},
	{"migrate_current", "[verbose]", "table", BOTH,
	 "the database's current revisions"},
	{"migrate_heads", "", "table", BOTH,
	 "the catalog's heads"},
	{"migrate_history", "[range [, indicate_current]]", "table", BOTH,
	 "the revisions, newest first, with Alembic's history lines"},
	{"migrate_status", "", "table", BOTH,
	 "every revision's state here: applied, stamped, pending, not held or unknown; when, by whom, checksum"},
	{"migrate_graph", "[format]", "scalar", BOTH,
	 "the revision graph as Graphviz DOT text ('dot', or 'dot-collapsed' for long chains)"},
	{"migrate_show", "rev", "scalar", BOTH,
	 "Alembic's show"},
	{"migrate_branches", "", "scalar", BOTH,
	 "Alembic's branches"},
	{"migrate_stamp", "target [, purge]", "scalar", BOTH,
	 "set the version table without running scripts"},
	{"migrate_check", "", "scalar", BOTH,
	 "is the database at its heads, and are applied scripts unchanged"},
	{"migrate_config", "key [, value [, force]]", "scalar", BOTH,
	 "read or write a setting (force: switch version_table away from a table with rows)"},
	{"migrate_init", "", "scalar", BOTH,
	 "initialize an empty database: every branch it holds to its head"},
	{"migrate_verify", "[auto_migrate]", "scalar", BOTH,
	 "Galaxy's start-up verification of every branch the database holds"},
	{"migrate_revision", "message [, head, rev_id, branch_label, depends_on, splice]", "scalar", BOTH,
	 "the text of a new revision script"},
	{"migrate_merge", "revisions, message [, branch_label, rev_id]", "scalar", BOTH,
	 "the text of a merge revision"},
	{"migrate_revision_write", "dir, message [, head, rev_id, branch_label, depends_on, splice]",
	 "scalar", MG_API_SQLITE,
	 "write a new revision script to dir and add it to the catalog"},
	{"migrate_merge_write", "dir, revisions, message [, branch_label, rev_id]", "scalar",
	 MG_API_SQLITE,
	 "write a merge revision to dir and add it to the catalog"},
	{"migrate_wait", "[target [, timeout_seconds]]", "scalar", BOTH,
	 "return once the database is at the target (default: its heads); the start-up barrier of workers"},
	{"migrate_plan", "[target [, run_direction]]", "table", BOTH,
	 "the steps a run to a target would take now, with their SQL; nothing runs"},
	{"migrate_schema", "", "table", BOTH,
	 "the user's schema as normalized, comparable rows (kind, name, parent, definition)"},
	{"migrate_rehearse", "[target [, run_direction]]", "table", BOTH,
	 "a real dry run, always rolled back: per step its time, schema changes, rewrites, locks or error"},
	{"migrate_stairway", "[range]", "table", BOTH,
	 "per revision: upgrade, downgrade, compare the schema, upgrade again; always rolled back"},
	{"migrate_version", "", "scalar", BOTH,
	 "the engine's version, its SQL API's, and the database's"},
	{"migrate_functions", "", "table", BOTH,
	 "this list: every function with its arguments and one line on what it does"},
};

int
mg_api_functions(const mg_api_function ***out, size_t *n, mg_ctx *ctx, unsigned hosts)
{
	size_t total = sizeof(functions) / sizeof(functions[0]);

	*n = 0;
	*out = mg_alloc(ctx, (total + 1) * sizeof(**out));
	if (*out == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < total; i++)
		if (functions[i].hosts & hosts)
			(*out)[(*n)++] = &functions[i];
	return MG_OK;
}
