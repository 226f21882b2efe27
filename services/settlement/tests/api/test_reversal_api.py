"""POST /v1/settlements/{setl_id}/reversal: a reversal gives back exactly what its bill used,
and after its period has closed it is booked in the open period as an adjustment."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from devstack.testing import bearer
from medins_common import timeutil
from medins_common.messaging_tables import OUTBOX
from settlement.adapters.tables import accumulators, bills

from .conftest import HOSPITAL, assert_problem, bill_body

SHANGHAI = timeutil.SHANGHAI
ADMIN = bearer("admin")


async def events(app) -> list[dict]:
    rows = sorted(await app.rows(OUTBOX), key=lambda row: row["id"])
    return [json.loads(row["envelope"]) for row in rows]


async def reverse(app, setl_id: str = "S1", **kwargs):
    return await app.client.post(f"/v1/settlements/{setl_id}/reversal", headers=HOSPITAL, **kwargs)


async def test_a_reversal_gives_back_exactly_what_its_bill_used(ready):
    first = await ready.client.post("/v1/settlements", json=bill_body("S1"), headers=HOSPITAL)
    second = await ready.client.post(
        "/v1/settlements",
        json=bill_body("S2", begndate="2025-07-01", enddate="2025-07-02"),
        headers=HOSPITAL,
    )
    assert (first.json()["hifp_pay"], second.json()["hifp_pay"]) == ("2640.00", "3600.00")

    response = await reverse(ready, "S2", json={"reason": "收费错误"})

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "reversed"
    [usage] = await ready.rows(accumulators)
    # Only the first admission is left: 1700.00 deductible, 2640.00 paid, one admission.
    assert (usage["deductible_used"], usage["fund_paid"], usage["admissions"]) == (
        Decimal("1700.00"),
        Decimal("2640.00"),
        1,
    )


async def test_after_reversing_the_only_admission_the_next_is_a_first_admission_again(ready):
    await ready.client.post("/v1/settlements", json=bill_body("S1"), headers=HOSPITAL)
    await reverse(ready, "S1")

    again = await ready.client.post("/v1/settlements", json=bill_body("S2"), headers=HOSPITAL)

    assert again.json()["act_pay_dedc"] == "1700.00"
    [usage] = await ready.rows(accumulators)
    assert (usage["fund_paid"], usage["admissions"]) == (Decimal("2640.00"), 1)


async def test_the_bill_reversed_event_carries_the_bill_and_both_periods(ready):
    settled = (
        await ready.client.post("/v1/settlements", json=bill_body(), headers=HOSPITAL)
    ).json()
    await reverse(ready)

    settled_event, reversed_event = await events(ready)
    payload = reversed_event["payload"]
    assert reversed_event["event_type"] == "BillReversed"
    assert payload["bill_id"] == settled["bill_id"] == settled_event["payload"]["bill_id"]
    assert payload["fund_pay_sumamt"] == "2640.00"  # the bill's amounts, positive
    assert payload["original_period"] == settled["period"]
    assert payload["period"] == payload["reversed_at"][:7]


async def test_a_reversal_after_its_period_closed_is_booked_in_the_next_open_one(
    ready, monkeypatch
):
    october_end = datetime(2026, 10, 31, 23, 50, tzinfo=SHANGHAI)
    monkeypatch.setattr(timeutil, "now", lambda: october_end)
    settled = (
        await ready.client.post("/v1/settlements", json=bill_body(), headers=HOSPITAL)
    ).json()
    assert settled["period"] == "2026-10"
    await ready.close_period("2026-10")  # ClearingPeriodClosed received

    monkeypatch.setattr(timeutil, "now", lambda: datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI))
    response = await reverse(ready)

    assert response.json()["reversal_period"] == "2026-11"
    assert response.json()["period"] == "2026-10"
    payload = (await events(ready))[-1]["payload"]
    assert (payload["period"], payload["original_period"]) == ("2026-11", "2026-10")
    # The closed period's totals are untouched; the next one carries the adjustment.
    october = await ready.client.get("/v1/periods/2026-10/totals", headers=ADMIN)
    november = await ready.client.get("/v1/periods/2026-11/totals", headers=ADMIN)
    assert [(p["settled_count"], p["reversed_count"]) for p in october.json()["pairs"]] == [(1, 0)]
    assert [
        (p["settled_count"], p["reversed_count"], p["fund_pay_sumamt"])
        for p in november.json()["pairs"]
    ] == [(0, 1, "-2640.00")]


async def test_nothing_is_booked_into_a_period_closed_early(ready, monkeypatch):
    await ready.close_period("2026-11")
    monkeypatch.setattr(timeutil, "now", lambda: datetime(2026, 11, 30, 20, 0, tzinfo=SHANGHAI))
    settled = await ready.client.post("/v1/settlements", json=bill_body(), headers=HOSPITAL)
    assert settled.json()["period"] == "2026-12"


async def test_reversing_twice_is_409_and_gives_back_only_once(ready):
    await ready.client.post("/v1/settlements", json=bill_body(), headers=HOSPITAL)
    await reverse(ready)

    again = await reverse(ready)

    assert_problem(again, 409, "bill_already_reversed", "setl_id")
    [usage] = await ready.rows(accumulators)
    assert (usage["fund_paid"], usage["admissions"]) == (Decimal("0.00"), 0)
    assert len(await events(ready)) == 2


async def test_a_reversal_retried_with_its_idempotency_key_gets_the_same_answer(ready):
    await ready.client.post("/v1/settlements", json=bill_body(), headers=HOSPITAL)
    headers = {**HOSPITAL, "Idempotency-Key": "rev-1"}
    first = await ready.client.post("/v1/settlements/S1/reversal", headers=headers)
    retry = await ready.client.post("/v1/settlements/S1/reversal", headers=headers)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"


async def test_reversing_an_unknown_settlement_is_404(ready):
    assert_problem(await reverse(ready, "S404"), 404, "bill_not_found", "setl_id")
    assert await ready.count(bills) == 0


async def test_only_a_hospital_with_a_token_may_reverse(ready):
    await ready.client.post("/v1/settlements", json=bill_body("S1"), headers=HOSPITAL)
    path = "/v1/settlements/S1/reversal"

    anonymous = await ready.client.post(path)
    admin = await ready.client.post(path, headers=ADMIN)

    assert_problem(anonymous, 401, "unauthenticated")
    assert_problem(admin, 403, "forbidden_role")
    [bill] = await ready.rows(bills)
    assert bill["reversed_at"] is None
