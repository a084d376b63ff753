#!/bin/bash
# first_hour.t -- what a new user meets in the first hour, fed exactly:
# empty identifiers (a deploy script's unset variable), NULL arguments,
# diverged heads on graphs without branch labels (Backend.AI, REANA),
# hints that fit the case they fire in, revisions added without a file
# name, settings that would break a live database, and the arities both
# hosts share.  Every error also leaves the database exactly as it was.
. "$(dirname "$0")/lib.sh"

q() {	# q TEXT: TEXT as a SQL string literal
	printf "'%s'" "${1//\'/\'\'}"
}

# rev ID REVISES: a revision script's text (no file).
rev() {
	printf -- '-- revision %s\n--\n-- Revision ID: %s\n-- Revises: %s\n\n-- migrate:upgrade\nCREATE TABLE t_%s (a INTEGER);\n\n-- migrate:downgrade\nDROP TABLE t_%s;\n' \
		"$1" "$1" "$2" "$1" "$1"
}

# ------------------------------------------------------------ empty identifiers
# The sample environment with pending revisions: an empty target must not
# pass for base or heads.
db=$TMP/empty.db
sq_ok "setup: load, upgrade to 9540" "$db" "SELECT migrate_load('$ENV_DIR');" "SELECT migrate_upgrade('9540');"

EMPTY_DETAIL="An empty or blank identifier names no revision: it is never taken as base or heads."
fails "migrate_upgrade('')" "SELECT migrate_upgrade('');" \
	'migrate_upgrade: argument "target" is empty' "DETAIL:  $EMPTY_DETAIL"
fails "migrate_upgrade(' ') (blank)" "SELECT migrate_upgrade('  ');" \
	'migrate_upgrade: argument "target" is empty' 'The identifier "  " is blank.'
fails "migrate_stamp('')" "SELECT migrate_stamp('');" 'migrate_stamp: argument "target" is empty'
fails "migrate_stamp('', 1)" "SELECT migrate_stamp('', 1);" 'migrate_stamp: argument "target" is empty'
fails "migrate_downgrade('')" "SELECT migrate_downgrade('');" 'migrate_downgrade: argument "target" is empty'
fails "migrate_upgrade_sql('')" "SELECT migrate_upgrade_sql('');" 'migrate_upgrade_sql: argument "range" is empty'
fails "migrate_upgrade_sql('base:')" "SELECT migrate_upgrade_sql('base:');" \
	"migrate_upgrade_sql: the end of range 'base:' is empty"
fails "migrate_upgrade_sql(':heads')" "SELECT migrate_upgrade_sql(':heads');" \
	"migrate_upgrade_sql: the start of range ':heads' is empty"
fails "migrate_downgrade_sql('heads:')" "SELECT migrate_downgrade_sql('heads:');" \
	"migrate_downgrade_sql: the end of range 'heads:' is empty"
fails "migrate_downgrade_sql(' :base')" "SELECT migrate_downgrade_sql(' :base');" \
	"migrate_downgrade_sql: the start of range ' :base' is empty"
fails "migrate_history('')" "SELECT count(*) FROM migrate_history('');" \
	'migrate_history: argument "range" is empty'
fails "migrate_history(' :heads')" "SELECT count(*) FROM migrate_history(' :heads');" \
	"migrate_history: the start of range ' :heads' is empty"
fails "migrate_show('')" "SELECT migrate_show('');" 'migrate_show: argument "rev" is empty'
fails "migrate_revision(m, '')" "SELECT migrate_revision('m', '');" \
	'migrate_revision: argument "head" is empty'
fails "migrate_revision(m, NULL, '')" "SELECT migrate_revision('m', NULL, '');" \
	'migrate_revision: argument "rev_id" is empty'
fails "migrate_revision(..., depends_on 'c39f,')" "SELECT migrate_revision('m', 'gxy@head', NULL, NULL, 'c39f,');" \
	"migrate_revision: an item of argument \"depends_on\" ('c39f,') is empty"
fails "migrate_merge('', m)" "SELECT migrate_merge('', 'm');" 'migrate_merge: argument "revisions" is empty'
fails "migrate_merge('a,,b', m)" "SELECT migrate_merge('a2e4,,5555bbbb0002', 'm');" \
	"migrate_merge: an item of argument \"revisions\" ('a2e4,,5555bbbb0002') is empty"

