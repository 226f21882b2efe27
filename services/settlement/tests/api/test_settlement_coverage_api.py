"""Coverage decided from the read models, through the API, to the fen (D-F7, D-F10, D-S4, D-S5).

Every case settles one stay at a Beijing level-3 hospital: DRUG_A 100 x 50.00 = 5000.00, all
in scope; the first admission's deductible is 1700.00, so 3300.00 is shared at the fund ratio
(Tianjin employee inpatient, level 3: 80 %), less the penalty points that apply.
"""

from __future__ import annotations

from datetime import date

import pytest

from devstack.testing import bearer
from medins_common import timeutil
from settlement.adapters import read_model

from .conftest import HOSPITAL, HOSPITAL_CODE, PERSON, bill_body

OTHER_BEIJING_HOSPITAL = "H11010800002"


async def settled(app, headers=HOSPITAL, **fields):
    response = await app.client.post("/v1/settlements", json=bill_body(**fields), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
async def temporary(settlement_app):
    """A Tianjin employee with a temporary filing to Beijing, and two Beijing hospitals."""
    await settlement_app.know_reference_data()
    await settlement_app.know_institution()
    await settlement_app.know_institution(OTHER_BEIJING_HOSPITAL)
    await settlement_app.know_person(PERSON, insutype="310", person_type="employee_in_service")
    await settlement_app.know_filing(
        "F1",
        PERSON,
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        filing_class="temporary",
        subtype="referral",
    )
    return settlement_app


async def test_d_s4_a_referral_patient_at_the_receiving_institution_pays_5_points_more(
    temporary,
):
    await temporary.know_referral("R1", PERSON, target=HOSPITAL_CODE)
    bill = await settled(temporary)
    # 3300.00 x (0.80 - 0.05) = 2475.00
    assert bill["coverage"]["referral"] == "receiving_institution"
    assert (bill["hifp_pay"], bill["pool_prop_selfpay"]) == ("2475.00", "0.2500")


async def test_d_s4_d_r4_at_a_consortium_institution_on_the_certificate_the_same(temporary):
    await temporary.know_referral(
        "R1", PERSON, target=OTHER_BEIJING_HOSPITAL, covered=[HOSPITAL_CODE]
    )
    bill = await settled(temporary)
    assert bill["coverage"]["referral"] == "consortium_institution"
    assert bill["hifp_pay"] == "2475.00"


async def test_d_s4_at_a_mutually_recognised_institution_no_increase(temporary):
    await temporary.know_institution(jjj_mutual_recognition=True)
    await temporary.know_referral("R1", PERSON, target=HOSPITAL_CODE)
    bill = await settled(temporary)
    # 3300.00 x 0.80 = 2640.00
    assert bill["coverage"]["referral"] == "jjj_mutual_recognition"
    assert bill["hifp_pay"] == "2640.00"


async def test_d_s5_own_initiative_at_a_level_3_institution_pays_10_points_more(temporary):
    await temporary.know_referral("R1", PERSON, target=OTHER_BEIJING_HOSPITAL)  # elsewhere
    bill = await settled(temporary)
    # 3300.00 x (0.80 - 0.10) = 2310.00
    assert bill["coverage"]["referral"] == "none"
    assert (bill["hifp_pay"], bill["pool_prop_selfpay"]) == ("2310.00", "0.3000")


async def test_a_revoked_referral_no_longer_counts(temporary):
    await temporary.know_referral("R1", PERSON, target=HOSPITAL_CODE)
    async with temporary.runtime.uow() as uow:
        await read_model.revoke_referral(
            uow.session, referral_id="R1", psn_no=PERSON, revoked_at=timeutil.now()
        )
        await uow.commit()
    assert (await settled(temporary))["hifp_pay"] == "2310.00"


async def test_d_f10_m10_without_a_filing_tianjin_insured_care_in_beijing_is_deemed(
    settlement_app,
):
    await settlement_app.know_reference_data()
    await settlement_app.know_institution()
    await settlement_app.know_person(PERSON, insutype="310", person_type="employee_in_service")
    bill = await settled(settlement_app)
    assert bill["coverage"]["basis"] == "deemed_jjj"
    assert bill["hifp_pay"] == "2640.00"


async def test_d_f10_an_emergency_without_a_filing_is_deemed_and_paid_per_the_rules(
    settlement_app,
):
    await settlement_app.know_reference_data()
    await settlement_app.know_institution()
    await settlement_app.know_person(PERSON, insutype="310", person_type="employee_in_service")
    bill = await settled(settlement_app, emergency=True)
    assert bill["coverage"]["basis"] == "deemed_emergency"
    assert bill["hifp_pay"] == "2640.00"


async def test_d_f7_a_filing_made_during_the_stay_covers_it(settlement_app):
    await settlement_app.know_reference_data()
    await settlement_app.know_institution()
    await settlement_app.know_person(PERSON, insutype="310", person_type="employee_in_service")
    await settlement_app.know_filing("LATE", PERSON, start=date(2025, 6, 3))
    bill = await settled(settlement_app, begndate="2025-06-01", enddate="2025-06-05")
    assert bill["coverage"]["basis"] == "filing"
    assert bill["trace"][0]["rule"] == "D-F7"


async def test_a_retired_employee_gets_the_retiree_addition(ready):
    await ready.know_person(PERSON, insutype="310", person_type="employee_retired")
    bill = await settled(ready)
    # 3300.00 x (0.80 + 0.05) = 2805.00
    assert bill["hifp_pay"] == "2805.00"


async def test_d_f9_chronic_care_at_the_registered_institution_uses_the_annual_deductible(
    ready,
):
    await ready.know_chronic_registration(
        "C1", PERSON, disease="M03900", institutions=[HOSPITAL_CODE]
    )
    body = {"med_type": "14", "dise_codg": "M03900", "begndate": "2025-06-05"}
    first = await settled(ready, setl_id="C-1", **body)
    second = await settled(ready, setl_id="C-2", **body)
    # annual deductible 100.00 once, then 80 %: (5000 - 100) x 0.8 = 3920.00; 5000 x 0.8 = 4000
    # is capped by the chronic cap 5000.00 - 3920.00 = 1080.00.
    assert (first["act_pay_dedc"], first["hifp_pay"]) == ("100.00", "3920.00")
    assert (second["act_pay_dedc"], second["hifp_pay"]) == ("0.00", "1080.00")


async def test_a_pharmacy_purchase_shares_the_general_outpatient_deductible(ready):
    await ready.know_institution(services=("general_outpatient", "pharmacy"))
    body = {"begndate": "2025-06-05"}
    visit = await settled(ready, setl_id="O-1", med_type="11", **body)
    purchase = await settled(ready, setl_id="O-2", med_type="41", **body)
    # outpatient: annual deductible 100.00, ratio 50 %, cap 1000.00 for the year.
    assert (visit["act_pay_dedc"], visit["hifp_pay"]) == ("100.00", "1000.00")
    assert (purchase["act_pay_dedc"], purchase["hifp_pay"]) == ("0.00", "0.00")


async def test_another_hospital_cannot_read_this_hospitals_settlement(ready):
    await settled(ready)
    other = bearer("hospital", institution_code=OTHER_BEIJING_HOSPITAL)
    response = await ready.client.get("/v1/settlements/S1", headers=other)
    assert response.status_code == 404
    asked = await ready.client.get(
        "/v1/settlements/S1", params={"institution_code": HOSPITAL_CODE}, headers=other
    )
    assert asked.status_code == 403
    assert asked.json()["code"] == "other_institution"
    staff = await ready.client.get(
        "/v1/settlements/S1", params={"institution_code": HOSPITAL_CODE}, headers=bearer("auditor")
    )
    assert staff.status_code == 200
