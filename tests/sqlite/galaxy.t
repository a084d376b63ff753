#!/bin/bash
# galaxy.t -- Galaxy's workflows on the sample environment: migrate_init,
# every state of migrate_verify (empty, current, behind, ahead, legacy at
# the right and the wrong version, a partially upgraded combined
# database), the branches setting (combined and separate databases,
# moving a branch out), migrate_current on a database ahead of the code,
# release tags, and diverged heads found by migrate_check.  Every error
# is checked for its words and for leaving the database as it was.
. "$(dirname "$0")/lib.sh"

# db NAME [SQL...]: a new database $TMP/NAME.db (sets db), SQL run on it.
newdb() {
	db=$TMP/$1.db
	rm -f "$db"
	shift
	if [ $# -gt 0 ]; then
		sq "$db" "$@"
		[ "$RC" -eq 0 ] || diag "setup of $db failed: $ERR"
	fi
}

# val SQL: the output of one statement on $db.
val() {
	sq "$db" "$1"
	[ "$RC" -eq 0 ] || diag "$1: $ERR"
	printf '%s' "$OUT"
}

versions() {	# the version table's rows, sorted
	val "SELECT group_concat(version_num, ' ') FROM (SELECT version_num FROM alembic_version ORDER BY 1);"
}

load="SELECT migrate_load('$ENV_DIR');"
gxy_run='  Running upgrade  -> e7b6dcb09efd, create gxy base
  Running upgrade e7b6dcb09efd -> b182f655505f, add user table
  Running upgrade b182f655505f -> 186d4835587b, add dataset table
  Running upgrade b182f655505f -> c39f1de47a04, add job table
  Running upgrade c39f1de47a04, 186d4835587b -> 9540a051226e, merge job and dataset
  Running upgrade 9540a051226e -> 6a67bf27e6a6, add dataset metadata column
  Running upgrade 6a67bf27e6a6 -> a2e418ad6a15, add job queue index'
tsi_run='  Running upgrade  -> d4a650f47a3c, create tsi base
  Running upgrade d4a650f47a3c -> 3a2d6b1c9e0f, add tool shed table
  Running upgrade 3a2d6b1c9e0f -> 5555bbbb0001, tsi needs gxy job table
  Running upgrade 5555bbbb0001 -> 5555bbbb0002, add repository status'

# ================================================================ migrate_init
newdb init_empty "$load"
sq "$db" "SELECT migrate_init();"
is "$OUT" "gxy: empty database: initialized to a2e418ad6a15
$gxy_run
tsi: empty database: initialized to 5555bbbb0002
$tsi_run" "init: an empty combined database, gxy then tsi"
is "$(versions)" "5555bbbb0002 a2e418ad6a15" "init: both heads in the version table"
fails "init twice" "SELECT migrate_init();" \
	"the database is already under version control" \
	"DETAIL:  Its version table holds a2e418ad6a15, 5555bbbb0002." "migrate_verify()"

newdb init_kombu "CREATE TABLE kombu_message (id INTEGER);" "$load"
sq "$db" "SELECT migrate_init();"
has "$OUT" "gxy: empty database: initialized to a2e418ad6a15" "init: Celery's kombu_* tables do not make a database non-empty (as in Galaxy)"

newdb init_nonempty "CREATE TABLE galaxy_user (id INTEGER); CREATE TABLE job (id INTEGER);" "$load"
fails "init of a database with tables and no version control" "SELECT migrate_init();" \
	"the database is not empty and not under version control" \
	"DETAIL:  It has 2 tables (galaxy_user, job) and no version rows." \
	"migrate_init() initializes empty databases only" "migrate_stamp('<revision>')" "migrate_verify(true)"

newdb init_legacy "CREATE TABLE migrate_version (repository_id TEXT, repository_path TEXT, version INTEGER);" \
	"INSERT INTO migrate_version VALUES ('Galaxy', 'lib/galaxy/model/migrate', 180);" "$load"
fails "init of a legacy database" "SELECT migrate_init();" \
	'the database is not empty: it is under legacy version control (table "migrate_version")' \
	"Adopt this one with SELECT migrate_verify(true)"

newdb init_nocatalog
fails "init with an empty catalog" "SELECT migrate_init();" \
	"the catalog is empty: there is nothing to initialize the database against" "migrate_load"

newdb init_unknown_branch "$load" "SELECT migrate_config('branches', 'gxy,toolshed');"
fails "init with a branches setting naming an unknown label" "SELECT migrate_init();" \
	"setting \"branches\" names branch 'toolshed', which no revision of the catalog carries" \
	"The catalog's branch labels are: gxy, tsi."

newdb init_failing "$load" "CREATE VIEW job AS SELECT 1 AS id;"
fails "init: views do not count as tables, and a failing script rolls back every branch" "SELECT migrate_init();" \
	"view job already exists" 'CONTEXT:  upgrade of revision c39f1de47a04 ("add job table")' \
	"Nothing was changed: the whole run was rolled back."

# ================================================================ migrate_verify
# -- empty: initialized, as Galaxy's verifier does for a new database
newdb v_empty "$load"
sq "$db" "SELECT migrate_verify();"
is "$OUT" "gxy: empty database: initialized to a2e418ad6a15
$gxy_run
tsi: empty database: initialized to 5555bbbb0002
$tsi_run" "verify: an empty database is initialized (without auto_migrate too)"

# -- current
sq "$db" "SELECT migrate_verify();"
is "$OUT" "gxy: at head a2e418ad6a15
tsi: at head 5555bbbb0002" "verify: at the heads"
sq "$db" "SELECT migrate_verify(1);"
is "$OUT" "gxy: at head a2e418ad6a15
tsi: at head 5555bbbb0002" "verify(auto_migrate): at the heads, nothing to do"

# -- behind
newdb v_behind "$load" "SELECT migrate_upgrade('9540');" "SELECT migrate_upgrade('tsi@head');"
fails "verify: behind, without auto_migrate" "SELECT migrate_verify();" \
	"database is at revision 9540a051226e but the code expects a2e418ad6a15" \
	"DETAIL:  Branch gxy is behind by 2 revisions: 6a67bf27e6a6, a2e418ad6a15." \
	"HINT:  Run SELECT migrate_upgrade('gxy@head'), or call SELECT migrate_verify(true) to upgrade at verification."
fails "verify(false): the same" "SELECT migrate_verify(0);" \
	"database is at revision 9540a051226e but the code expects a2e418ad6a15"
sq "$db" "SELECT migrate_verify(1);"
is "$OUT" "gxy: upgraded from 9540a051226e to a2e418ad6a15
  Running upgrade 9540a051226e -> 6a67bf27e6a6, add dataset metadata column
  Running upgrade 6a67bf27e6a6 -> a2e418ad6a15, add job queue index
tsi: at head 5555bbbb0002" "verify(auto_migrate): behind is upgraded"
is "$(versions)" "5555bbbb0002 a2e418ad6a15" "and the database is at the heads"

newdb v_behind_tsi "$load" "SELECT migrate_upgrade('gxy@head');" "SELECT migrate_upgrade('tsi@3a2d');"
fails "verify: tsi behind" "SELECT migrate_verify();" \
	"database is at revision 3a2d6b1c9e0f but the code expects 5555bbbb0002" \
	"Branch tsi is behind by 2 revisions: 5555bbbb0001, 5555bbbb0002." "migrate_upgrade('tsi@head')"

# -- ahead: a revision the catalog lacks
newdb v_ahead "$load" "SELECT migrate_upgrade();" \
	"UPDATE alembic_version SET version_num = 'abcdef123456' WHERE version_num = 'a2e418ad6a15';"
fails "verify: ahead of the code" "SELECT migrate_verify(1);" \
	"database is at revision abcdef123456, which the code does not have" \
	"which is not in the catalog: the database is ahead of the loaded revision scripts" \
	"load the scripts that have abcdef123456"

# -- legacy database (SQLAlchemy Migrate's table), right version
legacy_setup() {	# legacy_setup NAME VERSION: tables of a pre-Alembic database
	newdb "$1" "CREATE TABLE migrate_version (repository_id TEXT, repository_path TEXT, version INTEGER);" \
		"INSERT INTO migrate_version VALUES ('Galaxy', 'lib/galaxy/model/migrate', $2);" \
		"CREATE TABLE legacy_thing (id INTEGER);" "$load" \
		"SELECT migrate_config('legacy_versions', 'gxy=180,tsi=17');"
}
legacy_setup v_legacy 180
fails "verify: legacy database at the right version, without auto_migrate" "SELECT migrate_verify();" \
	"database is at legacy version 180 but the code expects a2e418ad6a15" \
	'Table "migrate_version" holds version 180, the legacy version branch gxy continues' \
	"Adopt it with SELECT migrate_verify(true), or run SELECT migrate_upgrade('gxy@head')."
sq "$db" "SELECT migrate_verify(1);"
is "$OUT" "gxy: legacy database (migrate_version at version 180): adopted, upgraded to a2e418ad6a15
$gxy_run
tsi: none of its tables exist: initialized to 5555bbbb0002
$tsi_run" "verify(auto_migrate): a legacy database is adopted (gxy from its base), tsi is new"
sq "$db" "SELECT migrate_verify();"
is "$OUT" "gxy: at head a2e418ad6a15
tsi: at head 5555bbbb0002" "verify: the adopted database is at its heads"
is "$(val "SELECT version FROM migrate_version;")" "180" "the legacy table is left as it was"

# legacy combined database whose tsi tables exist too: tsi follows gxy from its base
legacy_setup v_legacy_tsi 180
sq "$db" "CREATE TABLE tool_shed_repository (id INTEGER NOT NULL PRIMARY KEY);"
sq "$db" "SELECT migrate_verify(1);"
ok "verify(auto_migrate): legacy database with tsi tables: tsi upgraded from its base" [ "$RC" -ne 0 ]
has "$ERR" "table tool_shed_repository already exists" "its scripts ran (and this one's CREATE TABLE met the legacy table)"
has "$ERR" 'CONTEXT:  upgrade of revision 3a2d6b1c9e0f' "the error names the revision"
is "$(val "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version';")" "0" "and everything was rolled back, gxy's adoption too"

legacy_setup v_legacy_tsi2 180
sq "$db" "CREATE TABLE tool_version (id INTEGER NOT NULL PRIMARY KEY);"
sq "$db" "SELECT migrate_verify(1);"
ok "verify(auto_migrate): legacy tsi tables the scripts do not recreate" [ "$RC" -ne 0 ]
has "$ERR" "table tool_version already exists" "the tsi base meets the legacy table: the scripts run from tsi's base"

# -- legacy database, wrong versions
legacy_setup v_legacy_181 181
fails "verify: legacy version above the required one" "SELECT migrate_verify(1);" \
	"database is at legacy version 181 but branch gxy continues legacy version 180" \
	'Table "migrate_version" holds version 181' \
	"Downgrade it to legacy version 180 with the legacy tool first (SQLAlchemy Migrate: manage_db.sh downgrade --version=180)"
legacy_setup v_legacy_179 179
fails "verify: legacy version below the required one" "SELECT migrate_verify(1);" \
	"database is at legacy version 179 but branch gxy continues legacy version 180" \
	"Upgrade it to legacy version 180 with the legacy tool first"
legacy_setup v_legacy_noset 180
sq "$db" "SELECT migrate_config('legacy_versions', 'tsi=17');"
fails "verify: legacy database, legacy_versions without the branch" "SELECT migrate_verify(1);" \
	'the database is under legacy version control (table "migrate_version") but legacy_versions names no version for branch gxy' \
	"migrate_config('legacy_versions', 'gxy=180,tsi=17')"
legacy_setup v_legacy_empty 180
sq "$db" "DELETE FROM migrate_version;"
fails "verify: an empty legacy table" "SELECT migrate_verify(1);" \
	'the legacy table "migrate_version" holds no version'
legacy_setup v_legacy_other 180
sq "$db" "SELECT migrate_config('legacy_table', 'sa_version');"
fails "verify: legacy_table names another table: not versioned at all" "SELECT migrate_verify(1);" \
	"the database is not empty and not under version control" "migrate_version"
sq "$db" "ALTER TABLE migrate_version RENAME TO sa_version;"
sq "$db" "SELECT migrate_verify(1);"
has "$OUT" "gxy: legacy database (sa_version at version 180): adopted" "verify: the legacy_table setting names the legacy table"

# -- not empty, no version table at all
newdb v_noversion "CREATE TABLE history (id INTEGER);" "$load"
fails "verify: a database that is not empty and not versioned" "SELECT migrate_verify(1);" \
	"the database is not empty and not under version control" \
	"DETAIL:  It has 1 table (history) and no version rows." "migrate_stamp('<revision>')"
newdb v_emptyvt "CREATE TABLE history (id INTEGER);" "$load" "SELECT migrate_stamp('base');"
fails "verify: an empty version table in a database that is not empty" "SELECT migrate_verify(1);" \
	"the database is not empty and not under version control"

# -- partially upgraded combined databases (Galaxy's rule for tsi)
newdb v_part_new "$load" "SELECT migrate_upgrade('gxy@head');"
sq "$db" "SELECT migrate_verify();"
is "$OUT" "gxy: at head a2e418ad6a15
tsi: none of its tables exist: initialized to 5555bbbb0002
$tsi_run" "verify: gxy current, no tsi table: tsi is a new install (without auto_migrate too)"

newdb v_part_tables "$load" "SELECT migrate_upgrade('gxy@head');" \
	"CREATE TABLE tool_shed_repository (id INTEGER NOT NULL PRIMARY KEY, tool_shed VARCHAR(255), name VARCHAR(255), owner VARCHAR(255), changeset_revision VARCHAR(255), create_time TIMESTAMP, status VARCHAR(255));"
fails "verify: gxy current, tsi tables without tsi revision, no auto_migrate" "SELECT migrate_verify();" \
	"branch tsi is not under version control but some of its tables exist" \
	"The database holds gxy at its head and tables of tsi (tool_shed_repository), so tsi is taken to be as current: at 5555bbbb0002." \
	"migrate_verify(true) to stamp it there"
sq "$db" "SELECT migrate_verify(1);"
is "$OUT" "gxy: at head a2e418ad6a15
tsi: not under version control, but its tables exist (tool_shed_repository): stamped at its head 5555bbbb0002, as current as gxy
  Running stamp_revision  -> 5555bbbb0002" "verify(auto_migrate): tsi assumed as current as gxy: stamped at its head"
is "$(versions)" "5555bbbb0002 a2e418ad6a15" "both heads recorded"

newdb v_part_behind "$load" "SELECT migrate_upgrade('9540');" "CREATE TABLE tool_version (id INTEGER);"
fails "verify: gxy behind and tsi tables: tsi's state cannot be guessed" "SELECT migrate_verify(1);" \
	"branch tsi is not under version control but some of its tables exist" \
	"and gxy was not at its head when verification started, so the state of tsi cannot be guessed" \
	"migrate_stamp('tsi@<revision>')"

newdb v_part_gxy_missing "$load" "SELECT migrate_upgrade('tsi@3a2d');"
fails "verify: the first branch (gxy) has no row in a versioned database" "SELECT migrate_verify(1);" \
	"the version table holds no revision of branch gxy" "It holds 3a2d6b1c9e0f, of other branches" \
	"migrate_config('branches'"

# -- the catalog
newdb v_nocatalog
fails "verify: an empty catalog" "SELECT migrate_verify();" \
	"the catalog is empty: there is nothing to verify the database against"

# ================================================================ branches
# -- combined, branches named: upgrade() runs gxy@head then tsi@head
newdb b_combined "$load" "SELECT migrate_config('branches', 'gxy,tsi');"
sq "$db" "SELECT migrate_upgrade();"
is "$OUT" "$(printf '%s\n%s' "$gxy_run" "$tsi_run" | sed 's/^  //')" \
	"upgrade(): one branch after the other, in the setting's order"
newdb b_order "$load" "SELECT migrate_config('branches', 'tsi,gxy');"
sq "$db" "SELECT migrate_upgrade('heads');"
is "$(printf '%s\n' "$OUT" | head -n 4)" "Running upgrade  -> e7b6dcb09efd, create gxy base
Running upgrade e7b6dcb09efd -> b182f655505f, add user table
Running upgrade b182f655505f -> c39f1de47a04, add job table
Running upgrade  -> d4a650f47a3c, create tsi base" "upgrade('heads') with tsi first: tsi with the gxy revisions it depends on"
is "$(printf '%s\n' "$OUT" | tail -n 1)" "Running upgrade 6a67bf27e6a6 -> a2e418ad6a15, add job queue index" "then the rest of gxy"

# -- a database that holds gxy only
newdb b_gxy "SELECT migrate_config('branches', 'gxy');" "$load"
sq "$db" "SELECT migrate_upgrade();"
is "$OUT" "$(printf '%s' "$gxy_run" | sed 's/^  //')" "branches=gxy: upgrade() runs gxy only"
is "$(versions)" "a2e418ad6a15" "and only gxy's head is recorded"
sq "$db" "SELECT migrate_upgrade('heads');"
is "$OUT" "nothing to do: the database is at a2e418ad6a15" "upgrade('heads') is gxy's head"
sq "$db" "SELECT migrate_check();"
is "$OUT" "ok: the database is at the heads (a2e418ad6a15)" "check: tsi is not this database's business"
sq "$db" "SELECT migrate_verify();"
is "$OUT" "gxy: at head a2e418ad6a15" "verify: gxy only"
sq "$db" "SELECT line FROM migrate_heads();"
is "$OUT" "a2e418ad6a15 (gxy) (head)
5555bbbb0002 (tsi) (head)" "heads: the catalog's heads (Galaxy's version), not narrowed"
sq "$db" "SELECT migrate_upgrade_sql('heads');"
lacks "$OUT" "d4a650f47a3c" "upgrade_sql('heads'): gxy only"
sq "$db" "SELECT migrate_upgrade('tsi@d4a6');"
is "$OUT" "Running upgrade  -> d4a650f47a3c, create tsi base" "an explicit target is not narrowed"
sq "$db" "SELECT line FROM migrate_current();"
is "$OUT" "a2e418ad6a15 (head)" "current: the held branch only"
sq "$db" "SELECT count(*) FROM migrate_current() AS c JOIN migrate_history() AS h USING (revision) WHERE h.branch_labels = 'tsi';"
is "$OUT" "0" "current: no tsi row"

