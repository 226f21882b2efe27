"""Settlements posted at the same time settle together, in one transaction, yet each is
answered as if it had been posted alone: its own bill or its own refusal, the same person's
bills priced one after the other, one bill per setl_id, and one BillSettled event per bill
carrying the correlation id of the request that posted it. On SQLite and on PostgreSQL.

Concurrent requests to the in-process app join one batch; ``settle_bills`` is also called
directly, with batches of a chosen composition."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from medins_common.errors import ProblemError
from medins_common.messaging_tables import OUTBOX
from settlement.adapters.tables import accumulators, bills
from settlement.domain.bill import Bill
from settlement.entrypoints.api import deps
from settlement.entrypoints.api.settlement_schemas import SettlementIn
from settlement.service_layer import settlements
from settlement.service_layer.settlements import Posting

from .conftest import HOSPITAL, HOSPITAL_CODE, PERSON, assert_problem, bill_body, line

OTHER_PERSON = "P0002"  # like PERSON: a Tianjin employee filed long-term to Beijing
UNKNOWN_PERSON = "P0404"
# General outpatient in the tests' policy: deductible 100.00 a year, 50 %, cap 1000.00 a year.
VISIT = {"med_type": "11", "begndate": "2025-06-05", "enddate": "2025-06-05"}


@pytest.fixture
def batches(monkeypatch) -> list[list[str]]:
    """The setl_ids of each batch the API's group commit settles, in order."""
    seen: list[list[str]] = []
    settle_bills = deps.settle_bills

    async def recorded(uow, postings):
        seen.append([posting.setl_id for posting in postings])
        return await settle_bills(uow, postings)

    monkeypatch.setattr(deps, "settle_bills", recorded)
    return seen


@pytest.fixture
async def two_persons(ready):
    await ready.know_person(OTHER_PERSON, insutype="310", person_type="employee_in_service")
    await ready.know_filing("F2", OTHER_PERSON, start=date(2025, 1, 1))
    return ready


async def post(app, body: dict[str, Any], **headers: str):
    return await app.client.post("/v1/settlements", json=body, headers={**HOSPITAL, **headers})


def posting(body: dict[str, Any], correlation_id: str = "c-test") -> Posting:
    """What the API makes of a hospital's body."""
    request = SettlementIn.model_validate(body)
    return Posting(
        institution_code=HOSPITAL_CODE,
        setl_id=request.setl_id,
        request=request.to_request(),
        correlation_id=correlation_id,
    )


async def settle_together(app, *bodies: dict[str, Any]) -> list[Bill | ProblemError]:
    return await settlements.settle_bills(app.runtime.uow(), [posting(body) for body in bodies])


# -- a refused posting among good ones --------------------------------------------------------


async def test_a_refused_posting_posted_with_others_is_refused_alone(two_persons, batches):
    answers = await asyncio.gather(
        post(two_persons, bill_body("S1")),
        post(two_persons, bill_body("S2", psn_no=UNKNOWN_PERSON)),
        post(two_persons, bill_body("S3", psn_no=OTHER_PERSON)),
    )

    assert batches == [["S1", "S2", "S3"]]  # posted at once: one batch
    assert_problem(answers[1], 422, "person_unknown", "psn_no")
    assert [answers[0].status_code, answers[2].status_code] == [201, 201], answers[0].text
    # Inpatient, first admission at a level-3 hospital: (5000.00 - 1700.00) x 0.80 = 2640.00.
    assert [answers[0].json()["hifp_pay"], answers[2].json()["hifp_pay"]] == ["2640.00"] * 2
    assert sorted(row["setl_id"] for row in await two_persons.rows(bills)) == ["S1", "S3"]
    usages = await two_persons.rows(accumulators)
    assert sorted(row["psn_no"] for row in usages) == [PERSON, OTHER_PERSON]
    assert await two_persons.count(OUTBOX) == 2


async def test_settle_bills_answers_a_refusal_in_its_place_and_writes_nothing_for_it(
    two_persons,
):
    outcomes = await settle_together(
        two_persons,
        bill_body("S1"),
        bill_body("S2", psn_no=UNKNOWN_PERSON),
        bill_body("S3", psn_no=OTHER_PERSON),
    )

    first, refused, third = outcomes
    assert isinstance(first, Bill) and isinstance(third, Bill)
    assert (first.setl_id, third.setl_id) == ("S1", "S3")
    assert isinstance(refused, ProblemError)
    assert (refused.status, refused.code) == (422, "person_unknown")
    # (5000.00 - 1700.00) x 0.80 = 2640.00 each: the refusal changed nobody's figures.
    assert first.quote.amounts.hifp_pay == third.quote.amounts.hifp_pay == D("2640.00")
    assert await two_persons.count(bills, bills.c.setl_id == "S2") == 0
    assert await two_persons.count(bills, bills.c.psn_no == UNKNOWN_PERSON) == 0
    assert await two_persons.count(accumulators, accumulators.c.psn_no == UNKNOWN_PERSON) == 0
    assert await two_persons.count(bills) == 2


