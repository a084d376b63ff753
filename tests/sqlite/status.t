#!/bin/bash
# status.t -- migrate_status(): every column of every state, on the sample
# environment (branches, a merge, a dependency) and on databases that are
# behind, partly downgraded, stamped, edited by hand and ahead of the
# catalog; the log's index and its upgrade in place; migrate_version and
# migrate_functions.
. "$(dirname "$0")/lib.sh"

LOAD="SELECT migrate_load('$ENV_DIR');"
COLS="revision, branch_labels, message, state, applied_at IS NOT NULL, applied_by,
	typeof(duration_ms), checksum_ok, file"
# st DB [WHERE]: the status rows, NULL shown as NULL, one line each
st() {
	sq "$1" ".nullvalue NULL" "SELECT $COLS FROM migrate_status() ${2:-};"
}
# states DB: revision:state, one line each, in the function's order
states() {
	sq "$1" "SELECT revision || ':' || state FROM migrate_status();"
}
F=versions_gxy
T=versions_tsi

# ------------------------------------------------------------ columns and an empty database
db=$TMP/s.db
sq "$db" "SELECT group_concat(name || ':' || hidden, ' ') FROM pragma_table_xinfo('migrate_status');"
is "$OUT" "revision:0 branch_labels:0 message:0 state:0 applied_at:0 applied_by:0 duration_ms:0 checksum_ok:0 file:0" \
	"migrate_status: the issue's columns, no arguments"
before=$(snapshot "$db")
sq "$db" "SELECT count(*) FROM migrate_status();"
is "$OUT" 0 "a database that never saw the engine: no rows"
is "$(snapshot "$db")" "$before" "and reading it created nothing"

# ------------------------------------------------------------ loaded, nothing applied
sq_ok "load" "$db" "$LOAD"
states "$db"
is "$OUT" "a2e418ad6a15:pending
6a67bf27e6a6:pending
9540a051226e:pending
5555bbbb0002:pending
5555bbbb0001:pending
3a2d6b1c9e0f:pending
d4a650f47a3c:pending
c39f1de47a04:pending
186d4835587b:pending
b182f655505f:pending
e7b6dcb09efd:pending" "nothing applied: every revision pending, in migrate_history's order"
sq "$db" "SELECT group_concat(revision) FROM migrate_history();"
is "$(sq "$db" "SELECT group_concat(revision) FROM migrate_status();"; echo "$OUT")" "$OUT" \
	"the order is migrate_history()'s"

# ------------------------------------------------------------ after an upgrade
sq_ok "upgrade gxy@head" "$db" "SELECT migrate_upgrade('gxy@head');"
st "$db" "WHERE revision IN ('9540a051226e', 'e7b6dcb09efd', '5555bbbb0001')"
is "$OUT" "9540a051226e|gxy|merge job and dataset|applied|1|NULL|real|1|$F/9540a051226e_merge_job_and_dataset.sql
5555bbbb0001|tsi|tsi needs gxy job table|pending|0|NULL|null|NULL|$T/5555bbbb0001_tsi_needs_gxy_job_table.sql
e7b6dcb09efd|gxy|create gxy base|applied|1|NULL|real|1|$F/e7b6dcb09efd_create_gxy_base.sql" \
	"every column: applied rows carry the log's time, duration and checksum verdict; pending rows none (SQLite's log knows no role)"
stamp_ok="length(applied_at) = 26 AND applied_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]'
	AND abs(julianday(applied_at) - julianday('now')) < 1.0 / 24"
sq "$db" "SELECT count(*), sum($stamp_ok), sum(duration_ms >= 0) FROM migrate_status() WHERE state = 'applied';"
is "$OUT" "7|7|7" "applied_at is the UTC time of the run (microseconds), duration_ms a number of milliseconds"
sq "$db" "SELECT count(*) FROM migrate_status() s JOIN migrate_log l
	ON l.revision = s.revision AND l.run_at = s.applied_at AND l.duration_ms = s.duration_ms AND l.direction = 'upgrade';"
is "$OUT" 7 "and they are the log's row of that upgrade"
sq "$db" "SELECT revision FROM migrate_status() WHERE state = 'pending' ORDER BY 1;"
pending=$OUT
cp "$db" "$TMP/copy.db"
sq "$TMP/copy.db" "SELECT migrate_upgrade();"
is "$(printf '%s\n' "$OUT" | sed -E 's/^Running upgrade .* -> ([0-9a-f]+),.*/\1/' | sort)" "$pending" \
	"pending: exactly what migrate_upgrade() runs next"

# ------------------------------------------------------------ partial downgrade
sq_ok "downgrade gxy@-2" "$db" "SELECT migrate_downgrade('gxy@-2');"
st "$db" "WHERE revision IN ('a2e418ad6a15', '6a67bf27e6a6', '9540a051226e')"
is "$OUT" "a2e418ad6a15|gxy|add job queue index|pending|0|NULL|null|NULL|$F/a2e418ad6a15_add_job_queue_index.sql
6a67bf27e6a6|gxy|add dataset metadata column|pending|0|NULL|null|NULL|$F/6a67bf27e6a6_add_dataset_metadata_column.sql
9540a051226e|gxy|merge job and dataset|applied|1|NULL|real|1|$F/9540a051226e_merge_job_and_dataset.sql" \
	"after a partial downgrade the undone revisions are pending again, without the old run's columns"