# -- a database that holds tsi only (separate layout)
newdb b_tsi "SELECT migrate_config('branches', 'tsi');" "$load"
sq "$db" "SELECT migrate_init();"
is "$OUT" "tsi: empty database: initialized to 5555bbbb0002
  Running upgrade  -> e7b6dcb09efd, create gxy base
  Running upgrade e7b6dcb09efd -> b182f655505f, add user table
  Running upgrade b182f655505f -> c39f1de47a04, add job table
$tsi_run" "init of a tsi-only database: tsi and the gxy revisions it depends on"
is "$(versions)" "5555bbbb0002" "only tsi's head is recorded"
sq "$db" "SELECT line FROM migrate_current();"
is "$OUT" "5555bbbb0002 (head)" "current: tsi only (Alembic would add the implied gxy revision c39f1de47a04)"
sq "$db" "SELECT migrate_check();"
is "$OUT" "ok: the database is at the heads (5555bbbb0002)" "check: tsi only"
sq "$db" "SELECT migrate_verify();"
is "$OUT" "tsi: at head 5555bbbb0002" "verify: tsi only"

# -- unknown labels in the setting
newdb b_unknown "$load" "SELECT migrate_config('branches', 'gxy,tool_shed');"
fails "upgrade() with a branches setting naming an unknown label" "SELECT migrate_upgrade();" \
	"setting \"branches\" names branch 'tool_shed', which no revision of the catalog carries" \
	"migrate_config('branches'"
