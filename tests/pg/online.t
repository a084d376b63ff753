#!/bin/bash
# online.t -- steps marked "Transactional: false" run online from
# CALL migrate_upgrade_steps(): through a loopback dblink connection,
# between committed steps, while other sessions write to the table.  A
# concurrent build that fails leaves no invalid index and a clear error.
# SELECT migrate_upgrade() refuses such a step naming both routes.
# Downgrades likewise, from CALL migrate_downgrade_steps().
. "$(dirname "$0")/lib.sh"

plan 32

# write_nontx DIR ID REVISES UP DOWN: a revision marked Transactional: false
write_nontx() {
	write_rev "$@"
	sed -i 's/^-- Revises: \(.*\)$/-- Revises: \1\n-- Transactional: false/' "$1/${2}_rev.sql"
}

envd=$TMP/env
write_rev "$envd" r1 "" "CREATE TABLE t (id serial PRIMARY KEY, a int, b text);
INSERT INTO t (a, b) SELECT g, 'b' || (g % 100) FROM generate_series(1, 20000) g;" "DROP TABLE t;"
write_nontx "$envd" r2 r1 "CREATE INDEX CONCURRENTLY t_a_idx ON t (a);" "DROP INDEX CONCURRENTLY t_a_idx;"
write_rev "$envd" r3 r2 "ALTER TABLE t ADD COLUMN c int;" "ALTER TABLE t DROP COLUMN c;"

fresh_db online
pq online "CREATE EXTENSION dblink;" "SELECT migrate_load('$envd');"
is "$RC" 0 "setup: dblink, and r1 (a table), r2 (CREATE INDEX CONCURRENTLY, Transactional: false), r3"

# ------------------------------------------------------------ SELECT refuses, naming both routes
pq online "SELECT migrate_upgrade();"
is "$(errmsg)" "revision r2 cannot run inside a transaction" "SELECT migrate_upgrade() refuses the step"
has "$ERR" "CALL migrate_upgrade_steps(" "naming the CALL"
has "$ERR" "migrate_upgrade_sql('<from>:<to>')" "and the offline SQL"
is "$(val online "SELECT to_regclass('t') IS NULL")" "t" "before anything ran"

# ------------------------------------------------------------ CALL runs it online while a session writes
pq online "CALL migrate_upgrade_steps('r1');"
is "$RC" 0 "CALL migrate_upgrade_steps('r1'): the table, with 20000 rows"
# the writer: 150 short transactions, one insert each
(
	for i in $(seq 1 150); do
		echo "INSERT INTO t (a, b) VALUES ($((100000 + i)), 'w$i');"
		echo "SELECT pg_sleep(0.01);"
	done
) | PGAPPNAME=writer psql -X -q -A -t -v ON_ERROR_STOP=1 -d online >"$TMP/writer.out" 2>"$TMP/writer.err" &
writer=$!
for _ in $(seq 1 100); do
	[ "$(val online "SELECT count(*) > 20000 FROM t")" = "t" ] && break
	sleep 0.05
done
is "$(val online "SELECT count(*) > 20000 FROM t")" "t" "another session is writing to the table"
pq online "CALL migrate_upgrade_steps();"
is "$RC" 0 "CALL migrate_upgrade_steps() runs the rest"
[ "$RC" -eq 0 ] || diag "$ERR"
has "$ERR" "NOTICE:  running statement 1 outside a transaction, on a loopback connection: CREATE INDEX CONCURRENTLY t_a_idx ON t (a)" \
	"the step ran on the loopback connection"
has "$ERR" "NOTICE:  Running upgrade r1 -> r2, revision r2" "and was recorded"
has "$ERR" "NOTICE:  Running upgrade r2 -> r3, revision r3" "then the next step ran"
wait "$writer"
is "$?" 0 "the writer was never blocked into an error"
is "$(val online "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_a_idx'::regclass")" "t" "the index is valid"
is "$(val online "SELECT count(*) FROM t")" "20150" "and every row of the writer is there"
is "$(val online "SELECT count(*) FROM t WHERE a > 100000")" "150" "(the index answers)"
is "$(val online "SELECT version_num FROM alembic_version")" "r3" "the database is at r3"
is "$(val online "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.migrate_log")" "r1,r2,r3" \
	"each step logged once"
is "$(val online "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" "0" "no migration lock is left held"

# ------------------------------------------------------------ a concurrent build that fails
write_nontx "$envd" r4 r3 "CREATE UNIQUE INDEX CONCURRENTLY t_b_key ON t (b);" "DROP INDEX CONCURRENTLY t_b_key;"
pq online "SELECT migrate_load('$envd');" "CALL migrate_upgrade_steps();"
is "$(errmsg)" 'could not create unique index "t_b_key"' "a unique build over duplicates fails with PostgreSQL's message"
has "$ERR" 'DETAIL:  Key (b)=(' "the duplicate key"
has "$ERR" 'The failed build left the invalid index public.t_b_key; it was dropped (DROP INDEX CONCURRENTLY).' \
	"the invalid index was dropped, and the error says so"
has "$ERR" 'CONTEXT:  upgrade of revision r4 ("revision r4"), file "r4_rev.sql", statement 1: CREATE UNIQUE INDEX CONCURRENTLY t_b_key ON t (b)' \
	"the context names the revision and statement"
is "$(val online "SELECT count(*) FROM pg_index WHERE NOT indisvalid")" "0" "no invalid index is left"
is "$(val online "SELECT version_num FROM alembic_version")" "r3" "the step is not recorded: still at r3"

# ------------------------------------------------------------ downgrading online
pq online "SELECT migrate_downgrade('r1');"
is "$(errmsg)" "revision r2 cannot run inside a transaction" "SELECT migrate_downgrade() refuses the online step's downgrade"
has "$ERR" "CALL migrate_downgrade_steps(" "naming the CALL"
has "$ERR" "migrate_downgrade_sql('<from>:<to>')" "and the offline SQL"
pq online "CALL migrate_downgrade_steps('r1');"
is "$RC" 0 "CALL migrate_downgrade_steps('r1') runs r3's downgrade, then r2's online"
has "$ERR" "NOTICE:  running statement 1 outside a transaction, on a loopback connection: DROP INDEX CONCURRENTLY t_a_idx" \
	"the DROP INDEX CONCURRENTLY went through the loopback connection"
is "$(val online "SELECT to_regclass('t_a_idx') IS NULL AND version_num = 'r1' FROM alembic_version")" "t" \
	"the index is gone and the database is at r1"
is "$(val online "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" "0" "no migration lock is left held"

# ------------------------------------------------------------ no dblink
fresh_db online_nodblink
pq online_nodblink "SELECT migrate_load('$envd');" "CALL migrate_upgrade_steps();"
is "$(errmsg)" 'extension "dblink" is not installed in this database' "without dblink, the error says what is missing"

done_testing
