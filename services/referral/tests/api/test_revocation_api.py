"""Revocation before use (ReferralRevoked), withdrawal of drafts, and expiry."""

from __future__ import annotations

import pytest

from devstack.testing import bearer

from ..conftest import (
    ADMIN,
    BEIJING_L3,
    CLERK,
    TIANJIN_L3_QUIET,
    assert_problem,
    bill_reversed,
    bill_settled,
    day,
    hospital,
)


async def test_an_issued_referral_revoked_before_use_publishes_referral_revoked(world):
    issued = await world.issue()
    response = await world.revoke(issued["referral_id"])

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "revoked"
    revocation = response.json()["steps"][-1]
    assert (revocation["step"], revocation["name"]) == ("revocation", "赵科员")
    assert revocation["note"] == "患者病情好转，放弃转诊"
    [_, revoked] = await world.outbox()
    assert revoked["event_type"] == "ReferralRevoked"
    assert revoked["message_key"] == issued["referral_id"]
    assert revoked["payload"] == {
        "referral_id": issued["referral_id"],
        "psn_no": "P0001",
        "reason": "患者病情好转，放弃转诊",
    }
    again = await world.client.get(f"/v1/referrals/{issued['referral_id']}", headers=ADMIN)
    assert again.json()["status"] == "revoked"


async def test_a_withdrawn_draft_publishes_nothing(world):
    referral_id = (await world.create()).json()["referral_id"]
    response = await world.revoke(referral_id)
    assert response.json()["status"] == "revoked"
    assert await world.outbox() == []
    assert_problem(await world.approve(referral_id), 409, "referral_state_conflict")


async def test_a_revoked_referral_is_not_revoked_twice(world):
    issued = await world.issue()
    await world.revoke(issued["referral_id"])
    assert_problem(await world.revoke(issued["referral_id"]), 409, "referral_already_revoked")
    assert len(await world.outbox()) == 2


async def test_a_referral_used_for_a_settled_bill_cannot_be_revoked_until_the_bill_is_reversed(
    world,
):
    issued = await world.issue()
    await world.feed(bill_settled(issued))

    read = await world.client.get(f"/v1/referrals/{issued['referral_id']}", headers=ADMIN)
    assert read.json()["used"] is True
    assert_problem(await world.revoke(issued["referral_id"]), 409, "referral_used")

    await world.feed(bill_reversed(bill_settled(issued)))
    assert (await world.revoke(issued["referral_id"])).status_code == 200


async def test_a_bill_at_the_consortium_member_uses_the_referral_too(world):
    issued = await world.issue()
    await world.feed(bill_settled(issued, institution="H11010500009"))
    assert_problem(await world.revoke(issued["referral_id"]), 409, "referral_used")


async def test_a_bill_elsewhere_or_of_another_person_does_not_use_it(world):
    issued = await world.issue()
    await world.feed(
        bill_settled(issued, bill_id="B1", institution="H11010800002"),
        bill_settled({**issued, "psn_no": "P0002"}, bill_id="B2"),
    )
    assert (await world.revoke(issued["referral_id"])).status_code == 200


async def test_an_issued_referral_past_its_last_day_is_reported_expired_and_not_revoked(world):
    issued = await world.issue()
    await world.expire(issued["referral_id"])

    read = await world.client.get(f"/v1/referrals/{issued['referral_id']}", headers=ADMIN)
    assert read.json()["status"] == "expired"
    assert_problem(await world.revoke(issued["referral_id"]), 409, "referral_expired")
    assert len(await world.outbox()) == 1


async def test_an_approved_draft_whose_validity_passed_is_not_uploaded(world):
    referral_id = (await world.create()).json()["referral_id"]
    await world.approve(referral_id)
    await world.expire(referral_id)
    assert_problem(await world.upload(referral_id), 409, "referral_expired", field="valid_to")
    assert await world.outbox() == []


async def test_an_expired_referral_no_longer_blocks_a_new_one(world):
    issued = await world.issue()
    await world.expire(issued["referral_id"])
    assert (await world.create()).status_code == 201


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        (hospital(TIANJIN_L3_QUIET), 403, "other_institution"),
        (hospital(BEIJING_L3), 403, "other_institution"),
        (bearer("clerk", region="110000"), 403, "other_agency"),
        (bearer("insured", psn_no="P0001"), 403, "forbidden_role"),
        (bearer("auditor"), 403, "forbidden_role"),
    ],
    ids=["other-hospital", "target-hospital", "other-agency", "the-person", "auditor"],
)
async def test_who_may_not_revoke(world, headers, status, code):
    issued = await world.issue()
    assert_problem(await world.revoke(issued["referral_id"], headers), status, code)
    assert len(await world.outbox()) == 1


@pytest.mark.parametrize("headers", [CLERK, ADMIN], ids=["agency-clerk", "admin"])
async def test_the_patients_agency_and_an_admin_may_revoke(world, headers):
    issued = await world.issue()
    assert (await world.revoke(issued["referral_id"], headers)).status_code == 200


async def test_a_revocation_needs_a_reason(world):
    issued = await world.issue()
    response = await world.step(
        issued["referral_id"], "revocation", {"officer": "赵科员"}, hospital()
    )
    assert_problem(response, 422, "validation_error", field="reason")


async def test_revoking_an_unknown_referral_is_404(world):
    assert_problem(await world.revoke("nope"), 404, "referral_not_found")


async def test_an_expired_referral_still_reads_with_its_dates(world):
    issued = await world.issue()
    await world.expire(issued["referral_id"])
    read = await world.client.get(f"/v1/referrals/{issued['referral_id']}", headers=ADMIN)
    assert read.json()["valid_to"] == day(-1)
