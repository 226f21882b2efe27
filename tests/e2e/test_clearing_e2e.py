"""Clearing on the real stack: bill events on settlement.bills.v1 reach clearing's ledger through
its consumers process; the monthly clearing runs over HTTP, both regions confirm, the treatment
region records the payment, and the statement equals the sum of the bills to the fen.

The bills are produced straight onto the topic, as settlement's relay would, for a month long
past (2025-06) and for region pairs no other test uses, so whatever else is on the shared broker
does not touch them. Settlement itself holds none of them: reconciliation lists differences and
the admin closes the month with a recorded reason.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from devstack.testing import bearer
from medins_common.events.envelope import Event
from medins_common.events.schemas import BILLS, CLEARING, BillReversed, BillSettled
from medins_common.outbox import envelope_for, kafka_headers
from medins_common.timeutil import SHANGHAI

from .conftest import eventually, reading

PERIOD = "2025-06"
TIBET, HAINAN, XPCC = "540000", "460000", "660000"
ADMIN, AUDITOR = bearer("admin"), bearer("auditor")
RUN = uuid.uuid4().hex[:8]


def clerk(region: str) -> dict[str, str]:
    return bearer("clerk", region=region)


def bill(
    number: int,
    *,
    fund: str,
    medfee: str,
    insured: str = TIBET,
    institution: str = "H46010000001",
    day: int = 10,
    reversed_on: int | None = None,
    **changes: Any,
) -> BillSettled | BillReversed:
    part = Decimal(medfee) - Decimal(fund)
    facts = {
        "bill_id": f"E2E-{RUN}-{number}",
        "setl_id": f"S-{RUN}-{number}",
        "mdtrt_id": f"M-{RUN}-{number}",
        "institution_code": institution,
        "psn_no": f"54{number:018d}",
        "insured_region": insured,
        "treatment_region": HAINAN,
        "insutype": "310",
        "med_type": "21",
        "period": PERIOD,
        "medfee_sumamt": medfee,
        "fund_pay_sumamt": fund,
        "psn_part_amt": str(part),
        "acct_pay": "0.00",
        "psn_cash_pay": str(part),
        "clr_optins": HAINAN,
        **changes,
    }
    if reversed_on is None:
        return BillSettled(**facts, settled_at=datetime(2025, 6, day, 9, 30, tzinfo=SHANGHAI))
    return BillReversed(
        **facts,
        reversed_at=datetime(2025, 6, reversed_on, 16, 0, tzinfo=SHANGHAI),
        original_period=PERIOD,
    )


SETTLED = [
    bill(1, fund="1234.56", medfee="1500.00"),
    bill(2, fund="0.01", medfee="0.03", day=11),
    bill(3, fund="880.88", medfee="1000.00", institution="H46010000002", day=12),
    bill(4, fund="99.99", medfee="120.00", institution="H46010000002", day=13),
    bill(5, fund="300.30", medfee="400.00", insured=XPCC, day=14),
]
REVERSED = bill(4, fund="99.99", medfee="120.00", institution="H46010000002", reversed_on=20)
CORRUPT = bill(6, fund="10.00", medfee="20.00", psn_part_amt="1.00")


def expected_due(insured: str) -> Decimal:
    settled = sum(Decimal(b.fund_pay_sumamt) for b in SETTLED if b.insured_region == insured)
    reversed_ = REVERSED.fund_pay_sumamt if REVERSED.insured_region == insured else Decimal(0)
    return settled - reversed_


async def produce(kafka_bootstrap: str, *messages: tuple[Event, bytes]) -> None:
    """Onto settlement's topic, as its relay sends them: key, envelope and headers."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for event, value in messages:
            envelope = json.loads(value)
            await producer.send_and_wait(
                BILLS,
                value=value,
                key=event.key.encode(),
                headers=kafka_headers(
                    event_id=envelope["event_id"],
                    event_type=envelope["event_type"],
                    correlation_id=envelope["correlation_id"],
                ),
            )
    finally:
        await producer.stop()


def encoded(event: Event) -> tuple[Event, bytes]:
    return event, envelope_for(event, producer="settlement").model_dump_json().encode()


