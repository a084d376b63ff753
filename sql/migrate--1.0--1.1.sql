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
-- migrate_config's force argument
--
-- Switching version_table away from a table that has rows is refused
-- unless the new table exists or force is true; migrate_config(key) and
-- migrate_config(key, value) keep their meaning.

DROP FUNCTION migrate_config(text, text);

CREATE FUNCTION migrate_config(key text, value text DEFAULT NULL, force boolean DEFAULT false)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_config_1_1'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION migrate_config(text, text, boolean) IS 'read or write a setting';
