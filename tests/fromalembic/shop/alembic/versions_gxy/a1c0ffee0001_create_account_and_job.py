"""create account and job

Revision ID: a1c0ffee0001
Revises:
Create Date: 2024-03-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "a1c0ffee0001"
down_revision = None
branch_labels = ("gxy",)
depends_on = None


def upgrade():
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP")),
    )
    op.create_table(
        "job",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id", name="fk_job_account")),
        sa.Column("state", sa.String(32), nullable=False, server_default="new"),
    )
    op.create_table(
        "legacy_note",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("body", sa.Text),
    )


def downgrade():
    op.drop_table("legacy_note")
    op.drop_table("job")
    op.drop_table("account")
