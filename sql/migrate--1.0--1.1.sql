/*
 * migrate--1.0--1.1.sql -- update script of the PostgreSQL extension
 * "migrate" from 1.0 to 1.1.
 *
 * CREATE EXTENSION migrate installs 1.1 as 1.0's script followed by this
 * one (there is no separate migrate--1.1.sql), so a new installation and
 * an updated one are the same by construction.  New C entry points carry
 * the version in which they appeared (_1_1); the 1.0 entry points stay
 * in the library so that a database still at 1.0 keeps working.
 *
 * One section per feature, each opening with a comment line of dashes
 * and its name; state-table changes keep the rows a 1.0 database holds.
 */

\echo Use "ALTER EXTENSION migrate UPDATE TO '1.1'" to load this file. \quit

-- ---------------------------------------------------------------------
-- The manual in psql: a comment on every function, so that
-- \df+ migrate* says what each does, its arguments and defaults, and
-- what it returns.  (1.0's comments, made complete; a function added by
-- a later section carries its own COMMENT there.)

COMMENT ON FUNCTION migrate_load(text) IS
	'migrate_load(path): read every *.sql revision script under a server-side directory into the catalog (changed scripts replace unapplied ones); returns "N revisions: a added, r replaced, u unchanged"; superusers and pg_read_server_files only';
COMMENT ON FUNCTION migrate_add(text, text) IS
	'migrate_add(script [, filename]): add one revision from its text (any client can send it); the whole graph is checked before anything is written; returns the same count as migrate_load';
COMMENT ON FUNCTION migrate_upgrade(text) IS
	'migrate_upgrade([target]): upgrade to a target (default ''heads'': every branch the database holds) in one transaction; returns the "Running upgrade" lines; a failing step leaves nothing behind. Alembic identifiers: rev, prefix, gxy@head, +2, release tag';
COMMENT ON FUNCTION migrate_downgrade(text) IS
	'migrate_downgrade(target): downgrade to a target (required: rev, gxy@-1, base, release tag) in one transaction; returns the "Running downgrade" lines';
COMMENT ON FUNCTION migrate_stamp(text, boolean) IS
	'migrate_stamp(target [, purge]): set the version table to a target without running scripts (purge: empty it first); returns the "Running stamp_revision" lines';
COMMENT ON PROCEDURE migrate_upgrade_steps(text) IS
	'CALL migrate_upgrade_steps([target]): upgrade to a target (default ''heads''), committing after every step; outside a transaction block only; progress as NOTICEs';
COMMENT ON FUNCTION migrate_upgrade_sql(text) IS
	'migrate_upgrade_sql([range]): offline mode, the SQL an upgrade would run in Alembic''s --sql shape (BEGIN; ... COMMIT;), for psql -f; range ''[from:]to'', default ''heads''; nothing runs';
COMMENT ON FUNCTION migrate_downgrade_sql(text) IS
	'migrate_downgrade_sql(range): offline mode, the SQL a downgrade would run (Alembic''s --sql); range ''from:to'' (both ends required); nothing runs';
COMMENT ON FUNCTION migrate_show(text) IS
	'migrate_show(rev): Alembic''s show, the details of one revision (id, parents, branch names, path, header)';
COMMENT ON FUNCTION migrate_branches() IS
	'migrate_branches(): Alembic''s branches, every branch point with its children';
COMMENT ON FUNCTION migrate_check() IS
	'migrate_check(): is the database at the heads of the branches it holds? diverged heads? applied scripts changed since? one line each, and the call to run next';
COMMENT ON FUNCTION migrate_config(text, text) IS
	'migrate_config(key [, value]): read a setting, or write it and return the stored value; an unknown key is an error that lists the known ones';
COMMENT ON FUNCTION migrate_init() IS
	'migrate_init(): initialize an empty database: every branch it holds upgraded to its head (Galaxy''s init); refuses a database that is not empty';
COMMENT ON FUNCTION migrate_verify(boolean) IS
	'migrate_verify([auto_migrate]): Galaxy''s start-up verification of every branch the database holds; with auto_migrate true it upgrades, stamps or adopts a legacy database as Galaxy would; returns one line per branch';
COMMENT ON FUNCTION migrate_revision(text, text, text, text, text, boolean) IS
	'migrate_revision(message [, head, rev_id, branch_label, depends_on, splice]): the text of a new revision script on head (default ''head''); save it and add it with migrate_add';
COMMENT ON FUNCTION migrate_merge(text, text, text, text) IS
	'migrate_merge(revisions, message [, branch_label, rev_id]): the text of a merge revision of the comma-separated revisions';
COMMENT ON FUNCTION migrate_history(text, boolean) IS
	'migrate_history([range [, indicate_current]]): rows, newest first: revision, down_revisions, branch_labels, depends_on, message, is_head, is_current, is_branchpoint, is_mergepoint, line (Alembic''s history line); range ''[start]:[end]''';
