-- Running upgrade 9540a051226e -> 6a67bf27e6a6

ALTER TABLE dataset ADD COLUMN metadata TEXT;

UPDATE alembic_version SET version_num='6a67bf27e6a6' WHERE alembic_version.version_num = '9540a051226e';

-- Running upgrade 6a67bf27e6a6 -> a2e418ad6a15

CREATE INDEX ix_job_queued ON job (create_time) WHERE state IN ('new', 'queued');

UPDATE alembic_version SET version_num='a2e418ad6a15' WHERE alembic_version.version_num = '6a67bf27e6a6';

