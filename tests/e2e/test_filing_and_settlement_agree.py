"""Filing and settlement read the same events the same way (bugs found across the two)."""

from __future__ import annotations

import uuid

from devstack.testing import bearer
from medins_common.timeutil import today

from .conftest import eventually, new_person

ADMIN = bearer("admin")
TIANJIN_CLERK = bearer("clerk", region="120000")


async def long_term_filer_in_beijing(http, hospital: str) -> dict[str, str]:
    """A Tianjin retiree resettled in Beijing, and a Beijing hospital offering chronic care."""
    imported = await http["filing"].post(
        "/v1/institutions/import",
        headers=ADMIN,
        json=[
            {
                "code": hospital,
                "name": "北京慢病定点医院",
                "region": "110105",
                "kind": "hospital",
                "level": 3,
                "designated": True,
                "networked_services": ["inpatient", "general_outpatient", "chronic_outpatient"],
            }
        ],
    )
    assert imported.status_code == 200, imported.text
    person = {**new_person(), "person_type": "employee_retired"}
    assert (
        await http["filing"].post("/v1/persons", json=person, headers=TIANJIN_CLERK)
    ).status_code == 201
    filed = await http["filing"].post(
        "/v1/filings",
        headers=TIANJIN_CLERK,
        json={
            "psn_no": person["psn_no"],
            "subtype": "retiree_resettled",
            "destination_region": "110000",
            "start_date": _today(),
            "channel": "district_window",
            "materials": ["commitment_letter"],
        },
    )
    assert filed.status_code == 201, filed.text
    return {**person, "filing_id": filed.json()["filing_id"]}


def _today() -> str:
    return today().isoformat()


def chronic_visit(psn_no: str, disease: str) -> dict:
    return {
        "setl_id": f"C{uuid.uuid4().hex[:12]}",
        "psn_no": psn_no,
        "mdtrt_id": f"M{uuid.uuid4().hex[:12]}",
        "insutype": "310",
        "med_type": "14",
        "begndate": _today(),
        "enddate": _today(),
        "medfee_sumamt": "102.00",
        "dise_codg": disease,
        "lines": [
            {"med_list_codg": "XA10BAA041", "cnt": "60", "pric": "0.50"},
            {"med_list_codg": "110200001", "cnt": "1", "pric": "12.00"},
            {"med_list_codg": "250101015", "cnt": "3", "pric": "20.00"},
        ],
    }


async def test_a_chronic_registration_in_filing_is_settled_under_the_same_disease_code(http):
    hospital = f"HC{uuid.uuid4().hex[:10]}"
    person = await long_term_filer_in_beijing(http, hospital)
    registered = await http["filing"].post(
        "/v1/chronic-registrations",
        headers=TIANJIN_CLERK,
        json={
            "psn_no": person["psn_no"],
            "disease_code": "M01600",
            "institution_codes": [hospital],
        },
    )
    assert registered.status_code == 201, registered.text
    headers = bearer("hospital", institution_code=hospital)

    async def settled():
        answer = await http["settlement"].post(
            "/v1/settlements", headers=headers, json=chronic_visit(person["psn_no"], "M01600")
        )
        return answer if answer.status_code in (200, 201) else None

    bill = (await eventually(settled)).json()
    assert bill["medfee_sumamt"] == "102.00"
    assert bill["coverage"]["filing_class"] == "long_term"


async def test_a_filing_cancelled_today_covers_today_in_neither_service(http):
    hospital = f"HX{uuid.uuid4().hex[:10]}"
    person = await long_term_filer_in_beijing(http, hospital)

    async def settlement_sees_it_filed():
        answer = await http["settlement"].get(
            f"/v1/persons/{person['psn_no']}/filing-status", headers=ADMIN
        )
        return answer.status_code == 200 and answer.json()["filed"]

    await eventually(settlement_sees_it_filed)
    cancelled = await http["filing"].post(
        f"/v1/filings/{person['filing_id']}/cancel",
        headers=TIANJIN_CLERK,
        json={"reason": "回津定居"},
    )
    assert cancelled.status_code == 200, cancelled.text

    async def settlement_sees_it_cancelled():
        answer = await http["settlement"].get(
            f"/v1/persons/{person['psn_no']}/filing-status", headers=ADMIN
        )
        return answer.status_code == 200 and not answer.json()["filed"]

    await eventually(settlement_sees_it_cancelled)
    eligibility = await http["filing"].get(
        "/v1/eligibility",
        headers=ADMIN,
        params={
            "psn_no": person["psn_no"],
            "institution_code": hospital,
            "on": _today(),
            "care_type": "inpatient",
        },
    )
    assert eligibility.status_code == 200, eligibility.text
    assert eligibility.json()["basis"] != "filing"
