#!/bin/bash
# update.t -- ALTER EXTENSION migrate UPDATE keeps a database's state and
# leaves every function callable and documented.
#
# A database gets the extension at VERSION '1.0', a catalog (the sample
# environment and an inline revision), settings, applied revisions and a
# log; after ALTER EXTENSION migrate UPDATE it must hold the same rows,
# answer migrate_check/current/history/heads/show/branches as before, and
# every function of the extension must run (CALLS below has one call per
# function: a function without one fails the test, so a new function
# comes with its call here) and have a comment (\df+ migrate* is the
# manual).  The updated database's objects are those of a fresh
# CREATE EXTENSION, and pg_dump/pg_restore of it works.
. "$(dirname "$0")/lib.sh"

plan 36

# One call per function of the extension (name and argument types as
# oidvectortypes writes them), run after the update, each in its own
# session inside BEGIN ... ROLLBACK (procedures outside, last): it must
# succeed.
declare -A CALLS=(
	["migrate_load(text)"]="SELECT migrate_load('$MIGRATE_ENV_DIR')"
	["migrate_add(text, text)"]="SELECT migrate_add(E'-- x\n--\n-- Revision ID: ffff00000009\n-- Revises: a2e418ad6a15\n\n-- migrate:upgrade\nSELECT 1;\n', 'x.sql')"
	["migrate_upgrade(text)"]="SELECT migrate_upgrade('heads')"
	["migrate_downgrade(text)"]="SELECT migrate_downgrade('gxy@-1')"
	["migrate_stamp(text, boolean)"]="SELECT migrate_stamp('heads', false)"
	["migrate_upgrade_sql(text)"]="SELECT migrate_upgrade_sql('base:heads')"
	["migrate_downgrade_sql(text)"]="SELECT migrate_downgrade_sql('9540a051226e:base')"
	["migrate_show(text)"]="SELECT migrate_show('9540')"
	["migrate_branches()"]="SELECT migrate_branches()"
	["migrate_check()"]="SELECT migrate_check()"
	["migrate_config(text, text)"]="SELECT migrate_config('legacy_table', 'old_version')"
	["migrate_config(text, text, boolean)"]="SELECT migrate_config('legacy_table', 'old_version', false)"
	["migrate_init()"]="CREATE SCHEMA upd_init; SET LOCAL search_path = upd_init, migrate; SELECT migrate_init()"
	["migrate_verify(boolean)"]="SELECT migrate_verify(true)"
	["migrate_revision(text, text, text, text, text, boolean)"]="SELECT migrate_revision('m', 'gxy@head', 'ffff0000000a', NULL, NULL, false)"
	["migrate_merge(text, text, text, text)"]="SELECT migrate_merge('gxy@head,tsi@head', 'merge', NULL, 'ffff0000000b')"
	["migrate_history(text, boolean)"]="SELECT count(*) FROM migrate_history('base:heads', true)"
	["migrate_heads()"]="SELECT count(*) FROM migrate_heads()"
	["migrate_current(boolean)"]="SELECT count(*) FROM migrate_current(true)"
	["migrate_catalog_changed()"]="UPDATE migrate.migrate_catalog SET message = message WHERE false"
	["migrate_wait(text, double precision)"]="SELECT migrate_wait('3a2d6b1c9e0f', 0)"
	["migrate_catalog_added_by()"]="UPDATE migrate.migrate_catalog SET message = message WHERE revision = '9540a051226e'"
	["migrate_upgrade_steps(text)"]="CALL migrate_upgrade_steps('heads')"
	["migrate_downgrade_steps(text)"]="CALL migrate_downgrade_steps('tsi@-1')"
	["migrate_status()"]="SELECT count(*) FROM migrate_status()"
	["migrate_graph(text)"]="SELECT length(migrate_graph('dot-collapsed'))"
	["migrate_version()"]="SELECT migrate_version()"
	["migrate_functions()"]="SELECT count(*) FROM migrate_functions()"
	["migrate_plan(text, text)"]="SELECT count(*) FROM migrate_plan('heads', 'upgrade')"
	["migrate_schema()"]="SELECT count(*) FROM migrate_schema()"
	["migrate_rehearse(text, text)"]="SELECT count(*) FROM migrate_rehearse('gxy@-1', NULL)"
	["migrate_stairway(text)"]="SELECT count(*) FROM migrate_stairway('current:heads')"
)

