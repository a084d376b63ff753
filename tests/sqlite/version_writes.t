#!/bin/bash
# version_writes.t -- when a run writes the version table.
#
# Alembic writes alembic_version after each step.  Inside one unit no
# other connection can see those rows, so the engine writes them after the
# last body, in the same order, unless a body of the run names the version
# table (in any case): then after each step, and that body reads the
# previous step's row.  A trigger on the version table tells which way a
# run went: it records how many of the run's tables existed when each
# write happened.  Either way the same rows end in the table, in the same
# order, and a version row that vanished during the run fails it.
. "$(dirname "$0")/lib.sh"

# r1 .. r4, each creating t<i>; r4 reads the version table when asked to
plain_env() {
	local d=$1
	write_rev "$d" r1 "" "CREATE TABLE t1 (a);" "DROP TABLE t1;"
	write_rev "$d" r2 r1 "CREATE TABLE t2 (a);" "DROP TABLE t2;"
	write_rev "$d" r3 r2 "CREATE TABLE t3 (a);" "DROP TABLE t3;"
	write_rev "$d" r4 r3 "CREATE TABLE t4 (a);$2" "DROP TABLE t4;"
}

# a database at r1 whose version table records every write in audit
at_r1_with_audit() {
	local db=$1 env=$2
	rm -f "$db"
	sq "$db" "SELECT migrate_load('$env');" "SELECT migrate_upgrade('r1');" \
		"CREATE TABLE audit (n INTEGER PRIMARY KEY, op TEXT, version_num TEXT, tables INTEGER);" \
		"CREATE TRIGGER audit_u AFTER UPDATE ON alembic_version BEGIN INSERT INTO audit (op, version_num, tables) VALUES ('update', new.version_num, (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('t1', 't2', 't3', 't4'))); END;" \
		"CREATE TRIGGER audit_d AFTER DELETE ON alembic_version BEGIN INSERT INTO audit (op, version_num, tables) VALUES ('delete', old.version_num, (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('t1', 't2', 't3', 't4'))); END;"
	[ "$RC" -eq 0 ] || diag "$ERR"
}

audit() { sqlite3_run "$1" "SELECT op || ' ' || version_num || ' ' || tables FROM audit ORDER BY n"; }

# ------------------------------------------------------------ no body names it
env1=$TMP/plain
plain_env "$env1" ""
db=$TMP/plain.db
at_r1_with_audit "$db" "$env1"
sq_ok "upgrade r1 -> r4" "$db" "SELECT migrate_upgrade('heads');"
is "$(audit "$db")" "update r2 4
update r3 4
update r4 4" "the version rows are written after the last body, in step order"
is "$(sqlite3_run "$db" "SELECT version_num FROM alembic_version")" "r4" "the table ends at r4"
is "$(sqlite3_run "$db" "SELECT count(*) FROM migrate_log")" "4" "one log row per step"

sqlite3_run "$db" "DELETE FROM audit"
sq_ok "downgrade r4 -> base" "$db" "SELECT migrate_downgrade('base');"
is "$(audit "$db")" "update r3 0
update r2 0
update r1 0
delete r1 0" "a downgrade too: after the last body, in step order"
is "$(sqlite3_run "$db" "SELECT count(*) FROM alembic_version")" "0" "the table ends empty"

# ------------------------------------------------------------ a body names it
env2=$TMP/reads
plain_env "$env2" "
CREATE TABLE seen AS SELECT version_num FROM Alembic_Version;"
db=$TMP/reads.db
at_r1_with_audit "$db" "$env2"
sq_ok "upgrade r1 -> r4, r4 reads the version table" "$db" "SELECT migrate_upgrade('heads');"
is "$(sqlite3_run "$db" "SELECT version_num FROM seen")" "r3" "r4's body reads the previous step's row, as under Alembic"
is "$(audit "$db")" "update r2 2
update r3 3
update r4 4" "each row is written right after its step (the name matched in another case)"
is "$(sqlite3_run "$db" "SELECT version_num FROM alembic_version")" "r4" "the table ends at r4"

# ------------------------------------------------------------ a version row vanishes
# r3's body does not name the table, but its insert fires a trigger that
# empties it: the deferred UPDATE finds no row and the whole run fails.
env3=$TMP/vanish
write_rev "$env3" r1 "" "CREATE TABLE t1 (a);" "DROP TABLE t1;"
write_rev "$env3" r2 r1 "CREATE TABLE t2 (a);" "DROP TABLE t2;"
write_rev "$env3" r3 r2 "INSERT INTO wipe VALUES (1);" ""
db=$TMP/vanish.db
sq_ok "at r1, with a table whose trigger empties the version table" "$db" \
	"SELECT migrate_load('$env3');" "SELECT migrate_upgrade('r1');" \
	"CREATE TABLE wipe (a);" \
	"CREATE TRIGGER wipe_i AFTER INSERT ON wipe BEGIN DELETE FROM alembic_version; END;"
before=$(snapshot "$db")
sq "$db" "SELECT migrate_upgrade('heads');"
ok "the upgrade fails" [ "$RC" -ne 0 ]
is "$(errmsg)" "Online migration expected to match one row when updating 'r1' to 'r2' in 'alembic_version'; 0 found" \
	"Alembic's message for the row that is not there"
is "$(snapshot "$db")" "$before" "nothing changed"

done_testing
