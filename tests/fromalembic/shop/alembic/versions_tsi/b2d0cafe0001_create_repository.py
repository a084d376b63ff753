"""create repository

Revision ID: b2d0cafe0001
Revises:
Create Date: 2024-04-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "b2d0cafe0001"
down_revision = None
branch_labels = ("tsi",)
depends_on = None

status = sa.Enum("new", "installed", "error", name="repository_status")


def upgrade():
    op.create_table(
        "repository",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("status", status, nullable=False, server_default="new"),
    )


def downgrade():
    op.drop_table("repository")
    status.drop(op.get_bind(), checkfirst=False)
