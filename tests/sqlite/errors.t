#!/bin/bash
# errors.t -- every error path of the SQL functions: the message says what
# is wrong, and the database is left exactly as it was (the whole .dump,
# the version table, the catalog, the log and the settings included).
. "$(dirname "$0")/lib.sh"

# A database with the sample environment loaded and gxy at its head; each
# case works on a copy of it.
base=$TMP/base.db
sq_ok "setup: load the sample environment" "$base" "SELECT migrate_load('$ENV_DIR');"
sq_ok "setup: upgrade gxy@head" "$base" "SELECT migrate_upgrade('gxy@head');"

# fresh NAME: a copy of the base database; sets db.
fresh() {
	db=$TMP/$1.db
	cp "$base" "$db"
}

# script ID REVISES [SECTIONS]: the text of a revision script.
script() {
	printf -- '-- revision %s\n--\n-- Revision ID: %s\n-- Revises: %s\n\n%s\n' \
		"$1" "$1" "$2" "${3:--- migrate:upgrade
CREATE TABLE t_$1 (id INTEGER);

-- migrate:downgrade
DROP TABLE t_$1;}"
}

q() {	# q TEXT: TEXT as a SQL string literal
	printf "'%s'" "${1//\'/\'\'}"
}

# ------------------------------------------------------------ scripts
fresh no_id
fails "script without Revision ID" \
	"SELECT migrate_add($(q "-- no id
-- Revises:

-- migrate:upgrade
CREATE TABLE x (a);"));" \
	'revision script has no "Revision ID" line' 'HINT:  Add a line "-- Revision ID: <id>"'
fails "script without Revision ID, with a file name" \
	"SELECT migrate_add($(q "-- no id
-- Revises:

-- migrate:upgrade
CREATE TABLE x (a);"), 'x.sql');" \
	'revision script "x.sql" has no "Revision ID" line'
fails "script without Revises" \
	"SELECT migrate_add($(q "-- no revises
-- Revision ID: abcd00000001

-- migrate:upgrade
CREATE TABLE x (a);"));" \
	'has no "Revises" line'
fails "invalid revision id" \
	"SELECT migrate_add($(q "$(script ab-cd "")"));" \
	'invalid revision id "ab-cd"'
fails "unknown dialect in a section marker" \
	"SELECT migrate_add($(q "$(script abcd00000001 "" "-- migrate:upgrade mysql
SELECT 1;")"));" \
	'unknown dialect "mysql"'

# ------------------------------------------------------------ graphs
fresh graph
mkdir -p "$TMP/dup" "$TMP/cycle" "$TMP/empty"
script aaaa00000001 "" >"$TMP/dup/1_a.sql"
script aaaa00000001 "" "-- migrate:upgrade
CREATE TABLE other (a);" >"$TMP/dup/2_a.sql"
fails "duplicate revision id in one directory" "SELECT migrate_load('$TMP/dup');" \
	'Revision aaaa00000001 is present more than once' '"1_a.sql"' '"2_a.sql"'
fails "unknown Revises" \
	"SELECT migrate_add($(q "$(script abcd00000001 0123456789ab)"), 'abcd.sql');" \
	'Revision 0123456789ab referenced from abcd00000001 is not present' '"abcd.sql"'
script aaaa00000001 bbbb00000001 >"$TMP/cycle/1_a.sql"
script bbbb00000001 aaaa00000001 >"$TMP/cycle/2_b.sql"
fails "a cycle in the loaded scripts" "SELECT migrate_load('$TMP/cycle');" \
	'Cycle is detected in revisions (aaaa00000001, bbbb00000001)'
# d4a650f47a3c (tsi base, not applied) replaced by a copy that revises
# its own descendant: the whole catalog is checked before anything is written.
fails "a cycle through the catalog" \
	"SELECT migrate_add($(q "$(script d4a650f47a3c 5555bbbb0002)"));" \
	'Cycle is detected in revisions' 'd4a650f47a3c' '5555bbbb0002'

# ------------------------------------------------------------ directories
fresh dirs
fails "missing directory" "SELECT migrate_load('$TMP/nonexistent');" \
	"could not open environment directory \"$TMP/nonexistent\"" 'No such file or directory'
echo "SELECT 1;" >"$TMP/empty/notes.sql"
fails "directory without revision scripts" "SELECT migrate_load('$TMP/empty');" \
	"no revision scripts in \"$TMP/empty\""

# ------------------------------------------------------------ identifiers
fresh ids
fails "unknown revision (upgrade)" "SELECT migrate_upgrade('ffffffffffff');" \
	"Can't locate revision identified by 'ffffffffffff'" "No such revision or branch 'ffffffffffff'"
fails "unknown revision (downgrade)" "SELECT migrate_downgrade('ffffffffffff');" \
	"Can't locate revision identified by 'ffffffffffff'"
fails "unknown revision (stamp)" "SELECT migrate_stamp('ffffffffffff');" \
	"Can't locate revision identified by 'ffffffffffff'"
fails "unknown revision (show)" "SELECT migrate_show('ffffffffffff');" \
	"Can't locate revision identified by 'ffffffffffff'"
fails "too short a prefix" "SELECT migrate_upgrade('zz');" \
	"Can't locate revision identified by 'zz'" 'at least four characters'
fails "ambiguous prefix lists the candidates" "SELECT migrate_upgrade('5555');" \
	"Can't locate revision identified by '5555'" \
	"Multiple revisions start with '5555': '5555bbbb0001', '5555bbbb0002'"
