"""ledger, parked events, clearing runs and statements

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "clearing_runs",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("forced_by", sa.String(length=120), nullable=True),
        sa.Column("forced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("force_reason", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id"),
        sa.UniqueConstraint("period"),
    )
    op.create_table(
        "closed_periods",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("period"),
    )
    op.create_table(
        "ledger_entries",
        sa.Column(
            "entry_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("insured_region", sa.String(length=6), nullable=False),
        sa.Column("treatment_region", sa.String(length=6), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("event_period", sa.String(length=7), nullable=True),
        sa.Column("original_period", sa.String(length=7), nullable=True),
        sa.Column("institution_code", sa.String(length=40), nullable=True),
        sa.Column("setl_id", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("medfee_sumamt", sa.BigInteger(), nullable=True),
        sa.Column("psn_part_amt", sa.BigInteger(), nullable=True),
        sa.Column("acct_pay", sa.BigInteger(), nullable=True),
        sa.Column("psn_cash_pay", sa.BigInteger(), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.Column("memo", sa.String(length=400), nullable=True),
        sa.Column("recorded_by", sa.String(length=120), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entry_id"),
        sa.UniqueConstraint("kind", "source_id", name="uq_ledger_entries_kind_source"),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_entries_pair_kind",
            ["insured_region", "treatment_region", "kind"],
            unique=False,
        )
        batch_op.create_index(
            "ix_ledger_entries_period_pair",
            ["period", "insured_region", "treatment_region"],
            unique=False,
        )

    op.create_table(
        "parked_events",
        sa.Column(
            "parked_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("bill_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("parked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("parked_id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("parked_events", schema=None) as batch_op:
        batch_op.create_index("ix_parked_events_period", ["period"], unique=False)

    op.create_table(
        "ledger_lines",
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account", sa.String(length=24), nullable=False),
        sa.Column("side", sa.String(length=6), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entries.entry_id"],
        ),
        sa.PrimaryKeyConstraint("entry_id", "account"),
    )
    op.create_table(
        "reconciliation_differences",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["clearing_runs.run_id"],
        ),
        sa.PrimaryKeyConstraint("run_id", "attempt", "seq"),
    )
    op.create_table(
        "statements",
        sa.Column("statement_id", sa.String(length=32), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("insured_region", sa.String(length=6), nullable=False),
        sa.Column("treatment_region", sa.String(length=6), nullable=False),
        sa.Column("settled_count", sa.Integer(), nullable=False),
        sa.Column("reversed_count", sa.Integer(), nullable=False),
        sa.Column("medfee_sumamt", sa.BigInteger(), nullable=False),
        sa.Column("fund_pay_sumamt", sa.BigInteger(), nullable=False),
        sa.Column("psn_part_amt", sa.BigInteger(), nullable=False),
        sa.Column("psn_cash_pay", sa.BigInteger(), nullable=False),
        sa.Column("adjustment_count", sa.Integer(), nullable=False),
        sa.Column("adjustment_fund_pay_sumamt", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("insured_confirmed_by", sa.String(length=120), nullable=True),
        sa.Column("insured_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("treatment_confirmed_by", sa.String(length=120), nullable=True),
        sa.Column("treatment_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_by", sa.String(length=120), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["clearing_runs.run_id"],
        ),
        sa.PrimaryKeyConstraint("statement_id"),
        sa.UniqueConstraint(
            "period", "insured_region", "treatment_region", name="uq_statements_pair"
        ),
    )
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.create_index("ix_statements_run", ["run_id"], unique=False)

    op.create_table(
        "statement_institutions",
        sa.Column("statement_id", sa.String(length=32), nullable=False),
        sa.Column("institution_code", sa.String(length=40), nullable=False),
        sa.Column("settled_count", sa.Integer(), nullable=False),
        sa.Column("reversed_count", sa.Integer(), nullable=False),
        sa.Column("medfee_sumamt", sa.BigInteger(), nullable=False),
        sa.Column("fund_pay_sumamt", sa.BigInteger(), nullable=False),
        sa.Column("psn_part_amt", sa.BigInteger(), nullable=False),
        sa.Column("psn_cash_pay", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.statement_id"],
        ),
        sa.PrimaryKeyConstraint("statement_id", "institution_code"),
    )


def downgrade() -> None:

    op.drop_table("statement_institutions")
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_index("ix_statements_run")

    op.drop_table("statements")
    op.drop_table("reconciliation_differences")
    op.drop_table("ledger_lines")
    with op.batch_alter_table("parked_events", schema=None) as batch_op:
        batch_op.drop_index("ix_parked_events_period")

    op.drop_table("parked_events")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_period_pair")
        batch_op.drop_index("ix_ledger_entries_pair_kind")

    op.drop_table("ledger_entries")
    op.drop_table("closed_periods")
    op.drop_table("clearing_runs")
