"""repository dataset

Revision ID: b2d0cafe0002
Revises: b2d0cafe0001
Create Date: 2024-04-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "b2d0cafe0002"
down_revision = "b2d0cafe0001"
branch_labels = None
depends_on = "a1c0ffee0004"


def upgrade():
    op.create_table(
        "repository_dataset",
        sa.Column("repository_id", sa.Integer, sa.ForeignKey("repository.id"), primary_key=True),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("dataset.id"), primary_key=True),
    )


def downgrade():
    op.drop_table("repository_dataset")