COMMENT ON FUNCTION migrate_heads() IS
	'migrate_heads(): rows, the catalog''s heads with their branch labels (Galaxy''s version); the columns of migrate_history';
COMMENT ON FUNCTION migrate_current(boolean) IS
	'migrate_current([verbose]): rows, the database''s revisions with (head) marked (Galaxy''s dbversion); the columns of migrate_history';
COMMENT ON FUNCTION migrate_catalog_changed() IS
	'trigger on migrate_catalog: empties migrate_catalog_heads after any change, so the kept heads are never stale';

-- ---------------------------------------------------------------------
-- migrate_wait: the start-up barrier of application workers.  Reads
-- only; waits on the migration lock while a run holds it.  (Lock safety,
-- the settings lock_timeout, lock_retries and statement_timeout, needs
-- no SQL object: settings live in migrate_settings.)

CREATE FUNCTION migrate_wait(target text DEFAULT NULL, timeout_seconds double precision DEFAULT 300)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_wait_1_1'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION migrate_wait(text, double precision) IS
	'migrate_wait([target [, timeout_seconds]]): return once the database is at target (default: the heads of the branches it holds), waiting on the migration lock while a run holds it, else checking with growing pauses; fails after timeout_seconds (default 300; 0: look once) naming the target and where the database is; changes nothing. Start-up pattern: one worker SELECT migrate_upgrade(), every worker SELECT migrate_wait()';
-- ----------------------------------------------------------------------------
-- Where the database stands: migrate_status, migrate_graph, migrate_version,
-- migrate_functions.

-- The newest log row of a revision is one index seek, however long the log
-- (migrate_status reads it for every revision, migrate_check for every
-- applied one).
CREATE INDEX IF NOT EXISTS migrate_log_revision ON migrate_log (revision, id);

CREATE FUNCTION migrate_status()
RETURNS TABLE (revision text, branch_labels text, message text, state text,
			   applied_at timestamp with time zone, applied_by text,
			   duration_ms double precision, checksum_ok boolean, file text)
AS 'MODULE_PATHNAME', 'migrate_status_1_1'
LANGUAGE C VOLATILE ROWS 100;

CREATE FUNCTION migrate_graph(format text DEFAULT 'dot')
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_graph_1_1'
LANGUAGE C VOLATILE;

CREATE FUNCTION migrate_version()
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_version_1_1'
LANGUAGE C STABLE;

CREATE FUNCTION migrate_functions()
RETURNS TABLE (name text, arguments text, kind text, description text)
AS 'MODULE_PATHNAME', 'migrate_functions_1_1'
LANGUAGE C STABLE ROWS 30;

COMMENT ON FUNCTION migrate_status() IS
	'migrate_status(): rows, one per revision in history order (the version rows the catalog lacks first): revision, branch_labels, message, state (applied, stamped, pending, not held, unknown), applied_at, applied_by, duration_ms, checksum_ok (the applied text is the catalog''s), file';
COMMENT ON FUNCTION migrate_graph(text) IS
	'migrate_graph([format]): the revision graph as Graphviz DOT text (psql -At ... | dot -Tsvg); format ''dot'' (default, every revision) or ''dot-collapsed'' (chains of plain revisions as one counted edge)';
COMMENT ON FUNCTION migrate_version() IS
	'migrate_version(): the library''s version, the installed SQL API''s (the extension''s version) and the server''s, as one line';
COMMENT ON FUNCTION migrate_functions() IS
	'migrate_functions(): rows, every function of the extension: name, arguments, kind (scalar, table, procedure), a one-line description';

-- ---------------------------------------------------------------------------
-- Where each revision came from (migrate_load makes the catalog tell the
-- truth about the directory it reads).  source_dir: the canonical directory
-- of the load that read the revision, '' for a revision added inline
-- (migrate_add), as every row of a 1.0 catalog is kept; source_missing: 1
-- when the last load of that directory did not find the applied revision's
-- file (the row stays so the database can be downgraded; migrate_check
-- reports it).  New columns with defaults: the existing rows are kept.
ALTER TABLE @extschema@.migrate_catalog
	ADD COLUMN source_dir text NOT NULL DEFAULT '',
	ADD COLUMN source_missing integer NOT NULL DEFAULT 0;

-- ---------------------------------------------------------------------
-- migrate_config's force argument
--
-- Switching version_table away from a version table that has rows is
-- refused unless the new table exists or force is true (the engine would
-- find the database at base and run every revision again).  The 1.0
-- function stays (migrate_config(key) and migrate_config(key, value), now
-- served by the 1.1 entry point, which checks the same); the three-argument
-- form is an overload without defaults, so no call is ambiguous.

