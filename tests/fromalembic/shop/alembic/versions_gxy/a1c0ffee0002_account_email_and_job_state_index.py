"""account email and job state index

Revision ID: a1c0ffee0002
Revises: a1c0ffee0001
Create Date: 2024-03-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "a1c0ffee0002"
down_revision = "a1c0ffee0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("account", sa.Column("email", sa.String(255)))
    op.create_index("ix_account_email", "account", ["email"], unique=True)
    op.create_index("ix_job_state", "job", ["state"])


def downgrade():
    op.drop_index("ix_job_state", table_name="job")
    op.drop_index("ix_account_email", table_name="account")
    op.drop_column("account", "email")
