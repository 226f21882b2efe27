"""The monthly clearing batch (issue 6, points 3 and 4): reconcile three ways, then close the
period, net it per region pair and institution, write statements, publish ClearingPeriodClosed.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import update

from clearing.adapters import runs
from clearing.adapters.tables import (
    clearing_runs,
    closed_periods,
    ledger_entries,
    statements,
)
from medins_common import timeutil
from medins_common.messaging_tables import OUTBOX

from .conftest import (
    ADMIN,
    AUDITOR,
    BEIJING,
    HEBEI,
    TIANJIN,
    clerk,
    reversed_,
    settled,
)

OCTOBER = "2026-10"


def month_of_bills():
    """Three pairs, two institutions, a reversal and fen-sized amounts."""
    return [
        settled("B1", fund="800.00", medfee="1234.00", institution="H1"),
        settled("B2", fund="0.01", medfee="0.03", institution="H1", day=16),
        settled("B3", fund="1999.99", medfee="2500.00", institution="H2", day=16),
        settled("B4", fund="300.00", medfee="400.00", treatment=HEBEI, institution="H9"),
        settled(
            "B5", fund="50.50", medfee="60.00", insured=BEIJING, treatment=TIANJIN, institution="H5"
        ),
        reversed_("B3", fund="1999.99", medfee="2500.00", institution="H2", day=20),
    ]


async def test_a_reconciled_month_closes_with_one_statement_per_pair_to_the_fen(
    clearing, settlement
):
    bills = month_of_bills()
    await clearing.feed_batch(*bills)
    settlement.agree_with(*bills)

    run = await clearing.run_clearing(OCTOBER)

    assert (run["status"], run["step"], run["period"]) == ("closed", "done", OCTOBER)
    assert run["progress"]["differences"] == 0
    assert run["progress"]["ledger_bills"] == 6
    assert run["progress"]["statements"] == 3
    assert run["progress"]["fund_pay_sumamt"] == "1150.51"
    listed = await clearing.statements(run["run_id"])
    due = {
        (s["insured_region"], s["treatment_region"]): s["amount_due"] for s in listed["statements"]
    }
    assert due == {
        (TIANJIN, BEIJING): "800.01",
        (TIANJIN, HEBEI): "300.00",
        (BEIJING, TIANJIN): "50.50",
    }
    tianjin_beijing = await clearing.statement(run["run_id"])
    assert tianjin_beijing["status"] == "generated"
    assert tianjin_beijing["totals"]["settled_count"] == 3
    assert tianjin_beijing["totals"]["reversed_count"] == 1
    assert tianjin_beijing["totals"]["medfee_sumamt"] == "1234.03"
    positions = {p["region"]: p["net"] for p in listed["regions"]}
    assert positions == {TIANJIN: "-1049.51", BEIJING: "749.51", HEBEI: "300.00"}
    assert sum(Decimal(net) for net in positions.values()) == 0
    assert await clearing.count(closed_periods, closed_periods.c.period == OCTOBER) == 1


async def test_closing_publishes_clearing_period_closed_through_the_outbox(clearing, settlement):
    bills = month_of_bills()
    await clearing.feed_batch(*bills)
    settlement.agree_with(*bills)

    run = await clearing.run_clearing(OCTOBER)

    [row] = await clearing.rows(OUTBOX)
    assert (row["event_type"], row["topic"], row["message_key"]) == (
        "ClearingPeriodClosed",
        "clearing.periods.v1",
        OCTOBER,
    )
    payload = json.loads(row["envelope"])["payload"]
    assert payload["run_id"] == run["run_id"]
    assert payload["region_pairs"] == 3
    assert payload["fund_pay_sumamt"] == "1150.51"


async def test_the_statement_splits_the_pair_per_institution(clearing, settlement):
    bills = month_of_bills()
    await clearing.feed_batch(*bills)
    settlement.agree_with(*bills)
    run = await clearing.run_clearing(OCTOBER)
    statement_id = (await clearing.statement(run["run_id"]))["statement_id"]

    answer = await clearing.client.get(f"/v1/statements/{statement_id}", headers=ADMIN)

    lines = {line["institution_code"]: line for line in answer.json()["institutions"]}
    assert lines["H1"]["fund_pay_sumamt"] == "800.01"
    assert (lines["H1"]["settled_count"], lines["H1"]["reversed_count"]) == (2, 0)
    assert lines["H2"]["fund_pay_sumamt"] == "0.00"
    assert (lines["H2"]["settled_count"], lines["H2"]["reversed_count"]) == (1, 1)


async def test_running_the_same_month_again_returns_the_same_run_and_changes_nothing(
    clearing, settlement
):
    bills = month_of_bills()
    await clearing.feed_batch(*bills)
    settlement.agree_with(*bills)
    first = await clearing.run_clearing(OCTOBER)
    counts = (await clearing.count(statements), await clearing.count(OUTBOX))

    again = await clearing.client.post("/v1/clearing-runs", json={"period": OCTOBER}, headers=ADMIN)

    assert again.status_code == 202
    assert again.json()["run_id"] == first["run_id"]
    assert again.json()["status"] == "closed"
    assert again.json()["updated_at"] == first["updated_at"]
    assert (await clearing.count(statements), await clearing.count(OUTBOX)) == counts


async def test_the_same_idempotency_key_replays_the_first_answer(clearing, settlement):
    headers = {**ADMIN, "Idempotency-Key": "october-run"}
    first = await clearing.client.post(
        "/v1/clearing-runs", json={"period": OCTOBER}, headers=headers
    )
    await clearing.wait_for_run(first.json()["run_id"])
    again = await clearing.client.post(
        "/v1/clearing-runs", json={"period": OCTOBER}, headers=headers
    )

    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert await clearing.count(clearing_runs) == 1


async def test_a_period_without_bills_closes_with_no_statements(clearing, settlement):
    run = await clearing.run_clearing(OCTOBER)

    assert run["status"] == "closed"
    assert (await clearing.statements(run["run_id"]))["statements"] == []


# --- reconciliation finds differences: the period stays open ---------------------------------


async def test_settlement_unavailable_blocks_the_run_and_leaves_the_period_open(
    clearing, settlement
):
    await clearing.feed(settled("B1"))
    settlement.agree_with(settled("B1"))
    settlement.down = {"totals", "days"}

    run = await clearing.run_clearing(OCTOBER)

    assert (run["status"], run["step"]) == ("blocked", "awaiting_decision")
    differences = await clearing.client.get(
        f"/v1/clearing-runs/{run['run_id']}/differences", headers=ADMIN
    )
    kinds = [(d["kind"], d["key"]) for d in differences.json()["differences"]]
    assert kinds == [
        ("settlement_unavailable", {"endpoint": f"/v1/periods/{OCTOBER}/totals"}),
        ("settlement_unavailable", {"endpoint": f"/v1/periods/{OCTOBER}/hospital-reconciliations"}),
    ]
    assert "HTTP 503" in differences.json()["differences"][0]["detail"]["reason"]
    assert await clearing.count(closed_periods) == 0
    assert await clearing.count(statements) == 0
    assert await clearing.count(OUTBOX) == 0


async def test_a_refused_connection_to_settlement_is_a_difference_not_an_error(
    clearing, settlement
):
    clearing.runtime.settings.settlement_base_url = "http://127.0.0.1:9"  # nothing listens
    await clearing.feed(settled("B1"))

    run = await clearing.run_clearing(OCTOBER)

    assert run["status"] == "blocked"
    answer = await clearing.client.get(
        f"/v1/clearing-runs/{run['run_id']}/differences", headers=ADMIN
    )
    assert {d["kind"] for d in answer.json()["differences"]} == {"settlement_unavailable"}
    assert "ConnectError" in answer.json()["differences"][0]["detail"]["reason"]


async def test_every_difference_is_listed_with_its_key(clearing, settlement):
    ours = [
        settled("B1", fund="800.00"),
        settled("B2", fund="100.00", medfee="200.00"),
        settled("B3", fund="10.00", medfee="20.00"),
        settled("B9", fund="5.00", medfee="9.00", treatment=HEBEI, institution="H9"),
        settled("BAD", psn_part_amt="1.00"),  # parked
    ]
    await clearing.feed(*ours)
    settlement.agree_with(
        settled("B1", fund="800.00"),
        settled("B2", fund="150.00", medfee="250.00"),  # other amounts
        settled("B4", fund="7.00", medfee="8.00"),  # the ledger never got it
        settled("B9", fund="5.00", medfee="9.00", treatment=HEBEI, institution="H9"),
    )  # B3 is missing at settlement
    settlement.bills.append(dict(settlement.bills[0]))  # settlement lists B1 twice
    settlement.days[0]["declared"] = {**settlement.days[0]["declared"], "count": 99}
    settlement.days[0]["result"] = "mismatch"

    run = await clearing.run_clearing(OCTOBER)

    assert run["status"] == "blocked"
    answer = await clearing.client.get(
        f"/v1/clearing-runs/{run['run_id']}/differences", headers=AUDITOR
    )
    found = {
        (
            d["kind"],
            d["key"].get("bill_id") or d["key"].get("day") or d["key"].get("treatment_region"),
        )
        for d in answer.json()["differences"]
    }
    assert found == {
        ("parked_event", "BAD"),
        ("totals_mismatch", BEIJING),
        ("duplicate", "B1"),
        ("amount_mismatch", "B2"),
        ("missing_in_settlement", "B3"),
        ("missing_in_ledger", "B4"),
        ("hospital_declaration_mismatch", "2026-10-15"),
        ("hospital_ledger_mismatch", "2026-10-15"),
    }
    amounts = next(d for d in answer.json()["differences"] if d["kind"] == "amount_mismatch")
    assert amounts["key"] == {
        "insured_region": TIANJIN,
        "treatment_region": BEIJING,
        "bill_id": "B2",
        "kind": "bill_settled",
    }
    assert amounts["detail"]["ledger"]["fund_pay_sumamt"] == "100.00"
    assert amounts["detail"]["settlement"]["fund_pay_sumamt"] == "150.00"
    assert run["progress"]["pairs_to_drill"] == 1  # Tianjin → Hebei agreed: no drill-down


async def test_a_day_with_bills_that_no_hospital_declared_is_a_difference(clearing, settlement):
    await clearing.feed(settled("B1", institution="H1"))
    settlement.agree_with(settled("B1", institution="H1"))
    settlement.days = []

    run = await clearing.run_clearing(OCTOBER)

    answer = await clearing.client.get(
        f"/v1/clearing-runs/{run['run_id']}/differences", headers=ADMIN
    )
    assert [(d["kind"], d["key"]) for d in answer.json()["differences"]] == [
        ("hospital_day_undeclared", {"institution_code": "H1", "day": "2026-10-15"})
    ]


async def test_an_admin_forces_a_blocked_period_closed_with_a_reason_on_record(
    clearing, settlement
):
    await clearing.feed(settled("B1", fund="800.00"))
    settlement.down = {"totals", "days"}
    blocked = await clearing.run_clearing(OCTOBER)

    short = await clearing.client.post(
        f"/v1/clearing-runs/{blocked['run_id']}/force", json={"reason": "ok"}, headers=ADMIN
    )
    assert short.status_code == 422
    assert short.json()["field"] == "reason"
    forced = await clearing.client.post(
        f"/v1/clearing-runs/{blocked['run_id']}/force",
        json={"reason": "Settlement down at month end; totals checked by phone."},
        headers=ADMIN,
    )
    assert forced.status_code == 202, forced.text
    run = await clearing.wait_for_run(blocked["run_id"])

    assert run["status"] == "closed"
    assert run["forced"]["by"] == "test-admin"
    assert run["forced"]["reason"] == "Settlement down at month end; totals checked by phone."
    assert (await clearing.statement(run["run_id"]))["amount_due"] == "800.00"


async def test_forcing_a_run_that_is_not_blocked_is_409(clearing, settlement):
    run = await clearing.run_clearing(OCTOBER)

    answer = await clearing.client.post(
        f"/v1/clearing-runs/{run['run_id']}/force",
        json={"reason": "Just to be sure it closes."},
        headers=ADMIN,
    )

    assert answer.status_code == 409
    assert answer.json()["code"] == "wrong_order"


async def test_a_blocked_run_reconciles_again_once_settlement_answers(clearing, settlement):
    bills = [settled("B1"), settled("B2")]
    await clearing.feed(*bills)
    settlement.down = {"totals"}
    blocked = await clearing.run_clearing(OCTOBER)
    assert blocked["status"] == "blocked"
    settlement.agree_with(*bills)

    again = await clearing.client.post(
        f"/v1/clearing-runs/{blocked['run_id']}/reconciliation", headers=ADMIN
    )
    assert again.status_code == 202, again.text
    run = await clearing.wait_for_run(blocked["run_id"])

    assert (run["status"], run["attempt"], run["forced"]) == ("closed", 2, None)
    answer = await clearing.client.get(
        f"/v1/clearing-runs/{run['run_id']}/differences", headers=ADMIN
    )
    assert answer.json()["attempt"] == 2
    assert answer.json()["differences"] == []


# --- after closing -----------------------------------------------------------------------------


async def test_bills_after_the_close_are_cleared_next_month_as_adjustments(clearing, settlement):
    await clearing.feed(settled("B1", fund="800.00"))
    settlement.agree_with(settled("B1", fund="800.00"))
    october = await clearing.run_clearing(OCTOBER)

    late = settled("B2", fund="20.00", medfee="30.00", day=31)
    reversal = reversed_("B1", fund="800.00", period="2026-11", original_period=OCTOBER, day=3)
    await clearing.feed(late, reversal)
    settlement.agree_with(reversal)  # settlement counts both in their own months
    settlement.days = []  # and the hospitals declared nothing in November
    november = await clearing.run_clearing("2026-11")

    october_statement = await clearing.statement(october["run_id"])
    assert october_statement["amount_due"] == "800.00"  # not edited
    lines = await clearing.client.get(
        f"/v1/statements/{october_statement['statement_id']}", headers=ADMIN
    )
    assert [
        (line["institution_code"], line["fund_pay_sumamt"]) for line in lines.json()["institutions"]
    ] == [("H11010500001", "800.00")]
    assert november["status"] == "blocked"  # Nov 3 was not declared by H11010500001
    forced = await clearing.client.post(
        f"/v1/clearing-runs/{november['run_id']}/force",
        json={"reason": "Hospital declared the day on paper."},
        headers=ADMIN,
    )
    assert forced.status_code == 202
    await clearing.wait_for_run(november["run_id"])
    statement = await clearing.statement(november["run_id"])
    assert statement["amount_due"] == "-780.00"
    assert statement["adjustment_count"] == 2
    assert statement["adjustment_fund_pay_sumamt"] == "-780.00"
    [late_entry] = await clearing.rows(ledger_entries, ledger_entries.c.source_id == "B2")
    assert (late_entry["period"], late_entry["event_period"]) == ("2026-11", OCTOBER)


async def test_a_bill_settlement_booked_late_reconciles_in_its_booking_period(clearing, settlement):
    # October was closed at settlement when this bill of October 31 came: booked in November.
    late = settled("B1", fund="20.00", medfee="30.00", day=31).model_copy(
        update={"period": "2026-11"}
    )
    november = settled("B2", fund="5.00", medfee="6.00", period="2026-11", day=2)
    await clearing.feed(late, november)
    settlement.agree_with(late, november)  # its day, Oct 31, is October's hospital day

    run = await clearing.run_clearing("2026-11")

    assert run["status"] == "closed", run
    statement = await clearing.statement(run["run_id"])
    assert (statement["amount_due"], statement["adjustment_count"]) == ("25.00", 1)
    assert statement["adjustment_fund_pay_sumamt"] == "20.00"


# --- a run that stopped half-way resumes -------------------------------------------------------


async def test_a_run_whose_worker_died_resumes_when_asked_again(clearing, settlement):
    await clearing.feed(settled("B1"))
    settlement.agree_with(settled("B1"))
    async with clearing.runtime.uow() as uow:  # created, then its process died: a stale lease
        stale = await runs.add_run(
            uow.session, period=OCTOBER, started_by="test-admin", lease=timedelta(seconds=-1)
        )
        await uow.commit()

    again = await clearing.client.post("/v1/clearing-runs", json={"period": OCTOBER}, headers=ADMIN)
    resumed = await clearing.wait_for_run(again.json()["run_id"])

    assert again.json()["run_id"] == stale.run_id
    assert resumed["status"] == "closed"
    assert (await clearing.statement(stale.run_id))["amount_due"] == "800.00"


async def test_a_failed_run_resumes_when_asked_again(clearing, settlement):
    await clearing.feed(settled("B1"))
    settlement.agree_with(settled("B1"))
    run = await clearing.run_clearing(OCTOBER)
    async with clearing.runtime.uow() as uow:  # as if closing had failed and rolled back
        await uow.session.execute(
            update(clearing_runs).values(status="failed", step="closing", error="boom")
        )
        await uow.session.execute(statements.delete())
        await uow.session.execute(closed_periods.delete())
        await uow.session.execute(OUTBOX.delete())
        await uow.commit()

    again = await clearing.client.post("/v1/clearing-runs", json={"period": OCTOBER}, headers=ADMIN)
    resumed = await clearing.wait_for_run(run["run_id"])

    assert again.json()["status"] == "running"
    assert (resumed["status"], resumed["error"]) == ("closed", None)
    assert await clearing.count(OUTBOX) == 1


async def test_a_run_still_held_by_its_worker_is_not_started_twice(clearing, settlement):
    first = await clearing.client.post("/v1/clearing-runs", json={"period": OCTOBER}, headers=ADMIN)
    second = await clearing.client.post(
        "/v1/clearing-runs", json={"period": OCTOBER}, headers=ADMIN
    )

    await clearing.wait_for_run(first.json()["run_id"])
    assert second.json()["run_id"] == first.json()["run_id"]
    assert await clearing.count(OUTBOX) == 1


# --- refusals ----------------------------------------------------------------------------------


async def test_a_month_that_has_not_begun_cannot_be_cleared(clearing):
    future = timeutil.period_of(timeutil.now() + timedelta(days=40))

    answer = await clearing.client.post("/v1/clearing-runs", json={"period": future}, headers=ADMIN)

    assert answer.status_code == 422
    assert (answer.json()["code"], answer.json()["field"]) == ("period_not_started", "period")
    assert await clearing.count(clearing_runs) == 0


async def test_a_malformed_period_is_a_validation_error(clearing):
    answer = await clearing.client.post(
        "/v1/clearing-runs", json={"period": "2026-13"}, headers=ADMIN
    )

    assert answer.status_code == 422
    assert (answer.json()["code"], answer.json()["field"]) == ("validation_error", "period")


async def test_only_admins_run_the_clearing_and_auditors_only_read(clearing):
    for headers in (AUDITOR, clerk(TIANJIN)):
        answer = await clearing.client.post(
            "/v1/clearing-runs", json={"period": OCTOBER}, headers=headers
        )
        assert answer.status_code == 403
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "forbidden_role"
    assert await clearing.count(clearing_runs) == 0
    run = await clearing.run_clearing(OCTOBER)
    assert (
        await clearing.client.get(f"/v1/clearing-runs/{run['run_id']}", headers=AUDITOR)
    ).status_code == 200
    assert (await clearing.client.get("/v1/clearing-runs", headers=AUDITOR)).json()[0][
        "run_id"
    ] == run["run_id"]
    denied = await clearing.client.get(f"/v1/clearing-runs/{run['run_id']}", headers=clerk(TIANJIN))
    assert denied.status_code == 403


async def test_an_unknown_run_is_404(clearing):
    answer = await clearing.client.get("/v1/clearing-runs/nope", headers=ADMIN)

    assert answer.status_code == 404
    assert answer.json()["code"] == "run_not_found"