fails "upgrade_sql('heads') likewise" "SELECT migrate_upgrade_sql('heads');" \
	"names branch 'tool_shed'"
sq "$db" "SELECT migrate_check();"
has "$OUT" "unknown branch: the branches setting names 'tool_shed', which no revision of the catalog carries" "check: reports the unknown label"
has "$OUT" "behind: head a2e418ad6a15 is not applied" "check: and what is behind on the known one"
lacks "$OUT" "5555bbbb0002" "check: tsi is not held"

# -- moving tsi out of a combined database into its own
newdb move_combined "$load" "SELECT migrate_upgrade();" \
	"INSERT INTO tool_shed_repository (id, tool_shed, name, owner) VALUES (1, 'toolshed.g2.bx.psu.edu', 'bwa', 'devteam');"
combined=$db
newdb move_tsi "SELECT migrate_config('branches', 'tsi');" "$load" "SELECT migrate_init();"
sq "$db" "ATTACH '$combined' AS old;" \
	"INSERT INTO tool_shed_repository SELECT * FROM old.tool_shed_repository;"
ok "move: the rows copied into the new tsi database" [ "$RC" -eq 0 ]
db=$combined
sq "$db" "SELECT migrate_config('branches', 'gxy');" "SELECT migrate_downgrade('tsi@base');"
is "$OUT" "gxy
Running downgrade 5555bbbb0002 -> 5555bbbb0001, add repository status
Running downgrade 5555bbbb0001 -> 3a2d6b1c9e0f, tsi needs gxy job table
Running downgrade 3a2d6b1c9e0f -> d4a650f47a3c, add tool shed table
Running downgrade d4a650f47a3c -> , create tsi base" "move: the old database holds gxy only, and tsi is downgraded out of it"
sq "$db" "SELECT migrate_verify();"
is "$OUT" "gxy: at head a2e418ad6a15" "move: the old database verifies as gxy"
is "$(val "SELECT count(*) FROM sqlite_master WHERE name LIKE 'tool%';")" "0" "move: no tsi table left in it"
db=$TMP/move_tsi.db
sq "$db" "SELECT migrate_verify();"
is "$OUT" "tsi: at head 5555bbbb0002" "move: the new database verifies as tsi"
is "$(val "SELECT name FROM tool_shed_repository;")" "bwa" "move: with its rows"

