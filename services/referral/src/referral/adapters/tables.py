"""The referral database: read models fed by filing's events, and the referrals themselves."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
)

from medins_common.messaging_tables import messaging_tables
from medins_common.sqltypes import Timestamp

metadata = MetaData()
messaging_tables(metadata)

known_persons = Table(
    "known_persons",
    metadata,
    Column("psn_no", String(30), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("insured_region", String(6), nullable=False),
    Column("status", String(20), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
)

known_institutions = Table(
    "known_institutions",
    metadata,
    Column("code", String(30), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("region", String(6), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("level", Integer, nullable=True),
    Column("designated", Boolean, nullable=False),
    Column("consortium_id", String(60), nullable=True),
    Column("jjj_mutual_recognition", Boolean, nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
    Index("ix_known_institutions_region", "region"),
    Index("ix_known_institutions_consortium_id", "consortium_id"),
)

known_filings = Table(
    "known_filings",
    metadata,
    Column("filing_id", String(36), primary_key=True),
    Column("psn_no", String(30), nullable=False),
    Column("filing_class", String(20), nullable=False),
    Column("destination_region", String(6), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("status", String(20), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
    Index("ix_known_filings_psn_no", "psn_no"),
)

referrals = Table(
    "referrals",
    metadata,
    Column("referral_id", String(32), primary_key=True),
    Column("path", String(30), nullable=False),
    Column("psn_no", String(30), nullable=False),
    Column("issuing_institution", String(30), nullable=False),
    Column("target_institution", String(30), nullable=False),
    Column("target_region", String(6), nullable=False),
    Column("diagnosis_code", String(16), nullable=False),
    Column("diagnosis_name", String(200), nullable=False),
    Column("reason", String(1000), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=False),
    Column("origin_referral_id", String(32), nullable=True),
    Column("emergency_admitted_on", Date, nullable=True),
    Column("state", String(20), nullable=False),
    Column("verification_code", String(16), nullable=False, unique=True),
    Column("covered_institutions", JSON, nullable=True),  # set when issued
    Column("consortium_id", String(60), nullable=True),
    Column("created_at", Timestamp(), nullable=False),
    Index("ix_referrals_psn_no", "psn_no"),
    Index("ix_referrals_issuing_institution", "issuing_institution"),
)

# Who did each step of a referral and when (D-R1): one row per step, never rewritten.
referral_steps = Table(
    "referral_steps",
    metadata,
    Column("referral_id", String(32), ForeignKey("referrals.referral_id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("actor_subject", String(200), nullable=False),
    Column("actor_role", String(20), nullable=False),
    Column("person_name", String(100), nullable=False),
    Column("person_title", String(30), nullable=True),
    Column("note", String(500), nullable=True),
    Column("at", Timestamp(), nullable=False),
    PrimaryKeyConstraint("referral_id", "kind"),
    Index("ix_referral_steps_kind_at", "kind", "at"),
)

# Bills settled under an issued referral (from settlement's BillSettled): a used referral
# can no longer be revoked.
referral_uses = Table(
    "referral_uses",
    metadata,
    Column("referral_id", String(32), ForeignKey("referrals.referral_id"), nullable=False),
    Column("bill_id", String(64), nullable=False),
    Column("institution_code", String(30), nullable=False),
    Column("used_on", Date, nullable=False),
    Column("recorded_at", Timestamp(), nullable=False),
    PrimaryKeyConstraint("referral_id", "bill_id"),
    Index("ix_referral_uses_bill_id", "bill_id"),
)
