"""Issuing a referral over HTTP: opinion, approval, upload, and only then ReferralIssued (D-R1)."""

from __future__ import annotations

import pytest

from devstack.testing import bearer

from ..conftest import (
    ADMIN,
    BEIJING_L3,
    BEIJING_MEMBER,
    CLERK,
    SHIJIAZHUANG_L3,
    TIANJIN_L2,
    TIANJIN_L3,
    TIANJIN_L3_QUIET,
    TODAY,
    assert_problem,
    day,
    hospital,
    institution_upserted,
    referral_body,
)


async def test_d_r1_opinion_approval_and_upload_issue_the_referral_recording_who_and_when(world):
    created = await world.create()
    assert created.status_code == 201, created.text
    draft = created.json()
    assert draft["status"] == "draft"
    assert draft["path"] == "tertiary_outbound"
    assert draft["issuing_institution"] == {"code": TIANJIN_L3[0], "name": TIANJIN_L3[1]}
    assert draft["target_institution"] == {"code": BEIJING_L3[0], "name": BEIJING_L3[1]}
    assert draft["patient_name"] == "张三"
    assert draft["verification_code"] is None
    assert draft["covered_institutions"] == []

    approved = await world.approve(draft["referral_id"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    uploaded = await world.upload(draft["referral_id"])
    assert uploaded.status_code == 200, uploaded.text
    issued = uploaded.json()

    assert issued["status"] == "issued"
    assert [s["step"] for s in issued["steps"]] == ["opinion", "approval", "upload"]
    opinion, approval, upload = issued["steps"]
    assert (opinion["by"], opinion["name"], opinion["title"]) == (
        "his-user-7",
        "王建国",
        "associate_chief",
    )
    assert (approval["by"], approval["name"]) == ("his-user-7", "李主任")
    assert (upload["by"], upload["name"], upload["role"]) == ("his-office-2", "赵科员", "hospital")
    assert opinion["at"] <= approval["at"] <= upload["at"]
    assert opinion["at"].endswith("+08:00")
    assert len(issued["verification_code"]) == 19


async def test_d_r1_referral_issued_is_published_only_by_the_upload(world):
    referral_id = (await world.create()).json()["referral_id"]
    await world.approve(referral_id)
    assert await world.outbox() == []

    await world.upload(referral_id)

    [row] = await world.outbox()
    assert row["event_type"] == "ReferralIssued"
    assert row["topic"] == "referral.referrals.v1"
    assert row["message_key"] == referral_id
    assert row["payload"] == {
        "referral_id": referral_id,
        "psn_no": "P0001",
        "path": "tertiary_outbound",
        "issuing_institution": TIANJIN_L3[0],
        "target_institution": BEIJING_L3[0],
        "target_region": BEIJING_L3[2],
        "diagnosis_code": "C34.1",
        "diagnosis_name": "上叶，支气管或肺恶性肿瘤",
        "valid_from": TODAY.isoformat(),
        "valid_to": day(90),
        "covered_institutions": [BEIJING_L3[0], BEIJING_MEMBER[0]],
        "consortium_id": "CY-1",
        "origin_referral_id": None,
    }


@pytest.mark.parametrize(
    "issuer", [TIANJIN_L2, SHIJIAZHUANG_L3, ("H99999999999", "无名", "120101", 3, None)]
)
async def test_d_r1_only_a_tianjin_level_3_designated_hospital_issues_and_nothing_is_written(
    world, issuer
):
    response = await world.create(headers=hospital(issuer))
    assert_problem(response, 403, "issuer_not_qualified", field="path")
    assert await world.counts() == (0, 0, 0)


async def test_d_r1_a_tertiary_hospital_no_longer_designated_cannot_issue(world):
    await world.feed(institution_upserted(TIANJIN_L3_QUIET, designated=False))
    response = await world.create(headers=hospital(TIANJIN_L3_QUIET))
    assert_problem(response, 403, "issuer_not_qualified")


@pytest.mark.parametrize(
    "headers",
    [CLERK, ADMIN, bearer("auditor"), bearer("insured", psn_no="P0001")],
    ids=["clerk", "admin", "auditor", "insured"],
)
async def test_only_hospitals_write_referrals(world, headers):
    response = await world.create(headers=headers)
    assert_problem(response, 403, "forbidden_role")
    assert await world.counts() == (0, 0, 0)


async def test_writing_a_referral_without_a_token_is_401(world):
    response = await world.client.post("/v1/referrals", json=referral_body())
    assert_problem(response, 401, "unauthenticated", field="Authorization")


@pytest.mark.parametrize("title", ["主治医师", "住院医师", "医师"])
async def test_d_r1_an_opinion_by_a_physician_below_associate_senior_is_refused(world, title):
    body = referral_body(physician={"name": "孙医生", "title": title})
    response = await world.create(body)
    assert_problem(response, 422, "physician_title_too_low", field="physician.title")
    assert await world.counts() == (0, 0, 0)


@pytest.mark.parametrize("title", ["主任医师", "chief", "associate_chief"])
async def test_d_r1_an_opinion_by_a_chief_or_associate_chief_physician_is_accepted(world, title):
    response = await world.create(referral_body(physician={"name": "周医生", "title": title}))
    assert response.status_code == 201, response.text


async def test_a_hospital_acts_only_on_its_own_institutions_referrals(world):
    referral_id = (await world.create()).json()["referral_id"]
    other = hospital(TIANJIN_L3_QUIET)

    assert_problem(await world.approve(referral_id, other), 403, "other_institution")
    await world.approve(referral_id)
    assert_problem(await world.upload(referral_id, other), 403, "other_institution")
    assert_problem(await world.upload(referral_id, CLERK), 403, "forbidden_role")
    assert await world.counts() == (1, 2, 0)


async def test_d_r1_an_upload_before_the_approval_is_a_409_and_writes_nothing(world):
    referral_id = (await world.create()).json()["referral_id"]
    body = assert_problem(await world.upload(referral_id), 409, "referral_state_conflict")
    assert body["referral_status"] == "draft"
    assert await world.counts() == (1, 1, 0)


async def test_a_second_approval_and_a_second_upload_are_409(world):
    issued = await world.issue()
    referral_id = issued["referral_id"]
    assert_problem(await world.approve(referral_id), 409, "referral_state_conflict")
    assert_problem(await world.upload(referral_id), 409, "referral_state_conflict")
    assert await world.counts() == (1, 3, 1)


async def test_steps_on_an_unknown_referral_are_404(world):
    assert_problem(await world.approve("nope"), 404, "referral_not_found")
    assert_problem(await world.upload("nope"), 404, "referral_not_found")


@pytest.mark.parametrize(
    ("step", "body", "field"),
    [
        ("approval", {}, "department_head"),
        ("approval", {"department_head": "  "}, "department_head"),
        ("upload", {"officer": ""}, "officer"),
        ("upload", {"officer": "赵科员", "extra": 1}, "extra"),
    ],
)
async def test_a_step_without_the_named_person_is_422(world, step, body, field):
    referral_id = (await world.create()).json()["referral_id"]
    response = await world.step(referral_id, step, body, hospital())
    assert_problem(response, 422, "validation_error", field=field)
    assert await world.counts() == (1, 1, 0)


async def test_d_r1_the_upload_checks_the_rules_again_and_refuses_a_target_no_longer_designated(
    world,
):
    referral_id = (await world.create()).json()["referral_id"]
    await world.approve(referral_id)
    await world.feed(institution_upserted(BEIJING_L3, designated=False))

    response = await world.upload(referral_id)

    assert_problem(response, 422, "target_not_qualified", field="target_institution")
    assert await world.counts() == (1, 2, 0)


async def test_the_same_idempotency_key_writes_one_referral_and_answers_the_same(world):
    headers = {**hospital(), "Idempotency-Key": "opinion-1"}
    first = await world.create(referral_body(), headers)
    again = await world.create(referral_body(), headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert await world.counts() == (1, 1, 0)


async def test_the_same_key_with_another_body_is_422(world):
    headers = {**hospital(), "Idempotency-Key": "opinion-1"}
    await world.create(referral_body(), headers)
    response = await world.create(referral_body(reason="另一个原因"), headers)
    assert_problem(response, 422, "idempotency_key_reused", field="Idempotency-Key")
    assert await world.counts() == (1, 1, 0)


async def test_a_retried_upload_with_its_key_publishes_once(world):
    referral_id = (await world.create()).json()["referral_id"]
    await world.approve(referral_id)
    headers = {**hospital(), "Idempotency-Key": "upload-1"}

    first = await world.upload(referral_id, headers)
    again = await world.upload(referral_id, headers)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert len(await world.outbox()) == 1
