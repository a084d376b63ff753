#!/bin/bash
# rehearse_steps.t -- a rehearsal (and the stairway) reads again after a
# step only what the step made or dropped: the rehearsal's copy of the
# database tells the engine, through its authorizer, which objects its
# statements create and drop (ALTER TABLE, virtual tables and
# writable_schema make it read everything), and new objects are found
# after the last kept rowid of sqlite_schema.  Its report must still be
# the difference of two whole snapshots.  Every step of an environment
# made of such changes (objects made and dropped with their tables,
# dropped and made again in one step, names in another case, an old
# object dropped beside a new one made, renames, a virtual table,
# writable_schema) is checked against migrate_schema() read whole before
# and after that step: every row that differs is named by the step's
# change lines (or by its table's added or dropped line), and every line
# names a row that differs.  The stairway over the same environment,
# whose downgrades are exact, says ok for every revision.
. "$(dirname "$0")/lib.sh"

env=$TMP/env
steps=(
	# 1: the objects the others change
	"CREATE TABLE p (id integer PRIMARY KEY, note text DEFAULT 'x');
CREATE TABLE c (id integer PRIMARY KEY, p_id int REFERENCES p (id));
CREATE INDEX ix_c ON c (p_id);
CREATE VIEW v AS SELECT id FROM p;
CREATE TRIGGER tr AFTER INSERT ON c BEGIN SELECT 1; END;"
	"DROP TRIGGER tr; DROP VIEW v; DROP INDEX ix_c; DROP TABLE c; DROP TABLE p;"
	# 2: an index on a table made before
	"CREATE INDEX ix_p ON p (note);" "DROP INDEX ix_p;"
	# 3: a table dropped with its index and trigger (SQLite drops them unasked), then made again
	"DROP TABLE c;"
	"CREATE TABLE c (id integer PRIMARY KEY, p_id int REFERENCES p (id));
CREATE INDEX ix_c ON c (p_id);
CREATE TRIGGER tr AFTER INSERT ON c BEGIN SELECT 1; END;"
	"CREATE TABLE c (id integer PRIMARY KEY, p_id int REFERENCES p (id));
CREATE INDEX ix_c ON c (p_id);
CREATE TRIGGER tr AFTER INSERT ON c BEGIN SELECT 1; END;"
	"DROP TABLE c;"
	# 5: dropped and made again in one step, with other text (its rowid taken again)
	"DROP VIEW v; CREATE VIEW v AS SELECT id, note FROM p;" "DROP VIEW v; CREATE VIEW v AS SELECT id FROM p;"
	# 6: names written in another case than they were made in
	"CREATE TABLE Mixed (a int); CREATE INDEX MIXED_IX ON MIXED (a);" "DROP INDEX mixed_ix; DROP TABLE mIxEd;"
	# 7: an old object dropped and a new one made in one step
	"DROP TRIGGER tr; CREATE TABLE n (a int UNIQUE, CHECK (a > 0));"
	"DROP TABLE n; CREATE TRIGGER tr AFTER INSERT ON c BEGIN SELECT 1; END;"
	# 8: a trigger that shares a table's name
	"CREATE TRIGGER c AFTER DELETE ON p BEGIN SELECT 2; END;" "DROP TRIGGER c;"
	# 9: ALTER TABLE (read whole: a rename is written into other objects' text, here a foreign key's)
	"ALTER TABLE p ADD COLUMN z int;" "ALTER TABLE p DROP COLUMN z;"
	"CREATE TABLE q (id integer PRIMARY KEY); CREATE TABLE qc (q_id int REFERENCES q (id)); ALTER TABLE q RENAME TO q2;"
	"DROP TABLE qc; DROP TABLE q2;"
	# 11: data only, an existing table made if not there, a temp table: nothing changes
	"INSERT INTO p (note) VALUES ('z'); CREATE TABLE IF NOT EXISTS p (id int); CREATE TEMP TABLE scratch (a int);"
	"DELETE FROM p WHERE note = 'z'; DROP TABLE temp.scratch;"
	# 12: a virtual table and the tables it makes for itself
	"CREATE VIRTUAL TABLE docs USING fts5(body);" "DROP TABLE docs;"
	# 13: many tables at once (read in one pass), one of them old
	"DROP TABLE c; CREATE TABLE m1 (a int CHECK (a > 0)); CREATE TABLE m2 (a int UNIQUE); CREATE TABLE m3 (a int);
CREATE TABLE m4 (a int); CREATE TABLE m5 (a int); CREATE TABLE m6 (a int); CREATE TABLE m7 (a int);
CREATE TABLE m8 (a int); CREATE TABLE m9 (a int PRIMARY KEY, b REFERENCES m1 (a));"
	"DROP TABLE m9; DROP TABLE m8; DROP TABLE m7; DROP TABLE m6; DROP TABLE m5; DROP TABLE m4; DROP TABLE m3;
DROP TABLE m2; DROP TABLE m1;
CREATE TABLE c (id integer PRIMARY KEY, p_id int REFERENCES p (id));
CREATE INDEX ix_c ON c (p_id);"
	# 14: more objects in one step than the watch names (read in one pass)
	"$(for i in $(seq 1 150); do printf 'CREATE TABLE w%03d (a int); CREATE INDEX ix_w%03d ON w%03d (a);\n' "$i" "$i" "$i"; done)"
	"$(for i in $(seq 1 150); do printf 'DROP TABLE w%03d;\n' "$i"; done)"
	# 15: sqlite_schema written by hand (writable_schema): read whole
	"PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = 'CREATE VIEW v AS SELECT id, id AS id2 FROM p' WHERE name = 'v';
PRAGMA writable_schema = OFF;"
	"DROP VIEW v; CREATE VIEW v AS SELECT id, note FROM p;"
)
n=$((${#steps[@]} / 2))
prev=""
for ((i = 0; i < n; i++)); do
	id=$(printf 'r%02d' $((i + 1)))
	write_rev "$env" "$id" "$prev" "${steps[2 * i]}" "${steps[2 * i + 1]}"
	prev=$id
done

plan $((n + 3))

base=$TMP/base.db
sq "$base" "SELECT migrate_load('$env');"
is "$RC" 0 "the environment loads"

# the rehearsal, every step in one call, kept as JSON for the checks below
sq "$base" "SELECT json_group_array(json_object('step', step, 'status', status, 'changes', changes, 'error', error))
	FROM migrate_rehearse();"
printf '%s\n' "$OUT" >"$TMP/reh.json"
sq "$base" "SELECT count(*) FILTER (WHERE value->>'status' = 'ok') || '/' || count(*) FROM json_each(readfile('$TMP/reh.json'));"
is "$OUT" "$n/$n" "every step of the rehearsal is ok"

# the changes of step K, checked against migrate_schema() read whole before and after it
# (a line is "added|dropped|changed KIND NAME[: ...]")
match="substr(l.line, instr(l.line, ' ') + 1, length(kind) + 1) = kind || ' ' AND
	(substr(l.line, instr(l.line, ' ') + length(kind) + 2) = name
	 OR substr(l.line, instr(l.line, ' ') + length(kind) + 2, length(name) + 1) = name || ':')"
for ((k = 1; k <= n; k++)); do
	id=$(printf 'r%02d' "$k")
	work=$TMP/work.db
	cp "$base" "$work"
	before=$([ "$k" -gt 1 ] && printf "SELECT migrate_upgrade('r%02d');" $((k - 1)) || echo "SELECT 1;")
	sq "$work" ".output /dev/null" "$before" \
		"CREATE TEMP TABLE a AS SELECT kind, name, parent, definition FROM migrate_schema();" \
		"SELECT migrate_upgrade('$id');" ".output stdout" \
		"CREATE TEMP TABLE b AS SELECT kind, name, parent, definition FROM migrate_schema();" \
		"CREATE TEMP TABLE l AS WITH RECURSIVE s(line, rest) AS (
			SELECT NULL, (SELECT value->>'changes' FROM json_each(readfile('$TMP/reh.json')) WHERE value->>'step' = $k) || char(10)
			UNION ALL SELECT substr(rest, 1, instr(rest, char(10)) - 1), substr(rest, instr(rest, char(10)) + 1)
			FROM s WHERE rest <> '')
		SELECT line FROM s WHERE line GLOB 'added *' OR line GLOB 'dropped *' OR line GLOB 'changed *';" \
		"CREATE TEMP VIEW d AS SELECT * FROM (SELECT * FROM a EXCEPT SELECT * FROM b)
			UNION SELECT * FROM (SELECT * FROM b EXCEPT SELECT * FROM a);" \
		"SELECT 'unnamed: ' || kind || ' ' || name FROM d WHERE NOT EXISTS (SELECT 1 FROM l WHERE ($match)
			OR (kind <> 'table' AND (l.line IN ('added table ' || parent, 'dropped table ' || parent)
				OR substr(l.line, 1, length(parent) + 13) = 'added table ' || parent || ':')));" \
		"SELECT 'not a difference: ' || line FROM l WHERE NOT EXISTS (SELECT 1 FROM d WHERE $match);" \
		"SELECT 'differences: ' || count(*) FROM d;"
	got=$(printf '%s\n' "$OUT" | grep -v '^differences: ')
	count=$(printf '%s\n' "$OUT" | sed -n 's/^differences: //p')
	is "${got}${ERR:+ $ERR}" "" "step $k ($id): the lines name exactly the ${count:-?} rows that differ: $(printf '%s' "${steps[2 * k - 2]}" | head -n 1)"
done

sq "$base" "SELECT step, revision, status, coalesce(detail, '') FROM migrate_stairway();"
is "$(printf '%s\n' "$OUT" | grep -v '|ok|$')${ERR}" "" "the stairway, whose downgrades are exact, says ok for every revision"
