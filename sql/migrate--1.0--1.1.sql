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

COMMENT ON FUNCTION migrate_status() IS 'every revision''s state here: applied, stamped, pending, not held or unknown; when, by whom, checksum';
COMMENT ON FUNCTION migrate_graph(text) IS 'the revision graph as Graphviz DOT text (''dot'', or ''dot-collapsed'' for long chains)';
COMMENT ON FUNCTION migrate_version() IS 'the engine''s version, its SQL API''s, and the database''s';
COMMENT ON FUNCTION migrate_functions() IS 'this list: every function with its arguments and one line on what it does';
-- One description per function, the same as migrate_functions() lists (core/api.c).
COMMENT ON FUNCTION migrate_load(text) IS 'read an environment directory into the catalog';
COMMENT ON FUNCTION migrate_upgrade_sql(text) IS 'the SQL an upgrade would run (Alembic''s --sql); range is [from:]to';
COMMENT ON FUNCTION migrate_downgrade_sql(text) IS 'the SQL a downgrade would run (Alembic''s --sql); range is from:to';
