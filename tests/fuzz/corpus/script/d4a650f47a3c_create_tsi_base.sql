-- create tsi base
--
-- Revision ID: d4a650f47a3c
-- Revises:
-- Create Date: 2022-01-10 10:00:00.000000
-- Branch Labels: tsi
-- Depends On:
-- Tags:

-- migrate:upgrade
CREATE TABLE tool_version (
    id INTEGER NOT NULL PRIMARY KEY,
    tool_id VARCHAR(255),
    create_time TIMESTAMP
);

-- migrate:downgrade
DROP TABLE tool_version;
