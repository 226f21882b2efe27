"""Registering and reading insured persons over HTTP (D-P4, conventions 4 and 7)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from devstack.testing import bearer
from filing.adapters.tables import persons

from .conftest import (
    BEIJING,
    CLERK,
    TIANJIN,
    assert_problem,
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
