#!/bin/bash
# rehearse.t -- the database rehearses and proves its own migrations on
# PostgreSQL: migrate_plan, migrate_schema, migrate_rehearse (with the
# tables a step rewrites and the locks it takes), migrate_stairway,
# offline SQL from current, and drift in migrate_check.  The environments
# (tests/rehearse/envs.sh) are the ones tests/sqlite/rehearse.t checks on
# SQLite.  Nothing here may change the database: every call is checked
# against a pg_dump taken before it.
. "$(dirname "$0")/lib.sh"
. "$MIGRATE_ROOT/tests/rehearse/envs.sh"

plan 41

envs=$TMP/envs
make_envs "$envs"
chmod -R a+rX "$envs"
NL=$'\n'
LOCK_KEY=30796665482998885	# the run's advisory lock: "migrate" as a bigint

dump() { pg_dump -X --no-comments -d "$1" 2>&1; }

# unchanged NAME DB SQL...: the SQL runs and the database's pg_dump is the same before and after
unchanged() {
	local name=$1 db=$2 before
	shift 2
	before=$(dump "$db")
	pq "$db" "$@"
	is "$(dump "$db")" "$before" "$name leaves the database as it was"
}

# stairway ENV: a fresh database with ENV loaded; OUT is its stairway
stairway() {
	fresh_db "st_$1"
	pq "st_$1" "SELECT migrate_load('$envs/$1');"
	pq "st_$1" "SELECT step, revision, status, detail FROM migrate_stairway();"
}

# ------------------------------------------------------------ migrate_plan
fresh_db plan
pq plan "SELECT migrate_load('$envs/clean');"
unchanged "migrate_plan()" plan "SELECT step, revision, direction, from_revisions, to_revisions, message, file, transactional, statements, sql FROM migrate_plan();"
is "$OUT" "1|r1|upgrade||r1|revision r1|r1_rev.sql|t|1|CREATE TABLE job (id integer PRIMARY KEY, state varchar(32));
2|r2|upgrade|r1|r2|revision r2|r2_rev.sql|t|1|ALTER TABLE job ADD COLUMN note text;
3|r3|upgrade|r2|r3|revision r3|r3_rev.sql|t|1|CREATE INDEX ix_job_state ON job (state);
4|r4|upgrade|r3|r4|revision r4|r4_rev.sql|t|1|CREATE VIEW running_job AS SELECT id FROM job WHERE state = 'running';" \
	"migrate_plan(): every step to the heads, with its SQL"
pq plan "SELECT migrate_upgrade('r2');"
is "$(val plan "SELECT string_agg(revision || ' ' || direction, ',' ORDER BY step) FROM migrate_plan('base')")" \
	"r2 downgrade,r1 downgrade" "migrate_plan('base') is a downgrade"
is "$(val plan "SELECT string_agg(revision, ',') FROM migrate_plan('r1', 'downgrade')")" "r2" \
	"run_direction 'downgrade' plans a downgrade to a revision"
is "$(val plan "SELECT count(*) FROM migrate_plan() WHERE NOT transactional")" "0" "the CI gate"
pq plan "SELECT * FROM migrate_plan('r3', 'sideways');"
is "$(errmsg)" 'migrate_plan: run_direction must be "upgrade" or "downgrade", not "sideways"' "a bad run_direction is refused"

# ------------------------------------------------------------ migrate_upgrade_sql from current
is "$(val plan "SELECT migrate_upgrade_sql('current:r3')")" "BEGIN;

-- Running upgrade r2 -> r3

CREATE INDEX ix_job_state ON job (state);

UPDATE alembic_version SET version_num='r3' WHERE alembic_version.version_num = 'r2';

COMMIT;" "migrate_upgrade_sql('current:r3') starts from the version table"

# ------------------------------------------------------------ migrate_schema
fresh_db sa
fresh_db sb
pq sa "CREATE TYPE mood AS ENUM ('sad', 'ok');" "CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL DEFAULT 'x' CHECK (v <> ''), m mood, u int UNIQUE);" \
	"CREATE TABLE s (t_id int REFERENCES t (id) ON DELETE CASCADE);" "CREATE INDEX ix_s ON s (t_id);" \
	"CREATE VIEW vt AS SELECT id FROM t;" "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';" \
	"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();"
