"""The institution directory: admin import, InstitutionUpserted, public lookup (D-F5, D-F12)."""

from __future__ import annotations

import pytest

from devstack.testing import bearer
from filing.adapters.tables import institutions

from .conftest import ADMIN, CLERK, assert_problem, institution_row

CHAOYANG = institution_row("H11010500001")
HAIDIAN_CLINIC = institution_row(
    "H11010800002",
    name="海淀社区卫生服务中心",
    region="110108",
    level=1,
    networked_services=["general_outpatient"],
    jjj_mutual_recognition=False,
)
SHIJIAZHUANG = institution_row(
    "H13010400003",
    name="河北医科大学第二医院",
    region="130104",
    networked_services=["inpatient"],
)
BAODING_PHARMACY = institution_row(
    "P13060200004",
    name="保定大药房",
    region="130602",
    kind="pharmacy",
    level=None,
    networked_services=["pharmacy"],
    jjj_mutual_recognition=False,
)
UNDESIGNATED = institution_row(
    "H13010400005",
    name="未定点诊所",
    region="130104",
    level=None,
    designated=False,
    networked_services=[],
    jjj_mutual_recognition=False,
)
NOT_NETWORKED = institution_row(
    "H13010400006",
    name="未联网医院",
    region="130104",
    networked_services=[],
    jjj_mutual_recognition=False,
)
ALL = [CHAOYANG, HAIDIAN_CLINIC, SHIJIAZHUANG, BAODING_PHARMACY, UNDESIGNATED, NOT_NETWORKED]

CSV_HEADER = (
    "code,name,region,kind,level,designated,networked_services,consortium_id,"
    "jjj_mutual_recognition\n"
)


async def import_csv(filing_service, text: str, headers=ADMIN):
    return await filing_service.client.post(
        "/v1/institutions/import",
        content=text.encode(),
        headers={**headers, "Content-Type": "text/csv"},
    )


async def lookup(filing_service, **params):
    response = await filing_service.client.get("/v1/institutions", params=params)
    assert response.status_code == 200, response.text
    return [institution["code"] for institution in response.json()]


# --- import and events ---------------------------------------------------------------------


async def test_an_admin_imports_institutions_and_each_gets_institution_upserted(filing_service):
    assert await filing_service.import_institutions(*ALL) == {
        "created": 6,
        "updated": 0,
        "unchanged": 0,
    }
    outbox = await filing_service.outbox()
    assert [r["event_type"] for r in outbox] == ["InstitutionUpserted"] * 6
    assert [r["topic"] for r in outbox] == ["filing.institutions.v1"] * 6
    chaoyang = next(r for r in outbox if r["message_key"] == "H11010500001")["parsed"]["payload"]
    assert chaoyang == {
        "code": "H11010500001",
        "name": "北京朝阳医院",
        "region": "110105",
        "kind": "hospital",
        "level": 3,
        "designated": True,
        "networked_services": ["chronic_outpatient", "general_outpatient", "inpatient"],
        "consortium_id": None,
        "jjj_mutual_recognition": True,
    }


async def test_importing_again_publishes_only_for_the_rows_that_changed(filing_service):
    await filing_service.import_institutions(*ALL)
    changed = {**SHIJIAZHUANG, "networked_services": ["inpatient", "chronic_outpatient"]}
    result = await filing_service.import_institutions(
        CHAOYANG, changed, institution_row("H12010100009", region="120101")
    )

    assert result == {"created": 1, "updated": 1, "unchanged": 1}
    outbox = await filing_service.outbox()
    assert [r["message_key"] for r in outbox[6:]] == ["H13010400003", "H12010100009"]
    stored = (await filing_service.client.get("/v1/institutions/H13010400003")).json()
    assert stored["networked_services"] == ["chronic_outpatient", "inpatient"]


async def test_an_admin_imports_institutions_as_csv_with_services_separated_by_semicolons(
    filing_service,
):
    text = (
        CSV_HEADER
        + "H11010500001,北京朝阳医院,110105,hospital,3,true,"
        + "inpatient;general_outpatient,YLT-01,true\n"
        + "P13060200004,保定大药房,130602,pharmacy,,true,pharmacy,,false\n"
    )
    response = await import_csv(filing_service, text)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2
    hospital = (await filing_service.client.get("/v1/institutions/H11010500001")).json()
    assert hospital["networked_services"] == ["general_outpatient", "inpatient"]
    assert (hospital["level"], hospital["consortium_id"]) == (3, "YLT-01")
    pharmacy = (await filing_service.client.get("/v1/institutions/P13060200004")).json()
    assert (pharmacy["kind"], pharmacy["level"]) == ("pharmacy", None)


