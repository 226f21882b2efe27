"""Changing and cancelling filings over HTTP, with the history kept (Art. 13, D-F4, D-F6)."""

from __future__ import annotations

from datetime import date

import pytest

from devstack.testing import bearer
from medins_common.auth import Role, mint
from medins_common.settings import DEV_JWT_SECRET

from .conftest import (
    ADMIN,
    BEIJING,
    CLERK,
    SHANGHAI,
    START,
    TIANJIN,
    assert_problem,
    day,
    next_year,
)

INSURED_P1 = bearer("insured", psn_no="P0001")


@pytest.fixture
async def filed(filing_service) -> dict:
    await filing_service.register()
    return await filing_service.file()


async def change(filing_service, filed, body, headers=INSURED_P1):
    return await filing_service.client.patch(
        f"/v1/filings/{filed['filing_id']}", json=body, headers=headers
    )


async def cancel(filing_service, filed, body=None, headers=INSURED_P1):
    return await filing_service.client.post(
        f"/v1/filings/{filed['filing_id']}/cancel", json=body, headers=headers
    )


async def history(filing_service, filed, headers=INSURED_P1):
    response = await filing_service.client.get(
        f"/v1/filings/{filed['filing_id']}/history", headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


# --- changes -------------------------------------------------------------------------------


async def test_art_13_a_long_term_filer_sets_an_end_date_and_filing_changed_is_published(
    filing_service, filed
):
    end = next_year(12, 31)
    response = await change(filing_service, filed, {"end_date": end, "reason": "returning home"})

    assert response.status_code == 200, response.text
    assert response.json()["end_date"] == end
    assert response.json()["version"] == 2
    [*_, changed] = await filing_service.outbox()
    assert changed["event_type"] == "FilingChanged"
    assert changed["message_key"] == filed["filing_id"]
    payload = changed["parsed"]["payload"]
    assert (payload["end_date"], payload["reason"]) == (end, "returning home")
    assert payload["destination_region"] == BEIJING


async def test_art_13_the_history_keeps_every_version_and_who_made_it(filing_service, filed):
    await change(filing_service, filed, {"destination_region": SHANGHAI, "reason": "moved"})
    versions = await history(filing_service, filed)
    assert [(v["version"], v["action"], v["destination_region"]) for v in versions] == [
        (1, "created", BEIJING),
        (2, "changed", SHANGHAI),
    ]
    assert versions[0]["actor"] == "clerk:test-clerk"
    assert versions[1]["actor"] == "insured:test-insured"
    assert (versions[1]["changed_fields"], versions[1]["reason"]) == (
        ["destination_region"],
        "moved",
    )


async def test_art_13_an_end_date_set_to_null_makes_a_long_term_filing_open_ended_again(
    filing_service, filed
):
    await change(filing_service, filed, {"end_date": next_year(12, 31)})
    response = await change(filing_service, filed, {"end_date": None})
    assert response.json()["end_date"] is None
    assert response.json()["version"] == 3


async def test_a_change_to_the_same_values_writes_and_publishes_nothing(filing_service, filed):
    response = await change(
        filing_service, filed, {"destination_region": BEIJING, "start_date": START}
    )
    assert response.status_code == 200
    assert response.json() == filed
    assert await filing_service.event_types() == ["PersonRegistered", "FilingCreated"]
    assert len(await history(filing_service, filed)) == 1


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"destination_region": TIANJIN}, "invalid_destination", "destination_region"),
        ({"destination_region": "130000"}, "invalid_destination", "destination_region"),
        ({"start_date": day(-2)}, "late_filing_needs_admission", "start_date"),
        ({"end_date": day(-1)}, "end_in_past", "end_date"),
        ({"filing_class": "temporary"}, "validation_error", "filing_class"),
    ],
)
async def test_a_change_that_breaks_a_rule_is_422_and_writes_nothing(
    filing_service, filed, body, code, field
):
    response = await change(filing_service, filed, body)
    assert_problem(response, 422, code, field=field)
    assert await filing_service.event_types() == ["PersonRegistered", "FilingCreated"]
    current = await filing_service.client.get(f"/v1/filings/{filed['filing_id']}", headers=CLERK)
    assert current.json() == filed


async def test_d_f6_a_temporary_filing_cannot_be_stretched_beyond_12_months(filing_service):
    await filing_service.register()
    filed = await filing_service.file(subtype="other_temporary", materials=["commitment_letter"])
    beyond = date(date.fromisoformat(START).year + 1, 3, 1).isoformat()  # START is a 1 March
    response = await change(filing_service, filed, {"end_date": beyond})
    assert_problem(response, 422, "invalid_validity", field="end_date")


