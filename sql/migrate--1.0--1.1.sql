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
