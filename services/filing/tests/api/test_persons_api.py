"""Registering, reading and changing insured persons over HTTP (D-P4, D-F11, conventions 4, 7)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from devstack.testing import bearer
from filing.adapters.tables import persons

from .conftest import (
    ADMIN,
    BEIJING,
    CLERK,
    TIANJIN,
    assert_problem,
    filing_body,
    id_number,
    person_body,
    wrong_check_char,
)

ID_NO = "11010519491231002X"


async def test_d_p4_a_clerk_registers_a_person_and_sees_the_id_number_masked(filing_service):
    response = await filing_service.client.post("/v1/persons", json=person_body(), headers=CLERK)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {
        "psn_no": "P0001",
        "name": "张三",
        "id_no_masked": "110105********002X",
        "insured_region": TIANJIN,
        "insutype": "310",
        "person_type": "employee_retired",
        "status": "active",
    }
    assert ID_NO not in response.text
    assert "19491231" not in response.text


async def test_d_p4_the_id_number_is_stored_only_hashed_and_masked(filing_service):
    await filing_service.register()
    async with filing_service.runtime.engine.connect() as conn:
        row = (await conn.execute(select(persons))).mappings().one()
    assert ID_NO not in " ".join(str(value) for value in row.values())
    assert row["id_no_masked"] == "110105********002X"
    assert len(row["id_no_hash"]) == 64


async def test_registering_a_person_publishes_person_registered_without_the_id_number(
    filing_service,
):
    await filing_service.register()

    [row] = await filing_service.outbox()
    assert row["event_type"] == "PersonRegistered"
    assert row["topic"] == "filing.persons.v1"
    assert row["message_key"] == "P0001"
    assert row["published_at"] is None
    assert row["parsed"]["producer"] == "filing"
    payload = row["parsed"]["payload"]
    assert payload["psn_no"] == "P0001"
    assert payload["insured_region"] == TIANJIN
    assert payload["insutype"] == "310"
    assert ID_NO not in row["envelope"]
    assert ID_NO.lower() not in row["envelope"].lower()
    assert "19491231" not in row["envelope"]
    assert not any("id_no" in key for key in payload)


async def test_a_registered_person_can_be_read_back_masked(filing_service):
    await filing_service.register()
    response = await filing_service.client.get("/v1/persons/P0001", headers=CLERK)
    assert response.status_code == 200
    assert response.json()["id_no_masked"] == "110105********002X"
    assert ID_NO not in response.text


async def test_an_insured_person_reads_their_own_record_but_not_anothers(filing_service):
    await filing_service.register()
    await filing_service.register("P0002", id_no=id_number("12010119800101123"))

    own = await filing_service.client.get(
        "/v1/persons/P0001", headers=bearer("insured", psn_no="P0001")
    )
    other = await filing_service.client.get(
        "/v1/persons/P0002", headers=bearer("insured", psn_no="P0001")
    )
    assert own.status_code == 200
    assert own.json()["psn_no"] == "P0001"
    assert_problem(other, 403, "not_own_record")


async def test_an_unknown_person_is_404(filing_service):
    response = await filing_service.client.get("/v1/persons/NOBODY", headers=CLERK)
    assert_problem(response, 404, "person_not_found", field="psn_no")


async def test_an_admin_may_register_people_of_any_region(filing_service):
    response = await filing_service.client.post(
        "/v1/persons", json=person_body(insured_region=BEIJING), headers=bearer("admin")
    )
    assert response.status_code == 201, response.text
    assert response.json()["insured_region"] == BEIJING


async def test_a_second_registration_of_the_same_psn_no_is_409_and_writes_nothing(
    filing_service,
):
    await filing_service.register()
    again = await filing_service.client.post(
        "/v1/persons", json=person_body(id_no=id_number("12010119800101123")), headers=CLERK
    )
    assert_problem(again, 409, "person_exists", field="psn_no")
    assert await filing_service.counts() == (1, 0, 1)


@pytest.mark.parametrize("same_id", [ID_NO, ID_NO.lower()])
async def test_d_p4_a_second_person_with_the_same_id_number_is_409(filing_service, same_id):
    await filing_service.register()
    again = await filing_service.client.post(
        "/v1/persons", json=person_body("P0002", id_no=same_id), headers=CLERK
    )
    assert_problem(again, 409, "id_number_registered", field="id_no")
    assert ID_NO not in again.text.upper()
    assert await filing_service.counts() == (1, 0, 1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"insured_region": "12000"}, "insured_region"),
        ({"insured_region": "tianjin"}, "insured_region"),
        ({"insutype": "999"}, "insutype"),
        ({"person_type": "pensioner"}, "person_type"),
        ({"name": ""}, "name"),
        ({"psn_no": "P 0001"}, "psn_no"),
        ({"id_no": "1101051949123100"}, "id_no"),
        ({"nickname": "extra"}, "nickname"),
    ],
)
async def test_a_bad_body_is_422_naming_the_field_and_writes_nothing(
    filing_service, changes, field
):
    response = await filing_service.client.post(
        "/v1/persons", json=person_body(**changes), headers=CLERK
    )
    body = assert_problem(response, 422, "validation_error", field=field)
    assert any(error["field"] == field for error in body["errors"])
    assert await filing_service.counts() == (0, 0, 0)


async def test_a_missing_field_is_422_naming_it(filing_service):
    incomplete = person_body()
    del incomplete["insutype"]
    response = await filing_service.client.post("/v1/persons", json=incomplete, headers=CLERK)
    assert_problem(response, 422, "validation_error", field="insutype")
    assert await filing_service.counts() == (0, 0, 0)


async def test_a_body_that_is_not_json_is_422(filing_service):
    response = await filing_service.client.post(
        "/v1/persons", content=b"{not json", headers={**CLERK, "content-type": "application/json"}
    )
    assert_problem(response, 422, "validation_error")
    assert await filing_service.counts() == (0, 0, 0)


async def test_d_p4_a_wrong_check_character_is_422_invalid_id_number_and_writes_nothing(
    filing_service,
):
    bad = wrong_check_char(id_number("12010119800101123"))
    response = await filing_service.client.post(
        "/v1/persons", json=person_body(id_no=bad), headers=CLERK
    )
    assert_problem(response, 422, "invalid_id_number", field="id_no")
    assert bad not in response.text
    assert await filing_service.counts() == (0, 0, 0)


async def test_without_a_token_registering_is_401_unauthenticated(filing_service):
    response = await filing_service.client.post("/v1/persons", json=person_body())
    assert_problem(response, 401, "unauthenticated")
    assert await filing_service.counts() == (0, 0, 0)


@pytest.mark.parametrize("token", ["garbage", "a.b.c"])
async def test_a_garbage_token_is_401_invalid_token(filing_service, token):
    response = await filing_service.client.post(
        "/v1/persons", json=person_body(), headers={"Authorization": f"Bearer {token}"}
    )
    assert_problem(response, 401, "invalid_token")
    assert await filing_service.counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "headers",
    [
        bearer("hospital", institution_code="H1"),
        bearer("insured", psn_no="P0001"),
        bearer("auditor"),
    ],
)
async def test_only_clerks_and_admins_register_people(filing_service, headers):
    response = await filing_service.client.post("/v1/persons", json=person_body(), headers=headers)
    assert_problem(response, 403, "forbidden_role")
    assert await filing_service.counts() == (0, 0, 0)


async def test_a_clerk_registers_only_people_insured_in_their_own_region(filing_service):
    response = await filing_service.client.post(
        "/v1/persons", json=person_body(), headers=bearer("clerk", region=BEIJING)
    )
    assert_problem(response, 403, "other_agency")
    assert await filing_service.counts() == (0, 0, 0)


# --- agency reach when reading (a review finding) ---------------------------------------------


async def test_a_clerk_cannot_read_a_person_insured_in_another_region(filing_service):
    await filing_service.register()
    response = await filing_service.client.get(
        "/v1/persons/P0001", headers=bearer("clerk", region=BEIJING)
    )
    assert_problem(response, 403, "other_agency")
    assert "张三" not in response.text


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"insured_region": "990000"}, "invalid_region", "insured_region"),
        ({"insutype": "390"}, "person_type_mismatch", "person_type"),
    ],
)
async def test_d_p4_a_registration_that_breaks_a_rule_is_422_and_writes_nothing(
    filing_service, changes, code, field
):
    response = await filing_service.client.post(
        "/v1/persons", json=person_body(**changes), headers=ADMIN
    )
    assert_problem(response, 422, code, field=field)
    assert await filing_service.counts() == (0, 0, 0)


# --- changes (D-F11) ---------------------------------------------------------------------


async def test_d_f11_a_clerk_moves_a_person_to_resident_insurance_and_the_history_keeps_both(
    filing_service,
):
    await filing_service.register()
    response = await filing_service.client.patch(
        "/v1/persons/P0001", json={"insutype": "390", "person_type": "resident"}, headers=CLERK
    )
    assert response.status_code == 200, response.text
    assert response.json()["insutype"] == "390"
    assert response.json()["person_type"] == "resident"
    assert response.json()["id_no_masked"] == "110105********002X"

    history = (await filing_service.client.get("/v1/persons/P0001/history", headers=CLERK)).json()
    assert [(v["version"], v["insutype"], v["changed_fields"]) for v in history] == [
        (1, "310", []),
        (2, "390", ["insutype", "person_type"]),
    ]
    assert history[1]["actor"] == "clerk:test-clerk"


async def test_d_f11_a_change_publishes_person_changed_with_the_changed_fields(filing_service):
    await filing_service.register()
    await filing_service.client.patch("/v1/persons/P0001", json={"name": "张三丰"}, headers=ADMIN)
    [_, changed] = await filing_service.outbox()
    assert changed["event_type"] == "PersonChanged"
    assert changed["message_key"] == "P0001"
    assert changed["parsed"]["payload"]["changed_fields"] == ["name"]
    assert changed["parsed"]["payload"]["name"] == "张三丰"
    assert ID_NO not in changed["envelope"]


async def test_d_f11_the_filings_stay_valid_after_an_insurance_type_change(filing_service):
    await filing_service.register()
    filed = await filing_service.file()
    await filing_service.client.patch(
        "/v1/persons/P0001", json={"insutype": "390", "person_type": "resident"}, headers=CLERK
    )
    after = await filing_service.client.get(f"/v1/filings/{filed['filing_id']}", headers=CLERK)
    assert after.json() == filed


async def test_a_change_to_the_same_values_writes_and_publishes_nothing(filing_service):
    await filing_service.register()
    response = await filing_service.client.patch(
        "/v1/persons/P0001", json={"name": "张三", "insutype": "310"}, headers=CLERK
    )
    assert response.status_code == 200
    assert await filing_service.event_types() == ["PersonRegistered"]
    history = (await filing_service.client.get("/v1/persons/P0001/history", headers=CLERK)).json()
    assert len(history) == 1


async def test_a_suspended_person_cannot_file(filing_service):
    await filing_service.register()
    await filing_service.client.patch(
        "/v1/persons/P0001", json={"status": "suspended"}, headers=CLERK
    )
    response = await filing_service.client.post("/v1/filings", json=filing_body(), headers=CLERK)
    assert_problem(response, 422, "person_not_active", field="psn_no")


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"insutype": "390"}, 422, "person_type_mismatch", "person_type"),
        ({"id_no": ID_NO}, 422, "validation_error", "id_no"),
        ({"insured_region": BEIJING}, 422, "validation_error", "insured_region"),
        ({"status": "emigrated"}, 422, "validation_error", "status"),
    ],
)
async def test_a_change_that_breaks_a_rule_is_refused_and_writes_nothing(
    filing_service, body, status, code, field
):
    await filing_service.register()
    response = await filing_service.client.patch("/v1/persons/P0001", json=body, headers=CLERK)
    assert_problem(response, status, code, field=field)
    assert await filing_service.event_types() == ["PersonRegistered"]
    person = (await filing_service.client.get("/v1/persons/P0001", headers=CLERK)).json()
    assert (person["insutype"], person["insured_region"]) == ("310", TIANJIN)


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        (bearer("insured", psn_no="P0001"), 403, "forbidden_role"),
        (bearer("hospital", institution_code="H1"), 403, "forbidden_role"),
        (bearer("clerk", region=BEIJING), 403, "other_agency"),
    ],
)
async def test_only_the_persons_agency_and_admins_change_a_person(
    filing_service, headers, status, code
):
    await filing_service.register()
    response = await filing_service.client.patch(
        "/v1/persons/P0001", json={"name": "李四"}, headers=headers
    )
    assert_problem(response, status, code)
    assert await filing_service.event_types() == ["PersonRegistered"]


async def test_changing_an_unknown_person_is_404(filing_service):
    response = await filing_service.client.patch(
        "/v1/persons/NOBODY", json={"name": "李四"}, headers=CLERK
    )
    assert_problem(response, 404, "person_not_found", field="psn_no")


async def test_a_person_reads_their_own_history_but_not_anothers(filing_service):
    await filing_service.register()
    own = await filing_service.client.get(
        "/v1/persons/P0001/history", headers=bearer("insured", psn_no="P0001")
    )
    other = await filing_service.client.get(
        "/v1/persons/P0001/history", headers=bearer("insured", psn_no="P0002")
    )
    assert own.status_code == 200 and len(own.json()) == 1
    assert_problem(other, 403, "not_own_record")