async def test_a_change_that_makes_two_long_term_filings_overlap_is_409(filing_service, filed):
    second = await filing_service.file(
        subtype="long_term_resident",
        materials=["residence_proof"],
        destination_region=SHANGHAI,
        start_date=day(1),
        end_date=day(30),
    )
    response = await change(filing_service, second, {"end_date": START})
    body = assert_problem(response, 409, "filing_overlaps")
    assert body["filing_id"] == filed["filing_id"]


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        (bearer("insured", psn_no="P0002"), 404, "filing_not_found"),
        (bearer("clerk", region=BEIJING), 403, "other_agency"),
        (bearer("hospital", institution_code="H1"), 403, "forbidden_role"),
        (bearer("auditor"), 403, "forbidden_role"),
    ],
)
async def test_only_the_person_their_agency_and_admins_change_or_cancel_a_filing(
    filing_service, filed, headers, status, code
):
    changed = await change(filing_service, filed, {"end_date": next_year(12, 31)}, headers)
    cancelled = await cancel(filing_service, filed, headers=headers)
    assert_problem(changed, status, code)
    assert_problem(cancelled, status, code)
    assert await filing_service.event_types() == ["PersonRegistered", "FilingCreated"]


async def test_changing_an_unknown_filing_is_404(filing_service):
    response = await filing_service.client.patch(
        "/v1/filings/nope", json={"end_date": next_year(1, 1)}, headers=ADMIN
    )
    assert_problem(response, 404, "filing_not_found", field="filing_id")


# --- cancellation --------------------------------------------------------------------------


async def test_art_13_a_cancellation_takes_effect_today_and_publishes_filing_cancelled(
    filing_service, filed
):
    response = await cancel(filing_service, filed, {"reason": "moved back to Tianjin"})

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancelled_on"] == day(0)
    [*_, cancelled] = await filing_service.outbox()
    assert cancelled["event_type"] == "FilingCancelled"
    assert cancelled["message_key"] == filed["filing_id"]
    assert cancelled["parsed"]["payload"] == {
        "filing_id": filed["filing_id"],
        "psn_no": "P0001",
        "cancelled_on": day(0),
        "reason": "moved back to Tianjin",
    }
    versions = await history(filing_service, filed, headers=CLERK)
    assert [(v["action"], v["status"], v["reason"]) for v in versions] == [
        ("created", "active", None),
        ("cancelled", "cancelled", "moved back to Tianjin"),
    ]


async def test_a_cancellation_needs_no_body(filing_service, filed):
    response = await filing_service.client.post(
        f"/v1/filings/{filed['filing_id']}/cancel", headers=CLERK
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"


async def test_a_cancelled_filing_is_neither_cancelled_again_nor_changed(filing_service, filed):
    await cancel(filing_service, filed)
    again = await cancel(filing_service, filed)
    changed = await change(filing_service, filed, {"end_date": next_year(12, 31)})
    assert_problem(again, 409, "filing_cancelled")
    assert_problem(changed, 409, "filing_cancelled")
    assert await filing_service.event_types() == [
        "PersonRegistered",
        "FilingCreated",
        "FilingCancelled",
    ]


async def test_a_cancellation_with_an_idempotency_key_is_answered_once(filing_service, filed):
    keyed = {**INSURED_P1, "Idempotency-Key": "cancel-1"}
    first = await cancel(filing_service, filed, headers=keyed)
    again = await cancel(filing_service, filed, headers=keyed)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"


async def test_after_a_cancellation_the_person_files_anew_for_the_same_place(filing_service, filed):
    await cancel(filing_service, filed)
    again = await filing_service.file(start_date=day(0))
    assert again["filing_id"] != filed["filing_id"]


async def test_the_history_of_anothers_filing_is_not_there(filing_service, filed):
    response = await filing_service.client.get(
        f"/v1/filings/{filed['filing_id']}/history", headers=bearer("insured", psn_no="P0002")
    )
    assert_problem(response, 404, "filing_not_found")


async def test_a_token_subject_of_any_length_is_recorded_cut_to_the_history_column(
    filing_service, filed
):
    long_subject = mint(secret=DEV_JWT_SECRET, role=Role.ADMIN, subject="a" * 500)
    response = await cancel(
        filing_service, filed, headers={"Authorization": f"Bearer {long_subject}"}
    )
    assert response.status_code == 200, response.text
    versions = await history(filing_service, filed)
    assert versions[-1]["actor"] == ("admin:" + "a" * 500)[:160]
