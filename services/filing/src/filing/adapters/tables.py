"""The filing database."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    text,
)

from medins_common.messaging_tables import BigId, messaging_tables
from medins_common.sqltypes import Timestamp

metadata = MetaData()
messaging_tables(metadata)

ACTOR_LENGTH = 160  # "role:subject" of whoever made a change, in the history tables

persons = Table(
    "persons",
    metadata,
    Column("psn_no", String(30), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("id_no_hash", String(64), nullable=False, unique=True),
    Column("id_no_masked", String(18), nullable=False),
    Column("insured_region", String(6), nullable=False),
    Column("insutype", String(3), nullable=False),
    Column("person_type", String(30), nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Column("created_at", Timestamp(), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
)

# Every version of a person, from registration on (D-F11: insurance-type changes are kept).
person_history = Table(
    "person_history",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("psn_no", String(30), ForeignKey("persons.psn_no"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("name", String(100), nullable=False),
    Column("insutype", String(3), nullable=False),
    Column("person_type", String(30), nullable=False),
    Column("status", String(20), nullable=False),
    Column("changed_fields", JSON, nullable=False),
    Column("actor", String(ACTOR_LENGTH), nullable=False),
    Column("recorded_at", Timestamp(), nullable=False),
    UniqueConstraint("psn_no", "version", name="uq_person_history_version"),
)

filings = Table(
    "filings",
    metadata,
    Column("filing_id", String(36), primary_key=True),
    Column("psn_no", String(30), ForeignKey("persons.psn_no"), nullable=False),
    Column("insured_region", String(6), nullable=False),
    Column("filing_class", String(20), nullable=False),
    Column("subtype", String(30), nullable=False),
    Column("destination_region", String(6), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("channel", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("materials", JSON, nullable=True),
    Column("referral_id", String(64), nullable=True),
    Column("admission_date", Date, nullable=True),
    Column("cancelled_on", Date, nullable=True),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Column("created_at", Timestamp(), nullable=False),
    Column("updated_at", Timestamp(), nullable=True),
    Index("ix_filings_psn_no", "psn_no"),
)

# Every version of a filing: created, each change of dates or destination, the cancellation.
filing_history = Table(
    "filing_history",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("filing_id", String(36), ForeignKey("filings.filing_id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("action", String(20), nullable=False),
    Column("destination_region", String(6), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("status", String(20), nullable=False),
    Column("cancelled_on", Date, nullable=True),
    Column("changed_fields", JSON, nullable=False),
    Column("reason", String(500), nullable=True),
    Column("actor", String(ACTOR_LENGTH), nullable=False),
    Column("recorded_at", Timestamp(), nullable=False),
    UniqueConstraint("filing_id", "version", name="uq_filing_history_version"),
)

institutions = Table(
    "institutions",
    metadata,
    Column("code", String(30), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("region", String(6), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("level", Integer, nullable=True),
    Column("designated", Boolean, nullable=False),
    Column("consortium_id", String(40), nullable=True),
    Column("jjj_mutual_recognition", Boolean, nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
    Index("ix_institutions_region", "region"),
)

institution_services = Table(
    "institution_services",
    metadata,
    Column("code", String(30), ForeignKey("institutions.code"), primary_key=True),
    Column("service", String(30), primary_key=True),
    Index("ix_institution_services_service", "service"),
)

# Referral's ReferralIssued/ReferralRevoked, as far as a referral filing needs them (D-F2).
known_referrals = Table(
    "known_referrals",
    metadata,
    Column("referral_id", String(64), primary_key=True),
    Column("psn_no", String(30), nullable=False),
    Column("target_institution", String(30), nullable=True),
    Column("target_region", String(6), nullable=True),
    Column("valid_from", Date, nullable=True),
    Column("valid_to", Date, nullable=True),
    Column("revoked", Boolean, nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
)

chronic_registrations = Table(
    "chronic_registrations",
    metadata,
    Column("registration_id", String(36), primary_key=True),
    Column("psn_no", String(30), ForeignKey("persons.psn_no"), nullable=False),
    Column("filing_id", String(36), ForeignKey("filings.filing_id"), nullable=False),
    Column("disease_code", String(40), nullable=False),
    Column("institution_codes", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", Timestamp(), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
    # One active registration per person and disease; a cancelled one may be followed by a new.
    Index(
        "uq_chronic_active_disease",
        "psn_no",
        "disease_code",
        unique=True,
        postgresql_where=text("status = 'active'"),
        sqlite_where=text("status = 'active'"),
    ),
)
