-- add dataset table
--
-- Revision ID: 186d4835587b
-- Revises: b182f655505f
-- Create Date: 2022-02-01 09:00:00.000000
-- Branch Labels:
-- Depends On:
-- Tags:

-- migrate:upgrade
CREATE TABLE dataset (
    id INTEGER NOT NULL PRIMARY KEY,
    history_id INTEGER REFERENCES history (id),
    state VARCHAR(64),
    file_size BIGINT,
    create_time TIMESTAMP
);
CREATE INDEX ix_dataset_state ON dataset (state);

-- migrate:downgrade
DROP INDEX ix_dataset_state;
DROP TABLE dataset;
