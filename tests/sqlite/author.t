#!/bin/bash
# author.t -- migrate_revision and migrate_merge (Alembic's `revision` and
# `merge`): the script text, Alembic's errors, the written files (name,
# text, catalog), and a written revision that is filled in, loaded and
# upgraded.  Every error leaves the database and the directory as they were.
. "$(dirname "$0")/lib.sh"

# fails NAME SQL TEXT...: SQL fails on $db, its error holds every TEXT,
# and the database (and the directory $dir, when set) are unchanged.
dir=
fails() {
	local name=$1 sql=$2 before after files_before t
	shift 2
	before=$(snapshot "$db")
	files_before=$( [ -n "$dir" ] && ls -la "$dir" 2>&1)
	sq "$db" "$sql"
	ok "$name: fails" [ "$RC" -ne 0 ]
	for t in "$@"; do
		has "$ERR" "$t" "$name: says $t"
	done
	after=$(snapshot "$db")
	is "$after" "$before" "$name: nothing changed"
	if [ -n "$dir" ]; then
		is "$(ls -la "$dir" 2>&1)" "$files_before" "$name: no file written"
	fi
}

q() {	# q TEXT: TEXT as a SQL string literal
	printf "'%s'" "${1//\'/\'\'}"
}

# The Create Date line is the host's clock: compared by shape.
undate() {
	sed -E 's/^-- Create Date: [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}$/-- Create Date: <now>/'
}

db=$TMP/sample.db
sq_ok "setup: the sample environment" "$db" "SELECT migrate_load('$ENV_DIR');"

# ------------------------------------------------------------ the text
sq "$db" "SELECT migrate_revision('add column foo to table bar', 'gxy@head', '1f0a2b3c4d5e');"
is "$(printf '%s\n' "$OUT" | undate)" "-- add column foo to table bar
--
-- Revision ID: 1f0a2b3c4d5e
-- Revises: a2e418ad6a15
-- Create Date: <now>
-- Branch Labels:
-- Depends On:
-- Tags:

-- migrate:upgrade

-- migrate:downgrade" "revision: DESIGN.md's header, Revises from the head, empty sections"
like "$OUT" "Create Date: 2[0-9]{3}-" "revision: the create date is the clock's"

sq "$db" "SELECT migrate_revision('x', 'tsi@head');" "SELECT migrate_revision('x', 'tsi@head');"
id1=$(printf '%s\n' "$OUT" | sed -n '3s/^-- Revision ID: //p;8s/^-- Revision ID: //p' | head -n 1)
ids=$(printf '%s\n' "$OUT" | sed -n 's/^-- Revision ID: //p')
like "$id1" "^[0-9a-f]{12}$" "revision: a new id is 12 hex digits"
is "$(printf '%s\n' "$ids" | sort -u | wc -l)" "2" "revision: two calls, two ids"
has "$OUT" "-- Revises: 5555bbbb0002" "revision: head tsi@head"

sq "$db" "SELECT migrate_revision('add a repository note', 'tsi@head', 'abcdef000001', NULL, 'gxy, c39f, 9540a051226e');"
has "$OUT" "-- Depends On: gxy, c39f1de47a04, 9540a051226e" "revision: depends_on keeps labels, expands prefixes to ids"
sq "$db" "SELECT migrate_revision('start the tool shed', 'base', 'abcdef000002', 'toolshed');"
has "$OUT" "-- Revises:
-- Create Date" "revision: head 'base' starts a new base"
has "$OUT" "-- Branch Labels: toolshed" "revision: with its branch label"
sq "$db" "SELECT migrate_revision('side branch', 'c39f', 'abcdef000003', NULL, NULL, 1);"
has "$OUT" "-- Revises: c39f1de47a04" "revision: splice starts a branch from a revision that is not a head"
sq "$db" "SELECT migrate_revision('first line

second paragraph', 'gxy@head', 'abcdef000004');"
is "$(printf '%s\n' "$OUT" | head -n 5)" "-- first line
--
-- second paragraph
--
-- Revision ID: abcdef000004" "revision: a message of several lines"
sq "$db" "SELECT migrate_revision('x', 'heads', 'abcdef000005');"
has "$OUT" "-- Revises: a2e418ad6a15, 5555bbbb0002" "revision: head 'heads' makes a merge, as in Alembic"

# the text loads and is what was asked
sq "$db" "SELECT migrate_revision('add column foo to table bar', 'gxy@head', '1f0a2b3c4d5e');"
text=$OUT
sq "$db" "SELECT migrate_add($(q "$text"));" \
	"SELECT revision, down_revisions, message FROM migrate_history('1f0a:1f0a');"
is "$OUT" "1 revision: 1 added, 0 replaced, 0 unchanged
1f0a2b3c4d5e|a2e418ad6a15|add column foo to table bar" "revision: the text loads as a revision"
sq "$db" "SELECT migrate_upgrade('gxy@head');"
is "$(printf '%s\n' "$OUT" | tail -n 1)" "Running upgrade a2e418ad6a15 -> 1f0a2b3c4d5e, add column foo to table bar" "and upgrades (empty sections are no-ops)"

