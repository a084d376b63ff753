-- add user table
--
-- Revision ID: b182f655505f
-- Revises: e7b6dcb09efd
-- Create Date: 2022-01-17 09:00:00.000000
-- Branch Labels:
-- Depends On:
-- Tags:

-- migrate:upgrade
CREATE TABLE galaxy_user (
    id INTEGER NOT NULL PRIMARY KEY,
    email VARCHAR(255) NOT NULL,
    username VARCHAR(255),
    create_time TIMESTAMP
);
ALTER TABLE history ADD COLUMN user_id INTEGER REFERENCES galaxy_user (id);

-- migrate:downgrade
ALTER TABLE history DROP COLUMN user_id;
DROP TABLE galaxy_user;
