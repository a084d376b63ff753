-- add tool shed table
--
-- Revision ID: 3a2d6b1c9e0f
-- Revises: d4a650f47a3c
-- Create Date: 2022-01-24 10:00:00.000000
-- Branch Labels:
-- Depends On:
-- Tags:

-- migrate:upgrade
CREATE TABLE tool_shed_repository (
    id INTEGER NOT NULL PRIMARY KEY,
    tool_shed VARCHAR(255) NOT NULL,
    name VARCHAR(255) NOT NULL,
    owner VARCHAR(255) NOT NULL,
    changeset_revision VARCHAR(255),
    create_time TIMESTAMP
);

-- migrate:downgrade
DROP TABLE tool_shed_repository;
