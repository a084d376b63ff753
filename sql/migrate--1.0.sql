/*
 * migrate--1.0.sql -- install script of the PostgreSQL extension "migrate".
 *
 * The engine's state tables (the columns core/catalog.c reads and writes),
 * in the extension's schema, marked with pg_extension_config_dump so that
 * pg_dump keeps their rows (and the sequences' positions); then the SQL
 * functions, whose C entry points carry the API version (_1_0) so a newer
 * library still serves this script.  Alembic's version table is not here:
 * the engine creates it on the first run, unqualified, as Alembic does.
 */

\echo Use "CREATE EXTENSION migrate" to load this file. \quit

-- One row per known revision, in insertion order (seq: the database assigns it).
CREATE TABLE migrate_catalog (
	seq bigserial PRIMARY KEY,
	revision text NOT NULL UNIQUE,
	down_revisions text NOT NULL DEFAULT '',
	branch_labels text NOT NULL DEFAULT '',
	depends_on text NOT NULL DEFAULT '',
	tags text NOT NULL DEFAULT '',
	message text NOT NULL DEFAULT '',
	filename text NOT NULL DEFAULT '',
	transactional integer NOT NULL DEFAULT 1,
	checksum text NOT NULL,
	script text NOT NULL,
	added_at text NOT NULL
);

-- One row per step run: upgrade, downgrade or stamp.
CREATE TABLE migrate_log (
	id bigserial PRIMARY KEY,
	revision text,
	direction text NOT NULL,
	from_revisions text NOT NULL,
	to_revisions text NOT NULL,
	run_at text NOT NULL,
	duration_ms double precision NOT NULL,
	checksum text,
	applied_by text
);

-- Settings (known keys only; see migrate_config).
CREATE TABLE migrate_settings (
	key text PRIMARY KEY,
	value text NOT NULL
);

-- The catalog's heads, kept so that the start-up check, migrate_heads() and
-- migrate_current() need not build the whole graph (core/headcache.c).  Any
-- change to the catalog empties it; the engine refills it.  Not dumped: a
-- restored database refills it on its first write command.
CREATE TABLE migrate_catalog_heads (
	pos integer PRIMARY KEY,
	seq integer NOT NULL,
	revision text NOT NULL,
	down_revisions text NOT NULL,
	branch_labels text NOT NULL,
	depends_on text NOT NULL,
	message text NOT NULL,
	is_mergepoint integer NOT NULL,
	carried_labels text NOT NULL,
	heads_line text NOT NULL,
	current_line text NOT NULL
);

CREATE FUNCTION migrate_catalog_changed()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = @extschema@, pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM @extschema@.migrate_catalog_heads;
	RETURN NULL;
END
$$;

CREATE TRIGGER migrate_catalog_changed
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON migrate_catalog
FOR EACH STATEMENT EXECUTE FUNCTION migrate_catalog_changed();

