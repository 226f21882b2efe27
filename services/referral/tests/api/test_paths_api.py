"""The other referral paths over HTTP, each with its own issuer and its own path value in
ReferralIssued, so that settlement can tell them apart (D-R3–R5)."""

from __future__ import annotations

from devstack.testing import bearer
from medins_common.events.schemas import FilingCancelled

from ..conftest import (
    BAODING_L3,
    BEIJING_L2,
    BEIJING_L3,
    BEIJING_MEMBER,
    CLERK,
    HEBEI_RESIDENT,
    SHANGHAI_L3,
    SHIJIAZHUANG_L2,
    SHIJIAZHUANG_L3,
    TIANJIN_L3,
    assert_problem,
    day,
    hospital,
    long_term_filing,
    referral_body,
)


def on_path(path: str, target, psn_no: str = HEBEI_RESIDENT, **changes):
    return referral_body(psn_no, target=target, path=path, **changes)


async def published(world) -> dict:
    return (await world.outbox())[-1]["payload"]


async def test_d_r3_the_highest_level_hospital_of_the_filed_place_refers_inside_the_province(
    world,
):
    issued = await world.issue(on_path("long_term_in_province", BAODING_L3), issuer=SHIJIAZHUANG_L3)
    assert issued["status"] == "issued"
    payload = await published(world)
    assert payload["path"] == "long_term_in_province"
    assert payload["issuing_institution"] == SHIJIAZHUANG_L3[0]
    assert payload["target_institution"] == BAODING_L3[0]


async def test_d_r3_a_lower_level_hospital_of_the_filed_place_may_not_refer(world):
    response = await world.create(
        on_path("long_term_in_province", BAODING_L3), hospital(SHIJIAZHUANG_L2)
    )
    body = assert_problem(response, 403, "issuer_not_qualified", field="path")
    assert "highest level" in body["detail"]
    assert await world.counts() == (0, 0, 0)


async def test_d_r3_a_hospital_outside_the_filed_place_may_not_refer(world):
    response = await world.create(
        on_path("long_term_in_province", SHIJIAZHUANG_L2), hospital(BAODING_L3)
    )
    assert_problem(response, 403, "issuer_not_qualified", field="path")


async def test_d_r3_an_in_province_referral_to_another_province_is_refused(world):
    response = await world.create(
        on_path("long_term_in_province", BEIJING_L3), hospital(SHIJIAZHUANG_L3)
    )
    assert_problem(response, 422, "target_outside_path", field="target_institution")


async def test_d_r3_the_long_term_paths_need_a_long_term_filing(world):
    response = await world.create(
        on_path("long_term_in_province", BAODING_L3, psn_no="P0001"), hospital(SHIJIAZHUANG_L3)
    )
    assert_problem(response, 422, "no_long_term_filing", field="psn_no")


async def test_d_r3_a_cancelled_filing_no_longer_lets_the_referral_be_uploaded(world):
    created = await world.create(
        on_path("long_term_in_province", BAODING_L3), hospital(SHIJIAZHUANG_L3)
    )
    referral_id = created.json()["referral_id"]
    await world.approve(referral_id, hospital(SHIJIAZHUANG_L3))
    await world.feed(FilingCancelled(filing_id="F-LT", psn_no=HEBEI_RESIDENT, cancelled_on=day(0)))

    response = await world.upload(referral_id, hospital(SHIJIAZHUANG_L3))

    assert_problem(response, 422, "no_long_term_filing")
    assert await world.outbox() == []


async def test_d_r3_a_cross_province_referral_is_registered_by_the_insured_places_clerk(world):
    created = await world.create(
        on_path("long_term_cross_province", SHANGHAI_L3), hospital(SHIJIAZHUANG_L3)
    )
    assert created.status_code == 201, created.text
    referral_id = created.json()["referral_id"]
    await world.approve(referral_id, hospital(SHIJIAZHUANG_L3))

    by_hospital = await world.upload(referral_id, hospital(SHIJIAZHUANG_L3))
    assert_problem(by_hospital, 403, "forbidden_role")
    by_other_agency = await world.upload(referral_id, bearer("clerk", region="130100"))
    assert_problem(by_other_agency, 403, "other_agency")
    registered = await world.upload(referral_id, CLERK)

    assert registered.status_code == 200, registered.text
    assert registered.json()["steps"][-1]["role"] == "clerk"
    payload = await published(world)
    assert payload["path"] == "long_term_cross_province"
    assert payload["issuing_institution"] == SHIJIAZHUANG_L3[0]


