"""POSTs that create something accept an Idempotency-Key (ARCHITECTURE.md, convention 6)."""

from __future__ import annotations

from sqlalchemy import select

from medins_common.messaging_tables import IDEMPOTENCY_KEYS

from .conftest import CLERK, assert_problem, filing_body, id_number, person_body, wrong_check_char

ID_NO = "11010519491231002X"


def keyed(key: str) -> dict[str, str]:
    return {**CLERK, "Idempotency-Key": key}


async def test_the_same_key_and_body_register_once_and_answer_the_same(filing_service):
    first = await filing_service.client.post("/v1/persons", json=person_body(), headers=keyed("k1"))
    again = await filing_service.client.post("/v1/persons", json=person_body(), headers=keyed("k1"))

    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert await filing_service.counts() == (1, 0, 1)


async def test_the_same_key_with_another_body_is_422_and_writes_nothing(filing_service):
    await filing_service.client.post("/v1/persons", json=person_body(), headers=keyed("k1"))
    other = person_body("P0002", id_no=id_number("12010119800101123"))
    response = await filing_service.client.post("/v1/persons", json=other, headers=keyed("k1"))

    assert_problem(response, 422, "idempotency_key_reused")
    assert await filing_service.counts() == (1, 0, 1)


async def test_a_refused_request_frees_its_key_for_the_corrected_retry(filing_service):
    refused = await filing_service.client.post(
        "/v1/persons", json=person_body(id_no=wrong_check_char(ID_NO)), headers=keyed("k1")
    )
    corrected = await filing_service.client.post(
        "/v1/persons", json=person_body(), headers=keyed("k1")
    )
    assert_problem(refused, 422, "invalid_id_number")
    assert corrected.status_code == 201, corrected.text
    assert await filing_service.counts() == (1, 0, 1)


async def test_the_same_key_files_once(filing_service):
    await filing_service.register()
    first = await filing_service.client.post("/v1/filings", json=filing_body(), headers=keyed("f"))
    again = await filing_service.client.post("/v1/filings", json=filing_body(), headers=keyed("f"))

    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["filing_id"] == first.json()["filing_id"]
    assert await filing_service.counts() == (1, 1, 2)


async def test_without_a_key_a_repeated_filing_is_409_naming_the_first(filing_service):
    await filing_service.register()
    first = await filing_service.client.post("/v1/filings", json=filing_body(), headers=CLERK)
    second = await filing_service.client.post("/v1/filings", json=filing_body(), headers=CLERK)
    body = assert_problem(second, 409, "filing_overlaps", field="start_date")
    assert body["filing_id"] == first.json()["filing_id"]
    assert await filing_service.counts() == (1, 1, 2)


async def test_d_p4_the_stored_answer_holds_the_id_number_only_masked(filing_service):
    await filing_service.client.post("/v1/persons", json=person_body(), headers=keyed("k1"))
    async with filing_service.runtime.engine.connect() as conn:
        [row] = (await conn.execute(select(IDEMPOTENCY_KEYS))).mappings().all()
    stored = " ".join(str(value) for value in row.values())
    assert "110105********002X" in stored
    assert ID_NO not in stored
