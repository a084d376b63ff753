"""widen account name, drop created

Revision ID: a1c0ffee0006
Revises: a1c0ffee0005
Create Date: 2024-03-06 09:00:00.000000

The SQLite rendering is Alembic's batch table rebuild; copy_from gives
Alembic the table so that it needs no reflection in offline mode.
"""
from alembic import op
import sqlalchemy as sa

revision = "a1c0ffee0006"
down_revision = "a1c0ffee0005"
branch_labels = None
depends_on = None


def account(name_type, with_created):
    columns = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", name_type, nullable=False),
    ]
    if with_created:
        columns.append(
            sa.Column("created", sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP"))
        )
    columns.append(sa.Column("email", sa.String(255)))
    return sa.Table(
        "account",
        sa.MetaData(),
        *columns,
        sa.Index("ix_account_email", "email", unique=True),
    )


def upgrade():
    with op.batch_alter_table("account", copy_from=account(sa.String(64), True)) as batch:
        batch.alter_column("name", type_=sa.String(128), existing_nullable=False)
        batch.drop_column("created")
    op.drop_table("legacy_note")


def downgrade():
    op.create_table(
        "legacy_note",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("body", sa.Text),
    )
    with op.batch_alter_table("account", copy_from=account(sa.String(128), False)) as batch:
        batch.add_column(
            sa.Column("created", sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP"))
        )
        batch.alter_column("name", type_=sa.String(64), existing_nullable=False)