# ================================================================ ahead of the code
newdb ahead "$load" "SELECT migrate_upgrade('gxy@head');" \
	"UPDATE alembic_version SET version_num = 'abcdef123456';"
sq "$db" "SELECT revision, message, is_current, line FROM migrate_current();"
is "$OUT" "abcdef123456|unknown revision: the database is ahead of the catalog|1|abcdef123456 (unknown: not in the catalog)" \
	"current: the unknown revision is shown and marked (Alembic fails)"
sq "$db" "SELECT migrate_check();"
is "$OUT" "ahead: the database is at revision abcdef123456, which is not in the catalog; load the scripts that have it (migrate_load) before upgrading or downgrading
behind: head a2e418ad6a15 is not applied
behind: head 5555bbbb0002 is not applied" "check: says the database is ahead, and proposes no upgrade"
fails "upgrade of a database ahead of the code" "SELECT migrate_upgrade();" \
	"Can't locate revision identified by 'abcdef123456'" "ahead of the loaded revision scripts"

# ================================================================ release tags
newdb rel "$load"
sq "$db" "SELECT migrate_upgrade('22.05');"
is "$(printf '%s\n' "$OUT" | tail -n 1)" "Running upgrade c39f1de47a04, 186d4835587b -> 9540a051226e, merge job and dataset" "upgrade('22.05')"
sq "$db" "SELECT migrate_upgrade('release_23.0');"
is "$OUT" "Running upgrade 9540a051226e -> 6a67bf27e6a6, add dataset metadata column
Running upgrade 6a67bf27e6a6 -> a2e418ad6a15, add job queue index" "upgrade('release_23.0')"
sq "$db" "SELECT migrate_downgrade('release_22.05');"
is "$OUT" "Running downgrade a2e418ad6a15 -> 6a67bf27e6a6, add job queue index
Running downgrade 6a67bf27e6a6 -> 9540a051226e, add dataset metadata column" "downgrade('release_22.05')"
fails "an unknown release" "SELECT migrate_upgrade('24.1');" \
	"Can't locate revision identified by '24.1'" \
	"DETAIL:  No release '24.1': the known releases are 22.05 (9540a051226e), 23.0 (a2e418ad6a15)."
