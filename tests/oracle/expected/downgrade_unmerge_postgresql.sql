BEGIN;

-- Running downgrade 9540a051226e -> c39f1de47a04, 186d4835587b

INSERT INTO alembic_version (version_num) VALUES ('c39f1de47a04');

UPDATE alembic_version SET version_num='186d4835587b' WHERE alembic_version.version_num = '9540a051226e';

-- Running downgrade c39f1de47a04 -> b182f655505f

DROP INDEX ix_job_user_id;

DROP TABLE job;

DELETE FROM alembic_version WHERE alembic_version.version_num = 'c39f1de47a04';

-- Running downgrade 186d4835587b -> b182f655505f

DROP INDEX ix_dataset_state;

DROP TABLE dataset;

UPDATE alembic_version SET version_num='b182f655505f' WHERE alembic_version.version_num = '186d4835587b';

COMMIT;

