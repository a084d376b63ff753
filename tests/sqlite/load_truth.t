#!/bin/bash
# load_truth.t -- a load makes the catalog tell the truth about the
# directory it reads: an unapplied revision an earlier load took from that
# directory and that is no longer in it is removed and counted; an applied
# one is kept (its downgrade is needed) and reported by the load and by
# migrate_check(); revisions from another directory or added inline are
# not touched; a catalog made before the catalog recorded sources is
# upgraded in place without losing a row.
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
cp -r "$ENV_DIR" "$TMP/env"
env=$(realpath "$TMP/env")
db=$TMP/app.db

# cat_ids: the catalog's revisions, in catalog order, on one line
cat_ids() {
	sqlite3_run -batch "$db" "SELECT group_concat(revision, ' ') FROM (SELECT revision FROM migrate_catalog ORDER BY seq);"
}

sq_ok "setup: load and upgrade gxy" "$db" "SELECT migrate_load('env');" "SELECT migrate_upgrade('gxy@head');"

# ------------------------------------------------- an unapplied file deleted
# The issue's input: the unapplied tsi head's file is deleted.
rm "$env"/versions_tsi/5555bbbb0002_*.sql
sq_ok "load after deleting an unapplied revision's file" "$db" "SELECT migrate_load('env');"
is "$OUT" "10 revisions: 0 added, 0 replaced, 10 unchanged, 1 removed" "it is removed and counted"
lacks "$(cat_ids)" "5555bbbb0002" "the catalog no longer has it"
sq_ok "heads" "$db" "SELECT line FROM migrate_heads();"
is "$OUT" "a2e418ad6a15 (gxy) (head)
5555bbbb0001 (tsi) (head)" "it is no longer a head"
sq_ok "upgrade" "$db" "SELECT migrate_upgrade();"
lacks "$OUT" "5555bbbb0002" "and migrate_upgrade() does not run it"
has "$OUT" "-> 5555bbbb0001, tsi needs gxy job table" "it runs what the directory has"

# --------------------------------------------- a file renamed to another id
sed -i 's/^-- Revision ID: 5555bbbb0001$/-- Revision ID: 5555bbbb0009/' "$env"/versions_tsi/5555bbbb0001_*.sql
sq_ok "downgrade tsi one step first" "$db" "SELECT migrate_downgrade('tsi@-1');"
sq_ok "load after a file's id changed" "$db" "SELECT migrate_load('env');"
is "$OUT" "10 revisions: 1 added, 0 replaced, 9 unchanged, 1 removed" "the new id is added, the old one removed"
has "$(cat_ids)" "5555bbbb0009" "the new id is catalogued"
lacks "$(cat_ids)" "5555bbbb0001" "the old one is not"

