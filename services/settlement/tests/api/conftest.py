"""Settlement's real app on a fresh database, its read model seeded through the adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from devstack.testing import api_client
from medins_common import timeutil
from medins_common.service import Runtime
from settlement.adapters import read_model
from settlement.bootstrap import SERVICE
from settlement.config import SettlementSettings

TIANJIN, BEIJING = "120000", "110000"


def assert_problem(
    response: httpx.Response, status: int, code: str, field: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    if field is not None:
        assert body.get("field") == field, body
    return body


@dataclass
class SettlementApp:
    client: httpx.AsyncClient
    runtime: Runtime

    async def know_person(self, psn_no: str, *, insured_region: str = TIANJIN) -> None:
        async with self.runtime.uow() as uow:
            await read_model.save_person(
                uow.session,
                {
                    "psn_no": psn_no,
                    "name": "李四",
                    "insured_region": insured_region,
                    "insutype": "390",
                    "person_type": "resident",
                    "status": "active",
                },
            )
            await uow.commit()

    async def know_filing(
        self,
        filing_id: str,
        psn_no: str,
        *,
        start: date,
        end: date | None = None,
        cancelled_on: date | None = None,
    ) -> None:
        async with self.runtime.uow() as uow:
            await read_model.save_filing(
                uow.session,
                {
                    "filing_id": filing_id,
                    "psn_no": psn_no,
                    "filing_class": "long_term",
                    "subtype": "long_term_resident",
                    "destination_region": BEIJING,
                    "start_date": start,
                    "end_date": end,
                },
            )
            if cancelled_on is not None:
                await read_model.cancel_filing(
                    uow.session,
                    filing_id=filing_id,
                    psn_no=psn_no,
                    cancelled_on=cancelled_on,
                    as_of=timeutil.now(),
                )
            await uow.commit()


@pytest.fixture
async def settlement_app(new_database) -> AsyncIterator[SettlementApp]:
    settings = SettlementSettings(database_url=await new_database("settlement"))
    async with api_client(SERVICE, settings) as (client, runtime):
        yield SettlementApp(client, runtime)
