"""Daily reconciliation with a hospital (national 3201 totals, 3202 bill detail), and what
clearing reads per period (the settlement ↔ clearing contract)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from devstack.testing import bearer
from medins_common.timeutil import today
from settlement.adapters.tables import hospital_reconciliations

from .conftest import HOSPITAL, HOSPITAL_CODE, assert_problem, bill_body, line

OTHER_HOSPITAL = bearer("hospital", institution_code="H11010800002")


@pytest.fixture
async def day_with_bills(ready):
    """Three settlements today, the third reversed: 5000.00, 1000.00 and 200.00 of DRUG_A."""
    for setl_id, cnt in (("S1", "100"), ("S2", "20"), ("S3", "4")):
        body = bill_body(setl_id, lines=(line("DRUG_A", cnt, "50.00"),), med_type="11")
        body.update(begndate="2025-06-05", enddate="2025-06-05")
        assert (
            await ready.client.post("/v1/settlements", json=body, headers=HOSPITAL)
        ).status_code == 201
    await ready.client.post("/v1/settlements/S3/reversal", headers=HOSPITAL)
    return ready


async def our_bills(app) -> dict[str, dict]:
    day = await app.client.get("/v1/settlements", params={"day": _today()}, headers=HOSPITAL)
    return {bill["setl_id"]: bill for bill in day.json()["bills"]}


def _today() -> str:
    return today().isoformat()


def totals(bills: dict[str, dict], *, reversed_ids=("S3",)) -> dict:
    """The day's net totals as the hospital computes them from its own records."""
    entries = [(bill, 1) for bill in bills.values()] + [(bills[s], -1) for s in reversed_ids]

    def net(name: str) -> str:
        return f"{sum(Decimal(bill[name]) * sign for bill, sign in entries):.2f}"

    return {
        "day": _today(),
        "count": sum(sign for _, sign in entries),
        "medfee_sumamt": net("medfee_sumamt"),
        "fund_pay_sumamt": net("fund_pay_sumamt"),
        "cash": net("psn_cash_pay"),
    }


async def test_the_days_bills_list_settlements_and_reversals(day_with_bills):
    bills = await our_bills(day_with_bills)
    assert sorted(bills) == ["S1", "S2", "S3"]
    assert bills["S3"]["status"] == "reversed"
    assert [bills[s]["medfee_sumamt"] for s in ("S1", "S2", "S3")] == [
        "5000.00",
        "1000.00",
        "200.00",
    ]


async def test_3201_matching_totals_answer_match_and_are_stored(day_with_bills):
    declared = totals(await our_bills(day_with_bills))
    assert declared["count"] == 2  # three settlements, one reversal
    assert declared["medfee_sumamt"] == "6000.00"

    response = await day_with_bills.client.post(
        "/v1/reconciliations/daily", json=declared, headers=HOSPITAL
    )

    assert response.status_code == 200, response.text
    assert response.json()["result"] == "match"
    assert response.json()["computed"] == {k: v for k, v in declared.items() if k != "day"}
    [row] = await day_with_bills.rows(hospital_reconciliations)
    assert (row["institution_code"], row["result"]) == (HOSPITAL_CODE, "match")


async def test_3201_other_totals_answer_mismatch_and_show_ours(day_with_bills):
    declared = {**totals(await our_bills(day_with_bills)), "cash": "0.00"}

    response = await day_with_bills.client.post(
        "/v1/reconciliations/daily", json=declared, headers=HOSPITAL
    )

    assert response.json()["result"] == "mismatch"
    assert response.json()["declared"]["cash"] == "0.00"
    assert response.json()["computed"]["cash"] != "0.00"