# ------------------------------------------------------------ stamp
sq_ok "stamp tsi@head" "$db" "SELECT migrate_stamp('tsi@head');"
st "$db" "WHERE branch_labels = 'tsi'"
is "$OUT" "5555bbbb0002|tsi|add repository status|stamped|0|NULL|null|NULL|$T/5555bbbb0002_add_repository_status.sql
5555bbbb0001|tsi|tsi needs gxy job table|stamped|0|NULL|null|NULL|$T/5555bbbb0001_tsi_needs_gxy_job_table.sql
3a2d6b1c9e0f|tsi|add tool shed table|stamped|0|NULL|null|NULL|$T/3a2d6b1c9e0f_add_tool_shed_table.sql
d4a650f47a3c|tsi|create tsi base|stamped|0|NULL|null|NULL|$T/d4a650f47a3c_create_tsi_base.sql" \
	"stamped: in the version table's ancestry, but no run of it logged"
sq_ok "upgrade heads" "$db" "SELECT migrate_upgrade('heads');"
sq "$db" "SELECT group_concat(DISTINCT state) FROM migrate_status() WHERE branch_labels = 'gxy';"
is "$OUT" "applied" "the rest of gxy runs: applied"
sq "$db" "SELECT group_concat(DISTINCT state) FROM migrate_status() WHERE branch_labels = 'tsi';"
is "$OUT" "stamped" "tsi stays stamped: its scripts never ran here"
sq_ok "stamp tsi@base, upgrade heads" "$db" "SELECT migrate_stamp('tsi@base');" "SELECT migrate_upgrade('heads');"
sq "$db" "SELECT group_concat(DISTINCT state) FROM migrate_status();"
is "$OUT" "applied" "once run, the stamped revisions are applied"

# ------------------------------------------------------------ an edited applied script
sq_ok "edit an applied revision's text by hand" "$db" \
	"UPDATE migrate_catalog SET script = script || char(10) || '-- edited', checksum = 'ffffffffffffffff' WHERE revision = '186d4835587b';"
st "$db" "WHERE revision = '186d4835587b'"
is "$OUT" "186d4835587b|gxy|add dataset table|applied|1|NULL|real|0|$F/186d4835587b_add_dataset_table.sql" \
	"checksum_ok is 0 for an applied revision whose catalog text is not the one that ran"
sq "$db" "SELECT count(*) FROM migrate_status() WHERE checksum_ok = 0;"
is "$OUT" 1 "and only for it"
sq "$db" "SELECT migrate_check();"
has "$OUT" "changed: revision 186d4835587b" "migrate_check reports the same revision"

# ------------------------------------------------------------ the branches setting
sq_ok "hold gxy only, then downgrade tsi" "$db" "SELECT migrate_config('branches', 'gxy');" \
	"SELECT migrate_downgrade('tsi@base');"
sq "$db" "SELECT group_concat(revision || ':' || state, ' ') FROM migrate_status() WHERE branch_labels = 'tsi';"
is "$OUT" "5555bbbb0002:not held 5555bbbb0001:not held 3a2d6b1c9e0f:not held d4a650f47a3c:not held" \
	"not held: a branch outside the branches setting, which migrate_upgrade() leaves alone"
sq_ok "hold every branch again" "$db" "SELECT migrate_config('branches', '');"

# ------------------------------------------------------------ a branchy graph with a merge
db2=$TMP/b.db
sq_ok "load, upgrade one arm of the branch point" "$db2" "$LOAD" "SELECT migrate_upgrade('c39f');"
states "$db2"
is "$OUT" "a2e418ad6a15:pending
6a67bf27e6a6:pending
9540a051226e:pending
5555bbbb0002:pending
5555bbbb0001:pending
3a2d6b1c9e0f:pending
d4a650f47a3c:pending
c39f1de47a04:applied
186d4835587b:pending
b182f655505f:applied
e7b6dcb09efd:applied" "one arm applied: the other arm and the merge above both are pending"
sq_ok "the other arm" "$db2" "SELECT migrate_upgrade('186d');"
sq "$db2" "SELECT group_concat(revision || ':' || state, ' ') FROM migrate_status() WHERE revision IN ('9540a051226e', '186d4835587b', 'c39f1de47a04');"
is "$OUT" "9540a051226e:pending c39f1de47a04:applied 186d4835587b:applied" "both arms applied, the merge still pending"
sq_ok "tsi@head, which depends on c39f" "$db2" "SELECT migrate_upgrade('tsi@head');"
sq "$db2" "SELECT count(*) FROM migrate_status() WHERE state = 'applied';"
is "$OUT" 8 "a dependency's ancestry counts as applied (Alembic's current)"

# ------------------------------------------------------------ ahead of the catalog
db3=$TMP/a.db
new_rev="-- add a note table
--
-- Revision ID: 7777aaaa0001
-- Revises: a2e418ad6a15