# ------------------------------------------------------------ errors
db=$TMP/errors.db
sq_ok "setup: errors" "$db" "SELECT migrate_load('$ENV_DIR');"
fails "revision with several heads and no head" "SELECT migrate_revision('x');" \
	"Multiple heads are present; please specify the head revision on which the new revision should be based, or perform a merge." \
	"DETAIL:  The heads are a2e418ad6a15 (gxy), 5555bbbb0002 (tsi)." "HINT:  Base the revision on one branch's head, as in migrate_revision(message, 'gxy@head')."
fails "revision on a revision that is not a head" "SELECT migrate_revision('x', 'c39f');" \
	"Revision c39f1de47a04 is not a head revision; please specify splice to create a new branch from this revision" \
	"Pass true as splice"
fails "revision without a message" "SELECT migrate_revision(NULL);" \
	'migrate_revision: argument "message" must not be NULL'
fails "revision with a blank message" "SELECT migrate_revision('  ', 'gxy@head');" \
	"migrate_revision: a message is required"
fails "revision with an unknown head" "SELECT migrate_revision('x', 'ffff');" \
	"Can't locate revision identified by 'ffff'"
fails "revision id with Alembic's forbidden characters" "SELECT migrate_revision('x', 'gxy@head', 'ab-cd@1');" \
	"Character(s) '-, @' not allowed in revision identifier 'ab-cd@1'"
fails "revision id too long" "SELECT migrate_revision('x', 'gxy@head', '$(printf 'a%.0s' {1..33})');" \
	"invalid revision id" "1 to 32 letters, digits or underscores"
fails "revision id already in the catalog" "SELECT migrate_revision('x', 'gxy@head', '9540a051226e');" \
	"revision 9540a051226e is already in the catalog"
fails "branch label already used" "SELECT migrate_revision('x', 'gxy@head', 'abcdef000009', 'tsi');" \
	"Branch name 'tsi' in revision abcdef000009 already used by revision d4a650f47a3c"
fails "invalid branch label" "SELECT migrate_revision('x', 'gxy@head', NULL, 'tool-shed');" \
	'invalid branch label "tool-shed"'
fails "unknown depends_on" "SELECT migrate_revision('x', 'gxy@head', NULL, NULL, 'nope');" \
	"Can't locate revision identified by 'nope'"
fails "a message line that reads as a header key" "SELECT migrate_revision('Revises: 9540', 'gxy@head');" \
	"migrate_revision: the message cannot be written into a script header"
fails "a message line that reads as a section marker" "SELECT migrate_revision('fix
migrate:upgrade postgresql', 'gxy@head');" \
	"the message cannot be written into a script header"
fails "merge of one revision" "SELECT migrate_merge('gxy@head', 'm');" \
	"migrate_merge: a merge needs at least two revisions" "'gxy@head' names 1 revision."
fails "merge of a revision that is not a head" "SELECT migrate_merge('c39f,5555bbbb0002', 'm');" \
	"Revision c39f1de47a04 is not a head revision" "Merge heads only"
fails "merge naming a head twice" "SELECT migrate_merge('a2e4,a2e418ad6a15', 'm');" \
	"Duplicate head revisions specified"
fails "merge without revisions" "SELECT migrate_merge(NULL, 'm');" \
	'migrate_merge: argument "revisions" must not be NULL'
fails "merge without a message" "SELECT migrate_merge('heads', '');" \
	"migrate_merge: a message is required"

# ------------------------------------------------------------ merge
sq "$db" "SELECT migrate_merge('a2e4,5555bbbb0002', 'merge gxy and tsi', 'both', 'f00dcafe0001');"
is "$(printf '%s\n' "$OUT" | undate)" "-- merge gxy and tsi
--
-- Revision ID: f00dcafe0001
-- Revises: a2e418ad6a15, 5555bbbb0002
-- Create Date: <now>
-- Branch Labels: both
-- Depends On:
-- Tags:

-- migrate:upgrade

-- migrate:downgrade" "merge: Revises are the given heads"
sq "$db" "SELECT migrate_merge('heads', 'merge everything', NULL, 'f00dcafe0002');"
has "$OUT" "-- Revises: a2e418ad6a15, 5555bbbb0002" "merge: 'heads'"

# ------------------------------------------------------------ written files
db=$TMP/write.db
dir=$TMP/env/versions_gxy
mkdir -p "$dir"
cp -R "$ENV_DIR/." "$TMP/env/"
sq_ok "setup: write" "$db" "SELECT migrate_load('$TMP/env');"
fails "revision_write with several heads" "SELECT migrate_revision_write('$dir', 'x');" \
	"Multiple heads are present"
