BEGIN;

-- Running upgrade 9540a051226e -> 6a67bf27e6a6

ALTER TABLE dataset ADD COLUMN metadata JSONB;

CREATE INDEX ix_dataset_metadata ON dataset USING gin (metadata);

UPDATE alembic_version SET version_num='6a67bf27e6a6' WHERE alembic_version.version_num = '9540a051226e';

-- Running upgrade 6a67bf27e6a6 -> a2e418ad6a15

CREATE INDEX ix_job_queued ON job (create_time) INCLUDE (tool_id) WHERE state IN ('new', 'queued');

UPDATE alembic_version SET version_num='a2e418ad6a15' WHERE alembic_version.version_num = '6a67bf27e6a6';

COMMIT;

