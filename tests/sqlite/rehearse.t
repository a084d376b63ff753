#!/bin/bash
# rehearse.t -- the database rehearses and proves its own migrations:
# migrate_plan, migrate_schema, migrate_rehearse, migrate_stairway,
# offline SQL from current, and drift in migrate_check.  The environments
# (tests/rehearse/envs.sh) are the ones tests/pg/rehearse.t checks on
# PostgreSQL.  Nothing here may change the database: every call is
# checked against a .dump taken before it.
. "$(dirname "$0")/lib.sh"
. "$MIGRATE_ROOT/tests/rehearse/envs.sh"

plan 66

envs=$TMP/envs
make_envs "$envs"
NL=$'\n'

# stairway DB ENV: load ENV and run the stairway; OUT is its rows
stairway() {
	sq "$1" "SELECT migrate_load('$envs/$2');"
	sq "$1" "SELECT step, revision, status, detail FROM migrate_stairway();"
}

# unchanged NAME DB SQL...: SQL succeeds (or fails, with SQ_BAIL=0) and
# the database's .dump is the same before and after
unchanged() {
	local name=$1 db=$2 before after
	shift 2
	before=$(snapshot "$db")
	sq "$db" "$@"
	after=$(snapshot "$db")
	is "$after" "$before" "$name leaves the database as it was"
}

# ------------------------------------------------------------ migrate_plan
db=$TMP/plan.db
sq_ok "load the clean environment" "$db" "SELECT migrate_load('$envs/clean');"
unchanged "migrate_plan()" "$db" "SELECT step, revision, direction, from_revisions, to_revisions, message, file, transactional, statements, sql FROM migrate_plan();"
is "$OUT" "1|r1|upgrade||r1|revision r1|r1_rev.sql|1|1|CREATE TABLE job (id integer PRIMARY KEY, state varchar(32));
2|r2|upgrade|r1|r2|revision r2|r2_rev.sql|1|1|ALTER TABLE job ADD COLUMN note text;
3|r3|upgrade|r2|r3|revision r3|r3_rev.sql|1|1|CREATE INDEX ix_job_state ON job (state);
4|r4|upgrade|r3|r4|revision r4|r4_rev.sql|1|1|CREATE VIEW running_job AS SELECT id FROM job WHERE state = 'running';" \
	"migrate_plan(): every step to the heads, with its SQL"
sq "$db" "SELECT count(*) FROM migrate_plan() WHERE NOT transactional;"
is "$OUT" "0" "the CI gate: no step outside a transaction"
sq_ok "upgrade to r2" "$db" "SELECT migrate_upgrade('r2');"
sq "$db" "SELECT step || ' ' || revision || ' ' || direction FROM migrate_plan('-1');"
is "$OUT" "1 r2 downgrade" "migrate_plan('-1') is a downgrade: only a downgrade takes -1"
sq "$db" "SELECT group_concat(revision, ',') FROM migrate_plan('base');"
is "$OUT" "r2,r1" "migrate_plan('base') is a downgrade"
sq "$db" "SELECT group_concat(revision, ',') FROM migrate_plan('r1', 'downgrade');"
is "$OUT" "r2" "run_direction 'downgrade' plans a downgrade to a revision"
sq "$db" "SELECT group_concat(revision, ',') FROM migrate_plan('r1');"
is "$OUT" "" "an upgrade to a revision below the database plans nothing"
sq "$db" "SELECT group_concat(revision, ',') FROM migrate_plan(NULL, 'upgrade');"
is "$OUT" "r3,r4" "NULL target: the heads"
SQ_BAIL=0 sq "$db" "SELECT * FROM migrate_plan('r9');"
is "$(errmsg)" "Can't locate revision identified by 'r9'" "an unknown target is the run's error"
SQ_BAIL=0 sq "$db" "SELECT * FROM migrate_plan('r3', 'sideways');"
is "$(errmsg)" 'migrate_plan: run_direction must be "upgrade" or "downgrade", not "sideways"' \
	"a bad run_direction is refused"
SQ_BAIL=0 sq "$db" "SELECT * FROM migrate_plan('r1:r3');"
is "$(errmsg)" "Range revision not allowed" "a range is refused, as a run refuses it"
sq "$db" "SELECT revision FROM migrate_plan WHERE target = 'heads' AND run_direction = 'upgrade';"
is "$OUT" "r3${NL}r4" "the arguments are HIDDEN columns"

# ------------------------------------------------------------ migrate_upgrade_sql from current
sq "$db" "SELECT migrate_upgrade_sql('current:r3');"
is "$OUT" "-- Running upgrade r2 -> r3

