-- tsi needs gxy job table
--
-- Revision ID: 5555bbbb0001
-- Revises: 3a2d6b1c9e0f
-- Create Date: 2022-03-07 10:00:00.000000
-- Branch Labels:
-- Depends On: c39f1de47a04
-- Tags:

-- migrate:upgrade
CREATE TABLE job_tool_shed_repository (
    job_id INTEGER NOT NULL REFERENCES job (id),
    repository_id INTEGER NOT NULL REFERENCES tool_shed_repository (id),
    PRIMARY KEY (job_id, repository_id)
);

-- migrate:downgrade
DROP TABLE job_tool_shed_repository;
