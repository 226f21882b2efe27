"""persons and filings

Revision ID: 0001
Revises:
Create Date: 2026-11-23 00:29:13.540094
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
        "persons",
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("id_no_hash", sa.String(length=64), nullable=False),
        sa.Column("id_no_masked", sa.String(length=18), nullable=False),
        sa.Column("insured_region", sa.String(length=6), nullable=False),
        sa.Column("insutype", sa.String(length=3), nullable=False),
        sa.Column("person_type", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("psn_no"),
        sa.UniqueConstraint("id_no_hash"),
    )
    op.create_table(
        "filings",
        sa.Column("filing_id", sa.String(length=36), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("insured_region", sa.String(length=6), nullable=False),
        sa.Column("filing_class", sa.String(length=20), nullable=False),
        sa.Column("subtype", sa.String(length=30), nullable=False),
        sa.Column("destination_region", sa.String(length=6), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["psn_no"],
            ["persons.psn_no"],
        ),
        sa.PrimaryKeyConstraint("filing_id"),
    )
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.create_index("ix_filings_psn_no", ["psn_no"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.drop_index("ix_filings_psn_no")

    op.drop_table("filings")
    op.drop_table("persons")
    drop_messaging_tables(op.get_bind())