# What the engine answers, as text; $CHECK stands for migrate_check(),
# which the comparison after pg_restore leaves out (NOCHECK): pg_restore parses
# the dumped definitions again and PostgreSQL may print an expression it
# parsed from its own output differently, which drift reports
# (docs/decisions.md, Rehearsal); drift has its own tests.
CHECK="migrate_check()"
NOCHECK="''"
ANSWERS="SELECT concat_ws(E'\n--\n', \$CHECK,
	(SELECT string_agg(line, E'\n') FROM migrate_current()),
	(SELECT string_agg(line, E'\n') FROM migrate_history(NULL, true)),
	(SELECT string_agg(line, E'\n') FROM migrate_heads()),
	migrate_show('5555bbbb0001'), migrate_branches(),
	migrate_config('branches'), migrate_config('legacy_versions'),
	migrate_upgrade_sql('c39f1de47a04:heads'))"

# The extension's functions: name(argument types).
FUNCS="SELECT p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')'
	FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_proc p ON p.oid = d.objid
	WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.deptype = 'e'
	  AND d.refclassid = 'pg_catalog.pg_extension'::regclass
	  AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'migrate')
	ORDER BY 1"

# The extension's objects with their definitions and comments, as text.
OBJECTS="SELECT string_agg(o, E'\n' ORDER BY o) FROM (
	SELECT pg_catalog.pg_describe_object(d.classid, d.objid, 0)
		|| coalesce(' = ' || CASE WHEN d.classid = 'pg_catalog.pg_proc'::regclass
			THEN pg_catalog.pg_get_functiondef(d.objid) END, '')
		|| coalesce(' -- ' || pg_catalog.obj_description(d.objid, c.relname), '') AS o
	FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class c ON c.oid = d.classid
	WHERE d.deptype = 'e' AND d.refclassid = 'pg_catalog.pg_extension'::regclass
	  AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'migrate')
	UNION ALL
	SELECT 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
		|| ' ' || a.attnotnull || coalesce(' default ' || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '')
	FROM pg_catalog.pg_attribute a
	LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attrelid IN (
		SELECT objid FROM pg_catalog.pg_depend WHERE classid = 'pg_catalog.pg_class'::regclass
		AND deptype = 'e' AND refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'migrate'))
	) s(o)"

default_version=$(val postgres "SELECT default_version FROM pg_available_extensions WHERE name = 'migrate'")

# ------------------------------------------------------------ a database at 1.0
fresh_db upd_old 1.0
is "$(val upd_old "SELECT extversion FROM pg_extension WHERE extname = 'migrate'")" "1.0" \
	"CREATE EXTENSION migrate VERSION '1.0'"
pq upd_old "SELECT migrate_load('$MIGRATE_ENV_DIR');" \
	"SELECT migrate_add(E'-- inline\n--\n-- Revision ID: eeee00000001\n-- Revises: a2e418ad6a15\n\n-- migrate:upgrade\nCREATE TABLE inline_t (a int);\n\n-- migrate:downgrade\nDROP TABLE inline_t;\n', 'inline.sql');" \
	"SELECT migrate_upgrade('gxy@head');" "SELECT migrate_downgrade('gxy@-1');" "SELECT migrate_upgrade('tsi@+2');" \
	"SELECT migrate_config('branches', 'gxy, tsi');" "SELECT migrate_config('legacy_versions', 'gxy=180,tsi=17');" \
	"SELECT migrate_config('base_release', '22.01');"
