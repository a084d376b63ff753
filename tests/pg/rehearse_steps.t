#!/bin/bash
# rehearse_steps.t -- a rehearsal reads again after each step only what
# the step changed (the host's watch of cache invalidations, and what
# names the objects changed: pg_depend); its report must still be the
# difference of two whole snapshots.  Every step of an environment made
# of the changes that print elsewhere (a table, type, column, sequence or
# function renamed; an enum value added; a default, constraint, index,
# view, trigger, schema, domain changed) is checked against
# migrate_schema() read whole before and after that step: every row that
# differs is named by the step's change lines (or by its table's added or
# dropped line), and every line names a row that differs.  After every
# step, the host's own reader of relations (catalog_rows, which the
# rehearsal's snapshots come from) gives exactly migrate_schema()'s rows,
# and so it does for the kinds of object the environment does not make.
# The stairway over the same environment, whose downgrades are exact,
# says ok for every revision.
. "$(dirname "$0")/lib.sh"

env=$TMP/env
steps=(
	# 1: the objects the others change
	"CREATE TYPE mood AS ENUM ('a', 'b');
CREATE TABLE p (id serial PRIMARY KEY, m mood, note text DEFAULT 'x');
CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p (id));
CREATE VIEW v AS SELECT id, m FROM p;
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER tr BEFORE INSERT ON c FOR EACH ROW EXECUTE FUNCTION f();
CREATE SEQUENCE s1;"
	"DROP SEQUENCE s1; DROP TRIGGER tr ON c; DROP FUNCTION f(); DROP VIEW v; DROP TABLE c; DROP TABLE p; DROP TYPE mood;"
	# 2: a rename printed in another table's foreign key and in a view
	"ALTER TABLE p RENAME TO parent;" "ALTER TABLE parent RENAME TO p;"
	# 3: a type renamed: the columns of that type
	"ALTER TYPE mood RENAME TO feeling;" "ALTER TYPE feeling RENAME TO mood;"
	# 4: a function renamed: the trigger that calls it
	"ALTER FUNCTION f() RENAME TO g;" "ALTER FUNCTION g() RENAME TO f;"
	# 5: a sequence's parameters
	"ALTER SEQUENCE s1 INCREMENT BY 5;" "ALTER SEQUENCE s1 INCREMENT BY 1;"
	# 6: a sequence renamed: the default that calls it
	"ALTER SEQUENCE p_id_seq RENAME TO pid_seq;" "ALTER SEQUENCE pid_seq RENAME TO p_id_seq;"
	# 7: a column renamed: the view that reads it
	"ALTER TABLE parent RENAME COLUMN m TO mood;" "ALTER TABLE parent RENAME COLUMN mood TO m;"
	# 8: a default
	"ALTER TABLE parent ALTER COLUMN note SET DEFAULT 'y';" "ALTER TABLE parent ALTER COLUMN note SET DEFAULT 'x';"
	# 9: a check constraint, then renamed
	"ALTER TABLE c ADD CONSTRAINT ck CHECK (id > 0);" "ALTER TABLE c DROP CONSTRAINT ck;"
	"ALTER TABLE c RENAME CONSTRAINT ck TO ck2;" "ALTER TABLE c RENAME CONSTRAINT ck2 TO ck;"
	# 11: a foreign key dropped (no other catalog row of the table changes)
	"ALTER TABLE c DROP CONSTRAINT c_p_id_fkey;" "ALTER TABLE c ADD CONSTRAINT c_p_id_fkey FOREIGN KEY (p_id) REFERENCES parent (id);"
	# 12: a function's body
	"CREATE OR REPLACE FUNCTION g() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.id := NEW.id; RETURN NEW; END';"
	"CREATE OR REPLACE FUNCTION g() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';"
	# 13: an index, then renamed
	"CREATE INDEX ix ON parent (note);" "DROP INDEX ix;"
	"ALTER INDEX ix RENAME TO ix2;" "ALTER INDEX ix2 RENAME TO ix;"
	# 15: data only: nothing changes
	"INSERT INTO parent (note) VALUES ('z');" "DELETE FROM parent WHERE note = 'z';"
	# 16: a schema of its own
	"CREATE SCHEMA s2; CREATE TABLE s2.t (a int);" "DROP TABLE s2.t; DROP SCHEMA s2;"
	# 17: a domain, then renamed: the column of that domain
	"CREATE DOMAIN d AS int; ALTER TABLE parent ADD COLUMN dd d;" "ALTER TABLE parent DROP COLUMN dd; DROP DOMAIN d;"
	"ALTER DOMAIN d RENAME TO d2;" "ALTER DOMAIN d2 RENAME TO d;"
	# 19: an enum value
	"ALTER TYPE feeling ADD VALUE 'c';" "DROP VIEW v; ALTER TABLE parent ALTER COLUMN mood TYPE text;
