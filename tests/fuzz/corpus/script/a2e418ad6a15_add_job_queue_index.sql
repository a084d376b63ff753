-- add job queue index
--
-- Revision ID: a2e418ad6a15
-- Revises: 6a67bf27e6a6
-- Create Date: 2023-01-09 09:00:00.000000
-- Branch Labels:
-- Depends On:
-- Tags: release_23.0

-- migrate:upgrade sqlite
CREATE INDEX ix_job_queued ON job (create_time) WHERE state IN ('new', 'queued');

-- migrate:upgrade postgresql
CREATE INDEX ix_job_queued ON job (create_time) INCLUDE (tool_id) WHERE state IN ('new', 'queued');

-- migrate:downgrade
DROP INDEX ix_job_queued;
