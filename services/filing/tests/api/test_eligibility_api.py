"""The eligibility answer over HTTP, for the app and for hospitals (D-F1, D-F10, D-F11)."""

from __future__ import annotations

import pytest

from devstack.testing import bearer
from medins_common import timeutil

from .conftest import ADMIN, CLERK, SHANGHAI, START, assert_problem, institution_row

BEIJING_HOSPITAL = "H11010500001"
SHANGHAI_HOSPITAL = "H31010400001"
INSURED_P1 = bearer("insured", psn_no="P0001")
HOSPITAL_BJ = bearer("hospital", institution_code=BEIJING_HOSPITAL)


@pytest.fixture
async def directory(filing_service):
    await filing_service.import_institutions(
        institution_row(BEIJING_HOSPITAL),
        institution_row(SHANGHAI_HOSPITAL, name="瑞金医院", region="310104"),
    )
    await filing_service.register()


async def ask(filing_service, headers=INSURED_P1, **params):
    query = {
        "psn_no": "P0001",
        "institution_code": BEIJING_HOSPITAL,
        "care_type": "inpatient",
        "on": START,
        **params,
    }
    return await filing_service.client.get("/v1/eligibility", params=query, headers=headers)


async def test_d_f1_a_filed_person_is_settled_directly_under_the_filing(filing_service, directory):
    filed = await filing_service.file()
    response = await ask(filing_service)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "psn_no": "P0001",
        "institution_code": BEIJING_HOSPITAL,
        "on": START,
        "care_type": "inpatient",
        "direct_settlement": True,
        "basis": "filing",
        "filing_class": "long_term",
        "subtype": "retiree_resettled",
        "filing_id": filed["filing_id"],
        "chronic_registration_id": None,
        "detail": response.json()["detail"],
        "reasons": [],
    }


async def test_d_f1_without_a_filing_the_answer_says_why_not_and_points_to_d_f7_and_d_f8(
    filing_service, directory
):
    response = await ask(filing_service, institution_code=SHANGHAI_HOSPITAL)
    body = response.json()
    assert body["direct_settlement"] is False
    assert body["basis"] is None
    assert [r["code"] for r in body["reasons"]] == ["no_filing"]
    assert "D-F7" in body["detail"] and "D-F8" in body["detail"]


async def test_d_f4_a_filing_to_another_place_is_a_destination_mismatch(filing_service, directory):
    await filing_service.file()
    body = (await ask(filing_service, institution_code=SHANGHAI_HOSPITAL)).json()
    assert body["direct_settlement"] is False
    assert [r["code"] for r in body["reasons"]] == ["destination_mismatch"]


async def test_d_f10_emergency_care_is_deemed_filed(filing_service, directory):
    body = (
        await ask(filing_service, institution_code=SHANGHAI_HOSPITAL, care_type="emergency")
    ).json()
    assert (body["direct_settlement"], body["basis"], body["subtype"]) == (
        True,
        "deemed_emergency",
        "emergency",
    )
    assert "deemed" in body["detail"]


async def test_d_f10_a_tianjin_person_at_a_beijing_hospital_is_deemed_filed_jjj(
    filing_service, directory
):
    body = (await ask(filing_service)).json()
    assert (body["direct_settlement"], body["basis"], body["filing_id"]) == (
        True,
        "deemed_jjj",
        None,
    )
    assert "Beijing–Tianjin–Hebei" in body["detail"]


async def test_d_f11_the_filing_still_settles_after_an_insurance_type_change(
    filing_service, directory
):
    filed = await filing_service.file(destination_region=SHANGHAI)
    await filing_service.client.patch(
        "/v1/persons/P0001", json={"insutype": "390", "person_type": "resident"}, headers=CLERK
    )
    body = (await ask(filing_service, institution_code=SHANGHAI_HOSPITAL)).json()
    assert (body["direct_settlement"], body["filing_id"]) == (True, filed["filing_id"])


async def test_a_cancelled_filing_no_longer_settles(filing_service, directory):
    filed = await filing_service.file(destination_region=SHANGHAI)
    await filing_service.client.post(f"/v1/filings/{filed['filing_id']}/cancel", headers=CLERK)
    body = (await ask(filing_service, institution_code=SHANGHAI_HOSPITAL)).json()
    assert [r["code"] for r in body["reasons"]] == ["filing_not_in_force"]


async def test_a_hospital_asks_about_care_at_its_own_institution_only(filing_service, directory):
    own = await ask(filing_service, headers=HOSPITAL_BJ)
    other = await ask(filing_service, headers=HOSPITAL_BJ, institution_code=SHANGHAI_HOSPITAL)
    assert own.status_code == 200
    assert_problem(other, 403, "other_institution", field="institution_code")


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        (bearer("insured", psn_no="P0002"), 403, "not_own_record"),
        (bearer("clerk", region="110000"), 403, "other_agency"),
        (bearer("auditor"), 403, "forbidden_role"),
        ({}, 401, "unauthenticated"),
    ],
)
async def test_others_do_not_ask_about_a_person(filing_service, directory, headers, status, code):
    assert_problem(await ask(filing_service, headers=headers), status, code)


@pytest.mark.parametrize("headers", [CLERK, ADMIN])
async def test_staff_ask_about_people_of_their_agency(filing_service, directory, headers):
    assert (await ask(filing_service, headers=headers)).status_code == 200


@pytest.mark.parametrize(
    ("params", "status", "code", "field"),
    [
        ({"institution_code": "NOPE"}, 404, "institution_not_found", "institution_code"),
        ({"psn_no": "P0002"}, 404, "person_not_found", "psn_no"),
        ({"care_type": "dental"}, 422, "validation_error", "care_type"),
        ({"on": "2026-02-30"}, 422, "validation_error", "on"),
    ],
)
async def test_a_bad_question_is_answered_with_a_problem(
    filing_service, directory, params, status, code, field
):
    response = await ask(filing_service, headers=ADMIN, **params)
    assert_problem(response, status, code, field=field)


async def test_without_on_the_answer_is_for_today(filing_service, directory):
    response = await filing_service.client.get(
        "/v1/eligibility",
        params={"psn_no": "P0001", "institution_code": BEIJING_HOSPITAL, "care_type": "inpatient"},
        headers=INSURED_P1,
    )
    assert response.json()["on"] == timeutil.today().isoformat()
