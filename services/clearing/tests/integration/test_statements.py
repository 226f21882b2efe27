"""Clearing statements (issue 6, points 3, 5 and 6): CSV and PDF documents to the fen, and
generated → confirmed by the insured side → confirmed by the treatment side → paid, each step
by agency staff of that side."""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import re
import zlib
from decimal import Decimal

import pytest

from clearing.adapters.tables import ledger_entries, statements
from devstack.testing import bearer

from .conftest import ADMIN, AUDITOR, BEIJING, HEBEI, TIANJIN, clerk, reversed_, settled

OCTOBER = "2026-10"
INSURED, TREATMENT, ELSEWHERE = clerk(TIANJIN), clerk(BEIJING), clerk(HEBEI)


@pytest.fixture
async def statement(clearing, settlement) -> dict:
    """October closed: Tianjin owes Beijing for two institutions, one bill reversed."""
    bills = [
        settled("B1", fund="800.00", medfee="1234.00", institution="H11010500001"),
        settled("B2", fund="0.05", medfee="0.07", institution="H11010500001", day=16),
        settled("B3", fund="1999.99", medfee="2500.00", acct="100.00", institution="H11010800002"),
        settled("B4", fund="99.99", medfee="100.00", institution="H11010800002", day=17),
        reversed_("B4", fund="99.99", medfee="100.00", institution="H11010800002", day=18),
        settled("B5", fund="7.00", medfee="8.00", treatment=HEBEI, institution="H13010100001"),
    ]
    await clearing.feed_batch(*bills)
    settlement.agree_with(*bills)
    run = await clearing.run_clearing(OCTOBER)
    assert run["status"] == "closed"
    return await clearing.statement(run["run_id"])


async def step(clearing, statement_id: str, name: str, headers: dict[str, str]):
    return await clearing.client.post(f"/v1/statements/{statement_id}/{name}", headers=headers)


def assert_problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


# --- documents ---------------------------------------------------------------------------------


