"""Clearing on a fresh database, fed settlement's bill events through the real inbox."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka.structs import ConsumerRecord
from sqlalchemy import Table, func, select

from clearing.adapters import ledger
from clearing.bootstrap import SERVICE
from clearing.config import ClearingSettings
from clearing.service_layer.handlers import LEDGER
from devstack.testing import api_client
from medins_common.events.envelope import Event
from medins_common.events.schemas import BillReversed, BillSettled
from medins_common.inbox import InboxProcessor
from medins_common.outbox import envelope_for
from medins_common.service import Runtime
from medins_common.timeutil import SHANGHAI

TIANJIN, BEIJING, HEBEI = "120000", "110000", "130000"
_offsets = itertools.count()


def record(event: Event, *, value: bytes | None = None) -> ConsumerRecord:
    """A Kafka record as the consumer gets it: settlement's envelope, JSON-encoded."""
    if value is None:
        value = envelope_for(event, producer="settlement").model_dump_json().encode()
    key = event.key.encode()
    return ConsumerRecord(
        event.topic, 0, next(_offsets), 0, 0, key, value, None, len(key), len(value), []
    )


def bill_facts(
    bill_id: str,
    *,
    fund: str = "800.00",
    medfee: str = "1234.00",
    acct: str = "0.00",
    insured: str = TIANJIN,
    treatment: str = BEIJING,
    institution: str = "H11010500001",
    period: str = "2026-10",
    **changes: Any,
) -> dict[str, Any]:
    part = Decimal(medfee) - Decimal(fund)
    return {
        "bill_id": bill_id,
        "setl_id": f"S-{bill_id}",
        "mdtrt_id": f"M-{bill_id}",
        "institution_code": institution,
        "psn_no": "12000000000000000001",
        "insured_region": insured,
        "treatment_region": treatment,
        "insutype": "310",
        "med_type": "21",
        "period": period,
        "medfee_sumamt": medfee,
        "fund_pay_sumamt": fund,
        "psn_part_amt": str(part),
        "acct_pay": acct,
        "psn_cash_pay": str(part - Decimal(acct)),
        "clr_optins": treatment,
        **changes,
    }


def in_period(period: str, day: int = 15) -> datetime:
    year, month = (int(part) for part in period.split("-"))
    return datetime(year, month, day, 10, 30, tzinfo=SHANGHAI)


def settled(bill_id: str, *, period: str = "2026-10", day: int = 15, **changes: Any) -> BillSettled:
    return BillSettled(
        **bill_facts(bill_id, period=period, **changes), settled_at=in_period(period, day)
    )


def reversed_(
    bill_id: str,
    *,
    period: str = "2026-10",
    original_period: str | None = None,
    day: int = 20,
    **changes: Any,
) -> BillReversed:
    return BillReversed(
        **bill_facts(bill_id, period=period, **changes),
        reversed_at=in_period(period, day),
        original_period=original_period or period,
    )


@dataclass
class ClearingService:
    client: httpx.AsyncClient
    runtime: Runtime
    processor: InboxProcessor

    async def feed(self, *events_or_records: Event | ConsumerRecord) -> None:
        """One record at a time, as the inbox does after a failed batch."""
        for item in events_or_records:
            await self.processor.process(item if isinstance(item, ConsumerRecord) else record(item))

    async def feed_batch(self, *events_or_records: Event | ConsumerRecord) -> None:
        """All in one transaction, as the consumer applies a fetched batch."""
        await self.processor.process_batch(
            [
                item if isinstance(item, ConsumerRecord) else record(item)
                for item in events_or_records
            ]
        )

    async def count(self, table: Table, *where: Any) -> int:
        async with self.runtime.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(table).where(*where)))

    async def rows(self, table: Table, *where: Any) -> list[dict[str, Any]]:
        async with self.runtime.engine.connect() as conn:
            result = await conn.execute(select(table).where(*where))
            return [dict(row) for row in result.mappings()]

    async def close(self, period: str) -> None:
        async with self.runtime.uow() as uow:
            await ledger.close_period(uow.session, period=period, run_id=f"run-{period}")
            await uow.commit()

    async def balances(self, insured: str = TIANJIN, treatment: str = BEIJING):
        async with self.runtime.uow() as uow:
            found = await ledger.pair_balances(uow.session, [(insured, treatment)])
        return found.get((insured, treatment))

    async def trial_balance(self, period: str | None = None):
        async with self.runtime.uow() as uow:
            return await ledger.trial_balance(uow.session, period=period)


def clearing_settings(database_url: str, **changes: Any) -> ClearingSettings:
    # Nothing listens on port 9: a run that asks settlement meets a refused connection.
    return ClearingSettings(
        database_url=database_url, settlement_base_url="http://127.0.0.1:9", **changes
    )


@pytest.fixture
async def clearing(new_database) -> AsyncIterator[ClearingService]:
    settings = clearing_settings(await new_database("clearing"))
    async with api_client(SERVICE, settings) as (client, runtime):
        processor = InboxProcessor(
            subscription=LEDGER, uow_factory=runtime.uow, max_attempts=2, retry_base_seconds=0.01
        )
        yield ClearingService(client, runtime, processor)
