"""reference data: effective-dated catalogues and policies, with the shipped defaults

Revision ID: 0002_reference
Revises: 0001
Create Date: 2026-11-23 01:20:00.000000
"""

from alembic import op
import sqlalchemy as sa

from settlement.adapters.reference_data import seed_defaults
from settlement.domain.defaults import DEFAULT_CATALOGUES, DEFAULT_POLICIES


revision = "0002_reference"
down_revision = "0001"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=14, scale=2)
RATIO = sa.Numeric(precision=5, scale=4)


def upgrade() -> None:
    op.create_table(
        "catalogue_versions",
        sa.Column("version_id", sa.String(length=36), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version_id"),
        sa.UniqueConstraint("region", "effective_from", name="uq_catalogue_versions_region_day"),
    )
    op.create_table(
        "catalogue_items",
        sa.Column("version_id", sa.String(length=36), nullable=False),
        sa.Column("item_code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("item_class", sa.String(length=1), nullable=False),
        sa.Column("self_pay_share", RATIO, nullable=False),
        sa.Column("price_cap", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"], ["catalogue_versions.version_id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("version_id", "item_code"),
    )
    op.create_table(
        "policy_versions",
        sa.Column("version_id", sa.String(length=36), nullable=False),
        sa.Column("insured_region", sa.String(length=6), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("referral_share_increase", RATIO, nullable=False),
        sa.Column("own_initiative_share_increase", RATIO, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version_id"),
        sa.UniqueConstraint(
            "insured_region", "effective_from", name="uq_policy_versions_region_day"
        ),
    )
    op.create_table(
        "policy_rules",
        sa.Column("version_id", sa.String(length=36), nullable=False),
        sa.Column("insutype", sa.String(length=3), nullable=False),
        sa.Column("person_type", sa.String(length=30), nullable=False),
        sa.Column("care_type", sa.String(length=30), nullable=False),
        sa.Column("institution_level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("fund_ratio", RATIO, nullable=False),
        sa.Column("annual_cap", MONEY, nullable=False),
        sa.Column("deductible_first_admission", MONEY, nullable=False),
        sa.Column("deductible_later_admission", MONEY, nullable=False),
        sa.Column("annual_deductible", MONEY, nullable=False),
        sa.Column("retiree_addition", RATIO, nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["policy_versions.version_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "version_id", "insutype", "person_type", "care_type", "institution_level"
        ),
    )
    op.create_table(
        "policy_chronic_diseases",
        sa.Column("version_id", sa.String(length=36), nullable=False),
        sa.Column("disease_code", sa.String(length=30), nullable=False),
        sa.Column("disease_name", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["policy_versions.version_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version_id", "disease_code"),
    )
    # Data step: `make run` and every fresh database start with usable defaults. It runs the
    # service's seeding code as it is today, so a later migration that changes these tables
    # must keep it working (new columns get server defaults).
    seed_defaults(op.get_bind(), catalogues=DEFAULT_CATALOGUES, policies=DEFAULT_POLICIES)


def downgrade() -> None:
    op.drop_table("policy_chronic_diseases")
    op.drop_table("policy_rules")
    op.drop_table("policy_versions")
    op.drop_table("catalogue_items")
    op.drop_table("catalogue_versions")
