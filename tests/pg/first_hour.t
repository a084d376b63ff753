#!/bin/bash
# first_hour.t -- what a new user meets in the first hour on PostgreSQL,
# fed exactly: CALL migrate_upgrade_steps with relative targets, empty
# identifiers and NULL arguments (with their SQLSTATEs), diverged heads
# without branch labels, hints, revisions added without a file name, a
# relative migrate_load path, settings that would break a live database,
# the arities both hosts share, what migrate_add needs of a role, and
# make install.  Every error also leaves the database exactly as it was
# (pg_dump of the whole database, before and after).
. "$(dirname "$0")/lib.sh"

# snap DB: everything pg_dump sees (sequence positions aside: nextval is
# not transactional).
snap() {
	pg_dump -d "$1" --no-owner 2>&1 | grep -v -e '^SELECT pg_catalog.setval' -e '^\\restrict ' -e '^\\unrestrict '
}

# fails DB NAME SQL SQLSTATE TEXT...: SQL fails with SQLSTATE; its error
# contains every TEXT; nothing changed.
fails() {
	local db=$1 name=$2 sql=$3 state=$4 before after t
	shift 4
	before=$(snap "$db")
	pq "$db" "\\set VERBOSITY verbose" "$sql"
	has "$ERR" "ERROR:  $state: " "$name: fails with $state"
	for t in "$@"; do
		has "$ERR" "$t" "$name: says $t"
	done
	after=$(snap "$db")
	is "$after" "$before" "$name: nothing changed"
}

q() {	# q TEXT: TEXT as a SQL string literal
	printf "'%s'" "${1//\'/\'\'}"
}

# rev ID REVISES [EXTRA]: a revision script's text (no file).
rev() {
	printf -- '-- revision %s\n--\n-- Revision ID: %s\n-- Revises: %s\n%s\n-- migrate:upgrade\nCREATE TABLE t_%s (a int);\n\n-- migrate:downgrade\nDROP TABLE t_%s;\n' \
		"$1" "$1" "$2" "${3:-}" "$1" "$1"
}

LOAD="SELECT migrate_load('$MIGRATE_ENV_DIR');"

# ------------------------------------------------------------ stepwise runs
envd=$TMP/linear
write_rev "$envd" r1 "" "CREATE TABLE t1 (a int);" "DROP TABLE t1;"
for i in 2 3 4 5; do
	write_rev "$envd" "r$i" "r$((i - 1))" "CREATE TABLE t$i (a int);" "DROP TABLE t$i;"
done
fresh_db fh_steps
pq fh_steps "SELECT migrate_load('$envd');" "CALL migrate_upgrade_steps('+1');"
is "$RC" 0 "CALL migrate_upgrade_steps('+1') on r1..r5 at base succeeds"
is "$(printf '%s\n' "$ERR" | grep '^NOTICE:')" "NOTICE:  Running upgrade  -> r1, revision r1" "one step is announced"
is "$(val fh_steps "SELECT string_agg(version_num, ',') FROM alembic_version")" "r1" "the database is at r1"
is "$(val fh_steps "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.migrate_log")" "r1" "exactly r1 ran"
pq fh_steps "CALL migrate_upgrade_steps('+2');"
is "$(val fh_steps "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.migrate_log")" "r1,r2,r3" \
	"'+2' from r1 runs exactly r2 and r3"
pq fh_steps "CALL migrate_upgrade_steps('r3');"
is "$ERR" "NOTICE:  nothing to do: the database is at r3" "an applied target: one NOTICE says where the database is"
fails fh_steps "CALL migrate_upgrade_steps('+9')" "CALL migrate_upgrade_steps('+9');" 22023 \
	"Relative revision +9 didn't produce 9 migrations"
fails fh_steps "CALL migrate_upgrade_steps('')" "CALL migrate_upgrade_steps('');" 22023 \
	'migrate_upgrade_steps: argument "target" is empty'

