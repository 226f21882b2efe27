"""The outbox, inbox, dead-letter and idempotency-key tables every service database carries.

Defined once; each service adds them to its own metadata and creates them in its first
migration through ``create_messaging_tables``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.engine import Connection

from medins_common.sqltypes import Timestamp

# SQLite only autoincrements an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table
    dead_letter: Table
    idempotency_keys: Table


def messaging_tables(metadata: MetaData) -> MessagingTables:
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(80), nullable=False),
        Column("topic", String(120), nullable=False),
        Column("message_key", String(200), nullable=False),
        Column("correlation_id", String(64), nullable=False),
        Column("envelope", Text, nullable=False),
        Column("created_at", Timestamp(), nullable=False),
        Column("published_at", Timestamp(), nullable=True),
        Index(
            "ix_outbox_unpublished",
            "id",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("processed_at", Timestamp(), nullable=False),
    )
    dead_letter = Table(
        "dead_letter",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("consumer", String(100), nullable=False),
        Column("topic", String(120), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("event_id", String(36), nullable=True),
        Column("raw", Text, nullable=False),
        Column("error", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("created_at", Timestamp(), nullable=False),
    )
    idempotency_keys = Table(
        "idempotency_keys",
        metadata,
        Column("scope", String(120), primary_key=True),
        Column("key", String(120), primary_key=True),
        Column("request_hash", String(64), nullable=False),
        Column("status", String(10), nullable=False),  # running | done
        Column("started_at", Timestamp(), nullable=False),
        Column("response_status", Integer, nullable=True),
        Column("response_body", Text, nullable=True),
    )
    return MessagingTables(
        outbox=outbox, inbox=inbox, dead_letter=dead_letter, idempotency_keys=idempotency_keys
    )


def create_messaging_tables(bind: Connection) -> None:
    """For a service's first migration: create the three tables as defined above."""
    metadata = MetaData()
    messaging_tables(metadata)
    metadata.create_all(bind)


def drop_messaging_tables(bind: Connection) -> None:
    metadata = MetaData()
    messaging_tables(metadata)
    metadata.drop_all(bind)


# Lightweight handles for the shared code; the real tables live in each service's metadata.
_TABLES = messaging_tables(MetaData())
OUTBOX = _TABLES.outbox
INBOX = _TABLES.inbox
DEAD_LETTER = _TABLES.dead_letter
IDEMPOTENCY_KEYS = _TABLES.idempotency_keys
