"""outbox, inbox and dead letters

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from alembic import op

from medins_common.messaging_tables import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables(op.get_bind())


def downgrade() -> None:
    drop_messaging_tables(op.get_bind())