fresh_db fh_gxy
pq fh_gxy "$LOAD" "CALL migrate_upgrade_steps('gxy@+2');"
is "$RC" 0 "CALL migrate_upgrade_steps('gxy@+2') at base succeeds"
is "$(val fh_gxy "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.migrate_log")" "e7b6dcb09efd,b182f655505f" \
	"exactly two steps, each committed once"
is "$(val fh_gxy "SELECT string_agg(version_num, ',') FROM alembic_version")" "b182f655505f" "at b182f655505f"

# ------------------------------------------------------------ empty identifiers, NULL
fresh_db fh_empty
pq fh_empty "$LOAD" "SELECT migrate_upgrade('9540');"
fails fh_empty "migrate_upgrade('')" "SELECT migrate_upgrade('');" 22023 \
	'migrate_upgrade: argument "target" is empty' \
	'DETAIL:  An empty or blank identifier names no revision: it is never taken as base or heads.'
fails fh_empty "migrate_stamp('')" "SELECT migrate_stamp('');" 22023 'migrate_stamp: argument "target" is empty'
fails fh_empty "migrate_downgrade(' ')" "SELECT migrate_downgrade(' ');" 22023 'migrate_downgrade: argument "target" is empty'
fails fh_empty "migrate_upgrade_sql('base:')" "SELECT migrate_upgrade_sql('base:');" 22023 \
	"migrate_upgrade_sql: the end of range 'base:' is empty"
fails fh_empty "migrate_downgrade_sql(':base')" "SELECT migrate_downgrade_sql(':base');" 22023 \
	"migrate_downgrade_sql: the start of range ':base' is empty"
fails fh_empty "migrate_history('')" "SELECT * FROM migrate_history('');" 22023 'migrate_history: argument "range" is empty'
fails fh_empty "migrate_show('')" "SELECT migrate_show('');" 22023 'migrate_show: argument "rev" is empty'
fails fh_empty "migrate_merge('a,,b')" "SELECT migrate_merge('a2e4,,5555bbbb0002', 'm');" 22023 \
	"migrate_merge: an item of argument \"revisions\" ('a2e4,,5555bbbb0002') is empty"
fails fh_empty "migrate_stamp(NULL)" "SELECT migrate_stamp(NULL);" 22004 'migrate_stamp: argument "target" must not be NULL'
is "$(val fh_empty "SELECT migrate_upgrade_sql() = migrate_upgrade_sql(NULL) AND migrate_upgrade_sql() = migrate_upgrade_sql('heads')")" \
	"t" "migrate_upgrade_sql(), (NULL) and ('heads') are the same script"
is "$(val fh_empty "SELECT count(*) FROM migrate_history(NULL, NULL)")" "11" "migrate_history(NULL, NULL) is the whole history"
pq fh_empty "SELECT migrate_upgrade(NULL);"
is "$(val fh_empty "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version")" \
	"5555bbbb0002,a2e418ad6a15" "migrate_upgrade(NULL) upgrades to the heads"

# ------------------------------------------------------------ diverged heads without labels
fresh_db fh_div
pq fh_div "SELECT migrate_add($(q "$(rev 1111aaaa0001 '')"));" "SELECT migrate_add($(q "$(rev 2222bbbb0002 1111aaaa0001)"));" \
	"SELECT migrate_upgrade();" \
	"SELECT migrate_add($(q "$(rev 3333cccc0003 2222bbbb0002)"));" "SELECT migrate_add($(q "$(rev 4444dddd0004 2222bbbb0002)"));" \
	"SELECT migrate_upgrade();"
is "$(val fh_div "SELECT migrate_check()")" \
	"diverged: the lineage of base 1111aaaa0001 (no branch label) has two heads, 3333cccc0003 and 4444dddd0004; merge them with SELECT migrate_merge('3333cccc0003,4444dddd0004', 'merge heads')" \
	"migrate_check() reports the diverged heads with the merge call"