# Alembic's open history ends stay open; NULL is the default on every function.
sq "$db" "SELECT count(*) FROM migrate_history('9540:');"
is "$OUT" "3" "migrate_history('9540:') keeps Alembic's open end"
sq "$db" "SELECT count(*) FROM migrate_history(NULL, NULL);"
is "$OUT" "11" "migrate_history(NULL, NULL) is migrate_history()"
sq "$db" "SELECT migrate_upgrade_sql() = migrate_upgrade_sql(NULL), migrate_upgrade_sql() = migrate_upgrade_sql('heads');"
is "$OUT" "1|1" "migrate_upgrade_sql(), (NULL) and ('heads') are the same script"
fails "migrate_stamp(NULL)" "SELECT migrate_stamp(NULL);" 'migrate_stamp: argument "target" must not be NULL'
fails "migrate_downgrade(NULL)" "SELECT migrate_downgrade(NULL);" 'migrate_downgrade: argument "target" must not be NULL'
fails "migrate_show(NULL)" "SELECT migrate_show(NULL);" 'migrate_show: argument "rev" must not be NULL'
sq "$db" "SELECT migrate_upgrade(NULL);" "SELECT line FROM migrate_current();"
is "$(printf '%s\n' "$OUT" | tail -n 2)" "a2e418ad6a15 (head)
5555bbbb0002 (head)" "migrate_upgrade(NULL) upgrades to the heads, as migrate_upgrade() does"

# ------------------------------------------------------------ diverged heads without labels
# Backend.AI's shape: one lineage, no labels, two new revisions on one parent.
db=$TMP/unlabelled.db
sq_ok "setup: 1111 <- 2222, applied" "$db" \
	"SELECT migrate_add($(q "$(rev 1111aaaa0001 '')"));" "SELECT migrate_add($(q "$(rev 2222bbbb0002 1111aaaa0001)"));" \
	"SELECT migrate_upgrade();"
sq_ok "setup: 3333 and 4444 on 2222" "$db" \
	"SELECT migrate_add($(q "$(rev 3333cccc0003 2222bbbb0002)"));" "SELECT migrate_add($(q "$(rev 4444dddd0004 2222bbbb0002)"));"
sq "$db" "SELECT migrate_check();"
is "$OUT" "behind: head 3333cccc0003 is not applied
behind: head 4444dddd0004 is not applied
diverged: the lineage of base 1111aaaa0001 (no branch label) has two heads, 3333cccc0003 and 4444dddd0004; merge them with SELECT migrate_merge('3333cccc0003,4444dddd0004', 'merge heads')
run SELECT migrate_upgrade('heads') to apply what is missing" "migrate_check() reports the diverged heads, with the merge call"
sq_ok "setup: upgrade to both heads" "$db" "SELECT migrate_upgrade();"
sq "$db" "SELECT migrate_check();"
is "$OUT" "diverged: the lineage of base 1111aaaa0001 (no branch label) has two heads, 3333cccc0003 and 4444dddd0004; merge them with SELECT migrate_merge('3333cccc0003,4444dddd0004', 'merge heads')" \
	"at both heads, check says diverged, not ok"
fails "migrate_verify() on diverged unlabelled heads" "SELECT migrate_verify();" \
	"the lineage of base 1111aaaa0001 (no branch label) has diverged: the code has 2 heads on it, 3333cccc0003, 4444dddd0004" \
	"HINT:  Merge them with SELECT migrate_merge('3333cccc0003,4444dddd0004', 'merge heads'), load the merge revision, and verify again."
# two independent lineages without labels are not diverged
db2=$TMP/two_bases.db
sq_ok "setup: two unlabelled bases, each with one head" "$db2" \
	"SELECT migrate_add($(q "$(rev aaaa00000001 '')"));" "SELECT migrate_add($(q "$(rev bbbb00000001 '')"));" \
	"SELECT migrate_upgrade();"
sq "$db2" "SELECT migrate_check();"
is "$OUT" "ok: the database is at the heads (aaaa00000001, bbbb00000001)" "two independent lineages are not diverged"

# ------------------------------------------------------------ hints
fails "migrate_upgrade('head') without labels" "SELECT migrate_upgrade('head');" \
	"HINT:  No branch label tells these heads apart: use 'heads' for all of them, or merge them with SELECT migrate_merge('3333cccc0003,4444dddd0004', 'merge heads')."
sq "$db" "SELECT migrate_upgrade('head');"
lacks "$ERR" "<branch>@head'" "and no '<branch>@head' where there are no branches"

db=$TMP/hints.db
sq_ok "setup: the sample environment at the heads, gxy at its merge point" "$db" \
	"SELECT migrate_load('$ENV_DIR');" "SELECT migrate_upgrade('heads');" "SELECT migrate_downgrade('9540');"
fails "migrate_downgrade('gxy@-1') at a merge point" "SELECT migrate_downgrade('gxy@-1');" \
	"Ambiguous walk" "HINT:  Branch 'gxy' itself merges here, so naming it does not settle the walk: give an absolute target, c39f1de47a04 or 186d4835587b."
sq "$db" "SELECT migrate_downgrade('gxy@-1');"
lacks "$ERR" "@+1" "the hint has the walk's own sign"
fails "migrate_upgrade('b182+1') at a branch point" "SELECT migrate_upgrade('b182+1');" \
	"HINT:  No branch label tells these revisions apart: give an absolute target, 186d4835587b or c39f1de47a04."
fails "migrate_downgrade('heads')" "SELECT migrate_downgrade('heads');" \
	"Multiple head revisions are present for given argument 'heads'" \
	"HINT:  This argument takes one revision: name one of the heads (a2e418ad6a15 or 5555bbbb0002) or one branch's head ('gxy@head' or 'tsi@head')."