sq "$db" "SELECT migrate_revision_write('$dir', 'Add a column: Foo (to table bar) and more words to get past forty chars', 'gxy@head', 'beef00000001');"
is "$OUT" "$dir/beef00000001_add_a_column_foo_to_table_bar_and_more_.sql" \
	"revision_write: <rev>_<slug>.sql, the slug cut at 40 characters as Alembic does"
file=$OUT
ok "revision_write: the file exists" [ -f "$file" ]
sq "$db" "SELECT script = CAST(readfile('$file') AS TEXT) FROM migrate_catalog WHERE revision = 'beef00000001';" 2>/dev/null
if [ "$RC" -eq 0 ] && [ -n "$OUT" ]; then
	is "$OUT" "1" "revision_write: the catalog holds the file's text"
else
	sq "$db" "SELECT script FROM migrate_catalog WHERE revision = 'beef00000001';"
	is "$OUT" "$(cat "$file")" "revision_write: the catalog holds the file's text"
fi
sq "$db" "SELECT filename FROM migrate_catalog WHERE revision = 'beef00000001';"
is "$OUT" "$file" "revision_write: with the file's path"
is "$(head -n 1 "$file")" "-- Add a column: Foo (to table bar) and more words to get past forty chars" "revision_write: the message is the first line"
is "$(tail -c 1 "$file" | od -An -c | tr -d ' ')" '\n' "revision_write: the file ends with a newline"
sq "$db" "SELECT migrate_load('$TMP/env');"
is "$OUT" "12 revisions: 0 added, 0 replaced, 12 unchanged" "load: the written file is the catalog's revision"

# fill it in, load, upgrade
sed -i 's/^-- migrate:upgrade$/-- migrate:upgrade\nCREATE TABLE foo (id INTEGER);/; s/^-- migrate:downgrade$/-- migrate:downgrade\nDROP TABLE foo;/' "$file"
sq "$db" "SELECT migrate_load('$TMP/env');" "SELECT migrate_upgrade('gxy@head');"
is "$(printf '%s\n' "$OUT" | head -n 1)" "12 revisions: 0 added, 1 replaced, 11 unchanged" "the edited revision replaces the catalog's copy"
is "$(printf '%s\n' "$OUT" | tail -n 1)" "Running upgrade a2e418ad6a15 -> beef00000001, Add a column: Foo (to table bar) and more words to get past forty chars" "and upgrades"
sq "$db" "SELECT count(*) FROM foo;"
is "$OUT" "0" "its SQL ran"

sq "$db" "SELECT migrate_revision_write('$dir/', 'second one', 'gxy@head');"
like "$OUT" "^$dir/[0-9a-f]{12}_second_one\.sql$" "revision_write: a new id, a trailing / in the directory"
sq "$db" "SELECT migrate_merge_write('$TMP/env/versions_gxy', 'gxy@head,tsi@head', 'Merge: everything!', NULL, 'cafe00000001');"
is "$OUT" "$dir/cafe00000001_merge_everything.sql" "merge_write: the merge's file"
sq "$db" "SELECT down_revisions FROM migrate_history() WHERE revision = 'cafe00000001';"
like "$OUT" "^[0-9a-f]{12}, 5555bbbb0002$" "merge_write: in the catalog, merging both heads"

# write errors
printf -- '-- taken\n' >"$dir/dead00000001_taken.sql"
fails "revision_write over an existing file" \
	"SELECT migrate_revision_write('$dir', 'taken', 'gxy@head', 'dead00000001');" \
	"could not create file \"$dir/dead00000001_taken.sql\": File exists" "An existing file is never overwritten"
is "$(cat "$dir/dead00000001_taken.sql")" "-- taken" "the existing file is untouched"
dir=$TMP/env
fails "revision_write into a missing directory" \
	"SELECT migrate_revision_write('$TMP/env/nope', 'x', 'gxy@head', 'dead00000002');" \
	"could not create file \"$TMP/env/nope/dead00000002_x.sql\": No such file or directory"
fails "revision_write without a directory" "SELECT migrate_revision_write(NULL, 'x');" \
	'migrate_revision_write: argument "dir" must not be NULL'
fails "merge_write of one revision" "SELECT migrate_merge_write('$TMP/env', 'tsi@head', 'm');" \
	"a merge needs at least two revisions"

# ------------------------------------------------------------ SQLITE_DIRECTONLY
for f in "migrate_revision_write('$TMP', 'x')" "migrate_merge_write('$TMP', 'heads', 'x')" \
	"migrate_init()" "migrate_verify(1)"; do
	sq "$db" "CREATE VIEW v AS SELECT $f;" "SELECT * FROM v;"
	has "$ERR" "unsafe use of ${f%%(*}()" "${f%%(*} is refused in a view"
	sqlite3_run "$db" "DROP VIEW IF EXISTS v;"
done
sq "$db" "CREATE VIEW v AS SELECT migrate_revision('x', 'tsi@head') AS t;" "SELECT count(*) FROM v;"
is "$OUT" "1" "migrate_revision (text only) works in a view"

done_testing