fails fh_div "migrate_verify() on diverged unlabelled heads" "SELECT migrate_verify();" 21000 \
	"the lineage of base 1111aaaa0001 (no branch label) has diverged: the code has 2 heads on it, 3333cccc0003, 4444dddd0004" \
	"HINT:  Merge them with SELECT migrate_merge('3333cccc0003,4444dddd0004', 'merge heads')"
fails fh_div "migrate_upgrade('head') without labels" "SELECT migrate_upgrade('head');" 21000 \
	"HINT:  No branch label tells these heads apart: use 'heads' for all of them, or merge them with SELECT migrate_merge('3333cccc0003,4444dddd0004', 'merge heads')."

# ------------------------------------------------------------ hints
fresh_db fh_hints
pq fh_hints "$LOAD" "SELECT migrate_upgrade('heads');" "SELECT migrate_downgrade('9540');"
fails fh_hints "migrate_downgrade('gxy@-1') at a merge point" "SELECT migrate_downgrade('gxy@-1');" 22023 \
	"HINT:  Branch 'gxy' itself merges here, so naming it does not settle the walk: give an absolute target, c39f1de47a04 or 186d4835587b."
fails fh_hints "migrate_downgrade('heads')" "SELECT migrate_downgrade('heads');" 21000 \
	"HINT:  This argument takes one revision: name one of the heads (a2e418ad6a15 or 5555bbbb0002) or one branch's head ('gxy@head' or 'tsi@head')."

# ------------------------------------------------------------ inline revisions
fresh_db fh_inline
pq fh_inline "SELECT migrate_add($(q "$(rev 7f3e0c1d2b4a '' '-- Transactional: false')"));"
fails fh_inline "a Transactional: false inline revision" "SELECT migrate_upgrade();" 55000 \
	'DETAIL:  File "<inline 7f3e0c1d2b4a>" is marked "Transactional: false"'
has "$(val fh_inline "SELECT migrate_show('7f3e')")" "Path: <inline 7f3e0c1d2b4a>" "migrate_show names it"

# ------------------------------------------------------------ relative paths
datadir=$(val fh_inline "SHOW data_directory")
# run.sh runs the cluster as "postgres" when run as root, else as the current user
if [ "$(id -u)" -eq 0 ]; then osuser=postgres; else osuser=$(id -un); fi
fails fh_inline "migrate_load('migrations')" "SELECT migrate_load('migrations');" 58P01 \
	'could not open environment directory "migrations"' \
	"The server resolves a relative path against its data directory, \"$datadir\", and reads the files as the operating-system user \"$osuser\", not as the client." \
	"HINT:  Give the absolute path of a directory the server can read, or add the scripts from their text with migrate_add(script, filename), which needs no server-side file."
lacks "$ERR" '(e.g. "migrations")' "the hint does not suggest what just failed"

# ------------------------------------------------------------ settings
fresh_db fh_set
pq fh_set "$LOAD" "SELECT migrate_upgrade('gxy@head');"
fails fh_set "switching version_table away from a table with rows" "SELECT migrate_config('version_table', 'app_version');" 55000 \
	'cannot switch version_table to "app_version": version table "alembic_version" has rows and "app_version" does not exist' \
	"HINT:  Move the rows first (ALTER TABLE \"public\".\"alembic_version\" RENAME TO \"app_version\") and switch then, or pass force to switch anyway: SELECT migrate_config('version_table', 'app_version', true). Nothing was changed."
pq fh_set "ALTER TABLE alembic_version RENAME TO app_version;" "SELECT migrate_config('version_table', 'app_version');"
is "$OUT" "app_version" "accepted once the table is moved"
is "$(val fh_set "SELECT migrate_config('version_table', 'other_version', true)")" "other_version" "force switches anyway"
is "$(val fh_set "SELECT migrate_config('branches', 'gxy,feature')")" "gxy,feature
WARNING: no revision of the catalog carries branch label 'feature' (its labels are gxy, tsi); the setting is kept, and the calls that act on the held branches fail until its revisions are loaded" \
	"branches naming an unknown label: accepted, with a warning line"