async def test_a_bad_csv_row_rejects_the_import_naming_every_bad_row_by_line(filing_service):
    text = (
        CSV_HEADER
        + "H1,好医院,110105,hospital,3,true,inpatient,,false\n"  # line 2: good
        + "H2,坏区划,990101,hospital,3,true,inpatient,,false\n"  # line 3
        + "P3,药房,110105,pharmacy,2,true,pharmacy,,false\n"  # line 4
        + "H4,医院,110105,hospital,4,true,surgery,,false\n"  # line 5: level and service
        + "H1,重复,110105,hospital,3,true,inpatient,,false\n"  # line 6
    )
    response = await import_csv(filing_service, text)
    body = assert_problem(response, 422, "import_rejected")
    assert [(e["line"], e["field"], e["code"]) for e in body["errors"]] == [
        (3, "region", "invalid_region"),
        (4, "level", "invalid_institution"),
        (5, "level", "validation_error"),
        (5, "networked_services.0", "validation_error"),
        (6, "code", "duplicate_in_import"),
    ]
    assert await filing_service.count(institutions) == 0
    assert await filing_service.outbox() == []


async def test_a_bad_json_row_is_named_by_its_index(filing_service):
    response = await filing_service.client.post(
        "/v1/institutions/import",
        json=[CHAOYANG, {**HAIDIAN_CLINIC, "designated": False}],
        headers=ADMIN,
    )
    body = assert_problem(response, 422, "import_rejected", field="networked_services")
    assert body["errors"] == [
        {
            "index": 1,
            "field": "networked_services",
            "code": "invalid_institution",
            "message": "Only a designated institution is networked for direct settlement.",
        }
    ]
    assert await filing_service.count(institutions) == 0


@pytest.mark.parametrize(
    "headers", [CLERK, bearer("hospital", institution_code="H1"), bearer("auditor")]
)
async def test_only_admins_import_institutions(filing_service, headers):
    response = await filing_service.client.post(
        "/v1/institutions/import", json=[CHAOYANG], headers=headers
    )
    assert_problem(response, 403, "forbidden_role")
    assert await filing_service.count(institutions) == 0


async def test_an_institution_import_without_a_token_is_401(filing_service):
    response = await filing_service.client.post("/v1/institutions/import", json=[CHAOYANG])
    assert_problem(response, 401, "unauthenticated")


# --- D-F12: the public lookup --------------------------------------------------------------


async def test_d_f12_the_lookup_needs_no_token_and_finds_a_citys_networked_institutions(
    filing_service,
):
    await filing_service.import_institutions(*ALL)
    assert await lookup(filing_service, region="130100") == ["H13010400003"]
    assert await lookup(filing_service, region="110000") == ["H11010500001", "H11010800002"]


async def test_d_f12_asked_by_province_the_lookup_finds_the_institutions_of_all_its_cities(
    filing_service,
):
    await filing_service.import_institutions(*ALL)
    assert await lookup(filing_service, region="130000") == ["H13010400003", "P13060200004"]


@pytest.mark.parametrize(
    ("service", "codes"),
    [
        ("inpatient", ["H11010500001"]),
        ("general_outpatient", ["H11010500001", "H11010800002"]),
        ("chronic_outpatient", ["H11010500001"]),
        ("pharmacy", []),
    ],
)
async def test_d_f12_the_lookup_filters_by_networked_service(filing_service, service, codes):
    await filing_service.import_institutions(*ALL)
    assert await lookup(filing_service, region="110000", service=service) == codes


async def test_d_f12_the_lookup_finds_a_districts_institutions_and_pages(filing_service):
    await filing_service.import_institutions(*ALL)
    assert await lookup(filing_service, region="110108") == ["H11010800002"]
    assert await lookup(filing_service, region="110000", limit=1, offset=1) == ["H11010800002"]


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"region": "990000"}, "invalid_region", "region"),
        ({"region": "11"}, "validation_error", "region"),
        ({}, "validation_error", "region"),
        ({"region": "110000", "service": "surgery"}, "validation_error", "service"),
        ({"region": "110000", "limit": 501}, "validation_error", "limit"),
    ],
)
async def test_a_bad_lookup_is_422_naming_the_parameter(filing_service, params, code, field):
    response = await filing_service.client.get("/v1/institutions", params=params)
    assert_problem(response, 422, code, field=field)


async def test_one_institution_is_public_and_an_unknown_one_is_404(filing_service):
    await filing_service.import_institutions(CHAOYANG)
    found = await filing_service.client.get("/v1/institutions/H11010500001")
    assert found.status_code == 200
    assert found.json()["name"] == "北京朝阳医院"
    assert_problem(
        await filing_service.client.get("/v1/institutions/NOPE"), 404, "institution_not_found"
    )
