CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL, 
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

-- Running upgrade  -> d4a650f47a3c

CREATE TABLE tool_version (
    id INTEGER NOT NULL PRIMARY KEY,
    tool_id VARCHAR(255),
    create_time TIMESTAMP
);

INSERT INTO alembic_version (version_num) VALUES ('d4a650f47a3c');

