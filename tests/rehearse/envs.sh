# envs.sh -- the environments of the rehearsal tests, shared by
# tests/sqlite/rehearse.t and tests/pg/rehearse.t so that both engines
# are checked on the same revisions.  Sourced after a lib.sh (write_rev).
#
# make_envs DIR creates DIR/<name>/ for each of:
#   clean          job table, a column, an index, a view; every downgrade right
#   forgets_index  r3's downgrade does not drop the index r3 creates
#   leaves_column  r2's downgrade does not drop the column r2 adds
#   other_type     r2's downgrade restores job.note as text, not varchar(32)
#   drops_other    r2's downgrade drops job, which r1 created
#   fails          r2's downgrade fails (a table that does not exist)
#   up_fails       r2's upgrade fails
#   branchy        two branches from r1 (a1, b1), their merge m1, then r3

make_envs() {
	local d=$1 job="CREATE TABLE job (id integer PRIMARY KEY, state varchar(32));"

	write_rev "$d/clean" r1 "" "$job" "DROP TABLE job;"
	write_rev "$d/clean" r2 r1 "ALTER TABLE job ADD COLUMN note text;" "ALTER TABLE job DROP COLUMN note;"
	write_rev "$d/clean" r3 r2 "CREATE INDEX ix_job_state ON job (state);" "DROP INDEX ix_job_state;"
	write_rev "$d/clean" r4 r3 "CREATE VIEW running_job AS SELECT id FROM job WHERE state = 'running';" \
		"DROP VIEW running_job;"

	write_rev "$d/forgets_index" r1 "" "$job" "DROP TABLE job;"
	write_rev "$d/forgets_index" r2 r1 "ALTER TABLE job ADD COLUMN note text;" "ALTER TABLE job DROP COLUMN note;"
	write_rev "$d/forgets_index" r3 r2 "CREATE INDEX ix_job_state ON job (state);" ""

	write_rev "$d/leaves_column" r1 "" "$job" "DROP TABLE job;"
	write_rev "$d/leaves_column" r2 r1 "ALTER TABLE job ADD COLUMN note text;" ""

	write_rev "$d/other_type" r1 "" "CREATE TABLE job (id integer PRIMARY KEY, note varchar(32));" "DROP TABLE job;"
	write_rev "$d/other_type" r2 r1 "ALTER TABLE job DROP COLUMN note;
ALTER TABLE job ADD COLUMN note text;" "ALTER TABLE job DROP COLUMN note;
ALTER TABLE job ADD COLUMN note text;"

	write_rev "$d/drops_other" r1 "" "$job" "DROP TABLE job;"
	write_rev "$d/drops_other" r2 r1 "CREATE TABLE audit (id integer);" "DROP TABLE audit;
DROP TABLE job;"

	write_rev "$d/fails" r1 "" "$job" "DROP TABLE job;"
	write_rev "$d/fails" r2 r1 "CREATE TABLE audit (id integer);" "DROP TABLE audit;
DROP TABLE no_such_table;"

	write_rev "$d/up_fails" r1 "" "$job" "DROP TABLE job;"
	write_rev "$d/up_fails" r2 r1 "CREATE TABLE audit (id integer);
INSERT INTO no_such_table VALUES (1);" "DROP TABLE audit;"
	write_rev "$d/up_fails" r3 r2 "CREATE TABLE later (id integer);" "DROP TABLE later;"

	write_rev "$d/branchy" r1 "" "$job" "DROP TABLE job;"
	write_rev "$d/branchy" a1 r1 "ALTER TABLE job ADD COLUMN a text;" "ALTER TABLE job DROP COLUMN a;"
	write_rev "$d/branchy" b1 r1 "CREATE TABLE b (id integer);" "DROP TABLE b;"
	write_rev "$d/branchy" m1 "a1, b1" "" ""
	write_rev "$d/branchy" r3 m1 "CREATE INDEX ix_b ON b (id);" "DROP INDEX ix_b;"
}
