"""Manual reimbursement through the app (D-F8, D-S3, M3, M4): the claim is valued under the
insured place's (Tianjin's) catalogue and policy with the penalty points that apply, and goes
submitted → reviewed → approved | rejected; approved → paid, with reasons.

The worked example: a Tianjin employee without a filing, treated in a Shanghai level-3
hospital, paid in full and claims:
  DRUG_A   100 x 50.00 = 5000.00  class A
  DRUG_CAP  10 x 12.00 =  120.00  a drug: counted at its actual price, above Tianjin's cap
  SVC_CAP   10 x 60.00 =  600.00  a service: capped at Tianjin's standard 40.00 -> 200.00 over
  UNLISTED   1 x 80.00 =   80.00  not in Tianjin's catalogue: self-paid
medfee 5800.00; inscp 5800 - 80 - 200 = 5520.00; first admission deductible 1700.00;
own initiative at level 3 (D-S5): 80 % - 10 points = 70 %: (5520 - 1700) x 0.70 = 2674.00.
"""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest

from devstack.testing import bearer
from settlement.adapters.tables import accumulators, manual_claims

from .conftest import PERSON, assert_problem, line

SHANGHAI_HOSPITAL = "H31010400001"
PERSON_TOKEN = bearer("insured", psn_no=PERSON)
CLERK = bearer("clerk", region="120000")
LINES = [
    line("DRUG_A", "100", "50.00"),
    line("DRUG_CAP", "10", "12.00"),
    line("SVC_CAP", "10", "60.00"),
    line("UNLISTED", "1", "80.00"),
]


def claim_body(einvoice_no: str = "E0001", **changes) -> dict:
    return {
        "psn_no": PERSON,
        "institution_code": SHANGHAI_HOSPITAL,
        "med_type": "21",
        "begndate": "2025-06-01",
        "enddate": "2025-06-05",
        "invoices": [{"einvoice_no": einvoice_no, "issued_on": "2025-06-05", "lines": LINES}],
        **changes,
    }


@pytest.fixture
async def claimant(settlement_app):
    await settlement_app.know_reference_data()
    await settlement_app.know_institution(SHANGHAI_HOSPITAL, region="310104")
    await settlement_app.know_person(PERSON, insutype="310", person_type="employee_in_service")
    return settlement_app


async def submit(app, body=None, headers=PERSON_TOKEN):
    return await app.client.post("/v1/claims", json=body or claim_body(), headers=headers)


async def move(app, claim_id: str, status: str, reason: str | None = None, headers=CLERK):
    body = {"status": status} | ({"reason": reason} if reason else {})
    return await app.client.post(f"/v1/claims/{claim_id}/transitions", json=body, headers=headers)


async def test_d_s3_a_claim_is_valued_under_tianjins_catalogue_with_the_d_s5_points(claimant):
    response = await submit(claimant)

    assert response.status_code == 201, response.text
    claim = response.json()
    valuation = claim["valuation"]
    assert claim["status"] == "submitted"
    assert {name: valuation[name] for name in ("medfee_sumamt", "fulamt_ownpay_amt")} == {
        "medfee_sumamt": "5800.00",
        "fulamt_ownpay_amt": "80.00",
    }
    assert valuation["overlmt_selfpay"] == "200.00"
    assert valuation["inscp_scp_amt"] == "5520.00"
    assert valuation["act_pay_dedc"] == "1700.00"
    assert valuation["hifp_pay"] == "2674.00"
    assert valuation["psn_part_amt"] == "3126.00"
    assert valuation["pool_prop_selfpay"] == "0.3000"
    rules = [step["rule"] for step in valuation["trace"]]
    assert rules[0] == "D-S3" and "D-S5" in rules
    assert valuation["lines"][1]["overlmt_selfpay"] == "0.00"  # a drug at its actual price


async def test_a_claim_with_a_long_term_filing_gets_the_insured_places_ratio(claimant):
    await claimant.know_filing("F1", PERSON, start=date(2025, 1, 1), destination="310000")
    response = await submit(claimant)
    # (5520 - 1700) x 0.80 = 3056.00
    assert response.json()["valuation"]["hifp_pay"] == "3056.00"


async def test_the_claim_goes_submitted_reviewed_approved_paid_and_counts_when_approved(
    claimant,
):
    claim_id = (await submit(claimant)).json()["claim_id"]
    assert await claimant.count(accumulators) == 0

    reviewed = await move(claimant, claim_id, "reviewed", "票据齐全")
    approved = await move(claimant, claim_id, "approved")
    paid = await move(claimant, claim_id, "paid", "转账 20250620-001")

    assert [r.status_code for r in (reviewed, approved, paid)] == [200, 200, 200]
    history = paid.json()["history"]
    assert [(step["status"], step["reason"]) for step in history] == [
        ("submitted", None),
        ("reviewed", "票据齐全"),
        ("approved", None),
        ("paid", "转账 20250620-001"),
    ]
    assert history[1]["by"] == "test-clerk"
    [usage] = await claimant.rows(accumulators)
    assert (usage["fund_paid"], usage["admissions"]) == (Decimal("2674.00"), 1)
    seen = await claimant.client.get(f"/v1/claims/{claim_id}", headers=PERSON_TOKEN)
    assert seen.json()["status"] == "paid"