SELECT pg_catalog.pg_extension_config_dump('migrate_catalog', '');
SELECT pg_catalog.pg_extension_config_dump('migrate_catalog_seq_seq', '');
SELECT pg_catalog.pg_extension_config_dump('migrate_log', '');
SELECT pg_catalog.pg_extension_config_dump('migrate_log_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('migrate_settings', '');

-- Catalog

CREATE FUNCTION migrate_load(path text)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_load_1_0'
LANGUAGE C VOLATILE;

CREATE FUNCTION migrate_add(script text, filename text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_add_1_0'
LANGUAGE C VOLATILE;

-- Running revisions

CREATE FUNCTION migrate_upgrade(target text DEFAULT 'heads')
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_upgrade_1_0'
LANGUAGE C VOLATILE;

CREATE FUNCTION migrate_downgrade(target text)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_downgrade_1_0'
LANGUAGE C VOLATILE;

CREATE FUNCTION migrate_stamp(target text, purge boolean DEFAULT false)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_stamp_1_0'
LANGUAGE C VOLATILE;

CREATE PROCEDURE migrate_upgrade_steps(target text DEFAULT 'heads')
AS 'MODULE_PATHNAME', 'migrate_upgrade_steps_1_0'
LANGUAGE C;

-- Offline SQL

CREATE FUNCTION migrate_upgrade_sql("range" text DEFAULT 'heads')
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_upgrade_sql_1_0'
LANGUAGE C VOLATILE;

CREATE FUNCTION migrate_downgrade_sql("range" text)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_downgrade_sql_1_0'
LANGUAGE C VOLATILE;

-- Reports

CREATE FUNCTION migrate_show(rev text)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_show_1_0'
LANGUAGE C VOLATILE;

CREATE FUNCTION migrate_branches()
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_branches_1_0'
LANGUAGE C VOLATILE;

CREATE FUNCTION migrate_check()
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_check_1_0'
LANGUAGE C VOLATILE;

CREATE FUNCTION migrate_config(key text, value text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_config_1_0'
LANGUAGE C VOLATILE;

-- Galaxy workflows: initialization, start-up verification, authoring

CREATE FUNCTION migrate_init()
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_init_1_0'
LANGUAGE C VOLATILE;

CREATE FUNCTION migrate_verify(auto_migrate boolean DEFAULT false)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_verify_1_0'
LANGUAGE C VOLATILE;

CREATE FUNCTION migrate_revision(message text, head text DEFAULT NULL, rev_id text DEFAULT NULL,
								 branch_label text DEFAULT NULL, depends_on text DEFAULT NULL,
								 splice boolean DEFAULT false)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_revision_1_0'
LANGUAGE C VOLATILE;

CREATE FUNCTION migrate_merge(revisions text, message text, branch_label text DEFAULT NULL,
							  rev_id text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_merge_1_0'
LANGUAGE C VOLATILE;

CREATE FUNCTION migrate_history("range" text DEFAULT NULL, indicate_current boolean DEFAULT false)
RETURNS TABLE (revision text, down_revisions text, branch_labels text, depends_on text,
			   message text, is_head boolean, is_current boolean, is_branchpoint boolean,
			   is_mergepoint boolean, line text)
AS 'MODULE_PATHNAME', 'migrate_history_1_0'
LANGUAGE C VOLATILE ROWS 50;

CREATE FUNCTION migrate_heads()
RETURNS TABLE (revision text, down_revisions text, branch_labels text, depends_on text,
			   message text, is_head boolean, is_current boolean, is_branchpoint boolean,
			   is_mergepoint boolean, line text)
AS 'MODULE_PATHNAME', 'migrate_heads_1_0'
LANGUAGE C VOLATILE ROWS 5;

CREATE FUNCTION migrate_current(verbose boolean DEFAULT false)
RETURNS TABLE (revision text, down_revisions text, branch_labels text, depends_on text,
			   message text, is_head boolean, is_current boolean, is_branchpoint boolean,
			   is_mergepoint boolean, line text)
AS 'MODULE_PATHNAME', 'migrate_current_1_0'
LANGUAGE C VOLATILE ROWS 5;

COMMENT ON FUNCTION migrate_load(text) IS 'read an environment directory on the server into the catalog';
COMMENT ON FUNCTION migrate_add(text, text) IS 'add one revision from its text';
COMMENT ON FUNCTION migrate_upgrade(text) IS 'upgrade to a target (default: heads), in one transaction';
COMMENT ON FUNCTION migrate_downgrade(text) IS 'downgrade to a target';
COMMENT ON FUNCTION migrate_stamp(text, boolean) IS 'set the version table without running scripts';
COMMENT ON PROCEDURE migrate_upgrade_steps(text) IS 'upgrade to a target, committing after every step (CALL)';
COMMENT ON FUNCTION migrate_upgrade_sql(text) IS 'the SQL an upgrade would run (Alembic''s --sql)';
COMMENT ON FUNCTION migrate_downgrade_sql(text) IS 'the SQL a downgrade would run (Alembic''s --sql)';
COMMENT ON FUNCTION migrate_show(text) IS 'Alembic''s show';
COMMENT ON FUNCTION migrate_branches() IS 'Alembic''s branches';
COMMENT ON FUNCTION migrate_check() IS 'is the database at its heads, and are applied scripts unchanged';
COMMENT ON FUNCTION migrate_config(text, text) IS 'read or write a setting';
COMMENT ON FUNCTION migrate_init() IS 'initialize an empty database: every branch it holds to its head';
COMMENT ON FUNCTION migrate_verify(boolean) IS 'Galaxy''s start-up verification of every branch the database holds';
COMMENT ON FUNCTION migrate_revision(text, text, text, text, text, boolean) IS 'the text of a new revision script';
COMMENT ON FUNCTION migrate_merge(text, text, text, text) IS 'the text of a merge revision';
COMMENT ON FUNCTION migrate_history(text, boolean) IS 'the revisions, newest first, with Alembic''s history lines';
COMMENT ON FUNCTION migrate_heads() IS 'the catalog''s heads';
COMMENT ON FUNCTION migrate_current(boolean) IS 'the database''s current revisions';