fails "head with several heads" "SELECT migrate_upgrade('head');" \
	"Multiple head revisions are present for given argument 'head'" \
	"'<branchname>@head'" "'heads' for all heads" 'a2e418ad6a15' '5555bbbb0002'
fails "stamp head with several heads" "SELECT migrate_stamp('head');" \
	'Multiple heads are present; please specify a single target revision'
fails "range online" "SELECT migrate_upgrade('e7b6dcb09efd:b182f655505f');" \
	'Range revision not allowed' "migrate_upgrade_sql('e7b6dcb09efd:b182f655505f')"

# ------------------------------------------------------------ relative steps
fresh past_head
fails "relative step past the head" "SELECT migrate_upgrade('+3');" \
	"Relative revision +3 didn't produce 3 migrations"
fails "relative step past the head on a branch" "SELECT migrate_upgrade('gxy@+1');" \
	"Relative revision +1 didn't produce 1 migrations"
db=$TMP/past_base.db
sq_ok "setup: tsi at 3a2d6b1c9e0f" "$db" "SELECT migrate_load('$ENV_DIR');" \
	"SELECT migrate_upgrade('3a2d6b1c9e0f');"
fails "relative step past the base" "SELECT migrate_downgrade('-5');" \
	"Relative revision -5 didn't produce 5 migrations"
fails "downgrade to a revision that is not applied" "SELECT migrate_downgrade('c39f1de47a04');" \
	'Destination c39f1de47a04 is not a valid downgrade target from current head(s)'

# ------------------------------------------------------------ sections
fresh no_upgrade
sq_ok "setup: add a revision with a postgresql upgrade only" "$db" \
	"SELECT migrate_add($(q "$(script cccc00000001 a2e418ad6a15 "-- migrate:upgrade postgresql
CREATE TABLE pg_only (a jsonb);

-- migrate:downgrade
DROP TABLE pg_only;")"), 'cccc00000001_pg.sql');"
fails "missing upgrade section for sqlite" "SELECT migrate_upgrade('heads');" \
	'revision cccc00000001 has no upgrade section for sqlite' '"cccc00000001_pg.sql"'

fresh no_downgrade
sq_ok "setup: add and apply a revision without a downgrade section" "$db" \
	"SELECT migrate_add($(q "$(script cccc00000002 a2e418ad6a15 "-- migrate:upgrade
CREATE TABLE one_way (a);")"), 'cccc00000002_one_way.sql');" \
	"SELECT migrate_upgrade('gxy@head');"
fails "downgrade of a revision without a downgrade section" "SELECT migrate_downgrade('-1');" \
	'revision cccc00000002 cannot be downgraded: it has no downgrade section for sqlite' \
	'"cccc00000002_one_way.sql"'
fails "downgrade through it to base" "SELECT migrate_downgrade('base');" \
	'revision cccc00000002 cannot be downgraded'

# ------------------------------------------------------------ changed scripts
fresh changed
changed=$(sed 's/deleted BOOLEAN/removed BOOLEAN/' \
	"$ENV_DIR/versions_gxy/e7b6dcb09efd_create_gxy_base.sql")
fails "changed text of an applied revision (migrate_add)" \
	"SELECT migrate_add($(q "$changed"), 'versions_gxy/e7b6dcb09efd_create_gxy_base.sql');" \
	'revision e7b6dcb09efd is applied and its script has changed' 'checksum'
cp -r "$ENV_DIR" "$TMP/edited"
printf '%s\n' "$changed" >"$TMP/edited/versions_gxy/e7b6dcb09efd_create_gxy_base.sql"
fails "changed text of an applied revision (migrate_load)" \
	"SELECT migrate_load('$TMP/edited');" \
	'revision e7b6dcb09efd is applied and its script has changed'

# ------------------------------------------------------------ settings and arguments
fresh args
fails "unknown setting (read)" "SELECT migrate_config('nope');" \
	'unrecognized setting "nope"' 'version_table' 'branches'
fails "unknown setting (write)" "SELECT migrate_config('nope', 'x');" \
	'unrecognized setting "nope"'
fails "NULL target of migrate_downgrade" "SELECT migrate_downgrade(NULL);" \
	'migrate_downgrade: argument "target" must not be NULL'
fails "NULL script of migrate_add" "SELECT migrate_add(NULL);" \
	'migrate_add: argument "script" must not be NULL'
fails "NULL path of migrate_load" "SELECT migrate_load(NULL);" \
	'migrate_load: argument "path" must not be NULL'
fails "NULL key of migrate_config" "SELECT migrate_config(NULL, 'x');" \
	'migrate_config: argument "key" must not be NULL'
fails "NULL range of migrate_downgrade_sql" "SELECT migrate_downgrade_sql(NULL);" \
	'migrate_downgrade_sql: argument "range" must not be NULL'
fails "wrong number of arguments" "SELECT migrate_downgrade();" \
	'wrong number of arguments to function migrate_downgrade()'

# ------------------------------------------------------------ a fresh database
db=$TMP/fresh.db
sqlite3_run "$db" "CREATE TABLE app (a); INSERT INTO app VALUES (1);"
fails "loading a missing directory into a fresh database" \
	"SELECT migrate_load('$TMP/nonexistent');" "could not open environment directory"
fails "a failing upgrade on a fresh database leaves no state tables" \
	"SELECT migrate_upgrade('ffffffffffff');" "Can't locate revision identified by 'ffffffffffff'"

done_testing
