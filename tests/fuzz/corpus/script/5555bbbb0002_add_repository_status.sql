-- add repository status
--
-- Revision ID: 5555bbbb0002
-- Revises: 5555bbbb0001
-- Create Date: 2022-11-14 10:00:00.000000
-- Branch Labels:
-- Depends On:
-- Tags:

-- migrate:upgrade
ALTER TABLE tool_shed_repository ADD COLUMN status VARCHAR(255);

-- migrate:downgrade
ALTER TABLE tool_shed_repository DROP COLUMN status;
