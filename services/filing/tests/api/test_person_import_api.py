"""Bulk import of insured persons, all or nothing (D-P4): JSON or CSV, every bad row named."""

from __future__ import annotations

import logging

import pytest

from devstack.testing import bearer

from .conftest import ADMIN, CLERK, assert_problem, id_number, person_body

ID_1, ID_2, ID_3 = (id_number(f"1201011980010112{n}") for n in range(3))
HEADER = "psn_no,name,id_no,insured_region,insutype,person_type\n"


def csv_row(
    psn_no: str, id_no: str, *, insutype: str = "310", person_type: str = "employee_retired"
) -> str:
    return f"{psn_no},张三,{id_no},120000,{insutype},{person_type}\n"


async def import_json(filing_service, rows, headers=ADMIN):
    return await filing_service.client.post("/v1/persons/import", json=rows, headers=headers)


async def import_csv(filing_service, text: str, headers=ADMIN):
    return await filing_service.client.post(
        "/v1/persons/import",
        content=text.encode(),
        headers={**headers, "Content-Type": "text/csv; charset=utf-8"},
    )


async def test_d_p4_an_admin_imports_persons_as_json_each_with_person_registered(filing_service):
    rows = [person_body("P0001", id_no=ID_1), person_body("P0002", id_no=ID_2)]
    response = await import_json(filing_service, rows)

    assert response.status_code == 200, response.text
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert await filing_service.counts() == (2, 0, 2)
    outbox = await filing_service.outbox()
    assert [(r["event_type"], r["message_key"]) for r in outbox] == [
        ("PersonRegistered", "P0001"),
        ("PersonRegistered", "P0002"),
    ]
    assert not any(ID_1 in r["envelope"] or ID_2 in r["envelope"] for r in outbox)
    person = (await filing_service.client.get("/v1/persons/P0002", headers=CLERK)).json()
    assert person["id_no_masked"] == ID_2[:6] + "*" * 8 + ID_2[-4:]


async def test_d_p4_an_admin_imports_persons_as_csv(filing_service):
    text = (
        HEADER
        + csv_row("P0001", ID_1)
        + csv_row("P0002", ID_2, insutype="390", person_type="resident")
    )
    response = await import_csv(filing_service, text)

    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2
    resident = (await filing_service.client.get("/v1/persons/P0002", headers=CLERK)).json()
    assert (resident["insutype"], resident["person_type"]) == ("390", "resident")


async def test_d_p4_one_bad_csv_row_rejects_the_import_and_every_bad_row_is_named_by_line(
    filing_service,
):
    text = (
        HEADER
        + csv_row("P0001", ID_1)  # line 2: good
        + csv_row("P0002", ID_2[:-1] + ("1" if ID_2[-1] != "1" else "2"))  # line 3: check char
        + "P0003,张三,"
        + ID_3
        + ",120000,999,employee_retired\n"  # line 4: insutype
        + csv_row("P0004", ID_1)  # line 5: the ID of line 2 again
        + csv_row("P0001", ID_3)  # line 6: the psn_no of line 2 again
    )
    response = await import_csv(filing_service, text)

    body = assert_problem(response, 422, "import_rejected")
    assert [(e["line"], e["field"], e["code"]) for e in body["errors"]] == [
        (3, "id_no", "invalid_id_number"),
        (4, "insutype", "validation_error"),
        (5, "id_no", "duplicate_in_import"),
        (6, "psn_no", "duplicate_in_import"),
    ]
    assert "line 2" in body["errors"][2]["message"]
    assert ID_2[:-1] not in response.text  # no ID number echoed back
    assert await filing_service.counts() == (0, 0, 0)


async def test_d_p4_a_bad_json_row_is_named_by_its_index_and_nothing_is_written(filing_service):
    rows = [
        person_body("P0001", id_no=ID_1),
        person_body("P0002", id_no=ID_2, insured_region="999999"),
        {"psn_no": "P0003"},
    ]
    response = await import_json(filing_service, rows)

    body = assert_problem(response, 422, "import_rejected")
    problems = {(e["index"], e["field"], e["code"]) for e in body["errors"]}
    assert (1, "insured_region", "invalid_region") in problems
    assert {(2, field, "validation_error") for field in ("name", "id_no", "insutype")} <= problems
    assert all("line" not in e for e in body["errors"])
    assert await filing_service.counts() == (0, 0, 0)


