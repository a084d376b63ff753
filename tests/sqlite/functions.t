#!/bin/bash
# functions.t -- every SQL function of the extension, and the host's own
# behaviour: arguments, NULLs, table-valued functions and their HIDDEN
# argument columns, SQLITE_DIRECTONLY, eponymous-only tables, loading.
. "$(dirname "$0")/lib.sh"

LOAD="SELECT migrate_load('$ENV_DIR');"

q() {	# q TEXT: TEXT as a SQL string literal
	printf "'%s'" "${1//\'/\'\'}"
}

# ------------------------------------------------------------ migrate_load / migrate_add
db=$TMP/f.db
sq_ok "migrate_load" "$db" "$LOAD"
is "$OUT" "11 revisions: 11 added, 0 replaced, 0 unchanged" "migrate_load reports what it added"
sq_ok "migrate_load again" "$db" "$LOAD"
is "$OUT" "11 revisions: 0 added, 0 replaced, 11 unchanged" "loading the same scripts again changes nothing"
is "$(sqlite3_run "$db" "SELECT count(*) FROM migrate_catalog")" 11 "the catalog holds 11 revisions"

new_rev="-- add a note table
--
-- Revision ID: 7777aaaa0001
-- Revises: a2e418ad6a15
-- Create Date: 2024-05-01 00:00:00.000000

-- migrate:upgrade
CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT);

-- migrate:downgrade
DROP TABLE note;"
sq_ok "migrate_add(script)" "$db" "SELECT migrate_add($(q "$new_rev"));"
is "$OUT" "1 revision: 1 added, 0 replaced, 0 unchanged" "migrate_add reports one added"
sq_ok "migrate_add(script, filename) of the same text" "$db" \
	"SELECT migrate_add($(q "$new_rev"), 'extra/7777aaaa0001_note.sql');"
