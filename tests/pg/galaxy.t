#!/bin/bash
# galaxy.t -- Galaxy's layouts on PostgreSQL, each database its own:
# separate gxy and tsi databases (the branches setting), moving tsi out of
# a combined database, a separate legacy tsi database (legacy version 17),
# init and verify on an empty catalog, and the warning migrate_current
# gives on a database ahead of the code.
. "$(dirname "$0")/lib.sh"

plan 23

load="SELECT migrate_load('$MIGRATE_ENV_DIR');"
quiet="SET client_min_messages = warning;"

# ------------------------------------------------------------ separate databases
fresh_db g_gxy && fresh_db g_tsi
pq g_gxy "$quiet" "$load" "SELECT migrate_config('branches', 'gxy');" "SELECT migrate_init();"
is "$(printf '%s\n' "$OUT" | sed -n 3,4p)" "gxy: empty database: initialized to a2e418ad6a15
  Running upgrade  -> e7b6dcb09efd, create gxy base" "separate: the gxy database is initialized with gxy"
lacks "$OUT" "tsi" "separate: and nothing of tsi"
is "$(val g_gxy "SELECT string_agg(version_num, ',') FROM alembic_version")" "a2e418ad6a15" "separate: gxy's head recorded"
pq g_tsi "$quiet" "SELECT migrate_config('branches', 'tsi');" "$load" "SELECT migrate_init();"
has "$OUT" "tsi: empty database: initialized to 5555bbbb0002" "separate: the tsi database is initialized with tsi"
has "$OUT" "Running upgrade b182f655505f -> c39f1de47a04, add job table" "separate: with the gxy revisions tsi depends on"
is "$(val g_tsi "SELECT string_agg(line, ',') FROM migrate_current()")" "5555bbbb0002 (head)" "separate: tsi's current is tsi only"
is "$(val g_gxy "SELECT migrate_verify()")" "gxy: at head a2e418ad6a15" "separate: verify the gxy database"
is "$(val g_tsi "SELECT migrate_verify()")" "tsi: at head 5555bbbb0002" "separate: verify the tsi database"
is "$(val g_gxy "SELECT migrate_check()")" "ok: the database is at the heads (a2e418ad6a15)" "separate: check the gxy database"

# ------------------------------------------------------------ moving tsi out of a combined database
fresh_db g_combined && fresh_db g_moved
pq g_combined "$quiet" "$load" "SELECT migrate_init();" \
	"INSERT INTO tool_shed_repository (id, tool_shed, name, owner) VALUES (1, 'toolshed.g2.bx.psu.edu', 'bwa', 'devteam');"
pq g_moved "$quiet" "SELECT migrate_config('branches', 'tsi');" "$load" "SELECT migrate_init();"
psql -X -q -d g_combined -c "COPY tool_shed_repository TO STDOUT" |
	psql -X -q -d g_moved -c "COPY tool_shed_repository FROM STDIN"
is "$(val g_moved "SELECT name FROM tool_shed_repository")" "bwa" "move: the rows copied into the tsi database"
pq g_combined "$quiet" "SELECT migrate_config('branches', 'gxy');" "SELECT migrate_downgrade('tsi@base');"
is "$(printf '%s\n' "$OUT" | tail -n 1)" "Running downgrade d4a650f47a3c -> , create tsi base" "move: tsi downgraded out of the combined database"
is "$(val g_combined "SELECT migrate_verify()")" "gxy: at head a2e418ad6a15" "move: the old database verifies as gxy"
is "$(val g_combined "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'tool%'")" "0" "move: no tsi table left in it"
is "$(val g_moved "SELECT migrate_verify()")" "tsi: at head 5555bbbb0002" "move: the new database verifies as tsi"

# ------------------------------------------------------------ a separate legacy tsi database
fresh_db g_legacy_tsi
pq g_legacy_tsi "$quiet" "SELECT migrate_config('branches', 'tsi');" \
	"SELECT migrate_config('legacy_versions', 'gxy=180,tsi=17');" "$load" \
	"CREATE TABLE migrate_version (repository_id text, repository_path text, version int);" \
	"INSERT INTO migrate_version VALUES ('ToolShedInstall', 'lib/galaxy/model/tool_shed_install/migrate', 16);" \
	"CREATE TABLE legacy_repository (id int);"
pq g_legacy_tsi "$quiet" "SELECT migrate_verify(true);"
is "$(errmsg)" "database is at legacy version 16 but branch tsi continues legacy version 17" "legacy tsi: version 16 is refused"
is "$(val g_legacy_tsi "SELECT to_regclass('alembic_version') IS NULL")" "t" "legacy tsi: nothing changed"
pq g_legacy_tsi "$quiet" "UPDATE migrate_version SET version = 17;" "SELECT migrate_verify(true);"
has "$OUT" "tsi: legacy database (migrate_version at version 17): adopted, upgraded to 5555bbbb0002" "legacy tsi: version 17 is adopted"
is "$(val g_legacy_tsi "SELECT migrate_verify()")" "tsi: at head 5555bbbb0002" "legacy tsi: then current"

# ------------------------------------------------------------ an empty catalog
fresh_db g_nocatalog
pq g_nocatalog "SELECT migrate_init();"
is "$(errmsg)" "the catalog is empty: there is nothing to initialize the database against" "init: an empty catalog"
pq g_nocatalog "SELECT migrate_verify(true);"
is "$(errmsg)" "the catalog is empty: there is nothing to verify the database against" "verify: an empty catalog"
is "$(val g_nocatalog "SELECT to_regclass('alembic_version') IS NULL")" "t" "and nothing was created"

# ------------------------------------------------------------ ahead of the code: a warning
fresh_db g_ahead
pq g_ahead "$quiet" "$load" "SELECT migrate_upgrade('gxy@head');" "UPDATE alembic_version SET version_num = 'abcdef123456';"
pq g_ahead "SELECT line FROM migrate_current();"
is "$OUT" "abcdef123456 (unknown: not in the catalog)" "current: the unknown revision"
has "$ERR" "WARNING:  the database is at revision abcdef123456, which is not in the catalog: it is ahead of the loaded revision scripts" \
	"current: and a warning that says so"

done_testing