# ------------------------------------------------------------ arities
# The same list as tests/sqlite/first_hour.t: NAME MIN MAX.
want="migrate_add 1 2
migrate_branches 0 0
migrate_check 0 0
migrate_config 1 3
migrate_downgrade 1 1
migrate_downgrade_sql 1 1
migrate_init 0 0
migrate_load 1 1
migrate_merge 2 4
migrate_revision 1 6
migrate_show 1 1
migrate_stamp 1 2
migrate_upgrade 0 1
migrate_upgrade_sql 0 1
migrate_verify 0 1"
is "$(val fh_set "SELECT string_agg(format('%s %s %s', proname, lo, hi), E'\n' ORDER BY proname) FROM
	(SELECT p.proname, min(p.pronargs - p.pronargdefaults) AS lo, max(p.pronargs) AS hi
	 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	 WHERE n.nspname = 'migrate' AND p.prokind = 'f' AND p.proname IN
	 ('migrate_load','migrate_add','migrate_upgrade','migrate_downgrade','migrate_stamp','migrate_upgrade_sql',
	  'migrate_downgrade_sql','migrate_show','migrate_branches','migrate_check','migrate_config','migrate_init',
	  'migrate_verify','migrate_revision','migrate_merge')
	 GROUP BY p.proname) a")" "$want" "the same arities as the SQLite extension"

# ------------------------------------------------------------ what migrate_add needs of a role
# A database owner that is not a superuser, the extension created by one.
psql -X -q -d postgres -c "DROP ROLE IF EXISTS fh_owner" -c "CREATE ROLE fh_owner LOGIN" >/dev/null 2>&1
fresh_db fh_role
psql -X -q -d postgres -c "ALTER DATABASE fh_role OWNER TO fh_owner" >/dev/null
psql -X -q -d fh_role -c "GRANT USAGE ON SCHEMA migrate TO fh_owner" >/dev/null
PGUSER=fh_owner pq fh_role "SELECT migrate_add($(q "$(rev 5a5a5a5a5a5a '')"));"
has "$ERR" "permission denied for table migrate_" "a database owner without grants on the extension's tables is refused migrate_add"
psql -X -q -d fh_role -c "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA migrate TO fh_owner" \
	-c "GRANT USAGE ON ALL SEQUENCES IN SCHEMA migrate TO fh_owner" >/dev/null
PGUSER=fh_owner pq fh_role "SELECT migrate_add($(q "$(rev 5a5a5a5a5a5a '')"));" "SELECT migrate_upgrade();"
is "$OUT" "1 revision: 1 added, 0 replaced, 0 unchanged
Running upgrade  -> 5a5a5a5a5a5a, revision 5a5a5a5a5a5a" "with the grants the README names, it adds and upgrades"
psql -X -q -d postgres -c "DROP DATABASE fh_role WITH (FORCE)" -c "DROP ROLE fh_owner" >/dev/null 2>&1

# ------------------------------------------------------------ make install
stage=$TMP/stage
make -s -C "$MIGRATE_ROOT" install DESTDIR="$stage" PREFIX=/usr >"$TMP/install.log" 2>&1
is "$?" 0 "make install DESTDIR=... PREFIX=/usr"
pkglib=$(pg_config --pkglibdir)
share=$(pg_config --sharedir)
is "$(cd "$stage" && find . -type f | sort)" "$(printf '%s\n' ".$pkglib/migrate.so" ".$share/extension/migrate--1.0--1.1.sql" ".$share/extension/migrate--1.1--1.2.sql" \
	".$share/extension/migrate--1.0.sql" ".$share/extension/migrate.control" "./usr/lib/sqlite3/migrate.so" \
	"./usr/bin/migrate-from-alembic" | sort)" \
	"installs the SQLite extension and the converter under PREFIX and the PostgreSQL one where pg_config says, all under DESTDIR"
make -s -C "$MIGRATE_ROOT" uninstall DESTDIR="$stage" PREFIX=/usr >>"$TMP/install.log" 2>&1
is "$(cd "$stage" && find . -type f | wc -l)" "0" "make uninstall removes them"

done_testing
