"""The filing service's real app on a fresh, migrated database of the current backend."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Table, func, select

from devstack.testing import api_client, bearer
from filing.adapters.tables import filings, persons
from filing.bootstrap import SERVICE
from filing.config import FilingSettings
from medins_common import timeutil
from medins_common.messaging_tables import OUTBOX
from medins_common.service import Runtime

TIANJIN, BEIJING, SHANGHAI = "120000", "110000", "310000"
CLERK = bearer("clerk", region=TIANJIN)
ADMIN = bearer("admin")


def day(offset: int = 0) -> str:
    """A day relative to today (Asia/Shanghai), as the API writes it: the rules of late
    filing (D-F7) and of end dates are judged against today."""
    return (timeutil.today() + timedelta(days=offset)).isoformat()


def next_year(month: int, day_of_month: int) -> str:
    return date(timeutil.today().year + 1, month, day_of_month).isoformat()


def _next_first_of_march() -> date:
    today = timeutil.today()
    this_year = date(today.year, 3, 1)
    return this_year if this_year >= today else date(today.year + 1, 3, 1)


# A start date from today to a year ahead (filings start no further ahead), and a 1 March,
# so the longest temporary validity ends on the last day of the next February.
START = _next_first_of_march().isoformat()

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(prefix17: str) -> str:
    """A national ID number with a correct GB 11643 check character."""
    total = sum(int(d) * w for d, w in zip(prefix17, _WEIGHTS, strict=True))
    return prefix17 + "10X98765432"[total % 11]


def wrong_check_char(id_no: str) -> str:
    return id_no[:-1] + ("1" if id_no[-1] != "1" else "2")


def person_body(
    psn_no: str = "P0001",
    *,
    id_no: str = "11010519491231002X",
    insured_region: str = TIANJIN,
    **changes: Any,
) -> dict[str, Any]:
    return {
        "psn_no": psn_no,
        "name": "张三",
        "id_no": id_no,
        "insured_region": insured_region,
        "insutype": "310",
        "person_type": "employee_retired",
        **changes,
    }


def filing_body(psn_no: str = "P0001", **changes: Any) -> dict[str, Any]:
    """A retiree resettled in Beijing, filed by a clerk at the district window (D-F2, D-F3)."""
    return {
        "psn_no": psn_no,
        "subtype": "retiree_resettled",
        "destination_region": BEIJING,
        "start_date": START,
        "channel": "district_window",
        "materials": ["household_register_front_page", "resident_registration_card"],
        **changes,
    }


def institution_row(code: str = "H11010500001", **changes: Any) -> dict[str, Any]:
    """A level-3 Beijing hospital networked for inpatient, outpatient and chronic care."""
    return {
        "code": code,
        "name": "北京朝阳医院",
        "region": "110105",
        "kind": "hospital",
        "level": 3,
        "designated": True,
        "networked_services": ["inpatient", "general_outpatient", "chronic_outpatient"],
        "jjj_mutual_recognition": True,
        **changes,
    }


@dataclass
class FilingService:
    client: httpx.AsyncClient
    runtime: Runtime

    async def count(self, table: Table) -> int:
        async with self.runtime.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(table)))

    async def counts(self) -> tuple[int, int, int]:
        """(persons, filings, outbox rows)."""
        return await self.count(persons), await self.count(filings), await self.count(OUTBOX)

    async def outbox(self) -> list[dict[str, Any]]:
        """Every outbox row, with its envelope text and the envelope parsed."""
        async with self.runtime.engine.connect() as conn:
            rows = (await conn.execute(select(OUTBOX).order_by(OUTBOX.c.id))).mappings().all()
        return [{**row, "parsed": json.loads(row["envelope"])} for row in rows]

    async def register(self, psn_no: str = "P0001", **changes: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/v1/persons", json=person_body(psn_no, **changes), headers=CLERK
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def file(
        self, psn_no: str = "P0001", *, headers: dict[str, str] = CLERK, **changes: Any
    ) -> dict[str, Any]:
        response = await self.client.post(
            "/v1/filings", json=filing_body(psn_no, **changes), headers=headers
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def import_institutions(self, *rows: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(
            "/v1/institutions/import", json=list(rows or [institution_row()]), headers=ADMIN
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def event_types(self) -> list[str]:
        return [row["event_type"] for row in await self.outbox()]


@pytest.fixture
async def filing_service(new_database) -> AsyncIterator[FilingService]:
    settings = FilingSettings(database_url=await new_database("filing"))
    async with api_client(SERVICE, settings) as (client, runtime):
        yield FilingService(client, runtime)


def assert_problem(
    response: httpx.Response, status: int, code: str, field: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["detail"]
    if field is not None:
        assert body.get("field") == field, body
    return body
