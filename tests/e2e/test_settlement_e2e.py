"""Settlement on the real stack: a person registered and filed through filing's API and a
hospital imported into filing's directory reach settlement's read models over the broker; the
hospital settles over HTTP and BillSettled (then BillReversed) appears on settlement.bills.v1
through the outbox relay, as clearing will read it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer

from devstack.testing import bearer
from medins_common.events.schemas import BILLS
from medins_common.timeutil import today

from .conftest import CLERK, eventually, log_text, new_person, next_event, reading

RUN = uuid.uuid4().hex[:6].upper()
HOSPITAL_CODE = f"H1101{RUN}09"
HOSPITAL = {**bearer("hospital", institution_code=HOSPITAL_CODE)}
ADMIN = bearer("admin")
# Items of the shipped default catalogue of Beijing.
LINES = [
    {"med_list_codg": "XJ01DDA020", "cnt": "14", "pric": "16.00"},  # ceftriaxone, class A
    {"med_list_codg": "110900001", "cnt": "7", "pric": "55.00"},  # bed fee, class A
    {"med_list_codg": "250101015", "cnt": "2", "pric": "20.00"},  # blood count, class A
    {"med_list_codg": "XJ01DCA010", "cnt": "20", "pric": "3.50"},  # cefuroxime, class B
    {"med_list_codg": "XA11JAA001", "cnt": "1", "pric": "45.00"},  # vitamins, class C
    {"med_list_codg": "331303002", "cnt": "1", "pric": "1500.00"},  # appendectomy, class A
    {"med_list_codg": "330100005", "cnt": "1", "pric": "900.00"},  # anaesthesia, class A
]


@pytest.fixture
async def bills_topic(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaConsumer]:
    async with reading(kafka_bootstrap, BILLS) as consumer:
        yield consumer


def settlement_body(psn_no: str) -> dict[str, Any]:
    total = sum(Decimal(line["cnt"]) * Decimal(line["pric"]) for line in LINES)
    return {
        "psn_no": psn_no,
        "mdtrt_id": f"M{RUN}",
        "insutype": "310",
        "med_type": "21",
        "begndate": (today() - timedelta(days=7)).isoformat(),
        "enddate": today().isoformat(),
        "medfee_sumamt": f"{total:.2f}",
        "lines": LINES,
    }


async def test_a_hospital_settles_for_a_filed_person_and_clearing_gets_the_bill(
    stack, http, bills_topic
):
    person = new_person()
    imported = await http["filing"].post(
        "/v1/institutions/import",
        json=[
            {
                "code": HOSPITAL_CODE,
                "name": "北京某三甲医院",
                "region": "110105",
                "level": 3,
                "networked_services": ["inpatient", "general_outpatient"],
            }
        ],
        headers=ADMIN,
    )
    assert imported.status_code == 200, imported.text
    registered = await http["filing"].post("/v1/persons", json=person, headers=CLERK)
    assert registered.status_code == 201, registered.text
    filed = await http["filing"].post(
        "/v1/filings",
        json={
            "psn_no": person["psn_no"],
            "subtype": "retiree_resettled",
            "destination_region": "110000",
            "start_date": today().isoformat(),  # filed during the stay, before discharge
            "channel": "district_window",
            "materials": ["commitment_letter"],
        },
        headers=CLERK,
    )
    assert filed.status_code == 201, filed.text
    body = settlement_body(person["psn_no"])

    async def settlement_can_price_it():
        # Settlement learns of person, filing and institution from filing's events shortly.
        pre = await http["settlement"].post("/v1/settlements/pre", json=body, headers=HOSPITAL)
        return pre.status_code == 200 and pre.json()

    quote = await eventually(settlement_can_price_it)
    assert quote["coverage"]["basis"] == "filing"
    assert quote["coverage"]["filing_class"] == "long_term"
    assert quote["trace"][0]["rule"] == "D-F7"  # the late filing covers the whole stay

    settled = await http["settlement"].post(
        "/v1/settlements",
        json={**body, "setl_id": f"S{RUN}"},
        headers={**HOSPITAL, "X-Correlation-ID": f"e2e-settle-{RUN}", "Idempotency-Key": RUN},
    )
    assert settled.status_code == 201, settled.text
    bill = settled.json()
    amounts = ("medfee_sumamt", "fund_pay_sumamt", "psn_part_amt", "psn_cash_pay")
    assert {name: bill[name] for name in amounts} == {name: quote[name] for name in amounts}
    assert Decimal(bill["fund_pay_sumamt"]) + Decimal(bill["psn_part_amt"]) == Decimal(
        bill["medfee_sumamt"]
    )
    assert Decimal(bill["fund_pay_sumamt"]) > 0

    envelope = await next_event(bills_topic, key=bill["bill_id"], event_type="BillSettled")
    payload = envelope["payload"]
    assert envelope["producer"] == "settlement"
    assert envelope["correlation_id"] == f"e2e-settle-{RUN}"
    assert {name: payload[name] for name in amounts} == {name: bill[name] for name in amounts}
    assert (payload["insured_region"], payload["treatment_region"], payload["clr_optins"]) == (
        "120000",
        "110000",  # the pooling region of the district the hospital is in
        "110000",
    )
    assert (payload["setl_id"], payload["period"]) == (f"S{RUN}", bill["period"])

    reversed_ = await http["settlement"].post(
        f"/v1/settlements/S{RUN}/reversal", json={"reason": "e2e"}, headers=HOSPITAL
    )
    assert reversed_.status_code == 200, reversed_.text
    reversal = await next_event(bills_topic, key=bill["bill_id"], event_type="BillReversed")
    assert reversal["payload"]["original_period"] == bill["period"]
    assert reversal["payload"]["fund_pay_sumamt"] == bill["fund_pay_sumamt"]

    totals = await http["settlement"].get(f"/v1/periods/{bill['period']}/totals", headers=ADMIN)
    pair = next(
        p
        for p in totals.json()["pairs"]
        if (p["insured_region"], p["treatment_region"]) == ("120000", "110000")
    )
    assert pair["settled_count"] >= 1 and pair["reversed_count"] >= 1

    # The national ID number appears in no settlement log.
    for role in ("api", "relay", "consumers"):
        assert person["id_no"] not in log_text(stack, "settlement", role)