is "$OUT" "1 revision: 0 added, 0 replaced, 1 unchanged" "the same text again is unchanged"
changed_rev=${new_rev//body TEXT/body TEXT NOT NULL}
sq_ok "migrate_add of a changed, unapplied revision" "$db" \
	"SELECT migrate_add($(q "$changed_rev"), 'extra/7777aaaa0001_note.sql');"
is "$OUT" "1 revision: 0 added, 1 replaced, 0 unchanged" "an unapplied revision is replaced"
sq "$db" "SELECT migrate_show('7777aaaa0001');"
has "$OUT" "Path: extra/7777aaaa0001_note.sql" "the file name given to migrate_add is kept"
sq "$db" "SELECT line FROM migrate_heads();"
is "$OUT" "$(printf '5555bbbb0002 (tsi) (head)\n7777aaaa0001 (gxy) (head)')" \
	"the added revision is the new gxy head, last in catalog order (its label is inherited)"

# ------------------------------------------------------------ listings
sq "$db" "SELECT migrate_show('9540');"
has "$OUT" "Rev: 9540a051226e (mergepoint)" "migrate_show: the revision and its markers"
has "$OUT" "Merges: c39f1de47a04, 186d4835587b" "migrate_show: a merge point's parents"
has "$OUT" "merge job and dataset" "migrate_show: the message"
sq "$db" "SELECT migrate_show('5555bbbb0001');"
has "$OUT" "Also depends on: c39f1de47a04" "migrate_show: dependencies"
# Alembic's show prints the whole docstring: free text below the keys too
noted_rev="-- add the thing
--
-- Revision ID: 8888aaaa0001
-- Revises:
-- Create Date: 2022-02-01 09:00:00.000000
--
-- Note: this one rewrites the job table; run it at night.
-- It takes a while on big sites.

-- migrate:upgrade
CREATE TABLE thing (a INTEGER);
-- migrate:downgrade
DROP TABLE thing;"
ndb=$TMP/noted.db
sq_ok "migrate_add of a revision with a note below its keys" "$ndb" "SELECT migrate_add($(q "$noted_rev"), 'thing.sql');"
sq "$ndb" "SELECT migrate_show('8888');"
is "$OUT" "Rev: 8888aaaa0001 (head)
Parent: <base>
Path: thing.sql

    add the thing
    
    Revision ID: 8888aaaa0001
    Revises: 
    Create Date: 2022-02-01 09:00:00.000000
    
    Note: this one rewrites the job table; run it at night.
    It takes a while on big sites." "migrate_show: the note below the keys, as Alembic's show prints a docstring"
sq "$db" "SELECT migrate_branches();"
like "$OUT" "^b182f655505f \(gxy\) \(branchpoint\)" "migrate_branches: the branch point"
is "$(count "$OUT" " -> ")" 2 "migrate_branches: its two children"

# ------------------------------------------------------------ table-valued functions
sq "$db" "SELECT name || ':' || hidden FROM pragma_table_xinfo('migrate_history');"
is "$OUT" "$(printf '%s\n' revision:0 down_revisions:0 branch_labels:0 depends_on:0 message:0 \
	is_head:0 is_current:0 is_branchpoint:0 is_mergepoint:0 line:0 range:1 indicate_current:1)" \
	"migrate_history: columns, with range and indicate_current HIDDEN"
sq "$db" "SELECT group_concat(name || ':' || hidden, ' ') FROM pragma_table_xinfo('migrate_heads');"
lacks "$OUT" ":1" "migrate_heads: no argument columns"
sq "$db" "SELECT name FROM pragma_table_xinfo('migrate_current') WHERE hidden;"
is "$OUT" "verbose" "migrate_current: a HIDDEN verbose column"
sq "$db" "SELECT count(*) FROM migrate_history();"
is "$OUT" 12 "migrate_history(): every revision"
sq "$db" "SELECT down_revisions, branch_labels, depends_on, message, is_head, is_branchpoint, is_mergepoint
	FROM migrate_history WHERE revision = '5555bbbb0001';"
is "$OUT" "3a2d6b1c9e0f|tsi|c39f1de47a04|tsi needs gxy job table|0|0|0" "a row's columns"
sq "$db" "SELECT revision FROM migrate_history WHERE is_mergepoint;"
is "$OUT" "9540a051226e" "is_mergepoint"
sq "$db" "SELECT revision FROM migrate_history WHERE is_branchpoint;"
is "$OUT" "b182f655505f" "is_branchpoint"
sq "$db" "SELECT revision FROM migrate_history WHERE is_head ORDER BY 1;"
is "$OUT" "$(printf '5555bbbb0002\n7777aaaa0001')" "is_head"
sq "$db" "SELECT revision FROM migrate_history('9540a051226e:');"
is "$OUT" "$(printf '7777aaaa0001\na2e418ad6a15\n6a67bf27e6a6\n9540a051226e')" "a range argument"
sq "$db" "SELECT revision FROM migrate_history WHERE \"range\" = '9540a051226e:';"
is "$OUT" "$(printf '7777aaaa0001\na2e418ad6a15\n6a67bf27e6a6\n9540a051226e')" \
	"the range as a constraint on the HIDDEN column"
sq "$db" "SELECT DISTINCT \"range\", indicate_current FROM migrate_history('9540a051226e:', 1);"
is "$OUT" "9540a051226e:|1" "the HIDDEN columns show the arguments"
sq "$db" "SELECT count(*) FROM migrate_history(NULL, 0);"
is "$OUT" 12 "a NULL range is the whole history"
sq "$db" "SELECT r.revision FROM (SELECT '6a67bf27e6a6:' AS x UNION ALL SELECT 'a2e418ad6a15:') AS a,
	migrate_history(a.x) AS r ORDER BY 1;"
is "$OUT" "$(printf '6a67bf27e6a6\n7777aaaa0001\n7777aaaa0001\na2e418ad6a15\na2e418ad6a15')" \
	"the argument can come from another table of a join"
sq "$db" "SELECT count(*) FROM migrate_current();"
is "$OUT" 0 "migrate_current() before any upgrade: no rows"

sq_ok "migrate_upgrade() with no argument upgrades to heads" "$db" "SELECT migrate_upgrade();"
is "$(count "$OUT" "Running upgrade")" 12 "it ran 12 steps"
# The host's clock (now): UTC as YYYY-MM-DD HH:MM:SS.ffffff, next to SQLite's own.
stamp_ok="length(t) = 26 AND t GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]'
	AND abs(julianday(t) - julianday('now')) < 1.0 / 24"
sq "$db" "SELECT count(*), sum($stamp_ok) FROM (SELECT run_at AS t FROM migrate_log);"
is "$OUT" "12|12" "every log row's run_at is the current UTC time, microseconds included"
sq "$db" "SELECT count(*) = sum($stamp_ok), count(*) FROM (SELECT DISTINCT added_at AS t FROM migrate_catalog);"
is "$OUT" "1|2" "the catalog's added_at is the same kind of time, one per load or add that wrote"
sq "$db" "SELECT revision, is_current, line FROM migrate_current();"
is "$OUT" "$(printf '5555bbbb0002|1|5555bbbb0002 (head)\n7777aaaa0001|1|7777aaaa0001 (head)')" \
	"migrate_current(): the database's heads"
sq "$db" "SELECT revision FROM migrate_current(1);"
is "$OUT" "$(printf '5555bbbb0002\n7777aaaa0001')" "migrate_current(verbose): the same rows"
sq "$db" "SELECT revision FROM migrate_history(NULL, 1) WHERE is_current;"
is "$OUT" "$(printf '5555bbbb0002\n7777aaaa0001')" "migrate_history(NULL, 1) marks the current revisions"
sq "$db" "SELECT count(*) FROM migrate_history WHERE is_current;"
is "$OUT" 0 "without indicate_current nothing is marked current"
sq "$db" "SELECT h.revision FROM migrate_heads() AS h JOIN migrate_current() AS c USING (revision);"
is "$OUT" "$(printf '5555bbbb0002\n7777aaaa0001')" "table-valued functions join"
sq "$db" "SELECT migrate_upgrade('heads');"
is "$OUT" "nothing to do: the database is at 5555bbbb0002, 7777aaaa0001" "nothing to do"
sq "$db" "SELECT * FROM migrate_history('zz:');"
ok "an error inside a table-valued function fails the query" [ "$RC" -ne 0 ]
has "$ERR" "Can't locate revision identified by 'zz'" "with the engine's message"

# ------------------------------------------------------------ migrate_check
sq "$db" "SELECT migrate_check();"
like "$OUT" "^ok: the database is at the heads" "migrate_check at the heads"
sq_ok "migrate_downgrade" "$db" "SELECT migrate_downgrade('gxy@-1');"
is "$OUT" "Running downgrade 7777aaaa0001 -> a2e418ad6a15, add a note table" "migrate_downgrade(gxy@-1)"
sq "$db" "SELECT migrate_check();"
has "$OUT" "behind: head 7777aaaa0001 is not applied" "migrate_check says what is missing"
has "$OUT" "migrate_upgrade('heads')" "and what to do"

# ------------------------------------------------------------ offline
before=$(snapshot "$db")
sq "$db" "SELECT migrate_upgrade_sql('a2e418ad6a15:7777aaaa0001');"
is "$OUT" "-- Running upgrade a2e418ad6a15 -> 7777aaaa0001

CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL);

