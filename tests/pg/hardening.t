#!/bin/bash
# hardening.t -- hostile revision scripts (issue 18): transaction control
# in a body (finding 2) and a body that calls the engine again (finding
# 8) are refused with a clear error naming the revision and statement,
# and nothing changes.
. "$(dirname "$0")/lib.sh"

plan 36

# snapshot DB: what a user sees (tables, version rows, log, catalog)
snapshot() {
	val "$1" "SELECT pg_catalog.string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_catalog.pg_class c
		JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
	val "$1" "SELECT count(*) FROM migrate.migrate_log"
	val "$1" "SELECT count(*) || ' ' || pg_catalog.max(checksum) FROM migrate.migrate_catalog"
	val "$1" "SELECT CASE WHEN to_regclass('public.alembic_version') IS NULL THEN 'none' ELSE
		(SELECT coalesce(pg_catalog.string_agg(version_num, ','), 'empty') FROM public.alembic_version) END"
}

# body_case NAME BODY TEXT...: r1 creates t1, r2 runs BODY, r3 creates t3;
# migrate_upgrade() fails with every TEXT and changes nothing (two tests
# and one per TEXT).
n=0
body_case() {
	local name=$1 body=$2 db before t
	shift 2
	n=$((n + 1))
	db=hard$n
	fresh_db "$db"
	write_rev "$TMP/e$n" r1 "" "CREATE TABLE t1 (a int);" "DROP TABLE t1;"
	write_rev "$TMP/e$n" r2 r1 "$body" "SELECT 1;"
	write_rev "$TMP/e$n" r3 r2 "CREATE TABLE t3 (a int);" "DROP TABLE t3;"
	pq "$db" "SELECT migrate_load('$TMP/e$n');"
	before=$(snapshot "$db")
	pq "$db" "\\set VERBOSITY verbose" "SELECT migrate_upgrade();"
	ok "$name: fails" [ "$RC" -ne 0 ]
	for t in "$@"; do
		has "$ERR" "$t" "$name: says $t"
	done
	is "$(snapshot "$db")" "$before" "$name: nothing changed"
}

# ------------------------------------------------------------ finding 2
body_case "COMMIT; BEGIN in a body (the issue's repro)" \
	"CREATE TABLE t2(a int); COMMIT; BEGIN; CREATE TABLE t3(a int); SELECT * FROM nonexistent;" \
	"ERROR:  0A000: transaction control statements are not allowed in a revision script" \
	'CONTEXT:  upgrade of revision r2 ("revision r2"), file "r2_rev.sql", statement 2: COMMIT' \
	"HINT:  Remove the statement from the script" "nothing was changed"
body_case "COMMIT at the end of a body" "CREATE TABLE t2(a int); COMMIT;" \
	"transaction control statements are not allowed" "statement 2: COMMIT"
body_case "SAVEPOINT" "SAVEPOINT s; CREATE TABLE t2(a int); RELEASE s;" \
	"transaction control statements are not allowed" "statement 1: SAVEPOINT s"
body_case "ROLLBACK" "CREATE TABLE t2(a int); ROLLBACK;" \
	"transaction control statements are not allowed" "statement 2: ROLLBACK"
body_case "a procedure that commits" "CREATE PROCEDURE p() LANGUAGE plpgsql AS \$\$ BEGIN COMMIT; END \$\$; CALL p();" \
	"ERROR:  2D000: invalid transaction termination" "statement 2: CALL p()" \
	"HINT:  A procedure called from a revision cannot commit or roll back"

# ------------------------------------------------------------ finding 8
body_case "a body that calls migrate_upgrade()" "CREATE TABLE t2(a int); SELECT migrate_upgrade();" \
	"ERROR:  55006: cannot change the database from inside a run: a migration is in progress in this session" \
	"statement 2: SELECT migrate_upgrade()" "HINT:  Remove the call from the revision script."
body_case "a body that calls migrate_stamp()" "SELECT migrate_stamp('r1');" \
	"cannot change the database from inside a run"

# after the refused nested call, the same session runs again
db=hard$n
SQ=$(printf '%s\n' "SELECT migrate_upgrade();" \
	"UPDATE migrate.migrate_catalog SET script = replace(script, 'SELECT migrate_stamp(''r1'');', 'SELECT 1;') WHERE revision = 'r2';" \
	"SELECT migrate_upgrade();" | psql -X -q -A -t -d "$db" 2>&1)
has "$SQ" "Running upgrade r2 -> r3" "after a refused nested call the same session runs the fixed revisions"

# ------------------------------------------------------------ finding 9: a 50 MB body
# 100,000 statements of about 500 bytes each: the body is split by the
# scanner and each statement parsed on its own, so the backend's peak
# does not grow with the body's parse trees (it reached 600 MB).
fresh_db big
mkdir -p "$TMP/big" && chmod 755 "$TMP/big"
{
	printf -- '-- big\n--\n-- Revision ID: big1\n-- Revises:\n\n-- migrate:upgrade\nCREATE TABLE t (a int);\n'
	pad=$(printf '%0480d' 0)
	awk -v pad="$pad" 'BEGIN { for (i = 0; i < 100000; i++) printf "INSERT INTO t VALUES (%d); -- %s\n", i, pad }'
	printf -- '\n-- migrate:downgrade\nDROP TABLE t;\n'
} >"$TMP/big/big1.sql"
chmod 644 "$TMP/big/big1.sql"
pq big "SELECT migrate_load('$TMP/big');"
is "$RC" 0 "a revision of $(($(stat -c %s "$TMP/big/big1.sql") / 1000000)) MB loads"
coproc P { PGOPTIONS="-c client_min_messages=warning" psql -X -q -A -t -d big 2>&1; }
ppid=$P_PID
echo "SELECT pg_backend_pid();" >&"${P[1]}"
read -r -u "${P[0]}" pid
before=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
echo "SELECT length(migrate_upgrade());" >&"${P[1]}"
read -r -u "${P[0]}" out
after=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
echo "\\q" >&"${P[1]}"
wait "$ppid" 2>/dev/null
is "$(val big "SELECT count(*) FROM t")" "100000" "its 100,000 statements ran"
grew=$(((after - before) / 1024))
diag "backend peak grew by $grew MB during the run"
ok "the backend's peak grew by less than 250 MB ($grew MB)" [ "$grew" -lt 250 ]

# statements whose bodies hold ';' (BEGIN ATOMIC, dollar quotes) stay whole
fresh_db atomic
write_rev "$TMP/atomic" a1 "" "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT 1;
  SELECT CASE WHEN x > 0 THEN 2 ELSE 3 END;
END;
CREATE TABLE t (a int);
CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END;
CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS \$\$ BEGIN RETURN 4; END; \$\$;
CALL p(); SELECT ';' AS \"x;y\"" "SELECT 1;"
pq atomic "SELECT migrate_load('$TMP/atomic');" "SELECT length(migrate_upgrade());" \
	"SELECT f(1) || ',' || f(0) || ',' || g() || ',' || (SELECT count(*) FROM t);"
is "$(printf '%s\n' "$OUT" | tail -n 1)" "2,3,4,2" "BEGIN ATOMIC bodies, CASE inside them, dollar quotes and quoted ';' are not split"

done_testing
