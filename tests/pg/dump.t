#!/bin/bash
# dump.t -- pg_dump and pg_restore keep the engine's state: the catalog,
# the log and the settings (marked with pg_extension_config_dump), their
# sequences' positions, and alembic_version.  The restored database goes
# on migrating where the original stopped.
. "$(dirname "$0")/lib.sh"

plan 18

# empty_db NAME: a new empty database (pg_dump does not carry the
# database's own settings, so search_path is set here as for the source).
empty_db() {
	_dbs+=("$1")
	createdb "$1" && psql -X -q -d "$1" -c "ALTER DATABASE \"$1\" SET search_path = public, migrate"
}

fresh_db dump_src
pq dump_src "SELECT migrate_load('$MIGRATE_ENV_DIR');" "SELECT migrate_upgrade('gxy@head');" \
	"SELECT migrate_downgrade('gxy@-1');" "SELECT migrate_config('branches', 'gxy,tsi');"
is "$RC" 0 "setup: load, upgrade gxy@head, downgrade gxy@-1, set a setting"
src_state=$(val dump_src "$STATE")
src_current=$(val dump_src "SELECT string_agg(line, E'\n') FROM migrate_current()")
src_history=$(val dump_src "SELECT string_agg(line, E'\n') FROM migrate_history(NULL, true)")

# ------------------------------------------------------------ custom format, pg_restore
pg_dump -Fc -f "$TMP/src.dump" dump_src 2>"$TMP/dump.err"
is "$?" 0 "pg_dump -Fc"
empty_db dump_custom && pg_restore --exit-on-error -d dump_custom "$TMP/src.dump" 2>"$TMP/restore.err"
is "$?" 0 "pg_restore into a new database"
[ -s "$TMP/restore.err" ] && diag "$(cat "$TMP/restore.err")"
is "$(val dump_custom "$STATE")" "$src_state" \
	"catalog, log, settings and version table are the same, row for row"
is "$(val dump_custom "SELECT string_agg(line, E'\n') FROM migrate_current()")" "$src_current" "migrate_current is the same"
is "$(val dump_custom "SELECT string_agg(line, E'\n') FROM migrate_history(NULL, true)")" "$src_history" \
	"migrate_history is the same"
is "$(val dump_custom "SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'migrate'")" "migrate" \
	"the extension is in its schema again"

pq dump_custom "SELECT migrate_upgrade('heads');"
is "$RC" 0 "the restored database upgrades to the heads"
has "$OUT" "Running upgrade 6a67bf27e6a6 -> a2e418ad6a15, add job queue index" "from where the original stopped"
is "$(val dump_custom "SELECT count(*) FROM migrate.migrate_log WHERE id > (SELECT max(id) FROM migrate.migrate_log WHERE direction = 'downgrade')")" "5" \
	"new log rows continue the restored sequence"
pq dump_custom "SELECT migrate_add(E'-- new\n--\n-- Revision ID: ffff00000001\n-- Revises: a2e418ad6a15\n\n-- migrate:upgrade\nSELECT 1;\n', 'new.sql');"
is "$OUT" "1 revision: 1 added, 0 replaced, 0 unchanged" "a new revision can be added"
is "$(val dump_custom "SELECT seq > 11 FROM migrate.migrate_catalog WHERE revision = 'ffff00000001'")" "t" \
	"after the restored catalog rows (the sequence position was kept)"
is "$(val dump_custom "SELECT line FROM migrate_heads() WHERE revision = 'ffff00000001'")" "ffff00000001 (gxy) (head)" \
	"and it is the new gxy head"

# ------------------------------------------------------------ plain format, psql
pg_dump -f "$TMP/src.sql" dump_src 2>"$TMP/dump.err"
is "$?" 0 "pg_dump (plain SQL)"
empty_db dump_plain && psql -X -q -v ON_ERROR_STOP=1 -d dump_plain -f "$TMP/src.sql" >/dev/null 2>"$TMP/psql.err"
is "$?" 0 "psql -f restores it"
is "$(val dump_plain "$STATE")" "$src_state" "the same state"
pq dump_plain "SELECT migrate_upgrade('heads');"
is "$RC" 0 "and it upgrades"
is "$(val dump_plain "SELECT string_agg(line, E'\n') FROM migrate_current()")" "a2e418ad6a15 (head)
5555bbbb0002 (head)" "to both heads"

done_testing
