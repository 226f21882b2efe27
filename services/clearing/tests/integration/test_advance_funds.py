"""Advance funds 预付金 (issue 6, point 2; DOMAIN.md: prepaid, then cleared monthly).

Admins record payments and adjustments per pair; what is left falls as bills post and rises
when a statement is paid; below a share of the last advance the pair is flagged; the next
advance is suggested from the latest cleared months.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from clearing.adapters.tables import ledger_entries

from .conftest import ADMIN, AUDITOR, BEIJING, HEBEI, TIANJIN, clerk, settled

FUND = f"/v1/advance-funds/{TIANJIN}/{BEIJING}"


async def pay_in(clearing, amount: str, kind: str = "payment", reason: str = "annual advance"):
    answer = await clearing.client.post(
        f"{FUND}/movements", json={"kind": kind, "amount": amount, "reason": reason}, headers=ADMIN
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def fund(clearing, headers=ADMIN) -> dict:
    answer = await clearing.client.get(FUND, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_an_advance_payment_fills_the_fund_and_bills_draw_it_down(clearing):
    paid = await pay_in(clearing, "10000.00")
    assert (paid["advanced"], paid["left"], paid["last_advance"]) == (
        "10000.00",
        "10000.00",
        "10000.00",
    )

    await clearing.feed(
        settled("B1", fund="2500.00", medfee="3000.00"), settled("B2", fund="0.01", medfee="0.02")
    )

    now = await fund(clearing)
    assert (now["advanced"], now["outstanding"], now["left"]) == ("10000.00", "2500.01", "7499.99")
    assert now["below_warning"] is False
    [movement] = now["movements"]
    assert (movement["kind"], movement["amount"], movement["reason"]) == (
        "payment",
        "10000.00",
        "annual advance",
    )
    assert movement["recorded_by"] == "test-admin"


async def test_below_the_warning_share_of_the_last_advance_the_pair_is_flagged_and_logged(
    clearing, caplog
):
    await pay_in(clearing, "1000.00")
    await clearing.feed(settled("B1", fund="700.00", medfee="900.00"))
    assert (await fund(clearing))["below_warning"] is False  # 300.00 left: exactly 30 %

    await clearing.feed(settled("B2", fund="0.01", medfee="0.02"))
    with caplog.at_level(logging.WARNING, logger="clearing.service_layer.advance_funds"):
        flagged = await fund(clearing)

    assert (flagged["left"], flagged["warning_share"], flagged["below_warning"]) == (
        "299.99",
        "0.30",
        True,
    )
    assert "advance fund of 120000 at 110000 is low" in caplog.text


async def test_a_negative_adjustment_lowers_the_fund_and_keeps_the_last_advance(clearing):
    await pay_in(clearing, "1000.00")
    adjusted = await pay_in(clearing, "-150.50", kind="adjustment", reason="bank charges returned")

    assert (adjusted["advanced"], adjusted["left"], adjusted["last_advance"]) == (
        "849.50",
        "849.50",
        "1000.00",
    )
    assert [m["kind"] for m in (await fund(clearing))["movements"]] == ["adjustment", "payment"]


async def test_paying_a_statement_makes_the_fund_whole_again(clearing, settlement):
    await pay_in(clearing, "1000.00")
    await clearing.feed(settled("B1", fund="400.00", medfee="500.00"))
    settlement.agree_with(settled("B1", fund="400.00", medfee="500.00"))
    run = await clearing.run_clearing("2026-10")
    statement_id = (await clearing.statement(run["run_id"]))["statement_id"]
    assert (await fund(clearing))["left"] == "600.00"

    for name, region in (
        ("insured-confirmation", TIANJIN),
        ("treatment-confirmation", BEIJING),
        ("payment", BEIJING),
    ):
        answer = await clearing.client.post(
            f"/v1/statements/{statement_id}/{name}", headers=clerk(region)
        )
        assert answer.status_code == 200, answer.text

    assert (await fund(clearing))["left"] == "1000.00"


async def test_the_next_advance_is_the_average_of_recent_months_times_the_months_to_cover(
    clearing, settlement
):
    assert (await fund(clearing))["suggested_next_advance"] is None  # nothing cleared yet
    for period, amount in (("2026-08", "100.00"), ("2026-09", "200.00"), ("2026-10", "300.01")):
        bill = settled(f"B{period}", period=period, fund=amount, medfee="1000.00")
        await clearing.feed(bill)
        settlement.agree_with(bill)
        assert (await clearing.run_clearing(period))["status"] == "closed"
    await pay_in(clearing, "500.00")

    suggestion = await fund(clearing)

    # (100.00 + 200.00 + 300.01) / 3 × 2 months = 400.0066…, rounded up to the yuan
    assert suggestion["recent_monthly_use"] == ["300.01", "200.00", "100.00"]
    assert suggestion["suggested_next_advance"] == "401.00"
    assert suggestion["left"] == "-100.01"  # 500 advanced, 600.01 outstanding
    assert suggestion["suggested_top_up"] == "501.01"
    assert suggestion["below_warning"] is True


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"kind": "payment", "amount": "-1.00", "reason": "refund"}, "invalid_amount", "amount"),
        ({"kind": "adjustment", "amount": "0.00", "reason": "nothing"}, "invalid_amount", "amount"),
        ({"kind": "payment", "amount": "1.001", "reason": "fen"}, "validation_error", "amount"),
        ({"kind": "gift", "amount": "1.00", "reason": "why"}, "validation_error", "kind"),
    ],
)
async def test_a_bad_movement_is_refused_and_writes_nothing(clearing, body, code, field):
    answer = await clearing.client.post(f"{FUND}/movements", json=body, headers=ADMIN)

    assert answer.status_code == 422
    assert (answer.json()["code"], answer.json()["field"]) == (code, field)
    assert await clearing.count(ledger_entries) == 0


async def test_a_fund_inside_one_region_is_refused(clearing):
    answer = await clearing.client.post(
        f"/v1/advance-funds/{TIANJIN}/{TIANJIN}/movements",
        json={"kind": "payment", "amount": "1.00", "reason": "self"},
        headers=ADMIN,
    )

    assert (answer.status_code, answer.json()["code"]) == (422, "same_region")


async def test_only_admins_record_movements(clearing):
    for headers in (AUDITOR, clerk(TIANJIN), clerk(BEIJING)):
        answer = await clearing.client.post(
            f"{FUND}/movements",
            json={"kind": "payment", "amount": "1.00", "reason": "mine"},
            headers=headers,
        )
        assert (answer.status_code, answer.json()["code"]) == (403, "forbidden_role")
    assert await clearing.count(ledger_entries) == 0


async def test_both_regions_read_the_fund_and_a_third_region_does_not(clearing):
    await pay_in(clearing, "10.00")
    await clearing.client.post(
        f"/v1/advance-funds/{TIANJIN}/{HEBEI}/movements",
        json={"kind": "payment", "amount": "20.00", "reason": "hebei"},
        headers=ADMIN,
    )

    assert (await fund(clearing, clerk(TIANJIN)))["advanced"] == "10.00"
    assert (await fund(clearing, clerk(BEIJING)))["advanced"] == "10.00"
    refused = await clearing.client.get(FUND, headers=clerk(HEBEI))
    assert (refused.status_code, refused.json()["code"]) == (403, "not_party")
    beijing_list = await clearing.client.get("/v1/advance-funds", headers=clerk(BEIJING))
    assert [(f["insured_region"], f["treatment_region"]) for f in beijing_list.json()] == [
        (TIANJIN, BEIJING)
    ]
    everything = await clearing.client.get("/v1/advance-funds", headers=AUDITOR)
    assert len(everything.json()) == 2


async def test_the_trial_balance_stays_balanced_with_advances_bills_and_payments(clearing):
    await pay_in(clearing, "1000.00")
    await pay_in(clearing, "-1.00", kind="adjustment")
    await clearing.feed(settled("B1", fund="123.45", medfee="200.00"))

    answer = await clearing.client.get("/v1/ledger/trial-balance", headers=AUDITOR)

    assert answer.json()["balanced"] is True
    assert sum(Decimal(row["debits"]) for row in answer.json()["rows"]) == Decimal("1124.45")
    assert (
        await clearing.client.get("/v1/ledger/trial-balance", headers=clerk(TIANJIN))
    ).status_code == 403
