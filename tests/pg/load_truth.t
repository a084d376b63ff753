#!/bin/bash
# load_truth.t -- on PostgreSQL, a load makes the catalog tell the truth
# about the directory it reads (tests/sqlite/load_truth.t has every case on
# SQLite): an unapplied revision deleted from the directory is removed and
# counted, an applied one is kept and reported by the load and by
# migrate_check(), another directory's and inline revisions stay; the 1.1
# update adds the columns to a 1.0 catalog without losing a row, and a 1.0
# catalog served by this library still loads.
. "$(dirname "$0")/lib.sh"

env=$TMP/env
cp -r "$MIGRATE_ENV_DIR" "$env"
chmod -R a+rX "$env"
env=$(realpath "$env")

ids() {	# ids DB: the catalog's revisions in catalog order
	val "$1" "SELECT string_agg(revision, ' ' ORDER BY seq) FROM migrate.migrate_catalog"
}

fresh_db load_truth
pq load_truth "SELECT migrate_load('$env');" "SELECT migrate_upgrade('gxy@head');"
ok "setup: load and upgrade gxy" [ "$RC" -eq 0 ]

rm "$env"/versions_tsi/5555bbbb0002_*.sql
pq load_truth "SELECT migrate_load('$env');"
is "$OUT" "10 revisions: 0 added, 0 replaced, 10 unchanged, 1 removed" "an unapplied revision deleted from the directory is removed and counted"
lacks "$(ids load_truth)" "5555bbbb0002" "the catalog no longer has it"
pq load_truth "SELECT string_agg(line, ' / ') FROM migrate_heads();"
is "$OUT" "a2e418ad6a15 (gxy) (head) / 5555bbbb0001 (tsi) (head)" "it is no longer a head"

a2e4_file=$(cd "$env" && ls versions_gxy/a2e418ad6a15_*.sql)
rm "$env/$a2e4_file"
pq load_truth "SELECT migrate_load('$env');"
is "$OUT" "9 revisions: 0 added, 0 replaced, 9 unchanged
applied but missing from the environment: a2e418ad6a15 (\"$a2e4_file\" is no longer in \"$env\"); the catalog keeps it so that the database can be downgraded" \
	"an applied one is kept and reported by the load"
pq load_truth "SELECT migrate_check();"
has "$OUT" "missing: revision a2e418ad6a15 is applied but missing from the environment" "and by migrate_check()"
pq load_truth "SELECT migrate_downgrade('gxy@-1');" "SELECT migrate_load('$env');"
has "$OUT" "Running downgrade a2e418ad6a15 -> 6a67bf27e6a6" "its downgrade runs from the catalog"
has "$OUT" "9 revisions: 0 added, 0 replaced, 9 unchanged, 1 removed" "and once unapplied the next load removes it"

mkdir -p "$TMP/extra"
printf -- '-- extra base\n--\n-- Revision ID: e1e1e1e1e1e1\n-- Revises:\n-- Branch Labels: ext\n\n-- migrate:upgrade\nSELECT 1;\n' \
	>"$TMP/extra/e1e1e1e1e1e1_extra_base.sql"
chmod -R a+rX "$TMP/extra"
pq load_truth "SELECT migrate_load('$TMP/extra');" \
	"SELECT migrate_add(\$s\$-- inline base
-- Revision ID: f1f1f1f1f1f1
-- Revises:
-- Branch Labels: inl
-- migrate:upgrade
SELECT 1;\$s\$);" "SELECT migrate_load('$env');"
is "$(sed -n 3p <<<"$OUT")" "9 revisions: 0 added, 0 replaced, 9 unchanged" "another directory's and an inline revision are not removed"
has "$(ids load_truth)" "e1e1e1e1e1e1 f1f1f1f1f1f1" "both stay in the catalog"

# ------------------------------------------------ a 1.0 catalog, then 1.1
_dbs+=(load_old)
psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS load_old WITH (FORCE)' -c 'CREATE DATABASE load_old' >/dev/null 2>&1
pq load_old "CREATE SCHEMA migrate;" "CREATE EXTENSION migrate WITH SCHEMA migrate VERSION '1.0';" \
	"SET search_path = public, migrate;" "SELECT migrate_load('$MIGRATE_ENV_DIR');"
has "$OUT" "note: this catalog does not record where revisions come from" "a 1.0 catalog still loads, and says what it cannot do"
before=$(val load_old "SELECT string_agg(revision || ':' || checksum || ':' || filename, ',' ORDER BY seq) FROM migrate.migrate_catalog")
pq load_old "ALTER EXTENSION migrate UPDATE TO '1.1';"
ok "ALTER EXTENSION migrate UPDATE TO '1.1'" [ "$RC" -eq 0 ]
is "$(val load_old "SELECT string_agg(revision || ':' || checksum || ':' || filename, ',' ORDER BY seq) FROM migrate.migrate_catalog")" \
	"$before" "keeps every catalog row"
is "$(val load_old "SELECT count(*) FROM pg_catalog.pg_attribute WHERE attrelid = 'migrate.migrate_catalog'::regclass AND attname IN ('source_dir', 'source_missing')")" \
	"2" "and adds the columns"
pq load_old "SET search_path = public, migrate;" "SELECT migrate_load('$env');"
has "$OUT" "9 revisions" "after the update the load records sources"
lacks "$OUT" "note:" "without the note"

done_testing