fails "an unknown release, release_ form" "SELECT migrate_downgrade('release_22.01');" \
	"Can't locate revision identified by 'release_22.01'" "No release '22.01': the known releases are 22.05"
fails "an unknown release in a stamp" "SELECT migrate_stamp('21.09');" "No release '21.09'"
fails "an unknown release in offline SQL" "SELECT migrate_upgrade_sql('21.09:heads');" "No release '21.09'"
fails "an unknown release in show" "SELECT migrate_show('gxy@21.09');" "No release '21.09'"
fails "an unknown release: invalid base_release" "SELECT migrate_config('base_release', '22.01, 22.05');" \
	'invalid value "22.01, 22.05" for setting "base_release"'
fails "an invalid base_release" "SELECT migrate_config('base_release', 'rel 1');" \
	'invalid value "rel 1" for setting "base_release"'
sq "$db" "SELECT migrate_config('base_release', '22.01');"
is "$OUT" "22.01" "base_release: the release before the first revision"
fails "an unknown release lists base_release too" "SELECT migrate_upgrade('22.10');" \
	"the known releases are 22.01 (base), 22.05 (9540a051226e), 23.0 (a2e418ad6a15)."
sq "$db" "SELECT migrate_downgrade('22.01');"
is "$(count "$OUT" "Running downgrade")" "5" "downgrade('22.01'): the oldest release means base"
is "$(versions)" "" "and the version table is empty"
sq "$db" "SELECT migrate_upgrade('release_22.05');" "SELECT migrate_downgrade('release_22.01');"
is "$(versions)" "" "downgrade('release_22.01'): base as well"
sq "$db" "SELECT migrate_upgrade('22.01');"
is "$OUT" "nothing to do: the database is at base" "upgrade('22.01'): base, nothing to do"
sq "$db" "SELECT migrate_upgrade_sql('22.01:22.05');"
has "$OUT" "CREATE TABLE alembic_version" "upgrade_sql('22.01:22.05'): from base"
has "$OUT" "-- Running upgrade c39f1de47a04, 186d4835587b -> 9540a051226e" "upgrade_sql('22.01:22.05'): to 22.05"
sq "$db" "SELECT migrate_upgrade('22.05');" "SELECT migrate_downgrade('gxy@22.01');"
is "$(versions)" "" "downgrade('gxy@22.01'): the branch's base"