async def test_a_month_of_bills_is_cleared_confirmed_and_paid_to_the_fen(
    stack, http, kafka_bootstrap
):
    clearing = http["clearing"]
    advance = await clearing.post(
        f"/v1/advance-funds/{TIBET}/{HAINAN}/movements",
        json={"kind": "payment", "amount": "5000.00", "reason": "2025 advance"},
        headers=ADMIN,
    )
    assert advance.status_code == 201, advance.text
    redelivered = encoded(SETTLED[0])
    await produce(
        kafka_bootstrap,
        *(encoded(event) for event in SETTLED),
        redelivered,
        redelivered,  # the same message twice: the inbox drops the copy
        encoded(SETTLED[1]),  # the same bill under a new event id: the bill key drops it
        encoded(REVERSED),
        encoded(CORRUPT),
    )

    async def all_posted():
        answer = await clearing.get(f"/v1/ledger/trial-balance?period={PERIOD}", headers=AUDITOR)
        parked = await clearing.get(f"/v1/ledger/parked-events?period={PERIOD}", headers=AUDITOR)
        debits = sum(Decimal(row["debits"]) for row in answer.json()["rows"])
        return (
            debits
            == sum(Decimal(b.fund_pay_sumamt) for b in SETTLED) + Decimal(REVERSED.fund_pay_sumamt)
            and len(parked.json()) == 1
            and answer.json()
        )

    balance = await eventually(all_posted)
    assert balance["balanced"] is True
    fund = (await clearing.get(f"/v1/advance-funds/{TIBET}/{HAINAN}", headers=clerk(TIBET))).json()
    assert Decimal(fund["left"]) == Decimal("5000.00") - expected_due(TIBET)

    # The monthly run: settlement holds none of these bills, so the period does not close alone.
    started = await clearing.post("/v1/clearing-runs", json={"period": PERIOD}, headers=ADMIN)
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]

    async def stopped():
        run = (await clearing.get(f"/v1/clearing-runs/{run_id}", headers=AUDITOR)).json()
        return run["status"] != "running" and run

    run = await eventually(stopped)
    assert run["status"] == "blocked", run
    differences = (
        await clearing.get(f"/v1/clearing-runs/{run_id}/differences", headers=ADMIN)
    ).json()["differences"]
    kinds = {difference["kind"] for difference in differences}
    assert "parked_event" in kinds
    assert kinds & {"missing_in_settlement", "settlement_unavailable"}

    forced = await clearing.post(
        f"/v1/clearing-runs/{run_id}/force",
        json={"reason": "End-to-end test: bills produced straight onto the topic."},
        headers=ADMIN,
    )
    assert forced.status_code == 202, forced.text
    run = await eventually(stopped)
    assert run["status"] == "closed", run
    again = await clearing.post("/v1/clearing-runs", json={"period": PERIOD}, headers=ADMIN)
    assert (again.json()["run_id"], again.json()["updated_at"]) == (run_id, run["updated_at"])

    listed = (await clearing.get(f"/v1/clearing-runs/{run_id}/statements", headers=ADMIN)).json()
    due = {s["insured_region"]: Decimal(s["amount_due"]) for s in listed["statements"]}
    assert due == {TIBET: expected_due(TIBET), XPCC: expected_due(XPCC)}
    assert due[TIBET] == Decimal("2115.45")  # 1234.56 + 0.01 + 880.88 + 99.99 − 99.99
    [tibet] = [s for s in listed["statements"] if s["insured_region"] == TIBET]
    statement_csv = await clearing.get(
        f"/v1/statements/{tibet['statement_id']}.csv", headers=clerk(HAINAN)
    )
    rows = {row["institution_code"]: row for row in csv.DictReader(io.StringIO(statement_csv.text))}
    assert rows["TOTAL"]["fund_pay_sumamt"] == "2115.45"
    assert rows["H46010000001"]["fund_pay_sumamt"] == "1234.57"
    assert rows["H46010000002"]["fund_pay_sumamt"] == "880.88"
    assert (rows["TOTAL"]["settled_count"], rows["TOTAL"]["reversed_count"]) == ("4", "1")
    pdf = await clearing.get(f"/v1/statements/{tibet['statement_id']}.pdf", headers=clerk(TIBET))
    assert pdf.content.startswith(b"%PDF-")

    for step, region in (
        ("insured-confirmation", TIBET),
        ("treatment-confirmation", HAINAN),
        ("payment", HAINAN),
    ):
        answer = await clearing.post(
            f"/v1/statements/{tibet['statement_id']}/{step}", headers=clerk(region)
        )
        assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "paid"
    fund = (await clearing.get(f"/v1/advance-funds/{TIBET}/{HAINAN}", headers=clerk(HAINAN))).json()
    assert fund["left"] == "5000.00"  # the payment made the advance fund whole again

    async def period_closed_published(topic: AIOKafkaConsumer):
        # Keyed by the period; this run's own (the other backend's run closed 2025-06 too).
        batches = await topic.getmany(timeout_ms=500)
        for record in (r for records in batches.values() for r in records):
            envelope = json.loads(record.value)
            if record.key == PERIOD.encode() and envelope["payload"]["run_id"] == run_id:
                return envelope
        return None

    async with reading(kafka_bootstrap, CLEARING) as topic:
        closed = await eventually(lambda: period_closed_published(topic))
    assert closed["event_type"] == "ClearingPeriodClosed"
    assert Decimal(closed["payload"]["fund_pay_sumamt"]) == expected_due(TIBET) + expected_due(XPCC)
    assert closed["payload"]["region_pairs"] == 2
