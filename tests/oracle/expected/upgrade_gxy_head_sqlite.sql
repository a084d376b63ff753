CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL, 
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

-- Running upgrade  -> e7b6dcb09efd

CREATE TABLE history (
    id INTEGER NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    create_time TIMESTAMP,
    deleted BOOLEAN NOT NULL DEFAULT FALSE
);

INSERT INTO alembic_version (version_num) VALUES ('e7b6dcb09efd');

-- Running upgrade e7b6dcb09efd -> b182f655505f

CREATE TABLE galaxy_user (
    id INTEGER NOT NULL PRIMARY KEY,
    email VARCHAR(255) NOT NULL,
    username VARCHAR(255),
    create_time TIMESTAMP
);

ALTER TABLE history ADD COLUMN user_id INTEGER REFERENCES galaxy_user (id);

UPDATE alembic_version SET version_num='b182f655505f' WHERE alembic_version.version_num = 'e7b6dcb09efd';

-- Running upgrade b182f655505f -> 186d4835587b

CREATE TABLE dataset (
    id INTEGER NOT NULL PRIMARY KEY,
    history_id INTEGER REFERENCES history (id),
    state VARCHAR(64),
    file_size BIGINT,
    create_time TIMESTAMP
);

CREATE INDEX ix_dataset_state ON dataset (state);

UPDATE alembic_version SET version_num='186d4835587b' WHERE alembic_version.version_num = 'b182f655505f';

-- Running upgrade b182f655505f -> c39f1de47a04

CREATE TABLE job (
    id INTEGER NOT NULL PRIMARY KEY,
    user_id INTEGER REFERENCES galaxy_user (id),
    tool_id VARCHAR(255) NOT NULL,
    state VARCHAR(64),
    create_time TIMESTAMP
);

CREATE INDEX ix_job_user_id ON job (user_id);

INSERT INTO alembic_version (version_num) VALUES ('c39f1de47a04');

-- Running upgrade c39f1de47a04, 186d4835587b -> 9540a051226e

DELETE FROM alembic_version WHERE alembic_version.version_num = 'c39f1de47a04';

UPDATE alembic_version SET version_num='9540a051226e' WHERE alembic_version.version_num = '186d4835587b';

-- Running upgrade 9540a051226e -> 6a67bf27e6a6

ALTER TABLE dataset ADD COLUMN metadata TEXT;

UPDATE alembic_version SET version_num='6a67bf27e6a6' WHERE alembic_version.version_num = '9540a051226e';

-- Running upgrade 6a67bf27e6a6 -> a2e418ad6a15

CREATE INDEX ix_job_queued ON job (create_time) WHERE state IN ('new', 'queued');

UPDATE alembic_version SET version_num='a2e418ad6a15' WHERE alembic_version.version_num = '6a67bf27e6a6';