UPDATE alembic_version SET version_num='7777aaaa0001' WHERE alembic_version.version_num = 'a2e418ad6a15';" \
	"migrate_upgrade_sql: Alembic's --sql shape"
sq "$db" "SELECT migrate_downgrade_sql('7777aaaa0001:a2e418ad6a15');"
is "$OUT" "-- Running downgrade 7777aaaa0001 -> a2e418ad6a15

DROP TABLE note;

UPDATE alembic_version SET version_num='a2e418ad6a15' WHERE alembic_version.version_num = '7777aaaa0001';" \
	"migrate_downgrade_sql"
is "$(snapshot "$db")" "$before" "offline SQL changes nothing"

# ------------------------------------------------------------ migrate_stamp
db=$TMP/stamp.db
sq_ok "load" "$db" "$LOAD"
sq_ok "migrate_stamp(gxy@head)" "$db" "SELECT migrate_stamp('gxy@head');"
is "$OUT" "Running stamp_revision  -> a2e418ad6a15" "stamp reports Alembic's stamp_revision line"
is "$(sqlite3_run "$db" "SELECT version_num FROM alembic_version")" "a2e418ad6a15" "the version table is set"
is "$(sqlite3_run "$db" "SELECT count(*) FROM sqlite_master WHERE name IN ('history', 'job', 'dataset')")" \
	0 "no script ran"
sq_ok "stamp tsi@head" "$db" "SELECT migrate_stamp('tsi@head');"
is "$(sqlite3_run "$db" "SELECT version_num FROM alembic_version ORDER BY 1")" \
	"$(printf '5555bbbb0002\na2e418ad6a15')" "a second branch is a second row"
sq_ok "migrate_stamp(target, purge)" "$db" "SELECT migrate_stamp('d4a650f47a3c', 1);"
is "$(sqlite3_run "$db" "SELECT version_num FROM alembic_version")" "d4a650f47a3c" "purge empties the table first"
sq_ok "stamp base" "$db" "SELECT migrate_stamp('base');"
is "$(sqlite3_run "$db" "SELECT count(*) FROM alembic_version")" 0 "stamp base deletes the row"

