"""job priority

Revision ID: a1c0ffee0003
Revises: a1c0ffee0002
Create Date: 2024-03-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "a1c0ffee0003"
down_revision = "a1c0ffee0002"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "job",
        sa.Column("priority", sa.Integer, nullable=False, server_default=sa.text("0")),
    )
    op.execute("UPDATE job SET priority = 1 WHERE state = 'queued'")


def downgrade():
    op.drop_column("job", "priority")