async def test_the_csv_lists_each_institution_and_the_total_to_the_fen(clearing, statement):
    answer = await clearing.client.get(
        f"/v1/statements/{statement['statement_id']}.csv", headers=INSURED
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "clearing-2026-10-120000-110000.csv" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [row["institution_code"] for row in rows] == ["H11010500001", "H11010800002", "TOTAL"]
    by_code = {row["institution_code"]: row for row in rows}
    assert by_code["H11010500001"]["fund_pay_sumamt"] == "800.05"
    assert by_code["H11010500001"]["medfee_sumamt"] == "1234.07"
    assert by_code["H11010800002"]["fund_pay_sumamt"] == "1999.99"
    assert (
        by_code["H11010800002"]["settled_count"],
        by_code["H11010800002"]["reversed_count"],
    ) == ("2", "1")
    assert by_code["H11010800002"]["psn_cash_pay"] == "400.01"  # 2500 − 1999.99 − 100 acct
    assert by_code["TOTAL"]["fund_pay_sumamt"] == "2800.04" == statement["amount_due"]
    institutions = sum(Decimal(row["fund_pay_sumamt"]) for row in rows[:-1])
    assert institutions == Decimal(by_code["TOTAL"]["fund_pay_sumamt"])
    assert {row["period"] for row in rows} == {OCTOBER}


def pdf_text(document: bytes) -> str:
    """The page content of a PDF, its streams decoded (reportlab: ASCII85, then Flate)."""
    parts = []
    for stream in re.findall(rb"stream\r?\n(.*?)\s*endstream", document, re.S):
        with contextlib.suppress(ValueError, zlib.error):
            stream = base64.a85decode(stream.strip().removesuffix(b"~>"))
        with contextlib.suppress(zlib.error):
            stream = zlib.decompress(stream)
        parts.append(stream.decode("latin-1"))
    return "\n".join(parts)


async def test_the_pdf_is_a_readable_document_with_the_amounts(clearing, statement):
    answer = await clearing.client.get(
        f"/v1/statements/{statement['statement_id']}.pdf", headers=AUDITOR
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    document = answer.content
    assert document.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type /Page\b", document)) == 1
    text = pdf_text(document)
    for shown in (
        "2026-10",
        "2800.04",
        "800.05",
        "1999.99",
        "H11010500001",
        "H11010800002",
        "TOTAL",
    ):
        assert shown in text, shown
    assert "STSong-Light" in document.decode("latin-1")  # the Chinese title's font


async def test_a_statement_of_many_institutions_runs_over_several_pages(clearing, settlement):
    bills = [
        settled(f"B{n}", fund="1.00", medfee="2.00", institution=f"H{n:011d}") for n in range(90)
    ]
    await clearing.feed_batch(*bills)
    settlement.agree_with(*bills)
    run = await clearing.run_clearing(OCTOBER)
    found = await clearing.statement(run["run_id"])

    answer = await clearing.client.get(f"/v1/statements/{found['statement_id']}.pdf", headers=ADMIN)

    assert len(re.findall(rb"/Type /Page\b", answer.content)) >= 2
    assert "90.00" in pdf_text(answer.content)


# --- generated → confirmed by insured → confirmed by treatment → paid --------------------------


async def test_both_sides_confirm_in_turn_and_the_treatment_side_records_the_payment(
    clearing, statement
):
    statement_id = statement["statement_id"]

    insured = await step(clearing, statement_id, "insured-confirmation", INSURED)
    assert insured.status_code == 200, insured.text
    assert (insured.json()["status"], insured.json()["insured_confirmed_by"]) == (
        "confirmed_by_insured",
        "test-clerk",
    )
    treatment = await step(clearing, statement_id, "treatment-confirmation", TREATMENT)
    assert treatment.json()["status"] == "confirmed_by_treatment"
    assert (await clearing.balances()).outstanding == Decimal("2800.04")

    paid = await step(clearing, statement_id, "payment", TREATMENT)

    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"
    assert paid.json()["paid_at"] is not None
    [payment] = await clearing.rows(ledger_entries, ledger_entries.c.kind == "clearing_payment")
    assert (payment["source_id"], payment["amount"]) == (statement_id, Decimal("2800.04"))
    assert (await clearing.balances()).outstanding == Decimal("0.00")
    assert all(row.balanced for row in await clearing.trial_balance())


@pytest.mark.parametrize(
    ("name", "headers"),
    [
        ("insured-confirmation", TREATMENT),  # the treatment side cannot confirm for the insured
        ("treatment-confirmation", INSURED),
        ("payment", INSURED),  # the payer does not record the receipt
    ],
)
async def test_a_step_by_the_other_side_is_403_and_changes_nothing(
    clearing, statement, name, headers
):
    answer = await step(clearing, statement["statement_id"], name, headers)

    assert_problem(answer, 403, "wrong_side")
    [row] = await clearing.rows(statements, statements.c.statement_id == statement["statement_id"])
    assert row["status"] == "generated"


@pytest.mark.parametrize(
    ("done", "name", "headers"),
    [
        ([], "treatment-confirmation", TREATMENT),  # before the insured side
        ([], "payment", TREATMENT),
        (["insured-confirmation"], "payment", TREATMENT),  # before the treatment side
        (["insured-confirmation"], "insured-confirmation", INSURED),  # twice
    ],
)
async def test_a_step_out_of_turn_is_409_and_changes_nothing(
    clearing, statement, done, name, headers
):
    statement_id = statement["statement_id"]
    for earlier in done:
        assert (await step(clearing, statement_id, earlier, INSURED)).status_code == 200

    answer = await step(clearing, statement_id, name, headers)

    assert_problem(answer, 409, "wrong_order")
    assert answer.json()["field"] == "status"
    assert await clearing.count(ledger_entries, ledger_entries.c.kind == "clearing_payment") == 0


async def test_a_paid_statement_cannot_be_paid_again(clearing, statement):
    statement_id = statement["statement_id"]
    for name, headers in (
        ("insured-confirmation", INSURED),
        ("treatment-confirmation", TREATMENT),
        ("payment", TREATMENT),
    ):
        assert (await step(clearing, statement_id, name, headers)).status_code == 200

    again = await step(clearing, statement_id, "payment", TREATMENT)

    assert_problem(again, 409, "wrong_order")
    assert await clearing.count(ledger_entries, ledger_entries.c.kind == "clearing_payment") == 1


async def test_a_retried_step_with_its_idempotency_key_answers_the_same(clearing, statement):
    headers = {**INSURED, "Idempotency-Key": "confirm-1"}
    first = await step(clearing, statement["statement_id"], "insured-confirmation", headers)
    again = await step(clearing, statement["statement_id"], "insured-confirmation", headers)

    assert again.status_code == first.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()


# --- who sees what -----------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [ADMIN, AUDITOR, bearer("hospital", institution_code="H1")])
async def test_statement_steps_are_for_agency_staff_only(clearing, statement, headers):
    answer = await step(clearing, statement["statement_id"], "insured-confirmation", headers)

    assert_problem(answer, 403, "forbidden_role")


async def test_agency_staff_of_a_third_region_see_and_do_nothing_on_the_pair(clearing, statement):
    statement_id = statement["statement_id"]
    for answer in (
        await clearing.client.get(f"/v1/statements/{statement_id}", headers=ELSEWHERE),
        await clearing.client.get(f"/v1/statements/{statement_id}.csv", headers=ELSEWHERE),
        await clearing.client.get(f"/v1/statements/{statement_id}.pdf", headers=ELSEWHERE),
        await step(clearing, statement_id, "insured-confirmation", ELSEWHERE),
    ):
        assert_problem(answer, 403, "not_party")


async def test_each_side_and_the_overseers_read_the_statement(clearing, statement):
    for headers in (INSURED, TREATMENT, ADMIN, AUDITOR):
        answer = await clearing.client.get(
            f"/v1/statements/{statement['statement_id']}", headers=headers
        )
        assert answer.status_code == 200
        assert answer.json()["amount_due"] == "2800.04"


async def test_agency_staff_list_only_the_statements_of_their_region(clearing, statement):
    run_id = statement["run_id"]

    beijing = await clearing.statements(run_id, headers=TREATMENT)
    hebei = await clearing.statements(run_id, headers=ELSEWHERE)
    everyone = await clearing.statements(run_id, headers=AUDITOR)

    assert [(s["insured_region"], s["treatment_region"]) for s in beijing["statements"]] == [
        (TIANJIN, BEIJING)
    ]
    assert [p["region"] for p in beijing["regions"]] == [BEIJING]
    assert [(s["insured_region"], s["treatment_region"]) for s in hebei["statements"]] == [
        (TIANJIN, HEBEI)
    ]
    assert len(everyone["statements"]) == 2
    assert len(everyone["regions"]) == 3


async def test_hospitals_and_people_have_no_access_to_clearing(clearing, statement):
    for headers in (
        bearer("hospital", institution_code="H11010500001"),
        bearer("insured", psn_no="P1"),
    ):
        answer = await clearing.client.get(
            f"/v1/statements/{statement['statement_id']}", headers=headers
        )
        assert_problem(answer, 403, "forbidden_role")
    anonymous = await clearing.client.get(f"/v1/statements/{statement['statement_id']}")
    assert_problem(anonymous, 401, "unauthenticated")


async def test_an_unknown_statement_is_404(clearing, statement):
    assert_problem(
        await clearing.client.get("/v1/statements/nope", headers=ADMIN), 404, "statement_not_found"
    )
    assert_problem(await step(clearing, "nope", "payment", TREATMENT), 404, "statement_not_found")