async def test_a_batch_of_refusals_only_writes_nothing(ready):
    outcomes = await settle_together(
        ready,
        bill_body("S1", psn_no=UNKNOWN_PERSON),
        bill_body("S2", medfee_sumamt="4999.99"),  # not the sum of its lines
    )

    assert [(o.status, o.code) for o in outcomes if isinstance(o, ProblemError)] == [
        (422, "person_unknown"),
        (422, "amounts_do_not_add_up"),
    ]
    assert await ready.count(bills) == 0
    assert await ready.count(accumulators) == 0
    assert await ready.count(OUTBOX) == 0


# -- the same person twice in a batch ---------------------------------------------------------

# S1: the year's deductible 100.00, then (1500.00 - 100.00) x 0.50 = 700.00; 300.00 of the cap
# left. S2, priced on what S1 left: no deductible, 1000.00 x 0.50 = 500.00, capped at 300.00.
# Priced as if alone, S2 would have paid (1000.00 - 100.00) x 0.50 = 450.00 after a deductible.
FIRST_VISIT = bill_body("S1", lines=[line("DRUG_A", "1", "1500.00")], **VISIT)
SECOND_VISIT = bill_body("S2", lines=[line("DRUG_A", "1", "1000.00")], **VISIT)


async def test_the_same_person_twice_in_a_batch_is_priced_on_what_the_first_left(ready):
    first, second = await settle_together(ready, FIRST_VISIT, SECOND_VISIT)

    assert isinstance(first, Bill) and isinstance(second, Bill)
    assert (first.quote.amounts.act_pay_dedc, first.quote.amounts.hifp_pay) == (
        D("100.00"),
        D("700.00"),
    )
    assert (second.quote.amounts.act_pay_dedc, second.quote.amounts.hifp_pay) == (
        D("0.00"),
        D("300.00"),
    )
    used = {
        row["setl_id"]: (row["used_deductible"], row["used_fund"])
        for row in await ready.rows(bills)
    }
    assert used == {"S1": (D("100.00"), D("700.00")), "S2": (D("0.00"), D("300.00"))}
    # The row ends with the sum: 100.00 + 0.00 deductible, 700.00 + 300.00 = 1000.00, the cap.
    [usage] = await ready.rows(accumulators)
    assert (usage["deductible_used"], usage["fund_paid"]) == (D("100.00"), D("1000.00"))


async def test_the_same_person_posted_twice_at_once_is_priced_on_what_the_first_left(
    ready, batches
):
    answers = await asyncio.gather(post(ready, FIRST_VISIT), post(ready, SECOND_VISIT))

    assert batches == [["S1", "S2"]]
    assert [answer.status_code for answer in answers] == [201, 201], answers[0].text
    # As above: S1 100.00 deductible and 700.00; S2 no deductible and 300.00 (the cap's rest).
    figures = [(a.json()["act_pay_dedc"], a.json()["hifp_pay"]) for a in answers]
    assert figures == [("100.00", "700.00"), ("0.00", "300.00")]
    [usage] = await ready.rows(accumulators)
    assert (usage["deductible_used"], usage["fund_paid"]) == (D("100.00"), D("1000.00"))


# -- the same setl_id twice in a batch --------------------------------------------------------


async def test_the_same_setl_id_twice_in_a_batch_with_the_same_body_is_one_bill(ready):
    first, again = await settle_together(ready, bill_body("S1"), bill_body("S1"))

    assert isinstance(first, Bill) and isinstance(again, Bill)
    assert first.bill_id == again.bill_id
    assert await ready.count(bills) == 1
    assert await ready.count(OUTBOX) == 1
    # Used once: one admission and (5000.00 - 1700.00) x 0.80 = 2640.00.
    [usage] = await ready.rows(accumulators)
    assert (usage["admissions"], usage["fund_paid"]) == (1, D("2640.00"))


async def test_the_same_setl_id_twice_in_a_batch_with_other_content_is_one_bill_and_a_409(
    ready,
):
    other = bill_body("S1", lines=[line("DRUG_A", "1", "10.00")])

    first, refused = await settle_together(ready, bill_body("S1"), other)

    assert isinstance(first, Bill)
    assert isinstance(refused, ProblemError)
    assert (refused.status, refused.code) == (409, "setl_id_already_settled")
    [row] = await ready.rows(bills)
    assert (row["bill_id"], row["medfee_sumamt"]) == (first.bill_id, D("5000.00"))
    [usage] = await ready.rows(accumulators)
    assert (usage["admissions"], usage["fund_paid"]) == (1, D("2640.00"))
    assert await ready.count(OUTBOX) == 1


