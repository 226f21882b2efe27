"""A scratch service database: the messaging tables and one table of handler effects."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import ClassVar

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from medins_common.db import create_engine, session_factory
from medins_common.events.envelope import Event
from medins_common.kafka import ensure_topics
from medins_common.messaging_tables import messaging_tables
from medins_common.unit_of_work import UnitOfWork

metadata = MetaData()
messaging_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ping_id", String(64), nullable=False),
)

TOPIC = "test.pings.v1"


class Pinged(Event):
    """A test-only event with a topic of its own."""

    event_type: ClassVar[str] = "Pinged"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "ping_id"

    ping_id: str
    run: str


class ScratchService:
    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        self._sessions = session_factory(self.engine)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self._sessions, producer="scratch")

    async def count(self, table: Table, *where: object) -> int:
        async with self.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(table).where(*where)))


@pytest.fixture
async def scratch(new_database, kafka_bootstrap) -> AsyncIterator[ScratchService]:
    service = ScratchService(await new_database("scratch"))
    async with service.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await ensure_topics(kafka_bootstrap, [TOPIC])
    yield service
    await service.engine.dispose()


@pytest.fixture
def run_id() -> str:
    return uuid.uuid4().hex
