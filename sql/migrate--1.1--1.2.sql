/*
 * migrate--1.1--1.2.sql -- update script of the PostgreSQL extension
 * "migrate" from 1.1 to 1.2.
 *
 * CREATE EXTENSION migrate installs 1.2 as 1.0's script followed by the
 * update scripts (there is no separate migrate--1.2.sql), so a new
 * installation and an updated one are the same by construction.  New C
 * entry points carry the version in which they appeared (_1_2).
 *
 * One section per feature, each opening with a comment line of dashes
 * and its name; state-table changes keep the rows a 1.1 database holds.
 */

\echo Use "ALTER EXTENSION migrate UPDATE TO '1.2'" to load this file. \quit

-- ---------------------------------------------------------------------
-- Stepwise downgrades: CALL migrate_downgrade_steps(target), the
-- counterpart of migrate_upgrade_steps.  The target is resolved once,
-- then each revision is undone in a transaction of its own, and a
-- "Transactional: false" downgrade runs online through the loopback
-- connection, between committed steps.

CREATE PROCEDURE migrate_downgrade_steps(target text)
AS 'MODULE_PATHNAME', 'migrate_downgrade_steps_1_2'
LANGUAGE C;

COMMENT ON PROCEDURE migrate_downgrade_steps(text) IS
	'CALL migrate_downgrade_steps(target): downgrade to a target (required: rev, -1, gxy@-1, base, release tag), committing after every step; the target is resolved once, before the first step; "Transactional: false" steps run online through a loopback dblink connection; outside a transaction block only; progress as NOTICEs';
