"""Creating and reading cross-region filings over HTTP (D-F1–F7, convention 7)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from devstack.testing import bearer

from .conftest import (
    ADMIN,
    BEIJING,
    CLERK,
    START,
    TIANJIN,
    assert_problem,
    day,
    filing_body,
    id_number,
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
        "/v1/filings",
        json=filing_body(end_date=(date.fromisoformat(START) - timedelta(days=1)).isoformat()),
        headers=CLERK,
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


# --- D-P1–P3 and D-F3: all six subtypes, every channel ------------------------------------

SUBTYPE_MATERIALS = [
    ("retiree_resettled", ["household_register_front_page", "resident_registration_card"]),
    ("long_term_resident", ["residence_proof"]),
    ("stationed_worker", ["work_contract"]),
    ("referral", ["referral_certificate"]),
    ("emergency", ["commitment_letter"]),
    ("other_temporary", ["commitment_letter"]),
]


@pytest.mark.parametrize(("subtype", "materials"), SUBTYPE_MATERIALS)
async def test_d_p1_p3_each_subtype_is_filed_with_its_materials(filing_service, subtype, materials):
    await filing_service.register()
    body = await filing_service.file(subtype=subtype, materials=materials)
    long_term = subtype in ("retiree_resettled", "long_term_resident", "stationed_worker")
    assert body["filing_class"] == ("long_term" if long_term else "temporary")
    assert body["materials"] == sorted(materials)


@pytest.mark.parametrize(
    ("channel", "headers"),
    [
        ("national_app", INSURED_P1),
        ("jin_yibao_app", INSURED_P1),
        ("national_mini_program", INSURED_P1),
        ("state_council_mini_program", INSURED_P1),
        ("self_service_terminal", INSURED_P1),
        ("district_window", CLERK),
        ("community_service_point", CLERK),
    ],
)
async def test_d_f3_every_channel_files_and_is_recorded(filing_service, channel, headers):
    await filing_service.register()
    body = await filing_service.file(channel=channel, headers=headers)
    assert body["channel"] == channel
    [_, created] = await filing_service.outbox()
    assert created["parsed"]["payload"]["channel"] == channel


@pytest.mark.parametrize(
    ("channel", "headers"),
    [("district_window", INSURED_P1), ("jin_yibao_app", CLERK), ("national_app", ADMIN)],
)
async def test_d_f3_a_channel_the_filer_does_not_use_is_422(filing_service, channel, headers):
    await filing_service.register()
    response = await filing_service.client.post(
        "/v1/filings", json=filing_body(channel=channel), headers=headers
    )
    assert_problem(response, 422, "channel_not_allowed", field="channel")
    assert await filing_service.counts() == (1, 0, 1)


# --- D-F2: materials -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subtype", "materials"),
    [
        ("retiree_resettled", ["household_register_front_page"]),
        ("stationed_worker", ["residence_proof"]),
        ("other_temporary", []),
    ],
)
async def test_d_f2_a_filing_without_its_materials_is_422_and_writes_nothing(
    filing_service, subtype, materials
):
    await filing_service.register()
    response = await filing_service.client.post(
        "/v1/filings", json=filing_body(subtype=subtype, materials=materials), headers=CLERK
    )
    body = assert_problem(response, 422, "materials_missing", field="materials")
    assert "commitment letter" in body["detail"]
    assert await filing_service.counts() == (1, 0, 1)


async def test_d_f2_a_commitment_letter_replaces_the_materials(filing_service):
    await filing_service.register()
    body = await filing_service.file(subtype="stationed_worker", materials=["commitment_letter"])
    assert body["materials"] == ["commitment_letter"]


async def test_d_f2_an_unknown_material_is_422_naming_the_field(filing_service):
    await filing_service.register()
    response = await filing_service.client.post(
        "/v1/filings", json=filing_body(materials=["passport"]), headers=CLERK
    )
    assert_problem(response, 422, "validation_error", field="materials.0")


# --- D-F4: destinations ------------------------------------------------------------------------


@pytest.mark.parametrize("destination", ["130000", "120101", "460100", "999900"])
async def test_d_f4_a_destination_that_is_no_place_to_file_to_is_422(filing_service, destination):
    await filing_service.register()
    response = await filing_service.client.post(
        "/v1/filings", json=filing_body(destination_region=destination), headers=CLERK
    )
    assert_problem(response, 422, "invalid_destination", field="destination_region")
    assert await filing_service.counts() == (1, 0, 1)


@pytest.mark.parametrize("destination", ["130100", "460000", "540000", "660000", "310000"])
async def test_d_f4_a_city_municipality_or_pooled_province_is_filed_to(filing_service, destination):
    await filing_service.register()
    body = await filing_service.file(destination_region=destination)
    assert body["destination_region"] == destination


# --- D-F7: late filing -------------------------------------------------------------------------


@pytest.mark.parametrize("start", [day(366), "9999-12-31"])
async def test_a_filing_starting_more_than_a_year_ahead_is_422(filing_service, start):
    await filing_service.register()
    response = await filing_service.client.post(
        "/v1/filings",
        json=filing_body(
            subtype="other_temporary", materials=["commitment_letter"], start_date=start
        ),
        headers=CLERK,
    )
    assert_problem(response, 422, "start_too_far_ahead", field="start_date")
    assert await filing_service.counts() == (1, 0, 1)


async def test_d_f7_a_start_in_the_past_without_an_admission_is_422(filing_service):
    await filing_service.register()
    response = await filing_service.client.post(
        "/v1/filings", json=filing_body(start_date=day(-3)), headers=CLERK
    )
    assert_problem(response, 422, "late_filing_needs_admission", field="start_date")
    assert await filing_service.counts() == (1, 0, 1)


async def test_d_f7_a_late_filing_before_discharge_reaches_back_to_the_admission(filing_service):
    await filing_service.register()
    body = await filing_service.file(
        subtype="other_temporary",
        materials=["commitment_letter"],
        start_date=day(-20),
        admission_date=day(-20),
        headers=INSURED_P1,
        channel="jin_yibao_app",
    )
    assert body["start_date"] == day(-20)
    assert body["admission_date"] == day(-20)


@pytest.mark.parametrize(
    ("start", "admission", "code", "field"),
    [
        (-21, -20, "start_before_admission", "start_date"),
        (-181, -181, "late_filing_window_passed", "admission_date"),
        (0, 1, "admission_in_future", "admission_date"),
    ],
)
async def test_d_f7_a_late_filing_outside_the_rule_is_422(
    filing_service, start, admission, code, field
):
    await filing_service.register()
    response = await filing_service.client.post(
        "/v1/filings",
        json=filing_body(start_date=day(start), admission_date=day(admission)),
        headers=CLERK,
    )
    assert_problem(response, 422, code, field=field)
    assert await filing_service.counts() == (1, 0, 1)


# --- a person's filings --------------------------------------------------------------------


async def test_a_person_lists_their_filings_oldest_first(filing_service):
    await filing_service.register()
    later = await filing_service.file()
    sooner = await filing_service.file(
        subtype="referral",
        materials=["referral_certificate"],
        destination_region="310000",
        start_date=day(1),
    )
    response = await filing_service.client.get(
        "/v1/filings", params={"psn_no": "P0001"}, headers=INSURED_P1
    )
    assert response.status_code == 200
    assert [f["filing_id"] for f in response.json()] == [sooner["filing_id"], later["filing_id"]]


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        (bearer("insured", psn_no="P0002"), 403, "not_own_record"),
        (bearer("clerk", region=BEIJING), 403, "other_agency"),
    ],
)
async def test_others_do_not_list_a_persons_filings(filing_service, headers, status, code):
    await filing_service.register()
    await filing_service.file()
    response = await filing_service.client.get(
        "/v1/filings", params={"psn_no": "P0001"}, headers=headers
    )
    assert_problem(response, status, code)