DROP TYPE feeling; CREATE TYPE feeling AS ENUM ('a', 'b');
ALTER TABLE parent ALTER COLUMN mood TYPE feeling USING mood::feeling; CREATE VIEW v AS SELECT id, mood AS m FROM parent;"
	# 20: a table rewritten
	"ALTER TABLE parent ALTER COLUMN note TYPE varchar(10);"
	"ALTER TABLE parent ALTER COLUMN note TYPE text; ALTER TABLE parent ALTER COLUMN note SET DEFAULT 'y';"
	# 21: a view dropped, a table dropped
	"DROP VIEW v;" "CREATE VIEW v AS SELECT id, mood AS m FROM parent;"
	"DROP TABLE c;" "CREATE TABLE c (id int PRIMARY KEY, p_id int, CONSTRAINT ck2 CHECK (id > 0));
CREATE TRIGGER tr BEFORE INSERT ON c FOR EACH ROW EXECUTE FUNCTION g();"
)
n=$((${#steps[@]} / 2))
prev=""
for ((i = 0; i < n; i++)); do
	id=$(printf 'r%02d' $((i + 1)))
	write_rev "$env" "$id" "$prev" "${steps[2 * i]}" "${steps[2 * i + 1]}"
	prev=$id
done
chmod -R a+rX "$env"

plan $((n + 4))

fresh_db rs
pq rs "SELECT migrate_load('$env');"
is "$RC" 0 "the environment loads"

# the rehearsal, every step in one call, kept in a table (in every snapshot below alike)
pq rs "CREATE TABLE reh AS SELECT step, status, changes FROM migrate_rehearse();"
is "$(val rs "SELECT count(*) FILTER (WHERE status = 'ok') || '/' || count(*) FROM reh")" "$n/$n" \
	"every step of the rehearsal is ok"

# the changes of step K, checked against migrate_schema() read whole before and after it
# (a line is "added|dropped|changed KIND NAME[: ...]"; a function's definition spans lines)
# the host's reader (catalog_rows, as a rehearsal's snapshots read) against migrate_schema()'s rows in
# temp table b: the statements print every row where the two differ
reader=(
	"CREATE FUNCTION pg_temp.catalog_rows(which int, params text[]) RETURNS SETOF text[]
		AS '\$libdir/migrate', 'migrate_selftest_catalog_rows' LANGUAGE C STRICT;"
	"CREATE TEMP TABLE h AS SELECT r[1] AS kind, r[2] AS name, r[3] AS parent, r[4] AS definition
		FROM pg_temp.catalog_rows(2, ARRAY[migrate_config('version_table')]) r
		UNION ALL SELECT 'type', r[2], '', r[3] FROM pg_temp.catalog_rows(5, '{}') r WHERE r[3] IS NOT NULL
		UNION ALL SELECT r[2], r[3], '', r[4] FROM pg_temp.catalog_rows(6, '{}') r WHERE r[3] IS NOT NULL;"
	"SELECT 'the reader differs: ' || kind || ' ' || name || ': ' || coalesce(definition, 'NULL') FROM
		((SELECT * FROM h EXCEPT ALL SELECT * FROM b) UNION ALL (SELECT * FROM b EXCEPT ALL SELECT * FROM h)) x;"
)

match="l.line ~ ('^(added|dropped|changed) ' || kind || ' ') AND
	(substr(l.line, length(split_part(l.line, ' ', 1)) + length(kind) + 3) = name
	 OR substr(l.line, length(split_part(l.line, ' ', 1)) + length(kind) + 3, length(name) + 1) = name || ':')"
for ((k = 1; k <= n; k++)); do
	id=$(printf 'r%02d' "$k")
	before=$([ "$k" -gt 1 ] && printf "SELECT migrate_upgrade('r%02d');" $((k - 1)) || echo "SELECT 1;")
	pq rs "SET client_min_messages = warning;" "BEGIN;" '\o /dev/null' "$before" \
		"CREATE TEMP TABLE a AS SELECT kind, name, parent, definition FROM migrate_schema();" \
		"SELECT migrate_upgrade('$id');" '\o' \
		"CREATE TEMP TABLE b AS SELECT kind, name, parent, definition FROM migrate_schema();" \
		"${reader[@]}" \
		"CREATE TEMP TABLE l AS SELECT x AS line FROM reh, pg_catalog.unnest(string_to_array(changes, E'\\n')) x
			WHERE step = $k AND x ~ '^(added|dropped|changed) ';" \
		"CREATE TEMP VIEW d AS (SELECT * FROM a EXCEPT ALL SELECT * FROM b) UNION (SELECT * FROM b EXCEPT ALL SELECT * FROM a);" \
		"SELECT 'unnamed: ' || kind || ' ' || name FROM d WHERE NOT EXISTS (SELECT 1 FROM l WHERE ($match)
			OR (kind <> 'table' AND l.line IN ('added table ' || parent, 'dropped table ' || parent)));" \
		"SELECT 'not a difference: ' || line FROM l WHERE NOT EXISTS (SELECT 1 FROM d WHERE $match);" \
		"SELECT 'differences: ' || count(*) FROM d;" \
		"ROLLBACK;"
	got=$(printf '%s\n' "$OUT" | grep -v '^differences: ')
	count=$(printf '%s\n' "$OUT" | sed -n 's/^differences: //p')
	is "${got}${ERR:+ $ERR}" "" "step $k ($id): the lines name exactly the ${count:-?} rows that differ, the reader gives migrate_schema's: $(printf '%s' "${steps[2 * k - 2]}" | head -n 1)"
done

pq rs "SELECT step, revision, status, coalesce(detail, '') FROM migrate_stairway();"
is "$(printf '%s\n' "$OUT" | grep -v '|ok|$')" "" "the stairway, whose downgrades are exact, says ok for every revision"

# the kinds the environment does not make, through the host's reader and through migrate_schema()
fresh_db rk
pq rk "CREATE UNLOGGED TABLE u (id int GENERATED ALWAYS AS IDENTITY, n numeric(10,2), v varchar(10) COLLATE \"C\" NOT NULL DEFAULT 'a',
	g int GENERATED ALWAYS AS (id * 2) STORED, w bigint GENERATED BY DEFAULT AS IDENTITY, s serial);" \
	"CREATE INDEX u_expr ON u (lower(v) text_pattern_ops) WHERE n > 0;" \
	"CREATE TABLE pt (k int, x text) PARTITION BY RANGE (k);" \
	"CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM (0) TO (10);" \
	"CREATE INDEX pt_x ON pt (x);" \
	"CREATE TABLE ex (c circle, EXCLUDE USING gist (c WITH &&));" \
	"CREATE TABLE uq (a int UNIQUE, b int);" \
	"ALTER TABLE uq ADD CONSTRAINT uq_b CHECK (b > 0) NOT VALID;" \
	"CREATE TABLE inh (z int) INHERITS (uq);" \
	"CREATE MATERIALIZED VIEW mv AS SELECT a FROM uq;" \
	"CREATE INDEX mv_a ON mv (a);" \
	"CREATE VIEW vw AS SELECT a, b FROM uq;" \
	"CREATE FUNCTION vf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';" \
	"CREATE TRIGGER vt INSTEAD OF INSERT ON vw FOR EACH ROW EXECUTE FUNCTION vf();" \
	"CREATE CONSTRAINT TRIGGER ct AFTER INSERT ON uq DEFERRABLE FOR EACH ROW EXECUTE FUNCTION vf();" \
	"CREATE SEQUENCE sc AS smallint INCREMENT 3 MINVALUE -5 MAXVALUE 500 START 7 CACHE 2 CYCLE;" \
	"CREATE TYPE empty AS ENUM ();" \
	"CREATE TYPE quote AS ENUM ('it''s', 'back\\slash');" \
	"CREATE TYPE pair AS (a int, b text);" \
	"CREATE TYPE rng AS RANGE (subtype = int4);" \
	"CREATE DOMAIN pos AS int CHECK (VALUE > 0);" \
	"CREATE PROCEDURE pr(a int, VARIADIC b text[]) LANGUAGE sql AS 'SELECT 1';" \
	"CREATE SCHEMA other;" \
	"CREATE TABLE other.t (id int PRIMARY KEY, u int REFERENCES uq (a) ON DELETE CASCADE, p pos, q quote DEFAULT 'it''s');" \
	"CREATE TEMP TABLE b AS SELECT kind, name, parent, definition FROM migrate_schema();" \
	"${reader[@]}" \
	"SELECT 'rows: ' || count(*) FROM b;"
is "${OUT}${ERR:+ $ERR}" "rows: 54" "the host's reader gives migrate_schema()'s rows for the other kinds (identity, generated, partitioned, unlogged, exclusion, materialized view, constraint trigger, view trigger, sequence, enums, domain, procedure, another schema)"
