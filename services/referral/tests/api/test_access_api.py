"""Who may read referrals (convention 7): the person their own, a clerk their region's people,
a hospital the referrals it wrote or that send patients to it."""

from __future__ import annotations

import pytest

from devstack.testing import bearer

from ..conftest import (
    ADMIN,
    BEIJING_L2,
    BEIJING_L3,
    BEIJING_MEMBER,
    CLERK,
    TIANJIN_L3_QUIET,
    assert_problem,
    hospital,
    referral_body,
)

OWNER = bearer("insured", psn_no="P0001")


async def read(world, referral_id: str, headers):
    return await world.client.get(f"/v1/referrals/{referral_id}", headers=headers)


@pytest.mark.parametrize(
    "headers",
    [OWNER, CLERK, hospital(), hospital(BEIJING_L3), hospital(BEIJING_MEMBER), ADMIN],
    ids=["the-person", "their-agency", "issuer", "target", "consortium-member", "admin"],
)
async def test_an_issued_referral_is_read_by_those_it_concerns(world, headers):
    issued = await world.issue()
    response = await read(world, issued["referral_id"], headers)
    assert response.status_code == 200, response.text
    assert response.json() == issued


async def test_an_auditor_reads_any_referral(world):
    issued = await world.issue()
    assert (await read(world, issued["referral_id"], bearer("auditor"))).status_code == 200


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        (bearer("insured", psn_no="P0002"), "not_own_record"),
        (bearer("clerk", region="110000"), "other_agency"),
        (hospital(TIANJIN_L3_QUIET), "other_institution"),
        (hospital(BEIJING_L2), "other_institution"),
    ],
    ids=["another-person", "another-agency", "another-tianjin-hospital", "unrelated-hospital"],
)
async def test_others_are_refused_and_learn_nothing(world, headers, code):
    issued = await world.issue()
    response = await read(world, issued["referral_id"], headers)
    assert_problem(response, 403, code)
    assert "C34.1" not in response.text
    assert "张三" not in response.text


async def test_the_target_hospital_does_not_see_a_draft(world):
    referral_id = (await world.create()).json()["referral_id"]
    assert_problem(await read(world, referral_id, hospital(BEIJING_L3)), 403, "other_institution")


async def test_an_unknown_referral_is_404(world):
    assert_problem(await read(world, "nope", ADMIN), 404, "referral_not_found")


async def test_a_person_lists_their_own_referrals_without_naming_themself(world):
    first = await world.issue()
    response = await world.client.get("/v1/referrals", headers=OWNER)
    assert response.status_code == 200, response.text
    assert [r["referral_id"] for r in response.json()] == [first["referral_id"]]


async def test_a_person_cannot_list_someone_elses_referrals(world):
    await world.issue()
    response = await world.client.get(
        "/v1/referrals", params={"psn_no": "P0001"}, headers=bearer("insured", psn_no="P0002")
    )
    assert_problem(response, 403, "not_own_record", field="psn_no")


async def test_a_hospital_lists_only_the_referrals_that_concern_it(world):
    issued = await world.issue()
    await world.revoke(issued["referral_id"])
    draft = (await world.create(referral_body(target=BEIJING_L2))).json()

    by_issuer = await world.client.get(
        "/v1/referrals", params={"psn_no": "P0001"}, headers=hospital()
    )
    by_target = await world.client.get(
        "/v1/referrals", params={"psn_no": "P0001"}, headers=hospital(BEIJING_L3)
    )

    assert [r["referral_id"] for r in by_issuer.json()] == [
        issued["referral_id"],
        draft["referral_id"],
    ]
    assert [r["referral_id"] for r in by_target.json()] == [issued["referral_id"]]


async def test_a_clerk_lists_the_referrals_of_people_of_their_region_only(world):
    await world.issue()
    own = await world.client.get("/v1/referrals", params={"psn_no": "P0001"}, headers=CLERK)
    other = await world.client.get(
        "/v1/referrals", params={"psn_no": "P0001"}, headers=bearer("clerk", region="110000")
    )
    assert len(own.json()) == 1
    assert_problem(other, 403, "other_agency")


async def test_listing_needs_the_person_named_except_by_the_person(world):
    response = await world.client.get("/v1/referrals", headers=CLERK)
    assert_problem(response, 422, "validation_error", field="psn_no")


async def test_listing_an_unknown_person_is_404(world):
    response = await world.client.get("/v1/referrals", params={"psn_no": "P0404"}, headers=ADMIN)
    assert_problem(response, 404, "person_unknown", field="psn_no")
