"""Chronic-disease registration over HTTP (D-F9): long-term filers, up to 2 institutions."""

from __future__ import annotations

import pytest

from devstack.testing import bearer

from .conftest import ADMIN, BEIJING, CLERK, SHANGHAI, START, assert_problem, institution_row

INSURED_P1 = bearer("insured", psn_no="P0001")
# Shanghai, outside Beijing–Tianjin–Hebei: chronic care there rests on the filing alone.
H1, H2, H3 = "H31010400001", "H31010400002", "H31010400003"
INPATIENT_ONLY, IN_BEIJING = "H31010400004", "H11010500005"


def shanghai_hospital(code: str, **changes) -> dict:
    return institution_row(code, region="310104", jjj_mutual_recognition=False, **changes)


@pytest.fixture
async def long_term_filer(filing_service) -> dict:
    await filing_service.import_institutions(
        shanghai_hospital(H1),
        shanghai_hospital(H2),
        shanghai_hospital(H3),
        shanghai_hospital(INPATIENT_ONLY, networked_services=["inpatient"]),
        institution_row(IN_BEIJING),
    )
    await filing_service.register()
    return await filing_service.file(destination_region=SHANGHAI)


async def register(filing_service, codes, *, disease="M01600", headers=INSURED_P1):
    return await filing_service.client.post(
        "/v1/chronic-registrations",
        json={"psn_no": "P0001", "disease_code": disease, "institution_codes": codes},
        headers=headers,
    )


async def choose(filing_service, registration_id, codes, headers=INSURED_P1):
    return await filing_service.client.patch(
        f"/v1/chronic-registrations/{registration_id}",
        json={"institution_codes": codes},
        headers=headers,
    )


async def chronic_events(filing_service) -> list[dict]:
    return [
        row["parsed"]["payload"]
        for row in await filing_service.outbox()
        if row["event_type"] == "ChronicRegistrationChanged"
    ]


async def test_d_f9_a_long_term_filer_registers_a_disease_with_two_institutions(
    filing_service, long_term_filer
):
    response = await register(filing_service, [H1, H2])

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["disease_code"], body["disease_name"], body["status"]) == (
        "M01600",
        "糖尿病",
        "active",
    )
    assert body["filing_id"] == long_term_filer["filing_id"]
    assert body["institution_codes"] == [H1, H2]
    [event] = await chronic_events(filing_service)
    assert event == {
        "registration_id": body["registration_id"],
        "psn_no": "P0001",
        "filing_id": long_term_filer["filing_id"],
        "disease_code": "M01600",
        "disease_name": "糖尿病",
        "institution_codes": [H1, H2],
        "status": "active",
    }


async def test_d_f9_a_third_institution_is_refused_and_nothing_is_written(
    filing_service, long_term_filer
):
    response = await register(filing_service, [H1, H2, H3])
    assert_problem(response, 422, "chronic_institution_limit", field="institution_codes")
    assert await chronic_events(filing_service) == []


async def test_d_f9_choosing_a_third_institution_later_is_refused_too(
    filing_service, long_term_filer
):
    registration = (await register(filing_service, [H1, H2])).json()
    response = await choose(filing_service, registration["registration_id"], [H1, H2, H3])
    assert_problem(response, 422, "chronic_institution_limit", field="institution_codes")
    assert len(await chronic_events(filing_service)) == 1


async def test_d_f9_m1_the_person_changes_their_chosen_institutions(
    filing_service, long_term_filer
):
    registration = (await register(filing_service, [H1])).json()
    response = await choose(filing_service, registration["registration_id"], [H2, H3])
    assert response.status_code == 200, response.text
    assert response.json()["institution_codes"] == [H2, H3]
    assert [e["institution_codes"] for e in await chronic_events(filing_service)] == [
        [H1],
        [H2, H3],
    ]