async def test_the_same_setl_id_posted_twice_at_once_with_the_same_body_is_one_bill(ready, batches):
    answers = await asyncio.gather(post(ready, bill_body("S1")), post(ready, bill_body("S1")))

    assert batches == [["S1", "S1"]]
    assert [answer.status_code for answer in answers] == [201, 201], answers[0].text
    assert answers[0].json()["bill_id"] == answers[1].json()["bill_id"]
    assert await ready.count(bills) == 1
    assert await ready.count(OUTBOX) == 1


async def test_the_same_setl_id_posted_twice_at_once_with_other_content_is_a_409(ready, batches):
    other = bill_body("S1", lines=[line("DRUG_A", "1", "10.00")])

    answers = await asyncio.gather(post(ready, bill_body("S1")), post(ready, other))

    assert batches == [["S1", "S1"]]
    assert answers[0].status_code == 201, answers[0].text
    assert_problem(answers[1], 409, "setl_id_already_settled", "setl_id")
    [row] = await ready.rows(bills)
    assert row["bill_id"] == answers[0].json()["bill_id"]


# -- events and their correlation ids ---------------------------------------------------------


async def outbox_by_bill(app) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for row in await app.rows(OUTBOX):
        rows.setdefault(row["message_key"], []).append(row)
    return rows


async def test_each_bill_of_a_batch_has_one_event_with_its_requests_correlation_id(
    two_persons, batches
):
    bodies = [
        bill_body("S1"),
        bill_body("S2", psn_no=UNKNOWN_PERSON),  # refused: no event
        bill_body("S3", psn_no=OTHER_PERSON),
        bill_body("S4", begndate="2025-07-01", enddate="2025-07-03"),  # PERSON again
        bill_body("S1"),  # a retry of S1 in the same batch: the same bill, no second event
    ]

    answers = await asyncio.gather(
        *(
            post(two_persons, body, **{"X-Correlation-ID": f"corr-{n}"})
            for n, body in enumerate(bodies)
        )
    )

    assert batches == [["S1", "S2", "S3", "S4", "S1"]]
    assert [answer.status_code for answer in answers] == [201, 422, 201, 201, 201]
    assert [a.headers["x-correlation-id"] for a in answers] == [f"corr-{n}" for n in range(5)]
    bill_ids = {n: answers[n].json()["bill_id"] for n in (0, 2, 3)}
    assert answers[4].json()["bill_id"] == bill_ids[0]
    events = await outbox_by_bill(two_persons)
    assert set(events) == set(bill_ids.values())  # one key per settled bill, none other
    for n, bill_id in bill_ids.items():
        [event] = events[bill_id]
        assert event["event_type"] == "BillSettled"
        assert event["correlation_id"] == f"corr-{n}"
        envelope = json.loads(event["envelope"])
        assert envelope["correlation_id"] == f"corr-{n}"
        assert envelope["payload"]["setl_id"] == bodies[n]["setl_id"]


async def test_settle_bills_gives_each_event_the_correlation_id_of_its_posting(two_persons):
    postings = [
        posting(bill_body("S1"), "c-1"),
        posting(bill_body("S2", psn_no=UNKNOWN_PERSON), "c-2"),
        posting(bill_body("S3", psn_no=OTHER_PERSON), "c-3"),
        posting(bill_body("S4", begndate="2025-07-01", enddate="2025-07-03"), "c-4"),
    ]

    outcomes = await settlements.settle_bills(two_persons.runtime.uow(), postings)

    settled = {n: outcome for n, outcome in enumerate(outcomes) if isinstance(outcome, Bill)}
    assert sorted(settled) == [0, 2, 3]
    events = await outbox_by_bill(two_persons)
    correlation_ids = {
        bill_id: [row["correlation_id"] for row in rows] for bill_id, rows in events.items()
    }
    # One event per bill, none for the refused S2, each with its own posting's id.
    assert correlation_ids == {
        settled[0].bill_id: ["c-1"],
        settled[2].bill_id: ["c-3"],
        settled[3].bill_id: ["c-4"],
    }


async def test_a_keyed_request_settles_on_its_own_beside_a_batch(ready, batches):
    answers = await asyncio.gather(
        post(ready, bill_body("S1")),
        post(
            ready,
            bill_body("S2", begndate="2025-07-01", enddate="2025-07-03"),
            **{"Idempotency-Key": "k-1"},
        ),
        post(ready, bill_body("S3", begndate="2025-08-01", enddate="2025-08-03")),
    )

    assert [answer.status_code for answer in answers] == [201, 201, 201], answers[1].text
    assert batches == [["S1", "S3"]]
    assert await ready.count(bills) == 3
    [usage] = await ready.rows(accumulators)
    assert usage["admissions"] == 3
