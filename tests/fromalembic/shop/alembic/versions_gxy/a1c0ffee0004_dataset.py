"""dataset

Revision ID: a1c0ffee0004
Revises: a1c0ffee0002
Create Date: 2024-03-04 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "a1c0ffee0004"
down_revision = "a1c0ffee0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dataset",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("job_id", sa.Integer),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger, server_default="0"),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"], name="fk_dataset_job", ondelete="CASCADE"),
        sa.UniqueConstraint("name", name="uq_dataset_name"),
    )


def downgrade():
    op.drop_table("dataset")