async def test_d_r3_a_cross_province_referral_inside_the_filed_province_is_refused(world):
    response = await world.create(
        on_path("long_term_cross_province", BAODING_L3), hospital(SHIJIAZHUANG_L3)
    )
    assert_problem(response, 422, "target_outside_path", field="target_institution")


async def test_d_r4_the_first_receiving_institution_moves_a_temporary_patient_on(world):
    origin = await world.issue()
    onward = on_path(
        "temporary_onward", BEIJING_L2, psn_no="P0001", origin_referral_id=origin["referral_id"]
    )

    issued = await world.issue(onward, issuer=BEIJING_L3)

    assert issued["origin_referral_id"] == origin["referral_id"]
    payload = await published(world)
    assert payload["path"] == "temporary_onward"
    assert payload["issuing_institution"] == BEIJING_L3[0]
    assert payload["origin_referral_id"] == origin["referral_id"]


async def test_d_r4_only_the_first_receiving_institution_moves_the_patient_on(world):
    origin = await world.issue()
    onward = on_path(
        "temporary_onward", BEIJING_L2, psn_no="P0001", origin_referral_id=origin["referral_id"]
    )
    response = await world.create(onward, hospital(BEIJING_MEMBER))
    assert_problem(response, 403, "issuer_not_qualified")


async def test_d_r4_an_onward_referral_needs_its_origin_in_force(world):
    missing = on_path("temporary_onward", BEIJING_L2, psn_no="P0001")
    assert_problem(
        await world.create(missing, hospital(BEIJING_L3)),
        422,
        "origin_referral_required",
        field="origin_referral_id",
    )
    unknown = on_path("temporary_onward", BEIJING_L2, psn_no="P0001", origin_referral_id="nope")
    assert_problem(
        await world.create(unknown, hospital(BEIJING_L3)),
        422,
        "origin_referral_not_in_force",
        field="origin_referral_id",
    )


async def test_d_r4_the_certificate_covers_the_receiving_institutions_consortium(world):
    issued = await world.issue()
    assert issued["covered_institutions"] == [
        {"code": BEIJING_L3[0], "name": BEIJING_L3[1]},
        {"code": BEIJING_MEMBER[0], "name": BEIJING_MEMBER[1]},
    ]
    assert issued["consortium_id"] == "CY-1"

    seen_by_member = await world.client.get(
        f"/v1/referrals/{issued['referral_id']}", headers=hospital(BEIJING_MEMBER)
    )
    assert seen_by_member.status_code == 200, seen_by_member.text


async def test_d_r5_the_first_institution_of_an_emergency_transfers_across_provinces(world):
    emergency = on_path(
        "emergency_onward",
        BEIJING_L3,
        psn_no="P0001",
        emergency_admitted_on=day(-2),
        valid_from=day(-1),
    )
    issued = await world.issue(emergency, issuer=SHIJIAZHUANG_L2)

    assert issued["emergency_admitted_on"] == day(-2)
    payload = await published(world)
    assert payload["path"] == "emergency_onward"
    assert payload["issuing_institution"] == SHIJIAZHUANG_L2[0]


async def test_d_r5_an_emergency_transfer_inside_the_province_is_not_this_path(world):
    emergency = on_path(
        "emergency_onward", BAODING_L3, psn_no="P0001", emergency_admitted_on=day(0)
    )
    response = await world.create(emergency, hospital(SHIJIAZHUANG_L2))
    assert_problem(response, 422, "target_outside_path")


async def test_d_r5_a_tianjin_hospital_is_not_an_emergencys_first_institution_away(world):
    emergency = on_path(
        "emergency_onward", BEIJING_L3, psn_no="P0001", emergency_admitted_on=day(0)
    )
    response = await world.create(emergency, hospital(TIANJIN_L3))
    assert_problem(response, 403, "issuer_not_qualified")


async def test_every_path_is_told_apart_in_the_event(world):
    await world.feed(long_term_filing("P0001", "F-P1", destination_region="310000"))
    await world.issue()
    await world.issue(on_path("long_term_in_province", BAODING_L3), issuer=SHIJIAZHUANG_L3)
    paths = [row["payload"]["path"] for row in await world.outbox()]
    assert paths == ["tertiary_outbound", "long_term_in_province"]