# ================================================================ diverged heads
newdb div "$load" "SELECT migrate_upgrade();" \
	"SELECT migrate_add('-- add job note
-- Revision ID: aaaa00000001
-- Revises: a2e418ad6a15
-- migrate:upgrade
ALTER TABLE job ADD COLUMN note TEXT;
-- migrate:downgrade
ALTER TABLE job DROP COLUMN note;');" \
	"SELECT migrate_add('-- add user note
-- Revision ID: bbbb00000001
-- Revises: a2e418ad6a15
-- migrate:upgrade
ALTER TABLE galaxy_user ADD COLUMN note TEXT;
-- migrate:downgrade
ALTER TABLE galaxy_user DROP COLUMN note;');"
sq "$db" "SELECT migrate_check();"
is "$OUT" "behind: head aaaa00000001 is not applied
behind: head bbbb00000001 is not applied
diverged: branch gxy has two heads, aaaa00000001 and bbbb00000001; merge them with SELECT migrate_merge('aaaa00000001,bbbb00000001', 'merge gxy heads')
run SELECT migrate_upgrade('heads') to apply what is missing" "check: diverged heads and the exact merge call"
fails "upgrade('head') with diverged heads" "SELECT migrate_upgrade('head');" \
	"Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads"
fails "upgrade('gxy@head') with diverged heads" "SELECT migrate_upgrade('gxy@head');" \
	"Multiple head revisions are present for given argument 'gxy@head'"
