"""Clearing's client of settlement's period endpoints, against a stub (httpx.MockTransport).

Anything short of a proper answer becomes ``SettlementUnavailable`` (reconciliation lists it
as a difference) and never an unhandled error.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import httpx
import pytest

from clearing.adapters.settlement_client import SettlementClient, SettlementUnavailable
from clearing.domain.ledger import EntryKind
from clearing.domain.netting import Figures
from medins_common.auth import Role, decode
from medins_common.settings import DEV_JWT_SECRET

TOTALS = {
    "period": "2026-11",
    "pairs": [
        {
            "insured_region": "120000",
            "treatment_region": "110000",
            "settled_count": 10,
            "reversed_count": 1,
            "medfee_sumamt": "1234.00",
            "fund_pay_sumamt": "800.00",
            "psn_part_amt": "434.00",
            "psn_cash_pay": "434.00",
        }
    ],
}
BILLS = {
    "period": "2026-11",
    "bills": [
        {
            "bill_id": "B1",
            "kind": "reversed",
            "institution_code": "H1",
            "setl_id": "S1",
            "insured_region": "120000",
            "treatment_region": "110000",
            "medfee_sumamt": "10.00",
            "fund_pay_sumamt": "8.00",
            "psn_cash_pay": "2.00",
            "at": "2026-11-05T10:00:00+08:00",
        }
    ],
}
DAYS = {
    "period": "2026-11",
    "days": [
        {
            "institution_code": "H1",
            "day": "2026-11-05",
            "declared": {
                "count": 3,
                "medfee_sumamt": "30.00",
                "fund_pay_sumamt": "24.00",
                "cash": "6.00",
            },
            "computed": {
                "count": 2,
                "medfee_sumamt": "20.00",
                "fund_pay_sumamt": "16.00",
                "cash": "4.00",
            },
            "result": "mismatch",
        }
    ],
}


def client(handler) -> SettlementClient:
    return SettlementClient(
        base_url="http://settlement.test",
        jwt_secret=DEV_JWT_SECRET,
        timeout_seconds=2,
        transport=httpx.MockTransport(handler),
    )


def answering(routes: dict[str, object], seen: list[httpx.Request] | None = None):
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        body = routes.get(request.url.path)
        return httpx.Response(404) if body is None else httpx.Response(200, json=body)

    return handler


async def test_the_totals_are_read_per_pair_with_an_admin_token_of_the_clearing_service():
    seen: list[httpx.Request] = []
    async with client(answering({"/v1/periods/2026-11/totals": TOTALS}, seen)) as settlement:
        totals = await settlement.period_totals("2026-11")

    assert totals == {
        ("120000", "110000"): Figures(
            settled_count=10,
            reversed_count=1,
            medfee_sumamt=Decimal("1234.00"),
            fund_pay_sumamt=Decimal("800.00"),
            psn_part_amt=Decimal("434.00"),
            psn_cash_pay=Decimal("434.00"),
        )
    }
    principal = decode(
        seen[0].headers["Authorization"].removeprefix("Bearer "), secret=DEV_JWT_SECRET
    )
    assert (principal.role, principal.subject) == (Role.ADMIN, "service:clearing")


async def test_the_bills_of_a_pair_are_asked_for_that_pair():
    seen: list[httpx.Request] = []
    async with client(answering({"/v1/periods/2026-11/bills": BILLS}, seen)) as settlement:
        [bill] = await settlement.period_bills("2026-11", ("120000", "110000"))

    assert dict(seen[0].url.params) == {"insured_region": "120000", "treatment_region": "110000"}
    assert (bill.bill_id, bill.kind, bill.fund_pay_sumamt) == (
        "B1",
        EntryKind.BILL_REVERSED,
        Decimal("8.00"),
    )


async def test_the_hospital_days_carry_what_was_declared_and_computed():
    async with client(
        answering({"/v1/periods/2026-11/hospital-reconciliations": DAYS})
    ) as settlement:
        [day] = await settlement.hospital_days("2026-11")

    assert (day.institution_code, day.day, day.result) == ("H1", date(2026, 11, 5), "mismatch")
    assert day.declared.count == 3
    assert day.computed.fund_pay_sumamt == Decimal("16.00")


def refusing(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def timing_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("read timed out", request=request)


@pytest.mark.parametrize(
    ("handler", "reason"),
    [
        (refusing, "ConnectError"),
        (timing_out, "ReadTimeout"),
        (lambda request: httpx.Response(404, json={"code": "not_found"}), "HTTP 404"),
        (lambda request: httpx.Response(503, text="down"), "HTTP 503"),
        (lambda request: httpx.Response(200, text="<html>"), "off the contract"),
        (
            lambda request: httpx.Response(200, json={"period": "2026-11", "pairs": [{"x": 1}]}),
            "off the contract",
        ),
        (
            lambda request: httpx.Response(
                200,
                content=json.dumps(
                    {**TOTALS, "pairs": [{**TOTALS["pairs"][0], "fund_pay_sumamt": 1.001}]}
                ),
            ),
            "off the contract",
        ),
    ],
)
async def test_anything_short_of_a_proper_answer_is_settlement_unavailable(handler, reason):
    async with client(handler) as settlement:
        with pytest.raises(SettlementUnavailable) as unavailable:
            await settlement.period_totals("2026-11")

    assert unavailable.value.endpoint == "/v1/periods/2026-11/totals"
    assert reason in unavailable.value.reason
