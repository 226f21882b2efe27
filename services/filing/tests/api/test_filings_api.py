"""Creating and reading cross-region filings over HTTP (D-F1–F7, convention 7)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from devstack.testing import bearer

from .conftest import (
    BEIJING,
    CLERK,
    START,
    TIANJIN,
    assert_problem,
    filing_body,
    id_number,
    next_year,
)

INSURED_P1 = bearer("insured", psn_no="P0001")


async def test_a_clerk_files_a_long_term_filing_open_ended_d_f6(filing_service):
    await filing_service.register()
    response = await filing_service.client.post("/v1/filings", json=filing_body(), headers=CLERK)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["psn_no"] == "P0001"
    assert body["insured_region"] == TIANJIN
    assert body["filing_class"] == "long_term"
    assert body["subtype"] == "retiree_resettled"
    assert body["destination_region"] == BEIJING
    assert body["start_date"] == START
    assert body["end_date"] is None
    assert body["channel"] == "district_window"
    assert body["materials"] == ["household_register_front_page", "resident_registration_card"]
    assert body["status"] == "active"
    assert body["version"] == 1
    assert body["filing_id"]
    assert await filing_service.counts() == (1, 1, 2)


async def test_creating_a_filing_publishes_filing_created(filing_service):
    await filing_service.register()
    response = await filing_service.client.post("/v1/filings", json=filing_body(), headers=CLERK)
    filing_id = response.json()["filing_id"]

    rows = await filing_service.outbox()
    assert [row["event_type"] for row in rows] == ["PersonRegistered", "FilingCreated"]
    created = rows[1]
    assert created["topic"] == "filing.filings.v1"
    assert created["message_key"] == filing_id
    payload = created["parsed"]["payload"]
    assert payload["filing_id"] == filing_id
    assert payload["psn_no"] == "P0001"
    assert payload["insured_region"] == TIANJIN
    assert payload["filing_class"] == "long_term"
    assert payload["destination_region"] == BEIJING
    assert payload["start_date"] == START
    assert payload["end_date"] is None
    assert payload["channel"] == "district_window"
    assert "11010519491231002X" not in created["envelope"]


async def test_d_f6_a_temporary_filing_without_an_end_gets_12_months_less_a_day(filing_service):
    await filing_service.register()
    response = await filing_service.client.post(
        "/v1/filings",
        json=filing_body(subtype="other_temporary", materials=["commitment_letter"]),
        headers=CLERK,
    )
    assert response.status_code == 201, response.text
    anniversary = date(date.fromisoformat(START).year + 1, 3, 1)  # START is a 1 March
    last_day = anniversary - timedelta(days=1)
    assert response.json()["filing_class"] == "temporary"
    assert response.json()["end_date"] == last_day.isoformat()
    [_, created] = await filing_service.outbox()
    assert created["parsed"]["payload"]["end_date"] == last_day.isoformat()


async def test_d_f6_a_temporary_filing_beyond_12_months_is_422_and_writes_nothing(
    filing_service,
):
    await filing_service.register()
    anniversary = date(date.fromisoformat(START).year + 1, 3, 1)
    response = await filing_service.client.post(
        "/v1/filings",
        json=filing_body(
            subtype="referral",
            materials=["referral_certificate"],
            end_date=anniversary.isoformat(),
        ),
        headers=CLERK,
    )
    body = assert_problem(response, 422, "invalid_validity", field="end_date")
    assert "12 months" in body["detail"]
    assert await filing_service.counts() == (1, 0, 1)


async def test_d_f6_an_end_before_the_start_is_422_and_writes_nothing(filing_service):
    await filing_service.register()
    response = await filing_service.client.post(
        "/v1/filings", json=filing_body(end_date=next_year(2, 28)), headers=CLERK
    )
    assert_problem(response, 422, "invalid_validity", field="end_date")
    assert await filing_service.counts() == (1, 0, 1)


async def test_d_f4_a_destination_equal_to_the_insured_region_is_422_and_writes_nothing(
    filing_service,
):
    await filing_service.register()
    response = await filing_service.client.post(
        "/v1/filings", json=filing_body(destination_region=TIANJIN), headers=CLERK
    )
    assert_problem(response, 422, "invalid_destination", field="destination_region")
    assert await filing_service.counts() == (1, 0, 1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subtype": "holiday"}, "subtype"),
        ({"channel": "fax"}, "channel"),
        ({"destination_region": "1100"}, "destination_region"),
        ({"start_date": "2025-02-30"}, "start_date"),
        ({"end_date": "soon"}, "end_date"),
        ({"insured_region": TIANJIN}, "insured_region"),
    ],
)
async def test_a_bad_filing_body_is_422_naming_the_field_and_writes_nothing(
    filing_service, changes, field
):
    await filing_service.register()
    response = await filing_service.client.post(
        "/v1/filings", json=filing_body(**changes), headers=CLERK
    )
    assert_problem(response, 422, "validation_error", field=field)
    assert await filing_service.counts() == (1, 0, 1)


async def test_filing_for_an_unknown_person_is_404(filing_service):
    response = await filing_service.client.post(
        "/v1/filings", json=filing_body("NOBODY"), headers=CLERK
    )
    assert_problem(response, 404, "person_not_found", field="psn_no")
    assert await filing_service.counts() == (0, 0, 0)


async def test_an_insured_person_files_for_themself(filing_service):
    await filing_service.register()
    response = await filing_service.client.post(
        "/v1/filings", json=filing_body(channel="national_app"), headers=INSURED_P1
    )
    assert response.status_code == 201, response.text
    assert response.json()["psn_no"] == "P0001"
    assert response.json()["channel"] == "national_app"
    assert await filing_service.counts() == (1, 1, 2)


async def test_an_insured_person_cannot_file_for_someone_else(filing_service):
    await filing_service.register()
    await filing_service.register("P0002", id_no=id_number("12010119800101123"))
    response = await filing_service.client.post(
        "/v1/filings", json=filing_body("P0002"), headers=INSURED_P1
    )
    assert_problem(response, 403, "not_own_record", field="psn_no")
    assert await filing_service.counts() == (2, 0, 2)


async def test_a_clerk_files_only_for_people_insured_in_their_own_region(filing_service):
    await filing_service.register()
    response = await filing_service.client.post(
        "/v1/filings",
        json=filing_body(destination_region="130100"),
        headers=bearer("clerk", region=BEIJING),
    )
    assert_problem(response, 403, "other_agency")
    assert await filing_service.counts() == (1, 0, 1)


@pytest.mark.parametrize("headers", [bearer("hospital", institution_code="H1"), bearer("auditor")])
async def test_hospitals_and_auditors_cannot_file(filing_service, headers):
    await filing_service.register()
    response = await filing_service.client.post("/v1/filings", json=filing_body(), headers=headers)
    assert_problem(response, 403, "forbidden_role")
    assert await filing_service.counts() == (1, 0, 1)


async def test_filing_without_a_token_is_401(filing_service):
    await filing_service.register()
    response = await filing_service.client.post("/v1/filings", json=filing_body())
    assert_problem(response, 401, "unauthenticated")
    assert await filing_service.counts() == (1, 0, 1)


async def test_a_filing_is_read_back_by_its_owner_and_the_clerk(filing_service):
    await filing_service.register()
    created = (
        await filing_service.client.post("/v1/filings", json=filing_body(), headers=CLERK)
    ).json()

    for headers in (INSURED_P1, CLERK, bearer("admin")):
        response = await filing_service.client.get(
            f"/v1/filings/{created['filing_id']}", headers=headers
        )
        assert response.status_code == 200, response.text
        assert response.json() == created


async def test_to_another_insured_person_the_filing_is_not_there_like_an_unknown_one(
    filing_service,
):
    await filing_service.register()
    created = (
        await filing_service.client.post("/v1/filings", json=filing_body(), headers=CLERK)
    ).json()
    other_person = bearer("insured", psn_no="P0002")
    response = await filing_service.client.get(
        f"/v1/filings/{created['filing_id']}", headers=other_person
    )
    unknown = await filing_service.client.get("/v1/filings/0123456789abcdef", headers=other_person)
    assert_problem(response, 404, "filing_not_found")
    assert_problem(unknown, 404, "filing_not_found")
    assert "P0001" not in response.text


async def test_a_clerk_of_another_region_cannot_read_the_filing(filing_service):
    await filing_service.register()
    created = (
        await filing_service.client.post("/v1/filings", json=filing_body(), headers=CLERK)
    ).json()
    response = await filing_service.client.get(
        f"/v1/filings/{created['filing_id']}", headers=bearer("clerk", region=BEIJING)
    )
    assert_problem(response, 403, "other_agency")


async def test_an_unknown_filing_is_404(filing_service):
    response = await filing_service.client.get("/v1/filings/nope", headers=CLERK)
    assert_problem(response, 404, "filing_not_found")