fails "verify with diverged heads" "SELECT migrate_verify(1);" \
	"branch gxy has diverged: the code has 2 heads on it, aaaa00000001, bbbb00000001" \
	"HINT:  Merge them with SELECT migrate_merge('aaaa00000001,bbbb00000001', 'merge gxy heads')"
fails "revision with diverged heads and no head" "SELECT migrate_revision('more');" \
	"Multiple heads are present; please specify the head revision on which the new revision should be based, or perform a merge."
mkdir -p "$TMP/div_env"
sq "$db" "SELECT migrate_merge_write('$TMP/div_env', 'aaaa00000001,bbbb00000001', 'merge gxy heads', NULL, 'cccc00000001');"
is "$OUT" "$TMP/div_env/cccc00000001_merge_gxy_heads.sql" "merge: the call check proposed writes the merge revision"
sq "$db" "SELECT migrate_check();"
is "$OUT" "behind: head cccc00000001 is not applied
run SELECT migrate_upgrade('heads') to apply what is missing" "check: no longer diverged"
sq "$db" "SELECT migrate_upgrade('gxy@head');"
is "$OUT" "Running upgrade a2e418ad6a15 -> bbbb00000001, add user note
Running upgrade a2e418ad6a15 -> aaaa00000001, add job note
Running upgrade aaaa00000001, bbbb00000001 -> cccc00000001, merge gxy heads" "the merged branch upgrades to its one head"
sq "$db" "SELECT migrate_verify();"
is "$OUT" "gxy: at head cccc00000001
tsi: at head 5555bbbb0002" "verify: at the heads after the merge"

done_testing
