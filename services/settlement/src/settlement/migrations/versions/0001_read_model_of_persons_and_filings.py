"""read model of persons and filings

Revision ID: 0001
Revises:
Create Date: 2026-11-23 00:30:00.627338
"""

from alembic import op
import sqlalchemy as sa

from medins_common.messaging_tables import create_messaging_tables, drop_messaging_tables


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables(op.get_bind())
    op.create_table(
        "known_filings",
        sa.Column("filing_id", sa.String(length=36), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("filing_class", sa.String(length=20), nullable=False),
        sa.Column("subtype", sa.String(length=30), nullable=False),
        sa.Column("destination_region", sa.String(length=6), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("filing_id"),
    )
    with op.batch_alter_table("known_filings", schema=None) as batch_op:
        batch_op.create_index("ix_known_filings_psn_no", ["psn_no"], unique=False)

    op.create_table(
        "known_persons",
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("insured_region", sa.String(length=6), nullable=False),
        sa.Column("insutype", sa.String(length=3), nullable=False),
        sa.Column("person_type", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("psn_no"),
    )


def downgrade() -> None:
    op.drop_table("known_persons")
    with op.batch_alter_table("known_filings", schema=None) as batch_op:
        batch_op.drop_index("ix_known_filings_psn_no")
    op.drop_table("known_filings")
    drop_messaging_tables(op.get_bind())
