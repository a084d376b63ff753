"""wider price

Revision ID: c3f1a0000004
Revises: c3f1a0000003
Create Date: 2024-05-04 09:00:00.000000

Without copy_from, the SQLite table rebuild reflects the table.
"""
from alembic import op
import sqlalchemy as sa

revision = "c3f1a0000004"
down_revision = "c3f1a0000003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("item") as batch:
        batch.alter_column("price", type_=sa.BigInteger, existing_nullable=False)


def downgrade():
    with op.batch_alter_table("item") as batch:
        batch.alter_column("price", type_=sa.Integer, existing_nullable=False)