async def test_approval_values_the_claim_again_with_what_the_year_has_used(claimant):
    first = (await submit(claimant, claim_body("E1"))).json()["claim_id"]
    second = (await submit(claimant, claim_body("E2"))).json()["claim_id"]
    for claim_id in (first, second):
        await move(claimant, claim_id, "reviewed")
        await move(claimant, claim_id, "approved")

    later = await claimant.client.get(f"/v1/claims/{second}", headers=CLERK)
    # The second stay is a later admission: deductible 500.00, (5520 - 500) x 0.70 = 3514.00.
    assert later.json()["valuation"]["act_pay_dedc"] == "500.00"
    assert later.json()["valuation"]["hifp_pay"] == "3514.00"


@pytest.mark.parametrize(
    ("path", "to"),
    [
        ([], "approved"),
        ([], "paid"),
        (["reviewed"], "paid"),
        (["reviewed", "approved"], "reviewed"),
    ],
)
async def test_a_step_out_of_order_is_409_invalid_transition(claimant, path, to):
    claim_id = (await submit(claimant)).json()["claim_id"]
    for status in path:
        assert (await move(claimant, claim_id, status)).status_code == 200
    assert_problem(await move(claimant, claim_id, to), 409, "invalid_transition", "status")


async def test_a_rejection_needs_its_reason_and_ends_the_claim(claimant):
    claim_id = (await submit(claimant)).json()["claim_id"]
    await move(claimant, claim_id, "reviewed")

    assert_problem(await move(claimant, claim_id, "rejected"), 422, "reason_required", "reason")
    rejected = await move(claimant, claim_id, "rejected", "票据与病历不符")

    assert rejected.json()["status"] == "rejected"
    assert_problem(await move(claimant, claim_id, "approved"), 409, "invalid_transition")
    assert await claimant.count(accumulators) == 0


async def test_an_e_invoice_is_reimbursed_once_unless_its_claim_was_rejected(claimant):
    claim_id = (await submit(claimant)).json()["claim_id"]
    again = await submit(claimant)
    assert_problem(again, 409, "invoice_already_claimed", "invoices[0].einvoice_no")

    await move(claimant, claim_id, "reviewed")
    await move(claimant, claim_id, "rejected", "金额有误")

    assert (await submit(claimant)).status_code == 201


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        (bearer("clerk", region="110000"), 403, "other_agency"),
        (PERSON_TOKEN, 403, "forbidden_role"),
        (bearer("hospital", institution_code=SHANGHAI_HOSPITAL), 403, "forbidden_role"),
    ],
)
async def test_only_staff_of_the_insured_region_decide(claimant, headers, status, code):
    claim_id = (await submit(claimant)).json()["claim_id"]
    assert_problem(await move(claimant, claim_id, "reviewed", headers=headers), status, code)


async def test_a_person_claims_and_sees_only_their_own(claimant):
    await claimant.know_person("P0002", insutype="310", person_type="employee_in_service")
    other = bearer("insured", psn_no="P0002")
    assert_problem(await submit(claimant, headers=other), 403, "not_own_record", "psn_no")
    claim_id = (await submit(claimant)).json()["claim_id"]

    hidden = await claimant.client.get(f"/v1/claims/{claim_id}", headers=other)
    listed = await claimant.client.get("/v1/claims", headers=other)
    mine = await claimant.client.get("/v1/claims", headers=PERSON_TOKEN)

    assert_problem(hidden, 404, "claim_not_found")
    assert listed.json()["claims"] == []
    assert [c["claim_id"] for c in mine.json()["claims"]] == [claim_id]


async def test_a_clerk_lists_the_regions_claims_by_status(claimant):
    claim_id = (await submit(claimant)).json()["claim_id"]
    submitted = await claimant.client.get(
        "/v1/claims", params={"status": "submitted"}, headers=CLERK
    )
    paid = await claimant.client.get("/v1/claims", params={"status": "paid"}, headers=CLERK)
    elsewhere = await claimant.client.get("/v1/claims", headers=bearer("clerk", region="110000"))
    assert [c["claim_id"] for c in submitted.json()["claims"]] == [claim_id]
    assert paid.json()["claims"] == []
    assert elsewhere.json()["claims"] == []


async def test_d_s5_care_at_a_level_1_institution_without_a_referral_is_refused(claimant):
    await claimant.know_institution(SHANGHAI_HOSPITAL, region="310104", level=1)
    response = await submit(claimant)
    assert_problem(response, 422, "fund_pays_nothing", "institution_code")
    assert await claimant.count(manual_claims) == 0


async def test_an_e_invoice_listed_twice_in_one_claim_is_refused(claimant):
    invoice = claim_body()["invoices"][0]
    response = await submit(claimant, claim_body(invoices=[invoice, invoice]))
    assert_problem(response, 422, "invoice_listed_twice", "invoices[1].einvoice_no")


async def test_two_claims_naming_one_e_invoice_at_once_make_one_claim(claimant):
    answers = await asyncio.gather(submit(claimant), submit(claimant))

    assert sorted(answer.status_code for answer in answers) == [201, 409]
    assert await claimant.count(manual_claims) == 1
