"""Refusals are answers too (D-F1, D-S5, issue point 4): a 4xx problem with a stable code and
the field named, and nothing written: no bill, no event, no accumulator row."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from devstack.testing import bearer
from medins_common.messaging_tables import OUTBOX
from medins_common.timeutil import today
from settlement.adapters.tables import accumulators, bills

from .conftest import HOSPITAL, HOSPITAL_CODE, PERSON, assert_problem, bill_body, line

SHANGHAI_HOSPITAL = "H31010400001"


async def refused(app, body, *, status: int, code: str, field: str | None, headers=HOSPITAL):
    response = await app.client.post("/v1/settlements", json=body, headers=headers)
    problem = assert_problem(response, status, code, field)
    assert await app.count(bills) == 0
    assert await app.count(OUTBOX) == 0
    assert await app.count(accumulators) == 0
    return problem


async def test_d_f1_no_filing_is_refused_pointing_to_late_filing_and_a_manual_claim(ready):
    # Shanghai is outside Beijing–Tianjin–Hebei, so no deemed filing applies either.
    await ready.know_institution(SHANGHAI_HOSPITAL, region="310104")
    shanghai = {"Authorization": _token(SHANGHAI_HOSPITAL)}

    problem = await refused(
        ready, bill_body(), status=422, code="no_valid_filing", field="psn_no", headers=shanghai
    )

    assert "D-F7" in problem["detail"] and "D-F8" in problem["detail"]
    assert problem["remedies"] == ["D-F7", "D-F8"]


def _token(institution_code: str) -> str:
    return bearer("hospital", institution_code=institution_code)["Authorization"]


async def test_d_f6_a_filing_ended_before_discharge_is_refused(settlement_app):
    await settlement_app.know_reference_data()
    await settlement_app.know_institution(SHANGHAI_HOSPITAL, region="310104")
    await settlement_app.know_person(PERSON, insutype="310", person_type="employee_in_service")
    await settlement_app.know_filing(
        "F1", PERSON, start=date(2025, 1, 1), cancelled_on=date(2025, 6, 4), destination="310000"
    )
    await refused(
        settlement_app,
        bill_body(enddate="2025-06-05"),
        status=422,
        code="no_valid_filing",
        field="psn_no",
        headers={"Authorization": _token(SHANGHAI_HOSPITAL)},
    )


async def test_an_unknown_person_is_refused(ready):
    await refused(
        ready, bill_body(psn_no="P0404"), status=422, code="person_unknown", field="psn_no"
    )


async def test_a_suspended_person_is_refused(ready):
    await ready.know_person(
        PERSON, insutype="310", person_type="employee_in_service", status="suspended"
    )
    await refused(ready, bill_body(), status=422, code="person_not_active", field="psn_no")


async def test_an_insutype_other_than_the_persons_is_refused(ready):
    await refused(
        ready, bill_body(insutype="390"), status=422, code="insutype_mismatch", field="insutype"
    )


async def test_a_hospital_settlement_does_not_know_is_refused(ready):
    await refused(
        ready,
        bill_body(),
        status=422,
        code="institution_unknown",
        field="institution_code",
        headers={"Authorization": _token("H99999999999")},
    )


async def test_d_f5_a_non_designated_institution_is_refused(ready):
    await ready.know_institution(designated=False)
    await refused(
        ready, bill_body(), status=422, code="institution_not_designated", field="institution_code"
    )


async def test_d_f12_care_the_institution_is_not_networked_for_is_refused(ready):
    await ready.know_institution(services=("general_outpatient",))
    await refused(ready, bill_body(), status=422, code="not_networked_for_care", field="med_type")


async def test_d_s5_own_initiative_care_at_a_level_1_institution_is_refused(settlement_app):
    # A temporary filer without a referral, at a level-1 hospital: the fund pays nothing.
    await settlement_app.know_reference_data()
    await settlement_app.know_institution(level=1)
    await settlement_app.know_person(PERSON, insutype="310", person_type="employee_in_service")
    await settlement_app.know_filing(
        "F1",
        PERSON,
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        filing_class="temporary",
        subtype="other_temporary",
    )
    await refused(
        settlement_app, bill_body(), status=422, code="fund_pays_nothing", field="institution_code"
    )


async def test_care_in_the_insured_region_is_refused(ready):
    await ready.know_institution(region="120104")
    await refused(ready, bill_body(), status=422, code="not_cross_region", field="institution_code")


async def test_an_item_the_catalogue_does_not_list_is_refused_naming_the_line(ready):
    body = bill_body(lines=(line("DRUG_A", "1", "10.00"), line("NOT_LISTED", "1", "5.00")))
    await refused(ready, body, status=422, code="unknown_item", field="lines[1].med_list_codg")


async def test_a_total_that_is_not_the_sum_of_the_lines_is_refused(ready):
    await refused(
        ready,
        bill_body(medfee_sumamt="4999.99"),
        status=422,
        code="amounts_do_not_add_up",
        field="medfee_sumamt",
    )


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"begndate": "2025-06-05", "enddate": "2025-06-01"}, "enddate"),
        ({"enddate": (today() + timedelta(days=1)).isoformat()}, "enddate"),
    ],
)
async def test_dates_out_of_order_or_in_the_future_are_refused(ready, dates, field):
    await refused(ready, bill_body(**dates), status=422, code="invalid_dates", field=field)


async def test_d_f9_chronic_care_needs_its_disease_code(ready):
    await refused(
        ready,
        bill_body(med_type="14"),
        status=422,
        code="chronic_disease_required",
        field="dise_codg",
    )


async def test_d_f9_chronic_care_at_an_institution_not_registered_is_refused(ready):
    await ready.know_chronic_registration(
        "C1", PERSON, disease="M03900", institutions=["H11010500999"]
    )
    await refused(
        ready,
        bill_body(med_type="14", dise_codg="M03900"),
        status=422,
        code="chronic_institution_not_registered",
        field="dise_codg",
    )


async def test_d_f9_a_disease_off_the_insured_places_list_is_refused(ready):
    await ready.know_chronic_registration(
        "C1", PERSON, disease="M99999", institutions=[HOSPITAL_CODE]
    )
    await refused(
        ready,
        bill_body(med_type="14", dise_codg="M99999"),
        status=422,
        code="chronic_disease_not_covered",
        field="dise_codg",
    )


async def test_an_emergency_at_a_pharmacy_is_refused(ready):
    await ready.know_institution(services=("pharmacy",))
    await refused(
        ready,
        bill_body(med_type="41", emergency=True),
        status=422,
        code="emergency_not_applicable",
        field="emergency",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"med_type": "99"}, "med_type"),
        ({"lines": []}, "lines"),
        ({"medfee_sumamt": "1.001"}, "medfee_sumamt"),
        ({"lines": [line("DRUG_A", "0", "1.00")]}, "lines.0.cnt"),
        ({"institution_code": "H1"}, "institution_code"),  # the institution is the token's
    ],
)
async def test_a_malformed_body_is_refused_naming_the_field(ready, change, field):
    await refused(
        ready, {**bill_body(), **change}, status=422, code="validation_error", field=field
    )


async def test_without_a_token_it_is_401(ready):
    response = await ready.client.post("/v1/settlements", json=bill_body())
    assert_problem(response, 401, "unauthenticated")
    assert await ready.count(bills) == 0
