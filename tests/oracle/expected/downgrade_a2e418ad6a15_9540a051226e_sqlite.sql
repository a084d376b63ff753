-- Running downgrade a2e418ad6a15 -> 6a67bf27e6a6

DROP INDEX ix_job_queued;

UPDATE alembic_version SET version_num='6a67bf27e6a6' WHERE alembic_version.version_num = 'a2e418ad6a15';

-- Running downgrade 6a67bf27e6a6 -> 9540a051226e

ALTER TABLE dataset DROP COLUMN metadata;

UPDATE alembic_version SET version_num='9540a051226e' WHERE alembic_version.version_num = '6a67bf27e6a6';