pq sb "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';" "CREATE TYPE mood AS ENUM ('sad', 'ok');" \
	"CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL DEFAULT 'x' CHECK (v <> ''), m mood, u int UNIQUE);" \
	"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();" "CREATE VIEW vt AS SELECT id FROM t;" \
	"CREATE TABLE s (t_id int REFERENCES t (id) ON DELETE CASCADE);" "CREATE INDEX ix_s ON s (t_id);"
pq sa "SELECT kind, name, parent, definition FROM migrate_schema() WHERE kind <> 'function';"
schema_a=$OUT
pq sb "SELECT kind, name, parent, definition FROM migrate_schema() WHERE kind <> 'function';"
is "$OUT" "$schema_a" "equal schemas give equal rows whatever the creation order"
is "$schema_a" "table|s||
table|t||
column|s.t_id|s|integer
column|t.id|t|integer NOT NULL DEFAULT nextval('t_id_seq'::regclass)
column|t.m|t|mood
column|t.u|t|integer
column|t.v|t|text NOT NULL DEFAULT 'x'::text
primary key|t.t_pkey|t|PRIMARY KEY (id)
unique|t.t_u_key|t|UNIQUE (u)
check|t.t_v_check|t|CHECK (v <> ''::text)
foreign key|s.s_t_id_fkey|s|FOREIGN KEY (t_id) REFERENCES t(id) ON DELETE CASCADE
index|ix_s|s|CREATE INDEX ix_s ON public.s USING btree (t_id)
view|vt|| SELECT t.id
   FROM t;
trigger|t.tr|t|CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()
sequence|t_id_seq||integer START 1 INCREMENT 1 MINVALUE 1 MAXVALUE 2147483647 CACHE 1
type|mood||ENUM ('sad', 'ok')" "migrate_schema(): tables, columns, constraints, indexes, views, triggers, sequences, enums"
is "$(val sa "SELECT name FROM migrate_schema() WHERE kind = 'function'")" "f()" "and functions, by their identity"
is "$(val plan "SELECT count(*) FROM migrate_schema() WHERE name LIKE 'migrate%' OR name LIKE 'alembic%'")" "0" \
	"the extension's tables and the version table are left out"
is "$(PGOPTIONS='-c search_path=pg_temp' val sa "SELECT count(*) FROM migrate.migrate_schema()")" "$(val sa "SELECT count(*) FROM migrate_schema()")" \
	"the same rows whatever the search_path"

# ------------------------------------------------------------ migrate_rehearse
fresh_db rh
pq rh "SELECT migrate_load('$envs/clean');"
unchanged "migrate_rehearse()" rh "SELECT step, revision, direction, status, statements, changes, rewrites, locks, error FROM migrate_rehearse();"
is "$OUT" "1|r1|upgrade|ok|1|added table job|||
2|r2|upgrade|ok|1|added column job.note: text|||
3|r3|upgrade|ok|1|added index ix_job_state: CREATE INDEX ix_job_state ON public.job USING btree (state)|||
4|r4|upgrade|ok|1|added view running_job:  SELECT job.id
   FROM job
  WHERE job.state::text = 'running'::text;|||" "migrate_rehearse(): every step run, with its schema change"

# rewrites and locks: a table with rows, then a type change and an index
rw=$TMP/rw
write_rev "$rw" w1 "" "CREATE TABLE job (id integer PRIMARY KEY, state text); INSERT INTO job VALUES (1, 'new');" "DROP TABLE job;"
write_rev "$rw" w2 w1 "CREATE INDEX ix_job_state ON job (state);" "DROP INDEX ix_job_state;"
write_rev "$rw" w3 w2 "ALTER TABLE job ALTER COLUMN id TYPE bigint;" "ALTER TABLE job ALTER COLUMN id TYPE integer;"
chmod -R a+rX "$rw"
fresh_db rw
pq rw "SELECT migrate_load('$rw');" "SELECT migrate_upgrade('w1');"
unchanged "a rehearsal that rewrites a table" rw "SELECT step, revision, changes, rewrites, locks FROM migrate_rehearse();"
is "$OUT" "1|w2|added index ix_job_state: CREATE INDEX ix_job_state ON public.job USING btree (state)||job: SHARE
2|w3|changed column job.id: type bigint, was integer|job|job: ACCESS EXCLUSIVE" \
	"step 2 rewrites table job under ACCESS EXCLUSIVE; step 1 takes SHARE"

