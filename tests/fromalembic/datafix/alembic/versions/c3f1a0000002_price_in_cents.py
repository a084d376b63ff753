"""price in cents

Revision ID: c3f1a0000002
Revises: c3f1a0000001
Create Date: 2024-05-02 09:00:00.000000

A data fix in Python: it reads the rows, so Alembic cannot render it offline.
"""
from alembic import op
import sqlalchemy as sa

revision = "c3f1a0000002"
down_revision = "c3f1a0000001"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE item SET price_cents = 0")
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, price FROM item")).fetchall()
    for id_, price in rows:
        conn.execute(
            sa.text("UPDATE item SET price_cents = :cents WHERE id = :id"),
            {"cents": price * 100, "id": id_},
        )


def downgrade():
    op.execute("UPDATE item SET price_cents = NULL")
