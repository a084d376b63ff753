"""merge priority and dataset

Revision ID: a1c0ffee0005
Revises: a1c0ffee0003, a1c0ffee0004
Create Date: 2024-03-05 09:00:00.000000

"""
from alembic import op

revision = "a1c0ffee0005"
down_revision = ("a1c0ffee0003", "a1c0ffee0004")
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_dataset_job", "dataset", ["job_id"])


def downgrade():
    op.drop_index("ix_dataset_job", table_name="dataset")
