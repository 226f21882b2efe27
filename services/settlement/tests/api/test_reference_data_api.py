"""Reference data through the admin API: dated catalogues and policies, JSON and CSV imports
(all or nothing, problems by line and field), the version in force on a day, the shipped
defaults (DOMAIN.md, settlement arithmetic: "the one in force on the discharge date")."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

import pytest

from devstack.testing import bearer
from medins_common.timeutil import today
from settlement.adapters import reference_data
from settlement.domain.policy import CareType, NoCatalogue, NoPolicy

from .conftest import TIANJIN, assert_problem

ADMIN = bearer("admin")
HOSPITAL = bearer("hospital", institution_code="H120001")
HEBEI_CITY = "130100"  # Shijiazhuang: no data of its own, so Hebei's (130000) apply


def catalogue(effective_from: str = "2026-01-01", **changes) -> dict:
    body = {
        "region": TIANJIN,
        "effective_from": effective_from,
        "source": "test catalogue",
        "items": [
            {"item_code": "XA10BAA041", "name": "二甲双胍片", "kind": "drug", "item_class": "A"},
            {
                "item_code": "210300001",
                "name": "CT平扫",
                "kind": "service",
                "item_class": "B",
                "self_pay_share": "0.15",
                "price_cap": "140.00",
            },
        ],
    }
    return body | changes


def policy(effective_from: str = "2026-01-01", **changes) -> dict:
    body = {
        "insured_region": TIANJIN,
        "effective_from": effective_from,
        "source": "test policy",
        "chronic_diseases": [{"code": "M03900", "name": "高血压"}],
        "rules": [
            {
                "insutype": "310",
                "person_type": "employee_in_service",
                "care_type": "inpatient",
                "institution_level": 3,
                "fund_ratio": "0.82",
                "annual_cap": "400000",
                "deductible_first_admission": "1500",
                "deductible_later_admission": "450",
            },
            {
                "insutype": "390",
                "person_type": "resident",
                "care_type": "general_outpatient",
                "fund_ratio": "0.50",
                "annual_cap": "4500",
                "annual_deductible": "800",
            },
        ],
    }
    return body | changes


async def in_force(app, kind: str, region: str, on: str) -> dict:
    param = "region" if kind == "catalogues" else "insured_region"
    response = await app.client.get(
        f"/v1/reference/{kind}/in-force", params={param: region, "on": on}, headers=HOSPITAL
    )
    assert response.status_code == 200, response.text
    return response.json()


async def versions(app, kind: str) -> list[dict]:
    response = await app.client.get(f"/v1/reference/{kind}", headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


# -- the shipped defaults ---------------------------------------------------------------------


async def test_a_fresh_database_holds_tianjins_policy_from_72_hao(settlement_app):
    tianjin = await in_force(settlement_app, "policies", TIANJIN, "2025-06-01")
    level3 = next(
        rule
        for rule in tianjin["rules"]
        if rule["person_type"] == "employee_in_service"
        and rule["care_type"] == "inpatient"
        and rule["institution_level"] == 3
    )
    assert level3["deductible_first_admission"] == "1700.00"
    assert level3["deductible_later_admission"] == "500.00"
    assert Decimal(level3["fund_ratio"]) == Decimal("0.80")
    assert level3["annual_cap"] == "350000.00"
    assert Decimal(tianjin["referral_share_increase"]) == Decimal("0.05")  # D-S4
    assert Decimal(tianjin["own_initiative_share_increase"]) == Decimal("0.10")  # D-S5
    assert {d["code"] for d in tianjin["chronic_diseases"]} >= {"M03900", "M01600"}


async def test_default_catalogues_cover_beijing_tianjin_and_hebei(settlement_app):
    summaries = await versions(settlement_app, "catalogues")
    assert {s["region"] for s in summaries} >= {"110000", "120000", "130000"}
    assert all(s["entries"] >= 30 for s in summaries if s["created_by"] == "defaults")


async def test_a_city_without_its_own_catalogue_uses_its_provinces(settlement_app):
    found = await in_force(settlement_app, "catalogues", HEBEI_CITY, "2025-06-01")
    assert found["region"] == "130000"


# -- effective dates --------------------------------------------------------------------------


async def test_a_new_version_applies_from_its_first_day_and_not_before(settlement_app):
    response = await settlement_app.client.post(
        "/v1/reference/catalogues", json=catalogue("2026-01-01"), headers=ADMIN
    )
    assert response.status_code == 201, response.text
    new_id = response.json()["version_id"]
    assert response.json()["entries"] == 2

    eve = await in_force(settlement_app, "catalogues", TIANJIN, "2025-12-31")
    first_day = await in_force(settlement_app, "catalogues", TIANJIN, "2026-01-01")
    assert eve["version_id"] != new_id
    assert first_day["version_id"] == new_id
    ct = next(item for item in first_day["items"] if item["item_code"] == "210300001")
    assert Decimal(ct["self_pay_share"]) == Decimal("0.15")
    assert Decimal(ct["price_cap"]) == Decimal("140.00")


async def test_before_any_version_nothing_is_in_force(settlement_app):
    response = await settlement_app.client.get(
        "/v1/reference/policies/in-force",
        params={"insured_region": TIANJIN, "on": "2022-12-31"},
        headers=HOSPITAL,
    )
    assert_problem(response, 404, "no_policy_in_force", field="insured_region")


async def test_the_engines_loaders_pick_the_version_in_force(settlement_app):
    response = await settlement_app.client.post(
        "/v1/reference/policies", json=policy("2026-01-01"), headers=ADMIN
    )
    assert response.status_code == 201, response.text
    async with settlement_app.runtime.uow() as uow:
        args = dict(
            insured_region=TIANJIN,
            insutype="310",
            person_type="employee_in_service",
            care_type=CareType.INPATIENT,
            institution_level=3,
        )
        before = await reference_data.policy_in_force(uow.session, on=date(2025, 12, 31), **args)
        after = await reference_data.policy_in_force(uow.session, on=date(2026, 1, 1), **args)
        pharmacy = await reference_data.policy_in_force(
            uow.session,
            on=date(2026, 3, 1),
            insured_region=TIANJIN,
            insutype="390",
            person_type="resident",
            care_type=CareType.PHARMACY_OUTPATIENT,
            institution_level=None,
        )
        items = await reference_data.catalogue_in_force(
            uow.session, region=HEBEI_CITY, on=date(2025, 6, 1), item_codes=["XA10BAA041", "NOPE"]
        )
        with pytest.raises(NoPolicy):
            await reference_data.policy_in_force(uow.session, on=date(2022, 1, 1), **args)
        with pytest.raises(NoCatalogue):
            await reference_data.catalogue_in_force(
                uow.session, region="460000", on=date(2025, 6, 1), item_codes=["XA10BAA041"]
            )
    assert (before.deductible_first_admission, before.fund_ratio) == (1700, Decimal("0.80"))
    assert (after.deductible_first_admission, after.fund_ratio) == (1500, Decimal("0.82"))
    assert after.chronic_diseases == frozenset({"M03900"})
    # A pharmacy purchase draws on the general-outpatient rule for any level.
    assert (pharmacy.care_type, pharmacy.annual_deductible) == (CareType.GENERAL_OUTPATIENT, 800)
    assert set(items.items) == {"XA10BAA041"} and items.region == "130000"


# -- refusals: all or nothing ------------------------------------------------------------------


async def test_only_an_admin_may_import(settlement_app):
    before = await versions(settlement_app, "catalogues")
    response = await settlement_app.client.post(
        "/v1/reference/catalogues", json=catalogue(), headers=HOSPITAL
    )
    assert_problem(response, 403, "forbidden_role")
    assert await versions(settlement_app, "catalogues") == before


async def test_reading_needs_a_token(settlement_app):
    response = await settlement_app.client.get("/v1/reference/catalogues")
    assert_problem(response, 401, "unauthenticated")


async def test_a_catalogue_with_problems_is_refused_whole_with_each_problem_named(settlement_app):
    before = await versions(settlement_app, "catalogues")
    body = catalogue()
    body["items"] += [
        {"item_code": "XA10BAA041", "name": "again", "kind": "drug", "item_class": "A"},
        {"item_code": "C1", "name": "B without share", "kind": "material", "item_class": "B"},
        {
            "item_code": "C2",
            "name": "share on A",
            "kind": "material",
            "item_class": "A",
            "self_pay_share": "0.1",
        },
    ]
    response = await settlement_app.client.post(
        "/v1/reference/catalogues", json=body, headers=ADMIN
    )
    problem = assert_problem(response, 422, "invalid_reference_data", field="items.2.item_code")
    assert [e["field"] for e in problem["errors"]] == [
        "items.2.item_code",
        "items.3.self_pay_share",
        "items.4.self_pay_share",
    ]
    assert await versions(settlement_app, "catalogues") == before


async def test_a_malformed_entry_is_a_validation_error_naming_the_entry(settlement_app):
    body = catalogue()
    body["items"][1]["price_cap"] = "-3"
    response = await settlement_app.client.post(
        "/v1/reference/catalogues", json=body, headers=ADMIN
    )
    assert_problem(response, 422, "validation_error", field="items.1.price_cap")


async def test_a_second_version_for_the_same_region_and_day_is_409(settlement_app):
    first = await settlement_app.client.post("/v1/reference/policies", json=policy(), headers=ADMIN)
    assert first.status_code == 201, first.text
    again = await settlement_app.client.post(
        "/v1/reference/policies", json=policy(source="other"), headers=ADMIN
    )
    assert_problem(again, 409, "version_exists", field="effective_from")


async def test_two_concurrent_imports_for_the_same_region_and_day_store_one(settlement_app):
    answers = await asyncio.gather(
        *(
            settlement_app.client.post(
                "/v1/reference/catalogues", json=catalogue(source=f"race {n}"), headers=ADMIN
            )
            for n in range(2)
        )
    )
    assert sorted(answer.status_code for answer in answers) == [201, 409]
    stored = [
        v
        for v in await versions(settlement_app, "catalogues")
        if v["source"] in {"race 0", "race 1"}
    ]
    assert len(stored) == 1


async def test_policy_rules_are_checked_against_the_rules_of_the_arithmetic(settlement_app):
    body = policy()
    body["rules"][0] |= {"annual_deductible": "100"}  # inpatients: per admission
    body["rules"][1] |= {"retiree_addition": "0.05"}  # only for retirees
    body["rules"].append(dict(body["rules"][1], retiree_addition="0"))  # same key twice
    response = await settlement_app.client.post("/v1/reference/policies", json=body, headers=ADMIN)
    problem = assert_problem(response, 422, "invalid_reference_data")
    assert [e["field"] for e in problem["errors"]] == [
        "rules.0.annual_deductible",
        "rules.1.retiree_addition",
        "rules.2.institution_level",
    ]


# -- CSV ----------------------------------------------------------------------------------------

CATALOGUE_CSV = (
    "item_code,name,kind,item_class,self_pay_share,price_cap\n"
    "XA10BAA041,二甲双胍片,drug,A,,0.60\n"
    '210300001,"CT平扫, 头部",service,B,0.10,150\n'
    "111000001,特需病房床位费,service,C,,\n"
)


async def post_csv(app, kind: str, text: str, params: dict, headers=ADMIN, **extra):
    return await app.client.post(
        f"/v1/reference/{kind}/csv",
        params=params,
        content=text.encode(),
        headers={**headers, "Content-Type": "text/csv; charset=utf-8", **extra},
    )


CSV_PARAMS = {"region": TIANJIN, "effective_from": "2026-02-01", "source": "csv test"}


async def test_a_csv_catalogue_is_imported_line_by_line(settlement_app):
    # As a spreadsheet writes it: a byte-order mark, CRLF line ends, a quoted comma.
    text = "\ufeff" + CATALOGUE_CSV.replace("\n", "\r\n")
    response = await post_csv(settlement_app, "catalogues", text, CSV_PARAMS)
    assert response.status_code == 201, response.text
    stored = await settlement_app.client.get(
        f"/v1/reference/catalogues/{response.json()['version_id']}", headers=HOSPITAL
    )
    items = {item["item_code"]: item for item in stored.json()["items"]}
    assert items["210300001"]["name"] == "CT平扫, 头部"
    assert items["111000001"]["price_cap"] is None
    assert Decimal(items["XA10BAA041"]["self_pay_share"]) == 0


async def test_a_csv_with_bad_lines_is_refused_whole_naming_line_and_column(settlement_app):
    before = await versions(settlement_app, "catalogues")
    text = (
        CATALOGUE_CSV
        + "XB01ACA020,氯吡格雷,drug,D,,\n"  # line 5: no class D
        + "C1,支架,material,B,,800\n"  # line 6: class B without a share
    )
    response = await post_csv(settlement_app, "catalogues", text, CSV_PARAMS)
    problem = assert_problem(response, 422, "invalid_reference_data", field="item_class")
    assert [(e["line"], e["field"]) for e in problem["errors"]] == [(5, "item_class")]
    assert await versions(settlement_app, "catalogues") == before

    text = CATALOGUE_CSV + "C1,支架,material,B,,800\n"
    response = await post_csv(settlement_app, "catalogues", text, CSV_PARAMS)
    problem = assert_problem(response, 422, "invalid_reference_data")
    assert [(e["line"], e["field"]) for e in problem["errors"]] == [(5, "self_pay_share")]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("item_code,name,kind,colour\nX,x,drug,red\n", "colour"),
        ("item_code,name,kind\nX,x,drug\n", "item_class"),
        ("item_code,name,kind,item_class\n", "body"),
    ],
)
async def test_a_csv_header_must_name_known_columns_and_hold_rows(settlement_app, text, field):
    response = await post_csv(settlement_app, "catalogues", text, CSV_PARAMS)
    assert_problem(response, 422, "invalid_reference_data", field=field)


async def test_a_csv_import_needs_csv(settlement_app):
    response = await settlement_app.client.post(
        "/v1/reference/catalogues/csv", params=CSV_PARAMS, json={"a": 1}, headers=ADMIN
    )
    assert_problem(response, 415, "unsupported_media_type", field="Content-Type")


async def test_a_csv_policy_takes_its_header_fields_as_parameters(settlement_app):
    text = (
        "insutype,person_type,care_type,institution_level,fund_ratio,annual_cap,"
        "deductible_first_admission,deductible_later_admission,annual_deductible,"
        "retiree_addition\n"
        "310,employee_retired,inpatient,2,0.85,350000,1100,350,,0.05\n"
        "390,resident,chronic_outpatient,,0.70,250000,,,500,\n"
    )
    params = [
        ("insured_region", "110000"),
        ("effective_from", "2026-01-01"),
        ("source", "csv"),
        ("referral_share_increase", "0.06"),
        ("chronic_disease", "M03900"),
        ("chronic_disease", "M01600"),
    ]
    response = await post_csv(settlement_app, "policies", text, params)
    assert response.status_code == 201, response.text
    stored = (
        await settlement_app.client.get(
            f"/v1/reference/policies/{response.json()['version_id']}", headers=HOSPITAL
        )
    ).json()
    assert Decimal(stored["referral_share_increase"]) == Decimal("0.06")
    assert Decimal(stored["own_initiative_share_increase"]) == Decimal("0.10")
    assert [d["code"] for d in stored["chronic_diseases"]] == ["M01600", "M03900"]
    retired, chronic = stored["rules"]
    assert retired["deductible_later_admission"] == "350.00"
    assert Decimal(retired["retiree_addition"]) == Decimal("0.05")
    assert chronic["institution_level"] is None and chronic["annual_deductible"] == "500.00"


# -- idempotency and withdrawal ---------------------------------------------------------------


async def test_a_retried_import_with_its_key_answers_the_same_and_stores_once(settlement_app):
    keyed = {**ADMIN, "Idempotency-Key": "import-1"}
    first = await settlement_app.client.post(
        "/v1/reference/catalogues", json=catalogue(), headers=keyed
    )
    again = await settlement_app.client.post(
        "/v1/reference/catalogues", json=catalogue(), headers=keyed
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = await settlement_app.client.post(
        "/v1/reference/catalogues", json=catalogue("2027-01-01"), headers=keyed
    )
    assert_problem(other, 422, "idempotency_key_reused")
    ids = [v["version_id"] for v in await versions(settlement_app, "catalogues")]
    assert ids.count(first.json()["version_id"]) == 1


async def test_a_version_not_yet_in_force_may_be_withdrawn_one_in_force_not(settlement_app):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    created = await settlement_app.client.post(
        "/v1/reference/policies", json=policy(tomorrow), headers=ADMIN
    )
    version_id = created.json()["version_id"]
    assert_problem(
        await settlement_app.client.delete(
            f"/v1/reference/policies/{version_id}", headers=HOSPITAL
        ),
        403,
        "forbidden_role",
    )
    gone = await settlement_app.client.delete(f"/v1/reference/policies/{version_id}", headers=ADMIN)
    assert gone.status_code == 204
    assert_problem(
        await settlement_app.client.get(f"/v1/reference/policies/{version_id}", headers=ADMIN),
        404,
        "version_not_found",
    )
    in_use = await in_force(settlement_app, "catalogues", TIANJIN, today().isoformat())
    refused = await settlement_app.client.delete(
        f"/v1/reference/catalogues/{in_use['version_id']}", headers=ADMIN
    )
    assert_problem(refused, 409, "version_in_force", field="version_id")