@pytest.mark.parametrize(
    ("codes", "code"),
    [
        ([INPATIENT_ONLY], "institution_not_chronic"),
        ([IN_BEIJING], "institution_outside_destination"),
        (["NOPE"], "institution_not_found"),
        ([H1, H1], "duplicate_institution"),
    ],
)
async def test_d_f9_chosen_institutions_settle_chronic_care_in_the_destination(
    filing_service, long_term_filer, codes, code
):
    assert_problem(await register(filing_service, codes), 422, code, field="institution_codes")


async def test_d_f9_a_temporary_filer_cannot_register(filing_service):
    await filing_service.import_institutions(shanghai_hospital(H1))
    await filing_service.register()
    await filing_service.file(
        subtype="other_temporary", materials=["commitment_letter"], destination_region=SHANGHAI
    )
    response = await register(filing_service, [H1])
    assert_problem(response, 422, "chronic_needs_long_term_filing", field="psn_no")


async def test_d_f9_one_active_registration_per_disease(filing_service, long_term_filer):
    await register(filing_service, [H1])
    again = await register(filing_service, [H2])
    other_disease = await register(filing_service, [H2], disease="M03900")
    assert_problem(again, 409, "chronic_registration_exists", field="disease_code")
    assert other_disease.status_code == 201


async def test_d_f9_a_cancelled_registration_publishes_its_status_and_frees_the_disease(
    filing_service, long_term_filer
):
    registration = (await register(filing_service, [H1])).json()
    cancelled = await filing_service.client.post(
        f"/v1/chronic-registrations/{registration['registration_id']}/cancel", headers=CLERK
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert [e["status"] for e in await chronic_events(filing_service)] == ["active", "cancelled"]
    assert (await register(filing_service, [H1])).status_code == 201
    again = await choose(filing_service, registration["registration_id"], [H2])
    assert_problem(again, 409, "chronic_registration_cancelled")


async def test_d_f9_chronic_care_at_a_chosen_institution_is_settled_directly(
    filing_service, long_term_filer
):
    registration = (await register(filing_service, [H1])).json()
    query = {"psn_no": "P0001", "care_type": "chronic_outpatient", "on": START}
    chosen = await filing_service.client.get(
        "/v1/eligibility", params={**query, "institution_code": H1}, headers=INSURED_P1
    )
    not_chosen = await filing_service.client.get(
        "/v1/eligibility", params={**query, "institution_code": H2}, headers=INSURED_P1
    )
    assert chosen.json()["direct_settlement"] is True
    assert chosen.json()["chronic_registration_id"] == registration["registration_id"]
    assert [r["code"] for r in not_chosen.json()["reasons"]] == ["chronic_institution_not_chosen"]


async def test_a_person_reads_and_lists_their_registrations_but_not_anothers(
    filing_service, long_term_filer
):
    registration = (await register(filing_service, [H1])).json()
    url = f"/v1/chronic-registrations/{registration['registration_id']}"
    own = await filing_service.client.get(url, headers=INSURED_P1)
    listed = await filing_service.client.get(
        "/v1/chronic-registrations", params={"psn_no": "P0001"}, headers=CLERK
    )
    other = await filing_service.client.get(url, headers=bearer("insured", psn_no="P0002"))
    assert own.json() == registration
    assert listed.json() == [registration]
    assert_problem(other, 404, "chronic_registration_not_found")


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        (bearer("insured", psn_no="P0002"), 403, "not_own_record"),
        (bearer("clerk", region=BEIJING), 403, "other_agency"),
        (bearer("hospital", institution_code=H1), 403, "forbidden_role"),
    ],
)
async def test_only_the_person_their_agency_and_admins_register(
    filing_service, long_term_filer, headers, status, code
):
    assert_problem(await register(filing_service, [H1], headers=headers), status, code)
    assert await chronic_events(filing_service) == []


async def test_an_admin_registers_for_anyone(filing_service, long_term_filer):
    assert (await register(filing_service, [H1], headers=ADMIN)).status_code == 201


async def test_an_unknown_disease_is_422(filing_service, long_term_filer):
    response = await register(filing_service, [H1], disease="asthma")
    assert_problem(response, 422, "validation_error", field="disease_code")