CREATE OR REPLACE FUNCTION migrate_config(key text, value text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_config_1_1'
LANGUAGE C VOLATILE;

CREATE FUNCTION migrate_config(key text, value text, force boolean)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_config_1_1'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION migrate_config(text, text) IS
	'migrate_config(key [, value]): read a setting, or write it and return the stored value (a branches label the catalog lacks adds a WARNING line); an unknown key is an error that lists the known ones; switching version_table away from a table with rows needs the new table to exist (or force: the three-argument form)';
COMMENT ON FUNCTION migrate_config(text, text, boolean) IS
	'migrate_config(key, value, force): write a setting; force true switches version_table even when the current version table has rows and the new one does not exist (the old table is left as it is)';

-- ---------------------------------------------------------------------
-- Who added each revision: the catalog records, per row, the role that
-- inserted or last changed it.  A trigger writes it (whatever the writer
-- put there), so no role can claim another's name without owning the
-- table.  A run does not execute revisions added by a role it does not
-- trust (core/catalog.c, mg_state_check_trust): its own, a role it is a
-- member of, a superuser, or one named in the migrate.trusted_roles
-- setting of the session.  Rows of a 1.0 database keep NULL: unknown.

ALTER TABLE migrate_catalog ADD COLUMN added_by text;

CREATE FUNCTION migrate_catalog_added_by()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	NEW.added_by := current_user;
	RETURN NEW;
END
$$;

CREATE TRIGGER migrate_catalog_added_by
BEFORE INSERT OR UPDATE ON migrate_catalog
FOR EACH ROW EXECUTE FUNCTION migrate_catalog_added_by();

COMMENT ON COLUMN migrate_catalog.added_by IS
	'the role that added (or last changed) the revision, written by a trigger; NULL for rows of a 1.0 database';
COMMENT ON FUNCTION migrate_catalog_added_by() IS
	'trigger on migrate_catalog: records current_user as the row''s added_by, whatever the writer supplied';

-- --------------------------------------------------------------------------
-- Rehearsal: migrate_plan, migrate_schema, migrate_rehearse, migrate_stairway,
-- and the schema each run records for drift (migrate_check)

-- The schema the last run left (core/drift.c): its rows, encoded, and their
-- fingerprint; one row, replaced by every run that runs steps.
CREATE TABLE migrate_schema_fingerprint (
	id integer PRIMARY KEY CHECK (id = 1),
	fingerprint text NOT NULL,
	revisions text NOT NULL,
	recorded_at text NOT NULL,
	rows text NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('migrate_schema_fingerprint', '');

-- The steps a run to target would take now; nothing runs.
CREATE FUNCTION migrate_plan(target text DEFAULT NULL, run_direction text DEFAULT NULL)
RETURNS TABLE (step integer, revision text, direction text, from_revisions text,
			   to_revisions text, message text, file text, transactional boolean,
			   statements integer, sql text)
AS 'MODULE_PATHNAME', 'migrate_plan_1_1'
LANGUAGE C VOLATILE;

-- The user's schema as normalized, comparable rows.
CREATE FUNCTION migrate_schema()
RETURNS TABLE (kind text, name text, parent text, definition text)
AS 'MODULE_PATHNAME', 'migrate_schema_1_1'
LANGUAGE C VOLATILE;

-- The plan executed for real and rolled back: one row per step.
CREATE FUNCTION migrate_rehearse(target text DEFAULT NULL, run_direction text DEFAULT NULL)
RETURNS TABLE (step integer, revision text, direction text, from_revisions text,
			   to_revisions text, message text, status text, ms double precision,
			   statements integer, changes text, rewrites text, locks text, error text,
			   error_context text)
AS 'MODULE_PATHNAME', 'migrate_rehearse_1_1'
LANGUAGE C VOLATILE;

-- Per revision: up, down, compare, up again; rolled back.
CREATE FUNCTION migrate_stairway("range" text DEFAULT NULL)
RETURNS TABLE (step integer, revision text, message text, status text, detail text)
AS 'MODULE_PATHNAME', 'migrate_stairway_1_1'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION migrate_plan(text, text) IS
	'migrate_plan([target [, run_direction]]): rows, the steps a run to target would take now (default ''heads''), nothing runs: step, revision, direction, from_revisions, to_revisions, message, file, transactional, statements, sql; run_direction ''upgrade'' or ''downgrade'' (default: downgrade for base and -N, else upgrade)';
COMMENT ON FUNCTION migrate_schema() IS
	'migrate_schema(): rows, the user''s schema normalized and sorted (kind, name, parent, definition); equal schemas give equal rows; the extension''s tables and the version table left out';
COMMENT ON FUNCTION migrate_rehearse(text, text) IS
	'migrate_rehearse([target [, run_direction]]): a real dry run, always rolled back; a row per step with its time, statements, schema changes, the tables it rewrote and the locks it took; a failing step is a row with its error';
COMMENT ON FUNCTION migrate_stairway(text) IS
	'migrate_stairway([range]): per revision of the range (default ''current:heads''), upgrade, downgrade, compare the schema, upgrade again; always rolled back; ok, difference, failed or skipped, with the detail';
