"""Two hospitals settling for the same person at the same time, on the real app (issue points
5 and 6): the accumulator row is locked for the length of each settlement, so the annual cap
is never exceeded and every bill's share is counted once, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

from devstack.testing import bearer
from settlement.adapters.tables import accumulators, bills

from .conftest import HOSPITAL, bill_body

SECOND_HOSPITAL_CODE = "H11010800002"
SECOND_HOSPITAL = bearer("hospital", institution_code=SECOND_HOSPITAL_CODE)
# General outpatient in the tests' policy: deductible 100.00 a year, 50 %, cap 1000.00 a year.
VISIT = {"med_type": "11", "begndate": "2025-06-05", "enddate": "2025-06-05"}


async def post(app, body, headers):
    return await app.client.post("/v1/settlements", json=body, headers=headers)


async def test_the_annual_cap_holds_when_two_hospitals_settle_at_once(ready):
    await ready.know_institution(SECOND_HOSPITAL_CODE)
    requests = [
        post(ready, bill_body(f"S{n}", **VISIT), HOSPITAL if n % 2 else SECOND_HOSPITAL)
        for n in range(10)
    ]

    answers = await asyncio.gather(*requests)

    assert [answer.status_code for answer in answers] == [201] * 10, answers[0].text
    paid = sorted(Decimal(answer.json()["hifp_pay"]) for answer in answers)
    # Whatever the order: the first pays (5000 - 100) x 0.5 capped at 1000.00; nothing after.
    assert sum(paid) == Decimal("1000.00")
    assert sum(Decimal(a.json()["act_pay_dedc"]) for a in answers) == Decimal("100.00")
    [usage] = await ready.rows(accumulators)
    assert (usage["fund_paid"], usage["deductible_used"]) == (
        Decimal("1000.00"),
        Decimal("100.00"),
    )


async def test_concurrent_small_bills_share_the_cap_to_the_fen(ready):
    await ready.know_institution(SECOND_HOSPITAL_CODE)
    small = [{"med_list_codg": "DRUG_A", "cnt": "1", "pric": "333.33"}]
    answers = await asyncio.gather(
        *(
            post(
                ready,
                bill_body(f"S{n}", lines=small, **VISIT),
                HOSPITAL if n % 2 else SECOND_HOSPITAL,
            )
            for n in range(12)
        )
    )
    assert {answer.status_code for answer in answers} == {201}
    total = sum(Decimal(answer.json()["hifp_pay"]) for answer in answers)
    [usage] = await ready.rows(accumulators)
    # 100.00 deductible once, then 166.67 (rounded half-up from 166.665) a bill until the cap.
    assert usage["fund_paid"] == total == Decimal("1000.00")
    assert sorted(Decimal(a.json()["hifp_pay"]) for a in answers)[-1] <= Decimal("166.67")


async def test_settlements_and_reversals_at_once_leave_exactly_the_live_bills_usage(ready):
    await ready.know_institution(SECOND_HOSPITAL_CODE)
    stays = [
        bill_body(f"S{n}", begndate=f"2025-0{n + 1}-01", enddate=f"2025-0{n + 1}-02")
        for n in range(6)
    ]
    for body in stays[:3]:
        assert (await post(ready, body, HOSPITAL)).status_code == 201

    results = await asyncio.gather(
        ready.client.post("/v1/settlements/S0/reversal", headers=HOSPITAL),
        ready.client.post("/v1/settlements/S1/reversal", headers=HOSPITAL),
        *(post(ready, body, SECOND_HOSPITAL) for body in stays[3:]),
    )

    assert [result.status_code for result in results] == [200, 200, 201, 201, 201]
    live = [row for row in await ready.rows(bills) if row["reversed_at"] is None]
    [usage] = await ready.rows(accumulators)
    assert len(live) == 4
    assert usage["admissions"] == 4
    assert usage["fund_paid"] == sum(row["used_fund"] for row in live)
    assert usage["deductible_used"] == sum(row["used_deductible"] for row in live)


async def test_the_same_setl_id_posted_at_once_makes_one_bill(ready):
    answers = await asyncio.gather(*(post(ready, bill_body("S1"), HOSPITAL) for _ in range(5)))

    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["bill_id"] for answer in answers}) == 1
    assert await ready.count(bills) == 1
    [usage] = await ready.rows(accumulators)
    assert (usage["admissions"], usage["fund_paid"]) == (1, Decimal("2640.00"))


async def test_two_persons_settle_at_once_without_waiting_on_each_other(ready):
    await ready.know_person("P0002", insutype="310", person_type="employee_in_service")
    await ready.know_filing("F2", "P0002", start=date(2025, 1, 1))
    answers = await asyncio.gather(
        post(ready, bill_body("S1"), HOSPITAL),
        post(ready, bill_body("S2", psn_no="P0002"), HOSPITAL),
    )
    assert [answer.json()["hifp_pay"] for answer in answers] == ["2640.00", "2640.00"]
    assert await ready.count(accumulators) == 2


async def test_one_setl_id_for_two_persons_at_once_is_one_bill_and_one_409_never_a_500(ready):
    # Different persons lock different accumulator rows, so on PostgreSQL both requests pass
    # the existence check and the unique key decides: the loser is answered as a retry.
    await ready.know_person("P0002", insutype="310", person_type="employee_in_service")
    await ready.know_filing("F2", "P0002", start=date(2025, 1, 1))

    answers = await asyncio.gather(
        post(ready, bill_body("S1"), HOSPITAL),
        post(ready, bill_body("S1", psn_no="P0002"), HOSPITAL),
    )

    assert sorted(answer.status_code for answer in answers) == [201, 409]
    [conflict] = [answer for answer in answers if answer.status_code == 409]
    assert conflict.json()["code"] == "setl_id_already_settled"
    assert await ready.count(bills) == 1