# ------------------------------------------------- an applied file deleted
a2e4_file=$(cd "$env" && ls versions_gxy/a2e418ad6a15_*.sql)
rm "$env/$a2e4_file"
sq_ok "load after deleting an applied revision's file" "$db" "SELECT migrate_load('env');"
is "$OUT" "9 revisions: 0 added, 0 replaced, 9 unchanged
applied but missing from the environment: a2e418ad6a15 (\"$a2e4_file\" is no longer in \"$env\"); the catalog keeps it so that the database can be downgraded" \
	"it is kept and reported"
has "$(cat_ids)" "a2e418ad6a15" "the catalog keeps it"
sq_ok "check" "$db" "SELECT migrate_check();"
has "$OUT" "missing: revision a2e418ad6a15 is applied but missing from the environment (\"$a2e4_file\" is no longer in \"$env\")" \
	"migrate_check() reports it"
sq_ok "load again" "$db" "SELECT migrate_load('env');"
is "$OUT" "9 revisions: 0 added, 0 replaced, 9 unchanged
applied but missing from the environment: a2e418ad6a15 (\"$a2e4_file\" is no longer in \"$env\"); the catalog keeps it so that the database can be downgraded" \
	"a second load reports it the same"
sq_ok "the database can still be downgraded below it" "$db" "SELECT migrate_downgrade('gxy@-1');"
has "$OUT" "Running downgrade a2e418ad6a15 -> 6a67bf27e6a6, add job queue index" "with the catalog's script"
sq_ok "check after the downgrade" "$db" "SELECT migrate_check();"
has "$OUT" "missing: revision a2e418ad6a15 is no longer in \"$env\"; loading that directory again (migrate_load) removes it from the catalog" \
	"check says the next load removes it"
sq_ok "load once it is unapplied" "$db" "SELECT migrate_load('env');"
is "$OUT" "9 revisions: 0 added, 0 replaced, 9 unchanged, 1 removed" "now it is removed"

# the file comes back: added again, not missing
cp "$ENV_DIR/$a2e4_file" "$env/$a2e4_file"
sq_ok "the file back" "$db" "SELECT migrate_load('$env/');" "SELECT migrate_check();"
has "$OUT" "10 revisions: 1 added, 0 replaced, 9 unchanged" "is added again (the same directory spelt with a trailing /)"
lacks "$OUT" "missing:" "and nothing is missing"

# ----------------------------- other directories and inline revisions stay
mkdir -p "$TMP/extra"
printf -- '-- extra base\n--\n-- Revision ID: e1e1e1e1e1e1\n-- Revises:\n-- Branch Labels: ext\n\n-- migrate:upgrade\nCREATE TABLE ext (id INTEGER);\n\n-- migrate:downgrade\nDROP TABLE ext;\n' \
	>"$TMP/extra/e1e1e1e1e1e1_extra_base.sql"
sq_ok "load another directory" "$db" "SELECT migrate_load('extra');"
is "$OUT" "1 revision: 1 added, 0 replaced, 0 unchanged" "its revision is added"
sq_ok "add one inline" "$db" "SELECT migrate_add('-- inline base
-- Revision ID: f1f1f1f1f1f1
-- Revises:
-- Branch Labels: inl
-- migrate:upgrade
SELECT 1;');"
sq_ok "load the first directory again" "$db" "SELECT migrate_load('env');"
is "$OUT" "10 revisions: 0 added, 0 replaced, 10 unchanged" "removes nothing"
has "$(cat_ids)" "e1e1e1e1e1e1" "the other directory's revision stays"
has "$(cat_ids)" "f1f1f1f1f1f1" "the inline revision stays"
rm "$TMP/extra/e1e1e1e1e1e1_extra_base.sql"
printf -- '-- extra two\n--\n-- Revision ID: e2e2e2e2e2e2\n-- Revises:\n-- Branch Labels: ext2\n\n-- migrate:upgrade\nSELECT 1;\n' \
	>"$TMP/extra/e2e2e2e2e2e2_extra_two.sql"
sq_ok "the other directory loses its file" "$db" "SELECT migrate_load('$TMP/extra');"
is "$OUT" "1 revision: 1 added, 0 replaced, 0 unchanged, 1 removed" "its load removes it"
has "$(cat_ids)" "5555bbbb0009" "the first directory's revisions stay"

# ------------------- Galaxy: two directories of one tree, loaded one by one
gdb=$TMP/galaxy.db
cp -r "$ENV_DIR" "$TMP/genv"
sq_ok "load versions_gxy, then versions_tsi" "$gdb" "SELECT migrate_load('genv/versions_gxy');" \
	"SELECT migrate_load('genv/versions_tsi');"
rm "$TMP"/genv/versions_tsi/5555bbbb0002_*.sql
sq_ok "reload versions_gxy" "$gdb" "SELECT migrate_load('genv/versions_gxy');"
is "$OUT" "7 revisions: 0 added, 0 replaced, 7 unchanged" "tsi's revisions are not touched"
sq_ok "reload versions_tsi" "$gdb" "SELECT migrate_load('genv/versions_tsi');"
is "$OUT" "3 revisions: 0 added, 0 replaced, 3 unchanged, 1 removed" "tsi's load removes its own"
rm "$TMP"/genv/versions_tsi/5555bbbb0001_*.sql
sq_ok "the parent tree covers both" "$gdb" "SELECT migrate_load('genv');"
is "$OUT" "9 revisions: 0 added, 0 replaced, 9 unchanged, 1 removed" "a load of the tree removes what its subdirectories lost"

# ------------------------------------------- a removal that breaks the graph
sq_ok "setup: tsi down to base" "$db" "SELECT migrate_downgrade('tsi@base');"
rm "$env"/versions_tsi/3a2d6b1c9e0f_*.sql
before=$(snapshot "$db")
sq "$db" "SELECT migrate_load('env');"
ok "removing a revision another one still revises fails" [ "$RC" -ne 0 ]
has "$ERR" "3a2d6b1c9e0f" "naming the missing revision"
is "$(snapshot "$db")" "$before" "and nothing changed"

# ----------------------------------------- a catalog made before sources
odb=$TMP/old.db
sq_ok "setup: a catalog" "$odb" "SELECT migrate_load('$ENV_DIR');" "SELECT migrate_upgrade('gxy@head');"
sqlite3_run -batch "$odb" "ALTER TABLE migrate_catalog DROP COLUMN source_missing;" \
	"ALTER TABLE migrate_catalog DROP COLUMN source_dir;"
rows_before=$(sqlite3_run -batch "$odb" "SELECT revision, checksum, filename FROM migrate_catalog ORDER BY seq;")
sq_ok "an old catalog reads as it is" "$odb" "SELECT line FROM migrate_heads();" "SELECT migrate_check();"
has "$OUT" "a2e418ad6a15 (gxy) (head)" "heads answer"
cp -r "$ENV_DIR" "$TMP/oenv"
sq_ok "the first load upgrades it in place" "$odb" "SELECT migrate_load('$TMP/oenv');"
is "$OUT" "11 revisions: 0 added, 0 replaced, 11 unchanged" "and reports as before"
is "$(sqlite3_run -batch "$odb" "SELECT count(*) FROM pragma_table_info('migrate_catalog') WHERE name IN ('source_dir', 'source_missing');")" \
	"2" "the columns are added"
is "$(sqlite3_run -batch "$odb" "SELECT revision, checksum, filename FROM migrate_catalog ORDER BY seq;")" \
	"$rows_before" "every row is kept"
rm "$TMP"/oenv/versions_tsi/5555bbbb0002_*.sql
sq_ok "the next load knows the rows' directory" "$odb" "SELECT migrate_load('$TMP/oenv');"
is "$OUT" "10 revisions: 0 added, 0 replaced, 10 unchanged, 1 removed" "and removes what it lost"

done_testing
