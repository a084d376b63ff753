-- add dataset metadata column
--
-- Revision ID: 6a67bf27e6a6
-- Revises: 9540a051226e
-- Create Date: 2022-09-12 09:00:00.000000
-- Branch Labels:
-- Depends On:
-- Tags:

-- migrate:upgrade sqlite
ALTER TABLE dataset ADD COLUMN metadata TEXT;

-- migrate:upgrade postgresql
ALTER TABLE dataset ADD COLUMN metadata JSONB;
CREATE INDEX ix_dataset_metadata ON dataset USING gin (metadata);

-- migrate:downgrade sqlite
ALTER TABLE dataset DROP COLUMN metadata;

-- migrate:downgrade postgresql
DROP INDEX ix_dataset_metadata;
ALTER TABLE dataset DROP COLUMN metadata;