async def test_d_p4_a_row_for_a_person_registered_with_other_data_is_bad(filing_service):
    await filing_service.register("P0001", id_no=ID_1)
    rows = [person_body("P0001", id_no=ID_2, name="李四"), person_body("P0009", id_no=ID_1)]
    response = await import_json(filing_service, rows)

    body = assert_problem(response, 422, "import_rejected")
    assert [(e["index"], e["field"], e["code"]) for e in body["errors"]] == [
        (0, "psn_no", "person_exists"),
        (1, "id_no", "id_number_registered"),
    ]
    assert await filing_service.counts() == (1, 0, 1)


async def test_d_p4_sending_the_same_file_again_changes_nothing(filing_service):
    rows = [person_body("P0001", id_no=ID_1), person_body("P0002", id_no=ID_2)]
    await import_json(filing_service, rows)
    again = await import_json(filing_service, [*rows, person_body("P0003", id_no=ID_3)])

    assert again.status_code == 200, again.text
    assert again.json() == {"created": 1, "updated": 0, "unchanged": 2}
    assert await filing_service.counts() == (3, 0, 3)


@pytest.mark.parametrize(
    "headers", [CLERK, bearer("insured", psn_no="P0001"), bearer("hospital", institution_code="H1")]
)
async def test_only_admins_import_registries(filing_service, headers):
    response = await import_json(filing_service, [person_body()], headers=headers)
    assert_problem(response, 403, "forbidden_role")
    assert await filing_service.counts() == (0, 0, 0)


async def test_an_import_without_a_token_is_401(filing_service):
    response = await filing_service.client.post("/v1/persons/import", json=[person_body()])
    assert_problem(response, 401, "unauthenticated")


async def test_an_import_in_another_format_is_415(filing_service):
    response = await filing_service.client.post(
        "/v1/persons/import",
        content=b"<persons/>",
        headers={**ADMIN, "Content-Type": "application/xml"},
    )
    assert_problem(response, 415, "unsupported_media_type", field="Content-Type")


@pytest.mark.parametrize(
    ("text", "code", "field"),
    [
        (HEADER, "import_empty", "body"),
        (
            "psn_no,name,id_no,insured_region,insutype,person_type,nickname\n",
            "validation_error",
            "nickname",
        ),
        ("psn_no,name,id_no,insured_region,insutype\n", "validation_error", "person_type"),
    ],
)
async def test_a_csv_without_rows_or_with_a_wrong_header_is_422(filing_service, text, code, field):
    assert_problem(await import_csv(filing_service, text), 422, code, field=field)


@pytest.mark.parametrize(
    "content",
    [
        HEADER.encode() + b"P1," + b"x" * 200_000 + b"\n",
        b"psn_no," + b"x" * 200_000 + b"\n",
        HEADER.encode() + b"P1,\xff\xfe\n",
    ],
    ids=["cell beyond the csv field limit", "header beyond the limit", "not utf-8"],
)
async def test_an_unreadable_csv_is_422_not_a_crash(filing_service, content):
    response = await filing_service.client.post(
        "/v1/persons/import", content=content, headers={**ADMIN, "Content-Type": "text/csv"}
    )
    assert_problem(response, 422, "validation_error", field="body")


async def test_a_csv_row_with_more_cells_than_the_header_is_bad(filing_service):
    response = await import_csv(
        filing_service, HEADER + csv_row("P0001", ID_1).strip() + ",extra\n"
    )
    body = assert_problem(response, 422, "import_rejected")
    assert body["errors"][0]["line"] == 2


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"psn_no": "P0001"}, "validation_error"),
        ([], "import_empty"),
        ([{}] * 1001, "import_too_large"),
    ],
)
async def test_a_json_import_that_is_no_array_of_rows_or_too_long_is_422(
    filing_service, body, code
):
    assert_problem(await import_json(filing_service, body), 422, code, field="body")


async def test_an_import_with_an_idempotency_key_is_answered_once(filing_service):
    rows = [person_body("P0001", id_no=ID_1)]
    keyed = {**ADMIN, "Idempotency-Key": "import-1"}
    first = await import_json(filing_service, rows, headers=keyed)
    again = await import_json(filing_service, rows, headers=keyed)
    assert first.json() == again.json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert again.headers.get("Idempotent-Replayed") == "true"


async def test_d_p4_an_import_logs_no_national_id_number(filing_service, caplog):
    caplog.set_level(logging.DEBUG)
    bad = ID_2[:-1] + ("1" if ID_2[-1] != "1" else "2")
    await import_csv(filing_service, HEADER + csv_row("P0001", ID_1) + csv_row("P0002", bad))
    await import_csv(filing_service, HEADER + csv_row("P0001", ID_1))
    assert caplog.records  # the access log did write
    assert ID_1 not in caplog.text and bad not in caplog.text
