-- add job table
--
-- Revision ID: c39f1de47a04
-- Revises: b182f655505f
-- Create Date: 2022-02-03 09:00:00.000000
-- Branch Labels:
-- Depends On:
-- Tags:

-- migrate:upgrade
CREATE TABLE job (
    id INTEGER NOT NULL PRIMARY KEY,
    user_id INTEGER REFERENCES galaxy_user (id),
    tool_id VARCHAR(255) NOT NULL,
    state VARCHAR(64),
    create_time TIMESTAMP
);
CREATE INDEX ix_job_user_id ON job (user_id);

-- migrate:downgrade
DROP INDEX ix_job_user_id;
DROP TABLE job;
