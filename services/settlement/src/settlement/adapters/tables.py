"""The settlement database: read models fed by filing's events, and (later) bills."""

from sqlalchemy import Column, Date, Index, MetaData, String, Table

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
    Column("insutype", String(3), nullable=False),
    Column("person_type", String(30), nullable=False),
    Column("status", String(20), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
)

known_filings = Table(
    "known_filings",
    metadata,
    Column("filing_id", String(36), primary_key=True),
    Column("psn_no", String(30), nullable=False),
    Column("filing_class", String(20), nullable=False),
    Column("subtype", String(30), nullable=False),
    Column("destination_region", String(6), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("status", String(20), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
    Index("ix_known_filings_psn_no", "psn_no"),
)