CREATE INDEX ix_job_state ON job (state);

UPDATE alembic_version SET version_num='r3' WHERE alembic_version.version_num = 'r2';" \
	"migrate_upgrade_sql('current:r3') starts from the version table"
sq "$db" "SELECT migrate_downgrade_sql('current:base');"
has "$OUT" "-- Running downgrade r2 -> r1" "migrate_downgrade_sql('current:base') too"
sq "$db" "SELECT migrate_upgrade_sql('base:current');"
has "$OUT" "-- Running upgrade r1 -> r2${NL}" "current as the end: the database's revision"
lacks "$OUT" "r3" "and no further"

# ------------------------------------------------------------ migrate_schema
a=$TMP/a.db
b=$TMP/b.db
sq_ok "one schema" "$a" "CREATE TABLE t (id integer PRIMARY KEY, v TEXT NOT NULL DEFAULT 'x' CHECK (v <> ''), u int UNIQUE, w int REFERENCES t (id) ON DELETE CASCADE);" \
	"CREATE TABLE s (a int, b int, PRIMARY KEY (b, a)) WITHOUT ROWID;" \
	"CREATE INDEX ix_t_v ON t (v);" "CREATE VIEW vt AS SELECT id FROM t;" \
	"CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;"
sq_ok "the same schema made in another order" "$b" "CREATE TABLE s (a int, b int, PRIMARY KEY (b, a)) WITHOUT ROWID;" \
	"CREATE TABLE t (id integer PRIMARY KEY, v TEXT NOT NULL DEFAULT 'x' CHECK (v <> ''), u int UNIQUE, w int REFERENCES t (id) ON DELETE CASCADE);" \
	"CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;" "CREATE VIEW vt AS SELECT id FROM t;" \
	"CREATE INDEX ix_t_v ON t (v);"
sq "$a" "SELECT kind, name, parent, definition FROM migrate_schema();"
schema_a=$OUT
sq "$b" "SELECT kind, name, parent, definition FROM migrate_schema();"
is "$OUT" "$schema_a" "equal schemas give equal rows whatever the creation order"
is "$schema_a" "table|s||WITHOUT ROWID
table|t||
column|s.a|s|int NOT NULL
column|s.b|s|int NOT NULL
column|t.id|t|integer
column|t.u|t|int
column|t.v|t|text NOT NULL DEFAULT 'x'
column|t.w|t|int
primary key|s|s|PRIMARY KEY (b, a)
primary key|t|t|PRIMARY KEY (id)
unique|t|t|UNIQUE (u)
check|t|t|CHECK (v <> '')
foreign key|t|t|FOREIGN KEY (w) REFERENCES t (id) ON DELETE CASCADE
index|ix_t_v|t|CREATE INDEX ix_t_v ON t (v)
view|vt||CREATE VIEW vt AS SELECT id FROM t
trigger|tr|t|CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END" \
	"migrate_schema(): tables, columns, keys, checks, indexes, views, triggers"
sq "$db" "SELECT count(*) FROM migrate_schema() WHERE name LIKE 'migrate%' OR name LIKE 'alembic%';"
is "$OUT" "0" "the engine's tables and the version table are left out"

# ------------------------------------------------------------ migrate_rehearse
db=$TMP/rh.db
sq_ok "load the clean environment" "$db" "SELECT migrate_load('$envs/clean');"
unchanged "migrate_rehearse()" "$db" "SELECT step, revision, direction, status, statements, changes, rewrites IS NULL, locks IS NULL, error FROM migrate_rehearse();"
is "$OUT" "1|r1|upgrade|ok|1|added table job|1|1|
2|r2|upgrade|ok|1|added column job.note: text|1|1|
3|r3|upgrade|ok|1|added index ix_job_state: CREATE INDEX ix_job_state ON job (state)|1|1|
4|r4|upgrade|ok|1|added view running_job: CREATE VIEW running_job AS SELECT id FROM job WHERE state = 'running'|1|1|" \
	"migrate_rehearse(): every step run, its schema change (no rewrites or locks on SQLite)"
sq "$db" "SELECT count(*) FROM migrate_rehearse() WHERE ms >= 0;"
is "$OUT" "4" "each step has its time"
sq_ok "upgrade" "$db" "SELECT migrate_upgrade();"
unchanged "migrate_rehearse('base')" "$db" "SELECT step, revision, direction, changes FROM migrate_rehearse('base');"
is "$OUT" "1|r4|downgrade|dropped view running_job
2|r3|downgrade|dropped index ix_job_state
3|r2|downgrade|dropped column job.note
4|r1|downgrade|dropped table job" "a downgrade rehearsed, step by step"

