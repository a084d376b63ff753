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
