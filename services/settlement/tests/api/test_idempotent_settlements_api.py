"""Retries never make a second bill (issue point 6): (institution, setl_id) is unique, and an
Idempotency-Key gives the same answer for the same body, 422 for another, 409 while running."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from devstack.testing import bearer
from medins_common.messaging_tables import OUTBOX
from settlement.adapters.tables import accumulators, bills

from .conftest import HOSPITAL, assert_problem, bill_body, line

SECOND_HOSPITAL = bearer("hospital", institution_code="H11010800002")


async def post(app, body, headers=HOSPITAL):
    return await app.client.post("/v1/settlements", json=body, headers=headers)


async def test_a_retry_with_the_same_setl_id_and_body_returns_the_first_answer(ready):
    first = await post(ready, bill_body())
    retry = await post(ready, bill_body())

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert await ready.count(bills) == 1
    assert await ready.count(OUTBOX) == 1
    [usage] = await ready.rows(accumulators)
    assert (usage["admissions"], usage["fund_paid"]) == (1, Decimal("2640.00"))


async def test_the_same_setl_id_with_another_body_is_409(ready):
    await post(ready, bill_body())
    other = bill_body(lines=(line("DRUG_A", "99", "50.00"),))

    response = await post(ready, other)

    assert_problem(response, 409, "setl_id_already_settled", "setl_id")
    assert await ready.count(bills) == 1


async def test_another_institution_may_use_the_same_setl_id(ready):
    await ready.know_institution("H11010800002")
    assert (await post(ready, bill_body())).status_code == 201
    assert (await post(ready, bill_body(), SECOND_HOSPITAL)).status_code == 201
    assert await ready.count(bills) == 2


async def test_an_idempotency_key_replays_the_answer_and_refuses_another_body(ready):
    keyed = {**HOSPITAL, "Idempotency-Key": "k-1"}
    first = await post(ready, bill_body("S1"), keyed)
    replay = await post(ready, bill_body("S1"), keyed)
    reused = await post(ready, bill_body("S2"), keyed)

    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert_problem(reused, 422, "idempotency_key_reused", "Idempotency-Key")
    assert await ready.count(bills) == 1


async def test_a_refused_settlement_leaves_the_key_free_for_the_corrected_retry(ready):
    keyed = {**HOSPITAL, "Idempotency-Key": "k-2"}
    wrong_total = await post(ready, bill_body(medfee_sumamt="1.00"), keyed)
    assert_problem(wrong_total, 422, "amounts_do_not_add_up", "medfee_sumamt")

    corrected = await post(ready, bill_body(), keyed)

    assert corrected.status_code == 201, corrected.text
    assert await ready.count(bills) == 1


async def test_the_same_key_at_once_makes_one_bill_and_the_other_waits_or_replays(ready):
    keyed = {**HOSPITAL, "Idempotency-Key": "k-3"}
    answers = await asyncio.gather(*(post(ready, bill_body(), keyed) for _ in range(4)))

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses[0] == 201 and set(statuses) <= {201, 409}
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["code"] == "idempotency_in_progress"
    assert await ready.count(bills) == 1