db=$TMP/fail.db
sq_ok "load up_fails" "$db" "SELECT migrate_load('$envs/up_fails');"
unchanged "a rehearsal whose step fails" "$db" "SELECT step, revision, status, changes, error, error_context FROM migrate_rehearse();"
is "$OUT" "1|r1|ok|added table job||
2|r2|failed||no such table: no_such_table|upgrade of revision r2 (\"revision r2\"), file \"r2_rev.sql\", statement 2: INSERT INTO no_such_table VALUES (1)" \
	"the failing step is a row with its error, and the rehearsal stops there"

db=$TMP/txn.db
sq_ok "load the clean environment" "$db" "SELECT migrate_load('$envs/clean');"
before=$(snapshot "$db")
sq "$db" "BEGIN;" "CREATE TABLE mine (a int);" "SELECT count(*) FROM migrate_rehearse();" \
	"SELECT count(*) FROM mine;" "SELECT count(*) FROM migrate_schema() WHERE kind = 'table';" "ROLLBACK;"
is "$OUT" "4${NL}0${NL}1" "inside the caller's transaction: the rehearsal runs, the caller's work stays"
is "$(snapshot "$db")" "$before" "and the caller's ROLLBACK leaves the database as it was"
sq "$db" "BEGIN;" "CREATE TABLE mine (a int);" "SELECT count(*) FROM migrate_rehearse();" "COMMIT;" \
	"SELECT group_concat(name) FROM migrate_schema() WHERE kind = 'table';"
is "$OUT" "4${NL}mine" "the caller's COMMIT keeps its own work only"

SQ_BAIL=0 sq "$db" "CREATE VIEW rv AS SELECT * FROM migrate_rehearse();" "SELECT * FROM rv;"
has "$ERR" "unsafe use of virtual table \"migrate_rehearse\"" "a view cannot run a rehearsal (SQLITE_VTAB_DIRECTONLY)"

# ------------------------------------------------------------ migrate_stairway
for e in clean branchy; do
	db=$TMP/st_$e.db
	before=""
	stairway "$db" "$e"
	case $e in
	clean) want="1|r1|ok|${NL}2|r2|ok|${NL}3|r3|ok|${NL}4|r4|ok|" ;;
	branchy) want="1|r1|ok|${NL}2|b1|ok|${NL}3|a1|ok|${NL}4|m1|ok|${NL}5|r3|ok|" ;;
	esac
	is "$OUT" "$want" "stairway of $e: every revision ok, in the plan's order (merge included)"
done