fresh_db fail
pq fail "SELECT migrate_load('$envs/up_fails');"
unchanged "a rehearsal whose step fails" fail "SELECT step, revision, status, changes, error, error_context FROM migrate_rehearse();"
is "$OUT" "1|r1|ok|added table job||
2|r2|failed||relation \"no_such_table\" does not exist|upgrade of revision r2 (\"revision r2\"), file \"r2_rev.sql\", statement 2: INSERT INTO no_such_table VALUES (1)" \
	"the failing step is a row with its error, and the rehearsal stops there"

fresh_db txn
pq txn "SELECT migrate_load('$envs/clean');"
before=$(dump txn)
pq txn "BEGIN;" "CREATE TABLE mine (a int);" "SELECT count(*) FROM migrate_rehearse();" \
	"SELECT count(*) FROM migrate_stairway();" "SELECT string_agg(name, ',') FROM migrate_schema() WHERE kind = 'table';" "COMMIT;"
is "$OUT" "4${NL}4${NL}mine" "inside the caller's transaction: rehearse and stairway run, the caller's work stays"
pq txn "DROP TABLE mine;"
is "$(dump txn)" "$before" "and the caller's COMMIT keeps only its own work"

# ------------------------------------------------------------ migrate_stairway
stairway clean
is "$OUT" "1|r1|ok|${NL}2|r2|ok|${NL}3|r3|ok|${NL}4|r4|ok|" "stairway of clean: every revision ok"
stairway branchy
is "$OUT" "1|r1|ok|${NL}2|b1|ok|${NL}3|a1|ok|${NL}4|m1|ok|${NL}5|r3|ok|" "stairway of branchy: the plan's order, the merge included"
stairway forgets_index
is "$OUT" "1|r1|ok|
2|r2|ok|
3|r3|difference|index ix_job_state still exists after downgrade of r3
upgrade after downgrade failed: relation \"ix_job_state\" already exists
upgrade of revision r3 (\"revision r3\"), file \"r3_rev.sql\", statement 1: CREATE INDEX ix_job_state ON job (state)" \
	"stairway: a downgrade that forgets an index"
stairway leaves_column
is "$OUT" "1|r1|ok|
2|r2|difference|column job.note still exists after downgrade of r2
upgrade after downgrade failed: column \"note\" of relation \"job\" already exists
upgrade of revision r2 (\"revision r2\"), file \"r2_rev.sql\", statement 1: ALTER TABLE job ADD COLUMN note text" \
	"stairway: a downgrade that leaves a column"
stairway other_type
is "$OUT" "1|r1|ok|
2|r2|difference|column job.note: type text after downgrade of r2, was character varying(32)" \
	"stairway: a downgrade that restores a column with another type"
stairway drops_other
is "$OUT" "1|r1|ok|
2|r2|difference|table job is missing after downgrade of r2, it existed before the upgrade
upgrading r2 again does not give the same schema:
dropped table job" "stairway: a downgrade that drops a table it did not create"
stairway fails
is "$OUT" "1|r1|ok|
2|r2|failed|downgrade failed: table \"no_such_table\" does not exist
downgrade of revision r2 (\"revision r2\"), file \"r2_rev.sql\", statement 2: DROP TABLE no_such_table" \
	"stairway: a downgrade that fails"
unchanged "a stairway whose downgrade fails" st_fails "SELECT count(*) FROM migrate_stairway();"
unchanged "a stairway that finds a difference" st_forgets_index "SELECT count(*) FROM migrate_stairway();"

nt=$TMP/nt
write_rev "$nt" n1 "" "CREATE TABLE job (id integer, state text);" "DROP TABLE job;"
write_rev "$nt" n2 n1 "CREATE INDEX CONCURRENTLY ix_job_state ON job (state);" "DROP INDEX CONCURRENTLY ix_job_state;"
sed -i 's/^-- Revises: .*/&\n-- Transactional: false/' "$nt/n2_rev.sql"
write_rev "$nt" n3 n2 "ALTER TABLE job ADD COLUMN note text;" "ALTER TABLE job DROP COLUMN note;"
chmod -R a+rX "$nt"
fresh_db nt
pq nt "SELECT migrate_load('$nt');"
pq nt "SELECT step, revision, status, detail FROM migrate_stairway();"
is "$OUT" "1|n1|ok|
2|n2|skipped|revision n2 is marked \"Transactional: false\": it cannot run inside the rehearsal's transaction; run it with CALL migrate_upgrade_steps()
3|n3|ok|" "stairway: a Transactional: false revision is skipped with the reason"
pq nt "SELECT step, revision, status, error FROM migrate_rehearse();"
is "$OUT" "1|n1|ok|
2|n2|skipped|revision n2 is marked \"Transactional: false\": it cannot run inside the rehearsal's transaction; run it with CALL migrate_upgrade_steps()
3|n3|ok|" "rehearse: the same"

pq plan "SELECT migrate_upgrade();"
unchanged "migrate_stairway() from part-way" plan "SELECT step, revision, status FROM migrate_stairway('base:r3');"
is "$OUT" "1|r1|ok${NL}2|r2|ok${NL}3|r3|ok" "a range below the database: down to its start first, then the climb"

# ------------------------------------------------------------ the run's lock
fresh_db lk
pq lk "SELECT migrate_load('$envs/clean');"
( psql -X -q -d lk -c "SELECT pg_advisory_lock($LOCK_KEY), pg_sleep(8)" >/dev/null 2>&1 ) &
holder=$!
sleep 1
pq lk "SET lock_timeout = '200ms';" "SELECT count(*) FROM migrate_rehearse();"
is "$(errmsg)" "database is busy" "migrate_rehearse takes the run's lock"
pq lk "SET lock_timeout = '200ms';" "SELECT count(*) FROM migrate_stairway();"
is "$(errmsg)" "database is busy" "so does migrate_stairway"
wait "$holder"

# ------------------------------------------------------------ drift
fresh_db drift
pq drift "SELECT migrate_load('$envs/clean');" "SELECT migrate_upgrade();"
is "$(val drift "SELECT migrate_check()")" "ok: the database is at the heads (r4)" "no drift after an ordinary run"
pq drift "ALTER TABLE job ADD COLUMN hand text;" "CREATE INDEX ix_hand ON job (hand);" "DROP VIEW running_job;" "SELECT migrate_check();"
ok "drift after a hand-made ALTER TABLE, CREATE INDEX and DROP VIEW: each named" \
	grep -Eqz "^drift: column job.hand added since r4 was applied on [0-9-]+ [0-9:]+ UTC
drift: index ix_hand added since r4 was applied on [0-9-]+ [0-9:]+ UTC
drift: view running_job dropped since r4 was applied on [0-9-]+ [0-9:]+ UTC
the schema was changed outside migrations: write a revision for the change \(or undo it by hand\) before the next run records the schema as it is$" <<<"$OUT"
pq drift "ALTER TABLE job ALTER COLUMN state TYPE text;" "SELECT migrate_check();"
has "$OUT" "drift: column job.state changed (type text, was character varying(32)) since r4" "a changed column type is named with both"
pq drift "SELECT migrate_stamp('r3');" "SELECT migrate_stamp('r4');"
is "$(val drift "SELECT migrate_check()")" "ok: the database is at the heads (r4)" "a run records the schema as it then is"
is "$(val drift "SELECT revisions FROM migrate.migrate_schema_fingerprint")" "r4" "with the revisions it left"

fresh_db nofp
pq nofp "SELECT migrate_load('$envs/clean');" "SELECT migrate_upgrade();" "DELETE FROM migrate.migrate_schema_fingerprint;"
is "$(val nofp "SELECT migrate_check()")" "ok: the database is at the heads (r4)
drift: not checked: no run of this version has recorded the schema (the database was migrated by Alembic or by an earlier version); the next upgrade, downgrade or stamp records it" \
	"no fingerprint recorded: it says so instead of guessing"

done_testing
