-- create gxy base
--
-- Revision ID: e7b6dcb09efd
-- Revises:
-- Create Date: 2022-01-10 09:00:00.000000
-- Branch Labels: gxy
-- Depends On:
-- Tags:

-- migrate:upgrade
CREATE TABLE history (
    id INTEGER NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    create_time TIMESTAMP,
    deleted BOOLEAN NOT NULL DEFAULT FALSE
);

-- migrate:downgrade
DROP TABLE history;