stairway "$TMP/st_fi.db" forgets_index
is "$OUT" "1|r1|ok|
2|r2|ok|
3|r3|difference|index ix_job_state still exists after downgrade of r3
upgrade after downgrade failed: index ix_job_state already exists
upgrade of revision r3 (\"revision r3\"), file \"r3_rev.sql\", statement 1: CREATE INDEX ix_job_state ON job (state)" \
	"stairway: a downgrade that forgets an index"
stairway "$TMP/st_lc.db" leaves_column
is "$OUT" "1|r1|ok|
2|r2|difference|column job.note still exists after downgrade of r2
upgrade after downgrade failed: duplicate column name: note
upgrade of revision r2 (\"revision r2\"), file \"r2_rev.sql\", statement 1: ALTER TABLE job ADD COLUMN note text" \
	"stairway: a downgrade that leaves a column"
stairway "$TMP/st_ot.db" other_type
is "$OUT" "1|r1|ok|
2|r2|difference|column job.note: type text after downgrade of r2, was varchar(32)" \
	"stairway: a downgrade that restores a column with another type"
stairway "$TMP/st_do.db" drops_other
is "$OUT" "1|r1|ok|
2|r2|difference|table job is missing after downgrade of r2, it existed before the upgrade
upgrading r2 again does not give the same schema:
dropped table job" \
	"stairway: a downgrade that drops a table it did not create"
stairway "$TMP/st_f.db" fails
is "$OUT" "1|r1|ok|
2|r2|failed|downgrade failed: no such table: no_such_table
downgrade of revision r2 (\"revision r2\"), file \"r2_rev.sql\", statement 2: DROP TABLE no_such_table" \
	"stairway: a downgrade that fails"

db=$TMP/st_fi.db
unchanged "a stairway that finds a difference" "$db" "SELECT count(*) FROM migrate_stairway();"
db=$TMP/st_f.db
unchanged "a stairway whose downgrade fails" "$db" "SELECT count(*) FROM migrate_stairway();"

db=$TMP/st_part.db
sq_ok "a database part-way" "$db" "SELECT migrate_load('$envs/clean');" "SELECT migrate_upgrade('r2');"
unchanged "migrate_stairway() from part-way" "$db" "SELECT step, revision, status FROM migrate_stairway();"
is "$OUT" "1|r3|ok${NL}2|r4|ok" "a database part-way: the stairway starts from its current revision"
unchanged "migrate_stairway('base:r2')" "$db" "SELECT step, revision, status FROM migrate_stairway('base:r2');"
is "$OUT" "1|r1|ok${NL}2|r2|ok" "a range: from its start (below the database) to its end"
SQ_BAIL=0 sq "$db" "SELECT * FROM migrate_stairway('base:current');"
is "$(errmsg)" "the stairway's range cannot end at current" "a stairway to current is refused"

# ------------------------------------------------------------ drift
db=$TMP/drift.db
sq_ok "a database with views" "$db" "SELECT migrate_load('$envs/clean');" "SELECT migrate_upgrade();"
sq "$db" "SELECT migrate_check();"
is "$OUT" "ok: the database is at the heads (r4)" "no drift after an ordinary run"
sq "$db" "ALTER TABLE job ADD COLUMN hand text;" "CREATE INDEX ix_hand ON job (hand);" "DROP VIEW running_job;" \
	"SELECT migrate_check();"
like "$OUT" "^drift: column job.hand added since r4 was applied on [0-9-]+ [0-9:]+ UTC
drift: index ix_hand added since r4 was applied on [0-9-]+ [0-9:]+ UTC
drift: view running_job dropped since r4 was applied on [0-9-]+ [0-9:]+ UTC
the schema was changed outside migrations: write a revision for the change \(or undo it by hand\) before the next run records the schema as it is$" \
	"drift after a hand-made ALTER TABLE, CREATE INDEX and DROP VIEW: each named"
sq "$db" "DROP INDEX ix_hand;" "ALTER TABLE job DROP COLUMN hand;" "CREATE VIEW running_job AS SELECT id FROM job WHERE state = 'running';" \
	"SELECT migrate_check();"
is "$OUT" "ok: the database is at the heads (r4)" "undone by hand: no drift"
sq "$db" "DROP INDEX ix_job_state;" "CREATE INDEX ix_job_state ON job (state, id);" "SELECT migrate_check();"
like "$OUT" "^drift: index ix_job_state changed \(CREATE INDEX ix_job_state ON job \(state, id\), was CREATE INDEX ix_job_state ON job \(state\)\) since r4" \
	"a changed definition is named with both"
sq_ok "an ordinary run records the schema again" "$db" "SELECT migrate_downgrade('-1');" "SELECT migrate_upgrade();"
sq "$db" "SELECT migrate_check();"
is "$OUT" "ok: the database is at the heads (r4)" "no drift after it"

db=$TMP/nofp.db
sq_ok "a database stamped by hand, as Alembic leaves it" "$db" "SELECT migrate_load('$envs/clean');" \
	"CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));" \
	"INSERT INTO alembic_version VALUES ('r4');"
sq "$db" "SELECT migrate_check();"
is "$OUT" "ok: the database is at the heads (r4)
drift: not checked: no run of this version has recorded the schema (the database was migrated by Alembic or by an earlier version); the next upgrade, downgrade or stamp records it" \
	"no fingerprint recorded: it says so instead of guessing"

# ------------------------------------------------------------ the run's lock
db=$TMP/lock.db
sq_ok "load" "$db" "SELECT migrate_load('$envs/clean');"
# a writer holding the lock: a second connection holds it while we rehearse
(
	printf 'BEGIN IMMEDIATE;\nSELECT 1;\n' ; sleep 2; printf 'ROLLBACK;\n'
) | sqlite3_run "$db" >/dev/null 2>&1 &
holder=$!
sleep 0.5
SQ_BAIL=0 sq "$db" "SELECT count(*) FROM migrate_rehearse();"
is "$(errmsg)" "database is busy" "migrate_rehearse takes the run's lock: busy while another run holds it"
SQ_BAIL=0 sq "$db" "SELECT count(*) FROM migrate_stairway();"
is "$(errmsg)" "database is busy" "so does migrate_stairway"
wait "$holder"
sq "$db" "SELECT count(*) FROM migrate_plan();"
is "$OUT" "4" "migrate_plan only reads"

done_testing
