"""Clearing on a fresh database, fed settlement's bill events through the real inbox."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import uvicorn
from aiokafka.structs import ConsumerRecord
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import Table, func, select

from clearing.adapters import ledger
from clearing.bootstrap import SERVICE
from clearing.config import ClearingSettings
from clearing.service_layer.handlers import LEDGER
from devstack.broker import free_port
from devstack.testing import api_client, bearer
from medins_common.events.envelope import Event
from medins_common.events.schemas import BillReversed, BillSettled
from medins_common.inbox import InboxProcessor
from medins_common.outbox import envelope_for
from medins_common.service import Runtime
from medins_common.timeutil import SHANGHAI

TIANJIN, BEIJING, HEBEI = "120000", "110000", "130000"
ADMIN = bearer("admin")
AUDITOR = bearer("auditor")
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

    async def run_clearing(self, period: str, *, headers: dict[str, str] = ADMIN) -> dict[str, Any]:
        """POST the run and wait until it stops working (closed, blocked or failed)."""
        started = await self.client.post(
            "/v1/clearing-runs", json={"period": period}, headers=headers
        )
        assert started.status_code == 202, started.text
        return await self.wait_for_run(started.json()["run_id"])

    async def wait_for_run(self, run_id: str, timeout: float = 20.0) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            answer = await self.client.get(f"/v1/clearing-runs/{run_id}", headers=ADMIN)
            assert answer.status_code == 200, answer.text
            if answer.json()["status"] != "running":
                return answer.json()
            assert asyncio.get_running_loop().time() < deadline, answer.json()
            await asyncio.sleep(0.05)

    async def statements(self, run_id: str, headers: dict[str, str] = ADMIN) -> dict[str, Any]:
        answer = await self.client.get(f"/v1/clearing-runs/{run_id}/statements", headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def statement(
        self, run_id: str, insured: str = TIANJIN, treatment: str = BEIJING
    ) -> dict[str, Any]:
        listed = (await self.statements(run_id))["statements"]
        [found] = [
            s
            for s in listed
            if (s["insured_region"], s["treatment_region"]) == (insured, treatment)
        ]
        return found


def clerk(region: str) -> dict[str, str]:
    return bearer("clerk", region=region)


class SettlementStub:
    """Settlement's period endpoints as a real HTTP server, answering what a test sets."""

    def __init__(self) -> None:
        self.reset()
        app = FastAPI()

        @app.get("/v1/periods/{period}/totals")
        async def totals(period: str) -> Any:
            return self._answer("totals", {"period": period, "pairs": self.totals})

        @app.get("/v1/periods/{period}/bills")
        async def bills(period: str, insured_region: str, treatment_region: str) -> Any:
            listed = [
                b
                for b in self.bills
                if (b["insured_region"], b["treatment_region"])
                == (insured_region, treatment_region)
            ]
            return self._answer("bills", {"period": period, "bills": listed})

        @app.get("/v1/periods/{period}/hospital-reconciliations")
        async def days(period: str) -> Any:
            in_month = [day for day in self.days if day["day"].startswith(period)]
            return self._answer("days", {"period": period, "days": in_month})

        self.app = app

    def reset(self) -> None:
        self.totals: list[dict[str, Any]] = []
        self.bills: list[dict[str, Any]] = []
        self.days: list[dict[str, Any]] = []
        self.down: set[str] = set()  # endpoints answering 503

    def _answer(self, endpoint: str, body: dict[str, Any]) -> Any:
        if endpoint in self.down:
            return JSONResponse({"code": "unavailable"}, status_code=503)
        return body

    def agree_with(self, *events: BillSettled | BillReversed) -> None:
        """Answer as settlement would for these events: totals, bills and declared days."""
        self.reset()
        pairs: dict[tuple[str, str], dict[str, Any]] = {}
        days: dict[tuple[str, str], dict[str, Any]] = {}
        for event in events:
            reversal = isinstance(event, BillReversed)
            sign = -1 if reversal else 1
            at = event.reversed_at if reversal else event.settled_at
            pair = pairs.setdefault(
                (event.insured_region, event.treatment_region),
                {
                    "insured_region": event.insured_region,
                    "treatment_region": event.treatment_region,
                    "settled_count": 0,
                    "reversed_count": 0,
                    **{name: Decimal(0) for name in _PAIR_AMOUNTS},
                },
            )
            pair["reversed_count" if reversal else "settled_count"] += 1
            for name in _PAIR_AMOUNTS:
                pair[name] += sign * getattr(event, name)
            self.bills.append(
                {
                    "bill_id": event.bill_id,
                    "kind": "reversed" if reversal else "settled",
                    "institution_code": event.institution_code,
                    "setl_id": event.setl_id,
                    "insured_region": event.insured_region,
                    "treatment_region": event.treatment_region,
                    "medfee_sumamt": str(event.medfee_sumamt),
                    "fund_pay_sumamt": str(event.fund_pay_sumamt),
                    "psn_cash_pay": str(event.psn_cash_pay),
                    "at": at.isoformat(),
                }
            )
            day = days.setdefault(
                (event.institution_code, at.date().isoformat()),
                {
                    "count": 0,
                    "medfee_sumamt": Decimal(0),
                    "fund_pay_sumamt": Decimal(0),
                    "cash": Decimal(0),
                },
            )
            day["count"] += sign
            day["medfee_sumamt"] += sign * event.medfee_sumamt
            day["fund_pay_sumamt"] += sign * event.fund_pay_sumamt
            day["cash"] += sign * event.psn_cash_pay
        self.totals = [
            {**pair, **{name: str(pair[name]) for name in _PAIR_AMOUNTS}} for pair in pairs.values()
        ]
        for (institution, day), figures in days.items():
            totals = {name: str(value) for name, value in figures.items()}
            self.days.append(
                {
                    "institution_code": institution,
                    "day": day,
                    "declared": totals,
                    "computed": totals,
                    "result": "match",
                }
            )


_PAIR_AMOUNTS = ("medfee_sumamt", "fund_pay_sumamt", "psn_part_amt", "psn_cash_pay")


@pytest.fixture(scope="session")
async def settlement_server() -> AsyncIterator[tuple[SettlementStub, str]]:
    stub = SettlementStub()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(stub.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield stub, f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture
async def settlement(settlement_server) -> SettlementStub:
    stub, _url = settlement_server
    stub.reset()
    return stub


@pytest.fixture
async def clearing(new_database, settlement_server) -> AsyncIterator[ClearingService]:
    _stub, url = settlement_server
    settings = ClearingSettings(
        database_url=await new_database("clearing"), settlement_base_url=url
    )
    async with api_client(SERVICE, settings) as (client, runtime):
        processor = InboxProcessor(
            subscription=LEDGER, uow_factory=runtime.uow, max_attempts=2, retry_base_seconds=0.01
        )
        yield ClearingService(client, runtime, processor)
