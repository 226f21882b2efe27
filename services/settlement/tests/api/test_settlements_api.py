"""POST /v1/settlements and /pre: a hospital's settlement, to the fen, with its rule trace.

Figures are computed by hand from the tests' catalogue and policy (conftest): Tianjin's
employee inpatient policy at level 3 (deductible 1700 first admission, 500 later; fund ratio
80 %), Beijing's catalogue (DRUG_B class B with 10 % first self-pay, SVC_CAP capped at 50.00).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from devstack.testing import bearer
from medins_common.messaging_tables import OUTBOX
from settlement.adapters.tables import accumulators, bills
from settlement.entrypoints.api.settlement_schemas import BillOut, QuoteOut
from settlement.service_layer import reference_data

from .conftest import (
    HOSPITAL,
    HOSPITAL_CODE,
    PERSON,
    POLICY,
    assert_problem,
    bill_body,
    line,
)

MIXED_LINES = (
    line("DRUG_A", "100", "50.00"),  # 5000.00 in scope
    line("DRUG_B", "10", "100.00"),  # 1000.00, of which 10 % = 100.00 first self-paid
    line("SVC_CAP", "10", "60.00"),  # 600.00, of which 10 x 10.00 = 100.00 above the cap
    line("DRUG_C", "2", "25.00"),  # 50.00 all self-paid
)


async def test_an_inpatient_settlement_splits_the_bill_to_the_fen_and_explains_it(ready):
    response = await ready.client.post(
        "/v1/settlements", json=bill_body(lines=MIXED_LINES), headers=HOSPITAL
    )

    assert response.status_code == 201, response.text
    bill = response.json()
    # medfee 6650.00; fulamt 50.00; overlmt 100.00; preselfpay 100.00;
    # inscp 6650 - 250 = 6400.00; first admission deductible 1700.00;
    # hifp (6400 - 1700) x 0.80 = 3760.00; psn_part 6650 - 3760 = 2890.00.
    assert {name: bill[name] for name in AMOUNTS} == {
        "medfee_sumamt": "6650.00",
        "fulamt_ownpay_amt": "50.00",
        "overlmt_selfpay": "100.00",
        "preselfpay_amt": "100.00",
        "inscp_scp_amt": "6400.00",
        "act_pay_dedc": "1700.00",
        "hifp_pay": "3760.00",
        "pool_prop_selfpay": "0.2000",
        "fund_pay_sumamt": "3760.00",
        "psn_part_amt": "2890.00",
        "acct_pay": "0.00",
        "psn_cash_pay": "2890.00",
    }
    assert bill["setl_id"] == "S1"
    assert bill["institution_code"] == HOSPITAL_CODE
    assert (bill["insured_region"], bill["treatment_region"], bill["clr_optins"]) == (
        "120000",
        "110000",
        "110000",
    )
    assert bill["status"] == "settled"
    assert bill["coverage"]["basis"] == "filing"
    assert bill["coverage"]["filing_class"] == "long_term"
    assert [row["det_item_fee_sumamt"] for row in bill["lines"]] == [
        "5000.00",
        "1000.00",
        "600.00",
        "50.00",
    ]
    assert bill["lines"][2]["overlmt_selfpay"] == "100.00"
    rules = [step["rule"] for step in bill["trace"]]
    assert rules[0] == "D-F1"  # the filing that covers the stay comes first
    assert "D-S4" in rules
    assert any("act_pay_dedc" in step["detail"] for step in bill["trace"])


AMOUNTS = (
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "act_pay_dedc",
    "hifp_pay",
    "pool_prop_selfpay",
    "fund_pay_sumamt",
    "psn_part_amt",
    "acct_pay",
    "psn_cash_pay",
)


async def test_the_settlement_is_stored_with_its_trace_and_read_back_alike(ready):
    created = await ready.client.post("/v1/settlements", json=bill_body(), headers=HOSPITAL)
    fetched = await ready.client.get("/v1/settlements/S1", headers=HOSPITAL)

    assert fetched.status_code == 200, fetched.text
    assert fetched.json() == created.json()
    [row] = await ready.rows(bills)
    assert row["trace"] == created.json()["trace"]


async def test_the_answers_are_exactly_what_their_published_schemas_say(ready):
    # The answers are built as plain JSON for speed; the models are their OpenAPI schema.
    pre = await ready.client.post("/v1/settlements/pre", json=bill_body(None), headers=HOSPITAL)
    settled = await ready.client.post("/v1/settlements", json=bill_body(), headers=HOSPITAL)
    fetched = await ready.client.get("/v1/settlements/S1", headers=HOSPITAL)
    reversed_ = await ready.client.post("/v1/settlements/S1/reversal", headers=HOSPITAL)

    for response, schema in (
        (pre, QuoteOut),
        (settled, BillOut),
        (fetched, BillOut),
        (reversed_, BillOut),
    ):
        assert response.status_code in (200, 201), response.text
        model = schema.model_validate_json(response.content)
        assert model.model_dump(mode="json") == response.json()
        assert set(response.json()) == set(schema.model_fields)
    assert reversed_.json()["status"] == "reversed"
    assert reversed_.json()["reversed_at"] is not None


async def test_a_pre_settlement_computes_the_same_and_writes_nothing(ready):
    pre = await ready.client.post(
        "/v1/settlements/pre", json=bill_body(None, lines=MIXED_LINES), headers=HOSPITAL
    )

    assert pre.status_code == 200, pre.text
    assert pre.json()["fund_pay_sumamt"] == "3760.00"
    assert "setl_id" not in pre.json()
    assert await ready.count(bills) == 0
    assert await ready.count(OUTBOX) == 0
    assert await ready.count(accumulators) == 0


async def test_a_later_admission_of_the_year_has_the_lower_deductible(ready):
    first = await ready.client.post("/v1/settlements", json=bill_body("S1"), headers=HOSPITAL)
    second = await ready.client.post(
        "/v1/settlements",
        json=bill_body("S2", begndate="2025-07-01", enddate="2025-07-03"),
        headers=HOSPITAL,
    )

    # 5000.00 in scope: first admission 1700 -> (5000 - 1700) x 0.8 = 2640.00;
    # second admission 500 -> (5000 - 500) x 0.8 = 3600.00.
    assert first.json()["act_pay_dedc"] == "1700.00"
    assert first.json()["hifp_pay"] == "2640.00"
    assert second.json()["act_pay_dedc"] == "500.00"
    assert second.json()["hifp_pay"] == "3600.00"
    [usage] = await ready.rows(accumulators)
    assert (usage["admissions"], usage["fund_paid"], usage["deductible_used"]) == (
        2,
        Decimal("6240.00"),
        Decimal("2200.00"),
    )


async def test_the_bill_settled_event_carries_what_clearing_needs(ready):
    response = await ready.client.post("/v1/settlements", json=bill_body(), headers=HOSPITAL)
    [event] = await ready.rows(OUTBOX)

    envelope = json.loads(event["envelope"])
    assert envelope["event_type"] == "BillSettled"
    payload = envelope["payload"]
    bill = response.json()
    assert payload["bill_id"] == bill["bill_id"] == event["message_key"]
    assert payload["period"] == bill["period"] == bill["setl_time"][:7]
    assert {key: payload[key] for key in ("medfee_sumamt", "fund_pay_sumamt", "psn_cash_pay")} == {
        "medfee_sumamt": "5000.00",
        "fund_pay_sumamt": "2640.00",
        "psn_cash_pay": "2360.00",
    }
    assert (payload["insured_region"], payload["treatment_region"], payload["clr_optins"]) == (
        "120000",
        "110000",
        "110000",
    )
    assert payload["institution_code"] == HOSPITAL_CODE
    assert datetime.fromisoformat(payload["settled_at"]) == datetime.fromisoformat(
        bill["setl_time"]
    )


async def test_only_a_hospital_may_settle(ready):
    for headers in (
        bearer("admin"),
        bearer("clerk", region="120000"),
        bearer("insured", psn_no=PERSON),
    ):
        response = await ready.client.post("/v1/settlements", json=bill_body(), headers=headers)
        assert_problem(response, 403, "forbidden_role")
    assert await ready.count(bills) == 0


async def test_a_policy_version_imported_later_applies_from_its_first_day(ready):
    before = await ready.client.post(
        "/v1/settlements",
        json=bill_body("S1", begndate="2025-05-28", enddate="2025-05-31"),
        headers=HOSPITAL,
    )
    richer = replace(
        POLICY,
        effective_from=date(2025, 6, 1),
        rules=tuple(replace(rule, fund_ratio=Decimal("0.90")) for rule in POLICY.rules),
    )
    await reference_data.import_version(ready.runtime.uow(), version=richer, created_by="tests")

    after = await ready.client.post(
        "/v1/settlements",
        json=bill_body("S2", begndate="2025-06-02", enddate="2025-06-05"),
        headers=HOSPITAL,
    )

    # 5000.00 in scope: (5000 - 1700) x 0.80 = 2640.00 before; later admission from June 1st
    # under the new version: (5000 - 500) x 0.90 = 4050.00.
    assert before.status_code == 201, before.text
    assert after.status_code == 201, after.text
    assert before.json()["hifp_pay"] == "2640.00"
    assert after.json()["hifp_pay"] == "4050.00"