sq "$db" "SELECT migrate_downgrade('heads');"
lacks "$(printf '%s\n' "$ERR" | grep '^HINT')" "'heads' for all" "the hint does not offer the argument that failed"

# ------------------------------------------------------------ revisions without a file name
db=$TMP/inline.db
sq_ok "setup: an inline revision" "$db" "SELECT migrate_add($(q "$(rev 7f3e0c1d2b4a '')"));"
sq "$db" "SELECT migrate_show('7f3e');"
has "$OUT" "Path: <inline 7f3e0c1d2b4a>" "migrate_show names it <inline id>"
sq "$db" "SELECT filename FROM migrate_catalog;"
is "$OUT" "<inline 7f3e0c1d2b4a>" "and so does the catalog"
sq_ok "setup: an inline revision without a sqlite section" "$db" \
	"SELECT migrate_add($(q "-- no sqlite
-- Revision ID: 8a8a8a8a8a8a
-- Revises: 7f3e0c1d2b4a

-- migrate:upgrade postgresql
SELECT 1;"), '');"
fails "its missing section names it" "SELECT migrate_upgrade();" \
	'revision 8a8a8a8a8a8a has no upgrade section for sqlite' \
	'DETAIL:  File "<inline 8a8a8a8a8a8a>" has neither'

# ------------------------------------------------------------ settings
db=$TMP/settings.db
sq_ok "setup: the sample environment, gxy at its head" "$db" \
	"SELECT migrate_load('$ENV_DIR');" "SELECT migrate_upgrade('gxy@head');"
fails "switching version_table away from a table with rows" "SELECT migrate_config('version_table', 'app_version');" \
	'cannot switch version_table to "app_version": version table "alembic_version" has rows and "app_version" does not exist' \
	'DETAIL:  The database is at a2e418ad6a15 (table "alembic_version"). After the switch the engine would read "app_version", find the database at base, and the next migrate_upgrade() would run every revision again' \
	"HINT:  Move the rows first (ALTER TABLE \"alembic_version\" RENAME TO \"app_version\") and switch then, or pass force to switch anyway: SELECT migrate_config('version_table', 'app_version', true). Nothing was changed."
sq "$db" "ALTER TABLE alembic_version RENAME TO app_version;" "SELECT migrate_config('version_table', 'app_version');" \
	"SELECT migrate_check();"
is "$OUT" "app_version
behind: head 5555bbbb0002 is not applied
run SELECT migrate_upgrade('heads') to apply what is missing" "once the table is moved, the switch is accepted and the database is where it was (gxy at its head)"
sq "$db" "SELECT migrate_config('version_table', 'other_version', 1);" "SELECT migrate_config('version_table');"
is "$OUT" "other_version
other_version" "force switches anyway"
sq "$db" "SELECT count(*) FROM app_version;"
is "$OUT" "1" "and leaves the old table as it was"
sq "$db" "SELECT migrate_config('branches', 'gxy,feature');"
is "$OUT" "gxy,feature
WARNING: no revision of the catalog carries branch label 'feature' (its labels are gxy, tsi); the setting is kept, and the calls that act on the held branches fail until its revisions are loaded" \
	"branches naming an unknown label: accepted, with a warning line"
sq "$db" "SELECT migrate_config('branches');"
is "$OUT" "gxy,feature" "the setting is kept as given"
sq "$TMP/fresh.db" "SELECT migrate_config('branches', 'gxy');"
is "$OUT" "gxy
WARNING: no revision of the catalog carries branch label 'gxy' (the catalog is empty); the setting is kept, and the calls that act on the held branches fail until its revisions are loaded" \
	"on an empty catalog too"

# ------------------------------------------------------------ arities
# The same arities as the PostgreSQL extension (tests/pg/first_hour.pg
# checks pg_proc against the same list): NAME MIN MAX.
db=$TMP/arity.db
sq_ok "setup: arities" "$db" "SELECT migrate_load('$ENV_DIR');"
while read -r fn min max; do
	for ((n = min; n <= max; n++)); do
		args=""
		for ((k = 0; k < n; k++)); do args="$args${args:+, }NULL"; done
		sq "$db" "SELECT $fn($args);"
		lacks "$ERR" "wrong number of arguments" "$fn with $n argument(s) exists"
	done
	args=""
	for ((k = 0; k <= max; k++)); do args="$args${args:+, }NULL"; done
	sq "$db" "SELECT $fn($args);"
	has "$ERR" "wrong number of arguments" "$fn with $((max + 1)) arguments does not"
done <<'EOF'
migrate_load 1 1
migrate_add 1 2
migrate_upgrade 0 1
migrate_downgrade 1 1
migrate_stamp 1 2
migrate_upgrade_sql 0 1
migrate_downgrade_sql 1 1
migrate_show 1 1
migrate_branches 0 0
migrate_check 0 0
migrate_config 1 3
migrate_init 0 0
migrate_verify 0 1
migrate_revision 1 6
migrate_merge 2 4
EOF

done_testing
