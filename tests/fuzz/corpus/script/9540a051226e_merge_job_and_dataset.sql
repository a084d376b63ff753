-- merge job and dataset
--
-- Revision ID: 9540a051226e
-- Revises: c39f1de47a04, 186d4835587b
-- Create Date: 2022-05-02 09:00:00.000000
-- Branch Labels:
-- Depends On:
-- Tags: release_22.05

-- migrate:upgrade

-- migrate:downgrade
