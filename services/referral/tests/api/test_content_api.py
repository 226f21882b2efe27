"""What a referral says, and what it may not (D-R1 content, D-R2 one target, validity)."""

from __future__ import annotations

import pytest

from ..conftest import (
    BEIJING_L1,
    BEIJING_L2,
    TIANJIN_L2,
    assert_problem,
    day,
    institution_upserted,
    person_registered,
    referral_body,
)


async def test_the_patient_must_be_known_to_the_read_model(world):
    response = await world.create(referral_body("P0404"))
    assert_problem(response, 404, "person_unknown", field="psn_no")
    assert await world.counts() == (0, 0, 0)


async def test_a_person_insured_outside_tianjin_is_not_referred_under_tianjins_rules(world):
    await world.feed(person_registered("P0110", insured_region="110000"))
    response = await world.create(referral_body("P0110"))
    assert_problem(response, 422, "not_insured_in_tianjin", field="psn_no")


async def test_a_person_no_longer_active_is_not_referred(world):
    await world.feed(person_registered("P0009", status="deceased"))
    response = await world.create(referral_body("P0009"))
    assert_problem(response, 422, "person_not_active", field="psn_no")


async def test_the_diagnosis_code_is_validated_and_stored_upper_case(world):
    response = await world.create(referral_body(diagnosis_code="e11.9"))
    assert response.status_code == 201, response.text
    assert response.json()["diagnosis_code"] == "E11.9"


@pytest.mark.parametrize("code", ["lung", "C3", "C34.12345", "D49"])
async def test_a_malformed_diagnosis_code_is_422_and_writes_nothing(world, code):
    response = await world.create(referral_body(diagnosis_code=code))
    assert_problem(response, 422, "invalid_diagnosis_code", field="diagnosis_code")
    assert await world.counts() == (0, 0, 0)


async def test_an_unknown_target_is_422(world):
    body = referral_body(target_institution="H00000000000")
    assert_problem(await world.create(body), 422, "target_unknown", field="target_institution")


async def test_d_r1_a_level_1_target_is_refused(world):
    response = await world.create(referral_body(target=BEIJING_L1))
    assert_problem(response, 422, "target_not_qualified", field="target_institution")


async def test_d_r1_an_undesignated_target_is_refused(world):
    await world.feed(institution_upserted(BEIJING_L2, designated=False))
    response = await world.create(referral_body(target=BEIJING_L2))
    assert_problem(response, 422, "target_not_qualified", field="target_institution")


async def test_d_r1_a_target_in_tianjin_is_refused(world):
    response = await world.create(referral_body(target=TIANJIN_L2))
    assert_problem(response, 422, "target_in_tianjin", field="target_institution")


async def test_the_target_region_must_be_the_target_institutions_own(world):
    response = await world.create(referral_body(target_region="110000"))
    body = assert_problem(response, 422, "target_region_mismatch", field="target_region")
    assert "110105" in body["detail"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"target_institution": ["H11010500001", "H11010800002"]}, "target_institution"),
        ({"target_institutions": ["H11010500001"]}, "target_institutions"),
    ],
    ids=["a-list", "a-second-field"],
)
async def test_d_r2_exactly_one_target_institution(world, changes, field):
    response = await world.create(referral_body(**changes))
    assert_problem(response, 422, "validation_error", field=field)
    assert await world.counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"valid_from": day(10), "valid_to": day(9)}, "valid_to"),
        ({"valid_from": day(0), "valid_to": day(366)}, "valid_to"),
        ({"valid_from": day(-1)}, "valid_from"),
    ],
    ids=["ends-before-it-starts", "longer-than-12-months", "backdated"],
)
async def test_the_validity_is_checked_and_a_refusal_writes_nothing(world, changes, field):
    response = await world.create(referral_body(**changes))
    assert_problem(response, 422, "invalid_validity", field=field)
    assert await world.counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"psn_no": ""}, "psn_no"),
        ({"diagnosis_name": " "}, "diagnosis_name"),
        ({"reason": ""}, "reason"),
        ({"target_region": "1101"}, "target_region"),
        ({"valid_to": "2026-02-30"}, "valid_to"),
        ({"physician": {"name": "王建国"}}, "physician.title"),
        ({"path": "sideways"}, "path"),  # a body field named like a location keyword
    ],
)
async def test_a_malformed_body_is_422_naming_the_field(world, changes, field):
    response = await world.create(referral_body(**changes))
    assert_problem(response, 422, "validation_error", field=field)
    assert await world.counts() == (0, 0, 0)


async def test_fields_of_another_path_are_refused(world):
    response = await world.create(referral_body(emergency_admitted_on=day(0)))
    assert_problem(response, 422, "not_for_path", field="emergency_admitted_on")


async def test_d_r2_a_second_referral_while_one_is_in_force_is_409_until_it_is_revoked(world):
    first = await world.issue()
    second = referral_body(target=BEIJING_L2, valid_from=day(30), valid_to=day(120))

    body = assert_problem(await world.create(second), 409, "overlapping_referral", "valid_from")
    assert body["conflicting_referral_id"] == first["referral_id"]

    await world.revoke(first["referral_id"])
    assert (await world.create(second)).status_code == 201


async def test_d_r2_a_referral_after_the_first_one_ends_is_accepted(world):
    await world.issue(referral_body(valid_to=day(30)))
    response = await world.create(referral_body(target=BEIJING_L2, valid_from=day(31)))
    assert response.status_code == 201, response.text