-- migrate:upgrade
CREATE TABLE note (id INTEGER PRIMARY KEY);

-- migrate:downgrade
DROP TABLE note;"
sq_ok "a database that ran a revision its catalog then lost" "$db3" "$LOAD" \
	"SELECT migrate_add('${new_rev//\'/\'\'}', 'extra/7777aaaa0001_note.sql');" \
	"SELECT migrate_upgrade('gxy@head');" "DELETE FROM migrate_catalog WHERE revision = '7777aaaa0001';"
st "$db3" "LIMIT 2"
is "$OUT" "7777aaaa0001||not in the catalog: the database is ahead of the loaded revision scripts|unknown|1|NULL|real|NULL|NULL
a2e418ad6a15|gxy|add job queue index|applied|1|NULL|real|1|$F/a2e418ad6a15_add_job_queue_index.sql" \
	"unknown: the version row the catalog lacks comes first, with its logged run; its logged parents place the rest"
sq "$db3" "SELECT group_concat(state || ':' || n, ' ') FROM (SELECT state, count(*) AS n FROM migrate_status() GROUP BY state ORDER BY state);"
is "$OUT" "applied:7 pending:4 unknown:1" "gxy applied below the unknown revision, tsi pending"
db4=$TMP/h.db
sq_ok "a version row set by another tool" "$db4" "$LOAD" "SELECT migrate_stamp('gxy@head');" \
	"UPDATE alembic_version SET version_num = 'ffff0000aaaa';"
st "$db4" "LIMIT 1"
is "$OUT" "ffff0000aaaa||not in the catalog: the database is ahead of the loaded revision scripts|unknown|0|NULL|null|NULL|NULL" \
	"unknown without a log row: nothing to say when or by whom"
sq "$db4" "SELECT count(*) FROM migrate_status() WHERE state = 'pending';"
is "$OUT" 11 "without a logged run nothing places it: the catalog's revisions are pending"

# ------------------------------------------------------------ the log's index, and an older database
sq "$db" "SELECT group_concat(name) FROM pragma_index_info('migrate_log_revision');"
is "$OUT" "revision,id" "the log has its (revision, id) index"
sq "$db" "EXPLAIN QUERY PLAN SELECT l.revision FROM migrate_catalog AS c JOIN migrate_log AS l
	ON l.id = (SELECT max(m.id) FROM migrate_log AS m WHERE m.revision = c.revision);"
has "$OUT" "COVERING INDEX migrate_log_revision (revision=?)" "the status's log query seeks it once per revision"
sq_ok "drop it, as in a database made before it" "$db" "DROP INDEX migrate_log_revision;"
sq "$db" "SELECT count(*) FROM migrate_status();"
is "$OUT" 11 "migrate_status works without it"
sq "$db" "SELECT count(*) FROM pragma_index_info('migrate_log_revision');"
is "$OUT" 0 "and a read does not create it"
sq_ok "the next write command" "$db" "SELECT migrate_upgrade('heads');"
sq "$db" "SELECT group_concat(name) FROM pragma_index_info('migrate_log_revision');"
is "$OUT" "revision,id" "creates it"

# ------------------------------------------------------------ migrate_version, migrate_functions
sq "$db" "SELECT migrate_version();"
like "$OUT" "^migrate 1\.2 \(SQL API 1\.2\), SQLite $(sqlite3_run :memory: 'SELECT sqlite_version()' | sed 's/\./\\./g')\$" \
	"migrate_version(): the engine, its SQL API and SQLite"
sq "$db" "SELECT group_concat(name || ':' || hidden, ' ') FROM pragma_table_xinfo('migrate_functions');"
is "$OUT" "name:0 arguments:0 kind:0 description:0" "migrate_functions: name, arguments, kind, description"
sq "$db" "SELECT count(*) FROM migrate_functions WHERE description = '' OR description IS NULL OR description LIKE '%.';"
is "$OUT" 0 "every function has a one-line description"
sq "$db" "SELECT name FROM migrate_functions EXCEPT SELECT name FROM pragma_function_list
	EXCEPT SELECT name FROM pragma_module_list;"
is "$OUT" "" "every listed function is registered"
sq "$db" "SELECT DISTINCT name FROM pragma_function_list WHERE name LIKE 'migrate%'
	UNION SELECT name FROM pragma_module_list WHERE name LIKE 'migrate%'
	EXCEPT SELECT name FROM migrate_functions;"
is "$OUT" "" "every registered function is listed (add a new one to core/api.c)"
sq "$db" "SELECT kind, count(*) FROM migrate_functions GROUP BY kind ORDER BY kind;"
is "$OUT" "$(printf 'scalar|20\ntable|9')" "scalars and tables"
sq "$db" "SELECT name FROM migrate_functions WHERE kind = 'table' ORDER BY name;"
is "$OUT" "$(sq "$db" "SELECT name FROM pragma_module_list WHERE name LIKE 'migrate%' ORDER BY name;"; echo "$OUT")" \
	"the tables are the eponymous modules"

done_testing
