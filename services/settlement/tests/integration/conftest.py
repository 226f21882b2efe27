"""Settlement's app on a fresh database, fed filing's events through the real inbox."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from aiokafka.structs import ConsumerRecord
from sqlalchemy import Table, func, select

from devstack.testing import api_client
from medins_common.events.envelope import Event
from medins_common.events.schemas import FilingCancelled, FilingCreated, PersonRegistered
from medins_common.inbox import InboxProcessor
from medins_common.outbox import envelope_for
from medins_common.service import Runtime
from settlement.bootstrap import SERVICE
from settlement.config import SettlementSettings
from settlement.service_layer.handlers import READ_MODEL

TIANJIN, BEIJING = "120000", "110000"
_offsets = itertools.count()


def record(
    event: Event, *, value: bytes | None = None, occurred_at: datetime | None = None
) -> ConsumerRecord:
    """A Kafka record as the consumer would hand it over: the producer's envelope, JSON-encoded
    (``occurred_at`` replays an event that happened earlier)."""
    if value is None:
        envelope = envelope_for(event, producer="filing")
        if occurred_at is not None:
            envelope = envelope.model_copy(update={"occurred_at": occurred_at})
        value = envelope.model_dump_json().encode()
    key = event.key.encode()
    return ConsumerRecord(
        event.topic, 0, next(_offsets), 0, 0, key, value, None, len(key), len(value), []
    )


def person_registered(psn_no: str = "P0001", **changes: Any) -> PersonRegistered:
    return PersonRegistered(
        **{
            "psn_no": psn_no,
            "name": "张三",
            "insured_region": TIANJIN,
            "insutype": "310",
            "person_type": "employee_retired",
            **changes,
        }
    )


def filing_created(filing_id: str = "F1", psn_no: str = "P0001", **changes: Any) -> FilingCreated:
    return FilingCreated(
        **{
            "filing_id": filing_id,
            "psn_no": psn_no,
            "insured_region": TIANJIN,
            "filing_class": "temporary",
            "subtype": "referral",
            "destination_region": BEIJING,
            "start_date": date(2025, 3, 1),
            "end_date": date(2026, 2, 28),
            "channel": "jin_yibao_app",
            **changes,
        }
    )


def filing_cancelled(
    filing_id: str = "F1", psn_no: str = "P0001", on: date = date(2025, 9, 1)
) -> FilingCancelled:
    return FilingCancelled(filing_id=filing_id, psn_no=psn_no, cancelled_on=on)


@dataclass
class SettlementService:
    client: httpx.AsyncClient
    runtime: Runtime
    processor: InboxProcessor

    async def feed(self, *events_or_records: Event | ConsumerRecord) -> None:
        for item in events_or_records:
            await self.processor.process(item if isinstance(item, ConsumerRecord) else record(item))

    async def count(self, table: Table, *where: Any) -> int:
        async with self.runtime.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(table).where(*where)))

    async def rows(self, table: Table) -> list[dict[str, Any]]:
        async with self.runtime.engine.connect() as conn:
            return [dict(row) for row in (await conn.execute(select(table))).mappings()]


@pytest.fixture
async def settlement_service(new_database) -> AsyncIterator[SettlementService]:
    settings = SettlementSettings(database_url=await new_database("settlement"))
    async with api_client(SERVICE, settings) as (client, runtime):
        processor = InboxProcessor(
            subscription=READ_MODEL,
            uow_factory=runtime.uow,
            max_attempts=2,
            retry_base_seconds=0.01,
        )
        yield SettlementService(client, runtime, processor)
