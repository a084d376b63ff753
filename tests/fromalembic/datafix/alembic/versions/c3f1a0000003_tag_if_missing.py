"""tag table if missing

Revision ID: c3f1a0000003
Revises: c3f1a0000002
Create Date: 2024-05-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "c3f1a0000003"
down_revision = "c3f1a0000002"
branch_labels = None
depends_on = None


def upgrade():
    if not sa.inspect(op.get_bind()).has_table("tag"):
        op.create_table(
            "tag",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50)),
        )


def downgrade():
    op.drop_table("tag")