async def test_3202_says_exactly_which_bills_differ_and_how(day_with_bills):
    ours = await our_bills(day_with_bills)

    def entry(setl_id, flag="0", **changes):
        bill = ours[setl_id]
        return {
            "setl_id": setl_id,
            "refd_setl_flag": flag,
            "medfee_sumamt": bill["medfee_sumamt"],
            "fund_pay_sumamt": bill["fund_pay_sumamt"],
            "cash": bill["psn_cash_pay"],
        } | changes

    hospital_list = [
        entry("S1"),
        entry("S2", fund_pay_sumamt="1.00"),  # amounts differ
        entry("S3"),  # the hospital missed the reversal of S3
        {**entry("S1"), "setl_id": "S9"},  # we never saw S9
    ]
    response = await day_with_bills.client.post(
        f"/v1/reconciliations/daily/{_today()}/bills",
        json={"bills": hospital_list},
        headers=HOSPITAL,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"] == "mismatch"
    assert body["differences"] == [
        {
            "setl_id": "S2",
            "refd_setl_flag": "0",
            "kind": "amounts_differ",
            "fields": [
                {
                    "field": "fund_pay_sumamt",
                    "hospital": "1.00",
                    "ours": ours["S2"]["fund_pay_sumamt"],
                }
            ],
        },
        {"setl_id": "S3", "refd_setl_flag": "1", "kind": "missing_on_hospital_side", "fields": []},
        {"setl_id": "S9", "refd_setl_flag": "0", "kind": "missing_on_our_side", "fields": []},
    ]


async def test_3202_the_same_list_as_ours_matches(day_with_bills):
    ours = await our_bills(day_with_bills)
    entries = [
        {
            "setl_id": setl_id,
            "refd_setl_flag": flag,
            "medfee_sumamt": ours[setl_id]["medfee_sumamt"],
            "fund_pay_sumamt": ours[setl_id]["fund_pay_sumamt"],
            "cash": ours[setl_id]["psn_cash_pay"],
        }
        for setl_id, flag in (("S1", "0"), ("S2", "0"), ("S3", "0"), ("S3", "1"))
    ]
    response = await day_with_bills.client.post(
        f"/v1/reconciliations/daily/{_today()}/bills", json={"bills": entries}, headers=HOSPITAL
    )
    assert (response.json()["result"], response.json()["differences"]) == ("match", [])


async def test_3202_an_entry_listed_twice_is_refused(day_with_bills):
    entry = {"setl_id": "S1", "medfee_sumamt": "1", "fund_pay_sumamt": "1", "cash": "0"}
    response = await day_with_bills.client.post(
        f"/v1/reconciliations/daily/{_today()}/bills",
        json={"bills": [entry, entry]},
        headers=HOSPITAL,
    )
    assert_problem(response, 422, "entry_listed_twice", "bills[1].setl_id")


async def test_a_hospital_reconciles_only_its_own_bills(day_with_bills):
    declared = totals(await our_bills(day_with_bills))
    response = await day_with_bills.client.post(
        "/v1/reconciliations/daily", json=declared, headers=OTHER_HOSPITAL
    )
    assert response.json()["result"] == "mismatch"
    assert response.json()["computed"]["count"] == 0


async def test_a_day_not_yet_come_is_refused(ready):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    body = {"day": tomorrow, "count": 0, "medfee_sumamt": "0", "fund_pay_sumamt": "0", "cash": "0"}
    response = await ready.client.post("/v1/reconciliations/daily", json=body, headers=HOSPITAL)
    assert_problem(response, 422, "day_in_future", "day")
    assert await ready.count(hospital_reconciliations) == 0


async def test_clearing_reads_the_periods_totals_bills_and_reconciliations(day_with_bills):
    ours = await our_bills(day_with_bills)
    await day_with_bills.client.post(
        "/v1/reconciliations/daily", json=totals(ours), headers=HOSPITAL
    )
    period = today().isoformat()[:7]
    clearing = bearer("admin")

    pairs = await day_with_bills.client.get(f"/v1/periods/{period}/totals", headers=clearing)
    listed = await day_with_bills.client.get(
        f"/v1/periods/{period}/bills",
        params={"insured_region": "120000", "treatment_region": "110000"},
        headers=clearing,
    )
    days = await day_with_bills.client.get(
        f"/v1/periods/{period}/hospital-reconciliations", headers=clearing
    )

    fund = totals(ours)["fund_pay_sumamt"]
    assert pairs.json() == {
        "period": period,
        "pairs": [
            {
                "insured_region": "120000",
                "treatment_region": "110000",
                "settled_count": 3,
                "reversed_count": 1,
                "medfee_sumamt": "6000.00",
                "fund_pay_sumamt": fund,
                "psn_part_amt": totals(ours)["cash"],
                "psn_cash_pay": totals(ours)["cash"],
            }
        ],
    }
    kinds = [(bill["setl_id"], bill["kind"]) for bill in listed.json()["bills"]]
    assert sorted(kinds) == [
        ("S1", "settled"),
        ("S2", "settled"),
        ("S3", "reversed"),
        ("S3", "settled"),
    ]
    [day] = days.json()["days"]
    assert (day["institution_code"], day["result"]) == (HOSPITAL_CODE, "match")
    assert day["declared"] == day["computed"]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        (bearer("auditor"), 200),
        (bearer("clerk", region="120000"), 200),
        (HOSPITAL, 403),
        (bearer("insured", psn_no="P0001"), 403),
    ],
)
async def test_period_totals_are_for_staff(ready, headers, status):
    response = await ready.client.get("/v1/periods/2026-11/totals", headers=headers)
    assert response.status_code == status


async def test_a_clerk_sees_only_pairs_of_their_own_region(day_with_bills):
    period = today().isoformat()[:7]
    shanghai = await day_with_bills.client.get(
        f"/v1/periods/{period}/totals", headers=bearer("clerk", region="310000")
    )
    beijing = await day_with_bills.client.get(
        f"/v1/periods/{period}/totals", headers=bearer("clerk", region="110000")
    )
    assert shanghai.json()["pairs"] == []
    assert len(beijing.json()["pairs"]) == 1


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "november"])
async def test_a_malformed_period_is_422(ready, period):
    response = await ready.client.get(f"/v1/periods/{period}/totals", headers=bearer("admin"))
    assert_problem(response, 422, "validation_error", "period")
