"""read model, referrals, steps and uses

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 01:12:45.718083
"""

from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "known_filings",
        sa.Column("filing_id", sa.String(length=36), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("filing_class", sa.String(length=20), nullable=False),
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
        "known_institutions",
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("designated", sa.Boolean(), nullable=False),
        sa.Column("consortium_id", sa.String(length=60), nullable=True),
        sa.Column("jjj_mutual_recognition", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("known_institutions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_known_institutions_consortium_id", ["consortium_id"], unique=False
        )
        batch_op.create_index("ix_known_institutions_region", ["region"], unique=False)

    op.create_table(
        "known_persons",
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("insured_region", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("psn_no"),
    )
    op.create_table(
        "referrals",
        sa.Column("referral_id", sa.String(length=32), nullable=False),
        sa.Column("path", sa.String(length=30), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("issuing_institution", sa.String(length=30), nullable=False),
        sa.Column("target_institution", sa.String(length=30), nullable=False),
        sa.Column("target_region", sa.String(length=6), nullable=False),
        sa.Column("diagnosis_code", sa.String(length=16), nullable=False),
        sa.Column("diagnosis_name", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("origin_referral_id", sa.String(length=32), nullable=True),
        sa.Column("emergency_admitted_on", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("verification_code", sa.String(length=16), nullable=False),
        sa.Column("covered_institutions", sa.JSON(), nullable=True),
        sa.Column("consortium_id", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("referral_id"),
        sa.UniqueConstraint("verification_code"),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referrals_issuing_institution", ["issuing_institution"], unique=False
        )
        batch_op.create_index("ix_referrals_psn_no", ["psn_no"], unique=False)

    op.create_table(
        "referral_steps",
        sa.Column("referral_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor_subject", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("person_name", sa.String(length=100), nullable=False),
        sa.Column("person_title", sa.String(length=30), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.referral_id"],
        ),
        sa.PrimaryKeyConstraint("referral_id", "kind"),
    )
    with op.batch_alter_table("referral_steps", schema=None) as batch_op:
        batch_op.create_index("ix_referral_steps_kind_at", ["kind", "at"], unique=False)

    op.create_table(
        "referral_uses",
        sa.Column("referral_id", sa.String(length=32), nullable=False),
        sa.Column("bill_id", sa.String(length=64), nullable=False),
        sa.Column("institution_code", sa.String(length=30), nullable=False),
        sa.Column("used_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.referral_id"],
        ),
        sa.PrimaryKeyConstraint("referral_id", "bill_id"),
    )
    with op.batch_alter_table("referral_uses", schema=None) as batch_op:
        batch_op.create_index("ix_referral_uses_bill_id", ["bill_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("referral_uses", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_uses_bill_id")

    op.drop_table("referral_uses")
    with op.batch_alter_table("referral_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_steps_kind_at")

    op.drop_table("referral_steps")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_psn_no")
        batch_op.drop_index("ix_referrals_issuing_institution")

    op.drop_table("referrals")
    op.drop_table("known_persons")
    with op.batch_alter_table("known_institutions", schema=None) as batch_op:
        batch_op.drop_index("ix_known_institutions_region")
        batch_op.drop_index("ix_known_institutions_consortium_id")

    op.drop_table("known_institutions")
    with op.batch_alter_table("known_filings", schema=None) as batch_op:
        batch_op.drop_index("ix_known_filings_psn_no")

    op.drop_table("known_filings")