# ------------------------------------------------------------ migrate_config
db=$TMP/config.db
sq "$db" "SELECT migrate_config('version_table');"
is "$OUT" "alembic_version" "version_table defaults to alembic_version"
sq "$db" "SELECT migrate_config('legacy_table');"
is "$OUT" "migrate_version" "legacy_table defaults to migrate_version"
sq_ok "migrate_config(key, value)" "$db" "SELECT migrate_config('version_table', 'my_version');"
is "$OUT" "my_version" "writing a setting returns the new value"
sq "$db" "SELECT migrate_config('version_table');"
is "$OUT" "my_version" "the setting is kept"
sq_ok "upgrade with another version table" "$db" "$LOAD" "SELECT migrate_upgrade('gxy@head');"
is "$(sqlite3_run "$db" "SELECT version_num FROM my_version")" "a2e418ad6a15" "the configured table holds the version"
is "$(sqlite3_run "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'")" 0 \
	"alembic_version is not created"
sq "$db" "SELECT revision FROM migrate_current();"
is "$OUT" "a2e418ad6a15" "migrate_current reads the configured table"

# ------------------------------------------------------------ optional arguments
db=$TMP/nulls.db
sq_ok "migrate_upgrade(NULL) is migrate_upgrade()" "$db" "$LOAD" "SELECT migrate_upgrade(NULL);"
is "$(count "$OUT" "Running upgrade")" 11 "all 11 steps ran"
sq_ok "migrate_stamp(target, NULL): no purge" "$db" "SELECT migrate_stamp('gxy@head', NULL);"
sq_ok "migrate_config(key, NULL) reads" "$db" "SELECT migrate_config('version_table', NULL);"
is "$OUT" "alembic_version" "the value is read, not written"
sq_ok "migrate_add(script, NULL)" "$db" "SELECT migrate_add($(q "$new_rev"), NULL);"

# ------------------------------------------------------------ SQLITE_DIRECTONLY
db=$TMP/direct.db
sq_ok "setup" "$db" "$LOAD" "CREATE TABLE app (a);"
for f in "migrate_upgrade()" "migrate_downgrade('base')" "migrate_stamp('heads')" \
	"migrate_load('$ENV_DIR')" "migrate_add('x')" "migrate_config('branches', 'gxy')"; do
	sq "$db" "CREATE VIEW v AS SELECT $f;" "SELECT * FROM v;"
	has "$ERR" "unsafe use of ${f%%(*}()" "$f is refused in a view"
	sqlite3_run "$db" "DROP VIEW IF EXISTS v;"
done
before=$(snapshot "$db")
sq "$db" "CREATE TRIGGER t AFTER INSERT ON app BEGIN SELECT migrate_upgrade('heads'); END;" \
	"INSERT INTO app VALUES (1);"
has "$ERR" "unsafe use of migrate_upgrade()" "migrate_upgrade is refused in a trigger"
sqlite3_run "$db" "DROP TRIGGER IF EXISTS t;"
is "$(snapshot "$db")" "$before" "and nothing ran"
sq "$db" "CREATE VIEW status AS SELECT line FROM migrate_heads();" "SELECT * FROM status;" \
	"CREATE VIEW checked AS SELECT migrate_check() AS c;" "SELECT count(*) FROM checked;" \
	"CREATE VIEW cfg AS SELECT migrate_config('version_table') AS v;" "SELECT v FROM cfg;"
is "$OUT" "$(printf 'a2e418ad6a15 (gxy) (head)\n5555bbbb0002 (tsi) (head)\n1\nalembic_version')" \
	"the report functions work in views (monitoring)"

# ------------------------------------------------------------ eponymous only
sq "$db" "CREATE VIRTUAL TABLE h USING migrate_history;"
ok "CREATE VIRTUAL TABLE ... USING migrate_history is refused" [ "$RC" -ne 0 ]
has "$ERR" "migrate_history" "the error names the module"

# ------------------------------------------------------------ loading
so=${MIGRATE_EXT%.so}
out=$(printf 'SELECT count(*) FROM migrate_heads();\n' |
	sqlite3_run -bail -cmd ".load '$so' sqlite3_migrate_init" "$db" 2>&1)
is "$out" 2 "loads by its path without the .so suffix"
if [ "$(basename "$so")" = migrate ]; then
	out=$(printf 'SELECT count(*) FROM migrate_heads();\n' | sqlite3_run -bail -cmd ".load '$so'" "$db" 2>&1)
	is "$out" 2 "the entry point is found from the file name (sqlite3_migrate_init)"
else
	skip "the entry point is found from the file name" "the extension is built as $(basename "$MIGRATE_EXT")"
fi

done_testing
