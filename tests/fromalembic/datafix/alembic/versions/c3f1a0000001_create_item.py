"""create item

Revision ID: c3f1a0000001
Revises:
Create Date: 2024-05-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "c3f1a0000001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    item = op.create_table(
        "item",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("price", sa.Integer, nullable=False),
        sa.Column("price_cents", sa.Integer),
        sa.Column("label", sa.String(20)),
    )
    op.bulk_insert(item, [{"id": 1, "price": 3, "label": "5% off"}, {"id": 2, "price": 5, "label": None}])
    op.execute("UPDATE item SET label = '100%' WHERE id = 2")


def downgrade():
    op.drop_table("item")
