#!/bin/bash
# load_input.t -- what a load refuses before anything is written, on
# PostgreSQL (tests/sqlite/load_input.t is the same on SQLite): two files
# with one Revision ID on a loaded catalog, misspelt or unknown header keys,
# Revises without Revision ID, text that is not UTF-8.  Each error names the
# file (and the line, the byte offset); the catalog, log, settings and
# tables are exactly as before.
. "$(dirname "$0")/lib.sh"

env=$TMP/migrations
cp -r "$MIGRATE_ENV_DIR" "$env"
chmod -R a+rX "$env"

# state DB: what a user can see (the engine's tables and the schema's tables)
state() {
	val "$1" "SELECT (SELECT string_agg(revision || ':' || checksum || ':' || filename, ',' ORDER BY seq) FROM migrate.migrate_catalog)
		|| '|' || (SELECT count(*) FROM migrate.migrate_log)
		|| '|' || coalesce((SELECT string_agg(key || '=' || value, ',' ORDER BY key) FROM migrate.migrate_settings), '')
		|| '|' || coalesce((SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_catalog.pg_tables WHERE schemaname = 'public'), '')"
}

# fails NAME DB SQL TEXT...: SQL fails, its error holds every TEXT, and
# the state is the same before and after.
fails() {
	local name=$1 db=$2 sql=$3 before after t
	shift 3
	before=$(state "$db")
	pq "$db" "$sql"
	ok "$name: fails" [ "$RC" -ne 0 ]
	for t in "$@"; do
		has "$ERR" "$t" "$name: says $t"
	done
	after=$(state "$db")
	is "$after" "$before" "$name: nothing changed"
}

fresh_db load_input
pq load_input "SELECT migrate_load('$env');" "SELECT migrate_upgrade('gxy@head');"
ok "setup: the sample environment loads and gxy upgrades" [ "$RC" -eq 0 ]

# ---------------------------------------------------------- duplicate ids
cp "$env"/versions_gxy/a2e418ad6a15_*.sql "$env/zz_new.sql"
sed -i 's/CREATE INDEX ix_job_queued/CREATE INDEX ix_job_queued2/' "$env/zz_new.sql"
chmod a+r "$env/zz_new.sql"
fails "a copied file with the same Revision ID" load_input "SELECT migrate_load('$env');" \
	"Revision a2e418ad6a15 is present more than once" \
	'It is defined in "versions_gxy/a2e418ad6a15_add_job_queue_index.sql" and in "zz_new.sql".'
rm "$env/zz_new.sql"

# ------------------------------------------------------------ header keys
hdr=$TMP/hdr
mkdir -p "$hdr"
chmod 755 "$hdr"
hfile() {	# hfile NAME HEADER-LINES
	rm -f "$hdr"/*.sql
	printf '%s\n\n-- migrate:upgrade\nCREATE TABLE t_h (id int);\n\n-- migrate:downgrade\nDROP TABLE t_h;\n' \
		"$2" >"$hdr/$1.sql"
	chmod 644 "$hdr/$1.sql"
}
hfile b1 "-- add feature table
--
-- Revision ID: b1
-- Revises:
-- Branch Label: feature"
fails "Branch Label" load_input "SELECT migrate_load('$hdr');" \
	'unknown header key "Branch Label" in "b1.sql", line 5' 'The nearest known key is "Branch Labels".'
hfile b2 "-- Revision-ID: b2
-- Revises: b1"
fails "Revision-ID with Revises" load_input "SELECT migrate_load('$hdr');" \
	'unknown header key "Revision-ID" in "b2.sql", line 1'
hfile b2 "-- second step
-- Revises: b1"
fails "Revises without Revision ID" load_input "SELECT migrate_load('$hdr');" \
	'revision script "b2.sql" has no "Revision ID" line'
pq load_input "SELECT migrate_add(\$s\$-- add index
-- Revision ID: b3
-- Revises:
-- Depend On: a1
-- migrate:upgrade
SELECT 1;\$s\$);"
is "$(errmsg)" 'unknown header key "Depend On" in line 4' "migrate_add checks the header too"

# ------------------------------------------------------------------ UTF-8
bad=$TMP/bad
cp -r "$MIGRATE_ENV_DIR" "$bad"
printf -- '-- caf\xe9 ready\n--\n-- Revision ID: 0e0e0e0e0e0e\n-- Revises: a2e418ad6a15\n\n-- migrate:upgrade\nSELECT 1;\n' \
	>"$bad/versions_gxy/0e0e0e0e0e0e_latin1.sql"
chmod -R a+rX "$bad"
fails "a Latin-1 script" load_input "SELECT migrate_load('$bad');" \
	'invalid byte sequence for encoding "UTF8": 0xe9 0x20 0x72 in revision script "versions_gxy/0e0e0e0e0e0e_latin1.sql" at line 1, byte offset 6' \
	'Convert the script to UTF-8'
PGOPTIONS="-c client_min_messages=warning" psql -X -q -A -t -d load_input \
	-c "\\set VERBOSITY verbose" -c "SELECT migrate_load('$bad');" >/dev/null 2>"$TMP/.verr"
has "$(cat "$TMP/.verr")" "22021" "with SQLSTATE 22021 (character_not_in_repertoire)"
printf -- '-- ok\n--\n-- Revision ID: 0e0e0e0e0e0e\n-- Revises: a2e418ad6a15\n\n-- migrate:upgrade\nSELECT 1;\n\0 DROP TABLE job;\n' \
	>"$bad/versions_gxy/0e0e0e0e0e0e_latin1.sql"
fails "a NUL byte" load_input "SELECT migrate_load('$bad');" \
	'revision script "versions_gxy/0e0e0e0e0e0e_latin1.sql" has a NUL byte at line 8'
mv "$bad/versions_gxy/0e0e0e0e0e0e_latin1.sql" "$bad/versions_gxy/0e0e0e0e0e0e_caf$(printf '\xe9').sql"
printf -- '-- ok\n--\n-- Revision ID: 0e0e0e0e0e0e\n-- Revises: a2e418ad6a15\n\n-- migrate:upgrade\nSELECT 1;\n' \
	>"$bad/versions_gxy/0e0e0e0e0e0e_caf$(printf '\xe9').sql"
fails "a file name that is not UTF-8" load_input "SELECT migrate_load('$bad');" \
	'file name "versions_gxy/0e0e0e0e0e0e_caf\xE9.sql" is not valid UTF-8'

done_testing
