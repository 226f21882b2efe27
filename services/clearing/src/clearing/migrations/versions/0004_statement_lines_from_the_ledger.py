"""statement lines are read from the closed period's ledger

A closed period's ledger never changes, so the lines per institution are summed from it when
a statement is read instead of being copied at closing time.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("statement_institutions")


def downgrade() -> None:
    op.create_table(
        "statement_institutions",
        sa.Column("statement_id", sa.VARCHAR(length=32), nullable=False),
        sa.Column("institution_code", sa.VARCHAR(length=40), nullable=False),
        sa.Column("settled_count", sa.INTEGER(), nullable=False),
        sa.Column("reversed_count", sa.INTEGER(), nullable=False),
        sa.Column("medfee_sumamt", sa.BIGINT(), nullable=False),
        sa.Column("fund_pay_sumamt", sa.BIGINT(), nullable=False),
        sa.Column("psn_part_amt", sa.BIGINT(), nullable=False),
        sa.Column("psn_cash_pay", sa.BIGINT(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.statement_id"],
        ),
        sa.PrimaryKeyConstraint("statement_id", "institution_code"),
    )