is "$RC" 0 "at 1.0: a catalog, applied revisions, a log and settings"
[ "$RC" -eq 0 ] || diag "$ERR"
old_state=$(val upd_old "$STATE")
old_answers=$(val upd_old "${ANSWERS/\$CHECK/$CHECK}")
old_funcs=$(val upd_old "$FUNCS")
is "$(val upd_old "SELECT count(*) FROM migrate.migrate_log")" "11" "eleven log rows"

# ------------------------------------------------------------ the update
pq upd_old "ALTER EXTENSION migrate UPDATE;"
is "$RC" 0 "ALTER EXTENSION migrate UPDATE"
[ "$RC" -eq 0 ] || diag "$ERR"
is "$(val upd_old "SELECT extversion FROM pg_extension WHERE extname = 'migrate'")" "$default_version" \
	"the extension is at the default version ($default_version)"
is "$(val upd_old "$STATE")" "$old_state" "catalog, log, settings and version table are the same, row for row"
is "$(val upd_old "${ANSWERS/\$CHECK/$CHECK}")" "$old_answers" \
	"check, current, history, heads, show, branches, config and offline SQL answer as before"
is "$(val upd_old "SELECT count(*) FROM migrate.migrate_catalog_heads WHERE pos >= 0")" "2" "the kept heads are still there"
new_funcs=$(val upd_old "$FUNCS")
is "$(comm -23 <(printf '%s\n' "$old_funcs") <(printf '%s\n' "$new_funcs"))" "" \
	"no function of 1.0 is gone"

# ------------------------------------------------------------ the 1.1 relations on the updated database
is "$(val upd_old "SELECT count(*) FILTER (WHERE name = 'job') || ',' || count(*) FILTER (WHERE name LIKE 'migrate%')
	FROM migrate_schema() WHERE kind = 'table'")" "1,0" \
	"migrate_schema() reads the updated database: its tables, not the extension's"
is "$(val upd_old "SELECT (SELECT count(*) FROM migrate_plan()) > 0
	AND (SELECT count(*) FROM migrate_plan()) = (SELECT count(*) FROM migrate_rehearse() WHERE status = 'ok')")" "t" \
	"migrate_plan() and migrate_rehearse() agree on the steps left, and every step rehearses"
is "$(val upd_old "SELECT string_agg(DISTINCT status, ',') FROM migrate_stairway('current:heads')")" "ok" \
	"migrate_stairway() climbs the rest of the updated database's graph"
has "$(val upd_old "SELECT migrate_check()")" "drift: not checked: no run of this version has recorded the schema" \
	"drift: a database applied at 1.0 has no fingerprint, and migrate_check says so"
pq upd_old "BEGIN;" "SELECT migrate_upgrade();" "SELECT migrate_check();" "ROLLBACK;"
is "$(printf '%s\n' "$OUT" | grep -c '^drift:')" "0" "after a run on 1.1 the schema is recorded: no drift line"

# ------------------------------------------------------------ a database at 1.1, then the update
fresh_db upd_11 1.1
pq upd_11 "SELECT migrate_load('$MIGRATE_ENV_DIR');" "SELECT migrate_upgrade('gxy@head');" \
	"SELECT migrate_upgrade('tsi@+1');" "SELECT migrate_config('lock_timeout', '5s');"
is "$RC" 0 "at 1.1: a catalog, applied revisions, a log and settings"
[ "$RC" -eq 0 ] || diag "$ERR"
old11_state=$(val upd_11 "$STATE")
pq upd_11 "ALTER EXTENSION migrate UPDATE;"
is "$RC" 0 "ALTER EXTENSION migrate UPDATE from 1.1"
is "$(val upd_11 "SELECT extversion FROM pg_extension WHERE extname = 'migrate'")" "$default_version" \
	"the 1.1 database is at $default_version"
is "$(val upd_11 "$STATE")" "$old11_state" "with its catalog, log, settings and version table, row for row"
pq upd_11 "CALL migrate_downgrade_steps('-1');"
is "$RC" 0 "CALL migrate_downgrade_steps('-1') on the updated database"
has "$ERR" "NOTICE:  Running downgrade" "and says what it ran"

