"""bills, accumulators and read models

Revision ID: 0002_bills
Revises: 0001
Create Date: 2026-11-23 01:07:26.468222
"""

from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


revision = "0002_bills"
down_revision = "0001"
branch_labels = None
depends_on = None

# Exact yuan: NUMERIC on PostgreSQL, whole fen on SQLite (settlement.adapters.sqltypes.Fen).
MONEY = sa.Numeric(precision=14, scale=2).with_variant(sa.BigInteger(), "sqlite")


def _move_legacy_cancellations() -> None:
    """Filings cancelled before cancellations kept their day covered nothing; keep it so by
    ending them the day before they started."""
    filings = sa.table(
        "known_filings",
        sa.column("filing_id", sa.String),
        sa.column("psn_no", sa.String),
        sa.column("start_date", sa.Date),
        sa.column("status", sa.String),
    )
    cancellations = sa.table(
        "filing_cancellations",
        sa.column("filing_id", sa.String),
        sa.column("psn_no", sa.String),
        sa.column("cancelled_on", sa.Date),
        sa.column("as_of", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    # Older than any event, so a real FilingCancelled still wins (stored as medins' Timestamp).
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    if bind.dialect.name == "sqlite":
        long_ago = long_ago.replace(tzinfo=None)
    cancelled = bind.execute(
        sa.select(filings.c.filing_id, filings.c.psn_no, filings.c.start_date).where(
            filings.c.status == "cancelled"
        )
    ).all()
    if cancelled:
        bind.execute(
            cancellations.insert(),
            [
                {
                    "filing_id": row.filing_id,
                    "psn_no": row.psn_no,
                    "cancelled_on": row.start_date - timedelta(days=1),
                    "as_of": long_ago,
                }
                for row in cancelled
            ],
        )


def upgrade() -> None:
    op.create_table(
        "accumulators",
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("insutype", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("care_type", sa.String(length=30), nullable=False),
        sa.Column("deductible_used", MONEY, nullable=False),
        sa.Column("fund_paid", MONEY, nullable=False),
        sa.Column("admissions", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("psn_no", "insutype", "year", "care_type"),
    )
    op.create_table(
        "bills",
        sa.Column("bill_id", sa.String(length=32), nullable=False),
        sa.Column("institution_code", sa.String(length=30), nullable=False),
        sa.Column("setl_id", sa.String(length=60), nullable=False),
        sa.Column("mdtrt_id", sa.String(length=60), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("insutype", sa.String(length=3), nullable=False),
        sa.Column("person_type", sa.String(length=30), nullable=False),
        sa.Column("med_type", sa.String(length=6), nullable=False),
        sa.Column("care_type", sa.String(length=30), nullable=False),
        sa.Column("insured_region", sa.String(length=6), nullable=False),
        sa.Column("treatment_region", sa.String(length=6), nullable=False),
        sa.Column("begndate", sa.Date(), nullable=False),
        sa.Column("enddate", sa.Date(), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("chronic_disease", sa.String(length=30), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("medfee_sumamt", MONEY, nullable=False),
        sa.Column("fulamt_ownpay_amt", MONEY, nullable=False),
        sa.Column("overlmt_selfpay", MONEY, nullable=False),
        sa.Column("preselfpay_amt", MONEY, nullable=False),
        sa.Column("inscp_scp_amt", MONEY, nullable=False),
        sa.Column("act_pay_dedc", MONEY, nullable=False),
        sa.Column("hifp_pay", MONEY, nullable=False),
        sa.Column("pool_prop_selfpay", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("fund_pay_sumamt", MONEY, nullable=False),
        sa.Column("psn_part_amt", MONEY, nullable=False),
        sa.Column("acct_pay", MONEY, nullable=False),
        sa.Column("psn_cash_pay", MONEY, nullable=False),
        sa.Column("clr_optins", sa.String(length=6), nullable=False),
        sa.Column("coverage", sa.JSON(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.Column("catalogue_version", sa.String(length=60), nullable=False),
        sa.Column("policy_version", sa.String(length=60), nullable=False),
        sa.Column("accumulator_year", sa.Integer(), nullable=False),
        sa.Column("accumulator_care_type", sa.String(length=30), nullable=False),
        sa.Column("used_deductible", MONEY, nullable=False),
        sa.Column("used_fund", MONEY, nullable=False),
        sa.Column("used_admissions", sa.Integer(), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_day", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reversed_day", sa.Date(), nullable=True),
        sa.Column("reversal_period", sa.String(length=7), nullable=True),
        sa.Column("reversal_reason", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("bill_id"),
        sa.UniqueConstraint("institution_code", "setl_id", name="uq_bills_institution_setl_id"),
    )
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bills_institution_reversed_day", ["institution_code", "reversed_day"], unique=False
        )
        batch_op.create_index(
            "ix_bills_institution_settled_day", ["institution_code", "settled_day"], unique=False
        )
        batch_op.create_index("ix_bills_period", ["period"], unique=False)
        batch_op.create_index("ix_bills_reversal_period", ["reversal_period"], unique=False)

    op.create_table(
        "claimed_invoices",
        sa.Column("einvoice_no", sa.String(length=60), nullable=False),
        sa.Column("claim_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("einvoice_no"),
    )
    op.create_table(
        "closed_periods",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("run_id", sa.String(length=60), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("period"),
    )
    op.create_table(
        "filing_cancellations",
        sa.Column("filing_id", sa.String(length=36), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("cancelled_on", sa.Date(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("filing_id"),
    )
    op.create_table(
        "hospital_reconciliations",
        sa.Column("institution_code", sa.String(length=30), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("declared_count", sa.Integer(), nullable=False),
        sa.Column("declared_medfee_sumamt", MONEY, nullable=False),
        sa.Column("declared_fund_pay_sumamt", MONEY, nullable=False),
        sa.Column("declared_cash", MONEY, nullable=False),
        sa.Column("computed_count", sa.Integer(), nullable=False),
        sa.Column("computed_medfee_sumamt", MONEY, nullable=False),
        sa.Column("computed_fund_pay_sumamt", MONEY, nullable=False),
        sa.Column("computed_cash", MONEY, nullable=False),
        sa.Column("result", sa.String(length=10), nullable=False),
        sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("institution_code", "day"),
    )
    with op.batch_alter_table("hospital_reconciliations", schema=None) as batch_op:
        batch_op.create_index("ix_hospital_reconciliations_day", ["day"], unique=False)

    op.create_table(
        "known_chronic_registrations",
        sa.Column("registration_id", sa.String(length=36), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("filing_id", sa.String(length=36), nullable=True),
        sa.Column("disease_code", sa.String(length=30), nullable=False),
        sa.Column("disease_name", sa.String(length=100), nullable=False),
        sa.Column("institution_codes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("registration_id"),
    )
    with op.batch_alter_table("known_chronic_registrations", schema=None) as batch_op:
        batch_op.create_index("ix_known_chronic_registrations_psn_no", ["psn_no"], unique=False)

    op.create_table(
        "known_institutions",
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("designated", sa.Boolean(), nullable=False),
        sa.Column("networked_services", sa.JSON(), nullable=False),
        sa.Column("consortium_id", sa.String(length=60), nullable=True),
        sa.Column("jjj_mutual_recognition", sa.Boolean(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("known_institutions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_known_institutions_consortium_id", ["consortium_id"], unique=False
        )

    op.create_table(
        "known_referrals",
        sa.Column("referral_id", sa.String(length=36), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("path", sa.String(length=40), nullable=False),
        sa.Column("issuing_institution", sa.String(length=30), nullable=False),
        sa.Column("target_institution", sa.String(length=30), nullable=False),
        sa.Column("target_region", sa.String(length=6), nullable=False),
        sa.Column("covered_institutions", sa.JSON(), nullable=False),
        sa.Column("consortium_id", sa.String(length=60), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("referral_id"),
    )
    with op.batch_alter_table("known_referrals", schema=None) as batch_op:
        batch_op.create_index("ix_known_referrals_psn_no", ["psn_no"], unique=False)

    op.create_table(
        "manual_claims",
        sa.Column("claim_id", sa.String(length=32), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("insured_region", sa.String(length=6), nullable=False),
        sa.Column("insutype", sa.String(length=3), nullable=False),
        sa.Column("person_type", sa.String(length=30), nullable=False),
        sa.Column("institution_code", sa.String(length=30), nullable=False),
        sa.Column("treatment_region", sa.String(length=6), nullable=False),
        sa.Column("care_type", sa.String(length=30), nullable=False),
        sa.Column("begndate", sa.Date(), nullable=False),
        sa.Column("enddate", sa.Date(), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("chronic_disease", sa.String(length=30), nullable=True),
        sa.Column("invoices", sa.JSON(), nullable=False),
        sa.Column("valuation", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("claim_id"),
    )
    with op.batch_alter_table("manual_claims", schema=None) as batch_op:
        batch_op.create_index(
            "ix_manual_claims_insured_region_status", ["insured_region", "status"], unique=False
        )
        batch_op.create_index("ix_manual_claims_psn_no", ["psn_no"], unique=False)

    op.create_table(
        "referral_revocations",
        sa.Column("referral_id", sa.String(length=36), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("referral_id"),
    )
    _move_legacy_cancellations()
    with op.batch_alter_table("known_filings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("as_of", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column("status")

    with op.batch_alter_table("known_persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("as_of", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("known_persons", schema=None) as batch_op:
        batch_op.drop_column("as_of")

    with op.batch_alter_table("known_filings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=20), nullable=False, server_default="active")
        )
        batch_op.drop_column("as_of")
        batch_op.drop_column("scope")

    op.drop_table("referral_revocations")
    with op.batch_alter_table("manual_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_manual_claims_psn_no")
        batch_op.drop_index("ix_manual_claims_insured_region_status")

    op.drop_table("manual_claims")
    with op.batch_alter_table("known_referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_known_referrals_psn_no")

    op.drop_table("known_referrals")
    with op.batch_alter_table("known_institutions", schema=None) as batch_op:
        batch_op.drop_index("ix_known_institutions_consortium_id")

    op.drop_table("known_institutions")
    with op.batch_alter_table("known_chronic_registrations", schema=None) as batch_op:
        batch_op.drop_index("ix_known_chronic_registrations_psn_no")

    op.drop_table("known_chronic_registrations")
    with op.batch_alter_table("hospital_reconciliations", schema=None) as batch_op:
        batch_op.drop_index("ix_hospital_reconciliations_day")

    op.drop_table("hospital_reconciliations")
    op.drop_table("filing_cancellations")
    op.drop_table("closed_periods")
    op.drop_table("claimed_invoices")
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.drop_index("ix_bills_reversal_period")
        batch_op.drop_index("ix_bills_period")
        batch_op.drop_index("ix_bills_institution_settled_day")
        batch_op.drop_index("ix_bills_institution_reversed_day")

    op.drop_table("bills")
    op.drop_table("accumulators")
