#!/bin/bash
# status_update.t -- a database whose extension is at 1.0, with a log,
# updated in place (ALTER EXTENSION migrate UPDATE): the log gets its
# (revision, id) index, migrate_status answers from the rows 1.0 wrote,
# and migrate_version reports the new SQL API.
. "$(dirname "$0")/lib.sh"

plan 6

db=status_update
psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null 2>"$TMP/.err" <<SQL
DROP DATABASE IF EXISTS $db WITH (FORCE);
CREATE DATABASE $db;
\\c $db
CREATE SCHEMA migrate;
CREATE EXTENSION migrate WITH SCHEMA migrate VERSION '1.0';
ALTER DATABASE $db SET search_path = public, migrate;
SQL
is "$?" 0 "a database at extension version 1.0"
_dbs+=("$db")
pq $db "SELECT migrate_load('$MIGRATE_ENV_DIR');" "SELECT migrate_upgrade('gxy@head');"
is "$RC" 0 "1.0 loads and upgrades, writing its log"
is "$(val $db "SELECT count(*) FROM pg_indexes WHERE indexname = 'migrate_log_revision'")" 0 "1.0 has no log index"
pq $db "ALTER EXTENSION migrate UPDATE TO '1.1';"
is "$(val $db "SELECT indexdef FROM pg_indexes WHERE indexname = 'migrate_log_revision'")" \
	"CREATE INDEX migrate_log_revision ON migrate.migrate_log USING btree (revision, id)" \
	"the update adds the log's (revision, id) index"
is "$(val $db "SELECT string_agg(state || ':' || n, ' ') FROM (SELECT state, count(*) AS n FROM migrate_status() GROUP BY state ORDER BY state) s")" \
	"applied:7 pending:4" "migrate_status answers from the rows 1.0 wrote"
has "$(val $db "SELECT migrate_version()")" "migrate 1.2 (SQL API 1.1), PostgreSQL " "migrate_version: SQL API 1.1"

done_testing
