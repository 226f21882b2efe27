"""Reference data tables: effective-dated catalogues and policies (migration 0002_reference).

Attached to settlement's one ``metadata``; a version's rows are written once, with it.
"""

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)

from medins_common.sqltypes import Timestamp
from settlement.adapters.tables import metadata

MONEY = Numeric(14, 2)
UNIT_PRICE = Numeric(14, 4)  # unit prices of tablets and the like go below the fen
RATIO = Numeric(5, 4)
ANY_LEVEL = 0  # institution_level stored for "any level" (None in the domain), keeps keys unique

catalogue_versions = Table(
    "catalogue_versions",
    metadata,
    Column("version_id", String(36), primary_key=True),
    Column("region", String(6), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("source", String(500), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", Timestamp(), nullable=False),
    UniqueConstraint("region", "effective_from", name="uq_catalogue_versions_region_day"),
)

catalogue_items = Table(
    "catalogue_items",
    metadata,
    Column(
        "version_id",
        String(36),
        ForeignKey("catalogue_versions.version_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("item_code", String(50), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("item_class", String(1), nullable=False),
    Column("self_pay_share", RATIO, nullable=False),
    Column("price_cap", UNIT_PRICE, nullable=True),
)

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("version_id", String(36), primary_key=True),
    Column("insured_region", String(6), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("source", String(500), nullable=False),
    Column("referral_share_increase", RATIO, nullable=False),
    Column("own_initiative_share_increase", RATIO, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", Timestamp(), nullable=False),
    UniqueConstraint("insured_region", "effective_from", name="uq_policy_versions_region_day"),
)

policy_rules = Table(
    "policy_rules",
    metadata,
    Column(
        "version_id",
        String(36),
        ForeignKey("policy_versions.version_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("insutype", String(3), primary_key=True),
    Column("person_type", String(30), primary_key=True),
    Column("care_type", String(30), primary_key=True),
    Column("institution_level", Integer, primary_key=True, autoincrement=False),
    Column("position", Integer, nullable=False),  # the row's place in the import
    Column("fund_ratio", RATIO, nullable=False),
    Column("annual_cap", MONEY, nullable=False),
    Column("deductible_first_admission", MONEY, nullable=False),
    Column("deductible_later_admission", MONEY, nullable=False),
    Column("annual_deductible", MONEY, nullable=False),
    Column("retiree_addition", RATIO, nullable=False),
)

policy_chronic_diseases = Table(
    "policy_chronic_diseases",
    metadata,
    Column(
        "version_id",
        String(36),
        ForeignKey("policy_versions.version_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("disease_code", String(30), primary_key=True),
    Column("disease_name", String(100), nullable=True),
)
