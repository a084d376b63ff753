#!/bin/bash
# load_input.t -- what a load refuses before anything is written: two files
# with one Revision ID (on every load, not only the first), header keys
# that are misspelt or unknown among the key lines, a header with Revises
# but no Revision ID, and script text that is not UTF-8.  Each error names
# the file (and line, byte offset); the database is exactly as before.
# Free-text lines of the message stay free text.
. "$(dirname "$0")/lib.sh"

env=$TMP/migrations
cp -r "$ENV_DIR" "$env"
db=$TMP/app.db
sq_ok "setup: load the sample environment" "$db" "SELECT migrate_load('$env');"

# ---------------------------------------------------------- duplicate ids
# The issue's input: a copy of a2e418ad6a15's file, same id, another body.
cp "$env"/versions_gxy/a2e418ad6a15_*.sql "$env/zz_new.sql"
sed -i 's/CREATE INDEX ix_job_queued/CREATE INDEX ix_job_queued2/' "$env/zz_new.sql"
fails "a copied file with the same Revision ID, on a loaded catalog" \
	"SELECT migrate_load('$env');" \
	"Revision a2e418ad6a15 is present more than once" \
	'It is defined in "versions_gxy/a2e418ad6a15_add_job_queue_index.sql" and in "zz_new.sql".'
empty=$TMP/empty.db
fails_db=$db
db=$empty
fails "the same on an empty catalog" "SELECT migrate_load('$env');" \
	"Revision a2e418ad6a15 is present more than once"
db=$fails_db
# identical copies are the same error: the id is still declared twice
cp "$env"/versions_gxy/a2e418ad6a15_*.sql "$env/zz_new.sql"
fails "an identical copy" "SELECT migrate_load('$env');" \
	"Revision a2e418ad6a15 is present more than once"
rm "$env/zz_new.sql"
sq_ok "without the copy the load is unchanged" "$db" "SELECT migrate_load('$env');"
is "$OUT" "11 revisions: 0 added, 0 replaced, 11 unchanged" "and reports so"

# ------------------------------------------------------------ header keys
hdr=$TMP/hdr
mkdir -p "$hdr"
# hfile NAME HEADER-LINES: a script NAME.sql in $hdr with that header
hfile() {
	rm -f "$hdr"/*.sql
	printf '%s\n\n-- migrate:upgrade\nCREATE TABLE t_h (id INTEGER);\n\n-- migrate:downgrade\nDROP TABLE t_h;\n' \
		"$2" >"$hdr/$1.sql"
}
hdb=$TMP/hdr.db
db=$hdb
sq_ok "setup: a database for header cases" "$db" "SELECT migrate_config('version_table');"

hfile b1 "-- add feature table
--
-- Revision ID: b1
-- Revises:
-- Branch Label: feature"
fails "Branch Label for Branch Labels" "SELECT migrate_load('$hdr');" \
	'unknown header key "Branch Label" in "b1.sql", line 5' \
	'The nearest known key is "Branch Labels".' 'HINT:  Write "-- Branch Labels: ..."'
hfile b1 "-- add feature table
--
-- Revision ID: b1
-- Revises:
-- Depend On: a1"
fails "Depend On for Depends On" "SELECT migrate_load('$hdr');" \
	'unknown header key "Depend On" in "b1.sql", line 5' 'The nearest known key is "Depends On".'
hfile b2 "-- Revision-ID: b2
-- Revises: b1"
fails "Revision-ID with Revises, on the first line" "SELECT migrate_load('$hdr');" \
	'unknown header key "Revision-ID" in "b2.sql", line 1' 'The nearest known key is "Revision ID".'
hfile b2 "-- second step
-- Revises: b1
-- Create Date: 2024-01-01"
fails "Revises without Revision ID is not skipped" "SELECT migrate_load('$hdr');" \
	'revision script "b2.sql" has no "Revision ID" line'
hfile b3 "-- add index
--
-- Revision ID: b3
-- Revises:
-- Reviewer: alice"
fails "an unknown key among the key lines" "SELECT migrate_load('$hdr');" \
	'unknown header key "Reviewer" in "b3.sql", line 5' 'HINT:  A "Name: value" line among'
fails "migrate_add checks the same" \
	"SELECT migrate_add('-- add index
-- Revision ID: b3
-- Revises:
-- Brnach Labels: x
-- migrate:upgrade
SELECT 1;');" \
	'unknown header key "Brnach Labels" in line 4' 'The nearest known key is "Branch Labels".'

# Free text: Alembic's docstring shape, a message that reads "word: text"
# on the first line, "Note:" lines in a paragraph of their own, URLs.
hfile c1 '-- fix: keep nulls out of job.state
-- Revision ID: c1
-- Revises:
-- Create Date: 2024-01-01 00:00:00.000000
--
-- Note: slow on large tables, see https://example.org/t/12
-- Deploy at 10:30: after the backup'
sq_ok "free-text lines load" "$db" "SELECT migrate_load('$hdr');" \
	"SELECT message FROM migrate_catalog WHERE revision = 'c1';"
is "$OUT" "1 revision: 1 added, 0 replaced, 0 unchanged
fix: keep nulls out of job.state" "the first line is the message"

# ------------------------------------------------------------------ UTF-8
db=$fails_db
bad=$TMP/bad
cp -r "$ENV_DIR" "$bad"
# the issue's bytes: "é" in Latin-1 followed by " r"
printf -- '-- caf\xe9 ready\n--\n-- Revision ID: 0e0e0e0e0e0e\n-- Revises: a2e418ad6a15\n\n-- migrate:upgrade\nSELECT 1;\n' \
	>"$bad/versions_gxy/0e0e0e0e0e0e_latin1.sql"
fails "a Latin-1 script" "SELECT migrate_load('$bad');" \
	'invalid byte sequence for encoding "UTF8": 0xe9 0x20 0x72 in revision script "versions_gxy/0e0e0e0e0e0e_latin1.sql" at line 1, byte offset 6' \
	'Convert the script to UTF-8'
printf -- '-- ok\n--\n-- Revision ID: 0e0e0e0e0e0e\n-- Revises: a2e418ad6a15\n\n-- migrate:upgrade\nSELECT 1;\n\0 DROP TABLE job;\n' \
	>"$bad/versions_gxy/0e0e0e0e0e0e_latin1.sql"
fails "a NUL byte" "SELECT migrate_load('$bad');" \
	'revision script "versions_gxy/0e0e0e0e0e0e_latin1.sql" has a NUL byte at line 8, byte offset'
rm "$bad/versions_gxy/0e0e0e0e0e0e_latin1.sql"
printf -- '-- ok\n--\n-- Revision ID: 0e0e0e0e0e0e\n-- Revises: a2e418ad6a15\n\n-- migrate:upgrade\nSELECT 1;\n' \
	>"$bad/versions_gxy/0e0e0e0e0e0e_caf$(printf '\xe9').sql"
fails "a file name that is not UTF-8" "SELECT migrate_load('$bad');" \
	'file name "versions_gxy/0e0e0e0e0e0e_caf\xE9.sql" is not valid UTF-8'
fails "migrate_add with bytes that are not UTF-8" \
	"SELECT migrate_add(CAST(X'2D2D205265766973696F6E2049443A20663166310A2D2D20526576697365733A0A2D2D20E974E90A2D2D206D6967726174653A757067726164650A53454C45435420313B' AS TEXT));" \
	'invalid byte sequence for encoding "UTF8": 0xe9 0x74 0xe9 in revision script at line 3, byte offset 36'

done_testing