# ------------------------------------------------------------ a fresh installation is the same
fresh_db upd_new
is "$(val upd_new "SELECT extversion FROM pg_extension WHERE extname = 'migrate'")" "$default_version" \
	"CREATE EXTENSION migrate installs $default_version"
is "$(val upd_old "$OBJECTS")" "$(val upd_new "$OBJECTS")" \
	"the updated database has a fresh installation's objects, definitions, columns and comments"

# ------------------------------------------------------------ every function documented
is "$(val upd_old "SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY 1)
	FROM pg_catalog.pg_proc p WHERE p.oid IN (SELECT objid FROM pg_catalog.pg_depend
		WHERE classid = 'pg_catalog.pg_proc'::regclass AND deptype = 'e'
		AND refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'migrate'))
	AND coalesce(pg_catalog.obj_description(p.oid, 'pg_proc'), '') = ''")" "" \
	"every function has a comment (COMMENT ON FUNCTION: \\df+ migrate* is the manual)"
pq upd_old '\df+ migrate_upgrade'
has "$OUT" "upgrade to a target" "psql's \\df+ shows it"

# ------------------------------------------------------------ every function callable
missing=""
failed=""
procs=()
while IFS= read -r f; do
	[ -n "$f" ] || continue
	if [ -z "${CALLS[$f]+set}" ]; then
		missing+="$f "
		continue
	fi
	if [[ ${CALLS[$f]} == CALL* ]]; then
		procs+=("$f")
		continue
	fi
	pq upd_old "BEGIN;" "${CALLS[$f]};" "ROLLBACK;"
	if [ "$RC" -ne 0 ]; then
		failed+="$f: $(errmsg)"$'\n'
	fi
done <<<"$new_funcs"
is "$missing" "" "every function of the extension has a call in update.t's CALLS (add one for a new function)"
is "$failed" "" "every function runs after the update"
is "$(val upd_old "$STATE")" "$old_state" "and the calls (rolled back) changed nothing"
for f in "${procs[@]}"; do
	pq upd_old "${CALLS[$f]};"
	[ "$RC" -eq 0 ] || failed+="$f: $(errmsg)"$'\n'
done
is "$failed" "" "every procedure runs after the update"
is "$(val upd_old "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version")" \
	"5555bbbb0002,eeee00000001" "CALL migrate_downgrade_steps() and CALL migrate_upgrade_steps() ran, and the database is at the heads"

# ------------------------------------------------------------ pg_dump / pg_restore of the updated database
upd_state=$(val upd_old "$STATE")
upd_answers=$(val upd_old "${ANSWERS/\$CHECK/$NOCHECK}")
pg_dump -Fc -f "$TMP/upd.dump" upd_old 2>"$TMP/dump.err"
is "$?" 0 "pg_dump -Fc of the updated database"
_dbs+=(upd_restored)
createdb upd_restored && psql -X -q -d upd_restored -c "ALTER DATABASE upd_restored SET search_path = public, migrate" &&
	pg_restore --exit-on-error -d upd_restored "$TMP/upd.dump" 2>"$TMP/restore.err"
is "$?" 0 "pg_restore into a new database"
[ -s "$TMP/restore.err" ] && diag "$(cat "$TMP/restore.err")"
is "$(val upd_restored "SELECT extversion FROM pg_extension WHERE extname = 'migrate'")" "$default_version" \
	"the restored extension is at $default_version"
is "$(val upd_restored "$STATE")" "$upd_state" "with the same state, row for row"
is "$(val upd_restored "${ANSWERS/\$CHECK/$NOCHECK}")" "$upd_answers" "and the same answers (migrate_check aside)"
pq upd_restored "SELECT migrate_downgrade('tsi@-1');" "SELECT migrate_upgrade();"
is "$RC" 0 "the restored database migrates down and up"
is "$OUT" "Running downgrade 5555bbbb0002 -> 5555bbbb0001, add repository status
Running upgrade 5555bbbb0001 -> 5555bbbb0002, add repository status" "one step each way"

done_testing
